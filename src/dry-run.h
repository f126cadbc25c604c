/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dry-run.h -- --dry-run: what a run would do, said instead of done.  */

#ifndef DRY_RUN_H
#define DRY_RUN_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "copy-options.h"

/* What would be done to one entry.  The first ones are the entry's
   own outcome; the last three come before one (the old destination
   overwritten, backed up or removed to make way).  */
enum dry_verb
{
  DRY_CLONE,            /* a regular file whose data would be shared */
  DRY_COPY,             /* one whose bytes would be copied */
  DRY_LINK,             /* a hard link (-l, a later name of a file) */
  DRY_SYMLINK,          /* a symbolic link */
  DRY_MKNOD,            /* a FIFO, socket or device */
  DRY_MKDIR,            /* a new directory */
  DRY_RENAME,           /* mv: the source renamed into place */
  DRY_EXCHANGE,         /* mv --exchange: the two swapped */
  DRY_SKIP,             /* the destination left as it is */
  DRY_REMOVE_SOURCE,    /* mv: the source removed after its copy */
  DRY_OVERWRITE,        /* an existing file written in place */
  DRY_BACKUP,           /* the old destination renamed to its backup */
  DRY_REMOVE,           /* the old destination removed */
  DRY_VERBS
};

/* Why bytes would be copied rather than shared.  */
enum dry_why
{
  WHY_CROSS_FS,         /* different filesystems */
  WHY_CANNOT_SHARE,     /* the filesystem cannot share data */
  WHY_NOCOW,            /* btrfs NOCOW flags differ, and the destination
                           (not empty) cannot take the source's */
  WHY_COW_NEVER,        /* --cow=never */
  WHY_SPARSE_NEVER,     /* --sparse=never fills holes: no clone */
  WHY_NOT_REGULAR,      /* the source is read, not a regular file */
  WHY_COUNT
};

/* Whether the data of one regular file could be shared.  */
struct dry_data
{
  int src_fd;                   /* the source, open for reading */
  struct stat const *src_st;
  int dst_dirfd;                /* the destination would be entry */
  char const *dst_rel;          /* DST_REL of DST_DIRFD */
  int dst_fd;                   /* an existing destination, open, or -1 */
  bool dst_flags_ok;            /* its NOCOW flag may be matched */
  enum cow_mode cow;
  enum sparse_mode sparse;
  char const *src_name;         /* for messages */
  char const *dst_name;
};

struct dry_run;

/* Return a new, empty record of a dry run.  With VERBOSE each entry is
   said as it is met.  */
struct dry_run *dry_run_new (bool verbose);

/* Free DR.  */
void dry_run_free (struct dry_run *dr);

/* Record that V would be done, from A to B (B NULL for a verb about one
   name, A), copying or sharing BYTES; say it with -v: "would V 'A'" or
   "would V 'A' -> 'B'".  */
void dry_run_note (struct dry_run *dr, enum dry_verb v, char const *a,
                   char const *b, off_t bytes);

/* Decide, as the ladder would find it, whether the data of Q would be
   shared or copied, record it and say it.  Where the device pair does
   not decide it, clone the first block of the source once into an
   unnamed O_TMPFILE in the destination's directory (which is never
   linked), and remember the answer for the pair.  Return false after
   reporting the error a real run would give (--cow=always where no
   clone is possible).  */
bool dry_run_data (struct dry_run *dr, struct dry_data const *q);

/* Return true if entry REL of DIRFD could be created: its directory
   may be written and searched by the effective user.  Else set errno
   as creating it would.  */
bool dry_run_can_create (int dirfd, char const *rel);

/* Return true if the sticky bit of a directory of status DIR_ST keeps
   this process from removing or replacing its entry of status ST: the
   directory is sticky, and the process (not privileged) owns neither
   the entry nor the directory.  rename(2) then fails with EPERM.  */
bool dry_run_sticky_denies (struct stat const *dir_st,
                            struct stat const *st);

/* Record that the dry run would make the regular file NAME, an operand's
   destination, with the status ST (as far as it can be told): a later
   operand meets it there, as in a real run.  */
void dry_run_file_made (struct dry_run *dr, char const *name,
                        struct stat const *st);

/* Return the status of the regular file the dry run would have made as
   NAME, or NULL.  */
struct stat const *dry_run_file_at (struct dry_run const *dr,
                                    char const *name);

/* Record that directory NAME would be made in the existing directory
   DEV, INO: a tree copied into itself meets it as a source.  */
void dry_run_dir_made (struct dry_run *dr, dev_t dev, ino_t ino,
                       char const *name);

/* Return true if entry NAME (any, when NULL) of directory DEV, INO is
   one DR recorded with dry_run_dir_made.  */
bool dry_run_dir_was_made (struct dry_run const *dr, dev_t dev, ino_t ino,
                           char const *name);

/* Print the summary of DR on stdout: entries, bytes that would be
   shared and copied and why, and ERRORS, the diagnostics printed.  */
void dry_run_summary (struct dry_run const *dr, unsigned long errors);

#endif /* DRY_RUN_H */
