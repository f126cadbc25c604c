#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# ladder/ficlone.bats -- rung 1, the whole-file clone (FICLONE): it works,
# "not possible" falls through to FICLONERANGE, a hard error fails the
# file with GNU's message, and a refusal is remembered per filesystem pair.

load ../helpers/common

bats_require_minimum_version 1.5.0

setup_file ()
{
  make_loop_fs btrfs 128M btrfs || true
  make_loop_fs ext4 16M ext4 || true
}

teardown_file ()
{
  cleanup_loop_fs
}

@test "FICLONE clones a whole file on btrfs" {
  enter_fs btrfs
  random_file a 1M
  run --separate-stderr cowcp --debug a b
  assert_success
  assert_equal "$stderr" ""
  assert_output "'a' -> 'b'
copy offload: unknown, reflink: yes, sparse detection: unknown, rung: FICLONE"
  cmp a b
  assert_shares_extents a b
}

@test "FICLONE answering EOPNOTSUPP falls through to FICLONERANGE" {
  require_faultshim
  enter_fs btrfs
  random_file a 1M
  run --separate-stderr with_faults ficlone=EOPNOTSUPP b -- cowcp --debug a b
  assert_success
  assert_equal "$stderr" ""
  assert_output "'a' -> 'b'
copy offload: unknown, reflink: yes, sparse detection: no, rung: FICLONERANGE"
  cmp a b
  assert_shares_extents a b
}

@test "every errno that means cloning is not possible falls through silently" {
  require_faultshim
  enter_fs btrfs
  random_file a 256K
  local err
  for err in EOPNOTSUPP ENOTTY ENOSYS EXDEV EINVAL EBADF ETXTBSY EPERM \
             EACCES; do
    run --separate-stderr with_faults "ficlone=$err" "b.$err" -- \
      cowcp --debug a "b.$err"
    assert_success
    assert_equal "$stderr" ""
    assert_line --index 1 \
      'copy offload: unknown, reflink: yes, sparse detection: no, rung: FICLONERANGE'
    cmp a "b.$err"
  done
}

@test "FICLONE on ext4 is not possible and the copy falls through" {
  enter_fs ext4
  random_file a 256K
  run --separate-stderr cowcp --debug a b
  assert_success
  assert_equal "$stderr" ""
  assert_output "'a' -> 'b'
copy offload: yes, reflink: unsupported, sparse detection: no, rung: copy_file_range"
  cmp a b
}

@test "a hard FICLONE error fails that file with failed to clone; the others are copied" {
  require_faultshim
  enter_fs btrfs
  mkdir out
  random_file a 64K
  random_file victim 64K
  random_file c 64K
  run --separate-stderr with_faults ficlone=EIO out/victim -- \
    cowcp a victim c out
  assert_failure 1
  assert_output ""
  assert_equal "$stderr" \
    "cowcp: failed to clone 'out/victim' from 'victim': $(strerror EIO)"
  assert_file_not_exists out/victim
  cmp a out/a
  cmp c out/c
  assert_shares_extents a out/a
  assert_shares_extents c out/c
}

@test "each hard clone errno (EIO ENOMEM ENOSPC EDQUOT) fails and leaves no destination" {
  require_faultshim
  enter_fs btrfs
  random_file a 64K
  local err
  for err in EIO ENOMEM ENOSPC EDQUOT; do
    run --separate-stderr with_faults "ficlone=$err" b -- cowcp a b
    assert_failure 1
    assert_output ""
    assert_equal "$stderr" "cowcp: failed to clone 'b' from 'a': $(strerror "$err")"
    assert_file_not_exists b
  done
}

@test "a hard FICLONE error on an existing destination leaves it in place" {
  require_faultshim
  enter_fs btrfs
  random_file a 64K
  echo old >b
  chmod 0600 b
  run --separate-stderr with_faults ficlone=ENOSPC b -- cowcp a b
  assert_failure 1
  assert_equal "$stderr" \
    "cowcp: failed to clone 'b' from 'a': $(strerror ENOSPC)"
  assert_file_exists b
  assert_mode 600 b
}

@test "FICLONE is tried once per filesystem pair, not once per file" {
  have_cmd strace || skip "strace not installed"
  require_fs btrfs
  local src=$FS_PATH/t$BATS_TEST_NUMBER
  mkdir "$src"
  random_file "$src/f1" 64K
  random_file "$src/f2" 64K
  random_file "$src/f3" 64K
  enter_fs ext4
  mkdir out
  run --separate-stderr under_strace -f -o "$BATS_TEST_TMPDIR/trace" \
    -e trace=ioctl,copy_file_range cowcp "$src/f1" "$src/f2" "$src/f3" out
  assert_success
  cmp "$src/f1" out/f1
  cmp "$src/f2" out/f2
  cmp "$src/f3" out/f3
  local trace=$BATS_TEST_TMPDIR/trace
  # btrfs -> ext4: EXDEV from each method is a property of the pair.
  assert_equal "$(grep -c ' FICLONE, .*EXDEV' "$trace")" 1
  assert_equal "$(grep -c ' FICLONE,' "$trace")" 1
  assert_equal "$(grep -c ' FICLONERANGE,' "$trace")" 1
  assert_equal "$(grep -c '^[0-9]* *copy_file_range(' "$trace")" 1
}

@test "--cow=never and --sparse=never never call FICLONE or FICLONERANGE" {
  have_cmd strace || skip "strace not installed"
  enter_fs btrfs
  random_file a 256K
  local opt
  for opt in --cow=never --reflink=never --sparse=never; do
    rm -f b
    run --separate-stderr under_strace -f -o "$BATS_TEST_TMPDIR/trace" \
      -e trace=ioctl cowcp --debug "$opt" a b
    assert_success
    assert_line --index 1 \
      'copy offload: avoided, reflink: no, sparse detection: no, rung: sendfile'
    cmp a b
    run grep -E ' FICLONE(RANGE)?,' "$BATS_TEST_TMPDIR/trace"
    assert_failure
    refute_shares_extents a b
  done
}
