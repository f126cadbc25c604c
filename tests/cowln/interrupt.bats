#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# cowln/interrupt.bats -- a cowlink of a tree interrupted at any moment
# publishes nothing.  A tree of ~12,000 entries on btrfs is cowlinked
# (cowln -c T L) and SIGINT, SIGTERM or SIGHUP is sent at random moments:
# each time either nothing is under L and no temporary is left, or L is
# whole (checked against a manifest with checksums).  SIGKILL leaves the
# copy under a temporary name .L.cowln-XXXXXX, which the next cowlink to
# L warns about and leaves alone.
#
# COWUTILS_INTERRUPT_ITERATIONS (default 15) sets how many random
# interruptions; COWUTILS_INTERRUPT_SEED makes them repeatable.

load ../helpers/common
load ../helpers/interrupt

bats_require_minimum_version 1.5.0

setup_file ()
{
  make_loop_fs btrfs 512M interrupt-cow || return 0
  make_big_tree "$(fs_path interrupt-cow)/T" 60 60
  manifest "$(fs_path interrupt-cow)/T" >"$BATS_FILE_TMPDIR/want"
}

teardown_file ()
{
  cleanup_loop_fs
}

# enter_interrupt_fs: skip without the filesystem; else cd to it, with
# nothing but T, and set WANT to T's manifest.
enter_interrupt_fs ()
{
  require_fs interrupt-cow
  cd "$FS_PATH"
  find . -mindepth 1 -maxdepth 1 ! -name T -exec rm -rf {} +
  WANT=$BATS_FILE_TMPDIR/want
}

# temps: the temporaries .L.cowln-XXXXXX here.
temps ()
{
  ls -A | grep -E '^\.L\.cowln-[A-Za-z0-9]{6}$' || :
}

@test "a cowlink of a tree interrupted at random moments publishes nothing or all of it" {
  enter_interrupt_fs
  local n=${COWUTILS_INTERRUPT_ITERATIONS:-15}
  local seed=${COWUTILS_INTERRUPT_SEED:-$RANDOM}
  local full max
  full=$(time_of cowln -c T L)
  assert_equal "$(manifest L)" "$(<"$WANT")"
  rm -rf L
  max=$(awk -v f="$full" 'BEGIN { print f * 1.4 }')
  RANDOM=$seed
  local sigs=(INT TERM HUP) i sig delay published=0 none=0
  for ((i = 1; i <= n; i++)); do
    sig=${sigs[RANDOM % 3]}
    delay=$(random_delay "$max")
    echo "seed $seed, whole cowlink ${full}s; $i: SIG$sig after ${delay}s"
    interrupt_after "$delay" "$sig" cowln -c T L
    assert_equal "$(<"$BATS_TEST_TMPDIR/err")" ""
    assert_equal "$(temps)" ""
    if [[ -e L || -L L ]]; then
      [[ $INT_STATUS == 0 || $INT_STATUS == $(signal_status "$sig") ]] \
        || fail "status $INT_STATUS after SIG$sig"
      assert_equal "$(manifest L)" "$(<"$WANT")"
      rm -rf L
      published=$((published + 1))
    else
      assert_equal "$INT_STATUS" "$(signal_status "$sig")"
      none=$((none + 1))
    fi
  done
  assert_equal "$(manifest T)" "$(<"$WANT")"
  echo "# $n interruptions (seed $seed, whole cowlink ${full}s):" \
    "nothing published $none, all $published" >&3
}

@test "kill -9 mid-cowlink leaves .L.cowln-XXXXXX, and the next cowlink warns about it" {
  enter_interrupt_fs
  interrupt_start cowln -c T L
  local i tmp=
  for ((i = 0; i < 3000; i++)); do
    tmp=$(temps)
    [[ -n $tmp && -n $(ls -A "$tmp" 2>/dev/null) ]] && break
    sleep 0.01
  done
  interrupt_send KILL
  interrupt_wait
  assert_equal "$INT_STATUS" 137
  [[ -n $tmp ]] || fail "no temporary .L.cowln-XXXXXX appeared"
  assert_equal "$(temps)" "$tmp"
  [[ ! -e L ]] || fail "something is under the final name"

  run --separate-stderr cowln -c T L
  assert_success
  assert_output ""
  assert_equal "$stderr" "cowln: warning: leftover partial copy '$tmp' from an interrupted cowlink; remove it unless another cowlink is still running"
  assert_equal "$(manifest L)" "$(<"$WANT")"
  assert_equal "$(temps)" "$tmp"
}
