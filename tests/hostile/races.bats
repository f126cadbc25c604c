#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# hostile/races.bats -- a symlink swapped into the source or the
# destination tree while cowcp, cowmv or cowln runs over it must never make
# it read from, write to or remove anything outside what it was asked to
# copy.  A racer (racer.c) exchanges a directory and a file of the tree
# with symlinks to a secret directory and file (or, in the destination, a
# directory being merged into with a symlink to a victim directory) as
# fast as it can; each case runs its program over and over for
# $COWUTILS_HOSTILE_SECONDS (default 6) seconds and checks every run.  The
# controls show that the racer lands swaps during the runs and that the
# checks catch a program that does follow the symlinks.

load ../helpers/common
load race

bats_require_minimum_version 1.5.0

setup_file ()
{
  build_racer || true
  make_loop_fs btrfs 256M hostile-race || true
}

teardown_file ()
{
  cleanup_loop_fs
}

setup ()
{
  # A world nobody can reach too: bats's own directories may be 0700.
  W=$(mktemp -d /tmp/hostile-race.XXXXXX)
  chmod 755 "$W"
}

teardown ()
{
  race_stop
  [[ -n ${W:-} ]] && rm -rf -- "$W"
  return 0
}

# src_world TOP: the world and a source tree TOP/src, an output directory
# TOP/out anybody may write, and the world's state in WORLD_BEFORE.
src_world ()
{
  race_world "$1"
  race_tree "$1/src"
  mkdir -m 777 "$1/out"
  WORLD_BEFORE=$(world_state "$1")
}

# src_prep N: start the racers on the source: src/b <-> a symlink to the
# secret directory, src/a/f50 <-> a symlink to the secret file.
src_prep ()
{
  race_start "$SRC/b" "$HOLD/lnk"
  race_start "$SRC/a/f50" "$HOLD/flnk"
}

# world_unchanged: fail unless the secret and the victim are as they were.
world_unchanged ()
{
  local now
  now=$(world_state "$WORLD")
  [[ $now == "$WORLD_BEFORE" ]] && return 0
  diff <(printf '%s\n' "$WORLD_BEFORE") <(printf '%s\n' "$now") \
    | batslib_decorate "run $1 changed the secret or the victim" | fail
  return 1
}

# status_ok N STATUS: 0 (copied) or 1 (a swapped entry failed); anything
# else (a crash) fails.
status_ok ()
{
  [[ $2 == 0 || $2 == 1 ]] && return 0
  fail "run $1 exited $2: $(head -c 2000 "$RACE_ERR")"
  return 1
}

