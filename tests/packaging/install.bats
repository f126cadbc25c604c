#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# make install and make uninstall into a DESTDIR: the drop-in links cp, mv
# and ln (relative, resolving to the installed programs, which then name
# themselves cp, mv and ln) and no other (cowsnap replaces no GNU tool),
# the completion files, and the configure options that move or drop them.

load ../helpers/common

# make_var NAME: the value of make variable NAME in the build tree, with
# every variable in it expanded.
make_var ()
{
  printf 'print-var:\n\t@echo $(%s)\n' "$1" \
    | make -s --no-print-directory -C "$COWUTILS_BUILD" -f Makefile -f - print-var
}

setup_file ()
{
  [[ -f $COWUTILS_BUILD/Makefile ]] || return 0
  export ROOT=$BATS_FILE_TMPDIR/root
  make -s -C "$COWUTILS_BUILD" install DESTDIR="$ROOT" \
    >"$BATS_FILE_TMPDIR/install.log" 2>&1
  echo $? >"$BATS_FILE_TMPDIR/install.status"
}

setup ()
{
  [[ -f $COWUTILS_BUILD/Makefile ]] \
    || skip "no configured build tree in $COWUTILS_BUILD"
  [[ $(cat "$BATS_FILE_TMPDIR/install.status") == 0 ]] \
    || fail "make install failed: $(tail -5 "$BATS_FILE_TMPDIR/install.log")"
  BINDIR=$(make_var bindir)
  DROPIN=$(make_var dropindir)
  [[ -n $DROPIN ]] || skip "build tree configured --without-dropin"
  cd "$BATS_TEST_TMPDIR" || return 1
}

