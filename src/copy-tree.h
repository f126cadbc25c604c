/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-tree.h -- copy named files: checks, creation, data, reporting.  */

#ifndef COPY_TREE_H
#define COPY_TREE_H

#include <stdbool.h>
#include <sys/types.h>

#include "copy-data.h"
#include "copy-options.h"

/* Per-run state: the options and what the ladder has learnt.  One per
   run; nothing here is global.  */
struct copy_run
{
  struct copy_options const *opt;
  struct ladder_state ladder;
};

/* Start RUN with options OPT.  */
void copy_tree_init (struct copy_run *run, struct copy_options const *opt);

/* Where a copy goes: entry RELNAME of directory DIRFD (AT_FDCWD for the
   working directory), called NAME in messages.  DEV is the device of that
   directory when the caller knows it, else 0.  */
struct copy_dest
{
  int dirfd;
  char const *relname;
  char const *name;
  dev_t dev;
};

/* Copy SRC_NAME to DST as cp does for a command-line operand, reporting
   any failure.  Return true on success or on a skip that is not an
   error.  */
bool copy_tree_file (struct copy_run *run, char const *src_name,
                     struct copy_dest const *dst);

#endif /* COPY_TREE_H */
