#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# cowcp's own behaviour for regular files: help, version, its name in
# messages, prompts, -n/-i precedence, --debug lines, -f, -v ordering,
# POSIXLY_CORRECT, modes.  What GNU cp does the same way is compared with
# GNU cp in gnu-compat.bats.

load ../helpers/common

bats_require_minimum_version 1.5.0

setup ()
{
  umask 022
  cd "$BATS_TEST_TMPDIR"
  printf 'alpha\n' >a
  printf 'bravo\n' >b
}

teardown ()
{
  # A test that needed ext4 may have made a loop filesystem.
  cd /
  cleanup_loop_fs
}

# Run CMD... with stdin from the text INPUT, putting stdout, stderr and the
# status into out, err and rc under $BATS_TEST_TMPDIR, byte for byte (a
# prompt has no final newline, which $stderr would not show).
run_raw ()
{
  local input=$1 rc=0
  shift
  printf '%s' "$input" >"$BATS_TEST_TMPDIR/in"
  "$@" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" \
    2>"$BATS_TEST_TMPDIR/err" || rc=$?
  printf '%s\n' "$rc" >"$BATS_TEST_TMPDIR/rc"
}

# assert_file_bytes FILE TEXT: FILE holds exactly TEXT (printf %s).
assert_file_bytes ()
{
  local want=$BATS_TEST_TMPDIR/want.$$
  printf '%s' "$2" >"$want"
  if ! cmp -s -- "$want" "$1"; then
    batslib_print_kv_single_or_multi 8 \
      expected "$(od -c "$want")" actual "$(od -c "$1")" \
      | batslib_decorate "$1 differs" \
      | fail
    return 1
  fi
}

# A symlink named cp to cowcp, in a directory that goes first in PATH.
cp_symlink_dir ()
{
  mkdir -p "$BATS_TEST_TMPDIR/bin"
  ln -sf "$COWUTILS_BUILD/src/cowcp" "$BATS_TEST_TMPDIR/bin/cp"
  printf '%s\n' "$BATS_TEST_TMPDIR/bin"
}

# --- help, version, program name -----------------------------------------

@test "--help lists every option and exits 0" {
  run --separate-stderr cowcp --help
  assert_success
  assert_equal "$stderr" ""
  assert_line -n 0 'Usage: cowcp [OPTION]... [-T] SOURCE DEST'
  # Option names as given on the option lines, without their arguments
  # or descriptions: "  -f, --force                  if an ..." and
  # "      --cow[=WHEN]             share ..." (GNU's layout: short option
  # in column 2, a long-only option in column 6, two spaces or more before
  # the description).
  local names
  names=$(printf '%s\n' "$output" | grep -E '^  (-| {4}--)' \
    | sed -E 's/^ +//; s/  .*//' \
    | tr ',' '\n' | sed -E 's/^ +//; s/\[.*//; s/=.*//' | sort -u)
  local opt
  for opt in -c --cow --reflink --sparse --debug -f --force -i \
    --interactive -n --no-clobber -t --target-directory -T \
    --no-target-directory -v --verbose --help --version; do
    grep -qxF -- "$opt" <<<"$names" \
      || fail "--help has no option line for $opt; it lists: $(echo $names)"
  done
}

@test "--version prints 'cowcp (cowutils) 0.1' first and exits 0" {
  run --separate-stderr cowcp --version
  assert_success
  assert_line -n 0 'cowcp (cowutils) 0.1'
  assert_equal "$stderr" ""
}

@test "invoked through a symlink named cp it calls itself cp" {
  local bin
  bin=$(cp_symlink_dir)
  PATH=$bin:$PATH run --separate-stderr cp a
  assert_failure 1
  assert_equal "$stderr" "cp: missing destination file operand after 'a'
Try 'cp --help' for more information."
  assert_output ""
}

@test "invoked by an absolute path it names itself by that path" {
  local prog=$COWUTILS_BUILD/src/cowcp
  run --separate-stderr "$prog" missing new
  assert_failure 1
  assert_equal "$stderr" "$prog: cannot stat 'missing': $(strerror ENOENT)"
}

