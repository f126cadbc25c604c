#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Shell completion (completion/cowutils.bash, completion/_cowutils): every
# option each program's --help lists is offered, every option offered is
# one --help lists, the option values are the ones the programs accept,
# and file names are completed elsewhere; for cowsnap, each command's
# options are exactly those the command accepts, and snapshot names are
# completed where a SNAPSHOT operand goes.  bash through bash-completion's
# own framework (tests/packaging/bash-complete), zsh through a real
# interactive zsh in a pseudo-terminal (tests/packaging/zsh-complete).

load ../helpers/common

COWSNAP_COMMANDS='create list diff restore delete prune schedule'

BASH_FILE=$COWUTILS_SRCDIR/completion/cowutils.bash
ZSH_DIR=$COWUTILS_SRCDIR/completion
HERE=$COWUTILS_SRCDIR/tests/packaging

setup ()
{
  cd "$BATS_TEST_TMPDIR" || return 1
  mkdir adir bdir
  : >afile
}

teardown ()
{
  # Snapshots made as root are immutable (chattr +i): let bats remove
  # them.
  if [[ -d $BATS_TEST_TMPDIR/space ]]; then
    chattr -R -i "$BATS_TEST_TMPDIR/space" 2>/dev/null || true
  fi
}

teardown_file ()
{
  cleanup_loop_fs
}

require_bash_completion ()
{
  [[ -r /usr/share/bash-completion/bash_completion ]] \
    || skip "bash-completion not installed"
}

require_zsh ()
{
  have_cmd zsh || skip "zsh not installed"
  zsh -c 'zmodload zsh/zpty' 2>/dev/null || skip "zsh has no zsh/zpty module"
}

# bcomp LINE: bash's candidates for LINE, one a line.
bcomp ()
{
  COWUTILS_COMPLETION=$BASH_FILE "$HERE/bash-complete" "$1"
}

# zcomp LINE: zsh's matches for LINE, sorted, one a line, no blank lines.
zcomp ()
{
  timeout 60 "$HERE/zsh-complete" "$ZSH_DIR" "$1" | sed '/^$/d'
}

# help_options PROG: the option names PROG's --help lists, one a line,
# without their values ("--backup[=CONTROL]" gives "--backup").  An option
# line starts with at most six blanks and a dash; its names end at two
# blanks (GNU's layout) or the end of the line (a description below).
help_options ()
{
  "$1" --help | perl -ne '
    next unless /^ {1,6}(-\S.*?)(?: {2,}|$)/;
    for (split /,\s*/, $1) { s/[\[=].*//; print "$_\n" if /^--?[[:alnum:]]/ }' \
    | sort -u
}

# same_sets NAME EXPECTED ACTUAL: fail showing the difference unless the
# two newline-separated lists hold the same items.
same_sets ()
{
  local diff
  diff=$(diff <(printf '%s\n' "$2" | sed '/^$/d' | sort -u) \
              <(printf '%s\n' "$3" | sed '/^$/d' | sort -u)) \
    || fail "$1 differ (< expected, > completed):
$diff"
}

# check_options SHELL PROG: the options completed after "-" (bash) or "-"
# and "--" (zsh) are exactly those --help lists.
check_options ()
{
  local prog=$1 shell=$2 want got
  want=$(help_options "$prog")
  (($(wc -l <<<"$want") >= 15)) \
    || fail "only $(wc -l <<<"$want") options found in $prog --help"
  if [[ $shell == bash ]]; then
    got=$(bcomp "$prog -" | grep -v '^compopt ' | sed 's/=$//')
  else
    got=$( (zcomp "$prog -"; zcomp "$prog --") | sed 's/=$//')
  fi
  same_sets "$prog options in --help and in $shell completion" "$want" "$got"
}

# cowsnap_accepts COMMAND: the options cowsnap --help lists that COMMAND
# ("create" for none) accepts, one a line, as the program itself answers:
# each is given, with a valid value where it needs one, before --help,
# which then exits 0, or the program says the option "does not apply".
# Any other refusal fails.
cowsnap_accepts ()
{
  local -a word=()
  [[ $1 == create ]] || word=("$1")
  local opt arg err
  for opt in $(help_options cowsnap); do
    case $opt in
      --dir | --unit-dir | --to) arg=$opt=. ;;
      --name) arg=$opt=x ;;
      --keep-*) arg=$opt=1 ;;
      --min-age) arg=$opt=1h ;;
      *) arg=$opt ;;
    esac
    if err=$(cowsnap "${word[@]}" "$arg" --help 2>&1 >/dev/null); then
      echo "$opt"
    elif [[ $err != *"option "*" does not apply to "* ]]; then
      echo "cowsnap ${word[*]} $arg --help: $err" >&2
      return 1
    fi
  done
}

