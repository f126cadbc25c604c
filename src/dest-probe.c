/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dest-probe.c -- what copy_dest_decide needs to know, found with *at
   calls, and its refusals reported in GNU cp's and mv's words.  */

#include "system.h"

#include "backupfile.h"
#include "canonicalize.h"
#include "diag.h"
#include "dest-probe.h"
#include "dirname.h"
#include "filenamecat.h"
#include "filemode.h"
#include "name-set.h"
#include "same-inode.h"
#include "tempname.h"
#include "timespec.h"
#include "xalloc.h"

/* Return true if entry REL_A of directory DIR_A and entry REL_B of
   DIR_B are one directory entry: the same last component in the same
   directory (GNU's same_nameat).  */
static bool
same_entry (int dir_a, char const *rel_a, int dir_b, char const *rel_b)
{
  char const *a = last_component (rel_a), *b = last_component (rel_b);
  size_t la = base_len (a), lb = base_len (b);
  if (la != lb || memcmp (a, b, la) != 0)
    return false;
  char *da = mdir_name (rel_a), *db = mdir_name (rel_b);
  struct stat sa, sb;
  /* GNU looks at the directory names themselves: "D" that is a
     symlink to the source's directory is not that directory.  */
  bool same = (da && db
               && fstatat (dir_a, da, &sa, AT_SYMLINK_NOFOLLOW) == 0
               && fstatat (dir_b, db, &sb, AT_SYMLINK_NOFOLLOW) == 0
               && SAME_INODE (sa, sb));
  free (da);
  free (db);
  return same;
}

/* Return true if the source at W, named BASE with status SRC_ST, is the
   simple backup of its destination: named as it with the backup suffix,
   and the file that name holds (GNU's source_is_dst_backup).  */
static bool
src_is_dst_backup (struct dest_where const *w, char const *base,
                   struct stat const *src_st)
{
  char const *dbase = last_component (w->dst_rel);
  size_t n = strlen (dbase), sl = strlen (simple_backup_suffix);
  if (strlen (base) != n + sl || memcmp (base, dbase, n) != 0
      || strcmp (base + n, simple_backup_suffix) != 0)
    return false;
  size_t rl = strlen (w->dst_rel);
  char *back = xmalloc (rl + sl + 1);
  memcpy (back, w->dst_rel, rl);
  memcpy (back + rl, simple_backup_suffix, sl + 1);
  struct stat st;
  bool is = (fstatat (w->dst_dirfd, back, &st, 0) == 0
             && SAME_INODE (st, *src_st));
  free (back);
  return is;
}

/* Return true if the symlink at W resolves to W's destination entry.  */
static bool
link_names_dst (struct dest_where const *w)
{
  if (w->src_dirfd != AT_FDCWD)
    return false;
  char *abs = canonicalize_file_name (w->src_rel);
  bool same = abs && same_entry (AT_FDCWD, abs, w->dst_dirfd, w->dst_rel);
  free (abs);
  return same;
}

/* Find out; see dest-probe.h.  */
void
dest_probe_link (struct dest_where const *w, bool follow,
                 struct stat const *src_st, struct stat const *dst_st,
                 struct name_set const *made, struct link_facts *f)
{
  *f = (struct link_facts) { 0 };
  f->dst_ok = (dst_st
               || fstatat (w->dst_dirfd, w->dst_rel, &f->dst,
                           AT_SYMLINK_NOFOLLOW) == 0);
  if (!f->dst_ok)
    return;
  if (dst_st)
    f->dst = *dst_st;
  f->src_ok = (src_st
               || fstatat (w->src_dirfd, w->src_rel, &f->src,
                           follow ? 0 : AT_SYMLINK_NOFOLLOW) == 0);
  if (src_st)
    f->src = *src_st;
  f->same_entry = same_entry (w->src_dirfd, w->src_rel, w->dst_dirfd,
                              w->dst_rel);
  f->created = made && name_set_seen (made, w->dst_name, &f->dst);
}

