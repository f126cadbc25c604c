/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cowcp -- copy files, sharing data on copy-on-write filesystems; a
   drop-in for GNU cp.  */

#include "system.h"

#include <getopt.h>
#include <locale.h>
#include <signal.h>

#include "argmatch.h"
#include "backupfile.h"
#include "closeout.h"
#include "copy-tree.h"
#include "diag.h"
#include "dirname.h"
#include "dry-run.h"
#include "error.h"
#include "filenamecat.h"
#include "frontend.h"
#include "progname.h"
#include "progress.h"
#include "version-etc.h"
#include "xalloc.h"

#define PROGRAM_NAME "cowcp"
#define AUTHORS "the cowutils authors"

/* Options without a short form.  */
enum
{
  ATTRIBUTES_ONLY_OPTION = CHAR_MAX + 1,
  BACKUP_OPTION,
  CONTEXT_OPTION,
  COPY_CONTENTS_OPTION,
  COW_OPTION,
  DEBUG_OPTION,
  DRY_RUN_OPTION,
  HELP_OPTION,
  KEEP_DIRECTORY_SYMLINK_OPTION,
  NO_PRESERVE_OPTION,
  PARENTS_OPTION,
  PRESERVE_OPTION,
  PROGRESS_OPTION,
  REMOVE_DESTINATION_OPTION,
  SPARSE_OPTION,
  STRIP_TRAILING_SLASHES_OPTION,
  UPDATE_OPTION,
  VERSION_OPTION
};

