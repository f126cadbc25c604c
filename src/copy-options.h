/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-options.h -- what a front-end asks the copy engine to do.  */

#ifndef COPY_OPTIONS_H
#define COPY_OPTIONS_H

#include <signal.h>
#include <stdbool.h>

/* --cow=WHEN (alias --reflink).  */
enum cow_mode
{
  COW_NEVER,        /* never share data: no clone, no copy offload */
  COW_AUTO,         /* share where possible, else copy */
  COW_ALWAYS        /* share or fail */
};

/* --sparse=WHEN.  */
enum sparse_mode
{
  SPARSE_NEVER,     /* write every byte, holes filled */
  SPARSE_AUTO,      /* keep the holes the source has */
  SPARSE_ALWAYS     /* also punch holes where zero blocks are found */
};

/* What to do when the destination exists (-i, -n, -f).  */
enum interactive_mode
{
  I_UNSPECIFIED,
  I_ALWAYS_YES,     /* -f: overwrite without asking */
  I_ALWAYS_SKIP,    /* -n: skip silently */
  I_ASK_USER        /* -i: prompt */
};

struct copy_options
{
  enum cow_mode cow;
  enum sparse_mode sparse;
  enum interactive_mode interactive;

  /* -f: when an existing destination cannot be opened, remove it and
     try again.  */
  bool unlink_dest_after_failed_open;

  bool verbose;     /* -v: "'SRC' -> 'DST'" per file */
  bool debug;       /* --debug: how each file's data was moved */

  /* Set asynchronously by the front-end's signal handler; the engine
     checks it between chunks and stops.  NULL when not used.  */
  sig_atomic_t volatile const *stop;
};

#endif /* COPY_OPTIONS_H */
