# SPDX-License-Identifier: GPL-3.0-or-later
# assert.bash -- file-level assertions for cowutils tests.
#
# Each assertion returns 0 on success and otherwise fails through
# bats-assert's `fail' with a message showing what was found, so it can be
# used bare in a @test or as `run assert_...; assert_failure' in a self-test.

# _extent_map FILE
# Print FILE's extents as "LOGICAL_START LENGTH FLAGS" lines (blocks as
# filefrag counts them, FLAGS comma-separated, "-" when none).  filefrag -s
# asks FIEMAP to sync the file first (FIEMAP_FLAG_SYNC), so delayed
# allocation on xfs and ext4 has become real extents.  Fails if FIEMAP is
# unsupported (tmpfs) or filefrag is missing.
_extent_map ()
{
  local file=$1 out
  out=$(PATH=$PATH:/usr/sbin:/sbin filefrag -s -v -- "$file" 2>&1) \
    || { printf '%s\n' "$out" >&2; return 1; }
  # Lines look like
  #  "   0:        0..      73:         24..        97:     74:      last,shared,eof"
  # with an optional "expected:" column; the flags, if any, are the last
  # field, made of lower-case words and commas only.
  awk '
    $1 ~ /^[0-9]+:$/ {
      split ($0, f, ":");
      split (f[2], lg, "\\.\\.");
      len = f[4]; gsub (/ /, "", len);
      flags = $NF;
      if (flags !~ /^[a-z_]+(,[a-z_]+)*$/)
        flags = "-";
      printf "%d %d %s\n", lg[1], len, flags;
    }' <<<"$out"
}

# assert_shares_extents A B
# Pass if B has at least one extent and every extent of B carries FIEMAP's
# shared flag, i.e. B's data are reflinked (to A or anything else: FIEMAP
# does not say with whom).  A is only shown in the failure message.
# Needs a filesystem with FIEMAP; a tmpfs file fails with the reason.
# Files below one block may be stored inline on btrfs and never share.
assert_shares_extents ()
{
  local a=${1:?assert_shares_extents A B} b=${2:?assert_shares_extents A B}
  local map_a map_b
  if ! map_b=$(_extent_map "$b" 2>&1); then
    fail "$(batslib_print_kv_single_or_multi 8 \
      reason "cannot map extents of $b" output "$map_b")"
    return 1
  fi
  map_a=$(_extent_map "$a" 2>&1)
  if [[ -z $map_b ]] || grep -qv '[ ,]shared\(,\|$\)' <<<"$map_b"; then
    batslib_print_kv_single_or_multi 8 \
      reason "not every extent of B is shared" \
      "A ($a)" "${map_a:-(no extents)}" \
      "B ($b)" "${map_b:-(no extents)}" \
      | batslib_decorate 'extents not shared' \
      | fail
    return 1
  fi
}

# refute_shares_extents A B
# Pass if no extent of B carries the shared flag (B may have no extents).
refute_shares_extents ()
{
  local a=${1:?refute_shares_extents A B} b=${2:?refute_shares_extents A B}
  local map_a map_b
  if ! map_b=$(_extent_map "$b" 2>&1); then
    fail "$(batslib_print_kv_single_or_multi 8 \
      reason "cannot map extents of $b" output "$map_b")"
    return 1
  fi
  if grep -q '[ ,]shared\(,\|$\)' <<<"$map_b"; then
    map_a=$(_extent_map "$a" 2>&1)
    batslib_print_kv_single_or_multi 8 \
      reason "B has shared extents" \
      "A ($a)" "${map_a:-(no extents)}" \
      "B ($b)" "$map_b" \
      | batslib_decorate 'extents shared' \
      | fail
    return 1
  fi
}

# assert_sparse FILE
# Pass if FILE occupies fewer bytes on disk than its size (st_blocks * 512 <
# st_size).  On xfs, speculative preallocation can hide a hole until the
# file is closed and synced: call `sync FILE' first if in doubt.
assert_sparse ()
{
  local file=${1:?assert_sparse FILE} blocks size
  read -r blocks size < <(stat -c '%b %s' -- "$file") \
    || { fail "assert_sparse: cannot stat $file"; return 1; }
  if ((blocks * 512 >= size)); then
    batslib_print_kv_single 9 file "$file" size "$size" \
      allocated "$((blocks * 512))" \
      | batslib_decorate 'file is not sparse' \
      | fail
    return 1
  fi
}

