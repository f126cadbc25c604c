/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-tree.c -- copy named files: the checks cp makes, creating the
   destination, the data step and what -v and --debug print.  */

#include "system.h"

#include "copy-tree.h"
#include "diag.h"
#include "dirname.h"
#include "filemode.h"
#include "hash.h"
#include "same-inode.h"
#include "xalloc.h"

/* A source operand already copied.  */
struct seen
{
  dev_t dev;
  ino_t ino;
  char *name;
};

static size_t
seen_hash (void const *x, size_t n)
{
  struct seen const *s = x;
  return (s->ino ^ (s->dev * 31)) % n;
}

static bool
seen_equal (void const *a, void const *b)
{
  struct seen const *x = a, *y = b;
  return x->dev == y->dev && x->ino == y->ino;
}

static void
seen_free (void *x)
{
  struct seen *s = x;
  free (s->name);
  free (s);
}

static size_t
name_hash (void const *x, size_t n)
{
  return hash_string (x, n);
}

static bool
name_equal (void const *a, void const *b)
{
  return strcmp (a, b) == 0;
}

/* Start RUN; see copy-tree.h.  */
void
copy_tree_init (struct copy_run *run, struct copy_options const *opt,
                bool track)
{
  *run = (struct copy_run) { .opt = opt };
  if (track)
    {
      run->sources = hash_initialize (61, NULL, seen_hash, seen_equal,
                                      seen_free);
      run->created = hash_initialize (61, NULL, name_hash, name_equal,
                                      free);
      if (!run->sources || !run->created)
        xalloc_die ();
    }
}

/* Release what RUN holds.  */
void
copy_tree_free (struct copy_run *run)
{
  if (run->sources)
    hash_free (run->sources);
  if (run->created)
    hash_free (run->created);
}

/* Return true if file names A and B name the same directory entry: the
   same last component in the same directory ("f" and "./f").  */
static bool
same_entry (char const *a, char const *b)
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

/* Return true if SRC_NAME, whose status is ST, was already copied in this
   run under a name for the same directory entry, after warning as cp
   does; else remember it and return false.  */
static bool
source_seen_twice (struct copy_run *run, char const *src_name,
                   struct stat const *st)
{
  if (!run->sources)
    return false;
  struct seen key = { .dev = st->st_dev, .ino = st->st_ino };
  struct seen const *old = hash_lookup (run->sources, &key);
  if (old)
    {
      if (!same_entry (old->name, src_name))
        return false;
      diag_error (0, _("warning: source file %s specified more than once"),
                  quoteaf (src_name));
      return true;
    }
  struct seen *s = xmalloc (sizeof *s);
  *s = (struct seen) { .dev = st->st_dev, .ino = st->st_ino,
                       .name = xstrdup (src_name) };
  if (!hash_insert (run->sources, s))
    xalloc_die ();
  return false;
}

/* One file being copied.  */
struct job
{
  struct copy_run *run;
  char const *src_name;
  struct copy_dest const *dst;
  int src_fd;               /* -1 when the open failed */
  int src_open_errno;
  struct stat src_st;
  struct stat dst_st;       /* valid when the destination existed */
  bool verbose_done;
};

/* Print the -v line for JOB once.  GNU cp prints it before the data is
   copied, so it also precedes a failure to create the destination.  */
static void
say_verbose (struct job *job)
{
  if (job->run->opt->verbose && !job->verbose_done)
    diag_line ("%s -> %s", quoteaf_n (0, job->src_name),
               quoteaf_n (1, job->dst->name));
  job->verbose_done = true;
}

/* Return true if NAME ends in a slash.  */
static bool
has_trailing_slash (char const *name)
{
  size_t n = strlen (name);
  return n != 0 && name[n - 1] == '/';
}

/* Create the destination of JOB, which does not exist, with a mode no
   wider than the source's.  FOLLOW says a dangling symlink may be written
   through.  Return the descriptor or -1 after reporting.  */
