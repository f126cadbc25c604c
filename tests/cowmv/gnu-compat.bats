#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# cowmv against GNU mv on one filesystem: each test runs one argument
# vector through run_both_prog mv (tests/helpers/gnu.bash), which runs GNU
# mv and cowmv, both named `mv', on twin fixtures and compares exit status,
# stdout, stderr and the trees.  Where GNU coreutils 9.11, the reference,
# differs from the machine's mv (9.1), the test states 9.11's result with
# gnu911 (see /work/notes/gnu-mv.md §7).  Options 9.1 does not have
# (--update=WORD, --no-copy, --exchange, --debug) are checked against the
# 9.11 result directly.

load ../helpers/common
load ../helpers/gnu

bats_require_minimum_version 1.5.0

setup ()
{
  umask 022
}

# The default fixture, built in each twin.
fixture ()
{
  printf 'alpha\n' >a
  printf 'bravo bravo\n' >b
  chmod 600 b
  printf 'charlie\n' >c
  : >empty
  mkdir d e e/x p q q/p
  printf 'in e\n' >e/f
  printf 'in q/p\n' >q/p/f
  printf 'in p\n' >p/f
  command ln a hl
  command ln -s a sl
  command ln -s d sld
  command ln -s nowhere dangling
  printf 'old\n' >old
  printf 'new\n' >new
  touch -d '2020-01-01 00:00:00' old
  touch -d '2021-01-01 00:00:00' new
}

# Run cowmv (as `mv') in a fresh copy of the fixture, for the options that
# only 9.11 has: there is nothing to compare with on this machine.
# Leaves $status, $output, $stderr; the fixture is $BATS_TEST_TMPDIR/solo.
run_solo ()
{
  local dir=$BATS_TEST_TMPDIR/solo bin=$BATS_TEST_TMPDIR/bin-solo
  rm -rf -- "$dir" "$bin"
  mkdir -p -- "$dir" "$bin"
  command ln -s -- "$COWUTILS_BUILD/src/cowmv" "$bin/mv"
  cd -- "$dir"
  fixture
  run --separate-stderr env PATH="$bin:$PATH" mv "$@" </dev/null
}

TRY="Try 'mv --help' for more information."

# --- renames ----------------------------------------------------------------

@test "a file is renamed to a new name" {
  run_both_prog mv a renamed
  assert_equal "$(<"$OURS_TWIN/renamed")" alpha
  assert_file_not_exists "$OURS_TWIN/a"
}

@test "-v reports a rename" {
  run_both_prog mv -v a renamed
  assert_output "renamed 'a' -> 'renamed'"
}

@test "a file is moved into a directory under its base name" {
  run_both_prog mv -v a d
  assert_output "renamed 'a' -> 'd/a'"
}

@test "several files are moved into a directory" {
  run_both_prog mv -v a c empty d
}

@test "a directory reached through a symlink is a target directory" {
  run_both_prog mv -v a c sld
}

@test "-t moves every source into the directory" {
  run_both_prog mv -v -t d a c e
}

@test "-T renames onto the destination name" {
  run_both_prog mv -vT a renamed
}

@test "renaming onto an existing file replaces it" {
  run_both_prog mv -v a b
  assert_equal "$(<"$OURS_TWIN/b")" alpha
  assert_mode 644 "$OURS_TWIN/b"
}

@test "-T replaces an empty directory with a directory" {
  run_both_prog mv -vT e d
  assert_output "renamed 'e' -> 'd'"
}

# The error rename(2) gives for a directory onto a non-empty one on the
# test directory's filesystem: ENOTEMPTY, or EEXIST (XFS), as POSIX allows.
notempty_error ()
{
  local probe=$BATS_TEST_TMPDIR/probe msg
  mkdir -p "$probe/a" "$probe/b/x"
  msg=$(/usr/bin/mv -T "$probe/a" "$probe/b" 2>&1)
  rm -rf "$probe"
  printf '%s\n' "${msg##*: }"
}

@test "-T onto a non-empty directory fails as cannot overwrite" {
  # 9.4+: "cannot overwrite DST: ..." (9.1: "cannot move 'd' to 'e': ...").
  gnu911 stderr "mv: cannot overwrite 'e': $(notempty_error)"
  run_both_prog mv -T d e
}

@test "a directory moved into a directory holding a non-empty namesake fails" {
  gnu911 stderr "mv: cannot overwrite 'q/p': $(notempty_error)"
  run_both_prog mv p q
}

@test "a directory moved into itself fails with the subdirectory message" {
  run_both_prog mv e e/x
  assert_equal "$stderr" "mv: cannot move 'e' to a subdirectory of itself, 'e/x/e'"
}

@test "a directory moved onto itself fails with the subdirectory message" {
  run_both_prog mv e e
}

@test "moving a directory renames it, contents and all" {
  run_both_prog mv -v e moved
}

@test "a trailing slash on a directory source is accepted" {
  run_both_prog mv -v e/ moved
}

@test "moving . fails as busy" {
  run_both_prog mv . z
}

# --- same file ----------------------------------------------------------------

