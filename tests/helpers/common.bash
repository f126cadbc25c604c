# SPDX-License-Identifier: GPL-3.0-or-later
# common.bash -- shared setup for every cowutils bats file.
#
# Load it first from tests/<prog>/<feature>.bats:
#
#   load ../helpers/common
#
# It loads bats-support, bats-assert and bats-file, sets LC_ALL=C, puts the
# freshly built programs first in PATH, and loads fs.bash (loop filesystems,
# probes) and assert.bash (extent, hole, link and mode assertions).

# Where this file lives; the repository is two directories up.
COWUTILS_HELPERS=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
COWUTILS_SRCDIR=$(cd -- "$COWUTILS_HELPERS/../.." && pwd)
export COWUTILS_HELPERS COWUTILS_SRCDIR

bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

export LC_ALL=C

# The build tree: $COWUTILS_BUILD if set (VPATH builds, `make check`),
# else <repo>/build.  Its src/ goes first in PATH so that `cowcp` is ours.
export COWUTILS_BUILD=${COWUTILS_BUILD:-$COWUTILS_SRCDIR/build}
case ":$PATH:" in
  *":$COWUTILS_BUILD/src:"*) ;;
  *) PATH=$COWUTILS_BUILD/src:$PATH ;;
esac
export PATH

# The LD_PRELOAD fault shim, built by `make check`.
export FAULTSHIM=${FAULTSHIM:-$COWUTILS_BUILD/tests/helpers/faults/faultshim.so}

# strerror ERRNO_NAME
# Print the C library's message for the errno named ERRNO_NAME, e.g.
# `strerror ENOSPC` prints "No space left on device".  Computed by perl
# from the running C library, never typed, so expected stderr matches what
# the programs print under LC_ALL=C.  Returns 1 for an unknown name.
strerror ()
{
  local name=${1:?strerror: missing errno name}
  LC_ALL=C perl -MErrno -e '
    my $n = shift;
    my $v = eval "Errno::$n()";
    defined $v or do { print STDERR "strerror: unknown errno $n\n"; exit 1 };
    $! = $v;
    print "$!\n";' -- "$name"
}

# require_faultshim
# Inside a @test: skip unless the fault shim has been built.
require_faultshim ()
{
  [[ -f $FAULTSHIM ]] \
    || skip "fault shim not built: $FAULTSHIM (run make check)"
}

# with_faults SPEC [PATH_SUBSTRING] -- CMD [ARGS...]
# with_faults SPEC CMD [ARGS...]
# Run CMD with the fault shim preloaded and COWFAULT=SPEC (see the top of
# faults/faultshim.c for the syntax).  To restrict the faults to one file,
# set COWFAULT_PATH in the environment or use the first form:
#
#   run with_faults 'write=EIO' dst -- cowcp src dst
#   COWFAULT_PATH=dst run with_faults 'write=EIO@2' cowcp src dst
#
# ASan binaries refuse to run when another library is preloaded before the
# ASan runtime; verify_asan_link_order=0 lifts that, and is harmless for
# other binaries.
with_faults ()
{
  local spec=$1
  shift
  local path=${COWFAULT_PATH-}
  if [[ $# -ge 2 && $2 == -- ]]; then
    path=$1
    shift 2
  fi
  local asan=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
  LD_PRELOAD=$FAULTSHIM${LD_PRELOAD:+:$LD_PRELOAD} COWFAULT=$spec \
    COWFAULT_PATH=$path ASAN_OPTIONS=$asan "$@"
}

load "$COWUTILS_HELPERS/fs.bash"
load "$COWUTILS_HELPERS/assert.bash"

# Run strace with ARGS.  LeakSanitizer cannot work under ptrace, so a
# sanitizer build traced here checks everything but leaks.
under_strace ()
{
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace "$@"
}
