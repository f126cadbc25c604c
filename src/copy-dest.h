/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-dest.h -- what to do with an existing destination: GNU cp's and
   mv's rules as one pure function, no I/O.  */

#ifndef COPY_DEST_H
#define COPY_DEST_H

#include <stdbool.h>
#include <sys/stat.h>

#include "copy-options.h"

/* The options that bear on an existing destination.  */
struct dest_policy
{
  bool move;                    /* mv: rename over it, never unlink it */
  bool hard_link;               /* cp -l */
  bool symbolic_link;           /* cp -s */
  bool unlink_before;           /* --remove-destination (or -f with -l, -s) */
  bool unlink_after_failed_open;        /* -f */
  bool preserve_links;          /* --preserve=links */
  bool data_copy_required;      /* not --attributes-only */
  bool copy_as_regular;         /* -R --copy-contents */
  bool open_dangling;           /* POSIXLY_CORRECT: write through a
                                   dangling symlink */
  bool link_earlier;            /* a later name of a hard-linked source,
                                   linked to its first copy */
  bool track_created;           /* several operands: names made are kept */
  bool stdin_tty;               /* mv asks about unwritable files */
  enum deref_mode deref;        /* for this entry: DEREF_NEVER or not */
  enum update_mode update;
  enum interactive_mode interactive;
  int backup_type;              /* enum backup_type */
};

/* What the caller found out about one source and its destination.  The
   stats are taken once each; those a rule does not need may be left
   unset when the flags say they are missing.  */
struct dest_facts
{
  struct stat src;              /* the source as copied: lstat with -P */
  struct stat src_lnk;          /* lstat of the source */
  struct stat src_ref;          /* stat of the source (through links) */
  bool src_ref_ok;              /* SRC_REF is valid */
  bool dst_lnk_ok;              /* something is there: DST_LNK valid */
  struct stat dst_lnk;          /* lstat of the destination */
  struct stat dst_ref;          /* stat of it through symlinks */
  int dst_ref_errno;            /* 0 when DST_REF is valid */
  bool dst_writable;            /* the user may write it (prompts) */
  bool dst_dir_link;            /* --keep-directory-symlink: a symlink to
                                   a directory that counts as one */
  bool same_entry;              /* source and destination: one entry */
  bool src_ref_same_entry;      /* mv: the source symlink resolves to
                                   the destination entry */
  bool src_is_dst_backup;       /* the source is DST's simple backup */
  bool src_dot;                 /* source's last component . or .. */
  bool command_line;            /* an operand, not found in a tree */
  bool created_lnk;             /* this run made DST, and it is DST_LNK */
  bool created_ref;             /* this run made DST, and it is DST_REF */
  bool dst_not_older;           /* -u: the destination is as new */
};

/* What to do.  */
enum dest_action
{
  DEST_CREATE,          /* nothing is there: create */
  DEST_REPLACE,         /* write it in place (a regular file), or make
                           the new entry over it as the rules allow */
  DEST_MERGE,           /* an existing directory to copy into */
  DEST_BACKUP,          /* rename it to its backup name, then create */
  DEST_REMOVE,          /* unlink it, then create */
  DEST_SKIP,            /* leave it */
  DEST_REFUSE           /* leave it, say why, fail */
};

/* Why a destination is refused, or skipped with a word.  */
enum dest_reason
{
  DR_NONE,
  DR_SAME_FILE,         /* %s and %s are the same file */
  DR_NOT_REPLACING,     /* not replacing %s (--update=none-fail) */
  DR_NONDIR_WITH_DIR,   /* cannot overwrite non-directory %s with dir */
  DR_DIR_WITH_NONDIR,   /* cannot overwrite directory %s with non-dir */
  DR_JUST_CREATED,      /* will not overwrite just-created %s with %s */
  DR_THROUGH_SYMLINK,   /* will not copy %s through just-created symlink */
  DR_DANGLING,          /* not writing through dangling symlink %s */
  DR_BACKUP_DESTROYS,   /* backing up %s might destroy source */
  DR_STAT,              /* cannot stat %s (ERR) */
  DR_DECLINED,          /* the user said no */
  DR_LINK_ONTO_DIR      /* ln: %s: cannot overwrite directory */
};

struct dest_decision
{
  enum dest_action action;
  enum dest_reason reason;
  int err;              /* for DR_STAT */
  bool ask;             /* ask first; "no" is DR_DECLINED */
  bool fail;            /* a skip that makes the run fail */
  bool done;            /* a skip because it is already done (-l) */
  bool write_through;   /* create through a dangling symlink */
  bool use_lstat;       /* the rules looked at the link, not its target */
};

/* Decide what happens to the destination described by F under policy
   P.  Pure: no system calls, no output.  */
struct dest_decision copy_dest_decide (struct dest_policy const *p,
                                       struct dest_facts const *f);

/* ln's options that bear on an existing destination.  */
struct link_policy
{
  bool force;           /* -f */
  bool interactive;     /* -i */
  bool symbolic;        /* -s */
  int backup_type;      /* enum backup_type */
};

/* What ln found: the destination's lstat (when DST_OK), the source's
   status (lstat for a hard link, stat for -L or -s; when SRC_OK), whether
   they are one directory entry, and whether this run made DST.  */
struct link_facts
{
  bool dst_ok;
  struct stat dst;
  bool src_ok;
  struct stat src;
  bool same_entry;
  bool created;
};

/* Decide what ln does with its destination: DEST_CREATE (nothing there,
   or nothing that may be replaced: the link is tried and fails as it
   will), DEST_BACKUP or DEST_REPLACE (the new link takes the name, the
   backup being made first), or DEST_REFUSE.  Pure.  */
struct dest_decision copy_dest_decide_link (struct link_policy const *p,
                                            struct link_facts const *f);

/* Return true if the rules for P and source status SRC look at the
   destination itself (lstat) rather than through a symlink (stat).  */
bool copy_dest_use_lstat (struct dest_policy const *p,
                          struct stat const *src);

#endif /* COPY_DEST_H */