@test "the usage line names the program as invoked" {
  local prog=$COWUTILS_BUILD/src/cowcp
  run --separate-stderr "$prog"
  assert_failure 1
  assert_equal "$stderr" "$prog: missing file operand
Try '$prog --help' for more information."
}

# --- -i and -n ------------------------------------------------------------

@test "-i answered n leaves the destination and exits 1 after the prompt" {
  run_raw $'n\n' cowcp -i a b
  assert_equal "$(<rc)" 1
  assert_file_bytes err "cowcp: overwrite 'b'? "
  assert_file_bytes out ""
  assert_equal "$(<b)" bravo
}

@test "-i answered y overwrites the destination and exits 0" {
  run_raw $'y\n' cowcp -i a b
  assert_equal "$(<rc)" 0
  assert_file_bytes err "cowcp: overwrite 'b'? "
  assert_file_bytes out ""
  assert_equal "$(<b)" alpha
}

@test "-i does not prompt for a destination that does not exist" {
  run_raw "" cowcp -i a new
  assert_equal "$(<rc)" 0
  assert_file_bytes err ""
  assert_equal "$(<new)" alpha
}

@test "-n after -i wins: the file is skipped silently with exit 0" {
  run_raw $'y\n' cowcp -i -n a b
  assert_equal "$(<rc)" 0
  assert_file_bytes err ""
  assert_file_bytes out ""
  assert_equal "$(<b)" bravo
}

@test "-i after -n wins: the user is asked" {
  run_raw $'n\n' cowcp -n -i a b
  assert_equal "$(<rc)" 1
  assert_file_bytes err "cowcp: overwrite 'b'? "
  assert_equal "$(<b)" bravo
}

@test "--debug with -n says 'skipped' on stdout and exits 0" {
  run_raw "" cowcp --debug -n a b
  assert_equal "$(<rc)" 0
  assert_file_bytes out "skipped 'b'"$'\n'
  assert_file_bytes err ""
  assert_equal "$(<b)" bravo
}

@test "--debug with -i answered n says 'skipped' on stdout and exits 1" {
  run_raw $'n\n' cowcp --debug -i a b
  assert_equal "$(<rc)" 1
  assert_file_bytes out "skipped 'b'"$'\n'
  assert_file_bytes err "cowcp: overwrite 'b'? "
}

# --- --debug --------------------------------------------------------------

@test "--debug prints the -v line, then GNU's debug line ending in the rung" {
  run --separate-stderr cowcp --debug a new
  assert_success
  assert_equal "$stderr" ""
  assert_equal "${#lines[@]}" 2
  assert_line -n 0 "'a' -> 'new'"
  local v='(yes|no|avoided|unsupported|unknown)'
  assert_line -n 1 --regexp "^copy offload: $v, reflink: $v, sparse detection: (no|zeros|SEEK_HOLE|SEEK_HOLE \+ zeros|unknown), rung: (FICLONE|FICLONERANGE|copy_file_range|sendfile|read/write)\$"
}

@test "--debug on ext4 reports what GNU cp reports there, plus the rung" {
  enter_noclone_dir
  printf 'alpha\n' >a
  run --separate-stderr cowcp --debug a new
  assert_success
  assert_line -n 1 --regexp "^copy offload: yes, reflink: unsupported, sparse detection: no, rung: (FICLONE|FICLONERANGE|copy_file_range|sendfile|read/write)\$"
}

@test "--debug with --cow=never reports offload avoided and reflink no" {
  run --separate-stderr cowcp --debug --cow=never a new
  assert_success
  assert_line -n 1 --regexp '^copy offload: avoided, reflink: no, sparse detection: no, rung: (FICLONE|FICLONERANGE|copy_file_range|sendfile|read/write)$'
}

# --- -c / --cow -----------------------------------------------------------

