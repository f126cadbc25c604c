/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-tree.c -- copy named files and trees: the walk with directory
   descriptors, the checks on operands (a source named twice, a
   directory into itself, cycles), directories, and the dispatch of each
   entry to copy-file, directly or through the workers (copy-work).  */

#include "system.h"

#include <limits.h>
#include <pthread.h>

#include <dirent.h>
#include <sys/xattr.h>

#include "backupfile.h"
#include "copy-file.h"
#include "copy-meta.h"
#include "copy-pool.h"
#include "copy-tree.h"
#include "copy-work.h"
#include "diag.h"
#include "dirname.h"
#include "dry-run.h"
#include "fd-limit.h"
#include "filenamecat.h"
#include "hardlink-map.h"
#include "name-set.h"
#include "progress.h"
#include "remove-tree.h"
#include "same-inode.h"
#include "savedir.h"
#include "tempname.h"
#include "xalloc.h"

static void leftovers_free (struct leftovers *lo);

/* Set RUN's descriptor budget: how many the directories being copied
   may hold.  FDS_FREE are left to open; each worker takes three (a source,
   a destination, one to spare) and the walker a few for its own (a
   file, a directory it is opening, a backup, a reopening).  Workers
   that would leave the directories fewer than a few levels are not
   started: under a limit of a dozen, one worker's files and the
   walker's took all there was and files failed with EMFILE.  */
enum { WALKER_FDS = 8, WORKER_FDS = 3, MIN_DIR_FDS = 16 };
static void
set_fd_budget (struct copy_run *run, int fds_free)
{
  int room = (fds_free - WALKER_FDS - MIN_DIR_FDS) / WORKER_FDS;
  if (run->pool_workers > room)
    run->pool_workers = room < 0 ? 0 : room;
  int budget = fds_free - WORKER_FDS * run->pool_workers - WALKER_FDS;
  /* Even at the smallest a directory and its parent fit.  */
  run->fd_budget = budget < 4 ? 4 : budget;
}

/* Start RUN; see copy-tree.h.  */
void
copy_tree_init (struct copy_run *run, struct copy_options const *opt,
                bool track)
{
  *run = (struct copy_run) { .opt = opt };
  pthread_mutex_init (&run->links_lock, NULL);
  copy_tree_meta_policy (opt, &run->meta);
  if (opt->preserve_links && !opt->hard_link)
    run->links = hlmap_new ();
  if (opt->recursive)
    run->dirs_made = hlmap_new ();
  /* Workers pay where nothing depends on the order of the per-file work:
     no -v lines, no prompts, no backups, no links instead of copies.
     They start with the first directory made (start_pool).  The walker
     runs queued files itself whenever the queue is full (copy-pool.h),
     so one worker fewer than processors keeps them all busy: a worker
     per processor besides made three threads take turns on two, with a
     futex hand-over per batch (bench/README.md).  */
  long ncpu = sysconf (_SC_NPROCESSORS_ONLN);
  if (opt->recursive && !opt->verbose && !opt->debug && !opt->dry_run
      && opt->interactive != I_ASK_USER && opt->backup_type == no_backups
      && !opt->hard_link && !opt->symbolic_link && 1 < ncpu)
    run->pool_workers = ncpu < 8 ? ncpu - 1 : 7;
  /* Only a tree holds directories open.  */
  if (opt->recursive)
    set_fd_budget (run, fd_limit_free ());
  else
    run->fd_budget = INT_MAX / 2;
  if (opt->dry_run)
    run->dry = dry_run_new (opt->verbose);
  if (track)
    {
      run->sources = hlmap_new ();
      if (opt->recursive)
        run->top_dirs = hlmap_new ();
      run->created = name_set_new ();
      run->source_names = name_set_new ();
    }
}

/* Start RUN's workers, if it is to have any and they are not started:
   once the first directory is made, so that a copy of one file never
   pays for them.  As many on btrfs as elsewhere: measured on a quiet
   machine in one bench/run, the 30,000-file tree took 0.87 of GNU's
   time (cold) with none and 0.63 with two, the floor copier 0.83 with
   one thread and 0.58 with two (bench/README.md); on a busy machine
   the order can turn, which is no reason to be slow on an idle one.
   The queue holds a few batches a worker: enough that none waits for
   the walker, few enough that the walker, which runs the oldest batch
   whenever it is full, copies close behind its walk.  With 64 batches
   it ran up to 64 directories ahead of the copy, and copies took up to
   a quarter longer on btrfs, XFS and ext4, warm and cold, and nowhere
   less (bench/README.md, "The workers' queue").  */
enum { QUEUE_PER_WORKER = 4 };
static void
start_pool (struct copy_run *run)
{
  int n = run->pool_workers;
  run->pool_workers = 0;
  if (n)
    run->pool = copy_pool_new (n, sizeof (struct ladder_state),
                               QUEUE_PER_WORKER * n,
                               &run->ladder, run->opt->stop,
                               run->opt->wake_signal);
}

