/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cowcp -- copy files, sharing data on copy-on-write filesystems; a
   drop-in for GNU cp.  */

#include "system.h"

#include <getopt.h>
#include <locale.h>
#include <signal.h>

#include "argmatch.h"
#include "closeout.h"
#include "copy-tree.h"
#include "diag.h"
#include "dirname.h"
#include "error.h"
#include "filenamecat.h"
#include "progname.h"
#include "version-etc.h"
#include "xalloc.h"

#define PROGRAM_NAME "cowcp"
#define AUTHORS "the cowutils authors"

/* Options without a short form.  */
enum
{
  COW_OPTION = CHAR_MAX + 1,
  DEBUG_OPTION,
  HELP_OPTION,
  SPARSE_OPTION,
  VERSION_OPTION
};

static struct option const long_options[] = {
  {"cow", optional_argument, NULL, COW_OPTION},
  {"debug", no_argument, NULL, DEBUG_OPTION},
  {"force", no_argument, NULL, 'f'},
  {"interactive", no_argument, NULL, 'i'},
  {"no-clobber", no_argument, NULL, 'n'},
  {"no-target-directory", no_argument, NULL, 'T'},
  {"reflink", optional_argument, NULL, COW_OPTION},
  {"sparse", required_argument, NULL, SPARSE_OPTION},
  {"target-directory", required_argument, NULL, 't'},
  {"verbose", no_argument, NULL, 'v'},
  {"help", no_argument, NULL, HELP_OPTION},
  {"version", no_argument, NULL, VERSION_OPTION},
  {NULL, 0, NULL, 0}
};

static char const *const cow_args[] = { "auto", "always", "never", NULL };
static enum cow_mode const cow_vals[] = { COW_AUTO, COW_ALWAYS, COW_NEVER };
ARGMATCH_VERIFY (cow_args, cow_vals);

static char const *const sparse_args[] = { "never", "auto", "always", NULL };
static enum sparse_mode const sparse_vals[] =
  { SPARSE_NEVER, SPARSE_AUTO, SPARSE_ALWAYS };
ARGMATCH_VERIFY (sparse_args, sparse_vals);

/* Set by the handler of SIGINT, SIGTERM and SIGHUP; the copy engine
   stops between chunks and the signal is raised again once the partial
   destination is gone.  A signal handler can reach nothing else.  */
static sig_atomic_t volatile caught_signal;

static void
on_signal (int sig)
{
  caught_signal = sig;
}

/* Install on_signal for the signals that should stop a copy cleanly,
   unless they are ignored (as under nohup).  */
static void
catch_signals (void)
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

/* Leave as the caught signal would have made us leave.  */
static _Noreturn void
die_of_signal (int sig)
{
  signal (sig, SIG_DFL);
  raise (sig);
  _exit (128 + sig);
}

/* Print the help text, or the pointer to it when STATUS is not
   EXIT_SUCCESS, and exit with STATUS.  argmatch calls it too, after a
   bad option value.  */
