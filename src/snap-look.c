/* SPDX-License-Identifier: GPL-3.0-or-later */
/* snap-look.c -- finding, listing and comparing cowsnap's snapshots:
   the snapshots of a path, their sizes and the bytes only they hold
   (FIEMAP), the whole namespace, and diff.  */

#include "system.h"

#include <dirent.h>
#include <wchar.h>

#include "diag.h"
#include "dirname.h"
#include "filenamecat.h"
#include "fts_.h"
#include "hardlink-map.h"
#include "human.h"
#include "snap-diff.h"
#include "snap-extents.h"
#include "snap-run.h"
#include "snap-seal.h"
#include "timespec.h"
#include "xalloc.h"
#include "xvasprintf.h"


/* Compare snapshot entries A and B by time, oldest first.  */
static int
entry_cmp (void const *a, void const *b)
{
  struct snap_entry const *x = a, *y = b;
  int c = timespec_cmp (x->time, y->time);
  return c ? c : strcmp (x->name, y->name);
}

/* Fill X->stamped and X->time for the snapshot NAME (an entry of
   directory DIRFD) whose SUFFIX follows "BASE.": the stamp's time, or
   for a named snapshot when it was made (its birth time, else its
   status change time).  Return false if it cannot be had.  */
static bool
entry_time (int dirfd, char const *name, char const *suffix,
            struct snap_entry *x)
{
  x->stamped = snap_stamp_parse (suffix, &x->time);
  if (x->stamped)
    return true;
  struct statx sx;
  if (statx (dirfd, name, AT_SYMLINK_NOFOLLOW, STATX_BTIME | STATX_CTIME,
             &sx) != 0)
    return false;
  struct statx_timestamp const *ts
    = sx.stx_mask & STATX_BTIME ? &sx.stx_btime : &sx.stx_ctime;
  x->time.tv_sec = ts->tv_sec;
  x->time.tv_nsec = ts->tv_nsec;
  return true;
}

/* Put in *ENTRIES (N of them, oldest first; free with free_entries) the
   snapshots of place P.  A directory that is not there holds none.
   Return false with errno set when it cannot be read.  */
bool
snap_collect (struct snap_place const *p, struct snap_entry **entries,
                   size_t *n)
{
  *entries = NULL;
  *n = 0;
  DIR *d = opendir (p->dir);
  if (!d)
    return errno == ENOENT;
  size_t alloc = 0;
  struct dirent const *e;
  while ((e = readdir (d)))
    {
      char const *suffix = snap_suffix (e->d_name, p->base);
      struct snap_entry x = { 0 };
      if (!suffix)
        continue;
      if (!entry_time (dirfd (d), e->d_name, suffix, &x))
        continue;
      x.name = xstrdup (e->d_name);
      x.suffix = x.name + (suffix - e->d_name);
      if (*n == alloc)
        *entries = x2nrealloc (*entries, &alloc, sizeof **entries);
      (*entries)[(*n)++] = x;
    }
  closedir (d);
  if (*n)
    qsort (*entries, *n, sizeof **entries, entry_cmp);
  return true;
}

/* Free the N ENTRIES of collect_snapshots.  */
void
snap_entries_free (struct snap_entry *entries, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (entries[i].name);
  free (entries);
}

/* Return, newly allocated, the name SNAP means for PATH's snapshots in
   P: a file name when it holds a '/', else BASE.SNAP in P->dir; with
   SNAP NULL, the newest snapshot of P (by the time of its stamp, or of
   its making for a named one).  NULL after reporting.  */
char *
snap_named (struct snap_place const *p, char const *path,
                char const *snap)
{
  if (snap && strchr (snap, '/'))
    return xstrdup (snap);
  if (snap)
    {
      char *e = xasprintf ("%s.%s", p->base, snap);
      char *name = file_name_concat (p->dir, e, NULL);
      free (e);
      return name;
    }
  struct snap_entry *entries;
  size_t n;
  if (!snap_collect (p, &entries, &n))
    {
      diag_error (errno, _("cannot read %s"), quoteaf (p->dir));
      return NULL;
    }
  char *name = NULL;
  if (n == 0)
    diag_error (0, _("no snapshot of %s"), quoteaf (path));
  else
    name = file_name_concat (p->dir, entries[n - 1].name, NULL);
  snap_entries_free (entries, n);
  return name;
}

/* What a snapshot holds: the bytes of its files (each inode once), and
   those that only it holds (snap_extents_space).  */
struct snap_usage
{
  uintmax_t size;
  uintmax_t exclusive;
};