/* What copy-meta needs; see copy-tree.h.  */
void
copy_tree_meta_policy (struct copy_options const *opt,
                       struct meta_policy *meta)
{
  *meta = (struct meta_policy) {
    .preserve_mode = opt->preserve_mode,
    .preserve_ownership = opt->preserve_ownership,
    .preserve_timestamps = opt->preserve_timestamps,
    .preserve_xattr = opt->preserve_xattr,
    .require_preserve = opt->require_preserve,
    .require_preserve_xattr = opt->require_preserve_xattr,
    .preserve_flags = opt->preserve_flags,
    .require_preserve_flags = opt->require_preserve_flags,
    .reduce_diagnostics = opt->reduce_diagnostics,
    .explicit_no_preserve_mode = opt->explicit_no_preserve_mode,
    .data_copy_required = opt->data_copy_required,
    .chown_privileges = opt->chown_privileges,
    .private_dest = opt->private_dest,
    .umask = opt->umask, .euid = opt->euid, .egid = opt->egid
  };
}

/* Release what RUN holds.  */
void
copy_tree_free (struct copy_run *run)
{
  copy_pool_free (run->pool);
  hlmap_free (run->links);
  hlmap_free (run->dirs_made);
  hlmap_free (run->sources);
  hlmap_free (run->top_dirs);
  pthread_mutex_destroy (&run->links_lock);
  name_set_free (run->created);
  name_set_free (run->source_names);
  leftovers_free (run->leftovers);
  if (run->dry)
    dry_run_free (run->dry);
}

/* Whether RUN was told to stop; see copy-tree.h.  */
bool
copy_tree_stopped (struct copy_run const *run)
{
  return run->opt->stop && *run->opt->stop;
}

/* Describe directory DIRFD; see copy-tree.h.  DIRFD is often an O_PATH
   descriptor, through which no attribute can be read (EBADF): the
   directory is then opened for reading as "." from DIRFD, which needs
   no /proc.  A directory that cannot be opened so (write and search
   permission only) is taken to have a default ACL: that answer costs
   -p a redundant ACL reset, where the other could leave an inherited ACL
   on a copy that is to have exactly its source's permissions.  */
int
copy_tree_describe_dir (int dirfd, struct copy_dest *dst)
{
  static char const name[] = "system.posix_acl_default";
  struct stat st;
  bool *acl_inherited = &dst->acl_inherited;
  if (fstat (dirfd, &st) != 0)
    return -1;
  dst->dev = st.st_dev;
  dst->dir_known = true;
  dst->dir_setgid = (st.st_mode & S_ISGID) != 0;
  dst->dir_gid = st.st_gid;
  ssize_t n = fgetxattr (dirfd, name, NULL, 0);
  if (n < 0 && errno == EBADF)
    {
      int fd = openat (dirfd, ".", (O_RDONLY | O_DIRECTORY | O_NOCTTY
                                    | O_CLOEXEC));
      if (fd < 0)
        {
          *acl_inherited = true;
          return 0;
        }
      n = fgetxattr (fd, name, NULL, 0);
      close (fd);
    }
  *acl_inherited = 0 <= n;
  return 0;
}

/* Return true if file names A and B name the same directory entry; see
   copy-tree.h.  */