# _hole_map FILE
# Print FILE's size, then its data ranges "data START END" as found by
# SEEK_DATA/SEEK_HOLE, one per line.  perl's sysseek passes SEEK_DATA (3)
# and SEEK_HOLE (4) to lseek unchanged; a filesystem without them reports
# the whole file as one data range, as the kernel's generic code does.
_hole_map ()
{
  perl -e '
    use Fcntl qw(SEEK_END);
    use Errno qw(ENXIO);
    my ($SEEK_DATA, $SEEK_HOLE) = (3, 4);
    open (my $fh, "<", $ARGV[0]) or die "$ARGV[0]: $!\n";
    my $size = sysseek ($fh, 0, SEEK_END);
    print "size ", $size + 0, "\n";
    my $pos = 0;
    while ($pos < $size) {
      my $d = sysseek ($fh, $pos, $SEEK_DATA);
      if (!defined $d) { last if $! == ENXIO; die "SEEK_DATA: $!\n"; }
      my $h = sysseek ($fh, $d, $SEEK_HOLE);
      defined $h or die "SEEK_HOLE: $!\n";
      print "data ", $d + 0, " ", $h + 0, "\n";
      $pos = $h;
    }' -- "$1"
}

# assert_same_holes A B
# Pass if A and B have the same size and the same SEEK_DATA/SEEK_HOLE map
# (byte offsets).  Maps depend on block size: compare files on filesystems
# with the same block size.  Dirty pages count as data on every filesystem,
# so no sync is needed.
assert_same_holes ()
{
  local a=${1:?assert_same_holes A B} b=${2:?assert_same_holes A B}
  local map_a map_b
  map_a=$(_hole_map "$a" 2>&1) || { fail "$map_a"; return 1; }
  map_b=$(_hole_map "$b" 2>&1) || { fail "$map_b"; return 1; }
  if [[ $map_a != "$map_b" ]]; then
    batslib_print_kv_single_or_multi 8 \
      "A ($a)" "$map_a" "B ($b)" "$map_b" \
      diff "$(diff <(printf '%s\n' "$map_a") <(printf '%s\n' "$map_b"))" \
      | batslib_decorate 'hole maps differ' \
      | fail
    return 1
  fi
}

# assert_hardlinked A B
# Pass if A and B are the same inode on the same device.
assert_hardlinked ()
{
  local a=${1:?assert_hardlinked A B} b=${2:?assert_hardlinked A B}
  local id_a id_b
  id_a=$(stat -c '%d:%i links=%h' -- "$a" 2>&1)
  id_b=$(stat -c '%d:%i links=%h' -- "$b" 2>&1)
  if [[ ${id_a%% *} != "${id_b%% *}" || -z $id_a ]]; then
    batslib_print_kv_single 6 "A ($a)" "$id_a" "B ($b)" "$id_b" \
      | batslib_decorate 'not hard links to one inode' \
      | fail
    return 1
  fi
}

# assert_mode MODE FILE
# Pass if FILE's permission bits, in octal without leading zeros beyond
# what stat prints (e.g. 644, 755, 4755, 1777), equal MODE.  Does not
# follow a symlink FILE.
assert_mode ()
{
  local want=${1:?assert_mode MODE FILE} file=${2:?assert_mode MODE FILE}
  local got
  got=$(stat -c '%a' -- "$file" 2>&1) \
    || { fail "assert_mode: $got"; return 1; }
  # Compare numerically so that 0644 and 644 agree.
  if [[ ! $want =~ ^[0-7]+$ ]] || ((8#$want != 8#$got)); then
    batslib_print_kv_single 8 file "$file" expected "$want" actual "$got" \
      | batslib_decorate 'mode differs' \
      | fail
    return 1
  fi
}
