#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# cowcp/cow.bats -- sharing data: --cow / --reflink / -c on btrfs, XFS
# (reflink) and ext4 (none), the --debug line, the mode of the copy, and
# the --cow option errors compared with GNU cp.

load ../helpers/common

bats_require_minimum_version 1.5.0

# A file over the ladder's 256 MiB chunk, which is cloned whole all the
# same.
BIG_MIB=300

setup_file ()
{
  make_loop_fs btrfs 512M btrfs || true
  make_loop_fs xfs 300M xfs || true
  make_loop_fs ext4 64M ext4 || true
  # Written once for the two tests that need it: fully written, so that
  # it is one data range that only chunks could cut.
  local mnt
  if mnt=$(fs_path btrfs); then
    dd if=/dev/zero of="$mnt/big" bs=1M count="$BIG_MIB" status=none
    sync -f "$mnt"
  fi
}

teardown_file ()
{
  cleanup_loop_fs
}

# The --debug lines cowcp prints after the -v line.
DEBUG_FICLONE='copy offload: unknown, reflink: yes, sparse detection: unknown, rung: FICLONE'
DEBUG_EXT4='copy offload: yes, reflink: unsupported, sparse detection: no, rung: copy_file_range'
DEBUG_NEVER='copy offload: avoided, reflink: no, sparse detection: no, rung: sendfile'

# run_gnu_cp ARGS...: run /usr/bin/cp ARGS in the test's directory; set
# GNU_STDERR to what it wrote to stderr, with its program name made
# cowcp's, and GNU_STATUS to its exit status.
run_gnu_cp ()
{
  [[ -x /usr/bin/cp ]] || skip "/usr/bin/cp not installed"
  local err
  GNU_STATUS=0
  err=$(cd "$BATS_TEST_TMPDIR" && /usr/bin/cp "$@" 2>&1 >/dev/null) \
    || GNU_STATUS=$?
  GNU_STDERR=$(sed -e 's|^/usr/bin/cp: |cowcp: |' \
                   -e "s|^Try '/usr/bin/cp --help'|Try 'cowcp --help'|" \
                   <<<"$err")
}

# default_copy_shares FSNAME: the plain copy on FSNAME is a FICLONE.
default_copy_shares ()
{
  enter_fs "$1"
  random_file a 1M
  run --separate-stderr cowcp --debug a b
  assert_success
  assert_equal "$stderr" ""
  assert_output "'a' -> 'b'
$DEBUG_FICLONE"
  cmp a b
  assert_shares_extents a b
}

# always_copy_shares FSNAME: -c, --cow=always and --reflink=always clone.
always_copy_shares ()
{
  enter_fs "$1"
  random_file a 1M
  local opt n=0
  for opt in -c --cow=always --reflink=always --cow --reflink; do
    n=$((n + 1))
    run --separate-stderr cowcp --debug "$opt" a "b$n"
    assert_success
    assert_equal "$stderr" ""
    assert_output "'a' -> 'b$n'
$DEBUG_FICLONE"
    cmp a "b$n"
    assert_shares_extents a "b$n"
  done
}

# never_copy_owns FSNAME: --cow=never and --reflink=never share nothing.
never_copy_owns ()
{
  enter_fs "$1"
  random_file a 1M
  local opt n=0
  for opt in --cow=never --reflink=never; do
    n=$((n + 1))
    run --separate-stderr cowcp --debug "$opt" a "b$n"
    assert_success
    assert_equal "$stderr" ""
    assert_output "'a' -> 'b$n'
$DEBUG_NEVER"
    cmp a "b$n"
    refute_shares_extents a "b$n"
  done
}

@test "a plain copy on btrfs is a FICLONE that shares every extent" {
  default_copy_shares btrfs
}

@test "a plain copy on xfs is a FICLONE that shares every extent" {
  default_copy_shares xfs
}

@test "a plain copy on ext4 uses copy_file_range and shares nothing" {
  enter_fs ext4
  random_file a 1M
  run --separate-stderr cowcp --debug a b
  assert_success
  assert_equal "$stderr" ""
  assert_output "'a' -> 'b'
$DEBUG_EXT4"
  cmp a b
  refute_shares_extents a b
}

@test "-c, --cow=always and --reflink=always clone on btrfs" {
  always_copy_shares btrfs
}

@test "-c, --cow=always and --reflink=always clone on xfs" {
  always_copy_shares xfs
}

@test "--cow=never and --reflink=never on btrfs copy without sharing" {
  never_copy_owns btrfs
}

@test "--cow=never and --reflink=never on xfs copy without sharing" {
  never_copy_owns xfs
}

@test "a cloned copy gets the source's mode less the umask" {
  enter_fs btrfs
  umask 022
  random_file a 64K
  chmod 0640 a
  random_file w 64K
  chmod 0666 w
  run cowcp a b
  assert_success
  run cowcp w x
  assert_success
  assert_mode 640 b
  assert_mode 644 x
  assert_shares_extents a b
}

@test "a cloned copy of a setuid file drops the setuid bit" {
  enter_fs btrfs
  umask 022
  random_file a 64K
  chmod 4755 a
  run cowcp a b
  assert_success
  assert_mode 755 b
  cmp a b
}

