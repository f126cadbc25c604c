#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# cowmv/interrupt.bats -- moves across filesystems that are interrupted.
# A tree of ~12,000 entries is moved from btrfs to ext4.  SIGKILL leaves
# the copy under a temporary name .NAME.cowmv-XXXXXX and the source whole
# (checked against a manifest with checksums); the next move to that name
# warns about it and leaves it alone.

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

# temps_in DIR NAME: the temporaries .NAME.cowmv-XXXXXX in DIR.
temps_in ()
{
  (cd -- "$1" && ls -A) | grep -E "^\\.$2\\.cowmv-[A-Za-z0-9]{6}\$" || :
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
