#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Recursive copies and metadata, against GNU cp: each test runs one
# argument vector through run_both (exit status, stdout, stderr, and the
# resulting trees: types, modes, owners, link structure, symlinks, data).
# Timestamps, xattrs and ACLs, which run_both does not compare, are
# checked explicitly where the options preserve them.

load ../helpers/common
load ../helpers/gnu

bats_require_minimum_version 1.5.0

setup ()
{
  umask 022
}

# A small tree with every kind of entry cp -R meets.
fixture ()
{
  mkdir -p s/sub/deep s/empty
  printf 'alpha\n' >s/a
  printf 'bravo\n' >s/sub/b
  printf 'deep\n' >s/sub/deep/c
  chmod 640 s/sub/b
  chmod 4755 s/a
  chmod 750 s/sub
  ln s/a s/sub/a-link
  ln s/sub/deep/c s/c-link
  ln -s a s/sym
  ln -s ../nowhere s/dangling
  ln -s sub s/dirsym
  mkfifo s/fifo
  touch -d '2001-02-03 04:05:06.123456789' s/sub/b s/sub s/a
  touch -h -d '2002-02-03 04:05:06.5' s/sym
  mkdir t
}

# Print "name mtime" for every entry of tree $1, symlinks not followed.
mtimes ()
{
  (cd "$1" && find . -printf '%p %T@\n' | sort)
}

@test "cp -R copies a tree, symlinks as symlinks, a FIFO as a FIFO" {
  run_both -R s n
  assert_success
}

@test "cp -r into an existing directory makes DIR/SOURCE" {
  run_both -r s t
  assert_success
}

# cp copies a directory's entries in inode order, and two twins built one
# after the other need not get their inodes in the same order (XFS, or
# ext4 placing new directories elsewhere).  So both read one source.
@test "cp -rv prints a line per created entry in GNU's order" {
  cd "$BATS_TEST_TMPDIR"
  fixture
  mkdir bin
  ln -s "$COWUTILS_BUILD/src/cowcp" bin/cp
  local gnu
  gnu=$(/usr/bin/cp -rv s g 2>&1)
  run --separate-stderr env PATH="$PWD/bin:$PATH" cp -rv s n
  assert_success
  assert_equal "$stderr" ""
  assert_equal "$output" "${gnu//-> \'g/-> \'n}"
  assert_equal "$(_tree_listing n)" "$(_tree_listing g)"
}

@test "cp -a keeps modes, owners, hard links and timestamps to the nanosecond" {
  run_both -a s n
  assert_success
  # The twins were made at different moments: compare each copy with its
  # own source.
  assert_equal "$(mtimes "$OURS_TWIN/n")" "$(mtimes "$OURS_TWIN/s")"
  assert_equal "$(mtimes "$GNU_TWIN/n")" "$(mtimes "$GNU_TWIN/s")"
}

# Many multiply-linked files spread over directories: the workers copy
# each first name while the walker goes on, and the other names wait for
# that copy.
links_fixture ()
{
  mkdir -p s/d0 s/d1 s/d2 s/d3
  local i
  for i in $(seq 1 150); do
    printf 'file %s\n' "$i" >"s/d$((i % 4))/f$i"
    chmod "$((i % 2 ? 644 : 600))" "s/d$((i % 4))/f$i"
    ln "s/d$((i % 4))/f$i" "s/d$(((i + 1) % 4))/g$i"
    ((i % 3)) || ln "s/d$((i % 4))/f$i" "s/d$(((i + 2) % 4))/h$i"
  done
}

@test "cp -a keeps hard links spread over directories" {
  BOTH_FIXTURE=links_fixture run_both -a s n
  assert_success
  assert_hardlinked "$OURS_TWIN/n/d1/f1" "$OURS_TWIN/n/d2/g1"
  assert_hardlinked "$OURS_TWIN/n/d3/f3" "$OURS_TWIN/n/d1/h3"
}

# The first name's copy fails (a directory is in the way): cp copies the
# next name afresh, and links the third to that one.  Workers report the
# failures as they meet them, so their order is not compared.
@test "cp -a copies the next name of a hard-linked file when the first fails" {
  fixture2 ()
  {
    links_fixture
    mkdir -p n/d1/f1 n/d2/g1 n/d1/f9
  }
  # 9.3+ names the source too; 9.1 said "... with non-directory".
  gnu911 stderr "cp: cannot overwrite directory 'n/./d1/f1' with non-directory 's/./d1/f1'
cp: cannot overwrite directory 'n/./d1/f9' with non-directory 's/./d1/f9'
cp: cannot overwrite directory 'n/./d2/g1' with non-directory 's/./d2/g1'"
  BOTH_STDERR_ORDER=any BOTH_FIXTURE=fixture2 run_both -a s/. n
  assert_failure
  assert [ -f "$OURS_TWIN/n/d2/g9" ]
  assert_hardlinked "$OURS_TWIN/n/d2/g9" "$OURS_TWIN/n/d3/h9"
}

