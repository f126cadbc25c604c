#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# cowmv/interrupt.bats -- a move across filesystems interrupted at any
# moment loses nothing.  A tree of ~12,000 entries is moved from btrfs to
# ext4 and SIGINT, SIGTERM or SIGHUP is sent at random moments: each time
# either the source is whole (checked against a manifest with checksums)
# and nothing is under the final name, or the move is finished and the
# destination is whole.  A signal after the copy is in place lets the
# source's removal finish; a second signal kills at once, and every file
# is then whole in one place at least.  SIGKILL leaves the copy under a
# temporary name .NAME.cowmv-XXXXXX, which the next move to that name
# warns about and leaves alone.
#
# COWUTILS_INTERRUPT_ITERATIONS (default 15) sets how many random
# interruptions; COWUTILS_INTERRUPT_SEED makes them repeatable (the seed
# is shown when a test fails).

load ../helpers/common
load ../helpers/interrupt

bats_require_minimum_version 1.5.0

setup_file ()
{
  make_loop_fs btrfs 512M interrupt-src || return 0
  make_loop_fs ext4 1G interrupt-dst -N 131072 || return 0
  make_big_tree "$(fs_path interrupt-src)/pristine" 60 60
  manifest "$(fs_path interrupt-src)/pristine" >"$BATS_FILE_TMPDIR/want"
}

teardown_file ()
{
  cleanup_loop_fs
}

# enter_interrupt_fs: skip without the two filesystems; else cd to where
# they are mounted, set S (btrfs) and D (ext4) to their names from there
# and WANT to the manifest, make S/t a fresh copy of the tree and empty D.
enter_interrupt_fs ()
{
  require_fs interrupt-src
  require_fs interrupt-dst
  cd "$BATS_FILE_TMPDIR"
  S=interrupt-src
  D=interrupt-dst
  WANT=$BATS_FILE_TMPDIR/want
  find "$D" -mindepth 1 -maxdepth 1 ! -name lost+found -exec rm -rf {} +
  rm -rf "$S/t"
  cp -a --reflink=always "$S/pristine" "$S/t"
}

# restore_source: after a finished move, the source again and D empty.
restore_source ()
{
  rm -rf "$D/t"
  cp -a --reflink=always "$S/pristine" "$S/t"
}

# temps_in DIR NAME: the temporaries .NAME.cowmv-XXXXXX in DIR.
temps_in ()
{
  (cd -- "$1" && ls -A) | grep -E "^\\.$2\\.cowmv-[A-Za-z0-9]{6}\$" || :
}

# check_after_signal SIG: after cowmv S/t D/ was sent SIG (INT_STATUS,
# stderr in err), either it was abandoned -- S/t whole, nothing at D/t,
# no temporary -- or it is finished: D/t whole and S/t gone.  Count which
# in KEPT and MOVED.
check_after_signal ()
{
  local sig=$1
  # Killed by the signal, as GNU mv is, it says nothing.
  assert_equal "$(<"$BATS_TEST_TMPDIR/err")" ""
  assert_equal "$(temps_in "$D" t)" ""
  if [[ -e $S/t ]]; then
    assert_equal "$INT_STATUS" "$(signal_status "$sig")"
    [[ ! -e $D/t && ! -L $D/t ]] \
      || fail "the source is there, and so is something under $D/t"
    assert_equal "$(manifest "$S/t")" "$(<"$WANT")"
    KEPT=$((KEPT + 1))
  else
    [[ $INT_STATUS == 0 || $INT_STATUS == $(signal_status "$sig") ]] \
      || fail "status $INT_STATUS after SIG$sig"
    assert_equal "$(manifest "$D/t")" "$(<"$WANT")"
    MOVED=$((MOVED + 1))
  fi
}

