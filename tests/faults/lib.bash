# SPDX-License-Identifier: GPL-3.0-or-later
# faults/lib.bash -- what every cell of the fault matrix does.  The cells
# themselves are one line each in the *.bats files that gen-cells writes:
#
#   @test "cell 3/32 enospc/data/ext4/cp/root: ..." { cell enospc data ext4 cp root; }
#
# `cell KIND ARG...` names the cell KIND/ARG/..., runs need_KIND (skips:
# no root, no loop filesystem, no shim) and then cell_KIND, whose
# assertions are the cell.  A cell listed in ./pending (NAME, a space, the
# reason) still runs whole; if it fails it is skipped with "pending engine
# fix: REASON", and if it passes it fails, asking for its line to go.
# FAULTS_PENDING=/dev/null shows how the pending cells fail today.
#
# Each cell runs GNU (/usr/bin/cp or mv) and ours (through a symlink named
# cp or mv, so both name themselves alike) on twin fixtures in the same
# test, the same way, and compares: exit status 1, the same stderr, every
# file but the victim copied whole, not one byte of any source lost, and
# the victim at the destination absent, whole, or visibly partial: never
# a file whose data differs from the source's carrying the source's mtime.

FAULTS_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)

# The programs compared.  GNU's can be pointed elsewhere for a newer GNU.
GNU_CP=${GNU_CP:-/usr/bin/cp}
GNU_MV=${GNU_MV:-/usr/bin/mv}

# faults_setup_file: a world-readable scratch root for fixtures (the bats
# temporary directories are private to root, and cells also run as
# nobody), with bin/ holding cp and mv symlinks to cowcp and cowmv.
faults_setup_file ()
{
  local root
  root=$(mktemp -d /tmp/faults-cells.XXXXXX)
  chmod 755 "$root"
  mkdir "$root/bin"
  ln -s "$COWUTILS_BUILD/src/cowcp" "$root/bin/cp"
  ln -s "$COWUTILS_BUILD/src/cowmv" "$root/bin/mv"
  printf '%s\n' "$root" >"$BATS_FILE_TMPDIR/faults-root"
  faults_open_path "$BATS_FILE_TMPDIR"
}

# faults_teardown_file: undo faults_setup_file and the loop filesystems.
faults_teardown_file ()
{
  local root
  root=$(cat "$BATS_FILE_TMPDIR/faults-root" 2>/dev/null)
  cleanup_loop_fs
  [[ $root == /tmp/faults-cells.* ]] && rm -rf -- "$root"
  return 0
}