# check_cowsnap_options SHELL COMMAND: the options completed after "-"
# (and "--" for zsh) for cowsnap COMMAND are exactly those it accepts.
check_cowsnap_options ()
{
  local shell=$1 cmd=$2 line want got
  want=$(cowsnap_accepts "$cmd") || fail "cowsnap_accepts $cmd failed"
  line=cowsnap
  [[ $cmd == create ]] || line+=" $cmd"
  if [[ $shell == bash ]]; then
    got=$(bcomp "$line -" | grep -v '^compopt ' | sed 's/=$//')
  else
    got=$( (zcomp "$line -"; zcomp "$line --") | sed 's/=$//')
  fi
  same_sets "cowsnap $cmd options accepted and completed by $shell" \
    "$want" "$got"
}

# cowsnap_snapshots: in the working directory, a file f with two
# snapshots in the namespace ./space (--dir), copied (--copy) so that
# any filesystem will do: f.before and a stamped one.  Prints the stamp.
cowsnap_snapshots ()
{
  mkdir space
  printf 'data\n' >f
  cowsnap --copy --dir=space f before >/dev/null || return 1
  cowsnap --copy --dir=space -v f >out || return 1
  sed -n 's/.*\.\([0-9-]*T[0-9]*\.[0-9]*Z\).*/\1/p' out
}

@test "each cowsnap command accepts its own options, as the completion checks take them" {
  # The oracle the cowsnap completion tests use can tell the commands
  # apart: it is not every option for every command.
  local all
  all=$(help_options cowsnap)
  (($(wc -l <<<"$all") >= 25)) || fail "only $(wc -l <<<"$all") options in --help"
  run cowsnap_accepts delete
  assert_success
  assert_output $'--help\n--verbose\n--version\n-v'
  run cowsnap_accepts list
  assert_line --json
  refute_line --copy
  run cowsnap_accepts create
  assert_line --copy
  refute_line --json
  # and every option --help lists belongs to some command.
  local c union=
  for c in $COWSNAP_COMMANDS; do
    union+=$(cowsnap_accepts "$c")$'\n'
  done
  same_sets "options of --help and of all commands" "$all" "$union"
}

# --- bash ---------------------------------------------------------------

@test "bash completes exactly the options cowcp --help lists" {
  require_bash_completion
  check_options cowcp bash
}

@test "bash completes exactly the options cowmv --help lists" {
  require_bash_completion
  check_options cowmv bash
}

@test "bash completes exactly the options cowln --help lists" {
  require_bash_completion
  check_options cowln bash
}

@test "bash completes exactly the options each cowsnap command accepts" {
  require_bash_completion
  local c
  for c in $COWSNAP_COMMANDS; do
    check_cowsnap_options bash "$c"
  done
}

