#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Self-tests of tests/helpers: every assertion is shown to pass on a good
# case and to fail on a bad one, the fault shim to inject what it is told,
# and loop filesystems to be released, also after an interruption.

load ../helpers/common

setup_file ()
{
  make_loop_fs btrfs 128M btrfs || true
  make_loop_fs xfs 300M xfs || true
  make_loop_fs ext4 4M small || true
  make_loop_fs btrfs 16M tinybtrfs || true
}

teardown_file ()
{
  cleanup_loop_fs
}

# A file with data, a hole, and data: 64 KiB + 1 MiB hole + 64 KiB.
make_holey ()
{
  head -c 65536 /dev/urandom >"$1"
  head -c 65536 /dev/urandom | dd of="$1" bs=65536 seek=17 conv=notrunc \
    status=none
}

# Write a bats file to $BATS_TEST_TMPDIR/inner.bats that mounts a btrfs in
# setup_file, records its image path in $BATS_TEST_TMPDIR/img, then runs
# BODY as its only test.
write_inner ()
{
  # "@test" must not start a line here, or bats takes it for a test of
  # this file.
  local at=@
  cat >"$BATS_TEST_TMPDIR/inner.bats" <<EOF
load $COWUTILS_HELPERS/common
setup_file () { make_loop_fs btrfs 128M inner; }
teardown_file () { $2; }
${at}test "inner" {
  require_fs inner
  cat "\$BATS_FILE_TMPDIR/.loopfs/inner.img" >"$BATS_TEST_TMPDIR/img"
  $1
}
EOF
}

# Is a loop device backed by image $1 still attached, or anything mounted
# from it?
image_attached ()
{
  losetup -nl -O BACK-FILE | grep -qF "$1"
}

@test "strerror prints the C library's text for an errno name" {
  run strerror ENOSPC
  assert_success
  assert_output "$(python3 -c 'import os, errno; print(os.strerror(errno.ENOSPC))')"
  run strerror EXDEV
  assert_output "$(python3 -c 'import os, errno; print(os.strerror(errno.EXDEV))')"
  run strerror ENOTANERRNO
  assert_failure
}

@test "the build directory's src comes first in PATH" {
  assert_equal "${PATH%%:*}" "$COWUTILS_BUILD/src"
  assert_equal "$LC_ALL" C
}

@test "a reflink copy on btrfs shares extents and a plain copy does not" {
  require_fs btrfs
  head -c 1048576 /dev/urandom >"$FS_PATH/a"
  /usr/bin/cp --reflink=always "$FS_PATH/a" "$FS_PATH/b"
  /usr/bin/cp --reflink=never "$FS_PATH/a" "$FS_PATH/c"
  assert_shares_extents "$FS_PATH/a" "$FS_PATH/b"
  refute_shares_extents "$FS_PATH/a" "$FS_PATH/c"
  run assert_shares_extents "$FS_PATH/a" "$FS_PATH/c"
  assert_failure
  assert_output --partial 'not every extent of B is shared'
  run refute_shares_extents "$FS_PATH/a" "$FS_PATH/b"
  assert_failure
}

@test "a reflink copy on xfs shares extents at once, a plain copy never" {
  require_fs xfs
  head -c 1048576 /dev/urandom >"$FS_PATH/a"
  /usr/bin/cp --reflink=always "$FS_PATH/a" "$FS_PATH/b"
  /usr/bin/cp --reflink=never "$FS_PATH/a" "$FS_PATH/c"
  assert_shares_extents "$FS_PATH/a" "$FS_PATH/b"
  run assert_shares_extents "$FS_PATH/a" "$FS_PATH/c"
  assert_failure
  refute_shares_extents "$FS_PATH/a" "$FS_PATH/c"
}

@test "assert_shares_extents fails on an empty file and on tmpfs-like errors" {
  require_fs btrfs
  : >"$FS_PATH/empty"
  run assert_shares_extents "$FS_PATH/empty" "$FS_PATH/empty"
  assert_failure
  run assert_shares_extents "$FS_PATH/none" "$FS_PATH/none"
  assert_failure
  assert_output --partial 'cannot map extents'
}

