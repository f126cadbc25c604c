/* SPDX-License-Identifier: GPL-3.0-or-later */
/* progress.c -- unit tests of progress_format, the status line of
   --progress and SIGUSR1: the counts, the sizes as du -h writes them,
   the "+" while the walk counts, and the time left once it is done.
   Prints TAP.  */

#include "../../src/progress.c"

#pragma GCC diagnostic ignored "-Wunused-function"

#include <stdarg.h>

#include "progname.h"
#include "tap.h"

/* argmatch's exit path; --progress's values are not tested here.  */
void
usage (int status)
{
  exit (status);
}

/* Check that the line for C after SECS seconds (FINAL or not) is WANT.  */
static void
check (char const *desc, struct progress_counts const *c, double secs,
       bool final, char const *want)
{
  char line[LINE_MAX_BYTES];
  progress_format (c, secs, final, line, sizeof line);
  bool ok = strcmp (line, want) == 0;
  tap_ok (ok, "%s", desc);
  if (!ok)
    printf ("# got  '%s'\n# want '%s'\n", line, want);
}

int
main (void)
{
  set_program_name ("progress.t");
  enum { Ki = 1024, Mi = 1024 * 1024 };

  struct progress_counts none = { .walks_left = 0 };
  check ("nothing seen yet, walk counting", &none, 0, false,
         "0/0+ files, 0/0+ bytes, 0 shared, 0 copied, 0/s");

  struct progress_counts counting = {
    .files_seen = 12, .files_done = 3, .bytes_seen = 40 * Mi,
    .bytes_shared = 8 * Mi, .bytes_copied = 2 * Mi, .walks_left = 0
  };
  check ("while counting: '+' after both totals and no ETA", &counting, 2,
         false, "3/12+ files, 10M/40M+ bytes, 8.0M shared, 2.0M copied, "
         "5.0M/s");

  struct progress_counts walked = counting;
  walked.walks_left = -1;
  check ("walk done: no '+', ETA from the bytes left at the mean rate",
         &walked, 2, false, "3/12 files, 10M/40M bytes, 8.0M shared, "
         "2.0M copied, 5.0M/s, ETA 0:00:06");

  struct progress_counts later = walked;
  later.walks_left = 2;
  check ("operands still to walk keep the '+'", &later, 2, false,
         "3/12+ files, 10M/40M+ bytes, 8.0M shared, 2.0M copied, 5.0M/s");

  struct progress_counts slow = walked;
  check ("ETA past an hour in H:MM:SS", &slow, 2 * 3600 + 0.5, false,
         "3/12 files, 10M/40M bytes, 8.0M shared, 2.0M copied, 1.4K/s, "
         "ETA 6:00:01");

  struct progress_counts holes = {
    .files_seen = 1, .files_done = 1, .bytes_seen = 4 * Mi,
    .bytes_copied = Mi, .bytes_passed = 3 * Mi, .walks_left = -1
  };
  check ("holes count as done; nothing left, no ETA", &holes, 1, false,
         "1/1 files, 4.0M/4.0M bytes, 0 shared, 1.0M copied, 4.0M/s");

  struct progress_counts end = counting;
  check ("the final line: totals without '+', no ETA", &end, 2, true,
         "3/12 files, 10M/40M bytes, 8.0M shared, 2.0M copied, 5.0M/s");

  struct progress_counts sizes = {
    .files_seen = 2, .files_done = 2, .bytes_seen = 1023,
    .bytes_shared = 1536ULL * Mi, .bytes_copied = Ki,
    .walks_left = -1
  };
  check ("sizes: bytes below 1K, one decimal below ten, whole above",
         &sizes, 1, true, "2/2 files, 1.5G/1023 bytes, 1.5G shared, "
         "1.0K copied, 1.5G/s");

  struct progress_counts big = {
    .files_seen = 1, .bytes_seen = 3ULL << 40, .bytes_copied = 1ULL << 40,
    .walks_left = -1
  };
  check ("terabytes, and a rate of the same scale", &big, 10, false,
         "0/1 files, 1.0T/3.0T bytes, 0 shared, 1.0T copied, 102G/s, "
         "ETA 0:00:20");

  /* The line is cut to the terminal, one column kept free.  */
  char line[LINE_MAX_BYTES];
  progress_format (&walked, 2, false, line, 20);
  tap_ok (strlen (line) == 19, "a small buffer cuts the line short");

  return tap_done ();
}