bool
copy_tree_same_entry (char const *a, char const *b)
{
  /* "d/" and "d" are one entry: trailing slashes do not count.  */
  char const *la = last_component (a), *lb = last_component (b);
  size_t na = base_len (la), nb = base_len (lb);
  if (na != nb || memcmp (la, lb, na) != 0)
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
   else remember it.  A directory is looked up by where it goes, as GNU
   does: it is named twice when its destination is the entry its first
   copy went to ("L/ D D", L a symlink to D, copies D once as D/L: the
   second and third D are each a hard link to a directory, or with -L
   copies, never "specified more than once").  */
static bool
source_seen_twice (struct job *job)
{
  struct copy_run *run = job->run;
  bool dir = S_ISDIR (job->src_st.st_mode);
  if (!run->sources || (!dir && run->opt->backup_type != no_backups))
    return false;
  char const *name = dir ? job->dst->name : job->src->name;
  char const *old = hlmap_lookup (run->sources, job->src_st.st_dev,
                                  job->src_st.st_ino);
  if (!old)
    {
      hlmap_insert (run->sources, job->src_st.st_dev, job->src_st.st_ino,
                    name);
      if (!dir)
        name_set_add_file (run->source_names, name, &job->src_st);
      return false;
    }
  /* A file: its first name, or any name given since (GNU keeps every
     name: "L F F", L a symlink to F, repeats F).  */
  if (!copy_tree_same_entry (old, name)
      && (dir || !name_set_seen (run->source_names, name, &job->src_st)))
    {
      if (!dir)
        name_set_add_file (run->source_names, name, &job->src_st);
      return false;
    }
  copy_tree_say_twice (job->src->name, dir);
  return true;
}

/* Warn that NAME was named twice; see copy-tree.h.  */
void
copy_tree_say_twice (char const *name, bool dir)
{
  diag_error (0, (dir
                  ? _("warning: source directory %s specified more than once")
                  : _("warning: source file %s specified more than once")),
              quoteaf (name));
}

static int
make_dir (struct job *job, void *mode)
{
  return mkdirat (job->dst->dirfd, job->dst->relname, *(mode_t *) mode);
}

/* A walk goes on in a new thread, with a stack of STACK_SIZE, every
   LEVELS_PER_STACK levels: a tree far deeper than PATH_MAX (which the
   walk by descriptors can copy) must not overflow the stack.  A level
   takes a few hundred bytes of it.  */
enum { LEVELS_PER_STACK = 1000, STACK_SIZE = 16 * 1024 * 1024 };

/* The depth from which a directory being copied keeps no stream.  */
enum { DEEP_LEVELS = 32 };

/* Make room for SIZE bytes in NB, keeping its first KEEP.  */
static void
name_buf_reserve (struct name_buf *nb, size_t size, size_t keep)
{
  if (size <= nb->size)
    return;
  size_t n = nb->size * 2 < size ? size : nb->size * 2;
  char *b = xmalloc (n);
  if (keep)
    memcpy (b, nb->buf, keep);
  if (nb->buf)
    {
      nb->old = xnrealloc (nb->old, nb->n_old + 1, sizeof *nb->old);
      nb->old[nb->n_old++] = nb->buf;
    }
  nb->buf = b;
  nb->size = n;
}

/* Free what NB holds.  */
static void
name_buf_free (struct name_buf *nb)
{
  for (size_t i = 0; i < nb->n_old; i++)
    free (nb->old[i]);
  free (nb->old);
  free (nb->buf);
}

/* Return the name of entry E of the directory called BASE, built in NB:
   from BASE as file_name_concat joins them when TOP (BASE is an
   operand's name, not in NB), else by appending "/E" to the first
   *BASE_LEN bytes of NB, which hold BASE (a directory's name never ends
   in a slash below its operand).  The name stays valid while the walk
   is below the entry; the caller puts BASE's end back afterwards.  */
static char const *
child_name (struct name_buf *nb, char const *base, bool top,
            size_t const *base_len, char const *e)
{
  size_t elen = strlen (e);
  if (top)
    {
      char *t = file_name_concat (base, e, NULL);
      size_t len = strlen (t);
      name_buf_reserve (nb, len + 1, 0);
      memcpy (nb->buf, t, len + 1);
      free (t);
      return nb->buf;
    }
  name_buf_reserve (nb, *base_len + elen + 2, *base_len);
  nb->buf[*base_len] = '/';
  memcpy (nb->buf + *base_len + 1, e, elen + 1);
  return nb->buf;
}

static bool copy_entry (struct copy_run *run, struct walk *walk,
                        struct src_ref const *src,
                        struct copy_dest const *dst, bool command_line);

/* Copy the entries of the directory of JOB (the walker's), node N,
   sorted by inode number as GNU cp reads them (fastest on most
   filesystems).  Return true if all that was done here went well.  */
static bool
copy_dir_entries (struct job const *job, struct dir_node *n, int src_fd,
                  struct stat const *dst_st, bool dst_acl_inherited)
{
  n->dir = fdopendir (src_fd);
  char *names = n->dir ? streamsavedir (n->dir, SAVEDIR_SORT_FASTREAD) : NULL;
  if (!names)
    {
      diag_error (errno, _("cannot access %s"), quoteaf (job->src->name));
      if (!n->dir)
        {
          close (src_fd);
          n->fds--;
          copy_work_fds_held (job->run, -1);
        }
      return false;
    }
  bool ok = true;
  n->meta_src = dirfd (n->dir);
  /* A directory stream holds a buffer of 32 KiB, for nothing once its
     names are read: deep down, where thousands of levels are open at
     once, keep a bare descriptor instead.  */
  if (DEEP_LEVELS <= job->walk->depth)
    {
      int fd = dup (n->meta_src);
      if (0 <= fd)
        {
          closedir (n->dir);
          n->dir = NULL;
          n->meta_src = fd;
        }
    }
  /* Below the operand, this directory's names are in the walk's name
     buffers, of these lengths (see child_name).  */
  bool top = job->walk->depth == 0;
  size_t src_len = top ? 0 : strlen (job->src->name);
  size_t dst_len = top ? 0 : strlen (job->dst->name);
  size_t path_len = top || !job->dst->path ? 0 : strlen (job->dst->path);
  for (char const *e = names; *e && !job->walk->stop; e += strlen (e) + 1)
    {
      /* A signal: the entries left are not copied, so this directory is
         not, and neither is the operand.  cowmv must not take it for a
         whole copy and remove the source, nor cowln publish it.  */
      if (copy_tree_stopped (job->run))
        {
          ok = false;
          break;
        }
      /* Back from a subdirectory that needed its descriptors.  */
      if (!copy_work_node_unpark (n))
        {
          diag_error (errno, _("cannot access %s"), quoteaf (job->src->name));
          ok = false;
          break;
        }
      int dfd = n->meta_src;
      struct walk *w = job->walk;
      char const *src_name = child_name (&w->src_names, job->src->name,
                                         top, &src_len, e);
      char const *dst_name = child_name (&w->dst_names, job->dst->name,
                                         top, &dst_len, e);
      char const *path = (job->dst->path
                          ? child_name (&w->path_names, job->dst->path,
                                        top, &path_len, e)
                          : NULL);
      struct src_ref src = {
        .dirfd = dfd, .rel = e, .name = src_name,
        .parent_dev = job->src_st.st_dev, .has_parent = true, .node = n
      };
      struct copy_dest dst = {
        .dirfd = n->dst_fd, .relname = e, .name = dst_name, .path = path,
        .dev = dst_st->st_dev, .acl_inherited = dst_acl_inherited,
        .dir_known = true, .dir_setgid = (dst_st->st_mode & S_ISGID) != 0,
        .dir_gid = dst_st->st_gid, .absent = n->absent
      };
      job->walk->depth++;
      ok &= copy_entry (job->run, job->walk, &src, &dst, false);
      job->walk->depth--;
      /* This directory's own names end where they did.  */
      if (!top)
        {
          ((char *) job->src->name)[src_len] = '\0';
          ((char *) job->dst->name)[dst_len] = '\0';
          if (job->dst->path)
            ((char *) job->dst->path)[path_len] = '\0';
        }
    }
  free (names);
  /* Its metadata is applied through its descriptors.  */
  if (n->parked && !copy_work_node_unpark (n))
    {
      diag_error (errno, _("cannot access %s"), quoteaf (job->dst->name));
      ok = false;
    }
  copy_work_flush (n);
  return ok;
}

/* Refuse to copy the directory of JOB, which was copied to EARLIER
   already, as GNU cp refuses a hard link to a directory.  Return
   false.  */
static bool
refuse_dir_link (struct job const *job, char const *earlier)
{
  diag_error (0, _("will not create hard link %s to directory %s"),
              quoteaf_n (0, job->dst->name), quoteaf_n (1, earlier));
  return false;
}

/* Say that the tree of JOB's operand is being copied into itself, and
   stop its walk.  Return false.  */
static bool
into_itself (struct job *job)
{
  diag_error (0, _("cannot copy a directory, %s, into itself, %s"),
              quoteaf_n (0, job->walk->top_src),
              quoteaf_n (1, job->walk->top_dst));
  job->walk->stop = true;
  return false;
}

/* --dry-run: return a descriptor (O_PATH) of the directory that holds
   entry REL of DIRFD, which is DIRFD itself when REL is a last
   component (below a directory that would be made, DIRFD is its
   nearest existing ancestor); -1 with errno set.  */
static int
dry_parent (int dirfd, char const *rel)
{
  char *dir = strchr (rel, '/') ? mdir_name (rel) : NULL;
  int fd = openat (dirfd, dir ? dir : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  int err = errno;
  free (dir);
  errno = err;
  return fd;
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
  /* While its entries are made the directory must be ours to write,
     and no wider than the source (copy_meta_create_mode withholds group
     and other write, and with -p the group and other bits that would
     let someone in early).  */
  mode_t mode = (copy_meta_create_mode (&job->run->meta, job->src_st.st_mode,
                                       false, copy_file_interim_acl (job))
                 | S_IRWXU);
  /* A private copy is for its owner alone until it is complete.  */
  if (job->command_line && opt->private_dest)
    mode &= S_IRWXU;
  /* A tree can take a while: a SIGUSR1 must find the thread that
     answers it.  */
  progress_watch (opt->progress);
  bool merge = false;
  int r = copy_file_make (job, make_dir, &mode,
                          N_("cannot create directory %s"), false, false,
                          &merge);
  if (r <= 0)
    return r == 0;
  if (job->command_line && source_seen_twice (job))
    return true;
  /* The destination passed its checks: an operand copied before to
     another entry is refused now, a new one recorded
     (copy_dir_checked).  */
  if (job->dir_earlier)
    return refuse_dir_link (job, job->dir_earlier);
  if (job->dir_record)
    hlmap_insert (job->run->top_dirs, job->src_st.st_dev, job->src_st.st_ino,
                  job->dst->name);
  bool new_dst = !merge;
  if (new_dst)
    copy_file_say_verbose (job);

  copy_work_fd_room (job->run, job->src->node);
  int src_fd = openat (job->src->dirfd, job->src->rel,
                       (O_RDONLY | O_DIRECTORY | O_NOCTTY | O_CLOEXEC
                        | (follow ? 0 : O_NOFOLLOW)));
  int src_errno = errno;
  /* --dry-run: a directory that would be made is not there; its
     entries are probed from the nearest one that is.  */
  bool absent = opt->dry_run && new_dst;
  int dst_fd = (absent
                ? dry_parent (job->dst->dirfd, job->dst->relname)
                : openat (job->dst->dirfd, job->dst->relname,
                          (O_RDONLY | O_DIRECTORY | O_NOCTTY | O_CLOEXEC
                           | (opt->keep_dir_symlink ? 0 : O_NOFOLLOW))));
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
  if (new_dst && !absent)
    hlmap_insert (job->run->dirs_made, dst_st.st_dev, dst_st.st_ino, "");
  else if (absent && !job->dst->absent)
    dry_run_dir_made (job->run->dry, dst_st.st_dev, dst_st.st_ino,
                      last_component (job->dst->relname));
  if (job->run->pool_workers)
    start_pool (job->run);

  bool ok = true;
  /* A new directory has a default ACL only if its parent has one (it
     inherits it); only one that was there already needs asking.  */
  bool acl_inherited = (job->dst->acl_inherited
                        || (!new_dst && !absent
                            && 0 <= fgetxattr (dst_fd,
                                               "system.posix_acl_default",
                                               NULL, 0)));
  struct dir_node *n
    = copy_work_node_new (job, dst_fd, &dst_st,
                          (new_dst ? mode & ~opt->umask
                           : dst_st.st_mode & CHMOD_MODE_BITS),
                          new_dst);
  n->absent = absent;
  n->fds = 1 + (0 <= src_fd);
  copy_work_fds_held (job->run, n->fds);
  if (src_fd < 0)
    {
      /* Unreadable: nothing is copied into it, but it gets its
         source's metadata all the same, as in cp (its mode, 0 for a
         directory of mode 0, and its times), read by name.  */
      diag_error (src_errno, _("cannot access %s"),
                  quoteaf (job->src->name));
      n->meta_by_name = true;
      ok = false;
    }
  else if (opt->one_file_system && job->src->has_parent
           && job->src->parent_dev != job->src_st.st_dev)
    /* -x: a directory on another filesystem is made, not filled.  */
    n->meta_src = src_fd;
  else
    ok &= copy_dir_entries (job, n, src_fd, &dst_st, acl_inherited);
  /* --dry-run: a directory that would be made in this one is not in
     its listing; a real run would meet it there, after the others.  */
  if (job->run->dry && !job->walk->stop
      && dry_run_dir_was_made (job->run->dry, job->src_st.st_dev,
                               job->src_st.st_ino, NULL))
    ok = into_itself (job);
  copy_work_node_release (n);
  return ok;
}

/* What copy_dir_new_stack hands its thread.  */
struct deeper
{
  struct job *job;
  bool ok;
};

static void *
copy_dir_thread (void *arg)
{
  struct deeper *d = arg;
  d->ok = copy_dir (d->job);
  return NULL;
}

/* Copy the directory of JOB as copy_dir does, on a fresh stack, the
   caller waiting: one thread of the walk runs at a time.  */
static bool
copy_dir_new_stack (struct job *job)
{
  struct deeper d = { .job = job };
  pthread_attr_t attr;
  pthread_t t;
  if (pthread_attr_init (&attr) != 0)
    return copy_dir (job);
  int err = pthread_attr_setstacksize (&attr, STACK_SIZE);
  if (err == 0)
    err = pthread_create (&t, &attr, copy_dir_thread, &d);
  pthread_attr_destroy (&attr);
  if (err != 0)
    return copy_dir (job);
  pthread_join (t, NULL);
  return d.ok;
}

/* The source of JOB is a directory: copy it, unless GNU cp would not
   (no -r; a symlink cycle with -L or -H; a directory this run made,
   i.e. a copy into itself, which also stops the walk).  */
static bool
copy_dir_checked (struct job *job)
{
  struct copy_run *run = job->run;
  struct src_ref const *src = job->src;
  if (!run->opt->recursive)
    {
      diag_error (0, _("-r not specified; omitting directory %s"),
                  quoteaf (src->name));
      return false;
    }
  /* -L or -H can lead back to a directory being copied.  */
  for (struct dir_node const *up = src->node; up; up = up->parent)
    if (SAME_INODE (up->job.src_st, job->src_st))
      {
        diag_error (0, _("cannot copy cyclic symbolic link %s"),
                    quoteaf (src->name));
        return false;
      }
  if (hlmap_lookup (run->dirs_made, job->src_st.st_dev, job->src_st.st_ino))
    return into_itself (job);
  /* A directory an earlier operand copied, met again inside another
     operand (through a symlink given with a slash), or given again as an
     operand that names another destination entry ("cp -R L L/. D" makes
     D/L, then is to copy L into D/.): GNU cp will not copy it twice,
     taking that for a hard link to a directory.  Not with -L, which is
     how a tree meets a directory twice by design, nor for an operand
     with -H.  An operand copied again to the same entry is a name given
     twice, which copy_dir warns about (source_seen_twice).  GNU refuses
     an operand after the checks on an existing destination ("cannot
     overwrite non-directory" comes first), but before it makes a new
     one: copy_dir refuses it at that point.  An operand is recorded at
     that point too: one whose destination is refused is no copy.  */
  if (run->top_dirs && run->opt->deref != DEREF_ALWAYS)
    {
      char const *earlier = hlmap_lookup (run->top_dirs, job->src_st.st_dev,
                                          job->src_st.st_ino);
      struct stat st;
      if (job->command_line && !earlier)
        job->dir_record = true;
      else if (earlier && !job->command_line)
        return refuse_dir_link (job, earlier);
      else if (earlier && run->opt->deref != DEREF_COMMAND_LINE
               && !copy_tree_same_entry (job->dst->name, earlier))
        {
          if (fstatat (job->dst->dirfd, job->dst->relname, &st,
                       AT_SYMLINK_NOFOLLOW) != 0)
            return refuse_dir_link (job, earlier);
          job->dir_earlier = earlier;
        }
    }
  if (job->walk->depth && job->walk->depth % LEVELS_PER_STACK == 0)
    return copy_dir_new_stack (job);
  return copy_dir (job);
}

/* Return the name of the first copy of the file ST in RUN's hard-link
   table, or NULL.  Workers write the table's words under its lock.  */
static char const *
links_lookup (struct copy_run *run, struct stat const *st)
{
  if (run->pool)
    pthread_mutex_lock (&run->links_lock);
  char const *name = hlmap_lookup (run->links, st->st_dev, st->st_ino);
  if (run->pool)
    pthread_mutex_unlock (&run->links_lock);
  return name;
}

/* Record NAME as the first copy of the file ST in RUN's hard-link
   table.  */
static void
links_insert (struct copy_run *run, struct stat const *st, char const *name)
{
  if (run->pool)
    pthread_mutex_lock (&run->links_lock);
  hlmap_insert (run->links, st->st_dev, st->st_ino, name);
  if (run->pool)
    pthread_mutex_unlock (&run->links_lock);
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
      diag_cannot_stat (errno, src->name);
      if (command_line)
        progress_walk_end (opt->progress);
      return false;
    }
  progress_seen (opt->progress, &job.src_st);
  mode_t type = job.src_st.st_mode & S_IFMT;
  if (type == S_IFDIR && opt->skip_dir && !command_line
      && job.src_st.st_ino == opt->skip_ino
      && job.src_st.st_dev == opt->skip_dev)
    return true;
  /* The walk of an operand ends once it is seen, unless it is a
     directory: then once the walker has met all it holds.  A big file
     gets its ETA from the start.  */
  if (command_line && type != S_IFDIR)
    progress_walk_end (opt->progress);
  /* A directory is looked up once its destination is accepted (GNU
     omits one without -r, and refuses one onto a file, each time).  */
  if (command_line && type != S_IFDIR && source_seen_twice (&job))
    {
      progress_file_done (opt->progress, &job.src_st, 0);
      return true;
    }

  bool ok;
  if (type == S_IFDIR)
    {
      ok = copy_dir_checked (&job);
      if (command_line)
        progress_walk_end (opt->progress);
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
                            || opt->links_across_operands)
                           && command_line));
      /* mv looks every file up, as GNU's src_to_dest_lookup: a file
         whose other names were moved with an earlier operand has one
         link left, and is still linked to their copy.  */
      bool lookup = track || (opt->links_across_operands && run->links);
      /* With workers, a multiply-linked regular file is looked up in
         copy_work_defer_linked, under the lock of the workers' link
         groups.  */
      bool deferred = track && type == S_IFREG && src->node && run->pool;
      char const *earlier = (lookup && !deferred
                             ? links_lookup (run, &job.src_st) : NULL);
      if (earlier)
        {
          ok = copy_file_link (&job, earlier);
          progress_file_done (opt->progress, &job.src_st, job.data_moved);
          return ok;
        }
      /* What goes to the workers is counted done by them.  */
      bool to_workers = false;
      if (opt->hard_link || opt->symbolic_link)
        ok = copy_file_link (&job, NULL);
      else if ((type == S_IFREG || type == S_IFLNK)
               && src->node && run->pool && !track)
        ok = to_workers = copy_work_submit (&job);
      else if (deferred)
        {
          ok = copy_work_defer_linked (&job);
          free (job.backup);
          return ok;
        }
      else if (type == S_IFLNK)
        ok = copy_file_symlink (&job);
      else if (type == S_IFREG || opt->copy_contents || !opt->recursive)
        ok = copy_file_regular (&job);
      else
        ok = copy_file_special (&job);
      /* A file the rules skipped (-n, -u) has no copy for its other
         names to link to: the next is copied, as in GNU cp.  */
      if (ok && track && !job.skipped)
        links_insert (run, &job.src_st, copy_file_dst_path (&job));
      if (!to_workers)
        progress_file_done (opt->progress, &job.src_st, job.data_moved);
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
    copy_pool_wait (run->pool);
  name_buf_free (&walk.src_names);
  name_buf_free (&walk.dst_names);
  name_buf_free (&walk.path_names);
  ok &= !__atomic_exchange_n (&run->deferred_failed, false, __ATOMIC_ACQ_REL);
  /* A stop seen anywhere (the walker, a worker, a chunk of data, or just
     now) fails the operand, even if it looks done: a copy is never
     taken for complete on the word of a run that was told to stop.  */
  if (copy_tree_stopped (run))
    ok = false;
  return ok;
}

