/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-file.c -- make one destination entry as cp does: the checks on
   an existing destination in cp's order, then the regular file (data
   and metadata), symbolic link, hard link or special file.  Directories
   are copy-tree's.  */

#include "system.h"

#include "areadlink.h"
#include "backupfile.h"
#include "copy-file.h"
#include "copy-meta.h"
#include "diag.h"
#include "dirname.h"
#include "filemode.h"
#include "name-set.h"
#include "same-inode.h"
#include "stat-time.h"
#include "timespec.h"

/* Print the -v line for JOB once: GNU cp prints it before the data is
   copied, so it also precedes a failure to create the destination.  */
void
copy_file_say_verbose (struct job *job)
{
  struct copy_options const *opt = job->run->opt;
  if (opt->verbose && !job->verbose_done && opt->move_mode)
    {
      /* mv across filesystems: GNU mv's words.  */
      if (S_ISDIR (job->src_st.st_mode))
        diag_line (_("created directory %s"), quoteaf (job->dst->name));
      else
        diag_line (_("copied %s -> %s"), quoteaf_n (0, job->src->name),
                   quoteaf_n (1, job->dst->name));
    }
  else if (opt->verbose && !job->verbose_done)
    {
      if (job->backup)
        {
          /* The backup was named relative to the destination's
             directory; show it as the destination is shown.  */
          char *b = name_beside (job->dst->name, job->backup);
          diag_line (_("%s -> %s (backup: %s)"),
                     quoteaf_n (0, job->src->name),
                     quoteaf_n (1, job->dst->name), quoteaf_n (2, b));
          free (b);
        }
      else
        diag_line ("%s -> %s", quoteaf_n (0, job->src->name),
                   quoteaf_n (1, job->dst->name));
    }
  job->verbose_done = true;
}

/* Ask whether to overwrite the existing destination of JOB, as cp -i
   does.  Return true for yes.  */
static bool
ask_overwrite (struct job *job)
{
  struct copy_dest const *dst = job->dst;
  mode_t mode = job->dst_st.st_mode;
  if (!S_ISLNK (mode) && faccessat (dst->dirfd, dst->relname, W_OK,
                                    AT_EACCESS) != 0)
    {
      char perms[12];
      strmode (mode, perms);
      perms[10] = '\0';
      if (job->run->opt->unlink_dest_after_failed_open)
        return diag_ask (_("replace %s, overriding mode %04lo (%s)? "),
                         quoteaf (dst->name),
                         (unsigned long) (mode & CHMOD_MODE_BITS),
                         &perms[1]);
      return diag_ask (_("unwritable %s (mode %04lo, %s); try anyway? "),
                       quoteaf (dst->name),
                       (unsigned long) (mode & CHMOD_MODE_BITS), &perms[1]);
    }
  return diag_ask (_("overwrite %s? "), quoteaf (dst->name));
}

/* What to do with an existing destination.  */
enum existing
{
  EXIST_NONE,               /* there is none after all: create it */
  EXIST_REUSE,              /* write into it (a regular file) */
  EXIST_MERGE,              /* a directory to copy into */
  EXIST_GONE,               /* it was removed or backed up: create it */
  EXIST_SKIP,               /* leave it; not an error */
  EXIST_FAIL                /* leave it; an error, reported */
};

/* Remove the destination of JOB.  Return false after reporting.  */
static bool
remove_dest (struct job *job)
{
  if (unlinkat (job->dst->dirfd, job->dst->relname, 0) != 0
      && errno != ENOENT)
    {
      diag_error (errno, _("cannot remove %s"), quoteaf (job->dst->name));
      return false;
    }
  if (job->run->opt->verbose)
    diag_line (_("removed %s"), quoteaf (job->dst->name));
  return true;
}

/* Stat'ing the destination of JOB failed with errno: it is missing, a
   dangling symlink (step 1 of check_existing), or unreadable.  */