@test "the cowsnap option check notices an option missing from one command" {
  require_bash_completion
  sed 's/--no-keep //' "$BASH_FILE" >trimmed.bash
  run grep -c -- '--no-keep' "$BASH_FILE" trimmed.bash
  assert_output "$BASH_FILE:1
trimmed.bash:0"
  BASH_FILE=$PWD/trimmed.bash
  run check_cowsnap_options bash restore
  assert_failure
  assert_output --partial '< --no-keep'
  run check_cowsnap_options bash create
  assert_success
}

@test "bash offers cowsnap's commands as the first word only" {
  require_bash_completion
  run bcomp "cowsnap "
  assert_success
  local c
  for c in list diff restore delete prune schedule; do
    assert_line "$c"
  done
  refute_line create
  assert_line afile
  run bcomp "cowsnap r"
  assert_output 'restore'
  run bcomp "cowsnap list "
  refute_line list
  assert_line afile
  assert_line adir
  # A command word goes first: after an option it is an operand.
  : >lfile
  run bcomp "cowsnap -v l"
  assert_line lfile
  refute_line list
}

@test "bash completes cowsnap's option values: directories, files or nothing" {
  require_bash_completion
  run bcomp "cowsnap --dir="
  assert_line adir
  refute_line afile
  run bcomp "cowsnap schedule --unit-dir "
  assert_line bdir
  refute_line afile
  run bcomp "cowsnap restore --to a"
  assert_line afile
  assert_line adir
  run bcomp "cowsnap --name "
  assert_output ''
  run bcomp "cowsnap prune --keep-last="
  assert_output ''
}

@test "bash completes the names of a file's snapshots after restore and diff" {
  require_bash_completion
  local stamp
  stamp=$(cowsnap_snapshots) || fail "cowsnap could not make the snapshots"
  [[ -n $stamp ]] || fail "no stamp in cowsnap -v's output"
  run bcomp "cowsnap restore --dir=space f "
  assert_line before
  assert_line "$stamp"
  assert_line afile
  run bcomp "cowsnap diff --dir space f be"
  assert_output before
  run bcomp "cowsnap diff --dir space -- f $stamp "
  assert_line before
  # Not for the PATH operand, nor for a file that has none.
  run bcomp "cowsnap restore --dir=space "
  refute_line before
  run bcomp "cowsnap restore --dir=space afile "
  refute_line before
  assert_line afile
}

@test "the option check notices an option missing from the completion" {
  require_bash_completion
  sed 's/ --no-copy\b//' "$BASH_FILE" >trimmed.bash
  run grep -c -- '--no-copy\b' "$BASH_FILE" trimmed.bash
  assert_output "$BASH_FILE:1
trimmed.bash:0"
  BASH_FILE=$PWD/trimmed.bash
  run check_options cowmv bash
  assert_failure
  assert_output --partial '< --no-copy'
}

@test "bash completes a long option prefix, with no space after a '='" {
  require_bash_completion
  run bcomp "cowcp --spa"
  assert_success
  assert_output $'--sparse=\ncompopt -o nospace'
  run bcomp "cowmv --no-c"
  assert_output $'--no-clobber\n--no-copy'
}

@test "bash completes --cow= and --reflink= with cowcp's three values" {
  require_bash_completion
  run bcomp "cowcp --cow="
  assert_output $'auto\nalways\nnever'
  run bcomp "cowcp --reflink=a"
  assert_output $'auto\nalways'
}

@test "bash completes cowln's --cow= with always and auto" {
  require_bash_completion
  run bcomp "cowln --cow="
  assert_output $'always\nauto'
}

@test "bash completes --sparse= and --sparse as a separate word" {
  require_bash_completion
  run bcomp "cowcp --sparse="
  assert_output $'auto\nalways\nnever'
  run bcomp "cowcp --sparse n"
  assert_output 'never'
}

@test "bash completes --preserve= as a list, offering what is not yet in it" {
  require_bash_completion
  run bcomp "cowcp --preserve="
  assert_output "$(printf '%s\n' mode ownership timestamps links context xattr flags all)"
  run bcomp "cowcp --preserve=mode,t"
  assert_output 'mode,timestamps'
  run bcomp "cowcp --preserve=mode,timestamps,"
  assert_output "$(printf 'mode,timestamps,%s\n' ownership links context xattr flags all)"
}

