/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-work.c -- the walker's side of the worker pool: directories kept
   open until their last entry is done (then their metadata is applied),
   files handed over in batches, and the names of multiply-linked files
   that wait for their first copy.  */

#include "system.h"

#include <pthread.h>

#include "copy-file.h"
#include "copy-pool.h"
#include "copy-tree.h"
#include "copy-work.h"
#include "hardlink-map.h"
#include "filenamecat.h"
#include "progress.h"
#include "same-inode.h"
#include "xalloc.h"

/* Note a failure found after the entry's own copy_entry returned (by a
   worker, or in a directory's metadata applied after its children).  */
void
copy_work_note_failure (struct copy_run *run)
{
  __atomic_store_n (&run->deferred_failed, true, __ATOMIC_RELEASE);
}

/* Make a node for the directory of JOB.  */
struct dir_node *
copy_work_node_new (struct job const *job, int dst_fd,
                    struct stat const *dst_st, mode_t mode, bool new_dst)
{
  struct dir_node *n = xzalloc (sizeof *n);
  n->pending = 1;
  n->parent = job->src->node;
  /* A subdirectory holds its parent open until it is done itself.  */
  if (n->parent)
    __atomic_add_fetch (&n->parent->pending, 1, __ATOMIC_ACQ_REL);
  n->src = *job->src;
  n->src.rel = xstrdup (job->src->rel);
  n->dst = *job->dst;
  n->dst.relname = xstrdup (job->dst->relname);
  /* Below the operand the names are made when needed (node_names): a
     copy in every directory of a deep tree would cost the square of its
     depth.  */
  n->src.name = n->parent ? NULL : xstrdup (job->src->name);
  n->dst.name = n->parent ? NULL : xstrdup (job->dst->name);
  n->dst.path = (n->parent || !job->dst->path ? NULL
                 : xstrdup (job->dst->path));
  n->has_path = job->dst->path != NULL;
  n->job = *job;
  n->job.src = &n->src;
  n->job.dst = &n->dst;
  n->job.backup = NULL;
  n->meta_src = -1;
  n->dst_fd = dst_fd;
  n->dst_dev = dst_st->st_dev;
  n->dst_ino = dst_st->st_ino;
  n->mode = mode;
  n->new_dst = new_dst;
  return n;
}

/* Count descriptors; see copy-work.h.  */
void
copy_work_fds_held (struct copy_run *run, int n)
{
  __atomic_add_fetch (&run->fds_held, n, __ATOMIC_RELAXED);
}

/* Return true if RUN's directories may open two more descriptors.  */
static bool
fd_room (struct copy_run *run)
{
  return (__atomic_load_n (&run->fds_held, __ATOMIC_RELAXED) + 2
          <= run->fd_budget);
}

/* Close the descriptors of node N (an ancestor of where the walker is,
   with no work queued), to be opened again by copy_work_node_unpark.  */
static void
node_park (struct dir_node *n)
{
  if (n->dir)
    closedir (n->dir);
  else if (0 <= n->meta_src)
    close (n->meta_src);
  n->dir = NULL;
  n->meta_src = -1;
  close (n->dst_fd);
  n->dst_fd = -1;
  n->parked = true;
  copy_work_fds_held (n->job.run, -n->fds);
  n->fds = 0;
}

/* Make room; see copy-work.h.  */
void
copy_work_fd_room (struct copy_run *run, struct dir_node *keep)
{
  if (fd_room (run))
    return;
  /* 1. Finished directories close theirs once their files are copied:
     hand over what is gathered and wait.  After that no task holds a
     descriptor of a directory on the walker's path.  */
  if (run->pool)
    {
      for (struct dir_node *a = keep; a; a = a->parent)
        copy_work_flush (a);
      copy_pool_wait (run->pool);
    }
  /* 2. Close the ancestors', the outermost first: the walker comes back
     to those last.  */
  while (!fd_room (run) && keep)
    {
      struct dir_node *top = NULL;
      for (struct dir_node *a = keep->parent; a; a = a->parent)
        if (!a->parked)
          top = a;
      if (!top)
        break;
      node_park (top);
    }
}

