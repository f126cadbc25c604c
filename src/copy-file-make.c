/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-file-make.c -- the entries copy-file makes in one call: a
   directory's mkdir (its contents are copy-tree's), symbolic links, hard
   links and special files, each going through the checks on an existing
   destination first, or made beside it and renamed over.  */

#include "system.h"

#include <limits.h>

#include "areadlink.h"
#include "copy-file-internal.h"
#include "copy-meta.h"
#include "dest-probe.h"
#include "diag.h"
#include "dirname.h"
#include "remove-tree.h"
#include "same-inode.h"

/* Report a hard link not made; see copy-file.h.  */
void
copy_file_link_failed (int err, char const *dst, char const *earlier)
{
  diag_error (err, _("cannot create hard link %s to %s"), quoteaf_n (0, dst),
              quoteaf_n (1, earlier));
}

/* What make_beside hands try_tempname_len.  */
struct beside
{
  struct job *job;
  int (*make) (struct job *, void *);
  void *arg;
};

/* Make the new entry of B under the temporary name TMP.  */
static int
make_under (char *tmp, void *arg)
{
  struct beside *b = arg;
  struct copy_dest const *real = b->job->dst;
  struct copy_dest there = *real;
  there.relname = tmp;
  b->job->dst = &there;
  int r = b->make (b->job, b->arg);
  b->job->dst = real;
  return r;
}

/* Replace the destination of JOB with what MAKE makes, atomically, as
   GNU's force_linkat and force_symlinkat do: made under a temporary name
   in the same directory and renamed over it, so that a failure leaves
   the old one in place.  Return 0, or -1 with errno set.  */
static int
make_beside (struct job *job, int (*make) (struct job *, void *), void *arg)
{
  struct beside b = { .job = job, .make = make, .arg = arg };
  return dest_make_beside (job->dst->dirfd, job->dst->relname, make_under,
                           &b, false);
}

/* Make the destination of JOB with MAKE (mkdirat, symlinkat, ...),
   which returns 0 or -1 with errno, going through the checks when it
   exists.  FORMAT, untranslated (N_), reports a failure, and is
   translated only then (looked up for every entry, it was 6% of the
   user time of a tree of links); TWO says it names the source too.
   Return 1 when made, 0 when skipped, -1 after an error; *MERGE is set
   when the destination is an existing directory to merge into.  */
int
copy_file_make (struct job *job, int (*make) (struct job *, void *),
                void *arg, char const *format, bool two, bool replace,
                bool *merge)
{
  bool follow = false, made_way = false, checked = false;
  struct stat st;
  if (job->run->dry)
    return copy_file_dry_make (job, _(format), two, replace, merge);
  for (int tries = 0; tries < 3; tries++)
    {
      if (make (job, arg) == 0)
        return 1;
      /* GNU looks at an existing destination before it makes the new
         one: a hard link across filesystems onto an existing name is
         EXDEV only after the name was removed or backed up.  */
      int err = errno;
      bool there = (err == EEXIST
                    || (!checked
                        && fstatat (job->dst->dirfd, job->dst->relname, &st,
                                    AT_SYMLINK_NOFOLLOW) == 0));
      checked = true;
      if (made_way || !there || copy_file_taken_new (job))
        {
          errno = err;
          break;
        }
      switch (copy_file_check_existing (job, &follow))
        {
        case EXIST_SKIP:
          return 0;
        case EXIST_FAIL:
          return -1;
        case EXIST_MERGE:
          *merge = true;
          return 1;
        case EXIST_REUSE:
          /* Only what may be replaced is removed to make way; anything
             else in the way is the error the call gave.  */
          if (!replace)
            {
              errno = EEXIST;
              goto fail;
            }
          if (make_beside (job, make, arg) == 0)
            {
              job->replaced = true;
              return 1;
            }
          goto fail;
        case EXIST_GONE:
          made_way = true;
          continue;
        case EXIST_NONE:
          continue;
        }
    }
 fail:
  copy_file_report_create (job, errno, _(format), two);
  copy_file_undo_backup (job);
  return -1;
}

