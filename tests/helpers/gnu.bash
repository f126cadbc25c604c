# SPDX-License-Identifier: GPL-3.0-or-later
# gnu.bash -- run GNU cp (or ln, ...) and cowcp (cowln, ...) on twin
# fixtures and compare everything.
#
# Load it after common.bash:
#
#   load ../helpers/common
#   load ../helpers/gnu
#
#   fixture () { echo a >a; mkdir d; }     # runs in each twin, as its cwd
#   @test "cp copies a file into a directory" { run_both a d; }
#
# run_both ARGS... builds two directories, $GNU_TWIN and $OURS_TWIN, calls
# the fixture function in each (cwd = the twin), then runs `cp ARGS' in
# each: GNU cp ($GNU_CP, default /usr/bin/cp) in one and cowcp in the
# other.  Both are reached through a symlink named `cp' in a PATH
# directory, so both print `cp:' and `Try 'cp --help''; that cowcp names
# itself by argv[0] is tested on the way.  It then compares, exactly:
#   - the exit status, stdout and stderr;
#   - the trees of the twins: every entry's name, type, permission bits,
#     owner, link count and hard-link structure (which names share an
#     inode), symlink target, the size, sparseness and SEEK_DATA/SEEK_HOLE
#     map of regular files, and their contents (cmp).
# Timestamps are not compared (cp without -p does not keep them).
# On a mismatch it fails with a unified diff of each differing part.
#
# Other programs: run_both_prog PROG ARGS... does the same for GNU PROG
# ($GNU_<PROG>, default /usr/bin/PROG; $GNU_CP for cp) against cowutils'
# cowPROG, both reached through a symlink named PROG:
#
#   @test "ln makes a hard link" { run_both_prog ln a new; }
#
# run_both ARGS... is run_both_prog cp ARGS..., or run_both_prog $BOTH_PROG
# ARGS... when the knob BOTH_PROG is set (`BOTH_PROG=ln run_both a b').
#
# Knobs, set as prefix assignments (`BOTH_STDIN=$'n\n' run_both -i a b'):
#   BOTH_FIXTURE  the fixture function's name (default: fixture)
#   BOTH_PROG     the program run_both compares (default: cp)
#   BOTH_STDIN    text fed to both commands' stdin (default: /dev/null)
#   BOTH_STDERR_ORDER=any  compare stderr as a set of lines: for messages
#                 from cowcp's workers, whose order is not fixed
#   Any other prefix assignment (POSIXLY_CORRECT=1 run_both ...) reaches
#   both commands through the environment.
#
# Where GNU coreutils 9.11 (the reference) differs from the machine's GNU
# cp (9.1 on Debian 12), state 9.11's result before run_both:
#
#   gnu911 status 1                          # 9.2+: declined -i fails
#   gnu911 stderr "cp: cannot overwrite ..." # whole stderr, newline added
#   gnu911 stdout "..."
#   gnu911 tree 'rm new'                     # 9.2+: no empty dest left
#
# The stated value then replaces GNU cp's for that part only; everything
# else is still compared with GNU cp.  `tree CMD' is different: CMD runs
# (eval, cwd = the GNU twin) after GNU cp, to turn its tree into the one
# 9.11 leaves; say in a comment what 9.11 does differently.  The declarations are used by the next
# run_both (or run_both_prog) and then forgotten.  If the GNU program is
# itself 9.11 or later, its own result must equal the stated value too.
#
# After run_both: $status, $output (stdout) and $stderr hold cowcp's (or
# cowPROG's) result; $GNU_TWIN and $OURS_TWIN are the twins, for extra assertions.
# Immutable attributes (chattr +i) in the twins are cleared at the end, so
# that bats can remove them.

GNU_CP=${GNU_CP:-/usr/bin/cp}

declare -gA _GNU911=()

# gnu911 status|stdout|stderr|tree VALUE
# Declare GNU 9.11's result for one part of the next run_both.  stdout and
# stderr are whole texts; a final newline is added unless VALUE is empty
# or is given with -n (`gnu911 -n stderr "cp: overwrite 'b'? "').
gnu911 ()
{
  local nl=$'\n'
  if [[ $1 == -n ]]; then
    nl=
    shift
  fi
  local part=${1:?gnu911 status|stdout|stderr VALUE} value=${2?gnu911: VALUE}
  case $part in
    status | tree) _GNU911[$part]=$value ;;
    stdout | stderr) _GNU911[$part]=$value${value:+$nl} ;;
    *)
      fail "gnu911: unknown part '$part' (status, stdout, stderr or tree)"
      return 1
      ;;
  esac
}

