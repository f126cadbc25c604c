/* SPDX-License-Identifier: GPL-3.0-or-later */
/* diag.c -- serialised diagnostics, verbose lines and prompts.  */

#include "system.h"

#include <pthread.h>
#include <stdarg.h>

#include "diag.h"
#include "error.h"
#include "verror.h"
#include "progname.h"
#include "yesno.h"

/* Workers copying files in parallel share stdout and stderr; one lock keeps
   each line whole.  This is the only process-wide state the copy engine
   has, and it is a lock, not run state.  */
static pthread_mutex_t diag_lock = PTHREAD_MUTEX_INITIALIZER;

/* Report as error (0, ERRNUM, FORMAT, ...) would, under the lock.
   verror flushes stdout first, so -v lines and errors stay in order.  */
void
diag_error (int errnum, char const *format, ...)
{
  va_list ap;
  va_start (ap, format);
  pthread_mutex_lock (&diag_lock);
  verror (0, errnum, format, ap);
  pthread_mutex_unlock (&diag_lock);
  va_end (ap);
}

/* Print FORMAT and a newline on stdout under the lock.  */
void
diag_line (char const *format, ...)
{
  va_list ap;
  va_start (ap, format);
  pthread_mutex_lock (&diag_lock);
  vprintf (format, ap);
  putchar ('\n');
  pthread_mutex_unlock (&diag_lock);
  va_end (ap);
}

/* Prompt on stderr as "PROGRAM: QUESTION" and return the yes/no answer
   read from stdin.  */
bool
diag_ask (char const *format, ...)
{
  va_list ap;
  bool yes;
  va_start (ap, format);
  pthread_mutex_lock (&diag_lock);
  fflush (stdout);
  fprintf (stderr, "%s: ", program_name);
  vfprintf (stderr, format, ap);
  fflush (stderr);
  yes = yesno ();
  pthread_mutex_unlock (&diag_lock);
  va_end (ap);
  return yes;
}
