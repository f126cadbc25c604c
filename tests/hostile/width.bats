#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# hostile/width.bats -- one directory of 200,000 entries, copied with
# cowcp -a and cowcp -R: the copy is exact, and peak memory stays within a
# small multiple of GNU cp's on the same tree.  Times are reported (TAP
# comments), never asserted.

load ../helpers/common

bats_require_minimum_version 1.5.0

WIDTH=200000

setup_file ()
{
  # tmpfs when there is one: on ext4 building and copying 200,000 files
  # takes a minute or more, on tmpfs seconds.
  local where=/dev/shm
  [[ -d $where && -w $where ]] || where=$BATS_FILE_TMPDIR
  WIDE=$(mktemp -d "$where/hostile-width.XXXXXX")
  export WIDE
  python3 - "$WIDE/src" "$WIDTH" <<'PY'
import os, sys
top, n = sys.argv[1], int(sys.argv[2])
os.mkdir(top)
fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
for i in range(n):
    # Mostly empty files; every 1,000th holds its number, with mode 0600.
    g = os.open("f%06d" % i, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
    if i % 1000 == 0:
        os.write(g, b"%d\n" % i)
        os.fchmod(g, 0o600)
    os.close(g)
os.close(fd)
PY
}

teardown_file ()
{
  [[ -n ${WIDE:-} ]] && rm -rf -- "$WIDE"
  return 0
}

teardown ()
{
  rm -rf -- "${WIDE:?}/gnu" "$WIDE/ours"
}

# listing DIR [TIMES]: one sorted line per entry: name, type, size (not
# for directories, whose sizes depend on the filesystem's history), mode,
# owner, and with TIMES the mtime to the nanosecond.
listing ()
{
  local fmt='%p %y %s %m %U:%G'
  [[ -z ${2:-} ]] || fmt+=' %T@'
  (cd -- "$1" && find . -printf "$fmt\n" | awk '$2 == "d" { $3 = "-" } 1' \
     | LC_ALL=C sort)
}

# timed NAME CMD...: run CMD under /usr/bin/time; NAME.rss (KiB) and
# NAME.sec in $WIDE, stderr in $WIDE/NAME.err; sets status.
timed ()
{
  local name=$1
  shift
  status=0
  /usr/bin/time -f '%M %e' -o "$WIDE/$name.time" "$@" 2>"$WIDE/$name.err" \
    || status=$?
  read -r RSS_KIB SECS < <(tail -n 1 "$WIDE/$name.time")
}

# width_case OPTION [TIMES]: GNU cp OPTION and cowcp OPTION of the wide
# directory; the same exact listing (with mtimes if TIMES) as the source,
# and cowcp's peak RSS at most twice GNU's.
width_case ()
{
  local opt=$1 times=${2:-} gnu_rss gnu_sec
  timed gnu /usr/bin/cp "$opt" "$WIDE/src" "$WIDE/gnu"
  assert_equal "$status" 0
  gnu_rss=$RSS_KIB gnu_sec=$SECS
  timed ours cowcp "$opt" "$WIDE/src" "$WIDE/ours"
  assert_equal "$status" 0
  assert_equal "$(head -c 2000 "$WIDE/ours.err")" ""
  printf '# cp %s of %d files: GNU %s s, %s KiB; cowcp %s s, %s KiB\n' \
    "$opt" "$WIDTH" "$gnu_sec" "$gnu_rss" "$SECS" "$RSS_KIB" >&3
  listing "$WIDE/src" "$times" >"$WIDE/want"
  listing "$WIDE/ours" "$times" >"$WIDE/got"
  assert_equal "$(wc -l <"$WIDE/got")" $((WIDTH + 1))
  cmp "$WIDE/want" "$WIDE/got"
  # GNU's own copy, as a check on the listing: it must match too (without
  # -p GNU does not keep times either).
  cmp "$WIDE/want" <(listing "$WIDE/gnu" "$times")
  ((RSS_KIB <= 2 * gnu_rss)) \
    || fail "cowcp peak RSS $RSS_KIB KiB, more than twice GNU's $gnu_rss KiB"
}

@test "cp -a of a directory of 200,000 entries: exact, memory within twice GNU's" {
  width_case -a times
}

@test "cp -R of a directory of 200,000 entries: exact, memory within twice GNU's" {
  width_case -R
}
