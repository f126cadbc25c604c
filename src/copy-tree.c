/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-tree.c -- copy named files and trees: the checks cp makes, in
   cp's order, creating each destination, and handing the data to
   copy-data and the metadata to copy-meta.  */

#include "system.h"

#include <dirent.h>
#include <pthread.h>
#include <sys/xattr.h>

#include "areadlink.h"
#include "backupfile.h"
#include "copy-meta.h"
#include "copy-pool.h"
#include "copy-tree.h"
#include "diag.h"
#include "dirname.h"
#include "filemode.h"
#include "filenamecat.h"
#include "hardlink-map.h"
#include "hash.h"
#include "name-set.h"
#include "remove-tree.h"
#include "same-inode.h"
#include "stat-time.h"
#include "timespec.h"
#include "savedir.h"
#include "tempname.h"
#include "xalloc.h"

/* Start RUN; see copy-tree.h.  */
void
copy_tree_init (struct copy_run *run, struct copy_options const *opt,
                bool track)
{
  *run = (struct copy_run) { .opt = opt };
  if (opt->preserve_links && !opt->hard_link)
    run->links = hlmap_new ();
  if (opt->recursive)
    run->dirs_made = hlmap_new ();
  /* Workers pay where nothing depends on the order of the per-file work:
     no -v lines, no prompts, no backups, no links instead of copies.  */
  long ncpu = sysconf (_SC_NPROCESSORS_ONLN);
  if (opt->recursive && !opt->verbose && !opt->debug
      && opt->interactive != I_ASK_USER && opt->backup_type == no_backups
      && !opt->hard_link && !opt->symbolic_link && 1 < ncpu)
    run->pool = copy_pool_new (ncpu < 8 ? ncpu : 8,
                               sizeof (struct ladder_state), 64);
  if (track)
    {
      run->sources = hlmap_new ();
      run->created = name_set_new ();
    }
}

/* Release what RUN holds.  */
void
copy_tree_free (struct copy_run *run)
{
  copy_pool_free (run->pool);
  hlmap_free (run->links);
  hlmap_free (run->dirs_made);
  hlmap_free (run->sources);
  if (run->pending_links)
    hash_free (run->pending_links);
  name_set_free (run->created);
}

/* Describe directory DIRFD; see copy-tree.h.  */
int
copy_tree_describe_dir (int dirfd, dev_t *dev, bool *acl_inherited)
{
  struct stat st;
  if (fstat (dirfd, &st) != 0)
    return -1;
  *dev = st.st_dev;
  *acl_inherited = 0 <= fgetxattr (dirfd, "system.posix_acl_default",
                                   NULL, 0);
  return 0;
}

/* Which operand is being copied, for "into itself"; and whether the
   walk must stop.  */
struct walk
{
  char const *top_src;
  char const *top_dst;
  bool stop;
};

/* Where a source is: entry REL of directory DIRFD, called NAME.
   PARENT_DEV is the device of its directory (for -x), valid when
   HAS_PARENT.  */
struct src_ref
{
  int dirfd;
  char const *rel;
  char const *name;
  dev_t parent_dev;
  bool has_parent;
  struct dir_node *node;    /* its directory, when workers are used */
};

/* One entry being copied.  */
struct job
{
  struct copy_run *run;
  struct ladder_state *ladder;  /* the running thread's */
  struct walk *walk;
  struct src_ref const *src;
  struct copy_dest const *dst;
  bool command_line;
  struct stat src_st;
  struct stat dst_st;       /* valid when DST_EXISTS */
  bool dst_exists;
  char *backup;             /* the name the old destination got */
  bool verbose_done;
};

/* Print the -v line for JOB once: GNU cp prints it before the data is
   copied, so it also precedes a failure to create the destination.  */
static void
say_verbose (struct job *job)
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

/* Return true if file names A and B name the same directory entry; see
   copy-tree.h.  */
