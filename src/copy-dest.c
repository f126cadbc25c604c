/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-dest.c -- what to do with an existing destination, as GNU cp and
   mv decide it: the same file under two names, backups, names made this
   run, -n, -u, -i, --remove-destination, directories against
   non-directories.  A pure function of what the caller found out; the
   caller acts on the answer.  */

#include "system.h"

#include "backupfile.h"
#include "copy-dest.h"
#include "same-inode.h"

/* Return true if the rules look at the destination itself rather than
   through it: everything but a regular file's copy may not write
   through a symlink, and what removes or renames the destination first
   looks at the link.  */
bool
copy_dest_use_lstat (struct dest_policy const *p, struct stat const *src)
{
  mode_t m = src->st_mode;
  return ((!S_ISREG (m)
           && (!p->copy_as_regular || S_ISDIR (m) || S_ISLNK (m)))
          || p->move || p->symbolic_link || p->hard_link
          || p->backup_type != no_backups || p->unlink_before);
}

/* With -P: the source and destination as the copy sees them are both
   symlinks.  Return whether that is acceptable; set *NOW when nothing
   is left to do.  */
static bool
both_links_ok (struct dest_policy const *p, struct dest_facts const *f,
               bool same, bool *now)
{
  if (!f->same_entry)
    {
      /* Any backup keeps a copy.  */
      if (p->backup_type != no_backups)
        return true;
      /* Two names of one symlink: a rename would do nothing.  */
      if (same)
        {
          *now = true;
          return !p->move;
        }
    }
  return !f->same_entry;
}

/* The last of GNU's same-file tests, for -P: whether the source and the
   destination, each followed when it is a symlink, are one file.
   SRC_L and DST_L are their link-level stats.  */
static bool
referents_ok (struct dest_policy const *p, struct dest_facts const *f,
              struct stat const *src_l, struct stat const *dst_l,
              bool *now)
{
  struct stat const *s = src_l, *d = dst_l;
  if (S_ISLNK (src_l->st_mode))
    {
      if (!f->src_ref_ok)
        return true;
      s = &f->src_ref;
    }
  if (S_ISLNK (dst_l->st_mode))
    {
      if (f->dst_ref_errno != 0)
        return true;
      d = &f->dst_ref;
    }
  if (!SAME_INODE (*s, *d))
    return true;
  if (p->hard_link)
    {
      /* Linking a file to itself is done, unless a symlink is replaced. */
      *now = !S_ISLNK (dst_l->st_mode);
      return true;
    }
  return false;
}

/* With a backup: the backup keeps the data, unless the two are one
   entry (SAME_LINK: the names are of one file).  SRC_L and DST_L are the
   link-level stats.  */
static bool
backup_ok (struct dest_policy const *p, struct dest_facts const *f,
           struct stat const *src_l, struct stat const *dst_l, bool same_link)
{
  if (same_link)
    return !f->same_entry;
  /* cp -L of a symlink onto its target: the backup would leave the
     source dangling.  */
  return !(!p->move && p->deref != DEREF_NEVER
           && S_ISLNK (src_l->st_mode) && !S_ISLNK (dst_l->st_mode));
}

/* Return whether copying (or moving) the source onto DST, the
   destination's status as the rules see it, can go ahead without
   destroying the only copy of the data: GNU's "same file" rules.  Set
   *NOW when it can, but there is nothing more to do.  */
static bool
same_file_ok (struct dest_policy const *p, struct dest_facts const *f,
              struct stat const *dst, bool *now)
{
  struct stat const *src_l, *dst_l;
  bool same = SAME_INODE (f->src, *dst);
  bool same_link;

  *now = false;
  if (same && p->hard_link)
    {
      *now = true;
      return true;
    }
  if (p->deref == DEREF_NEVER)
    {
      same_link = same;
      if (S_ISLNK (f->src.st_mode) && S_ISLNK (dst->st_mode))
        return both_links_ok (p, f, same, now);
      src_l = &f->src;
      dst_l = dst;
    }
  else
    {
      if (!same)
        return true;
      src_l = &f->src_lnk;
      dst_l = &f->dst_lnk;
      same_link = SAME_INODE (*src_l, *dst_l);
      /* Two symlinks to one file: fine when the destination link is
         removed rather than written through.  */
      if (S_ISLNK (src_l->st_mode) && S_ISLNK (dst_l->st_mode)
          && p->unlink_before)
        return true;
    }