@test "a tree move interrupted at random moments leaves the source whole or is finished" {
  enter_interrupt_fs
  local n=${COWUTILS_INTERRUPT_ITERATIONS:-15}
  local seed=${COWUTILS_INTERRUPT_SEED:-$RANDOM}
  # How long a whole move takes here.  Every other delay goes a little
  # past it, so that some signals come while the source is removed, or
  # after; the others fall in the copy, about the first half of it.
  local full long short
  full=$(time_of cowmv "$S/t" "$D/")
  assert_equal "$(manifest "$D/t")" "$(<"$WANT")"
  restore_source
  long=$(awk -v f="$full" 'BEGIN { print f * 1.15 }')
  short=$(awk -v f="$full" 'BEGIN { print f * 0.45 }')
  RANDOM=$seed
  local sigs=(INT TERM HUP) i sig delay
  KEPT=0 MOVED=0
  for ((i = 1; i <= n; i++)); do
    sig=${sigs[RANDOM % 3]}
    delay=$(random_delay "$( ((i % 2)) && echo "$short" || echo "$long")")
    echo "seed $seed, whole move ${full}s; $i: SIG$sig after ${delay}s"
    interrupt_after "$delay" "$sig" cowmv "$S/t" "$D/"
    check_after_signal "$sig"
    if [[ ! -e $S/t ]]; then
      restore_source
    fi
  done
  echo "# $n interruptions (seed $seed, whole move ${full}s):" \
    "source kept $KEPT, move finished $MOVED" >&3
}

@test "a signal once the copy is in place lets the removal of the source finish" {
  enter_interrupt_fs
  interrupt_start cowmv "$S/t" "$D/"
  local i
  for ((i = 0; i < 3000; i++)); do
    [[ -e $D/t ]] && break
    sleep 0.01
  done
  interrupt_send INT
  interrupt_wait
  [[ -e $D/t ]] || fail "the copy never came into place"
  [[ $INT_STATUS == 0 || $INT_STATUS == 130 ]] \
    || fail "status $INT_STATUS"
  assert_equal "$(<"$BATS_TEST_TMPDIR/err")" ""
  [[ ! -e $S/t ]] || fail "the source was left, partly removed"
  assert_equal "$(manifest "$D/t")" "$(<"$WANT")"
}

@test "a second signal kills cowmv at once, and every file is still whole somewhere" {
  enter_interrupt_fs
  local full delay i
  full=$(time_of cowmv "$S/t" "$D/")
  restore_source
  # Once while copying, once while removing the source.  A move that
  # ended before the signals (a loaded machine is not the one that
  # timed it) proves nothing: it is tried again, sooner, up to 4 times.
  local try
  for delay in $(awk -v f="$full" 'BEGIN { print f * 0.3, f * 0.8 }'); do
    for ((try = 0; try < 4; try++)); do
      interrupt_start cowmv "$S/t" "$D/"
      sleep "$delay"
      [[ $(awk '{ print $3 }' "/proc/$INT_PID/stat" 2>/dev/null) =~ ^(Z|)$ ]] \
        || break
      interrupt_wait
      find "$D" -mindepth 1 -maxdepth 1 ! -name lost+found -exec rm -rf {} +
      rm -rf "$S/t"
      cp -a --reflink=always "$S/pristine" "$S/t"
      delay=$(awk -v d="$delay" 'BEGIN { print d / 2 }')
    done
    ((try < 4)) || fail "the move always ended before the signals"
    interrupt_send INT
    sleep 0.02
    interrupt_send INT
    interrupt_wait
    assert_equal "$INT_STATUS" 130
    # Files and symlinks, each whole in the source or in the copy (the
    # temporary, if the copy was not in place yet) -- directories may
    # be half removed or half made.
    local have missing
    have=$( (WITH_DIR_TIMES=0 manifest "$S/t" 2>/dev/null
             if [[ -e $D/t ]]; then
               manifest "$D/t"
             else
               for i in $(temps_in "$D" t); do manifest "$D/$i"; done
             fi) | sort -u)
    missing=$(grep -v '^[^ ]* d ' "$WANT" | LC_ALL=C sort \
              | LC_ALL=C comm -23 - <(LC_ALL=C sort <<<"$have") \
              | grep -v ' = ' || :)
    # A later name of a multiply-linked file may have become the first
    # in a half-removed source; its data was checked under the first.
    assert_equal "$missing" ""
    if [[ ! -e $D/t ]]; then
      assert_equal "$(manifest "$S/t")" "$(<"$WANT")"
    fi
    find "$D" -mindepth 1 -maxdepth 1 ! -name lost+found -exec rm -rf {} +
    rm -rf "$S/t"
    cp -a --reflink=always "$S/pristine" "$S/t"
  done
}

