/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cowsnap -- read-only reflink snapshots of files and trees, kept in a
   .snapshot namespace (snap-space.h): make, list, restore, compare,
   delete and prune them.  A snapshot of a file or a tree is made with
   the copy engine (every file cloned, hard links kept, metadata
   exact), or as a native read-only btrfs snapshot of a subvolume.  */

#include "system.h"

#include <dirent.h>
#include <getopt.h>
#include <wchar.h>
#include <linux/btrfs.h>
#include <sys/ioctl.h>

#include "argmatch.h"
#include "backupfile.h"
#include "c-ctype.h"
#include "canonicalize.h"
#include "copy-tree.h"
#include "diag.h"
#include "dirname.h"
#include "error.h"
#include "filenamecat.h"
#include "frontend.h"
#include "progname.h"
#include "remove-tree.h"
#include "fts_.h"
#include "hardlink-map.h"
#include "human.h"
#include "snap-diff.h"
#include "snap-extents.h"
#include "snap-retain.h"
#include "snap-schedule.h"
#include "snap-seal.h"
#include "snap-space.h"
#include "stat-time.h"
#include "timespec.h"
#include "version-etc.h"
#include "xalloc.h"
#include "xvasprintf.h"

#define PROGRAM_NAME "cowsnap"
#define AUTHORS "the cowutils authors"

/* How many more times a file that changed while it was cloned is cloned
   again before it is reported.  */
enum { SETTLE_TRIES = 3 };

/* The commands; CMD_CREATE is the default.  */
enum command
{
  CMD_CREATE,
  CMD_LIST,
  CMD_RESTORE,
  CMD_DELETE,
  CMD_PRUNE,
  CMD_SCHEDULE,
  CMD_DIFF,
  CMD_COUNT
};

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
  { DEBUG_OPTION, FOR (CMD_CREATE) | FOR (CMD_RESTORE) | FOR (CMD_DIFF) },
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

/* What the command line asks for.  */
struct snap_options
{
  enum command command;
  char const *dir;          /* --dir */
  char const *name;         /* --name, or the second operand */
  char const *to;           /* restore --to */
  bool copy;                /* --copy */
  bool strict;              /* --strict */
  bool no_keep;             /* restore --no-keep */
  bool verbose;             /* -v */
  bool debug;               /* --debug */
  bool if_changed;          /* --if-changed */
  bool json;                /* list --json */
  bool human;               /* list -h */
  bool dry_run;             /* prune --dry-run */
  struct retain_policy keep;  /* prune's --keep-... and --min-age */
  bool have_keep;           /* any of them given */
  int period;               /* schedule: enum snap_period, or -1 */
  bool print;               /* schedule --print */
  bool remove;              /* schedule --remove */
  char const *unit_dir;     /* schedule --unit-dir */
};

