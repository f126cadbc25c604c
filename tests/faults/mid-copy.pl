#!/usr/bin/perl
# SPDX-License-Identifier: GPL-3.0-or-later
# mid-copy.pl ACTION GLOB SIZE CMD...: see cell_signal in lib.bash.  A file,
# not `perl -e`, because perl -e opens /dev/null, which some machines do
# not let nobody open.
use strict;
use warnings;
use POSIX qw(:sys_wait_h);
use Time::HiRes qw(usleep);

my ($action, $glob, $size, @cmd) = @ARGV;
my $pid = fork // die "fork: $!\n";
if (!$pid)
  {
    $SIG{$_} = "DEFAULT" for qw(INT TERM HUP);
    exec @cmd or die "exec: $!\n";
  }
my $sent = 0;
POLL: while (waitpid ($pid, WNOHANG) == 0)
  {
    for my $f (glob $glob)
      {
        next unless -f $f;
        my $s = -s _ || 0;
        next unless $s >= 1048576 && $s < $size;
        if ($action =~ /^sh:(.*)/s)
          {
            system ("/bin/sh", "-c", $1) == 0
              or die "mid-copy.pl: '$1' failed\n";
          }
        else
          {
            kill $action, $pid;
          }
        $sent = 1;
        last POLL;
      }
    usleep (1000);
  }
my $status;
if ($sent)
  {
    for (1 .. 6000)
      {
        last if waitpid ($pid, WNOHANG) == $pid;
        usleep (10000);
      }
    if (kill 0, $pid)
      {
        kill "KILL", $pid;
        waitpid ($pid, 0);
        print "hang 1\n";
        exit 0;
      }
  }
$status = $? & 127 ? 128 + ($? & 127) : $? >> 8;
print "$status $sent\n";
