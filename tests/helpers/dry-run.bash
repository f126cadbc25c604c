# SPDX-License-Identifier: GPL-3.0-or-later
# dry-run.bash -- the checks of --dry-run, shared by cowcp, cowmv and
# cowln: a dry run changes nothing, and what it says agrees with what the
# real run then does.
#
#   dry_case NAME AS STDIN "ROOT..." CMD ARGS...
#
# runs `CMD --dry-run -v ARGS` as AS (root or nobody) with STDIN (a line,
# or empty) in the working directory, and checks:
#  1. nothing changed under each ROOT (a mount point): dry_snapshot before
#     and after (inode numbers, types, modes, owners, sizes, link counts,
#     modification and change times, symlink targets, xattrs, and the
#     filesystem's free blocks and inodes) are the same;
#  2. the real `CMD ARGS`, run next the same way, exits with the same
#     status and prints the same diagnostics (as a set of lines: a real
#     run's workers may print them in another order);
#  3. each "would VERB" line agrees with what the real run did
#     (dry_verbs_agree).
# Needs common.bash loaded.

# dry_snapshot ROOT...: the state of each ROOT, as above, once what was
# written before is synced.  Access times are left out: reading a source
# may change them, as any reader would.
dry_snapshot ()
{
  local r
  for r in "$@"; do
    # What was written before is on disk, its space accounted for.
    sync -f -- "$r"
    find "$r" -printf '%i %y %m %U %G %s %n %T@ %C@ %p -> %l\n' | sort -k10
    getfattr -R -P -d -m - --absolute-names -- "$r" 2>/dev/null
    stat -f -c 'free blocks %f of %b, free inodes %d of %c' -- "$r"
  done
}

# dry_exec AS STDIN CMD ARGS...: run CMD as AS with STDIN.
dry_exec ()
{
  local as=$1 input=$2
  shift 2
  if [[ $as == root ]]; then
    "$@" <<<"$input"
  else
    setpriv --reuid="$as" --regid=nogroup --clear-groups "$@" <<<"$input"
  fi
}

# dry_sorted TEXT: TEXT's lines, sorted, with the program's path cut to
# its name.
dry_sorted ()
{
  sed 's|^[^:]*/\(cow[a-z]*\):|\1:|' <<<"$1" | sort
}

# dry_entry NAME: the listing line (dry_snapshot) of entry NAME, or
# "absent".
dry_entry ()
{
  if [[ -e $1 || -L $1 ]]; then
    find "$1" -maxdepth 0 -printf '%i %y %m %U %G %s %n %T@ %C@ %p -> %l\n'
  else
    echo absent
  fi
}

# dry_skipped OUTPUT: for each "would skip 'A'" line of OUTPUT, A's
# dry_entry line (taken between the dry run and the real one).
dry_skipped ()
{
  local line a
  while IFS= read -r line; do
    [[ $line == "would skip '"* ]] || continue
    a=${line#*\'}
    a=${a%%\'*}
    dry_entry "$a"
  done <<<"$1"
}

# dry_verbs_agree CASE BEFORE OUTPUT: each line of the dry run's OUTPUT
# ("would VERB 'A'" or "would VERB 'A' -> 'B'") agrees with what the
# real run made; BEFORE is dry_skipped's output for it.  File names in
# tests are plain: quoted with '...'.
dry_verbs_agree ()
{
  local case=$1 before=$2 out=$3 line verb a b size
  while IFS= read -r line; do
    [[ $line == would\ * ]] || continue
    verb=${line#would }
    verb=${verb%% \'*}
    a=${line#*\'}
    a=${a%%\'*}
    b=
    if [[ $line == *"' -> '"* ]]; then
      b=${line#*"' -> '"}
      b=${b%\'}
    fi
    case $verb in
      clone)
        [[ -f $b ]] || fail "$case: '$line' but no file $b"
        size=$(stat -c %s -- "$b")
        # Below a few blocks btrfs keeps data inline, never shared.
        if (( size >= 65536 )); then
          assert_shares_extents "$a" "$b" || fail "$case: '$line'"
        fi ;;
      copy)
        [[ -f $b ]] || fail "$case: '$line' but no file $b"
        size=$(stat -c %s -- "$b")
        if (( size >= 65536 )); then
          refute_shares_extents "$a" "$b" || fail "$case: '$line'"
        fi ;;
      link)
        [[ $a -ef $b ]] || fail "$case: '$line' but not one file" ;;
      symlink)
        [[ -L $b ]] || fail "$case: '$line' but $b is no symlink" ;;
      mknod)
        [[ -p $b || -S $b || -b $b || -c $b ]] \
          || fail "$case: '$line' but $b is no special file" ;;
      mkdir)
        [[ -d $a ]] || fail "$case: '$line' but no directory" ;;
      rename)
        [[ ! -e $a && ! -L $a ]] || fail "$case: '$line' but $a is there"
        [[ -e $b || -L $b ]] || fail "$case: '$line' but no $b" ;;
      skip)
        grep -qxF -- "$(dry_entry "$a")" <<<"$before" \
          || fail "$case: '$line' but $a changed" ;;
      backup)
        [[ -e $b || -L $b ]] || fail "$case: '$line' but no backup $b" ;;
      overwrite|remove)
        [[ -e $a || -L $a ]] || fail "$case: '$line' but $a is gone" ;;
      "remove source")
        [[ ! -e $a && ! -L $a ]] || fail "$case: '$line' but $a is there" ;;
      *)
        fail "$case: unknown verb in '$line'" ;;
    esac
  done <<<"$out"
}

# dry_case NAME AS STDIN ROOTS CMD ARGS...: see the top of this file.
dry_case ()
{
  local name=$1 as=$2 input=$3 roots=$4
  shift 4
  local cmd=$1
  shift
  local -a rootv
  read -ra rootv <<<"$roots"
  local snap0 snap1 before dry_status dry_out dry_err
  snap0=$(dry_snapshot "${rootv[@]}")
  run --separate-stderr dry_exec "$as" "$input" "$cmd" --dry-run -v "$@"
  dry_status=$status dry_out=$output dry_err=$stderr
  snap1=$(dry_snapshot "${rootv[@]}")
  if [[ $snap0 != "$snap1" ]]; then
    fail "$name ($as): the dry run changed something:
$(diff <(echo "$snap0") <(echo "$snap1"))"
  fi
  # The summary is always there, last, and counts the diagnostics.
  [[ $dry_out == *"dry run: entries "* ]] \
    || fail "$name ($as): no summary (exit $dry_status) in: $dry_out
$dry_err"
  before=$(dry_skipped "$dry_out")
  local ndiag
  # Prompts (-i) end in "? " and are no diagnostics.
  ndiag=$(grep "^[^ ]*$cmd: " <<<"$dry_err" | grep -vc '? *$' || :)
  [[ $dry_out == *", errors expected $ndiag"* ]] \
    || fail "$name ($as): summary does not count $ndiag diagnostics: $dry_out"
  run --separate-stderr dry_exec "$as" "$input" "$cmd" "$@"
  [[ $status == "$dry_status" ]] \
    || fail "$name ($as): dry run exit $dry_status, real run $status
dry: $dry_err
real: $stderr"
  [[ "$(dry_sorted "$dry_err")" == "$(dry_sorted "$stderr")" ]] \
    || fail "$name ($as): diagnostics differ
dry:  $dry_err
real: $stderr"
  dry_verbs_agree "$name ($as)" "$before" "$dry_out"
}