/* Open (a descriptor the caller closes) the source directory of N when
   SRC, else its destination, by name from the nearest open ancestor,
   which is opened the same way if it is parked.  Check it is the
   directory it was.  Return it, or -1 with errno set.  */
static int
reopen (struct dir_node *n, bool src)
{
  struct copy_options const *opt = n->job.run->opt;
  struct dir_node *up = n->parent;
  int base;
  if (!up)
    base = src ? n->src.dirfd : n->dst.dirfd;
  else if (!up->parked)
    base = src ? up->meta_src : up->dst_fd;
  else if ((base = reopen (up, src)) < 0)
    return -1;
  bool follow = (src && (opt->deref == DEREF_ALWAYS
                         || (opt->deref == DEREF_COMMAND_LINE
                             && n->job.command_line)))
                || (!src && opt->keep_dir_symlink);
  int fd = openat (base, src ? n->src.rel : n->dst.relname,
                   (O_RDONLY | O_DIRECTORY | O_NOCTTY | O_CLOEXEC
                    | (follow ? 0 : O_NOFOLLOW)));
  int err = errno;
  if (up && up->parked)
    close (base);
  struct stat st;
  if (0 <= fd && fstat (fd, &st) != 0)
    err = errno;
  else if (0 <= fd
           && (src ? SAME_INODE (st, n->job.src_st)
               : st.st_dev == n->dst_dev && st.st_ino == n->dst_ino))
    return fd;
  else if (0 <= fd)
    err = ENOENT;           /* replaced while we were away */
  if (0 <= fd)
    close (fd);
  errno = err;
  return -1;
}

/* Open N's descriptors again; see copy-work.h.  */
bool
copy_work_node_unpark (struct dir_node *n)
{
  if (!n->parked)
    return true;
  copy_work_fd_room (n->job.run, n);
  int src_fd = reopen (n, true);
  if (src_fd < 0)
    return false;
  int dst_fd = reopen (n, false);
  if (dst_fd < 0)
    {
      int err = errno;
      close (src_fd);
      errno = err;
      return false;
    }
  n->meta_src = src_fd;
  n->dst_fd = dst_fd;
  n->parked = false;
  n->fds = 2;
  copy_work_fds_held (n->job.run, 2);
  return true;
}

/* Return, newly allocated, the name of node N's source (WHICH 0), its
   destination (1) or the destination's path (2): its operand's, then
   the components of the nodes below it, joined as the walker joined
   them.  */
static char *
node_name (struct dir_node const *n, int which)
{
  if (!n->parent)
    return xstrdup (which == 0 ? n->src.name
                    : which == 1 ? n->dst.name : n->dst.path);
  /* The operand's name is joined to the first component below it as
     file_name_concat does, the others with one slash each; they are
     filled in from the end.  */
  struct dir_node const *first = n;
  size_t tail = 0;
  for (; first->parent->parent; first = first->parent)
    tail += 1 + strlen (first->src.rel);
  struct dir_node const *top = first->parent;
  char *head = file_name_concat ((which == 0 ? top->src.name
                                  : which == 1 ? top->dst.name
                                  : top->dst.path),
                                 first->src.rel, NULL);
  size_t head_len = strlen (head);
  char *name = xrealloc (head, head_len + tail + 1);
  size_t end = head_len + tail;
  name[end] = '\0';
  for (struct dir_node const *a = n; a != first; a = a->parent)
    {
      size_t len = strlen (a->src.rel);
      end -= len;
      memcpy (name + end, a->src.rel, len);
      name[--end] = '/';
    }
  return name;
}

/* The last entry of N is done: apply its metadata, close it, and let
   its parent know.  */