  if (p->backup_type != no_backups)
    return backup_ok (p, f, src_l, dst_l, same_link);

  if (p->move || p->unlink_before)
    {
      /* A symlink in the way is removed (or renamed over), not
         written through.  */
      if (S_ISLNK (dst_l->st_mode))
        return true;
      /* Two names of one file: cp may break the link; mv would lose
         the file.  */
      if (same_link && 1 < dst_l->st_nlink && !f->same_entry)
        return !p->move;
    }

  if (!S_ISLNK (src_l->st_mode) && !S_ISLNK (dst_l->st_mode))
    {
      if (!SAME_INODE (*src_l, *dst_l))
        return true;
      if (p->hard_link)
        {
          *now = true;
          return true;
        }
    }

  /* mv of a symlink onto another name of its target: the target keeps
     a name.  */
  if (p->move && S_ISLNK (f->src.st_mode) && 1 < dst_l->st_nlink
      && f->src_ref_ok)
    return !f->src_ref_same_entry;

  /* cp -s may replace a symlink.  */
  if (p->symbolic_link && S_ISLNK (dst_l->st_mode))
    return true;

  if (p->deref == DEREF_NEVER)
    return referents_ok (p, f, src_l, dst_l, now);
  return false;
}

/* Fill D for a destination that is left alone.  */
static struct dest_decision
refuse (struct dest_decision d, enum dest_reason why)
{
  d.action = DEST_REFUSE;
  d.reason = why;
  return d;
}

/* The steps after the same-file test: -u, -n, -i; directories against
   non-directories; names made this run; then back up, remove, merge or
   replace.  DST is the destination's status as the rules see it,
   CREATED whether this run made that file.  */
static struct dest_decision
decide_existing (struct dest_policy const *p, struct dest_facts const *f,
                 struct stat const *dst, bool created,
                 struct dest_decision d)
{
  bool src_dir = S_ISDIR (f->src.st_mode);
  bool dst_dir = S_ISDIR (dst->st_mode) || f->dst_dir_link;
  bool skip_mode = (p->update == UPDATE_NONE
                    || p->update == UPDATE_NONE_FAIL);
  bool backup = p->backup_type != no_backups;

  /* 1. -u: a destination not older stays.  */
  if (p->update == UPDATE_OLDER && !src_dir && f->dst_not_older)
    {
      d.action = DEST_SKIP;
      return d;
    }

  /* 2. -n, --update=none(-fail), -i.  mv applies them to directories
     too; cp merges directories whatever they say.  */
  if (p->move || !src_dir)
    {
      if (skip_mode)
        {
          d.action = DEST_SKIP;
          d.fail = p->update == UPDATE_NONE_FAIL;
          d.reason = d.fail ? DR_NOT_REPLACING : DR_NONE;
          return d;
        }
      d.ask = (p->interactive == I_ASK_USER
               || (p->move && p->interactive == I_UNSPECIFIED
                   && p->stdin_tty && !f->dst_writable));
    }

  /* 3. A non-directory is not replaced by a directory, nor a file just
     made by another operand (numbered backups keep it).  */
  if (!dst_dir)
    {
      if (src_dir && !(p->move && backup))
        return refuse (d, DR_NONDIR_WITH_DIR);
      if (f->command_line && p->backup_type != numbered_backups && created)
        return refuse (d, DR_JUST_CREATED);
    }

  /* 4. A directory is not replaced by a non-directory.  */
  if (!src_dir && dst_dir && !(p->move && backup))
    return refuse (d, DR_DIR_WITH_NONDIR);

  /* 5. Make way: a backup (cp never backs up a directory it merges
     into), a removal, or nothing.  */
  if (backup && !f->src_dot && (p->move || !dst_dir))
    {
      if (p->backup_type != numbered_backups && f->src_is_dst_backup)
        return refuse (d, DR_BACKUP_DESTROYS);
      d.action = DEST_BACKUP;
    }
  else if (!dst_dir && !p->move
           && (p->unlink_before
               || (p->data_copy_required
                   && ((p->preserve_links && 1 < dst->st_nlink)
                       || (p->deref == DEREF_NEVER
                           && !S_ISREG (f->src.st_mode))))))
    d.action = DEST_REMOVE;
  else if (dst_dir && src_dir && !p->move)
    d.action = DEST_MERGE;
  else
    d.action = DEST_REPLACE;
  return d;
}