@test "a clone onto an existing destination keeps the destination's mode" {
  enter_fs btrfs
  random_file a 64K
  chmod 0644 a
  echo old >b
  chmod 0600 b
  run --separate-stderr cowcp --debug a b
  assert_success
  assert_output "'a' -> 'b'
$DEBUG_FICLONE"
  assert_mode 600 b
  cmp a b
  assert_shares_extents a b
}

@test "-c on ext4 fails with failed to clone and leaves no destination" {
  enter_fs ext4
  random_file a 64K
  local opt
  for opt in -c --cow=always --reflink=always; do
    run --separate-stderr cowcp "$opt" a b
    assert_failure 1
    assert_output ""
    assert_equal "$stderr" \
      "cowcp: failed to clone 'b' from 'a': $(strerror EOPNOTSUPP)"
    assert_file_not_exists b
  done
}

@test "-c from btrfs to ext4 fails with Invalid cross-device link and leaves no destination" {
  require_fs btrfs
  local src=$FS_PATH/t$BATS_TEST_NUMBER
  mkdir "$src"
  random_file "$src/a" 64K
  enter_fs ext4
  ln -s "$src/a" a
  run --separate-stderr cowcp -c a b
  assert_failure 1
  assert_output ""
  assert_equal "$stderr" \
    "cowcp: failed to clone 'b' from 'a': $(strerror EXDEV)"
  assert_file_not_exists b
}

@test "-c failing on an existing destination leaves it in place, truncated" {
  enter_fs ext4
  random_file a 64K
  echo old >b
  chmod 0600 b
  run --separate-stderr cowcp -c a b
  assert_failure 1
  assert_equal "$stderr" \
    "cowcp: failed to clone 'b' from 'a': $(strerror EOPNOTSUPP)"
  assert_file_exists b
  assert_file_empty b
  assert_mode 600 b
}

@test "a file over 256 MiB is cloned whole with FICLONE and shares every extent" {
  enter_fs btrfs
  [[ -f ../big ]] || fail "setup_file did not write big"
  run --separate-stderr cowcp --debug ../big big.copy
  assert_success
  assert_equal "$stderr" ""
  assert_output "'../big' -> 'big.copy'
$DEBUG_FICLONE"
  assert_equal "$(stat -c %s big.copy)" $((BIG_MIB * 1024 * 1024))
  cmp ../big big.copy
  assert_shares_extents ../big big.copy
  rm -f big.copy
}

@test "a file over 256 MiB is one FICLONE, never torn into ranges" {
  have_cmd strace || skip "strace not installed"
  enter_fs btrfs
  [[ -f ../big ]] || fail "setup_file did not write big"
  run under_strace -f -e trace=ioctl -o "$BATS_TEST_TMPDIR/trace" \
    cowcp ../big big.whole
  assert_success
  local trace
  trace=$(grep -E ' (FICLONE|FICLONERANGE)[,)]' "$BATS_TEST_TMPDIR/trace")
  # One call: the copy of a file being written is one point in time.
  assert_equal "$(grep -c ' FICLONE,' <<<"$trace")" 1
  assert_equal "$(grep -c ' FICLONERANGE,' <<<"$trace")" 0
  assert_equal "$(grep -c ' FICLONE, [0-9]*) = 0' <<<"$trace")" 1
  rm -f big.whole
}

@test "an invalid --reflink value gives GNU cp's argmatch message and exit status" {
  run_gnu_cp --reflink=foo a b
  run --separate-stderr cowcp --reflink=foo a b
  assert_equal "$GNU_STATUS" 1
  assert_failure 1
  assert_output ""
  assert_equal "$stderr" "$GNU_STDERR"
}

@test "an invalid --cow value gives the argmatch message naming --cow" {
  local expected
  run_gnu_cp --reflink=foo a b
  expected=${GNU_STDERR//"'--reflink'"/"'--cow'"}
  run --separate-stderr cowcp --cow=foo a b
  assert_failure 1
  assert_output ""
  assert_equal "$stderr" "$expected"
}

@test "--reflink=always with --sparse other than auto is refused as GNU cp does" {
  local args
  for args in "--reflink=always --sparse=never" \
              "--reflink --sparse=always" \
              "--sparse=never --reflink=always"; do
    # shellcheck disable=SC2086
    run_gnu_cp $args a b
    # shellcheck disable=SC2086
    run --separate-stderr cowcp $args a b
    assert_failure 1
    assert_equal "$GNU_STATUS" 1
    assert_output ""
    assert_equal "$stderr" "$GNU_STDERR"
    assert_equal "$stderr" "cowcp: --reflink can be used only with --sparse=auto
Try 'cowcp --help' for more information."
  done
}

@test "-c and --cow=always with --sparse other than auto are refused" {
  local args
  for args in "-c --sparse=never" "--cow=always --sparse=always" \
              "--sparse=never --cow"; do
    # shellcheck disable=SC2086
    run --separate-stderr cowcp $args a b
    assert_failure 1
    assert_output ""
    assert_equal "$stderr" "cowcp: --reflink can be used only with --sparse=auto
Try 'cowcp --help' for more information."
  done
}