/* Measure the snapshot NAME into *U.  Return false with errno set when
   some of it could not be measured (what could is in *U).  */
static bool
measure (char const *name, struct snap_usage *u)
{
  *u = (struct snap_usage) { 0 };
  char *names[] = { (char *) name, NULL };
  FTS *fts = fts_open (names, FTS_PHYSICAL | FTS_CWDFD, NULL);
  if (!fts)
    return false;
  struct hlmap *seen = hlmap_new ();
  bool ok = true;
  int err = 0;
  FTSENT *e;
  while ((e = fts_read (fts)))
    {
      if (e->fts_info == FTS_DNR || e->fts_info == FTS_ERR
          || e->fts_info == FTS_NS)
        {
          ok = false;
          err = e->fts_errno;
          continue;
        }
      if (e->fts_info != FTS_F)
        continue;
      struct stat const *st = e->fts_statp;
      if (1 < st->st_nlink)
        {
          if (hlmap_lookup (seen, st->st_dev, st->st_ino))
            continue;
          hlmap_insert (seen, st->st_dev, st->st_ino, "");
        }
      u->size += st->st_size;
      int fd = openat (fts->fts_cwd_fd, e->fts_accpath,
                       O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
      struct snap_space space;
      if (fd < 0 || snap_extents_space (fd, &space) != 0)
        {
          ok = false;
          err = errno;
        }
      else
        u->exclusive += space.exclusive;
      if (0 <= fd)
        close (fd);
    }
  hlmap_free (seen);
  if (fts_close (fts) != 0 && ok)
    {
      ok = false;
      err = errno;
    }
  if (!ok)
    errno = err;
  return ok;
}

/* One snapshot found by list.  */
struct listed
{
  char *live;               /* the name of what it is a snapshot of */
  char *snap;               /* its own name */
  char const *suffix;       /* its stamp or name, in SNAP */
  struct timespec time;
};

/* Compare listed snapshots: by what they are of, then oldest first.  */
static int
listed_cmp (void const *a, void const *b)
{
  struct listed const *x = a, *y = b;
  int c = strcmp (x->live, y->live);
  return c ? c : timespec_cmp (x->time, y->time);
}

/* The snapshots found so far.  */
struct listing
{
  struct listed *v;
  size_t n, alloc;
};

/* Add the N ENTRIES of place P (whose snapshots are of LIVE) to *L.  */
static void
listing_add (struct listing *l, char const *live, char const *dir,
             struct snap_entry const *entries, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      if (l->n == l->alloc)
        l->v = x2nrealloc (l->v, &l->alloc, sizeof *l->v);
      struct listed *x = &l->v[l->n++];
      x->live = xstrdup (live);
      x->snap = file_name_concat (dir, entries[i].name, NULL);
      x->suffix = x->snap + strlen (x->snap) - strlen (entries[i].suffix);
      x->time = entries[i].time;
    }
}

/* Add to *L every snapshot in directory DIR of namespace SPACE, and
   below it, of the filesystem whose root is ROOT; REL is DIR's name
   relative to SPACE ("" at the top).  A directory of the namespace
   stands for a directory of the live tree when one of its name is
   there; any other entry of the form BASE.STAMP or BASE.NAME is a
   snapshot of ROOT/REL/BASE.  */
static void
list_space_dir (struct listing *l, char const *root, char const *dir,
                char const *rel)
{
  DIR *d = opendir (dir);
  if (!d)
    {
      diag_error (errno, _("cannot read %s"), quoteaf (dir));
      return;
    }
  char *live_dir = *rel ? file_name_concat (root, rel, NULL) : xstrdup (root);
  struct dirent const *e;
  while ((e = readdir (d)))
    {
      char const *n = e->d_name;
      if (n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2])
                          || strcmp (n, SNAP_MARKER) == 0
                          || strstr (n, ".cowsnap-")))
        continue;
      char *live = file_name_concat (live_dir, n, NULL);
      char *sub = file_name_concat (dir, n, NULL);
      struct stat lst, sst;
      if (stat (live, &lst) == 0 && S_ISDIR (lst.st_mode)
          && lstat (sub, &sst) == 0 && S_ISDIR (sst.st_mode)
          && !snap_is_subvolume_name (sub))
        {
          char *subrel = *rel ? file_name_concat (rel, n, NULL) : xstrdup (n);
          list_space_dir (l, root, sub, subrel);
          free (subrel);
        }
      else
        {
          /* BASE is what comes before a final stamp, or before the last
             '.' followed by a name.  */
          size_t len = strlen (n);
          char const *dot = NULL;
          if (SNAP_STAMP_LEN < len && n[len - SNAP_STAMP_LEN - 1] == '.'
              && snap_stamp_parse (n + len - SNAP_STAMP_LEN, NULL))
            dot = n + len - SNAP_STAMP_LEN - 1;
          else if ((dot = strrchr (n, '.')) && !snap_name_valid (dot + 1))
            dot = NULL;
          struct snap_entry x = { .name = (char *) n };
          if (dot && n < dot && entry_time (dirfd (d), n, dot + 1, &x))
            {
              x.suffix = dot + 1;
              char *base = ximemdup0 (n, dot - n);
              /* "@" at the top stands for the root itself.  */
              char *of = (!*rel && strcmp (base, "@") == 0
                          ? xstrdup (root)
                          : file_name_concat (live_dir, base, NULL));
              listing_add (l, of, dir, &x, 1);
              free (of);
              free (base);
            }
        }
      free (sub);
      free (live);
    }
  closedir (d);
  free (live_dir);
}