static int
create_dest (struct job *job, bool follow)
{
  struct copy_dest const *dst = job->dst;
  int flags = O_WRONLY | O_CREAT | O_NOCTTY | O_CLOEXEC | (follow ? 0 : O_EXCL);
  int fd = openat (dst->dirfd, dst->relname, flags,
                   job->src_st.st_mode & (S_IRWXU | S_IRWXG | S_IRWXO));
  if (fd < 0)
    {
      int err = errno;
      /* Linux says EISDIR for "name/" when name does not exist; what is
         wrong is that it is not a directory.  */
      if (err == EISDIR && has_trailing_slash (dst->relname))
        err = ENOTDIR;
      struct stat st;
      if (err == EEXIST)
        ;
      else if (fstatat (dst->dirfd, dst->relname, &st, 0) != 0
               && errno != ENOENT)
        {
          /* "file/" when file is not a directory: cp stats the
             destination first and says so.  */
          err = errno;
          diag_error (err, _("cannot stat %s"), quoteaf (dst->name));
        }
      else
        {
          say_verbose (job);
          diag_error (err, _("cannot create regular file %s"),
                      quoteaf (dst->name));
        }
      errno = err;
    }
  return fd;
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

/* Outcome of looking at an existing destination.  */
enum existing
{
  EXIST_OVERWRITE,          /* go on and write into it */
  EXIST_CREATE,             /* it is gone (or was a dangling symlink that */
                            /* may be followed): create it */
  EXIST_SKIP,               /* leave it; not an error */
  EXIST_FAIL                /* leave it; an error (reported) */
};

/* The destination of JOB exists (creation said EEXIST) or may exist.
   Make cp's checks, in cp's order, and return what to do.  */
static enum existing
check_existing (struct job *job, bool *follow)
{
  struct copy_options const *opt = job->run->opt;
  struct copy_dest const *dst = job->dst;

  if (fstatat (dst->dirfd, dst->relname, &job->dst_st, 0) != 0)
    {
      struct stat lst;
      if (errno == ENOENT
          && fstatat (dst->dirfd, dst->relname, &lst,
                      AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK (lst.st_mode))
        {
          /* 1. A dangling symlink: POSIX says write through it; GNU cp
             refuses unless POSIXLY_CORRECT is set.  */
          if (getenv ("POSIXLY_CORRECT"))
            {
              *follow = true;
              return EXIST_CREATE;
            }
          say_verbose (job);
          diag_error (0, _("not writing through dangling symlink %s"),
                      quoteaf (dst->name));
          return EXIST_FAIL;
        }
      if (errno == ENOENT)
        return EXIST_CREATE;
      diag_error (errno, _("cannot stat %s"), quoteaf (dst->name));
      return EXIST_FAIL;
    }

  /* 2. Another operand created it in this run.  */
  if (job->run->created && hash_lookup (job->run->created, dst->name))
    {
      diag_error (0, _("will not overwrite just-created %s with %s"),
                  quoteaf_n (0, dst->name), quoteaf_n (1, job->src_name));
      return EXIST_FAIL;
    }

  /* 3. -n skips before any other check, even of the same file.  */
  if (opt->interactive == I_ALWAYS_SKIP)
    goto skip;

  /* 4. The same file under two names.  */
  if (SAME_INODE (job->src_st, job->dst_st))
    {
      diag_error (0, _("%s and %s are the same file"),
                  quoteaf_n (0, job->src_name), quoteaf_n (1, dst->name));
      return EXIST_FAIL;
    }

  /* 5. A directory is never replaced by a file.  */
  if (S_ISDIR (job->dst_st.st_mode))
    {
      diag_error (0, _("cannot overwrite directory %s with non-directory %s"),
                  quoteaf_n (0, dst->name), quoteaf_n (1, job->src_name));
      return EXIST_FAIL;
    }

  /* 6. -i: a "no" skips the file and, since GNU cp 9.2, fails.  */
  if (opt->interactive == I_ASK_USER && !ask_overwrite (job))
    {
      if (opt->debug)
        diag_line (_("skipped %s"), quoteaf (dst->name));
      return EXIST_FAIL;
    }
  return EXIST_OVERWRITE;

 skip:
  if (opt->debug)
    diag_line (_("skipped %s"), quoteaf (dst->name));
  return EXIST_SKIP;
}

/* Open the existing destination of JOB for writing, truncated.  With -f,
   a destination that cannot be opened is removed and created anew.
   Set *NEW_DST when it was.  Return the descriptor or -1 after
   reporting.  */
static int
open_existing (struct job *job, bool *new_dst)
{
  struct copy_dest const *dst = job->dst;
  say_verbose (job);
  int fd = openat (dst->dirfd, dst->relname,
                   O_WRONLY | O_TRUNC | O_NOCTTY | O_CLOEXEC);
  if (0 <= fd)
    return fd;
  int err = errno;
  if (err != ENOENT)
    {
      if (!job->run->opt->unlink_dest_after_failed_open)
        {
          diag_error (err, _("cannot create regular file %s"),
                      quoteaf (dst->name));
          return -1;
        }
      if (unlinkat (dst->dirfd, dst->relname, 0) != 0)
        {
          diag_error (errno, _("cannot remove %s"), quoteaf (dst->name));
          return -1;
        }
      if (job->run->opt->verbose)
        diag_line (_("removed %s"), quoteaf (dst->name));
    }
  *new_dst = true;
  return create_dest (job, false);
}

/* Open the destination of JOB: create it when it is new (the common
   case costs one call), else check and open it.  Set *NEW_DST when this
   call created it.  Return the descriptor, -1 after reporting a failure,
   or -2 for a skip that is not an error.  */
static int
open_dest (struct job *job, bool *new_dst)
{
  bool follow = false;
  *new_dst = false;
  job->dst_st.st_mode = 0;

  /* A source that could not be opened must not create anything; its
     error comes after the checks, as in cp.  */
  if (0 <= job->src_fd)
    {
      int fd = create_dest (job, false);
      if (0 <= fd)
        {
          say_verbose (job);
          *new_dst = true;
          return fd;
        }
      if (errno != EEXIST)
        return -1;
    }

  switch (check_existing (job, &follow))
    {
    case EXIST_SKIP:
      return -2;
    case EXIST_FAIL:
      return -1;
    case EXIST_CREATE:
    case EXIST_OVERWRITE:
      break;
    }
  if (job->src_fd < 0)
    {
      say_verbose (job);
      diag_error (job->src_open_errno, _("cannot open %s for reading"),
                  quoteaf (job->src_name));
      return -1;
    }
  if (job->dst_st.st_mode != 0)
    return open_existing (job, new_dst);
  *new_dst = true;
  return create_dest (job, follow);
}

/* Open and stat the source of JOB.  Errors that stat would also give are
   reported as "cannot stat"; others are kept for after the destination
   checks.  Return false after reporting.  */
static bool
open_source (struct job *job)
{
  job->src_fd = open (job->src_name, O_RDONLY | O_NOCTTY | O_CLOEXEC);
  if (job->src_fd < 0)
    {
      job->src_open_errno = errno;
      if (stat (job->src_name, &job->src_st) != 0)
        {
          diag_error (errno, _("cannot stat %s"), quoteaf (job->src_name));
          return false;
        }
    }
  else if (fstat (job->src_fd, &job->src_st) != 0)
    {
      diag_error (errno, _("cannot fstat %s"), quoteaf (job->src_name));
      return false;
    }
  if (S_ISDIR (job->src_st.st_mode))
    {
      diag_error (0, _("-r not specified; omitting directory %s"),
                  quoteaf (job->src_name));
      return false;
    }
  return true;
}

/* Remember that this run created the destination of JOB.  */
static void
note_created (struct job *job)
{
  if (job->run->created
      && !hash_insert (job->run->created, xstrdup (job->dst->name)))
    xalloc_die ();
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

/* Move the data of JOB from its source to DST_FD, which is empty.
   DST_REGULAR says holes may be made.  Return true on success.  */
static bool
copy_job_data (struct job *job, int dst_fd, bool new_dst)
{
  struct copy_options const *opt = job->run->opt;
  bool dst_regular = new_dst || S_ISREG (job->dst_st.st_mode);
  struct data_request rq = {
    .src_fd = job->src_fd,
    .dst_fd = dst_fd,
    .src_st = &job->src_st,
    .dst_dev = new_dst ? job->dst->dev : job->dst_st.st_dev,
    .dst_regular = dst_regular,
    .src_name = job->src_name,
    .dst_name = job->dst->name,
    .cow = opt->cow,
    .sparse = opt->sparse,
    .stop = opt->stop
  };
  struct data_result res;
  bool ok = copy_data (&rq, &job->run->ladder, &res);
  if (opt->debug && !res.interrupted)
    say_debug (&res);
  return ok;
}

/* Copy SRC_NAME to DST; see copy-tree.h.  */
bool
copy_tree_file (struct copy_run *run, char const *src_name,
                struct copy_dest const *dst)
{
  struct job job = { .run = run, .src_name = src_name, .dst = dst };
  bool opened = open_source (&job);
  if (!opened || source_seen_twice (run, src_name, &job.src_st))
    {
      if (0 <= job.src_fd)
        close (job.src_fd);
      return opened;
    }

  bool new_dst;
  int dst_fd = open_dest (&job, &new_dst);
  bool ok = 0 <= dst_fd || dst_fd == -2;
  if (0 <= dst_fd)
    {
      if (new_dst)
        note_created (&job);
      ok = copy_job_data (&job, dst_fd, new_dst);
      if (close (dst_fd) != 0 && ok)
        {
          diag_error (errno, _("failed to close %s"), quoteaf (dst->name));
          ok = false;
        }
      /* A destination this call created and could not fill is removed,
         so that nothing incomplete is left looking like a copy.  One that
         existed was already truncated; it stays.  */
      if (!ok && new_dst && unlinkat (dst->dirfd, dst->relname, 0) != 0
          && errno != ENOENT)
        diag_error (errno, _("cannot remove %s"), quoteaf (dst->name));
    }
  if (0 <= job.src_fd)
    close (job.src_fd);
  return ok;
}
