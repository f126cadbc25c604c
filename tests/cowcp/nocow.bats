#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# cowcp/nocow.bats -- clones across the btrfs NOCOW attribute (chattr +C),
# where GNU cp --reflink=always fails, and --preserve=flags: the inode
# flags chattr sets, append-only and immutable last, on btrfs, ext4 and
# tmpfs, as root and as an unprivileged user.

# shellcheck disable=SC2154  # stderr is set by run --separate-stderr
load ../helpers/common

bats_require_minimum_version 1.5.0

setup_file ()
{
  make_loop_fs btrfs 256M btrfs || true
  make_loop_fs ext4 32M ext4 || true
  # tmpfs takes append-only, immutable, nodump and noatime (Linux 6.0).
  local dir
  dir=$(_loopfs_dir)
  if [[ $(id -u) -ne 0 ]]; then
    echo "not root" >"$dir/tmpfs.reason"
  elif mkdir "$BATS_FILE_TMPDIR/tmpfs" \
       && mount -t tmpfs -o size=16m nocow "$BATS_FILE_TMPDIR/tmpfs"; then
    echo tmpfs >"$dir/tmpfs.type"
    echo "$BATS_FILE_TMPDIR/tmpfs" >"$dir/tmpfs.mnt"
  else
    echo "mount -t tmpfs failed" >"$dir/tmpfs.reason"
  fi
}

teardown_file ()
{
  # cleanup_loop_fs unmounts whatever is mounted below $BATS_FILE_TMPDIR,
  # the tmpfs included.
  cleanup_loop_fs
}

setup ()
{
  TEST_DIRS=()
}

# Every test's files lose append-only and immutable again, wherever they
# are, so that the filesystems can be unmounted and the directories
# removed.  Regular files and directories only: chattr is never pointed
# at a symlink.
teardown ()
{
  local d
  for d in "$BATS_TEST_TMPDIR" "${TEST_DIRS[@]}"; do
    [[ -d $d ]] || continue
    find "$d" \( -type f -o -type d \) -exec chattr -ia -- {} + \
      2>/dev/null || :
  done
}

# use_fs NAME: enter a directory of this test's own on NAME (enter_fs)
# and remember it for teardown.
use_fs ()
{
  enter_fs "$1"
  TEST_DIRS+=("$PWD")
}

# flags_of FILE: the flag letters lsattr shows for FILE, dashes removed
# (e.g. "iaC"); empty for none.
flags_of ()
{
  local out
  out=$(lsattr -d -- "$1") || return 1
  out=${out%% *}
  printf '%s\n' "${out//-/}"
}

# nocow_file NAME SIZE: a file with NOCOW and SIZE random bytes (the flag
# takes only while the file is empty).
nocow_file ()
{
  : >"$1"
  chattr +C -- "$1"
  random_file "$1.tmp" "$2"
  dd if="$1.tmp" of="$1" conv=notrunc status=none
  rm -f -- "$1.tmp"
  assert_equal "$(flags_of "$1")" C
}

# gnu_cp ARGS...: run GNU cp; skip without it.
gnu_cp ()
{
  [[ -x /usr/bin/cp ]] || skip "/usr/bin/cp not installed"
  /usr/bin/cp "$@"
}

DEBUG_FICLONE='copy offload: unknown, reflink: yes, sparse detection: unknown, rung: FICLONE'

@test "a NOCOW source is cloned with --cow=always, and the copy is NOCOW; GNU cp --reflink=always fails" {
  use_fs btrfs
  nocow_file s 1M
  run -1 --separate-stderr gnu_cp --reflink=always s gnu
  assert_equal "$stderr" \
    "/usr/bin/cp: failed to clone 'gnu' from 's': $(strerror EINVAL)"
  run --separate-stderr cowcp --debug --cow=always s d
  assert_success
  assert_equal "$stderr" ""
  assert_output "'s' -> 'd'
$DEBUG_FICLONE"
  cmp s d
  assert_equal "$(flags_of d)" C
  assert_shares_extents s d
}

@test "a NOCOW source is cloned by default too, not copied" {
  use_fs btrfs
  nocow_file s 1M
  run --separate-stderr cowcp --debug s d
  assert_success
  assert_equal "$stderr" ""
  assert_line -n 1 "$DEBUG_FICLONE"
  cmp s d
  assert_equal "$(flags_of d)" C
  assert_shares_extents s d
}