/* Temporary names.  A copy made beside its destination is called
   ".NAME.TAG-XXXXXX": hidden, named after what it will become and after
   the program (TAG), so that one left by a process that could not clean
   up (SIGKILL, a crash, a power cut) can be recognised, by a person and
   by the next run, which warns about it.  */

/* The longest name a temporary gets: NAME_MAX of Linux's filesystems.
   A destination name too long to fit is cut short in it.  */
enum { TEMP_NAME_MAX = 255, TEMP_RANDOM = 6 };

/* Return, newly allocated, what comes before the random letters in the
   temporary name for entry REL made with TAG: ".NAME.TAG-", NAME being
   the last component of REL, cut short so that the whole temporary name
   fits in TEMP_NAME_MAX bytes.  */
static char *
temp_prefix (char const *rel, char const *tag)
{
  char const *base = last_component (rel);
  size_t len = base_len (base);
  size_t tag_len = strlen (tag);
  size_t room = TEMP_NAME_MAX - (tag_len + 3 + TEMP_RANDOM);
  if (room < len)
    len = room;
  char *p = xmalloc (len + tag_len + 4);
  p[0] = '.';
  memcpy (p + 1, base, len);
  p[len + 1] = '.';
  memcpy (p + len + 2, tag, tag_len);
  strcpy (p + len + 2 + tag_len, "-");
  return p;
}