static struct option const long_options[] = {
  {"archive", no_argument, NULL, 'a'},
  {"attributes-only", no_argument, NULL, ATTRIBUTES_ONLY_OPTION},
  {"backup", optional_argument, NULL, BACKUP_OPTION},
  {"context", optional_argument, NULL, CONTEXT_OPTION},
  {"copy-contents", no_argument, NULL, COPY_CONTENTS_OPTION},
  {"cow", optional_argument, NULL, COW_OPTION},
  {"debug", no_argument, NULL, DEBUG_OPTION},
  {"dry-run", no_argument, NULL, DRY_RUN_OPTION},
  {"dereference", no_argument, NULL, 'L'},
  {"force", no_argument, NULL, 'f'},
  {"interactive", no_argument, NULL, 'i'},
  {"keep-directory-symlink", no_argument, NULL,
   KEEP_DIRECTORY_SYMLINK_OPTION},
  {"link", no_argument, NULL, 'l'},
  {"no-clobber", no_argument, NULL, 'n'},
  {"no-dereference", no_argument, NULL, 'P'},
  {"no-preserve", required_argument, NULL, NO_PRESERVE_OPTION},
  {"no-target-directory", no_argument, NULL, 'T'},
  {"one-file-system", no_argument, NULL, 'x'},
  {"parents", no_argument, NULL, PARENTS_OPTION},
  {"preserve", optional_argument, NULL, PRESERVE_OPTION},
  {"progress", optional_argument, NULL, PROGRESS_OPTION},
  {"recursive", no_argument, NULL, 'R'},
  {"reflink", optional_argument, NULL, COW_OPTION},
  {"remove-destination", no_argument, NULL, REMOVE_DESTINATION_OPTION},
  {"sparse", required_argument, NULL, SPARSE_OPTION},
  {"strip-trailing-slashes", no_argument, NULL,
   STRIP_TRAILING_SLASHES_OPTION},
  {"suffix", required_argument, NULL, 'S'},
  {"symbolic-link", no_argument, NULL, 's'},
  {"target-directory", required_argument, NULL, 't'},
  {"update", optional_argument, NULL, UPDATE_OPTION},
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


/* The words of --preserve and --no-preserve.  */
enum preserve_attr
{
  PRESERVE_MODE, PRESERVE_TIMESTAMPS, PRESERVE_OWNERSHIP, PRESERVE_LINKS,
  PRESERVE_CONTEXT, PRESERVE_XATTR, PRESERVE_FLAGS, PRESERVE_ALL
};
static char const *const preserve_args[] = {
  "mode", "timestamps", "ownership", "links", "context", "xattr", "flags",
  "all", NULL
};
static enum preserve_attr const preserve_vals[] = {
  PRESERVE_MODE, PRESERVE_TIMESTAMPS, PRESERVE_OWNERSHIP, PRESERVE_LINKS,
  PRESERVE_CONTEXT, PRESERVE_XATTR, PRESERVE_FLAGS, PRESERVE_ALL
};
ARGMATCH_VERIFY (preserve_args, preserve_vals);

/* What the option parser gathers besides struct copy_options.  */
struct settings
{
  bool deref_given;
  struct frontend_backup backup;
  bool no_clobber;
  bool parents;
  bool strip_trailing_slashes;
  bool preserve_context_asked;
  bool cow_given;
  enum progress_when progress;
};

/* Apply --preserve (ON) or --no-preserve (!ON) with comma list ARG to
   OPT.  */
static void
decode_preserve (struct copy_options *opt, struct settings *set,
                 char const *arg, bool on)
{
  char *copy = xstrdup (arg);
  char *s = copy;
  do
    {
      char *comma = strchr (s, ',');
      if (comma)
        *comma++ = '\0';
      enum preserve_attr a = XARGMATCH (on ? "--preserve" : "--no-preserve",
                                        s, preserve_args, preserve_vals);
      switch (a)
        {
        case PRESERVE_MODE:
          opt->preserve_mode = on;
          opt->explicit_no_preserve_mode = !on;
          break;
        case PRESERVE_TIMESTAMPS:
          opt->preserve_timestamps = on;
          break;
        case PRESERVE_OWNERSHIP:
          opt->preserve_ownership = on;
          break;
        case PRESERVE_LINKS:
          opt->preserve_links = on;
          break;
        case PRESERVE_CONTEXT:
          opt->preserve_context = on;
          set->preserve_context_asked = on;
          break;
        case PRESERVE_XATTR:
          opt->preserve_xattr = on;
          opt->require_preserve_xattr = on;
          break;
        case PRESERVE_FLAGS:
          opt->preserve_flags = on;
          opt->require_preserve_flags = on;
          break;
        case PRESERVE_ALL:
          /* The inode flags too, as xattrs: reported, but no error (-a
             itself leaves them, as GNU cp -a does: an immutable copy
             would be a surprise to a script that removes it).  */
          opt->preserve_flags = on;
          if (!on)
            opt->require_preserve_flags = false;
          opt->preserve_mode = on;
          opt->preserve_timestamps = on;
          opt->preserve_ownership = on;
          opt->preserve_links = on;
          opt->preserve_xattr = on;
          opt->explicit_no_preserve_mode = !on;
          break;
        }
      s = comma;
    }
  while (s);
  free (copy);
}

/* Print the help text, or the pointer to it when STATUS is not
   EXIT_SUCCESS, and exit with STATUS.  argmatch calls it too, after a
   bad option value.  */
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
Copy SOURCE to DEST, or each SOURCE into DIRECTORY.  Where the filesystem\n\
can share data between files (btrfs, XFS), the copy shares the source's\n\
extents instead of duplicating them, until either file is written.\n\
"), stdout);
  fputs (_("\
\n\
Mandatory arguments to long options are mandatory for short options too.\n\
"), stdout);
  fputs (_("\
  -a, --archive                same as -dR --preserve=all\n\
      --attributes-only        copy only the attributes asked for, no data\n\
      --backup[=CONTROL]       back up each existing destination file\n\
  -b                           like --backup, but takes no argument\n\
  -c                           same as --cow=always\n\
      --copy-contents          when recursive, read special files as if\n\
                                 they were regular files\n\
      --cow[=WHEN]             share data extents with the source; WHEN is\n\
                                 auto (the default), always or never, and\n\
                                 --cow alone means always; see below\n\
      --reflink[=WHEN]         same as --cow[=WHEN]\n\
  -d                           same as --no-dereference --preserve=links\n\
      --debug                  say how each file's data was moved; implies -v\n\
      --dry-run                change nothing: say whether each file would\n\
                                 be cloned or copied (with -v, one line per\n\
                                 entry on stdout), then a summary\n\
"), stdout);
  fputs (_("\
  -f, --force                  if an existing destination file cannot be\n\
                                 opened, remove it and try again (pointless\n\
                                 with -n)\n\
  -g, --progress[=WHEN]        show a status line on stderr while copying;\n\
                                 WHEN is auto (the default: only when\n\
                                 stderr is a terminal), always or never\n\
  -i, --interactive            ask before overwriting (cancels an earlier -n)\n\
  -H                           follow symbolic links named on the command line\n\
  -l, --link                   make hard links instead of copying files\n\
  -L, --dereference            always follow symbolic links in SOURCE\n\
  -n, --no-clobber             (deprecated) silently skip existing files\n\
                                 (cancels an earlier -i); see also --update\n\
  -P, --no-dereference         never follow symbolic links in SOURCE\n\
"), stdout);
  fputs (_("\
  -p                           same as --preserve=mode,ownership,timestamps\n\
      --preserve[=ATTR_LIST]   keep the listed attributes (default:\n\
                                 mode,ownership,timestamps); more: context,\n\
                                 links, xattr, flags (the inode flags chattr\n\
                                 sets; not with -a alone), all\n\
      --no-preserve=ATTR_LIST  do not keep the listed attributes\n\
      --parents                append each SOURCE name, with its\n\
                                 directories, to DIRECTORY\n\
  -R, -r, --recursive          copy directories and everything in them\n\
      --remove-destination     remove each existing destination file before\n\
                                 opening it (unlike --force, which removes\n\
                                 only what cannot be opened)\n\
"), stdout);
  fputs (_("\
      --sparse=WHEN            how to treat holes in the source: auto,\n\
                                 always or never; see below\n\
      --strip-trailing-slashes  remove trailing slashes from each SOURCE\n\
  -s, --symbolic-link          make symbolic links instead of copying files\n\
  -S, --suffix=SUFFIX          the backup suffix, instead of the usual one\n\
  -t, --target-directory=DIRECTORY  copy every SOURCE into DIRECTORY\n\
  -T, --no-target-directory    treat DEST as a normal file, never as a\n\
                                 directory\n\
"), stdout);
  fputs (_("\
      --update[=UPDATE]        which existing destination files to replace:\n\
                                 all (the default without the option), none,\n\
                                 none-fail, or older (the default with the\n\
                                 option)\n\
  -u                           same as --update[=older]\n\
  -v, --verbose                say what is being done\n\
      --keep-directory-symlink  follow a destination symlink that points to\n\
                                 a directory\n\
  -x, --one-file-system        stay on the filesystem of each SOURCE\n\
  -Z, --context[=CTX]          SELinux security context of the copies\n\
                                 (ignored on kernels without SELinux, as GNU\n\
                                 cp does)\n\
"), stdout);
  fputs (_("\
      --help                   show this help, then exit\n\
      --version                show version and license, then exit\n\
"), stdout);
  fputs (_("\
\n\
ATTR_LIST is a comma-separated list of mode, ownership, timestamps,\n\
links, context, xattr and all.  Ownership is kept only where permitted;\n\
a set-user-ID or set-group-ID bit is then dropped.\n\
"), stdout);
  frontend_help_backups ();
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
  bool parents;             /* --parents */
  bool strip_slashes;       /* --strip-trailing-slashes */
};