@test "a COW source cloned into a NOCOW directory: the new file gives up the NOCOW it inherited" {
  use_fs btrfs
  mkdir nocow
  chattr +C nocow
  random_file s 1M
  run -1 --separate-stderr gnu_cp --reflink=always s nocow/gnu
  assert_equal "$stderr" \
    "/usr/bin/cp: failed to clone 'nocow/gnu' from 's': $(strerror EINVAL)"
  run --separate-stderr cowcp -c s nocow/
  assert_success
  assert_equal "$stderr" ""
  cmp s nocow/s
  assert_equal "$(flags_of nocow/s)" ""
  assert_shares_extents s nocow/s
  # Files that are copied, not cloned, still inherit the directory's.
  cowcp --cow=never s nocow/never
  assert_equal "$(flags_of nocow/never)" C
  refute_shares_extents s nocow/never
}

@test "an existing empty destination takes the source's NOCOW and is cloned" {
  use_fs btrfs
  nocow_file s 1M
  : >d
  run --separate-stderr cowcp --debug -c s d
  assert_success
  assert_equal "$stderr" ""
  assert_line -n 1 "$DEBUG_FICLONE"
  cmp s d
  assert_equal "$(flags_of d)" C
  assert_shares_extents s d
}

@test "a non-empty existing destination keeps its flags: -c fails as GNU's does, the default copies" {
  use_fs btrfs
  nocow_file s 1M
  echo old >d
  echo old >gnu
  run -1 --separate-stderr gnu_cp --reflink=always s gnu
  gnu_err=${stderr//gnu/d}
  run -1 --separate-stderr cowcp -c s d
  assert_equal "$stderr" "${gnu_err//\/usr\/bin\/cp:/cowcp:}"
  assert_equal "$stderr" \
    "cowcp: failed to clone 'd' from 's': $(strerror EINVAL)"
  assert_equal "$(flags_of d)" ""
  echo old >d
  run --separate-stderr cowcp s d
  assert_success
  assert_equal "$stderr" ""
  cmp s d
  assert_equal "$(flags_of d)" ""
  refute_shares_extents s d
}

@test "cowln -c of a NOCOW file shares its data, and the cowlink is NOCOW" {
  use_fs btrfs
  nocow_file s 1M
  run --separate-stderr cowln -c s d
  assert_success
  assert_equal "$stderr" ""
  cmp s d
  assert_equal "$(flags_of d)" C
  assert_shares_extents s d
}

@test "cowmv of a NOCOW file across btrfs subvolumes clones it" {
  have_cmd btrfs || skip "btrfs-progs not installed"
  use_fs btrfs
  btrfs -q subvolume create sub >/dev/null
  nocow_file s 1M
  cp s keep
  run --separate-stderr cowmv --debug s sub/
  assert_success
  assert_equal "$stderr" ""
  assert_line "$DEBUG_FICLONE"
  assert_file_not_exists s
  cmp keep sub/s
  assert_equal "$(flags_of sub/s)" C
}

@test "the NOCOW retry costs nothing where the clone works at once" {
  have_cmd strace || skip "strace not installed"
  use_fs btrfs
  random_file s 1M
  run --separate-stderr under_strace -e trace=ioctl -o "$BATS_TEST_TMPDIR/trace" \
    cowcp -c s d
  assert_success
  run grep -c 'FICLONE\|GETFLAGS\|SETFLAGS' "$BATS_TEST_TMPDIR/trace"
  assert_output 1
  assert_shares_extents s d
}

@test "--preserve=flags carries noatime, nodump and, before the first byte, NOCOW" {
  use_fs btrfs
  nocow_file s 256K
  chattr +A +d s
  run --separate-stderr cowcp --cow=never --preserve=flags s d
  assert_success
  assert_equal "$stderr" ""
  cmp s d
  # A flag set after the data would not have taken on NOCOW: btrfs takes
  # it only on an empty file.
  assert_equal "$(flags_of d)" "$(flags_of s)"
  refute_shares_extents s d
  # Without the option a copy gets none of them.
  cowcp --cow=never s plain
  assert_equal "$(flags_of plain)" ""
}

@test "--preserve=flags sets append-only and immutable last: data, mode and times are right" {
  use_fs btrfs
  random_file s 300K
  chmod 640 s
  touch -d '2001-02-03 04:05:06.7' s
  chattr +a +i +d s
  mkdir -p t/sub
  random_file t/sub/f 10K
  chattr +i t/sub
  chattr +a t
  run --separate-stderr cowcp --preserve=flags,mode,timestamps s d
  assert_success
  assert_equal "$stderr" ""
  cmp s d
  assert_equal "$(flags_of d)" "$(flags_of s)"
  assert_equal "$(stat -c '%a %y' d)" "$(stat -c '%a %y' s)"
  assert_shares_extents s d
  # The file is immutable now: nothing can change it.
  run ! sh -c 'echo x >>d'
  # Directories get theirs after their contents.
  run --separate-stderr cowcp -R --preserve=flags,timestamps t u
  assert_success
  assert_equal "$stderr" ""
  cmp t/sub/f u/sub/f
  assert_equal "$(flags_of u)" a
  assert_equal "$(flags_of u/sub)" i
  assert_equal "$(stat -c %y u/sub)" "$(stat -c %y t/sub)"
}

@test "-a --preserve=flags links the other names of an immutable file to its copy" {
  use_fs btrfs
  mkdir s
  random_file s/f 64K
  ln s/f s/g
  ln s/f s/h
  chattr +i s/f
  run --separate-stderr cowcp -a --preserve=flags s d
  assert_success
  assert_equal "$stderr" ""
  assert_equal "$(stat -c '%h %i' d/g)" "$(stat -c '%h %i' d/f)"
  assert_equal "$(stat -c %i d/h)" "$(stat -c %i d/f)"
  assert_equal "$(stat -c %h d/f)" 3
  assert_equal "$(flags_of d/f)" i
  cmp s/f d/h
}

@test "--preserve=all carries the flags, -a alone does not" {
  use_fs btrfs
  random_file s 64K
  chattr +A +i s
  cowcp --preserve=all s all
  assert_equal "$(flags_of all)" iA
  cowcp -a s archive
  assert_equal "$(flags_of archive)" ""
  cowcp -a --no-preserve=flags --preserve=all s none
  assert_equal "$(flags_of none)" iA
  cowcp --preserve=all --no-preserve=flags s none2
  assert_equal "$(flags_of none2)" ""
}

@test "an unprivileged user cannot set immutable: reported, exit 1 with --preserve=flags, 0 with --preserve=all, quiet with -a" {
  require_root
  have_cmd setpriv || skip "setpriv not installed"
  id nobody >/dev/null 2>&1 || skip "no user nobody"
  use_fs btrfs
  mkdir w
  chmod 1777 w
  random_file w/s 64K
  chmod 644 w/s
  chattr +i +d w/s
  local eperm
  eperm=$(strerror EPERM)
  cd w
  run -1 --separate-stderr setpriv --reuid=nobody --regid=nogroup \
    --clear-groups cowcp --preserve=flags s d1
  assert_equal "$stderr" "cowcp: cannot preserve flags of 'd1': $eperm"
  cmp s d1
  # What could be carried was: nodump, set before the data.
  assert_equal "$(flags_of d1)" d
  run -0 --separate-stderr setpriv --reuid=nobody --regid=nogroup \
    --clear-groups cowcp --preserve=all s d2
  assert_equal "$stderr" "cowcp: cannot preserve flags of 'd2': $eperm"
  cmp s d2
  run -0 --separate-stderr setpriv --reuid=nobody --regid=nogroup \
    --clear-groups cowcp -a --preserve=all s d3
  assert_equal "$stderr" ""
  cmp s d3
  assert_equal "$(flags_of d3)" d
}

# flags_to_other FSNAME: from btrfs to FSNAME, which has no NOCOW.
flags_to_other ()
{
  require_fs btrfs
  local src=$FS_PATH/t$BATS_TEST_NUMBER
  mkdir "$src"
  TEST_DIRS+=("$src")
  nocow_file "$src/s" 64K
  chattr +d +i "$src/s"
  use_fs "$1"
  local enotsup
  enotsup=$(strerror EOPNOTSUPP)
  run -0 --separate-stderr cowcp --preserve=all "$src/s" all
  assert_equal "$stderr" ""
  cmp "$src/s" all
  # What the filesystem takes is carried, NOCOW is not (ext4 shows its
  # own extents flag, e, on every file).
  assert_equal "$(flags_of all | tr -d e)" id
  run -0 --separate-stderr cowcp -a --preserve=all "$src/s" archive
  assert_equal "$stderr" ""
  run -1 --separate-stderr cowcp --preserve=flags "$src/s" flags
  assert_equal "$stderr" "cowcp: cannot preserve flags of 'flags': $enotsup"
  cmp "$src/s" flags
  assert_equal "$(flags_of flags | tr -d e)" id
}

@test "--preserve=all onto ext4 carries what ext4 takes, quietly; --preserve=flags says what it could not" {
  flags_to_other ext4
}

@test "--preserve=all onto tmpfs carries what tmpfs takes, quietly; --preserve=flags says what it could not" {
  flags_to_other tmpfs
}

@test "--preserve=all between files without flags, on ext4 and tmpfs, sets none and says nothing" {
  local fs
  for fs in ext4 tmpfs; do
    require_fs "$fs"
    mkdir "$FS_PATH/p$BATS_TEST_NUMBER"
    cd "$FS_PATH/p$BATS_TEST_NUMBER"
    random_file s 10K
    run --separate-stderr cowcp --preserve=all s d
    assert_success
    assert_equal "$stderr" ""
    assert_equal "$(flags_of d)" "$(flags_of s)"
    run --separate-stderr cowcp --preserve=flags s d2
    assert_success
    assert_equal "$stderr" ""
  done
}