/* Fill the facts about the source at W in *F.  */
static void
probe_source (struct dest_where const *w, struct dest_policy const *p,
              struct dest_facts *f)
{
  /* The status as copied is one of the two already: the link's with
     -P, the target's otherwise.  Only the other is asked for.  */
  bool follow = p->deref != DEREF_NEVER;
  f->src_lnk = f->src;
  if (follow && fstatat (w->src_dirfd, w->src_rel, &f->src_lnk,
                         AT_SYMLINK_NOFOLLOW) != 0)
    f->src_lnk = f->src;
  f->src_ref = follow ? f->src : f->src_lnk;
  f->src_ref_ok = (follow || !S_ISLNK (f->src_lnk.st_mode)
                   || fstatat (w->src_dirfd, w->src_rel, &f->src_ref, 0) == 0);
  char const *base = last_component (w->src_rel);
  f->src_dot = dot_or_dotdot (base);
  f->same_entry = same_entry (w->src_dirfd, w->src_rel, w->dst_dirfd,
                              w->dst_rel);
  if (p->backup_type != no_backups && p->backup_type != numbered_backups)
    f->src_is_dst_backup = src_is_dst_backup (w, base, &f->src);
  if (p->move && S_ISLNK (f->src_lnk.st_mode) && f->src_ref_ok)
    f->src_ref_same_entry = link_names_dst (w);
}

/* Find out; see dest-probe.h.  */
void
dest_probe (struct dest_where const *w, struct stat const *src_st,
            bool command_line, struct name_set const *made,
            bool keep_dir_link, struct dest_policy const *p,
            struct dest_facts *f)
{
  *f = (struct dest_facts) { .src = *src_st, .command_line = command_line };
  f->dst_lnk_ok = fstatat (w->dst_dirfd, w->dst_rel, &f->dst_lnk,
                           AT_SYMLINK_NOFOLLOW) == 0;
  if (!f->dst_lnk_ok)
    return;
  f->dst_ref = f->dst_lnk;
  if (S_ISLNK (f->dst_lnk.st_mode)
      && fstatat (w->dst_dirfd, w->dst_rel, &f->dst_ref, 0) != 0)
    f->dst_ref_errno = errno;
  probe_source (w, p, f);

  if (S_ISDIR (f->src.st_mode) && keep_dir_link
      && S_ISLNK (f->dst_lnk.st_mode) && f->dst_ref_errno == 0
      && S_ISDIR (f->dst_ref.st_mode))
    f->dst_dir_link = true;
  if (made)
    {
      f->created_lnk = name_set_seen (made, w->dst_name, &f->dst_lnk);
      f->created_ref = (f->dst_ref_errno == 0
                        && name_set_seen (made, w->dst_name, &f->dst_ref));
    }
  struct stat const *d = (copy_dest_use_lstat (p, &f->src)
                          || f->dst_ref_errno ? &f->dst_lnk : &f->dst_ref);
  f->dst_not_older = timespec_cmp (d->st_mtim, f->src.st_mtim) >= 0;
  /* mv asks before replacing what the user may not write.  */
  f->dst_writable = (!p->move || S_ISLNK (f->dst_lnk.st_mode)
                     || faccessat (w->dst_dirfd, w->dst_rel, W_OK,
                                   AT_EACCESS) == 0);
}

/* Report; see dest-probe.h.  */
void
dest_report (struct dest_where const *w, struct dest_decision const *d,
             bool move)
{
  char const *s = w->src_name, *t = w->dst_name;
  switch (d->reason)
    {
    case DR_SAME_FILE:
      diag_error (0, _("%s and %s are the same file"), quoteaf_n (0, s),
                  quoteaf_n (1, t));
      break;
    case DR_NOT_REPLACING:
      diag_error (0, _("not replacing %s"), quoteaf (t));
      break;
    case DR_NONDIR_WITH_DIR:
      diag_error (0, _("cannot overwrite non-directory %s with directory %s"),
                  quoteaf_n (0, t), quoteaf_n (1, s));
      break;
    case DR_DIR_WITH_NONDIR:
      /* GNU 9.3 and later name the source too.  */
      diag_error (0, _("cannot overwrite directory %s with non-directory %s"),
                  quoteaf_n (0, t), quoteaf_n (1, s));
      break;
    case DR_JUST_CREATED:
      diag_error (0, _("will not overwrite just-created %s with %s"),
                  quoteaf_n (0, t), quoteaf_n (1, s));
      break;
    case DR_THROUGH_SYMLINK:
      diag_error (0, _("will not copy %s through just-created symlink %s"),
                  quoteaf_n (0, s), quoteaf_n (1, t));
      break;
    case DR_DANGLING:
      diag_error (0, _("not writing through dangling symlink %s"),
                  quoteaf (t));
      break;
    case DR_BACKUP_DESTROYS:
      if (move)
        diag_error (0, _("backing up %s might destroy source;  %s not moved"),
                    quoteaf_n (0, t), quoteaf_n (1, s));
      else
        diag_error (0, _("backing up %s might destroy source;  %s not "
                         "copied"), quoteaf_n (0, t), quoteaf_n (1, s));
      break;
    case DR_STAT:
      diag_cannot_stat (d->err, t);
      break;
    case DR_LINK_ONTO_DIR:
      diag_error (0, _("%s: cannot overwrite directory"), quotef (t));
      break;
    case DR_NONE:
    case DR_DECLINED:
      break;
    }
}