bool
copy_tree_same_entry (char const *a, char const *b)
{
  if (strcmp (last_component (a), last_component (b)) != 0)
    return false;
  char *da = mdir_name (a), *db = mdir_name (b);
  struct stat sa, sb;
  bool same = (da && db && stat (da, &sa) == 0 && stat (db, &sb) == 0
               && SAME_INODE (sa, sb));
  free (da);
  free (db);
  return same;
}

/* Return true if JOB's source operand was already copied in this run
   under a name for the same directory entry, after warning as cp does;
   else remember it.  */
static bool
source_seen_twice (struct job *job)
{
  struct copy_run *run = job->run;
  if (!run->sources || (!S_ISDIR (job->src_st.st_mode)
                        && run->opt->backup_type != no_backups))
    return false;
  char const *old = hlmap_lookup (run->sources, job->src_st.st_dev,
                                  job->src_st.st_ino);
  if (!old)
    {
      hlmap_insert (run->sources, job->src_st.st_dev, job->src_st.st_ino,
                    job->src->name);
      return false;
    }
  if (!copy_tree_same_entry (old, job->src->name))
    return false;
  diag_error (0, (S_ISDIR (job->src_st.st_mode)
                  ? _("warning: source directory %s specified more than once")
                  : _("warning: source file %s specified more than once")),
              quoteaf (job->src->name));
  return true;
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
    {
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
          say_verbose (job);
          diag_error (0, _("not writing through dangling symlink %s"),
                      quoteaf (dst->name));
          return EXIST_FAIL;
        }
      if (errno == ENOENT)
        return EXIST_NONE;
      diag_error (errno, _("cannot stat %s"), quoteaf (dst->name));
      return EXIST_FAIL;
    }
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
      if (opt->hard_link || opt->symbolic_link)
        {
          if (!opt->remove_destination && opt->interactive != I_ASK_USER
              && !opt->unlink_dest_after_failed_open)
            {
              errno = EEXIST;
              return EXIST_NONE;
            }
        }
      return remove_dest (job) ? EXIST_GONE : EXIST_FAIL;
    }
  return EXIST_REUSE;

 skip:
  if (opt->debug)
    diag_line (_("skipped %s"), quoteaf (dst->name));
  return EXIST_SKIP;
}

/* Return the name of JOB's destination for system calls made from the
   working directory.  */
static char const *
dst_path (struct job const *job)
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
  say_verbose (job);
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
          say_verbose (job);
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
      say_verbose (job);
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
static bool
apply_meta (struct job *job, int src_fd, int dst_fd, mode_t dst_mode,
            bool new_dst)
{
  struct meta_request mr = {
    .src_fd = src_fd, .dst_fd = dst_fd,
    .dst_dirfd = job->dst->dirfd, .dst_relname = job->dst->relname,
    .src_st = &job->src_st, .dst_mode = dst_mode, .dst_new = new_dst,
    .dst_acl_inherited = new_dst && job->dst->acl_inherited,
    .src_name = job->src->name, .dst_name = job->dst->name,
    .dst_path = dst_path (job)
  };
  return copy_meta_apply (job->run->opt, &mr);
}

/* Copy the regular file (or file read as one) of JOB: source opened,
   destination opened or created, data, metadata.  */
static bool
copy_file (struct job *job)
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
      say_verbose (job);
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
        ok = apply_meta (job, src_fd, dst_fd,
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
static int
make_dest (struct job *job, int (*make) (struct job *, void *), void *arg,
           char const *format, bool two, bool *merge)
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

static int
make_dir (struct job *job, void *mode)
{
  return mkdirat (job->dst->dirfd, job->dst->relname, *(mode_t *) mode);
}

/* Copy the symlink of JOB as a symlink.  */
static bool
copy_symlink (struct job *job)
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
  int r = make_dest (job, make_symlink, target,
                     _("cannot create symbolic link %s"), false, &merge);
  free (target);
  if (r <= 0)
    return r == 0;
  say_verbose (job);
  note_created (job);
  return apply_meta (job, -1, -1, 0, true);
}

/* Make the destination of JOB a link to the source: a hard link with -l
   (or to EARLIER, the first copy of a multiply-linked file), a symbolic
   link with -s.  */
