#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# cowcp -a on real btrfs, XFS and ext4 loop images: the copy equals GNU
# cp -a's in every preserved attribute, hard links stay hard links, and
# the data is shared exactly where the filesystem can share it.

load ../helpers/common

bats_require_minimum_version 1.5.0

setup_file ()
{
  make_loop_fs btrfs 256M btrfs || true
  make_loop_fs xfs 300M xfs || true
  make_loop_fs ext4 128M ext4 || true
}

teardown_file ()
{
  cleanup_loop_fs
}

# A tree with what -a must keep: modes, times, hard links across
# directories, symlinks, a FIFO, xattrs, ACLs, a sparse file, and files
# large enough not to live inline in btrfs metadata.
make_tree ()
{
  mkdir -p s/a/b s/c
  head -c 200000 /dev/urandom >s/a/big
  head -c 70000 /dev/urandom >s/c/other
  ln s/a/big s/c/big-link
  ln s/c/other s/a/b/other-link
  printf 'small\n' >s/small
  chmod 640 s/small
  chmod 2750 s/c
  ln -s ../small s/a/rel
  ln -s /nowhere s/a/dangling
  mkfifo s/fifo
  truncate -s 8M s/sparse
  printf 'data' | dd of=s/sparse bs=1M seek=4 conv=notrunc status=none
  setfattr -n user.note -v hello s/a/big
  if have_setfacl; then
    setfacl -m u:nobody:rw s/c/other
    setfacl -d -m g:nogroup:rx s/a
  fi
  touch -d '2003-04-05 06:07:08.987654321' s/a/big s/a
  touch -h -d '2004-01-01' s/a/rel
}

# Print everything -a keeps about tree $1, inode numbers replaced by the
# first name sharing them.
describe_tree ()
{
  (
    cd "$1" || exit 1
    # Directory sizes depend on the order entries were made in.
    { find . -type d -printf '%p %y %m %U:%G - %T@ %l %i\n'
      find . ! -type d -printf '%p %y %m %U:%G %s %T@ %l %i\n'; } | sort \
      | awk '{ ino = $NF; if (!(ino in first)) first[ino] = $1;
               $NF = first[ino]; print }'
    # One line per file's block, sorted: directory order differs
    # between two copies of a tree.
    getfattr -R -h -d -m - --absolute-names . 2>/dev/null \
      | awk 'BEGIN { RS = "" } { gsub (/\n/, " | "); print }' | sort
    getfacl -R -P -p . 2>/dev/null \
      | awk 'BEGIN { RS = "" } { gsub (/\n/, " | "); print }' | sort
  )
}

# check_fs NAME SHARES: on filesystem NAME, cowcp -a equals cp -a, and
# the big file's copy shares its extents (SHARES=yes) or not.
check_fs ()
{
  enter_fs "$1"
  make_tree
  cp -a s gnu
  run --separate-stderr cowcp -a s ours
  assert_success
  assert_equal "$stderr" ""
  assert_equal "$(describe_tree ours)" "$(describe_tree gnu)"
  assert_hardlinked ours/a/big ours/c/big-link
  assert_hardlinked ours/c/other ours/a/b/other-link
  assert_same_holes s/sparse ours/sparse
  if [ "$2" = yes ]; then
    assert_shares_extents s/a/big ours/a/big
    assert_shares_extents s/c/other ours/c/other
  else
    refute_shares_extents s/a/big ours/a/big
  fi
}

@test "cowcp -a on btrfs equals cp -a and shares every file's data" {
  check_fs btrfs yes
}

@test "cowcp -a on xfs equals cp -a and shares every file's data" {
  check_fs xfs yes
}

@test "cowcp -a on ext4 equals cp -a and copies the data" {
  check_fs ext4 no
}

@test "cowcp -a --cow=never on btrfs equals cp -a and shares nothing" {
  enter_fs btrfs
  make_tree
  cp -a s gnu
  run --separate-stderr cowcp -a --cow=never s ours
  assert_success
  assert_equal "$(describe_tree ours)" "$(describe_tree gnu)"
  refute_shares_extents s/a/big ours/a/big
}

@test "cowcp -a --cow=always from btrfs to ext4 fails per file and copies the rest" {
  require_fs ext4
  local ext4=$FS_PATH
  enter_fs btrfs
  make_tree
  run --separate-stderr cowcp -a --cow=always s "$ext4/t$BATS_TEST_NUMBER-x"
  assert_failure
  [[ $stderr == *"failed to clone"*"Invalid cross-device link"* ]] || fail "stderr: $stderr"
  [ -d "$ext4/t$BATS_TEST_NUMBER-x/a/b" ] || fail "directories were not made"
  [ -L "$ext4/t$BATS_TEST_NUMBER-x/a/rel" ] || fail "symlinks were not made"
  [ ! -e "$ext4/t$BATS_TEST_NUMBER-x/a/big" ] || fail "a failed clone left a file"
}

# threads_started NAME [OPTION...]: copy this test's tree s to NAME with
# cowcp -a OPTION... under strace; print how many threads the copy
# started (workers, and whatever else runs beside the copy, such as the
# status-line watcher).
threads_started ()
{
  local name=$1
  shift
  under_strace -f -qq -e trace=clone,clone3 -o trace cowcp -a "$@" s "$name" \
    >/dev/null || fail "cowcp -a $* failed"
  grep -c 'CLONE_THREAD' trace || true
}

# The copy's threads other than workers: those of cowcp -a -v, which
# never has workers (its lines come in the walk's order).
@test "cowcp -a on btrfs, xfs and ext4 copies a tree with worker threads" {
  [ "$(nproc)" -gt 1 ] || skip "one processor: no workers on any filesystem"
  command -v strace >/dev/null || skip "strace not installed"
  local fs n others
  for fs in btrfs xfs ext4; do
    enter_fs "$fs"
    make_tree
    others=$(threads_started verbose -v)
    n=$(threads_started ours)
    [ "$n" -gt "$others" ] || fail "$fs: no worker thread started ($n threads, $others without workers)"
    cp -a s gnu
    assert_equal "$(describe_tree ours)" "$(describe_tree gnu)"
  done
}