void
usage (int status)
{
  if (status != EXIT_SUCCESS)
    {
      fprintf (stderr, _("Try '%s --help' for more information.\n"),
               program_name);
      exit (status);
    }
  printf (_("\
Usage: %s [OPTION]... [-T] SOURCE DEST\n\
  or:  %s [OPTION]... SOURCE... DIRECTORY\n\
  or:  %s [OPTION]... -t DIRECTORY SOURCE...\n"),
          program_name, program_name, program_name);
  fputs (_("\
Copy SOURCE to DEST, or each SOURCE into DIRECTORY.  Where the filesystem\n\
can share data between files (btrfs, XFS), the copy shares the source's\n\
extents instead of duplicating them, until either file is written.\n\
"), stdout);
  fputs (_("\
\n\
Mandatory arguments to long options are mandatory for short options too.\n\
"), stdout);
  fputs (_("\
  -c\n\
         same as --cow=always\n\
  --cow[=WHEN], --reflink[=WHEN]\n\
         share data extents with the source: WHEN is auto (the default),\n\
         always, or never; without WHEN, always\n\
  --debug\n\
         say how each file's data was moved; implies -v\n\
  -f, --force\n\
         if an existing destination file cannot be opened, remove it and\n\
         try again\n\
  -i, --interactive\n\
         ask before overwriting (cancels an earlier -n)\n\
  -n, --no-clobber\n\
         (deprecated) silently skip existing files (cancels an earlier -i)\n\
"), stdout);
  fputs (_("\
  --sparse=WHEN\n\
         how to treat holes in the source: auto, always or never\n\
  -t, --target-directory=DIRECTORY\n\
         copy every SOURCE into DIRECTORY\n\
  -T, --no-target-directory\n\
         treat DEST as a normal file, never as a directory\n\
  -v, --verbose\n\
         say what is being done\n\
"), stdout);
  fputs (_("\
  --help\n\
         display this help and exit\n\
  --version\n\
         output version information and exit\n\
"), stdout);
  fputs (_("\
\n\
With --cow=auto, data is shared where the filesystem can share it and\n\
copied where it cannot: first a whole-file clone (FICLONE), then clones of\n\
ranges (FICLONERANGE), then copy_file_range, sendfile, and finally read and\n\
write.  --cow=always fails with an error rather than copy data;\n\
--cow=never makes the copy own its blocks (no clone and no copy offload).\n\
"), stdout);
  fputs (_("\
\n\
--sparse=auto keeps the holes of a source that has them (found with\n\
SEEK_DATA and SEEK_HOLE), --sparse=always also turns runs of zero bytes\n\
into holes, and --sparse=never writes every byte, turning cloning and copy\n\
offload off.\n\
"), stdout);
  fputs (_("\
\n\
A destination this program created is removed again when its data cannot\n\
be copied completely (disk full, read error, interrupt), so that no\n\
incomplete file is left looking like a copy.\n\
"), stdout);
  printf (_("\
\n\
Exit status is 0 when every file was copied, 1 otherwise.\n\
"));
  exit (status);
}

/* The operands after option parsing.  */
struct operands
{
  char **files;
  int n_files;
  char const *target_dir;   /* -t DIRECTORY */
  bool no_target_dir;       /* -T */
};

/* Copy every file of OPS into directory DIR (already checked to be one)
   with RUN.  Return true if all went well.  */
static bool
copy_into_dir (struct copy_run *run, char **files, int n_files,
               char const *dir)
{
  int dirfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  struct stat st;
  if (dirfd < 0 || fstat (dirfd, &st) != 0)
    error (EXIT_FAILURE, errno, _("target directory %s"), quoteaf (dir));
  bool ok = true;
  for (int i = 0; i < n_files && !caught_signal; i++)
    {
      char const *base = last_component (files[i]);
      char *name = file_name_concat (dir, base, NULL);
      struct copy_dest dst = {
        .dirfd = dirfd, .relname = base, .name = name, .dev = st.st_dev
      };
      ok &= copy_tree_file (run, files[i], &dst);
      free (name);
    }
  close (dirfd);
  return ok;
}

/* Decide what the operands of OPS mean, as cp does, and copy.  Return
   true if all went well; exit on a usage error.  */
