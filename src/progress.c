/* SPDX-License-Identifier: GPL-3.0-or-later */
/* progress.c -- the status line of a copy: a thread that draws the bar
   of --progress a few times a second and prints one line per SIGUSR1,
   from the counters the walker and the workers keep.  */

#include "system.h"

#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <time.h>

#include "argmatch.h"
#include "diag.h"
#include "progress.h"
#include "xalloc.h"

/* The bar is redrawn every TICK_NS nanoseconds: five times a second is
   smooth to the eye and costs the copy nothing measurable.  */
enum { TICK_NS = 200 * 1000 * 1000 };

/* Room for one status line.  */
enum { LINE_MAX_BYTES = 256 };

static char const *const when_args[] = { "auto", "always", "never", NULL };
static enum progress_when const when_vals[] =
  { PROGRESS_AUTO, PROGRESS_ALWAYS, PROGRESS_NEVER };
ARGMATCH_VERIFY (when_args, when_vals);

struct progress
{
  struct progress_counts counts;
  bool draw;              /* --progress: a bar or lines, as TTY says */
  bool tty;               /* stderr is a terminal: redraw in place */
  bool usr1_ignored;      /* SIGUSR1 was ignored when we started */
  bool asked;             /* atomic: progress_watch was called */
  bool started;           /* atomic: THREAD runs */
  bool stopping;          /* atomic: THREAD is to return */
  pthread_t thread;
  struct timespec start;  /* CLOCK_MONOTONIC when the copy began */
};

/* Parse --progress's argument; see progress.h.  */
enum progress_when
progress_when_arg (char const *arg)
{
  return (arg ? XARGMATCH ("--progress", arg, when_args, when_vals)
          : PROGRESS_AUTO);
}

/* Format N bytes into BUF (16 bytes) as du -h does: a power of 1024
   with its letter, one decimal below ten.  Return BUF.  */
static char *
human_size (unsigned long long n, char *buf)
{
  static char const units[] = "KMGTPE";
  if (n < 1024)
    {
      snprintf (buf, 16, "%llu", n);
      return buf;
    }
  double v = n;
  int u = -1;
  while (1024 <= v && u < 5)
    {
      v /= 1024;
      u++;
    }
  if (v < 9.95)
    snprintf (buf, 16, "%.1f%c", v, units[u]);
  else
    snprintf (buf, 16, "%.0f%c", v, units[u]);
  return buf;
}