static bool
link_file (struct job *job, char const *earlier)
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
      r = make_dest (job, make_symlink, (void *) name,
                     _("cannot create symbolic link %s to %s"), true, &merge);
    }
  else
    r = make_dest (job, make_hardlink, (void *) earlier,
                   _("cannot create hard link %s to %s"), true, &merge);
  if (0 < r)
    {
      if (!(earlier && opt->move_mode))
        say_verbose (job);
      note_created (job);
    }
  return 0 <= r;
}

/* Recreate the FIFO, socket or device of JOB.  */
static bool
copy_special (struct job *job)
{
  struct copy_options const *opt = job->run->opt;
  bool will_chown = copy_meta_needs_chown (opt, &job->src_st);
  mode_t mode = copy_meta_create_mode (opt, job->src_st.st_mode, will_chown);
  bool merge = false;
  int r = make_dest (job, make_special, &mode,
                     (S_ISFIFO (job->src_st.st_mode)
                      ? _("cannot create fifo %s")
                      : _("cannot create special file %s")), false, &merge);
  if (r <= 0)
    return r == 0;
  say_verbose (job);
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

static bool copy_entry (struct copy_run *run, struct walk *walk,
                        struct src_ref const *src,
                        struct copy_dest const *dst, bool command_line);

/* Note a failure found after the entry's own copy_entry returned (by a
   worker, or in a directory's metadata applied after its children).  */
static void
note_deferred_failure (struct copy_run *run)
{
  __atomic_store_n (&run->deferred_failed, true, __ATOMIC_RELEASE);
}

/* A directory being copied, kept until its last entry is done: then its
   metadata is applied (after its children, so that their creation does
   not change its times) and its descriptors closed.  */
struct dir_node
{
  int pending;              /* the walker's reference + queued files */
  struct dir_node *parent;
  struct src_ref src;       /* owned copies of the names */
  struct copy_dest dst;
  struct job job;           /* points at SRC and DST above */
  DIR *dir;                 /* the source directory, open for children */
  int meta_src;             /* descriptor for its metadata, or -1 */
  int dst_fd;
  mode_t mode;              /* mode it has now */
  bool new_dst;
  struct file_batch *batch; /* files gathered for the workers */
};

/* Make a node for the directory of JOB.  */
static struct dir_node *
node_new (struct job const *job, int dst_fd, mode_t mode, bool new_dst)
{
  struct dir_node *n = xzalloc (sizeof *n);
  n->pending = 1;
  n->parent = job->src->node;
  /* A subdirectory holds its parent open until it is done itself.  */
  if (n->parent)
    __atomic_add_fetch (&n->parent->pending, 1, __ATOMIC_ACQ_REL);
  n->src = *job->src;
  n->src.rel = xstrdup (job->src->rel);
  n->src.name = xstrdup (job->src->name);
  n->dst = *job->dst;
  n->dst.relname = xstrdup (job->dst->relname);
  n->dst.name = xstrdup (job->dst->name);
  n->dst.path = job->dst->path ? xstrdup (job->dst->path) : NULL;
  n->job = *job;
  n->job.src = &n->src;
  n->job.dst = &n->dst;
  n->job.backup = NULL;
  n->meta_src = -1;
  n->dst_fd = dst_fd;
  n->mode = mode;
  n->new_dst = new_dst;
  return n;
}

static void node_release (struct dir_node *n);

/* The last entry of N is done: apply its metadata, close it, and let
   its parent know.  */
static void
node_finish (struct dir_node *n)
{
  struct copy_options const *opt = n->job.run->opt;
  if (0 <= n->meta_src
      && (n->new_dst || opt->preserve_mode || opt->preserve_ownership
          || opt->preserve_timestamps || opt->preserve_xattr)
      && !apply_meta (&n->job, n->meta_src, n->dst_fd, n->mode, n->new_dst))
    note_deferred_failure (n->job.run);
  if (n->dir)
    closedir (n->dir);
  else if (0 <= n->meta_src)
    close (n->meta_src);
  close (n->dst_fd);
  struct dir_node *parent = n->parent;
  free ((char *) n->src.rel);
  free ((char *) n->src.name);
  free ((char *) n->dst.relname);
  free ((char *) n->dst.name);
  free ((char *) n->dst.path);
  free (n);
  if (parent)
    node_release (parent);
}

/* Drop one reference to N; the last one finishes it.  */
static void
node_release (struct dir_node *n)
{
  if (__atomic_sub_fetch (&n->pending, 1, __ATOMIC_ACQ_REL) == 0)
    node_finish (n);
}

/* A regular file or symbolic link handed to a worker, with copies of
   everything the walker's stack held.  */
struct file_task
{
  struct job job;
  struct src_ref src;
  struct copy_dest dst;
  struct link_group *group; /* the first copy of a multiply-linked file */
  struct file_task *next;   /* in its group's waiters */
};

/* A multiply-linked source whose first name went to a worker: its other
   names wait here (the walker goes on) until that copy is made, then
   become links to it.  If the copy fails, the next name is copied
   instead, as cp does after a failure.  */
enum link_state { LINK_PENDING, LINK_DONE, LINK_FAILED };
struct link_group
{
  dev_t dev;
  ino_t ino;
  pthread_mutex_t lock;
  enum link_state state;    /* under LOCK */
  char *name;               /* the copy, once LINK_DONE */
  struct file_task *waiters, **tail;
};

/* Fill T with copies of what JOB points at.  */
static void
task_fill (struct file_task *t, struct job const *job)
{
  t->src = *job->src;
  t->src.rel = xstrdup (job->src->rel);
  t->src.name = xstrdup (job->src->name);
  t->dst = *job->dst;
  t->dst.relname = xstrdup (job->dst->relname);
  t->dst.name = xstrdup (job->dst->name);
  t->dst.path = job->dst->path ? xstrdup (job->dst->path) : NULL;
  t->job = *job;
  t->job.src = &t->src;
  t->job.dst = &t->dst;
  t->group = NULL;
  t->next = NULL;
}

/* Free what task_fill copied into T.  */
static void
task_clear (struct file_task *t)
{
  free (t->job.backup);
  free ((char *) t->src.rel);
  free ((char *) t->src.name);
  free ((char *) t->dst.relname);
  free ((char *) t->dst.name);
  free ((char *) t->dst.path);
}

/* Worker side: the first copy of G has ended, under the name FIRST if
   OK.  Link the waiting names to it; if it failed, copy the first
   waiter instead (with the worker's LADDER) and go on from there.  The waiters' directories were
   held for them and are released here.  */
static void
link_group_settle (struct link_group *g, bool ok, char *first,
                   struct ladder_state *ladder)
{
  for (;;)
    {
      pthread_mutex_lock (&g->lock);
      struct file_task *w = g->waiters;
      if (ok)
        {
          g->name = first;
          g->state = LINK_DONE;
          g->waiters = NULL;
          g->tail = &g->waiters;
        }
      else if (!w)
        g->state = LINK_FAILED;
      else if (!(g->waiters = w->next))
        g->tail = &g->waiters;
      pthread_mutex_unlock (&g->lock);
      if (ok)
        {
          while (w)
            {
              struct file_task *next = w->next;
              if (!link_file (&w->job, first))
                note_deferred_failure (w->job.run);
              struct dir_node *node = w->src.node;
              task_clear (w);
              free (w);
              node_release (node);
              w = next;
            }
          return;
        }
      if (!w)
        return;
      w->job.ladder = ladder;
      ok = copy_file (&w->job);
      if (!ok)
        note_deferred_failure (w->job.run);
      first = ok ? xstrdup (dst_path (&w->job)) : NULL;
      struct dir_node *node = w->src.node;
      task_clear (w);
      free (w);
      node_release (node);
    }
}

/* Files of one directory handed to a worker together: one hand-over
   (and its futex calls) per batch, not per file.  */
enum { BATCH_MAX = 64 };
struct file_batch
{
  struct dir_node *node;
  int n;
  struct file_task task[BATCH_MAX];
};

/* Worker side: copy the files of batch ARG with the worker's ladder
   state CTX, then release their directory.  */
static void
run_batch (void *arg, void *ctx)
{
  struct file_batch *b = arg;
  for (int i = 0; i < b->n; i++)
    {
      struct file_task *t = &b->task[i];
      t->job.ladder = ctx;
      bool ok = (S_ISLNK (t->job.src_st.st_mode)
                 ? copy_symlink (&t->job) : copy_file (&t->job));
      if (!ok)
        note_deferred_failure (t->job.run);
      if (t->group)
        link_group_settle (t->group, ok,
                           ok ? xstrdup (dst_path (&t->job)) : NULL, ctx);
      task_clear (t);
    }
  struct dir_node *node = b->node;
  free (b);
  node_release (node);
}

/* Hand the files gathered for directory N to the workers.  */
static void
flush_batch (struct dir_node *n)
{
  struct file_batch *b = n->batch;
  if (!b)
    return;
  n->batch = NULL;
  __atomic_add_fetch (&n->pending, 1, __ATOMIC_ACQ_REL);
  copy_pool_submit (n->job.run->pool, run_batch, b);
}

/* Gather the regular file or symlink of JOB for the workers; GROUP is
   its link group when it is the first name of a multiply-linked file.
   Its outcome is noted with note_deferred_failure; return true.  */
static bool
submit_file (struct job *job, struct link_group *group)
{
  struct dir_node *n = job->src->node;
  if (!n->batch)
    {
      n->batch = xmalloc (sizeof *n->batch);
      n->batch->node = n;
      n->batch->n = 0;
    }
  struct file_task *t = &n->batch->task[n->batch->n++];
  task_fill (t, job);
  t->group = group;
  if (n->batch->n == BATCH_MAX)
    flush_batch (n);
  return true;
}

static size_t
link_group_hash (void const *x, size_t n)
{
  struct link_group const *g = x;
  return (g->ino ^ ((size_t) g->dev * 0x9e3779b97f4a7c15u)) % n;
}

static bool
link_group_equal (void const *a, void const *b)
{
  struct link_group const *x = a, *y = b;
  return x->dev == y->dev && x->ino == y->ino;
}

static void
link_group_free (void *x)
{
  struct link_group *g = x;
  pthread_mutex_destroy (&g->lock);
  free (g->name);
  free (g);
}

/* The regular file of JOB has several links and workers copy files:
   its first name goes to a worker, a later one waits for that copy or
   links to it.  Return what the walker is to count for it.  */
static bool
defer_linked_file (struct job *job)
{
  struct copy_run *run = job->run;
  if (!run->pending_links)
    {
      run->pending_links = hash_initialize (127, NULL, link_group_hash,
                                            link_group_equal,
                                            link_group_free);
      if (!run->pending_links)
        xalloc_die ();
    }
  struct link_group key = { .dev = job->src_st.st_dev,
                            .ino = job->src_st.st_ino };
  struct link_group *g = hash_lookup (run->pending_links, &key);
  if (!g)
    {
      g = xzalloc (sizeof *g);
      g->dev = key.dev;
      g->ino = key.ino;
      pthread_mutex_init (&g->lock, NULL);
      g->tail = &g->waiters;
      if (!hash_insert (run->pending_links, g))
        xalloc_die ();
      return submit_file (job, g);
    }
  pthread_mutex_lock (&g->lock);
  enum link_state state = g->state;
  if (state == LINK_PENDING)
    {
      struct file_task *w = xmalloc (sizeof *w);
      task_fill (w, job);
      __atomic_add_fetch (&job->src->node->pending, 1, __ATOMIC_ACQ_REL);
      *g->tail = w;
      g->tail = &w->next;
    }
  else if (state == LINK_FAILED)
    g->state = LINK_PENDING;
  pthread_mutex_unlock (&g->lock);
  switch (state)
    {
    case LINK_PENDING:
      return true;
    case LINK_DONE:
      return link_file (job, g->name);
    default:
      return submit_file (job, g);
    }
}

/* The workers are idle: the files whose first copy they made join the
   hard-link table, for the operands still to come.  */
static void
settle_pending_links (struct copy_run *run)
{
  if (!run->pending_links)
    return;
  for (struct link_group *g = hash_get_first (run->pending_links); g;
       g = hash_get_next (run->pending_links, g))
    if (g->state == LINK_DONE)
      hlmap_insert (run->links, g->dev, g->ino, g->name);
  hash_clear (run->pending_links);
}

/* Copy the entries of directory node N, sorted by inode number as GNU
   cp reads them (fastest on most filesystems).  Return true if all that
   was done here went well.  */
static bool
copy_dir_entries (struct dir_node *n, int src_fd, dev_t dst_dev,
                  bool dst_acl_inherited)
{
  struct job *job = &n->job;
  n->dir = fdopendir (src_fd);
  char *names = n->dir ? streamsavedir (n->dir, SAVEDIR_SORT_FASTREAD) : NULL;
  if (!names)
    {
      diag_error (errno, _("cannot access %s"), quoteaf (job->src->name));
      if (!n->dir)
        close (src_fd);
      return false;
    }
  bool ok = true;
  int dfd = dirfd (n->dir);
  n->meta_src = dfd;
  for (char const *e = names; *e && !job->walk->stop; e += strlen (e) + 1)
    {
      if (job->run->opt->stop && *job->run->opt->stop)
        break;
      char *src_name = file_name_concat (job->src->name, e, NULL);
      char *dst_name = file_name_concat (job->dst->name, e, NULL);
      char *path = (job->dst->path
                    ? file_name_concat (job->dst->path, e, NULL) : NULL);
      struct src_ref src = {
        .dirfd = dfd, .rel = e, .name = src_name,
        .parent_dev = job->src_st.st_dev, .has_parent = true, .node = n
      };
      struct copy_dest dst = {
        .dirfd = n->dst_fd, .relname = e, .name = dst_name, .path = path,
        .dev = dst_dev, .acl_inherited = dst_acl_inherited
      };
      ok &= copy_entry (job->run, job->walk, &src, &dst, false);
      free (src_name);
      free (dst_name);
      free (path);
    }
  free (names);
  flush_batch (n);
  return ok;
}

/* Copy the directory of JOB: make (or merge into) the destination,
   copy the entries, and leave the directory's metadata to the moment
   its last entry is done (node_finish).  */
static bool
copy_dir (struct job *job)
{
  struct copy_options const *opt = job->run->opt;
  bool follow = opt->deref == DEREF_ALWAYS
                || (opt->deref == DEREF_COMMAND_LINE && job->command_line);
  bool will_chown = copy_meta_needs_chown (opt, &job->src_st);
  /* While its entries are made the directory must be ours to write,
     and no wider than the source.  */
  mode_t mode = copy_meta_create_mode (opt, job->src_st.st_mode, will_chown)
                & ~(will_chown ? 0 : S_IWGRP | S_IWOTH);
  mode |= S_IRWXU;
  bool merge = false;
  int r = make_dest (job, make_dir, &mode, _("cannot create directory %s"),
                     false, &merge);
  if (r <= 0)
    return r == 0;
  bool new_dst = !merge;
  if (new_dst)
    say_verbose (job);

  int src_fd = openat (job->src->dirfd, job->src->rel,
                       (O_RDONLY | O_DIRECTORY | O_NOCTTY | O_CLOEXEC
                        | (follow ? 0 : O_NOFOLLOW)));
  int dst_fd = openat (job->dst->dirfd, job->dst->relname,
                       (O_RDONLY | O_DIRECTORY | O_NOCTTY | O_CLOEXEC
                        | (opt->keep_dir_symlink ? 0 : O_NOFOLLOW)));
  struct stat dst_st;
  if (dst_fd < 0 || fstat (dst_fd, &dst_st) != 0)
    {
      diag_error (errno, _("cannot access %s"), quoteaf (job->dst->name));
      if (0 <= src_fd)
        close (src_fd);
      if (0 <= dst_fd)
        close (dst_fd);
      return false;
    }
  if (new_dst)
    hlmap_insert (job->run->dirs_made, dst_st.st_dev, dst_st.st_ino,
                  job->dst->name);

  bool ok = true;
  /* A new directory has a default ACL only if its parent has one (it
     inherits it); only one that was there already needs asking.  */
  bool acl_inherited = (job->dst->acl_inherited
                        || (!new_dst
                            && 0 <= fgetxattr (dst_fd,
                                               "system.posix_acl_default",
                                               NULL, 0)));
  struct dir_node *n = node_new (job, dst_fd,
                                 (new_dst ? mode & ~opt->umask
                                  : dst_st.st_mode & CHMOD_MODE_BITS),
                                 new_dst);
  if (src_fd < 0)
    {
      diag_error (errno, _("cannot access %s"), quoteaf (job->src->name));
      ok = false;
    }
  else if (opt->one_file_system && job->src->has_parent
           && job->src->parent_dev != job->src_st.st_dev)
    /* -x: a directory on another filesystem is made, not filled.  */
    n->meta_src = src_fd;
  else
    ok &= copy_dir_entries (n, src_fd, dst_st.st_dev, acl_inherited);
  node_release (n);
  return ok;
}

/* Copy one entry SRC to DST (a command-line operand when COMMAND_LINE),
   whatever its type.  */
static bool
copy_entry (struct copy_run *run, struct walk *walk,
            struct src_ref const *src, struct copy_dest const *dst,
            bool command_line)
{
  struct copy_options const *opt = run->opt;
  struct job job = { .run = run, .ladder = &run->ladder, .walk = walk,
                     .src = src, .dst = dst, .command_line = command_line };
  bool follow = opt->deref == DEREF_ALWAYS
                || (opt->deref == DEREF_COMMAND_LINE && command_line);
  if (fstatat (src->dirfd, src->rel, &job.src_st,
               follow ? 0 : AT_SYMLINK_NOFOLLOW) != 0)
    {
      diag_error (errno, _("cannot stat %s"), quoteaf (src->name));
      return false;
    }
  mode_t type = job.src_st.st_mode & S_IFMT;
  if (command_line && source_seen_twice (&job))
    return true;

  bool ok;
  if (type == S_IFDIR)
    {
      if (!opt->recursive)
        {
          diag_error (0, _("-r not specified; omitting directory %s"),
                      quoteaf (src->name));
          return false;
        }
      /* -L or -H can lead back to a directory being copied.  */
      for (struct dir_node const *up = src->node; up; up = up->parent)
        if (SAME_INODE (up->job.src_st, job.src_st))
          {
            diag_error (0, _("cannot copy cyclic symbolic link %s"),
                        quoteaf (src->name));
            return false;
          }
      if (hlmap_lookup (run->dirs_made, job.src_st.st_dev,
                        job.src_st.st_ino))
        {
          diag_error (0, _("cannot copy a directory, %s, into itself, %s"),
                      quoteaf_n (0, walk->top_src),
                      quoteaf_n (1, walk->top_dst));
          walk->stop = true;
          return false;
        }
      ok = copy_dir (&job);
    }
  else
    {
      /* --preserve=links: a later name of a file copied already becomes
         a hard link to that copy.  Files with one link pay nothing.  */
      /* mv records every operand: once an earlier operand, a link to
         the same file, is moved, this one has a single link left.  */
      bool track = run->links
                   && (1 < job.src_st.st_nlink || opt->deref == DEREF_ALWAYS
                       || ((opt->deref == DEREF_COMMAND_LINE
                            || opt->move_mode) && command_line));
      char const *earlier = track ? hlmap_lookup (run->links,
                                                  job.src_st.st_dev,
                                                  job.src_st.st_ino) : NULL;
      if (earlier)
        return link_file (&job, earlier);
      if (opt->hard_link || opt->symbolic_link)
        ok = link_file (&job, NULL);
      else if ((type == S_IFREG || type == S_IFLNK)
               && src->node && run->pool && !track)
        ok = submit_file (&job, NULL);
      else if (type == S_IFREG && src->node && run->pool)
        {
          ok = defer_linked_file (&job);
          free (job.backup);
          return ok;
        }
      else if (type == S_IFLNK)
        ok = copy_symlink (&job);
      else if (type == S_IFREG || opt->copy_contents || !opt->recursive)
        ok = copy_file (&job);
      else
        ok = copy_special (&job);
      if (ok && track)
        hlmap_insert (run->links, job.src_st.st_dev, job.src_st.st_ino,
                      dst_path (&job));
    }
  free (job.backup);
  return ok;
}

/* Copy SRC_NAME to DST; see copy-tree.h.  */
bool
copy_tree_file (struct copy_run *run, char const *src_name,
                struct copy_dest const *dst)
{
  struct walk walk = { .top_src = src_name, .top_dst = dst->name };
  struct src_ref src = { .dirfd = AT_FDCWD, .rel = src_name,
                         .name = src_name };
  bool ok = copy_entry (run, &walk, &src, dst, true);
  /* The workers finish this operand before the caller goes on: cowmv
     renames the copy into place and removes the source next.  */
  if (run->pool)
    {
      copy_pool_wait (run->pool);
      settle_pending_links (run);
    }
  ok &= !__atomic_exchange_n (&run->deferred_failed, false, __ATOMIC_ACQ_REL);
  return ok;
}

/* What copy_tree_beside hands to the name picker.  */
struct beside
{
  struct copy_run *run;
  char const *src_name;
  int dirfd;
  char const *dir_path;
  char const *dst_name;
  bool ok;
};

/* Copy to the candidate temporary name TMP, which must be free.  */
static int
copy_to_temp (char *tmp, void *arg)
{
  struct beside *b = arg;
  struct stat st;
  if (fstatat (b->dirfd, tmp, &st, AT_SYMLINK_NOFOLLOW) == 0)
    {
      errno = EEXIST;
      return -1;
    }
  char *path = (b->dir_path ? file_name_concat (b->dir_path, tmp, NULL)
                : xstrdup (tmp));
  struct copy_dest dst = { .dirfd = b->dirfd, .relname = tmp,
                           .name = b->dst_name, .path = path };
  if (b->dirfd != AT_FDCWD)
    copy_tree_describe_dir (b->dirfd, &dst.dev, &dst.acl_inherited);
  else
    {
      char *dir = mdir_name (tmp);
      int fd = dir ? open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
      if (0 <= fd)
        {
          copy_tree_describe_dir (fd, &dst.dev, &dst.acl_inherited);
          close (fd);
        }
      free (dir);
    }
  b->ok = copy_tree_file (b->run, b->src_name, &dst);
  if (!b->ok)
    remove_tree (b->dirfd, tmp, b->dst_name, false);
  free (path);
  return 0;
}

/* Copy beside the destination; see copy-tree.h.  */
char *
copy_tree_beside (struct copy_run *run, char const *src_name, int dirfd,
                  char const *dir_path, char const *rel,
                  char const *dst_name)
{
  char *dir = mdir_name (rel);
  char *tmp = file_name_concat (dir && strchr (rel, '/') ? dir : "",
                                "CuXXXXXX", NULL);
  free (dir);
  struct beside b = { .run = run, .src_name = src_name, .dirfd = dirfd,
                      .dir_path = dir_path, .dst_name = dst_name };
  if (try_tempname_len (tmp, 0, &b, copy_to_temp, 6) != 0)
    {
      diag_error (errno, _("cannot create %s"), quoteaf (dst_name));
      b.ok = false;
    }
  if (!b.ok)
    {
      free (tmp);
      return NULL;
    }
  return tmp;
}

/* Note a tree built under TMP_PATH is now at PATH; see copy-tree.h.  */
void
copy_tree_placed (struct copy_run *run, char const *tmp_path,
                  char const *path)
{
  if (run->links)
    hlmap_rebase (run->links, tmp_path, path);
}