static void
node_finish (struct dir_node *n)
{
  struct copy_options const *opt = n->job.run->opt;
  /* After a signal a directory keeps the mode it was made with (ours to
     write, no wider than the source's) and the times its entries gave
     it: what was to be copied into it may not all be there, and its
     final mode and times would say it is complete.  (GNU cp killed by
     the signal leaves its unfinished directories the same way.)  It is
     counted as failed, for cowmv and cowln not to use the tree.  */
  if (copy_tree_stopped (n->job.run))
    copy_work_note_failure (n->job.run);
  else if (opt->dry_run)
    ;
  else if ((0 <= n->meta_src || n->meta_by_name)
           && (n->new_dst || opt->preserve_mode || opt->preserve_ownership
               || opt->preserve_timestamps || opt->preserve_xattr
               || opt->preserve_flags))
    {
      if (n->parent)
        {
          n->src.name = node_name (n, 0);
          n->dst.name = node_name (n, 1);
          n->dst.path = n->has_path ? node_name (n, 2) : NULL;
        }
      if (!copy_file_meta (&n->job, n->meta_src, n->dst_fd, n->mode,
                           n->new_dst))
        copy_work_note_failure (n->job.run);
    }
  if (n->dir)
    closedir (n->dir);
  else if (0 <= n->meta_src)
    close (n->meta_src);
  close (n->dst_fd);
  copy_work_fds_held (n->job.run, -n->fds);
  struct dir_node *parent = n->parent;
  free ((char *) n->src.rel);
  free ((char *) n->src.name);
  free ((char *) n->dst.relname);
  free ((char *) n->dst.name);
  free ((char *) n->dst.path);
  free (n);
  if (parent)
    copy_work_node_release (parent);
}

/* Drop one reference to N; the last one finishes it.  */
void
copy_work_node_release (struct dir_node *n)
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
  bool first_link;          /* the first copy of a multiply-linked file */
  char const *link_to;      /* or a later name, to link to this copy */
  struct file_task *next;   /* in its link group's waiters */
  char *names;              /* one block holding the names above */
};

/* A multiply-linked source whose first name went to a worker is a link
   group: its other names wait (the walker goes on) until that copy is
   made, then become links to it.  If the copy fails, the next name is
   copied instead, as cp does after a failure.  The group is its word
   in the run's hard-link table, under the run's LINKS_LOCK: the name of
   the copy once made (untagged, as every name there), else LINK_FAILED,
   or LINK_PENDING with the queue of waiting names, if any, in the other
   bits.  No structure of its own: on 50,000 linked files one was most
   of the table's memory.  */
enum { LINK_PENDING = 1, LINK_FAILED = 2 };
struct link_queue
{
  struct file_task *head, **tail;
};

/* Point the job of T at T's own source and destination: after T was
   filled, or moved with its batch.  */
static void
task_link (struct file_task *t)
{
  t->job.src = &t->src;
  t->job.dst = &t->dst;
}

/* Fill T with copies of what JOB points at.  The names are copied into
   one block (one allocation per file, not five: on a tree of small
   files the walker's allocations were a tenth of its instructions);
   the entry's name in its directory is copied once when source and
   destination share it, as they do below an operand.  */
static void
task_fill (struct file_task *t, struct job const *job)
{
  char const *from[] = { job->src->rel, job->src->name, job->dst->name,
                         job->dst->path,
                         (job->dst->relname == job->src->rel ? NULL
                          : job->dst->relname) };
  enum { N_NAMES = sizeof from / sizeof *from };
  size_t len[N_NAMES];
  size_t total = 0;
  for (int i = 0; i < N_NAMES; i++)
    total += len[i] = from[i] ? strlen (from[i]) + 1 : 0;
  char *p = t->names = xmalloc (total);
  char const *to[N_NAMES];
  for (int i = 0; i < N_NAMES; i++)
    {
      to[i] = from[i] ? memcpy (p, from[i], len[i]) : NULL;
      p += len[i];
    }
  t->src = *job->src;
  t->src.rel = to[0];
  t->src.name = to[1];
  t->dst = *job->dst;
  t->dst.name = to[2];
  t->dst.path = to[3];
  t->dst.relname = to[4] ? to[4] : to[0];
  t->job = *job;
  task_link (t);
  t->first_link = false;
  t->link_to = NULL;
  t->next = NULL;
}

