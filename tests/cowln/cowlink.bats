#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# cowln/cowlink.bats -- cowlinks (-c, --cow[=WHEN]): a separate inode, or
# tree, sharing TARGET's data (FICLONE) with TARGET's metadata, built under
# a temporary name .LINK.cowln-XXXXXX beside LINK and renamed into place;
# on btrfs and XFS (reflink), on ext4 (no sharing) and across filesystems;
# the forms it composes with (-f, -b, several targets, -t); and clone
# faults from the shim, which must leave nothing behind.

load ../helpers/common

bats_require_minimum_version 1.5.0

setup_file ()
{
  make_loop_fs btrfs 128M btrfs || true
  make_loop_fs xfs 300M xfs || true
  make_loop_fs ext4 16M ext4 || true
}

teardown_file ()
{
  cleanup_loop_fs
}

setup ()
{
  umask 022
}

# Times set on targets, to the nanosecond.
MTIME='2001-02-03 04:05:06.123456789'
ATIME='2002-03-04 05:06:07.987654321'

# flags_at FILE BLOCK: the FIEMAP flags of FILE's extent that holds block
# BLOCK (filefrag's block size), "-" for none, empty for a hole.
flags_at ()
{
  _extent_map "$1" | awk -v b="$2" '$1 <= b && b < $1 + $2 { print $3 }'
}

# assert_only NAMES...: the current directory holds exactly NAMES (so no
# .NAME.cowln-XXXXXX temporary is left), in ls order.
assert_only ()
{
  local want
  want=$(printf '%s\n' "$@" | LC_ALL=C sort)
  assert_equal "$(LC_ALL=C ls -A)" "$want"
}

# make_tree T: a tree with a nested directory, a file with two names (one
# in each directory), a symlink and an empty file.
make_tree ()
{
  mkdir -p "$1/sub/deeper"
  random_file "$1/f1" 1M
  random_file "$1/sub/f2" 256K
  random_file "$1/sub/deeper/f3" 64K
  ln "$1/f1" "$1/sub/h1"
  ln -s ../f1 "$1/sub/s1"
  : >"$1/empty"
  chmod 750 "$1/sub"
  chmod 640 "$1/sub/f2"
}

# --- a file cowlink ----------------------------------------------------------

# file_cowlink_shares FS: the cowlink of a file shares every extent, is a
# new inode, and -v shows it with ~>.
file_cowlink_shares ()
{
  enter_fs "$1"
  random_file a 1M
  run --separate-stderr cowln -cv a l
  assert_success
  assert_equal "$stderr" ""
  assert_output "'l' ~> 'a'"
  cmp a l
  assert_shares_extents a l
  assert_not_equal "$(stat -c %d:%i l)" "$(stat -c %d:%i a)"
  assert_equal "$(stat -c %h a)" 1
  assert_only a l
}

@test "on btrfs a file cowlink is a new inode sharing all the target's extents" {
  file_cowlink_shares btrfs
}

@test "on xfs a file cowlink is a new inode sharing all the target's extents" {
  file_cowlink_shares xfs
}

# file_cowlink_metadata FS: mode, owner, times (ns) and xattrs are the
# target's.
file_cowlink_metadata ()
{
  enter_fs "$1"
  random_file a 64K
  chown 1234:5678 a
  chmod 4751 a
  setfattr -n user.cow -v moo a
  touch -m -d "$MTIME" a
  touch -a -d "$ATIME" a
  local times
  times=$(stat -c '%x|%y' a)
  run --separate-stderr cowln -c a l
  assert_success
  assert_equal "$stderr" ""
  assert_mode 4751 l
  assert_equal "$(stat -c %u:%g l)" 1234:5678
  assert_equal "$(stat -c '%x|%y' l)" "$times"
  assert_equal "$(getfattr -n user.cow --only-values l)" moo
}

@test "on btrfs a file cowlink has the target's mode, owner, times and xattrs" {
  file_cowlink_metadata btrfs
}

@test "on xfs a file cowlink has the target's mode, owner, times and xattrs" {
  file_cowlink_metadata xfs
}

# file_cowlink_acl FS: the ACL is the target's.
file_cowlink_acl ()
{
  enter_fs "$1"
  have_setfacl || skip "setfacl unavailable or ACLs unsupported on $1"
  random_file a 64K
  setfacl -m u:1234:rw,g:5678:r a
  run --separate-stderr cowln -c a l
  assert_success
  assert_equal "$(getfacl -c l 2>&1)" "$(getfacl -c a 2>&1)"
  [[ $(getfacl -c l) == *user:1234:rw-* ]] || fail "no ACL entry on l: $(getfacl -c l)"
}

