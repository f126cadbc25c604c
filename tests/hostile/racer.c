/* SPDX-License-Identifier: GPL-3.0-or-later
   racer.c -- swap two names back and forth until told to stop.

   Usage: racer A B
   Exchanges the entries named A and B (renameat2 with RENAME_EXCHANGE,
   so both names exist at every moment) over and over, holding each state
   for a random 0-255 microseconds, until SIGTERM or SIGINT.  Then, if an
   odd number of exchanges succeeded, it exchanges once more, so that A
   and B end as they began.  A failed exchange (a name moved away by the
   program under test) changes nothing and is counted.  On exit it prints
   "swaps N failed M" on standard output.  Built by the bats files in tests/hostile
   with cc; not part of cowutils.  */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
# define RENAME_EXCHANGE (1 << 1)
#endif

static volatile sig_atomic_t stop;

static void
on_stop (int sig)
{
  (void) sig;
  stop = 1;
}

/* Exchange A and B; 0 or -1 with errno.  Through syscall () because
   glibc 2.36 declares renameat2 only with _GNU_SOURCE and older ones not
   at all.  */
static int
exchange (char const *a, char const *b)
{
  return syscall (SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
}

int
main (int argc, char **argv)
{
  if (argc != 3)
    {
      fprintf (stderr, "usage: racer A B\n");
      return 2;
    }
  struct sigaction sa = { .sa_handler = on_stop };
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGINT, &sa, NULL);
  srandom (getpid ());

  unsigned long swaps = 0, failed = 0;
  while (!stop)
    {
      if (exchange (argv[1], argv[2]) == 0)
        swaps++;
      else
        failed++;
      struct timespec ts = { 0, (random () & 255) * 1000 };
      nanosleep (&ts, NULL);
    }
  /* Put things back; a few tries, for a name that is briefly away.  */
  for (int i = 0; swaps % 2 && i < 100; i++)
    if (exchange (argv[1], argv[2]) == 0)
      swaps++;
  printf ("swaps %lu failed %lu\n", swaps, failed);
  return swaps % 2 ? 1 : 0;
}
