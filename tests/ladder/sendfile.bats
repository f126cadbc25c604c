#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# ladder/sendfile.bats -- rung 4, sendfile: it copies (--cow=never starts
# here), "not possible" falls through to read/write, a hard error (EIO)
# or a refusal after some data fails the file with error copying; a full
# disk with GNU's error writing.

load ../helpers/common

bats_require_minimum_version 1.5.0

setup_file ()
{
  make_loop_fs ext4 64M ext4 || true
  make_loop_fs ext4 4M small || true
  make_loop_fs btrfs 16M tiny || true
}

teardown_file ()
{
  cleanup_loop_fs
}

# The ENOSPC tests fill the small filesystem: free it whatever happened.
teardown ()
{
  fs_unfill_name small
}

DEBUG_SENDFILE='copy offload: avoided, reflink: no, sparse detection: no, rung: sendfile'
DEBUG_FELL='copy offload: avoided, reflink: no, sparse detection: no, rung: read/write'

@test "sendfile copies a file when --cow=never rules out clones and offload" {
  enter_fs ext4
  random_file a 1M
  run --separate-stderr cowcp --debug --cow=never a b
  assert_success
  assert_equal "$stderr" ""
  assert_output "'a' -> 'b'
$DEBUG_SENDFILE"
  cmp a b
}

@test "sendfile answering EINVAL falls through to read/write" {
  require_faultshim
  enter_fs ext4
  random_file a 1M
  run --separate-stderr with_faults sendfile=EINVAL b -- \
    cowcp --debug --cow=never a b
  assert_success
  assert_equal "$stderr" ""
  assert_output "'a' -> 'b'
$DEBUG_FELL"
  cmp a b
}

@test "every errno that means sendfile is not possible falls through silently" {
  require_faultshim
  enter_fs ext4
  random_file a 256K
  local err
  for err in ENOSYS EINVAL EOPNOTSUPP EBADF; do
    run --separate-stderr with_faults "sendfile=$err" "b.$err" -- \
      cowcp --debug --cow=never a "b.$err"
    assert_success
    assert_equal "$stderr" ""
    assert_line --index 1 "$DEBUG_FELL"
    cmp a "b.$err"
  done
}

@test "a FIFO source, which sendfile cannot seek, is read to EOF instead" {
  cd "$BATS_TEST_TMPDIR"
  mkfifo fifo
  # The writer blocks until cowcp opens the FIFO; it gives up after 10 s
  # if cowcp never does.
  timeout 10 sh -c 'printf "through a pipe\n" >fifo' 3>&- &
  local writer=$!
  run --separate-stderr timeout 10 cowcp fifo out
  kill "$writer" 2>/dev/null || :
  wait "$writer" || :
  assert_equal "$stderr" ""
  assert_success
  assert_equal "$(cat out)" "through a pipe"
}

@test "a hard sendfile error fails that file with error copying; the others are copied" {
  require_faultshim
  enter_fs ext4
  mkdir out
  random_file a 64K
  random_file victim 64K
  random_file c 64K
  run --separate-stderr with_faults sendfile=EIO out/victim -- \
    cowcp --cow=never a victim c out
  assert_failure 1
  assert_output ""
  assert_equal "$stderr" \
    "cowcp: error copying 'victim' to 'out/victim': $(strerror EIO)"
  assert_file_not_exists out/victim
  cmp a out/a
  cmp c out/c
}

@test "sendfile refusing after some data is an error, not a fall-through" {
  require_faultshim
  enter_fs ext4
  # Two data extents: the first call copies the first, the second fails.
  truncate -s 4M s
  head -c 65536 /dev/urandom | dd of=s conv=notrunc status=none
  head -c 65536 /dev/urandom | dd of=s bs=65536 seek=32 conv=notrunc status=none
  run --separate-stderr with_faults sendfile=EINVAL@2 d -- \
    cowcp --cow=never s d
  assert_failure 1
  assert_output ""
  assert_equal "$stderr" \
    "cowcp: error copying 's' to 'd': $(strerror EINVAL)"
  assert_file_not_exists d
}

@test "ENOSPC from sendfile on a nearly full ext4 fails with error writing, as GNU, and removes the partial copy" {
  require_fs small
  local mnt=$FS_PATH
  rm -rf "$mnt/out"
  mkdir "$mnt/out"
  cd "$mnt/out"
  random_file "$BATS_TEST_TMPDIR/a" 8K
  random_file "$BATS_TEST_TMPDIR/big" 1M
  random_file "$BATS_TEST_TMPDIR/c" 8K
  fs_fill "$mnt" 262144
  run --separate-stderr cowcp --cow=never "$BATS_TEST_TMPDIR/a" \
    "$BATS_TEST_TMPDIR/big" "$BATS_TEST_TMPDIR/c" .
  assert_failure 1
  assert_equal "$stderr" \
    "cowcp: error writing './big': $(strerror ENOSPC)"
  assert_file_not_exists big
  cmp "$BATS_TEST_TMPDIR/a" a
  cmp "$BATS_TEST_TMPDIR/c" c
}

@test "ENOSPC on a tiny btrfs fails with error writing, as GNU, and removes the partial copy" {
  enter_fs tiny
  # From another filesystem: no clone and no copy_file_range (EXDEV), so
  # sendfile writes until the 16 MiB filesystem is full.
  random_file "$BATS_TEST_TMPDIR/a" 8K
  random_file "$BATS_TEST_TMPDIR/big" 20M
  random_file "$BATS_TEST_TMPDIR/c" 8K
  run --separate-stderr cowcp --debug "$BATS_TEST_TMPDIR/a" \
    "$BATS_TEST_TMPDIR/big" "$BATS_TEST_TMPDIR/c" .
  assert_failure 1
  assert_equal "$stderr" \
    "cowcp: error writing './big': $(strerror ENOSPC)"
  assert_file_not_exists big
  cmp "$BATS_TEST_TMPDIR/a" a
  cmp "$BATS_TEST_TMPDIR/c" c
  assert_line --index 1 \
    'copy offload: unsupported, reflink: unsupported, sparse detection: no, rung: sendfile'
  rm -f a c
}
