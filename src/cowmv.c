/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cowmv -- move (rename) files, as GNU mv does; across filesystems and
   btrfs subvolumes the data is cloned where possible, and the source is
   removed only once its copy is complete and in place.  */

#include "system.h"

#include <getopt.h>
#include <locale.h>

#include "argmatch.h"
#include "backupfile.h"
#include "closeout.h"
#include "copy-move.h"
#include "diag.h"
#include "dirname.h"
#include "dry-run.h"
#include "error.h"
#include "frontend.h"
#include "progname.h"
#include "progress.h"
#include "version-etc.h"

#define PROGRAM_NAME "cowmv"
#define AUTHORS "the cowutils authors"

enum
{
  BACKUP_OPTION = CHAR_MAX + 1,
  CONTEXT_OPTION,
  DEBUG_OPTION,
  DRY_RUN_OPTION,
  EXCHANGE_OPTION,
  HELP_OPTION,
  NO_COPY_OPTION,
  PROGRESS_OPTION,
  STRIP_TRAILING_SLASHES_OPTION,
  UPDATE_OPTION,
  VERSION_OPTION
};

static struct option const long_options[] = {
  {"backup", optional_argument, NULL, BACKUP_OPTION},
  {"context", no_argument, NULL, 'Z'},
  {"debug", no_argument, NULL, DEBUG_OPTION},
  {"dry-run", no_argument, NULL, DRY_RUN_OPTION},
  {"exchange", no_argument, NULL, EXCHANGE_OPTION},
  {"force", no_argument, NULL, 'f'},
  {"interactive", no_argument, NULL, 'i'},
  {"no-clobber", no_argument, NULL, 'n'},
  {"no-copy", no_argument, NULL, NO_COPY_OPTION},
  {"progress", optional_argument, NULL, PROGRESS_OPTION},
  {"no-target-directory", no_argument, NULL, 'T'},
  {"strip-trailing-slashes", no_argument, NULL,
   STRIP_TRAILING_SLASHES_OPTION},
  {"suffix", required_argument, NULL, 'S'},
  {"target-directory", required_argument, NULL, 't'},
  {"update", optional_argument, NULL, UPDATE_OPTION},
  {"verbose", no_argument, NULL, 'v'},
  {"help", no_argument, NULL, HELP_OPTION},
  {"version", no_argument, NULL, VERSION_OPTION},
  {NULL, 0, NULL, 0}
};


/* Print the help text, or the pointer to it when STATUS is not
   EXIT_SUCCESS, and exit with STATUS.  */
