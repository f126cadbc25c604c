/* SPDX-License-Identifier: GPL-3.0-or-later */
/* frontend.c -- signal handling shared by the programs' main functions.  */

#include "system.h"

#include <signal.h>

#include "frontend.h"

/* Set by the handler.  A signal handler can reach nothing but
   file-scope state; this is the one such variable, and the engine sees
   it only through the pointer below.  */
static sig_atomic_t volatile caught_signal;

sig_atomic_t volatile const *const frontend_stop = &caught_signal;

static void
on_signal (int sig)
{
  caught_signal = sig;
}

/* Install on_signal; see frontend.h.  No SA_RESTART: a blocked read
   returns EINTR and the engine notices the flag.  */
void
frontend_catch_signals (void)
{
  static int const sigs[] = { SIGINT, SIGTERM, SIGHUP };
  struct sigaction act = { .sa_handler = on_signal };
  sigemptyset (&act.sa_mask);
  for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
    {
      struct sigaction old;
      if (sigaction (sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
        sigaction (sigs[i], &act, NULL);
    }
}

/* Die of the caught signal, if any; see frontend.h.  */
void
frontend_exit_if_signalled (void)
{
  int sig = caught_signal;
  if (!sig)
    return;
  signal (sig, SIG_DFL);
  raise (sig);
  _exit (128 + sig);
}