# _gnu_bin [PROG]: print the path of GNU PROG (default cp): $GNU_CP for
# cp, else $GNU_<PROG> (upper case) if set, else /usr/bin/PROG.
_gnu_bin ()
{
  local prog=${1:-cp} var
  if [[ $prog == cp ]]; then
    printf '%s\n' "$GNU_CP"
    return 0
  fi
  var=GNU_${prog^^}
  var=${var//[^A-Z0-9_]/_}
  printf '%s\n' "${!var:-/usr/bin/$prog}"
}

# _gnu_version [PROG]: print the version of GNU PROG (default cp), e.g.
# 9.1, once per process.
declare -gA _GNU_VERSION=()
_gnu_version ()
{
  local prog=${1:-cp} v
  if [[ -z ${_GNU_VERSION[$prog]} ]]; then
    v=$("$(_gnu_bin "$prog")" --version 2>/dev/null \
      | sed -n '1s/.* \([0-9][0-9.]*\)$/\1/p')
    _GNU_VERSION[$prog]=${v:-unknown}
  fi
  printf '%s\n' "${_GNU_VERSION[$prog]}"
}

# _gnu_is_911 [PROG]: true if GNU PROG (default cp) is 9.11 or newer.
_gnu_is_911 ()
{
  local v major minor
  v=$(_gnu_version "${1:-cp}")
  [[ $v =~ ^([0-9]+)\.([0-9]+) ]] || return 1
  major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]}
  ((major > 9 || (major == 9 && minor >= 11)))
}

# _tree_listing DIR
# Print one line per entry under DIR (DIR itself is "."), sorted by name:
#   NAME TYPE MODE UID:GID nlink=N [=FIRST] [size=S sparse=Y|N holes=MAP]
#   [-> TARGET]
# Names and targets have bytes outside printable ASCII, and backslashes,
# escaped as \xHH.  =FIRST names the first entry (in sorted order) with the
# same inode, so the hard-link structure is compared, not inode numbers.
# MAP is the SEEK_DATA/SEEK_HOLE data ranges, "START-END,...".
_tree_listing ()
{
  perl -e '
    use strict;
    use warnings;
    use Fcntl qw(:mode SEEK_END);
    use Errno qw(ENXIO);
    my ($SEEK_DATA, $SEEK_HOLE) = (3, 4);
    my $root = shift;
    chdir $root or die "chdir $root: $!\n";
    sub esc { my $s = shift; $s =~ s/([^\x21-\x5b\x5d-\x7e])/sprintf "\\x%02x", ord $1/ge; $s }
    my @names;
    sub walk {
      my $dir = shift;
      opendir my $dh, $dir or die "opendir $dir: $!\n";
      my @e = sort grep { $_ ne "." && $_ ne ".." } readdir $dh;
      closedir $dh;
      for my $e (@e) {
        my $p = $dir eq "." ? $e : "$dir/$e";
        push @names, $p;
        walk ($p) if -d $p && !-l $p;
      }
    }
    push @names, ".";
    walk (".");
    my %first;
    for my $p (@names) {
      my @st = lstat $p or die "lstat $p: $!\n";
      my ($dev, $ino, $mode, $nlink, $uid, $gid, $size, $blocks)
        = @st[0, 1, 2, 3, 4, 5, 7, 12];
      my $t = S_ISREG ($mode) ? "f" : S_ISDIR ($mode) ? "d"
            : S_ISLNK ($mode) ? "l" : S_ISFIFO ($mode) ? "p"
            : S_ISSOCK ($mode) ? "s" : S_ISCHR ($mode) ? "c"
            : S_ISBLK ($mode) ? "b" : "?";
      my $line = sprintf "%s %s %04o %d:%d nlink=%d", esc ($p), $t,
        S_IMODE ($mode), $uid, $gid, $nlink;
      if ($t ne "d" && $nlink > 1) {
        my $k = "$dev:$ino";
        $first{$k} //= $p;
        $line .= " =" . esc ($first{$k});
      }
      if ($t eq "f") {
        my $sparse = $blocks * 512 < $size ? "Y" : "N";
        my @map;
        if (open my $fh, "<", $p) {
          my $pos = 0;
          while ($pos < $size) {
            my $d = sysseek ($fh, $pos, $SEEK_DATA);
            if (!defined $d) { push @map, "ERR:$!" unless $! == ENXIO; last }
            my $h = sysseek ($fh, $d, $SEEK_HOLE);
            if (!defined $h) { push @map, "ERR:$!"; last }
            push @map, ($d + 0) . "-" . ($h + 0);
            $pos = $h;
          }
        } else {
          push @map, "unreadable:$!";
        }
        $line .= " size=$size sparse=$sparse holes=" . (join (",", @map) || "none");
      } elsif ($t eq "l") {
        $line .= " -> " . esc (readlink $p);
      }
      print "$line\n";
    }' -- "$1"
}

