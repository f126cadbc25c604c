/* SPDX-License-Identifier: GPL-3.0-or-later */
/* snap-diff.c -- `cowsnap diff`: the entries that differ between two
   trees, and the byte ranges that differ between two files.  The format
   is described in snap-diff.h.  */

#include "system.h"

#include <dirent.h>
#include <limits.h>
#include <pthread.h>

#include "diag.h"
#include "fd-limit.h"
#include "snap-attrs.h"
#include "snap-diff.h"
#include "snap-extents.h"
#include "xalloc.h"

/* The columns of a line, as offsets in its status string.  */
enum
{
  COL_STATUS, COL_PERM, COL_OWNER, COL_GROUP, COL_MTIME, COL_XATTR,
  COL_ACL, N_COLS
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

/* A directory being walked, on one side or both (index 0: A, 1: B).
   Its descriptors may be closed ("parked") while the walk is deep below
   it, to stay within the descriptor limit; they are opened again by
   name from the nearest open ancestor, and checked to be the same
   directory, when the walk comes back.  */
struct level
{
  struct level *up;             /* NULL for the roots */
  int fd[2];                    /* -1: no such directory on that side, or
                                   parked */
  bool has[2];                  /* the side has this directory */
  dev_t dev[2];
  ino_t ino[2];
  char const *name[2];          /* its name in UP (the caller's at the
                                   roots) */
  bool parked;
  bool lost;                    /* could not be opened again: reported */
};

/* The state of one tree diff.  */
struct walk
{
  struct snap_diff_options const *opt;
  struct snap_diff_stats *stats;
  int base[2];                  /* the caller's directories of the roots */
  char *path;                   /* relative to the roots; "" at the roots */
  size_t len, cap;
  int fds;                      /* descriptors held by levels */
  int budget;                   /* how many they may hold */
  size_t depth;                 /* levels below the roots */
  bool ok;                      /* nothing was reported */
};

/* A walk goes on in a new thread, with a stack of STACK_SIZE, every
   LEVELS_PER_STACK levels, as copy-tree does: a tree far deeper than
   PATH_MAX must not overflow the stack.  */
enum { LEVELS_PER_STACK = 1000, STACK_SIZE = 16 * 1024 * 1024 };

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

/* Return how many descriptors the levels of a walk may hold: those
   still free, less a few for the two files being compared, a directory
   being read and a level being opened again.  */
static int
fd_budget (void)
{
  int budget = fd_limit_free () - 8;
  /* Even at the smallest a directory and its parent fit.  */
  return budget < 4 ? 4 : budget;
}

/* Open (a descriptor the caller closes) side B (else A) of level L by
   name from the nearest open ancestor, itself opened the same way if it
   is parked, and check that it is the directory it was.  Return it, or
   -1 with errno set.  */
static int
reopen_side (struct level const *l, bool b, int const *base)
{
  struct level const *up = l->up;
  int dirfd = (!up ? base[b] : !up->parked ? up->fd[b]
               : reopen_side (up, b, base));
  if (dirfd < 0)
    return -1;
  int fd = openat (dirfd, l->name[b], (O_RDONLY | O_DIRECTORY | O_NOFOLLOW
                                       | O_NOCTTY | O_CLOEXEC));
  int err = errno;
  if (up && up->parked)
    close (dirfd);
  struct stat st;
  if (0 <= fd && fstat (fd, &st) != 0)
    err = errno;
  else if (0 <= fd && st.st_dev == l->dev[b] && st.st_ino == l->ino[b])
    return fd;
  else if (0 <= fd)
    err = ENOENT;               /* replaced while the walk was away */
  if (0 <= fd)
    close (fd);
  errno = err;
  return -1;
}

/* Close the descriptors of level L.  */
static void
level_close (struct walk *w, struct level *l)
{
  for (int b = 0; b < 2; b++)
    if (0 <= l->fd[b])
      {
        close (l->fd[b]);
        l->fd[b] = -1;
        w->fds--;
      }
}

/* Park ancestors of KEEP, the outermost first (the walk comes back to
   them last), until two more descriptors fit in W's budget.  */
static void
make_room (struct walk *w, struct level *keep)
{
  while (w->budget < w->fds + 2 && keep)
    {
      struct level *top = NULL;
      for (struct level *a = keep->up; a; a = a->up)
        if (!a->parked)
          top = a;
      if (!top)
        break;
      level_close (w, top);
      top->parked = true;
    }
}

/* Return the descriptor of side B (else A) of level L, opening L again
   if it is parked; -1 after reporting (once) that it cannot be.  */
static int
level_fd (struct walk *w, struct level *l, bool b)
{
  if (l->parked && !l->lost)
    {
      make_room (w, l);
      for (int side = 0; side < 2 && !l->lost; side++)
        if (l->has[side])
          {
            l->fd[side] = reopen_side (l, side, w->base);
            if (l->fd[side] < 0)
              {
                report (w, side, errno, _("cannot open directory %s"));
                l->lost = true;
              }
            else
              w->fds++;
          }
      if (l->lost)
        level_close (w, l);
      else
        l->parked = false;
    }
  return l->lost ? -1 : l->fd[b];
}

/* Look at NAME in level PARENT (the caller's directory at the roots) for
   side B (else A) of W into *E, without following a symbolic link, and
   open it when it is a regular file or a directory.  A missing entry is
   not an error.  Return false after reporting an error that leaves
   nothing to compare.  */
static bool
look (struct walk *w, bool b, struct level *parent, char const *name,
      struct entry *e)
{
  *e = (struct entry) { .fd = -1, .name = name };
  if (!name)
    return true;
  e->dirfd = parent ? level_fd (w, parent, b) : w->base[b];
  if (parent && e->dirfd < 0)
    return false;
  if (fstatat (e->dirfd, name, &e->st, AT_SYMLINK_NOFOLLOW) != 0)
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
  if (S_ISDIR (e->st.st_mode))
    make_room (w, parent);
  int flags = (O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC
               | (S_ISDIR (e->st.st_mode) ? O_DIRECTORY : 0));
  struct stat st;
  e->fd = openat (e->dirfd, name, flags);
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

/* Read the compared extended attributes of side B (else A) E of W's
   current entry into *XS.  Report a failure (and go on with what was
   read).  */
static void
read_xattrs (struct walk *w, bool b, struct entry const *e,
             struct snap_xattrs *xs)
{
  char procbuf[64 + 4096];
  char const *proc = 0 <= e->fd ? NULL : proc_name (e, procbuf,
                                                   sizeof procbuf);
  if (snap_xattrs_read (e->fd, proc, xs) != 0)
    report (w, b, errno, _("cannot read extended attributes of %s"));
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
      int same = snap_extents_same (a->fd, b->fd, &a->st, &b->st,
                                    &w->stats->count);
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