@test "cp -a keeps extended attributes" {
  have_user_xattrs "$BATS_TEST_TMPDIR" || skip "no user.* xattrs on $BATS_TEST_TMPDIR"
  fixture2 () { fixture; setfattr -n user.color -v blue s/a; setfattr -n user.x -v 1 s/sub; }
  BOTH_FIXTURE=fixture2 run_both -a s n
  assert_success
  run getfattr --absolute-names -n user.color --only-values "$OURS_TWIN/n/a"
  assert_output blue
  run getfattr --absolute-names -n user.x --only-values "$OURS_TWIN/n/sub"
  assert_output 1
}

@test "cp -a keeps access ACLs and a directory's default ACL" {
  have_setfacl "$BATS_TEST_TMPDIR" || skip "setfacl unavailable or ACLs unsupported here"
  fixture2 () {
    fixture
    setfacl -m u:nobody:r s/sub/b
    setfacl -d -m g:nogroup:rx s/sub
  }
  BOTH_FIXTURE=fixture2 run_both -a s n
  assert_success
  assert_equal "$(cd "$OURS_TWIN" && getfacl -p n/sub/b | tail -n +2)" \
               "$(cd "$GNU_TWIN" && getfacl -p n/sub/b | tail -n +2)"
  assert_equal "$(cd "$OURS_TWIN" && getfacl -p n/sub | tail -n +2)" \
               "$(cd "$GNU_TWIN" && getfacl -p n/sub | tail -n +2)"
  run getfacl -p "$OURS_TWIN/n/sub/b"
  assert_output --partial 'user:nobody:r--'
}

@test "cp -p keeps mode and times but not links" {
  run_both -p s/a s/sub/a-link t
  assert_success
  assert_equal "$(stat -c %Y.%y "$OURS_TWIN/t/a")" "$(stat -c %Y.%y "$GNU_TWIN/t/a")"
}

@test "cp -d keeps hard links between command-line operands" {
  run_both -d s/a s/sub/a-link t
  assert_success
  assert_hardlinked "$OURS_TWIN/t/a" "$OURS_TWIN/t/a-link"
}

@test "cp -R without -p drops the set-user-ID bit and applies the umask" {
  run_both -R s n
  assert_mode 755 "$OURS_TWIN/n/a"
}

@test "cp -rL follows symlinks, skipping dangling ones with an error" {
  run_both -rL s n
  assert_failure
}

@test "cp -rH follows only command-line symlinks" {
  fixture2 () { fixture; ln -s s top; }
  BOTH_FIXTURE=fixture2 run_both -rH top n
  assert_success
}

# How much of the tree GNU cp copies before it meets the new directory
# depends on inode order, which differs between the twins on a filesystem
# that places new directories anywhere (ext4's Orlov allocator).  So the
# source here has one name per directory: the result is fixed.
@test "cp -r of a directory into itself is refused" {
  fixture2 () { mkdir -p s/sub; }
  BOTH_FIXTURE=fixture2 run_both -r s s/sub
  assert_failure
  assert [ -d "$OURS_TWIN/s/sub/s/sub" ]
}

@test "cp -r of a directory into itself stops the copy with GNU's message" {
  cd "$BATS_TEST_TMPDIR" && fixture
  run --separate-stderr cowcp -r s s/sub
  assert_failure 1
  assert_equal "$stderr" "cowcp: cannot copy a directory, 's', into itself, 's/sub/s'"
  assert [ -d s/sub/s ]
  assert [ ! -e s/sub/s/sub/s ]
}

@test "cp -r onto an existing file is refused" {
  fixture2 () { fixture; : >file; }
  BOTH_FIXTURE=fixture2 run_both -r s file
  assert_failure
}

@test "cp -rn keeps existing files and merges directories" {
  fixture2 () { fixture; mkdir -p n/sub; printf 'old\n' >n/a; }
  BOTH_FIXTURE=fixture2 run_both -rn s/. n
  assert_success
  assert_equal "$(<"$OURS_TWIN/n/a")" old
}

@test "cp -ru replaces only older files" {
  fixture2 () {
    fixture; mkdir -p n/sub
    printf 'newer\n' >n/a
    printf 'older\n' >n/sub/b; touch -d 1999-01-01 n/sub/b
  }
  BOTH_FIXTURE=fixture2 run_both -ru s/. n
  assert_success
}

@test "cp -rl links every file and makes the directories" {
  # -l follows symlinks, so the dangling one fails in both.
  run_both -rl s n
  assert_failure
  assert_hardlinked "$OURS_TWIN/s/a" "$OURS_TWIN/n/a"
}