/* cp -s of a relative name into another directory: GNU cp refuses it
   where it would make the link, after the checks on an existing
   destination (-n and -u skip, -i asks, a directory is refused, a
   backup is made and put back) and after the -v line.  Return the
   result for JOB.  */
static bool
refuse_relative_symlink (struct job *job)
{
  struct stat st;
  int first = copy_file_checks_first (job, &st, AT_SYMLINK_NOFOLLOW);
  if (0 <= first)
    return first;
  copy_file_say_verbose (job);
  diag_error (0, _("%s: can make relative symbolic links only in current "
                   "directory"), quotef (job->dst->name));
  copy_file_undo_backup (job);
  return false;
}

static int
make_symlink (struct job *job, void *target)
{
  return symlinkat (target, job->dst->dirfd, job->dst->relname);
}

/* linkat (AT_FDCWD, TARGET, DIRFD, REL, 0) for a TARGET longer than the
   kernel takes in one piece (ENAMETOOLONG: a copy deeper than PATH_MAX):
   its directories are opened one by one, as the kernel would look them
   up, and the link made from the last.  Return 0, or -1 with errno.  */
static int
link_long (char const *target, int dirfd, char const *rel)
{
  int base = AT_FDCWD;
  char const *p = target;
  if (*p == '/')
    {
      base = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (base < 0)
        return -1;
      while (*p == '/')
        p++;
    }
  for (char const *slash; (slash = strchr (p, '/')); )
    {
      char dir[NAME_MAX + 1];
      size_t len = slash - p;
      int fd = -1, err = ENAMETOOLONG;
      if (len <= NAME_MAX)
        {
          memcpy (dir, p, len);
          dir[len] = '\0';
          fd = openat (base, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
          err = errno;
        }
      if (base != AT_FDCWD)
        close (base);
      if (fd < 0)
        {
          errno = err;
          return -1;
        }
      base = fd;
      for (p = slash; *p == '/'; p++)
        continue;
    }
  int r = linkat (base, p, dirfd, rel, 0);
  int err = errno;
  if (base != AT_FDCWD)
    close (base);
  errno = err;
  return r;
}

static int
make_hardlink (struct job *job, void *earlier)
{
  struct copy_options const *opt = job->run->opt;
  if (earlier)
    {
      struct copy_dest const *at = job->earlier_at ? job->earlier_at->dst
                                   : NULL;
      int r = (at ? linkat (at->dirfd, at->relname, job->dst->dirfd,
                            job->dst->relname, 0)
               : linkat (AT_FDCWD, earlier, job->dst->dirfd,
                         job->dst->relname, 0));
      if (r != 0 && errno == ENAMETOOLONG && !at)
        r = link_long (earlier, job->dst->dirfd, job->dst->relname);
      /* --preserve=flags may have made the earlier copy immutable.  */
      if (r != 0 && errno == EPERM && opt->preserve_flags)
        r = copy_meta_link_final (earlier, job->dst->dirfd,
                                  job->dst->relname);
      return r;
    }
  bool follow = opt->deref == DEREF_ALWAYS
                || (opt->deref == DEREF_COMMAND_LINE && job->command_line);
  return linkat (job->src->dirfd, job->src->rel, job->dst->dirfd,
                 job->dst->relname, follow ? AT_SYMLINK_FOLLOW : 0);
}

static int
make_special (struct job *job, void *mode)
{
  mode_t m = *(mode_t *) mode;
  if (S_ISFIFO (job->src_st.st_mode))
    return mkfifoat (job->dst->dirfd, job->dst->relname, m);
  return mknodat (job->dst->dirfd, job->dst->relname,
                  (job->src_st.st_mode & S_IFMT) | m, job->src_st.st_rdev);
}


/* Copy the symlink of JOB as a symlink.  */
bool
copy_file_symlink (struct job *job)
{
  char *target = areadlinkat_with_size (job->src->dirfd, job->src->rel,
                                        job->src_st.st_size);
  if (!target)
    {
      diag_error (errno, _("cannot read symbolic link %s"),
                  quoteaf (job->src->name));
      return false;
    }
  bool merge = false;
  int r = copy_file_make (job, make_symlink, target,
                          N_("cannot create symbolic link %s"), false,
                          job->run->opt->unlink_dest_after_failed_open,
                          &merge);
  free (target);
  if (r <= 0)
    return r == 0;
  copy_file_say_verbose (job);
  copy_file_note_created (job);
  return copy_file_meta (job, -1, -1, 0, true);
}

/* Make the destination of JOB a link to the source: a hard link with -l
   (or to EARLIER, the first copy of a multiply-linked file), a symbolic
   link with -s.  */
bool
copy_file_link (struct job *job, char const *earlier)
{
  struct copy_options const *opt = job->run->opt;
  bool merge = false;
  int r;
  if (opt->symbolic_link && !earlier)
    {
      char const *name = job->src->name;
      if (name[0] != '/' && strchr (job->dst->name, '/'))
        {
          char *dir = mdir_name (job->dst->name);
          struct stat a, b;
          bool here = dir && stat (dir, &a) == 0 && stat (".", &b) == 0
                      && SAME_INODE (a, b);
          free (dir);
          if (!here)
            return refuse_relative_symlink (job);
        }
      r = copy_file_make (job, make_symlink, (void *) name,
                          N_("cannot create symbolic link %s to %s"), true,
                          opt->unlink_dest_after_failed_open, &merge);
    }
  else
    {
      job->earlier = earlier;
      r = copy_file_make (job, make_hardlink, (void *) earlier,
                          N_("cannot create hard link %s to %s"), true,
                          (earlier || opt->unlink_dest_after_failed_open
                           || opt->interactive == I_ASK_USER), &merge);
      job->earlier = NULL;
    }
  if (0 < r)
    {
      if (!(earlier && opt->mv_words))
        copy_file_say_verbose (job);
      /* A later name linked over what was there: GNU's create_hard_link
         says so, after the -v line (for mv, the only line).  */
      if (earlier && job->replaced && opt->verbose)
        remove_tree_say_removed (job->dst->name);
      copy_file_note_created (job);
    }
  return 0 <= r;
}

/* Recreate the FIFO, socket or device of JOB, with the mode GNU cp
   makes it with, then its metadata through copy-meta, by name: a FIFO
   opened for it could block, a device must not be opened at all.  */
bool
copy_file_special (struct job *job)
{
  struct copy_options const *opt = job->run->opt;
  mode_t mode = copy_meta_special_mode (&job->run->meta,
                                        job->src_st.st_mode);
  bool merge = false;
  int r = copy_file_make (job, make_special, &mode,
                          (S_ISFIFO (job->src_st.st_mode)
                           ? N_("cannot create fifo %s")
                           : N_("cannot create special file %s")),
                          false, false, &merge);
  if (r <= 0)
    return r == 0;
  copy_file_say_verbose (job);
  copy_file_note_created (job);
  if (job->run->dry)
    return true;
  struct meta_request mr = {
    .src_fd = -1, .dst_fd = -1,
    .dst_dirfd = job->dst->dirfd, .dst_relname = job->dst->relname,
    .src_st = &job->src_st, .dst_mode = mode & ~opt->umask,
    .dst_new = true, .dst_acl_inherited = job->dst->acl_inherited,
    .interim_acl = true,
    .src_name = job->src->name, .dst_name = job->dst->name,
    .dst_path = copy_file_dst_path (job)
  };
  return copy_meta_special (&job->run->meta, &mr);
}