/* Never copy through a symlink that another operand just made.  */
static bool
through_new_link (struct dest_policy const *p, struct dest_facts const *f)
{
  return (f->command_line && p->track_created && !p->move
          && p->backup_type == no_backups && f->dst_lnk_ok
          && S_ISLNK (f->dst_lnk.st_mode) && f->created_lnk);
}

/* Decide; see copy-dest.h.  */
struct dest_decision
copy_dest_decide (struct dest_policy const *p, struct dest_facts const *f)
{
  struct dest_decision d = { .action = DEST_CREATE };
  d.use_lstat = copy_dest_use_lstat (p, &f->src);

  if (!f->dst_lnk_ok)
    return d;

  /* 1. Which status of the destination counts: a regular file's copy
     goes through a symlink, everything else meets the link itself.  */
  struct stat const *dst = &f->dst_lnk;
  bool created = f->created_lnk;
  if (!d.use_lstat && S_ISLNK (f->dst_lnk.st_mode))
    {
      if (f->dst_ref_errno == 0)
        {
          dst = &f->dst_ref;
          created = f->created_ref;
        }
      else if (f->dst_ref_errno == ELOOP && p->unlink_after_failed_open)
        {
          /* -f: a symlink loop cannot be opened; it is removed when the
             open fails.  */
          d.action = DEST_REPLACE;
          return through_new_link (p, f) ? refuse (d, DR_THROUGH_SYMLINK) : d;
        }
      else if (f->dst_ref_errno != ENOENT)
        {
          d.err = f->dst_ref_errno;
          return refuse (d, DR_STAT);
        }
      else
        {
          /* A dangling symlink: POSIX says write through it; GNU cp
             does so only when POSIXLY_CORRECT is set.  */
          if (through_new_link (p, f))
            return refuse (d, DR_THROUGH_SYMLINK);
          /* A link to an earlier copy is no write: GNU's stat finds
             nothing there, and its link replaces the symlink.  */
          if (p->link_earlier)
            {
              d.action = DEST_REPLACE;
              return d;
            }
          if (!p->open_dangling)
            return refuse (d, DR_DANGLING);
          d.write_through = true;
          return d;
        }
    }

  /* 2. The same file under two names.  -n skips before asking.  */
  bool now = false;
  if (p->update != UPDATE_NONE && p->update != UPDATE_NONE_FAIL
      && !same_file_ok (p, f, dst, &now))
    return refuse (d, DR_SAME_FILE);
  if (now)
    {
      d.action = DEST_SKIP;
      d.done = true;
      return d;
    }

  /* 3. The rest of the rules.  */
  d = decide_existing (p, f, dst, created, d);
  if (d.action != DEST_REFUSE && d.action != DEST_SKIP
      && through_new_link (p, f))
    return refuse (d, DR_THROUGH_SYMLINK);
  return d;
}

/* Decide for ln; see copy-dest.h.  GNU ln's do_link, in its order.  */
struct dest_decision
copy_dest_decide_link (struct link_policy const *p, struct link_facts const *f)
{
  struct dest_decision d = { .action = DEST_CREATE };
  bool backup = p->backup_type != no_backups;

  /* 1. Without -f, -i or a backup, the link is made or fails.  */
  if (!(p->force || p->interactive || backup) || !f->dst_ok)
    return d;

  /* 2. Never a directory, nor a link this run just made.  */
  if (S_ISDIR (f->dst.st_mode))
    return refuse (d, DR_LINK_ONTO_DIR);
  if (f->created)
    return refuse (d, DR_JUST_CREATED);

  /* 3. Removing (or, for a hard link, backing up) the destination must
     not remove the source: its only name, or the same entry.  A backed
     up symlink keeps what it replaced.  */
  if ((backup ? !p->symbolic : p->force) && f->src_ok
      && SAME_INODE (f->src, f->dst)
      && (f->src.st_nlink == 1 || f->same_entry))
    return refuse (d, DR_SAME_FILE);

  /* 4. Ask, back up, then replace.  */
  d.ask = p->interactive;
  d.action = backup ? DEST_BACKUP : DEST_REPLACE;
  return d;
}