/* Format SECS into BUF (32 bytes) as H:MM:SS.  Return BUF.  */
static char *
clock_time (double secs, char *buf)
{
  unsigned long s = secs < 0 ? 0 : secs < 1e9 ? (unsigned long) secs : 1e9;
  snprintf (buf, 32, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
  return buf;
}

/* Seconds since P started.  clock_gettime is answered by the vDSO: no
   system call.  */
static double
elapsed (struct progress const *p)
{
  struct timespec now;
  clock_gettime (CLOCK_MONOTONIC, &now);
  return ((now.tv_sec - p->start.tv_sec)
          + (now.tv_nsec - p->start.tv_nsec) / 1e9);
}

/* Format the status line; see progress.h.  */
void
progress_format (struct progress_counts const *c, double secs, bool final,
                 char *line, size_t size)
{
  unsigned long long done = c->bytes_shared + c->bytes_copied
                            + c->bytes_passed;
  bool counting = !final && 0 <= c->walks_left;
  double rate = 0.01 < secs ? done / secs : 0;
  char b[5][16];
  char const *plus = counting ? "+" : "";
  int n = snprintf (line, size,
                    _("%lu/%lu%s files, %s/%s%s bytes, %s shared, "
                      "%s copied, %s/s"),
                    c->files_done, c->files_seen, plus,
                    human_size (done, b[0]), human_size (c->bytes_seen, b[1]),
                    plus, human_size (c->bytes_shared, b[2]),
                    human_size (c->bytes_copied, b[3]),
                    human_size (rate, b[4]));
  /* The time left means something only once the totals are known.  */
  if (!final && !counting && 0 < rate && done < c->bytes_seen
      && 0 <= n && (size_t) n < size)
    {
      char t[32];
      snprintf (line + n, size - n, _(", ETA %s"),
                clock_time ((c->bytes_seen - done) / rate, t));
    }
}

/* Format the status line of P into LINE (LINE_MAX_BYTES), from a
   snapshot of its counters; with FINAL, as the totals at the end.  */
static void
format_status (struct progress *p, bool final, char *line)
{
  struct progress_counts *c = &p->counts;
  struct progress_counts now = {
    .files_seen = __atomic_load_n (&c->files_seen, __ATOMIC_RELAXED),
    .files_done = __atomic_load_n (&c->files_done, __ATOMIC_RELAXED),
    .bytes_seen = __atomic_load_n (&c->bytes_seen, __ATOMIC_RELAXED),
    .bytes_shared = __atomic_load_n (&c->bytes_shared, __ATOMIC_RELAXED),
    .bytes_copied = __atomic_load_n (&c->bytes_copied, __ATOMIC_RELAXED),
    .bytes_passed = __atomic_load_n (&c->bytes_passed, __ATOMIC_RELAXED),
    .walks_left = __atomic_load_n (&c->walks_left, __ATOMIC_RELAXED)
  };
  progress_format (&now, elapsed (p), final, line, LINE_MAX_BYTES);
}

/* Cut LINE to what fits in one row of the terminal on stderr, so that
   "\r" goes back to its start: the last column is left free, as a
   terminal that wraps there would move to the next row.  */
static void
fit_terminal (char *line)
{
  struct winsize ws;
  int cols = (ioctl (STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && 0 < ws.ws_col
              ? ws.ws_col : 80);
  int width = 0;
  for (char *s = line; *s; s++)
    /* A UTF-8 continuation byte takes no column of its own.  */
    if ((*s & 0xC0) != 0x80 && cols - 1 < ++width)
      {
        *s = '\0';
        break;
      }
}

/* Print the status of P: redraw the bar if BAR, else print it as a line
   of its own.  */
static void
show (struct progress *p, bool bar)
{
  char line[LINE_MAX_BYTES];
  format_status (p, false, line);
  if (bar)
    fit_terminal (line);
  diag_lock ();
  if (bar)
    diag_status_locked (line);
  else
    diag_status_note_locked (line);
  diag_unlock ();
}

/* The thread: wait for SIGUSR1 (blocked in every thread, so that it
   comes here and to no handler) or, when a bar is drawn, for the next
   tick; print accordingly; return once told to stop.  */
static void *
watch (void *arg)
{
  struct progress *p = arg;
  sigset_t usr1;
  sigemptyset (&usr1);
  sigaddset (&usr1, SIGUSR1);
  struct timespec tick = { .tv_sec = 0, .tv_nsec = TICK_NS };
  for (;;)
    {
      int sig = sigtimedwait (&usr1, NULL, p->draw ? &tick : NULL);
      if (__atomic_load_n (&p->stopping, __ATOMIC_ACQUIRE))
        break;
      if (sig == SIGUSR1)
        {
          if (!p->usr1_ignored)
            show (p, false);
        }
      else if (p->draw && errno == EAGAIN)
        show (p, p->tty);
    }
  return NULL;
}

/* Start P's thread, from whichever thread calls, once.  It blocks
   every signal: a SIGINT must reach a thread of the copy, whose blocked
   system call it interrupts, not this one.  */
static void
start_thread (struct progress *p)
{
  if (__atomic_load_n (&p->asked, __ATOMIC_RELAXED)
      || __atomic_exchange_n (&p->asked, true, __ATOMIC_ACQ_REL))
    return;
  sigset_t all, mask;
  sigfillset (&all);
  pthread_sigmask (SIG_SETMASK, &all, &mask);
  bool started = pthread_create (&p->thread, NULL, watch, p) == 0;
  pthread_sigmask (SIG_SETMASK, &mask, NULL);
  __atomic_store_n (&p->started, started, __ATOMIC_RELEASE);
}

/* Start watching; see progress.h.  */
struct progress *
progress_start (enum progress_when when, int operands)
{
  struct progress *p = xzalloc (sizeof *p);
  p->counts.walks_left = operands - 1;
  p->tty = isatty (STDERR_FILENO);
  p->draw = when == PROGRESS_ALWAYS || (when == PROGRESS_AUTO && p->tty);
  struct sigaction old;
  p->usr1_ignored = (sigaction (SIGUSR1, NULL, &old) == 0
                     && old.sa_handler == SIG_IGN);
  clock_gettime (CLOCK_MONOTONIC, &p->start);

  /* 1. SIGUSR1 blocked here, and so in the workers made later: a status
     request waits, pending, for the thread's sigtimedwait rather than
     killing the process or interrupting a copy.  */
  sigset_t usr1;
  sigemptyset (&usr1);
  sigaddset (&usr1, SIGUSR1);
  pthread_sigmask (SIG_BLOCK, &usr1, NULL);
  /* 2. A bar is drawn from the start; a status line only when asked,
     by a thread started once the copy proves to be more than a few
     small files (progress_watch).  */
  if (p->draw)
    start_thread (p);
  return p;
}

/* Make sure SIGUSR1 is answered while the copy goes on; see
   progress.h.  The counters are the first member of struct progress.  */
void
progress_watch (struct progress_counts *c)
{
  if (c)
    start_thread ((struct progress *) ((char *) c
                                       - offsetof (struct progress,
                                                   counts)));
}

/* P's thread never ran: if a SIGUSR1 came all the same, it is pending
   (blocked in every thread); take it and print its line.  */
static void
answer_pending (struct progress *p)
{
  sigset_t usr1, pending;
  sigemptyset (&usr1);
  sigaddset (&usr1, SIGUSR1);
  struct timespec now = { 0, 0 };
  if (sigpending (&pending) == 0 && sigismember (&pending, SIGUSR1)
      && sigtimedwait (&usr1, NULL, &now) == SIGUSR1 && !p->usr1_ignored)
    show (p, false);
}

/* The counters; see progress.h.  */
struct progress_counts *
progress_counts (struct progress *p)
{
  return &p->counts;
}

/* Stop watching; see progress.h.  */
void
progress_end (struct progress *p, bool interrupted)
{
  if (__atomic_load_n (&p->started, __ATOMIC_ACQUIRE))
    {
      __atomic_store_n (&p->stopping, true, __ATOMIC_RELEASE);
      pthread_kill (p->thread, SIGUSR1);
      pthread_join (p->thread, NULL);
    }
  else if (!interrupted)
    answer_pending (p);
  if (p->draw)
    {
      char line[LINE_MAX_BYTES];
      diag_lock ();
      if (interrupted)
        diag_status_clear_locked ();
      else
        {
          format_status (p, true, line);
          if (p->tty)
            {
              fit_terminal (line);
              diag_status_locked (line);
              diag_status_keep_locked ();
            }
          else
            diag_status_note_locked (line);
        }
      diag_unlock ();
    }
  free (p);
}