/* A directory of a --parents operand's path, under the destination:
   REL (from the destination directory) stands for source directory SRC.
   RESTORE says its mode is to be set to MODE once its contents are in.  */
struct parent_dir
{
  char *src;
  char *rel;
  bool restore;
  mode_t mode;
};

/* The directories of one --parents operand, outermost first.  */
struct parents
{
  struct parent_dir *dir;
  size_t n;
};

/* Make directory P of DIRFD for source directory SRC (status ST), as
   GNU cp does for --parents: with the source's permission bits less
   those that must wait for the owner, and writable by its owner until
   its contents are in.  Fill *PD's RESTORE and MODE.  Return 0 or -1
   with errno set.  */
static int
make_parent (struct copy_options const *opt, int dirfd, char const *p,
             struct stat const *st, struct parent_dir *pd)
{
  mode_t omitted = st->st_mode & (opt->preserve_ownership
                                  ? S_IRWXG | S_IRWXO
                                  : opt->preserve_mode
                                  ? S_IWGRP | S_IWOTH : 0);
  mode_t mode = ((opt->explicit_no_preserve_mode ? S_IRWXUGO : st->st_mode)
                 & CHMOD_MODE_BITS & ~omitted);
  struct stat made;
  if (mkdirat (dirfd, p, mode) != 0
      || fstatat (dirfd, p, &made, AT_SYMLINK_NOFOLLOW) != 0)
    return -1;
  if (!opt->preserve_mode)
    {
      if (omitted & ~made.st_mode)
        omitted &= ~opt->umask;
      if ((omitted & ~made.st_mode)
          || (made.st_mode & S_IRWXU) != S_IRWXU)
        {
          pd->restore = true;
          pd->mode = (made.st_mode | omitted) & CHMOD_MODE_BITS;
        }
    }
  if ((made.st_mode & S_IRWXU) != S_IRWXU)
    return fchmodat (dirfd, p, (made.st_mode | S_IRWXU) & CHMOD_MODE_BITS,
                     0);
  return 0;
}