/* Return true if S is TEMP_RANDOM letters and digits, as the random part
   of a temporary name (gnulib's try_tempname) is.  */
static bool
temp_random (char const *s)
{
  size_t i;
  for (i = 0; s[i]; i++)
    if (! (('a' <= s[i] && s[i] <= 'z') || ('A' <= s[i] && s[i] <= 'Z')
           || ('0' <= s[i] && s[i] <= '9')))
      return false;
  return i == TEMP_RANDOM;
}

/* Return true if directory entry E has the form of a temporary made with
   TAG for some entry: ".NAME.TAG-XXXXXX".  */
static bool
temp_of_tag (char const *e, char const *tag)
{
  size_t len = strlen (e), tag_len = strlen (tag);
  if (e[0] != '.' || len < tag_len + 4 + TEMP_RANDOM)
    return false;
  char const *t = e + len - TEMP_RANDOM - tag_len - 2;
  return (t[0] == '.' && strncmp (t + 1, tag, tag_len) == 0
          && t[tag_len + 1] == '-' && temp_random (t + tag_len + 2));
}

/* The temporaries of earlier runs in one destination directory, read
   once per directory rather than once per operand: moving many files
   into a large directory would otherwise read it again for each.  */
struct leftovers
{
  dev_t dev;
  ino_t ino;
  char *names;      /* each followed by a NUL; then an empty name */
  size_t len;
  size_t size;
};