void
usage (int status)
{
  if (status != EXIT_SUCCESS)
    frontend_try_help ();
  printf (_("\
Usage: %s [OPTION]... [-T] SOURCE DEST\n\
  or:  %s [OPTION]... SOURCE... DIRECTORY\n\
  or:  %s [OPTION]... -t DIRECTORY SOURCE...\n"),
          program_name, program_name, program_name);
  fputs (_("\
Rename SOURCE to DEST, or move each SOURCE into DIRECTORY.  Where a rename\n\
is not possible (another filesystem, another btrfs subvolume), the source\n\
is copied, sharing its data where the filesystems can, with all of its\n\
attributes and hard links, and removed only once the copy is complete and\n\
in place.\n\
"), stdout);
  fputs (_("\
\n\
Mandatory arguments to long options are mandatory for short options too.\n\
"), stdout);
  fputs (_("\
      --backup[=CONTROL]       back up each existing destination file\n\
  -b                           like --backup, but takes no argument\n\
      --debug                  say how each copied file's data was moved;\n\
                                 implies -v\n\
      --dry-run                change nothing: say whether each file would\n\
                                 be renamed, or cloned or copied and its\n\
                                 source removed (with -v, one line per\n\
                                 entry on stdout), then a summary\n\
      --exchange               swap SOURCE and DEST atomically (both must\n\
                                 exist)\n\
  -f, --force                  do not ask before overwriting\n\
  -g, --progress[=WHEN]        show a status line on stderr while copying\n\
                                 across filesystems; WHEN is auto (the\n\
                                 default: only when stderr is a terminal),\n\
                                 always or never\n\
  -i, --interactive            ask before overwriting\n\
  -n, --no-clobber             do not overwrite an existing file\n\
      --no-copy                fail rather than copy when a rename is not\n\
                                 possible\n\
      --strip-trailing-slashes  remove trailing slashes from each SOURCE\n\
  -S, --suffix=SUFFIX          the backup suffix, instead of the usual one\n\
"), stdout);
  fputs (_("\
  -t, --target-directory=DIRECTORY  move every SOURCE into DIRECTORY\n\
  -T, --no-target-directory    treat DEST as a normal file\n\
      --update[=UPDATE]        which existing destination files to replace:\n\
                                 all (the default without the option), none,\n\
                                 none-fail, or older (the default with the\n\
                                 option)\n\
  -u                           same as --update[=older]\n\
  -v, --verbose                say what is being done\n\
  -Z, --context                SELinux context of the destination (ignored\n\
                                 without SELinux)\n\
"), stdout);
  fputs (_("\
      --help                   show this help, then exit\n\
      --version                show version and license, then exit\n\
"), stdout);
  fputs (_("\
\n\
If more than one of -i, -f, -n is given, the last one counts.\n\
"), stdout);
  frontend_help_backups ();
  fputs (_("\
\n\
Across filesystems the copy is built beside its final name NAME, as\n\
.NAME.cowmv-XXXXXX.  SIGINT, SIGTERM or SIGHUP before the copy is in\n\
place abandons the move: the copy is removed and SOURCE left as it was.\n\
After that, SOURCE is still removed before the program dies of the\n\
signal; a second signal kills it at once.  A copy left by a move that\n\
could not clean up (killed by SIGKILL, say) is named in a warning by the\n\
next move to NAME, and left for you to remove: it might belong to a move\n\
still running.\n\
"), stdout);
  exit (status);
}

/* What the command line says besides the settings of a move.  */
struct mv_command
{
  char const *target_dir;
  bool no_target_dir;
  struct frontend_backup backup;
  bool strip;
  enum progress_when progress;
};

/* Apply option C to OPT and CMD.  Exit on --help, --version or a bad
   option.  */
static void
parse_option (int c, struct move_settings *opt, struct mv_command *cmd)
{
  if (frontend_backup_option (c, BACKUP_OPTION, &cmd->backup))
    return;
  switch (c)
    {
    case DEBUG_OPTION:
      opt->debug = opt->verbose = true;
      break;
    case DRY_RUN_OPTION:
      opt->dry_run = true;
      break;
    case EXCHANGE_OPTION:
      opt->exchange = true;
      break;
    case 'f':
      opt->interactive = I_ALWAYS_YES;
      break;
    case 'i':
      opt->interactive = I_ASK_USER;
      break;
    case 'n':
      opt->interactive = I_ALWAYS_SKIP;
      break;
    case NO_COPY_OPTION:
      opt->no_copy = true;
      break;
    case STRIP_TRAILING_SLASHES_OPTION:
      cmd->strip = true;
      break;
    case 't':
      frontend_set_target (&cmd->target_dir, optarg);
      break;
    case 'T':
      cmd->no_target_dir = true;
      break;
    case 'u':
      opt->update = UPDATE_OLDER;
      break;
    case UPDATE_OPTION:
      opt->update = frontend_update_mode (optarg);
      break;
    case 'v':
      opt->verbose = true;
      break;
    case 'g':
    case PROGRESS_OPTION:
      cmd->progress = progress_when_arg (optarg);
      break;
    case 'Z':
      /* Without SELinux GNU mv ignores it.  */
      break;
    case HELP_OPTION:
      usage (EXIT_SUCCESS);
    case VERSION_OPTION:
      version_etc (stdout, PROGRAM_NAME, PACKAGE_NAME, PACKAGE_VERSION,
                   AUTHORS, (char *) NULL);
      exit (EXIT_SUCCESS);
    default:
      usage (EXIT_FAILURE);
    }
}

/* Strip the trailing slashes of the N FILES when CMD asks.  */
static void
strip_slashes (struct mv_command const *cmd, char **files, int n)
{
  if (cmd->strip)
    for (int i = 0; i < n; i++)
      strip_trailing_slashes (files[i]);
}

