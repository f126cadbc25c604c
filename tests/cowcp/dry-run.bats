#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# cowcp/dry-run.bats -- cowcp --dry-run writes nothing (the destination
# filesystem listed, with its free blocks and inodes, before and after),
# and says what the real run then does: clone or copy (checked with
# FIEMAP), link, skip, backup, mkdir, the same errors and exit status;
# for a matrix of destinations and options, on btrfs, XFS and ext4 and
# across them, as root and as nobody.

# shellcheck disable=SC2154  # stderr is set by run --separate-stderr
load ../helpers/common
load ../helpers/dry-run

bats_require_minimum_version 1.5.0

# matrix ROOTS S D: every case, each on a fresh fixture, S and D being
# the source and destination directories relative to here.
matrix ()
{
  local roots=$1 s=$2 d=$3
  local -a cases=(
    "new file|cowcp $s/big $d/new"
    "small and empty|cowcp $s/small $s/empty $d"
    "sparse|cowcp $s/sparse $d/sp"
    "existing file|cowcp $s/big $d/old"
    "-n|cowcp -n $s/big $d/old"
    "-u, newer destination|cowcp -u $s/big $d/newer"
    "-u, older destination|cowcp -u $s/big $d/old"
    "-i answered n|n|cowcp -i $s/big $d/old"
    "-b|cowcp -b $s/big $d/old"
    "-f onto read-only|cowcp -f $s/big $d/ro"
    "read-only without -f|cowcp $s/big $d/ro"
    "--remove-destination|cowcp --remove-destination $s/big $d/old"
    "tree -a|cowcp -a $s/tree $d/copy"
    "tree -r merged|cowcp -r $s/tree/sub $d/tree2"
    "tree without -r|cowcp $s/tree $d/x"
    "tree into itself|cowcp -r $s/tree $s/tree/sub/x"
    "same file|cowcp $s/big $s/big"
    "directory onto file|cowcp -r $s/tree $d/old"
    "file onto directory|cowcp $s/big $d/tree2/sub"
    "symlink -P|cowcp -P $s/link $d/l"
    "--cow=never|cowcp --cow=never $s/big $d/n"
    "--cow=always|cowcp --cow=always $s/big $d/a"
    "-l|cowcp -l $s/big $d/hl"
    "missing source|cowcp $s/nothing $d/m"
    "one name from two operands|cowcp $s/tree/sub/f2 $d/tree2/sub/f2 $d"
    "one name from two operands, -n|cowcp -n $s/tree/sub/f2 $d/tree2/sub/f2 $d"
    "one name from two operands, -u|cowcp -u $s/tree/sub/f2 $d/tree2/sub/f2 $d"
    "one name from two operands, -p -u|cowcp -p -u $d/tree2/sub/f2 $s/tree/sub/f2 $d"
    "one name from two operands, numbered backups|cowcp --backup=numbered $s/tree/sub/f2 $d/tree2/sub/f2 $d"
    "one name from two operands, -i answered y|y|cowcp -i $s/tree/sub/f2 $d/tree2/sub/f2 $d"
  )
  dry_cases "$roots" "$s" "$d" "${cases[@]}"
}

@test "btrfs: the dry run changes nothing and says what cowcp does (root)" {
  AS=root same_fs btrfs
}

@test "btrfs: the dry run changes nothing and says what cowcp does (nobody)" {
  as_nobody
  same_fs btrfs
}

@test "XFS: the dry run changes nothing and says what cowcp does (root)" {
  AS=root same_fs xfs
}

@test "XFS: the dry run changes nothing and says what cowcp does (nobody)" {
  as_nobody
  same_fs xfs
}

@test "ext4: the dry run changes nothing and says what cowcp does (root)" {
  AS=root same_fs ext4
}

@test "ext4: the dry run changes nothing and says what cowcp does (nobody)" {
  as_nobody
  same_fs ext4
}

@test "btrfs to XFS: the dry run says copy, and what cowcp does (root)" {
  AS=root two_fs btrfs xfs
}

@test "ext4 to btrfs: the dry run says copy, and what cowcp does (nobody)" {
  as_nobody
  two_fs ext4 btrfs
}

@test "the summary counts shared and copied bytes and says why" {
  require_root
  mount_fs btrfs one
  cd "$FS_PATH"
  AS=root fixture s d
  run -0 cowcp --dry-run s/big s/sparse d
  assert_output "dry run: entries 2, errors expected 0
dry run: shared: files 2, bytes 1310720
dry run: copied: files 0, bytes 0"
  run -0 cowcp --dry-run --cow=never s/big d
  assert_output "dry run: entries 1, errors expected 0
dry run: shared: files 0, bytes 0
dry run: copied: files 1, bytes 262144
dry run: copied (--cow=never): files 1, bytes 262144"
  mount_fs ext4 two
  run -0 cowcp --dry-run s/big "$FS_PATH"
  assert_line "dry run: copied (different filesystems): files 1, bytes 262144"
}

@test "btrfs: a NOCOW source onto a non-empty file without it is a copy, onto a new one a clone" {
  require_root
  mount_fs btrfs one
  cd "$FS_PATH"
  AS=root fixture s d
  : >s/nocow
  chattr +C s/nocow
  random_file s/data 256K
  cat s/data >>s/nocow
  run -0 cowcp --dry-run s/nocow d/old
  assert_line "dry run: copied (btrfs NOCOW mismatch): files 1, bytes 262144"
  AS=root dry_case "NOCOW onto old" root "" "$FS_PATH" cowcp s/nocow d/old
  AS=root fixture s2 d2
  : >s2/nocow
  chattr +C s2/nocow
  cat s/data >>s2/nocow
  run -0 cowcp --dry-run -v s2/nocow d2/new
  assert_line "would clone 's2/nocow' -> 'd2/new'"
  dry_case "NOCOW onto new" root "" "$FS_PATH" cowcp s2/nocow d2/new2
}

@test "--dry-run with --parents is a usage error" {
  run -1 --separate-stderr cowcp --dry-run --parents a b
  assert_equal "${stderr%%$'\n'*}" \
    "cowcp: --dry-run cannot be used with --parents"
}

@test "ext4: the probe clone leaves no file behind and the directory unchanged" {
  require_root
  mount_fs ext4 one
  cd "$FS_PATH"
  AS=root fixture s d
  local before
  before=$(dry_snapshot "$FS_PATH")
  run -0 cowcp --dry-run -a s d/x
  assert_equal "$(dry_snapshot "$FS_PATH")" "$before"
}