@test "a file moved onto itself is refused as the same file" {
  run_both_prog mv a a
  assert_equal "$stderr" "mv: 'a' and 'a' are the same file"
}

@test "a file moved onto its ./ name is refused as the same file" {
  run_both_prog mv a ./a
}

@test "a file moved onto a hard link of itself is refused" {
  run_both_prog mv a hl
}

@test "a symlink moved onto its own target is refused" {
  run_both_prog mv sl a
}

@test "a file moved onto a symlink to itself replaces the symlink" {
  run_both_prog mv -v a sl
  assert [ ! -L "$OURS_TWIN/sl" ]
  assert_equal "$(<"$OURS_TWIN/sl")" alpha
}

@test "a source given twice is moved once, then cannot be found" {
  run_both_prog mv -v a a d
}

@test "two sources with one base name will not overwrite the just-created one" {
  fixture2 ()
  {
    mkdir x y z
    echo one >x/f
    echo two >y/f
  }
  BOTH_FIXTURE=fixture2 run_both_prog mv -v x/f y/f z
}

# --- symlinks are moved, not followed ------------------------------------------

@test "a symlink to a file is moved as a symlink" {
  run_both_prog mv -v sl d
  assert [ -L "$OURS_TWIN/d/sl" ]
}

@test "a symlink to a directory given without a slash is moved itself" {
  run_both_prog mv -v sld moved
  assert [ -L "$OURS_TWIN/moved" ]
}

@test "a dangling symlink is moved" {
  run_both_prog mv -v dangling moved
}

# --- -n, -f, -i, -u -------------------------------------------------------------

@test "-n leaves an existing destination alone and succeeds" {
  run_both_prog mv -n a b
  assert_equal "$(<"$OURS_TWIN/b")" 'bravo bravo'
  assert_file_exists "$OURS_TWIN/a"
}

@test "-n still moves to a free name" {
  run_both_prog mv -vn a free
}

@test "-f replaces an existing destination" {
  run_both_prog mv -vf a b
}

@test "-i declined keeps both files and fails" {
  # 9.2+: a declined -i exits 1 (9.1 exits 0).
  gnu911 status 1
  BOTH_STDIN=$'n\n' run_both_prog mv -i a b
  assert_equal "$stderr" "mv: overwrite 'b'? "
}

@test "-i accepted replaces the destination" {
  BOTH_STDIN=$'y\n' run_both_prog mv -vi a b
}

@test "-n after -i wins" {
  run_both_prog mv -i -n a b
}

@test "-u skips a source older than the destination" {
  run_both_prog mv -vu old new
  assert_file_exists "$OURS_TWIN/old"
}

@test "-u replaces a destination older than the source" {
  run_both_prog mv -vu new old
  assert_equal "$(<"$OURS_TWIN/old")" new
}

@test "--update without a word means older" {
  run_both_prog mv -v --update old new
}

# --- backups ---------------------------------------------------------------------

@test "-b renames the destination aside and says so" {
  run_both_prog mv -bv a b
  assert_output "renamed 'a' -> 'b' (backup: 'b~')"
}

@test "--backup=numbered makes numbered backups" {
  fixture2 () { fixture; printf 'older b\n' >'b.~1~'; }
  BOTH_FIXTURE=fixture2 run_both_prog mv -v --backup=numbered a b
  assert_output "renamed 'a' -> 'b' (backup: 'b.~2~')"
}

@test "-S sets the backup suffix" {
  run_both_prog mv -v -S .bak a b
}

@test "a backup inside a target directory is named with the directory" {
  fixture2 () { fixture; echo old >d/a; }
  BOTH_FIXTURE=fixture2 run_both_prog mv -bv a d
}

@test "-bT backs up a directory replaced by a directory" {
  run_both_prog mv -bvT d e
}

@test "-b lets a file replace a directory" {
  run_both_prog mv -bvT a d
}

@test "--backup with -n is refused" {
  # 9.5+ wording (9.1: "options --backup and --no-clobber are mutually
  # exclusive").
  gnu911 stderr "mv: cannot combine --backup with --exchange, -n, or --update=none-fail
$TRY"
  run_both_prog mv -b -n a b
}

@test "an unknown backup type is rejected with the list of valid ones" {
  run_both_prog mv --backup=bogus a b
}

# --- type mismatches ------------------------------------------------------------

@test "a file cannot replace a directory" {
  # 9.3+ names the source too.
  gnu911 stderr "mv: cannot overwrite directory 'd' with non-directory 'a'"
  run_both_prog mv -T a d
}

@test "a directory cannot replace a file" {
  run_both_prog mv -T e a
}

# --- operand errors ---------------------------------------------------------------

@test "no operands is a usage error" {
  run_both_prog mv
  assert_equal "$stderr" "mv: missing file operand
$TRY"
}

@test "-t with no source is a usage error" {
  run_both_prog mv -t d
}

@test "one operand is a usage error naming it" {
  run_both_prog mv a
  assert_equal "$stderr" "mv: missing destination file operand after 'a'
$TRY"
}

@test "-T with three operands names the extra one" {
  run_both_prog mv -T a b c
}