static void
leftovers_free (struct leftovers *lo)
{
  if (lo)
    free (lo->names);
  free (lo);
}

/* Add NAME (LEN bytes and a NUL) to LO->names.  */
static void
leftovers_add (struct leftovers *lo, char const *name, size_t len)
{
  while (lo->size - lo->len < len + 2)
    lo->names = x2realloc (lo->names, &lo->size);
  memcpy (lo->names + lo->len, name, len + 1);
  lo->len += len + 1;
}

/* Return the temporaries made with TAG that are in the directory holding
   entry REL of DIRFD, as RUN remembers them or reads them now; NULL when
   that directory cannot be read (then nothing is said: the warning is a
   courtesy, not a check the move depends on).  */
static struct leftovers const *
read_leftovers (struct copy_run *run, int dirfd, char const *rel,
                char const *tag)
{
  char *dir = strchr (rel, '/') ? mdir_name (rel) : NULL;
  /* Reading the directory is not to change its access time, which GNU
     mv leaves alone: O_NOATIME where it is allowed (the directory is
     ours, or CAP_FOWNER); elsewhere relatime updates it once a day at
     most, as any listing of it would.  */
  int flags = O_RDONLY | O_DIRECTORY | O_NOCTTY | O_CLOEXEC;
  int fd = openat (dirfd, dir ? dir : ".", flags | O_NOATIME);
  if (fd < 0 && errno == EPERM)
    fd = openat (dirfd, dir ? dir : ".", flags);
  free (dir);
  struct stat st;
  DIR *d = 0 <= fd && fstat (fd, &st) == 0 ? fdopendir (fd) : NULL;
  if (!d)
    {
      if (0 <= fd)
        close (fd);
      return NULL;
    }
  struct leftovers *lo = run->leftovers;
  if (!lo || lo->dev != st.st_dev || lo->ino != st.st_ino)
    {
      if (!lo)
        lo = run->leftovers = xzalloc (sizeof *lo);
      lo->dev = st.st_dev;
      lo->ino = st.st_ino;
      lo->len = 0;
      struct dirent const *e;
      while ((e = readdir (d)))
        if (temp_of_tag (e->d_name, tag))
          leftovers_add (lo, e->d_name, strlen (e->d_name));
      leftovers_add (lo, "", 0);
    }
  closedir (d);
  return lo;
}