/* Move the N FILES into directory DIR.  */
static bool
into_dir (struct move_run *run, char **files, int n, char const *dir)
{
  int dirfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    frontend_bad_target (errno, dir, true);
  bool ok = copy_move_into_dir (run, files, n, dir, dirfd);
  close (dirfd);
  return ok;
}

/* Move the N FILES (the last the destination, unless CMD names a target
   directory), as GNU mv reads its operands.  */
static bool
move_operands (struct move_run *run, struct mv_command const *cmd,
               char **files, int n)
{
  if (cmd->target_dir)
    {
      struct stat st;
      if (stat (cmd->target_dir, &st) != 0)
        frontend_bad_target (errno, cmd->target_dir, true);
      if (!S_ISDIR (st.st_mode))
        frontend_bad_target (ENOTDIR, cmd->target_dir, true);
      strip_slashes (cmd, files, n);
      return into_dir (run, files, n, cmd->target_dir);
    }
  if (cmd->no_target_dir)
    {
      strip_slashes (cmd, files, 1);
      return copy_move_one (run, files[0], AT_FDCWD, NULL, files[1],
                            files[1], -1);
    }
  /* Two operands: the rename that replaces nothing first, as GNU mv
     does; only when it fails is DEST looked at as a directory.  */
  char const *last = files[n - 1];
  int rename_errno = -1;
  if (n == 2 && !run->opt->exchange && !run->opt->dry_run)
    {
      if (renameat2 (AT_FDCWD, files[0], AT_FDCWD, last,
                     RENAME_NOREPLACE) == 0)
        {
          /* Said of the source as it is named after the stripping.  */
          strip_slashes (cmd, files, 1);
          if (run->opt->verbose)
            copy_move_say_renamed (files[0], last, NULL);
          return true;
        }
      rename_errno = errno;
    }
  struct stat st;
  int err = (stat (last, &st) == 0
             ? (S_ISDIR (st.st_mode) ? 0 : ENOTDIR) : errno);
  strip_slashes (cmd, files, n);
  if (err == 0)
    return into_dir (run, files, n - 1, last);
  if (2 < n)
    frontend_bad_target (err, last, false);
  return copy_move_one (run, files[0], AT_FDCWD, NULL, last, last,
                        rename_errno);
}

int
main (int argc, char **argv)
{
  struct move_settings opt = { .interactive = I_UNSPECIFIED,
                               .update = UPDATE_ALL, .backup = no_backups };
  struct mv_command cmd = { .progress = PROGRESS_NEVER };
  int c;

  frontend_init (argv[0]);
  while ((c = getopt_long (argc, argv, "bfgint:uvS:TZ", long_options, NULL))
         != -1)
    parse_option (c, &opt, &cmd);
  if (opt.interactive == I_ALWAYS_SKIP)
    opt.update = UPDATE_NONE;
  if (cmd.backup.make
      && (opt.exchange || opt.update == UPDATE_NONE
          || opt.update == UPDATE_NONE_FAIL))
    {
      error (0, 0, _("cannot combine --backup with --exchange, -n, or "
                     "--update=none-fail"));
      usage (EXIT_FAILURE);
    }
  if (cmd.backup.make)
    opt.backup = frontend_backup_type (cmd.backup.control, cmd.backup.suffix);

  char **files = argv + optind;
  int n = argc - optind;
  frontend_check_operands (files, n, cmd.target_dir, cmd.no_target_dir);

  struct copy_options copy;
  copy_move_options (&copy, &opt);
  frontend_process (&copy);
  /* Before the workers start: they inherit the signal mask.  */
  struct progress *progress
    = progress_start (cmd.progress, cmd.target_dir ? n : n - 1);
  copy.progress = progress_counts (progress);
  struct move_run run;
  copy_move_init (&run, &opt, &copy, cmd.target_dir ? 1 < n : 2 < n);
  frontend_catch_signals ();
  bool ok = move_operands (&run, &cmd, files, n);
  if (run.engine.dry)
    dry_run_summary (run.engine.dry, error_message_count);
  copy_move_free (&run);
  progress_end (progress, *frontend_stop != 0);
  frontend_exit_if_signalled ();
  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