/* Free what task_fill copied into T.  */
static void
task_clear (struct file_task *t)
{
  free (t->job.backup);
  free (t->names);
}

/* Take the first waiter of the link group at word V (under LINKS_LOCK),
   or NULL when none waits; a group that had none is LINK_FAILED then.  */
static struct file_task *
link_group_next (uintptr_t *v)
{
  struct link_queue *q = (struct link_queue *) (*v & ~(uintptr_t) HLMAP_TAGS);
  struct file_task *w = q ? q->head : NULL;
  if (!w)
    {
      free (q);
      *v = LINK_FAILED;
    }
  else if (!(q->head = w->next))
    q->tail = &q->head;
  return w;
}

/* Worker side: the copy of JOB, the first name of its link group in
   RUN, has ended, and made the group's copy if OK.  Link the waiting
   names to it; if it failed, copy the first waiter instead (with the
   worker's LADDER) and go on from there.  The waiters' directories were
   held for them and are released here.  */
static void
link_group_settle (struct copy_run *run, struct job *job, bool ok,
                   struct ladder_state *ladder)
{
  dev_t dev = job->src_st.st_dev;
  ino_t ino = job->src_st.st_ino;
  struct file_task *done = NULL;  /* the waiter copied last, to free */
  for (;;)
    {
      pthread_mutex_lock (&run->links_lock);
      uintptr_t *v = hlmap_find (run->links, dev, ino);
      struct file_task *w;
      char const *first = NULL;
      /* A copy the rules skipped (-n, -u) is no copy to link to.  */
      bool made = ok && !job->skipped;
      if (made)
        {
          struct link_queue *q = (struct link_queue *) (*v & ~(uintptr_t)
                                                        HLMAP_TAGS);
          w = q ? q->head : NULL;
          free (q);
          *v = hlmap_keep (run->links, copy_file_dst_path (job));
          first = (char const *) *v;
        }
      else
        w = link_group_next (v);
      pthread_mutex_unlock (&run->links_lock);
      if (made)
        {
          /* The name kept in the table does not move; the waiters are
             linked from JOB's directory, still open.  */
          while (w)
            {
              struct file_task *next = w->next;
              w->job.earlier_at = job;
              if (!copy_file_link (&w->job, first))
                copy_work_note_failure (w->job.run);
              progress_file_done (w->job.run->opt->progress, &w->job.src_st,
                                  w->job.data_moved);
              struct dir_node *node = w->src.node;
              task_clear (w);
              free (w);
              copy_work_node_release (node);
              w = next;
            }
        }
      /* JOB, when it is DONE, and its directory are held until here.  */
      if (done)
        {
          struct dir_node *node = done->src.node;
          task_clear (done);
          free (done);
          copy_work_node_release (node);
          done = NULL;
        }
      if (made || !w)
        return;
      w->job.ladder = ladder;
      /* Stopped: the other names are not copied, one after the other.  */
      ok = !copy_tree_stopped (w->job.run) && copy_file_regular (&w->job);
      if (!ok)
        copy_work_note_failure (w->job.run);
      progress_file_done (w->job.run->opt->progress, &w->job.src_st,
                          w->job.data_moved);
      job = &w->job;
      done = w;
    }
}

/* Files of one directory handed to a worker together: one hand-over
   (and its futex calls) per batch, not per file.  A batch starts with
   room for BATCH_MIN files and doubles up to BATCH_MAX: most
   directories hold a few files, and a batch of the full size (some
   30 KiB) for each of them cost more in malloc than the files' names.  */
enum { BATCH_MIN = 8, BATCH_MAX = 64 };
struct file_batch
{
  struct dir_node *node;
  int n;
  int room;
  struct file_task task[];
};

/* Worker side: copy the files of batch ARG with the worker's ladder
   state CTX, then release their directory.  Once the run is stopped the
   files left are not copied but failed, so that the queue drains at
   once and no operand that lost one counts as copied.  */
