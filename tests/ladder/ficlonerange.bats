#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# ladder/ficlonerange.bats -- rung 2, clones of ranges (FICLONERANGE): it
# clones each data extent, "not possible" falls through to
# copy_file_range, a hard error or a refusal after some ranges fails the
# file with GNU's message, and --cow=always stops here.

load ../helpers/common

bats_require_minimum_version 1.5.0

setup_file ()
{
  make_loop_fs btrfs 128M btrfs || true
  make_loop_fs xfs 300M xfs || true
}

teardown_file ()
{
  cleanup_loop_fs
}

# make_holey FILE: 8 MiB with 64 KiB of data at 0, 2 MiB and 5 MiB: three
# extents, holes between and at the end.
make_holey ()
{
  truncate -s 8M "$1"
  local kib
  for kib in 0 2048 5120; do
    head -c 65536 /dev/urandom \
      | dd of="$1" bs=1024 seek="$kib" conv=notrunc status=none
  done
}

# clones_extents FSNAME: with FICLONE refused, each extent is cloned.
clones_extents ()
{
  require_faultshim
  enter_fs "$1"
  make_holey s
  run --separate-stderr with_faults ficlone=EOPNOTSUPP d -- cowcp --debug s d
  assert_success
  assert_equal "$stderr" ""
  assert_output "'s' -> 'd'
copy offload: unknown, reflink: yes, sparse detection: SEEK_HOLE, rung: FICLONERANGE"
  cmp s d
  assert_same_holes s d
  assert_shares_extents s d
}

@test "FICLONERANGE clones each data extent on btrfs when FICLONE is refused" {
  clones_extents btrfs
}

@test "FICLONERANGE clones each data extent on xfs when FICLONE is refused" {
  clones_extents xfs
}

@test "FICLONERANGE is called once per data extent" {
  require_faultshim
  have_cmd strace || skip "strace not installed"
  enter_fs btrfs
  make_holey s
  run --separate-stderr with_faults ficlone=EOPNOTSUPP d -- \
    under_strace -o "$BATS_TEST_TMPDIR/trace" -e trace=ioctl cowcp s d
  assert_success
  run grep -c ' FICLONERANGE, .*) = 0$' "$BATS_TEST_TMPDIR/trace"
  assert_output 3
  cmp s d
}

@test "FICLONERANGE answering EOPNOTSUPP falls through to copy_file_range" {
  require_faultshim
  enter_fs btrfs
  random_file a 1M
  run --separate-stderr with_faults ficlone=EOPNOTSUPP,ficlonerange=EOPNOTSUPP \
    b -- cowcp --debug a b
  assert_success
  assert_equal "$stderr" ""
  assert_output "'a' -> 'b'
copy offload: yes, reflink: unsupported, sparse detection: no, rung: copy_file_range"
  cmp a b
}

@test "every errno that means range cloning is not possible falls through silently" {
  require_faultshim
  enter_fs xfs
  random_file a 256K
  local err
  for err in EOPNOTSUPP ENOTTY ENOSYS EXDEV EINVAL EBADF ETXTBSY EPERM \
             EACCES; do
    run --separate-stderr with_faults \
      "ficlone=EOPNOTSUPP,ficlonerange=$err" "b.$err" -- \
      cowcp --debug a "b.$err"
    assert_success
    assert_equal "$stderr" ""
    assert_line --index 1 \
      'copy offload: yes, reflink: unsupported, sparse detection: no, rung: copy_file_range'
    cmp a "b.$err"
  done
}

@test "a hard FICLONERANGE error fails that file with failed to clone; the others are copied" {
  require_faultshim
  enter_fs btrfs
  mkdir out
  random_file a 64K
  random_file victim 64K
  random_file c 64K
  run --separate-stderr with_faults ficlone=EOPNOTSUPP,ficlonerange=EIO \
    out/victim -- cowcp a victim c out
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

@test "FICLONERANGE refusing after the first extent is an error, not a fall-through" {
  require_faultshim
  enter_fs btrfs
  make_holey s
  run --separate-stderr with_faults \
    ficlone=EOPNOTSUPP,ficlonerange=EOPNOTSUPP@2 d -- cowcp s d
  assert_failure 1
  assert_output ""
  assert_equal "$stderr" \
    "cowcp: failed to clone 'd' from 's': $(strerror EOPNOTSUPP)"
  assert_file_not_exists d
}

@test "--cow=always stops after the clone rungs with failed to clone" {
  require_faultshim
  enter_fs btrfs
  random_file a 64K
  local opt
  for opt in -c --cow=always --reflink=always; do
    run --separate-stderr with_faults \
      ficlone=EOPNOTSUPP,ficlonerange=EOPNOTSUPP b -- cowcp "$opt" a b
    assert_failure 1
    assert_output ""
    assert_equal "$stderr" \
      "cowcp: failed to clone 'b' from 'a': $(strerror EOPNOTSUPP)"
    assert_file_not_exists b
  done
}

@test "--cow=always clones by ranges when only FICLONE is refused" {
  require_faultshim
  enter_fs xfs
  make_holey s
  run --separate-stderr with_faults ficlone=EOPNOTSUPP d -- \
    cowcp --debug -c s d
  assert_success
  assert_equal "$stderr" ""
  # copy_file_range is ruled out by --cow=always: "avoided".
  assert_line --index 1 \
    'copy offload: avoided, reflink: yes, sparse detection: SEEK_HOLE, rung: FICLONERANGE'
  cmp s d
  assert_same_holes s d
  assert_shares_extents s d
}