# faults_open_path DIR: let nobody through DIR and its ancestors below
# /tmp (bats makes its temporary directories 0700), without letting
# anyone list them.
faults_open_path ()
{
  local d=$1
  while [[ $d == /tmp/?* ]]; do
    chmod o+x -- "$d"
    d=${d%/*}
  done
}

# faults_teardown: after each cell, free every loop filesystem of this
# file of what the cell filled it with and left there.
faults_teardown ()
{
  local f mnt
  for f in "$BATS_FILE_TMPDIR"/.loopfs/*.mnt; do
    [[ -f $f ]] || continue
    mnt=$(cat "$f")
    mountpoint -q "$mnt" || continue
    [[ -n ${CELL_ID:-} ]] && rm -rf -- "${mnt:?}/$CELL_ID"
    fs_unfill "$mnt"
  done
  return 0
}

faults_root ()
{
  cat "$BATS_FILE_TMPDIR/faults-root"
}

# pending_reason NAME: print the reason NAME is listed in ./pending, or
# fail if it is not listed.
pending_reason ()
{
  awk -v n="$1" '$1 == n { $1 = ""; sub (/^ /, ""); print; found = 1 }
                 END { exit !found }' "${FAULTS_PENDING:-$FAULTS_DIR/pending}"
}

# cell KIND ARG...: run one cell (see the top of this file).
cell ()
{
  local kind=$1 name reason log
  name=$(IFS=/; echo "$*")
  CELL_ID=${name//\//-}
  "need_$kind" "${@:2}"
  if reason=$(pending_reason "$name"); then
    log=$BATS_TEST_TMPDIR/pending.log
    # In the background, so that errexit holds inside (an `if` would turn
    # it off there) and the first failed assertion ends the cell.
    (set -e; "cell_$kind" "${@:2}") >"$log" 2>&1 &
    if wait "$!"; then
      fail "cell $name passes now: delete its line from tests/faults/pending"
    else
      skip "pending engine fix: $reason"
    fi
  else
    "cell_$kind" "${@:2}"
  fi
}

# as_user USER CMD [ARG...]: run CMD as root or as nobody (nogroup, no
# supplementary groups), keeping the environment.
as_user ()
{
  local user=$1
  shift
  if [[ $user == nobody ]]; then
    setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
  else
    "$@"
  fi
}

need_user ()
{
  require_root
  have_cmd setpriv || skip "setpriv not installed"
}

# sums DIR: one sorted line per regular file or symlink below DIR: its
# name, then the SHA-256 of its data or its target.
sums ()
{
  (cd -- "$1" && find . \( -type f -o -type l \) -print0 \
     | perl -0 -ne '
         use Digest::SHA;
         chomp;
         if (-l) { print "$_ -> ", readlink, "\n"; next }
         my $s = Digest::SHA->new (256);
         $s->addfile ($_);
         print "$_ ", $s->hexdigest, "\n"' | sort)
}

# assert_no_loss BEFORE SRC DST: every line of BEFORE (the `sums` of SRC
# before the run) is still true of SRC or of DST: not one byte of any
# source is gone, whether it was copied, moved, or left.
assert_no_loss ()
{
  local before=$1 src=$2 dst=$3 lost
  lost=$(comm -23 "$before" <(sort -u <(sums "$src") \
                                 <([[ -d $dst ]] && sums "$dst")))
  [[ -z $lost ]] || fail "source data lost (neither in $src nor $dst):
$lost"
}

# assert_whole SRC DST NAME...: each NAME is at DST with SRC's data.
assert_whole ()
{
  local src=$1 dst=$2 n
  shift 2
  for n; do
    if [[ -L $src/$n ]]; then
      [[ -L $dst/$n ]] || fail "$n was not copied to $dst"
      assert_equal "$(readlink "$dst/$n")" "$(readlink "$src/$n")"
    elif [[ -d $src/$n ]]; then
      [[ -d $dst/$n ]] || fail "directory $n was not copied to $dst"
    else
      [[ -f $dst/$n ]] || fail "$n was not copied to $dst"
      cmp -- "$src/$n" "$dst/$n" || fail "$dst/$n differs from $src/$n"
    fi
  done
}

# assert_clearly_partial SRC DST: DST is absent, or holds SRC's data, or
# does not carry SRC's mtime: a copy whose data is incomplete must not
# pass for a finished one.
assert_clearly_partial ()
{
  local src=$1 dst=$2
  [[ -e $dst || -L $dst ]] || return 0
  [[ -f $dst && ! -L $dst ]] || return 0
  cmp -s -- "$src" "$dst" && return 0
  if [[ $(stat -c %Y.%y -- "$src") == $(stat -c %Y.%y -- "$dst") ]]; then
    fail "$dst ($(stat -c %s "$dst") of $(stat -c %s "$src") bytes, data" \
         "differing) carries the source's mtime: it passes for complete"
  fi
}

# old_times DIR: give everything in DIR an mtime of 2001, deepest first, so
# that a copy given the source's times is told from one left as made.
old_times ()
{
  find "$1" -depth -exec touch -h -d '2001-02-03 04:05:06.123456789' {} +
}

# twin_fixture BUILD USER: make $CELL_SRC/{g,o} (below $CELL_ROOT, by
# default the scratch root), one for GNU and one for ours, with the function BUILD run in g and copied to o with GNU cp -a
# (xattrs included); for USER nobody, hand both to nobody.
twin_fixture ()
{
  local build=$1 user=$2
  CELL_SRC=${CELL_ROOT:-$(faults_root)}/$CELL_ID
  rm -rf "$CELL_SRC"
  mkdir -p "$CELL_SRC/g"
  (cd "$CELL_SRC/g" && "$build" && old_times t)
  "$GNU_CP" -a "$CELL_SRC/g" "$CELL_SRC/o"
  sums "$CELL_SRC/g/t" >"$BATS_TEST_TMPDIR/before"
  if [[ $user == nobody ]]; then
    chown -R nobody:nogroup "$CELL_SRC/g" "$CELL_SRC/o"
  fi
}

# twin_dest MNT USER [SUB]: make MNT/CELL_ID/{g,o} as destinations,
# reached from each source directory as ./dst, so that messages name the
# same paths; with SUB, make dst/SUB too (a full filesystem may have no
# room for the top directory of a copy).
twin_dest ()
{
  local mnt=$1 user=$2 sub=${3:-} side
  CELL_DST=$mnt/$CELL_ID
  rm -rf "$CELL_DST"
  for side in g o; do
    mkdir -p "$CELL_DST/$side${sub:+/$sub}"
    [[ $user == nobody ]] && chown -R nobody:nogroup "$CELL_DST/$side"
    ln -sfn "$CELL_DST/$side" "$CELL_SRC/$side/dst"
  done
}

# run_side SIDE USER PROG ARG...: in $CELL_SRC/SIDE, run GNU's PROG (side
# g) or ours (side o) as USER with ARGs; set SIDE_STATUS and SIDE_ERR
# (stderr with the program's own path reduced to its name).  Every run
# has a timeout: a hang is a failure, never a stuck suite.  FAULT_ENV,
# if set, is a list of NAME=VALUE for the environment (the shim);
# RUN_PREFIX, if set, a command to run the program under (prlimit).
run_side ()
{
  local side=$1 user=$2 prog=$3 exe
  shift 3
  if [[ $side == g ]]; then
    [[ $prog == cp ]] && exe=$GNU_CP || exe=$GNU_MV
  else
    exe=$(faults_root)/bin/$prog
  fi
  SIDE_STATUS=0
  (cd "$CELL_SRC/$side" \
     && as_user "$user" env ${FAULT_ENV[@]+"${FAULT_ENV[@]}"} \
          timeout -k 5 60 ${RUN_PREFIX[@]+"${RUN_PREFIX[@]}"} "$exe" "$@") \
    >"$BATS_TEST_TMPDIR/out.$side" 2>"$BATS_TEST_TMPDIR/err.$side" \
    || SIDE_STATUS=$?
  ((SIDE_STATUS == 124 || SIDE_STATUS == 137)) \
    && fail "$side: $prog $* did not end within 60 s"
  SIDE_ERR=$(sed "s|^$exe: |$prog: |" "$BATS_TEST_TMPDIR/err.$side")
}

# compare_with_gnu GNU_STATUS GNU_ERR: ours (SIDE_STATUS, SIDE_ERR) failed
# with status 1 as GNU did, with the same messages.
compare_with_gnu ()
{
  assert_equal "$SIDE_STATUS" 1
  assert_equal "$1" 1
  assert_equal "$SIDE_ERR" "$2"
}

# check_outcome PROG VICTIM OTHER...: after a failed `cp ... t dst/` (or
# `mv t/X ... dst/`) on side o: no source byte lost; each OTHER whole at
# the destination (cp: under dst/t; mv: moved, gone from t); VICTIM (if
# not empty) still whole in the source and clearly partial at the
# destination.
check_outcome ()
{
  local prog=$1 victim=$2 n
  shift 2
  local src=$CELL_SRC/o/t dst=$CELL_DST/o
  [[ $prog == cp ]] && dst=$dst/t
  assert_no_loss "$BATS_TEST_TMPDIR/before" "$src" "$dst"
  if [[ $prog == cp ]]; then
    assert_whole "$src" "$dst" "$@"
    [[ -z $victim ]] && return 0
    assert_clearly_partial "$src/$victim" "$dst/$victim"
  else
    for n; do
      [[ -e $dst/$n || -L $dst/$n ]] || fail "$n was not moved"
      [[ ! -e $src/$n && ! -L $src/$n ]] || fail "$n moved, still in source"
    done
    [[ -z $victim ]] && return 0
    [[ -e $src/$victim || -L $src/$victim ]] \
      || fail "the failed operand $victim left the source"
    assert_clearly_partial "$src/$victim" "$dst/$victim"
  fi
}

# ---------------------------------------------------------------------
# ENOSPC (and EDQUOT) at each phase: file data, xattrs, a new directory,
# a symlink.  A fixture is a directory t/ of entries; the victim is the
# one entry the full filesystem cannot take, the others are entries it
# can (an empty file needs an inode, a short symlink lives in its inode).

# PHASE -> "VICTIM OTHER..." (names in t/) and what is left free.
declare -gA PHASE_NAMES=(
  [data]="big a c"
  [xattr]="xa e1 e2 sl"
  [xattr-a]="xa e1 e2 sl"
  [mkdir]="sub e1 e2 sl"
  [symlink]="ll e1 e2 sl"
)
declare -gA PHASE_LEAVE=(
  [data]=524288 [xattr]=0 [xattr-a]=0 [mkdir]=0 [symlink]=0
)

fixture_small_entries ()
{
  mkdir t
  : >t/e1
  : >t/e2
  ln -s e1 t/sl
}

fixture_data ()
{
  mkdir t t/sub
  random_file t/a 8K
  random_file t/big 6M
  random_file t/c 8K
  random_file t/sub/d 8K
}

fixture_xattr ()
{
  fixture_small_entries
  : >t/xa
  setfattr -n user.big -v "$(head -c 1500 /dev/zero | tr '\0' y)" t/xa
  setfattr -n user.small -v 1 t/e1
}

fixture_xattr-a ()
{
  fixture_xattr
}

fixture_mkdir ()
{
  fixture_small_entries
  mkdir t/sub
  : >t/sub/e3
}

fixture_symlink ()
{
  fixture_small_entries
  ln -s "$(printf 'long-target-%.0s' {1..25})" t/ll
}

# phase_args PROG PHASE: the command line of the run (after the program).
phase_args ()
{
  local prog=$1 phase=$2
  local -a names
  read -ra names <<<"${PHASE_NAMES[$phase]}"
  if [[ $prog == cp ]]; then
    case $phase in
      xattr) echo "-R --preserve=xattr t dst/" ;;
      *) echo "-a t dst/" ;;
    esac
  else
    # mv: the victim last, so that what GNU leaves of it cannot take the
    # space the others need.
    printf 't/%s ' "${names[@]:1}" "${names[0]}"
    echo dst/
  fi
}

need_enospc ()
{
  local phase=$1 fs=$2 prog=$3 user=$4
  need_user
  require_fs "enospc-$fs"
  if [[ $phase == xattr* ]]; then
    have_cmd setfattr || skip "setfattr not installed"
    have_user_xattrs "$FS_PATH" || skip "no user xattrs on $fs"
  fi
}

# fill_for PHASE MNT: fill MNT for PHASE (CELL_FILL=quota: limit nobody's
# blocks to what nobody uses now plus what PHASE leaves).
fill_for ()
{
  mountpoint -q "$2" || fail "$2 is not a mount point: not filling it"
  if [[ ${CELL_FILL:-} == quota ]]; then
    quota_limit "$2" $(( ${PHASE_LEAVE[$1]} / 1024 ))
  else
    fs_fill "$2" "${PHASE_LEAVE[$1]}"
  fi
}

# unfill MNT: free MNT and empty the cell's destinations (in that order:
# on a full ext4 even the new destination directories found no room).
unfill ()
{
  mountpoint -q "$1" || return 0
  unfill_keep "$1"
  rm -rf "$CELL_DST/g" "$CELL_DST/o"
  mkdir -p "$CELL_DST/g${CELL_SUB:+/$CELL_SUB}" \
    "$CELL_DST/o${CELL_SUB:+/$CELL_SUB}"
  [[ $CELL_USER == nobody ]] && chown -R nobody:nogroup "$CELL_DST"/[go]
  return 0
}

cell_enospc ()
{
  local phase=$1 fs=$2 prog=$3 user=$4
  local mnt=$FS_PATH gstatus gerr victim sub=
  local -a args names
  CELL_USER=$user
  CELL_SUB=
  [[ $prog == cp ]] && CELL_SUB=t
  read -ra names <<<"${PHASE_NAMES[$phase]}"
  victim=${names[0]}
  read -ra args <<<"$(phase_args "$prog" "$phase")"
  twin_fixture "fixture_$phase" "$user"
  [[ $prog == cp ]] && sub=t
  twin_dest "$mnt" "$user" $sub

  fill_for "$phase" "$mnt"
  run_side g "$user" "$prog" "${args[@]}"
  gstatus=$SIDE_STATUS gerr=$SIDE_ERR
  unfill "$mnt"
  fill_for "$phase" "$mnt"
  run_side o "$user" "$prog" "${args[@]}"
  unfill_keep "$mnt"
  if [[ $phase == xattr* ]]; then
    # The data was copied; only an attribute could not be: GNU keeps (mv:
    # moves) the file, and so must we.
    check_outcome "$prog" "" "${names[@]}"
  else
    check_outcome "$prog" "$victim" "${names[@]:1}"
  fi
  phase_expect "$phase" "$prog" "$gstatus" "$gerr" \
    "${CELL_ERRNO:-ENOSPC}" "$victim"
}

# unfill_keep MNT: free MNT, keeping what the run left (to be checked).
unfill_keep ()
{
  mountpoint -q "$1" || return 0
  if [[ ${CELL_FILL:-} == quota ]]; then
    setquota -u nobody 0 0 0 0 "$1"
  else
    fs_unfill "$1"
  fi
}

# victim_lines VICTIM: GNU's stderr lines about VICTIM (from stdin).  GNU
# leaves a partial copy of a file it could not finish, whose blocks can
# make later entries fail too; those later failures are GNU's, not the
# cell's.
victim_lines ()
{
  grep -F -e "/$1'" -e "/$1/" || :
}

# phase_expect PHASE PROG GNU_STATUS GNU_ERR ERRNO VICTIM: ours failed as
# GNU did, with GNU's messages about VICTIM.  GNU 9.1 prints libattr's
# "setting attribute %s for %s" with both names quoted in one quoteaf
# slot, so that it names the attribute twice; there ours is held to the
# message libattr means, naming the file.
phase_expect ()
{
  local phase=$1 prog=$2 gstatus=$3 gerr=$4 err=$5 victim=$6 dst
  [[ $prog == cp ]] && dst=dst/t/$victim || dst=dst/$victim
  case $phase in
    xattr*)
      if [[ $phase == xattr-a && $prog == cp ]]; then
        # -a is quiet about attributes it cannot keep: no error.
        assert_equal "$SIDE_STATUS" "$gstatus"
        assert_equal "$SIDE_ERR" "$gerr"
        return
      fi
      assert_equal "$SIDE_STATUS" "$gstatus"
      assert_equal "$SIDE_ERR" \
        "$prog: setting attribute 'user.big' for '$dst': $(strerror "$err")"
      ;;
    *)
      assert_equal "$gstatus" 1
      assert_equal "$SIDE_STATUS" 1
      assert_equal "$SIDE_ERR" "$(victim_lines "$victim" <<<"$gerr")"
      [[ $SIDE_ERR == *": $(strerror "$err")" ]] \
        || fail "no $err message: $SIDE_ERR"
      ;;
  esac
}

# ---------------------------------------------------------------------
# The LD_PRELOAD shim (tests/helpers/faults): EIO, mid-file where the call
# comes more than once, and short transfers, on each rung's call.  Only
# t/victim's descriptors are faulted (COWFAULT_PATH=victim).  cp copies
# within one filesystem (so that copy_file_range works), mv moves to a
# loop-mounted ext4.  A rung that answers "not possible here" is not tried
# again for that pair of filesystems, so that FICLONE and FICLONERANGE are
# faulted where cloning works (cp: within a btrfs; mv: the victim moved
# first).

# Every rung above read/write answers "not possible here".
SHIM_ALL_OFF=ficlone=EOPNOTSUPP,ficlonerange=EOPNOTSUPP,copy_file_range=ENOSYS,sendfile=EINVAL

# shim_spec CALL MODE PROG: print the COWFAULT for the cell, or nothing
# when the cell is meaningless.  Mid-file: "NAME=short,NAME=EIO@2" (half
# the file, then EIO) where a call moves the file in one go, "@2" where
# it comes once per extent or buffer.
shim_spec ()
{
  local call=$1 mode=$2 prog=$3
  if [[ $mode == edquot ]]; then
    shim_spec "$call" eio "$prog" | sed 's/=EIO/=EDQUOT/g'
    return
  fi
  case $call/$mode in
    ficlone/eio) echo ficlone=EIO ;;
    ficlonerange/eio)
      # Across filesystems the kernel answers EXDEV to the first
      # FICLONERANGE (and copy_file_range), which falls through: there
      # fail that very call instead.
      if [[ $prog == cp ]]; then
        echo ficlone=EOPNOTSUPP,ficlonerange=EIO@2
      else
        echo ficlone=EOPNOTSUPP,ficlonerange=EIO
      fi ;;
    copy_file_range/eio)
      if [[ $prog == cp ]]; then
        echo ficlone=EOPNOTSUPP,copy_file_range=short,copy_file_range=EIO@2
      else
        echo ficlone=EOPNOTSUPP,copy_file_range=EIO
      fi ;;
    copy_file_range/short)
      [[ $prog == cp ]] && echo ficlone=EOPNOTSUPP,copy_file_range=short ;;
    sendfile/eio)
      echo ficlone=EOPNOTSUPP,copy_file_range=ENOSYS,sendfile=short,sendfile=EIO@2 ;;
    sendfile/short)
      echo ficlone=EOPNOTSUPP,copy_file_range=ENOSYS,sendfile=short ;;
    write/eio) echo "$SHIM_ALL_OFF,write=short@2,write=EIO@3" ;;
    write/short) echo "$SHIM_ALL_OFF,write=short@2" ;;
    read/eio) echo "$SHIM_ALL_OFF,read=EIO@2" ;;
    read/short) echo "$SHIM_ALL_OFF,read=short" ;;
    fsync/eio) echo fsync=EIO,fdatasync=EIO ;;
    ftruncate/eio) echo ftruncate=EIO ;;
  esac
}

# shim_gnu_text CALL PROG ERRNO: the message GNU 9.11 gives for a hard
# error ERRNO of CALL, for rungs GNU's cp has not (sendfile, FICLONERANGE) or treats
# otherwise in 9.1 (FICLONE's EIO is final since 9.2); empty where GNU is
# faulted the same way and compared instead.
shim_gnu_text ()
{
  local call=$1 prog=$2 err=$3 src=t/victim dst=dst/t/victim
  [[ $prog == mv ]] && dst=dst/victim
  case $call in
    ficlone|ficlonerange)
      echo "$prog: failed to clone '$dst' from '$src': $(strerror "$err")" ;;
    sendfile)
      # It stands in for GNU's read and write: an error only the writing
      # can have (a quota) is GNU's "error writing".
      if [[ $err == EDQUOT ]]; then
        echo "$prog: error writing '$dst': $(strerror "$err")"
      else
        echo "$prog: error copying '$src' to '$dst': $(strerror "$err")"
      fi ;;
  esac
}

fixture_shim ()
{
  mkdir t t/sub
  random_file t/a 8K
  random_file t/c 8K
  random_file t/sub/d 8K
  case $SHIM_CALL in
    ficlonerange|ftruncate)
      # Three data extents, holes between them and at the end.
      truncate -s 4M t/victim
      local off
      for off in 0 1 2; do
        head -c 65536 /dev/urandom \
          | dd of=t/victim bs=64K seek=$((off * 16)) conv=notrunc \
               status=none
      done ;;
    *) random_file t/victim 1M ;;
  esac
}

need_shim ()
{
  local call=$1 mode=$2 prog=$3 user=$4
  need_user
  require_faultshim
  [[ $prog == mv ]] && require_fs shim-dst
  [[ $prog == cp && $call == ficlone* ]] && require_fs shim-cow
  [[ -n $(shim_spec "$call" "$mode" "$prog") ]] \
    || skip "no such cell"
  return 0
}

cell_shim ()
{
  local call=$1 mode=$2 prog=$3 user=$4 spec gstatus gerr want mnt
  local -a args
  SHIM_CALL=$call
  spec=$(shim_spec "$call" "$mode" "$prog")
  CELL_ROOT=$(faults_root)
  [[ $prog == cp && $call == ficlone* ]] && CELL_ROOT=$(fs_path shim-cow)
  twin_fixture fixture_shim "$user"
  if [[ $prog == cp ]]; then
    mnt=$CELL_ROOT/dest
    mkdir -p "$mnt"
    args=(-a t dst/)
  else
    mnt=$(fs_path shim-dst)
    args=(t/victim t/a t/c dst/)
  fi
  twin_dest "$mnt" "$user"
  FAULT_ENV=("LD_PRELOAD=$FAULTSHIM" "COWFAULT=$spec" COWFAULT_PATH=victim
             "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0")
  run_side g "$user" "$prog" "${args[@]}"
  gstatus=$SIDE_STATUS gerr=$SIDE_ERR
  run_side o "$user" "$prog" "${args[@]}"
  FAULT_ENV=()
  [[ $SIDE_ERR != *faultshim:* ]] || fail "shim refused: $SIDE_ERR"

  if [[ $mode == short || $call == fsync ]]; then
    # A short transfer is no error, and no rung syncs: all is copied.
    check_outcome "$prog" "" a c victim
    assert_equal "$SIDE_STATUS" 0
    assert_equal "$SIDE_ERR" ""
    assert_equal "$gstatus" 0
    return 0
  fi
  check_outcome "$prog" victim a c
  assert_equal "$SIDE_STATUS" 1
  local err=EIO
  [[ $mode == edquot ]] && err=EDQUOT
  want=$(shim_gnu_text "$call" "$prog" "$err")
  if [[ -n $want ]]; then
    assert_equal "$SIDE_ERR" "$want"
  else
    assert_equal "$gstatus" 1
    assert_equal "$SIDE_ERR" "$(victim_lines victim <<<"$gerr")"
  fi
  [[ $SIDE_ERR == *": $(strerror "$err")" ]] || fail "no $err: $SIDE_ERR"
}

# ---------------------------------------------------------------------
# Signals mid-file and mid-tree: SIGINT, SIGTERM, SIGKILL land while a
# big file (64 MiB, read and written at page-cache speed) is being
# written, which the watcher below sees happen: no timing guesses.

SIG_HUGE_MIB=64

fixture_signal ()
{
  if [[ $SIG_WHERE == tree ]]; then
    make_big_tree t 6 6
    chmod u+w t t/d3
    random_file t/d3/huge "${SIG_HUGE_MIB}M"
    chmod a-w t/d3 t
  else
    mkdir t
    random_file t/huge "${SIG_HUGE_MIB}M"
  fi
}

need_signal ()
{
  need_user
  have_cmd perl || skip "perl not installed"
  require_fs signal-dst
}

# mid-copy.pl ACTION GLOB SIZE CMD...: run CMD (signals at their default
# action, stdin and stderr those of mid-copy.pl); poll every
# millisecond for a regular file matching GLOB with at least 1 MiB but
# fewer than SIZE bytes -- the big file half-written -- then send the
# signal ACTION (INT, TERM, KILL), or run "sh:COMMAND" with sh.
# Print "STATUS SENT": CMD's status as the shell gives it (128 + signal
# when killed) and 1 if the signal was sent while the file was partial, 0
# if CMD ended first.  A CMD still running 60 s after the signal is
# killed and reported as status "hang".

# check_left SRC DST STRICT: every regular file below DST is whole (the
# same data as under SRC) or, unless STRICT, does not carry the source's
# mtime; every directory below DST whose source's contents are not all
# there does not carry the source's mtime either.
check_left ()
{
  perl - "$@" <<'PERL'
use strict;
use warnings;
use File::Compare;
use File::Find;
my ($src, $dst, $strict) = @ARGV;
my @bad;
my %incomplete;
# Which source directories are not all there.
find ({ no_chdir => 1, wanted => sub {
  my $rel = substr ($File::Find::name, length $src);
  return if $rel eq "";
  if (! -e "$dst$rel" && ! -l "$dst$rel")
    {
      my $d = $rel;
      while ($d =~ s{/[^/]*$}{}) { $incomplete{$d} = 1 }
      $incomplete{""} = 1;
    }
}}, $src);
find ({ no_chdir => 1, wanted => sub {
  my $rel = substr ($File::Find::name, length $dst);
  my @d = lstat $File::Find::name or return;
  my @s = lstat "$src$rel";
  return unless @s;
  if (-f _ && -f $File::Find::name && ! -l $File::Find::name)
    {
      return if compare ("$src$rel", $File::Find::name) == 0;
      push @bad, "partial file $rel" if $strict;
      push @bad, "partial file $rel with the source's mtime"
        if $d[9] == $s[9];
    }
  elsif (-d $File::Find::name && $incomplete{$rel} && $d[9] == $s[9])
    {
      push @bad, "incomplete directory '$rel' with the source's mtime";
    }
}}, $dst) if -e $dst;
print "$_\n" for @bad;
PERL
}

cell_signal ()
{
  local sig=$1 where=$2 prog=$3 user=$4 mnt exe glob out status sent
  local -a args
  SIG_WHERE=$where
  mnt=$(fs_path signal-dst)
  CELL_SRC=$(faults_root)/$CELL_ID
  CELL_DST=$mnt/$CELL_ID
  exe=$(faults_root)/bin/$prog
  if [[ $where == tree ]]; then
    args=(t dst/)
    [[ $prog == cp ]] && glob='dst/t/d3/huge' || glob='dst/{t,.t.cowmv-*}/d3/huge'
  else
    args=(t/huge dst/)
    glob='dst/{,.}huge*'
  fi
  [[ $prog == cp ]] && args=(-a "${args[@]}")
  for _ in 1 2 3; do
    rm -rf "$CELL_SRC" "$CELL_DST"
    mkdir -p "$CELL_SRC/o" "$CELL_DST/o"
    (cd "$CELL_SRC/o" && fixture_signal && old_times t)
    sums "$CELL_SRC/o/t" >"$BATS_TEST_TMPDIR/before"
    if [[ $user == nobody ]]; then
      chown -R nobody:nogroup "$CELL_SRC/o" "$CELL_DST/o"
      [[ $where == tree ]] && chmod -R u+w "$CELL_SRC/o/t"
    fi
    ln -s "$CELL_DST/o" "$CELL_SRC/o/dst"
    # Redirections made here, as root: the test's directory is not
    # nobody's (nor, on some machines, is /dev/null).
    : >"$BATS_TEST_TMPDIR/empty"
    out=$(cd "$CELL_SRC/o" && as_user "$user" timeout -k 5 150 \
            perl "$FAULTS_DIR/mid-copy.pl" \
            "$sig" "$glob" $((SIG_HUGE_MIB << 20)) "$exe" "${args[@]}" \
            <"$BATS_TEST_TMPDIR/empty" 2>"$BATS_TEST_TMPDIR/err") \
      || fail "the watcher failed or $prog hung: $(cat "$BATS_TEST_TMPDIR/err")"
    read -r status sent <<<"$out"
    ((sent)) && break
  done
  ((sent)) || fail "$prog finished each time before the signal could land"
  [[ $status != hang ]] || fail "$prog did not end within 60 s of SIG$sig"
  assert_equal "$status" "$(signal_status "$sig")"
  assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" ""

  local src=$CELL_SRC/o/t dst=$CELL_DST/o left strict=1
  [[ $sig == KILL ]] && strict=0
  if [[ $prog == mv ]]; then
    # Nothing under the final name unless whole; the source whole.
    assert_equal "$(sums "$src")" "$(cat "$BATS_TEST_TMPDIR/before")"
    if [[ $where == tree ]]; then
      left=$(check_left "$src" "$dst/t" 1)
    else
      left=$(check_left "$src" "$dst" 1)
    fi
    assert_equal "$left" ""
    if [[ $sig != KILL ]]; then
      assert_equal "$(cd "$dst" && ls -A)" ""
    fi
  else
    assert_no_loss "$BATS_TEST_TMPDIR/before" "$src" "$dst/t"
    assert_equal "$(sums "$src")" "$(cat "$BATS_TEST_TMPDIR/before")"
    if [[ $where == tree ]]; then
      left=$(check_left "$src" "$dst/t" "$strict")
    else
      left=$(check_left "$src" "$dst" "$strict")
    fi
    assert_equal "$left" ""
  fi
}

# ---------------------------------------------------------------------
# A read-only destination filesystem.

fixture_rofs ()
{
  mkdir t t/sub
  random_file t/a 8K
  random_file t/c 8K
  random_file t/sub/d 8K
}

need_rofs ()
{
  need_user
  require_fs rofs-dst
}

# set_ro MNT ro|rw: remount MNT read-only or read-write.
set_ro ()
{
  mountpoint -q "$1" || fail "$1 is not a mount point"
  mount -o "remount,$2" "$1" || fail "cannot remount $1 $2"
}

cell_rofs ()
{
  local prog=$1 user=$2 mnt gstatus gerr
  local -a args
  mnt=$(fs_path rofs-dst)
  set_ro "$mnt" rw
  twin_fixture fixture_rofs "$user"
  twin_dest "$mnt" "$user"
  set_ro "$mnt" ro
  [[ $prog == cp ]] && args=(-a t dst/) || args=(t/a t/sub t/c dst/)
  run_side g "$user" "$prog" "${args[@]}"
  gstatus=$SIDE_STATUS gerr=$SIDE_ERR
  run_side o "$user" "$prog" "${args[@]}"
  set_ro "$mnt" rw
  assert_equal "$(sums "$CELL_SRC/o/t")" "$(cat "$BATS_TEST_TMPDIR/before")"
  assert_equal "$(cd "$CELL_DST/o" && ls -A)" ""
  [[ $SIDE_ERR == *": $(strerror EROFS)"* ]] || fail "no EROFS: $SIDE_ERR"
  compare_with_gnu "$gstatus" "$gerr"
}

# ---------------------------------------------------------------------
# Unreadable parts of the source: a 0000 directory and a 0000 file.  As
# nobody both fail, GNU's way, and everything else is copied; root reads
# them, and everything is copied, as GNU does.

fixture_unreadable ()
{
  mkdir t t/locked t/open
  random_file t/a 8K
  random_file t/locked/secret 8K
  random_file t/noread 8K
  random_file t/open/d 8K
  random_file t/c 8K
}

need_unreadable ()
{
  need_user
  require_fs change-dst
}

cell_unreadable ()
{
  local prog=$1 user=$2 gstatus gerr
  local -a args
  twin_fixture fixture_unreadable "$user"
  chmod 0000 "$CELL_SRC"/[go]/t/locked "$CELL_SRC"/[go]/t/noread
  twin_dest "$(fs_path change-dst)" "$user"
  [[ $prog == cp ]] && args=(-a t dst/) \
    || args=(t/a t/open t/locked t/noread t/c dst/)
  run_side g "$user" "$prog" "${args[@]}"
  gstatus=$SIDE_STATUS gerr=$(sort <<<"$SIDE_ERR")
  run_side o "$user" "$prog" "${args[@]}"
  # Readable again for the checks and the clean-up, wherever they are.
  find "$CELL_SRC" "$CELL_DST" -perm 0000 -exec chmod 0700 {} +
  if [[ $user == root ]]; then
    assert_equal "$gstatus" 0
    assert_equal "$SIDE_STATUS" 0
    assert_equal "$SIDE_ERR" ""
    check_outcome "$prog" "" a open/d locked/secret noread c
    return 0
  fi
  check_outcome "$prog" "" a open/d c
  local src=$CELL_SRC/o/t dst=$CELL_DST/o
  [[ $prog == cp ]] && dst=$dst/t
  assert_clearly_partial "$src/noread" "$dst/noread"
  [[ -e $dst/locked/secret ]] && fail "a secret nobody cannot read was copied"
  assert_equal "$SIDE_STATUS" 1
  assert_equal "$gstatus" 1
  assert_equal "$(sort <<<"$SIDE_ERR")" "$gerr"
}

# ---------------------------------------------------------------------
# A source file that grows, shrinks or is truncated while it is copied:
# the change is made once 1 MiB of the copy is written.  No hang (a
# timeout ends it), GNU's status and messages, and no data the source
# never had: the copy is a prefix of the source as it was (shrink,
# truncate; and no longer than before) or as it is (grow).

CHANGE_MIB=32

need_change ()
{
  need_user
  have_cmd perl || skip "perl not installed"
  require_fs change-dst
}

# change_command KIND: the sh command that changes t/big mid-copy.
change_command ()
{
  case $1 in
    grow) echo "dd if=t/big of=t/big bs=1M count=4 seek=$CHANGE_MIB conv=notrunc status=none" ;;
    shrink) echo "truncate -s 2M t/big" ;;
    truncate|truncate-sparse) echo "truncate -s 0 t/big" ;;
  esac
}

# change_side SIDE USER KIND: on side SIDE, copy t/big to dst/ with the
# change KIND made mid-copy; set SIDE_STATUS, SIDE_ERR, SIDE_SENT.
change_side ()
{
  local side=$1 user=$2 kind=$3 exe out
  [[ $side == g ]] && exe=$GNU_CP || exe=$(faults_root)/bin/cp
  : >"$BATS_TEST_TMPDIR/empty"
  out=$(cd "$CELL_SRC/$side" && as_user "$user" timeout -k 5 120 \
          perl "$FAULTS_DIR/mid-copy.pl" "sh:$(change_command "$kind")" \
          'dst/big' $((CHANGE_MIB << 20)) "$exe" --preserve=all t/big dst/ \
          <"$BATS_TEST_TMPDIR/empty" 2>"$BATS_TEST_TMPDIR/err.$side") \
    || fail "$side: the copy or its watcher failed or hung: $out"
  read -r SIDE_STATUS SIDE_SENT <<<"$out"
  [[ $SIDE_STATUS != hang ]] || fail "$side: cp hung after the change"
  SIDE_ERR=$(sed "s|^$exe: |cp: |" "$BATS_TEST_TMPDIR/err.$side")
}

cell_change ()
{
  local kind=$1 user=$2 gstatus gerr gsent size final
  CHANGE_KIND=$kind
  for _ in 1 2 3; do
    twin_fixture fixture_change "$user"
    cp "$CELL_SRC/o/t/big" "$BATS_TEST_TMPDIR/orig"
    twin_dest "$(fs_path change-dst)" "$user"
    change_side g "$user" "$kind"
    gstatus=$SIDE_STATUS gerr=$SIDE_ERR gsent=$SIDE_SENT
    change_side o "$user" "$kind"
    ((gsent && SIDE_SENT)) && break
  done
  ((gsent && SIDE_SENT)) || fail "the copy ended each time before the change"
  assert_equal "$SIDE_STATUS" "$gstatus"
  assert_equal "$SIDE_ERR" "$gerr"
  local src=$CELL_SRC/o/t/big dst=$CELL_DST/o/big
  [[ -f $dst ]] || fail "no copy at all"
  size=$(stat -c %s "$dst")
  final=$(stat -c %s "$src")
  if [[ $kind == grow ]]; then
    cmp -n "$size" "$src" "$dst" \
      || fail "the copy is not a prefix of the grown source"
    ((size >= CHANGE_MIB << 20 && size <= final)) \
      || fail "copy of $size bytes; the source had $((CHANGE_MIB << 20)), then $final"
  else
    # A copy that read everything before the change took effect (the
    # watcher can be a moment late on a loaded machine) is the whole
    # old file, byte for byte; one padded back to the old size has
    # zeros where the old data was.
    ((size < CHANGE_MIB << 20)) || cmp -s "$BATS_TEST_TMPDIR/orig" "$dst" \
      || fail "copy of $size bytes: padded back to the source's old size"
    cmp -n "$size" "$BATS_TEST_TMPDIR/orig" "$dst" \
      || fail "the copy holds data the source never had"
  fi
}

fixture_change ()
{
  mkdir t
  if [[ $CHANGE_KIND == *-sparse ]]; then
    # 1 MiB of data every 4 MiB, holes between.
    truncate -s "${CHANGE_MIB}M" t/big
    local i
    for ((i = 0; i < CHANGE_MIB; i += 4)); do
      head -c 1M /dev/urandom \
        | dd of=t/big bs=1M seek="$i" conv=notrunc status=none
    done
  else
    random_file t/big "${CHANGE_MIB}M"
  fi
}

# ---------------------------------------------------------------------
# EDQUOT at each phase, from real disk quotas: an ext4 made with -O quota,
# mounted with usrquota, nobody's block limit set with setquota to what
# nobody uses plus what the phase leaves.  The same fixtures and checks
# as ENOSPC; only nobody (root is not held to quotas).

# quota_fs_setup NAME: make NAME, an ext4 with quotas on, or record why
# not (a kernel without CONFIG_QUOTA/CONFIG_QFMT_V2 cannot mount it).
quota_fs_setup ()
{
  local name=$1 mnt img
  if ! have_cmd setquota; then
    mkdir -p "$(_loopfs_dir)"
    echo ext4 >"$(_loopfs_dir)/$name.type"
    _loopfs_fail "$name" "setquota not installed (package quota)"
    return 1
  fi
  if ! make_loop_fs ext4 32M "$name" -O quota; then
    [[ $(fs_reason "$name") == mount:* ]] \
      && _loopfs_fail "$name" "ext4 with the quota feature does not mount (kernel without CONFIG_QUOTA or CONFIG_QFMT_V2?)"
    return 1
  fi
  mnt=$(fs_path "$name")
  img=$(cat "$(_loopfs_dir)/$name.img")
  # Quotas are turned on by the mount options: mount it again with them.
  umount "$mnt" || { _loopfs_fail "$name" "cannot unmount $mnt"; return 1; }
  rm -f "$(_loopfs_dir)/$name.mnt"
  if ! mount -o loop,usrquota -t ext4 "$img" "$mnt" 2>/dev/null; then
    _loopfs_fail "$name" "ext4 with quotas does not mount (kernel without CONFIG_QUOTA or CONFIG_QFMT_V2?)"
    return 1
  fi
  printf '%s\n' "$mnt" >"$(_loopfs_dir)/$name.mnt"
  findmnt -nfro SOURCE --mountpoint "$mnt" >"$(_loopfs_dir)/$name.dev"
  return 0
}

# quota_used MNT: the KiB nobody has on MNT now.
quota_used ()
{
  sync -f "$1"
  repquota -u "$1" | awk '$1 == "nobody" { print $3; found = 1 }
                          END { if (!found) print 0 }'
}

# quota_limit MNT LEAVE_KIB: nobody may have LEAVE_KIB more than now.
quota_limit ()
{
  local kib
  kib=$(( $(quota_used "$1") + $2 ))
  ((kib > 0)) || kib=1
  setquota -u nobody "$kib" "$kib" 0 0 "$1" || fail "setquota failed"
}

need_edquot ()
{
  local phase=$1 prog=$2
  need_user
  require_fs quota
  have_cmd repquota || skip "repquota not installed (package quota)"
  if [[ $phase == xattr* ]]; then
    have_cmd setfattr || skip "setfattr not installed"
    have_user_xattrs "$FS_PATH" || skip "no user xattrs on ext4"
  fi
}

cell_edquot ()
{
  local phase=$1 prog=$2
  FS_PATH=$(fs_path quota)
  CELL_FILL=quota CELL_ERRNO=EDQUOT cell_enospc "$phase" ext4 "$prog" nobody
}

# ---------------------------------------------------------------------
# A low limit on open descriptors (prlimit --nofile=32): a wide tree of
# 300 directories is still copied whole, as GNU copies it.

fixture_nofile ()
{
  mkdir t
  local i
  for ((i = 0; i < 300; i++)); do
    mkdir "t/d$i"
    echo "$i" >"t/d$i/f"
  done
}

need_nofile ()
{
  need_user
  have_cmd prlimit || skip "prlimit not installed"
  require_fs change-dst
}

cell_nofile ()
{
  local prog=$1 user=$2 gstatus gerr
  twin_fixture fixture_nofile "$user"
  twin_dest "$(fs_path change-dst)" "$user"
  local -a args=(t dst/)
  local diffs
  [[ $prog == cp ]] && args=(-a t dst/)
  RUN_PREFIX=(prlimit --nofile=32:32 --)
  run_side g "$user" "$prog" "${args[@]}"
  gstatus=$SIDE_STATUS gerr=$SIDE_ERR
  run_side o "$user" "$prog" "${args[@]}"
  RUN_PREFIX=()
  assert_equal "$gstatus" 0
  assert_equal "$gerr" ""
  diffs=$(diff "$BATS_TEST_TMPDIR/before" <(sums "$CELL_DST/o/t")) \
    || fail "the copy is not the source: $(wc -l <<<"$diffs") lines of diff:
$(head -n 6 <<<"$diffs")"
  assert_equal "$SIDE_ERR" ""
  assert_equal "$SIDE_STATUS" 0
  if [[ $prog == mv ]]; then
    [[ ! -e $CELL_SRC/o/t ]] || fail "the source is still there"
  fi
}

# ---------------------------------------------------------------------
# No /proc (a chroot, a container): an empty tmpfs over /proc in a mount
# namespace of the run's own.  A FIFO's times and a directory's default
# ACL are kept as GNU keeps them.

fixture_noproc ()
{
  mkdir t t/acl
  mkfifo t/fifo
  random_file t/f 8K
  setfacl -d -m u:nobody:rx t/acl
}

need_noproc ()
{
  require_root
  have_cmd unshare || skip "unshare not installed"
  have_setfacl "$(faults_root)" || skip "no ACLs on $(faults_root)"
  require_fs change-dst
}

cell_noproc ()
{
  local prog=$1 side gstatus gerr
  local -a args=(t dst/)
  [[ $prog == cp ]] && args=(-a t dst/)
  twin_fixture fixture_noproc root
  twin_dest "$(fs_path change-dst)" root
  RUN_PREFIX=(unshare --mount -- sh -c \
              'mount -t tmpfs none /proc && exec "$@"' sh)
  run_side g root "$prog" "${args[@]}"
  gstatus=$SIDE_STATUS gerr=$SIDE_ERR
  run_side o root "$prog" "${args[@]}"
  RUN_PREFIX=()
  assert_equal "$gstatus" 0
  assert_equal "$SIDE_ERR" "$gerr"
  assert_equal "$SIDE_STATUS" 0
  assert_equal "$(manifest "$CELL_DST/o/t")" "$(manifest "$CELL_DST/g/t")"
  assert_equal "$(cd "$CELL_DST/o/t" && getfacl -p acl)" \
               "$(cd "$CELL_DST/g/t" && getfacl -p acl)"
}
