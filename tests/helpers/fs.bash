# SPDX-License-Identifier: GPL-3.0-or-later
# fs.bash -- probes and loop-mounted scratch filesystems for bats tests.
#
# Typical use (see README.md):
#
#   setup_file ()    { make_loop_fs btrfs 128M cow || true; }
#   teardown_file () { cleanup_loop_fs; }
#   @test "..." { require_fs cow; mnt=$FS_PATH; ... }
#
# State lives in files under $BATS_FILE_TMPDIR/.loopfs/, not in shell
# variables, because setup_file, each @test and teardown_file run in
# different processes.  For every filesystem NAME:
#   NAME.mnt     the mount point            (written once mounted)
#   NAME.dev     the loop device            (written right after mount)
#   NAME.img     the image file
#   NAME.type    btrfs | xfs | ext4
#   NAME.reason  why it could not be made   (only on failure)

# Smallest images the tools in Debian 12 accept (mkfs.btrfs 6.2,
# mkfs.xfs 6.1): btrfs 109M (16M with --mixed, which make_loop_fs adds
# below 109M by itself), xfs 300M; ext4 goes down to 1M.  Images are sparse,
# so generous sizes cost nothing but the blocks actually written.
LOOPFS_BTRFS_MIN_BYTES=$((109 * 1024 * 1024))

# have_cmd NAME
# True if NAME is an executable in PATH or sbin.  Cached per process.
declare -gA _HAVE_CMD_CACHE=()
have_cmd ()
{
  local name=$1
  if [[ -z ${_HAVE_CMD_CACHE[$name]+set} ]]; then
    if PATH=$PATH:/usr/sbin:/sbin command -v "$name" >/dev/null 2>&1; then
      _HAVE_CMD_CACHE[$name]=0
    else
      _HAVE_CMD_CACHE[$name]=1
    fi
  fi
  return "${_HAVE_CMD_CACHE[$name]}"
}

# have_setfacl [DIR]
# True if setfacl exists and the filesystem of DIR (default: the working
# directory) accepts an ACL.  Cached per process and device.
declare -A _HAVE_SETFACL=()
have_setfacl ()
{
  local dir=${1:-.} dev
  dev=$(stat -c %d -- "$dir") || return 1
  if [[ -z ${_HAVE_SETFACL[$dev]+set} ]]; then
    _HAVE_SETFACL[$dev]=1
    if have_cmd setfacl; then
      local probe
      probe=$(mktemp "$dir/.aclprobe.XXXXXX") \
        && setfacl -m u:0:r "$probe" 2>/dev/null \
        && _HAVE_SETFACL[$dev]=0
      [[ -n $probe ]] && rm -f "$probe"
    fi
  fi
  return "${_HAVE_SETFACL[$dev]}"
}

# have_user_xattrs [DIR]
# True if the filesystem of DIR (default: the working directory) takes
# user.* extended attributes (tmpfs before Linux 6.6 does not).
have_user_xattrs ()
{
  local dir=${1:-.} probe ok=1
  probe=$(mktemp "$dir/.xattrprobe.XXXXXX") || return 1
  setfattr -n user.probe -v 1 "$probe" 2>/dev/null && ok=0
  rm -f "$probe"
  return "$ok"
}

# require_root
# Inside a @test or setup: skip unless running as root.
require_root ()
{
  [[ $(id -u) -eq 0 ]] || skip "needs root"
}

_loopfs_dir ()
{
  printf '%s/.loopfs' "${BATS_FILE_TMPDIR:?fs.bash needs bats}"
}

# _loopfs_fail NAME REASON: record why NAME is unavailable; return 1.
_loopfs_fail ()
{
  printf '%s\n' "$2" >"$(_loopfs_dir)/$1.reason"
  return 1
}

