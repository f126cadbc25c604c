/* SPDX-License-Identifier: GPL-3.0-or-later */
/* diag.c -- serialised diagnostics, verbose lines and prompts.  */

#include "system.h"

#include <pthread.h>
#include <stdarg.h>

#include "diag.h"
#include "error.h"
#include "progname.h"
#include "verror.h"
#include "yesno.h"

/* Workers copying files in parallel share stdout, stderr and gnulib's
   quoting buffers; one lock keeps each line whole and each quoted name
   intact.  This is the only process-wide state of the copy engine, and
   it is a lock, not run state.  */
static pthread_mutex_t diag_mutex = PTHREAD_MUTEX_INITIALIZER;

void
diag_lock (void)
{
  pthread_mutex_lock (&diag_mutex);
}

void
diag_unlock (void)
{
  pthread_mutex_unlock (&diag_mutex);
}

/* Report as error (0, ERRNUM, FORMAT, ...) would; the lock is held.
   verror flushes stdout first, so -v lines and errors stay in order.  */
void
diag_error_locked (int errnum, char const *format, ...)
{
  va_list ap;
  va_start (ap, format);
  verror (0, errnum, format, ap);
  va_end (ap);
}

/* Print FORMAT and a newline on stdout; the lock is held.  */
void
diag_line_locked (char const *format, ...)
{
  va_list ap;
  va_start (ap, format);
  vprintf (format, ap);
  putchar ('\n');
  va_end (ap);
}

/* Prompt on stderr as "PROGRAM: QUESTION" and return the yes/no answer
   read from stdin; the lock is held.  */
bool
diag_ask_locked (char const *format, ...)
{
  va_list ap;
  va_start (ap, format);
  fflush (stdout);
  fprintf (stderr, "%s: ", program_name);
  vfprintf (stderr, format, ap);
  fflush (stderr);
  va_end (ap);
  return yesno ();
}

/* Report a failed stat; see diag.h.  */
void
diag_cannot_stat (int errnum, char const *name)
{
  diag_error (errnum, _("cannot stat %s"), quoteaf (name));
}
