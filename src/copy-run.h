/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-run.h -- the state one run of the engine shares among its layers
   (struct copy_run) and where a copy goes (struct copy_dest): the types
   copy-tree, copy-work and copy-file all see, below all of them.  */

#ifndef COPY_RUN_H
#define COPY_RUN_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

#include "copy-data.h"
#include "copy-meta.h"
#include "copy-options.h"

struct hlmap;
struct leftovers;
struct name_set;
struct dry_run;

/* Per-run state: the options, what the ladder has learnt, and the tables
   that span operands.  One per run; nothing here is global.  */
struct copy_run
{
  struct copy_options const *opt;
  struct meta_policy meta;      /* what copy-meta needs of OPT */
  struct ladder_state ladder;

  /* Source (st_dev, st_ino) -> first destination name, for
     --preserve=links; NULL when links are not preserved.  While workers
     copy an operand it also holds their link groups (copy-work.c), and
     LINKS_LOCK guards it: one lock for all, not one each, which on
     50,000 linked files was a fifth of their memory.  */
  struct hlmap *links;
  pthread_mutex_t links_lock;

  /* Directories this run created, by (st_dev, st_ino), so that a tree
     copied into itself is noticed.  */
  struct hlmap *dirs_made;

  /* When several operands are copied: the sources seen, and the
     destinations created by name, so that a source named twice is
     copied once and a file just created is not overwritten by another
     operand.  NULL when not tracking.  */
  struct hlmap *sources;
  /* With several operands and -R: the directories given as operands, by
     (st_dev, st_ino), -> their copies' names (GNU's remember_copied of
     command-line directories), for one met again inside another.  */
  struct hlmap *top_dirs;
  struct name_set *source_names;
  struct name_set *created;

  /* Regular files whose data was shared (cloned) and copied, so that a
     front-end can say which happened.  */
  unsigned long files_shared;
  unsigned long files_copied;

  /* Files still changing after copy_options.settle_tries copies.  */
  unsigned long files_unsettled;

  /* Workers for the per-file work of a tree, or NULL.  A failure found
     after copy_entry returned (a worker's, or a directory's metadata
     applied after its children) is noted in DEFERRED_FAILED, reached with
     atomic operations.  */
  struct copy_pool *pool;
  bool deferred_failed;
  /* How many workers the options and processors allow, until the pool
     is started (copy-tree.c's start_pool, which sets it to 0).  */
  int pool_workers;

  /* Descriptors the directories being copied may hold (what the
     descriptor limit leaves once the workers and the walker's own are
     counted), and how many they hold now (atomic: a worker finishing a
     directory closes its two).  Past the budget the walker waits for
     the workers, then closes ancestors' and opens them again by name
     when it comes back to them (copy-work.c).  */
  int fd_budget;
  int fds_held;

  /* Temporaries of earlier runs found beside the last destination
     directory copy_tree_beside looked in (see copy-tree.c).  */
  struct leftovers *leftovers;

  /* With copy_options.dry_run: what would be done.  */
  struct dry_run *dry;
};

/* Where a copy goes: entry RELNAME of directory DIRFD (AT_FDCWD for the
   working directory), called NAME in messages.  PATH names it for system
   calls from the working directory, when that is not NAME (a copy being
   made under a temporary name); NULL means NAME.  DEV is the device of
   that directory when the caller knows it, else 0.  ACL_INHERITED says
   the directory has a default ACL, so new entries do not follow the
   umask.  */
struct copy_dest
{
  int dirfd;
  char const *relname;
  char const *name;
  char const *path;
  dev_t dev;
  bool acl_inherited;
  /* The group a new entry gets: the directory's when it is set-group-ID
     (DIR_SETGID), else the process's.  Valid when DIR_KNOWN.  */
  bool dir_known;
  bool dir_setgid;
  gid_t dir_gid;
  /* The backup a caller made of what was there (cowmv across
     filesystems), relative to the directory, for the -v line; or NULL.  */
  char const *backup_made;
  /* --dry-run: the directory that would hold the entry would be made by
     this run, so nothing is there; DIRFD is then its nearest existing
     ancestor, for probes of the filesystem.  */
  bool absent;
  /* cp --parents: the operand's destination is taken for new, as GNU
     cp's new_dst (set when the operand's innermost parent was made, kept
     from an earlier operand when it has no parents of its own): what is
     there is not looked at (no -n, -u, -i, backup or removal), and
     making the entry fails with EEXIST.  */
  bool taken_new;
};

#endif /* COPY_RUN_H */
