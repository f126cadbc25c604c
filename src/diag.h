/* SPDX-License-Identifier: GPL-3.0-or-later */
/* diag.h -- the one place that prints diagnostics and progress lines.  */

#ifndef DIAG_H
#define DIAG_H

#include <stdarg.h>

/* Print "PROGRAM: MESSAGE[: strerror (ERRNUM)]" on stderr, as gnulib's
   error (0, ERRNUM, ...) does, as one uninterleaved line.  */
void diag_error (int errnum, char const *format, ...)
  __attribute__ ((format (printf, 2, 3)));

/* Print one line (FORMAT plus a newline) on stdout, uninterleaved with
   lines of other threads.  Used for -v and --debug.  */
void diag_line (char const *format, ...)
  __attribute__ ((format (printf, 1, 2)));

/* Print a prompt "PROGRAM: QUESTION" on stderr without a newline and read
   the answer from stdin; return true for an affirmative answer.  */
bool diag_ask (char const *format, ...)
  __attribute__ ((format (printf, 1, 2)));

#endif /* DIAG_H */
