/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-meta.c -- owner, extended attributes, mode and ACLs, timestamps:
   the metadata step, separate from the data.  */

#include "system.h"

#include <stdarg.h>
#include <sys/xattr.h>
#if USE_XATTR
# include <attr/error_context.h>
# include <attr/libattr.h>
#endif
#if USE_ACL
# include <acl/libacl.h>
# include <sys/acl.h>
#endif

#include "copy-meta.h"
#include "diag.h"
#include "ignore-value.h"
#include "xalloc.h"

/* The names of the two POSIX ACL attributes.  */
static char const acl_access_name[] = "system.posix_acl_access";
static char const acl_default_name[] = "system.posix_acl_default";

/* Read the names of the source's extended attributes into *X, using
   STACKBUF (of STACKSIZE bytes) when they fit, as nearly all lists do:
   one call.  Classify them.  A source without attributes costs nothing
   more: no ACL is probed.  Free X->names if it is not STACKBUF.  */
static void
list_xattrs (struct meta_request const *rq, struct meta_xattrs *x,
             char *stackbuf, size_t stacksize)
{
  char *buf = stackbuf;
  ssize_t n = (0 <= rq->src_fd
               ? flistxattr (rq->src_fd, buf, stacksize)
               : llistxattr (rq->src_name, buf, stacksize));
  if (n < 0 && errno == ERANGE)
    {
      ssize_t size = (0 <= rq->src_fd ? flistxattr (rq->src_fd, NULL, 0)
                      : llistxattr (rq->src_name, NULL, 0));
      if (0 < size)
        {
          buf = xmalloc (size);
          n = (0 <= rq->src_fd ? flistxattr (rq->src_fd, buf, size)
               : llistxattr (rq->src_name, buf, size));
        }
    }
  *x = (struct meta_xattrs) { .names = buf, .size = n, .listed = 0 <= n };
  for (char const *p = buf; 0 < n && p < buf + n; p += strlen (p) + 1)
    {
      if (strcmp (p, acl_access_name) == 0)
        x->acl_access = true;
      else if (strcmp (p, acl_default_name) == 0)
        x->acl_default = true;
      else
        x->other = true;
    }
}

/* Return true if ERR means the filesystem has no such feature.  */
static bool
unsupported (int err)
{
  return err == ENOTSUP || err == ENOSYS || err == EOPNOTSUPP;
}

/* Set the owner of the destination of RQ to the source's.  When that is
   not permitted (not root), keep what can be kept quietly, as cp does,
   and clear the set-user-ID and set-group-ID bits from *MODE: they must
   not be given to someone else's file.  Return false on an error.  */
static bool
set_owner (struct copy_options const *opt, struct meta_request const *rq,
           mode_t *mode)
{
  uid_t uid = rq->src_st->st_uid;
  gid_t gid = rq->src_st->st_gid;
  int r = (0 <= rq->dst_fd
           ? fchown (rq->dst_fd, uid, gid)
           : fchownat (rq->dst_dirfd, rq->dst_relname, uid, gid,
                       AT_SYMLINK_NOFOLLOW));
  if (r == 0)
    return true;
  int err = errno;
  if ((err == EPERM || err == EINVAL) && !opt->chown_privileges)
    {
      /* The group alone may still be ours to give.  */
      if (0 <= rq->dst_fd)
        ignore_value (fchown (rq->dst_fd, -1, gid));
      else
        ignore_value (fchownat (rq->dst_dirfd, rq->dst_relname, -1, gid,
                                AT_SYMLINK_NOFOLLOW));
      *mode &= ~(S_ISUID | S_ISGID);
      return true;
    }
  diag_error (err, _("failed to preserve ownership for %s"),
              quoteaf (rq->dst_name));
  return !opt->require_preserve;
}

#if USE_XATTR
/* Read attribute NAME of RQ's source into *BUF (of *BUFSIZE bytes,
   grown as needed; STACKBUF is not to be freed).  Return its length, or
   -1 with errno set.  */
static ssize_t
get_xattr (struct meta_request const *rq, char const *name, char **buf,
           size_t *bufsize, char const *stackbuf)
{
  for (;;)
    {
      ssize_t n = (0 <= rq->src_fd
                   ? fgetxattr (rq->src_fd, name, *buf, *bufsize)
                   : lgetxattr (rq->src_name, name, *buf, *bufsize));
      if (0 <= n || errno != ERANGE)
        return n;
      ssize_t size = (0 <= rq->src_fd ? fgetxattr (rq->src_fd, name, NULL, 0)
                      : lgetxattr (rq->src_name, name, NULL, 0));
      if (size < 0)
        return -1;
      if (*buf != stackbuf)
        free (*buf);
      *bufsize = size + 1;
      *buf = xmalloc (*bufsize);
    }
}

