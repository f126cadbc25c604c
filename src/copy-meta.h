/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-meta.h -- apply the metadata --preserve asks for to a copy.  */

#ifndef COPY_META_H
#define COPY_META_H

#include <stdbool.h>
#include <sys/stat.h>

#include "copy-options.h"

/* The destination whose metadata is to be set, and its source.  */
struct meta_request
{
  int src_fd;                 /* open source, or -1 for a symlink */
  int dst_fd;                 /* open destination, or -1 for a symlink */
  int dst_dirfd;              /* with DST_RELNAME, names a symlink */
  char const *dst_relname;
  struct stat const *src_st;  /* status of the source */
  mode_t dst_mode;            /* permission bits the destination has now */
  bool dst_new;               /* created by this run */
  bool dst_acl_inherited;     /* its directory has a default ACL */
  char const *src_name;       /* for messages (and symlink xattrs) */
  char const *dst_name;
  char const *dst_path;       /* for symlink xattrs, from the cwd */
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

/* Apply to RQ's destination the ownership, extended attributes, mode or
   ACLs, and timestamps OPT asks to preserve, in that order (a change of
   owner clears setuid bits and file capabilities, so it comes first).
   Without a mode to preserve, set the mode GNU cp gives a new file.
   Report failures as cp does; return false if one was an error.  */
bool copy_meta_apply (struct copy_options const *opt,
                      struct meta_request const *rq);

/* The mode a new destination is created with while its data is written:
   no wider than SRC_MODE's permission bits, and without group and other
   bits while its owner is not yet the source's.  */
mode_t copy_meta_create_mode (struct copy_options const *opt,
                              mode_t src_mode, bool will_chown);

/* Return true if OPT asks for an owner change of a new file from SRC_ST
   (the owner differs from the one files get when created).  */
bool copy_meta_needs_chown (struct copy_options const *opt,
                            struct stat const *src_st);

#endif /* COPY_META_H */
