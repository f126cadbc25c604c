#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# cowcp/progress.bats -- -g, --progress[=WHEN] and the SIGUSR1 status line
# of cowcp, cowmv (a move across filesystems) and cowln -c: the line's
# format, the bar drawn in place in a pseudo-terminal (script(1), from
# bsdutils, which Debian always has), the "+" while the walk is still
# counting, the final totals, nothing when stderr is no terminal, -v lines
# and diagnostics above the bar, and Ctrl-C leaving the terminal clean and
# no half-copied file.  A slow copy is a FIFO read with --copy-contents,
# fed by the test: the copy is in the middle for as long as it holds the
# FIFO open.

load ../helpers/common

bats_require_minimum_version 1.5.0

setup_file ()
{
  make_loop_fs btrfs 256M progress-btrfs || true
  make_loop_fs ext4 64M progress-ext4 || true
}

teardown_file ()
{
  local t=$BATS_FILE_TMPDIR/progress-tmpfs
  if mountpoint -q "$t" 2>/dev/null; then
    umount "$t" || umount -l "$t"
  fi
  cleanup_loop_fs
}

# A size as the status line writes it, and a whole status line.
SIZE='(0|[0-9]+|[0-9]\.[0-9][KMGTPE]|[0-9]+[KMGTPE])'
LINE="^[0-9]+/[0-9]+\+? files, $SIZE/$SIZE\+? bytes, $SIZE shared, $SIZE copied, $SIZE/s(, ETA [0-9]+:[0-9]{2}:[0-9]{2})?\$"

# make_tree DIR N: DIR with N files of 1 KiB (random bytes), one
# subdirectory with one more, and a symlink: N + 2 files, N + 1 KiB.
make_tree ()
{
  local i
  mkdir -p "$1/sub"
  for ((i = 0; i < $2; i++)); do
    head -c 1024 /dev/urandom >"$1/f$i"
  done
  head -c 1024 /dev/urandom >"$1/sub/g"
  ln -s f0 "$1/link"
}

# in_pty CMD...: run CMD in a pseudo-terminal (its stdin, stdout and
# stderr); set PTY_OUT to what the terminal received (bytes, with the
# terminal's "\r\n" line ends) and PTY_STATUS to CMD's exit status.  Input
# for the terminal (a Ctrl-C) comes from this function's stdin.
in_pty ()
{
  local cmd
  # A shell without job control starts its background jobs with SIGINT
  # ignored, and an ignored signal stays ignored across exec: a test run
  # from such a job (a check started with "&") would press ^C in vain.
  printf -v cmd '%q ' perl -e \
    '$SIG{$_} = "DEFAULT" for qw(INT TERM HUP QUIT); exec @ARGV or die' "$@"
  PTY_STATUS=0
  script -qfec "$cmd" /dev/null >"$BATS_TEST_TMPDIR/pty.out" \
    || PTY_STATUS=$?
  PTY_OUT=$(cat -v "$BATS_TEST_TMPDIR/pty.out")
}