static enum existing
check_missing (struct job *job, bool deref, bool *follow)
{
  struct copy_dest const *dst = job->dst;
  struct stat lst;
  if (errno == ENOENT && deref
      && fstatat (dst->dirfd, dst->relname, &lst,
                  AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK (lst.st_mode))
    {
      /* 1. A dangling symlink: POSIX says write through it; GNU cp
         refuses unless POSIXLY_CORRECT is set.  */
      if (getenv ("POSIXLY_CORRECT") && S_ISREG (job->src_st.st_mode))
        {
          *follow = true;
          return EXIST_NONE;
        }
      copy_file_say_verbose (job);
      diag_error (0, _("not writing through dangling symlink %s"),
                  quoteaf (dst->name));
      return EXIST_FAIL;
    }
  if (errno == ENOENT)
    return EXIST_NONE;
  diag_error (errno, _("cannot stat %s"), quoteaf (dst->name));
  return EXIST_FAIL;
}

/* Step 9 of check_existing: make way for the copy of JOB with a backup,
   --remove-destination, or the removal of anything that is not a
   regular file to write in place.  */
static enum existing
make_way (struct job *job)
{
  struct copy_options const *opt = job->run->opt;
  struct copy_dest const *dst = job->dst;
  if (opt->backup_type != no_backups)
    {
      job->backup = backup_file_rename (dst->dirfd, dst->relname,
                                        opt->backup_type);
      if (!job->backup)
        {
          diag_error (errno, _("cannot backup %s"), quoteaf (dst->name));
          return EXIST_FAIL;
        }
      return EXIST_GONE;
    }
  if (opt->remove_destination
      || !S_ISREG (job->src_st.st_mode) || S_ISLNK (job->dst_st.st_mode)
      || opt->hard_link || opt->symbolic_link
      || (opt->preserve_links && 1 < job->dst_st.st_nlink))
    {
      if ((opt->hard_link || opt->symbolic_link)
          && !opt->remove_destination && opt->interactive != I_ASK_USER
          && !opt->unlink_dest_after_failed_open)
        {
          errno = EEXIST;
          return EXIST_NONE;
        }
      return remove_dest (job) ? EXIST_GONE : EXIST_FAIL;
    }
  return EXIST_REUSE;
}

/* The destination of JOB exists, or creating it said EEXIST.  Make cp's
   checks, in cp's order, and return what to do.  *FOLLOW is set when a
   dangling symlink may be written through.  */
static enum existing
check_existing (struct job *job, bool *follow)
{
  struct copy_options const *opt = job->run->opt;
  struct copy_dest const *dst = job->dst;
  bool src_dir = S_ISDIR (job->src_st.st_mode);
  bool deref = opt->deref != DEREF_NEVER;

  if (fstatat (dst->dirfd, dst->relname, &job->dst_st,
               deref ? 0 : AT_SYMLINK_NOFOLLOW) != 0)
    return check_missing (job, deref, follow);
  job->dst_exists = true;
  bool dst_dir = S_ISDIR (job->dst_st.st_mode);
  if (src_dir && S_ISLNK (job->dst_st.st_mode) && opt->keep_dir_symlink)
    {
      /* --keep-directory-symlink: a symlink to a directory is the
         directory to merge into.  */
      struct stat st;
      if (fstatat (dst->dirfd, dst->relname, &st, 0) == 0
          && S_ISDIR (st.st_mode))
        dst_dir = true;
    }

  /* 2. Another operand created it in this run.  */
  if (job->run->created && name_set_has (job->run->created, dst->name))
    {
      diag_error (0, _("will not overwrite just-created %s with %s"),
                  quoteaf_n (0, dst->name), quoteaf_n (1, job->src->name));
      return EXIST_FAIL;
    }

  /* 3. Directories are merged, whatever -n, -i or -u say.  */
  if (src_dir && dst_dir)
    return EXIST_MERGE;

  /* 4. -n and --update=none skip before any other check.  */
  if (opt->update == UPDATE_NONE || opt->update == UPDATE_NONE_FAIL)
    {
      if (opt->update == UPDATE_NONE_FAIL)
        {
          diag_error (0, _("not replacing %s"), quoteaf (dst->name));
          return EXIST_FAIL;
        }
      goto skip;
    }

  /* 5. The same file under two names; with -l a link is already there.  */
  if (SAME_INODE (job->src_st, job->dst_st))
    {
      if (opt->hard_link)
        return EXIST_SKIP;
      if (!(opt->backup_type != no_backups && opt->unlink_dest_after_failed_open
            && S_ISREG (job->src_st.st_mode)))
        {
          diag_error (0, _("%s and %s are the same file"),
                      quoteaf_n (0, job->src->name), quoteaf_n (1, dst->name));
          return EXIST_FAIL;
        }
    }

  /* 6. A directory is never replaced by a file, nor a file by a
     directory (unless backed up).  */
  if (dst_dir)
    {
      diag_error (0, _("cannot overwrite directory %s with non-directory %s"),
                  quoteaf_n (0, dst->name), quoteaf_n (1, job->src->name));
      return EXIST_FAIL;
    }
  if (src_dir && opt->backup_type == no_backups)
    {
      diag_error (0, _("cannot overwrite non-directory %s with directory %s"),
                  quoteaf_n (0, dst->name), quoteaf_n (1, job->src->name));
      return EXIST_FAIL;
    }

  /* 7. -u: keep a destination that is not older.  */
  if (opt->update == UPDATE_OLDER
      && timespec_cmp (job->dst_st.st_mtim, job->src_st.st_mtim) >= 0)
    goto skip;

  /* 8. -i: a "no" skips the file and, since GNU cp 9.2, fails.  */
  if (opt->interactive == I_ASK_USER && !ask_overwrite (job))
    {
      if (opt->debug)
        diag_line (_("skipped %s"), quoteaf (dst->name));
      return EXIST_FAIL;
    }

  /* 9. Make way: a backup, --remove-destination, or anything that is
     not a regular file written in place.  */
  return make_way (job);

 skip:
  if (opt->debug)
    diag_line (_("skipped %s"), quoteaf (dst->name));
  return EXIST_SKIP;
}

/* Return the name of JOB's destination for system calls made from the
   working directory.  */
char const *
copy_file_dst_path (struct job const *job)
{
  return job->dst->path ? job->dst->path : job->dst->name;
}

/* Remember that this run created the destination of JOB.  */
static void
note_created (struct job *job)
{
  if (job->run->created && job->command_line)
    name_set_add (job->run->created, job->dst->name);
}

/* Return true if NAME ends in a slash.  */
static bool
has_trailing_slash (char const *name)
{
  size_t n = strlen (name);
  return n != 0 && name[n - 1] == '/';
}

/* Report that creating JOB's destination failed with ERR, as FORMAT
   says ("cannot create regular file %s" and the like); FORMAT2 is used
   instead when it names the source too.  */
static void
report_create (struct job *job, int err, char const *format, bool two)
{
  struct copy_dest const *dst = job->dst;
  struct stat st;
  if (err == EISDIR && has_trailing_slash (dst->relname))
    err = ENOTDIR;
  if (err != EEXIST && fstatat (dst->dirfd, dst->relname, &st, 0) != 0
      && errno != ENOENT)
    {
      /* "file/" when file is not a directory: cp stats the destination
         first and says so.  */
      diag_error (errno, _("cannot stat %s"), quoteaf (dst->name));
      return;
    }
  copy_file_say_verbose (job);
  if (two)
    diag_error (err, format, quoteaf_n (0, dst->name),
                quoteaf_n (1, job->src->name));
  else
    diag_error (err, format, quoteaf (dst->name));
}

/* Open the destination of a regular-file JOB: create it (the common
   case costs one call), or check and reuse or replace what is there.
   Set *NEW_DST when this call created it.  Return the descriptor, -1
   after reporting, or -2 for a skip that is not an error.  */
static int
open_dest_file (struct job *job, mode_t mode, bool *new_dst)
{
  struct copy_options const *opt = job->run->opt;
  struct copy_dest const *dst = job->dst;
  bool follow = false;
  *new_dst = false;
  for (int tries = 0; tries < 3; tries++)
    {
      int fd = openat (dst->dirfd, dst->relname,
                       (O_WRONLY | O_CREAT | O_NOCTTY | O_CLOEXEC
                        | (follow ? 0 : O_EXCL)), mode);
      if (0 <= fd)
        {
          copy_file_say_verbose (job);
          *new_dst = true;
          return fd;
        }
      if (errno != EEXIST || follow)
        {
          report_create (job, errno, _("cannot create regular file %s"),
                         false);
          return -1;
        }
      switch (check_existing (job, &follow))
        {
        case EXIST_SKIP:
          return -2;
        case EXIST_FAIL:
          return -1;
        case EXIST_NONE:
        case EXIST_GONE:
        case EXIST_MERGE:
          continue;
        case EXIST_REUSE:
          break;
        }
      copy_file_say_verbose (job);
      fd = openat (dst->dirfd, dst->relname,
                   (O_WRONLY | O_NOCTTY | O_CLOEXEC
                    | (opt->data_copy_required ? O_TRUNC : 0)));
      if (0 <= fd)
        return fd;
      if (errno != ENOENT)
        {
          if (!opt->unlink_dest_after_failed_open)
            {
              diag_error (errno, _("cannot create regular file %s"),
                          quoteaf (dst->name));
              return -1;
            }
          if (!remove_dest (job))
            return -1;
        }
      job->dst_exists = false;
    }
  diag_error (EEXIST, _("cannot create regular file %s"),
              quoteaf (dst->name));
  return -1;
}

/* Print the --debug line for RES.  */
static void
say_debug (struct data_result const *res)
{
  diag_line (_("copy offload: %s, reflink: %s, sparse detection: %s, rung: %s"),
             copy_data_debug_word (res->offload),
             copy_data_debug_word (res->reflink),
             copy_data_sparse_word (res->sparse),
             copy_data_rung_name (res->rung));
}

/* Apply the metadata of JOB to DST_FD (or to the symlink when -1);
   DST_MODE is the mode it has now, NEW_DST whether this run made it.  */
bool
copy_file_meta (struct job *job, int src_fd, int dst_fd, mode_t dst_mode,
                bool new_dst)
{
  struct meta_request mr = {
    .src_fd = src_fd, .dst_fd = dst_fd,
    .dst_dirfd = job->dst->dirfd, .dst_relname = job->dst->relname,
    .src_st = &job->src_st, .dst_mode = dst_mode, .dst_new = new_dst,
    .dst_acl_inherited = new_dst && job->dst->acl_inherited,
    .src_name = job->src->name, .dst_name = job->dst->name,
    .dst_path = copy_file_dst_path (job)
  };
  return copy_meta_apply (job->run->opt, &mr);
}

/* Copy the regular file (or file read as one) of JOB: source opened,
   destination opened or created, data, metadata.  */
bool
copy_file_regular (struct job *job)
{
  struct copy_options const *opt = job->run->opt;
  struct src_ref const *src = job->src;
  bool follow = opt->deref == DEREF_ALWAYS
                || (opt->deref == DEREF_COMMAND_LINE && job->command_line);
  int src_fd = openat (src->dirfd, src->rel,
                       (O_RDONLY | O_NOCTTY | O_CLOEXEC
                        | (follow ? 0 : O_NOFOLLOW)));
  if (src_fd < 0)
    {
      int err = errno;
      /* The checks on the destination come first, as in cp: -n says
         nothing about an unreadable source.  */
      bool unused;
      if (fstatat (job->dst->dirfd, job->dst->relname, &job->dst_st, 0) == 0)
        switch (check_existing (job, &unused))
          {
          case EXIST_SKIP:
            return true;
          case EXIST_FAIL:
            return false;
          default:
            break;
          }
      copy_file_say_verbose (job);
      diag_error (err, _("cannot open %s for reading"), quoteaf (src->name));
      return false;
    }

  bool will_chown = copy_meta_needs_chown (opt, &job->src_st);
  mode_t mode = copy_meta_create_mode (opt, job->src_st.st_mode, will_chown);
  bool new_dst;
  int dst_fd = open_dest_file (job, mode, &new_dst);
  bool ok = dst_fd != -1;
  if (0 <= dst_fd)
    {
      if (new_dst)
        note_created (job);
      if (opt->data_copy_required)
        {
          struct data_request rq = {
            .src_fd = src_fd, .dst_fd = dst_fd, .src_st = &job->src_st,
            .dst_dev = new_dst ? job->dst->dev : job->dst_st.st_dev,
            .dst_regular = new_dst || S_ISREG (job->dst_st.st_mode),
            .src_name = src->name, .dst_name = job->dst->name,
            .cow = opt->cow, .sparse = opt->sparse, .stop = opt->stop
          };
          struct data_result res;
          ok = copy_data (&rq, job->ladder, &res);
          if (opt->debug && !res.interrupted)
            say_debug (&res);
          if (res.rung == RUNG_FICLONE || res.rung == RUNG_FICLONERANGE)
            __atomic_add_fetch (&job->run->files_shared, 1, __ATOMIC_RELAXED);
          else if (res.rung != RUNG_NONE)
            __atomic_add_fetch (&job->run->files_copied, 1, __ATOMIC_RELAXED);
        }
      if (ok)
        ok = copy_file_meta (job, src_fd, dst_fd,
                         new_dst ? mode & ~opt->umask
                                 : job->dst_st.st_mode & CHMOD_MODE_BITS,
                         new_dst);
      if (close (dst_fd) != 0 && ok)
        {
          diag_error (errno, _("failed to close %s"),
                      quoteaf (job->dst->name));
          ok = false;
        }
      /* A destination this call created and could not fill is removed,
         so that nothing incomplete is left looking like a copy.  One that
         existed was already truncated; it stays.  */
      if (!ok && new_dst && opt->data_copy_required
          && unlinkat (job->dst->dirfd, job->dst->relname, 0) != 0
          && errno != ENOENT)
        diag_error (errno, _("cannot remove %s"), quoteaf (job->dst->name));
    }
  close (src_fd);
  return ok;
}

/* Make the destination of JOB with MAKE (mkdirat, symlinkat, ...),
   which returns 0 or -1 with errno, going through the checks when it
   exists.  FORMAT reports a failure; TWO says it names the source too.
   Return 1 when made, 0 when skipped, -1 after an error; *MERGE is set
   when the destination is an existing directory to merge into.  */
int
copy_file_make (struct job *job, int (*make) (struct job *, void *),
                void *arg, char const *format, bool two, bool *merge)
{
  bool follow = false;
  for (int tries = 0; tries < 3; tries++)
    {
      if (make (job, arg) == 0)
        return 1;
      if (errno != EEXIST)
        break;
      switch (check_existing (job, &follow))
        {
        case EXIST_SKIP:
          return 0;
        case EXIST_FAIL:
          return -1;
        case EXIST_MERGE:
          *merge = true;
          return 1;
        case EXIST_REUSE:
          if (remove_dest (job))
            continue;
          return -1;
        case EXIST_NONE:
          if (errno == EEXIST)
            goto fail;
          continue;
        case EXIST_GONE:
          continue;
        }
    }
 fail:
  report_create (job, errno, format, two);
  return -1;
}

static int
make_symlink (struct job *job, void *target)
{
  return symlinkat (target, job->dst->dirfd, job->dst->relname);
}

static int
make_hardlink (struct job *job, void *earlier)
{
  struct copy_options const *opt = job->run->opt;
  if (earlier)
    return linkat (AT_FDCWD, earlier, job->dst->dirfd, job->dst->relname, 0);
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
                          _("cannot create symbolic link %s"), false, &merge);
  free (target);
  if (r <= 0)
    return r == 0;
  copy_file_say_verbose (job);
  note_created (job);
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
            {
              diag_error (0, _("%s: can make relative symbolic links only "
                               "in current directory"),
                          quotef (job->dst->name));
              return false;
            }
        }
      r = copy_file_make (job, make_symlink, (void *) name,
                          _("cannot create symbolic link %s to %s"), true,
                          &merge);
    }
  else
    r = copy_file_make (job, make_hardlink, (void *) earlier,
                        _("cannot create hard link %s to %s"), true, &merge);
  if (0 < r)
    {
      if (!(earlier && opt->move_mode))
        copy_file_say_verbose (job);
      note_created (job);
    }
  return 0 <= r;
}

