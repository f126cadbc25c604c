#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# hostile/names.bats -- names with newlines, tabs, escapes, leading dashes,
# backslashes, invalid UTF-8, 255-byte components and names differing only
# in case, copied, moved and linked: exit status, messages (GNU's
# shell-escape quoting) and resulting trees compared with GNU cp, mv and
# ln.  A 256-byte component fails as GNU fails.

load ../helpers/common
load ../helpers/gnu

bats_require_minimum_version 1.5.0

setup_file ()
{
  make_loop_fs btrfs 256M hostile-na || true
  make_loop_fs ext4 64M hostile-nb || true
}

teardown_file ()
{
  cleanup_loop_fs
}

# long_name N [CHAR]: N bytes of CHAR (default x).
long_name ()
{
  local s
  printf -v s '%*s' "$1" ''
  printf '%s' "${s// /${2:-x}}"
}

# The odd names, as an array.  255 bytes is NAME_MAX on every Linux
# filesystem used here; the UTF-8 one is 127 two-byte characters and an x.
# shellcheck disable=SC2016  # $HOME is a name here, not an expansion
ODD=(
  $'new\nline' $'tab\there' $'esc\e[31mape' $'bell\a' -dash --double -
  'back\slash' $'\xff\xfe-latin1' $'trunc\xc3' 'Case' 'case' 'CASE'
  'sp ace' "it's" '"dq"' '$HOME' '*?[a]' '~tilde' $'\x7f-del'
  "$(long_name 255)" "$(long_name 127 é)x"
)

# odd_tree: src/ holding a file for each odd name, a directory named with
# a newline holding them again, a symlink and a hard link with odd names,
# and a 255-byte directory holding a 255-byte file.
odd_tree ()
{
  local n d=$'dir\nwith\tcontrols'
  mkdir src "src/$d"
  for n in "${ODD[@]}"; do
    printf '%s\n' "$n" >"src/$n"
    printf 'in dir %s\n' "$n" >"src/$d/$n"
  done
  ln -s -- $'new\nline' "src/$d/"$'link\nto'
  ln -s -- $'\xff\xfe-latin1' "src/"$'\xfflink'
  ln -- "src/-dash" "src/"$'hard\nlink'
  mkdir "src/$(long_name 255 d)"
  echo deep >"src/$(long_name 255 d)/$(long_name 255 f)"
  chmod 640 "src/-dash"
}

fixture ()
{
  odd_tree
}

@test "cp -a of a tree of odd names: same tree, status and output as GNU" {
  run_both -a src dst
  assert_success
}

@test "cp -Rv prints odd names in GNU's shell-escape quoting" {
  twins_both --sort cp -Rv src dst
  assert_success
  # The test means something only if the names needed quoting.
  assert_output --partial "'src/new'\$'\\n''line' -> 'dst/new'\$'\\n''line'"
}

# top_fixture: odd_tree, the odd names again in the working directory,
# and an empty directory out.
top_fixture ()
{
  local n
  odd_tree
  for n in "${ODD[@]}"; do
    printf 'top %s\n' "$n" >"./$n"
  done
  mkdir out
}

@test "cp -av of odd names given on the command line after --" {
  BOTH_FIXTURE=top_fixture run_both -av -- -dash --double - $'new\nline' \
    $'\xff\xfe-latin1' "$(long_name 255)" -missing $'\e[0m' out
  # The two missing ones fail as in GNU, the rest are copied.
  assert_failure
  assert_equal "$(cat "$OURS_TWIN/out/-")" "top -"
  assert_output --partial "'-dash' -> 'out/-dash'"
}

@test "cp of a directory with a newline in its name without -r: GNU's omitting message" {
  run_both src/$'dir\nwith\tcontrols' $'x\ny'
  assert_failure
  assert_equal "$stderr" "cp: -r not specified; omitting directory 'src/dir'\$'\\n''with'\$'\\t''controls'"
}

@test "cp of missing odd names: cannot stat, quoted as GNU" {
  run_both -- $'no\nsuch' $'\xff\xfe' $'-\e' src
  assert_failure
}

@test "cp onto a 256-byte name fails with GNU's File name too long" {
  run_both -- src/-dash "$(long_name 256)"
  assert_failure
  run_both -R -- src "$(long_name 256 d)"
  assert_failure
  run_both -- src/-dash "src/$(long_name 255 d)/$(long_name 256)"
  assert_failure
  assert_output ""
  # GNU looks at the destination first, and that fails.
  assert_equal "$stderr" "cp: cannot stat 'src/$(long_name 255 d)/$(long_name 256)': $(strerror ENAMETOOLONG)"
}

