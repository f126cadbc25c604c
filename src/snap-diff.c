/* SPDX-License-Identifier: GPL-3.0-or-later */
/* snap-diff.c -- `cowsnap diff`: the entries that differ between two
   trees, and the byte ranges that differ between two files.  The format
   is described in snap-diff.h.  */

#include "system.h"

#include <dirent.h>
#include <sys/xattr.h>
#if USE_XATTR
# include <attr/error_context.h>
# include <attr/libattr.h>
#endif

#include "diag.h"
#include "snap-diff.h"
#include "snap-extents.h"
#include "xalloc.h"

/* The xattr in which a sealed snapshot keeps an entry's original mode
   (see cowsnap-spec: "0644", octal text).  Never compared itself.  */
static char const mode_xattr[] = "user.cowsnap.mode";

/* The prefix of the POSIX ACL attributes, compared in the A column.  */
static char const acl_prefix[] = "system.posix_acl_";

/* The columns of a line, as offsets in its status string.  */
enum
{
  COL_STATUS, COL_PERM, COL_OWNER, COL_GROUP, COL_MTIME, COL_XATTR,
  COL_ACL, N_COLS
};

/* One extended attribute.  */
struct xattr
{
  char *name;
  char *value;
  size_t len;
  bool acl;                     /* a POSIX ACL: the A column */
};

/* Return true if NAME is a POSIX ACL attribute.  */
static bool
is_acl (char const *name)
{
  return strncmp (name, acl_prefix, sizeof acl_prefix - 1) == 0;
}

/* Return true if the attribute NAME is compared: the POSIX ACLs, and the
   attributes the engine copies (copy-meta: those libattr's rules in
   /etc/xattr.conf let through, which leaves out what a filesystem shows
   of its own, such as XFS's trusted.SGI_ACL_FILE, a second view of the
   ACL), except mode_xattr.  */
static bool
compared (char const *name)
{
  if (is_acl (name))
    return true;
  if (strcmp (name, mode_xattr) == 0)
    return false;
#if USE_XATTR
  return attr_copy_check_permissions (name, NULL) != 0;
#else
  return true;
#endif
}

/* The compared extended attributes of one entry, sorted by name; not
   mode_xattr, whose value is parsed into MODE instead.  */
struct xattr_set
{
  struct xattr *v;
  size_t n;
  bool has_mode;
  mode_t mode;
};

/* One side of an entry being compared.  */
struct entry
{
  bool exists;
  struct stat st;
  int fd;                       /* open for a regular file or a directory,
                                   else -1 */
  int dirfd;                    /* where it was found, and its name */
  char const *name;
};

/* The state of one tree diff.  */
struct walk
{
  struct snap_diff_options const *opt;
  struct snap_diff_stats *stats;
  char *path;                   /* relative to the roots; "" at the roots */
  size_t len, cap;
  bool ok;                      /* nothing was reported */
};

/* Append "/NAME" (or NAME at the roots) to W's path; return the length
   to give back to path_pop.  */
static size_t
path_push (struct walk *w, char const *name)
{
  size_t old = w->len;
  size_t n = strlen (name);
  size_t need = old + 1 + n + 1;
  if (w->cap < need)
    {
      w->cap = need * 2;
      w->path = xrealloc (w->path, w->cap);
    }
  if (old != 0)
    w->path[w->len++] = '/';
  memcpy (w->path + w->len, name, n + 1);
  w->len += n;
  return old;
}

/* Cut W's path back to length OLD.  */
static void
path_pop (struct walk *w, size_t old)
{
  w->len = old;
  w->path[old] = '\0';
}

/* Return the name of side B (else A) of the current entry of W, as the
   user would write it, in a new string: for messages.  */
static char *
full_name (struct walk const *w, bool b)
{
  char const *root = b ? w->opt->name_b : w->opt->name_a;
  if (w->len == 0)
    return xstrdup (root);
  size_t r = strlen (root);
  char *s = xmalloc (r + 1 + w->len + 1);
  memcpy (s, root, r);
  s[r] = '/';
  memcpy (s + r + 1, w->path, w->len + 1);
  return s;
}

/* Report FORMAT (with one %s) about side B (else A) of W's current entry,
   with ERRNUM; mark the diff as failed.  */
static void
report (struct walk *w, bool b, int errnum, char const *format)
{
  char *name = full_name (w, b);
  diag_error (errnum, format, quoteaf (name));
  free (name);
  w->ok = false;
}