# _regular_files DIR: NUL-separated names of the regular files under DIR.
_regular_files ()
{
  (cd -- "$1" && find . -type f -print0 | sort -z)
}

# _run_twin KIND: run $_both_prog in twin KIND (gnu or ours) with
# "${_both_args[@]}",
# leaving status, stdout and stderr in $BATS_TEST_TMPDIR/KIND.{rc,out,err}.
_run_twin ()
{
  local kind=$1 dir=$BATS_TEST_TMPDIR/$1 bin=$BATS_TEST_TMPDIR/bin-$1
  local rc=0 in=/dev/null
  if [[ -n ${BOTH_STDIN+set} ]]; then
    in=$BATS_TEST_TMPDIR/stdin
    printf '%s' "$BOTH_STDIN" >"$in"
  fi
  # timeout runs the program through PATH, so argv[0] stays "cp" (or
  # "ln"); it only guards against a command that blocks (a FIFO, a prompt
  # without input).
  (cd -- "$dir" \
    && PATH=$bin:$PATH exec timeout -k 2 10 "$_both_prog" "${_both_args[@]}") \
    <"$in" \
    >"$BATS_TEST_TMPDIR/$kind.out" 2>"$BATS_TEST_TMPDIR/$kind.err" \
    || rc=$?
  printf '%s\n' "$rc" >"$BATS_TEST_TMPDIR/$kind.rc"
}

# _both_diff LABEL_A FILE_A LABEL_B FILE_B: a unified diff, or nothing.
# Always succeeds (bats runs tests under set -e).
_both_diff ()
{
  diff -u --label "$1" "$2" --label "$3" "$4" || true
}

# run_both ARGS...: see the top of this file.
run_both ()
{
  run_both_prog "${BOTH_PROG:-cp}" "$@"
}

