/* SPDX-License-Identifier: GPL-3.0-or-later */
/* diag.h -- the one place that prints diagnostics and progress lines.  */

#ifndef DIAG_H
#define DIAG_H

#include <stdbool.h>

/* Output is serialised across worker threads by one lock, which is held
   while the arguments are evaluated too: gnulib's quoting functions
   (quoteaf and friends) reuse static buffers.  Use the macros.  */
void diag_lock (void);
void diag_unlock (void);

/* Print "PROGRAM: MESSAGE[: strerror (ERRNUM)]" on stderr, as gnulib's
   error (0, ERRNUM, ...) does, as one uninterleaved line.  */
#define diag_error(...) \
  (diag_lock (), diag_error_locked (__VA_ARGS__), diag_unlock ())
void diag_error_locked (int errnum, char const *format, ...)
  __attribute__ ((format (printf, 2, 3)));

/* Print one line (FORMAT plus a newline) on stdout.  Used for -v and
   --debug.  */
#define diag_line(...) \
  (diag_lock (), diag_line_locked (__VA_ARGS__), diag_unlock ())
void diag_line_locked (char const *format, ...)
  __attribute__ ((format (printf, 1, 2)));

/* Print a prompt "PROGRAM: QUESTION" on stderr without a newline and read
   the answer from stdin; true for an affirmative answer.  */
#define diag_ask(...) \
  ({ diag_lock (); bool diag_yes_ = diag_ask_locked (__VA_ARGS__); \
     diag_unlock (); diag_yes_; })
bool diag_ask_locked (char const *format, ...)
  __attribute__ ((format (printf, 1, 2)));

/* The status line of --progress, at the bottom of stderr on a
   terminal: the functions above erase it before they print and draw it
   again after.  DIAG_STATUS_LOCKED draws LINE (which must fit the
   terminal's width) in place of the one shown;
   DIAG_STATUS_CLEAR_LOCKED erases it, leaving the cursor at the start of
   an empty line; DIAG_STATUS_KEEP_LOCKED leaves it on the screen and
   moves to the next line.  DIAG_STATUS_NOTE_LOCKED prints LINE on stderr
   as a line of its own (the SIGUSR1 line, or --progress=always when
   stderr is no terminal).  All with the lock held.  */
void diag_status_locked (char const *line);
void diag_status_clear_locked (void);
void diag_status_keep_locked (void);
void diag_status_note_locked (char const *line);

/* Report "cannot stat NAME" with ERRNUM, GNU's words for a failed stat
   of a file named on the command line or met in a tree.  */
void diag_cannot_stat (int errnum, char const *name);

#endif /* DIAG_H */