/* One run: the options and the copy engine's state.  */
struct snap_run
{
  struct snap_options const *opt;
  struct copy_options copy;
  struct copy_run engine;
  bool engine_ready;
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
      --debug                say which backend makes the snapshot\n\
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
      --keep-hourly=N, --keep-daily=N, --keep-weekly=N,\n\
      --keep-monthly=N, --keep-yearly=N\n\
      --min-age=DURATION     none younger than DURATION (e.g. 90m, 1d12h)\n\
      --dry-run              say what would be deleted, delete nothing\n\
"), stdout);
  fputs (_("\
\n\
schedule writes a systemd timer and service that snapshot PATH and then\n\
prune with the --keep and --min-age options given, and enables them:\n\
      --hourly, --daily, --weekly   how often\n\
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

/* Start the copy engine of RUN, which clones (COW_ALWAYS) or, with
   --copy or for a restore, copies where it cannot (COW), keeping every
   piece of metadata and the hard links.  */
static void
engine_start (struct snap_run *run, enum cow_mode cow)
{
  if (run->engine_ready)
    copy_tree_free (&run->engine);
  run->copy = (struct copy_options) {
    .cow = cow, .sparse = SPARSE_AUTO, .interactive = I_UNSPECIFIED,
    .update = UPDATE_ALL, .deref = DEREF_NEVER, .recursive = true,
    .data_copy_required = true, .backup_type = no_backups,
    .preserve_mode = true, .preserve_ownership = true,
    .preserve_timestamps = true, .preserve_links = true,
    .preserve_xattr = true, .require_preserve = true,
    .reduce_diagnostics = true, .private_dest = true
  };
  frontend_process (&run->copy);
  copy_tree_init (&run->engine, &run->copy, false);
  run->engine_ready = true;
}

/* Report that PATH (whose place could not be found: errno) cannot be
   snapshotted or looked up, with DIR the --dir given or NULL.  */
static void
report_place (char const *path, char const *dir)
{
  if (errno == EXDEV && dir)
    diag_error (0, _("%s is not on the filesystem of %s"), quoteaf_n (0, dir),
                quoteaf_n (1, path));
  else
    diag_error (errno, _("cannot access %s"), quoteaf (path));
}

/* Make the namespace of P and P's directory in it ready; report and
   return false when they cannot be.  */
static bool
space_ready (struct snap_place const *p)
{
  if (!snap_space_ready (p->space, true))
    {
      if (errno == EEXIST)
        diag_error (0, _("%s exists and is not a snapshot namespace made by "
                         "cowsnap; use --dir"), quoteaf (p->space));
      else
        diag_error (errno, _("cannot create snapshot namespace %s"),
                    quoteaf (p->space));
      return false;
    }
  if (!snap_dir_ready (p))
    {
      diag_error (errno, _("cannot create directory %s"), quoteaf (p->dir));
      return false;
    }
  return true;
}

/* Take a native read-only btrfs snapshot of subvolume SRC_FD as entry
   NAME of directory DIRFD (WRITABLE: a writable one).  Return 0, or -1
   with errno set.  */
static int
subvolume_snapshot (int src_fd, int dirfd, char const *name, bool writable)
{
  struct btrfs_ioctl_vol_args_v2 args = { 0 };
  if (sizeof args.name <= strlen (name))
    {
      errno = ENAMETOOLONG;
      return -1;
    }
  args.fd = src_fd;
  args.flags = writable ? 0 : BTRFS_SUBVOL_RDONLY;
  strcpy (args.name, name);
  return ioctl (dirfd, BTRFS_IOC_SNAP_CREATE_V2, &args);
}

/* Delete the btrfs subvolume NAME (an entry of directory DIRFD).  */
static int
subvolume_delete (int dirfd, char const *name)
{
  struct btrfs_ioctl_vol_args args = { 0 };
  if (sizeof args.name <= strlen (name))
    {
      errno = ENAMETOOLONG;
      return -1;
    }
  strcpy (args.name, name);
  return ioctl (dirfd, BTRFS_IOC_SNAP_DESTROY, &args);
}

/* How a snapshot is made.  */
enum backend
{
  BACKEND_SUBVOLUME,        /* btrfs read-only subvolume snapshot */
  BACKEND_REFLINK,          /* the copy engine, cloning every file */
  BACKEND_COPY              /* the copy engine, copying (--copy) */
};

static char const *const backend_names[] = {
  "btrfs-subvolume", "reflink", "copy"
};

/* Choose how to snapshot P; report and return false when it cannot be
   snapshotted at all.  */
static bool
choose_backend (struct snap_run *run, struct snap_place const *p,
                enum backend *b)
{
  int fd = open (p->path, O_PATH | O_CLOEXEC);
  int rfd = S_ISDIR (p->st.st_mode)
            ? open (p->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  char buf[32];
  bool can_share;
  char const *type = snap_fs_type (0 <= rfd ? rfd : fd, buf, sizeof buf,
                                   &can_share);
  bool subvolume = 0 <= rfd && snap_is_subvolume (rfd);
  if (0 <= fd)
    close (fd);
  if (0 <= rfd)
    close (rfd);
  if (subvolume)
    *b = BACKEND_SUBVOLUME;
  else if (can_share)
    *b = BACKEND_REFLINK;
  else if (run->opt->copy)
    *b = BACKEND_COPY;
  else
    {
      diag_error (0, _("cannot snapshot %s: a %s filesystem cannot share "
                       "data between files (--copy copies it instead)"),
                  quoteaf (p->path), type);
      return false;
    }
  if (run->opt->debug)
    diag_line (_("%s: %s filesystem, backend: %s"), quoteaf (p->path), type,
               backend_names[*b]);
  return true;
}

/* Make the snapshot of P called BASE.SUFFIX in directory DIRFD (P->dir)
   with BACKEND, under a temporary name first for the engine's backends.
   Return 1 when made, 0 when that name is taken (nothing reported), -1
   after reporting a failure.  */
static int
make_snapshot (struct snap_run *run, struct snap_place const *p, int dirfd,
               char const *snap_name, enum backend backend)
{
  char *shown = file_name_concat (p->dir, snap_name, NULL);
  int r = -1;
  if (backend == BACKEND_SUBVOLUME)
    {
      int src_fd = open (p->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (0 <= src_fd && subvolume_snapshot (src_fd, dirfd, snap_name,
                                             false) == 0)
        r = 1;
      else if (errno == EEXIST)
        r = 0;
      else
        diag_error (errno, _("cannot snapshot %s"), quoteaf (p->path));
      if (0 <= src_fd)
        close (src_fd);
      free (shown);
      return r;
    }

  struct stat st;
  if (fstatat (dirfd, snap_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
    {
      free (shown);
      return 0;
    }
  engine_start (run, backend == BACKEND_COPY ? COW_AUTO : COW_ALWAYS);
  struct stat space_st;
  if (stat (p->space, &space_st) == 0)
    {
      run->copy.skip_dir = true;
      run->copy.skip_dev = space_st.st_dev;
      run->copy.skip_ino = space_st.st_ino;
    }
  run->copy.settle_tries = SETTLE_TRIES;
  run->copy.unsettled = _("%s changed while being snapshotted");
  struct beside_names const names = {
    .tag = "cowsnap",
    .leftover = _("warning: leftover partial snapshot %s from an "
                  "interrupted run; remove it unless another cowsnap is "
                  "still running")
  };
  char *tmp = copy_tree_beside (&run->engine, p->path, dirfd, p->dir,
                                snap_name, shown, &names);
  if (tmp && (copy_tree_stopped (&run->engine)
              || (run->opt->strict && run->engine.files_unsettled)))
    {
      if (!copy_tree_stopped (&run->engine))
        diag_error (0, _("snapshot of %s not made: files changed while it "
                         "was taken"), quoteaf (p->path));
      remove_tree_made (dirfd, tmp, tmp);
      free (tmp);
      free (shown);
      return -1;
    }
  if (!tmp)
    {
      free (shown);
      return -1;
    }

  /* Read-only, then in place: an immutable entry cannot be renamed, so
     the top is sealed once it has its name.  */
  char *tmp_path = file_name_concat (p->dir, tmp, NULL);
  enum snap_seal_kind kind = SEAL_IMMUTABLE;
  bool sealed = snap_seal (tmp_path, false, &kind);
  if (sealed && renameat2 (dirfd, tmp, dirfd, snap_name,
                           RENAME_NOREPLACE) == 0)
    {
      r = 1;
      if (!snap_seal_top (shown, kind))
        {
          diag_error (errno, _("cannot make %s read-only"), quoteaf (shown));
          r = -1;
        }
    }
  else
    {
      int err = errno;
      snap_unseal (tmp_path);
      remove_tree_made (dirfd, tmp, tmp_path);
      if (sealed && err == EEXIST)
        r = 0;
      else
        diag_error (err, sealed ? _("cannot create %s")
                                : _("cannot make %s read-only"),
                    quoteaf (shown));
    }
  free (tmp_path);
  free (tmp);
  free (shown);
  return r;
}

/* One snapshot of a path.  */
struct snap_entry
{
  char *name;               /* its entry in the place's directory */
  char const *suffix;       /* what follows "BASE." in NAME */
  struct timespec time;     /* its stamp's, or when it was made */
  bool stamped;             /* its suffix is a stamp */
};

/* Compare snapshot entries A and B by time, oldest first.  */
static int
entry_cmp (void const *a, void const *b)
{
  struct snap_entry const *x = a, *y = b;
  int c = timespec_cmp (x->time, y->time);
  return c ? c : strcmp (x->name, y->name);
}

/* Put in *ENTRIES (N of them, oldest first; free with free_entries) the
   snapshots of place P.  A directory that is not there holds none.
   Return false with errno set when it cannot be read.  */
static bool
collect_snapshots (struct snap_place const *p, struct snap_entry **entries,
                   size_t *n)
{
  *entries = NULL;
  *n = 0;
  DIR *d = opendir (p->dir);
  if (!d)
    return errno == ENOENT;
  size_t alloc = 0;
  struct dirent const *e;
  while ((e = readdir (d)))
    {
      char const *suffix = snap_suffix (e->d_name, p->base);
      struct snap_entry x = { 0 };
      if (!suffix)
        continue;
      x.stamped = snap_stamp_parse (suffix, &x.time);
      if (!x.stamped)
        {
          /* A named snapshot's time is when it was made.  */
          struct statx sx;
          if (statx (dirfd (d), e->d_name, AT_SYMLINK_NOFOLLOW,
                     STATX_BTIME | STATX_CTIME, &sx) != 0)
            continue;
          struct statx_timestamp const *ts
            = sx.stx_mask & STATX_BTIME ? &sx.stx_btime : &sx.stx_ctime;
          x.time.tv_sec = ts->tv_sec;
          x.time.tv_nsec = ts->tv_nsec;
        }
      x.name = xstrdup (e->d_name);
      x.suffix = x.name + (suffix - e->d_name);
      if (*n == alloc)
        *entries = x2nrealloc (*entries, &alloc, sizeof **entries);
      (*entries)[(*n)++] = x;
    }
  closedir (d);
  if (*n)
    qsort (*entries, *n, sizeof **entries, entry_cmp);
  return true;
}

/* Free the N ENTRIES of collect_snapshots.  */
static void
free_entries (struct snap_entry *entries, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (entries[i].name);
  free (entries);
}

/* Defined with the diff command.  */
static bool compare (char const *a, char const *b, FILE *out,
                     struct stat const *space, bool debug, bool *differ);

/* --if-changed: return true if P differs from its newest snapshot in
   anything a diff shows (or has none); else say so with -v, set *OK to
   true and return false.  On a failure to compare, report it, set *OK
   to false and return false.  */
static bool
changed_since_newest (struct snap_run *run, struct snap_place const *p,
                      char const *path, bool *ok)
{
  struct snap_entry *entries;
  size_t n;
  if (!collect_snapshots (p, &entries, &n))
    {
      diag_error (errno, _("cannot read %s"), quoteaf (p->dir));
      *ok = false;
      return false;
    }
  bool changed = true;
  if (n)
    {
      char *newest = file_name_concat (p->dir, entries[n - 1].name, NULL);
      struct stat space;
      bool differ;
      if (!compare (newest, p->path, NULL,
                    stat (p->space, &space) == 0 ? &space : NULL,
                    run->opt->debug, &differ))
        {
          *ok = false;
          changed = false;
        }
      else if (!differ)
        {
          changed = false;
          *ok = true;
          if (run->opt->verbose)
            diag_line (_("%s is unchanged since %s"), quoteaf_n (0, path),
                       quoteaf_n (1, newest));
        }
      free (newest);
    }
  free_entries (entries, n);
  return changed;
}

/* Snapshot PATH, called NAME when not NULL.  Return false after
   reporting.  */
static bool
snapshot_path (struct snap_run *run, char const *path, char const *name)
{
  struct snap_options const *opt = run->opt;
  struct snap_place p;
  if (!snap_place_find (path, opt->dir, &p))
    {
      report_place (path, opt->dir);
      return false;
    }
  bool ok = false;
  enum backend backend;
  int dirfd = -1;
  char *inside = p.in_space ? NULL : snap_space_of (p.path);
  if (inside)
    {
      free (p.space);
      p.space = inside;
      p.in_space = true;
    }
  if (p.in_space)
    {
      diag_error (0, _("cannot snapshot %s: it is in the snapshot namespace "
                       "%s"), quoteaf_n (0, path), quoteaf_n (1, p.space));
      goto done;
    }
  if (!choose_backend (run, &p, &backend) || !space_ready (&p))
    goto done;
  dirfd = open (p.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    {
      diag_error (errno, _("cannot access %s"), quoteaf (p.dir));
      goto done;
    }
  if (opt->if_changed && !changed_since_newest (run, &p, path, &ok))
    goto done;

  /* A stamp taken now, or a later one when two snapshots fall in the
     same microsecond.  */
  for (int tries = 0; tries < 1000 && !*frontend_stop; tries++)
    {
      char suffix[SNAP_STAMP_LEN + 1];
      if (!name)
        {
          struct timespec now;
          clock_gettime (CLOCK_REALTIME, &now);
          snap_stamp (now, suffix);
        }
      char *snap_name = xasprintf ("%s.%s", p.base, name ? name : suffix);
      int r = make_snapshot (run, &p, dirfd, snap_name, backend);
      if (r == 0 && name)
        {
          char *shown = file_name_concat (p.dir, snap_name, NULL);
          diag_error (EEXIST, _("cannot create %s"), quoteaf (shown));
          free (shown);
        }
      if (r == 1)
        {
          ok = !run->engine_ready || !run->engine.files_unsettled;
          if (opt->verbose)
            {
              char *shown = file_name_concat (p.dir, snap_name, NULL);
              diag_line (_("snapshot %s -> %s%s"), quoteaf_n (0, path),
                         quoteaf_n (1, shown),
                         (backend != BACKEND_SUBVOLUME
                          && run->engine.files_copied ? _(" (copied)") : ""));
              free (shown);
            }
        }
      free (snap_name);
      if (r != 0 || name)
        break;
    }

 done:
  if (0 <= dirfd)
    close (dirfd);
  snap_place_free (&p);
  return ok;
}

/* Return, newly allocated, the name SNAP means for PATH's snapshots in
   P: a file name when it holds a '/', else BASE.SNAP in P->dir; with
   SNAP NULL, the newest snapshot of P (by the time of its stamp, or of
   its making for a named one).  NULL after reporting.  */
static char *
snapshot_named (struct snap_place const *p, char const *path,
                char const *snap)
{
  if (snap && strchr (snap, '/'))
    return xstrdup (snap);
  if (snap)
    {
      char *e = xasprintf ("%s.%s", p->base, snap);
      char *name = file_name_concat (p->dir, e, NULL);
      free (e);
      return name;
    }
  struct snap_entry *entries;
  size_t n;
  if (!collect_snapshots (p, &entries, &n))
    {
      diag_error (errno, _("cannot read %s"), quoteaf (p->dir));
      return NULL;
    }
  char *name = NULL;
  if (n == 0)
    diag_error (0, _("no snapshot of %s"), quoteaf (path));
  else
    name = file_name_concat (p->dir, entries[n - 1].name, NULL);
  free_entries (entries, n);
  return name;
}

/* Fill *P with the place of the snapshots of PATH, which may be gone
   (EXISTS says whether it is there): then its place is that of an entry
   of its directory, P->path the name it had.  Return false after
   reporting.  */
static bool
find_place (char const *path, char const *dir, struct snap_place *p,
            bool *exists)
{
  char *copy = xstrdup (path);
  strip_trailing_slashes (copy);
  struct stat st;
  *exists = lstat (copy, &st) == 0;
  if (*exists || errno != ENOENT)
    {
      free (copy);
      if (snap_place_find (path, dir, p))
        return true;
      report_place (path, dir);
      return false;
    }
  char *parent = dir_name (copy);
  char *base = xstrdup (last_component (copy));
  free (copy);
  bool ok = snap_place_find (parent, dir, p);
  if (!ok)
    report_place (parent, dir);
  else
    {
      char *d = p->dir;
      p->dir = (strcmp (p->base, "@") == 0 ? xstrdup (p->space)
                : file_name_concat (d, p->base, NULL));
      free (d);
      free (p->base);
      p->base = base;
      base = NULL;
      char *full = file_name_concat (p->path, p->base, NULL);
      free (p->path);
      p->path = full;
    }
  free (base);
  free (parent);
  return ok;
}

/* Restore PATH from SNAP (NULL: the newest); see usage.  Return false
   after reporting.  */
static bool
restore_path (struct snap_run *run, char const *path, char const *snap)
{
  struct snap_options const *opt = run->opt;
  struct snap_place p;
  bool exists;
  bool ok = false;
  char *snap_name = NULL, *dest = NULL, *dest_dir = NULL, *tmp = NULL;
  int dirfd = -1, snap_fd = -1;
  struct stat st;
  if (!find_place (path, opt->dir, &p, &exists))
    return false;
  char const *full = p.path;
  snap_name = snapshot_named (&p, path, snap);
  if (!snap_name)
    goto done;
  struct stat snap_st;
  if (lstat (snap_name, &snap_st) != 0)
    {
      diag_error (errno, _("cannot access %s"), quoteaf (snap_name));
      goto done;
    }

  /* Where it goes: PATH, or --to DEST.  */
  dest = xstrdup (opt->to ? opt->to : full);
  dest_dir = dir_name (dest);
  char const *dest_base = last_component (dest);
  dirfd = open (dest_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    {
      diag_error (errno, _("cannot access %s"), quoteaf (dest_dir));
      goto done;
    }
  bool replace = !opt->to && exists;
  if (opt->to && fstatat (dirfd, dest_base, &st, AT_SYMLINK_NOFOLLOW) == 0)
    {
      diag_error (EEXIST, _("cannot restore to %s"), quoteaf (dest));
      goto done;
    }

  /* What is replaced is kept as a snapshot first.  */
  if (replace && !opt->no_keep)
    {
      char keep[32] = "pre-restore";
      char *kept;
      for (int i = 2;; i++)
        {
          char *e = xasprintf ("%s.%s", p.base, keep);
          kept = file_name_concat (p.dir, e, NULL);
          free (e);
          if (lstat (kept, &st) != 0)
            break;
          free (kept);
          snprintf (keep, sizeof keep, "pre-restore-%d", i);
        }
      free (kept);
      if (!snapshot_path (run, path, keep))
        goto done;
    }

  /* The copy, beside its destination.  */
  bool subvolume = false;
  if (S_ISDIR (snap_st.st_mode))
    {
      snap_fd = open (snap_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      subvolume = 0 <= snap_fd && snap_is_subvolume (snap_fd);
    }
  char *shown = file_name_concat (dest_dir, dest_base, NULL);
  if (subvolume)
    {
      for (int tries = 0; !tmp && tries < 100; tries++)
        {
          char *t = xasprintf (".%s.cowsnap-%06x", dest_base,
                               (unsigned int) (random () & 0xffffff));
          if (subvolume_snapshot (snap_fd, dirfd, t, true) == 0)
            tmp = t;
          else
            {
              int err = errno;
              free (t);
              if (err != EEXIST)
                {
                  diag_error (err, _("cannot restore %s"), quoteaf (shown));
                  break;
                }
            }
        }
    }
  else
    {
      engine_start (run, COW_AUTO);
      struct beside_names const names = {
        .tag = "cowsnap",
        .leftover = _("warning: leftover partial snapshot %s from an "
                      "interrupted run; remove it unless another cowsnap is "
                      "still running")
      };
      tmp = copy_tree_beside (&run->engine, snap_name, dirfd, dest_dir,
                              dest_base, shown, &names);
      if (tmp && copy_tree_stopped (&run->engine))
        {
          remove_tree_made (dirfd, tmp, tmp);
          free (tmp);
          tmp = NULL;
        }
      if (tmp)
        {
          char *tmp_path = file_name_concat (dest_dir, tmp, NULL);
          if (!snap_unseal_modes (tmp_path))
            {
              diag_error (errno, _("cannot give %s its modes back"),
                          quoteaf (shown));
              remove_tree_made (dirfd, tmp, tmp_path);
              free (tmp);
              tmp = NULL;
            }
          free (tmp_path);
        }
    }
  if (!tmp)
    {
      free (shown);
      goto done;
    }


  /* In place, atomically; what was there is then removed.  */
  if (renameat2 (dirfd, tmp, dirfd, dest_base,
                 replace ? RENAME_EXCHANGE : RENAME_NOREPLACE) != 0)
    {
      diag_error (errno, _("cannot restore %s"), quoteaf (shown));
      if (subvolume)
        subvolume_delete (dirfd, tmp);
      else
        remove_tree_made (dirfd, tmp, tmp);
      free (shown);
      goto done;
    }
  ok = true;
  if (replace)
    {
      struct stat old;
      int fd = openat (dirfd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW
                       | O_CLOEXEC);
      bool old_subvolume = 0 <= fd && fstat (fd, &old) == 0
                           && snap_is_subvolume (fd);
      if (0 <= fd)
        close (fd);
      if (old_subvolume ? subvolume_delete (dirfd, tmp) != 0
          : !remove_tree_made (dirfd, tmp, tmp))
        {
          char *t = file_name_concat (dest_dir, tmp, NULL);
          diag_error (errno, _("cannot remove %s"), quoteaf (t));
          free (t);
          ok = false;
        }
    }
  if (opt->verbose)
    diag_line (_("restored %s from %s"), quoteaf_n (0, shown),
               quoteaf_n (1, snap_name));
  free (shown);

 done:
  snap_place_free (&p);
  if (0 <= dirfd)
    close (dirfd);
  if (0 <= snap_fd)
    close (snap_fd);
  free (tmp);
  free (dest);
  free (dest_dir);
  free (snap_name);
  return ok;
}

/* Delete the snapshot SNAP.  Return false after reporting.  */
static bool
delete_snapshot (struct snap_run *run, char const *snap)
{
  char *space = snap_space_of (snap);
  if (!space)
    {
      diag_error (0, _("refusing to delete %s: it is not inside a snapshot "
                       "namespace made by cowsnap"), quoteaf (snap));
      return false;
    }
  free (space);
  struct stat st;
  if (lstat (snap, &st) != 0)
    {
      diag_error (errno, _("cannot delete %s"), quoteaf (snap));
      return false;
    }
  char *copy = xstrdup (snap);
  strip_trailing_slashes (copy);
  char *dir = dir_name (copy);
  char const *base = last_component (copy);
  int dirfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  bool ok = 0 <= dirfd;
  int fd = -1;
  if (ok && S_ISDIR (st.st_mode))
    fd = openat (dirfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW
                 | O_CLOEXEC);
  if (ok && 0 <= fd && snap_is_subvolume (fd))
    ok = subvolume_delete (dirfd, base) == 0;
  else if (ok)
    {
      /* Writable again, then out of sight under a temporary name, then
         removed: an interrupted delete leaves no half snapshot under its
         own name.  */
      ok = snap_unseal (copy);
      char *tmp = ok ? xasprintf (".%s.cowsnap-rm", base) : NULL;
      if (ok && renameat2 (dirfd, base, dirfd, tmp, RENAME_NOREPLACE) != 0)
        {
          free (tmp);
          tmp = NULL;
        }
      ok = ok && remove_tree_made (dirfd, tmp ? tmp : base, snap);
      free (tmp);
    }
  if (!ok)
    diag_error (errno, _("cannot delete %s"), quoteaf (snap));
  else if (run->opt->verbose)
    diag_line (_("deleted %s"), quoteaf (snap));
  if (0 <= fd)
    close (fd);
  if (0 <= dirfd)
    close (dirfd);
  free (dir);
  free (copy);
  return ok;
}

/* Prune the stamped snapshots of PATH as the --keep options say;
   named ones are never pruned.  Return false after reporting.  */
static bool
prune_path (struct snap_run *run, char const *path)
{
  struct snap_options const *opt = run->opt;
  struct snap_place p;
  bool exists;
  if (!find_place (path, opt->dir, &p, &exists))
    return false;
  struct snap_entry *all;
  size_t n;
  bool ok = collect_snapshots (&p, &all, &n);
  if (!ok)
    diag_error (errno, _("cannot read %s"), quoteaf (p.dir));
  /* The stamped ones, oldest first, and their times.  */
  size_t m = 0;
  struct timespec *times = xnmalloc (n + 1, sizeof *times);
  struct snap_entry **stamped = xnmalloc (n + 1, sizeof *stamped);
  unsigned *reasons = xnmalloc (n + 1, sizeof *reasons);
  for (size_t i = 0; i < n; i++)
    if (all[i].stamped)
      {
        times[m] = all[i].time;
        stamped[m++] = &all[i];
      }
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  if (ok && m && !snap_retain_decide (times, m, now, &opt->keep, reasons))
    {
      diag_error (errno, _("cannot prune the snapshots of %s"),
                  quoteaf (path));
      ok = false;
    }
  for (size_t i = 0; ok && i < m && !*frontend_stop; i++)
    {
      char *name = file_name_concat (p.dir, stamped[i]->name, NULL);
      if (reasons[i])
        {
          if (opt->verbose)
            {
              char why[SNAP_RETAIN_REASONS_SIZE];
              diag_line (_("keeping %s (%s)"), quoteaf (name),
                         snap_retain_reasons (reasons[i], why, sizeof why));
            }
        }
      else if (opt->dry_run)
        diag_line (_("would delete %s"), quoteaf (name));
      else
        ok &= delete_snapshot (run, name);
      free (name);
    }
  free (reasons);
  free (stamped);
  free (times);
  free_entries (all, n);
  snap_place_free (&p);
  return ok;
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

/* What a snapshot holds: the bytes of its files (each inode once), and
   those that only it holds (snap_extents_space).  */
struct snap_usage
{
  uintmax_t size;
  uintmax_t exclusive;
};

/* Measure the snapshot NAME into *U.  Return false with errno set when
   some of it could not be measured (what could is in *U).  */
static bool
measure (char const *name, struct snap_usage *u)
{
  *u = (struct snap_usage) { 0 };
  char *names[] = { (char *) name, NULL };
  FTS *fts = fts_open (names, FTS_PHYSICAL | FTS_CWDFD, NULL);
  if (!fts)
    return false;
  struct hlmap *seen = hlmap_new ();
  bool ok = true;
  int err = 0;
  FTSENT *e;
  while ((e = fts_read (fts)))
    {
      if (e->fts_info == FTS_DNR || e->fts_info == FTS_ERR
          || e->fts_info == FTS_NS)
        {
          ok = false;
          err = e->fts_errno;
          continue;
        }
      if (e->fts_info != FTS_F)
        continue;
      struct stat const *st = e->fts_statp;
      if (1 < st->st_nlink)
        {
          if (hlmap_lookup (seen, st->st_dev, st->st_ino))
            continue;
          hlmap_insert (seen, st->st_dev, st->st_ino, "");
        }
      u->size += st->st_size;
      int fd = openat (fts->fts_cwd_fd, e->fts_accpath,
                       O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
      struct snap_space space;
      if (fd < 0 || snap_extents_space (fd, &space) != 0)
        {
          ok = false;
          err = errno;
        }
      else
        u->exclusive += space.exclusive;
      if (0 <= fd)
        close (fd);
    }
  hlmap_free (seen);
  if (fts_close (fts) != 0 && ok)
    {
      ok = false;
      err = errno;
    }
  if (!ok)
    errno = err;
  return ok;
}

/* One snapshot found by list.  */
struct listed
{
  char *live;               /* the name of what it is a snapshot of */
  char *snap;               /* its own name */
  char const *suffix;       /* its stamp or name, in SNAP */
  struct timespec time;
};

/* Compare listed snapshots: by what they are of, then oldest first.  */
static int
listed_cmp (void const *a, void const *b)
{
  struct listed const *x = a, *y = b;
  int c = strcmp (x->live, y->live);
  return c ? c : timespec_cmp (x->time, y->time);
}

/* The snapshots found so far.  */
struct listing
{
  struct listed *v;
  size_t n, alloc;
};

/* Add the N ENTRIES of place P (whose snapshots are of LIVE) to *L.  */
static void
listing_add (struct listing *l, char const *live, char const *dir,
             struct snap_entry const *entries, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      if (l->n == l->alloc)
        l->v = x2nrealloc (l->v, &l->alloc, sizeof *l->v);
      struct listed *x = &l->v[l->n++];
      x->live = xstrdup (live);
      x->snap = file_name_concat (dir, entries[i].name, NULL);
      x->suffix = x->snap + strlen (x->snap) - strlen (entries[i].suffix);
      x->time = entries[i].time;
    }
}

/* Add to *L every snapshot in directory DIR of namespace SPACE, and
   below it, of the filesystem whose root is ROOT; REL is DIR's name
   relative to SPACE ("" at the top).  A directory of the namespace
   stands for a directory of the live tree when one of its name is
   there; any other entry of the form BASE.STAMP or BASE.NAME is a
   snapshot of ROOT/REL/BASE.  */
static void
list_space_dir (struct listing *l, char const *root, char const *dir,
                char const *rel)
{
  DIR *d = opendir (dir);
  if (!d)
    {
      diag_error (errno, _("cannot read %s"), quoteaf (dir));
      return;
    }
  char *live_dir = *rel ? file_name_concat (root, rel, NULL) : xstrdup (root);
  struct dirent const *e;
  while ((e = readdir (d)))
    {
      char const *n = e->d_name;
      if (n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2])
                          || strcmp (n, SNAP_MARKER) == 0
                          || strstr (n, ".cowsnap-")))
        continue;
      char *live = file_name_concat (live_dir, n, NULL);
      char *sub = file_name_concat (dir, n, NULL);
      struct stat lst, sst;
      if (stat (live, &lst) == 0 && S_ISDIR (lst.st_mode)
          && lstat (sub, &sst) == 0 && S_ISDIR (sst.st_mode)
          && !snap_is_subvolume_name (sub))
        {
          char *subrel = *rel ? file_name_concat (rel, n, NULL) : xstrdup (n);
          list_space_dir (l, root, sub, subrel);
          free (subrel);
        }
      else
        {
          /* BASE is what comes before a final stamp, or before the last
             '.' followed by a name.  */
          size_t len = strlen (n);
          char const *dot = NULL;
          if (SNAP_STAMP_LEN < len && n[len - SNAP_STAMP_LEN - 1] == '.'
              && snap_stamp_parse (n + len - SNAP_STAMP_LEN, NULL))
            dot = n + len - SNAP_STAMP_LEN - 1;
          else if ((dot = strrchr (n, '.')) && !snap_name_valid (dot + 1))
            dot = NULL;
          if (dot && n < dot)
            {
              char *base = ximemdup0 (n, dot - n);
              /* "@" at the top stands for the root itself.  */
              bool is_root = !*rel && strcmp (base, "@") == 0;
              struct snap_place p = { .dir = (char *) dir,
                                      .base = base };
              struct snap_entry *entries;
              size_t count;
              /* Each base once: at the entry that is its first.  */
              if (collect_snapshots (&p, &entries, &count) && count
                  && strcmp (entries[0].name, n) == 0)
                {
                  char *of = (is_root ? xstrdup (root)
                              : file_name_concat (live_dir, base, NULL));
                  listing_add (l, of, dir, entries, count);
                  free (of);
                }
              if (count)
                free_entries (entries, count);
              free (base);
            }
        }
      free (sub);
      free (live);
    }
  closedir (d);
  free (live_dir);
}

/* Print S as a JSON string.  Bytes that are not UTF-8 are written as
   \u00XX (the Latin-1 reading of the byte).  */
static void
json_string (char const *s)
{
  putchar ('"');
  mbstate_t mbs = { 0 };
  for (size_t len = strlen (s); *s; )
    {
      unsigned char c = *s;
      size_t k = c < 0x80 ? 1 : mbrlen (s, len, &mbs);
      if (c == '"' || c == '\\')
        printf ("\\%c", c);
      else if (c < 0x20)
        printf ("\\u%04x", c);
      else if (c < 0x80 || k == (size_t) -1 || k == (size_t) -2)
        {
          if (c < 0x80)
            putchar (c);
          else
            printf ("\\u%04x", c);
          k = 1;
          memset (&mbs, 0, sizeof mbs);
        }
      else
        fwrite (s, 1, k, stdout);
      s += k;
      len -= k;
    }
  putchar ('"');
}

/* Print the listing L, as --json or as text.  Return false if a
   snapshot could not be measured (reported).  */
static bool
print_listing (struct snap_run *run, struct listing *l)
{
  struct snap_options const *opt = run->opt;
  bool ok = true;
  if (l->n)
    qsort (l->v, l->n, sizeof *l->v, listed_cmp);
  if (opt->json)
    fputs ("[", stdout);
  for (size_t i = 0; i < l->n; i++)
    {
      struct listed const *x = &l->v[i];
      struct snap_usage u;
      if (!measure (x->snap, &u))
        {
          diag_error (errno, _("cannot measure %s"), quoteaf (x->snap));
          ok = false;
        }
      struct stat st;
      char const *kind = "file";
      if (lstat (x->snap, &st) == 0 && S_ISDIR (st.st_mode))
        kind = snap_is_subvolume_name (x->snap) ? "subvolume" : "tree";
      char when[64];
      struct tm tm;
      if (opt->json)
        {
          strftime (when, sizeof when, "%Y-%m-%dT%H:%M:%S",
                    gmtime_r (&x->time.tv_sec, &tm));
          fputs (i ? ",\n " : "\n ", stdout);
          fputs ("{\"path\": ", stdout);
          json_string (x->live);
          fputs (", \"snapshot\": ", stdout);
          json_string (x->snap);
          fputs (", \"name\": ", stdout);
          json_string (x->suffix);
          printf (", \"time\": \"%s.%06ldZ\", \"kind\": \"%s\", "
                  "\"size\": %ju, \"exclusive\": %ju}",
                  when, x->time.tv_nsec / 1000, kind, u.size, u.exclusive);
          continue;
        }
      if (i == 0 || strcmp (l->v[i - 1].live, x->live) != 0)
        {
          if (i)
            putchar ('\n');
          printf (_("Snapshots for %s:\n"), quoteaf (x->live));
        }
      strftime (when, sizeof when, "%Y-%m-%d %H:%M:%S",
                localtime_r (&x->time.tv_sec, &tm));
      char b1[LONGEST_HUMAN_READABLE + 1], b2[LONGEST_HUMAN_READABLE + 1];
      int h = (opt->human ? (human_autoscale | human_SI | human_base_1024
                             | human_ceiling)
               : 0);
      printf ("  %-26s  %s  %9s  %9s  %s\n", x->suffix, when,
              human_readable (u.size, b1, h, 1, 1),
              human_readable (u.exclusive, b2, h, 1, 1), kind);
    }
  if (opt->json)
    fputs (l->n ? "\n]\n" : "]\n", stdout);
  return ok;
}

/* List the snapshots of the N paths FILES, or with none, of everything
   in the namespace of the working directory's filesystem.  */
static bool
list_paths (struct snap_run *run, char **files, int n)
{
  struct snap_options const *opt = run->opt;
  struct listing l = { 0 };
  bool ok = true;
  for (int i = 0; i < n; i++)
    {
      struct snap_place p;
      bool exists;
      if (!find_place (files[i], opt->dir, &p, &exists))
        {
          ok = false;
          continue;
        }
      struct snap_entry *entries;
      size_t count;
      if (!collect_snapshots (&p, &entries, &count))
        {
          diag_error (errno, _("cannot read %s"), quoteaf (p.dir));
          ok = false;
        }
      else
        {
          listing_add (&l, p.path, p.dir, entries, count);
          free_entries (entries, count);
        }
      snap_place_free (&p);
    }
  if (n == 0)
    {
      struct snap_place p;
      if (!snap_place_find (".", opt->dir, &p))
        {
          report_place (".", opt->dir);
          return false;
        }
      if (snap_space_ready (p.space, false))
        list_space_dir (&l, p.root, p.space, "");
      else if (errno != ENOENT)
        {
          diag_error (errno, _("cannot read %s"), quoteaf (p.space));
          ok = false;
        }
      snap_place_free (&p);
    }
  ok &= print_listing (run, &l);
  for (size_t i = 0; i < l.n; i++)
    {
      free (l.v[i].live);
      free (l.v[i].snap);
    }
  free (l.v);
  return ok;
}

/* Compare snapshot A with B (a later snapshot, or what is live), both
   file names, printing the differences to OUT when not NULL.  Set
   *DIFFER to whether anything differs.  SPACE: the namespace, left
   out, or NULL.  With DEBUG, say what was read and what the extent maps
   proved equal.  Return false after reporting.  */
static bool
compare (char const *a, char const *b, FILE *out, struct stat const *space,
         bool debug, bool *differ)
{
  FILE *sink = out ? out : fopen ("/dev/null", "w");
  if (!sink)
    {
      diag_error (errno, _("cannot open %s"), quoteaf ("/dev/null"));
      return false;
    }
  struct snap_diff_options o = {
    .out = sink, .name_a = a, .name_b = b, .skip = space != NULL,
    .skip_dev = space ? space->st_dev : 0,
    .skip_ino = space ? space->st_ino : 0
  };
  struct snap_diff_stats stats = { 0 };
  struct stat sa, sb;
  bool ok;
  if (lstat (a, &sa) == 0 && lstat (b, &sb) == 0 && S_ISREG (sa.st_mode)
      && S_ISREG (sb.st_mode) && out)
    {
      int fa = open (a, O_RDONLY | O_NOCTTY | O_CLOEXEC);
      int fb = open (b, O_RDONLY | O_NOCTTY | O_CLOEXEC);
      if (fa < 0 || fb < 0)
        {
          diag_error (errno, _("cannot open %s"), quoteaf (fa < 0 ? a : b));
          ok = false;
        }
      else
        ok = snap_diff_file (fa, fb, &o, &stats);
      if (0 <= fa)
        close (fa);
      if (0 <= fb)
        close (fb);
    }
  else
    ok = snap_diff_tree (AT_FDCWD, a, AT_FDCWD, b, &o, &stats);
  *differ = stats.differ != 0;
  if (!out)
    fclose (sink);
  if (debug)
    diag_line (_("compared %ju entries: %ju bytes read, %ju known equal "
                 "from shared extents, %ju holes on both sides"),
               stats.entries, stats.count.bytes_read,
               stats.count.bytes_same_extent, stats.count.bytes_hole);
  return ok;
}

/* Print what differs between a snapshot of PATH and PATH, or between
   two snapshots: SNAP (NULL: the newest) and SNAP2 (NULL: PATH).  */
static bool
diff_path (struct snap_run *run, char const *path, char const *snap,
           char const *snap2)
{
  struct snap_place p;
  bool exists;
  if (!find_place (path, run->opt->dir, &p, &exists))
    return false;
  char *a = snapshot_named (&p, path, snap);
  char *b = snap2 ? snapshot_named (&p, path, snap2) : xstrdup (path);
  bool ok = a && b;
  struct stat space;
  bool differ;
  if (ok)
    ok = compare (a, b, stdout,
                  stat (p.space, &space) == 0 ? &space : NULL,
                  run->opt->debug, &differ);
  free (a);
  free (b);
  snap_place_free (&p);
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
        ok &= snapshot_path (run, files[i], opt->name);
      break;
    case CMD_RESTORE:
      ok = restore_path (run, files[0], n == 2 ? files[1] : NULL);
      break;
    case CMD_DELETE:
      for (int i = 0; i < n && !*frontend_stop; i++)
        ok &= delete_snapshot (run, files[i]);
      break;
    case CMD_PRUNE:
      for (int i = 0; i < n && !*frontend_stop; i++)
        ok &= prune_path (run, files[i]);
      break;
    case CMD_SCHEDULE:
      ok = schedule_path (run, files[0]);
      break;
    case CMD_LIST:
      ok = list_paths (run, files, n);
      break;
    case CMD_DIFF:
      ok = diff_path (run, files[0], 1 < n ? files[1] : NULL,
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
