/* SPDX-License-Identifier: GPL-3.0-or-later */
/* progress.h -- the counters a copy keeps as it goes, and the status line
   (--progress, SIGUSR1) drawn from them.  */

#ifndef PROGRESS_H
#define PROGRESS_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

/* --progress[=WHEN].  */
enum progress_when
{
  PROGRESS_NEVER,     /* no bar; SIGUSR1 still prints one line */
  PROGRESS_AUTO,      /* a bar when stderr is a terminal */
  PROGRESS_ALWAYS     /* a bar on a terminal, else a line per update */
};

/* What a run has seen and done so far.  The walker and the workers add
   to the counters with relaxed atomic operations (one each per file, and
   one per chunk of data); the thread that draws reads them the same way.
   A slightly stale or torn picture across counters is fine: it is a
   status line, redrawn a moment later.  */
struct progress_counts
{
  unsigned long files_seen;       /* entries other than directories */
  unsigned long files_done;       /* ... finished, well or not */
  unsigned long long bytes_seen;  /* sizes of the regular files seen */
  unsigned long long bytes_shared;  /* cloned (FICLONE, FICLONERANGE) */
  unsigned long long bytes_copied;  /* copied by any other rung */
  unsigned long long bytes_passed;  /* holes, links, skipped files */
  /* Operands whose walk has still to end, less one; the totals are
     final once a walk ends with none left (WALKS_LEFT below zero).  */
  long walks_left;
};

/* The walker met entry ST (not yet copied): count it, and its size if it
   is a regular file.  P may be NULL.  */
static inline void
progress_seen (struct progress_counts *p, struct stat const *st)
{
  if (p && !S_ISDIR (st->st_mode))
    {
      __atomic_add_fetch (&p->files_seen, 1, __ATOMIC_RELAXED);
      if (S_ISREG (st->st_mode) && 0 < st->st_size)
        __atomic_add_fetch (&p->bytes_seen, st->st_size, __ATOMIC_RELAXED);
    }
}

/* Entry ST, not a directory, is finished (copied, linked, skipped or
   failed) after MOVED bytes of its data were shared or copied: what it
   had besides (holes, or all of it when it was linked or skipped) counts
   as done too, so that the bytes done add up to the sizes seen.  P may
   be NULL.  */
static inline void
progress_file_done (struct progress_counts *p, struct stat const *st,
                    off_t moved)
{
  if (p)
    {
      __atomic_add_fetch (&p->files_done, 1, __ATOMIC_RELAXED);
      if (S_ISREG (st->st_mode) && moved < st->st_size)
        __atomic_add_fetch (&p->bytes_passed, st->st_size - moved,
                            __ATOMIC_RELAXED);
    }
}

/* N more bytes of data were shared (SHARED) or copied.  P may be
   NULL.  */
static inline void
progress_bytes (struct progress_counts *p, bool shared, off_t n)
{
  if (p && 0 < n)
    __atomic_add_fetch (shared ? &p->bytes_shared : &p->bytes_copied, n,
                        __ATOMIC_RELAXED);
}

/* The walk of one operand has ended (its files may still be being
   copied).  P may be NULL.  */
static inline void
progress_walk_end (struct progress_counts *p)
{
  if (p)
    __atomic_sub_fetch (&p->walks_left, 1, __ATOMIC_RELAXED);
}

/* Format into LINE (SIZE bytes) the status line for the counters C
   after SECS seconds: "DONE/SEEN files, DONE/SEEN bytes, SHARED shared,
   COPIED copied, RATE/s", sizes as du -h gives them, a "+" after both
   totals while a walk is still counting, then ", ETA H:MM:SS" once the
   totals are known.  FINAL: the line at the end, totals final, no ETA.
   C is a snapshot, read without atomics.  */
void progress_format (struct progress_counts const *c, double secs,
                      bool final, char *line, size_t size);

struct progress;

/* Return the enum progress_when that ARG (the argument of --progress,
   or NULL for the bare option) names; exit with GNU's argmatch message
   if it names none.  */
enum progress_when progress_when_arg (char const *arg);

/* Start watching a copy of OPERANDS operands: block SIGUSR1 in the
   calling thread (and so in the threads it creates later), so that a
   status request waits for the thread that prints it.  When WHEN asks
   for a bar, start that thread now; else it starts with the first
   progress_watch, and a request that came before it (and stayed
   pending, blocked) is answered then, or by progress_end.  Call before
   any other thread is created.  Never fails: without a thread, there is
   no status line.  */
struct progress *progress_start (enum progress_when when, int operands);

/* Sources at least this big start the status thread before their data
   is copied (progress_watch): at a few GB/s, the copy of a smaller one
   ends before a person's SIGUSR1 would find nobody to answer it.  */
enum { PROGRESS_WATCH_SIZE = 64 * 1024 * 1024 };

/* The copy counted in P is about to do something that can take a while
   (a directory, a big file, a source that can block, such as a FIFO):
   start the thread that answers SIGUSR1 if it does not run yet.  A copy
   of a few small files never starts it (a thread and its wake-up at the
   end cost a one-file copy a tenth of its time).  Any thread may call
   it.  P may be NULL.  */
void progress_watch (struct progress_counts *p);

/* The counters of P, for struct copy_options.progress.  */
struct progress_counts *progress_counts (struct progress *p);

/* Stop P's thread and free P.  A bar that was asked for is drawn a last
   time, totals final, and left on its line; if INTERRUPTED the bar is
   erased instead, so that the terminal is left clean.  If the thread
   never started, a SIGUSR1 still pending is answered with its line
   (unless INTERRUPTED).  Call once the other threads are joined.  */
void progress_end (struct progress *p, bool interrupted);

#endif /* PROGRESS_H */
