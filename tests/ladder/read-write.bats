#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# ladder/read-write.bats -- rung 5, read and write: it copies when nothing
# above can, it is what a destination no other rung can write ends in,
# read and write errors (EIO, ENOSPC) fail the file with GNU's messages,
# and SIGINT stops a copy and removes the destination it created.

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

# The ENOSPC test fills the small filesystem: free it whatever happened.
teardown ()
{
  fs_unfill_name small
}

# Every rung above read/write answers "not supported".
ALL_OFF=ficlone=EOPNOTSUPP,ficlonerange=EOPNOTSUPP,copy_file_range=ENOSYS,sendfile=EINVAL

@test "read/write copies a file when every rung above is not possible" {
  require_faultshim
  enter_fs ext4
  random_file a 1M
  run --separate-stderr with_faults "$ALL_OFF" b -- cowcp --debug a b
  assert_success
  assert_equal "$stderr" ""
  assert_output "'a' -> 'b'
copy offload: unsupported, reflink: unsupported, sparse detection: no, rung: read/write"
  cmp a b
}

@test "read/write is the rung for --sparse=always --cow=never, which must see the bytes" {
  enter_fs ext4
  random_file a 1M
  run --separate-stderr cowcp --debug --sparse=always --cow=never a b
  assert_success
  assert_equal "$stderr" ""
  assert_output "'a' -> 'b'
copy offload: avoided, reflink: no, sparse detection: zeros, rung: read/write"
  cmp a b
}

@test "a destination no rung above can write (/dev/full) falls through to write and gets error writing" {
  cd "$BATS_TEST_TMPDIR"
  random_file a 100K
  run --separate-stderr cowcp a /dev/full
  assert_failure 1
  assert_output ""
  assert_equal "$stderr" \
    "cowcp: error writing '/dev/full': $(strerror ENOSPC)"
  # GNU cp says the same.
  if [[ -x /usr/bin/cp ]]; then
    run --separate-stderr /usr/bin/cp a /dev/full
    assert_equal "$stderr" \
      "/usr/bin/cp: error writing '/dev/full': $(strerror ENOSPC)"
  fi
}

@test "a write error fails that file with error writing; the others are copied" {
  require_faultshim
  enter_fs ext4
  mkdir out
  random_file a 64K
  random_file victim 64K
  random_file c 64K
  run --separate-stderr with_faults "$ALL_OFF,write=EIO" out/victim -- \
    cowcp a victim c out
  assert_failure 1
  assert_output ""
  assert_equal "$stderr" "cowcp: error writing 'out/victim': $(strerror EIO)"
  assert_file_not_exists out/victim
  cmp a out/a
  cmp c out/c
}

@test "a read error fails that file with error reading; the others are copied" {
  require_faultshim
  enter_fs ext4
  mkdir in out
  random_file in/a 64K
  random_file in/victim 64K
  random_file in/c 64K
  # --sparse=always --cow=never: read/write is the first rung.
  run --separate-stderr with_faults read=EIO in/victim -- \
    cowcp --sparse=always --cow=never in/a in/victim in/c out
  assert_failure 1
  assert_output ""
  assert_equal "$stderr" "cowcp: error reading 'in/victim': $(strerror EIO)"
  assert_file_not_exists out/victim
  cmp in/a out/a
  cmp in/c out/c
}

@test "a write error after some data removes the new destination" {
  require_faultshim
  enter_fs ext4
  # 1 MiB is four 256 KiB writes: the first passes, the second fails.
  random_file a 1M
  run --separate-stderr with_faults "$ALL_OFF,write=EIO@2" b -- cowcp a b
  assert_failure 1
  assert_output ""
  assert_equal "$stderr" "cowcp: error writing 'b': $(strerror EIO)"
  assert_file_not_exists b
}

@test "a write error after some data leaves an existing destination in place" {
  require_faultshim
  enter_fs ext4
  random_file a 1M
  echo old >b
  chmod 0600 b
  run --separate-stderr with_faults "$ALL_OFF,write=EIO@2" b -- cowcp a b
  assert_failure 1
  assert_equal "$stderr" "cowcp: error writing 'b': $(strerror EIO)"
  assert_file_exists b
  assert_mode 600 b
}

