/* SPDX-License-Identifier: GPL-3.0-or-later */
/* frontend.h -- what the programs' main functions share: signals.  */

#ifndef FRONTEND_H
#define FRONTEND_H

#include <signal.h>

/* Non-zero once SIGINT, SIGTERM or SIGHUP arrived: the copy engine stops
   between chunks (struct copy_options.stop points here).  */
extern sig_atomic_t volatile const *const frontend_stop;

/* Catch SIGINT, SIGTERM and SIGHUP (unless ignored, as under nohup), so
   that a copy can stop cleanly and remove what it left incomplete.  */
void frontend_catch_signals (void);

/* If a signal was caught, die of it now, as its default action would
   have made us.  */
void frontend_exit_if_signalled (void);

#endif /* FRONTEND_H */
