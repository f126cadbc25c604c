# SPDX-License-Identifier: GPL-3.0-or-later
# cowsnap/snap.bash -- what the cowsnap suites share: a btrfs and an XFS
# loop filesystem per file (their immutable snapshots made removable
# again before they go), and the names of snapshots.

setup_file ()
{
  make_loop_fs btrfs 256M btrfs || true
  make_loop_fs xfs 300M xfs || true
}

teardown_file ()
{
  local fs dir
  for fs in btrfs xfs; do
    dir=$(fs_path "$fs") || continue
    chattr -R -i "$dir" 2>/dev/null || true
  done
  cleanup_loop_fs
}

setup ()
{
  umask 022
}

# A snapshot's stamp, as an extended regular expression.
STAMP_RE='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{6}\.[0-9]{6}Z'

# snaps_of DIR BASE: the snapshots of BASE in namespace directory DIR,
# one per line, sorted.
snaps_of ()
{
  ls -A "$1" 2>/dev/null | grep -E "^$2\.($STAMP_RE|[^.]+)\$" | LC_ALL=C sort || true
}