/* Copy the extended attributes X listed for RQ's source, except those
   libattr's rules (/etc/xattr.conf) exclude and the ACLs, which
   copy_mode handles: one read and one write per attribute.  Report as
   GNU cp does through libattr: every failure when the attributes were
   asked for by name (or are all that is copied), none under -a, the
   others otherwise, with "not supported" gathered into one message.
   Return false on a failure that is an error.  */
static bool
copy_xattrs (struct copy_options const *opt, struct meta_request const *rq,
             struct meta_xattrs const *x)
{
  bool all = opt->require_preserve_xattr || !opt->data_copy_required;
  bool quiet = opt->reduce_diagnostics && !opt->require_preserve_xattr;
  bool failed = false, unsupported_set = false;
  char stackbuf[4096];
  char *buf = stackbuf;
  size_t bufsize = sizeof stackbuf;
  for (char const *name = x->names; name < x->names + x->size;
       name += strlen (name) + 1)
    {
      if (strcmp (name, acl_access_name) == 0
          || strcmp (name, acl_default_name) == 0
          || !attr_copy_check_permissions (name, NULL))
        continue;
      ssize_t n = get_xattr (rq, name, &buf, &bufsize, stackbuf);
      if (n < 0)
        {
          if (errno == ENODATA)
            continue;               /* removed since it was listed */
          failed = true;
          if (!quiet && (all || !unsupported (errno)))
            diag_error (errno, _("getting attribute %s of %s"),
                        quoteaf_n (0, name), quoteaf_n (1, rq->src_name));
          continue;
        }
      int r = (0 <= rq->dst_fd
               ? fsetxattr (rq->dst_fd, name, buf, n, 0)
               : lsetxattr (rq->dst_path, name, buf, n, 0));
      if (r != 0)
        {
          failed = true;
          if (unsupported (errno))
            unsupported_set = true;
          else if (!quiet)
            diag_error (errno, _("setting attribute %s for %s"),
                        quoteaf_n (0, name), quoteaf_n (1, rq->dst_name));
        }
    }
  if (unsupported_set && !quiet && all)
    diag_error (ENOTSUP, _("setting attributes for %s"),
                quoteaf (rq->dst_name));
  if (buf != stackbuf)
    free (buf);
  return !failed || !opt->require_preserve_xattr;
}
#endif

#if USE_ACL
/* Copy the ACL of TYPE from file SRC to file DST, both named through
   /proc/self/fd so that no user path is resolved again.  Return 0 or -1
   with errno set.  */
static int
copy_acl_type (int src_fd, int dst_fd, acl_type_t type)
{
  char s[64], d[64];
  snprintf (s, sizeof s, "/proc/self/fd/%d", src_fd);
  snprintf (d, sizeof d, "/proc/self/fd/%d", dst_fd);
  acl_t acl = acl_get_file (s, type);
  if (!acl)
    return -1;
  int r = acl_set_file (d, type, acl);
  int err = errno;
  acl_free (acl);
  errno = err;
  return r;
}
#endif

/* Give the destination of RQ the permission bits MODE, with the source's
   ACLs as X found them.  The bits are set first and the ACL after, so
   the ACL is not wiped; a destination that inherited an ACL from its
   directory gets one made of MODE alone.  Return 0 or -1 with errno.  */
static int
copy_mode (struct meta_request const *rq, struct meta_xattrs const *x,
           mode_t mode)
{
  bool is_dir = S_ISDIR (rq->src_st->st_mode);
  if (rq->dst_mode != mode || rq->dst_acl_inherited)
    if (fchmod (rq->dst_fd, mode) != 0)
      return -1;
#if USE_ACL
  if (x->acl_access)
    {
      acl_t acl = acl_get_fd (rq->src_fd);
      if (!acl || acl_set_fd (rq->dst_fd, acl) != 0)
        {
          int err = errno;
          if (acl)
            acl_free (acl);
          errno = err;
          return -1;
        }
      acl_free (acl);
    }
  else if (rq->dst_acl_inherited)
    {
      acl_t acl = acl_from_mode (mode);
      int r = acl ? acl_set_fd (rq->dst_fd, acl) : -1;
      if (acl)
        acl_free (acl);
      if (r != 0)
        return -1;
    }
  if (is_dir && x->acl_default
      && copy_acl_type (rq->src_fd, rq->dst_fd, ACL_TYPE_DEFAULT) != 0)
    return -1;
  if (is_dir && !x->acl_default && rq->dst_acl_inherited)
    {
      char d[64];
      snprintf (d, sizeof d, "/proc/self/fd/%d", rq->dst_fd);
      if (acl_delete_def_file (d) != 0)
        return -1;
    }
#else
  (void) x;
  (void) is_dir;
#endif
  return 0;
}

