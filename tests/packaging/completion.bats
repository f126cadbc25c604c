#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Shell completion (completion/cowutils.bash, completion/_cowutils): every
# option each program's --help lists is offered, every option offered is
# one --help lists, the option values are the ones the programs accept,
# and file names are completed elsewhere.  bash through bash-completion's
# own framework (tests/packaging/bash-complete), zsh through a real
# interactive zsh in a pseudo-terminal (tests/packaging/zsh-complete).

load ../helpers/common

BASH_FILE=$COWUTILS_SRCDIR/completion/cowutils.bash
ZSH_DIR=$COWUTILS_SRCDIR/completion
HERE=$COWUTILS_SRCDIR/tests/packaging

setup ()
{
  cd "$BATS_TEST_TMPDIR" || return 1
  mkdir adir bdir
  : >afile
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
  head -1 "$ZSH_DIR/_cowutils" | grep -qx '#compdef cowcp cowmv cowln'
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