/* Stat the directory PATH, whose end SLASH (a '/' made '\0') marks,
   as "PATH/", as GNU cp does: a file that is no directory is ENOTDIR.
   Return 0 or -1 with errno set.  */
static int
stat_as_dir (char *path, char *slash, struct stat *st)
{
  char next_char = slash[1];
  *slash = '/';
  slash[1] = '\0';
  int r = stat (path, st);
  int err = errno;
  slash[1] = next_char;
  *slash = '\0';
  errno = err;
  return r;
}

/* With --parents, make the directories of operand FILE (relative to
   DIRFD, called DIR) that are missing, saying "SRC -> DST" for each with
   -v as GNU cp does.  Unless the innermost one existed already, list
   them all (made or not) in *PARENTS for restore_parents, as GNU cp
   does.  Set *NEW_DST as GNU cp's make_dir_parents_private sets its
   new_dst: true once a directory is made, false once one is found, and
   unchanged for an operand with no directory in its name, so that it
   carries over from the operand before (cp.c's do_copy declares it once
   for all operands, in 9.1 as in the 2025 sources).  Return a
   descriptor of the innermost one, or -1 after reporting.  */
static int
make_parents (struct copy_run *run, int dirfd, char const *dir,
              char const *file, struct parents *parents, bool *new_dst)
{
  struct copy_options const *opt = run->opt;
  char *path = xstrdup (file);
  int fd = dup (dirfd);
  char *p = path;
  while (*p == '/')
    p++;
  char const *rel = p;
  char *last = strrchr (p, '/');
  if (last)
    {
      *last = '\0';
      int inner = openat (dirfd, rel, O_PATH | O_DIRECTORY | O_CLOEXEC);
      *last = '/';
      if (0 <= inner)
        {
          *new_dst = false;
          close (fd);
          free (path);
          return inner;
        }
    }
  for (char *slash; 0 <= fd && (slash = strchr (p, '/')); )
    {
      *slash = '\0';
      if (*p)
        {
          struct stat st;
          if (stat_as_dir (path, slash, &st) != 0)
            {
              diag_error (errno, _("failed to get attributes of %s"),
                          quoteaf (path));
              close (fd);
              fd = -1;
              break;
            }
          struct parent_dir pd = { .restore = false };
          bool made = make_parent (opt, fd, p, &st, &pd) == 0;
          if (made)
            {
              if (opt->verbose)
                {
                  char *d = file_name_concat (dir, path, NULL);
                  diag_line ("%s -> %s", path, d);
                  free (d);
                }
            }
          else if (errno != EEXIST)
            {
              char *d = file_name_concat (dir, path, NULL);
              diag_error (errno, _("cannot make directory %s"), quoteaf (d));
              free (d);
              close (fd);
              fd = -1;
              break;
            }
          int next = openat (fd, p, O_PATH | O_DIRECTORY | O_CLOEXEC);
          if (next < 0 && errno == ENOENT && !made)
            {
              /* A dangling symlink: GNU cp's stat finds nothing, so it
                 takes the directory for missing (and the operand for
                 new) and its mkdir fails with EEXIST.  */
              *new_dst = true;
              errno = EEXIST;
            }
          if (next < 0)
            {
              char *d = file_name_concat (dir, path, NULL);
              diag_error (errno == ENOTDIR ? 0 : errno,
                          errno == ENOTDIR
                          ? _("%s exists but is not a directory")
                          : _("cannot make directory %s"), quoteaf (d));
              free (d);
            }
          else
            {
              *new_dst = made;
              pd.src = xstrdup (path);
              pd.rel = xstrdup (rel);
              parents->dir = xreallocarray (parents->dir, parents->n + 1,
                                            sizeof *parents->dir);
              parents->dir[parents->n++] = pd;
            }
          close (fd);
          fd = next;
        }
      *slash = '/';
      p = slash + 1;
    }
  free (path);
  return fd;
}

