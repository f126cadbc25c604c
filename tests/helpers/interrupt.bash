# SPDX-License-Identifier: GPL-3.0-or-later
# interrupt.bash -- a big tree, its manifest, and commands interrupted by
# signals at chosen moments, for the interrupt suites of cowcp, cowmv and
# cowln.  Load it after common:
#
#   load ../helpers/common
#   load ../helpers/interrupt
#
#   make_big_tree T 40 40          # 40 x 40 directories, ~3,300 files
#   manifest T >want               # what T holds, checksums included
#   interrupt_after 0.3 INT cowmv T dst/
#   echo "$INT_STATUS"             # 130, or 0 if it was done before
#
# Needs perl (with Digest::SHA, part of perl).

# make_big_tree DIR [TOP] [SUB]: build DIR, TOP directories (default 40)
# of SUB subdirectories (default 40) each, every subdirectory with two
# small files of random bytes (the odd one empty), and here and there a
# hard link to a file of another directory, a symbolic link, an empty
# directory and a file of a few MiB.  Files have assorted modes; every
# directory gets mode 0555 and the mtime 2001-02-03 04:05:06.123456789
# once filled, so that a directory given its final metadata is easy to
# tell from one made and left.  Deterministic (fixed seed).
make_big_tree ()
{
  perl - "$1" "${2:-40}" "${3:-40}" <<'EOF'
use strict;
use warnings;
my ($top, $ntop, $nsub) = @ARGV;
srand (42);
my @modes = (0644, 0600, 0755, 0640, 0444);
my @dirs;
sub put
{
  my ($name, $size) = @_;
  open my $fh, '>', $name or die "$name: $!\n";
  my $words = pack ('L*', map { int rand 4294967296 } 1 .. ($size + 3) / 4);
  print $fh substr ($words, 0, $size);
  close $fh or die "$name: $!\n";
  chmod $modes[int rand @modes], $name;
}
mkdir $top or die "$top: $!\n";
push @dirs, $top;
my $k = 0;
for my $i (0 .. $ntop - 1)
  {
    my $d = "$top/d$i";
    mkdir $d or die "$d: $!\n";
    push @dirs, $d;
    put ("$d/big", (1 + $i % 4) * 1024 * 1024) if $i % 10 == 0;
    for my $j (0 .. $nsub - 1)
      {
        my $e = "$d/e$j";
        mkdir $e or die "$e: $!\n";
        push @dirs, $e;
        put ("$e/f0", int rand 6000);
        put ("$e/f1", $k++ % 7 ? 1 + int rand 3000 : 0);
        if ($j % 13 == 5 && $i)
          {
            link "$top/d" . ($i - 1) . "/e$j/f0", "$e/hl"
              or die "link: $!\n";
          }
        symlink "../e$j/f1", "$e/sl" if $j % 11 == 3;
        if ($j % 17 == 0)
          {
            mkdir "$e/empty" or die "$e/empty: $!\n";
            push @dirs, "$e/empty";
          }
      }
  }
# Deepest first: a directory's own mode and times last.
for my $d (reverse @dirs)
  {
    chmod 0555, $d or die "chmod $d: $!\n";
  }
EOF
  # perl's utime has no nanoseconds; touch has.
  find "$1" -depth -type d \
    -exec touch -h -d '2001-02-03 04:05:06.123456789' {} +
}