/* Print S as a JSON string.  Bytes that are not UTF-8 are written as
   \u00XX (the Latin-1 reading of the byte).  */
static void
json_string (char const *s)
{
  putchar ('"');
  mbstate_t mbs = { 0 };
  for (size_t len = strlen (s); *s; )
    {
      unsigned char c = *s;
      size_t k = c < 0x80 ? 1 : mbrlen (s, len, &mbs);
      if (c == '"' || c == '\\')
        printf ("\\%c", c);
      else if (c < 0x20)
        printf ("\\u%04x", c);
      else if (c < 0x80 || k == (size_t) -1 || k == (size_t) -2)
        {
          if (c < 0x80)
            putchar (c);
          else
            printf ("\\u%04x", c);
          k = 1;
          memset (&mbs, 0, sizeof mbs);
        }
      else
        fwrite (s, 1, k, stdout);
      s += k;
      len -= k;
    }
  putchar ('"');
}

/* Print the listing L, as --json or as text.  Return false if a
   snapshot could not be measured (reported).  */
static bool
print_listing (struct snap_run *run, struct listing *l)
{
  struct snap_options const *opt = run->opt;
  bool ok = true;
  if (l->n)
    qsort (l->v, l->n, sizeof *l->v, listed_cmp);
  if (opt->json)
    fputs ("[", stdout);
  for (size_t i = 0; i < l->n; i++)
    {
      struct listed const *x = &l->v[i];
      struct snap_usage u;
      if (!measure (x->snap, &u))
        {
          diag_error (errno, _("cannot measure %s"), quoteaf (x->snap));
          ok = false;
        }
      struct stat st;
      char const *kind = "file";
      if (lstat (x->snap, &st) == 0 && S_ISDIR (st.st_mode))
        kind = snap_is_subvolume_name (x->snap) ? "subvolume" : "tree";
      char when[64];
      struct tm tm;
      if (opt->json)
        {
          strftime (when, sizeof when, "%Y-%m-%dT%H:%M:%S",
                    gmtime_r (&x->time.tv_sec, &tm));
          fputs (i ? ",\n " : "\n ", stdout);
          fputs ("{\"path\": ", stdout);
          json_string (x->live);
          fputs (", \"snapshot\": ", stdout);
          json_string (x->snap);
          fputs (", \"name\": ", stdout);
          json_string (x->suffix);
          printf (", \"time\": \"%s.%06ldZ\", \"kind\": \"%s\", "
                  "\"size\": %ju, \"exclusive\": %ju}",
                  when, x->time.tv_nsec / 1000, kind, u.size, u.exclusive);
          continue;
        }
      if (i == 0 || strcmp (l->v[i - 1].live, x->live) != 0)
        {
          if (i)
            putchar ('\n');
          printf (_("Snapshots for %s:\n"), quoteaf (x->live));
        }
      strftime (when, sizeof when, "%Y-%m-%d %H:%M:%S",
                localtime_r (&x->time.tv_sec, &tm));
      char b1[LONGEST_HUMAN_READABLE + 1], b2[LONGEST_HUMAN_READABLE + 1];
      int h = (opt->human ? (human_autoscale | human_SI | human_base_1024
                             | human_ceiling)
               : 0);
      printf ("  %-26s  %s  %9s  %9s  %s\n", x->suffix, when,
              human_readable (u.size, b1, h, 1, 1),
              human_readable (u.exclusive, b2, h, 1, 1), kind);
    }
  if (opt->json)
    fputs (l->n ? "\n]\n" : "]\n", stdout);
  return ok;
}