@test "bash completes --no-preserve=, joined and as a separate word" {
  require_bash_completion
  run bcomp "cowcp --no-preserve=x"
  assert_output 'xattr'
  run bcomp "cowcp --no-preserve o"
  assert_output 'ownership'
}

@test "bash completes --update= and --backup= for all three programs" {
  require_bash_completion
  local p
  for p in cowcp cowmv; do
    run bcomp "$p --update=n"
    assert_output $'none\nnone-fail'
  done
  for p in cowcp cowmv cowln; do
    run bcomp "$p --backup=n"
    assert_output $'none\nnumbered\nnil\nnever'
  done
}

@test "every value bash offers is one the program accepts" {
  require_bash_completion
  local spec prog opt v n=0
  for spec in cowcp:--cow cowcp:--reflink cowcp:--sparse cowcp:--update \
              cowcp:--backup cowcp:--preserve cowcp:--no-preserve \
              cowmv:--update cowmv:--backup cowln:--cow cowln:--backup; do
    prog=${spec%%:*} opt=${spec#*:}
    while read -r v; do
      [[ -n $v ]] || continue
      "$prog" "$opt=$v" --help >/dev/null 2>&1 \
        || fail "$prog rejects $opt=$v, which bash completion offers"
      n=$((n + 1))
    done < <(bcomp "$prog $opt=")
  done
  ((n >= 30)) || fail "only $n values checked"
  # The check can fail: a value the programs do not know is rejected.
  run cowcp --sparse=sometimes --help
  assert_failure
}

@test "bash completes only directories after -t and --target-directory" {
  require_bash_completion
  run bcomp "cowcp -t "
  assert_output --partial adir
  assert_output --partial bdir
  refute_output --partial afile
  run bcomp "cowln --target-directory a"
  assert_line adir
  refute_line afile
}

@test "bash completes file names for operands and after --backup" {
  require_bash_completion
  run bcomp "cowcp -a a"
  assert_line afile
  assert_line adir
  run bcomp "cowmv --backup a"
  assert_line afile
}

@test "bash completes no options after --" {
  require_bash_completion
  : >--afile
  run bcomp "cowcp -- --a"
  assert_line -- --afile
  refute_line -- --archive
}

# --- zsh ----------------------------------------------------------------

@test "the zsh completion parses (zsh -n)" {
  have_cmd zsh || skip "zsh not installed"
  run zsh -n "$ZSH_DIR/_cowutils"
  assert_success
  assert_output ''
  head -1 "$ZSH_DIR/_cowutils" | grep -qx '#compdef cowcp cowmv cowln cowsnap'
}

@test "zsh completes exactly the options each cowsnap command accepts" {
  require_zsh
  local c
  for c in $COWSNAP_COMMANDS; do
    check_cowsnap_options zsh "$c"
  done
}

@test "zsh offers cowsnap's commands as the first word, and names of snapshots" {
  require_zsh
  run zcomp "cowsnap "
  assert_output "$(printf '%s\n' adir afile bdir delete diff list prune restore schedule)"
  run zcomp "cowsnap list "
  assert_output $'adir\nafile\nbdir'
  local stamp
  stamp=$(cowsnap_snapshots) || fail "cowsnap could not make the snapshots"
  run zcomp "cowsnap restore --dir=space f "
  assert_line before
  assert_line "$stamp"
  assert_line afile
  run zcomp "cowsnap diff --dir space f be"
  assert_output before
  run zcomp "cowsnap schedule --unit-dir="
  assert_output $'adir\nbdir\nspace'
}

@test "zsh completes exactly the options cowcp --help lists" {
  require_zsh
  check_options cowcp zsh
}

@test "zsh completes exactly the options cowmv --help lists" {
  require_zsh
  check_options cowmv zsh
}

@test "zsh completes exactly the options cowln --help lists" {
  require_zsh
  check_options cowln zsh
}

@test "the zsh option check notices an option missing from the completion" {
  require_zsh
  mkdir trimmed
  grep -v -- "'--no-copy\[" "$ZSH_DIR/_cowutils" >trimmed/_cowutils
  run grep -c -- '--no-copy' "$ZSH_DIR/_cowutils" trimmed/_cowutils
  assert_output "$ZSH_DIR/_cowutils:1
trimmed/_cowutils:0"
  ZSH_DIR=$PWD/trimmed
  run check_options cowmv zsh
  assert_failure
  assert_output --partial '< --no-copy'
}

@test "zsh completes the values of --cow, --sparse, --preserve, --update and --backup" {
  require_zsh
  run zcomp "cowcp --cow="
  assert_output $'always\nauto\nnever'
  run zcomp "cowln --cow="
  assert_output $'always\nauto'
  run zcomp "cowcp --sparse="
  assert_output $'always\nauto\nnever'
  run zcomp "cowcp --preserve=mode,"
  assert_output "$(printf '%s\n' all context flags links ownership timestamps xattr)"
  run zcomp "cowmv --update="
  assert_output $'all\nnone\nnone-fail\nolder'
  run zcomp "cowln --backup=n"
  assert_output $'never\nnil\nnone\nnumbered'
}

@test "zsh completes directories after -t and file names for operands" {
  require_zsh
  run zcomp "cowcp -t "
  assert_output $'adir\nbdir'
  run zcomp "cowmv a"
  assert_output $'adir\nafile'
}

# --- cowsnap on a real namespace ------------------------------------------

@test "bash and zsh complete delete's operands with the snapshots of the working directory's files" {
  make_loop_fs btrfs 128M snapcomp || true
  require_fs snapcomp
  local mnt=$FS_PATH stamp
  mkdir "$mnt/a"
  printf 'f\n' >"$mnt/a/f"
  printf 'g\n' >"$mnt/a/g"
  cowsnap "$mnt/a/f" one
  stamp=$(cowsnap -v "$mnt/a/f" \
            | sed -n 's/.*\.\([0-9-]*T[0-9]*\.[0-9]*Z\).*/\1/p')
  [[ -n $stamp ]] || fail "no stamp in cowsnap -v's output"
  cowsnap "$mnt/a/g"
  cd "$mnt/a"
  local snaps=$mnt/.snapshot/a
  if [[ -r /usr/share/bash-completion/bash_completion ]]; then
    run bcomp "cowsnap delete f"
    assert_output "$snaps/f.$stamp
$snaps/f.one"
    run bcomp "cowsnap delete "
    assert_line "$snaps/f.one"
    assert_line --regexp "^$snaps/g\.[0-9-]+T[0-9]+\.[0-9]+Z\$"
    refute_line f
    # A name with a '/' is completed as a file name.
    run bcomp "cowsnap delete ./"
    assert_line ./f
    # restore and diff find the snapshots in ROOT/.snapshot by themselves.
    run bcomp "cowsnap restore f "
    assert_line one
    assert_line "$stamp"
    run bcomp "cowsnap diff $mnt/a/f o"
    assert_output one
  fi
  if have_cmd zsh && zsh -c 'zmodload zsh/zpty' 2>/dev/null; then
    run zcomp "cowsnap delete f"
    assert_output "$snaps/f.$stamp
$snaps/f.one"
    run zcomp "cowsnap restore f "
    assert_output "$(printf '%s\n' "$stamp" f g one | sort)"
  fi
  # The names offered are what delete takes.
  run cowsnap delete "$snaps/f.one"
  assert_success
  run bcomp "cowsnap delete f"
  assert_output "$snaps/f.$stamp"
}
