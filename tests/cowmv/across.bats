#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# cowmv across filesystems and btrfs subvolumes: where rename(2) answers
# EXDEV the source is copied as cp -a would (data cloned where possible,
# mode, owner, ns times, xattrs, ACLs, hard links and symlinks kept) under
# a temporary name .NAME.cowmv-XXXXXX beside the destination, renamed into
# place, and only then removed.

load ../helpers/common

bats_require_minimum_version 1.5.0

setup_file ()
{
  local mnt
  if make_loop_fs btrfs 256M btrfs && mnt=$(fs_path btrfs); then
    btrfs subvolume create "$mnt/sv1" >/dev/null
    btrfs subvolume create "$mnt/sv2" >/dev/null
  fi
  make_loop_fs ext4 128M ext4 || true
}

teardown_file ()
{
  cleanup_loop_fs
}

setup ()
{
  umask 022
}

FICLONE_LINE='copy offload: unknown, reflink: yes, sparse detection: unknown, rung: FICLONE'
# btrfs -> ext4 and back: no clone; copy_file_range or sendfile moves it.
CROSS_LINE_RE='^copy offload: (yes|unsupported), reflink: unsupported, sparse detection: [a-zA-Z +]+, rung: (copy_file_range|sendfile)$'

# enter_subvolumes: skip without the btrfs filesystem, else make this
# test's directories S (in subvolume sv1) and D (in sv2) and cd to the
# filesystem's top, so that names in messages are short and relative.
enter_subvolumes ()
{
  require_fs btrfs
  BT=$FS_PATH
  S=sv1/t$BATS_TEST_NUMBER
  D=sv2/t$BATS_TEST_NUMBER
  mkdir "$BT/$S" "$BT/$D"
  cd "$BT"
}

# enter_ext4: skip without the ext4 filesystem, else set E to a directory
# of this test's own on it.
enter_ext4 ()
{
  require_fs ext4
  E=$FS_PATH/t$BATS_TEST_NUMBER
  mkdir "$E"
}

# make_tree DIR: build DIR/T, entries made in this order (btrfs lists a
# directory in creation order): f (0640, owner 1234:5678, an xattr, an old
# ns mtime), hl (a hard link of f), sl (a symlink to f), sub/ (0750) with g
# (0600, an ACL where supported), e (empty).  Directory times set last.
make_tree ()
{
  local t=$1/T
  mkdir "$t"
  random_file "$t/f" 192K
  chmod 640 "$t/f"
  chown 1234:5678 "$t/f"
  setfattr -n user.cow -v moo "$t/f"
  touch -d '2001-02-03 04:05:06.123456789' "$t/f"
  ln "$t/f" "$t/hl"
  ln -s f "$t/sl"
  touch -h -d '2002-03-04 05:06:07.987654321' "$t/sl"
  mkdir "$t/sub"
  random_file "$t/sub/g" 64K
  chmod 600 "$t/sub/g"
  if have_setfacl "$1"; then
    setfacl -m u:4321:r "$t/sub/g"
  fi
  : >"$t/sub/e"
  chmod 750 "$t/sub"
  touch -d '2003-04-05 06:07:08.111111111' "$t/sub"
  touch -d '2004-05-06 07:08:09.222222222' "$t"
}

# sums DIR: sha256 of every regular file under DIR, by relative name.
sums ()
{
  (cd -- "$1" && find . -type f -print0 | sort -z | xargs -0r sha256sum)
}

# meta DIR: type, mode, owner, link count (not of directories: btrfs
# counts 1) and ns mtime of every entry under DIR (DIR itself included),
# by relative name.
meta ()
{
  (cd -- "$1" && find . -print0 | sort -z \
    | xargs -0 stat -c '%n %F %a %u:%g nlink=%h mtime=%y' \
    | sed '/ directory /s/ nlink=[0-9]*//')
}

# xattrs DIR: the user.* xattrs and ACLs of every entry under DIR.
xattrs ()
{
  (cd -- "$1" \
    && find . ! -type l -print0 | sort -z \
      | xargs -0 getfattr -h -d -m '^user\.' 2>/dev/null
    if have_setfacl .; then
      find . ! -type l -print0 | sort -z | xargs -0 getfacl -p -n 2>/dev/null
    fi)
}

# assert_no_temps DIR...: no .NAME.cowmv-XXXXXX temporary copy anywhere
# under DIRs.
assert_no_temps ()
{
  local left
  left=$(find "$@" -name '.*.cowmv-??????' 2>&1)
  assert_equal "$left" ""
}

