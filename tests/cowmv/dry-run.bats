#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# cowmv/dry-run.bats -- cowmv --dry-run changes nothing on the source's
# or the destination's filesystem (listed, with free blocks and inodes,
# before and after), and says what the real move then does: a rename on
# one filesystem, else each entry cloned or copied (FIEMAP) and the
# source removed; skips, backups, the same errors and exit status; on
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
    "new name|cowmv $s/big $d/new"
    "onto a file|cowmv $s/big $d/old"
    "several into a directory|cowmv $s/big $s/small $s/empty $d"
    "-n|cowmv -n $s/big $d/old"
    "-u, newer destination|cowmv -u $s/big $d/newer"
    "-u, older destination|cowmv -u $s/big $d/old"
    "-i answered n|n|cowmv -i $s/big $d/old"
    "-b|cowmv -b $s/big $d/old"
    "-f onto read-only|cowmv -f $s/big $d/ro"
    "a tree|cowmv $s/tree $d/moved"
    "a tree onto a non-empty directory|cowmv $s/tree/sub $d/tree2"
    "a tree into itself|cowmv $s/tree $s/tree/sub"
    "same file|cowmv $s/big $s/big"
    "file onto directory|cowmv -T $s/big $d/tree2"
    "directory onto file|cowmv $s/tree $d/old"
    "a symlink|cowmv $s/link $d/l"
    "sparse|cowmv $s/sparse $d/sp"
    "--no-copy|cowmv --no-copy $s/big $d/nc"
    "--exchange|cowmv --exchange $s/big $d/old"
    "--exchange with nothing there|cowmv --exchange $s/big $d/none"
    "missing source|cowmv $s/nothing $d/m"
  )
  dry_cases "$roots" "$s" "$d" "${cases[@]}"
}

@test "btrfs: the dry run changes nothing and says what cowmv does (root)" {
  AS=root same_fs btrfs
}

@test "btrfs: the dry run changes nothing and says what cowmv does (nobody)" {
  as_nobody
  same_fs btrfs
}

@test "XFS: the dry run changes nothing and says what cowmv does (root)" {
  AS=root same_fs xfs
}

@test "ext4: the dry run changes nothing and says what cowmv does (nobody)" {
  as_nobody
  same_fs ext4
}

@test "btrfs to XFS: the dry run says copy and remove, as cowmv does (root)" {
  AS=root two_fs btrfs xfs
}

@test "btrfs to XFS: the dry run says copy and remove, as cowmv does (nobody)" {
  as_nobody
  two_fs btrfs xfs
}

@test "ext4 to btrfs: the dry run says copy and remove, as cowmv does (root)" {
  AS=root two_fs ext4 btrfs
}

@test "btrfs subvolumes: not one st_dev, so copy (clone) and remove" {
  require_root
  mount_fs btrfs one
  cd "$FS_PATH"
  btrfs -q subvolume create sv
  AS=root fixture s sv/d
  run -0 cowmv --dry-run -v s/big sv/d/new
  assert_output "would clone 's/big' -> 'sv/d/new'
would remove source 's/big'
dry run: entries 1, errors expected 0
dry run: shared: files 1, bytes 262144
dry run: copied: files 0, bytes 0"
  AS=root dry_case "across subvolumes" root "" "$FS_PATH" cowmv s/tree sv/d/t
}

@test "sticky directories: the dry run fails as the rename does on what another user owns (nobody)" {
  require_root
  as_nobody
  mount_fs ext4 one
  cd "$FS_PATH"
  chmod 755 .
  fixture s d
  # A sticky directory of root's, open to all, holding a file of
  # daemon's and one of nobody's.
  mkdir st
  chmod 1777 st
  printf 'theirs\n' >st/theirs
  chown daemon:daemon st/theirs
  printf 'mine\n' >st/mine
  chown nobody:nogroup st/mine
  dry_case "a file of another user out of a sticky directory" nobody "" \
    "$FS_PATH" cowmv st/theirs d/taken
  dry_case "onto a file of another user in a sticky directory" nobody "" \
    "$FS_PATH" cowmv s/small st/theirs
  dry_case "one's own file out of a sticky directory" nobody "" \
    "$FS_PATH" cowmv st/mine d/mine
  run -1 setpriv --reuid=nobody --regid=nogroup --clear-groups \
    cowmv --dry-run s/big st/theirs
  assert_line --partial "cannot move 's/big' to 'st/theirs': Operation not permitted"
}
