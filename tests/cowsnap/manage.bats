#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# cowsnap/manage.bats -- restoring, deleting, pruning and scheduling
# snapshots: the newest by default, pre-restore kept, --to, metadata
# round trips, subvolumes; delete's refusals; prune's rules on real
# snapshot names; schedule's units in a directory of the test's own.

load ../helpers/common
load snap

bats_require_minimum_version 1.5.0

# meta_of FILE...: what a restore must give back, per file.
meta_of ()
{
  stat -c '%F %a %u %g %s %y %N' "$@"
}

# --- restore -------------------------------------------------------------

restore_round_trip ()
{
  enter_fs "$1"
  local ns=$FS_PATH/.snapshot/t$BATS_TEST_NUMBER
  mkdir -p d/sub
  random_file d/a 1M
  ln d/a d/sub/a2
  echo small >d/sub/b
  chmod 604 d/sub/b
  chmod 2750 d/sub
  chown 1000:100 d/sub/b
  setfattr -n user.x -v 1 d/a
  have_setfacl && setfacl -m u:1000:rw d/sub/b
  ln -s sub/b d/link
  touch -d '2003-03-03 03:03:03.5' d/a d/sub/b
  touch -h -d '2004-04-04' d/link
  touch -d '2005-05-05' d/sub d
  local before acl_before=
  before=$(cd d && find . -printf '%y %m %u %g %s %T@ %l %n %P\n' | sort)
  have_setfacl && acl_before=$(getfacl -cp d/sub/b)
  cowsnap d
  # Everything changes, then the snapshot comes back.
  rm d/sub/a2
  echo new >d/new
  echo changed >d/sub/b
  chmod 777 d/sub
  run --separate-stderr cowsnap restore -v d
  assert_success
  local s
  s=$(snaps_of "$ns" d | grep -v pre-restore)
  assert_output "snapshot 'd' -> '$ns/d.pre-restore'
restored '$PWD/d' from '$ns/$s'"
  assert_equal "$(cd d && find . -printf '%y %m %u %g %s %T@ %l %n %P\n' | sort)" "$before"
  assert_equal "$(getfattr --only-values -n user.x d/a)" 1
  [[ -z $acl_before ]] || assert_equal "$(getfacl -cp d/sub/b)" "$acl_before"
  assert_hardlinked d/a d/sub/a2
  assert_shares_extents d/a "$ns/$s/a"
  # The restored tree is writable again, as the original was.
  echo more >>d/a
  [[ $(lsattr -d d/sub/b) != *i* ]]
  # What it replaced is kept.
  assert_equal "$(cat "$ns/d.pre-restore/new")" new
  # No temporary is left beside it.
  assert_equal "$(ls -A | grep -c cowsnap)" 0
}

@test "btrfs: restore gives back data, modes, owners, times, xattrs, ACLs and hard links, and keeps what it replaced" {
  require_root
  restore_round_trip btrfs
}

@test "xfs: restore gives back data, modes, owners, times, xattrs, ACLs and hard links, and keeps what it replaced" {
  require_root
  restore_round_trip xfs
}

@test "restore: a named snapshot, a second pre-restore, --no-keep, --to, a deleted file, and no snapshot at all" {
  require_root
  enter_fs btrfs
  local ns=$FS_PATH/.snapshot/t$BATS_TEST_NUMBER
  echo one >f
  cowsnap f first
  echo two >f
  cowsnap f
  echo three >f
  run cowsnap restore f first
  assert_success
  assert_equal "$(cat f)" one
  assert_equal "$(cat "$ns/f.pre-restore")" three
  # The newest is now what the restore replaced: restoring it undoes it.
  run cowsnap restore f
  assert_success
  assert_equal "$(cat f)" three
  assert_equal "$(cat "$ns/f.pre-restore-2")" one
  run cowsnap restore f "$(snaps_of "$ns" f | grep -E "^f\.$STAMP_RE\$" | sed 's/^f\.//')"
  assert_success
  assert_equal "$(cat f)" two
  echo four >f
  run cowsnap restore --no-keep f first
  assert_success
  assert_equal "$(cat f)" one
  [[ ! -e $ns/f.pre-restore-4 ]]
  run cowsnap restore --to=g f first
  assert_success
  assert_equal "$(cat g)" one
  run cowsnap restore --to=g f first
  assert_failure 1
  assert_output "cowsnap: cannot restore to 'g': File exists"
  rm f
  run cowsnap restore f
  assert_success
  assert_equal "$(cat f)" three
  run cowsnap restore nothing-here
  assert_failure 1
  assert_output "cowsnap: no snapshot of 'nothing-here'"
  run cowsnap restore f no-such
  assert_failure 1
  assert_output "cowsnap: cannot access '$ns/f.no-such': No such file or directory"
  assert_equal "$(cat f)" three
}

