#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# cowsnap/create.bats -- making snapshots: names in the .snapshot
# namespace, sharing (FIEMAP), metadata and hard links kept, read-only,
# the btrfs subvolume backend, the refusal on ext4 and --copy, a file
# changing while it is cloned, interruption, and unprivileged users.

load ../helpers/common
load snap
load ../helpers/interrupt

bats_require_minimum_version 1.5.0

# --- files ---------------------------------------------------------------

file_snapshot ()
{
  enter_fs "$1"
  local ns=$FS_PATH/.snapshot/t$BATS_TEST_NUMBER
  random_file f 2M
  chmod 640 f
  setfattr -n user.colour -v blue f
  touch -d '2001-02-03 04:05:06.123456789' f
  run --separate-stderr cowsnap -v f
  assert_success
  assert_equal "$stderr" ""
  local s
  s=$(snaps_of "$ns" f)
  [[ $s =~ ^f\.$STAMP_RE$ ]] || fail "snapshot name: '$s'"
  assert_output "snapshot 'f' -> '$ns/$s'"
  cmp f "$ns/$s"
  assert_shares_extents f "$ns/$s"
  assert_equal "$(stat -c '%a %u %g %s %y' "$ns/$s")" \
               "$(stat -c '%a %u %g %s %y' f)"
  assert_equal "$(getfattr --only-values -n user.colour "$ns/$s")" blue
  # Read-only: root gets the immutable flag, so no write gets through.
  [[ $(lsattr -d "$ns/$s") == *i* ]] || fail "not immutable: $(lsattr -d "$ns/$s")"
  run -1 bash -c "echo x >>'$ns/$s'"
  cmp f "$ns/$s"
  # The marker.
  assert_equal "$(cat "$FS_PATH/.snapshot/.cowsnap")" "cowsnap namespace 1"
}

@test "btrfs: a file's snapshot is a read-only reflink in .snapshot, named by a UTC stamp" {
  require_root
  file_snapshot btrfs
}

@test "xfs: a file's snapshot is a read-only reflink in .snapshot, named by a UTC stamp" {
  require_root
  file_snapshot xfs
}

@test "named snapshots: PATH NAME and --name; a taken name fails and changes nothing" {
  require_root
  enter_fs btrfs
  local ns=$FS_PATH/.snapshot/t$BATS_TEST_NUMBER
  echo one >f
  run cowsnap f test
  assert_success
  assert_equal "$(cat "$ns/f.test")" one
  run cowsnap --name=other f
  assert_success
  echo two >f
  run cowsnap f test
  assert_failure 1
  assert_output "cowsnap: cannot create '$ns/f.test': File exists"
  assert_equal "$(cat "$ns/f.test")" one
  run cowsnap --name=a.b f
  assert_failure 1
  [[ $output == *"invalid snapshot name"* ]]
  # A second operand that exists is a second file to snapshot.
  echo z >test
  run cowsnap f test
  assert_success
  assert_equal "$(snaps_of "$ns" test | wc -l)" 1
}

@test "snapshots taken in a tight loop never collide" {
  require_root
  enter_fs btrfs
  local ns=$FS_PATH/.snapshot/t$BATS_TEST_NUMBER i
  echo x >f
  for i in $(seq 30); do cowsnap f; done
  assert_equal "$(snaps_of "$ns" f | sort -u | wc -l)" 30
}

# --- trees ---------------------------------------------------------------