# run_both_prog PROG ARGS...: see the top of this file.
run_both_prog ()
{
  local prog=${1:?run_both_prog PROG ARGS...}
  shift
  local fixture_fn=${BOTH_FIXTURE:-fixture}
  local tmp=$BATS_TEST_TMPDIR kind
  local ours_bin=$COWUTILS_BUILD/src/cow$prog
  local gnu_bin ours_name=cow$prog gnu_version
  gnu_bin=$(_gnu_bin "$prog")
  gnu_version=$(_gnu_version "$prog")
  _both_prog=$prog
  local -A want=()
  local k
  for k in "${!_GNU911[@]}"; do want[$k]=${_GNU911[$k]}; done
  _GNU911=()

  if [[ ! -x $gnu_bin ]]; then
    local var=GNU_${prog^^}
    fail "run_both: GNU $prog not found at $gnu_bin (set ${var//[^A-Z0-9_]/_})"
    return 1
  fi
  if [[ ! -x $ours_bin ]]; then
    fail "run_both: $ours_bin not built (make -C $COWUTILS_BUILD)"
    return 1
  fi
  if ! declare -F -- "$fixture_fn" >/dev/null; then
    fail "run_both: no fixture function '$fixture_fn' (define it in the test file)"
    return 1
  fi

  GNU_TWIN=$tmp/gnu OURS_TWIN=$tmp/ours
  for kind in gnu ours; do
    rm -rf -- "${tmp:?}/$kind" "$tmp/bin-$kind"
    mkdir -p -- "$tmp/$kind" "$tmp/bin-$kind"
  done
  command ln -s -- "$gnu_bin" "$tmp/bin-gnu/$prog"
  command ln -s -- "$ours_bin" "$tmp/bin-ours/$prog"
  for kind in gnu ours; do
    (cd -- "$tmp/$kind" && "$fixture_fn") \
      || { fail "run_both: fixture '$fixture_fn' failed in the $kind twin"; return 1; }
  done

  _both_args=("$@")
  _run_twin gnu
  _run_twin ours

  local report= d gnu_label="GNU $prog $gnu_version" name
  local gnu_rc ours_rc
  gnu_rc=$(<"$tmp/gnu.rc") ours_rc=$(<"$tmp/ours.rc")

  # What cowPROG must match: GNU's result, or the stated 9.11 one.
  local want_rc=$gnu_rc want_label=$gnu_label part
  for part in out err; do
    cat -- "$tmp/gnu.$part" >"$tmp/want.$part"
  done
  if [[ -n ${want[status]+set} ]]; then
    want_rc=${want[status]} want_label="GNU 9.11 (stated)"
    report+="status: GNU $prog $gnu_version exits $gnu_rc; 9.11 exits $want_rc (stated)"$'\n'
  fi
  for part in stdout stderr; do
    [[ -n ${want[$part]+set} ]] || continue
    printf '%s' "${want[$part]}" >"$tmp/want.${part#std}"
  done

  if [[ ${BOTH_STDERR_ORDER:-} == any ]]; then
    sort -o "$tmp/want.err" -- "$tmp/want.err"
    sort -o "$tmp/ours.err" -- "$tmp/ours.err"
  fi

  local failed=
  local cmdline
  cmdline=$(printf ' %q' "$prog" "$@")
  if [[ $want_rc != "$ours_rc" ]]; then
    failed=1
    report+="exit status differs: ${want_label} $want_rc, $ours_name $ours_rc"$'\n'
  fi
  for part in out err; do
    local wl=$gnu_label
    if [[ -n ${want[std$part]+set} ]]; then wl="GNU 9.11 (stated)"; fi
    if ! cmp -s -- "$tmp/want.$part" "$tmp/ours.$part"; then
      failed=1
      d=$(_both_diff "$wl std$part" "$tmp/want.$part" \
        "$ours_name std$part" "$tmp/ours.$part")
      report+="std$part differs:"$'\n'"$d"$'\n'
    fi
  done

  # A 9.11 GNU PROG must agree with what the test states about 9.11.
  if _gnu_is_911 "$prog"; then
    [[ -z ${want[status]+set} || ${want[status]} == "$gnu_rc" ]] || {
      failed=1
      report+="$gnu_label exits $gnu_rc, not the stated ${want[status]}"$'\n'
    }
    for part in out err; do
      if [[ -n ${want[std$part]+set} ]] \
        && ! cmp -s -- "$tmp/want.$part" "$tmp/gnu.$part"; then
        failed=1
        report+="$gnu_label std$part is not the stated one:"$'\n'
        report+="$(_both_diff stated "$tmp/want.$part" "$gnu_label" "$tmp/gnu.$part")"$'\n'
      fi
    done
  fi

  # The trees.  A 9.11 GNU PROG leaves the 9.11 tree by itself.
  if [[ -n ${want[tree]+set} ]] && ! _gnu_is_911 "$prog"; then
    report+="GNU tree adjusted to 9.11's with: ${want[tree]}"$'\n'
    gnu_label+=" + stated 9.11 tree change"
    (cd -- "$tmp/gnu" && eval "${want[tree]}") \
      || { failed=1; report+="the tree adjustment failed"$'\n'; }
  fi
  local gnu_tree ours_tree
  gnu_tree=$(_tree_listing "$tmp/gnu" 2>&1) || failed=1
  ours_tree=$(_tree_listing "$tmp/ours" 2>&1) || failed=1
  if [[ $gnu_tree != "$ours_tree" ]]; then
    failed=1
    d=$(_both_diff "$gnu_label tree" <(printf '%s\n' "$gnu_tree") \
      "$ours_name tree" <(printf '%s\n' "$ours_tree"))
    report+="trees differ:"$'\n'"$d"$'\n'
  else
    while IFS= read -r -d '' name; do
      if [[ -f $tmp/ours/$name ]] \
        && ! d=$(cmp -- "$tmp/gnu/$name" "$tmp/ours/$name" 2>&1); then
        failed=1
        report+="contents differ: $d"$'\n'
      fi
    done < <(_regular_files "$tmp/gnu")
  fi

  # Let bats remove the twins whatever happened.
  if have_cmd chattr; then
    chattr -R -i -- "$tmp/gnu" "$tmp/ours" 2>/dev/null || true
  fi

  status=$ours_rc
  output=$(<"$tmp/ours.out")
  stderr=$(<"$tmp/ours.err")

  if [[ -n $failed ]]; then
    {
      printf 'command:%s\n' "$cmdline"
      if [[ -n ${BOTH_STDIN+set} ]]; then printf 'stdin: %q\n' "$BOTH_STDIN"; fi
      printf '%s' "$report"
      printf -- '-- %s: exit %s, stdout:\n%s\n-- stderr:\n%s\n' \
        "$gnu_label" "$gnu_rc" "$(<"$tmp/gnu.out")" "$(<"$tmp/gnu.err")"
      printf -- '-- %s: exit %s, stdout:\n%s\n-- stderr:\n%s\n' \
        "$ours_name" "$ours_rc" "$output" "$stderr"
      printf -- '-- %s tree:\n%s\n' "$gnu_label" "$gnu_tree"
    } | batslib_decorate "$ours_name differs from GNU $prog" | fail
    return 1
  fi
}
