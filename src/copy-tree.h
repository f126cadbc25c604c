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

  /* When several operands go into one directory: the sources seen, by
     (st_dev, st_ino), and the destinations created, by name, so that a
     source named twice is copied once and a file just created is not
     overwritten by another operand.  NULL when not tracking.  */
  struct hash_table *sources;
  struct hash_table *created;
};

/* Start RUN with options OPT.  With TRACK, watch for operands that name
   the same source twice or the same destination twice.  */
void copy_tree_init (struct copy_run *run, struct copy_options const *opt,
                     bool track);

/* Release what RUN holds.  */
void copy_tree_free (struct copy_run *run);

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
