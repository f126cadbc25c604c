/* SPDX-License-Identifier: GPL-3.0-or-later */
/* frontend.c -- what the programs' main functions share: start-up, help
   text pieces, backups, signal handling.  */

#include "system.h"

#include <getopt.h>

#include <locale.h>
#include <signal.h>
#include <sys/resource.h>

#include "argmatch.h"
#include "backupfile.h"
#include "closeout.h"
#include "copy-options.h"
#include "error.h"
#include "frontend.h"
#include "progname.h"

static char const *const update_args[] =
  { "all", "none", "none-fail", "older", NULL };
static enum update_mode const update_vals[] =
  { UPDATE_ALL, UPDATE_NONE, UPDATE_NONE_FAIL, UPDATE_OLDER };
ARGMATCH_VERIFY (update_args, update_vals);

/* The --update mode; see frontend.h.  */
int
frontend_update_mode (char const *when)
{
  return (when ? XARGMATCH ("--update", when, update_args, update_vals)
          : UPDATE_OLDER);
}

/* The operand checks of cp and mv; see frontend.h.  */
void
frontend_check_operands (char **files, int n, char const *target_dir,
                         bool no_target_dir)
{
  if (n <= !target_dir)
    frontend_missing_operand (n <= 0 ? NULL : files[0]);
  if (no_target_dir)
    {
      if (target_dir)
        error (EXIT_FAILURE, 0, _("cannot combine --target-directory (-t) "
                                  "and --no-target-directory (-T)"));
      if (2 < n)
        frontend_extra_operand (files[2]);
    }
}

/* -t; see frontend.h.  */
void
frontend_set_target (char const **target, char const *arg)
{
  if (*target)
    error (EXIT_FAILURE, 0, _("multiple target directories specified"));
  *target = arg;
}

/* A target that cannot be used; see frontend.h.  */
void
frontend_bad_target (int err, char const *name, bool directory)
{
  error (EXIT_FAILURE, err,
         directory ? _("target directory %s") : _("target %s"),
         quoteaf (name));
  abort ();
}

/* A missing operand; see frontend.h.  */
void
frontend_missing_operand (char const *after)
{
  if (after)
    error (0, 0, _("missing destination file operand after %s"),
           quoteaf (after));
  else
    error (0, 0, _("missing file operand"));
  frontend_try_help ();
}

/* An operand too many; see frontend.h.  */
void
frontend_extra_operand (char const *name)
{
  error (0, 0, _("extra operand %s"), quoteaf (name));
  frontend_try_help ();
}

/* Start up; see frontend.h.  */
void
frontend_init (char const *argv0)
{
  set_program_name (argv0);
  setlocale (LC_ALL, "");
  bindtextdomain (PACKAGE, LOCALEDIR);
  textdomain (PACKAGE);
  atexit (close_stdout);

  /* A tree walk holds two descriptors per directory level that is not
     finished yet (and the workers a few more): let a deep tree have
     what the hard limit allows rather than stop at 1024.  */
  struct rlimit rl;
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max)
    {
      rl.rlim_cur = rl.rlim_max;
      setrlimit (RLIMIT_NOFILE, &rl);
    }
}

/* The usage-error tail; see frontend.h.  */
void
frontend_try_help (void)
{
  fprintf (stderr, _("Try '%s --help' for more information.\n"),
           program_name);
  exit (EXIT_FAILURE);
}

/* The backup paragraph of --help; see frontend.h.  */
void
frontend_help_backups (void)
{
  fputs (_("\
\n\
With --backup or -b, the kind of backup is CONTROL, or else the value of\n\
the VERSION_CONTROL environment variable:\n\
  none, off       no backups, even with --backup\n\
  numbered, t     numbered backups: NAME.~1~, NAME.~2~ and so on\n\
  existing, nil   numbered where numbered backups exist already, else simple\n\
  simple, never   simple backups: NAME followed by the suffix\n\
When neither names a method, existing is used.  The suffix is SUFFIX given\n\
with --suffix, else the SIMPLE_BACKUP_SUFFIX environment variable, else '~'.\n\
"), stdout);
}

