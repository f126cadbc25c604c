#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# cowcp against GNU cp: each test runs one argument vector through run_both
# (tests/helpers/gnu.bash), which runs GNU cp and cowcp, both named `cp',
# on twin fixtures and compares exit status, stdout, stderr and the trees.
# Where GNU coreutils 9.11, the reference, differs from the machine's cp
# (9.1), the test states 9.11's result with gnu911.

load ../helpers/common
load ../helpers/gnu

setup ()
{
  umask 022
}

teardown ()
{
  # A test that needed ext4 may have made a loop filesystem.
  cd /
  cleanup_loop_fs
}

# The default fixture, built in each twin.  Tests that need more redefine
# `fixture' in their body.
fixture ()
{
  printf 'alpha\n' >a
  printf 'bravo bravo\n' >b
  chmod 600 b
  printf 'charlie\n' >c
  printf 'file\n' >f
  : >empty
  mkdir d
  ln a hl
  ln -s a sl
  ln -s d sld
  ln -s nowhere dangling
}

# --- successful copies ----------------------------------------------------

@test "a file is copied to a new name" {
  run_both a new
  assert_equal "$(<"$OURS_TWIN/new")" alpha
}

@test "copying onto an existing file replaces its content and keeps its mode" {
  run_both a b
  assert_equal "$(<"$OURS_TWIN/b")" alpha
  assert_mode 600 "$OURS_TWIN/b"
}

@test "a file is copied into a directory under its base name" {
  run_both a d
  assert_file_exists "$OURS_TWIN/d/a"
}

@test "several files are copied into a directory" {
  run_both a b c d
}

@test "a directory reached through a symlink is a target directory" {
  run_both a c sld
}

@test "-t copies every source into the directory" {
  run_both -t d a c
}

@test "-T copies to the destination name" {
  run_both -T a new
}

@test "an empty file is copied as an empty file" {
  run_both empty new
}

@test "a symlink source is followed and its target's data copied" {
  run_both sl new
  assert_equal "$(stat -c %F "$OURS_TWIN/new")" "regular file"
}

@test "copying onto a symlink to a file writes through it" {
  run_both c sl
  assert_equal "$(<"$OURS_TWIN/a")" charlie
}

@test "/dev/null as source gives an empty file" {
  run_both /dev/null new
}

@test "/dev/null as destination is written without error" {
  run_both a /dev/null
}

@test "a sparse file is copied with its holes" {
  fixture ()
  {
    printf 'head' >sparse
    truncate -s 4M sparse
    printf 'tail' >>sparse
  }
  run_both sparse new
  assert_sparse "$OURS_TWIN/new"
}

@test "--sparse=always turns runs of zeros into holes" {
  fixture () { head -c 1M /dev/zero >zeros; printf 'end' >>zeros; }
  run_both --sparse=always zeros new
}

@test "--sparse=never fills the holes of a sparse source" {
  fixture () { truncate -s 1M sparse; printf 'tail' >>sparse; }
  # 9.1 still clones where it can (btrfs, XFS), keeping the holes; 9.11
  # turns cloning and copy offload off for --sparse=never.
  gnu911 tree 'rm new && /usr/bin/cp --reflink=never --sparse=never sparse new'
  run_both --sparse=never sparse new
}

@test "--reflink=never copies the data" {
  run_both --reflink=never a new
}

@test "--reflink=auto copies the data where no clone is possible" {
  run_both --reflink=auto a new
}

@test "a name with spaces, quotes and a newline is copied and quoted in -v" {
  fixture ()
  {
    printf 'one\n' >'a b'
    printf 'two\n' >"it's"
    printf 'three\n' >$'nl\nx'
    mkdir d
  }
  run_both -v 'a b' "it's" $'nl\nx' d
}

@test "-v prints one line per file copied" {
  run_both -v a new
}

@test "-v into a directory prints the full destination names" {
  run_both -v a c d
}

@test "-n leaves an existing destination untouched and exits 0" {
  run_both -n a b
  assert_equal "$(<"$OURS_TWIN/b")" 'bravo bravo'
}

@test "-n with the same file twice is silent and exits 0" {
  run_both -n a a
}

@test "-i answered yes overwrites the destination" {
  BOTH_STDIN=$'y\n' run_both -i a b
}

@test "-i answered no keeps the destination and exits 1" {
  # 9.2+: a declined overwrite fails (9.1 exited 0).
  gnu911 status 1
  BOTH_STDIN=$'n\n' run_both -i a b
  assert_equal "$(<"$OURS_TWIN/b")" 'bravo bravo'
}

@test "-f does not cancel -i" {
  gnu911 status 1
  BOTH_STDIN=$'n\n' run_both -f -i a b
}

@test "-f replaces a destination that cannot be opened for writing" {
  # A socket cannot be opened (ENXIO) but can be removed.
  fixture ()
  {
    printf 'alpha\n' >a
    perl -MIO::Socket::UNIX -e \
      'IO::Socket::UNIX->new (Local => "sock", Listen => 1) or die "$!\n"'
  }
  run_both -fv a sock
}

@test "without -f a destination that cannot be opened is an error" {
  fixture ()
  {
    printf 'alpha\n' >a
    perl -MIO::Socket::UNIX -e \
      'IO::Socket::UNIX->new (Local => "sock", Listen => 1) or die "$!\n"'
  }
  run_both a sock
}

