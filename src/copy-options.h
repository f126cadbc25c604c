/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-options.h -- what a front-end asks the copy engine to do.  */

#ifndef COPY_OPTIONS_H
#define COPY_OPTIONS_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

struct progress_counts;

/* --cow=WHEN (alias --reflink).  */
enum cow_mode
{
  COW_NEVER,        /* never share data: no clone, no copy offload */
  COW_AUTO,         /* share where possible, else copy */
  COW_ALWAYS        /* share or fail */
};

/* --sparse=WHEN.  */
enum sparse_mode
{
  SPARSE_NEVER,     /* write every byte, holes filled */
  SPARSE_AUTO,      /* keep the holes the source has */
  SPARSE_ALWAYS     /* also punch holes where zero blocks are found */
};

/* What to do when the destination exists (-i, -n, -f).  */
enum interactive_mode
{
  I_UNSPECIFIED,
  I_ALWAYS_YES,     /* -f: overwrite without asking */
  I_ALWAYS_SKIP,    /* -n: skip silently */
  I_ASK_USER        /* -i: prompt */
};

/* Which symlinks to follow (-P, -H, -L).  */
enum deref_mode
{
  DEREF_NEVER,              /* -P: copy symlinks as symlinks */
  DEREF_COMMAND_LINE,       /* -H: follow those named as operands */
  DEREF_ALWAYS              /* -L: follow all */
};

/* --update=WHICH.  */
enum update_mode
{
  UPDATE_ALL,               /* replace existing files (the default) */
  UPDATE_NONE,              /* skip them (-n) */
  UPDATE_NONE_FAIL,         /* skip them and fail */
  UPDATE_OLDER              /* replace only older ones (-u) */
};

struct copy_options
{
  enum cow_mode cow;
  enum sparse_mode sparse;
  enum interactive_mode interactive;
  enum update_mode update;
  enum deref_mode deref;

  bool recursive;           /* -R */
  bool one_file_system;     /* -x */
  bool copy_contents;       /* --copy-contents: read special files */
  bool keep_dir_symlink;    /* --keep-directory-symlink */
  bool hard_link;           /* -l: link files instead of copying */
  bool symbolic_link;       /* -s: make symlinks instead of copying */
  bool remove_destination;  /* --remove-destination */
  bool data_copy_required;  /* false with --attributes-only */
  int backup_type;          /* enum backup_type of gnulib's backupfile */

  /* --preserve / --no-preserve.  The require_ flags say that failing to
     preserve is an error, not something to pass over quietly.  */
  bool preserve_mode;
  bool preserve_ownership;
  bool preserve_timestamps;
  bool preserve_links;
  bool preserve_xattr;
  bool preserve_context;
  bool require_preserve;          /* -p or an explicit --preserve list */
  bool require_preserve_xattr;    /* --preserve=xattr named */
  bool preserve_flags;            /* inode flags (chattr) */
  bool require_preserve_flags;    /* --preserve=flags named */
  bool reduce_diagnostics;        /* -a: quiet where the fs cannot */
  bool explicit_no_preserve_mode; /* --no-preserve=mode */

  mode_t umask;             /* the process umask, read once */
  bool chown_privileges;    /* may give files away (CAP_CHOWN) */
  uid_t euid;               /* owner of what we create */
  gid_t egid;

  /* -f: when an existing destination cannot be opened, remove it and
     try again.  */
  bool unlink_dest_after_failed_open;

  /* POSIXLY_CORRECT was set: write through a dangling symlink.  Read
     once by the front-end; the engine reads no environment.  */
  bool posixly_correct;

  bool verbose;     /* -v: "'SRC' -> 'DST'" per file */
  /* What a move across filesystems does differently from cp -a: -v says
     "copied" and "created directory", and is silent about the hard links
     it makes (MV_WORDS); every file is looked up in the link table, and
     every operand recorded there, since the names of a file moved with
     an earlier operand are gone (LINKS_ACROSS_OPERANDS).  */
  bool mv_words;
  bool links_across_operands;
  bool debug;       /* --debug: how each file's data was moved */
  /* --dry-run: walk and decide as a real run does, but at each point
     where it would act record and say what it would do instead
     (dry-run.c); nothing is written.  */
  bool dry_run;

  /* Set asynchronously by the front-end's signal handler; the engine
     checks it between chunks and stops.  NULL when not used.  */
  sig_atomic_t volatile const *stop;
  /* A signal with a handler that does nothing (and no SA_RESTART), sent
     to the workers once STOP is set, so that a call blocked in one of
     them (opening a FIFO, reading a device) returns EINTR.  0: none.  */
  int wake_signal;

  /* cowsnap: a directory the walk leaves out, by device and inode (the
     .snapshot namespace, when a tree that holds it is snapshotted), when
     SKIP_DIR; an operand is never left out.  */
  bool skip_dir;
  dev_t skip_dev;
  ino_t skip_ino;

  /* cowsnap: when SETTLE_TRIES is not 0, a regular file whose size,
     modification or status change time differ after its data was copied
     from what they were before is copied again, up to SETTLE_TRIES more
     times; one still changing is kept as copied last, reported with
     UNSETTLED (translated, one %s for the quoted source name), and
     counted in copy_run.files_unsettled, not failed.  */
  int settle_tries;
  char const *unsettled;

  /* cowsnap: the operand's copy is reached by nobody else until it is
     complete (a directory made for its owner alone, or a file, then
     renamed into place): no permission bits are withheld from what is
     made inside it, so that no chmod is needed to give them back.  */
  bool private_dest;
  /* What the walker and the workers have seen and done, for the status
     line (--progress, SIGUSR1); updated as they go.  NULL: not
     counted.  */
  struct progress_counts *progress;
};

#endif /* COPY_OPTIONS_H */
