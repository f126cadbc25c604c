#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# cowcp/sparse.bats -- holes: kept on every rung of the ladder
# (--sparse=auto), made from zero runs (--sparse=always), filled
# (--sparse=never); files that claim to be empty are read to EOF.

load ../helpers/common

bats_require_minimum_version 1.5.0

setup_file ()
{
  make_loop_fs btrfs 128M btrfs || true
  make_loop_fs xfs 300M xfs || true
  make_loop_fs ext4 64M ext4 || true
}

teardown_file ()
{
  cleanup_loop_fs
}

# put_random FILE OFFSET_KIB LEN_KIB: write LEN_KIB random KiB into FILE
# at OFFSET_KIB without truncating it.
put_random ()
{
  head -c "$(($3 * 1024))" /dev/urandom \
    | dd of="$1" bs=1024 seek="$2" conv=notrunc status=none
}

# make_holey FILE: 16 MiB with 64 KiB of data at 0, 4 MiB and 9600 KiB,
# holes between and a hole at the end.  The size is set first so that
# no write extends the file (XFS would preallocate past EOF).
make_holey ()
{
  truncate -s 16M "$1"
  put_random "$1" 0 64
  put_random "$1" 4096 64
  put_random "$1" 9600 64
}

# rung_faults RUNG: print the COWFAULT spec that makes every rung above
# RUNG answer "not supported".
rung_faults ()
{
  local spec=
  case $1 in
    FICLONE) ;;
    FICLONERANGE) spec=ficlone=EOPNOTSUPP ;;
    copy_file_range) spec=ficlone=EOPNOTSUPP,ficlonerange=EOPNOTSUPP ;;
    sendfile)
      spec=ficlone=EOPNOTSUPP,ficlonerange=EOPNOTSUPP,copy_file_range=ENOSYS
      ;;
    read/write)
      spec=ficlone=EOPNOTSUPP,ficlonerange=EOPNOTSUPP,copy_file_range=ENOSYS
      spec+=,sendfile=EINVAL
      ;;
    *) fail "rung_faults: unknown rung $1" ;;
  esac
  printf '%s\n' "$spec"
}

# run_on_rung RUNG SRC DST [OPTION...]: run cowcp --debug [OPTION...] SRC
# DST with the rungs above RUNG turned off by the fault shim.
run_on_rung ()
{
  local rung=$1 src=$2 dst=$3 spec
  shift 3
  spec=$(rung_faults "$rung")
  if [[ -n $spec ]]; then
    require_faultshim
    run --separate-stderr with_faults "$spec" "$dst" -- \
      cowcp --debug "$@" "$src" "$dst"
  else
    run --separate-stderr cowcp --debug "$@" "$src" "$dst"
  fi
}

# sparse_debug_line RUNG: the --debug line for a sparse source copied
# under --sparse=auto on RUNG.
sparse_debug_line ()
{
  case $1 in
    FICLONE)
      echo 'copy offload: unknown, reflink: yes, sparse detection: unknown, rung: FICLONE' ;;
    FICLONERANGE)
      echo 'copy offload: unknown, reflink: yes, sparse detection: SEEK_HOLE, rung: FICLONERANGE' ;;
    copy_file_range)
      echo 'copy offload: yes, reflink: unsupported, sparse detection: SEEK_HOLE, rung: copy_file_range' ;;
    sendfile)
      echo 'copy offload: unsupported, reflink: unsupported, sparse detection: SEEK_HOLE, rung: sendfile' ;;
    read/write)
      echo 'copy offload: unsupported, reflink: unsupported, sparse detection: SEEK_HOLE, rung: read/write' ;;
  esac
}

# holes_survive FSNAME RUNG: a sparse file copied on RUNG on FSNAME has
# the same bytes and the same holes.
holes_survive ()
{
  enter_fs "$1"
  make_holey s
  run_on_rung "$2" s d
  assert_success
  assert_equal "$stderr" ""
  assert_output "'s' -> 'd'
$(sparse_debug_line "$2")"
  cmp s d
  assert_same_holes s d
  sync d
  assert_sparse d
}

