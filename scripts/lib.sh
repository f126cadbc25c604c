# scripts/lib.sh -- shared by scripts/demo, scripts/check and bench/.
# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced, not run.  Expects $top (the repository root).

# Install the Debian packages of scripts/packages that are missing.
ensure_packages ()
{
  local missing=() p
  while read -r p; do
    case $p in ''|'#'*) continue ;; esac
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' \
      || missing+=("$p")
  done < "$top/scripts/packages"
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages (run as root to install): ${missing[*]}" >&2
    return 1
  fi
  echo "installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${missing[@]}" >&2 \
    || { apt-get update >&2 && apt-get install -y --no-install-recommends \
           "${missing[@]}" >&2; }
}

# Bootstrap if needed, then configure (if needed) and build in directory
# $1 with the configure arguments that follow.
ensure_built ()
{
  local dir=$1; shift
  [ -x "$top/configure" ] || (cd "$top" && ./bootstrap) >&2 || return 1
  mkdir -p "$dir"
  if [ ! -f "$dir/Makefile" ]; then
    (cd "$dir" && "$top/configure" -q "$@") >&2 || return 1
  fi
  make -s -C "$dir" -j"$(nproc)" >/dev/null || return 1
}

# Loop-mounted filesystems made by these scripts, for cleanup_loops.
loop_mounts=()

# Make a TYPE (btrfs, xfs, ext4) filesystem of SIZE in image file IMG
# and mount it on MNT.  Return non-zero, saying why, when impossible.
make_loop ()
{
  local type=$1 size=$2 img=$3 mnt=$4
  [ "$(id -u)" -eq 0 ] || { echo "not root" >&2; return 1; }
  truncate -s "$size" "$img" || return 1
  case $type in
    btrfs) mkfs.btrfs -q -f "$img" >/dev/null 2>&1 ;;
    xfs) mkfs.xfs -q -f -m reflink=1 "$img" >/dev/null 2>&1 ;;
    ext4) mkfs.ext4 -q -F "$img" >/dev/null 2>&1 ;;
  esac || { echo "mkfs.$type failed" >&2; return 1; }
  mkdir -p "$mnt"
  mount -o loop "$img" "$mnt" 2>/dev/null \
    || { echo "mount -o loop failed (no free loop device?)" >&2; return 1; }
  loop_mounts+=("$mnt")
}

# Unmount and detach everything make_loop mounted.  Safe to call twice.
cleanup_loops ()
{
  local m dev
  for m in "${loop_mounts[@]}"; do
    dev=$(findmnt -n -o SOURCE --target "$m" 2>/dev/null)
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
    case $dev in /dev/loop*) losetup -d "$dev" 2>/dev/null ;; esac
  done
  loop_mounts=()
}