@test "make install puts cp, mv and ln links to the programs in the drop-in directory" {
  local link prog target
  for link in cp mv ln; do
    prog=cow$link
    assert_link_exists "$ROOT$DROPIN/$link"
    target=$(readlink "$ROOT$DROPIN/$link")
    [[ $target == ../* ]] || fail "$link -> $target is not relative"
    [[ $(readlink -f "$ROOT$DROPIN/$link") == "$(readlink -f "$ROOT$BINDIR/$prog")" ]] \
      || fail "$link -> $target does not resolve to $ROOT$BINDIR/$prog"
    assert_file_executable "$ROOT$BINDIR/$prog"
  done
}

@test "cowsnap is installed with its man page, and gets no drop-in link" {
  assert_file_executable "$ROOT$BINDIR/cowsnap"
  run "$ROOT$BINDIR/cowsnap" --version
  assert_success
  assert_line -n 0 --regexp '^cowsnap \(cowutils\) '
  assert_file_exists "$ROOT$(make_var mandir)/man1/cowsnap.1"
  # The drop-in directory holds the three links and nothing else: no
  # "snapshot" or "cowsnap" in it to shadow another tool.
  run ls -A "$ROOT$DROPIN"
  assert_output $'cp\nln\nmv'
}

@test "cp through the drop-in PATH names itself cp" {
  run env PATH="$ROOT$DROPIN:$PATH" cp nonexistent x
  assert_failure 1
  assert_output "cp: cannot stat 'nonexistent': $(strerror ENOENT)"
  # and it is cowcp that answered: GNU cp has no --cow.
  run env PATH="$ROOT$DROPIN:$PATH" cp --help
  assert_output --partial '--cow'
}

@test "mv and ln through the drop-in PATH say what GNU mv and ln say" {
  local p gnu
  for p in mv ln; do
    gnu=$(PATH=/usr/bin:/bin "$p" nonexistent x 2>&1) && fail "GNU $p succeeded"
    run env PATH="$ROOT$DROPIN:$PATH" "$p" nonexistent x
    assert_failure 1
    assert_output "$gnu"
    [[ $output == "$p: "* ]] || fail "$p said: $output"
  done
}

@test "make install puts the bash and zsh completions in their directories" {
  local bashdir zshdir
  bashdir=$(make_var bashcompletiondir)
  zshdir=$(make_var zshcompletiondir)
  [[ -n $bashdir && -n $zshdir ]] || skip "a completion was configured out"
  cmp "$COWUTILS_SRCDIR/completion/cowutils.bash" "$ROOT$bashdir/cowcp"
  assert_equal "$(readlink "$ROOT$bashdir/cowmv")" cowcp
  assert_equal "$(readlink "$ROOT$bashdir/cowln")" cowcp
  assert_equal "$(readlink "$ROOT$bashdir/cowsnap")" cowcp
  cmp "$COWUTILS_SRCDIR/completion/_cowutils" "$ROOT$zshdir/_cowutils"
}

@test "bash-completion and zsh's compinit find the installed completions" {
  local bashdir zshdir datadir
  bashdir=$(make_var bashcompletiondir)
  zshdir=$(make_var zshcompletiondir)
  datadir=$(make_var datadir)
  [[ $bashdir == "$datadir/bash-completion/completions" ]] \
    || skip "bash completion not under DATADIR"
  [[ -r /usr/share/bash-completion/bash_completion ]] \
    || skip "bash-completion not installed"
  have_cmd zsh || skip "zsh not installed"
  # (A system-wide copy would answer in place of the one under test.)
  [[ ! -e /usr/share/bash-completion/completions/cowln ]] \
    || skip "cowutils completion installed system-wide"
  # bash-completion looks in each XDG_DATA_DIRS entry for a file named
  # after the command.
  run env XDG_DATA_DIRS="$ROOT$datadir" BASH_COMPLETION_USER_DIR=/nonexistent \
    bash --norc -c '. /usr/share/bash-completion/bash_completion
      for c in cowcp cowmv cowln cowsnap; do
        __load_completion $c && complete -p $c
      done'
  assert_output $'complete -F _cowutils cowcp\ncomplete -F _cowutils cowmv\ncomplete -F _cowutils cowln\ncomplete -F _cowsnap cowsnap'
  run zsh -f -c 'fpath=($1 $fpath); autoload -Uz compinit; compinit -u -D
    print -r -- $_comps[cowcp] $_comps[cowmv] $_comps[cowln] $_comps[cowsnap]' \
    zsh "$ROOT$zshdir"
  assert_output '_cowutils _cowutils _cowutils _cowutils'
}

@test "make uninstall removes every file make install made" {
  run find "$ROOT" \! -type d
  assert_success
  [[ $(wc -l <<<"$output") -ge 10 ]] || fail "too few installed files: $output"
  run make -s -C "$COWUTILS_BUILD" uninstall DESTDIR="$ROOT"
  assert_success
  run find "$ROOT" \! -type d
  assert_output ''
}

@test "configure --with-dropin-dir, --without-dropin and the completion dirs are obeyed" {
  local cfg=$BATS_TEST_TMPDIR/cfg
  mkdir "$cfg" && cd "$cfg"
  "$COWUTILS_SRCDIR/configure" -q -C --prefix=/usr \
    --with-dropin-dir=/opt/cow/bin --with-bash-completion-dir=no \
    --with-zsh-completion-dir=/zsh/here >/dev/null
  run grep -E '^(dropindir|bashcompletiondir|zshcompletiondir) =' Makefile
  assert_output $'bashcompletiondir = \ndropindir = /opt/cow/bin\nzshcompletiondir = /zsh/here'
  make -s install-dropin DESTDIR="$cfg/root" >/dev/null
  assert_equal "$(readlink "$cfg/root/opt/cow/bin/cp")" ../../../usr/bin/cowcp
  assert_equal "$(readlink "$cfg/root/opt/cow/bin/ln")" ../../../usr/bin/cowln

  "$COWUTILS_SRCDIR/configure" -q -C --prefix=/usr --without-dropin >/dev/null
  run grep -E '^(dropindir|bashcompletiondir|zshcompletiondir) =' Makefile
  assert_output $'bashcompletiondir = ${datadir}/bash-completion/completions\ndropindir = \nzshcompletiondir = ${datadir}/zsh/vendor-completions'
}