@test "btrfs: a subvolume is restored from its native snapshot, and the old one kept" {
  require_root
  have_cmd btrfs || skip "btrfs-progs missing"
  enter_fs btrfs
  local ns=$FS_PATH/.snapshot/t$BATS_TEST_NUMBER
  btrfs -q subvolume create vol
  echo one >vol/f
  cowsnap vol
  echo two >vol/f
  run cowsnap restore vol
  assert_success
  assert_equal "$(cat vol/f)" one
  assert_equal "$(stat -c %i vol)" 256
  assert_equal "$(btrfs property get -ts vol ro)" "ro=false"
  assert_equal "$(cat "$ns/vol.pre-restore/f")" two
  echo three >vol/f
}

# --- delete --------------------------------------------------------------

@test "delete: snapshots of files, trees and subvolumes go; anything outside a namespace cowsnap made is refused" {
  require_root
  enter_fs btrfs
  local ns=$FS_PATH/.snapshot/t$BATS_TEST_NUMBER
  echo a >f
  mkdir d
  echo b >d/g
  cowsnap f d
  local s
  s=$ns/$(snaps_of "$ns" f)
  run cowsnap delete -v "$s"
  assert_success
  assert_output "deleted '$s'"
  assert_equal "$(snaps_of "$ns" f)" ""
  run cowsnap delete "$ns/$(snaps_of "$ns" d)"
  assert_success
  assert_equal "$(snaps_of "$ns" d)" ""
  if have_cmd btrfs; then
    btrfs -q subvolume create vol
    cowsnap vol
    run cowsnap delete "$ns/$(snaps_of "$ns" vol)"
    assert_success
    assert_equal "$(snaps_of "$ns" vol)" ""
  fi
  # Live data, the marker, the namespace itself, a look-alike namespace.
  run cowsnap delete f
  assert_failure 1
  assert_output "cowsnap: refusing to delete 'f': it is not inside a snapshot namespace made by cowsnap"
  run cowsnap delete "$FS_PATH/.snapshot/.cowsnap"
  assert_failure 1
  run cowsnap delete "$FS_PATH/.snapshot"
  assert_failure 1
  run cowsnap delete "$FS_PATH/.snapshot/."
  assert_failure 1
  mkdir -p fake/.snapshot
  echo x >fake/.snapshot/f.2020-01-01T000000.000000Z
  run cowsnap delete fake/.snapshot/f.2020-01-01T000000.000000Z
  assert_failure 1
  [[ -e f && -d $FS_PATH/.snapshot && -e fake/.snapshot/f.2020-01-01T000000.000000Z ]]
  # A symlink inside the namespace to live data: the link goes, not what
  # it points to.
  ln -s "$PWD/f" "$ns/f.link"
  run cowsnap delete "$ns/f.link"
  assert_success
  [[ -e f ]]
}

# --- prune ---------------------------------------------------------------

# fake_snaps DIR BASE STAMP...: snapshots of BASE under those stamps (as
# made by cowsnap, minus the clone: pruning reads only names).
fake_snaps ()
{
  local dir=$1 base=$2 s
  shift 2
  mkdir -p "$dir"
  for s; do echo "$s" >"$dir/$base.$s"; done
}

@test "prune: the first of each day kept, the newest never deleted, named snapshots never pruned, --dry-run deletes nothing" {
  require_root
  enter_fs btrfs
  local ns=$FS_PATH/.snapshot/t$BATS_TEST_NUMBER
  echo x >f
  cowsnap f keepme
  fake_snaps "$ns" f \
    2026-01-01T080000.000000Z 2026-01-01T120000.000000Z \
    2026-01-02T090000.000000Z 2026-01-02T100000.000000Z \
    2026-01-03T070000.000000Z 2026-01-03T230000.000000Z
  TZ=UTC run cowsnap prune --dry-run --keep-daily=2 f
  assert_success
  assert_output "would delete '$ns/f.2026-01-01T080000.000000Z'
would delete '$ns/f.2026-01-01T120000.000000Z'
would delete '$ns/f.2026-01-02T100000.000000Z'"
  assert_equal "$(snaps_of "$ns" f | wc -l)" 7
  TZ=UTC run cowsnap prune -v --keep-daily=2 f
  assert_success
  assert_line "keeping '$ns/f.2026-01-02T090000.000000Z' (daily)"
  assert_line "keeping '$ns/f.2026-01-03T230000.000000Z' (newest)"
  assert_equal "$(snaps_of "$ns" f)" "f.2026-01-02T090000.000000Z
f.2026-01-03T070000.000000Z
f.2026-01-03T230000.000000Z
f.keepme"
  # --keep-last=1 keeps the newest only (and it is also "last").
  TZ=UTC run cowsnap prune --keep-last=1 f
  assert_success
  assert_equal "$(snaps_of "$ns" f)" "f.2026-01-03T230000.000000Z
f.keepme"
  run cowsnap prune --keep-daily=x f
  assert_failure 1
  assert_output "cowsnap: invalid number of snapshots: 'x'"
  run cowsnap prune --min-age=3q f
  assert_failure 1
  assert_output "cowsnap: invalid duration: '3q'"
}