@test "assert_same_holes accepts a sparse copy and catches a filled hole" {
  require_fs btrfs
  make_holey "$FS_PATH/h"
  /usr/bin/cp --reflink=never --sparse=always "$FS_PATH/h" "$FS_PATH/h2"
  /usr/bin/cp --reflink=never --sparse=never "$FS_PATH/h" "$FS_PATH/h3"
  assert_same_holes "$FS_PATH/h" "$FS_PATH/h2"
  run assert_same_holes "$FS_PATH/h" "$FS_PATH/h3"
  assert_failure
  assert_output --partial 'hole maps differ'
  truncate -s +1 "$FS_PATH/h2"
  run assert_same_holes "$FS_PATH/h" "$FS_PATH/h2"
  assert_failure
}

@test "assert_same_holes works on the plain test directory" {
  make_holey "$BATS_TEST_TMPDIR/h"
  # GNU cp 9.1 clones despite --sparse=never where it can (TMPDIR on
  # btrfs or XFS); --reflink=never makes it fill the holes.
  /usr/bin/cp --reflink=never --sparse=always "$BATS_TEST_TMPDIR/h" "$BATS_TEST_TMPDIR/h2"
  /usr/bin/cp --reflink=never --sparse=never "$BATS_TEST_TMPDIR/h" "$BATS_TEST_TMPDIR/h3"
  assert_same_holes "$BATS_TEST_TMPDIR/h" "$BATS_TEST_TMPDIR/h2"
  run assert_same_holes "$BATS_TEST_TMPDIR/h" "$BATS_TEST_TMPDIR/h3"
  assert_failure
}

@test "assert_sparse tells a sparse file from a dense one" {
  make_holey "$BATS_TEST_TMPDIR/h"
  head -c 200000 /dev/urandom >"$BATS_TEST_TMPDIR/d"
  assert_sparse "$BATS_TEST_TMPDIR/h"
  run assert_sparse "$BATS_TEST_TMPDIR/d"
  assert_failure
  assert_output --partial 'not sparse'
}

@test "assert_hardlinked and assert_mode pass and fail" {
  local d=$BATS_TEST_TMPDIR
  echo x >"$d/f"
  ln "$d/f" "$d/l"
  cp "$d/f" "$d/c"
  chmod 640 "$d/f"
  assert_hardlinked "$d/f" "$d/l"
  run assert_hardlinked "$d/f" "$d/c"
  assert_failure
  assert_mode 640 "$d/l"
  assert_mode 0640 "$d/l"
  run assert_mode 644 "$d/f"
  assert_failure
  assert_output --partial 'mode differs'
}

@test "an impossible filesystem is reported, not failed" {
  require_root
  run make_loop_fs xfs 64M toosmall
  assert_failure
  run fs_reason toosmall
  assert_output --partial 'mkfs.xfs 64M'
  run fs_path toosmall
  assert_failure
}

@test "a tiny ext4 can be filled to ENOSPC" {
  require_fs small
  fs_fill "$FS_PATH"
  head -c 65536 /dev/urandom >"$BATS_TEST_TMPDIR/src"
  run /usr/bin/cp "$BATS_TEST_TMPDIR/src" "$FS_PATH/dst"
  assert_failure
  assert_output --partial "$(strerror ENOSPC)"
  fs_unfill "$FS_PATH"
  /usr/bin/cp "$BATS_TEST_TMPDIR/src" "$FS_PATH/dst"
}

@test "a tiny btrfs can be filled to ENOSPC" {
  require_fs tinybtrfs
  fs_fill "$FS_PATH"
  head -c 65536 /dev/urandom >"$BATS_TEST_TMPDIR/src"
  run /usr/bin/cp "$BATS_TEST_TMPDIR/src" "$FS_PATH/dst"
  assert_failure
  assert_output --partial "$(strerror ENOSPC)"
  fs_unfill "$FS_PATH"
}

@test "the shim makes a reflink copy fail with the injected errno" {
  require_faultshim
  require_fs btrfs
  head -c 65536 /dev/urandom >"$FS_PATH/s"
  run with_faults ficlone=EOPNOTSUPP cp --reflink=always \
    "$FS_PATH/s" "$FS_PATH/d"
  assert_failure
  assert_output "cp: failed to clone '$FS_PATH/d' from '$FS_PATH/s': $(strerror EOPNOTSUPP)"
  run with_faults ficlone=EXDEV /usr/bin/cp --reflink=always \
    "$FS_PATH/s" "$FS_PATH/d2"
  assert_output --partial "$(strerror EXDEV)"
  # Other ioctls and an unfaulted clone still work.
  with_faults ficlonerange=EIO /usr/bin/cp --reflink=always \
    "$FS_PATH/s" "$FS_PATH/d3"
  assert_shares_extents "$FS_PATH/s" "$FS_PATH/d3"
}