@test "errors that name odd names: into itself, non-directory, existing names, as GNU" {
  local d=src/$'dir\nwith\tcontrols'
  run_both -r -- "$d" "$d/"$'in\x7f'
  assert_failure
  run_both -r -- "$d" "src/-dash"
  assert_failure
  # Onto existing files: replaced, as GNU does.
  run_both -R -- src/$'\xfflink' "src/$(long_name 255)" "$d"
  assert_success
  run_both -- "src/$(long_name 255)" "src/$(long_name 255 d)/$(long_name 255 f)/x"
  assert_failure
  run_both -n -- src/$'tab\there' "$d/"$'tab\there'
  run_both_prog mv -- "$d" "$d/"$'sub\ndir'
  assert_failure
  run_both_prog ln -- src/$'\xff\xfe-latin1' "src/$(long_name 255)"
  assert_failure
  run_both_prog ln -s -- $'new\nline' "$d/"$'link\nto'
  assert_failure
}

@test "mv -v of odd names within one filesystem: as GNU" {
  run_both_prog mv -v -- src/$'new\nline' src/$'\xff\xfe-latin1' src/-dash \
    "src/$(long_name 255)" src/$'dir\nwith\tcontrols' src/'back\slash' .
  assert_success
  run_both_prog mv -v src dst
  assert_success
}

@test "mv onto a 256-byte name fails with GNU's message" {
  # cowmv says "cannot move 'A' to 'B': File name too long"; GNU (9.1, and
  # 9.11's copy_internal, which stats the destination after the failed
  # rename) says "cannot stat 'B': File name too long".
  run_both_prog mv -- src/-dash "$(long_name 256)"
  assert_failure
  run_both_prog mv -- src "$(long_name 256 d)"
  assert_failure
}

@test "ln -s, ln and ln -sv of odd names: as GNU" {
  run_both_prog ln -sv -- $'new\nline' $'\xff\xfe-latin1' -dash "$(long_name 255)" src
  assert_failure   # they exist in src already
  run_both_prog ln -sv -- "src/"$'new\nline' "src/-dash" "src/$(long_name 255)" .
  assert_success
  run_both_prog ln -v -- "src/"$'tab\there' "src/"$'\xff\xfe-latin1' "src/CASE" .
  assert_success
  run_both_prog ln -s -- $'new\nline' "$(long_name 256)"
  assert_failure
  run_both_prog ln -- "src/-dash" "$(long_name 256)"
  assert_failure
}

@test "names that differ only in case stay apart in the copy" {
  run_both -a src dst
  assert_equal "$(cat "$OURS_TWIN/dst/Case")" Case
  assert_equal "$(cat "$OURS_TWIN/dst/case")" case
  assert_equal "$(cat "$OURS_TWIN/dst/CASE")" CASE
}

# twins_both [--far] [--sort] PROG ARGS...
# Like run_both_prog for PROG, with odd_tree as the fixture, in twin
# directories of this test, or with --far on the loop filesystem
# hostile-na, each twin then holding a symlink `far' to a directory of its
# own on hostile-nb (ARGS name `far/...' to reach the other filesystem).
# Compares exit status, stdout, stderr and the trees (both filesystems',
# but `far' itself).  --sort compares stdout as a set of lines: cp and mv
# visit a directory's entries in inode order, and the twins' inode numbers
# need not be in the same order.  Sets status, output and stderr to
# cowPROG's.
twins_both ()
{
  local far='' sort='' kind rc a b bin
  while :; do
    case $1 in
      --far) far=1; shift ;;
      --sort) sort=1; shift ;;
      *) break ;;
    esac
  done
  local prog=$1
  shift
  if [[ -n $far ]]; then
    require_fs hostile-na
    a=$FS_PATH
    require_fs hostile-nb
    b=$FS_PATH
  else
    a=$BATS_TEST_TMPDIR/twins
    b=
    mkdir -p "$a"
  fi
  for kind in gnu ours; do
    rm -rf -- "${a:?}/$kind"
    mkdir "$a/$kind"
    if [[ -n $far ]]; then
      rm -rf -- "${b:?}/$kind"
      mkdir "$b/$kind"
    fi
    bin=$BATS_TEST_TMPDIR/bin-$kind
    mkdir -p "$bin"
    if [[ $kind == gnu ]]; then
      ln -sf "/usr/bin/$prog" "$bin/$prog"
    else
      ln -sf "$COWUTILS_BUILD/src/cow$prog" "$bin/$prog"
    fi
    (cd "$a/$kind" && odd_tree && if [[ -n $far ]]; then ln -s "$b/$kind" far; fi)
    rc=0
    (cd "$a/$kind" && PATH=$bin:$PATH "$prog" "$@") \
      >"$BATS_TEST_TMPDIR/$kind.out" 2>"$BATS_TEST_TMPDIR/$kind.err" || rc=$?
    echo "$rc" >"$BATS_TEST_TMPDIR/$kind.rc"
    if [[ -n $sort ]]; then
      LC_ALL=C sort -o "$BATS_TEST_TMPDIR/$kind.out" "$BATS_TEST_TMPDIR/$kind.out"
    fi
    { _tree_listing "$a/$kind" | grep -v '^far l '
      if [[ -n $far ]]; then echo "-- far:"; _tree_listing "$b/$kind"; fi
    } >"$BATS_TEST_TMPDIR/$kind.tree"
  done
  local part bad=
  for part in rc out err tree; do
    cmp -s "$BATS_TEST_TMPDIR/gnu.$part" "$BATS_TEST_TMPDIR/ours.$part" \
      || bad+=$(diff -u "$BATS_TEST_TMPDIR/gnu.$part" \
                 "$BATS_TEST_TMPDIR/ours.$part")$'\n'
  done
  status=$(<"$BATS_TEST_TMPDIR/ours.rc")
  stderr=$(<"$BATS_TEST_TMPDIR/ours.err")
  output=$(<"$BATS_TEST_TMPDIR/ours.out")
  [[ -z $bad ]] || { printf '%s' "$bad" \
    | batslib_decorate "cow$prog differs from GNU $prog" | fail; }
}