@test "prune --min-age keeps what is young; sealed snapshots are pruned too" {
  require_root
  enter_fs btrfs
  local ns=$FS_PATH/.snapshot/t$BATS_TEST_NUMBER
  echo x >f
  cowsnap f
  cowsnap f
  fake_snaps "$ns" f 2020-01-01T000000.000000Z
  run cowsnap prune --keep-last=1 --min-age=1h f
  assert_success
  # The two real ones are young; the old fake one goes.
  assert_equal "$(snaps_of "$ns" f | wc -l)" 2
  run cowsnap prune --keep-last=1 f
  assert_success
  assert_equal "$(snaps_of "$ns" f | wc -l)" 1
}

# --- schedule ------------------------------------------------------------

@test "schedule: --print, units written into --unit-dir and removed" {
  local dir=$BATS_TEST_TMPDIR/units
  mkdir "$dir" "$BATS_TEST_TMPDIR/data dir"
  run cowsnap schedule --daily --keep-daily=7 --keep-weekly=4 --if-changed --print "$BATS_TEST_TMPDIR/data dir"
  assert_success
  [[ $output == *"OnCalendar=daily"* ]] || fail "$output"
  [[ $output == *"/cowsnap --if-changed -- \"$BATS_TEST_TMPDIR/data dir\""* ]] || fail "$output"
  [[ $output == *"prune --keep-daily=7 --keep-weekly=4 -- \"$BATS_TEST_TMPDIR/data dir\""* ]] || fail "$output"
  run cowsnap schedule -v --hourly --keep-hourly=24 --unit-dir="$dir" "$BATS_TEST_TMPDIR/data dir"
  assert_success
  local name
  name=cowsnap-$(systemd-escape --path "$BATS_TEST_TMPDIR/data dir" 2>/dev/null || echo unknown)
  if have_cmd systemd-escape; then
    assert_equal "$(ls "$dir")" "$name.service
$name.timer"
  fi
  run cowsnap schedule --remove --unit-dir="$dir" "$BATS_TEST_TMPDIR/data dir"
  assert_success
  assert_equal "$(ls -A "$dir")" ""
  run cowsnap schedule --remove --unit-dir="$dir" "$BATS_TEST_TMPDIR/data dir"
  assert_failure 1
  assert_output "cowsnap: '$BATS_TEST_TMPDIR/data dir' has no schedule"
  run cowsnap schedule --daily --weekly x
  assert_failure 1
}

# --- list, diff, --if-changed --------------------------------------------

@test "list: the seed's 'Snapshots for' listing, exclusive bytes from FIEMAP, --json, and everything without PATH" {
  require_root
  enter_fs xfs
  random_file big 4M
  cowsnap big first
  # One block rewritten in the live file: on XFS (per-block reference
  # counts) the snapshot alone then holds the old block.
  dd if=/dev/urandom of=big bs=4K count=1 seek=10 conv=notrunc status=none
  sync
  cowsnap big second
  run cowsnap list big
  assert_success
  assert_line --index 0 "Snapshots for '$PWD/big':"
  [[ ${lines[1]} =~ ^\ \ first\ +[0-9-]+\ [0-9:]+\ +4194304\ +4096\ +file$ ]] || fail "${lines[1]}"
  [[ ${lines[2]} =~ ^\ \ second\ +[0-9-]+\ [0-9:]+\ +4194304\ +0\ +file$ ]] || fail "${lines[2]}"
  run cowsnap list -h big
  [[ ${lines[1]} =~ \ 4\.0M\ +4\.0K\ +file$ ]] || fail "${lines[1]}"
  run cowsnap list --json big
  assert_success
  python3 -c 'import json,sys; d=json.load(sys.stdin); assert [x["name"] for x in d]==["first","second"], d; assert d[0]["exclusive"]==4096 and d[0]["size"]==4194304, d' <<<"$output"
  # On btrfs an extent is freed only when no part of it is used: a
  # snapshot holds it all alone once the live file is rewritten whole.
  enter_fs btrfs
  random_file big 4M
  cowsnap big first
  random_file big 4M
  sync
  run cowsnap list big
  [[ ${lines[1]} =~ ^\ \ first\ +[0-9-]+\ [0-9:]+\ +4194304\ +4194304\ +file$ ]] || fail "${lines[1]}"
  # Without PATH: everything in the namespace of the working directory.
  mkdir d
  echo x >d/f
  cowsnap d
  cd d
  run cowsnap list
  assert_success
  assert_line "Snapshots for '$FS_PATH/t$BATS_TEST_NUMBER/big':"
  assert_line "Snapshots for '$FS_PATH/t$BATS_TEST_NUMBER/d':"
  [[ $output == *"  tree"* ]]
}

