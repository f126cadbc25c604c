/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-file-dry.c -- --dry-run of one entry: copy-file's checks on an existing
   destination, made on what is there (or what an earlier operand would
   have made), and what the real run would do said instead of done.  */

#include "system.h"

#include "copy-dest.h"
#include "copy-file-internal.h"
#include "dest-probe.h"
#include "diag.h"
#include "dirname.h"
#include "dry-run.h"
#include "timespec.h"

/* --dry-run: return 1 if something is at the destination of JOB, 2 if
   nothing is but an earlier operand would have made a regular file
   there, 0 if nothing is (its directory would be made, or no such
   entry), -1 with errno set when it cannot be looked at.  */
static int
dry_lookup (struct job const *job)
{
  struct stat st;
  if (job->dst->absent)
    return 0;
  if (fstatat (job->dst->dirfd, job->dst->relname, &st,
               AT_SYMLINK_NOFOLLOW) == 0)
    return 1;
  if (errno != ENOENT)
    return -1;
  return (job->command_line
          && dry_run_file_at (job->run->dry, job->dst->name) ? 2 : 0);
}

/* --dry-run: what an earlier operand of JOB's run would have made of
   JOB's destination, a regular file: the status the copy of JOB would
   give it, which is as much of it as matters to the rules (its type,
   its times when they are preserved).  */
static void
dry_file_would_be (struct job const *job, struct stat *st)
{
  struct copy_options const *opt = job->run->opt;
  *st = job->src_st;
  st->st_mode = S_IFREG | (job->src_st.st_mode & S_IRWXUGO);
  st->st_nlink = 1;
  st->st_dev = 0;
  st->st_ino = 0;
  if (!opt->preserve_timestamps)
    clock_gettime (CLOCK_REALTIME, &st->st_mtim);
}

/* --dry-run: JOB's destination is a file an earlier operand would have
   made (dry_lookup gave 2).  Decide as a real run does on meeting it,
   say what it would do, and return what copy_file_check_existing returns.  */
static enum existing
dry_check_made (struct job *job, bool *follow)
{
  struct dest_policy p;
  struct dest_where w;
  copy_file_policy (job, &p);
  copy_file_where (job, &w);
  struct stat const *made = dry_run_file_at (job->run->dry, job->dst->name);
  struct dest_facts f = {
    .src = job->src_st, .src_lnk = job->src_st, .src_ref = job->src_st,
    .src_ref_ok = true, .dst_lnk_ok = true, .dst_lnk = *made,
    .dst_ref = *made, .dst_writable = true, .command_line = true,
    .created_lnk = true, .created_ref = true,
    .dst_not_older = timespec_cmp (made->st_mtim, job->src_st.st_mtim) >= 0
  };
  struct dest_decision d = copy_dest_decide (&p, &f);
  job->dst_exists = true;
  job->dst_st = *made;
  /* The file would be there, and writable if its owner may write it:
     the question is the plain one (dest_ask asks the file system).  */
  if (d.ask && (geteuid () == 0 || (made->st_mode & S_IWUSR)))
    {
      if (!diag_ask (_("overwrite %s? "), quoteaf (job->dst->name)))
        {
          if (job->run->opt->debug)
            dest_say_skipped (job->dst->name);
          return EXIST_FAIL;
        }
      d.ask = false;
    }
  return copy_file_carry_out (job, &w, &d, follow);
}

/* --dry-run: the regular file of JOB, its source open as SRC_FD (which
   this closes): go through the checks on an existing destination as
   open_dest_file does, then say whether the data would be shared or
   copied.  Return the result the copy would have, as far as it can be
   known without writing.  */