@test "a tree's snapshot: directories made, files cloned, hard links, symlinks and specials kept" {
  require_root
  enter_fs btrfs
  local ns=$FS_PATH/.snapshot/t$BATS_TEST_NUMBER
  mkdir -p d/sub/deeper
  random_file d/a 1M
  random_file d/sub/b 300K
  ln d/a d/sub/a-link
  ln -s ../a d/sub/sym
  mkfifo d/fifo
  mknod d/null c 1 3
  chmod 700 d/sub
  chown 1000:1000 d/sub/b
  setfattr -n user.k -v v d/sub/b
  have_setfacl && setfacl -m u:1000:r d/a
  touch -h -d '2001-01-01' d/sub/sym
  touch -d '2002-02-02' d/sub d
  run cowsnap d
  assert_success
  local s
  s=$ns/$(snaps_of "$ns" d)
  diff <(cd d && find . -printf '%y %m %u %g %s %T@ %l %P\n' | sort) \
       <(cd "$s" && find . -printf '%y %m %u %g %s %T@ %l %P\n' | sort)
  assert_hardlinked "$s/a" "$s/sub/a-link"
  assert_shares_extents d/a "$s/a"
  assert_shares_extents d/sub/b "$s/sub/b"
  assert_equal "$(stat -c %t,%T "$s/null")" 1,3
  assert_equal "$(getfattr --only-values -n user.k "$s/sub/b")" v
  if have_setfacl; then
    assert_equal "$(getfacl -cp "$s/a")" "$(getfacl -cp d/a)"
  fi
  # Sealed: no entry can be added, no file written.
  run -1 touch "$s/new"
  run -1 bash -c "echo x >>'$s/sub/b'"
}

@test "the namespace is never inside its own snapshots; cowcp -a copies a .snapshot like any directory" {
  require_root
  require_fs btrfs
  local root=$FS_PATH
  mkdir "$root/t$BATS_TEST_NUMBER"
  echo a >"$root/t$BATS_TEST_NUMBER/f"
  cowsnap "$root/t$BATS_TEST_NUMBER/f"
  # A plain directory (not a subvolume) snapshotted with the walk: make
  # one holding a .snapshot by --dir.
  mkdir "$root/t$BATS_TEST_NUMBER/top" "$root/t$BATS_TEST_NUMBER/top/ns"
  echo b >"$root/t$BATS_TEST_NUMBER/top/g"
  run cowsnap --dir="$root/t$BATS_TEST_NUMBER/top/ns" "$root/t$BATS_TEST_NUMBER/top/g"
  assert_success
  run cowsnap --dir="$root/t$BATS_TEST_NUMBER/top/ns" "$root/t$BATS_TEST_NUMBER/top"
  assert_success
  local s
  s=$(ls "$root/t$BATS_TEST_NUMBER/top/ns/t$BATS_TEST_NUMBER" | grep '^top\.')
  assert_equal "$(ls -A "$root/t$BATS_TEST_NUMBER/top/ns/t$BATS_TEST_NUMBER/$s")" g
  # cowcp -a of that tree copies the namespace as it is.
  chattr -R -i "$root/t$BATS_TEST_NUMBER/top/ns"
  run cowcp -a "$root/t$BATS_TEST_NUMBER/top" "$root/t$BATS_TEST_NUMBER/copy"
  assert_success
  diff -r "$root/t$BATS_TEST_NUMBER/top" "$root/t$BATS_TEST_NUMBER/copy"
}

@test "btrfs: a subvolume is snapshotted natively, read-only, at once" {
  require_root
  have_cmd btrfs || skip "btrfs-progs missing"
  enter_fs btrfs
  local ns=$FS_PATH/.snapshot/t$BATS_TEST_NUMBER
  btrfs -q subvolume create vol
  random_file vol/a 1M
  run cowsnap --debug -v vol
  assert_success
  assert_line --index 0 "'vol': btrfs filesystem, backend: btrfs-subvolume"
  local s
  s=$ns/$(snaps_of "$ns" vol)
  assert_equal "$(stat -c %i "$s")" 256
  assert_equal "$(btrfs property get -ts "$s" ro)" "ro=true"
  cmp vol/a "$s/a"
  run -1 touch "$s/new"
  # The namespace is a subvolume of its own: snapshots of the top-level
  # subvolume never hold it.
  assert_equal "$(stat -c %i "$FS_PATH/.snapshot")" 256
}

@test "ext4: refused with the filesystem's type and nothing made; --copy copies and says so" {
  require_root
  make_loop_fs ext4 32M ext4 || skip "no ext4: $(fs_reason ext4)"
  enter_fs ext4
  echo data >f
  run cowsnap f
  assert_failure 1
  assert_output "cowsnap: cannot snapshot 'f': its filesystem (ext2/ext3/ext4) cannot share data between files; --copy copies it instead"
  [[ ! -e $FS_PATH/.snapshot ]]
  run cowsnap -v --copy f
  assert_success
  [[ $output == *" (copied)" ]] || fail "no (copied): $output"
  local ns=$FS_PATH/.snapshot/t$BATS_TEST_NUMBER
  assert_equal "$(cat "$ns/$(snaps_of "$ns" f)")" data
}