@test "holes survive the FICLONE rung on btrfs" {
  holes_survive btrfs FICLONE
}

@test "holes survive the FICLONE rung on xfs" {
  holes_survive xfs FICLONE
}

@test "holes survive the FICLONERANGE rung on btrfs" {
  holes_survive btrfs FICLONERANGE
}

@test "holes survive the FICLONERANGE rung on xfs" {
  holes_survive xfs FICLONERANGE
}

@test "holes survive the copy_file_range rung on btrfs" {
  holes_survive btrfs copy_file_range
}

@test "holes survive the copy_file_range rung on xfs" {
  holes_survive xfs copy_file_range
}

@test "holes survive the copy_file_range rung on ext4" {
  holes_survive ext4 copy_file_range
}

@test "holes survive the sendfile rung on btrfs" {
  holes_survive btrfs sendfile
}

@test "holes survive the sendfile rung on xfs" {
  holes_survive xfs sendfile
}

@test "holes survive the sendfile rung on ext4" {
  holes_survive ext4 sendfile
}

@test "holes survive the read/write rung on btrfs" {
  holes_survive btrfs read/write
}

@test "holes survive the read/write rung on xfs" {
  holes_survive xfs read/write
}

@test "holes survive the read/write rung on ext4" {
  holes_survive ext4 read/write
}

# make_zero_runs FILE REF: FILE is 64 KiB of data, 1 MiB of written
# zeros, 64 KiB of data, with no hole; REF has the same bytes with a hole
# where the zeros are.
make_zero_runs ()
{
  head -c 65536 /dev/urandom >head.bin
  head -c 65536 /dev/urandom >tail.bin
  cat head.bin <(head -c 1048576 /dev/zero) tail.bin >"$1"
  truncate -s $((65536 + 1048576 + 65536)) "$2"
  dd if=head.bin of="$2" conv=notrunc status=none
  dd if=tail.bin of="$2" bs=65536 seek=17 conv=notrunc status=none
  rm head.bin tail.bin
}

# zeros_become_holes FSNAME DEBUG_LINE [OPTION...]: --sparse=always
# [OPTION...] turns the zero run into a hole on FSNAME.
zeros_become_holes ()
{
  local fs=$1 line=$2
  shift 2
  enter_fs "$fs"
  make_zero_runs s ref
  sync s
  run assert_sparse s
  assert_failure
  run --separate-stderr cowcp --debug --sparse=always "$@" s d
  assert_success
  assert_equal "$stderr" ""
  cmp s d
  sync d
  assert_sparse d
  assert_same_holes ref d
  assert_output "'s' -> 'd'
$line"
}

@test "--sparse=always turns zero runs of a non-sparse file into holes on ext4" {
  zeros_become_holes ext4 \
    'copy offload: avoided, reflink: unsupported, sparse detection: zeros, rung: read/write'
}

@test "--sparse=always --cow=never turns zero runs into holes on btrfs" {
  zeros_become_holes btrfs \
    'copy offload: avoided, reflink: no, sparse detection: zeros, rung: read/write' \
    --cow=never
}

@test "--sparse=always --cow=never turns zero runs into holes on xfs" {
  zeros_become_holes xfs \
    'copy offload: avoided, reflink: no, sparse detection: zeros, rung: read/write' \
    --cow=never
}

@test "--sparse=always keeps the holes and bytes of a sparse file on ext4" {
  enter_fs ext4
  make_holey s
  run --separate-stderr cowcp --debug --sparse=always s d
  assert_success
  assert_equal "$stderr" ""
  cmp s d
  assert_same_holes s d
  assert_output "'s' -> 'd'
copy offload: avoided, reflink: unsupported, sparse detection: SEEK_HOLE + zeros, rung: read/write"
}

