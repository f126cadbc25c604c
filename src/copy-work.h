/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-work.h -- the walker's side of the worker pool.  */

#ifndef COPY_WORK_H
#define COPY_WORK_H

#include <dirent.h>

#include "copy-file.h"

/* A directory being copied, kept until its last entry is done: then its
   metadata is applied (after its children, so that their creation does
   not change its times) and its descriptors closed.  */
struct dir_node
{
  int pending;              /* references: the walker's, and one per
                               unfinished subdirectory, queued batch
                               and name waiting to be linked */
  struct dir_node *parent;
  struct src_ref src;       /* owned copies of the names; below the
                               operand, of the last components only */
  struct copy_dest dst;
  struct job job;           /* points at SRC and DST above */
  DIR *dir;                 /* the source directory, open for children */
  int meta_src;             /* descriptor for its metadata, or -1 */
  int dst_fd;
  mode_t mode;              /* mode it has now */
  bool new_dst;
  bool parked;              /* both descriptors closed for room; the
                               walker opens them again by name */
  dev_t dst_dev;            /* what DST_FD is, to check a reopening */
  ino_t dst_ino;
  int fds;                  /* descriptors it holds, counted in the run's
                               fds_held */
  bool has_path;            /* its copy_dest has a PATH */
  bool meta_by_name;        /* the source could not be opened: read its
                               metadata by name */
  bool absent;              /* --dry-run: it would be made; DST_FD is its
                               nearest existing ancestor */
  struct file_batch *batch; /* files gathered for the workers */
};

/* Make a node for the directory of JOB, whose destination is open as
   DST_FD (described by DST_ST) with mode MODE (NEW_DST: made by this
   run).  It holds its
   parent until it is finished.  */
struct dir_node *copy_work_node_new (struct job const *job, int dst_fd,
                                     struct stat const *dst_st,
                                     mode_t mode, bool new_dst);

/* Drop one reference to N; the last one applies its metadata and frees
   it.  */
void copy_work_node_release (struct dir_node *n);

/* Make room under RUN's descriptor budget for two more descriptors,
   before the walker opens a directory below node KEEP (NULL at the top):
   if the directories hold too many, hand over every batch and wait for
   the workers (finished directories close theirs); if that is not
   enough, close those of KEEP's ancestors, from the top, to be opened
   again when the walker is back (copy_work_node_unpark).  KEEP's own
   stay open: the new directory is opened from them.  */
void copy_work_fd_room (struct copy_run *run, struct dir_node *keep);

/* Count N descriptors opened (negative: closed) for directories.  */
void copy_work_fds_held (struct copy_run *run, int n);

/* Open the descriptors of node N again, if they were closed for room,
   by name from its nearest open ancestor, checking that each is the
   directory it was.  Return true, or false with errno set.  */
bool copy_work_node_unpark (struct dir_node *n);

/* Hand the files gathered for directory N to the workers.  */
void copy_work_flush (struct dir_node *n);

/* Gather the regular file or symlink of JOB (an entry of a directory
   node) for the workers.  Its outcome is noted with
   copy_work_note_failure; return true.  */
bool copy_work_submit (struct job *job);

/* Hand the multiply-linked regular file of JOB to the workers: its
   first name is copied by one, a later name waits for that copy and
   becomes a link to it.  Return false only after a failure reported
   now.  */
bool copy_work_defer_linked (struct job *job);

/* Note a failure found after the entry's own copy returned (by a worker,
   or in a directory's metadata applied after its children).  */
void copy_work_note_failure (struct copy_run *run);

#endif /* COPY_WORK_H */
