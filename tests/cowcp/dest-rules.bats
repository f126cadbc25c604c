#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# cowcp's rules for an existing destination (src/copy-dest.c) against GNU
# cp, on the cases that once lost data: each runs through run_both, and
# then the data that GNU keeps is checked to be there.

load ../helpers/common
load ../helpers/gnu

bats_require_minimum_version 1.5.0

setup ()
{
  umask 022
}

teardown ()
{
  [[ -n ${SHM_DIR:-} ]] && rm -rf "$SHM_DIR"
  return 0
}

@test "cp -d L F, L a symlink to F: the same file, and F keeps its data" {
  fixture () { echo x >F; ln -s F L; }
  run_both -d L F
  assert_failure
  assert_equal "$(cat "$OURS_TWIN/F")" x
  [[ ! -L $OURS_TWIN/F ]]
}

@test "cp -d of an absolute symlink on another filesystem onto its target keeps the target" {
  [[ -d /dev/shm && -w /dev/shm ]] || skip "no writable /dev/shm"
  SHM_DIR=$(mktemp -d /dev/shm/cowcp-dest.XXXXXX)
  [[ $(stat -c %d "$SHM_DIR") != "$(stat -c %d "$BATS_TEST_TMPDIR")" ]] \
    || skip "/dev/shm is on the test directory's filesystem"
  # The symlink names its twin's F, so the twins cannot be compared by
  # run_both; each program gets its own pair, and the results are
  # compared here.
  local who out
  for who in gnu ours; do
    mkdir "$BATS_TEST_TMPDIR/$who" "$SHM_DIR/$who"
    echo x >"$BATS_TEST_TMPDIR/$who/F"
    ln -s "$BATS_TEST_TMPDIR/$who/F" "$SHM_DIR/$who/L"
  done
  run -1 "$GNU_CP" -d "$SHM_DIR/gnu/L" "$BATS_TEST_TMPDIR/gnu/F"
  out=${output//$SHM_DIR\/gnu/S}
  out=${out//$BATS_TEST_TMPDIR\/gnu/T}
  out=${out#*cp: }
  run -1 cowcp -d "$SHM_DIR/ours/L" "$BATS_TEST_TMPDIR/ours/F"
  output=${output//$SHM_DIR\/ours/S}
  output=${output//$BATS_TEST_TMPDIR\/ours/T}
  assert_equal "${output#*cp: }" "$out"
  assert_equal "$(cat "$BATS_TEST_TMPDIR/ours/F")" x
  [[ ! -L $BATS_TEST_TMPDIR/ours/F ]]
}

@test "cp --backup=simple a~ a refuses: the backup would destroy the source" {
  fixture () { echo a >a; echo keep >a~; }
  run_both --backup=simple a~ a
  assert_failure
  assert_equal "$(cat "$OURS_TWIN/a~")" keep
  assert_equal "$(cat "$OURS_TWIN/a")" a
}

@test "cp --backup=numbered a~ a backs up, as GNU (numbered names never collide)" {
  fixture () { echo a >a; echo keep >a~; }
  run_both --backup=numbered a~ a
  assert_success
}

@test "cp -a --attributes-only onto a file with another name writes it in place" {
  fixture () { printf 2 >f2; ln f2 l2; printf 1 >f1; }
  run_both -a --attributes-only f1 f2
  assert_success
  assert_equal "$(cat "$OURS_TWIN/f2")" 2
  assert_equal "$(stat -c %i "$OURS_TWIN/f2")" "$(stat -c %i "$OURS_TWIN/l2")"
}

@test "cp --remove-destination a b, two names of one file, makes b a copy" {
  fixture () { echo data >a; ln a b; }
  run_both --remove-destination a b
  assert_success
  assert_equal "$(cat "$OURS_TWIN/a")" data
}

@test "cp -b a b, two names of one file, backs b up" {
  fixture () { echo data >a; ln a b; }
  run_both -b a b
  assert_success
}

@test "cp a b, two names of one file, says they are the same file" {
  fixture () { echo data >a; ln a b; }
  run_both a b
  assert_failure
}

@test "cp -al then cp -a --remove-destination breaks every link as GNU" {
  fixture ()
  {
    mkdir s
    echo 1 >s/a
    echo 2 >s/b
    cp -al s t
    echo 3 >s/c
  }
  run_both -a --remove-destination s/. t/
  assert_success
}

@test "cp -f f loop, loop a symlink to itself, replaces it" {
  fixture () { echo a >f; ln -s loop loop; }
  run_both -f f loop
  assert_success
}

@test "cp --remove-destination f loop replaces the loop" {
  fixture () { echo a >f; ln -s loop loop; }
  run_both --remove-destination f loop
  assert_success
}

@test "cp f loop cannot stat the loop" {
  fixture () { echo a >f; ln -s loop loop; }
  run_both f loop
  assert_failure
}

@test "cp -d will not copy through a symlink another operand just made" {
  fixture ()
  {
    mkdir a b c
    echo 1 >a/1
    echo x >x
    ln -s ../x b/1
  }
  run_both -d b/1 a/1 c
  assert_failure
  assert_equal "$(cat "$OURS_TWIN/x")" x
}

@test "cp --backup=numbered of two same-named files into one directory keeps both" {
  fixture () { mkdir a b c; echo 1 >a/f; echo 2 >b/f; }
  run_both --backup=numbered a/f b/f c
  assert_success
}

@test "cp --backup=numbered a a d/ copies twice, as GNU" {
  fixture () { echo a >a; mkdir d; }
  run_both --backup=numbered a a d/
  assert_success
}

@test "cp -b onto a name whose backup is another name of it fails as GNU" {
  fixture () { echo a >a; echo b >b; ln b b~; }
  run_both -b a b
  assert_failure
}

@test "cp -b onto a destination in another directory keeps its backup there" {
  fixture () { echo s >src; mkdir D; echo d >D/dst; echo e >D/dst.~1~; }
  run_both -b src D/dst
  assert_success
  assert_equal "$(cat "$OURS_TWIN/D/dst.~2~")" d
}