/* Back up; see dest-probe.h.  gnulib's backup_file_rename looks for
   numbered backups in FILE's directory but renames FILE relative to the
   descriptor it was given, so it is given the directory and the last
   component.  */
char *
dest_backup (int dirfd, char const *rel, int type)
{
  char const *base = last_component (rel);
  if (base == rel)
    return backup_file_rename (dirfd, rel, type);
  char *dir = mdir_name (rel);
  int fd = dir ? openat (dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  free (dir);
  if (fd < 0)
    return NULL;
  char *b = backup_file_rename (fd, base, type);
  int err = errno;
  close (fd);
  errno = err;
  return b;
}

/* Undo; see dest-probe.h.  */
void
dest_unbackup (int dirfd, char const *rel, char const *backup,
               char const *dst_name, bool verbose)
{
  char *from = name_beside (rel, backup);
  if (renameat (dirfd, from, dirfd, rel) != 0)
    diag_error (errno, _("cannot un-backup %s"), quoteaf (dst_name));
  else if (verbose)
    {
      char *shown = name_beside (dst_name, backup);
      diag_line (_("%s -> %s (unbackup)"), quoteaf_n (0, shown),
                 quoteaf_n (1, dst_name));
      free (shown);
    }
  free (from);
}

/* Back up and report; see dest-probe.h.  */
bool
dest_make_backup (struct dest_where const *w, int type, char **backup)
{
  *backup = dest_backup (w->dst_dirfd, w->dst_rel, type);
  if (*backup || errno == ENOENT)
    return true;
  diag_error (errno, _("cannot backup %s"), quoteaf (w->dst_name));
  return false;
}

/* Ask; see dest-probe.h.  */
bool
dest_ask (struct dest_where const *w, struct stat const *st,
          bool replace_words)
{
  char const *name = quoteaf (w->dst_name);
  if (S_ISLNK (st->st_mode)
      || faccessat (w->dst_dirfd, w->dst_rel, W_OK, AT_EACCESS) == 0)
    return diag_ask (_("overwrite %s? "), name);
  char perms[12];
  strmode (st->st_mode, perms);
  perms[10] = '\0';
  unsigned long mode = st->st_mode & CHMOD_MODE_BITS;
  if (replace_words)
    return diag_ask (_("replace %s, overriding mode %04lo (%s)? "), name,
                     mode, &perms[1]);
  return diag_ask (_("unwritable %s (mode %04lo, %s); try anyway? "), name,
                   mode, &perms[1]);
}

/* Say skipped; see dest-probe.h.  */
void
dest_say_skipped (char const *dst_name)
{
  diag_line (_("skipped %s"), quoteaf (dst_name));
}

/* Replace atomically; see dest-probe.h.  */
int
dest_make_beside (int dirfd, char const *rel, int (*make) (char *, void *),
                  void *arg, bool noreplace)
{
  char *dir = mdir_name (rel);
  char *tmp = file_name_concat (dir ? dir : ".", "CuXXXXXX", NULL);
  free (dir);
  int r = try_tempname_len (tmp, 0, arg, make, 6);
  if (r == 0 && renameat2 (dirfd, tmp, dirfd, rel,
                           noreplace ? RENAME_NOREPLACE : 0) != 0)
    {
      int err = errno;
      unlinkat (dirfd, tmp, 0);
      errno = err;
      r = -1;
    }
  /* A hard link renamed onto another name of its file leaves both.  */
  if (r == 0)
    unlinkat (dirfd, tmp, 0);
  free (tmp);
  return r;
}