/* Say, as NAMES->leftover words it, that each temporary of an earlier
   run for entry REL of DIRFD (called DST_NAME) is still there: those
   whose name begins with PREFIX (temp_prefix) and ends with the random
   letters.  Remove nothing: it may be the copy of a move still going on
   in another process, and only a person can know it is not.  */
static void
warn_leftovers (struct copy_run *run, int dirfd, char const *rel,
                char const *dst_name, struct beside_names const *names,
                char const *prefix)
{
  struct leftovers const *lo = read_leftovers (run, dirfd, rel, names->tag);
  if (!lo)
    return;
  size_t prefix_len = strlen (prefix);
  for (char const *e = lo->names; *e; e += strlen (e) + 1)
    if (strncmp (e, prefix, prefix_len) == 0 && temp_random (e + prefix_len))
      {
        char *shown = name_beside (dst_name, e);
        diag_error (0, names->leftover, quoteaf (shown));
        free (shown);
      }
}

/* What copy_tree_beside hands to the name picker.  */
struct beside
{
  struct copy_run *run;
  char const *src_name;
  int dirfd;
  char const *dir_path;
  char const *dst_name;
  char const *backup;
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
                           .name = b->dst_name, .path = path,
                           .backup_made = b->backup };
  if (b->dirfd != AT_FDCWD)
    copy_tree_describe_dir (b->dirfd, &dst);
  else
    {
      char *dir = mdir_name (tmp);
      int fd = dir ? open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
      if (0 <= fd)
        {
          copy_tree_describe_dir (fd, &dst);
          close (fd);
        }
      free (dir);
    }
  /* A failed or stopped copy goes at once.  The removal is not cut short
     by the signal: the temporary would be left for nobody to clean.  */
  b->ok = copy_tree_file (b->run, b->src_name, &dst);
  if (!b->ok)
    {
      char *shown = name_beside (b->dst_name, last_component (tmp));
      remove_tree_made (b->dirfd, tmp, shown);
      free (shown);
    }
  free (path);
  return 0;
}

