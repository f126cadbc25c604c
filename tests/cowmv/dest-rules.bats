#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# cowmv's rules for an existing destination (src/copy-dest.c, move mode)
# against GNU mv, on the cases that once lost data or differed.

load ../helpers/common
load ../helpers/gnu

setup ()
{
  umask 022
}

@test "mv --backup=simple a~ a refuses and keeps a~" {
  fixture () { echo a >a; echo keep >a~; }
  run_both_prog mv --backup=simple a~ a
  assert_failure
  assert_equal "$(cat "$OURS_TWIN/a~")" keep
  assert_equal "$(cat "$OURS_TWIN/a")" a
}

@test "mv --backup=numbered between two names of one file backs up" {
  fixture () { echo data >a; ln a b; }
  run_both_prog mv --backup=numbered a b
  assert_success
  assert_equal "$(cat "$OURS_TWIN/b")" data
}

@test "mv -b between two names of one file backs up" {
  fixture () { echo data >a; ln a b; }
  run_both_prog mv -b a b
  assert_success
}

@test "mv between two names of one file says they are the same file" {
  fixture () { echo data >a; ln a b; }
  run_both_prog mv a b
  assert_failure
}

@test "mv of a symlink onto its only target is refused" {
  fixture () { echo data >f; ln -s f s; }
  run_both_prog mv s f
  assert_failure
  assert_equal "$(cat "$OURS_TWIN/f")" data
}

@test "mv of a symlink onto another name of its target is allowed" {
  fixture () { echo data >f; ln f l; ln -s f s; }
  run_both_prog mv s l
  assert_success
}

@test "mv ./b b b/ warns that the source directory is named twice" {
  fixture () { mkdir b; echo x >b/x; }
  run_both_prog mv ./b b b/
  assert_failure
}

@test "mv a/f b/f c will not overwrite the file it just moved" {
  fixture () { mkdir a b c; echo 1 >a/f; echo 2 >b/f; }
  run_both_prog mv a/f b/f c
  assert_failure
  assert_equal "$(cat "$OURS_TWIN/b/f")" 2
}

@test "mv --backup=numbered a/f b/f c keeps both" {
  fixture () { mkdir a b c; echo 1 >a/f; echo 2 >b/f; }
  run_both_prog mv --backup=numbered a/f b/f c
  assert_success
}

@test "mv -b onto a destination in another directory backs it up there" {
  fixture () { echo s >src; mkdir D; echo d >D/dst; }
  run_both_prog mv -b src D/dst
  assert_success
  assert_equal "$(cat "$OURS_TWIN/D/dst~")" d
}

@test "mv -i asks before refusing a directory onto a file" {
  fixture () { mkdir src; echo d >dst; }
  gnu911 status 1  # 9.2+: a declined -i fails
  run_both_prog mv -i src dst
  assert_failure
}

# use_shm: make SHM_DIR, a fresh directory on /dev/shm (another
# filesystem than the test's), or skip.
use_shm ()
{
  [[ -d /dev/shm && -w /dev/shm ]] || skip "no writable /dev/shm"
  [[ $(stat -c %d /dev/shm) != "$(stat -c %d "$BATS_TEST_TMPDIR")" ]] \
    || skip "/dev/shm is on the test directory's filesystem"
  SHM_DIR=$(mktemp -d /dev/shm/cowmv-dest.XXXXXX)
}

teardown ()
{
  [[ -n ${SHM_DIR:-} ]] && rm -rf "$SHM_DIR"
  return 0
}

@test "mv x y D/ across filesystems keeps a hard link between the operands' trees" {
  local who d
  use_shm
  for who in gnu ours; do
    d=$SHM_DIR/$who
    mkdir "$d"
    mkdir -p "$BATS_TEST_TMPDIR/$who/x" "$BATS_TEST_TMPDIR/$who/y"
    cd "$BATS_TEST_TMPDIR/$who"
    echo 1 >x/1
    ln x/1 y/1
    if [[ $who == gnu ]]; then /usr/bin/mv x y "$d/"; else cowmv x y "$d/"; fi
  done
  assert_equal "$(stat -c %h "$SHM_DIR/ours/y/1")" 2
  assert_equal "$(stat -c %i "$SHM_DIR/ours/x/1")" \
               "$(stat -c %i "$SHM_DIR/ours/y/1")"
  assert_equal "$(stat -c %h "$SHM_DIR/gnu/y/1")" 2
}

@test "mv -u across filesystems links a later name to a newer destination it kept" {
  local who d
  use_shm
  for who in gnu ours; do
    d=$SHM_DIR/$who
    mkdir "$d"
    mkdir -p "$BATS_TEST_TMPDIR/$who/s"
    cd "$BATS_TEST_TMPDIR/$who"
    echo h >s/h1
    ln s/h1 s/h2
    echo newer >"$d/h1"
    touch -d '+1 hour' "$d/h1"
    if [[ $who == gnu ]]; then
      /usr/bin/mv -u s/h1 s/h2 "$d/"
    else
      cowmv -u s/h1 s/h2 "$d/"
    fi
  done
  assert_equal "$(cat "$SHM_DIR/ours/h2")" newer
  assert_equal "$(stat -c %h "$SHM_DIR/ours/h1")" 2
  assert_equal "$(cat "$SHM_DIR/gnu/h2")" newer
}
