/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-tree.h -- copy named files and trees: the checks cp makes,
   creating each destination, the data and metadata steps, reporting.  */

#ifndef COPY_TREE_H
#define COPY_TREE_H

#include <stdbool.h>
#include <sys/types.h>

#include "copy-data.h"
#include "copy-meta.h"
#include "copy-options.h"

struct hash_table;
struct hlmap;
struct leftovers;
struct name_set;

/* Per-run state: the options, what the ladder has learnt, and the tables
   that span operands.  One per run; nothing here is global.  */
struct copy_run
{
  struct copy_options const *opt;
  struct meta_policy meta;      /* what copy-meta needs of OPT */
  struct ladder_state ladder;

  /* Source (st_dev, st_ino) -> first destination name, for
     --preserve=links; NULL when links are not preserved.  */
  struct hlmap *links;

  /* Multiply-linked files whose first copy a worker is making, while
     the operand is being copied (struct link_group in copy-tree.c).  */
  struct hash_table *pending_links;

  /* Directories this run created, by (st_dev, st_ino), so that a tree
     copied into itself is noticed.  */
  struct hlmap *dirs_made;

  /* When several operands are copied: the sources seen, and the
     destinations created by name, so that a source named twice is
     copied once and a file just created is not overwritten by another
     operand.  NULL when not tracking.  */
  struct hlmap *sources;
  struct name_set *created;

  /* Regular files whose data was shared (cloned) and copied, so that a
     front-end can say which happened.  */
  unsigned long files_shared;
  unsigned long files_copied;

  /* Workers for the per-file work of a tree, or NULL.  A failure found
     after copy_entry returned (a worker's, or a directory's metadata
     applied after its children) is noted in DEFERRED_FAILED, reached with
     atomic operations.  */
  struct copy_pool *pool;
  bool deferred_failed;

  /* Temporaries of earlier runs found beside the last destination
     directory copy_tree_beside looked in (see copy-tree.c).  */
  struct leftovers *leftovers;
};

/* Start RUN with options OPT.  With TRACK, watch for operands that name
   the same source twice or the same destination twice.  */
void copy_tree_init (struct copy_run *run, struct copy_options const *opt,
                     bool track);

/* Fill *META with what copy-meta needs of OPT.  */
void copy_tree_meta_policy (struct copy_options const *opt,
                            struct meta_policy *meta);

/* Release what RUN holds.  */
void copy_tree_free (struct copy_run *run);

/* Return true once RUN has been told to stop (a signal arrived).  From
   then on nothing the run does counts as done: an entry, a directory or
   an operand not finished before is a failure, without a message.  */
bool copy_tree_stopped (struct copy_run const *run);

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
};

/* Copy SRC_NAME to DST as cp does for a command-line operand, recursing
   into directories with -R, reporting any failure.  Return true on
   success or on a skip that is not an error; false also when the run
   was stopped before the workers were done with it, whatever was
   copied.  */
bool copy_tree_file (struct copy_run *run, char const *src_name,
                     struct copy_dest const *dst);

/* How copy_tree_beside names a temporary copy, and what it says of one
   an earlier run left.  */
struct beside_names
{
  /* The temporary for entry NAME is ".NAME.TAG-XXXXXX" (NAME cut short
     when the whole would be too long), e.g. ".t.cowmv-AbC123".  */
  char const *tag;

  /* A warning (translated, with one %s for the quoted name) printed for
     each such temporary found beside the destination before the copy:
     what a process killed mid-copy (SIGKILL, a crash, a power cut) left
     behind.  It is not removed: it may be the copy of a run still going
     on in another process.  */
  char const *leftover;
};

/* Copy SRC_NAME as copy_tree_file does, to a new temporary name beside
   entry REL of directory DIRFD (DIR_PATH is DIRFD's name from the
   working directory, NULL for AT_FDCWD), made as NAMES says, calling it
   DST_NAME in messages, so that nothing incomplete ever shows under REL.
   Return the temporary name, relative to DIRFD, for the caller to rename
   into place (then call copy_tree_placed) and free; on failure, or when
   the run was stopped (copy_tree_stopped) before the copy was complete,
   remove what was made and return NULL.  */
char *copy_tree_beside (struct copy_run *run, char const *src_name,
                        int dirfd, char const *dir_path, char const *rel,
                        char const *dst_name,
                        struct beside_names const *names);

/* The copy built under TMP_PATH (from the working directory) was renamed
   to PATH: keep the hard-link table pointing at the right names.  */
void copy_tree_placed (struct copy_run *run, char const *tmp_path,
                       char const *path);

/* With --parents, directory REL of DIRFD (called DST_NAME) stands for
   source directory SRC_NAME, and what is under it has been copied: give
   it the owner, times and mode or ACLs that RUN preserves, as GNU cp
   does (also when it existed already), and the mode *RESTORE when not
   NULL and modes are not preserved.  Return false after reporting, or
   without a word when the run was stopped: then what is under it may
   not all have been copied, and it keeps the mode it was made with.  */
bool copy_tree_parent_meta (struct copy_run *run, char const *src_name,
                            int dirfd, char const *rel,
                            char const *dst_name, mode_t const *restore);

/* Return true if file names A and B name the same directory entry: the
   same last component in the same directory ("f" and "./f").  */
bool copy_tree_same_entry (char const *a, char const *b);

/* Describe directory DIRFD, where entries are to be made, in *DST: its
   device, whether it has a default ACL, and the group new entries get
   in it.  Return 0, or -1 with errno set.  */
int copy_tree_describe_dir (int dirfd, struct copy_dest *dst);

#endif /* COPY_TREE_H */
