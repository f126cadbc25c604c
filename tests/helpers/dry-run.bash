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

# shellcheck disable=SC2154  # status, output, stderr are set by run

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
  # shellcheck disable=SC2001  # a pattern per line
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

# dry_physical FILE: FILE's extents as "LOGICAL PHYSICAL LENGTH" lines
# (filefrag's blocks), on one line.
dry_physical ()
{
  PATH=$PATH:/usr/sbin:/sbin filefrag -s -v -- "$1" 2>/dev/null \
    | awk '$1 ~ /^[0-9]+:$/ {
             split ($0, f, ":"); printf "%s:%s:%s ", f[2], f[3], f[4] }'
}

# dry_skipped OUTPUT: what the real run's outcome is checked against,
# taken between the dry run and the real one: for each "would skip 'A'"
# line of OUTPUT, "A ENTRY" (its dry_entry line); for each "would clone
# 'A' -> 'B'" or "would copy" line, "A EXTENTS" (dry_physical) when A
# has 64 KiB or more (below that btrfs may keep data inline).
dry_skipped ()
{
  local line a b
  while IFS= read -r line; do
    case $line in
      "would skip '"*)
        a=${line#*\'}
        a=${a%%\'*}
        echo "$a $(dry_entry "$a")" ;;
      "would exchange '"*)
        a=${line#*\'}
        a=${a%%\'*}
        b=${line#*"' <-> '"}
        b=${b%\'}
        echo "$a <-> $b $(stat -c %i -- "$a") $(stat -c %i -- "$b")" ;;
      "would clone '"* | "would copy '"*)
        a=${line#*\'}
        a=${a%%\'*}
        if [[ -f $a ]] && (( $(stat -c %s -- "$a") >= 65536 )); then
          echo "$a $(dry_physical "$a")"
        fi ;;
    esac
  done <<<"$1"
}

# dry_verbs_agree CASE BEFORE OUTPUT: each line of the dry run's OUTPUT
# ("would VERB 'A'" or "would VERB 'A' -> 'B'") agrees with what the
# real run made; BEFORE is dry_skipped's output for it.  File names in
# tests are plain: quoted with '...'.
dry_verbs_agree ()
{
  local case=$1 before=$2 out=$3 line verb a b was
  # Destinations an earlier line made, by the source they were made from:
  # a later operand of the same name finds them there.
  local -A made=()
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
    elif [[ $line == *"' <-> '"* ]]; then
      b=${line#*"' <-> '"}
      b=${b%\'}
    fi
    case $verb in
      clone|copy)
        # B has A's extents (as they were: a move removes A) when, and
        # only when, they were cloned.
        [[ -f $b ]] || fail "$case: '$line' but no file $b"
        [[ -n ${made[$b]+set} ]] || made[$b]=$a
        was=$(grep -F -- "$a " <<<"$before" | head -1)
        was=${was#"$a "}
        if [[ -n $was ]]; then
          [[ -n $(dry_physical "$b") ]] \
            || fail "$case: '$line' but $b has no extents"
          if [[ $verb == clone && $(dry_physical "$b") != "$was" ]]; then
            fail "$case: '$line' but $b is not $a's extents:
$was
$(dry_physical "$b")"
          elif [[ $verb == copy && $(dry_physical "$b") == "$was" ]]; then
            fail "$case: '$line' but $b has $a's extents: $was"
          fi
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
        if [[ -n ${made[$a]+set} ]]; then
          # Made by an earlier operand, and kept.
          [[ ! -f ${made[$a]} ]] || cmp -s -- "${made[$a]}" "$a" \
            || fail "$case: '$line' but $a is not ${made[$a]}'s copy"
        else
          grep -qxF -- "$a $(dry_entry "$a")" <<<"$before" \
            || fail "$case: '$line' but $a changed"
        fi ;;
      exchange)
        # Each name now has the other's inode.
        was=$(grep -F -- "$a <-> $b " <<<"$before" | head -1)
        [[ $was == "$a <-> $b $(stat -c %i -- "$b") $(stat -c %i -- "$a")" ]] \
          || fail "$case: '$line' but not swapped: $was" ;;
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
  # A cowlink or a move across filesystems that fails is removed whole:
  # then only what was to be left alone can be checked.  So with a copy
  # into itself: which entries a real run copies before it meets the
  # copy in the source depends on the order the directory lists them
  # in (GNU cp's too, on XFS it varies from one fixture to the next),
  # and the dry run, which makes no copy, never meets it.
  if [[ $cmd != cowcp && $status != 0 ]] || [[ $stderr == *"into itself"* ]]
  then
    dry_out=$(grep "^would skip " <<<"$dry_out" || :)
  fi
  dry_verbs_agree "$name ($as)" "$before" "$dry_out"
}

# The matrix files' common part.  Each defines matrix ROOTS S D, its
# cases on a fresh fixture each; same_fs and two_fs run it on one
# filesystem or from one to another, as $AS.

# Loop filesystems are made per test (two at most at a time) and
# released after it.
teardown ()
{
  cd /
  cleanup_loop_fs
}

# mount_fs TYPE NAME: a loop filesystem of TYPE for this test, or skip.
mount_fs ()
{
  local size=64M
  [[ $1 == xfs ]] && size=300M
  [[ $1 == btrfs ]] && size=128M
  make_loop_fs "$1" "$size" "$2" || :
  require_fs "$2"
}

# fixture SRC DST: a source tree in SRC and destinations in DST, made
# anew (owned by nobody when AS is, for it to write): big (256 KiB),
# small, empty, sparse and NOCOW-less files, a tree with hard links, a
# symlink, a FIFO and a subdirectory; existing files old (older than
# big), newer (newer), ro (read-only) and a non-empty directory tree2.
fixture ()
{
  local s=$1 d=$2
  rm -rf -- "$s" "$d"
  mkdir -p -- "$s/tree/sub" "$d/tree2/sub"
  random_file "$s/big" 256K
  printf 'small\n' >"$s/small"
  : >"$s/empty"
  truncate -s 1M "$s/sparse"
  random_file "$s/part" 128K
  dd if="$s/part" of="$s/sparse" bs=64K seek=8 conv=notrunc status=none
  rm -f -- "$s/part"
  random_file "$s/tree/f1" 128K
  ln "$s/tree/f1" "$s/tree/f1-link"
  printf 'x\n' >"$s/tree/sub/f2"
  ln -s f1 "$s/tree/sym"
  mkfifo "$s/tree/fifo"
  ln -s big "$s/link"
  printf 'old\n' >"$d/old"
  touch -d '2000-01-01' "$d/old"
  printf 'newer\n' >"$d/newer"
  touch -d '2100-01-01' "$d/newer"
  printf 'ro\n' >"$d/ro"
  printf 'in tree2\n' >"$d/tree2/sub/f2"
  if [[ $AS != root ]]; then
    chown -R nobody:nogroup -- "$s" "$d"
  fi
  chmod 444 "$d/ro"
  touch -d '2050-01-01' "$s/big"
}

# same_fs TYPE: the matrix with source and destination on one TYPE.
same_fs ()
{
  require_root
  mount_fs "$1" one
  local m=$FS_PATH
  chmod 755 "$m"
  cd "$m" || return
  matrix "$m" s d
}

# two_fs TYPE1 TYPE2: the matrix from TYPE1 to TYPE2.
two_fs ()
{
  require_root
  mount_fs "$1" one
  local m1=$FS_PATH
  mount_fs "$2" two
  local m2=$FS_PATH
  chmod 755 "$m1" "$m2"
  # nobody may not search the directories above this file's temporary
  # one: reach the second mount from the first by a relative name.
  chmod o+x "$BATS_FILE_TMPDIR"
  cd "$m1" || return
  matrix "$m1 $m2" s "../$(basename -- "$m2")/d"
}

# as_nobody: run the matrix as nobody, or skip.
as_nobody ()
{
  have_cmd setpriv || skip "setpriv not installed"
  id nobody >/dev/null 2>&1 || skip "no user nobody"
  AS=nobody
}


# dry_cases ROOTS S D CASE...: run each CASE ("NAME|CMD ARGS" or
# "NAME|STDIN|CMD ARGS", words split at blanks) with dry_case on a fresh
# fixture S D.
dry_cases ()
{
  local roots=$1 s=$2 d=$3 c
  shift 3
  for c in "$@"; do
    local name=${c%%|*} rest=${c#*|} input=
    if [[ $rest == *'|'* ]]; then
      input=${rest%%|*}
      rest=${rest#*|}
    fi
    fixture "$s" "$d"
    # shellcheck disable=SC2086  # the case's words
    dry_case "$name" "$AS" "$input" "$roots" $rest
  done
}