@test "a file that keeps changing while it is cloned is cloned again, then reported; --strict makes no snapshot" {
  require_root
  require_faultshim
  enter_fs btrfs
  local ns=$FS_PATH/.snapshot/t$BATS_TEST_NUMBER
  mkdir d
  random_file d/big 1M
  echo quiet >d/calm
  # The shim appends a byte to big after each of its clones: a writer at
  # the worst moment, every time.
  run with_faults ficlone=grow /big -- strace -f -qq -e trace=ioctl \
    -o "$BATS_TEST_TMPDIR/trace" cowsnap d
  assert_failure 1
  assert_output "cowsnap: '$PWD/d/big' changed while being snapshotted"
  # Cloned once, then three more times.
  assert_equal "$(grep -c 'FICLONE.*= 0' "$BATS_TEST_TMPDIR/trace")" 5
  # Kept, as cloned last, with the quiet file whole.
  local s
  s=$ns/$(ls "$ns" | grep '^d\.')
  assert_equal "$(cat "$s/calm")" quiet
  assert_equal "$(stat -c %s "$s/big")" $((1048576 + 3))
  run with_faults ficlone=grow /big -- cowsnap --strict d
  assert_failure 1
  assert_output "cowsnap: '$PWD/d/big' changed while being snapshotted
cowsnap: snapshot of '$PWD/d' not made: files changed while it was taken"
  assert_equal "$(ls -A "$ns" | grep -c '^d\.')" 1
  assert_equal "$(ls -A "$ns" | grep -c cowsnap-)" 0
}

@test "a real writer appending while a tree is snapshotted: every snapshot of the file is one moment of it, or reported" {
  require_root
  enter_fs btrfs
  local ns=$FS_PATH/.snapshot/t$BATS_TEST_NUMBER i s size
  mkdir d
  random_file d/big 4M
  cp d/big "$BATS_TEST_TMPDIR/orig"
  echo quiet >d/calm
  perl -e 'open my $f, ">>", $ARGV[0] or die; my $b = "x" x 4096;
           for (1 .. 4096) { syswrite $f, $b }' d/big &
  local writer=$!
  for i in 1 2 3 4 5; do
    run cowsnap d
    # Settled, or reported as changing: nothing else.
    if ((status != 0)); then
      assert_equal "$status" 1
      assert_output "cowsnap: '$PWD/d/big' changed while being snapshotted"
    fi
  done
  wait "$writer"
  for s in "$ns"/d.*; do
    size=$(stat -c %s "$s/big")
    # The original, then whole 4 KiB blocks of x: never torn.
    (( size >= 4194304 && (size - 4194304) % 4096 == 0 )) || fail "$s/big: $size bytes"
    cmp -n 4194304 "$s/big" "$BATS_TEST_TMPDIR/orig"
    [[ -z $(tail -c +4194305 "$s/big" | tr -d x | head -c 1) ]] || fail "$s/big: not x after the original"
    assert_equal "$(cat "$s/calm")" quiet
  done
}

@test "SIGINT in the middle of a tree leaves no snapshot and no temporary" {
  require_root
  enter_fs btrfs
  local ns=$FS_PATH/.snapshot/t$BATS_TEST_NUMBER
  make_big_tree big 40 40
  interrupt_after 0.1 INT cowsnap big
  [[ $INT_STATUS == 130 ]] || skip "the snapshot was done before the signal ($INT_STATUS)"
  assert_equal "$(ls -A "$ns")" ""
}

