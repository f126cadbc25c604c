#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Permissions while a copy is made and after, against GNU cp 9.1, as root
# and as nobody (meta.bash): what a new file, directory or special file
# is created with (group and other bits withheld while ownership is to
# be set, owner write added for an unprivileged copy of attributes), the
# set-group-ID bit a directory inherits, set-ID and sticky bits when the
# owner cannot be given, and special files' owner, mode, times and
# attributes.

load ../helpers/common
load meta

bats_require_minimum_version 1.5.0

setup_file ()
{
  make_loop_fs ext4 64M grpid || true
}

teardown_file ()
{
  cleanup_loop_fs
}

setup ()
{
  meta_setup
}

teardown ()
{
  meta_teardown
}

# creation_modes PROG ARGS...: run PROG ARGS under strace in the working
# directory and print, sorted, "NAME MODE" for every file, directory and
# special file it created (NAME the last component).
creation_modes ()
{
  local trace=$BATS_TEST_TMPDIR/trace
  under_strace -f -qq -o "$trace" -e trace=openat,mkdir,mkdirat,mknod,mknodat \
    "$@" >/dev/null 2>&1
  perl -ne '
    my %bit = (S_ISUID => 04000, S_ISGID => 02000, S_ISVTX => 01000);
    sub mode { my $m = 0; for (split /\|/, shift) { $m |= /^0/ ? oct : $bit{$_} // 0 } sprintf "%04o", $m }
    if (/(?:mkdirat?|mknodat?)\((?:[^,]+, )?"([^"]*)", ([\w|]+)/
        || /openat\([^,]+, "([^"]*)", [^,)]*O_CREAT[^,)]*, ([\w|]+)/) {
      my ($n, $m) = ($1, mode ($2)); $n =~ s|.*/||; print "$n $m\n";
    }' "$trace" | sort
}

# GNU cp withholds group and other bits from every new file while it
# preserves ownership.  cowcp withholds them too, except from a regular
# file made with its final owner and group already (the copier's own
# file, in a directory of the copier's group or a set-group-ID one of the
# file's group): there they would keep out nobody the finished copy lets
# in, and giving them back was one fchmod a file.  Directories and
# special files are made as GNU makes them.
@test "cp -a and cp --preserve=ownership create directories and FIFOs without group or other bits, as GNU cp, and the copier's own files with their mode" {
  have_cmd strace || skip "strace not installed"
  cd "$META_BASE"
  mkdir -p s/d s/g
  echo 1 >s/f
  echo 2 >s/d/h
  mkfifo s/p
  chmod 664 s/f s/d/h
  chmod 2775 s/g
  chmod 1777 s/d
  chmod 4755 s/p
  local opts
  for opts in -a -rp '-r --preserve=ownership' -r '-r --no-preserve=mode'; do
    rm -rf gnu ours
    # shellcheck disable=SC2086
    run creation_modes "$GNU_CP" $opts s gnu
    local want=$output
    case $opts in
      -a|-rp|*ownership) want=$(sed 's/^\([fh]\) 0600$/\1 0664/' <<<"$want") ;;
    esac
    # shellcheck disable=SC2086
    run creation_modes cowcp $opts s ours
    assert_equal "$(sed 's/^ours /gnu /' <<<"$output" | sort)" "$want"
    # shellcheck disable=SC2086
    "$GNU_CP" $opts s gnu2
    assert_equal "$(meta_listing ours)" "$(meta_listing gnu2)"
    rm -rf gnu2
  done
  rm -rf ours
  run creation_modes cowcp -a s ours
  assert_line 'f 0664'
  assert_line 'd 1700'
  assert_line 'g 2700'
  assert_line 'p 4700'
}

