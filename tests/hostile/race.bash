# SPDX-License-Identifier: GPL-3.0-or-later
# race.bash -- fixtures and checks for tests/hostile/races.bats.
#
# A "world" is a directory W holding, besides the trees a test copies:
#   W/secret/    files whose contents carry $SECRET_MARK, named secret*;
#                a copy that follows a swapped-in symlink reads them
#   W/secretf    one more such file
#   W/victim/    a directory nothing may write into
#   W/hold/      the other ends of the racers' exchanges: symlinks to the
#                above (lnk -> secret, flnk -> secretf, vlnk -> victim,
#                vlnk2 -> victim/inner)
# race_world W makes it; world_state W prints a listing and checksum of
# secret, secretf and victim, to compare before and after.
#
# race_start A B starts tests/hostile/racer on A and B (exchanging them
# until stopped) and remembers its pid; race_stop stops every racer started
# since the last race_stop, waits for them, and adds their swap counts to
# RACE_SWAPS.  The racer binary is $RACER (built by build_racer).

SECRET_MARK=SECRET-c0wut1ls-7f3a

# build_racer: compile racer.c into $BATS_FILE_TMPDIR/racer; record a
# reason in $BATS_FILE_TMPDIR/racer.reason when that cannot be done.
build_racer ()
{
  local out
  if ! command -v cc >/dev/null; then
    echo "no C compiler (cc) to build the racer" >"$BATS_FILE_TMPDIR/racer.reason"
    return 1
  fi
  if ! out=$(cc -O2 -o "$BATS_FILE_TMPDIR/racer" \
      "$BATS_TEST_DIRNAME/racer.c" 2>&1); then
    printf 'racer.c does not build: %s\n' "${out//$'\n'/ }" \
      >"$BATS_FILE_TMPDIR/racer.reason"
    return 1
  fi
}

# require_racer: inside a @test, skip unless build_racer succeeded; sets
# RACER.
require_racer ()
{
  RACER=$BATS_FILE_TMPDIR/racer
  [[ -x $RACER ]] \
    || skip "$(cat "$BATS_FILE_TMPDIR/racer.reason" 2>/dev/null || echo 'racer not built')"
}

# race_world W: the secret, the victim and the racers' symlinks under W.
race_world ()
{
  local w=${1:?race_world W} i
  mkdir -p "$w/secret" "$w/victim/inner" "$w/hold"
  for i in $(seq 1 40); do
    printf '%s %d\n' "$SECRET_MARK" "$i" >"$w/secret/secret$i"
    printf 'victim %d\n' "$i" >"$w/victim/v$i"
  done
  mkdir "$w/secret/secretdir"
  printf '%s deep\n' "$SECRET_MARK" >"$w/secret/secretdir/secretdeep"
  printf '%s file\n' "$SECRET_MARK" >"$w/secretf"
  printf 'inner\n' >"$w/victim/inner/v"
  chmod -R a+rX "$w/secret" "$w/secretf"
  chmod 777 "$w/victim" "$w/victim/inner"
  race_hold "$w"
}

# race_hold W: (re)make W/hold/{lnk,flnk,vlnk,vlnk2}, absolute symlinks.
race_hold ()
{
  local w=${1:?}
  rm -rf -- "$w/hold"
  mkdir "$w/hold"
  chmod 777 "$w/hold"
  ln -s -- "$w/secret" "$w/hold/lnk"
  ln -s -- "$w/secretf" "$w/hold/flnk"
  ln -s -- "$w/victim" "$w/hold/vlnk"
  ln -s -- "$w/victim/inner" "$w/hold/vlnk2"
}

# race_tree DIR: the tree the programs under test copy: DIR/{a,b,c}, each
# with 100 files and a subdirectory of 100 more.  The racers swap DIR/b
# (a directory) and DIR/a/f50 (a file).
race_tree ()
{
  python3 - "${1:?race_tree DIR}" <<'PY'
import os, sys
top = sys.argv[1]
os.mkdir(top)
for d in "abc":
    os.makedirs(os.path.join(top, d, "sub"))
    for i in range(1, 101):
        with open(os.path.join(top, d, "f%d" % i), "w") as f:
            f.write("public %s %d\n" % (d, i))
        with open(os.path.join(top, d, "sub", "g%d" % i), "w") as f:
            f.write("public %s sub %d\n" % (d, i))
PY
  chmod -R a+rX "$1"
}

