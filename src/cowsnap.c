/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cowsnap -- read-only reflink snapshots of files and trees, kept in a
   .snapshot namespace (snap-space.h): make, list, restore, compare,
   delete, prune and schedule them.  This front-end reads the command
   line and writes the systemd units; snap-make.c and snap-look.c do
   the rest.  */

#include "system.h"

#include <getopt.h>
#include <limits.h>

#include "c-ctype.h"
#include "copy-tree.h"
#include "canonicalize.h"
#include "diag.h"
#include "dirname.h"
#include "error.h"
#include "filenamecat.h"
#include "frontend.h"
#include "progname.h"
#include "snap-retain.h"
#include "snap-run.h"
#include "snap-schedule.h"
#include "snap-space.h"
#include "version-etc.h"
#include "xalloc.h"
#include "xvasprintf.h"

#define PROGRAM_NAME "cowsnap"
#define AUTHORS "the cowutils authors"


static char const *const command_names[] = {
  "create", "list", "restore", "delete", "prune", "schedule", "diff"
};

enum
{
  COPY_OPTION = CHAR_MAX + 1,
  DAILY_OPTION,
  DEBUG_OPTION,
  DIR_OPTION,
  DRY_RUN_OPTION,
  HOURLY_OPTION,
  IF_CHANGED_OPTION,
  JSON_OPTION,
  KEEP_LAST_OPTION,
  KEEP_HOURLY_OPTION,
  KEEP_DAILY_OPTION,
  KEEP_WEEKLY_OPTION,
  KEEP_MONTHLY_OPTION,
  KEEP_YEARLY_OPTION,
  MIN_AGE_OPTION,
  NAME_OPTION,
  NO_KEEP_OPTION,
  PRINT_OPTION,
  REMOVE_OPTION,
  STRICT_OPTION,
  TO_OPTION,
  UNIT_DIR_OPTION,
  WEEKLY_OPTION,
  HELP_OPTION,
  VERSION_OPTION
};

static struct option const long_options[] = {
  {"copy", no_argument, NULL, COPY_OPTION},
  {"daily", no_argument, NULL, DAILY_OPTION},
  {"debug", no_argument, NULL, DEBUG_OPTION},
  {"dir", required_argument, NULL, DIR_OPTION},
  {"dry-run", no_argument, NULL, DRY_RUN_OPTION},
  {"hourly", no_argument, NULL, HOURLY_OPTION},
  {"human-readable", no_argument, NULL, 'h'},
  {"if-changed", no_argument, NULL, IF_CHANGED_OPTION},
  {"json", no_argument, NULL, JSON_OPTION},
  {"keep-last", required_argument, NULL, KEEP_LAST_OPTION},
  {"keep-hourly", required_argument, NULL, KEEP_HOURLY_OPTION},
  {"keep-daily", required_argument, NULL, KEEP_DAILY_OPTION},
  {"keep-weekly", required_argument, NULL, KEEP_WEEKLY_OPTION},
  {"keep-monthly", required_argument, NULL, KEEP_MONTHLY_OPTION},
  {"keep-yearly", required_argument, NULL, KEEP_YEARLY_OPTION},
  {"min-age", required_argument, NULL, MIN_AGE_OPTION},
  {"name", required_argument, NULL, NAME_OPTION},
  {"no-keep", no_argument, NULL, NO_KEEP_OPTION},
  {"print", no_argument, NULL, PRINT_OPTION},
  {"remove", no_argument, NULL, REMOVE_OPTION},
  {"strict", no_argument, NULL, STRICT_OPTION},
  {"to", required_argument, NULL, TO_OPTION},
  {"unit-dir", required_argument, NULL, UNIT_DIR_OPTION},
  {"weekly", no_argument, NULL, WEEKLY_OPTION},
  {"verbose", no_argument, NULL, 'v'},
  {"help", no_argument, NULL, HELP_OPTION},
  {"version", no_argument, NULL, VERSION_OPTION},
  {NULL, 0, NULL, 0}
};

/* The commands each option applies to, as bits (1 << enum command).  */
#define FOR(c) (1u << (c))
#define FOR_ALL ((1u << CMD_COUNT) - 1)