static bool
do_copy (struct copy_run *run, struct operands const *ops)
{
  char **files = ops->files;
  int n = ops->n_files;

  /* 1. Too few operands, whatever else is wrong.  */
  if (n <= !ops->target_dir)
    {
      if (n <= 0)
        error (0, 0, _("missing file operand"));
      else
        error (0, 0, _("missing destination file operand after %s"),
               quoteaf (files[0]));
      usage (EXIT_FAILURE);
    }
  if (ops->no_target_dir)
    {
      if (ops->target_dir)
        error (EXIT_FAILURE, 0, _("cannot combine --target-directory (-t) "
                                  "and --no-target-directory (-T)"));
      if (2 < n)
        {
          error (0, 0, _("extra operand %s"), quoteaf (files[2]));
          usage (EXIT_FAILURE);
        }
    }
  else if (ops->target_dir)
    {
      struct stat st;
      if (stat (ops->target_dir, &st) != 0)
        error (EXIT_FAILURE, errno, _("target directory %s"),
               quoteaf (ops->target_dir));
      if (!S_ISDIR (st.st_mode))
        error (EXIT_FAILURE, ENOTDIR, _("target directory %s"),
               quoteaf (ops->target_dir));
      return copy_into_dir (run, files, n, ops->target_dir);
    }
  else
    {
      /* The last operand names a directory to copy into when it is one
         (following a symlink); with more than two operands it must be.  */
      char const *last = files[n - 1];
      struct stat st;
      int err = stat (last, &st) == 0 ? (S_ISDIR (st.st_mode) ? 0 : ENOTDIR)
                                      : errno;
      if (err == 0)
        return copy_into_dir (run, files, n - 1, last);
      if (2 < n)
        error (EXIT_FAILURE, err, _("target %s"), quoteaf (last));
    }

  struct copy_dest dst = {
    .dirfd = AT_FDCWD, .relname = files[1], .name = files[1]
  };
  return copy_tree_file (run, files[0], &dst);
}

int
main (int argc, char **argv)
{
  struct copy_options opt = {
    .cow = COW_AUTO,
    .sparse = SPARSE_AUTO,
    .interactive = I_UNSPECIFIED,
    .stop = &caught_signal
  };
  struct operands ops = { 0 };
  bool cow_given = false;
  int c;

  set_program_name (argv[0]);
  setlocale (LC_ALL, "");
  bindtextdomain (PACKAGE, LOCALEDIR);
  textdomain (PACKAGE);
  atexit (close_stdout);

  while ((c = getopt_long (argc, argv, "cfinTt:v", long_options, NULL)) != -1)
    {
      switch (c)
        {
        case 'c':
          opt.cow = COW_ALWAYS;
          cow_given = true;
          break;
        case COW_OPTION:
          opt.cow = (optarg
                     ? XARGMATCH (strncmp (argv[optind - 1], "--c", 3) == 0
                                  ? "--cow" : "--reflink",
                                  optarg, cow_args, cow_vals)
                     : COW_ALWAYS);
          cow_given = true;
          break;
        case SPARSE_OPTION:
          opt.sparse = XARGMATCH ("--sparse", optarg, sparse_args,
                                  sparse_vals);
          break;
        case DEBUG_OPTION:
          opt.debug = opt.verbose = true;
          break;
        case 'f':
          opt.unlink_dest_after_failed_open = true;
          break;
        case 'i':
          opt.interactive = I_ASK_USER;
          break;
        case 'n':
          opt.interactive = I_ALWAYS_SKIP;
          break;
        case 't':
          if (ops.target_dir)
            error (EXIT_FAILURE, 0,
                   _("multiple target directories specified"));
          ops.target_dir = optarg;
          break;
        case 'T':
          ops.no_target_dir = true;
          break;
        case 'v':
          opt.verbose = true;
          break;
        case HELP_OPTION:
          usage (EXIT_SUCCESS);
        case VERSION_OPTION:
          version_etc (stdout, PROGRAM_NAME, PACKAGE_NAME, PACKAGE_VERSION,
                       AUTHORS, (char *) NULL);
          return EXIT_SUCCESS;
        default:
          usage (EXIT_FAILURE);
        }
    }

  if (cow_given && opt.cow == COW_ALWAYS && opt.sparse != SPARSE_AUTO)
    {
      error (0, 0, _("--reflink can be used only with --sparse=auto"));
      usage (EXIT_FAILURE);
    }

  ops.files = argv + optind;
  ops.n_files = argc - optind;
  catch_signals ();

  /* Several operands into one directory may name a file twice.  */
  struct copy_run run;
  copy_tree_init (&run, &opt,
                  ops.target_dir ? 1 < ops.n_files : 2 < ops.n_files);
  bool ok = do_copy (&run, &ops);
  copy_tree_free (&run);
  if (caught_signal)
    die_of_signal (caught_signal);
  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
