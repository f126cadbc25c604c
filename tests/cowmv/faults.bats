#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# cowmv's safety proofs for moves across filesystems: a copy that fails
# midway (no space, an injected EIO) removes its temporary copy and leaves
# the source byte-for-byte as it was, exit 1 -- deliberately unlike GNU mv,
# which leaves a partial destination; a source that cannot be removed after
# a complete copy is reported, exit 1, and both copies are kept.
# Sources live in $BATS_TEST_TMPDIR (the machine's /tmp), destinations on
# loop-mounted ext4 filesystems.

load ../helpers/common

bats_require_minimum_version 1.5.0

setup_file ()
{
  make_loop_fs ext4 8M small || true
  make_loop_fs ext4 64M dst || true
}

teardown_file ()
{
  cleanup_loop_fs
}

setup ()
{
  umask 022
  SRC=$BATS_TEST_TMPDIR/src
  mkdir "$SRC"
  cd "$SRC"
}

# Undo chattr +i, and empty the destinations for the next test.
teardown ()
{
  cd /
  if have_cmd chattr; then
    chattr -R -i "$BATS_TEST_TMPDIR" 2>/dev/null || true
  fi
  local name mnt
  for name in small dst; do
    if mnt=$(fs_path "$name") && mountpoint -q "$mnt"; then
      find "$mnt" -mindepth 1 -maxdepth 1 ! -name lost+found \
        -exec rm -rf {} + 2>/dev/null || true
    fi
  done
}

# snapshot DIR: for every entry under DIR, by relative name: type, mode,
# owner, size and sha256 (regular files) or target (symlinks).
snapshot ()
{
  (cd -- "$1" && find . -print0 | sort -z | while IFS= read -r -d '' n; do
    if [[ -L $n ]]; then
      printf '%s %s -> %s\n' "$n" "$(stat -c '%F %a %u:%g' "$n")" \
        "$(readlink "$n")"
    elif [[ -f $n ]]; then
      printf '%s %s %s\n' "$n" "$(stat -c '%F %a %u:%g %s' "$n")" \
        "$(sha256sum <"$n")"
    else
      printf '%s %s\n' "$n" "$(stat -c '%F %a %u:%g' "$n")"
    fi
  done)
}

# assert_empty_fs MNT: nothing on MNT but lost+found (no partial tree, no
# .NAME.cowmv-XXXXXX temporary).
assert_empty_fs ()
{
  assert_equal "$(ls -A "$1")" lost+found
}

# big_tree: T, bigger than the 8M filesystem: several files, one of 10M,
# a subdirectory, a symlink, assorted modes.
big_tree ()
{
  mkdir -p T/sub
  random_file T/a 1M
  random_file T/big 10M
  random_file T/sub/c 1M
  random_file T/sub/d 2M
  printf 'small\n' >T/sub/s
  ln -s sub/c T/sl
  chmod 600 T/a
  chmod 751 T/sub
  chmod 640 T/sub/d
}

# one_data_tree: T with a single regular file holding data (4M), so that
# an injected fault yields exactly one message.
one_data_tree ()
{
  mkdir -p T/sub T/empty-dir
  random_file T/sub/data 4M
  chmod 640 T/sub/data
  ln -s sub/data T/sl
  chmod 700 T/sub
}

# --- (a) no space on the destination ---------------------------------------------

