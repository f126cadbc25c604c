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

/* The status line (--progress) drawn on a terminal at the bottom of
   stderr, under the lock: its text, and whether it is on the screen.
   Every message erases it first and draws it again after, so that -v
   lines and diagnostics scroll up above it and it is never torn.  Like
   the lock, it belongs to the process's stderr, not to a run.  */
enum { STATUS_MAX = 512 };
static char status_text[STATUS_MAX];
static bool status_shown;

/* Erase the status line, if shown, before a message; the lock is
   held.  */
static void
status_hide (void)
{
  if (status_shown)
    fputs ("\r\033[K", stderr);
}

/* Draw the status line again after a message; the lock is held.  A -v
   line on stdout goes out first: both may be the same terminal.  */
static void
status_redraw (void)
{
  if (status_shown)
    {
      fflush (stdout);
      fputs (status_text, stderr);
    }
}

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
  status_hide ();
  verror (0, errnum, format, ap);
  status_redraw ();
  va_end (ap);
}

/* Print FORMAT and a newline on stdout; the lock is held.  */
void
diag_line_locked (char const *format, ...)
{
  va_list ap;
  va_start (ap, format);
  status_hide ();
  vprintf (format, ap);
  putchar ('\n');
  status_redraw ();
  va_end (ap);
}

/* Prompt on stderr as "PROGRAM: QUESTION" and return the yes/no answer
   read from stdin; the lock is held.  */
bool
diag_ask_locked (char const *format, ...)
{
  va_list ap;
  va_start (ap, format);
  status_hide ();
  fflush (stdout);
  fprintf (stderr, "%s: ", program_name);
  vfprintf (stderr, format, ap);
  fflush (stderr);
  va_end (ap);
  bool yes = yesno ();
  status_redraw ();
  return yes;
}

/* Report a failed stat; see diag.h.  */
void
diag_cannot_stat (int errnum, char const *name)
{
  diag_error (errnum, _("cannot stat %s"), quoteaf (name));
}

/* Draw LINE as the status line; see diag.h.  */
void
diag_status_locked (char const *line)
{
  /* "\r" to the start of the line, the text, then erase what is left of
     a longer line drawn before: one write, no flicker.  */
  snprintf (status_text, sizeof status_text, "\r%s\033[K", line);
  status_shown = true;
  fputs (status_text, stderr);
}

/* Erase the status line; see diag.h.  */
void
diag_status_clear_locked (void)
{
  status_hide ();
  status_shown = false;
}

/* End the status line where it stands; see diag.h.  */
void
diag_status_keep_locked (void)
{
  if (status_shown)
    fputc ('\n', stderr);
  status_shown = false;
}

/* Print LINE above the status line; see diag.h.  */
void
diag_status_note_locked (char const *line)
{
  status_hide ();
  /* One write: stderr is unbuffered.  */
  fprintf (stderr, "%s\n", line);
  status_redraw ();
}