/* Print the line of status COLS for W's current entry.  */
static void
print_line (struct walk *w, char const *cols)
{
  char const *p = w->len == 0 ? "." : w->path;
  if (strchr (p, '\n') || *p == '"')
    p = quotearg_style (c_quoting_style, p);
  fprintf (w->opt->out, "%s %s\n", cols, p);
  w->stats->differ++;
}

/* Look at NAME in DIRFD for side B (else A) of W into *E, without
   following a symbolic link, and open it when it is a regular file or a
   directory.  A missing entry is not an error.  Return false after
   reporting an error that leaves nothing to compare.  */
static bool
look (struct walk *w, bool b, int dirfd, char const *name, struct entry *e)
{
  *e = (struct entry) { .fd = -1, .dirfd = dirfd, .name = name };
  if (!name)
    return true;
  if (fstatat (dirfd, name, &e->st, AT_SYMLINK_NOFOLLOW) != 0)
    {
      if (errno == ENOENT)
        return true;
      char *full = full_name (w, b);
      diag_cannot_stat (errno, full);
      free (full);
      w->ok = false;
      return false;
    }
  e->exists = true;
  if (!S_ISREG (e->st.st_mode) && !S_ISDIR (e->st.st_mode))
    return true;
  int flags = (O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC
               | (S_ISDIR (e->st.st_mode) ? O_DIRECTORY : 0));
  struct stat st;
  e->fd = openat (dirfd, name, flags);
  if (e->fd < 0 || fstat (e->fd, &st) != 0)
    {
      report (w, b, errno, (S_ISDIR (e->st.st_mode)
                            ? _("cannot open directory %s")
                            : _("cannot open %s for reading")));
      if (0 <= e->fd)
        close (e->fd);
      e->fd = -1;
      return true;
    }
  /* Replaced between the stat and the open: compare what was opened.  */
  if (st.st_ino != e->st.st_ino || st.st_dev != e->st.st_dev
      || (st.st_mode & S_IFMT) != (e->st.st_mode & S_IFMT))
    e->st = st;
  return true;
}

/* Close what E holds.  */
static void
entry_close (struct entry *e)
{
  if (0 <= e->fd)
    close (e->fd);
  e->fd = -1;
}

/* The name through which an entry E without a descriptor (a symbolic
   link, a device, a FIFO) is reached without resolving a path: its
   directory's descriptor under /proc/self/fd and its own name, whose
   last component the l*xattr calls do not follow.  Into BUF of SIZE
   bytes.  */
static char const *
proc_name (struct entry const *e, char *buf, size_t size)
{
  if (e->dirfd == AT_FDCWD || e->name[0] == '/')
    return e->name;
  if (snprintf (buf, size, "/proc/self/fd/%d/%s", e->dirfd, e->name)
      >= (int) size)
    return e->name;
  return buf;
}

/* List the xattr names of E into a new buffer *NAMES; return its size,
   0 when E has none or its filesystem has no xattrs, -1 with errno.  */
static ssize_t
list_names (struct entry const *e, char const *proc, char **names)
{
  *names = NULL;
  for (int tries = 0; tries < 4; tries++)
    {
      ssize_t size = (0 <= e->fd ? flistxattr (e->fd, NULL, 0)
                      : llistxattr (proc, NULL, 0));
      if (size <= 0)
        return (size < 0 && (errno == ENOTSUP || errno == ENOSYS)) ? 0
               : size;
      *names = xrealloc (*names, size);
      ssize_t n = (0 <= e->fd ? flistxattr (e->fd, *names, size)
                   : llistxattr (proc, *names, size));
      if (0 <= n || errno != ERANGE)
        return n;
    }
  errno = ERANGE;
  return -1;
}

/* Read the value of xattr NAME of E into X; return 0, or -1 with errno
   (ENODATA when it went away).  */
