#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# cowmv with XFS on one side: a rename within XFS, and moves between XFS
# and btrfs that copy everything, keep it exact, and remove the source
# only at the end.

load ../helpers/common

bats_require_minimum_version 1.5.0

setup_file ()
{
  make_loop_fs xfs 300M xfs || true
  make_loop_fs btrfs 128M btrfs || true
}

teardown_file ()
{
  cleanup_loop_fs
}

# make_tree DIR: a small tree with what a move must keep.
make_tree ()
{
  mkdir -p "$1/sub"
  head -c 100000 /dev/urandom >"$1/big"
  printf 'x\n' >"$1/sub/small"
  ln "$1/big" "$1/sub/big-link"
  ln -s ../big "$1/sub/sym"
  chmod 750 "$1/sub"
  setfattr -n user.k -v v "$1/big"
  touch -d '2005-06-07 08:09:10.123456789' "$1/big" "$1/sub"
}

# describe DIR: what must survive, one line per entry, inodes replaced
# by the first name sharing them.
describe ()
{
  # Directory sizes are the filesystem's business, not the copy's.
  (cd "$1" && { find . -type d -printf '%p %y %m %U:%G - %T@ %l %i\n';
                find . ! -type d -printf '%p %y %m %U:%G %s %T@ %l %i\n'; } \
     | sort \
     | awk '{ ino = $NF; if (!(ino in first)) first[ino] = $1;
              $NF = first[ino]; print }'
   cd "$1" && find . -type f | sort | xargs sha256sum
   getfattr --absolute-names -n user.k --only-values "$1/big")
}

@test "a file moved within xfs is renamed: same inode, nothing copied" {
  require_fs xfs
  cd "$FS_PATH"
  printf 'data\n' >f1
  local ino
  ino=$(stat -c %i f1)
  run --separate-stderr cowmv -v f1 f2
  assert_success
  assert_output "renamed 'f1' -> 'f2'"
  assert_equal "$(stat -c %i f2)" "$ino"
  [ ! -e f1 ] || fail "the source is still there"
}

@test "a tree moved from btrfs to xfs is exact and the source is gone" {
  require_fs btrfs
  local from=$FS_PATH
  require_fs xfs
  local to=$FS_PATH
  make_tree "$from/t1"
  cp -a "$from/t1" "$BATS_TEST_TMPDIR/ref"
  run --separate-stderr cowmv "$from/t1" "$to/t1"
  assert_success
  assert_equal "$stderr" ""
  [ ! -e "$from/t1" ] || fail "the source is still there"
  assert_equal "$(describe "$to/t1")" "$(describe "$BATS_TEST_TMPDIR/ref")"
  assert_hardlinked "$to/t1/big" "$to/t1/sub/big-link"
  run find "$to" "$from" -maxdepth 1 -name '.*.cowmv-??????'
  assert_output ""
}

@test "a tree moved from xfs to btrfs is exact and the source is gone" {
  require_fs xfs
  local from=$FS_PATH
  require_fs btrfs
  local to=$FS_PATH
  make_tree "$from/t2"
  cp -a "$from/t2" "$BATS_TEST_TMPDIR/ref"
  run --separate-stderr cowmv "$from/t2" "$to/t2"
  assert_success
  [ ! -e "$from/t2" ] || fail "the source is still there"
  assert_equal "$(describe "$to/t2")" "$(describe "$BATS_TEST_TMPDIR/ref")"
}
