#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# ladder/copy_file_range.bats -- rung 3, copy offload: it copies on ext4,
# "not possible" falls through to sendfile, a hard error (EIO, ENOSPC) or
# a refusal after some data fails the file with GNU's message.

load ../helpers/common

bats_require_minimum_version 1.5.0

setup_file ()
{
  make_loop_fs ext4 64M ext4 || true
  make_loop_fs ext4 4M small || true
  make_loop_fs btrfs 128M btrfs || true
}

teardown_file ()
{
  cleanup_loop_fs
}

# The ENOSPC test fills the small filesystem: free it whatever happened.
teardown ()
{
  fs_unfill_name small
}

DEBUG_CFR='copy offload: yes, reflink: unsupported, sparse detection: no, rung: copy_file_range'
DEBUG_FELL='copy offload: unsupported, reflink: unsupported, sparse detection: no, rung: sendfile'

@test "copy_file_range copies a file on ext4" {
  enter_fs ext4
  random_file a 1M
  run --separate-stderr cowcp --debug a b
  assert_success
  assert_equal "$stderr" ""
  assert_output "'a' -> 'b'
$DEBUG_CFR"
  cmp a b
}

@test "copy_file_range answering ENOSYS falls through to sendfile" {
  require_faultshim
  enter_fs ext4
  random_file a 1M
  run --separate-stderr with_faults copy_file_range=ENOSYS b -- \
    cowcp --debug a b
  assert_success
  assert_equal "$stderr" ""
  assert_output "'a' -> 'b'
$DEBUG_FELL"
  cmp a b
}

@test "every errno that means copy_file_range is not possible falls through silently" {
  require_faultshim
  enter_fs ext4
  random_file a 256K
  local err
  for err in ENOSYS ENOTTY EOPNOTSUPP EXDEV EINVAL EBADF ETXTBSY EPERM \
             EACCES ENOENT; do
    run --separate-stderr with_faults "copy_file_range=$err" "b.$err" -- \
      cowcp --debug a "b.$err"
    assert_success
    assert_equal "$stderr" ""
    assert_line --index 1 "$DEBUG_FELL"
    cmp a "b.$err"
  done
}

@test "copy_file_range from btrfs to ext4 (EXDEV) falls through to sendfile" {
  require_fs btrfs
  local src=$FS_PATH/t$BATS_TEST_NUMBER
  mkdir "$src"
  random_file "$src/a" 1M
  enter_fs ext4
  ln -s "$src/a" a
  run --separate-stderr cowcp --debug a b
  assert_success
  assert_equal "$stderr" ""
  assert_output "'a' -> 'b'
$DEBUG_FELL"
  cmp a b
}

@test "--cow=never never calls copy_file_range" {
  have_cmd strace || skip "strace not installed"
  enter_fs ext4
  random_file a 1M
  run --separate-stderr under_strace -f -o "$BATS_TEST_TMPDIR/trace" \
    -e trace=copy_file_range,sendfile cowcp --debug --cow=never a b
  assert_success
  assert_output "'a' -> 'b'
copy offload: avoided, reflink: no, sparse detection: no, rung: sendfile"
  cmp a b
  run grep -c '^[0-9]* *copy_file_range(' "$BATS_TEST_TMPDIR/trace"
  assert_output 0
  run grep -c '^[0-9]* *sendfile(' "$BATS_TEST_TMPDIR/trace"
  refute_output 0
}

@test "a hard copy_file_range error fails that file with error copying; the others are copied" {
  require_faultshim
  enter_fs ext4
  mkdir out
  random_file a 64K
  random_file victim 64K
  random_file c 64K
  run --separate-stderr with_faults copy_file_range=EIO out/victim -- \
    cowcp a victim c out
  assert_failure 1
  assert_output ""
  assert_equal "$stderr" \
    "cowcp: error copying 'victim' to 'out/victim': $(strerror EIO)"
  assert_file_not_exists out/victim
  cmp a out/a
  cmp c out/c
}

@test "copy_file_range refusing after some data is an error, not a fall-through" {
  require_faultshim
  enter_fs ext4
  # Two data extents: the first call copies the first, the second fails.
  truncate -s 4M s
  head -c 65536 /dev/urandom | dd of=s conv=notrunc status=none
  head -c 65536 /dev/urandom | dd of=s bs=65536 seek=32 conv=notrunc status=none
  run --separate-stderr with_faults copy_file_range=EINVAL@2 d -- cowcp s d
  assert_failure 1
  assert_output ""
  assert_equal "$stderr" \
    "cowcp: error copying 's' to 'd': $(strerror EINVAL)"
  assert_file_not_exists d
}

@test "ENOSPC from copy_file_range on a nearly full ext4 fails with error copying and removes the partial copy" {
  require_fs small
  local mnt=$FS_PATH
  fs_unfill "$mnt"
  rm -rf "$mnt/out"
  mkdir "$mnt/out"
  cd "$mnt/out"
  random_file "$BATS_TEST_TMPDIR/a" 8K
  random_file big 1M
  random_file "$BATS_TEST_TMPDIR/c" 8K
  rm -f "$mnt/big"
  mv big "$mnt/big"
  fs_fill "$mnt" 262144
  # Source on the same filesystem, so that copy_file_range is the rung.
  run --separate-stderr cowcp --debug "$BATS_TEST_TMPDIR/a" ../big \
    "$BATS_TEST_TMPDIR/c" .
  assert_failure 1
  assert_equal "$stderr" \
    "cowcp: error copying '../big' to './big': $(strerror ENOSPC)"
  assert_file_not_exists big
  cmp "$BATS_TEST_TMPDIR/a" a
  cmp "$BATS_TEST_TMPDIR/c" c
}