@test "diff: a tree's changes one line each; a file's changed ranges; what both share on disk is never read" {
  require_root
  enter_fs btrfs
  mkdir -p t/sub
  random_file t/sub/big 64M
  echo a >t/keep
  echo b >t/gone
  ln -s keep t/link
  cowsnap t
  echo c >t/new
  rm t/gone
  chmod 700 t/sub
  ln -sf new t/link
  dd if=/dev/urandom of=t/sub/big bs=4K count=1 seek=1000 conv=notrunc status=none
  touch -d '2001-01-01' t/keep
  run --separate-stderr cowsnap diff t
  assert_success
  # (order as snap-diff.h defines it: byte order of the paths)
  assert_equal "$(cut -c9- <<<"$output")" ".
gone
keep
link
new
sub
sub/big"
  assert_line "-...... gone"
  assert_line "+...... new"
  assert_line ".p..... sub"
  assert_line "c...m.. sub/big"
  assert_line "c...m.. link"
  assert_line "....m.. keep"
  # The file: one 4 KiB range, and under 1 MiB read of 64 MiB.
  local snap
  snap=$FS_PATH/.snapshot/t$BATS_TEST_NUMBER/$(ls "$FS_PATH/.snapshot/t$BATS_TEST_NUMBER" | grep '^t\.')
  run --separate-stderr cowsnap diff --debug t/sub/big "$snap/sub/big" t/sub/big
  assert_success
  assert_line --index 0 "4096000+4096"
  [[ ${lines[1]} =~ ([0-9]+)\ bytes\ read ]] || fail "${lines[1]}"
  ((BASH_REMATCH[1] < 1048576)) || fail "read ${BASH_REMATCH[1]} bytes"
  # Measured from outside: what the process read, under 1 MiB.
  strace -f -qq -e trace=read,pread64 -o "$BATS_TEST_TMPDIR/trace" \
    cowsnap diff t/sub/big "$snap/sub/big" t/sub/big >/dev/null
  local bytes
  bytes=$(awk -F'= ' '/pread64|read\(/ && $NF+0 > 0 { s += $NF } END { print s + 0 }' "$BATS_TEST_TMPDIR/trace")
  ((bytes < 1048576)) || fail "strace: $bytes bytes read"
  # Nothing changed: nothing printed.
  run cowsnap diff t "$(basename "$snap" | sed 's/^t\.//')" "$(basename "$snap" | sed 's/^t\.//')"
  assert_success
  assert_output ""
}

@test "--if-changed: no snapshot when nothing changed since the newest, one when anything did" {
  require_root
  enter_fs btrfs
  local ns=$FS_PATH/.snapshot/t$BATS_TEST_NUMBER
  mkdir d
  random_file d/f 1M
  run cowsnap --if-changed d
  assert_success
  run cowsnap -v --if-changed d
  assert_success
  [[ $output == "'d' is unchanged since '$ns/d."* ]] || fail "$output"
  assert_equal "$(ls "$ns" | grep -c '^d\.')" 1
  chmod 700 d/f
  run cowsnap --if-changed d
  assert_success
  assert_equal "$(ls "$ns" | grep -c '^d\.')" 2
  run cowsnap --if-changed d
  assert_equal "$(ls "$ns" | grep -c '^d\.')" 2
  dd if=/dev/zero of=d/f bs=1 count=1 seek=5 conv=notrunc status=none
  run cowsnap --if-changed d
  assert_equal "$(ls "$ns" | grep -c '^d\.')" 3
}
