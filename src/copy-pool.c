/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-pool.c -- a small pool of worker threads with a bounded queue.  */

#include "system.h"

#include <pthread.h>

#include "copy-pool.h"
#include "xalloc.h"

struct task
{
  struct task *next;
  copy_pool_fn fn;
  void *arg;
};

struct copy_pool
{
  pthread_mutex_t lock;
  pthread_cond_t work;          /* a task was queued, or stopping */
  pthread_cond_t room;          /* the queue has room */
  pthread_cond_t idle;          /* a task finished */
  struct task *head, *tail;
  size_t queued;                /* tasks waiting */
  size_t running;               /* tasks being run */
  size_t queue_max;
  bool stopping;
  int nthreads;
  pthread_t *threads;
  size_t ctx_size;
};

/* A worker: take tasks until told to stop.  */
static void *
worker (void *arg)
{
  struct copy_pool *p = arg;
  void *ctx = xzalloc (p->ctx_size ? p->ctx_size : 1);
  pthread_mutex_lock (&p->lock);
  for (;;)
    {
      while (!p->head && !p->stopping)
        pthread_cond_wait (&p->work, &p->lock);
      if (!p->head)
        break;
      struct task *t = p->head;
      p->head = t->next;
      if (!p->head)
        p->tail = NULL;
      p->queued--;
      p->running++;
      pthread_cond_signal (&p->room);
      pthread_mutex_unlock (&p->lock);

      t->fn (t->arg, ctx);
      free (t);

      pthread_mutex_lock (&p->lock);
      p->running--;
      pthread_cond_broadcast (&p->idle);
    }
  pthread_mutex_unlock (&p->lock);
  free (ctx);
  return NULL;
}

/* Start a pool; see copy-pool.h.  */
struct copy_pool *
copy_pool_new (int nthreads, size_t ctx_size, size_t queue_max)
{
  struct copy_pool *p = xzalloc (sizeof *p);
  pthread_mutex_init (&p->lock, NULL);
  pthread_cond_init (&p->work, NULL);
  pthread_cond_init (&p->room, NULL);
  pthread_cond_init (&p->idle, NULL);
  p->queue_max = queue_max;
  p->ctx_size = ctx_size;
  p->threads = xnmalloc (nthreads, sizeof *p->threads);
  for (; p->nthreads < nthreads; p->nthreads++)
    if (pthread_create (&p->threads[p->nthreads], NULL, worker, p) != 0)
      break;
  if (p->nthreads == 0)
    {
      copy_pool_free (p);
      return NULL;
    }
  return p;
}

/* Queue a task; see copy-pool.h.  */
void
copy_pool_submit (struct copy_pool *p, copy_pool_fn fn, void *arg)
{
  struct task *t = xmalloc (sizeof *t);
  *t = (struct task) { .fn = fn, .arg = arg };
  pthread_mutex_lock (&p->lock);
  while (p->queue_max <= p->queued)
    pthread_cond_wait (&p->room, &p->lock);
  if (p->tail)
    p->tail->next = t;
  else
    p->head = t;
  p->tail = t;
  p->queued++;
  pthread_cond_signal (&p->work);
  pthread_mutex_unlock (&p->lock);
}

/* Wait for the queue to drain; see copy-pool.h.  */
void
copy_pool_wait (struct copy_pool *p)
{
  pthread_mutex_lock (&p->lock);
  while (p->queued || p->running)
    pthread_cond_wait (&p->idle, &p->lock);
  pthread_mutex_unlock (&p->lock);
}

/* Stop and free; see copy-pool.h.  */
void
copy_pool_free (struct copy_pool *p)
{
  if (!p)
    return;
  pthread_mutex_lock (&p->lock);
  p->stopping = true;
  pthread_cond_broadcast (&p->work);
  pthread_mutex_unlock (&p->lock);
  for (int i = 0; i < p->nthreads; i++)
    pthread_join (p->threads[i], NULL);
  pthread_mutex_destroy (&p->lock);
  pthread_cond_destroy (&p->work);
  pthread_cond_destroy (&p->room);
  pthread_cond_destroy (&p->idle);
  free (p->threads);
  free (p);
}
