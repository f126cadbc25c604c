#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# cowcp/interrupt.bats -- cowcp -a of a tree stopped by SIGINT: it dies of
# the signal, as GNU cp does, and what it leaves does not pass for a
# finished copy.  Every file there is whole (a file being copied when the
# signal came is removed), and a directory whose contents were not all
# copied keeps the mode it was made with and has not been given the
# source's times -- as GNU cp, killed by the signal, leaves it.  The
# source's directories all have mode 0555 and a time in 2001, so that
# final metadata shows.
#
# COWUTILS_INTERRUPT_ITERATIONS (default 15, here 5 of them) and
# COWUTILS_INTERRUPT_SEED as in cowmv/interrupt.bats.

load ../helpers/common
load ../helpers/interrupt

bats_require_minimum_version 1.5.0

setup_file ()
{
  make_loop_fs btrfs 512M interrupt-cp || return 0
  make_big_tree "$(fs_path interrupt-cp)/T" 60 60
}

teardown_file ()
{
  cleanup_loop_fs
}

# check_copy SRC DST: print a line for each directory of DST whose
# contents are not all there (recursively) but which has SRC's mode or
# mtime, and for each regular file of DST that differs from SRC's; then
# "incomplete N" with the number of directories not complete.
check_copy ()
{
  perl - "$1" "$2" <<'EOF'
use strict;
use warnings;
use File::Compare;
my ($src, $dst) = @ARGV;
my $incomplete = 0;
# Return true if DST/REL holds all that SRC/REL does.
sub complete
{
  my ($rel) = @_;
  my $all = 1;
  opendir my $dh, "$src/$rel" or die "$src/$rel: $!\n";
  my @names = grep { $_ ne '.' && $_ ne '..' } readdir $dh;
  closedir $dh;
  for my $n (@names)
    {
      my ($s, $d) = ("$src/$rel/$n", "$dst/$rel/$n");
      if (! -e $d && ! -l $d)
        { $all = 0 }
      elsif (-d $s && ! -l $s)
        { $all = 0 unless complete ("$rel/$n") }
      elsif (-f $s && ! -l $s && compare ($s, $d) != 0)
        { print "partial file $rel/$n\n"; $all = 0 }
    }
  my @s = lstat "$src/$rel";
  my @d = lstat "$dst/$rel";
  if (!$all)
    {
      $incomplete++;
      print "final metadata on incomplete $rel\n"
        if ($s[2] & 07777) == ($d[2] & 07777) || $s[9] == $d[9];
    }
  return $all;
}
complete (".");
print "incomplete $incomplete\n";
EOF
}

@test "SIGINT mid-tree leaves directories not filled without the source's mode and times" {
  require_fs interrupt-cp
  cd "$FS_PATH"
  rm -rf C
  local n=$(( (${COWUTILS_INTERRUPT_ITERATIONS:-15} + 2) / 3 ))
  local seed=${COWUTILS_INTERRUPT_SEED:-$RANDOM}
  local full max
  full=$(time_of cowcp -a T C)
  run check_copy T C
  assert_output "incomplete 0"
  rm -rf C
  max=$(awk -v f="$full" 'BEGIN { print f * 0.8 }')
  RANDOM=$seed
  local i delay cut=0
  for ((i = 1; i <= n; i++)); do
    delay=$(random_delay "$max")
    echo "seed $seed, whole copy ${full}s; $i: SIGINT after ${delay}s"
    interrupt_after "$delay" INT cowcp -a T C
    assert_equal "$(<"$BATS_TEST_TMPDIR/err")" ""
    if [[ ! -e C ]]; then
      assert_equal "$INT_STATUS" 130
      continue
    fi
    run check_copy T C
    if [[ $output == "incomplete 0" ]]; then
      [[ $INT_STATUS == 0 || $INT_STATUS == 130 ]] \
        || fail "status $INT_STATUS"
    else
      assert_equal "$INT_STATUS" 130
      assert_equal "${lines[-1]}" "$output"
      cut=$((cut + 1))
    fi
    rm -rf C
  done
  echo "# $n interruptions (seed $seed, whole copy ${full}s)," \
    "$cut mid-tree" >&3
}