# manifest DIR: print one sorted line per entry below DIR (DIR itself is
# "."): type, mode, owner, mtime to the nanosecond (not for directories
# with WITH_DIR_TIMES=0, for a source partly removed), size and SHA-256
# of regular files, symlink targets, and for a later name of a
# multiply-linked file the first name ("= NAME").  Names, not inode
# numbers: two trees on different filesystems compare equal when they
# are copies.
manifest ()
{
  (cd -- "$1" && find . -printf '%i %n %y %m %U:%G %T@ %s %p\0' \
    | perl -0 -e '
        use strict;
        use Digest::SHA;
        my $dir_times = ($ENV{WITH_DIR_TIMES} // 1);
        my (@lines, %first);
        while (my $rec = <STDIN>)
          {
            chomp $rec;
            my ($ino, $nlink, $type, $mode, $own, $mtime, $size, $path)
              = split / /, $rec, 8;
            my $line = "$path $type $mode $own";
            $line .= " $mtime" if $type ne "d" || $dir_times;
            if ($type eq "f")
              {
                my $sha = Digest::SHA->new (256);
                $sha->addfile ($path);
                $line .= " $size " . $sha->hexdigest;
              }
            elsif ($type eq "l")
              {
                $line .= " -> " . readlink $path;
              }
            push @lines, [$path, $line,
                          $type ne "d" && 1 < $nlink ? $ino : undef];
          }
        for my $l (sort { $a->[0] cmp $b->[0] } @lines)
          {
            my ($path, $line, $ino) = @$l;
            if (defined $ino)
              {
                if (exists $first{$ino}) { $line .= " = $first{$ino}" }
                else { $first{$ino} = $path }
              }
            print "$line\n";
          }')
}

# interrupt_after DELAY SIGNAL CMD [ARG...]: run CMD in the background
# with SIGINT, SIGTERM and SIGHUP at their default action (a shell starts
# background commands with SIGINT ignored, and the programs rightly keep
# an ignored signal ignored), stdin from /dev/null, stderr to
# $BATS_TEST_TMPDIR/err; after DELAY seconds send it SIGNAL (unless it is
# done), then wait for it.  Set INT_STATUS to its exit status.  If it
# is still running 120 s after the signal, kill it (SIGKILL) and fail:
# a program that ignores the signal must not hang the suite.
interrupt_after ()
{
  local delay=$1 sig=$2
  shift 2
  interrupt_start "$@"
  sleep "$delay"
  interrupt_send "$sig"
  interrupt_wait
}

# interrupt_start CMD [ARG...]: the first half of interrupt_after: start
# CMD; its pid is INT_PID.  Return once the signals are at their default
# action (a signal sent earlier, while still ignored, would be lost and
# CMD run to its end), just before CMD is executed.
interrupt_start ()
{
  local ready=$BATS_TEST_TMPDIR/ready i
  rm -f "$ready"
  INT_READY=$ready perl -e '
    $SIG{$_} = "DEFAULT" for qw(INT TERM HUP);
    open my $f, ">", $ENV{INT_READY} or die "$ENV{INT_READY}: $!\n";
    close $f;
    exec @ARGV or die "exec: $!\n"' "$@" \
    <"/dev/null" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
  INT_PID=$!
  for ((i = 0; i < 2000; i++)); do
    [[ -e $ready ]] && return 0
    sleep 0.005
  done
  fail "$1 did not start within 10 s"
}

# interrupt_send SIGNAL: send SIGNAL to INT_PID.  Once it has ended the
# pid is a zombie until interrupt_wait, never another process: the kill
# is then harmless.
interrupt_send ()
{
  kill -s "$1" "$INT_PID" 2>/dev/null || :
}

# interrupt_wait: wait for INT_PID (see interrupt_after); set INT_STATUS.
interrupt_wait ()
{
  local i
  for ((i = 0; i < 2400; i++)); do
    [[ $(awk '{ print $3 }' "/proc/$INT_PID/stat" 2>/dev/null) =~ ^(Z|)$ ]] \
      && break
    sleep 0.05
  done
  if ((i == 2400)); then
    kill -s KILL "$INT_PID" 2>/dev/null
    wait "$INT_PID" || :
    fail "process $INT_PID did not end within 120 s of the signal"
  fi
  INT_STATUS=0
  # (stderr: not bash's "Hangup" line for a job killed by a signal.)
  { wait "$INT_PID" || INT_STATUS=$?; } 2>/dev/null
}

# signal_status SIGNAL: the status of a process killed by SIGNAL (INT,
# TERM, HUP, KILL) as the shell reports it.
signal_status ()
{
  echo $((128 + $(kill -l "$1")))
}

# random_delay MAX: a random number of seconds between 0.005 and MAX
# (a decimal), from bash's RANDOM (seed it for a reproducible run).
random_delay ()
{
  local ms
  ms=$(awk -v m="$1" -v r="$RANDOM" \
         'BEGIN { printf "%d", 5 + r / 32767 * (m * 1000 - 5) }')
  printf '%d.%03d\n' $((ms / 1000)) $((ms % 1000))
}

# time_of CMD [ARG...]: run CMD and print how many seconds it took (a
# decimal); fail, printing nothing on stdout, if it fails.  Use it as
# `full=$(time_of ...)`: the assignment fails with it.
time_of ()
{
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null || { fail "$* failed with status $?"; return 1; }
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}