@test "the shim fails writes to COWFAULT_PATH only, from the Nth on" {
  require_faultshim
  local d=$BATS_TEST_TMPDIR
  head -c 20480 /dev/urandom >"$d/src"
  run with_faults write=EIO dst -- dd if="$d/src" of="$d/dst" bs=4096
  assert_failure
  assert_output --partial "error writing '$d/dst': $(strerror EIO)"
  # Writes elsewhere (stdout, here) are not hit.
  run with_faults write=EIO dst -- dd if="$d/src" bs=4096 status=none
  assert_success
  # @3: two blocks get through, then EIO.
  COWFAULT_PATH=dst2 run with_faults write=EIO@3 dd if="$d/src" \
    of="$d/dst2" bs=4096
  assert_failure
  assert_file_size_equals "$d/dst2" 8192
}

@test "the shim fails reads, opens and seeks when told to" {
  require_faultshim
  local d=$BATS_TEST_TMPDIR
  head -c 8192 /dev/urandom >"$d/src"
  run with_faults read=EIO src -- dd if="$d/src" of="$d/out" status=none
  assert_failure
  assert_output --partial "$(strerror EIO)"
  run with_faults open=ENOSPC newfile -- cp "$d/src" "$d/newfile"
  assert_failure
  assert_output "cp: cannot create regular file '$d/newfile': $(strerror ENOSPC)"
  run with_faults seek_data=EIO src -- \
    perl -e 'open F, "<", $ARGV[0]; defined sysseek (F, 0, 3) and exit 0;
             print "$!\n"; exit 1' "$d/src"
  assert_failure
  assert_output "$(strerror EIO)"
}

@test "the shim aborts on a malformed COWFAULT" {
  require_faultshim
  run with_faults write=ENOTANERRNO /bin/true
  assert_equal "$status" 134
  assert_output --partial 'faultshim: unknown errno name'
  run with_faults frobnicate=EIO /bin/true
  assert_equal "$status" 134
  run with_faults write=EIO@0 /bin/true
  assert_equal "$status" 134
}

@test "loop devices are detached after teardown_file" {
  require_fs btrfs                       # i.e. root and a usable btrfs
  write_inner "true" "cleanup_loop_fs"
  run bats "$BATS_TEST_TMPDIR/inner.bats"
  assert_success
  img=$(cat "$BATS_TEST_TMPDIR/img")
  run image_attached "$img"
  assert_failure
}

@test "loop devices are detached after bats is interrupted" {
  require_fs btrfs
  have_cmd setsid || skip "setsid not installed"
  write_inner "sleep 60" "touch $BATS_TEST_TMPDIR/teardown; cleanup_loop_fs"
  # A background job of a script starts with SIGINT ignored, and a shell
  # cannot trap what it was started ignoring: give bats the default back.
  perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV or die "$ARGV[0]: $!\n"' \
    setsid bats "$BATS_TEST_TMPDIR/inner.bats" >/dev/null 2>&1 3>&- &
  local pid=$! i
  for i in $(seq 100); do
    [[ -s $BATS_TEST_TMPDIR/img ]] && break
    sleep 0.1
  done
  img=$(cat "$BATS_TEST_TMPDIR/img")
  image_attached "$img"
  kill -INT -- "-$pid"                   # as Ctrl-C: the whole group
  wait "$pid" || true
  # teardown_file ran (not the watchdog) and released everything.
  assert_file_exists "$BATS_TEST_TMPDIR/teardown"
  run image_attached "$img"
  assert_failure
}

@test "the watchdog releases loop devices when bats is killed" {
  require_fs btrfs
  have_cmd setsid || skip "setsid not installed"
  # teardown_file forgets cleanup, and SIGKILL skips it anyway.
  write_inner "sleep 60" "true"
  # A killed bats leaves its run directory: keep it inside ours.
  TMPDIR=$BATS_TEST_TMPDIR \
    setsid bats "$BATS_TEST_TMPDIR/inner.bats" >/dev/null 2>&1 3>&- &
  local pid=$! i
  for i in $(seq 100); do
    [[ -s $BATS_TEST_TMPDIR/img ]] && break
    sleep 0.1
  done
  img=$(cat "$BATS_TEST_TMPDIR/img")
  image_attached "$img"
  kill -KILL -- "-$pid"
  wait "$pid" || true
  for i in $(seq 50); do
    image_attached "$img" || break
    sleep 0.2
  done
  run image_attached "$img"
  assert_failure
}
