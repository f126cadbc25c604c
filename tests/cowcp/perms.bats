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

# GNU cp withholds group and other bits from every new file and
# directory while it preserves ownership.  cowcp withholds only those
# that would let someone in early (copy-meta.c, withheld_bits): while a
# copy is made it is the copier's, and anyone else gets its group or
# other bits; once its owner is given, its owner, group or other bits.
# Bits all three classes have (r-x of 0755, r of 0644) let nobody in
# early and are not withheld (a directory's group and other write bits
# are, as without -p); from a regular file made with its final owner and
# group, nothing is.  Each bit not withheld is a chmod saved.  Special
# files are made as GNU makes them.  What the copy ends with is GNU's.
@test "cp -a and cp --preserve=ownership withhold only the group and other bits that would let someone in early, and end with GNU's modes" {
  have_cmd strace || skip "strace not installed"
  cd "$META_BASE"
  mkdir -p s/d s/g s/e
  echo 1 >s/f
  echo 2 >s/d/h
  mkfifo s/p
  chmod 664 s/f s/d/h
  chmod 2775 s/g
  chmod 1777 s/d
  chmod 4755 s/p
  chmod 750 s/e
  local opts
  for opts in -a -rp '-r --preserve=ownership' -r '-r --no-preserve=mode'; do
    rm -rf gnu ours
    # shellcheck disable=SC2086
    run creation_modes "$GNU_CP" $opts s gnu
    local want=$output
    case $opts in
      -a|-rp|*ownership)
        # GNU: every group and other bit withheld.
        assert_equal "$want" "d 1700
e 0700
f 0600
g 2700
gnu 0700
h 0600
p 4700"
        want="d 1755
e 0700
f 0664
g 2755
gnu 0755
h 0664
p 4700" ;;
    esac
    # shellcheck disable=SC2086
    run creation_modes cowcp $opts s ours
    assert_equal "$(sed 's/^ours /gnu /' <<<"$output" | sort)" "$want"
    # shellcheck disable=SC2086
    "$GNU_CP" $opts s gnu2
    assert_equal "$(meta_listing ours)" "$(meta_listing gnu2)"
    rm -rf gnu2
  done
}

@test "cp -a withholds from a file whose owner or group is still to be given only what its final modes would not give" {
  require_root
  have_cmd strace || skip "strace not installed"
  cd "$META_BASE"
  mkdir s g
  echo 1 >s/theirs
  echo 2 >s/group
  echo 3 >s/mine
  echo 4 >s/secret
  chmod 664 s/*
  chmod 640 s/secret
  chown daemon s/theirs s/secret
  chgrp daemon s/group
  # A set-group-ID directory of another group: a file of the copier's
  # group is made with that group, and chowned after.
  chgrp daemon g
  chmod 2777 g
  run creation_modes cowcp -a s/theirs s/group s/mine s/secret .
  assert_line 'theirs 0644'
  assert_line 'group 0644'
  assert_line 'mine 0664'
  assert_line 'secret 0600'
  run creation_modes cowcp -a s/mine s/group g/
  assert_line 'mine 0644'
  assert_line 'group 0664'
  run stat -c '%n %U:%G %a' theirs group mine secret g/mine g/group
  assert_output "theirs daemon:root 664
group root:daemon 664
mine root:root 664
secret daemon:root 640
g/mine root:root 664
g/group root:daemon 664"
}

# The rule, on every permission pattern a class can have against the
# others: for each source mode and another owner or group, the mode cowcp
# makes a file and a directory with gives no one -- a member of the
# copier's group, the final owner, a member of the final group, anyone
# else -- more than the finished copy does, and the copy ends as GNU's.
@test "cp -a: no new file or directory is made with a bit its finished copy would keep from someone" {
  require_root
  have_cmd strace || skip "strace not installed"
  cd "$META_BASE"
  local modes="0777 0775 0755 0751 0750 0711 0700 0666 0664 0644 0640 0604
0600 0466 0444 0440 0404 0400 0070 0007 0057 0765 0576" m i=0
  mkdir s
  for m in $modes; do
    i=$((i + 1))
    echo "$m" >"s/f$i"
    mkdir "s/d$i"
    chmod "$m" "s/f$i" "s/d$i"
    # Half the entries another user's, a third another group's.
    (( i % 2 )) && chown daemon "s/f$i" "s/d$i"
    (( i % 3 )) || chgrp daemon "s/f$i" "s/d$i"
  done
  run creation_modes cowcp -a s ours
  local made=$output
  "$GNU_CP" -a s gnu
  assert_equal "$(meta_listing ours)" "$(meta_listing gnu)"
  perl -e '
    my %final;
    # The copier'"'"'s own (root:root) is made with its final owner.
    for (split /\n/, $ARGV[0]) {
      my ($n, $m, $u, $g) = split; $final{$n} = oct $m if $u || $g }
    my $bad = 0;
    for (split /\n/, $ARGV[1]) {
      my ($n, $made) = split; next unless exists $final{$n};
      my $f = $final{$n}; $made = oct $made;
      my $may = ($f >> 6) & ($f >> 3) & $f & 7;   # what everyone gets in the end
      for my $class (3, 0) {                       # group, other while made
        my $has = ($made >> $class) & 7;
        if ($has & ~$may) { print "$n made ", sprintf ("%04o", $made),
                            " final ", sprintf ("%04o", $f), "\n"; $bad = 1 }
      }
    }
    exit $bad;' "$(cd s && stat -c '%n %a %u %g' -- *)" "$made"
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
