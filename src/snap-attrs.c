/* SPDX-License-Identifier: GPL-3.0-or-later */
/* snap-attrs.c -- the extended attributes cowsnap compares.  */

#include "system.h"

#include <sys/xattr.h>
#if USE_XATTR
# include <attr/error_context.h>
# include <attr/libattr.h>
#endif

#include "snap-attrs.h"
#include "xalloc.h"

/* The prefix of the POSIX ACL attributes.  */
static char const acl_prefix[] = "system.posix_acl_";

/* Return true if NAME is a POSIX ACL attribute.  */
static bool
is_acl (char const *name)
{
  return strncmp (name, acl_prefix, sizeof acl_prefix - 1) == 0;
}

/* Return true if the attribute NAME is compared (see struct
   snap_xattrs).  */
static bool
compared (char const *name)
{
  if (is_acl (name))
    return true;
  if (strcmp (name, SNAP_MODE_XATTR) == 0)
    return false;
#if USE_XATTR
  return attr_copy_check_permissions (name, NULL) != 0;
#else
  return true;
#endif
}

/* List the xattr names of FD (or NAME if FD < 0) into a new buffer
   *NAMES; return its size, 0 when there are none or the filesystem has
   no xattrs, -1 with errno.  */
static ssize_t
list_names (int fd, char const *name, char **names)
{
  *names = NULL;
  for (int tries = 0; tries < 4; tries++)
    {
      ssize_t size = (0 <= fd ? flistxattr (fd, NULL, 0)
                      : llistxattr (name, NULL, 0));
      if (size <= 0)
        return (size < 0 && (errno == ENOTSUP || errno == ENOSYS)) ? 0
               : size;
      *names = xrealloc (*names, size);
      ssize_t n = (0 <= fd ? flistxattr (fd, *names, size)
                   : llistxattr (name, *names, size));
      if (0 <= n || errno != ERANGE)
        return n;
    }
  errno = ERANGE;
  return -1;
}

/* Read the value of xattr ATTR of FD (or NAME if FD < 0) into X; return
   0, or -1 with errno (ENODATA when it went away).  */
static int
get_value (int fd, char const *name, char const *attr, struct snap_xattr *x)
{
  x->value = NULL;
  for (int tries = 0; tries < 4; tries++)
    {
      ssize_t size = (0 <= fd ? fgetxattr (fd, attr, NULL, 0)
                      : lgetxattr (name, attr, NULL, 0));
      if (size < 0)
        return -1;
      x->value = xrealloc (x->value, size + 1);
      ssize_t n = (0 <= fd ? fgetxattr (fd, attr, x->value, size)
                   : lgetxattr (name, attr, x->value, size));
      if (0 <= n)
        {
          x->len = n;
          x->value[n] = '\0';
          return 0;
        }
      if (errno != ERANGE)
        return -1;
    }
  errno = ERANGE;
  return -1;
}

/* Parse the octal text of SNAP_MODE_XATTR in X into *MODE; false if it
   is not a mode.  */
static bool
parse_mode (struct snap_xattr const *x, mode_t *mode)
{
  if (x->len == 0 || 6 < x->len)
    return false;
  mode_t m = 0;
  for (size_t i = 0; i < x->len; i++)
    {
      if (x->value[i] < '0' || '7' < x->value[i])
        return false;
      m = m * 8 + (x->value[i] - '0');
    }
  if (m & ~CHMOD_MODE_BITS)
    return false;
  *mode = m;
  return true;
}

/* Compare two xattrs by name, for qsort.  */
static int
xattr_cmp (void const *a, void const *b)
{
  return strcmp (((struct snap_xattr const *) a)->name,
                 ((struct snap_xattr const *) b)->name);
}

/* See snap-attrs.h.  */
int
snap_xattrs_read (int fd, char const *name, struct snap_xattrs *xs)
{
  *xs = (struct snap_xattrs) { 0 };
  char *names;
  ssize_t size = list_names (fd, name, &names);
  if (size < 0)
    {
      int err = errno;
      free (names);
      errno = err;
      return -1;
    }
  size_t count = 0;
  for (char const *p = names; p < names + size; p += strlen (p) + 1)
    count++;
  xs->v = xnmalloc (count ? count : 1, sizeof *xs->v);
  int err = 0;
  for (char const *p = names; p < names + size; p += strlen (p) + 1)
    {
      bool mode = strcmp (p, SNAP_MODE_XATTR) == 0;
      if (!mode && !compared (p))
        continue;
      struct snap_xattr x = { .name = xstrdup (p), .acl = is_acl (p) };
      int r = get_value (fd, name, p, &x);
      if (r != 0 && errno != ENODATA)
        err = errno;
      if (r == 0 && mode)
        xs->has_mode = parse_mode (&x, &xs->mode);
      if (r != 0 || mode)
        {
          free (x.name);
          free (x.value);
          continue;
        }
      xs->v[xs->n++] = x;
    }
  free (names);
  qsort (xs->v, xs->n, sizeof *xs->v, xattr_cmp);
  errno = err;
  return err ? -1 : 0;
}

/* See snap-attrs.h.  */
bool
snap_xattrs_differ (struct snap_xattrs const *a, struct snap_xattrs const *b,
                    bool acl)
{
  size_t i = 0, j = 0;
  for (;;)
    {
      while (i < a->n && a->v[i].acl != acl)
        i++;
      while (j < b->n && b->v[j].acl != acl)
        j++;
      if (i == a->n || j == b->n)
        return i != a->n || j != b->n;
      struct snap_xattr const *x = &a->v[i++], *y = &b->v[j++];
      if (strcmp (x->name, y->name) != 0 || x->len != y->len
          || memcmp (x->value, y->value, x->len) != 0)
        return true;
    }
}

/* See snap-attrs.h.  */
void
snap_xattrs_free (struct snap_xattrs *xs)
{
  for (size_t i = 0; i < xs->n; i++)
    {
      free (xs->v[i].name);
      free (xs->v[i].value);
    }
  free (xs->v);
  *xs = (struct snap_xattrs) { 0 };
}