@test "kill -9 mid-move leaves .t.cowmv-XXXXXX, and the next move warns about it and leaves it" {
  enter_interrupt_fs
  interrupt_start cowmv "$S/t" "$D/"
  # Wait for the copy to be under way: a temporary with entries.
  local i tmp=
  for ((i = 0; i < 3000; i++)); do
    tmp=$(temps_in "$D" t)
    [[ -n $tmp && -n $(ls -A "$D/$tmp" 2>/dev/null) ]] && break
    sleep 0.01
  done
  interrupt_send KILL
  interrupt_wait
  assert_equal "$INT_STATUS" 137
  [[ -n $tmp ]] || fail "no temporary .t.cowmv-XXXXXX appeared"
  assert_equal "$(temps_in "$D" t)" "$tmp"
  [[ ! -e $D/t ]] || fail "something is under the final name"
  assert_equal "$(manifest "$S/t")" "$(<"$WANT")"

  run --separate-stderr cowmv "$S/t" "$D/"
  assert_success
  assert_output ""
  assert_equal "$stderr" "cowmv: warning: leftover partial copy '$D/$tmp' from an interrupted move; remove it unless another move is still running"
  assert_equal "$(manifest "$D/t")" "$(<"$WANT")"
  [[ ! -e $S/t ]] || fail "the source is still there"
  assert_equal "$(temps_in "$D" t)" "$tmp"
}

@test "only a leftover temporary of the destination's own name is mentioned" {
  enter_interrupt_fs
  echo data >"$S/f"
  local x
  for x in .f.cowmv-AbC123 .f.cowmv-zz9Q0a .f.cowmv-AbC12 .f.cowmv-AbC1234 \
           .ff.cowmv-AbC123 .f.cowln-AbC123 f.cowmv-AbC123 .f.cowmv-AbC1_3 \
           .g.cowmv-AbC123; do
    mkdir "$D/$x"
  done
  run --separate-stderr cowmv "$S/f" "$D/"
  assert_success
  # In the order the directory lists them.
  assert_equal "$(LC_ALL=C sort <<<"$stderr")" "cowmv: warning: leftover partial copy '$D/.f.cowmv-AbC123' from an interrupted move; remove it unless another move is still running
cowmv: warning: leftover partial copy '$D/.f.cowmv-zz9Q0a' from an interrupted move; remove it unless another move is still running"
  assert_equal "$(<"$D/f")" data
  # DEST named as the new name, not as a directory.
  echo more >"$S/h"
  run --separate-stderr cowmv "$S/h" "$D/g"
  assert_success
  assert_equal "$stderr" "cowmv: warning: leftover partial copy '$D/.g.cowmv-AbC123' from an interrupted move; remove it unless another move is still running"
  for x in .f.cowmv-AbC123 .f.cowmv-zz9Q0a .g.cowmv-AbC123; do
    [[ -d $D/$x ]] || fail "$x was removed"
  done
}

@test "a name too long to fit in a temporary name whole is still moved" {
  enter_interrupt_fs
  local long
  long=$(printf 'n%.0s' $(seq 250))
  echo data >"$S/$long"
  run --separate-stderr cowmv "$S/$long" "$D/"
  assert_success
  assert_equal "$stderr" ""
  assert_equal "$(<"$D/$long")" data
  assert_equal "$(ls -A "$D" | grep -c cowmv)" 0
}

@test "an unprivileged move stopped midway removes its copy, read-only directories and all" {
  enter_interrupt_fs
  have_cmd setpriv || skip "setpriv not installed"
  mkdir "$S/u" "$D/u"
  mv "$S/t" "$S/u/t"
  chown -R nobody:nogroup "$S/u" "$D/u"
  local want i
  want=$(manifest "$S/u/t")
  interrupt_start setpriv --reuid=nobody --regid=nogroup --clear-groups \
    cowmv "$S/u/t" "$D/u/"
  # Stop it once the copy has directories with their final mode, 0555 as
  # in the source: the user cannot remove what is in them as they are.
  for ((i = 0; i < 3000; i++)); do
    [[ -n $(find "$D/u" -mindepth 2 -type d -perm 0555 -print -quit) ]] \
      && break
    sleep 0.01
  done
  interrupt_send INT
  interrupt_wait
  ((i < 3000)) || fail "no directory of the copy was finished"
  assert_equal "$(<"$BATS_TEST_TMPDIR/err")" ""
  assert_equal "$INT_STATUS" 130
  assert_equal "$(ls -A "$D/u")" ""
  # (The user could not have removed the source either: its directories
  # are not writable.  It is as it was.)
  assert_equal "$(manifest "$S/u/t")" "$want"
  rm -rf "$S/u"
}