@test "cp -a withholds group and other bits from a file whose owner or group is still to be given, as GNU cp" {
  require_root
  have_cmd strace || skip "strace not installed"
  cd "$META_BASE"
  mkdir s g
  echo 1 >s/theirs
  echo 2 >s/group
  echo 3 >s/mine
  chmod 664 s/*
  chown daemon s/theirs
  chgrp daemon s/group
  # A set-group-ID directory of another group: a file of the copier's
  # group is made with that group, and chowned after.
  chgrp daemon g
  chmod 2777 g
  run creation_modes cowcp -a s/theirs s/group s/mine .
  assert_line 'theirs 0600'
  assert_line 'group 0600'
  assert_line 'mine 0664'
  run creation_modes cowcp -a s/mine s/group g/
  assert_line 'mine 0600'
  assert_line 'group 0664'
  run stat -c '%n %U:%G %a' theirs group mine g/mine g/group
  assert_output "theirs daemon:root 664
group root:daemon 664
mine root:root 664
g/mine root:root 664
g/group root:daemon 664"
}

@test "cp -a on a filesystem mounted grpid gives a new file its source's group, as GNU cp" {
  require_root
  require_fs grpid
  mount -o remount,grpid "$FS_PATH" || skip "cannot remount ext4 with grpid"
  cd "$FS_PATH"
  rm -rf ./*
  mkdir D s
  chgrp daemon D
  echo 1 >f
  echo 2 >s/g
  chmod 664 f s/g
  cowcp -a f D/ours
  "$GNU_CP" -a f D/gnu
  cowcp -a s D/sours
  "$GNU_CP" -a s D/sgnu
  mount -o remount,nogrpid "$FS_PATH"
  run stat -c '%U:%G %a' D/ours D/gnu D/sours/g D/sgnu/g D/sours D/sgnu
  assert_output "root:root 664
root:root 664
root:root 664
root:root 664
root:root 755
root:root 755"
}

@test "cp -r keeps the set-group-ID bit a new directory inherits" {
  fixture () { mkdir g d; chmod g+s g; chmod 775 d; echo 1 >d/f; }
  meta_both_users -r d g/
  run stat -c %A "$META_BASE/root-ours/g/d"
  assert_output drwxr-sr-x
}

@test "cp -p and cp -a keep the set-group-ID bit a new directory inherits" {
  fixture () { mkdir g d; chmod g+s g; chmod 775 d; echo 1 >d/f; }
  meta_both_users -rp d g/
  meta_both_users -a d g/
}

@test "cp -a into a set-group-ID directory of another group gives every copy its source's group" {
  require_root
  fixture () { mkdir g d; chmod 775 d; echo 1 >d/f; }
  root_fixture () { chgrp daemon g; chmod 2777 g; }
  meta_both_users -a d g/
  meta_both_users -r --preserve=ownership d g/
  meta_both_users -r d g/
}

@test "cp -a of a directory of another owner keeps the sticky bit and drops set-group-ID, as GNU cp" {
  require_root
  fixture () { true; }
  root_fixture () {
    mkdir -p d/e
    touch d/e/f
    chown -R daemon:daemon d
    chmod 3775 d d/e
  }
  meta_both_users -a d t
  meta_both_users -r --preserve=ownership d t
}

@test "cp -p of a set-ID file of another owner drops its set-ID bits when the owner cannot be given" {
  require_root
  fixture () { true; }
  root_fixture () { echo 1 >f; chown daemon:daemon f; chmod 6775 f; }
  meta_both_users -p f g
  meta_both_users --preserve=ownership f g
}

@test "cp --preserve=ownership onto an existing set-user-ID file of the same owner leaves its mode" {
  fixture () { echo 1 >f; chmod 644 f; echo 2 >g; chmod 4755 g; }
  meta_both_users --preserve=ownership f g
  meta_both_users -p f g
}

@test "cp --preserve=xattr of a read-only file copies its attributes, also unprivileged" {
  have_user_xattrs "$META_BASE" || skip "no user.* xattrs in $META_BASE"
  fixture () { echo 1 >f; setfattr -n user.a -v b f; chmod 444 f; }
  meta_both_users --preserve=xattr f g
  meta_both_users -a f g
  meta_both_users --preserve=xattr --no-preserve=mode f g
  META_UMASK=0277 meta_both_users --preserve=xattr f g
  run getfattr --absolute-names -n user.a --only-values "$OURS_TWIN/g"
  assert_output b
}

@test "cp -r --preserve=xattr of a read-only directory copies its attributes" {
  have_user_xattrs "$META_BASE" || skip "no user.* xattrs in $META_BASE"
  fixture () { mkdir d; setfattr -n user.a -v b d; chmod 555 d; }
  after () { chmod u+w d t; }
  meta_both_users -r --preserve=xattr d t
}

@test "cp -r gives back a directory's withheld bits, less the umask" {
  fixture () { mkdir -p d/e s; chmod 777 d/e d; chmod 1777 s; }
  META_UMASK=027 meta_both_users -r d t
  META_UMASK=077 meta_both_users -r s t
  META_UMASK=027 meta_both_users -r --preserve=ownership s t
}

@test "cp -r and cp -a make a read-only directory and fill it" {
  fixture () { mkdir -p d/e; touch d/e/f; chmod 500 d/e d; }
  after () { chmod -R u+w d t; }
  meta_both_users -r d t
  meta_both_users -a d t
  meta_both_users -r --preserve=ownership d t
}

@test "cp -a of a FIFO keeps its mode, owner and times" {
  fixture () { mkfifo p; chmod 640 p; }
  meta_both_users -a p q
}

@test "cp -r of a FIFO gives it its source's mode and special bits less the umask" {
  fixture () { mkdir d; mkfifo p r; chmod 4775 p; chmod 1777 r; }
  META_UMASK=027 meta_both_users -r p r d
}

@test "cp -r --preserve=ownership of a FIFO keeps the set-group-ID bit a chown leaves" {
  fixture () { mkfifo p; chmod 6775 p; }
  meta_both_users -r --preserve=ownership p q
}

@test "cp --no-preserve=mode gives a FIFO 0666 and a socket 0777 less the umask" {
  have_cmd python3 || skip "python3 not installed"
  fixture () {
    mkdir d
    mkfifo p
    chmod 600 p
    python3 -c 'import socket; socket.socket (socket.AF_UNIX).bind ("k")'
    chmod 600 k
  }
  meta_both_users -r --no-preserve=mode p k d
}

@test "cp -a of a FIFO of another owner keeps its set-user-ID bit, as GNU cp 9.1" {
  require_root
  fixture () { true; }
  root_fixture () { mkfifo p; chown daemon:daemon p; chmod 4750 p; }
  meta_both_users -a p q
  meta_both_users -rp p q
}

@test "cp -a of a FIFO copies its trusted.* attributes" {
  require_root
  fixture () { mkfifo p; }
  root_fixture () { setfattr -n trusted.x -v 1 p; }
  meta_both_users -a p q
  meta_both_users -r --preserve=xattr p q
  run getfattr --absolute-names -n trusted.x --only-values "$META_BASE/root-ours/q"
  assert_output 1
}

@test "cp -a of a character device keeps its mode, owner and times" {
  require_root
  fixture () { true; }
  root_fixture () { mknod n c 1 3; chown daemon:daemon n; chmod 620 n; }
  meta_both root -a n m
}
