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
#include "hash.h"
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
copy_work_node_new (struct job const *job, int dst_fd, mode_t mode,
                    bool new_dst)
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
  else if (0 <= n->meta_src
           && (n->new_dst || opt->preserve_mode || opt->preserve_ownership
               || opt->preserve_timestamps || opt->preserve_xattr)
           && !copy_file_meta (&n->job, n->meta_src, n->dst_fd, n->mode,
                               n->new_dst))
    copy_work_note_failure (n->job.run);
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
   waiter instead (with the worker's LADDER) and go on from there.  The
   waiters' directories were held for them and are released here.  */
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
              if (!copy_file_link (&w->job, first))
                copy_work_note_failure (w->job.run);
              struct dir_node *node = w->src.node;
              task_clear (w);
              free (w);
              copy_work_node_release (node);
              w = next;
            }
          return;
        }
      if (!w)
        return;
      w->job.ladder = ladder;
      /* Stopped: the other names are not copied, one after the other.  */
      ok = !copy_tree_stopped (w->job.run) && copy_file_regular (&w->job);
      if (!ok)
        copy_work_note_failure (w->job.run);
      first = ok ? xstrdup (copy_file_dst_path (&w->job)) : NULL;
      struct dir_node *node = w->src.node;
      task_clear (w);
      free (w);
      copy_work_node_release (node);
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
      t->job.ladder = ctx;
      bool ok = (copy_tree_stopped (t->job.run) ? false
                 : S_ISLNK (t->job.src_st.st_mode)
                 ? copy_file_symlink (&t->job)
                 : copy_file_regular (&t->job));
      if (!ok)
        copy_work_note_failure (t->job.run);
      if (t->group)
        link_group_settle (t->group, ok,
                           (ok ? xstrdup (copy_file_dst_path (&t->job))
                            : NULL), ctx);
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

/* Gather the regular file or symlink of JOB for the workers; GROUP is
   its link group when it is the first name of a multiply-linked file.
   Its outcome is noted with copy_work_note_failure; return true.  */
static bool
submit_task (struct job *job, struct link_group *group)
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
    copy_work_flush (n);
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

/* Hand the regular file or symlink of JOB to the workers; see
   copy-work.h.  */
bool
copy_work_submit (struct job *job)
{
  return submit_task (job, NULL);
}

/* The regular file of JOB has several links and workers copy files:
   its first name goes to a worker, a later one waits for that copy or
   links to it.  Return what the walker is to count for it.  */
bool
copy_work_defer_linked (struct job *job)
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
      return submit_task (job, g);
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
      return copy_file_link (job, g->name);
    default:
      return submit_task (job, g);
    }
}

/* The workers are idle: the files whose first copy they made join the
   hard-link table, for the operands still to come.  */
void
copy_work_settle_links (struct copy_run *run)
{
  if (!run->pending_links)
    return;
  for (struct link_group *g = hash_get_first (run->pending_links); g;
       g = hash_get_next (run->pending_links, g))
    if (g->state == LINK_DONE)
      hlmap_insert (run->links, g->dev, g->ino, g->name);
  hash_clear (run->pending_links);
}
