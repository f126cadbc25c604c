/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-meta.h -- apply the metadata --preserve asks for to a copy.  */

#ifndef COPY_META_H
#define COPY_META_H

#include <stdbool.h>
#include <sys/stat.h>

/* What copy-meta needs of a run's options: the attributes to keep, how
   a failure counts, and what the process is (its umask and ids).  Named
   as the fields of struct copy_options they come from.  */
struct meta_policy
{
  bool preserve_mode;
  bool preserve_ownership;
  bool preserve_timestamps;
  bool preserve_xattr;
  bool require_preserve;          /* -p or --preserve=LIST: fail on it */
  bool require_preserve_xattr;    /* --preserve=xattr named */
  bool preserve_flags;            /* inode flags, as chattr sets them */
  bool require_preserve_flags;    /* --preserve=flags named */
  bool reduce_diagnostics;        /* -a: quiet where the fs cannot */
  bool explicit_no_preserve_mode; /* --no-preserve=mode */
  bool data_copy_required;        /* not --attributes-only */
  bool chown_privileges;          /* may give files away */
  bool private_dest;              /* nobody else reaches the copy: no
                                     bits are withheld (copy-options.h) */
  mode_t umask;
  uid_t euid;
  gid_t egid;
};

/* The inode flags (chattr) of a regular file and its copy, read before
   its data is copied (copy_meta_flags_early) so that the flags that
   only take on an empty file do, and kept for copy_meta_apply, which
   adds append-only and immutable last.  Start it zeroed.  */
struct meta_flags
{
  int src;                    /* the source's, within the carried set */
  int dst;                    /* what the destination has now */
  bool known;                 /* SRC and DST were read */
  bool none;                  /* the source or the destination is no
                                 regular file (--copy-contents of a
                                 device, a copy onto /dev/null): no
                                 flags, and no ioctl sent to a driver */
};

/* The destination whose metadata is to be set, and its source.  */
struct meta_request
{
  int src_fd;                 /* open source, or -1: named by SRC_NAME */
  int dst_fd;                 /* open destination, or -1: a symlink or
                                 special file, DST_DIRFD + DST_RELNAME */
  int dst_dirfd;
  char const *dst_relname;
  struct stat const *src_st;  /* status of the source */
  struct stat const *dst_st;  /* status of an existing destination, or
                                 NULL: asked for when it is needed */
  mode_t dst_mode;            /* permission bits the destination has now
                                 (for a new one, its creation mode less
                                 the umask) */
  bool dst_new;               /* created by this run */
  bool dst_acl_inherited;     /* new, in a directory with a default ACL */
  bool interim_acl;           /* new, in a directory with or perhaps
                                 with a default ACL (not looked at):
                                 all group and other bits withheld
                                 while it is made */
  bool owner_final;           /* new, and made with the source's owner
                                 and group: nothing to chown
                                 (copy_meta_owner_final) */
  char const *src_name;       /* for messages, and for the source's
                                 attributes when SRC_FD is -1 */
  char const *dst_name;
  char const *dst_path;       /* the destination from the working
                                 directory, for attributes when DST_FD
                                 is -1 */
  struct meta_flags *flags;   /* a regular file's: what
                                 copy_meta_flags_early did; NULL for a
                                 directory, whose flags are read when
                                 needed (and for a file: none carried) */
};

/* What the source's extended attribute list showed.  */
struct meta_xattrs
{
  char *names;                /* the NUL-separated names */
  ssize_t size;               /* bytes of NAMES; -1 if not listed */
  bool listed;                /* the list was read */
  bool other;                 /* attributes besides ACLs */
  bool acl_access;            /* system.posix_acl_access */
  bool acl_default;           /* system.posix_acl_default */
};

/* Apply to RQ's destination, a regular file or directory open as
   RQ->dst_fd or a symbolic link (RQ->dst_fd -1), the ownership,
   extended attributes, mode or ACLs, timestamps and inode flags OPT
   asks to preserve, in that order (a change of owner clears set-user-ID
   bits and file capabilities, so it comes first; an append-only or
   immutable file takes no other change, so the flags come last).
   Without a mode to preserve, give a new destination the mode GNU cp
   gives it.  Report failures as cp does; return false if one was an
   error.  */
bool copy_meta_apply (struct meta_policy const *opt,
                      struct meta_request const *rq);

/* With OPT->preserve_flags, before the data of the regular file of RQ
   (open as RQ->src_fd and RQ->dst_fd, the destination still empty) is
   copied: read the inode flags of both into *FLAGS and give the
   destination the source's, but for append-only and immutable, which
   copy_meta_apply adds at the end (RQ->flags pointing to FLAGS then).
   NOCOW and compression take only on an empty file.  Report nothing:
   what could not be set is tried again, and reported, by
   copy_meta_apply.  */
void copy_meta_flags_early (struct meta_policy const *opt,
                            struct meta_request const *rq,
                            struct meta_flags *flags);

/* linkat (AT_FDCWD, TARGET, DIRFD, NAME, 0) where the kernel refused
   it (EPERM) because TARGET, a copy, was made append-only or immutable
   by --preserve=flags before its other names were linked to it: lift
   those flags for the link and put them back.  Return 0, or -1 with
   errno (EPERM when TARGET has neither flag).  */
int copy_meta_link_final (char const *target, int dirfd, char const *name);

/* Likewise for a FIFO, socket or device just made (RQ->dst_new) with the
   mode copy_meta_special_mode gave: reached by RQ->dst_dirfd and
   RQ->dst_relname (RQ->dst_path for attributes), never opened, and its
   source by RQ->src_name; RQ->src_fd and RQ->dst_fd are -1.  */
bool copy_meta_special (struct meta_policy const *opt,
                        struct meta_request const *rq);

/* The mode to create a regular file or a directory with, from SRC_MODE
   (a directory's when S_ISDIR (SRC_MODE), else a regular file's):
   the source's permission bits (and for a directory its set-ID and
   sticky bits, which mkdir takes or drops), less those withheld until
   the copy is ready -- GNU cp's: group and other bits whenever OPT
   preserves ownership, and group and other write bits of a directory --
   plus
   owner write permission on a file whose extended attributes an
   unprivileged user is to copy.  With ownership preserved, only the
   group and other bits beyond those all three classes have are
   withheld, and from a regular file made with its final owner and
   group (OWNER_FINAL) none, unless it is made in a directory with (or
   perhaps with) a default ACL (INTERIM_ACL): see withheld_bits in
   copy-meta.c.  The umask applies on top.  */
mode_t copy_meta_create_mode (struct meta_policy const *opt,
                              mode_t src_mode, bool owner_final,
                              bool interim_acl);

/* The mode to give mknod for a FIFO, socket or device from SRC_MODE:
   its permission, set-ID and sticky bits, without group and other bits
   while its owner is not yet set, as GNU cp makes it.  */
mode_t copy_meta_special_mode (struct meta_policy const *opt,
                               mode_t src_mode);

/* Return true if OPT preserves ownership and a file the process makes in
   a directory with group DIR_GID (set-group-ID when DIR_SETGID) gets the
   owner and group of SRC_ST already, so that GNU cp's chown of the new
   file would change nothing (and a regular file needs no permission
   bits withheld until then).  False when it cannot be known: the
   directory's group is not the process's and it is not set-group-ID
   (a grpid mount gives new files the directory's group).  */
bool copy_meta_owner_final (struct meta_policy const *opt,
                            struct stat const *src_st, bool dir_setgid,
                            gid_t dir_gid);

#endif /* COPY_META_H */
