/* SPDX-License-Identifier: GPL-3.0-or-later */
/* snap-run.h -- what cowsnap's commands share: the options, the run
   (with the copy engine), the snapshots of a path, and the commands
   themselves (snap-make.c makes, restores, deletes and prunes
   snapshots; snap-look.c finds, lists and compares them).  */

#ifndef SNAP_RUN_H
#define SNAP_RUN_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "copy-run.h"
#include "snap-retain.h"
#include "snap-space.h"

/* The commands; CMD_CREATE is the default.  */
enum command
{
  CMD_CREATE,
  CMD_LIST,
  CMD_RESTORE,
  CMD_DELETE,
  CMD_PRUNE,
  CMD_SCHEDULE,
  CMD_DIFF,
  CMD_COUNT
};

/* What the command line asks for.  */
struct snap_options
{
  enum command command;
  char const *dir;          /* --dir */
  char const *name;         /* --name, or the second operand */
  char const *to;           /* restore --to */
  bool copy;                /* --copy */
  bool strict;              /* --strict */
  bool no_keep;             /* restore --no-keep */
  bool verbose;             /* -v */
  bool debug;               /* --debug */
  bool if_changed;          /* --if-changed */
  bool json;                /* list --json */
  bool human;               /* list -h */
  bool dry_run;             /* prune --dry-run */
  struct retain_policy keep;  /* prune's --keep-... and --min-age */
  bool have_keep;           /* any of them given */
  int period;               /* schedule: enum snap_period, or -1 */
  bool print;               /* schedule --print */
  bool remove;              /* schedule --remove */
  char const *unit_dir;     /* schedule --unit-dir */
};

/* One run: the options and the copy engine's state.  */
struct snap_run
{
  struct snap_options const *opt;
  struct copy_options copy;
  struct copy_run engine;
  bool engine_ready;
};

/* One snapshot of a path.  */
struct snap_entry
{
  char *name;               /* its entry in the place's directory */
  char const *suffix;       /* what follows "BASE." in NAME */
  struct timespec time;     /* its stamp's, or when it was made */
  bool stamped;             /* its suffix is a stamp */
};

/* Report that PATH (whose place could not be found: errno) cannot be
   snapshotted or looked up, with DIR the --dir given or NULL.  */
void snap_report_place (char const *path, char const *dir);

/* Fill *P with the place of the snapshots of PATH, which may be gone
   (*EXISTS says whether it is there): then its place is that of an entry
   of its directory, P->path the name it had.  Return false after
   reporting.  */
bool snap_find_place (char const *path, char const *dir,
                      struct snap_place *p, bool *exists);

/* Put in *ENTRIES (N of them, oldest first; free with
   snap_entries_free) the snapshots of place P.  A directory that is not
   there holds none.  Return false with errno set when it cannot be
   read.  */
bool snap_collect (struct snap_place const *p, struct snap_entry **entries,
                   size_t *n);

/* Free the N ENTRIES of snap_collect.  */
void snap_entries_free (struct snap_entry *entries, size_t n);

/* Return, newly allocated, the name SNAP means for PATH's snapshots in
   P: a file name when it holds a '/', else BASE.SNAP in P->dir; with
   SNAP NULL, the newest snapshot of P.  NULL after reporting.  */
char *snap_named (struct snap_place const *p, char const *path,
                  char const *snap);

/* Compare snapshot A with B (a later snapshot, or what is live), both
   file names, printing the differences to OUT when not NULL.  Set
   *DIFFER to whether anything differs.  SPACE: the namespace, left
   out, or NULL.  With DEBUG, say what was read and what the extent maps
   proved equal.  Return false after reporting.  */
bool snap_compare (char const *a, char const *b, FILE *out,
                   struct stat const *space, bool debug, bool *differ);

/* The commands, each on one operand (list on all of them).  Each
   returns false after reporting a failure.  */
bool snap_create_path (struct snap_run *run, char const *path,
                       char const *name);
bool snap_restore_path (struct snap_run *run, char const *path,
                        char const *snap);
bool snap_delete (struct snap_run *run, char const *snap);
bool snap_prune_path (struct snap_run *run, char const *path);
bool snap_list_paths (struct snap_run *run, char **files, int n);
bool snap_diff_path (struct snap_run *run, char const *path,
                     char const *snap, char const *snap2);

#endif /* SNAP_RUN_H */