static struct
{
  int option;
  unsigned commands;
} const option_commands[] = {
#define KEEPING (FOR (CMD_PRUNE) | FOR (CMD_SCHEDULE))
  { COPY_OPTION, FOR (CMD_CREATE) },
  { DAILY_OPTION, FOR (CMD_SCHEDULE) },
  { DEBUG_OPTION, FOR (CMD_CREATE) | FOR (CMD_DIFF) },
  { DIR_OPTION, (FOR (CMD_CREATE) | FOR (CMD_LIST) | FOR (CMD_RESTORE)
                 | FOR (CMD_PRUNE) | FOR (CMD_DIFF)) },
  { JSON_OPTION, FOR (CMD_LIST) },
  { 'h', FOR (CMD_LIST) },
  { DRY_RUN_OPTION, FOR (CMD_PRUNE) },
  { HOURLY_OPTION, FOR (CMD_SCHEDULE) },
  { IF_CHANGED_OPTION, FOR (CMD_CREATE) | FOR (CMD_SCHEDULE) },
  { KEEP_LAST_OPTION, KEEPING },
  { KEEP_HOURLY_OPTION, KEEPING },
  { KEEP_DAILY_OPTION, KEEPING },
  { KEEP_WEEKLY_OPTION, KEEPING },
  { KEEP_MONTHLY_OPTION, KEEPING },
  { KEEP_YEARLY_OPTION, KEEPING },
  { MIN_AGE_OPTION, KEEPING },
  { NAME_OPTION, FOR (CMD_CREATE) },
  { NO_KEEP_OPTION, FOR (CMD_RESTORE) },
  { PRINT_OPTION, FOR (CMD_SCHEDULE) },
  { REMOVE_OPTION, FOR (CMD_SCHEDULE) },
  { STRICT_OPTION, FOR (CMD_CREATE) },
  { TO_OPTION, FOR (CMD_RESTORE) },
  { UNIT_DIR_OPTION, FOR (CMD_SCHEDULE) },
  { WEEKLY_OPTION, FOR (CMD_SCHEDULE) },
  { 'v', FOR_ALL },
};



