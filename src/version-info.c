/* SPDX-License-Identifier: GPL-3.0-or-later */
/* version-info.c -- the copyright line --version prints.  */

#include <config.h>

#include "version-etc.h"

/* gnulib's version_etc prints this with "(C)" and the year.  */
char const version_etc_copyright[] =
  "Copyright %s 2026 the cowutils authors.";
