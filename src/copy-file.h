/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-file.h -- make one destination entry as cp does.  */

#ifndef COPY_FILE_H
#define COPY_FILE_H

#include "copy-run.h"

struct dir_node;
struct ladder_state;

/* Which operand is being copied, for "into itself"; and whether the
   walk must stop.  */
/* Where the walker builds the names of the entries it is at, so that
   a deep tree costs memory in proportion to its depth, not its square:
   the name of an entry at depth D is BUF's first bytes, its directory's
   a prefix of them.  A buffer outgrown is kept (in OLD) until the walk
   ends, because the directories above still point into it.  */
struct name_buf
{
  char *buf;
  size_t size;
  char **old;
  size_t n_old;
};

/* One operand's walk.  */
struct walk
{
  char const *top_src;
  char const *top_dst;
  bool stop;
  int depth;                /* directories entered below the operand */
  struct name_buf src_names, dst_names, path_names;
};

/* Where a source is: entry REL of directory DIRFD, called NAME.
   PARENT_DEV is the device of its directory (for -x), valid when
   HAS_PARENT.  */
struct src_ref
{
  int dirfd;
  char const *rel;
  char const *name;
  dev_t parent_dev;
  bool has_parent;
  struct dir_node *node;    /* its directory, when workers are used */
};

/* One entry being copied.  */
struct job
{
  struct copy_run *run;
  struct ladder_state *ladder;  /* the running thread's */
  struct walk *walk;
  struct src_ref const *src;
  struct copy_dest const *dst;
  bool command_line;
  struct stat src_st;
  struct stat dst_st;       /* valid when DST_EXISTS */
  bool dst_exists;
  char *backup;             /* the name the old destination got */
  bool verbose_done;
  char const *earlier;      /* the earlier copy it is being linked to,
                               or NULL */
  struct job const *earlier_at;  /* the job that made EARLIER, still
                               running (its directory open), to link
                               from without a lookup of EARLIER's whole
                               path; or NULL */
  bool replaced;            /* copy_file_make put the new entry over an
                               existing one */
  bool skipped;             /* the destination rules left it (-n), so
                               it is no copy for later names */
  char const *dir_earlier;  /* a directory operand an earlier operand
                               copied to this other entry, refused once
                               its destination passed the checks */
  bool dir_record;          /* a directory operand not copied before, to
                               record once its destination passed them */
  off_t data_moved;         /* bytes of data shared or copied */
};

/* Print the -v line for JOB, once.  */
void copy_file_say_verbose (struct job *job);

/* Return the name of JOB's destination for system calls made from the
   working directory.  */
char const *copy_file_dst_path (struct job const *job);

/* Make the destination of JOB with MAKE (mkdirat, symlinkat, ...),
   which returns 0 or -1 with errno, going through the destination rules
   when it exists.  FORMAT, untranslated (N_), reports a failure; TWO
   says it names the source too; REPLACE says that what the rules let
   stand may be removed to make way (cp -f for links).  Return 1 when
   made, 0 when skipped, -1 after an error; *MERGE is set when the
   destination is an existing directory to merge into.  */
int copy_file_make (struct job *job, int (*make) (struct job *, void *),
                    void *arg, char const *format, bool two, bool replace,
                    bool *merge);

/* Return true if a new destination of JOB gets its source's owner and
   group when it is made: with -p, nothing to chown and no bits to
   withhold (copy_meta_owner_final).  */
bool copy_file_owner_final (struct job const *job);

/* Return true if JOB's new destination is made in a directory that has,
   or may have, a default ACL (see withheld_bits in copy-meta.c).  */
bool copy_file_interim_acl (struct job const *job);

/* Apply the metadata of JOB to DST_FD (or to the symlink when -1), from
   SRC_FD; DST_MODE is the mode it has now, NEW_DST whether this run made
   it.  Return false after reporting a failure that counts.  */
bool copy_file_meta (struct job *job, int src_fd, int dst_fd,
                     mode_t dst_mode, bool new_dst);

/* Copy the regular file (or file read as one) of JOB: data, then
   metadata.  */
bool copy_file_regular (struct job *job);

/* Copy the symlink of JOB as a symlink.  */
bool copy_file_symlink (struct job *job);

/* Make the destination of JOB a link to the source: a hard link with -l
   (or to EARLIER, the first copy of a multiply-linked file), a symbolic
   link with -s.  */
bool copy_file_link (struct job *job, char const *earlier);

/* Report that hard link DST to EARLIER could not be made (ERR), in
   GNU's words, for a caller that makes it itself (cowmv -u).  */
void copy_file_link_failed (int err, char const *dst, char const *earlier);

/* Recreate the FIFO, socket or device of JOB.  */
bool copy_file_special (struct job *job);

#endif /* COPY_FILE_H */