@test "unprivileged: write bits removed and the mode kept in user.cowsnap.mode; restore gives it back" {
  require_root
  enter_fs btrfs
  # The loop mount lies under bats's own private directories.
  local d=$PWD
  while [[ $d != / && $d != /tmp ]]; do chmod o+x "$d"; d=$(dirname "$d"); done
  mkdir -m 777 ns live
  chown nobody:nogroup live
  local nobody="setpriv --reuid=nobody --regid=nogroup --clear-groups"
  $nobody bash -c 'umask 022; mkdir live/d; echo data >live/d/f; chmod 640 live/d/f; chmod 750 live/d'
  run $nobody cowsnap --dir=ns live/d
  assert_success
  local s
  s=ns/t$BATS_TEST_NUMBER/live/$(snaps_of ns/t$BATS_TEST_NUMBER/live d)
  assert_equal "$(stat -c %a "$s" "$s/f")" "$(printf '550\n440')"
  assert_equal "$(getfattr --only-values -n user.cowsnap.mode "$s/f")" 0640
  assert_equal "$(getfattr --only-values -n user.cowsnap.mode "$s")" 0750
  run $nobody bash -c "echo x >>'$s/f'"
  assert_failure
  run $nobody touch "$s/new"
  assert_failure
  $nobody bash -c 'echo changed >live/d/f; chmod 600 live/d/f'
  run $nobody cowsnap restore --dir=ns --no-keep live/d
  assert_success
  assert_equal "$(stat -c %a live/d live/d/f)" "$(printf '750\n640')"
  assert_equal "$(cat live/d/f)" data
  run getfattr -n user.cowsnap.mode live/d/f
  assert_failure
  # And delete takes it away, sealed or not.
  run $nobody cowsnap delete "$s"
  assert_success
  [[ ! -e $s ]]
}

# --- usage ---------------------------------------------------------------

@test "usage errors" {
  run cowsnap
  assert_failure 1
  assert_line --index 0 "cowsnap: missing file operand"
  run cowsnap --json x
  assert_failure 1
  run cowsnap --to=x f
  assert_failure 1
  assert_line --index 0 "cowsnap: option '--to' does not apply to 'create'"
  run cowsnap prune f
  assert_failure 1
  [[ $output == *"prune needs a retention"* ]]
  run cowsnap schedule f
  assert_failure 1
  run cowsnap restore a b c
  assert_failure 1
  assert_line --index 0 "cowsnap: extra operand 'c'"
  run cowsnap --help
  assert_success
  [[ $output == *"Usage: cowsnap [OPTION]... PATH..."* ]]
}

@test "awkward operands: a snapshot of a snapshot, the namespace, a symlink loop, a FIFO, the root itself" {
  require_root
  enter_fs btrfs
  local ns=$FS_PATH/.snapshot/t$BATS_TEST_NUMBER
  echo x >f
  cowsnap f
  local s
  s=$ns/$(ls "$ns" | grep '^f\.')
  run cowsnap "$s"
  assert_failure 1
  assert_output "cowsnap: cannot snapshot '$s': it is in the snapshot namespace '$FS_PATH/.snapshot'"
  run cowsnap "$FS_PATH/.snapshot"
  assert_failure 1
  ln -s self self
  run cowsnap self
  assert_failure 1
  assert_output "cowsnap: cannot access 'self': Too many levels of symbolic links"
  mkfifo fifo
  run cowsnap fifo
  assert_success
  [[ -p $ns/$(ls "$ns" | grep '^fifo\.') ]]
  # The root of the filesystem is called "@"; list names it by its path.
  run cowsnap "$FS_PATH"
  assert_success
  [[ -n $(ls "$FS_PATH/.snapshot" | grep -E "^@\.$STAMP_RE$") ]]
  cd "$FS_PATH"
  run cowsnap list
  assert_success
  assert_line "Snapshots for '$FS_PATH':"
  # Nothing under the namespace was snapshotted into itself.
  [[ ! -e $FS_PATH/.snapshot/.snapshot ]]
}

@test "a full disk: the snapshot fails, nothing half-made is left, the live tree is untouched" {
  require_root
  make_loop_fs ext4 20M tiny || skip "no ext4: $(fs_reason tiny)"
  enter_fs tiny
  mkdir d
  random_file d/a 6M
  random_file d/b 6M
  local sum
  sum=$(cat d/a d/b | md5sum)
  run cowsnap --copy d
  assert_failure 1
  [[ $output == *"No space left on device"* ]] || fail "$output"
  assert_equal "$(ls -A "$FS_PATH/.snapshot/t$BATS_TEST_NUMBER" 2>/dev/null)" ""
  assert_equal "$(cat d/a d/b | md5sum)" "$sum"
}