@test "cp -s refuses relative symlinks outside the current directory" {
  run_both -s s/a t/x
  assert_failure
}

@test "cp -s makes a symlink in the current directory" {
  run_both -s s/a x
  assert_success
}

@test "cp --backup keeps the old file as FILE~" {
  fixture2 () { fixture; printf 'old\n' >t/a; }
  BOTH_FIXTURE=fixture2 run_both -v --backup s/a t
  assert_success
}

@test "cp --backup=numbered makes FILE.~1~" {
  fixture2 () { fixture; printf 'old\n' >t/a; }
  BOTH_FIXTURE=fixture2 run_both --backup=numbered s/a t
  assert_success
}

@test "cp -S makes backups with that suffix" {
  fixture2 () { fixture; printf 'old\n' >t/a; }
  BOTH_FIXTURE=fixture2 run_both -S .bak s/a t
  assert_success
}

@test "cp --backup with -n is refused" {
  # 9.11 words it differently from 9.1.
  gnu911 stderr "cp: --backup is mutually exclusive with -n or --update=none-fail
Try 'cp --help' for more information."
  run_both --backup -n s/a t
  assert_failure
}

@test "cp --remove-destination replaces a symlink destination" {
  fixture2 () { fixture; ln -s ../s/sub/b t/a; }
  BOTH_FIXTURE=fixture2 run_both -v --remove-destination s/a t
  assert_success
}

@test "cp --attributes-only copies no data" {
  fixture2 () { fixture; printf 'keep\n' >t/a; }
  BOTH_FIXTURE=fixture2 run_both -p --attributes-only s/a t
  assert_success
  assert_equal "$(<"$OURS_TWIN/t/a")" keep
}

@test "cp --parents -v recreates the source path under the directory" {
  run_both -v --parents s/sub/b t
  assert_success
}