@test "on btrfs a file cowlink has the target's ACL" {
  file_cowlink_acl btrfs
}

@test "on xfs a file cowlink has the target's ACL" {
  file_cowlink_acl xfs
}

# writes_stay_apart FS: a write to the link does not reach the target and
# unshares only the written range; and the other way round.
writes_stay_apart ()
{
  enter_fs "$1"
  local saved=$BATS_TEST_TMPDIR
  random_file a 1M
  cp a "$saved/a.orig"
  cowln -c a l
  assert_shares_extents a l

  random_file "$saved/patch" 64K
  dd if="$saved/patch" of=l bs=64K count=1 conv=notrunc,fsync status=none
  cmp a "$saved/a.orig"
  cmp -n 65536 l "$saved/patch"
  cmp -i 65536 l "$saved/a.orig"
  [[ $(flags_at l 0) != *shared* ]] \
    || fail "the written block 0 of l is still shared: $(_extent_map l)"
  [[ $(flags_at l 200) == *shared* ]] \
    || fail "the unwritten block 200 of l is not shared: $(_extent_map l)"

  cp l "$saved/l.now"
  dd if="$saved/patch" of=a bs=64K seek=8 count=1 conv=notrunc,fsync status=none
  cmp l "$saved/l.now"
  cmp -n 524288 a "$saved/a.orig"
  [[ $(flags_at a 130) != *shared* ]] \
    || fail "the written block 130 of a is still shared: $(_extent_map a)"
}

@test "on btrfs writing to a cowlink or its target never shows through the other" {
  writes_stay_apart btrfs
}

@test "on xfs writing to a cowlink or its target never shows through the other" {
  writes_stay_apart xfs
}

# --- a directory cowlink ---------------------------------------------------

# tree_cowlink FS: a cowlinked tree: same structure, hard links kept inside
# it (but not to the target), symlinks kept, all data shared.
tree_cowlink ()
{
  enter_fs "$1"
  make_tree T
  run --separate-stderr cowln -c T L
  assert_success
  assert_equal "$stderr" ""
  assert_equal "$(cd L && find . -printf '%y %m %p\n' | sort)" \
    "$(cd T && find . -printf '%y %m %p\n' | sort)"
  assert_hardlinked L/f1 L/sub/h1
  run assert_hardlinked T/f1 L/f1
  assert_failure
  assert_equal "$(readlink L/sub/s1)" ../f1
  local f
  for f in f1 sub/f2 sub/deeper/f3; do
    cmp "T/$f" "L/$f"
    assert_shares_extents "T/$f" "L/$f"
  done
  assert_only L T
}

@test "on btrfs a directory cowlink is a tree sharing all data with links kept" {
  tree_cowlink btrfs
}

@test "on xfs a directory cowlink is a tree sharing all data with links kept" {
  tree_cowlink xfs
}

# --- where nothing can be shared --------------------------------------------

@test "-c on ext4 fails with failed to clone and leaves nothing" {
  enter_fs ext4
  random_file a 64K
  run --separate-stderr cowln -c a l
  assert_failure 1
  assert_output ""
  assert_equal "$stderr" "cowln: failed to clone 'l' from 'a': $(strerror EOPNOTSUPP)"
  assert_only a
}

@test "-c of a tree on ext4 fails and leaves nothing" {
  enter_fs ext4
  make_tree T
  run --separate-stderr cowln -c T L
  assert_failure 1
  [[ $stderr == "cowln: failed to clone 'L/"*"' from 'T/"*"': $(strerror EOPNOTSUPP)" ]] \
    || fail "stderr: $stderr"
  assert_only T
}

@test "-c across filesystems fails with failed to clone and leaves nothing" {
  require_fs xfs
  local other=$FS_PATH/t$BATS_TEST_NUMBER
  mkdir "$other"
  enter_fs btrfs
  random_file a 64K
  local rel=../../xfs/t$BATS_TEST_NUMBER
  [[ $rel/ -ef $other/ ]] || fail "$rel is not $other"
  run --separate-stderr cowln -c a "$rel/l"
  assert_failure 1
  assert_output ""
  assert_equal "$stderr" "cowln: failed to clone '$rel/l' from 'a': $(strerror EXDEV)"
  assert_equal "$(ls -A "$other")" ""
}

@test "--cow=auto on ext4 copies the data and -v says (copied)" {
  enter_fs ext4
  random_file a 64K
  chmod 640 a
  touch -m -d "$MTIME" a
  run --separate-stderr cowln --cow=auto -v a l
  assert_success
  assert_equal "$stderr" ""
  assert_output "'l' ~> 'a' (copied)"
  cmp a l
  assert_mode 640 l
  assert_equal "$(stat -c %y l)" "$(stat -c %y a)"
  assert_not_equal "$(stat -c %i l)" "$(stat -c %i a)"
  assert_only a l
}