@test "-c fails where no clone is possible and leaves no destination" {
  enter_noclone_dir
  printf 'alpha\n' >a
  run --separate-stderr cowcp -c a new
  assert_failure 1
  assert_equal "$stderr" "cowcp: failed to clone 'new' from 'a': $(strerror EOPNOTSUPP)"
  assert_file_not_exists new
}

@test "a bad --cow value is reported under the name --cow" {
  run --separate-stderr cowcp --cow=foo a new
  assert_failure 1
  assert_equal "$stderr" "cowcp: invalid argument 'foo' for '--cow'
Valid arguments are:
  - 'auto'
  - 'always'
  - 'never'
Try 'cowcp --help' for more information."
  assert_file_not_exists new
}

# --- -f -------------------------------------------------------------------

@test "-f removes a destination that cannot be opened and says so with -v" {
  # A socket cannot be opened for writing (ENXIO) but can be removed.
  perl -MIO::Socket::UNIX -e \
    'IO::Socket::UNIX->new (Local => "sock", Listen => 1) or die "$!\n"'
  [[ -S sock ]]
  run --separate-stderr cowcp -fv a sock
  assert_success
  assert_equal "$stderr" ""
  assert_output "'a' -> 'sock'
removed 'sock'"
  assert_equal "$(stat -c %F sock)" "regular file"
  assert_equal "$(<sock)" alpha
}

@test "without -f a destination that cannot be opened is an error" {
  perl -MIO::Socket::UNIX -e \
    'IO::Socket::UNIX->new (Local => "sock", Listen => 1) or die "$!\n"'
  run --separate-stderr cowcp a sock
  assert_failure 1
  assert_equal "$stderr" "cowcp: cannot create regular file 'sock': $(strerror ENXIO)"
  assert_equal "$(stat -c %F sock)" socket
}

# --- -v and errors --------------------------------------------------------

@test "the -v line comes before the error for the same file" {
  run sh -c 'cowcp -v a nodir/x 2>&1'
  assert_failure 1
  assert_output "'a' -> 'nodir/x'
cowcp: cannot create regular file 'nodir/x': $(strerror ENOENT)"
}

@test "a destination this run created is removed when the source cannot be read" {
  [[ -r /proc/self/mem ]] || skip "/proc/self/mem not readable"
  run --separate-stderr cowcp /proc/self/mem memcopy
  assert_failure 1
  assert_equal "$stderr" "cowcp: error reading '/proc/self/mem': $(strerror EIO)"
  assert_file_not_exists memcopy
}

@test "an existing destination is kept, truncated, when the source cannot be read" {
  [[ -r /proc/self/mem ]] || skip "/proc/self/mem not readable"
  run --separate-stderr cowcp /proc/self/mem b
  assert_failure 1
  assert_equal "$stderr" "cowcp: error reading '/proc/self/mem': $(strerror EIO)"
  assert_file_exists b
  assert_file_empty b
}

# --- symlinks and modes ---------------------------------------------------

@test "with POSIXLY_CORRECT a dangling symlink destination is written through" {
  ln -s target dl
  POSIXLY_CORRECT=1 run --separate-stderr cowcp a dl
  assert_success
  assert_equal "$stderr" ""
  assert_link_exists dl
  assert_equal "$(readlink dl)" target
  assert_equal "$(<target)" alpha
}

@test "without POSIXLY_CORRECT a dangling symlink destination is refused" {
  ln -s target dl
  run --separate-stderr env -u POSIXLY_CORRECT cowcp a dl
  assert_failure 1
  assert_equal "$stderr" "cowcp: not writing through dangling symlink 'dl'"
  assert_file_not_exists target
}

@test "a setuid, setgid, sticky source is copied without those bits" {
  chmod 7755 a
  run --separate-stderr cowcp a new
  assert_success
  assert_mode 755 new
}

@test "under umask 077 a new copy of a 0644 file is 0600" {
  umask 077
  run --separate-stderr cowcp a new
  assert_success
  assert_mode 600 new
}

@test "an existing destination keeps its mode" {
  chmod 640 b
  run --separate-stderr cowcp a b
  assert_success
  assert_mode 640 b
  assert_equal "$(<b)" alpha
}