# make_loop_fs TYPE SIZE NAME [MKFS_OPTION...]
# Make a TYPE (btrfs, xfs or ext4) filesystem in a sparse SIZE image
# (truncate(1) syntax: 128M, 1G) and loop-mount it on $BATS_FILE_TMPDIR/NAME.
# XFS gets reflink=1; btrfs below 109M gets --mixed (minimum 16M).  Extra
# arguments go to mkfs.  Meant for setup_file; callable from a @test too.
# Returns 0 when mounted; otherwise records a one-line reason (shown by
# require_fs) and returns 1 without failing -- call it as
# `make_loop_fs ... || true` in setup_file.  cleanup_loop_fs undoes it.
make_loop_fs ()
{
  local type=${1:?make_loop_fs TYPE SIZE NAME} size=${2:?} name=${3:?}
  shift 3
  local dir mnt img out bytes
  dir=$(_loopfs_dir)
  mkdir -p "$dir"
  rm -f "$dir/$name.reason"
  mnt=$BATS_FILE_TMPDIR/$name
  img=$BATS_FILE_TMPDIR/$name.img
  printf '%s\n' "$type" >"$dir/$name.type"

  [[ $(id -u) -eq 0 ]] || { _loopfs_fail "$name" "not root"; return 1; }
  [[ -e /dev/loop-control ]] || [[ -e /dev/loop0 ]] \
    || { _loopfs_fail "$name" "no loop device support"; return 1; }
  local -a mkfs
  case $type in
    btrfs) mkfs=(mkfs.btrfs -q -f) ;;
    xfs) mkfs=(mkfs.xfs -q -f -m reflink=1) ;;
    ext4) mkfs=(mkfs.ext4 -q -F) ;;
    *) _loopfs_fail "$name" "unsupported type $type"; return 1 ;;
  esac
  have_cmd "${mkfs[0]}" \
    || { _loopfs_fail "$name" "${mkfs[0]} not installed"; return 1; }
  [[ -e $mnt ]] && { _loopfs_fail "$name" "$mnt already exists"; return 1; }

  if ! out=$(truncate -s "$size" "$img" 2>&1); then
    _loopfs_fail "$name" "truncate: ${out//$'\n'/ }"
    return 1
  fi
  bytes=$(stat -c %s "$img")
  if [[ $type == btrfs ]] && ((bytes < LOOPFS_BTRFS_MIN_BYTES)); then
    mkfs+=(--mixed)
  fi
  if ! out=$(PATH=$PATH:/usr/sbin:/sbin "${mkfs[@]}" "$@" "$img" 2>&1); then
    rm -f "$img"
    _loopfs_fail "$name" "${mkfs[0]} $size: $(head -n1 <<<"$out")"
    return 1
  fi
  printf '%s\n' "$img" >"$dir/$name.img"
  mkdir "$mnt"
  # mount -o loop sets the loop device to autoclear: it detaches itself
  # when the filesystem is finally unmounted, even lazily.
  if ! out=$(mount -o loop -t "$type" "$img" "$mnt" 2>&1); then
    rmdir "$mnt"
    rm -f "$img" "$dir/$name.img"
    _loopfs_fail "$name" "mount: $(head -n1 <<<"$out")"
    return 1
  fi
  printf '%s\n' "$mnt" >"$dir/$name.mnt"
  findmnt -nfro SOURCE --mountpoint "$mnt" >"$dir/$name.dev" 2>/dev/null
  _loopfs_start_watchdog
  return 0
}

# require_fs NAME
# Inside a @test: skip with "<type> loop mount unavailable: <reason>" if
# make_loop_fs could not make NAME, else set FS_PATH to its mount point:
#   require_fs cow
#   mnt=$FS_PATH                      # or mnt=$(fs_path cow)
# (Not mnt=$(require_fs cow): a skip inside $(...) is lost.)
require_fs ()
{
  local name=${1:?require_fs NAME} dir type reason
  dir=$(_loopfs_dir)
  type=$(cat "$dir/$name.type" 2>/dev/null) || type=$name
  if [[ -f $dir/$name.mnt ]] && mountpoint -q "$(cat "$dir/$name.mnt")"; then
    # shellcheck disable=SC2034  # for the calling @test
    FS_PATH=$(cat "$dir/$name.mnt")
    return 0
  fi
  reason=$(cat "$dir/$name.reason" 2>/dev/null) || reason="not set up"
  skip "$type loop mount unavailable: $reason"
}

# fs_path NAME
# Print the mount point of NAME, or fail (status 1) if it is not mounted.
fs_path ()
{
  local f
  f=$(_loopfs_dir)/${1:?fs_path NAME}.mnt
  [[ -f $f ]] && cat "$f"
}

# fs_reason NAME
# Print why NAME could not be made (empty if it was).
fs_reason ()
{
  cat "$(_loopfs_dir)/${1:?fs_reason NAME}.reason" 2>/dev/null
}

