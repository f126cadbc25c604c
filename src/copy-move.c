/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-move.c -- mv as a mode of the engine: rename first; where that
   cannot be done (another filesystem, another btrfs subvolume) copy
   beside the destination with copy-tree, rename the copy into place,
   and only then remove the source.  What happens to an existing
   destination is copy-dest's decision in move mode.  */

#include "system.h"

#include <dirent.h>
#include <linux/magic.h>
#include <sys/vfs.h>

#include "backupfile.h"
#include "copy-dest.h"
#include "copy-file.h"
#include "copy-move.h"
#include "dest-probe.h"
#include "diag.h"
#include "dirname.h"
#include "dry-run.h"
#include "filenamecat.h"
#include "hardlink-map.h"
#include "name-set.h"
#include "remove-tree.h"
#include "same-inode.h"
#include "xalloc.h"

/* Return true if directory REL of DIRFD has no entries.  */
static bool
dir_is_empty (int dirfd, char const *rel)
{
  int fd = openat (dirfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = 0 <= fd ? fdopendir (fd) : NULL;
  if (!d)
    {
      if (0 <= fd)
        close (fd);
      return false;
    }
  struct dirent *e;
  bool empty = true;
  while (empty && (e = readdir (d)))
    empty = strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0;
  closedir (d);
  return empty;
}

/* Move SRC across filesystems to entry REL of DIRFD (DIR_PATH from the
   working directory, NULL for AT_FDCWD), called DST (DST_ST: what is
   there, or NULL; BACKUP: the backup made of it, for the -v line): copy
   it beside the destination, rename the copy into place, then remove
   SRC.  A failure before the rename removes the copy and leaves SRC as
   it was.  Set *PLACED once the copy is in place: from then on a
   failure (SRC that cannot be removed) leaves the copy there, and the
   backup with it, as GNU mv does.  Set *REFUSED when the move stops
   before it copies anything, where GNU mv fails to remove the
   destination.

   A signal (SIGINT, SIGTERM, SIGHUP; see frontend.c) must never cost a
   file.  The rename in step 3 is the point of no return:
   - Before it, a signal abandons the move: the copy stops, counts as
     failed (copy_tree_stopped) and is removed, SRC is untouched and the
     final name was never used.  GNU mv, killed while copying, leaves the
     source whole too (but a partial copy under the final name).
   - After it, the copy is complete and in place, and the removal of SRC
     goes on to the end in spite of the signal; then cowmv dies of it.
     Stopping halfway would leave the same files in two places for the
     user to sort out, where finishing leaves the move done.
   - A second signal kills at once (the handler is reset by the first).
     Killed during the copy, SRC is whole and the copy stays under its
     temporary name, which the next move to DST warns about; killed
     during the removal, the copy is whole and SRC partly removed.  GNU
     mv, removing its source after copying, can be left so by any signal.
   Either way every file is whole in at least one place.  */
static bool
move_across (struct move_run *run, char const *src,
             struct stat const *src_st, int dirfd,
             char const *dir_path, char const *rel, char const *dst,
             struct stat const *dst_st, char const *backup, bool *placed,
             bool *refused)
{
  /* 1. A directory in the way must be one GNU mv could remove: it
     removes it before it copies, and stops there when rmdir fails, with
     EINVAL for a last component "." (Linux's rmdir(2) refuses it before
     looking inside) and ENOTEMPTY for one with entries.  Checked before
     copying.  */
  char const *base = last_component (rel);
  int in_way = 0;
  if (dst_st && S_ISDIR (dst_st->st_mode))
    in_way = (base_len (base) == 1 && *base == '.' ? EINVAL
              : !dir_is_empty (dirfd, rel) ? ENOTEMPTY : 0);
  if (in_way)
    {
      diag_error (in_way, _("inter-device move failed: %s to %s; "
                            "unable to remove target"),
                  quoteaf_n (0, src), quoteaf_n (1, dst));
      *refused = true;
      return false;
    }

  /* 1b. GNU mv removes the destination before it copies, and stops
     there when it cannot: on a read-only filesystem (whether or not the
     destination exists), or in a directory it may not write when the
     destination exists.  cowmv replaces the destination only once the
     copy is whole, but it asks the same question, and says the same.  */
  char *dir = mdir_name (rel);
  int writable = dir ? faccessat (dirfd, dir, W_OK, AT_EACCESS) : 0;
  int err = errno;
  free (dir);
  if (writable != 0 && (err == EROFS || (dst_st && err == EACCES)))
    {
      errno = err;
      diag_error (errno, _("inter-device move failed: %s to %s; "
                           "unable to remove target"),
                  quoteaf_n (0, src), quoteaf_n (1, dst));
      *refused = true;
      return false;
    }

  /* 2. The copy, under a temporary name ".NAME.cowmv-XXXXXX".  */
  struct beside_names const names = {
    .tag = "cowmv",
    .leftover = _("warning: leftover partial copy %s from an interrupted "
                  "move; remove it unless another move is still running"),
    .backup = backup
  };
  /* A later name of a file an earlier operand moved is made a link to
     that copy, which GNU mv makes over the destination, saying
     "removed" with -v.  */
  bool linked = (!S_ISDIR (src_st->st_mode) && run->engine.links
                 && hlmap_lookup (run->engine.links, src_st->st_dev,
                                  src_st->st_ino));
  char *tmp = copy_tree_beside (&run->engine, src, dirfd, dir_path, rel,
                                dst, &names);
  if (!tmp)
    return false;

  /* 3. Into place, replacing what was there (an empty directory, or a
     file: atomically); not if a signal came since the copy was done.  */
  bool stopped = copy_tree_stopped (&run->engine);
  if (stopped || renameat (dirfd, tmp, dirfd, rel) != 0)
    {
      int err = errno;
      char *shown = name_beside (dst, last_component (tmp));
      remove_tree_made (dirfd, tmp, shown);
      free (shown);
      if (!stopped)
        diag_error (err, _("inter-device move failed: %s to %s; "
                           "unable to remove target"),
                    quoteaf_n (0, src), quoteaf_n (1, dst));
      free (tmp);
      return false;
    }
  *placed = true;
  copy_tree_placed (&run->engine, dir_path, tmp, rel);
  free (tmp);
  if (linked && dst_st && run->opt->verbose)
    remove_tree_say_removed (dst);

  /* 4. Only now may the source go, all of it (see above).  */
  return remove_tree (AT_FDCWD, src, src, run->opt->verbose);
}

/* The destination, entry REL of directory DIR_PATH (NULL for the
   working directory), stays, or is where the file SRC_ST goes: note it
   in the engine's link table as the copy of that file.  */
static void
remember_kept (struct move_run *run, struct stat const *src_st,
               char const *dir_path, char const *rel)
{
  char *path = dir_path ? file_name_concat (dir_path, rel, NULL)
                        : xstrdup (rel);
  hlmap_insert (run->engine.links, src_st->st_dev, src_st->st_ino, path);
  free (path);
}

/* What link_under needs: the kept destination to link to.  */
struct relink
{
  char const *earlier;
  int dirfd;
};

/* Make TMP (of R->dirfd) a hard link of R->earlier, for
   dest_make_beside.  Return 0 or -1 with errno set.  */
static int
link_under (char *tmp, void *arg)
{
  struct relink const *r = arg;
  return linkat (AT_FDCWD, r->earlier, r->dirfd, tmp, 0);
}

/* This name of a file is moved after another name of it whose
   destination, EARLIER (from the working directory), was recorded
   (renamed over something, or kept by -u): make entry REL
   of DIRFD, called DST, a hard link of EARLIER, replacing whatever is
   there, as GNU mv does (copy.c: "we currently replace DST_NAME
   unconditionally, even if it was a newer separate file"); with -v say
   "removed DST" when something was replaced, as GNU's create_hard_link
   does.  The link is made beside and renamed over, so a failure leaves
   DST as it was.  Return false after reporting.  */
static bool
link_to_kept (struct move_run *run, char const *earlier, int dirfd,
              char const *rel, char const *dst)
{
  if (linkat (AT_FDCWD, earlier, dirfd, rel, 0) == 0)
    return true;
  int err = errno;
  if (err == EEXIST)
    {
      struct relink r = { .earlier = earlier, .dirfd = dirfd };
      if (dest_make_beside (dirfd, rel, link_under, &r, false) == 0)
        {
          if (run->opt->verbose)
            remove_tree_say_removed (dst);
          return true;
        }
      err = errno;
    }
  copy_file_link_failed (err, dst, earlier);
  return false;
}

/* A file -u skipped is met again (an operand named twice, another name
   of it, a symlink to it), and -u skips its destination, entry REL of
   DIR_PATH (from the working directory, NULL for it) called DST, status
   DST_ST, too; EARLIER (from the working directory) was recorded as the
   file's copy.  GNU mv links DST to EARLIER, replacing it ("we
   currently replace DST_NAME unconditionally").  Where that would
   replace a file, cowmv leaves it (README, "Deliberate differences from
   GNU").  Where GNU's link changes nothing or fails, cowmv gives its
   outcome without making the link (one made beside DST and renamed over
   it would stay where DST is EARLIER: rename(2) of a file onto itself
   does nothing): the link beside needs a parent it may write (else
   EACCES or EROFS); DST a directory cannot be EARLIER's link (EPERM)
   nor be replaced by one (EISDIR); else DST is EARLIER, and -v says
   "removed DST" (not --dry-run: nothing is removed).  Return false
   after reporting a failure.  */
static bool
relink_skipped (struct move_run *run, char const *earlier,
                char const *dir_path, char const *rel, char const *dst,
                struct stat const *dst_st)
{
  char *path = dir_path ? file_name_concat (dir_path, rel, NULL)
                        : xstrdup (rel);
  bool same = copy_tree_same_entry (earlier, path);
  bool dir = S_ISDIR (dst_st->st_mode);
  char *parent = same || dir ? mdir_name (path) : NULL;
  free (path);
  if (!same && !dir)
    return true;                /* a file GNU would replace: kept */
  int err = (!parent ? ENOMEM
             : faccessat (AT_FDCWD, parent, W_OK | X_OK, AT_EACCESS) != 0
             ? errno
             : !dir ? 0 : same ? EPERM : EISDIR);
  free (parent);
  if (err)
    {
      copy_file_link_failed (err, dst, same ? dst : earlier);
      return false;
    }
  if (run->opt->verbose && !run->engine.dry)
    remove_tree_say_removed (dst);
  return true;
}

/* Fill *P with mv's rules for an existing destination.  */
static void
mv_policy (struct move_run const *run, struct dest_policy *p)
{
  struct move_settings const *opt = run->opt;
  *p = (struct dest_policy) {
    .move = true, .preserve_links = true, .data_copy_required = true,
    .track_created = run->moved != NULL,
    .stdin_tty = isatty (STDIN_FILENO), .deref = DEREF_NEVER,
    .update = opt->update, .interactive = opt->interactive,
    .backup_type = opt->backup
  };
}

/* Decide with copy_dest_decide what happens to the destination of
   moving SRC (status SRC_ST) to entry REL of DIRFD (DIR_PATH from the
   working directory, NULL for AT_FDCWD), called DST, and do
   the first part of it: a question, a backup (named in *BACKUP).  Set
   *EXISTS when something stays at the destination for the rename to
   replace, and *DST_ST to its status.  Return true to go on with the
   move; false to stop, with *OK the result of the move.  */
static bool
check_dest (struct move_run *run, char const *src, struct stat const *src_st,
            int dirfd, char const *dir_path, char const *rel,
            char const *dst, bool *exists, struct stat *dst_st,
            char **backup, bool *ok)
{
  struct move_settings const *opt = run->opt;
  struct dest_policy p;
  struct dest_facts f;
  struct dest_where w = { .src_dirfd = AT_FDCWD, .src_rel = src,
                          .src_name = src, .dst_dirfd = dirfd,
                          .dst_rel = rel, .dst_name = dst };
  mv_policy (run, &p);
  dest_probe (&w, src_st, true, p.track_created ? run->moved : NULL, false,
              &p, &f);
  /* GNU mv stats the destination once the rename failed: what cannot
     be looked at (a directory it may not search) is that error.  */
  if (!f.dst_lnk_ok && errno != ENOENT)
    {
      diag_cannot_stat (errno, dst);
      *ok = false;
      return false;
    }
  struct dest_decision d = copy_dest_decide (&p, &f);
  *exists = f.dst_lnk_ok;
  *dst_st = f.dst_lnk;
  *ok = false;
  /* GNU asks before it looks at directories against non-directories
     and names made this run.  */
  if (d.ask && !dest_ask (&w, &f.dst_lnk, true))
    {
      if (opt->debug)
        dest_say_skipped (dst);
      return false;
    }
  if (d.action == DEST_REFUSE)
    {
      dest_report (&w, &d, true);
      return false;
    }
  if (d.action == DEST_SKIP)
    {
      /* -u kept a newer destination: another name of the source, moved
         later onto an older or no destination, is linked to it, as GNU
         mv does.  A name -u skips itself is GNU's link of the earlier
         one only where that loses nothing (relink_skipped).  */
      bool kept = !d.fail && p.update == UPDATE_OLDER && run->engine.links;
      char const *earlier = (kept ? hlmap_lookup (run->engine.links,
                                                  src_st->st_dev,
                                                  src_st->st_ino)
                             : NULL);
      if (kept && !earlier)
        remember_kept (run, src_st, dir_path, rel);
      else if (earlier && !relink_skipped (run, earlier, dir_path, rel, dst,
                                           &f.dst_lnk))
        return false;
      if (d.fail)
        dest_report (&w, &d, true);
      else if (opt->debug)
        dest_say_skipped (dst);
      if (!d.fail && run->engine.dry)
        dry_run_note (run->engine.dry, DRY_SKIP, dst, NULL, 0);
      *ok = !d.fail;
      return false;
    }
  if (d.action == DEST_BACKUP && run->engine.dry)
    {
      char *b = find_backup_file_name (dirfd, rel, opt->backup);
      char *shown = b ? name_beside (dst, last_component (b)) : NULL;
      dry_run_note (run->engine.dry, DRY_BACKUP, dst, shown ? shown : dst,
                    0);
      free (shown);
      free (b);
      *exists = false;
    }
  else if (d.action == DEST_BACKUP)
    {
      if (!dest_make_backup (&w, opt->backup, backup))
        return false;
      *exists = false;
    }
  return true;
}

/* Return true if directory SRC (status ST) was an operand before, to be
   moved to the same destination DST: GNU mv warns and leaves it (the
   first operand's move stands; one that failed is forgotten, at the
   end of copy_move_one).  */
static bool
dir_named_twice (struct move_run *run, char const *src, struct stat const *st,
                 char const *dst)
{
  char const *earlier = hlmap_lookup (run->dirs, st->st_dev, st->st_ino);
  if (!earlier)
    {
      hlmap_insert (run->dirs, st->st_dev, st->st_ino, dst);
      return false;
    }
  if (!copy_tree_same_entry (earlier, dst))
    return false;
  copy_tree_say_twice (src, true);
  return true;
}

/* Swap SRC and entry REL of DIRFD, called DST (EXISTS: it is there),
   atomically: mv --exchange.  Return true on success.  */
static bool
exchange (struct move_run *run, char const *src, int dirfd, char const *rel,
          char const *dst, bool exists)
{
  int err = ENOENT;
  if (exists && run->engine.dry)
    {
      /* --dry-run: what renameat2 would say, as far as can be told.  */
      struct stat a, b;
      char *dir = mdir_name (rel), *src_dir = mdir_name (src);
      if (lstat (src, &a) != 0 || fstatat (dirfd, rel, &b,
                                           AT_SYMLINK_NOFOLLOW) != 0)
        err = errno;
      else if (a.st_dev != b.st_dev)
        err = EXDEV;
      else if (faccessat (dirfd, dir, W_OK | X_OK, AT_EACCESS) != 0
               || faccessat (AT_FDCWD, src_dir, W_OK | X_OK, AT_EACCESS)
                  != 0)
        err = errno;
      else
        err = 0;
      free (dir);
      free (src_dir);
      if (err == 0)
        {
          dry_run_note (run->engine.dry, DRY_EXCHANGE, src, dst, 0);
          return true;
        }
    }
  else if (exists && renameat2 (AT_FDCWD, src, dirfd, rel,
                                RENAME_EXCHANGE) == 0)
    {
      if (run->opt->verbose)
        diag_line (_("exchanged %s <-> %s"), quoteaf_n (0, src),
                   quoteaf_n (1, dst));
      return true;
    }
  else if (exists)
    err = errno;
  diag_error (err, _("cannot exchange %s and %s"), quoteaf_n (0, src),
              quoteaf_n (1, dst));
  return false;
}

/* Report that renaming SRC to DST failed with ERR, in GNU mv's words:
   the destination is named alone when it must be the problem.  */
static void
report_rename (int err, char const *src, char const *dst)
{
  switch (err)
    {
    case EINVAL:
      diag_error (0, _("cannot move %s to a subdirectory of itself, %s"),
                  quoteaf_n (0, src), quoteaf_n (1, dst));
      break;
    case EDQUOT: case EEXIST: case EISDIR: case EMLINK: case ENOSPC:
    case ETXTBSY: case ENOTEMPTY:
      diag_error (err, _("cannot overwrite %s"), quoteaf (dst));
      break;
    default:
      diag_error (err, _("cannot move %s to %s"), quoteaf_n (0, src),
                  quoteaf_n (1, dst));
      break;
    }
}

/* Say renamed; see copy-move.h.  */
void
copy_move_say_renamed (char const *src, char const *dst, char const *backup)
{
  if (backup)
    {
      char *b = name_beside (dst, backup);
      diag_line (_("renamed %s -> %s (backup: %s)"), quoteaf_n (0, src),
                 quoteaf_n (1, dst), quoteaf_n (2, b));
      free (b);
    }
  else
    diag_line (_("renamed %s -> %s"), quoteaf_n (0, src),
               quoteaf_n (1, dst));
}

/* The options of a move; see copy-move.h.  */
void
copy_move_options (struct copy_options *copy, struct move_settings const *s)
{
  /* A move across filesystems is cp -a with the source removed after:
     data shared where possible, every attribute and hard link kept;
     attributes that cannot be kept are warned about, not fatal.  */
  *copy = (struct copy_options) {
    .cow = COW_AUTO, .sparse = SPARSE_AUTO, .interactive = I_UNSPECIFIED,
    .update = UPDATE_ALL, .deref = DEREF_NEVER, .recursive = true,
    .data_copy_required = true, .backup_type = no_backups,
    .preserve_mode = true, .preserve_ownership = true,
    .preserve_timestamps = true, .preserve_links = true,
    .preserve_xattr = true, .mv_words = true,
    .links_across_operands = true, .debug = s->debug,
    .verbose = s->verbose, .dry_run = s->dry_run
  };
}

/* Start a run; see copy-move.h.  */
void
copy_move_init (struct move_run *run, struct move_settings const *s,
                struct copy_options const *copy, bool several)
{
  *run = (struct move_run) { .opt = s };
  copy_tree_init (&run->engine, copy, false);
  if (several)
    {
      run->moved = name_set_new ();
      run->dirs = hlmap_new ();
    }
}

/* End a run; see copy-move.h.  */
void
copy_move_free (struct move_run *run)
{
  copy_tree_free (&run->engine);
  name_set_free (run->moved);
  hlmap_free (run->dirs);
}

/* Fill *FS with the statfs of entry REL of DIRFD.  Return 0, or -1
   with errno set.  */
static int
statfs_of (int dirfd, char const *rel, struct statfs *fs)
{
  int fd = openat (dirfd, rel, O_PATH | O_CLOEXEC);
  if (fd < 0)
    return -1;
  int r = fstatfs (fd, fs);
  int err = errno;
  close (fd);
  errno = err;
  return r;
}

/* --dry-run: return the errno the rename of SRC (status SRC_ST) to entry
   REL of DIRFD (EXISTS: something is there, of status DST_ST) would
   give, as far as it can be known without trying: EXDEV across devices
   (btrfs subvolumes too), EINVAL for a directory into itself, EACCES
   for a directory that may not be written, EPERM for an entry a sticky
   directory keeps from this user, ENOTEMPTY or EISDIR or
   ENOTDIR for what is in the way; 0 when it would work.  */
static int
dry_rename_errno (char const *src, struct stat const *src_st, int dirfd,
                  char const *rel, bool exists, struct stat const *dst_st)
{
  char *dir = mdir_name (rel);
  char *src_dir = mdir_name (src);
  struct stat dir_st;
  int err = 0;
  if (!dir || !src_dir || fstatat (dirfd, dir, &dir_st, 0) != 0)
    err = errno ? errno : ENOMEM;
  else if (dir_st.st_dev != src_st->st_dev)
    err = EXDEV;
  else if (S_ISDIR (src_st->st_mode))
    {
      /* Into itself: SRC is DIR or one of its ancestors.  */
      int fd = openat (dirfd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
      for (int up = 0; 0 <= fd && !err && up < 4096; up++)
        {
          struct stat st;
          int parent;
          if (fstat (fd, &st) != 0)
            break;
          if (SAME_INODE (st, *src_st))
            err = EINVAL;
          parent = openat (fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
          struct stat pst;
          bool root = (parent < 0 || fstat (parent, &pst) != 0
                       || SAME_INODE (pst, st));
          close (fd);
          fd = parent;
          if (root)
            break;
        }
      if (0 <= fd)
        close (fd);
    }
  if (!err && (faccessat (dirfd, dir, W_OK | X_OK, AT_EACCESS) != 0
               || faccessat (AT_FDCWD, src_dir, W_OK | X_OK, AT_EACCESS)
                  != 0))
    err = errno;
  /* A sticky directory keeps the entries of others: the source's, and
     one the move would replace.  */
  struct stat src_dir_st;
  if (!err && ((fstatat (AT_FDCWD, src_dir, &src_dir_st, 0) == 0
                && dry_run_sticky_denies (&src_dir_st, src_st))
               || (exists && dry_run_sticky_denies (&dir_st, dst_st))))
    err = EPERM;
  if (!err && exists && S_ISDIR (src_st->st_mode))
    {
      if (!S_ISDIR (dst_st->st_mode))
        err = ENOTDIR;
      else if (!dir_is_empty (dirfd, rel))
        {
          /* rename(2) may say either; XFS says EEXIST, btrfs and ext4
             ENOTEMPTY (Linux 6.1).  */
          struct statfs fs;
          err = (statfs_of (dirfd, rel, &fs) == 0
                 && fs.f_type == XFS_SUPER_MAGIC) ? EEXIST : ENOTEMPTY;
        }
    }
  else if (!err && exists && S_ISDIR (dst_st->st_mode))
    err = EISDIR;
  free (dir);
  free (src_dir);
  return err;
}

/* --dry-run: copy_move_one's checks for SRC (status SRC_ST) to entry REL
   of DIRFD, called DST, EXISTS and DST_ST as check_dest found them, and
   what it would do: rename, or copy (each entry said by the engine) and
   remove the source.  Return the result the move would have.  */
static bool
dry_move (struct move_run *run, char const *src, struct stat const *src_st,
          int dirfd, char const *rel, char const *dst, bool exists,
          struct stat const *dst_st, bool *refused)
{
  int err = dry_rename_errno (src, src_st, dirfd, rel, exists, dst_st);
  if (err == 0)
    {
      dry_run_note (run->engine.dry, DRY_RENAME, src, dst, 0);
      return true;
    }
  if (err != EXDEV || run->opt->no_copy)
    {
      report_rename (err, src, dst);
      return false;
    }
  if (exists && S_ISDIR (dst_st->st_mode) && !dir_is_empty (dirfd, rel))
    {
      diag_error (ENOTEMPTY, _("inter-device move failed: %s to %s; "
                               "unable to remove target"),
                  quoteaf_n (0, src), quoteaf_n (1, dst));
      *refused = true;
      return false;
    }
  if (exists)
    dry_run_note (run->engine.dry, DRY_OVERWRITE, dst, NULL, 0);
  /* The copy goes to a new name beside DST: nothing is there.  */
  struct copy_dest d = { .dirfd = dirfd, .relname = rel, .name = dst,
                         .absent = true };
  if (!copy_tree_file (&run->engine, src, &d))
    return false;
  dry_run_note (run->engine.dry, DRY_REMOVE_SOURCE, src, NULL, 0);
  return true;
}

/* Move SRC; see copy-move.h.  */
bool
copy_move_one (struct move_run *run, char const *src, int dirfd,
          char const *dir_path, char const *rel, char const *dst,
          int rename_errno)
{
  struct move_settings const *opt = run->opt;
  struct stat src_st, dst_st;
  bool rename_failed = false;
  bool refused = false;         /* across filesystems, before the copy */
  bool remembered = false;      /* its destination recorded in 3b */
  bool copied = false;          /* moved across filesystems, or tried */
  char *backup = NULL;
  bool ok = false;
  /* Set once something stands under DST in place of what the backup
     keeps: the backup then stays, whatever fails after.  */
  bool placed = false;

  /* 1. The cheap way first: a rename that replaces nothing.  */
  if (rename_errno < 0 && !opt->exchange && !run->engine.dry)
    {
      if (renameat2 (AT_FDCWD, src, dirfd, rel, RENAME_NOREPLACE) == 0)
        goto renamed;
      rename_errno = errno;
    }

  /* 2. What is there, and may it be replaced?  */
  if (lstat (src, &src_st) != 0)
    {
      diag_cannot_stat (errno, src);
      return false;
    }
  bool exists = false;
  /* GNU mv tries the swap before any rule about the destination.  */
  if (opt->exchange)
    exists = fstatat (dirfd, rel, &dst_st, AT_SYMLINK_NOFOLLOW) == 0;
  else if (!check_dest (run, src, &src_st, dirfd, dir_path, rel, dst,
                        &exists, &dst_st, &backup, &ok))
    return ok;
  /* A directory named again: after the rules about the destination
     (-n skips, a file in the way is refused, each time), as in GNU.  */
  if (S_ISDIR (src_st.st_mode) && run->dirs
      && dir_named_twice (run, src, &src_st, dst))
    {
      if (run->engine.dry)
        return true;
      if (backup)
        dest_unbackup (dirfd, rel, backup, dst, false);
      free (backup);
      return true;
    }

  /* 3. The atomic swap, when asked.  */
  if (opt->exchange)
    return exchange (run, src, dirfd, rel, dst, exists);

  /* 3b. GNU mv records every file of several names whose first rename
     found something in the way (copy.c's remember_copied), and makes
     the destination of a later name of it a hard link of the first one
     recorded, then removes the source; "removed" is said of both with
     -v.  Across filesystems the engine does it (EXDEV comes first).  */
  if (run->engine.dry && rename_errno < 0 && exists
      && dry_rename_errno (src, &src_st, dirfd, rel, false, NULL) != EXDEV)
    rename_errno = EEXIST;
  if (rename_errno == EEXIST && run->engine.links
      && !S_ISDIR (src_st.st_mode) && 1 < src_st.st_nlink)
    {
      char const *earlier = hlmap_lookup (run->engine.links, src_st.st_dev,
                                          src_st.st_ino);
      if (!earlier)
        {
          remember_kept (run, &src_st, dir_path, rel);
          remembered = true;
        }
      else if (run->engine.dry)
        {
          dry_run_note (run->engine.dry, DRY_REMOVE, dst, NULL, 0);
          dry_run_note (run->engine.dry, DRY_LINK, earlier, dst, 0);
          dry_run_note (run->engine.dry, DRY_REMOVE_SOURCE, src, NULL, 0);
          ok = true;
          goto done;
        }
      else
        {
          placed = link_to_kept (run, earlier, dirfd, rel, dst);
          ok = placed && remove_entry (AT_FDCWD, src, src, opt->verbose);
          goto done;
        }
    }

  if (run->engine.dry)
    {
      ok = dry_move (run, src, &src_st, dirfd, rel, dst, exists, &dst_st,
                     &refused);
      if (!ok && !refused)
        {
          int err = dry_rename_errno (src, &src_st, dirfd, rel, exists,
                                      &dst_st);
          rename_failed = err != EINVAL && (err != EXDEV || opt->no_copy);
        }
      goto done;
    }

  /* 4. The rename, now replacing, when the first one found something in
     the way; across filesystems, the copy.  Any other error of the first
     rename is the answer, as in GNU mv.  */
  if (rename_errno == EEXIST)
    {
      if (renameat (AT_FDCWD, src, dirfd, rel) == 0)
        goto renamed;
      rename_errno = errno;
    }
  if (rename_errno == EXDEV && !opt->no_copy)
    {
      ok = move_across (run, src, &src_st, dirfd, dir_path, rel, dst,
                        exists ? &dst_st : NULL, backup, &placed, &refused);
      copied = true;
      goto done;
    }
  report_rename (rename_errno, src, dst);
  rename_failed = rename_errno != EINVAL;
  goto done;

 renamed:
  ok = true;
  if (opt->verbose)
    copy_move_say_renamed (src, dst, backup);

 done:
  /* Remember what was made, so that another operand does not replace
     it (GNU's dest_info).  */
  struct stat made;
  if (ok && run->moved)
    name_set_add_file (run->moved, dst,
                       fstatat (dirfd, rel, &made, AT_SYMLINK_NOFOLLOW) == 0
                       ? &made : NULL);
  /* The move failed after a backup, before anything took the old
     file's place: put it back.  GNU mv's un_backup is as late: once the
     copy is made, a source it cannot remove leaves the copy and the
     backup.  GNU puts it back after a failed copy across filesystems,
     saying so with -v; after a failed rename it leaves it (README,
     "Deliberate differences from GNU"), and says nothing.  */
  if (!ok && backup && !placed)
    dest_unbackup (dirfd, rel, backup, dst, copied && opt->verbose);
  /* A directory whose rename failed was not named "more than once"
     when it comes again (GNU's forget_created), unless it failed for
     being moved into itself, which GNU mv reports and leaves recorded;
     so does a copy across filesystems that failed once it had begun.
     One refused before it began ("unable to remove target": GNU mv
     could not remove what was in the way) is forgotten too, and fails
     the same way when named again.  */
  if ((rename_failed || refused) && S_ISDIR (src_st.st_mode) && run->dirs)
    hlmap_forget (run->dirs, src_st.st_dev, src_st.st_ino);
  /* Nor is a file whose rename failed the copy of its other names: a
     later name of it (or the same name again) is moved on its own, as
     GNU's forget_created after "cannot move".  */
  if (rename_failed && remembered)
    hlmap_forget (run->engine.links, src_st.st_dev, src_st.st_ino);
  free (backup);
  return ok;
}

/* Move FILES into DIR; see copy-move.h.  */
bool
copy_move_into_dir (struct move_run *run, char **files, int n,
                    char const *dir, int dirfd)
{
  bool ok = true;
  for (int i = 0; i < n && !copy_tree_stopped (&run->engine); i++)
    {
      char *base = xstrdup (last_component (files[i]));
      strip_trailing_slashes (base);
      char *name = file_name_concat (dir, base, NULL);
      ok &= copy_move_one (run, files[i], dirfd, dir, base, name, -1);
      free (name);
      free (base);
    }
  return ok;
}