@test "-f onto an immutable file reports that it cannot be removed" {
  have_cmd chattr || skip "chattr not installed"
  local probe=$BATS_TEST_TMPDIR/probe
  : >"$probe"
  chattr +i "$probe" 2>/dev/null \
    || skip "chattr +i unsupported here (not root, or $(stat -f -c %T "$BATS_TEST_TMPDIR"))"
  chattr -i "$probe"
  fixture () { printf 'alpha\n' >a; printf 'old\n' >b; chattr +i b; }
  run_both -f a b
}

# --- operand errors -------------------------------------------------------

@test "no operands is a usage error" {
  run_both
}

@test "one operand is a usage error naming it" {
  run_both a
}

@test "-t with no source is a usage error" {
  run_both -t d
}

@test "-T with three operands reports the extra operand" {
  run_both -T a b c
}

@test "-T with one operand is a usage error naming it" {
  run_both -T a
}

@test "-t and -T together are refused" {
  run_both -t d -T a
}

@test "-t and -T with no source report the missing operand first" {
  run_both -t d -T
}

@test "-t naming a missing directory with no source reports the missing operand" {
  run_both -t nodir
}

@test "-t given twice is refused" {
  run_both -t d -t d a
}

@test "a last operand that is a file with three operands is not a directory" {
  run_both a c f
}

@test "a missing last operand with three operands is reported" {
  run_both a c nodir
}

@test "-t naming a missing directory is reported" {
  run_both -t nodir a
}

@test "-t naming a file is reported as not a directory" {
  run_both -t f a
}

@test "a missing source is reported and the other sources are still copied" {
  run_both a missing c d
  assert_file_exists "$OURS_TWIN/d/c"
}

@test "a directory source without -r is omitted and the others copied" {
  fixture () { printf 'alpha\n' >a; mkdir sub d; }
  run_both a sub d
}

@test "a directory as the only source is omitted" {
  run_both d new
}

@test "a source with a trailing slash cannot be stat'ed" {
  run_both a/ new
}

@test "the same source twice into a directory warns and exits 0" {
  run_both a ./a d
}

@test "two sources with the same base name do not overwrite each other" {
  fixture () { printf 'alpha\n' >a; mkdir sub d; printf 'sub\n' >sub/a; }
  run_both a sub/a d
}

# --- destination errors ---------------------------------------------------

@test "-T onto a directory names both files (9.11)" {
  # 9.3+ names the source too; 9.1 said "... with non-directory".
  gnu911 stderr "cp: cannot overwrite directory 'd' with non-directory 'a'"
  run_both -T a d
}

@test "a file onto a directory inside the target names both files (9.11)" {
  fixture () { printf 'alpha\n' >a; mkdir -p d/a; }
  gnu911 stderr "cp: cannot overwrite directory 'd/a' with non-directory 'a'"
  run_both a d
}

@test "copying a file onto itself is refused" {
  run_both a a
}

@test "copying a file onto itself as ./name is refused" {
  run_both ./a a
}

@test "copying a file onto a hard link of itself is refused" {
  run_both a hl
}

@test "copying a file onto a symlink to itself is refused" {
  run_both a sl
}

@test "copying a symlink onto its target is refused" {
  run_both sl a
}

@test "-f does not bypass the same-file check" {
  run_both -f a hl
}

@test "a dangling symlink destination is not written through" {
  run_both a dangling
}

@test "with POSIXLY_CORRECT a dangling symlink destination is written through" {
  POSIXLY_CORRECT=1 run_both a dangling
  assert_equal "$(<"$OURS_TWIN/nowhere")" alpha
}

@test "a missing destination with a trailing slash is not a directory" {
  run_both a new/
}

@test "a destination with a trailing slash inside a directory is not a directory" {
  run_both a d/x/
}

@test "an existing file destination with a trailing slash cannot be stat'ed" {
  run_both a f/
}

@test "a destination in a missing directory cannot be created" {
  run_both a nodir/x
}

@test "a quoted name appears quoted in an error" {
  fixture () { printf 'one\n' >'a b'; }
  run_both 'a b' "no dir/it's"
}

@test "a write error on /dev/full is reported" {
  run_both a /dev/full
}

# --- option errors --------------------------------------------------------

@test "an unknown long option is a usage error" {
  run_both --bogus a b
}

@test "an unknown short option is a usage error" {
  run_both -Q a b
}

@test "a bad --reflink value lists the valid ones" {
  run_both --reflink=foo a b
}

@test "a bad --sparse value lists the valid ones" {
  run_both --sparse=foo a b
}

@test "an ambiguous --reflink value is refused" {
  run_both --reflink=a a b
}

@test "a unique prefix of a --sparse value is accepted" {
  run_both --sparse=al a new
}

@test "--reflink=always with --sparse=never is refused" {
  run_both --reflink=always --sparse=never a new
}

@test "a bare --reflink with --sparse=always is refused" {
  run_both --reflink --sparse=always a new
}

@test "--reflink=always where no clone is possible fails and leaves nothing" {
  enter_noclone_dir
  # 9.2+: the empty destination cp created is removed (9.1 left it).
  gnu911 tree 'rm new'
  BATS_TEST_TMPDIR=$PWD run_both --reflink=always a new
  assert_file_not_exists "$OURS_TWIN/new"
}

@test "--parents with a missing directory on the path fails to get its attributes" {
  fixture () { mkdir p; }
  run_both --parents nonexist/x p/
  assert_failure
}

@test "--parents through a regular file makes nothing" {
  fixture () { mkdir d; echo f >f; }
  run_both --parents f/g d
  assert_failure
  [[ ! -e $OURS_TWIN/d/f ]]
}