# fs_devices
# Print the loop devices this file attached and has not cleaned up yet.
fs_devices ()
{
  local f
  for f in "$(_loopfs_dir)"/*.dev; do
    [[ -s $f ]] && cat "$f"
  done
  return 0
}

# cleanup_loop_fs
# Unmount (lazily if busy) every filesystem mounted below $BATS_FILE_TMPDIR,
# detach every loop device backed by an image below it -- whether or not
# make_loop_fs finished recording it -- and delete the images.  Safe to
# call twice and when nothing was made.  Call it from teardown_file.
cleanup_loop_fs ()
{
  [[ -n ${BATS_FILE_TMPDIR:-} ]] || return 0
  local dir f
  dir=$(_loopfs_dir)
  [[ -d $dir ]] || return 0
  if [[ ${COWUTILS_FILE_PID:-} == "$$" ]]; then
    _loopfs_stop_watchdog
  fi
  _loopfs_release_under "$BATS_FILE_TMPDIR"
  for f in "$dir"/*.img; do
    [[ -f $f ]] || continue
    rm -f "$(cat "$f")"
    f=${f%.img}
    [[ -f $f.mnt ]] && rmdir "$(cat "$f.mnt")" 2>/dev/null
    rm -f "$f.img" "$f.mnt" "$f.dev"
  done
  return 0
}

# _loopfs_release_under DIR
# Unmount everything mounted below DIR, deepest first (lazily if busy), then
# detach loop devices whose backing file is below DIR, waiting up to ~3 s
# for autoclear.  Never fails.  Self-contained: the watchdog runs it in a
# fresh bash.
_loopfs_release_under ()
{
  local prefix=${1%/}/ target dev back i busy
  # /proc/self/mountinfo field 5 is the mount point (octal-escaped; bats
  # temporary directories contain no blanks).
  while read -r target; do
    [[ $target == "$prefix"* ]] || continue
    umount "$target" 2>/dev/null || umount -l "$target" 2>/dev/null
  done < <(awk '{ print $5 }' /proc/self/mountinfo | sort -r)
  for i in $(seq 15); do
    busy=0
    while read -r dev back; do
      [[ $back == "$prefix"* ]] || continue
      busy=1
      losetup -d "$dev" 2>/dev/null
    done < <(losetup -nl -O NAME,BACK-FILE 2>/dev/null)
    ((busy)) || break
    sleep 0.2
  done
  return 0
}

# Belt and braces.  bats runs teardown_file from its EXIT trap, also after
# Ctrl-C (checked in tests/harness/helpers.bats); but a bats killed by
# SIGTERM or SIGKILL (a CI timeout), or a teardown_file that forgets
# cleanup_loop_fs, would leave loop devices behind on a machine that has
# only a few.  So the first make_loop_fs of a bats file starts a watchdog in
# its own session (immune to Ctrl-C and to killing bats's process group)
# that waits for the bats file runner to end and then releases whatever is
# still mounted below $BATS_FILE_TMPDIR.  It holds no descriptor of bats
# open (bats waits for fd 3 to close); cleanup_loop_fs in teardown_file
# stops it.

# The bats file runner: the process that sources this file first for a
# given $BATS_FILE_TMPDIR (bats-exec-file); @test processes inherit it.
if [[ -n ${BATS_FILE_TMPDIR:-} \
      && ${COWUTILS_FILE_TMPDIR:-} != "$BATS_FILE_TMPDIR" ]]; then
  export COWUTILS_FILE_PID=$$ COWUTILS_FILE_TMPDIR=$BATS_FILE_TMPDIR
fi

_loopfs_start_watchdog ()
{
  local dir pidfile pid
  dir=$(_loopfs_dir)
  pidfile=$dir/watchdog
  if [[ -f $pidfile ]]; then
    pid=$(cat "$pidfile")
    kill -0 "$pid" 2>/dev/null && return 0
  fi
  have_cmd setsid || return 0
  setsid bash -c "$(declare -f _loopfs_release_under _loopfs_watchdog)
                  _loopfs_watchdog \"\$@\"" loopfs-watchdog \
    "${COWUTILS_FILE_PID:-$$}" "$BATS_FILE_TMPDIR" "$pidfile" \
    </dev/null >/dev/null 2>&1 3>&- &
  # The child writes its own pid: $! may be setsid's, if it forked.
  for pid in 1 2 3 4 5 6 7 8 9 10; do
    [[ -s $pidfile ]] && break
    sleep 0.05
  done
}

# _loopfs_watchdog PID DIR PIDFILE: wait for PID to end, then release DIR.
_loopfs_watchdog ()
{
  local pid=$1 dir=$2 pidfile=$3 fd
  trap '' INT HUP
  trap 'exit 0' TERM
  for fd in "/proc/$BASHPID/fd/"*; do
    fd=${fd##*/}
    ((fd > 2)) && eval "exec $fd>&-" 2>/dev/null
  done
  echo "$BASHPID" >"$pidfile"
  while kill -0 "$pid" 2>/dev/null; do sleep 1; done
  _loopfs_release_under "$dir"
  # bats, killed, will not remove its temporary directory: drop the images,
  # mount points and records.
  local f
  for f in "$dir"/.loopfs/*.mnt; do
    [[ -f $f ]] && rmdir "$(cat "$f")" 2>/dev/null
  done
  rm -f "$dir"/*.img "$dir"/.loopfs/*.mnt "$dir"/.loopfs/*.dev \
    "$dir"/.loopfs/*.img "$pidfile"
}

# Stop the watchdog of this bats file, if any.
_loopfs_stop_watchdog ()
{
  local pidfile pid
  pidfile=$(_loopfs_dir)/watchdog
  [[ -f $pidfile ]] || return 0
  pid=$(cat "$pidfile")
  [[ -n $pid ]] && kill "$pid" 2>/dev/null
  rm -f "$pidfile"
  return 0
}

# fs_fill MNT [LEAVE]
# Fill the filesystem mounted on MNT until at most about LEAVE bytes (default
# 0) are free, with files named MNT/.fill*.  Works on ext4, xfs and btrfs:
# fallocate takes the bulk at once, then small writes mop up what reserved
# metadata and delayed allocation released; sync settles btrfs accounting.
# Free again with fs_unfill MNT.  What is left free is approximate:
# assert the resulting error, not the byte count.
fs_fill ()
{
  local mnt=${1:?fs_fill MNT [LEAVE]} leave=${2:-0} avail i
  for i in 1 2 3; do
    sync -f "$mnt"
    avail=$(( $(stat -f -c '%a * %S' "$mnt") - leave ))
    ((avail > 65536)) || break
    fallocate -l "$avail" "$mnt/.fill$i" 2>/dev/null \
      || fallocate -l $((avail / 2)) "$mnt/.fill$i" 2>/dev/null \
      || break
  done
  if ((leave == 0)); then
    # dd ends with ENOSPC, which is the point.
    dd if=/dev/zero of="$mnt/.fill-dd" bs=4096 status=none 2>/dev/null || :
    sync -f "$mnt"
    dd if=/dev/zero of="$mnt/.fill-dd2" bs=512 status=none 2>/dev/null || :
    sync -f "$mnt"
  fi
  return 0
}

# fs_unfill MNT
fs_unfill ()
{
  rm -f "${1:?fs_unfill MNT}"/.fill*
  sync -f "$1"
}

# fs_avail MNT
# Print the bytes available on MNT to an unprivileged user (statfs f_bavail).
fs_avail ()
{
  echo $(( $(stat -f -c '%a * %S' "${1:?fs_avail MNT}") ))
}

# enter_fs NAME: skip unless loop filesystem NAME is mounted, else make a
# directory of this test's own there and change into it.
enter_fs ()
{
  require_fs "$1"
  mkdir "$FS_PATH/t$BATS_TEST_NUMBER"
  cd "$FS_PATH/t$BATS_TEST_NUMBER"
}

# enter_noclone_dir: change into a directory on ext4, where data cannot be
# shared: this test's own directory when it is on ext4, else a directory
# on a small ext4 loop filesystem made for this test (released with the
# test's other loop filesystems).  Skip when neither can be had.
enter_noclone_dir ()
{
  if [[ $(stat -f -c %T "$BATS_TEST_TMPDIR") == ext2/ext3 ]]; then
    cd "$BATS_TEST_TMPDIR"
    return 0
  fi
  require_root
  make_loop_fs ext4 64M noclone \
    || skip "$BATS_TEST_TMPDIR is $(stat -f -c %T "$BATS_TEST_TMPDIR") and no ext4 loop mount: $(fs_reason noclone)"
  enter_fs noclone
}

# random_file FILE SIZE: FILE with SIZE (head -c syntax) random bytes.
random_file ()
{
  head -c "$2" /dev/urandom >"$1"
}

# fs_unfill_name NAME: free loop filesystem NAME, if it is mounted, of
# what fs_fill put there (for a teardown that must run whatever happened).
fs_unfill_name ()
{
  local mnt
  if mnt=$(fs_path "$1") && mountpoint -q "$mnt"; then
    fs_unfill "$mnt"
  fi
}