@test "--cow=auto on btrfs shares and -v does not say (copied)" {
  enter_fs btrfs
  random_file a 64K
  run --separate-stderr cowln --cow=auto -v a l
  assert_success
  assert_output "'l' ~> 'a'"
  assert_shares_extents a l
}

# --- composing with ln's forms ---------------------------------------------

@test "-cf replaces an existing link name with a new cowlink" {
  enter_fs btrfs
  random_file a 256K
  random_file l 128K
  local old
  old=$(stat -c %i l)
  run --separate-stderr cowln -cf a l
  assert_success
  assert_equal "$stderr" ""
  assert_not_equal "$(stat -c %i l)" "$old"
  cmp a l
  assert_shares_extents a l
  assert_only a l
}

@test "-cb moves the existing link name to a backup and shows it" {
  enter_fs btrfs
  random_file a 256K
  random_file l 128K
  cp l "$BATS_TEST_TMPDIR/l.orig"
  run --separate-stderr cowln -cbv a l
  assert_success
  assert_output "'l~' ~ 'l' ~> 'a'"
  cmp "$BATS_TEST_TMPDIR/l.orig" 'l~'
  cmp a l
  assert_shares_extents a l
  assert_only a l 'l~'
}

@test "-c with several targets cowlinks each into the directory" {
  enter_fs xfs
  random_file a 64K
  random_file b 128K
  mkdir d
  run --separate-stderr cowln -cv a b d
  assert_success
  assert_output "'d/a' ~> 'a'
'd/b' ~> 'b'"
  cmp a d/a
  cmp b d/b
  assert_shares_extents a d/a
  assert_shares_extents b d/b
  assert_equal "$(ls -A d)" "a
b"
}

@test "-t DIR -c cowlinks each target into DIR" {
  enter_fs btrfs
  random_file a 64K
  random_file b 128K
  mkdir d
  run --separate-stderr cowln -t d -c a b
  assert_success
  assert_equal "$stderr" ""
  assert_shares_extents a d/a
  assert_shares_extents b d/b
  assert_equal "$(stat -c %h a)" 1
  assert_equal "$(ls -A d)" "a
b"
}

@test "-c onto an existing name without -f fails with File exists" {
  enter_fs btrfs
  random_file a 64K
  echo keep >l
  run --separate-stderr cowln -c a l
  assert_failure 1
  assert_output ""
  assert_equal "$stderr" "cowln: failed to create cowlink 'l': $(strerror EEXIST)"
  assert_equal "$(<l)" keep
  assert_only a l
}

@test "-c with -s is refused as a usage error" {
  mkdir "$BATS_TEST_TMPDIR/w"
  cd "$BATS_TEST_TMPDIR/w"
  echo a >a
  run --separate-stderr cowln -cs a l
  assert_failure 1
  assert_output ""
  assert_equal "$stderr" "cowln: cannot make both symbolic links and cowlinks
Try 'cowln --help' for more information."
  assert_only a
}

# --- clone faults ----------------------------------------------------------

@test "a FICLONE error fails the cowlink with failed to clone and leaves nothing" {
  require_faultshim
  enter_fs btrfs
  random_file a 64K
  run --separate-stderr with_faults ficlone=EIO "$PWD/.l.cowln-" -- cowln -c a l
  assert_failure 1
  assert_output ""
  assert_equal "$stderr" "cowln: failed to clone 'l' from 'a': $(strerror EIO)"
  assert_only a
}

@test "a FICLONE error on one file of a tree leaves nothing under the link" {
  require_faultshim
  enter_fs btrfs
  make_tree T
  random_file T/sub/bad 64K
  run --separate-stderr with_faults ficlone=EIO /sub/bad -- cowln -c T L
  assert_failure 1
  assert_output ""
  assert_equal "$stderr" \
    "cowln: failed to clone 'L/sub/bad' from 'T/sub/bad': $(strerror EIO)"
  assert_only T
}

@test "a FICLONE error with -f keeps the existing link name as it was" {
  require_faultshim
  enter_fs btrfs
  random_file a 64K
  echo keep >l
  run --separate-stderr with_faults ficlone=EIO "$PWD/.l.cowln-" -- cowln -cf a l
  assert_failure 1
  assert_equal "$stderr" "cowln: failed to clone 'l' from 'a': $(strerror EIO)"
  assert_equal "$(<l)" keep
  assert_only a l
}