  struct snap_xattrs xa, xb;
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
  if (snap_xattrs_differ (&xa, &xb, false))
    cols[COL_XATTR] = 'x';
  if (snap_xattrs_differ (&xa, &xb, true))
    cols[COL_ACL] = 'a';
  snap_xattrs_free (&xa);
  snap_xattrs_free (&xb);
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

static void diff_entry (struct walk *w, struct level *parent,
                        char const *na, char const *nb);

/* Compare the entries of level L's directories (a side without one:
   the other side's entries are added or removed), in name order.  */
static void
diff_children (struct walk *w, struct level *l)
{
  char **v[2] = { NULL, NULL };
  ssize_t n[2] = { 0, 0 };
  for (int b = 0; b < 2; b++)
    if (l->has[b])
      {
        int fd = level_fd (w, l, b);
        if (fd < 0)
          break;
        if ((n[b] = read_names (fd, &v[b])) < 0)
          {
            report (w, b, errno, _("cannot read directory %s"));
            n[b] = 0;
          }
      }
  ssize_t i = 0, j = 0;
  while (i < n[0] || j < n[1])
    {
      int c = (i == n[0] ? 1 : j == n[1] ? -1 : strcmp (v[0][i], v[1][j]));
      size_t old = path_push (w, c <= 0 ? v[0][i] : v[1][j]);
      diff_entry (w, l, c <= 0 ? v[0][i] : NULL, 0 <= c ? v[1][j] : NULL);
      path_pop (w, old);
      i += c <= 0;
      j += 0 <= c;
    }
  free_names (v[0], n[0]);
  free_names (v[1], n[1]);
}

/* What a thread with a new stack is given.  */
struct stack_job
{
  struct walk *w;
  struct level *l;
};

/* Run diff_children on the struct stack_job ARG.  */
static void *
children_thread (void *arg)
{
  struct stack_job *job = arg;
  diff_children (job->w, job->l);
  return NULL;
}

/* Compare what is under level L, one level deeper, on a new stack every
   LEVELS_PER_STACK levels.  */
static void
descend (struct walk *w, struct level *l)
{
  w->depth++;
  bool done = false;
  if (w->depth % LEVELS_PER_STACK == 0)
    {
      pthread_attr_t attr;
      pthread_t thread;
      struct stack_job job = { .w = w, .l = l };
      if (pthread_attr_init (&attr) == 0)
        {
          done = (pthread_attr_setstacksize (&attr, STACK_SIZE) == 0
                  && pthread_create (&thread, &attr, children_thread,
                                     &job) == 0
                  && pthread_join (thread, NULL) == 0);
          pthread_attr_destroy (&attr);
        }
    }
  if (!done)
    diff_children (w, l);
  w->depth--;
}

/* Return true if E is the directory W is told to leave out.  */
static bool
skipped (struct walk const *w, struct entry const *e)
{
  return (w->opt->skip && e->exists && S_ISDIR (e->st.st_mode)
          && e->st.st_dev == w->opt->skip_dev
          && e->st.st_ino == w->opt->skip_ino);
}

/* Compare entry NA with NB of level PARENT (the caller's directories at
   the roots; a NULL name: the side has no such entry), print its line if
   it differs, then do the same for what is under it.  */
static void
diff_entry (struct walk *w, struct level *parent, char const *na,
            char const *nb)
{
  struct entry e[2];
  bool looked_a = look (w, false, parent, na, &e[0]);
  bool looked_b = look (w, true, parent, nb, &e[1]);
  if (!looked_a || !looked_b || (!e[0].exists && !e[1].exists)
      || skipped (w, &e[0]) || skipped (w, &e[1]))
    {
      entry_close (&e[0]);
      entry_close (&e[1]);
      return;
    }
  w->stats->entries++;
  char cols[N_COLS + 1];
  memset (cols, '.', N_COLS);
  cols[N_COLS] = '\0';
  if (!e[0].exists)
    cols[COL_STATUS] = '+';
  else if (!e[1].exists)
    cols[COL_STATUS] = '-';
  else
    compare_both (w, &e[0], &e[1], cols);
  if (strspn (cols, ".") != N_COLS)
    print_line (w, cols);

  /* The directories become a level: their descriptors pass to it.  */
  struct level l = { .up = parent, .fd = { -1, -1 }, .name = { na, nb } };
  for (int b = 0; b < 2; b++)
    {
      if (e[b].exists && S_ISDIR (e[b].st.st_mode) && 0 <= e[b].fd)
        {
          l.has[b] = true;
          l.fd[b] = e[b].fd;
          l.dev[b] = e[b].st.st_dev;
          l.ino[b] = e[b].st.st_ino;
          e[b].fd = -1;
          w->fds++;
        }
      entry_close (&e[b]);
    }
  if (l.has[0] || l.has[1])
    {
      descend (w, &l);
      level_close (w, &l);
    }
}

/* See snap-diff.h.  */
bool
snap_diff_tree (int dirfd_a, char const *rel_a, int dirfd_b,
                char const *rel_b, struct snap_diff_options const *opt,
                struct snap_diff_stats *stats)
{
  struct walk w = { .opt = opt, .stats = stats, .ok = true,
                    .base = { dirfd_a, dirfd_b }, .budget = fd_budget (),
                    .path = xzalloc (64), .cap = 64 };
  diff_entry (&w, NULL, rel_a, rel_b);
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