/* Print the help text and exit with STATUS.  */
void
usage (int status)
{
  if (status != EXIT_SUCCESS)
    frontend_try_help ();
  printf (_("\
Usage: %s [OPTION]... PATH...\n\
  or:  %s [OPTION]... PATH NAME\n\
  or:  %s list [OPTION]... [PATH]...\n\
  or:  %s diff [OPTION]... PATH [SNAPSHOT [SNAPSHOT2]]\n\
  or:  %s restore [OPTION]... PATH [SNAPSHOT]\n\
  or:  %s delete [OPTION]... SNAPSHOT...\n\
  or:  %s prune [OPTION]... PATH...\n\
  or:  %s schedule [OPTION]... PATH\n"),
          program_name, program_name, program_name, program_name,
          program_name, program_name, program_name, program_name);
  fputs (_("\
Make read-only snapshots of files and directory trees that share their\n\
data with the original (reflinks), in the .snapshot directory at the root\n\
of the filesystem or btrfs subvolume that holds them, and manage them.\n\
"), stdout);
  fputs (_("\
\n\
The snapshot of ROOT/a/f is ROOT/.snapshot/a/f.STAMP, STAMP being the UTC\n\
time as YYYY-MM-DDTHHMMSS.uuuuuuZ, or ROOT/.snapshot/a/f.NAME when a NAME\n\
(no '.' and no '/') is given as a second operand that is not an existing\n\
file, or with --name.  Symbolic links in PATH are followed.  A SNAPSHOT\n\
operand is a STAMP or a NAME of PATH's snapshots, or a file name.\n\
"), stdout);
  fputs (_("\
\n\
Mandatory arguments to long options are mandatory for short options too.\n\
"), stdout);
  fputs (_("\
\n\
Making snapshots:\n\
      --copy                 where the filesystem cannot share data (ext4,\n\
                               tmpfs), copy it instead of failing\n\
      --debug                say which backend makes the snapshot; with\n\
                               diff, what was read and what was not\n\
      --dir=DIR              keep snapshots in DIR, on the same filesystem,\n\
                               instead of ROOT/.snapshot (also for list,\n\
                               diff, restore and prune)\n\
      --if-changed           make none when nothing changed since the\n\
                               newest snapshot\n\
      --name=NAME            call the snapshot PATH.NAME\n\
      --strict               when a file keeps changing while it is cloned,\n\
                               fail and remove the whole snapshot\n\
  -v, --verbose              say what is made, kept or removed\n\
"), stdout);
  fputs (_("\
\n\
list shows PATH's snapshots (all those of the working directory's\n\
filesystem without PATH): name, time, size, and the bytes only that\n\
snapshot holds (what deleting it would free):\n\
  -h, --human-readable       sizes in powers of 1024 (e.g. 4.0M)\n\
      --json                 one JSON array, for scripts\n\
"), stdout);
  fputs (_("\
\n\
diff prints what changed from SNAPSHOT (the newest by default) to PATH,\n\
or to SNAPSHOT2: for a tree one line per entry, 'SPUGMXA PATH', S being\n\
+ (added), - (removed), t (type), c (content) or ., then p (mode), u\n\
(owner), g (group), m (modification time), x (xattrs), a (ACLs) or .\n\
for each; for a file the byte ranges that differ, as OFFSET+LENGTH.\n\
What both sides share on disk is never read.\n\
"), stdout);
  fputs (_("\
\n\
restore puts SNAPSHOT (the newest by default) back in place of PATH by\n\
cloning, atomically, and keeps what it replaces as the snapshot\n\
PATH.pre-restore:\n\
      --no-keep              do not keep what is replaced\n\
      --to=DEST              restore to DEST instead, which must not exist\n\
"), stdout);
  fputs (_("\
\n\
delete removes snapshots; it refuses anything that is not inside a\n\
snapshot namespace that cowsnap made.\n\
"), stdout);
  fputs (_("\
\n\
prune deletes the stamped snapshots of PATH that no rule keeps (named\n\
ones are never pruned, the newest never deleted); a rule keeps the first\n\
snapshot of each of the N latest hours, days, ISO weeks, months or years\n\
that have one, in local time:\n\
      --keep-last=N          the N newest\n\
      --keep-hourly=N        the first of each of the N latest hours\n\
      --keep-daily=N         ... days\n\
      --keep-weekly=N        ... ISO weeks\n\
      --keep-monthly=N       ... months\n\
      --keep-yearly=N        ... years\n\
      --min-age=DURATION     none younger than DURATION (e.g. 90m, 1d12h)\n\
      --dry-run              say what would be deleted, delete nothing\n\
"), stdout);
  fputs (_("\
\n\
schedule writes a systemd timer and service that snapshot PATH and then\n\
prune with the --keep and --min-age options given, and enables them:\n\
      --hourly               every hour\n\
      --daily                every day\n\
      --weekly               every week\n\
      --if-changed           skip the snapshot when nothing changed\n\
      --print                print the units instead\n\
      --remove               disable and remove them\n\
      --unit-dir=DIR         write them in DIR, not /etc/systemd/system\n\
"), stdout);
  fputs (_("\
\n\
      --help        display this help and exit\n"), stdout);
  fputs (_("      --version     output version information and exit\n"),
         stdout);
  fputs (_("\
\n\
A snapshot is read-only: as root every file and directory in it is made\n\
immutable (chattr +i); otherwise their write permissions are removed and\n\
each one's own mode is kept in the extended attribute user.cowsnap.mode,\n\
which restore gives back.  A btrfs subvolume is snapshotted natively, at\n\
once and whatever its size.  A file that changed while it was cloned is\n\
cloned again, and reported if it keeps changing.  Exit status is 0 if\n\
all went well, 1 if anything failed.\n\
"), stdout);
  exit (status);
}

