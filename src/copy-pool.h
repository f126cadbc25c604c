/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-pool.h -- worker threads that run the per-file work of a copy
   while the walker goes on reading directories.  */

#ifndef COPY_POOL_H
#define COPY_POOL_H

#include <signal.h>
#include <stddef.h>

struct copy_pool;

/* A task: FN (ARG, CTX), where CTX is the worker's own context of the
   size given to copy_pool_new (zeroed at start), e.g. its ladder state.  */
typedef void (*copy_pool_fn) (void *arg, void *ctx);

/* Start NTHREADS workers, each with a zeroed context of CTX_SIZE bytes,
   taking tasks from a queue of at most QUEUE_MAX waiting tasks.  One
   thread, the owner, submits and waits; rather than sleep while the
   queue is full or until it drains, it runs the oldest queued task
   itself, with OWN_CTX as its context.  So the owner counts as one of
   the threads that do the work: on N processors, N - 1 workers keep
   them all busy, with no hand-over waits.  Return NULL if threads
   cannot be started (the caller then works alone).  Once *STOP (if STOP
   is not NULL) is set, the owner waiting on the pool sends WAKE_SIGNAL
   (if not 0) to the workers every few tens of milliseconds, so that
   none stays blocked in a system call.  */
struct copy_pool *copy_pool_new (int nthreads, size_t ctx_size,
                                 size_t queue_max, void *own_ctx,
                                 sig_atomic_t volatile const *stop,
                                 int wake_signal);

/* Queue FN (ARG).  While the queue is full, run its oldest tasks in
   the calling thread (the owner) instead of waiting.  */
void copy_pool_submit (struct copy_pool *pool, copy_pool_fn fn, void *arg);

/* Run queued tasks in the calling thread (the owner) until none is
   left, then wait until the workers' have run.  */
void copy_pool_wait (struct copy_pool *pool);

/* Wait, stop the workers and free POOL.  NULL is fine.  */
void copy_pool_free (struct copy_pool *pool);

#endif /* COPY_POOL_H */