static int
get_value (struct entry const *e, char const *proc, char const *name,
           struct xattr *x)
{
  x->value = NULL;
  for (int tries = 0; tries < 4; tries++)
    {
      ssize_t size = (0 <= e->fd ? fgetxattr (e->fd, name, NULL, 0)
                      : lgetxattr (proc, name, NULL, 0));
      if (size < 0)
        return -1;
      x->value = xrealloc (x->value, size + 1);
      ssize_t n = (0 <= e->fd ? fgetxattr (e->fd, name, x->value, size)
                   : lgetxattr (proc, name, x->value, size));
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

/* Parse the octal text of mode_xattr in X into *MODE; false if it is
   not a mode.  */
static bool
parse_mode (struct xattr const *x, mode_t *mode)
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
  return strcmp (((struct xattr const *) a)->name,
                 ((struct xattr const *) b)->name);
}

/* Free what XS holds.  */
static void
xattr_set_free (struct xattr_set *xs)
{
  for (size_t i = 0; i < xs->n; i++)
    {
      free (xs->v[i].name);
      free (xs->v[i].value);
    }
  free (xs->v);
  *xs = (struct xattr_set) { 0 };
}

/* Read the extended attributes of side B (else A) E of W's current entry
   into *XS.  Report a failure (and return with what was read).  */
static void
read_xattrs (struct walk *w, bool b, struct entry const *e,
             struct xattr_set *xs)
{
  *xs = (struct xattr_set) { 0 };
  char procbuf[64 + 4096];
  char const *proc = 0 <= e->fd ? NULL : proc_name (e, procbuf,
                                                   sizeof procbuf);
  char *names;
  ssize_t size = list_names (e, proc, &names);
  if (size < 0)
    {
      report (w, b, errno, _("cannot list extended attributes of %s"));
      free (names);
      return;
    }
  size_t count = 0;
  for (char const *p = names; p < names + size; p += strlen (p) + 1)
    count++;
  xs->v = xnmalloc (count ? count : 1, sizeof *xs->v);
  for (char const *p = names; p < names + size; p += strlen (p) + 1)
    {
      if (!compared (p) && strcmp (p, mode_xattr) != 0)
        continue;
      struct xattr x = { .name = xstrdup (p), .acl = is_acl (p) };
      if (get_value (e, proc, p, &x) != 0)
        {
          if (errno != ENODATA)
            report (w, b, errno, _("cannot read extended attributes of %s"));
          free (x.name);
          free (x.value);
          continue;
        }
      if (strcmp (p, mode_xattr) == 0)
        {
          xs->has_mode = parse_mode (&x, &xs->mode);
          free (x.name);
          free (x.value);
          continue;
        }
      xs->v[xs->n++] = x;
    }
  free (names);
  qsort (xs->v, xs->n, sizeof *xs->v, xattr_cmp);
}


/* Return true if XA and XB differ in the attributes that are ACLs when
   ACL, else in the others: a name in one only, or different values.  */
static bool
xattrs_differ (struct xattr_set const *xa, struct xattr_set const *xb,
               bool acl)
{
  size_t i = 0, j = 0;
  for (;;)
    {
      while (i < xa->n && xa->v[i].acl != acl)
        i++;
      while (j < xb->n && xb->v[j].acl != acl)
        j++;
      if (i == xa->n || j == xb->n)
        return i != xa->n || j != xb->n;
      struct xattr const *a = &xa->v[i++], *b = &xb->v[j++];
      if (strcmp (a->name, b->name) != 0 || a->len != b->len
          || memcmp (a->value, b->value, a->len) != 0)
        return true;
    }
}

/* Read the target of symbolic link E into a new string.  NULL with errno
   on failure.  */
static char *
link_target (struct entry const *e)
{
  size_t size = e->st.st_size + 1 < 64 ? 64 : e->st.st_size + 1;
  for (;;)
    {
      char *buf = xmalloc (size);
      ssize_t n = readlinkat (e->dirfd, e->name, buf, size);
      if (n < 0)
        {
          int err = errno;
          free (buf);
          errno = err;
          return NULL;
        }
      if ((size_t) n < size)
        {
          buf[n] = '\0';
          return buf;
        }
      free (buf);
      size *= 2;
    }
}

/* Return true if the contents of A and B, of one type, differ: bytes of
   regular files (read only where the extent maps cannot prove them
   equal), targets of symbolic links, device numbers.  Report what cannot
   be compared, and count it as equal.  */
static bool
content_differs (struct walk *w, struct entry const *a,
                 struct entry const *b)
{
  if (S_ISREG (a->st.st_mode))
    {
      if (a->fd < 0 || b->fd < 0)
        return false;
      if (a->st.st_size != b->st.st_size)
        return true;
      int same = snap_extents_same (a->fd, b->fd, &w->stats->count);
      if (same < 0)
        {
          int err = errno;
          char *na = full_name (w, false), *nb = full_name (w, true);
          diag_error (err, _("error comparing %s and %s"),
                      quoteaf_n (0, na), quoteaf_n (1, nb));
          free (na);
          free (nb);
          w->ok = false;
        }
      return same == 0;
    }
  if (S_ISLNK (a->st.st_mode))
    {
      char *ta = link_target (a);
      if (!ta)
        {
          report (w, false, errno, _("cannot read symbolic link %s"));
          return false;
        }
      char *tb = link_target (b);
      if (!tb)
        report (w, true, errno, _("cannot read symbolic link %s"));
      bool differ = tb && strcmp (ta, tb) != 0;
      free (ta);
      free (tb);
      return differ;
    }
  if (S_ISCHR (a->st.st_mode) || S_ISBLK (a->st.st_mode))
    return a->st.st_rdev != b->st.st_rdev;
  return false;
}

/* Fill COLS (N_COLS letters) for entries A and B, both present.  */
static void
compare_both (struct walk *w, struct entry const *a, struct entry const *b,
              char *cols)
{
  if ((a->st.st_mode & S_IFMT) != (b->st.st_mode & S_IFMT))
    cols[COL_STATUS] = 't';
  else if (!(a->st.st_dev == b->st.st_dev && a->st.st_ino == b->st.st_ino)
           && content_differs (w, a, b))
    cols[COL_STATUS] = 'c';

  struct xattr_set xa, xb;
  read_xattrs (w, false, a, &xa);
  read_xattrs (w, true, b, &xb);
  mode_t ma = xa.has_mode ? xa.mode : a->st.st_mode & CHMOD_MODE_BITS;
  mode_t mb = xb.has_mode ? xb.mode : b->st.st_mode & CHMOD_MODE_BITS;
  if (ma != mb)
    cols[COL_PERM] = 'p';
  if (a->st.st_uid != b->st.st_uid)
    cols[COL_OWNER] = 'u';
  if (a->st.st_gid != b->st.st_gid)
    cols[COL_GROUP] = 'g';
  if (a->st.st_mtim.tv_sec != b->st.st_mtim.tv_sec
      || a->st.st_mtim.tv_nsec != b->st.st_mtim.tv_nsec)
    cols[COL_MTIME] = 'm';
  if (xattrs_differ (&xa, &xb, false))
    cols[COL_XATTR] = 'x';
  if (xattrs_differ (&xa, &xb, true))
    cols[COL_ACL] = 'a';
  xattr_set_free (&xa);
  xattr_set_free (&xb);
}

/* Compare two names, for qsort of a char * array.  */
static int
name_cmp (void const *a, void const *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Read the entry names of the directory open as FD, sorted, into a new
   array *NAMES; return their count, or -1 with errno.  */
static ssize_t
read_names (int fd, char ***names)
{
  *names = NULL;
  int dfd = fcntl (fd, F_DUPFD_CLOEXEC, 0);
  if (dfd < 0)
    return -1;
  DIR *dir = fdopendir (dfd);
  if (!dir)
    {
      int err = errno;
      close (dfd);
      errno = err;
      return -1;
    }
  /* fdopendir shares the offset with FD: start from the beginning.  */
  rewinddir (dir);
  size_t n = 0, cap = 0;
  char **v = NULL;
  struct dirent *de;
  errno = 0;
  while ((de = readdir (dir)))
    {
      char const *s = de->d_name;
      if (s[0] == '.' && (s[1] == '\0' || (s[1] == '.' && s[2] == '\0')))
        continue;
      if (n == cap)
        v = x2nrealloc (v, &cap, sizeof *v);
      v[n++] = xstrdup (s);
      errno = 0;
    }
  int err = errno;
  closedir (dir);
  if (err != 0)
    {
      for (size_t i = 0; i < n; i++)
        free (v[i]);
      free (v);
      errno = err;
      return -1;
    }
  if (n)
    qsort (v, n, sizeof *v, name_cmp);
  *names = v;
  return n;
}

/* Free the N names of V.  */
static void
free_names (char **v, ssize_t n)
{
  for (ssize_t i = 0; i < n; i++)
    free (v[i]);
  free (v);
}

static void diff_entry (struct walk *w, int dfa, char const *na, int dfb,
                        char const *nb);

/* Compare the entries of the directories open as FDA and FDB (-1 for a
   side that has no such directory: its entries are added or removed),
   in name order.  */
static void
diff_children (struct walk *w, int fda, int fdb)
{
  char **va = NULL, **vb = NULL;
  ssize_t na = 0, nb = 0;
  if (0 <= fda && (na = read_names (fda, &va)) < 0)
    report (w, false, errno, _("cannot read directory %s"));
  if (0 <= fdb && (nb = read_names (fdb, &vb)) < 0)
    report (w, true, errno, _("cannot read directory %s"));
  ssize_t i = 0, j = 0;
  while (i < na || j < nb)
    {
      int c = (i == na ? 1 : j == nb ? -1 : strcmp (va[i], vb[j]));
      char const *name = c <= 0 ? va[i] : vb[j];
      size_t old = path_push (w, name);
      diff_entry (w, c <= 0 ? fda : -1, c <= 0 ? va[i] : NULL,
                  0 <= c ? fdb : -1, 0 <= c ? vb[j] : NULL);
      path_pop (w, old);
      i += c <= 0;
      j += 0 <= c;
    }
  free_names (va, na);
  free_names (vb, nb);
}

/* Return true if E is the directory W is told to leave out.  */
static bool
skipped (struct walk const *w, struct entry const *e)
{
  return (w->opt->skip && e->exists && S_ISDIR (e->st.st_mode)
          && e->st.st_dev == w->opt->skip_dev
          && e->st.st_ino == w->opt->skip_ino);
}

/* Compare entry NA of directory DFA with NB of DFB (a NULL name: the
   side has no such entry), print its line if it differs, then do the
   same for what is under it.  */
static void
diff_entry (struct walk *w, int dfa, char const *na, int dfb,
            char const *nb)
{
  struct entry a, b;
  bool looked_a = look (w, false, dfa, na, &a);
  bool looked_b = look (w, true, dfb, nb, &b);
  if (!looked_a || !looked_b || (!a.exists && !b.exists)
      || skipped (w, &a) || skipped (w, &b))
    {
      entry_close (&a);
      entry_close (&b);
      return;
    }
  w->stats->entries++;
  char cols[N_COLS + 1];
  memset (cols, '.', N_COLS);
  cols[N_COLS] = '\0';
  if (!a.exists)
    cols[COL_STATUS] = '+';
  else if (!b.exists)
    cols[COL_STATUS] = '-';
  else
    compare_both (w, &a, &b, cols);
  if (strspn (cols, ".") != N_COLS)
    print_line (w, cols);

  int fda = a.exists && S_ISDIR (a.st.st_mode) ? a.fd : -1;
  int fdb = b.exists && S_ISDIR (b.st.st_mode) ? b.fd : -1;
  if (0 <= fda || 0 <= fdb)
    diff_children (w, fda, fdb);
  entry_close (&a);
  entry_close (&b);
}

/* See snap-diff.h.  */
bool
snap_diff_tree (int dirfd_a, char const *rel_a, int dirfd_b,
                char const *rel_b, struct snap_diff_options const *opt,
                struct snap_diff_stats *stats)
{
  struct walk w = { .opt = opt, .stats = stats, .ok = true,
                    .path = xzalloc (64), .cap = 64 };
  diff_entry (&w, dirfd_a, rel_a, dirfd_b, rel_b);
  free (w.path);
  return w.ok;
}

/* Where snap_diff_file prints.  */
struct range_sink
{
  FILE *out;
  struct snap_diff_stats *stats;
};

/* A snap_range_fn that prints the range to the struct range_sink ARG.  */
static int
print_range (off_t offset, off_t length, void *arg)
{
  struct range_sink *sink = arg;
  fprintf (sink->out, "%jd+%jd\n", (intmax_t) offset, (intmax_t) length);
  sink->stats->differ++;
  return 0;
}

/* See snap-diff.h.  */
bool
snap_diff_file (int fd_a, int fd_b, struct snap_diff_options const *opt,
                struct snap_diff_stats *stats)
{
  struct range_sink sink = { .out = opt->out, .stats = stats };
  if (snap_extents_diff (fd_a, fd_b, print_range, &sink, &stats->count) < 0)
    {
      diag_error (errno, _("error comparing %s and %s"),
                  quoteaf_n (0, opt->name_a), quoteaf_n (1, opt->name_b));
      return false;
    }
  return true;
}