/* Copy beside the destination; see copy-tree.h.  */
char *
copy_tree_beside (struct copy_run *run, char const *src_name, int dirfd,
                  char const *dir_path, char const *rel,
                  char const *dst_name, struct beside_names const *names)
{
  char *prefix = temp_prefix (rel, names->tag);
  warn_leftovers (run, dirfd, rel, dst_name, names, prefix);
  char *dir = mdir_name (rel);
  char *tmp = file_name_concat (dir && strchr (rel, '/') ? dir : "",
                                prefix, NULL);
  tmp = xrealloc (tmp, strlen (tmp) + TEMP_RANDOM + 1);
  strcat (tmp, "XXXXXX");
  free (dir);
  free (prefix);
  struct beside b = { .run = run, .src_name = src_name, .dirfd = dirfd,
                      .dir_path = dir_path, .dst_name = dst_name,
                      .backup = names->backup };
  if (try_tempname_len (tmp, 0, &b, copy_to_temp, TEMP_RANDOM) != 0)
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

/* Give a --parents directory its source's attributes; see
   copy-tree.h.  */
bool
copy_tree_parent_meta (struct copy_run *run, char const *src_name,
                       int dirfd, char const *rel, char const *dst_name,
                       mode_t const *restore)
{
  struct copy_options const *opt = run->opt;
  bool ok = true;
  /* As for any directory of the tree (copy-work.c, node_finish).  */
  if (copy_tree_stopped (run))
    return false;
  if (opt->preserve_mode || opt->preserve_ownership
      || opt->preserve_timestamps)
    {
      /* GNU cp sets owner, times and mode or ACL here, not xattrs;
         nor inode flags, then.  */
      struct meta_policy o = run->meta;
      o.preserve_xattr = false;
      o.preserve_flags = false;
      int src_fd = open (src_name, (O_RDONLY | O_DIRECTORY | O_NOCTTY
                                    | O_CLOEXEC));
      int dst_fd = openat (dirfd, rel, (O_RDONLY | O_DIRECTORY | O_NOCTTY
                                        | O_CLOEXEC | O_NOFOLLOW));
      struct stat src_st, dst_st;
      /* A directory its user may not read (mode 0) is looked at by name,
         as GNU cp does with the status it kept.  */
      if (src_fd < 0 ? stat (src_name, &src_st) != 0
          : fstat (src_fd, &src_st) != 0)
        {
          diag_cannot_stat (errno, src_name);
          ok = false;
        }
      else if (dst_fd < 0 || fstat (dst_fd, &dst_st) != 0)
        {
          diag_cannot_stat (errno, dst_name);
          ok = false;
        }
      else
        {
          struct meta_request mr = {
            .src_fd = src_fd, .dst_fd = dst_fd, .dst_dirfd = dirfd,
            .dst_relname = rel, .src_st = &src_st,
            .dst_mode = dst_st.st_mode & CHMOD_MODE_BITS,
            .src_name = src_name, .dst_name = dst_name
          };
          ok = copy_meta_apply (&o, &mr);
        }
      if (0 <= src_fd)
        close (src_fd);
      if (0 <= dst_fd)
        close (dst_fd);
    }
  if (!opt->preserve_mode && restore
      && fchmodat (dirfd, rel, *restore, 0) != 0)
    {
      diag_error (errno, _("failed to preserve permissions for %s"),
                  quoteaf (dst_name));
      ok = false;
    }
  return ok;
}

/* Note a tree built under TMP is now at REL; see copy-tree.h.  */
void
copy_tree_placed (struct copy_run *run, char const *dir_path,
                  char const *tmp, char const *rel)
{
  if (!run->links)
    return;
  char *from = dir_path ? file_name_concat (dir_path, tmp, NULL) : NULL;
  char *to = dir_path ? file_name_concat (dir_path, rel, NULL) : NULL;
  hlmap_rebase (run->links, from ? from : tmp, to ? to : rel);
  free (from);
  free (to);
}