/* Set the timestamps of RQ's destination to the source's, to the
   nanosecond.  Return 0 or -1 with errno.  */
static int
copy_times (struct meta_request const *rq)
{
  struct timespec ts[2] = { rq->src_st->st_atim, rq->src_st->st_mtim };
  return (0 <= rq->dst_fd
          ? futimens (rq->dst_fd, ts)
          : utimensat (rq->dst_dirfd, rq->dst_relname, ts,
                       AT_SYMLINK_NOFOLLOW));
}

/* Apply the metadata of RQ; see copy-meta.h.  */
bool
copy_meta_apply (struct copy_options const *opt,
                 struct meta_request const *rq)
{
  bool ok = true;
  bool is_link = S_ISLNK (rq->src_st->st_mode);
  mode_t mode = rq->src_st->st_mode & CHMOD_MODE_BITS;
  struct meta_xattrs x = { .size = -1 };
  char namebuf[4096];

  /* 1. Owner first: a chown clears set-user-ID bits and capabilities.  */
  if (opt->preserve_ownership
      && (!rq->dst_new || copy_meta_needs_chown (opt, rq->src_st)))
    ok &= set_owner (opt, rq, &mode);

  /* 2. Extended attributes, listed once: an empty list also says there
     is no ACL to copy.  */
  if (opt->preserve_xattr || (opt->preserve_mode && !is_link))
    list_xattrs (rq, &x, namebuf, sizeof namebuf);
#if USE_XATTR
  if (opt->preserve_xattr && x.other)
    ok &= copy_xattrs (opt, rq, &x);
#endif

  /* 3. Permission bits and ACLs.  */
  if (!is_link && 0 <= rq->dst_fd)
    {
      int r = 0;
      if (opt->preserve_mode)
        r = copy_mode (rq, &x, mode);
      else if (rq->dst_new)
        {
          /* What cp gives a new file: the source's bits less the umask,
             or with --no-preserve=mode what a new file gets.  */
          mode_t want = (opt->explicit_no_preserve_mode
                         ? (S_ISDIR (rq->src_st->st_mode)
                            ? S_IRWXU | S_IRWXG | S_IRWXO
                            : S_IRUSR | S_IWUSR | S_IRGRP | S_IWGRP
                              | S_IROTH | S_IWOTH)
                         : mode & (S_IRWXU | S_IRWXG | S_IRWXO
                                   /* a directory keeps its sticky bit */
                                   | (S_ISDIR (rq->src_st->st_mode)
                                      ? S_ISVTX : 0)));
          want &= ~opt->umask;
          if (want != rq->dst_mode && !rq->dst_acl_inherited)
            r = fchmod (rq->dst_fd, want);
        }
      if (r != 0)
        {
          diag_error (errno, _("preserving permissions for %s"),
                      quoteaf (rq->dst_name));
          ok &= !opt->require_preserve;
        }
    }

  if (x.names && x.names != namebuf)
    free (x.names);

  /* 4. Timestamps last of all.  */
  if (opt->preserve_timestamps && copy_times (rq) != 0)
    {
      diag_error (errno, _("preserving times for %s"),
                  quoteaf (rq->dst_name));
      ok &= !opt->require_preserve;
    }
  return ok;
}

/* The mode a new destination gets while written; see copy-meta.h.  */
mode_t
copy_meta_create_mode (struct copy_options const *opt _GL_UNUSED,
                       mode_t src_mode, bool will_chown)
{
  mode_t mode = src_mode & (S_IRWXU | S_IRWXG | S_IRWXO);
  return will_chown ? mode & S_IRWXU : mode;
}

/* Whether a new file from SRC_ST needs a chown; see copy-meta.h.  */
bool
copy_meta_needs_chown (struct copy_options const *opt,
                       struct stat const *src_st)
{
  return (opt->preserve_ownership
          && (src_st->st_uid != opt->euid || src_st->st_gid != opt->egid));
}