@test "ENOSPC from write on a nearly full ext4 fails with error writing and removes the partial copy" {
  require_fs small
  local mnt=$FS_PATH
  rm -rf "$mnt/out"
  mkdir "$mnt/out"
  cd "$mnt/out"
  random_file "$BATS_TEST_TMPDIR/a" 8K
  random_file "$BATS_TEST_TMPDIR/big" 1M
  random_file "$BATS_TEST_TMPDIR/c" 8K
  fs_fill "$mnt" 262144
  run --separate-stderr cowcp --sparse=always --cow=never \
    "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/big" "$BATS_TEST_TMPDIR/c" .
  assert_failure 1
  assert_equal "$stderr" "cowcp: error writing './big': $(strerror ENOSPC)"
  assert_file_not_exists big
  cmp "$BATS_TEST_TMPDIR/a" a
  cmp "$BATS_TEST_TMPDIR/c" c
}

@test "ENOSPC from write on a tiny btrfs fails with error writing and removes the partial copy" {
  enter_fs tiny
  random_file "$BATS_TEST_TMPDIR/a" 8K
  random_file "$BATS_TEST_TMPDIR/big" 20M
  random_file "$BATS_TEST_TMPDIR/c" 8K
  run --separate-stderr cowcp --sparse=always --cow=never \
    "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/big" "$BATS_TEST_TMPDIR/c" .
  assert_failure 1
  assert_equal "$stderr" "cowcp: error writing './big': $(strerror ENOSPC)"
  assert_file_not_exists big
  cmp "$BATS_TEST_TMPDIR/a" a
  cmp "$BATS_TEST_TMPDIR/c" c
  rm -f a c
}

# interrupt_copy: start cowcp copying a FIFO to ./out with read/write,
# wait until its first bytes are in ./out, then send it SIGINT.  The FIFO
# keeps a writer open, so cowcp is blocked in read() when the signal
# comes: no timing is involved.  Set SIG_STATUS to the status the shell
# saw and leave cowcp's stderr in ./err.
#
# A shell starts background commands with SIGINT ignored, and cowcp
# rightly keeps an ignored SIGINT ignored: perl restores the default
# before exec.  sendfile is turned off with the shim because it cannot
# read a FIFO (see ladder/sendfile.bats); the copy is then read/write.
interrupt_copy ()
{
  have_cmd perl || skip "perl not installed"
  require_faultshim
  mkfifo in.fifo
  exec 4<>in.fifo
  printf 'first bytes\n' >&4
  LD_PRELOAD=$FAULTSHIM COWFAULT=sendfile=EINVAL COWFAULT_PATH=out \
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
    perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV or die "exec: $!\n"' \
    cowcp in.fifo out 2>err 3>&- 4>&- &
  local pid=$! tries=0
  while [[ $(stat -c %s out 2>/dev/null) != 12 ]]; do
    tries=$((tries + 1))
    if ((tries > 200)) || [[ ! -d /proc/$pid ]] \
       || [[ $(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) == Z ]]; then
      kill -KILL "$pid" 2>/dev/null || :
      wait "$pid" || :
      exec 4>&-
      fail "cowcp did not copy the first bytes: $(cat err)"
    fi
    sleep 0.05
  done
  kill -INT "$pid"
  # Should cowcp ignore the signal, do not hang: SIGKILL it after 10 s.
  # A plain sh, not a subshell of the test, which would run bats's traps
  # when killed; from /, so that the sleep left behind holds no loop
  # mount busy.
  # The guard is left to expire, never killed: a signal that reached the
  # background subshell before it became sh would run bats's traps there
  # and report the test twice.  It holds none of bats's output files open,
  # and kills only a process that is still cowcp (the pid may be reused).
  sh -c 'cd / && sleep 10 \
         && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = cowcp ] \
         && kill -KILL "$1"' sh "$pid" \
    >/dev/null 2>&1 3>&- 4>&- </dev/null &
  SIG_STATUS=0
  wait "$pid" || SIG_STATUS=$?
  exec 4>&-
}

@test "SIGINT during a read/write copy kills cowcp by SIGINT and removes the new destination" {
  enter_fs ext4
  interrupt_copy
  assert_equal "$SIG_STATUS" 130
  assert_file_not_exists out
}

@test "SIGINT during a copy prints no error message, as GNU cp killed by SIGINT does" {
  enter_fs ext4
  interrupt_copy
  assert_equal "$SIG_STATUS" 130
  assert_equal "$(cat err)" ""
}