@test "a tree too big for the destination fails with no space, naming the destination" {
  require_fs small
  local m=$FS_PATH
  big_tree
  run --separate-stderr cowmv T "$m"
  assert_failure 1
  assert_output ""
  [[ -n $stderr ]]
  local line nospc
  nospc=$(strerror ENOSPC)
  while IFS= read -r line; do
    [[ $line =~ ^cowmv:\ (error\ writing\ |error\ copying\ \'T/[^\']+\'\ to\ )\'$m/T/[^\']+\':\ $nospc$ ]] \
      || fail "unexpected stderr line: $line"
  done <<<"$stderr"
}

@test "a tree too big for the destination is left byte-for-byte in place" {
  require_fs small
  big_tree
  local before
  before=$(snapshot T)
  run --separate-stderr cowmv T "$FS_PATH"
  assert_failure 1
  assert_equal "$(snapshot T)" "$before"
}

@test "a tree too big for the destination leaves nothing there" {
  require_fs small
  big_tree
  run --separate-stderr cowmv T "$FS_PATH"
  assert_failure 1
  assert_empty_fs "$FS_PATH"
}

@test "a tree too big for the destination leaves nothing there under -v either" {
  require_fs small
  big_tree
  run --separate-stderr cowmv -v T "$FS_PATH"
  assert_failure 1
  refute_line --partial removed
  assert_empty_fs "$FS_PATH"
  assert_dir_exists T
}

@test "a single file too big for the destination fails, stays whole and leaves no partial copy" {
  require_fs small
  random_file big 12M
  chmod 604 big
  local before
  before=$(snapshot .)
  run --separate-stderr cowmv big "$FS_PATH/big"
  assert_failure 1
  assert_output ""
  assert_regex "$stderr" "^cowmv: (error writing |error copying 'big' to )'$FS_PATH/big': $(strerror ENOSPC)\$"
  assert_equal "$(snapshot .)" "$before"
  assert_empty_fs "$FS_PATH"
}

@test "a file too big for an existing destination leaves that destination as it was" {
  require_fs small
  random_file big 12M
  echo 'the old one' >"$FS_PATH/big"
  run --separate-stderr cowmv big "$FS_PATH/big"
  assert_failure 1
  assert_equal "$(<"$FS_PATH/big")" 'the old one'
  assert_equal "$(ls -A "$FS_PATH")" "big
lost+found"
  assert_file_exists big
}

# --- (b) an injected EIO during the copy -------------------------------------------

@test "an EIO from the copy offload fails a file move and leaves the source whole" {
  require_faultshim
  require_fs dst
  local d=$FS_PATH
  random_file a 1M
  local before
  before=$(snapshot .)
  run --separate-stderr with_faults 'copy_file_range=EIO,sendfile=EIO,write=EIO' "$d" -- \
    cowmv a "$d/a"
  assert_failure 1
  assert_output ""
  assert_equal "$stderr" "cowmv: error copying 'a' to '$d/a': $(strerror EIO)"
  assert_equal "$(snapshot .)" "$before"
  assert_empty_fs "$d"
}

@test "an EIO from the copy offload fails a tree move with one message" {
  require_faultshim
  require_fs dst
  local d=$FS_PATH
  one_data_tree
  run --separate-stderr with_faults 'copy_file_range=EIO,sendfile=EIO,write=EIO' "$d" -- \
    cowmv T "$d"
  assert_failure 1
  assert_output ""
  assert_equal "$stderr" "cowmv: error copying 'T/sub/data' to '$d/T/sub/data': $(strerror EIO)"
}

@test "an EIO from the copy offload leaves the tree byte-for-byte and nothing at the destination" {
  require_faultshim
  require_fs dst
  local d=$FS_PATH
  one_data_tree
  local before
  before=$(snapshot T)
  run --separate-stderr with_faults 'copy_file_range=EIO,sendfile=EIO,write=EIO' "$d" -- \
    cowmv T "$d"
  assert_failure 1
  assert_equal "$(snapshot T)" "$before"
  assert_empty_fs "$d"
}

@test "an EIO on a later write, after partial output, fails the tree move cleanly" {
  require_faultshim
  require_fs dst
  local d=$FS_PATH
  one_data_tree
  local before
  before=$(snapshot T)
  # Offload not possible: read/write it is; the first write lands, the
  # second fails.
  run --separate-stderr with_faults \
    'ficlone=EOPNOTSUPP,ficlonerange=EOPNOTSUPP,copy_file_range=EXDEV,sendfile=EINVAL,write=EIO@2' "$d" -- \
    cowmv --debug T "$d"
  assert_failure 1
  assert_equal "$stderr" "cowmv: error writing '$d/T/sub/data': $(strerror EIO)"
  refute_line --partial removed
  assert_equal "$(snapshot T)" "$before"
  assert_empty_fs "$d"
}

@test "an EIO in the last operand leaves it whole after the others were moved" {
  require_faultshim
  require_fs dst
  local d=$FS_PATH
  printf 'first\n' >first
  printf 'second\n' >second
  random_file bad 1M
  local sum
  sum=$(sha256sum <bad)
  # Operands are moved in order, by read/write: first and second take one
  # write each, bad's first chunk the third, and its second chunk fails.
  # (The path filter cannot single out bad: its copy has a temporary name.)
  run --separate-stderr with_faults \
    'copy_file_range=EXDEV,sendfile=EINVAL,write=EIO@4' "$d" -- \
    cowmv first second bad "$d"
  assert_failure 1
  assert_equal "$stderr" "cowmv: error writing '$d/bad': $(strerror EIO)"
  assert_equal "$(sha256sum <bad)" "$sum"
  assert_file_not_exists first
  assert_file_not_exists second
  assert_equal "$(<"$d/first")" first
  assert_equal "$(<"$d/second")" second
  assert_equal "$(ls -A "$d")" "first
lost+found
second"
}

# --- (c) the source cannot be removed after a complete copy -------------------------

# require_chattr: skip unless chattr +i works in $SRC.
require_chattr ()
{
  have_cmd chattr || skip "chattr not installed"
  mkdir "$BATS_TEST_TMPDIR/probe"
  chattr +i "$BATS_TEST_TMPDIR/probe" 2>/dev/null \
    || skip "chattr +i not supported on $(stat -f -c %T "$BATS_TEST_TMPDIR")"
  chattr -i "$BATS_TEST_TMPDIR/probe"
  rmdir "$BATS_TEST_TMPDIR/probe"
}

@test "a file whose directory is immutable is copied, then reported as not removable" {
  require_chattr
  require_fs dst
  local d=$FS_PATH
  mkdir P
  random_file P/f 1M
  chmod 640 P/f
  local sum
  sum=$(sha256sum <P/f)
  chattr +i P
  run --separate-stderr cowmv P/f "$d/f"
  assert_failure 1
  assert_output ""
  assert_equal "$(sha256sum <"$d/f")" "$sum"
  assert_mode 640 "$d/f"
  assert_equal "$(sha256sum <P/f)" "$sum"
  assert_equal "$(ls -A "$d")" "f
lost+found"
  assert_equal "$stderr" "cowmv: cannot remove 'P/f': $(strerror EPERM)"
}

@test "a tree with an immutable subdirectory is copied whole and its remains kept" {
  require_chattr
  require_fs dst
  local d=$FS_PATH
  one_data_tree
  local before
  before=$(snapshot T)
  chattr +i T/sub
  run --separate-stderr cowmv T "$d"
  assert_failure 1
  assert_output ""
  assert_equal "$(snapshot "$d/T")" "$before"
  assert_file_exists T/sub/data
  assert_equal "$(ls -A "$d")" "T
lost+found"
  # Only the first entry that cannot go is reported, as GNU rm does; its
  # parents are skipped silently.
  assert_equal "$stderr" "cowmv: cannot remove 'T/sub/data': $(strerror EPERM)"
}

@test "a source that cannot be removed under -v shows the copy but no removal of it" {
  require_chattr
  require_fs dst
  local d=$FS_PATH
  mkdir P
  printf 'data\n' >P/f
  chattr +i P
  run --separate-stderr cowmv -v P/f "$d/f"
  assert_failure 1
  assert_output "copied 'P/f' -> '$d/f'"
  assert_equal "$stderr" "cowmv: cannot remove 'P/f': $(strerror EPERM)"
}