# screen FILE: print what a terminal shows after receiving FILE: per line,
# "\r" goes back to the first column, ESC [ K erases to the end, other
# characters overwrite.  A bar drawn and erased in place leaves nothing;
# a line torn by another would show.
screen ()
{
  perl -e '
    local $/;
    my $in = <STDIN>;
    for my $row (split /\n/, $in, -1)
      {
        my ($line, $col) = ("", 0);
        while ($row =~ /\G(\r|\e\[K|.)/gs)
          {
            if ($1 eq "\r") { $col = 0 }
            elsif ($1 eq "\e[K") { substr ($line, $col) = "" }
            else
              {
                $line .= " " x ($col - length $line) if length $line < $col;
                substr ($line, $col, 1) = $1;
                $col++;
              }
          }
        print "$line\n";
      }' <"$1"
}

# frames FILE: print each status line drawn in place in FILE (the text
# between "\r" and ESC [ K), one per line.
frames ()
{
  perl -ne 'print "$1\n" while /\r([^\r\e]+)\e\[K/g' "$1"
}

# feed_fifo FIFO SECONDS BYTES: in the background, open FIFO, write BYTES
# zero bytes, hold it open SECONDS more, then close it.  Sets FEED_PID.
feed_fifo ()
{
  (
    exec 7>"$1"
    head -c "$3" /dev/zero >&7
    exec sleep "$2"
  ) &
  FEED_PID=$!
}

# ctrl_c_when_drawn WHAT: print ^C once the terminal output (pty.out in
# the test's directory) shows WHAT, or after 20 seconds: a loaded machine
# may take more than a second to start the copy.
ctrl_c_when_drawn ()
{
  local i
  for ((i = 0; i < 200; i++)); do
    grep -q -- "$1" "$BATS_TEST_TMPDIR/pty.out" 2>/dev/null && break
    sleep 0.1
  done
  printf '\003'
}

@test "--progress=always with stderr no terminal prints the totals as a line" {
  cd "$BATS_TEST_TMPDIR"
  make_tree src 20
  run --separate-stderr cowcp -a --progress=always src dst
  assert_success
  assert_output ""
  # Under load a line may come before the end; each is whole, and the
  # last has the totals.
  local l
  while IFS= read -r l; do
    [[ $l =~ $LINE ]] || fail "not a status line: '$l'"
  done <<<"$stderr"
  [[ ${stderr##*$'\n'} =~ ^"22/22 files, 21K/21K bytes, 0 shared, 21K copied, " ]] \
    || fail "last line: '${stderr##*$'\n'}'"
  diff -r src dst
}

@test "holes and hard links count as done: the bytes add up to the sizes" {
  cd "$BATS_TEST_TMPDIR"
  mkdir -p src/a src/b
  # 4 MiB, of which 4 KiB of data at the end: SEEK_DATA passes the hole.
  truncate -s 4092K src/a/sparse
  head -c 4096 /dev/urandom >>src/a/sparse
  head -c 2048 /dev/urandom >src/a/f
  ln src/a/f src/b/f
  ln src/a/f src/f
  run --separate-stderr cowcp -a --progress=always src dst
  assert_success
  [[ ${stderr##*$'\n'} == "4/4 files, 4.0M/4.0M bytes, 0 shared, 6.0K copied, "* ]] \
    || fail "last line: '${stderr##*$'\n'}'"
  # Without -a the names are copied each: three times 2 KiB.
  run --separate-stderr cowcp -R --progress=always src dst2
  assert_success
  [[ ${stderr##*$'\n'} == "4/4 files, 4.0M/4.0M bytes, 0 shared, 10K copied, "* ]] \
    || fail "last line: '${stderr##*$'\n'}'"
  assert_sparse dst/a/sparse
}

@test "-g and a bare --progress print nothing when stderr is no terminal" {
  cd "$BATS_TEST_TMPDIR"
  make_tree src 5
  run --separate-stderr cowcp -a -g src dst1
  assert_success
  assert_equal "$stderr" ""
  run --separate-stderr cowcp -a --progress src dst2
  assert_success
  assert_equal "$stderr" ""
  run --separate-stderr cowcp -a --progress=auto src dst3
  assert_success
  assert_equal "$stderr" ""
  diff -r src dst1 && diff -r src dst2 && diff -r src dst3
}

@test "--progress=never in a terminal prints nothing" {
  cd "$BATS_TEST_TMPDIR"
  make_tree src 5
  in_pty cowcp -a --progress=never src dst
  assert_equal "$PTY_STATUS" 0
  assert_equal "$PTY_OUT" ""
  diff -r src dst
}

@test "a bad --progress value is refused as GNU's argmatch does" {
  cd "$BATS_TEST_TMPDIR"
  : >a
  run --separate-stderr cowcp --progress=sometimes a new
  assert_failure 1
  assert_equal "$stderr" "cowcp: invalid argument 'sometimes' for '--progress'
Valid arguments are:
  - 'auto'
  - 'always'
  - 'never'
Try 'cowcp --help' for more information."
  assert_file_not_exists new
}

@test "-g in a terminal draws the bar in place and leaves the final totals" {
  cd "$BATS_TEST_TMPDIR"
  make_tree src 20
  in_pty cowcp -a -g src dst
  assert_equal "$PTY_STATUS" 0
  # Every frame is "\r LINE ESC[K"; the last is followed by the newline
  # that leaves it on the screen.
  [[ $(tail -c 5 pty.out | od -An -c | tr -s ' ') == " 033 [ K \r \n" ]] \
    || fail "bar not ended by ESC[K and a newline: $PTY_OUT"
  local last
  last=$(frames pty.out | tail -n 1)
  [[ $last =~ $LINE ]] || fail "last frame: '$last'"
  [[ $last == "22/22 files, 21K/21K bytes, 0 shared, 21K copied, "* ]] \
    || fail "last frame: '$last'"
  run screen pty.out
  assert_output "$last"
  diff -r src dst
}

@test "the totals carry a '+' while the walk counts and lose it at the end" {
  cd "$BATS_TEST_TMPDIR"
  make_tree src 10
  mkfifo src/fifo
  feed_fifo src/fifo 1.2 5000
  in_pty cowcp -R --copy-contents --progress src dst
  wait "$FEED_PID"
  assert_equal "$PTY_STATUS" 0
  frames pty.out >frames.txt
  # While the walker reads the FIFO, the bar shows what it has counted
  # so far, with "+" after both totals; then the final totals.
  grep -Eq '^[0-9]+/[0-9]+\+ files, [^ ]+/[^ ]+\+ bytes' frames.txt \
    || fail "no frame with '+': $(cat frames.txt)"
  run tail -n 1 frames.txt
  assert_output --regexp '^13/13 files, 16K/11K bytes, 0 shared, [^ ]+ copied, [^ ]+/s$'
  cmp dst/fifo <(head -c 5000 /dev/zero)
}

@test "SIGUSR1 prints one status line without --progress, as dd does" {
  cd "$BATS_TEST_TMPDIR"
  mkfifo fifo
  cowcp --copy-contents fifo out 2>err &
  local pid=$!
  exec 7>fifo
  head -c 300000 /dev/zero >&7
  sleep 0.5
  kill -USR1 "$pid"
  sleep 0.5
  exec 7>&-
  wait "$pid"
  # The one operand is counted (a FIFO has no size to count); the
  # read/write rung counted each chunk it read.
  run cat err
  assert_output --regexp '^0/1 files, 293K/0 bytes, 0 shared, 293K copied, [^ ]+/s$'
  cmp out <(head -c 300000 /dev/zero)
}

@test "SIGUSR1 before any byte is copied prints zeros and stops nothing" {
  cd "$BATS_TEST_TMPDIR"
  make_tree src 3
  mkdir dst
  mkfifo fifo
  cowcp -R --copy-contents fifo src dst 2>err &
  local pid=$!
  sleep 0.3
  kill -USR1 "$pid"
  sleep 0.3
  exec 7>fifo
  exec 7>&-
  wait "$pid"
  run cat err
  assert_output --regexp '^0/1\+ files, 0/0\+ bytes, 0 shared, 0 copied, 0/s$'
  diff -r src dst/src
}

@test "SIGUSR1 to a copy blocked writing into a FIFO prints its line at once" {
  cd "$BATS_TEST_TMPDIR"
  printf 'hello\n' >small
  # An existing FIFO as the destination: the copy of a small regular
  # file blocks opening it for writing until the reader below comes.
  mkfifo out
  cowcp small out 2>err &
  local pid=$!
  sleep 0.5
  kill -USR1 "$pid"
  sleep 0.3
  kill -0 "$pid"
  run cat err
  assert_output --regexp '^0/1 files, 0/6 bytes, 0 shared, 0 copied, [^ ]+/s$'
  run cat out
  assert_output hello
  wait "$pid"
}

@test "SIGUSR1 to a one-file copy, which starts no status thread, is answered as it ends" {
  cd "$BATS_TEST_TMPDIR"
  printf 'hello\n' >small
  echo old >copy
  # The copy of one small file waits at the -i question: nothing there
  # starts the status thread, so the request stays pending (SIGUSR1 is
  # blocked from the start) and is answered once the copy is done.
  { sleep 0.8; echo y; } | cowcp -i small copy 2>err &
  local pid=$!
  sleep 0.4
  kill -USR1 "$pid"
  sleep 0.2
  assert_equal "$(cat err)" "cowcp: overwrite 'copy'? "
  wait "$pid"
  run cat err
  assert_output --regexp "^cowcp: overwrite 'copy'\? 1/1 files, 6/6 bytes, 0 shared, 6 copied, [^ ]+/s\$"
  assert_equal "$(cat copy)" hello
}

@test "Ctrl-C in a terminal erases the bar and leaves no half file" {
  cd "$BATS_TEST_TMPDIR"
  mkfifo fifo
  feed_fifo fifo 30 100000
  in_pty cowcp -g --copy-contents fifo out < <(ctrl_c_when_drawn '98K/0 bytes')
  kill "$FEED_PID" 2>/dev/null || true
  wait "$FEED_PID" || true
  # 128 + SIGINT: it died of the signal, as cp does.
  assert_equal "$PTY_STATUS" 130
  # The bar was up (it counted the bytes read) and is erased last.
  frames pty.out | grep -q '^0/1 files, 98K/0 bytes' \
    || fail "no bar before the interrupt: $PTY_OUT"
  [[ $(tail -c 4 pty.out | od -An -c | tr -s ' ') == " \r 033 [ K" ]] \
    || fail "bar not erased last: $PTY_OUT"
  # The terminal shows the echoed ^C and nothing else.
  run screen pty.out
  assert_output ""
  assert_file_not_exists out
  run ls -A
  assert_output "fifo
pty.out"
}

@test "Ctrl-C in a terminal mid-tree leaves only whole files under real names" {
  cd "$BATS_TEST_TMPDIR"
  make_tree src 30
  mkfifo src/sub/fifo
  feed_fifo src/sub/fifo 30 50000
  in_pty cowcp -R -g --copy-contents src dst < <(ctrl_c_when_drawn '+ files')
  kill "$FEED_PID" 2>/dev/null || true
  wait "$FEED_PID" || true
  assert_equal "$PTY_STATUS" 130
  frames pty.out | grep -q '+ files' \
    || fail "no bar before the interrupt: $PTY_OUT"
  run screen pty.out
  assert_output ""
  # The FIFO being read is not left as a file; whatever else is there is
  # whole.
  assert_not_exists dst/sub/fifo
  local f
  while IFS= read -r -d '' f; do
    cmp "src/${f#dst/}" "$f" || fail "partial $f"
  done < <(find dst -type f -print0)
}

@test "-v lines and diagnostics print above the bar, whole" {
  cd "$BATS_TEST_TMPDIR"
  mkdir dst
  echo one >f1
  echo two >f2
  mkfifo fifo
  feed_fifo fifo 1 10
  in_pty cowcp -v -g --copy-contents fifo f1 missing f2 dst
  wait "$FEED_PID"
  assert_equal "$PTY_STATUS" 1
  # The bar was drawn while the FIFO was read, before the other lines.
  frames pty.out | grep -q '^0/1+ files' \
    || fail "no bar while the FIFO was read: $PTY_OUT"
  run screen pty.out
  assert_line --index 0 "'fifo' -> 'dst/fifo'"
  assert_line --index 1 "'f1' -> 'dst/f1'"
  assert_line --index 2 "cowcp: cannot stat 'missing': $(strerror ENOENT)"
  assert_line --index 3 "'f2' -> 'dst/f2'"
  assert_line --index 4 --regexp '^3/3 files, 18/8 bytes, 0 shared, 18 copied, [^ ]+/s$'
  assert_equal "${#lines[@]}" 5
}

@test "on btrfs the bytes are counted as shared, on ext4 as copied" {
  require_fs progress-btrfs
  local b=$FS_PATH
  require_fs progress-ext4
  local e=$FS_PATH
  make_tree "$b/src" 30
  head -c 1M /dev/urandom >"$b/src/big"
  run --separate-stderr cowcp -a --progress=always "$b/src" "$b/dst"
  assert_success
  [[ ${stderr##*$'\n'} == "33/33 files, 1.0M/1.0M bytes, 1.0M shared, 0 copied, "* ]] \
    || fail "last line: '${stderr##*$'\n'}'"
  assert_shares_extents "$b/src/big" "$b/dst/big"
  run --separate-stderr cowcp -a --progress=always "$b/src" "$e/dst"
  assert_success
  [[ ${stderr##*$'\n'} == "33/33 files, 1.0M/1.0M bytes, 0 shared, 1.0M copied, "* ]] \
    || fail "last line: '${stderr##*$'\n'}'"
  diff -r "$b/src" "$e/dst"
}

@test "cowmv across filesystems shows the copy, tmpfs to ext4 and back" {
  require_root
  require_fs progress-ext4
  local e=$FS_PATH t=$BATS_FILE_TMPDIR/progress-tmpfs
  mkdir -p "$t"
  mountpoint -q "$t" || mount -t tmpfs -o size=32M tmpfs "$t" \
    || skip "tmpfs mount unavailable"
  make_tree "$t/T" 40
  cp -a "$t/T" "$BATS_TEST_TMPDIR/want"
  run --separate-stderr cowmv --progress=always "$t/T" "$e/T"
  assert_success
  [[ ${stderr##*$'\n'} == "42/42 files, 41K/41K bytes, 0 shared, 41K copied, "* ]] \
    || fail "last line: '${stderr##*$'\n'}'"
  assert_not_exists "$t/T"
  diff -r "$BATS_TEST_TMPDIR/want" "$e/T"
  in_pty cowmv -g "$e/T" "$t/T"
  assert_equal "$PTY_STATUS" 0
  run frames "$BATS_TEST_TMPDIR/pty.out"
  assert_line --index -1 --regexp '^42/42 files, 41K/41K bytes, 0 shared, 41K copied, [^ ]+/s$'
  assert_not_exists "$e/T"
  diff -r "$BATS_TEST_TMPDIR/want" "$t/T"
}

@test "cowmv within a filesystem renames: the totals say nothing was copied" {
  cd "$BATS_TEST_TMPDIR"
  make_tree T 3
  run --separate-stderr cowmv --progress=always T U
  assert_success
  assert_equal "$stderr" "0/0 files, 0/0 bytes, 0 shared, 0 copied, 0/s"
  assert_exists U/f0
}

@test "cowln -c of a tree shows every byte shared" {
  require_fs progress-btrfs
  local b=$FS_PATH
  make_tree "$b/lsrc" 25
  # Big enough not to be inline in its metadata, where FIEMAP cannot
  # tell sharing.
  head -c 64K /dev/urandom >"$b/lsrc/big"
  run --separate-stderr cowln -c --progress=always "$b/lsrc" "$b/link"
  assert_success
  [[ ${stderr##*$'\n'} == "28/28 files, 90K/90K bytes, 90K shared, 0 copied, "* ]] \
    || fail "last line: '${stderr##*$'\n'}'"
  assert_shares_extents "$b/lsrc/big" "$b/link/big"
  diff -r "$b/lsrc" "$b/link"
}

@test "cowln without -c has no status line to show" {
  cd "$BATS_TEST_TMPDIR"
  : >a
  run --separate-stderr cowln --progress=always a b
  assert_success
  assert_equal "$stderr" ""
}