/* A backup option; see frontend.h.  */
bool
frontend_backup_option (int c, int backup_option, struct frontend_backup *b)
{
  if (c == 'S')
    b->suffix = optarg;
  else if (c == backup_option)
    b->control = optarg ? optarg : b->control;
  else if (c != 'b')
    return false;
  b->make = true;
  return true;
}

/* The backup type asked for; see frontend.h.  */
int
frontend_backup_type (char const *control, char const *suffix)
{
  /* Always: the suffix is also read by the rule that a source must not
     be its destination's backup.  NULL takes SIMPLE_BACKUP_SUFFIX or
     "~".  */
  set_simple_backup_suffix (suffix);
  return xget_version (_("backup type"),
                       control ? control : getenv ("VERSION_CONTROL"));
}

/* Set by the handler.  A signal handler can reach nothing but
   file-scope state; this is the one such variable, and the engine sees
   it only through the pointer below.  */
static sig_atomic_t volatile caught_signal;

sig_atomic_t volatile const *const frontend_stop = &caught_signal;

/* The signals that ask for a clean stop, and which of them are caught
   (not those found ignored); set before the handler is installed.  */
static int const stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
enum { N_STOP_SIGNALS = sizeof stop_signals / sizeof *stop_signals };
static bool stop_caught[N_STOP_SIGNALS];

/* The first of them asks the engine to stop; from then on the caught
   ones have their default action again, so that a second signal kills at
   once whatever the program is doing (finishing the removal of a moved
   source, say).  sigaction is async-signal-safe.  */
static void
on_signal (int sig)
{
  caught_signal = sig;
  struct sigaction dfl = { .sa_handler = SIG_DFL };
  sigemptyset (&dfl.sa_mask);
  for (int i = 0; i < N_STOP_SIGNALS; i++)
    if (stop_caught[i])
      sigaction (stop_signals[i], &dfl, NULL);
}

/* The workers' wake-up call (see copy-options.h): interrupt, nothing
   more.  */
static void
on_wake (int sig)
{
  (void) sig;
}

/* Install on_signal; see frontend.h.  No SA_RESTART: a blocked read
   returns EINTR and the engine notices the flag.  The stop signals are
   blocked while it runs: one that comes meanwhile is delivered after it,
   with the default action.  A signal that is ignored (nohup) stays
   ignored.  */
void
frontend_catch_signals (void)
{
  struct sigaction act = { .sa_handler = on_signal };
  sigemptyset (&act.sa_mask);
  for (int i = 0; i < N_STOP_SIGNALS; i++)
    sigaddset (&act.sa_mask, stop_signals[i]);
  for (int i = 0; i < N_STOP_SIGNALS; i++)
    {
      struct sigaction old;
      stop_caught[i] = (sigaction (stop_signals[i], NULL, &old) == 0
                        && old.sa_handler != SIG_IGN);
      if (stop_caught[i])
        sigaction (stop_signals[i], &act, NULL);
    }
  struct sigaction wake = { .sa_handler = on_wake };
  sigemptyset (&wake.sa_mask);
  sigaction (FRONTEND_WAKE_SIGNAL, &wake, NULL);
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

/* What the process says; see frontend.h.  */
void
frontend_process (struct copy_options *opt)
{
  mode_t mask = umask (0);
  umask (mask);
  opt->umask = mask;
  opt->euid = geteuid ();
  opt->egid = getegid ();
  opt->chown_privileges = opt->euid == 0;
  opt->posixly_correct = getenv ("POSIXLY_CORRECT") != NULL;
  opt->stop = frontend_stop;
  opt->wake_signal = FRONTEND_WAKE_SIGNAL;
}