@test "-t and -T together are refused" {
  run_both_prog mv -t d -T a
}

@test "-t given twice is refused" {
  run_both_prog mv -t d -t e a
}

@test "a last operand that is a file is not a target directory" {
  run_both_prog mv a b c
  assert_equal "$stderr" "mv: target 'c': $(strerror ENOTDIR)"
}

@test "a missing last operand is not a target directory" {
  run_both_prog mv a b nodir
}

@test "-t naming a file fails" {
  run_both_prog mv -t a b
}

@test "-t naming nothing fails" {
  run_both_prog mv -t nodir a
}

@test "a missing source cannot be stated" {
  run_both_prog mv nosuch free
  assert_equal "$stderr" "mv: cannot stat 'nosuch': $(strerror ENOENT)"
}

@test "a missing source among several is reported and the others moved" {
  run_both_prog mv -v a nosuch c d
}

@test "an unknown option is a usage error" {
  run_both_prog mv -x a b
}

# --- trailing slashes ---------------------------------------------------------------

@test "a trailing slash on a file source cannot be stated" {
  run_both_prog mv a/ free
  assert_equal "$stderr" "mv: cannot stat 'a/': $(strerror ENOTDIR)"
}

@test "a trailing slash on a free destination for a file fails" {
  run_both_prog mv a free/
}

@test "a destination in a missing directory cannot be moved to" {
  run_both_prog mv a nodir/x
  assert_equal "$stderr" "mv: cannot move 'a' to 'nodir/x': $(strerror ENOENT)"
}

@test "a trailing slash on a directory destination moves into it" {
  run_both_prog mv -v a d/
}

@test "--strip-trailing-slashes with -t strips the source" {
  run_both_prog mv -v --strip-trailing-slashes -t d a///
}

@test "--strip-trailing-slashes with several sources strips them" {
  run_both_prog mv -v --strip-trailing-slashes a/// c// d
}

@test "--strip-trailing-slashes with two operands reuses the first rename's error" {
  # GNU's first rename (a///, free) fails with ENOTDIR before stripping,
  # and that errno is what copy_internal reports; same order in 9.11.
  run_both_prog mv --strip-trailing-slashes a/// free
}

# --- 9.11-only options, checked directly ----------------------------------------------

@test "--update=none skips an existing destination silently" {
  run_solo --update=none -v a b
  assert_success
  assert_output ""
  assert_equal "$stderr" ""
  assert_equal "$(<b)" 'bravo bravo'
  assert_file_exists a
}

@test "--update=none under --debug says it skipped" {
  run_solo --update=none --debug a b
  assert_success
  assert_output "skipped 'b'"
  assert_equal "$stderr" ""
}

@test "--update=none-fail refuses an existing destination and fails" {
  run_solo --update=none-fail a b
  assert_failure 1
  assert_output ""
  assert_equal "$stderr" "mv: not replacing 'b'"
  assert_equal "$(<b)" 'bravo bravo'
  assert_file_exists a
}

@test "--update=none-fail moves to a free name" {
  run_solo --update=none-fail -v a free
  assert_success
  assert_output "renamed 'a' -> 'free'"
}

@test "--update=all replaces even a newer destination" {
  run_solo --update=all -v old new
  assert_success
  assert_output "renamed 'old' -> 'new'"
  assert_equal "$(<new)" old
}

@test "--update=older skips under --debug with a skipped line" {
  run_solo --update=older --debug old new
  assert_success
  assert_output "skipped 'new'"
  assert_file_exists old
}

@test "--backup with --update=none is refused" {
  run_solo --backup --update=none a b
  assert_failure 1
  assert_equal "$stderr" "mv: cannot combine --backup with --exchange, -n, or --update=none-fail
$TRY"
  assert_file_exists a
}

@test "an unknown --update word is rejected with the valid ones" {
  run_solo --update=bogus a b
  assert_failure 1
  assert_equal "$stderr" "mv: invalid argument 'bogus' for '--update'
Valid arguments are:
  - 'all'
  - 'none'
  - 'none-fail'
  - 'older'
$TRY"
}

@test "--no-copy renames within one filesystem" {
  run_solo --no-copy -v a free
  assert_success
  assert_output "renamed 'a' -> 'free'"
}

@test "--exchange swaps two files" {
  run_solo --exchange -v a b
  assert_success
  assert_output "exchanged 'a' <-> 'b'"
  assert_equal "$(<a)" 'bravo bravo'
  assert_equal "$(<b)" alpha
  assert_mode 600 a
}

@test "--exchange -T swaps a file and a directory" {
  run_solo --exchange -T a d
  assert_success
  assert [ -d a ]
  assert_equal "$(<d)" alpha
}

@test "--exchange with --backup is refused" {
  run_solo --exchange -b a b
  assert_failure 1
  assert_equal "$stderr" "mv: cannot combine --backup with --exchange, -n, or --update=none-fail
$TRY"
}

@test "--debug on a rename prints only the rename" {
  run_solo --debug a free
  assert_success
  assert_output "renamed 'a' -> 'free'"
  assert_equal "$stderr" ""
}