bool
copy_file_dry_regular (struct job *job, int src_fd)
{
  struct copy_options const *opt = job->run->opt;
  struct copy_dest const *dst = job->dst;
  bool new_dst = true, through = false, ok = true;
  int there = dry_lookup (job);
  if (there == 0 && !dry_run_can_create (dst->dirfd, dst->relname))
    there = -1;
  if (there < 0)
    {
      copy_file_report_create (job, errno, _("cannot create regular file %s"), false);
      ok = false;
    }
  else if (0 < there)
    switch (there == 2 ? dry_check_made (job, &through)
            : copy_file_check_existing (job, &through))
      {
      case EXIST_SKIP:
        close (src_fd);
        return true;
      case EXIST_FAIL:
        ok = false;
        break;
      case EXIST_REUSE:
        new_dst = false;
        break;
      case EXIST_NONE:
      case EXIST_MERGE:
      case EXIST_GONE:
        break;
      }
  /* An existing file is opened for writing, or with -f removed when it
     cannot be.  */
  if (ok && !new_dst)
    {
      if (there == 2
          || faccessat (dst->dirfd, dst->relname, W_OK, AT_EACCESS) == 0)
        dry_run_note (job->run->dry, DRY_OVERWRITE, dst->name, NULL, 0);
      else if (!opt->unlink_dest_after_failed_open)
        {
          diag_error (errno, _("cannot create regular file %s"),
                      quoteaf (dst->name));
          ok = false;
        }
      else
        {
          dry_run_note (job->run->dry, DRY_REMOVE, dst->name, NULL, 0);
          new_dst = true;
        }
    }
  if (ok && opt->data_copy_required)
    {
      int dst_fd = (new_dst ? -1
                    : openat (dst->dirfd, dst->relname,
                              O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
      struct dry_data q = {
        .src_fd = src_fd, .src_st = &job->src_st,
        .dst_dirfd = dst->dirfd, .dst_rel = dst->relname, .dst_fd = dst_fd,
        .dst_flags_ok = new_dst || (S_ISREG (job->dst_st.st_mode)
                                    && job->dst_st.st_size == 0),
        .cow = opt->cow, .sparse = opt->sparse,
        .src_name = job->src->name, .dst_name = dst->name
      };
      ok = dry_run_data (job->run->dry, &q);
      if (0 <= dst_fd)
        close (dst_fd);
    }
  else if (ok)
    dry_run_note (job->run->dry, DRY_COPY, job->src->name, dst->name, 0);
  if (ok && new_dst)
    {
      copy_file_note_created (job);
      if (job->command_line)
        {
          struct stat st;
          dry_file_would_be (job, &st);
          dry_run_file_made (job->run->dry, dst->name, &st);
        }
    }
  close (src_fd);
  return ok;
}

/* --dry-run: what copy_file_make would make for JOB.  */
static enum dry_verb
dry_verb_of (struct job const *job)
{
  struct copy_options const *opt = job->run->opt;
  mode_t m = job->src_st.st_mode;
  if (S_ISDIR (m))
    return DRY_MKDIR;
  if (job->earlier || opt->hard_link)
    return DRY_LINK;
  if (opt->symbolic_link || S_ISLNK (m))
    return DRY_SYMLINK;
  return DRY_MKNOD;
}

/* --dry-run: return the device the destination of JOB would be on.  */
static dev_t
dry_dst_dev (struct job const *job)
{
  struct copy_dest const *dst = job->dst;
  struct stat st;
  if (dst->dev)
    return dst->dev;
  char *dir = strchr (dst->relname, '/') ? mdir_name (dst->relname) : NULL;
  dev_t dev = fstatat (dst->dirfd, dir ? dir : ".", &st, 0) == 0
              ? st.st_dev : 0;
  free (dir);
  return dev;
}

/* --dry-run: go through copy_file_make's checks for JOB (FORMAT, TWO,
   REPLACE and *MERGE as there) and say what it would make.  */
int
copy_file_dry_make (struct job *job, char const *format, bool two, bool replace,
          bool *merge)
{
  struct copy_dest const *dst = job->dst;
  bool follow = false;
  int there = dry_lookup (job);
  if (0 < there)
    switch (there == 2 ? dry_check_made (job, &follow)
            : copy_file_check_existing (job, &follow))
      {
      case EXIST_SKIP:
        return 0;
      case EXIST_FAIL:
        return -1;
      case EXIST_MERGE:
        *merge = true;
        return 1;
      case EXIST_REUSE:
        if (!replace)
          {
            copy_file_report_create (job, EEXIST, format, two);
            return -1;
          }
        break;
      case EXIST_GONE:
      case EXIST_NONE:
        break;
      }
  if (0 <= there && !dry_run_can_create (dst->dirfd, dst->relname))
    there = -1;
  enum dry_verb v = dry_verb_of (job);
  /* A hard link cannot cross filesystems.  */
  if (0 <= there && v == DRY_LINK && !job->earlier
      && job->src_st.st_dev != dry_dst_dev (job))
    {
      errno = EXDEV;
      there = -1;
    }
  if (there < 0)
    {
      copy_file_report_create (job, errno, format, two);
      return -1;
    }
  if (v == DRY_MKDIR)
    dry_run_note (job->run->dry, v, dst->name, NULL, 0);
  else
    dry_run_note (job->run->dry, v,
                  job->earlier ? job->earlier : job->src->name, dst->name, 0);
  return 1;
}