/* Recreate the FIFO, socket or device of JOB.  */
bool
copy_file_special (struct job *job)
{
  struct copy_options const *opt = job->run->opt;
  bool will_chown = copy_meta_needs_chown (opt, &job->src_st);
  mode_t mode = copy_meta_create_mode (opt, job->src_st.st_mode, will_chown);
  bool merge = false;
  int r = copy_file_make (job, make_special, &mode,
                          (S_ISFIFO (job->src_st.st_mode)
                           ? _("cannot create fifo %s")
                           : _("cannot create special file %s")),
                          false, &merge);
  if (r <= 0)
    return r == 0;
  copy_file_say_verbose (job);
  note_created (job);
  /* Metadata goes through a descriptor; a FIFO opened for it must not
     block, a device must not be opened at all.  */
  int fd = openat (job->dst->dirfd, job->dst->relname,
                   O_PATH | O_NOFOLLOW | O_CLOEXEC);
  bool ok = true;
  if (0 <= fd)
    {
      char path[64];
      snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
      if (opt->preserve_ownership && copy_meta_needs_chown (opt, &job->src_st)
          && fchownat (fd, "", job->src_st.st_uid, job->src_st.st_gid,
                       AT_EMPTY_PATH) != 0 && opt->chown_privileges)
        {
          diag_error (errno, _("failed to preserve ownership for %s"),
                      quoteaf (job->dst->name));
          ok = false;
        }
      mode_t want = (opt->preserve_mode
                     ? job->src_st.st_mode & CHMOD_MODE_BITS
                     : job->src_st.st_mode & ~opt->umask & 0777);
      if (want != (mode & ~opt->umask) && chmod (path, want) != 0)
        {
          diag_error (errno, _("preserving permissions for %s"),
                      quoteaf (job->dst->name));
          ok &= !opt->require_preserve;
        }
      struct timespec ts[2] = { job->src_st.st_atim, job->src_st.st_mtim };
      if (opt->preserve_timestamps && utimensat (AT_FDCWD, path, ts, 0) != 0)
        {
          diag_error (errno, _("preserving times for %s"),
                      quoteaf (job->dst->name));
          ok &= !opt->require_preserve;
        }
      close (fd);
    }
  return ok;
}