/* List the snapshots of the N paths FILES, or with none, of everything
   in the namespace of the working directory's filesystem.  */
bool
snap_list_paths (struct snap_run *run, char **files, int n)
{
  struct snap_options const *opt = run->opt;
  struct listing l = { 0 };
  bool ok = true;
  for (int i = 0; i < n; i++)
    {
      struct snap_place p;
      bool exists;
      if (!snap_find_place (files[i], opt->dir, &p, &exists))
        {
          ok = false;
          continue;
        }
      struct snap_entry *entries;
      size_t count;
      if (!snap_collect (&p, &entries, &count))
        {
          diag_error (errno, _("cannot read %s"), quoteaf (p.dir));
          ok = false;
        }
      else
        {
          listing_add (&l, p.path, p.dir, entries, count);
          snap_entries_free (entries, count);
        }
      snap_place_free (&p);
    }
  if (n == 0)
    {
      struct snap_place p;
      if (!snap_place_find (".", opt->dir, &p))
        {
          snap_report_place (".", opt->dir);
          return false;
        }
      if (snap_space_ready (p.space, false))
        list_space_dir (&l, p.root, p.space, "");
      else if (errno != ENOENT)
        {
          diag_error (errno, _("cannot read %s"), quoteaf (p.space));
          ok = false;
        }
      snap_place_free (&p);
    }
  ok &= print_listing (run, &l);
  for (size_t i = 0; i < l.n; i++)
    {
      free (l.v[i].live);
      free (l.v[i].snap);
    }
  free (l.v);
  return ok;
}

/* Compare snapshot A with B (a later snapshot, or what is live), both
   file names, printing the differences to OUT when not NULL.  Set
   *DIFFER to whether anything differs.  SPACE: the namespace, left
   out, or NULL.  With DEBUG, say what was read and what the extent maps
   proved equal.  Return false after reporting.  */
bool
snap_compare (char const *a, char const *b, FILE *out, struct stat const *space,
         bool debug, bool *differ)
{
  FILE *sink = out ? out : fopen ("/dev/null", "w");
  if (!sink)
    {
      diag_error (errno, _("cannot open %s"), quoteaf ("/dev/null"));
      return false;
    }
  struct snap_diff_options o = {
    .out = sink, .name_a = a, .name_b = b, .skip = space != NULL,
    .skip_dev = space ? space->st_dev : 0,
    .skip_ino = space ? space->st_ino : 0
  };
  struct snap_diff_stats stats = { 0 };
  struct stat sa, sb;
  bool ok;
  if (lstat (a, &sa) == 0 && lstat (b, &sb) == 0 && S_ISREG (sa.st_mode)
      && S_ISREG (sb.st_mode) && out)
    {
      int fa = open (a, O_RDONLY | O_NOCTTY | O_CLOEXEC);
      int fb = open (b, O_RDONLY | O_NOCTTY | O_CLOEXEC);
      if (fa < 0 || fb < 0)
        {
          diag_error (errno, _("cannot open %s"), quoteaf (fa < 0 ? a : b));
          ok = false;
        }
      else
        ok = snap_diff_file (fa, fb, &o, &stats);
      if (0 <= fa)
        close (fa);
      if (0 <= fb)
        close (fb);
    }
  else
    ok = snap_diff_tree (AT_FDCWD, a, AT_FDCWD, b, &o, &stats);
  *differ = stats.differ != 0;
  if (!out)
    fclose (sink);
  if (debug)
    diag_line (_("compared %ju entries: %ju bytes read, %ju known equal "
                 "from shared extents, %ju holes on both sides"),
               stats.entries, stats.count.bytes_read,
               stats.count.bytes_same_extent, stats.count.bytes_hole);
  return ok;
}

/* Print what differs between a snapshot of PATH and PATH, or between
   two snapshots: SNAP (NULL: the newest) and SNAP2 (NULL: PATH).  */
bool
snap_diff_path (struct snap_run *run, char const *path, char const *snap,
           char const *snap2)
{
  struct snap_place p;
  bool exists;
  if (!snap_find_place (path, run->opt->dir, &p, &exists))
    return false;
  char *a = snap_named (&p, path, snap);
  char *b = snap2 ? snap_named (&p, path, snap2) : xstrdup (path);
  bool ok = a && b;
  struct stat space;
  bool differ;
  if (ok)
    ok = snap_compare (a, b, stdout,
                  stat (p.space, &space) == 0 ? &space : NULL,
                  run->opt->debug, &differ);
  free (a);
  free (b);
  snap_place_free (&p);
  return ok;
}