/* Take option C of command COMMAND into *OPT.  */
static void
parse_option (int c, struct snap_options *opt)
{
  for (size_t i = 0; i < sizeof option_commands / sizeof *option_commands;
       i++)
    if (option_commands[i].option == c
        && !(option_commands[i].commands & FOR (opt->command)))
      {
        char const *spelt = "verbose";
        for (struct option const *o = long_options; o->name; o++)
          if (o->val == c)
            spelt = o->name;
        char *dashed = xasprintf ("--%s", spelt);
        error (0, 0, _("option %s does not apply to %s"),
               quote_n (0, dashed), quote_n (1, command_names[opt->command]));
        free (dashed);
        frontend_try_help ();
      }
  switch (c)
    {
    case COPY_OPTION:
      opt->copy = true;
      break;
    case DEBUG_OPTION:
      opt->debug = true;
      break;
    case DIR_OPTION:
      opt->dir = optarg;
      break;
    case NAME_OPTION:
      if (!snap_name_valid (optarg))
        error (EXIT_FAILURE, 0, _("invalid snapshot name %s: it must not "
                                  "be empty nor hold '.' or '/'"),
               quote (optarg));
      opt->name = optarg;
      break;
    case NO_KEEP_OPTION:
      opt->no_keep = true;
      break;
    case STRICT_OPTION:
      opt->strict = true;
      break;
    case TO_OPTION:
      opt->to = optarg;
      break;
    case DRY_RUN_OPTION:
      opt->dry_run = true;
      break;
    case JSON_OPTION:
      opt->json = true;
      break;
    case 'h':
      opt->human = true;
      break;
    case IF_CHANGED_OPTION:
      opt->if_changed = true;
      break;
    case HOURLY_OPTION:
    case DAILY_OPTION:
    case WEEKLY_OPTION:
      {
        int period = (c == HOURLY_OPTION ? SNAP_HOURLY
                      : c == DAILY_OPTION ? SNAP_DAILY : SNAP_WEEKLY);
        if (0 <= opt->period && opt->period != period)
          {
            error (0, 0, _("only one of --hourly, --daily and --weekly "
                           "may be given"));
            frontend_try_help ();
          }
        opt->period = period;
      }
      break;
    case KEEP_LAST_OPTION:
    case KEEP_HOURLY_OPTION:
    case KEEP_DAILY_OPTION:
    case KEEP_WEEKLY_OPTION:
    case KEEP_MONTHLY_OPTION:
    case KEEP_YEARLY_OPTION:
      {
        char *end;
        errno = 0;
        unsigned long v = strtoul (optarg, &end, 10);
        if (!c_isdigit (*optarg) || *end || errno || UINT_MAX < v)
          error (EXIT_FAILURE, 0, _("invalid number of snapshots: %s"),
                 quote (optarg));
        unsigned *field[] = { &opt->keep.last, &opt->keep.hourly,
                              &opt->keep.daily, &opt->keep.weekly,
                              &opt->keep.monthly, &opt->keep.yearly };
        *field[c - KEEP_LAST_OPTION] = v;
        opt->have_keep = true;
      }
      break;
    case MIN_AGE_OPTION:
      if (!snap_retain_parse_age (optarg, &opt->keep.min_age))
        error (EXIT_FAILURE, 0, _("invalid duration: %s"), quote (optarg));
      opt->keep.have_min_age = true;
      opt->have_keep = true;
      break;
    case PRINT_OPTION:
      opt->print = true;
      break;
    case REMOVE_OPTION:
      opt->remove = true;
      break;
    case UNIT_DIR_OPTION:
      opt->unit_dir = optarg;
      break;
    case 'v':
      opt->verbose = true;
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

/* The directory cowsnap itself runs from, for the units it writes:
   newly allocated.  */
static char *
own_bindir (void)
{
  char *self = canonicalize_filename_mode ("/proc/self/exe", CAN_EXISTING);
  char *dir = self ? dir_name (self) : xstrdup ("/usr/bin");
  free (self);
  return dir;
}

/* Write, print (--print) or remove (--remove) the systemd units that
   snapshot PATH and prune its snapshots on a schedule.  Return false
   after reporting.  */
static bool
schedule_path (struct snap_run *run, char const *path)
{
  struct snap_options const *opt = run->opt;
  char const *dir = opt->unit_dir ? opt->unit_dir : SNAP_SCHEDULE_DIR;
  char *abs = canonicalize_filename_mode (path, CAN_EXISTING);
  if (!abs)
    {
      diag_error (errno, _("cannot access %s"), quoteaf (path));
      return false;
    }
  bool ok;
  if (opt->remove)
    {
      char *escaped = snap_schedule_escape_path (abs);
      char *name = escaped ? xasprintf ("cowsnap-%s", escaped) : NULL;
      bool found = false;
      bool live = snap_schedule_use_systemctl (dir);
      ok = name != NULL;
      if (ok && live)
        {
          char *timer = xasprintf ("%s.timer", name);
          struct stat st;
          char *file = file_name_concat (dir, timer, NULL);
          if (stat (file, &st) == 0)
            ok = snap_schedule_deactivate (name);
          free (file);
          free (timer);
        }
      ok = ok && snap_schedule_remove (dir, name, &found);
      if (ok && !found)
        {
          diag_error (0, _("%s has no schedule"), quoteaf (path));
          ok = false;
        }
      if (ok && live)
        {
          char const *args[] = { "systemctl", "daemon-reload", NULL };
          ok = snap_schedule_systemctl (args);
        }
      if (ok && opt->verbose)
        diag_line (_("removed the schedule of %s"), quoteaf (path));
      free (name);
      free (escaped);
      free (abs);
      return ok;
    }
  char *bindir = own_bindir ();
  struct snap_units units;
  ok = snap_schedule_render (abs, opt->period, opt->if_changed, &opt->keep,
                             bindir, &units);
  free (bindir);
  if (!ok)
    {
      diag_error (errno, _("cannot schedule snapshots of %s"),
                  quoteaf (path));
      free (abs);
      return false;
    }
  if (opt->print)
    printf ("# %s.timer\n%s\n# %s.service\n%s", units.name, units.timer,
            units.name, units.service);
  else
    {
      ok = snap_schedule_write (dir, &units);
      if (ok && snap_schedule_use_systemctl (dir))
        ok = snap_schedule_activate (units.name);
      if (ok && opt->verbose)
        diag_line (_("scheduled snapshots of %s: %s.timer"), quoteaf (path),
                   units.name);
    }
  snap_schedule_free (&units);
  free (abs);
  return ok;
}

/* Run command OPT->command on the N operands FILES.  */
static bool
run_command (struct snap_run *run, char **files, int n)
{
  struct snap_options const *opt = run->opt;
  bool ok = true;
  switch (opt->command)
    {
    case CMD_CREATE:
      for (int i = 0; i < n && !*frontend_stop; i++)
        ok &= snap_create_path (run, files[i], opt->name);
      break;
    case CMD_RESTORE:
      ok = snap_restore_path (run, files[0], n == 2 ? files[1] : NULL);
      break;
    case CMD_DELETE:
      for (int i = 0; i < n && !*frontend_stop; i++)
        ok &= snap_delete (run, files[i]);
      break;
    case CMD_PRUNE:
      for (int i = 0; i < n && !*frontend_stop; i++)
        ok &= snap_prune_path (run, files[i]);
      break;
    case CMD_SCHEDULE:
      ok = schedule_path (run, files[0]);
      break;
    case CMD_LIST:
      ok = snap_list_paths (run, files, n);
      break;
    case CMD_DIFF:
      ok = snap_diff_path (run, files[0], 1 < n ? files[1] : NULL,
                      2 < n ? files[2] : NULL);
      break;
    default:
      abort ();
    }
  return ok;
}

/* Check the operand counts of the command; a second operand of create
   that names no existing file is the snapshot's name (snapshot FILE
   NAME, as the design of snapshot(8) has it).  */
static void
check_operands (struct snap_options *opt, char **files, int *n)
{
  if (*n == 0 && opt->command != CMD_LIST)
    {
      error (0, 0, opt->command == CMD_DELETE
             ? _("missing snapshot operand") : _("missing file operand"));
      frontend_try_help ();
    }
  struct stat st;
  switch (opt->command)
    {
    case CMD_CREATE:
      if (*n == 2 && !opt->name && snap_name_valid (files[1])
          && lstat (files[1], &st) != 0 && errno == ENOENT)
        {
          opt->name = files[1];
          *n = 1;
        }
      if (opt->name && 1 < *n)
        {
          error (0, 0, _("a snapshot name is for one file only"));
          frontend_try_help ();
        }
      break;
    case CMD_RESTORE:
      if (2 < *n)
        frontend_extra_operand (files[2]);
      break;
    case CMD_DIFF:
      if (3 < *n)
        frontend_extra_operand (files[3]);
      break;
    case CMD_PRUNE:
      if (!opt->have_keep)
        {
          error (0, 0, _("prune needs a retention: --keep-last, "
                         "--keep-hourly, --keep-daily, --keep-weekly, "
                         "--keep-monthly, --keep-yearly or --min-age"));
          frontend_try_help ();
        }
      break;
    case CMD_SCHEDULE:
      if (1 < *n)
        frontend_extra_operand (files[1]);
      if (opt->period < 0 && !opt->remove)
        {
          error (0, 0, _("schedule needs --hourly, --daily or --weekly"));
          frontend_try_help ();
        }
      break;
    default:
      break;
    }
}

int
main (int argc, char **argv)
{
  struct snap_options opt = { .command = CMD_CREATE, .period = -1 };
  frontend_init (argv[0]);

  /* A first operand that is a command's name chooses it.  */
  int first = 1;
  if (1 < argc)
    for (int c = CMD_LIST; c < CMD_COUNT; c++)
      if (strcmp (argv[1], command_names[c]) == 0)
        {
          opt.command = c;
          first = 2;
        }
  argv[first - 1] = argv[0];
  argc -= first - 1;
  argv += first - 1;

  int c;
  while ((c = getopt_long (argc, argv, "hv", long_options, NULL)) != -1)
    parse_option (c, &opt);
  char **files = argv + optind;
  int n = argc - optind;
  check_operands (&opt, files, &n);

  struct snap_run run = { .opt = &opt };
  frontend_catch_signals ();
  bool ok = run_command (&run, files, n);
  if (run.engine_ready)
    copy_tree_free (&run.engine);
  frontend_exit_if_signalled ();
  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
