/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-pool.c -- a small pool of worker threads with a bounded queue.  */

#include "system.h"

#include <pthread.h>
#include <time.h>

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
  pthread_cond_t idle;          /* the last task finished */
  struct task *head, *tail;
  size_t queued;                /* tasks waiting */
  size_t running;               /* tasks being run */
  size_t queue_max;
  bool stopping;
  int nthreads;
  pthread_t *threads;
  sig_atomic_t volatile const *stop;
  int wake_signal;
  size_t ctx_size;
  void *own_ctx;                /* the owner's context, for the tasks it
                                   runs itself */
};

/* Take the oldest task off the queue of P (whose lock is held, and
   which holds one), counted as running.  */
static struct task *
take_task (struct copy_pool *p)
{
  struct task *t = p->head;
  p->head = t->next;
  if (!p->head)
    p->tail = NULL;
  p->queued--;
  p->running++;
  return t;
}

/* Run task T (taken with take_task) with context CTX, outside P's lock,
   which is held again on return; free T.  */
static void
run_task (struct copy_pool *p, struct task *t, void *ctx)
{
  pthread_mutex_unlock (&p->lock);
  t->fn (t->arg, ctx);
  free (t);
  pthread_mutex_lock (&p->lock);
  p->running--;
}

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
      run_task (p, take_task (p), ctx);
      /* The owner waits only for tasks being run, never for room.  */
      if (!p->running && !p->queued)
        pthread_cond_signal (&p->idle);
    }
  pthread_mutex_unlock (&p->lock);
  free (ctx);
  return NULL;
}

/* How often a waiting thread looks at the stop flag, in nanoseconds.  */
enum { STOP_POLL_NS = 50 * 1000 * 1000 };

/* Wait on condition C of P, whose lock is held.  A signal's handler runs
   in whichever thread the kernel picks, and a condition wait does not
   end for it: with a stop flag, wait at most STOP_POLL_NS, and once the
   flag is set, interrupt the workers, whose current system call may be
   one that blocks for good (a FIFO with no writer).  */
static void
pool_wait (struct copy_pool *p, pthread_cond_t *c)
{
  if (!p->stop)
    {
      pthread_cond_wait (c, &p->lock);
      return;
    }
  if (*p->stop && p->wake_signal)
    for (int i = 0; i < p->nthreads; i++)
      pthread_kill (p->threads[i], p->wake_signal);
  struct timespec t;
  clock_gettime (CLOCK_REALTIME, &t);
  t.tv_nsec += STOP_POLL_NS;
  if (1000000000 <= t.tv_nsec)
    {
      t.tv_sec++;
      t.tv_nsec -= 1000000000;
    }
  pthread_cond_timedwait (c, &p->lock, &t);
}

/* Start a pool; see copy-pool.h.  */
struct copy_pool *
copy_pool_new (int nthreads, size_t ctx_size, size_t queue_max,
               void *own_ctx, sig_atomic_t volatile const *stop,
               int wake_signal)
{
  struct copy_pool *p = xzalloc (sizeof *p);
  p->own_ctx = own_ctx;
  p->stop = stop;
  p->wake_signal = wake_signal;
  pthread_mutex_init (&p->lock, NULL);
  pthread_cond_init (&p->work, NULL);
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

/* Queue a task; see copy-pool.h.  A full queue means the workers are
   behind: the owner helps them rather than sleep until one of them
   takes a task and wakes it.  Waiting there cost a futex hand-over per
   task, and on two processors the owner and two workers took turns on
   them (bench/README.md).  */
void
copy_pool_submit (struct copy_pool *p, copy_pool_fn fn, void *arg)
{
  struct task *t = xmalloc (sizeof *t);
  *t = (struct task) { .fn = fn, .arg = arg };
  pthread_mutex_lock (&p->lock);
  while (p->queue_max <= p->queued)
    run_task (p, take_task (p), p->own_ctx);
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
  while (p->queued)
    run_task (p, take_task (p), p->own_ctx);
  while (p->running)
    pool_wait (p, &p->idle);
  pthread_mutex_unlock (&p->lock);
}

/* Stop and free; see copy-pool.h.  */
void
copy_pool_free (struct copy_pool *p)
{
  if (!p)
    return;
  pthread_mutex_lock (&p->lock);
  while (p->queued)
    run_task (p, take_task (p), p->own_ctx);
  while (p->running)
    pool_wait (p, &p->idle);
  p->stopping = true;
  pthread_cond_broadcast (&p->work);
  pthread_mutex_unlock (&p->lock);
  for (int i = 0; i < p->nthreads; i++)
    pthread_join (p->threads[i], NULL);
  pthread_mutex_destroy (&p->lock);
  pthread_cond_destroy (&p->work);
  pthread_cond_destroy (&p->idle);
  free (p->threads);
  free (p);
}
