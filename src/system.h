/* SPDX-License-Identifier: GPL-3.0-or-later */
/* system.h -- portability glue shared by every cowutils source file.  */

#ifndef SYSTEM_H
#define SYSTEM_H

#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "gettext.h"
#include "quote.h"
#include "quotearg.h"

/* The permission bits chmod can set.  */
#define CHMOD_MODE_BITS \
  (S_ISUID | S_ISGID | S_ISVTX | S_IRWXU | S_IRWXG | S_IRWXO)

#define _(msgid) gettext (msgid)
#define N_(msgid) msgid

/* File names in diagnostics are quoted as GNU coreutils quotes them: always
   quoted, shell-escaped where needed, so that the text can be pasted back
   into a shell.  */
#define quoteaf(arg) \
  quotearg_style (shell_escape_always_quoting_style, arg)
#define quoteaf_n(n, arg) \
  quotearg_n_style (n, shell_escape_always_quoting_style, arg)
/* The "NAME: message" form.  */
#define quotef(arg) \
  quotearg_n_style_colon (0, shell_escape_quoting_style, arg)

/* Each program's help, also called by argmatch after a bad option value
   (configure.ac sets ARGMATCH_DIE).  */
_Noreturn void usage (int status);

/* Return true if NAME (a last component) is "." or "..", with or
   without trailing slashes.  */
static inline bool
dot_or_dotdot (char const *name)
{
  return (name[0] == '.'
          && (name[1] == '\0' || name[1] == '/'
              || (name[1] == '.' && (name[2] == '\0' || name[2] == '/'))));
}

#endif /* SYSTEM_H */
