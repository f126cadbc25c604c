#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# cowln/dry-run.bats -- cowln -c --dry-run changes nothing (the
# filesystem listed, with free blocks and inodes, before and after), and
# says what the real cowlink then does: each entry cloned (FIEMAP) or,
# with --cow=auto, copied; backups, the same errors and exit status; on
# btrfs, XFS and ext4 and across them, as root and as nobody.

# shellcheck disable=SC2154  # stderr is set by run --separate-stderr
load ../helpers/common
load ../helpers/dry-run

bats_require_minimum_version 1.5.0

# matrix ROOTS S D: every case, each on a fresh fixture.
matrix ()
{
  local roots=$1 s=$2 d=$3
  local -a cases=(
    "new file|cowln -c $s/big $d/new"
    "--cow=auto|cowln --cow=auto $s/big $d/new"
    "several into a directory|cowln -c $s/big $s/small $s/empty $d"
    "a tree|cowln -c $s/tree $d/t"
    "a tree, --cow=auto|cowln --cow=auto $s/tree $d/t"
    "onto a file without -f|cowln -c $s/big $d/old"
    "-f|cowln -cf $s/big $d/old"
    "-b|cowln -c -b $s/big $d/old"
    "-i answered n|n|cowln -ci $s/big $d/old"
    "missing source|cowln -c $s/nothing $d/m"
  )
  dry_cases "$roots" "$s" "$d" "${cases[@]}"
}

@test "btrfs: the dry run changes nothing and says what cowln -c does (root)" {
  AS=root same_fs btrfs
}

@test "XFS: the dry run changes nothing and says what cowln -c does (nobody)" {
  as_nobody
  same_fs xfs
}

@test "ext4: the dry run changes nothing and says what cowln -c does (root)" {
  AS=root same_fs ext4
}

@test "ext4: the dry run changes nothing and says what cowln -c does (nobody)" {
  as_nobody
  same_fs ext4
}

@test "XFS to btrfs: the dry run says what cowln -c does (root)" {
  AS=root two_fs xfs btrfs
}

@test "--dry-run without -c is a usage error" {
  run -1 --separate-stderr cowln --dry-run a b
  assert_equal "${stderr%%$'\n'*}" \
    "cowln: --dry-run works only with cowlinks (-c)"
}