# holes_filled FSNAME: --sparse=never writes every hole out as zeros.
holes_filled ()
{
  enter_fs "$1"
  make_holey s
  run --separate-stderr cowcp --debug --sparse=never s d
  assert_success
  assert_equal "$stderr" ""
  assert_output "'s' -> 'd'
copy offload: avoided, reflink: no, sparse detection: no, rung: sendfile"
  cmp s d
  sync d
  run assert_sparse d
  assert_failure
  local blocks size
  # Every byte allocated; ext4 may add an extent-tree block on top.
  read -r blocks size < <(stat -c '%b %s' d)
  ((blocks * 512 >= size)) || fail "only $((blocks * 512)) of $size bytes allocated"
  refute_shares_extents s d
}

@test "--sparse=never fills the holes on btrfs" {
  holes_filled btrfs
}

@test "--sparse=never fills the holes on xfs" {
  holes_filled xfs
}

@test "--sparse=never fills the holes on ext4" {
  holes_filled ext4
}

@test "a /proc file that claims to be empty is copied by reading it to EOF" {
  cd "$BATS_TEST_TMPDIR"
  assert_equal "$(stat -c %s /proc/self/status)" 0
  run --separate-stderr cowcp /proc/self/status status
  assert_success
  assert_equal "$stderr" ""
  assert_output ""
  # The copy is cowcp's own status: the same fields as any process's,
  # and cowcp's name.
  assert_equal "$(cut -d: -f1 status)" "$(cut -d: -f1 /proc/self/status)"
  assert_equal "$(grep '^Name:' status)" "$(printf 'Name:\tcowcp')"
}

# trailing_hole_kept FSNAME RUNG...: a file whose data ends well before
# its size keeps size, bytes and holes on each RUNG.
trailing_hole_kept ()
{
  local fs=$1 rung
  shift
  enter_fs "$fs"
  truncate -s 8M s
  put_random s 1024 64
  for rung in "$@"; do
    rm -f d
    run_on_rung "$rung" s d
    assert_success
    assert_equal "$stderr" ""
    assert_line --index 1 "$(sparse_debug_line "$rung")"
    assert_equal "$(stat -c %s d)" $((8 * 1024 * 1024))
    cmp s d
    assert_same_holes s d
  done
}

@test "a sparse file ending in a hole keeps its size on every rung on btrfs" {
  trailing_hole_kept btrfs FICLONE FICLONERANGE copy_file_range sendfile \
    read/write
}

@test "a sparse file ending in a hole keeps its size on every rung on xfs" {
  trailing_hole_kept xfs FICLONE FICLONERANGE copy_file_range sendfile \
    read/write
}

@test "a sparse file ending in a hole keeps its size on every rung on ext4" {
  trailing_hole_kept ext4 copy_file_range sendfile read/write
}

@test "an invalid --sparse value gives GNU cp's argmatch message" {
  [[ -x /usr/bin/cp ]] || skip "/usr/bin/cp not installed"
  cd "$BATS_TEST_TMPDIR"
  local gnu gnu_status=0
  gnu=$(/usr/bin/cp --sparse=foo a b 2>&1 >/dev/null) || gnu_status=$?
  gnu=$(sed -e 's|^/usr/bin/cp: |cowcp: |' \
            -e "s|^Try '/usr/bin/cp --help'|Try 'cowcp --help'|" <<<"$gnu")
  run --separate-stderr cowcp --sparse=foo a b
  assert_equal "$gnu_status" 1
  assert_failure 1
  assert_output ""
  assert_equal "$stderr" "$gnu"
}

@test "a sparse file copied to a pipe or a device is written whole, holes as zeros" {
  cd "$BATS_TEST_TMPDIR"
  printf abc >s
  truncate -s 1M s
  printf xyz >>s
  mkfifo p
  cat p >from-pipe &
  run cowcp s p
  wait
  assert_success
  cmp s from-pipe
  run bash -c 'cowcp s /dev/stdout | cmp - s'
  assert_success
}
