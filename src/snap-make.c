/* SPDX-License-Identifier: GPL-3.0-or-later */
/* snap-make.c -- making, restoring, deleting and pruning cowsnap's
   snapshots: the namespace made ready, the backend chosen, the copy
   engine (or a native btrfs snapshot) run under a temporary name, the
   result sealed and renamed into place.  */

#include "system.h"

#include <dirent.h>
#include <linux/btrfs.h>
#include <sys/ioctl.h>

#include "backupfile.h"
#include "canonicalize.h"
#include "copy-tree.h"
#include "diag.h"
#include "dirname.h"
#include "filenamecat.h"
#include "frontend.h"
#include "remove-tree.h"
#include "snap-run.h"
#include "snap-seal.h"
#include "stat-time.h"
#include "timespec.h"
#include "xalloc.h"
#include "xvasprintf.h"

/* How many more times a file that changed while it was cloned is cloned
   again before it is reported.  */
enum { SETTLE_TRIES = 3 };

/* Start the copy engine of RUN, which clones (COW_ALWAYS) or, with
   --copy or for a restore, copies where it cannot (COW), keeping every
   piece of metadata and the hard links.  */
static void
engine_start (struct snap_run *run, enum cow_mode cow)
{
  if (run->engine_ready)
    copy_tree_free (&run->engine);
  run->copy = (struct copy_options) {
    .cow = cow, .sparse = SPARSE_AUTO, .interactive = I_UNSPECIFIED,
    .update = UPDATE_ALL, .deref = DEREF_NEVER, .recursive = true,
    .data_copy_required = true, .backup_type = no_backups,
    .preserve_mode = true, .preserve_ownership = true,
    .preserve_timestamps = true, .preserve_links = true,
    .preserve_xattr = true, .require_preserve = true,
    .reduce_diagnostics = true, .private_dest = true
  };
  frontend_process (&run->copy);
  copy_tree_init (&run->engine, &run->copy, false);
  run->engine_ready = true;
}

/* Fill *P with the place of the snapshots of PATH, which may be gone
   (EXISTS says whether it is there): then its place is that of an entry
   of its directory, P->path the name it had.  Return false after
   reporting.  */
bool
snap_find_place (char const *path, char const *dir, struct snap_place *p,
            bool *exists)
{
  char *copy = xstrdup (path);
  strip_trailing_slashes (copy);
  struct stat st;
  *exists = lstat (copy, &st) == 0;
  if (*exists || errno != ENOENT)
    {
      free (copy);
      if (snap_place_find (path, dir, p))
        return true;
      snap_report_place (path, dir);
      return false;
    }
  char *parent = dir_name (copy);
  char *base = xstrdup (last_component (copy));
  free (copy);
  bool ok = snap_place_find (parent, dir, p);
  if (!ok)
    snap_report_place (parent, dir);
  else
    {
      char *d = p->dir;
      p->dir = (strcmp (p->base, "@") == 0 ? xstrdup (p->space)
                : file_name_concat (d, p->base, NULL));
      free (d);
      free (p->base);
      p->base = base;
      base = NULL;
      char *full = file_name_concat (p->path, p->base, NULL);
      free (p->path);
      p->path = full;
    }
  free (base);
  free (parent);
  return ok;
}

/* Report that PATH (whose place could not be found: errno) cannot be
   snapshotted or looked up, with DIR the --dir given or NULL.  */
void
snap_report_place (char const *path, char const *dir)
{
  if (errno == EXDEV && dir)
    diag_error (0, _("%s is not on the filesystem of %s"), quoteaf_n (0, dir),
                quoteaf_n (1, path));
  else
    diag_error (errno, _("cannot access %s"), quoteaf (path));
}

/* Make the namespace of P and P's directory in it ready; report and
   return false when they cannot be.  */
