/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-file-internal.h -- what the three files of copy-file share:
   copy-file.c (the checks on an existing destination, regular files),
   copy-file-make.c (directories, links, special files: entries made in
   one call) and copy-file-dry.c (--dry-run).  No other module includes
   it.  */

#ifndef COPY_FILE_INTERNAL_H
#define COPY_FILE_INTERNAL_H

#include "copy-file.h"

struct dest_decision;
struct dest_policy;
struct dest_where;

/* What to do with an existing destination.  */
enum existing
{
  EXIST_NONE,               /* there is none after all: create it */
  EXIST_REUSE,              /* write into it (a regular file) */
  EXIST_MERGE,              /* a directory to copy into */
  EXIST_GONE,               /* it was removed or backed up: create it */
  EXIST_SKIP,               /* leave it; not an error */
  EXIST_FAIL                /* leave it; an error, reported */
};

/* Fill *P with what JOB's options say about an existing destination.  */
void copy_file_policy (struct job const *job, struct dest_policy *p);

/* Describe JOB for the dest-probe functions in *W.  */
void copy_file_where (struct job const *job, struct dest_where *w);

/* Carry out decision D on the destination of JOB, described by W; set
   *FOLLOW when a dangling symlink may be written through.  */
enum existing copy_file_carry_out (struct job *job,
                                   struct dest_where const *w,
                                   struct dest_decision const *d,
                                   bool *follow);

/* The destination of JOB exists, or creating it said EEXIST: decide what
   to do and do the first part of it (a backup, a removal, a question).
   *FOLLOW as for copy_file_carry_out.  */
enum existing copy_file_check_existing (struct job *job, bool *follow);

/* Remember that this run created the destination of JOB.  */
void copy_file_note_created (struct job *job);

/* Report that creating JOB's destination failed with ERR, as FORMAT
   says; TWO when FORMAT names the source (or earlier copy) too.  */
void copy_file_report_create (struct job *job, int err, char const *format,
                              bool two);

/* Return true if JOB's destination is to be taken for new, whatever is
   there (see taken_new in copy-run.h).  */
bool copy_file_taken_new (struct job const *job);

/* A copy of JOB failed after its destination was backed up: put the
   backup back, as GNU cp does, saying so with -v.  */
void copy_file_undo_backup (struct job *job);

/* Before an error of its own about JOB, go through the checks on an
   existing destination as GNU cp does (see copy-file.c).  Return 1 when
   they skipped the file, 0 when they failed it, -1 to go on to the
   error.  */
int copy_file_checks_first (struct job *job, struct stat *st, int flags);

/* --dry-run (copy-file-dry.c).  */

/* The regular file of JOB, its source open as SRC_FD (which this
   closes): go through the checks on an existing destination as a real
   copy does, then say whether the data would be shared or copied.
   Return the result the copy would have, as far as it can be known
   without writing.  */
bool copy_file_dry_regular (struct job *job, int src_fd);

/* Go through copy_file_make's checks for JOB (FORMAT, TWO, REPLACE and
   *MERGE as there) and say what it would make.  Return as
   copy_file_make does.  */
int copy_file_dry_make (struct job *job, char const *format, bool two,
                        bool replace, bool *merge);

#endif