/* The operand is copied: give the directories in PARENTS (under DIRFD,
   called DIR) the attributes of their sources that cp -p keeps, and the
   modes they were made without, innermost first.  Only when APPLY: an
   operand whose parents could not all be made is not copied, and GNU
   cp's re_protect is not run for it either, so that the parents made
   keep the owner's access they were made with.  Free them.  Return
   false after reporting a failure.  */
static bool
restore_parents (struct copy_run *run, int dirfd, char const *dir,
                 struct parents *parents, bool apply)
{
  bool ok = true;
  while (parents->n)
    {
      struct parent_dir *pd = &parents->dir[--parents->n];
      char *name = file_name_concat (dir, pd->rel, NULL);
      if (apply)
        ok &= copy_tree_parent_meta (run, pd->src, dirfd, pd->rel, name,
                                     pd->restore ? &pd->mode : NULL);
      free (name);
      free (pd->src);
      free (pd->rel);
    }
  free (parents->dir);
  parents->dir = NULL;
  return ok;
}

/* Copy every file of FILES into directory DIR with RUN, as their last
   component or, with PARENTS, under their whole name.  Return true if
   all went well.  */
static bool
copy_into_dir (struct copy_run *run, char **files, int n_files,
               char const *dir, bool parents)
{
  int dirfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  struct copy_dest in_dir = { 0 };
  if (dirfd < 0 || copy_tree_describe_dir (dirfd, &in_dir) != 0)
    frontend_bad_target (errno, dir, true);
  bool ok = true;
  /* GNU cp's new_dst, one for all the operands: see make_parents.  */
  bool new_dst = false;
  for (int i = 0; i < n_files && !*frontend_stop; i++)
    {
      /* The copy is named after the last component, trailing slashes
         aside.  */
      char *arg = xstrdup (files[i]);
      strip_trailing_slashes (arg);
      char const *rel = parents ? arg : last_component (arg);
      while (parents && *rel == '/')
        rel++;
      char *name = file_name_concat (dir, rel, NULL);
      struct parents made = { NULL, 0 };
      int fd = (parents ? make_parents (run, dirfd, dir, arg, &made, &new_dst)
                : dirfd);
      if (fd < 0)
        ok = false;
      else
        {
          /* With --parents the entry goes into a directory of its
             path, not described here.  */
          struct copy_dest dst = in_dir;
          dst.dirfd = fd;
          dst.relname = parents ? last_component (rel) : rel;
          dst.name = name;
          dst.dir_known = !parents;
          dst.taken_new = parents && new_dst;
          ok &= copy_tree_file (run, files[i], &dst);
          if (parents)
            close (fd);
        }
      if (parents)
        ok &= restore_parents (run, dirfd, dir, &made, 0 <= fd);
      free (name);
      free (arg);
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

  /* 1. Too few operands, -t with -T, too many with -T.  */
  frontend_check_operands (files, n, ops->target_dir, ops->no_target_dir);
  if (ops->target_dir)
    {
      struct stat st;
      if (stat (ops->target_dir, &st) != 0)
        frontend_bad_target (errno, ops->target_dir, true);
      if (!S_ISDIR (st.st_mode))
        frontend_bad_target (ENOTDIR, ops->target_dir, true);
      if (ops->strip_slashes)
        for (int i = 0; i < n; i++)
          strip_trailing_slashes (files[i]);
      return copy_into_dir (run, files, n, ops->target_dir, ops->parents);
    }
  if (!ops->no_target_dir)
    {
      /* The last operand names a directory to copy into when it is one
         (following a symlink); with more than two operands it must be.  */
      char const *last = files[n - 1];
      struct stat st;
      int err = stat (last, &st) == 0 ? (S_ISDIR (st.st_mode) ? 0 : ENOTDIR)
                                      : errno;
      if (err == 0)
        {
          if (ops->strip_slashes)
            for (int i = 0; i < n - 1; i++)
              strip_trailing_slashes (files[i]);
          return copy_into_dir (run, files, n - 1, last, ops->parents);
        }
      if (2 < n)
        frontend_bad_target (err, last, false);
    }

  if (ops->parents)
    {
      error (0, 0, _("with --parents, the destination must be a directory"));
      usage (EXIT_FAILURE);
    }
  struct copy_dest dst = { .dirfd = AT_FDCWD, .relname = files[1],
                           .name = files[1] };
  char *dir = mdir_name (files[1]);
  int dirfd = dir ? open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
  if (0 <= dirfd)
    {
      copy_tree_describe_dir (dirfd, &dst);
      close (dirfd);
    }
  free (dir);
  return copy_tree_file (run, files[0], &dst);
}

/* Apply option C to OPT and SET if it is about what is copied: links,
   symlinks, trees, filesystems.  Return false if it is not.  */
static bool
parse_tree_option (int c, struct copy_options *opt, struct settings *set)
{
  switch (c)
    {
    case 'a':
      opt->deref = DEREF_NEVER;
      set->deref_given = true;
      opt->preserve_links = opt->preserve_ownership = true;
      opt->preserve_mode = opt->preserve_timestamps = true;
      opt->preserve_xattr = true;
      opt->require_preserve = true;
      opt->reduce_diagnostics = true;
      opt->explicit_no_preserve_mode = false;
      opt->recursive = true;
      break;
    case COPY_CONTENTS_OPTION:
      opt->copy_contents = true;
      break;
    case 'd':
      opt->deref = DEREF_NEVER;
      set->deref_given = true;
      opt->preserve_links = true;
      break;
    case 'H':
      opt->deref = DEREF_COMMAND_LINE;
      set->deref_given = true;
      break;
    case KEEP_DIRECTORY_SYMLINK_OPTION:
      opt->keep_dir_symlink = true;
      break;
    case 'l':
      opt->hard_link = true;
      break;
    case 'L':
      opt->deref = DEREF_ALWAYS;
      set->deref_given = true;
      break;
    case 'P':
      opt->deref = DEREF_NEVER;
      set->deref_given = true;
      break;
    case 'r':
    case 'R':
      opt->recursive = true;
      break;
    case 's':
      opt->symbolic_link = true;
      break;
    case 'x':
      opt->one_file_system = true;
      break;
    default:
      return false;
    }
  return true;
}

/* Apply option C to OPT and SET if it is about how data and metadata
   are copied (ARGV gives the option's spelling).  Return false if it is
   not.  */
static bool
parse_data_option (int c, struct copy_options *opt, struct settings *set,
                   char **argv)
{
  switch (c)
    {
    case ATTRIBUTES_ONLY_OPTION:
      opt->data_copy_required = false;
      break;
    case 'c':
      opt->cow = COW_ALWAYS;
      set->cow_given = true;
      break;
    case CONTEXT_OPTION:
      /* Without SELinux, GNU cp ignores a bare -Z and warns about a
         context it cannot set->  */
      if (optarg)
        error (0, 0, _("warning: ignoring --context; "
                       "it requires an SELinux-enabled kernel"));
      break;
    case 'Z':
      break;
    case COW_OPTION:
      opt->cow = (optarg
                 ? XARGMATCH (strncmp (argv[optind - 1], "--c", 3) == 0
                              ? "--cow" : "--reflink",
                              optarg, cow_args, cow_vals)
                 : COW_ALWAYS);
      set->cow_given = true;
      break;
    case NO_PRESERVE_OPTION:
      decode_preserve (opt, set, optarg, false);
      break;
    case 'p':
      opt->preserve_mode = opt->preserve_ownership = true;
      opt->preserve_timestamps = true;
      opt->require_preserve = true;
      opt->explicit_no_preserve_mode = false;
      break;
    case PRESERVE_OPTION:
      if (optarg)
        decode_preserve (opt, set, optarg, true);
      else
        {
          opt->preserve_mode = opt->preserve_ownership = true;
          opt->preserve_timestamps = true;
          opt->explicit_no_preserve_mode = false;
        }
      opt->require_preserve = true;
      break;
    case SPARSE_OPTION:
      opt->sparse = XARGMATCH ("--sparse", optarg, sparse_args,
                              sparse_vals);
      break;
    default:
      return false;
    }
  return true;
}

/* Apply option C to OPT, SET and OPS if it is about destinations and
   what is said: backups, -f, -i, -n, -u, the target, -v.  Return false
   if it is not.  */
static bool
parse_dest_option (int c, struct copy_options *opt, struct settings *set,
                   struct operands *ops)
{
  if (frontend_backup_option (c, BACKUP_OPTION, &set->backup))
    return true;
  switch (c)
    {
    case DEBUG_OPTION:
      opt->debug = opt->verbose = true;
      break;
    case DRY_RUN_OPTION:
      opt->dry_run = true;
      break;
    case 'f':
      opt->unlink_dest_after_failed_open = true;
      break;
    case 'i':
      opt->interactive = I_ASK_USER;
      set->no_clobber = false;
      break;
    case 'n':
      set->no_clobber = true;
      opt->interactive = I_UNSPECIFIED;
      break;
    case PARENTS_OPTION:
      ops->parents = true;
      break;
    case REMOVE_DESTINATION_OPTION:
      opt->remove_destination = true;
      break;
    case STRIP_TRAILING_SLASHES_OPTION:
      ops->strip_slashes = true;
      break;
    case 't':
      frontend_set_target (&ops->target_dir, optarg);
      break;
    case 'T':
      ops->no_target_dir = true;
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
      set->progress = progress_when_arg (optarg);
      break;
    default:
      return false;
    }
  return true;
}

/* Check the options gathered in OPT and SET for the conflicts GNU cp
   reports, in its order, and settle what follows from them: -n, the
   backup type, the symlink rule.  Exit on a usage error.  */
static void
check_settings (struct copy_options *opt, struct settings const *set)
{
  if (opt->hard_link && opt->symbolic_link)
    {
      error (0, 0, _("cannot make both hard and symbolic links"));
      usage (EXIT_FAILURE);
    }
  if (set->no_clobber)
    opt->update = UPDATE_NONE;
  if (set->backup.make
      && (opt->update == UPDATE_NONE || opt->update == UPDATE_NONE_FAIL))
    {
      error (0, 0, _("--backup is mutually exclusive with -n or "
                     "--update=none-fail"));
      usage (EXIT_FAILURE);
    }
  if (set->cow_given && opt->cow == COW_ALWAYS && opt->sparse != SPARSE_AUTO)
    {
      error (0, 0, _("--reflink can be used only with --sparse=auto"));
      usage (EXIT_FAILURE);
    }
  if (set->backup.make)
    opt->backup_type = frontend_backup_type (set->backup.control,
                                             set->backup.suffix);
  if (set->preserve_context_asked)
    error (EXIT_FAILURE, 0, _("cannot preserve security context "
                              "without an SELinux-enabled kernel"));

  /* Without -P, -H, -L, -d or -a, a recursive copy copies symlinks as
     symlinks, except with -l; a plain one follows them.  */
  if (!set->deref_given)
    opt->deref = (opt->recursive && !opt->hard_link
                  ? DEREF_NEVER : DEREF_ALWAYS);
}

int
main (int argc, char **argv)
{
  struct copy_options opt = {
    .cow = COW_AUTO,
    .sparse = SPARSE_AUTO,
    .interactive = I_UNSPECIFIED,
    .update = UPDATE_ALL,
    .deref = DEREF_ALWAYS,
    .data_copy_required = true,
    .backup_type = no_backups
  };
  struct settings set = { .progress = PROGRESS_NEVER };
  struct operands ops = { 0 };
  int c;

  frontend_init (argv[0]);

  while ((c = getopt_long (argc, argv, "abcdfgHilLnprst:uvxPRS:TZ",
                           long_options, NULL)) != -1)
    {
      if (parse_tree_option (c, &opt, &set)
          || parse_data_option (c, &opt, &set, argv)
          || parse_dest_option (c, &opt, &set, &ops))
        continue;
      switch (c)
        {
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

  check_settings (&opt, &set);
  /* --parents makes directories before the engine runs.  */
  if (opt.dry_run && ops.parents)
    {
      error (0, 0, _("--dry-run cannot be used with --parents"));
      usage (EXIT_FAILURE);
    }
  frontend_process (&opt);

  ops.files = argv + optind;
  ops.n_files = argc - optind;
  frontend_catch_signals ();
  /* Before the workers start: they inherit the signal mask.  */
  struct progress *progress
    = progress_start (set.progress,
                      ops.target_dir ? ops.n_files : ops.n_files - 1);
  opt.progress = progress_counts (progress);

  /* Several operands into one directory may name a file twice.  */
  struct copy_run run;
  copy_tree_init (&run, &opt,
                  ops.target_dir ? 1 < ops.n_files : 2 < ops.n_files);
  bool ok = do_copy (&run, &ops);
  if (run.dry)
    dry_run_summary (run.dry, error_message_count);
  copy_tree_free (&run);
  progress_end (progress, *frontend_stop != 0);
  frontend_exit_if_signalled ();
  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