static bool
space_ready (struct snap_place const *p)
{
  if (!snap_space_ready (p->space, true))
    {
      if (errno == EEXIST)
        diag_error (0, _("%s exists and is not a snapshot namespace made by "
                         "cowsnap; use --dir"), quoteaf (p->space));
      else
        diag_error (errno, _("cannot create snapshot namespace %s"),
                    quoteaf (p->space));
      return false;
    }
  if (!snap_dir_ready (p))
    {
      diag_error (errno, _("cannot create directory %s"), quoteaf (p->dir));
      return false;
    }
  return true;
}

/* Take a native read-only btrfs snapshot of subvolume SRC_FD as entry
   NAME of directory DIRFD (WRITABLE: a writable one).  Return 0, or -1
   with errno set.  */
static int
subvolume_snapshot (int src_fd, int dirfd, char const *name, bool writable)
{
  struct btrfs_ioctl_vol_args_v2 args = { 0 };
  if (sizeof args.name <= strlen (name))
    {
      errno = ENAMETOOLONG;
      return -1;
    }
  args.fd = src_fd;
  args.flags = writable ? 0 : BTRFS_SUBVOL_RDONLY;
  strcpy (args.name, name);
  return ioctl (dirfd, BTRFS_IOC_SNAP_CREATE_V2, &args);
}

/* Delete the btrfs subvolume NAME (an entry of directory DIRFD).  */
static int
subvolume_delete (int dirfd, char const *name)
{
  struct btrfs_ioctl_vol_args args = { 0 };
  if (sizeof args.name <= strlen (name))
    {
      errno = ENAMETOOLONG;
      return -1;
    }
  strcpy (args.name, name);
  return ioctl (dirfd, BTRFS_IOC_SNAP_DESTROY, &args);
}

/* How a snapshot is made.  */
enum backend
{
  BACKEND_SUBVOLUME,        /* btrfs read-only subvolume snapshot */
  BACKEND_REFLINK,          /* the copy engine, cloning every file */
  BACKEND_COPY              /* the copy engine, copying (--copy) */
};

static char const *const backend_names[] = {
  "btrfs-subvolume", "reflink", "copy"
};

/* Choose how to snapshot P (named PATH on the command line); report and
   return false when it cannot be snapshotted at all.  */
