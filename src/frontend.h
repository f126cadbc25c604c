/* SPDX-License-Identifier: GPL-3.0-or-later */
/* frontend.h -- what the programs' main functions share: start-up,
   help text pieces, backups, signals.  */

#ifndef FRONTEND_H
#define FRONTEND_H

#include <signal.h>

#include "copy-options.h"

/* Set up the program name (argv[0], as GNU does), the locale, the
   message catalogue, and the check of stdout at exit.  */
void frontend_init (char const *argv0);

/* After a usage error: the "Try 'PROG --help'" line, then exit 1.  */
_Noreturn void frontend_try_help (void);

/* Print the --help paragraph about backup suffixes and control.  */
void frontend_help_backups (void);

/* What -b, --backup[=CONTROL] and -S SUFFIX said.  */
struct frontend_backup
{
  bool make;                    /* any of them was given */
  char const *control;          /* CONTROL, or NULL */
  char const *suffix;           /* SUFFIX, or NULL */
};

/* Take option C into *B if it is -b, -S, or BACKUP_OPTION (the
   program's code for --backup).  Return false if it is none of them.  */
bool frontend_backup_option (int c, int backup_option,
                             struct frontend_backup *b);

/* The backup type -b/--backup[=CONTROL] (CONTROL may be NULL) and -S
   SUFFIX (may be NULL) ask for, as GNU's tools decide it.  */
int frontend_backup_type (char const *control, char const *suffix);

/* Non-zero once SIGINT, SIGTERM or SIGHUP arrived: the copy engine stops
   between entries and between chunks, and what it had not finished counts
   as failed (struct copy_options.stop points here).  */
extern sig_atomic_t volatile const *const frontend_stop;

/* The signal sent to the workers after a stop (copy-options.h): SIGURG,
   ignored by default and sent by nothing a copy does.  */
#define FRONTEND_WAKE_SIGNAL SIGURG

/* Catch SIGINT, SIGTERM and SIGHUP (unless ignored, as under nohup), so
   that a copy can stop cleanly and remove what it left incomplete.  Only
   the first is caught: a second one kills the program at once.  Also
   give FRONTEND_WAKE_SIGNAL a handler that only interrupts.  */
void frontend_catch_signals (void);

/* The --update[=WHEN] of cp and mv: WHEN (all, none, none-fail, older;
   NULL means older), or exit with GNU's argmatch message.  Returns an
   enum update_mode.  */
int frontend_update_mode (char const *when);

/* Check the operand counts of cp and mv as GNU does, in its order: FILES
   (N of them), -t DIR (TARGET_DIR, or NULL), -T (NO_TARGET_DIR).  Exit
   with GNU's message and status on a usage error.  */
void frontend_check_operands (char **files, int n, char const *target_dir,
                              bool no_target_dir);

/* Fill in what OPT takes from the process rather than the options: the
   umask, the effective ids and whether they may give files away, whether
   POSIXLY_CORRECT is set, and the stop flag.  Read once, here, so that
   the engine reads no environment.  */
void frontend_process (struct copy_options *opt);

/* For -t ARG: set *TARGET to ARG, or exit if a target was given
   already ("multiple target directories specified").  */
void frontend_set_target (char const **target, char const *arg);

/* Exit with GNU's message for the target NAME that cannot be used
   (ERR): "target directory NAME" when DIRECTORY (named by -t, or opened
   as one), else "target NAME".  */
_Noreturn void frontend_bad_target (int err, char const *name,
                                    bool directory);

/* Exit after a usage error about operands: "missing file operand" (AFTER
   NULL) or "missing destination file operand after AFTER".  */
_Noreturn void frontend_missing_operand (char const *after);

/* Exit after the usage error "extra operand NAME".  */
_Noreturn void frontend_extra_operand (char const *name);

/* If a signal was caught, die of it now, as its default action would
   have made us.  */
void frontend_exit_if_signalled (void);

#endif /* FRONTEND_H */
