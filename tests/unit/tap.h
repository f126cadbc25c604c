/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tap.h -- a minimal Test Anything Protocol producer for unit tests.  */

#ifndef TAP_H
#define TAP_H

#include <stdarg.h>
#include <stdio.h>

/* Number of the last test reported.  */
static int tap_n;

/* Report test DESC as passed when OK, else failed.  */
static void
tap_ok (int ok, char const *desc, ...)
{
  va_list ap;
  va_start (ap, desc);
  printf ("%s %d - ", ok ? "ok" : "not ok", ++tap_n);
  vprintf (desc, ap);
  putchar ('\n');
  fflush (stdout);
  va_end (ap);
}

/* Report test DESC as skipped for REASON (inline: a test that skips
   nothing does not warn of it).  */
static inline void
tap_skip (char const *desc, char const *reason)
{
  printf ("ok %d - %s # SKIP %s\n", ++tap_n, desc, reason);
  fflush (stdout);
}

/* Print the plan; call last.  */
static int
tap_done (void)
{
  printf ("1..%d\n", tap_n);
  return 0;
}

#endif /* TAP_H */
