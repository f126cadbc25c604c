/* SPDX-License-Identifier: GPL-3.0-or-later */
/* snap-attrs.h -- the extended attributes cowsnap compares, and the
   original mode a sealed snapshot entry keeps in one of them.  */

#ifndef SNAP_ATTRS_H
#define SNAP_ATTRS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* SNAP_MODE_XATTR: the xattr in which a snapshot sealed without root
   keeps an entry's original mode (snap-seal.h).  Never compared
   itself.  */
#include "snap-seal.h"

/* One extended attribute.  */
struct snap_xattr
{
  char *name;
  char *value;                  /* LEN bytes, then a '\0' */
  size_t len;
  bool acl;                     /* system.posix_acl_access or _default */
};

/* The compared extended attributes of one file, sorted by name: the
   POSIX ACLs, and the attributes the engine copies (copy-meta: those
   libattr's rules in /etc/xattr.conf let through, which leaves out what
   a filesystem shows of its own, such as XFS's trusted.SGI_ACL_FILE, a
   second view of the ACL), except SNAP_MODE_XATTR, whose value is
   parsed into MODE (HAS_MODE false when absent or not a mode).  */
struct snap_xattrs
{
  struct snap_xattr *v;
  size_t n;
  bool has_mode;
  mode_t mode;
};

/* Read into *XS the compared attributes of the file open as FD, or,
   when FD is negative, of NAME, a symbolic link not followed.  A
   filesystem without xattrs gives none.  Return 0, or -1 with errno set
   (and *XS holding what could be read: free it all the same); the caller
   reports.  */
int snap_xattrs_read (int fd, char const *name, struct snap_xattrs *xs);

/* Return true if A and B differ in their ACLs when ACL, else in their
   other attributes: a name in one only, or different values.  */
bool snap_xattrs_differ (struct snap_xattrs const *a,
                         struct snap_xattrs const *b, bool acl);

/* Free what XS holds.  */
void snap_xattrs_free (struct snap_xattrs *xs);

#endif /* SNAP_ATTRS_H */