@test "mv of a tree of odd names across two filesystems: as GNU" {
  twins_both --far mv src far/dst
  assert_success
  twins_both --far mv -- src/$'new\nline' src/-dash "src/$(long_name 255)" \
    src/$'\xff\xfe-latin1' far/
  assert_success
}

@test "cp -a and cp -Rv of odd names onto another filesystem: as GNU" {
  twins_both --far cp -a src far/dst
  assert_success
  twins_both --far --sort cp -Rv -- src/$'new\nline' \
    src/$'dir\nwith\tcontrols' far/
  assert_success
}

@test "mv -v of odd names across two filesystems: the same lines as GNU" {
  twins_both --far mv -v -- src/$'new\nline' src/-dash "src/$(long_name 255 d)" \
    src/$'\xfflink' far/
  assert_success
  assert_output --partial "'src/new'\$'\\n''line' -> 'far/new'\$'\\n''line'"
}

@test "cowln -c of a tree of odd names: the same tree as cp -a" {
  require_fs hostile-na
  cd "$FS_PATH"
  mkdir cln && cd cln
  odd_tree
  run --separate-stderr cowln -c src ours
  assert_success
  assert_equal "$stderr" ""
  /usr/bin/cp -a src gnu
  diff <(_tree_listing gnu) <(_tree_listing ours)
}

# nobody_both NAME...: in twin directories, odd_tree with the source
# entries NAME... made unreadable (mode 000), then GNU cp -R and cowcp -R
# of it as nobody.  Compares exit status, stderr (as a set of lines, the
# program names made equal) and the resulting trees.
nobody_both ()
{
  require_root
  local top kind n
  top=$(mktemp -d /tmp/hostile-names.XXXXXX)
  chmod 755 "$top"
  for kind in gnu ours; do
    mkdir -m 777 "$top/$kind"
    (cd "$top/$kind" && odd_tree && chmod -R a+rX src \
       && for n in "$@"; do chmod 000 "src/$n"; done)
  done
  local gnu_rc=0 ours_rc=0
  (cd "$top/gnu" && setpriv --reuid=nobody --regid=nogroup --clear-groups \
     /usr/bin/cp -R src dst) >"$top/gnu.out" 2>"$top/gnu.err" || gnu_rc=$?
  (cd "$top/ours" && setpriv --reuid=nobody --regid=nogroup --clear-groups \
     "$COWUTILS_BUILD/src/cowcp" -R src dst) >"$top/ours.out" 2>"$top/ours.err" \
    || ours_rc=$?
  local gnu_tree ours_tree
  gnu_tree=$(_tree_listing "$top/gnu/dst")
  ours_tree=$(_tree_listing "$top/ours/dst")
  # Program names as invoked differ; cowcp's workers report in no fixed
  # order.
  local gnu_err ours_err
  gnu_err=$(sed 's|^/usr/bin/cp:|cp:|' "$top/gnu.err" | sort)
  ours_err=$(sed 's|^[^:]*/cowcp:|cp:|' "$top/ours.err" | sort)
  rm -rf "$top"
  assert_equal "$ours_rc" "$gnu_rc"
  assert_equal "$ours_err" "$gnu_err"
  assert_equal "$ours_tree" "$gnu_tree"
  status=$ours_rc
  stderr=$ours_err
  mapfile -t lines <<<"$ours_err"
}

@test "as nobody, unreadable odd-named files: GNU's messages, the rest copied" {
  nobody_both $'new\nline' $'dir\nwith\tcontrols/'$'\xff\xfe-latin1' \
    "$(long_name 255 d)/$(long_name 255 f)"
  assert_equal "$status" 1
  # The failing names are shown escaped.
  assert_line "cp: cannot open 'src/new'\$'\\n''line' for reading: $(strerror EACCES)"
  assert_line "cp: cannot open 'src/dir'\$'\\n''with'\$'\\t''controls/'\$'\\377\\376''-latin1' for reading: $(strerror EACCES)"
}

@test "as nobody, an unreadable directory with a 255-byte name: GNU's message and the copy's mode" {
  # GNU gives the copy of a directory it could not read the source's mode
  # (here 000) once it has failed; cowcp leaves it 0700.
  nobody_both "$(long_name 255 d)"
  assert_equal "$status" 1
}