# src_check N STATUS: nothing of the secret in the copy $OUT_N (@N@
# replaced), the secret and victim unchanged; count a run whose copy holds
# a raced name as a symlink, or whose messages name one, as having met the
# swap.
src_check ()
{
  local n=$1 copy=${OUT_N//@N@/$1} found
  status_ok "$n" "$2" || return 1
  if ! found=$(leaks "$copy"); then
    printf '%s\n' "$found" \
      | batslib_decorate "run $n read the secret into the copy" | fail
    return 1
  fi
  world_unchanged "$n" || return 1
  if grep -qE "/(b|a/f50)'" "$RACE_ERR"; then
    RACE_SEEN=$((RACE_SEEN + 1)) RACE_MID=$((RACE_MID + 1))
  elif [[ -L $copy/b || -L $copy/a/f50 ]]; then
    RACE_SEEN=$((RACE_SEEN + 1))
  fi
  rm -rf -- "$copy"
}

# src_case USER WHAT CMD...: the source race for CMD (which copies $SRC
# to $OUT_N) as USER, with the world in $W.
src_case ()
{
  local user=$1 what=$2
  shift 2
  WORLD=$W SRC=$W/src HOLD=$W/hold OUT_N=$W/out/d@N@
  src_world "$W"
  race_loop "$user" src_prep src_check "$@" "$SRC" "$OUT_N"
  race_report "$what"
  ((RACE_SEEN > 0)) \
    || fail "in $RACE_ITERS runs the racers never landed a swap that $what met"
}

@test "cowcp -a: a source directory and file swapped for symlinks to a secret never bring it in" {
  require_racer
  src_case root "cowcp -a" cowcp -a
}

@test "cowcp -a as nobody: the swapped-in secret is never read into the copy" {
  require_racer
  require_root
  src_case nobody "cowcp -a (nobody)" "$(command -v cowcp)" -a
}

@test "cowcp -R: a source directory and file swapped for symlinks to a secret never bring it in" {
  require_racer
  src_case root "cowcp -R" cowcp -R
}

# dst_prep N: a fresh destination tree $W/dst (from $W/dst.tmpl) whose
# directories b and c/sub the racers exchange with symlinks to the victim.
dst_prep ()
{
  rm -rf -- "$W/dst"
  /usr/bin/cp -a -- "$W/dst.tmpl" "$W/dst"
  race_start "$W/dst/b" "$W/hold/vlnk"
  race_start "$W/dst/c/sub" "$W/hold/vlnk2"
}

# dst_check N STATUS: the victim unchanged, nothing created in it; count
# the runs that met a swapped-in symlink (GNU's "cannot overwrite
# non-directory" for it).
dst_check ()
{
  status_ok "$1" "$2" || return 1
  world_unchanged "$1" || return 1
  if grep -qE "dst/\./(b|c/sub)'" "$RACE_ERR"; then
    RACE_SEEN=$((RACE_SEEN + 1)) RACE_MID=$((RACE_MID + 1))
  fi
}

# dst_case USER WHAT OPTION...: cowcp OPTION... src/. dst, merging into the
# raced destination.
dst_case ()
{
  local user=$1 what=$2
  shift 2
  WORLD=$W
  race_world "$W"
  race_tree "$W/src"
  mkdir -p "$W/dst.tmpl/b/sub" "$W/dst.tmpl/c/sub" "$W/dst.tmpl/a"
  echo old >"$W/dst.tmpl/b/old"
  echo old >"$W/dst.tmpl/c/sub/old"
  chmod -R a+rwX "$W/dst.tmpl"
  WORLD_BEFORE=$(world_state "$W")
  race_loop "$user" dst_prep dst_check \
    "$(command -v cowcp)" "$@" "$W/src/." "$W/dst"
  race_report "$what"
  ((RACE_SEEN > 0)) \
    || fail "in $RACE_ITERS runs the racers never landed a swap that $what met"
}

@test "cowcp -a merging into a destination whose directories are swapped for symlinks writes nothing outside it" {
  require_racer
  dst_case root "cowcp -a into dst" -a
}

@test "cowcp -R merging into a raced destination as nobody writes nothing outside it" {
  require_racer
  require_root
  dst_case nobody "cowcp -R into dst (nobody)" -R
}

@test "cowmv across filesystems: a swapped-in symlink is neither followed when copying nor when removing the source" {
  require_racer
  require_fs hostile-race
  WORLD=$FS_PATH/w$BATS_TEST_NUMBER
  SRC=$WORLD/src HOLD=$WORLD/hold OUT_N=$W/out/m@N@
  race_world "$WORLD"
  race_tree "$WORLD/src.tmpl"
  mkdir -m 777 "$W/out"
  WORLD_BEFORE=$(world_state "$WORLD")
  mv_prep ()
  {
    rm -rf -- "$SRC"
    /usr/bin/cp -a -- "$WORLD/src.tmpl" "$SRC"
    race_hold "$WORLD"
    src_prep
  }
  race_loop root mv_prep src_check cowmv "$SRC" "$OUT_N"
  race_report "cowmv btrfs -> ext4"
  ((RACE_SEEN > 0)) || fail "in $RACE_ITERS runs no swap was met"
}

@test "cowln -c of a tree: a swapped-in symlink never brings the secret in" {
  require_racer
  require_fs hostile-race
  WORLD=$FS_PATH/w$BATS_TEST_NUMBER
  SRC=$WORLD/src HOLD=$WORLD/hold
  OUT_N=$WORLD/out/l@N@
  src_world "$WORLD"
  race_loop root src_prep src_check cowln -c "$SRC" "$OUT_N"
  race_report "cowln -c"
  ((RACE_SEEN > 0)) || fail "in $RACE_ITERS runs no swap was met"
}

@test "control: the checks catch a copy that follows the swapped symlinks (cowcp -RL)" {
  require_racer
  WORLD=$W SRC=$W/src HOLD=$W/hold OUT_N=$W/out/d@N@
  src_world "$W"
  # Run until the first leak: src_check fails the loop there.
  run race_loop root src_prep src_check cowcp -RL "$SRC" "$OUT_N"
  race_stop
  assert_failure
  assert_output --partial "read the secret into the copy"
  [[ $output =~ run\ ([0-9]+)\ read ]] \
    && printf '# cowcp -RL read the secret in run %d\n' "${BASH_REMATCH[1]}" >&3
  # For the record (not asserted: it is a matter of timing): GNU cp -a
  # walks by path, so it reads the secret now and then.
  local n leaked=0 runs=0 end=$((SECONDS + 3))
  while ((SECONDS < end)); do
    src_prep
    /usr/bin/cp -a "$SRC" "$W/out/g" 2>/dev/null || true
    race_stop
    leaks "$W/out/g" >/dev/null || leaked=$((leaked + 1))
    rm -rf -- "$W/out/g"
    runs=$((runs + 1))
  done
  printf '# GNU cp -a read the secret in %d of %d runs\n' "$leaked" "$runs" >&3
}