# --- btrfs subvolume to subvolume: clones ------------------------------------

@test "a file moved between subvolumes is cloned and the source removed" {
  enter_subvolumes
  random_file "$S/a" 256K
  # A second reference to the data, so that "shared" survives the source.
  cp --reflink=always "$S/a" "$S/keep"
  local sum
  sum=$(sha256sum <"$S/a")
  run --separate-stderr cowmv --debug "$S/a" "$D/a"
  assert_success
  assert_equal "$stderr" ""
  assert_output "copied '$S/a' -> '$D/a'
$FICLONE_LINE
removed '$S/a'"
  assert_file_not_exists "$S/a"
  assert_equal "$(sha256sum <"$D/a")" "$sum"
  assert_shares_extents "$S/keep" "$D/a"
  assert_no_temps "$BT"
}

@test "a tree moved between subvolumes clones each file and says so" {
  enter_subvolumes
  make_tree "$S"
  run --separate-stderr cowmv --debug "$S/T" "$D"
  assert_success
  assert_equal "$stderr" ""
  # Hard link hl prints nothing (GNU: a link made to an inode already
  # copied is not reported); even the empty file is cloned; removal
  # follows the source's order.
  assert_output "created directory '$D/T'
copied '$S/T/f' -> '$D/T/f'
$FICLONE_LINE
copied '$S/T/sl' -> '$D/T/sl'
created directory '$D/T/sub'
copied '$S/T/sub/g' -> '$D/T/sub/g'
$FICLONE_LINE
copied '$S/T/sub/e' -> '$D/T/sub/e'
$FICLONE_LINE
removed '$S/T/f'
removed '$S/T/hl'
removed '$S/T/sl'
removed '$S/T/sub/g'
removed '$S/T/sub/e'
removed directory '$S/T/sub'
removed directory '$S/T'"
  assert_no_temps "$BT"
}

@test "-v across subvolumes prints copied, created and removed lines without offload lines" {
  enter_subvolumes
  make_tree "$S"
  rm "$S/T/sub/e"
  run --separate-stderr cowmv -v "$S/T" "$D/U"
  assert_success
  assert_equal "$stderr" ""
  assert_output "created directory '$D/U'
copied '$S/T/f' -> '$D/U/f'
copied '$S/T/sl' -> '$D/U/sl'
created directory '$D/U/sub'
copied '$S/T/sub/g' -> '$D/U/sub/g'
removed '$S/T/f'
removed '$S/T/hl'
removed '$S/T/sl'
removed '$S/T/sub/g'
removed directory '$S/T/sub'
removed directory '$S/T'"
}

@test "a tree moved between subvolumes has the same contents and no source left" {
  enter_subvolumes
  make_tree "$S"
  local before
  before=$(sums "$S/T")
  run cowmv "$S/T" "$D"
  assert_success
  assert_output ""
  assert_equal "$(sums "$D/T")" "$before"
  assert_file_not_exists "$S/T"
  assert_equal "$(ls -A "$S")" ""
  assert_no_temps "$BT"
}

@test "a tree moved between subvolumes shares its data with the source's" {
  enter_subvolumes
  make_tree "$S"
  cp -a --reflink=always "$S/T" "$S/keep"
  run cowmv "$S/T" "$D"
  assert_success
  assert_shares_extents "$S/keep/f" "$D/T/f"
  assert_shares_extents "$S/keep/sub/g" "$D/T/sub/g"
}

@test "a tree moved between subvolumes keeps modes, owners, link counts and ns mtimes" {
  enter_subvolumes
  make_tree "$S"
  local before
  before=$(meta "$S/T")
  run cowmv "$S/T" "$D"
  assert_success
  assert_output ""
  assert_equal "$(meta "$D/T")" "$before"
}

@test "a tree moved between subvolumes keeps xattrs and ACLs" {
  enter_subvolumes
  make_tree "$S"
  local before
  before=$(xattrs "$S/T")
  [[ $before == *'user.cow="moo"'* ]]
  if have_setfacl "$S"; then
    [[ $before == *'user:4321:r--'* ]]
  fi
  run cowmv "$S/T" "$D"
  assert_success
  assert_output ""
  assert_equal "$(xattrs "$D/T")" "$before"
}