# Print "name mode owner mtime" of each directory on the path $2 under $1.
parent_attrs ()
{
  local d=$1 rest=$2 part
  while [[ $rest == */* ]]; do
    part=${rest%%/*} rest=${rest#*/}
    d=$d/$part
    stat -c '%a %u:%g %y' -- "$d"
  done
}

@test "cp -a --parents gives the made directories their sources' attributes" {
  fixture2 () { fixture; chown 1000:1000 s/sub; chmod 700 s; touch -d '2003-04-05' s; }
  BOTH_FIXTURE=fixture2 run_both -a --parents s/sub/b t
  assert_success
  assert_equal "$(parent_attrs "$OURS_TWIN/t" s/sub/b)" "$(parent_attrs "$OURS_TWIN" s/sub/b)"
  assert_equal "$(parent_attrs "$GNU_TWIN/t" s/sub/b)" "$(parent_attrs "$GNU_TWIN" s/sub/b)"
}

# When it has to make one, GNU cp sets them on the directories that were
# there already too; when the whole path exists, on none.
@test "cp -a --parents sets the attributes of existing directories on a path it extends" {
  fixture2 () { fixture; mkdir -p t/s; chmod 777 t/s; touch -d '2010-01-01' t/s; }
  BOTH_FIXTURE=fixture2 run_both -a --parents s/sub/b t
  assert_success
  assert_equal "$(parent_attrs "$OURS_TWIN/t" s/sub/b)" "$(parent_attrs "$OURS_TWIN" s/sub/b)"
  assert_equal "$(parent_attrs "$GNU_TWIN/t" s/sub/b)" "$(parent_attrs "$GNU_TWIN" s/sub/b)"
}

@test "cp -a --parents leaves a path that exists whole as it is" {
  fixture2 () { fixture; mkdir -p t/s/sub; chmod 777 t/s; touch -d '2010-01-01' t/s t/s/sub; }
  BOTH_FIXTURE=fixture2 run_both -a --parents s/sub/b t
  assert_success
  assert_equal "$(stat -c '%a %y' "$OURS_TWIN/t/s")" "$(stat -c '%a %y' "$GNU_TWIN/t/s")"
}

# Without -p a made directory gets the source's bits less the umask; one
# its owner may not write is made writable while it is filled, then
# given its mode.
@test "cp --parents makes read-only directories and fills them" {
  fixture2 () { fixture; mkdir -p r/o; printf 'x\n' >r/o/f; chmod 555 r/o; chmod 500 r; }
  BOTH_FIXTURE=fixture2 run_both --parents r/o/f t
  assert_success
  assert_equal "$(stat -c %a "$OURS_TWIN/t/r" "$OURS_TWIN/t/r/o")" $'500\n555'
  chmod -R u+w "$GNU_TWIN" "$OURS_TWIN"
}

@test "cp --parents needs a directory destination" {
  run_both --parents s/a newfile
  assert_failure
}

@test "cp -x does not descend into another filesystem" {
  require_root
  run cowcp -rx /dev "$BATS_TEST_TMPDIR/devcopy"
  [ -d "$BATS_TEST_TMPDIR/devcopy/pts" ] || skip "no /dev/pts mount here"
  run find "$BATS_TEST_TMPDIR/devcopy/pts" -mindepth 1
  assert_output ""
}

@test "cp --preserve=context fails without SELinux before copying" {
  [ -e /sys/fs/selinux/enforce ] && skip "SELinux is enabled here"
  run_both --preserve=context s/a t
  assert_failure
}

@test "cp --context=CTX warns and copies without SELinux" {
  [ -e /sys/fs/selinux/enforce ] && skip "SELinux is enabled here"
  run_both --context=system_u:object_r:tmp_t:s0 s/a t
  assert_success
}

@test "cp --preserve=foo gives GNU's argmatch list, with cowcp's flags before all" {
  [[ -x /usr/bin/cp ]] || skip "/usr/bin/cp not installed"
  run -1 --separate-stderr /usr/bin/cp --preserve=foo s/a t
  local want=${stderr//\/usr\/bin\/cp/cowcp}
  want=${want/"  - 'all'"/"  - 'flags'"$'\n'"  - 'all'"}
  assert_equal "$(grep -c "'flags'" <<<"$want")" 1
  run -1 --separate-stderr cowcp --preserve=foo s/a t
  assert_equal "$stderr" "$want"
  assert_output ""
}

@test "cp --no-preserve=mode gives new files 0666 less the umask" {
  run_both -a --no-preserve=mode s n
  assert_success
}

@test "cp -l and -s together are refused" {
  run_both -l -s s/a t
  assert_failure
}

@test "cp -a with --cow on btrfs shares each file and links hard links" {
  require_root
  make_loop_fs btrfs 128M treefs || skip "btrfs loop mount unavailable: $(fs_reason treefs)"
  require_fs treefs
  cd "$FS_PATH"
  fixture
  # Small files live inline in btrfs metadata and cannot be shared.
  head -c 65536 /dev/urandom >s/sub/b
  run cowcp -a --cow=always s n
  assert_success
  assert_shares_extents s/sub/b n/sub/b
  assert_hardlinked n/a n/sub/a-link
  cd /
  cleanup_loop_fs
}

@test "xattrs onto a filesystem without them: -a is quiet, --preserve=xattr fails as GNU" {
  require_root
  have_user_xattrs "$BATS_TEST_TMPDIR" || skip "no user.* xattrs on $BATS_TEST_TMPDIR"
  mkdir "$BATS_TEST_TMPDIR/ram"
  mount -t ramfs none "$BATS_TEST_TMPDIR/ram" || skip "cannot mount ramfs"
  cd "$BATS_TEST_TMPDIR"
  printf 'x\n' >xa
  setfattr -n user.q -v 1 xa
  local ok=0
  run cowcp -a xa ram/a && [ "$status" -eq 0 ] && [ -z "$output" ] || ok=1
  run cowcp --preserve=xattr xa ram/b
  local st=$status out=$output
  run /usr/bin/cp --preserve=xattr xa ram/c
  local gst=$status gout=$output
  umount "$BATS_TEST_TMPDIR/ram"
  [ "$ok" -eq 0 ] || fail "cowcp -a was not quiet or failed"
  assert_equal "$st" "$gst"
  assert_equal "${out/ram\/b/X}" "$(printf %s "$gout" | sed "s,/usr/bin/cp,cowcp,; s,ram/c,X,")"
  assert_equal "$st" 1
}

@test "cp -RL of a symlink to an ancestor reports a cycle and copies the rest" {
  fixture2 () { mkdir -p s/sub; printf 'x\n' >s/sub/f; ln -s .. s/sub/up; }
  BOTH_FIXTURE=fixture2 run_both -RL s t2
  assert_failure
}

@test "cp -a copies a tree 1500 directories deep under a soft limit of 1024 descriptors" {
  cd "$BATS_TEST_TMPDIR"
  [ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge 4096 ] \
    || skip "hard descriptor limit $(ulimit -Hn) is below 4096"
  # One mkdir -p (3,000 bytes, under PATH_MAX): a shell loop of mkdir
  # and cd took 40 s of system time, forking from ever deeper.
  local path=deep/$(printf 'd/%.0s' $(seq 1 1500))
  mkdir -p "$path"
  printf 'bottom\n' >"${path}f"
  [ "$(find deep -type d | wc -l)" = 1501 ]
  run bash -c 'ulimit -Sn 1024 && cowcp -a deep copy'
  assert_success
  assert_output ""
  run diff -r deep copy
  assert_success
}
