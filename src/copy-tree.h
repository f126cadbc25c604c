/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-tree.h -- copy named files and trees: the checks cp makes,
   creating each destination, the data and metadata steps, reporting.  */

#ifndef COPY_TREE_H
#define COPY_TREE_H

#include "copy-run.h"

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

  /* The backup the caller made of what was at the destination, relative
     to its directory, named in the -v line; NULL for none.  */
  char const *backup;
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

/* The copy built under TMP, an entry of directory DIR_PATH (NULL for
   the working directory), was renamed to entry REL of it: keep the
   hard-link table pointing at the right names.  */
void copy_tree_placed (struct copy_run *run, char const *dir_path,
                       char const *tmp, char const *rel);

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

/* Warn, as GNU does, that the source NAME (a directory when DIR) was
   named more than once.  */
void copy_tree_say_twice (char const *name, bool dir);

#endif /* COPY_TREE_H */