# world_state W: what must never change: names, types, sizes, modes and
# contents of W/secret, W/secretf and W/victim.
world_state ()
{
  local w=${1:?world_state W}
  (cd -- "$w" && find secret secretf victim -printf '%p %y %s %m\n' | sort \
     && find secret secretf victim -type f -print0 | sort -z \
          | xargs -0 md5sum)
}

# leaks DIR: print every file under DIR that holds the secret mark and
# every entry named like a secret one; succeed only if there is none.
# grep -r does not follow symlinks met on the way, and a symlink's own
# text (the secret's path) is not the secret.
leaks ()
{
  local dir=${1:?leaks DIR} found
  found=$( (grep -rlaF -- "$SECRET_MARK" "$dir"; find "$dir" -name 'secret*' \
            ! -type l) 2>/dev/null)
  [[ -z $found ]] || { printf '%s\n' "$found"; return 1; }
}

# race_start A B: start a racer exchanging A and B, in the background.
RACE_PIDS=()
RACE_SWAPS=0
race_start ()
{
  local log
  log=$BATS_TEST_TMPDIR/racer.${#RACE_PIDS[@]}.log
  "$RACER" "$1" "$2" >"$log" 2>&1 &
  RACE_PIDS+=("$!")
  RACE_LOGS+=("$log")
}

# race_stop: stop the racers and add up their successful exchanges.
race_stop ()
{
  local pid log n
  for pid in "${RACE_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${RACE_PIDS[@]}"; do
    wait "$pid" || true
  done
  for log in "${RACE_LOGS[@]}"; do
    n=$(sed -n 's/^swaps \([0-9]*\) .*/\1/p' "$log")
    RACE_SWAPS=$((RACE_SWAPS + ${n:-0}))
  done
  RACE_PIDS=()
  RACE_LOGS=()
}

# race_seconds: how long each race case runs, in seconds
# ($COWUTILS_HOSTILE_SECONDS, default 6).
race_seconds ()
{
  echo "${COWUTILS_HOSTILE_SECONDS:-6}"
}

# as_user USER CMD...: run CMD as root (USER=root) or as nobody.
as_user ()
{
  local user=$1
  shift
  if [[ $user == root ]]; then
    "$@"
  else
    setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
  fi
}

# race_loop USER PREP CHECK CMD...
# For $(race_seconds) seconds: call PREP N (builds what iteration N needs
# and starts its racers), run CMD as USER with every "@N@" in it replaced
# by N, stdout and stderr to $RACE_OUT and $RACE_ERR, stop the racers,
# then call CHECK N STATUS, which fails the loop by returning non-zero and
# counts in RACE_SEEN the iterations whose command met a swapped-in
# symlink, and in RACE_MID those of them where it reported an error about
# a raced name (it met the swap in the middle of handling that entry).
# Sets RACE_ITERS.  USER is root or nobody.
race_loop ()
{
  local user=$1 prep=$2 check=$3 end rc
  shift 3
  RACE_OUT=$BATS_TEST_TMPDIR/race.out RACE_ERR=$BATS_TEST_TMPDIR/race.err
  RACE_ITERS=0 RACE_SEEN=0 RACE_MID=0 RACE_SWAPS=0
  end=$((SECONDS + $(race_seconds)))
  while ((SECONDS < end)); do
    "$prep" "$RACE_ITERS"
    rc=0
    as_user "$user" "${@//@N@/$RACE_ITERS}" >"$RACE_OUT" 2>"$RACE_ERR" || rc=$?
    race_stop
    "$check" "$RACE_ITERS" "$rc" || return 1
    RACE_ITERS=$((RACE_ITERS + 1))
  done
}

# race_report WHAT: one TAP comment line with the loop's counts.
race_report ()
{
  printf '# %s: %d runs, %d met a swapped symlink (%d with an error), %d swaps\n' \
    "$1" "$RACE_ITERS" "$RACE_SEEN" "$RACE_MID" "$RACE_SWAPS" >&3
}