static void
run_batch (void *arg, void *ctx)
{
  struct file_batch *b = arg;
  for (int i = 0; i < b->n; i++)
    {
      struct file_task *t = &b->task[i];
      task_link (t);
      t->job.ladder = ctx;
      bool ok = (copy_tree_stopped (t->job.run) ? false
                 : t->link_to ? copy_file_link (&t->job, t->link_to)
                 : S_ISLNK (t->job.src_st.st_mode)
                 ? copy_file_symlink (&t->job)
                 : copy_file_regular (&t->job));
      if (!ok)
        copy_work_note_failure (t->job.run);
      progress_file_done (t->job.run->opt->progress, &t->job.src_st,
                          t->job.data_moved);
      if (t->first_link)
        link_group_settle (t->job.run, &t->job, ok, ctx);
      task_clear (t);
    }
  struct dir_node *node = b->node;
  free (b);
  copy_work_node_release (node);
}

/* Hand the files gathered for directory N to the workers.  */
void
copy_work_flush (struct dir_node *n)
{
  struct file_batch *b = n->batch;
  if (!b)
    return;
  n->batch = NULL;
  __atomic_add_fetch (&n->pending, 1, __ATOMIC_ACQ_REL);
  copy_pool_submit (n->job.run->pool, run_batch, b);
}

/* Gather the regular file or symlink of JOB for the workers; FIRST_LINK
   when it is the first name of a link group, LINK_TO the group's copy
   when it is to be linked to that.  Its outcome is noted with
   copy_work_note_failure; return true.  */
static bool
submit_task (struct job *job, bool first_link, char const *link_to)
{
  struct dir_node *n = job->src->node;
  struct file_batch *b = n->batch;
  if (!b || b->n == b->room)
    {
      /* The tasks move with the batch; their jobs are pointed at them
         again when they are run.  */
      int room = b ? 2 * b->room : BATCH_MIN;
      b = n->batch = xrealloc (b, (offsetof (struct file_batch, task)
                                   + room * sizeof (struct file_task)));
      if (room == BATCH_MIN)
        {
          b->node = n;
          b->n = 0;
        }
      b->room = room;
    }
  struct file_task *t = &b->task[b->n++];
  task_fill (t, job);
  t->first_link = first_link;
  t->link_to = link_to;
  if (b->n == BATCH_MAX)
    copy_work_flush (n);
  return true;
}

/* Hand the regular file or symlink of JOB to the workers; see
   copy-work.h.  */
bool
copy_work_submit (struct job *job)
{
  return submit_task (job, false, NULL);
}

/* The regular file of JOB has several links and workers copy files:
   its first name goes to a worker, a later one waits for that copy or
   links to it.  Return what the walker is to count for it.  */
bool
copy_work_defer_linked (struct job *job)
{
  struct copy_run *run = job->run;
  /* The walker alone adds to the table, but under the lock: a worker
     may be looking in it.  */
  pthread_mutex_lock (&run->links_lock);
  uintptr_t *v = hlmap_slot (run->links, job->src_st.st_dev,
                             job->src_st.st_ino);
  uintptr_t word = *v;
  if (!word || word == LINK_FAILED)
    *v = LINK_PENDING;
  else if (word & LINK_PENDING)
    {
      struct link_queue *q = (struct link_queue *) (word & ~(uintptr_t)
                                                    HLMAP_TAGS);
      if (!q)
        {
          q = xmalloc (sizeof *q);
          q->tail = &q->head;
          *v = (uintptr_t) q | LINK_PENDING;
        }
      struct file_task *w = xmalloc (sizeof *w);
      task_fill (w, job);
      __atomic_add_fetch (&job->src->node->pending, 1, __ATOMIC_ACQ_REL);
      *q->tail = w;
      q->tail = &w->next;
    }
  pthread_mutex_unlock (&run->links_lock);
  if (!word || word == LINK_FAILED)
    return submit_task (job, true, NULL);
  if (word & LINK_PENDING)
    return true;
  /* The copy is made: a worker links this name to it, in its turn with
     the files of this directory (the walker had made every such link
     itself, a third of its system calls on a tree of linked names).  */
  return submit_task (job, false, (char const *) word);
}