static bool
choose_backend (struct snap_run *run, char const *path,
                struct snap_place const *p, enum backend *b)
{
  int fd = open (p->path, O_PATH | O_CLOEXEC);
  int rfd = S_ISDIR (p->st.st_mode)
            ? open (p->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  char buf[32];
  bool can_share;
  char const *type = snap_fs_type (0 <= rfd ? rfd : fd, buf, sizeof buf,
                                   &can_share);
  bool subvolume = 0 <= rfd && snap_is_subvolume (rfd);
  if (0 <= fd)
    close (fd);
  if (0 <= rfd)
    close (rfd);
  if (subvolume)
    *b = BACKEND_SUBVOLUME;
  else if (can_share)
    *b = BACKEND_REFLINK;
  else if (run->opt->copy)
    *b = BACKEND_COPY;
  else
    {
      diag_error (0, _("cannot snapshot %s: its filesystem (%s) cannot "
                       "share data between files; --copy copies it instead"),
                  quoteaf (path), type);
      return false;
    }
  if (run->opt->debug)
    diag_line (_("%s: %s filesystem, backend: %s"), quoteaf (path), type,
               backend_names[*b]);
  return true;
}

/* Make the snapshot of P called BASE.SUFFIX in directory DIRFD (P->dir)
   with BACKEND, under a temporary name first for the engine's backends.
   Return 1 when made, 0 when that name is taken (nothing reported), -1
   after reporting a failure.  */
static int
make_snapshot (struct snap_run *run, struct snap_place const *p, int dirfd,
               char const *snap_name, enum backend backend)
{
  char *shown = file_name_concat (p->dir, snap_name, NULL);
  int r = -1;
  if (backend == BACKEND_SUBVOLUME)
    {
      int src_fd = open (p->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (0 <= src_fd && subvolume_snapshot (src_fd, dirfd, snap_name,
                                             false) == 0)
        r = 1;
      else if (errno == EEXIST)
        r = 0;
      else
        diag_error (errno, _("cannot snapshot %s"), quoteaf (p->path));
      if (0 <= src_fd)
        close (src_fd);
      free (shown);
      return r;
    }

  struct stat st;
  if (fstatat (dirfd, snap_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
    {
      free (shown);
      return 0;
    }
  engine_start (run, backend == BACKEND_COPY ? COW_AUTO : COW_ALWAYS);
  struct stat space_st;
  if (stat (p->space, &space_st) == 0)
    {
      run->copy.skip_dir = true;
      run->copy.skip_dev = space_st.st_dev;
      run->copy.skip_ino = space_st.st_ino;
    }
  run->copy.settle_tries = SETTLE_TRIES;
  run->copy.unsettled = _("%s changed while being snapshotted");
  struct beside_names const names = {
    .tag = "cowsnap",
    .leftover = _("warning: leftover partial snapshot %s from an "
                  "interrupted run; remove it unless another cowsnap is "
                  "still running")
  };
  char *tmp = copy_tree_beside (&run->engine, p->path, dirfd, p->dir,
                                snap_name, shown, &names);
  if (tmp && (copy_tree_stopped (&run->engine)
              || (run->opt->strict && run->engine.files_unsettled)))
    {
      if (!copy_tree_stopped (&run->engine))
        diag_error (0, _("snapshot of %s not made: files changed while it "
                         "was taken"), quoteaf (p->path));
      remove_tree_made (dirfd, tmp, tmp);
      free (tmp);
      free (shown);
      return -1;
    }
  if (!tmp)
    {
      free (shown);
      return -1;
    }

  /* Read-only, then in place: an immutable entry cannot be renamed, so
     the top is sealed once it has its name.  */
  char *tmp_path = file_name_concat (p->dir, tmp, NULL);
  enum snap_seal_kind kind = SEAL_IMMUTABLE;
  bool sealed = snap_seal (tmp_path, false, &kind);
  if (sealed && renameat2 (dirfd, tmp, dirfd, snap_name,
                           RENAME_NOREPLACE) == 0)
    {
      r = 1;
      if (!snap_seal_top (shown, kind))
        {
          diag_error (errno, _("cannot make %s read-only"), quoteaf (shown));
          r = -1;
        }
    }
  else
    {
      int err = errno;
      snap_unseal (tmp_path);
      remove_tree_made (dirfd, tmp, tmp_path);
      if (sealed && err == EEXIST)
        r = 0;
      else
        diag_error (err, sealed ? _("cannot create %s")
                                : _("cannot make %s read-only"),
                    quoteaf (shown));
    }
  free (tmp_path);
  free (tmp);
  free (shown);
  return r;
}

/* --if-changed: return true if P differs from its newest snapshot in
   anything a diff shows (or has none); else say so with -v, set *OK to
   true and return false.  On a failure to compare, report it, set *OK
   to false and return false.  */
static bool
changed_since_newest (struct snap_run *run, struct snap_place const *p,
                      char const *path, bool *ok)
{
  struct snap_entry *entries;
  size_t n;
  if (!snap_collect (p, &entries, &n))
    {
      diag_error (errno, _("cannot read %s"), quoteaf (p->dir));
      *ok = false;
      return false;
    }
  bool changed = true;
  if (n)
    {
      char *newest = file_name_concat (p->dir, entries[n - 1].name, NULL);
      struct stat space;
      bool differ;
      if (!snap_compare (newest, p->path, NULL,
                    stat (p->space, &space) == 0 ? &space : NULL,
                    run->opt->debug, &differ))
        {
          *ok = false;
          changed = false;
        }
      else if (!differ)
        {
          changed = false;
          *ok = true;
          if (run->opt->verbose)
            diag_line (_("%s is unchanged since %s"), quoteaf_n (0, path),
                       quoteaf_n (1, newest));
        }
      free (newest);
    }
  snap_entries_free (entries, n);
  return changed;
}

/* Snapshot PATH, called NAME when not NULL.  Return false after
   reporting.  */
bool
snap_create_path (struct snap_run *run, char const *path, char const *name)
{
  struct snap_options const *opt = run->opt;
  struct snap_place p;
  if (!snap_place_find (path, opt->dir, &p))
    {
      snap_report_place (path, opt->dir);
      return false;
    }
  bool ok = false;
  enum backend backend;
  int dirfd = -1;
  char *inside = p.in_space ? NULL : snap_space_of (p.path);
  if (inside)
    {
      free (p.space);
      p.space = inside;
      p.in_space = true;
    }
  if (p.in_space)
    {
      diag_error (0, _("cannot snapshot %s: it is in the snapshot namespace "
                       "%s"), quoteaf_n (0, path), quoteaf_n (1, p.space));
      goto done;
    }
  if (!choose_backend (run, path, &p, &backend) || !space_ready (&p))
    goto done;
  dirfd = open (p.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    {
      diag_error (errno, _("cannot access %s"), quoteaf (p.dir));
      goto done;
    }
  if (opt->if_changed && !changed_since_newest (run, &p, path, &ok))
    goto done;

  /* A stamp taken now, or a later one when two snapshots fall in the
     same microsecond.  */
  for (int tries = 0; tries < 1000 && !*frontend_stop; tries++)
    {
      char suffix[SNAP_STAMP_LEN + 1];
      if (!name)
        {
          struct timespec now;
          clock_gettime (CLOCK_REALTIME, &now);
          snap_stamp (now, suffix);
        }
      char *snap_name = xasprintf ("%s.%s", p.base, name ? name : suffix);
      int r = make_snapshot (run, &p, dirfd, snap_name, backend);
      if (r == 0 && name)
        {
          char *shown = file_name_concat (p.dir, snap_name, NULL);
          diag_error (EEXIST, _("cannot create %s"), quoteaf (shown));
          free (shown);
        }
      if (r == 1)
        {
          ok = !run->engine_ready || !run->engine.files_unsettled;
          if (opt->verbose)
            {
              char *shown = file_name_concat (p.dir, snap_name, NULL);
              diag_line (_("snapshot %s -> %s%s"), quoteaf_n (0, path),
                         quoteaf_n (1, shown),
                         (backend != BACKEND_SUBVOLUME
                          && run->engine.files_copied ? _(" (copied)") : ""));
              free (shown);
            }
        }
      free (snap_name);
      if (r != 0 || name)
        break;
    }

 done:
  if (0 <= dirfd)
    close (dirfd);
  snap_place_free (&p);
  return ok;
}

/* Restore PATH from SNAP (NULL: the newest); see usage.  Return false
   after reporting.  */
bool
snap_restore_path (struct snap_run *run, char const *path, char const *snap)
{
  struct snap_options const *opt = run->opt;
  struct snap_place p;
  bool exists;
  bool ok = false;
  char *snap_name = NULL, *dest = NULL, *dest_dir = NULL, *tmp = NULL;
  int dirfd = -1, snap_fd = -1;
  struct stat st;
  if (!snap_find_place (path, opt->dir, &p, &exists))
    return false;
  char const *full = p.path;
  snap_name = snap_named (&p, path, snap);
  if (!snap_name)
    goto done;
  struct stat snap_st;
  if (lstat (snap_name, &snap_st) != 0)
    {
      diag_error (errno, _("cannot access %s"), quoteaf (snap_name));
      goto done;
    }

  /* Where it goes: PATH, or --to DEST.  */
  dest = xstrdup (opt->to ? opt->to : full);
  dest_dir = dir_name (dest);
  char const *dest_base = last_component (dest);
  dirfd = open (dest_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    {
      diag_error (errno, _("cannot access %s"), quoteaf (dest_dir));
      goto done;
    }
  bool replace = !opt->to && exists;
  if (opt->to && fstatat (dirfd, dest_base, &st, AT_SYMLINK_NOFOLLOW) == 0)
    {
      diag_error (EEXIST, _("cannot restore to %s"), quoteaf (dest));
      goto done;
    }

  /* What is replaced is kept as a snapshot first.  */
  if (replace && !opt->no_keep)
    {
      char keep[32] = "pre-restore";
      char *kept;
      for (int i = 2;; i++)
        {
          char *e = xasprintf ("%s.%s", p.base, keep);
          kept = file_name_concat (p.dir, e, NULL);
          free (e);
          if (lstat (kept, &st) != 0)
            break;
          free (kept);
          snprintf (keep, sizeof keep, "pre-restore-%d", i);
        }
      free (kept);
      if (!snap_create_path (run, path, keep))
        goto done;
    }

  /* The copy, beside its destination.  */
  bool subvolume = false;
  if (S_ISDIR (snap_st.st_mode))
    {
      snap_fd = open (snap_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      subvolume = 0 <= snap_fd && snap_is_subvolume (snap_fd);
    }
  char *shown = file_name_concat (dest_dir, dest_base, NULL);
  if (subvolume)
    {
      for (int tries = 0; !tmp && tries < 100; tries++)
        {
          char *t = xasprintf (".%s.cowsnap-%06x", dest_base,
                               (unsigned int) (random () & 0xffffff));
          if (subvolume_snapshot (snap_fd, dirfd, t, true) == 0)
            tmp = t;
          else
            {
              int err = errno;
              free (t);
              if (err != EEXIST)
                {
                  diag_error (err, _("cannot restore %s"), quoteaf (shown));
                  break;
                }
            }
        }
    }
  else
    {
      engine_start (run, COW_AUTO);
      struct beside_names const names = {
        .tag = "cowsnap",
        .leftover = _("warning: leftover partial snapshot %s from an "
                      "interrupted run; remove it unless another cowsnap is "
                      "still running")
      };
      tmp = copy_tree_beside (&run->engine, snap_name, dirfd, dest_dir,
                              dest_base, shown, &names);
      if (tmp && copy_tree_stopped (&run->engine))
        {
          remove_tree_made (dirfd, tmp, tmp);
          free (tmp);
          tmp = NULL;
        }
      if (tmp)
        {
          char *tmp_path = file_name_concat (dest_dir, tmp, NULL);
          if (!snap_unseal_modes (tmp_path))
            {
              diag_error (errno, _("cannot give %s its modes back"),
                          quoteaf (shown));
              remove_tree_made (dirfd, tmp, tmp_path);
              free (tmp);
              tmp = NULL;
            }
          free (tmp_path);
        }
    }
  if (!tmp)
    {
      free (shown);
      goto done;
    }


  /* In place, atomically; what was there is then removed.  */
  if (renameat2 (dirfd, tmp, dirfd, dest_base,
                 replace ? RENAME_EXCHANGE : RENAME_NOREPLACE) != 0)
    {
      diag_error (errno, _("cannot restore %s"), quoteaf (shown));
      if (subvolume)
        subvolume_delete (dirfd, tmp);
      else
        remove_tree_made (dirfd, tmp, tmp);
      free (shown);
      goto done;
    }
  ok = true;
  if (replace)
    {
      struct stat old;
      int fd = openat (dirfd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW
                       | O_CLOEXEC);
      bool old_subvolume = 0 <= fd && fstat (fd, &old) == 0
                           && snap_is_subvolume (fd);
      if (0 <= fd)
        close (fd);
      if (old_subvolume ? subvolume_delete (dirfd, tmp) != 0
          : !remove_tree_made (dirfd, tmp, tmp))
        {
          char *t = file_name_concat (dest_dir, tmp, NULL);
          diag_error (errno, _("cannot remove %s"), quoteaf (t));
          free (t);
          ok = false;
        }
    }
  if (opt->verbose)
    diag_line (_("restored %s from %s"), quoteaf_n (0, shown),
               quoteaf_n (1, snap_name));
  free (shown);

 done:
  snap_place_free (&p);
  if (0 <= dirfd)
    close (dirfd);
  if (0 <= snap_fd)
    close (snap_fd);
  free (tmp);
  free (dest);
  free (dest_dir);
  free (snap_name);
  return ok;
}

/* Delete the snapshot SNAP.  Return false after reporting.  */
bool
snap_delete (struct snap_run *run, char const *snap)
{
  char *space = snap_space_of (snap);
  if (!space)
    {
      diag_error (0, _("refusing to delete %s: it is not inside a snapshot "
                       "namespace made by cowsnap"), quoteaf (snap));
      return false;
    }
  free (space);
  struct stat st;
  if (lstat (snap, &st) != 0)
    {
      diag_error (errno, _("cannot delete %s"), quoteaf (snap));
      return false;
    }
  char *copy = xstrdup (snap);
  strip_trailing_slashes (copy);
  char *dir = dir_name (copy);
  char const *base = last_component (copy);
  int dirfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  bool ok = 0 <= dirfd;
  int fd = -1;
  if (ok && S_ISDIR (st.st_mode))
    fd = openat (dirfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW
                 | O_CLOEXEC);
  if (ok && 0 <= fd && snap_is_subvolume (fd))
    ok = subvolume_delete (dirfd, base) == 0;
  else if (ok)
    {
      /* Writable again, then out of sight under a temporary name, then
         removed: an interrupted delete leaves no half snapshot under its
         own name.  */
      ok = snap_unseal (copy);
      char *tmp = ok ? xasprintf (".%s.cowsnap-rm", base) : NULL;
      if (ok && renameat2 (dirfd, base, dirfd, tmp, RENAME_NOREPLACE) != 0)
        {
          free (tmp);
          tmp = NULL;
        }
      ok = ok && remove_tree_made (dirfd, tmp ? tmp : base, snap);
      free (tmp);
    }
  if (!ok)
    diag_error (errno, _("cannot delete %s"), quoteaf (snap));
  else if (run->opt->verbose)
    diag_line (_("deleted %s"), quoteaf (snap));
  if (0 <= fd)
    close (fd);
  if (0 <= dirfd)
    close (dirfd);
  free (dir);
  free (copy);
  return ok;
}

/* Prune the stamped snapshots of PATH as the --keep options say;
   named ones are never pruned.  Return false after reporting.  */
bool
snap_prune_path (struct snap_run *run, char const *path)
{
  struct snap_options const *opt = run->opt;
  struct snap_place p;
  bool exists;
  if (!snap_find_place (path, opt->dir, &p, &exists))
    return false;
  struct snap_entry *all;
  size_t n;
  bool ok = snap_collect (&p, &all, &n);
  if (!ok)
    diag_error (errno, _("cannot read %s"), quoteaf (p.dir));
  /* The stamped ones, oldest first, and their times.  */
  size_t m = 0;
  struct timespec *times = xnmalloc (n + 1, sizeof *times);
  struct snap_entry **stamped = xnmalloc (n + 1, sizeof *stamped);
  unsigned *reasons = xnmalloc (n + 1, sizeof *reasons);
  for (size_t i = 0; i < n; i++)
    if (all[i].stamped)
      {
        times[m] = all[i].time;
        stamped[m++] = &all[i];
      }
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  if (ok && m && !snap_retain_decide (times, m, now, &opt->keep, reasons))
    {
      diag_error (errno, _("cannot prune the snapshots of %s"),
                  quoteaf (path));
      ok = false;
    }
  for (size_t i = 0; ok && i < m && !*frontend_stop; i++)
    {
      char *name = file_name_concat (p.dir, stamped[i]->name, NULL);
      if (reasons[i])
        {
          if (opt->verbose)
            {
              char why[SNAP_RETAIN_REASONS_SIZE];
              diag_line (_("keeping %s (%s)"), quoteaf (name),
                         snap_retain_reasons (reasons[i], why, sizeof why));
            }
        }
      else if (opt->dry_run)
        diag_line (_("would delete %s"), quoteaf (name));
      else
        ok &= snap_delete (run, name);
      free (name);
    }
  free (reasons);
  free (stamped);
  free (times);
  snap_entries_free (all, n);
  snap_place_free (&p);
  return ok;
}
