#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# cowln's rules for an existing destination (src/copy-dest.c) against GNU
# ln.

load ../helpers/common
load ../helpers/gnu

bats_require_minimum_version 1.5.0

setup ()
{
  umask 022
}

@test "ln -f --backup=simple a b, b~ another name of b, succeeds" {
  fixture () { echo a >a; echo b >b; ln b b~; }
  run_both_prog ln -f --backup=simple a b
  assert_success
  assert_equal "$(cat "$OURS_TWIN/b~")" b
}

@test "ln -f a a is the same file" {
  fixture () { echo a >a; }
  run_both_prog ln -f a a
  assert_failure
}

@test "ln -sf a a is the same file, and a keeps its data" {
  fixture () { echo a >a; }
  run_both_prog ln -sf a a
  assert_failure
  assert_equal "$(cat "$OURS_TWIN/a")" a
}

@test "ln -sf --backup a a backs a up and makes the link" {
  fixture () { echo a >a; }
  run_both_prog ln -sf --backup a a
  assert_success
}

@test "ln -f a b, two names of one file, replaces b" {
  fixture () { echo a >a; ln a b; }
  run_both_prog ln -f a b
  assert_success
}

@test "ln -f a/f b/f c will not overwrite the link it just made" {
  fixture () { mkdir a b c; echo 1 >a/f; echo 2 >b/f; }
  run_both_prog ln -f a/f b/f c
  assert_failure
}

@test "ln -f onto a directory is refused" {
  fixture () { echo a >a; mkdir d; echo x >d/a; }
  run_both_prog ln -T -f a d
  assert_failure
}

@test "ln -b onto a destination in another directory backs it up there" {
  fixture () { echo s >src; mkdir D; echo d >D/dst; echo e >D/dst.~1~; }
  run_both_prog ln -b src D/dst
  assert_success
  assert_equal "$(cat "$OURS_TWIN/D/dst.~2~")" d
}

@test "ln -f of a directory into a directory says hard links to directories are not allowed" {
  fixture () { mkdir src D; echo x >D/src; }
  run_both_prog ln -f src D/
  assert_failure
}

# Fuzzer seeds 46 and 51 (46/179, 51/171): ln --backup=numbered of a name
# so long that NAME.~1~ does not fit in NAME_MAX.  The backup name is then
# NAME cut short and ended with "~", the same every time, and GNU ln
# renames the destination to it whatever is there: the second backup
# destroys the first (here the only copy of "old").  cowln backs up as GNU
# cp and mv do, never renaming over a file for a numbered backup, so it
# refuses the second with "File exists" and both files are kept.
# Decided (README, "Deliberate differences from GNU").
@test "ln --backup=numbered never renames over an earlier backup of a too-long name" {
  local n side backup ours=$COWUTILS_BUILD/src/cowln
  n=$(printf 'f%.0s' {1..254})
  for side in gnu ours; do
    mkdir -p "$BATS_TEST_TMPDIR/$side/D"
    echo new >"$BATS_TEST_TMPDIR/$side/$n"
    echo old >"$BATS_TEST_TMPDIR/$side/D/$n"
  done
  cd "$BATS_TEST_TMPDIR/gnu"
  run -0 /usr/bin/ln --backup=numbered "$n" "D/$n"
  run -0 /usr/bin/ln --backup=numbered "$n" "D/$n"
  backup=$(ls D | grep -vx "$n")
  assert_equal "$(ls D | wc -l)" 2
  assert_equal "$(cat "D/$backup")" new
  cd "$BATS_TEST_TMPDIR/ours"
  run -0 "$ours" --backup=numbered "$n" "D/$n"
  run -1 "$ours" --backup=numbered "$n" "D/$n"
  assert_output "$ours: cannot backup 'D/$n': File exists"
  assert_equal "$(ls D | grep -vx "$n")" "$backup"
  assert_equal "$(cat "D/$backup")" old
  [[ "D/$n" -ef "$n" ]]
}
