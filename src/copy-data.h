/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-data.h -- move one file's bytes, sharing extents where possible.  */

#ifndef COPY_DATA_H
#define COPY_DATA_H

#include <stdbool.h>
#include <sys/types.h>

#include "copy-options.h"

struct progress_counts;

/* The rungs of the ladder, in the order they are tried.  */
enum rung
{
  RUNG_NONE,          /* no data moved (empty file) */
  RUNG_FICLONE,       /* whole-file clone */
  RUNG_FICLONERANGE,  /* clone per data extent or chunk */
  RUNG_CFR,           /* copy_file_range */
  RUNG_SENDFILE,      /* sendfile */
  RUNG_RW,            /* read and write */
  RUNG_COUNT
};

/* How a method fared, as GNU cp's --debug reports it.  */
enum debug_val
{
  DEBUG_UNKNOWN,      /* not reached */
  DEBUG_NO,           /* not used */
  DEBUG_YES,          /* did the work */
  DEBUG_AVOIDED,      /* ruled out by the options */
  DEBUG_UNSUPPORTED   /* tried; not possible here */
};

/* How holes in the source were found.  */
enum sparse_detect
{
  DETECT_UNKNOWN,     /* never looked (whole-file clone) */
  DETECT_NO,          /* the source was read as it is */
  DETECT_ZEROS,       /* zero blocks turned into holes */
  DETECT_SEEK_HOLE,   /* SEEK_DATA/SEEK_HOLE */
  DETECT_SEEK_HOLE_ZEROS
};

/* Rungs known not to work for one (source device, destination device)
   pair, remembered for the rest of a run so that a tree copied from ext4
   does not ask for a clone once per file.  Owned by the caller; start it
   zeroed.  */
enum { LADDER_PAIRS = 8 };
struct ladder_state
{
  struct ladder_pair
  {
    dev_t src_dev;
    dev_t dst_dev;
    unsigned int skip;          /* bit (1 << RUNG_x) per unusable rung */
    int clone_errno;            /* why cloning is not possible */
  } pair[LADDER_PAIRS];
  int n_pairs;
  int next_victim;
};

/* One file's data copy.  */
struct data_request
{
  int src_fd;                   /* open for reading */
  int dst_fd;                   /* open for writing, empty */
  struct stat const *src_st;    /* fstat of SRC_FD */
  dev_t dst_dev;                /* device of the destination; 0: unknown */
  bool dst_regular;             /* holes may be made in the destination */
  bool dst_flags_ok;            /* its NOCOW flag may be changed to let a
                                   clone work: it is new, or was empty */
  char const *src_name;         /* for messages only */
  char const *dst_name;
  enum cow_mode cow;
  enum sparse_mode sparse;
  sig_atomic_t volatile const *stop;  /* see struct copy_options */
  struct progress_counts *progress;   /* bytes moved go here; or NULL */
};

/* What happened, for --debug.  */
struct data_result
{
  enum rung rung;               /* the rung that moved the data */
  enum debug_val offload;       /* copy_file_range */
  enum debug_val reflink;       /* FICLONE / FICLONERANGE */
  enum sparse_detect sparse;
  off_t bytes;                  /* bytes of data moved or shared */
  bool interrupted;             /* stopped by *STOP */
};

/* Copy the data of RQ->src_fd to RQ->dst_fd with the first rung of the
   ladder that works, keeping holes as RQ->sparse says.  LS remembers
   unusable rungs per device pair; RES receives what was done.
   Return true on success.  On failure a diagnostic naming the file has
   been printed (none when RES->interrupted) and the destination holds
   partial data; removing it is the caller's business.  */
bool copy_data (struct data_request const *rq, struct ladder_state *ls,
                struct data_result *res);

/* Name of rung R, for --debug.  */
char const *copy_data_rung_name (enum rung r);

/* The words GNU cp's --debug uses.  */
char const *copy_data_debug_word (enum debug_val v);
char const *copy_data_sparse_word (enum sparse_detect d);

#endif /* COPY_DATA_H */