@test "hard links inside a tree moved between subvolumes stay linked" {
  enter_subvolumes
  make_tree "$S"
  run cowmv "$S/T" "$D"
  assert_success
  assert_hardlinked "$D/T/f" "$D/T/hl"
  assert_equal "$(stat -c %h "$D/T/f")" 2
}

@test "symlinks inside a tree moved between subvolumes are kept as symlinks" {
  enter_subvolumes
  make_tree "$S"
  run cowmv "$S/T" "$D"
  assert_success
  assert [ -L "$D/T/sl" ]
  assert_equal "$(readlink "$D/T/sl")" f
}

@test "a symlink moved between subvolumes stays a symlink and keeps its text" {
  enter_subvolumes
  ln -s /nowhere/at/all "$S/dangling"
  run --separate-stderr cowmv -v "$S/dangling" "$D"
  assert_success
  assert_output "copied '$S/dangling' -> '$D/dangling'
removed '$S/dangling'"
  assert_equal "$(readlink "$D/dangling")" /nowhere/at/all
  assert [ ! -e "$S/dangling" ]
  assert [ ! -L "$S/dangling" ]
}

@test "hard links given as separate operands stay linked across subvolumes" {
  enter_subvolumes
  random_file "$S/a" 64K
  ln "$S/a" "$S/hl"
  run --separate-stderr cowmv -v "$S/a" "$S/hl" "$D"
  assert_success
  assert_equal "$stderr" ""
  assert_hardlinked "$D/a" "$D/hl"
  # GNU mv -v says nothing of a hard link made to an inode already copied.
  assert_output "copied '$S/a' -> '$D/a'
removed '$S/a'
removed '$S/hl'"
  assert_file_not_exists "$S/a"
  assert_file_not_exists "$S/hl"
  assert_no_temps "$BT"
}

@test "--no-copy between subvolumes fails and moves nothing" {
  enter_subvolumes
  echo data >"$S/a"
  run --separate-stderr cowmv --no-copy "$S/a" "$D/a"
  assert_failure 1
  assert_output ""
  assert_equal "$stderr" "cowmv: cannot move '$S/a' to '$D/a': $(strerror EXDEV)"
  assert_equal "$(<"$S/a")" data
  assert_file_not_exists "$D/a"
}

# --- btrfs and ext4 -------------------------------------------------------------

@test "a file moved from btrfs to ext4 is copied by offload and the source removed" {
  enter_subvolumes
  enter_ext4
  random_file "$S/a" 300K
  local sum
  sum=$(sha256sum <"$S/a")
  run --separate-stderr cowmv --debug "$S/a" "$E/a"
  assert_success
  assert_equal "$stderr" ""
  assert_equal "${#lines[@]}" 3
  assert_line -n 0 "copied '$S/a' -> '$E/a'"
  assert_line -n 1 --regexp "$CROSS_LINE_RE"
  assert_line -n 2 "removed '$S/a'"
  assert_equal "$(sha256sum <"$E/a")" "$sum"
  assert_file_not_exists "$S/a"
  assert_no_temps "$BT" "$E"
}

@test "a tree moved from btrfs to ext4 keeps contents, metadata and links" {
  enter_subvolumes
  enter_ext4
  make_tree "$S"
  local s m x
  s=$(sums "$S/T") m=$(meta "$S/T") x=$(xattrs "$S/T")
  run --separate-stderr cowmv "$S/T" "$E"
  assert_success
  assert_output ""
  assert_equal "$stderr" ""
  assert_equal "$(sums "$E/T")" "$s"
  assert_equal "$(meta "$E/T")" "$m"
  assert_equal "$(xattrs "$E/T")" "$x"
  assert_hardlinked "$E/T/f" "$E/T/hl"
  assert_file_not_exists "$S/T"
  assert_no_temps "$BT" "$E"
}

@test "a tree moved from ext4 to btrfs copies everything before removing anything" {
  enter_subvolumes
  enter_ext4
  make_tree "$E"
  local s m first
  s=$(sums "$E/T") m=$(meta "$E/T")
  # Of the hard-linked pair, the one listed first is copied, the other
  # linked to it silently.
  first=$(ls -U "$E/T" | grep -m1 -x -e f -e hl)
  run --separate-stderr cowmv -v "$E/T" "$D"
  assert_success
  assert_equal "$stderr" ""
  # ext4 lists entries in hash order: compare the set, then the order of
  # the two phases.
  local want
  want="copied '$E/T/$first' -> '$D/T/$first'
copied '$E/T/sl' -> '$D/T/sl'
copied '$E/T/sub/e' -> '$D/T/sub/e'
copied '$E/T/sub/g' -> '$D/T/sub/g'
created directory '$D/T'
created directory '$D/T/sub'
removed '$E/T/f'
removed '$E/T/hl'
removed '$E/T/sl'
removed '$E/T/sub/e'
removed '$E/T/sub/g'
removed directory '$E/T'
removed directory '$E/T/sub'"
  assert_equal "$(sort <<<"$output")" "$want"
  assert_line -n 0 "created directory '$D/T'"
  local i last_copy=-1 first_removed=${#lines[@]}
  for i in "${!lines[@]}"; do
    case ${lines[i]} in
      copied* | created*) last_copy=$i ;;
      removed*) ((first_removed < i)) || first_removed=$i ;;
    esac
  done
  ((last_copy < first_removed))
  assert_line -n -1 "removed directory '$E/T'"
  assert_equal "$(sums "$D/T")" "$s"
  assert_equal "$(meta "$D/T")" "$m"
  assert_hardlinked "$D/T/f" "$D/T/hl"
  assert_file_not_exists "$E/T"
  assert_no_temps "$BT" "$E"
}

@test "moving onto an existing file on another filesystem replaces it" {
  enter_subvolumes
  enter_ext4
  random_file "$S/a" 100K
  chmod 604 "$S/a"
  echo 'old contents' >"$E/a"
  chmod 666 "$E/a"
  local sum
  sum=$(sha256sum <"$S/a")
  run --separate-stderr cowmv -v "$S/a" "$E/a"
  assert_success
  assert_equal "$stderr" ""
  assert_output "copied '$S/a' -> '$E/a'
removed '$S/a'"
  assert_equal "$(sha256sum <"$E/a")" "$sum"
  assert_mode 604 "$E/a"
  assert_file_not_exists "$S/a"
  assert_no_temps "$BT" "$E"
}

@test "a directory moved onto an empty directory on another filesystem replaces it" {
  enter_subvolumes
  enter_ext4
  make_tree "$S"
  mkdir "$E/T"
  local s
  s=$(sums "$S/T")
  run --separate-stderr cowmv "$S/T" "$E"
  assert_success
  assert_equal "$stderr" ""
  assert_equal "$(sums "$E/T")" "$s"
  assert_file_not_exists "$S/T"
  assert_no_temps "$BT" "$E"
}

@test "a directory moved onto a non-empty directory on another filesystem fails and copies nothing" {
  enter_subvolumes
  enter_ext4
  make_tree "$S"
  mkdir "$E/T"
  echo keep >"$E/T/other"
  local s
  s=$(sums "$S/T")
  run --separate-stderr cowmv -v "$S/T" "$E"
  assert_failure 1
  assert_output ""
  assert_equal "$stderr" "cowmv: inter-device move failed: '$S/T' to '$E/T'; unable to remove target: $(strerror ENOTEMPTY)"
  assert_equal "$(ls -A "$E/T")" other
  assert_equal "$(ls -A "$E")" T
  assert_equal "$(sums "$S/T")" "$s"
  assert_no_temps "$BT" "$E"
}

@test "hard links given as separate operands stay linked from btrfs to ext4" {
  enter_subvolumes
  enter_ext4
  random_file "$S/a" 64K
  ln "$S/a" "$S/hl"
  run --separate-stderr cowmv -v "$S/a" "$S/hl" "$E"
  assert_success
  assert_equal "$stderr" ""
  assert_hardlinked "$E/a" "$E/hl"
  # GNU mv -v says nothing of a hard link made to an inode already copied.
  assert_output "copied '$S/a' -> '$E/a'
removed '$S/a'
removed '$S/hl'"
  assert_no_temps "$BT" "$E"
}

@test "--no-copy to another filesystem fails with the rename error and moves nothing" {
  enter_subvolumes
  enter_ext4
  make_tree "$S"
  run --separate-stderr cowmv --no-copy "$S/T" "$E/T"
  assert_failure 1
  assert_output ""
  assert_equal "$stderr" "cowmv: cannot move '$S/T' to '$E/T': $(strerror EXDEV)"
  assert_file_exists "$S/T/f"
  assert_equal "$(ls -A "$E")" ""
}

@test "no temporary copy is left on either filesystem after all the moves" {
  require_fs btrfs
  local bt=$FS_PATH
  require_fs ext4
  assert_no_temps "$bt" "$FS_PATH"
}
