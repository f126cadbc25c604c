/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cowmv -- move (rename) files, as GNU mv does; across filesystems and
   btrfs subvolumes the data is cloned where possible, and the source is
   removed only once its copy is complete and in place.  */

#include "system.h"

#include <dirent.h>
#include <getopt.h>
#include <locale.h>

#include "argmatch.h"
#include "backupfile.h"
#include "closeout.h"
#include "copy-tree.h"
#include "copy-dest.h"
#include "dest-probe.h"
#include "diag.h"
#include "dirname.h"
#include "error.h"
#include "filemode.h"
#include "filenamecat.h"
#include "frontend.h"
#include "hardlink-map.h"
#include "name-set.h"
#include "progname.h"
#include "remove-tree.h"
#include "version-etc.h"
#include "xalloc.h"

#define PROGRAM_NAME "cowmv"
#define AUTHORS "the cowutils authors"

enum
{
  BACKUP_OPTION = CHAR_MAX + 1,
  CONTEXT_OPTION,
  DEBUG_OPTION,
  EXCHANGE_OPTION,
  HELP_OPTION,
  NO_COPY_OPTION,
  STRIP_TRAILING_SLASHES_OPTION,
  UPDATE_OPTION,
  VERSION_OPTION
};

static struct option const long_options[] = {
  {"backup", optional_argument, NULL, BACKUP_OPTION},
  {"context", no_argument, NULL, 'Z'},
  {"debug", no_argument, NULL, DEBUG_OPTION},
  {"exchange", no_argument, NULL, EXCHANGE_OPTION},
  {"force", no_argument, NULL, 'f'},
  {"interactive", no_argument, NULL, 'i'},
  {"no-clobber", no_argument, NULL, 'n'},
  {"no-copy", no_argument, NULL, NO_COPY_OPTION},
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


/* What the options ask for.  */
struct mv_options
{
  enum interactive_mode interactive;
  enum update_mode update;
  enum backup_type backup;
  bool verbose;
  bool debug;
  bool exchange;
  bool no_copy;
};

/* Per-run state.  */
struct mv_run
{
  struct mv_options const *opt;
  struct copy_options copy;     /* for moves across filesystems */
  struct copy_run engine;
  struct name_set *moved;       /* destinations made, when several */
  struct hlmap *dirs;           /* directory operands: (dev, ino) ->
                                   destination, when several */
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
  --backup[=CONTROL]\n\
         make a backup of each existing destination file\n\
  -b\n\
         like --backup, but takes no argument\n\
  --debug\n\
         say how each copied file's data was moved; implies -v\n\
  --exchange\n\
         swap SOURCE and DEST atomically (both must exist)\n\
  -f, --force\n\
         do not ask before overwriting\n\
  -i, --interactive\n\
         ask before overwriting\n\
  -n, --no-clobber\n\
         do not overwrite an existing file\n\
If more than one of -i, -f, -n is given, the last one counts.\n\
  --no-copy\n\
         fail rather than copy when a rename is not possible\n\
  --strip-trailing-slashes\n\
         remove trailing slashes from each SOURCE\n\
  -S, --suffix=SUFFIX\n\
         the backup suffix, instead of the usual one\n\
"), stdout);
  fputs (_("\
  -t, --target-directory=DIRECTORY\n\
         move every SOURCE into DIRECTORY\n\
  -T, --no-target-directory\n\
         treat DEST as a normal file\n\
  --update[=UPDATE]\n\
         which existing destination files to replace: all (the default\n\
         without the option), none, none-fail, or older (the default with\n\
         the option)\n\
  -u\n\
         same as --update[=older]\n\
  -v, --verbose\n\
         say what is being done\n\
  -Z, --context\n\
         SELinux context of the destination (ignored without SELinux)\n\
  --help\n\
         display this help and exit\n\
  --version\n\
         output version information and exit\n\
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

/* Return true if directory REL of DIRFD has no entries.  */
static bool
dir_is_empty (int dirfd, char const *rel)
{
  int fd = openat (dirfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = 0 <= fd ? fdopendir (fd) : NULL;
  if (!d)
    {
      if (0 <= fd)
        close (fd);
      return false;
    }
  struct dirent *e;
  bool empty = true;
  while (empty && (e = readdir (d)))
    empty = strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0;
  closedir (d);
  return empty;
}

/* Move SRC across filesystems to entry REL of DIRFD (DIR_PATH from the
   working directory, NULL for AT_FDCWD), called DST: copy it beside the
   destination, rename the copy into place, then remove SRC.  A failure
   before the rename removes the copy and leaves SRC as it was.

   A signal (SIGINT, SIGTERM, SIGHUP; see frontend.c) must never cost a
   file.  The rename in step 3 is the point of no return:
   - Before it, a signal abandons the move: the copy stops, counts as
     failed (copy_tree_stopped) and is removed, SRC is untouched and the
     final name was never used.  GNU mv, killed while copying, leaves the
     source whole too (but a partial copy under the final name).
   - After it, the copy is complete and in place, and the removal of SRC
     goes on to the end in spite of the signal; then cowmv dies of it.
     Stopping halfway would leave the same files in two places for the
     user to sort out, where finishing leaves the move done.
   - A second signal kills at once (the handler is reset by the first).
     Killed during the copy, SRC is whole and the copy stays under its
     temporary name, which the next move to DST warns about; killed
     during the removal, the copy is whole and SRC partly removed.  GNU
     mv, removing its source after copying, can be left so by any signal.
   Either way every file is whole in at least one place.  */
static bool
move_across (struct mv_run *run, char const *src, int dirfd,
             char const *dir_path, char const *rel, char const *dst,
             struct stat const *dst_st)
{
  /* 1. A directory in the way must be empty; checked before copying.  */
  if (dst_st && S_ISDIR (dst_st->st_mode) && !dir_is_empty (dirfd, rel))
    {
      diag_error (ENOTEMPTY, _("inter-device move failed: %s to %s; "
                               "unable to remove target"),
                  quoteaf_n (0, src), quoteaf_n (1, dst));
      return false;
    }

  /* 2. The copy, under a temporary name ".NAME.cowmv-XXXXXX".  */
  struct beside_names const names = {
    .tag = "cowmv",
    .leftover = _("warning: leftover partial copy %s from an interrupted "
                  "move; remove it unless another move is still running")
  };
  char *tmp = copy_tree_beside (&run->engine, src, dirfd, dir_path, rel,
                                dst, &names);
  if (!tmp)
    return false;

  /* 3. Into place, replacing what was there (an empty directory, or a
     file: atomically); not if a signal came since the copy was done.  */
  bool stopped = copy_tree_stopped (&run->engine);
  if (stopped || renameat (dirfd, tmp, dirfd, rel) != 0)
    {
      int err = errno;
      char *shown = name_beside (dst, last_component (tmp));
      remove_tree_made (dirfd, tmp, shown);
      free (shown);
      if (!stopped)
        diag_error (err, _("inter-device move failed: %s to %s; "
                           "unable to remove target"),
                    quoteaf_n (0, src), quoteaf_n (1, dst));
      free (tmp);
      return false;
    }
  char *from = dir_path ? file_name_concat (dir_path, tmp, NULL)
                        : xstrdup (tmp);
  char *to = dir_path ? file_name_concat (dir_path, rel, NULL) : xstrdup (rel);
  copy_tree_placed (&run->engine, from, to);
  free (from);
  free (to);
  free (tmp);

  /* 4. Only now may the source go, all of it (see above).  */
  return remove_tree (AT_FDCWD, src, src, run->opt->verbose);
}

/* The destination, entry REL of directory DIR_PATH (NULL for the
   working directory), stays: note it in the engine's link table as the
   copy of the file SRC_ST.  */
static void
remember_kept (struct mv_run *run, struct stat const *src_st,
               char const *dir_path, char const *rel)
{
  char *path = dir_path ? file_name_concat (dir_path, rel, NULL)
                        : xstrdup (rel);
  hlmap_insert (run->engine.links, src_st->st_dev, src_st->st_ino, path);
  free (path);
}

/* Fill *P with mv's rules for an existing destination.  */
static void
mv_policy (struct mv_run const *run, struct dest_policy *p)
{
  struct mv_options const *opt = run->opt;
  *p = (struct dest_policy) {
    .move = true, .preserve_links = true, .data_copy_required = true,
    .track_created = run->moved != NULL,
    .stdin_tty = isatty (STDIN_FILENO), .deref = DEREF_NEVER,
    .update = opt->update, .interactive = opt->interactive,
    .backup_type = opt->backup
  };
}

/* Decide with copy_dest_decide what happens to the destination of
   moving SRC (status SRC_ST) to entry REL of DIRFD (DIR_PATH from the
   working directory, NULL for AT_FDCWD), called DST, and do
   the first part of it: a question, a backup (named in *BACKUP).  Set
   *EXISTS when something stays at the destination for the rename to
   replace, and *DST_ST to its status.  Return true to go on with the
   move; false to stop, with *OK the result of the move.  */
static bool
check_dest (struct mv_run *run, char const *src, struct stat const *src_st,
            int dirfd, char const *dir_path, char const *rel,
            char const *dst, bool *exists, struct stat *dst_st,
            char **backup, bool *ok)
{
  struct mv_options const *opt = run->opt;
  struct dest_policy p;
  struct dest_facts f;
  struct dest_where w = { .src_dirfd = AT_FDCWD, .src_rel = src,
                          .src_name = src, .dst_dirfd = dirfd,
                          .dst_rel = rel, .dst_name = dst };
  mv_policy (run, &p);
  dest_probe (&w, src_st, true, p.track_created ? run->moved : NULL, false,
              &p, &f);
  struct dest_decision d = copy_dest_decide (&p, &f);
  *exists = f.dst_lnk_ok;
  *dst_st = f.dst_lnk;
  *ok = false;
  /* GNU asks before it looks at directories against non-directories
     and names made this run.  */
  if (d.ask && !dest_ask (&w, &f.dst_lnk, true))
    {
      if (opt->debug)
        dest_say_skipped (dst);
      return false;
    }
  if (d.action == DEST_REFUSE)
    {
      dest_report (&w, &d, true);
      return false;
    }
  if (d.action == DEST_SKIP)
    {
      /* -u kept a newer destination: another name of the source, moved
         later, is linked to it, as GNU mv does.  */
      if (!d.fail && p.update == UPDATE_OLDER && run->engine.links)
        remember_kept (run, src_st, dir_path, rel);
      if (d.fail)
        dest_report (&w, &d, true);
      else if (opt->debug)
        dest_say_skipped (dst);
      *ok = !d.fail;
      return false;
    }
  if (d.action == DEST_BACKUP)
    {
      if (!dest_make_backup (&w, opt->backup, backup))
        return false;
      *exists = false;
    }
  return true;
}

/* Return true if directory SRC (status ST) was an operand before, to be
   moved to the same destination DST: GNU mv warns and leaves it (the
   first operand's move, whatever became of it, stands).  */
static bool
dir_named_twice (struct mv_run *run, char const *src, struct stat const *st,
                 char const *dst)
{
  char const *earlier = hlmap_lookup (run->dirs, st->st_dev, st->st_ino);
  if (!earlier)
    {
      hlmap_insert (run->dirs, st->st_dev, st->st_ino, dst);
      return false;
    }
  if (!copy_tree_same_entry (earlier, dst))
    return false;
  diag_error (0, _("warning: source directory %s specified more than once"),
              quoteaf (src));
  return true;
}

/* Move SRC to entry REL of DIRFD, called DST.  RENAME_ERRNO is the errno
   of a rename already tried without replacing, or -1.  */
static bool
move_one (struct mv_run *run, char const *src, int dirfd,
          char const *dir_path, char const *rel, char const *dst,
          int rename_errno)
{
  struct mv_options const *opt = run->opt;
  struct stat src_st, dst_st;
  char *backup = NULL;
  bool ok = false;

  /* 1. The cheap way first: a rename that replaces nothing.  */
  if (rename_errno < 0 && !opt->exchange)
    {
      if (renameat2 (AT_FDCWD, src, dirfd, rel, RENAME_NOREPLACE) == 0)
        goto renamed;
      rename_errno = errno;
    }

  /* 2. What is there, and may it be replaced?  */
  if (lstat (src, &src_st) != 0)
    {
      diag_error (errno, _("cannot stat %s"), quoteaf (src));
      return false;
    }
  if (S_ISDIR (src_st.st_mode) && run->dirs
      && dir_named_twice (run, src, &src_st, dst))
    return true;
  bool exists = false;
  /* GNU mv tries the swap before any rule about the destination.  */
  if (opt->exchange)
    exists = fstatat (dirfd, rel, &dst_st, AT_SYMLINK_NOFOLLOW) == 0;
  else if (!check_dest (run, src, &src_st, dirfd, dir_path, rel, dst,
                        &exists, &dst_st, &backup, &ok))
    return ok;

  /* 3. The atomic swap, when asked.  */
  if (opt->exchange)
    {
      if (!exists)
        rename_errno = ENOENT;
      else if (renameat2 (AT_FDCWD, src, dirfd, rel, RENAME_EXCHANGE) == 0)
        {
          if (opt->verbose)
            diag_line (_("exchanged %s <-> %s"), quoteaf_n (0, src),
                       quoteaf_n (1, dst));
          return true;
        }
      else
        rename_errno = errno;
      diag_error (rename_errno, _("cannot exchange %s and %s"),
                  quoteaf_n (0, src), quoteaf_n (1, dst));
      return false;
    }

  /* 4. The rename, now replacing, when the first one found something in
     the way; across filesystems, the copy.  Any other error of the first
     rename is the answer, as in GNU mv.  */
  if (rename_errno == EEXIST)
    {
      if (renameat (AT_FDCWD, src, dirfd, rel) == 0)
        goto renamed;
      rename_errno = errno;
    }
  if (rename_errno == EXDEV && !opt->no_copy)
    {
      ok = move_across (run, src, dirfd, dir_path, rel, dst,
                        exists ? &dst_st : NULL);
      goto done;
    }
  switch (rename_errno)
    {
    case EINVAL:
      diag_error (0, _("cannot move %s to a subdirectory of itself, %s"),
                  quoteaf_n (0, src), quoteaf_n (1, dst));
      break;
    case EDQUOT: case EEXIST: case EISDIR: case EMLINK: case ENOSPC:
    case ETXTBSY: case ENOTEMPTY:
      diag_error (rename_errno, _("cannot overwrite %s"), quoteaf (dst));
      break;
    default:
      diag_error (rename_errno, _("cannot move %s to %s"),
                  quoteaf_n (0, src), quoteaf_n (1, dst));
      break;
    }
  goto done;

 renamed:
  ok = true;
  if (opt->verbose)
    {
      if (backup)
        {
          char *b = name_beside (dst, backup);
          diag_line (_("renamed %s -> %s (backup: %s)"), quoteaf_n (0, src),
                     quoteaf_n (1, dst), quoteaf_n (2, b));
          free (b);
        }
      else
        diag_line (_("renamed %s -> %s"), quoteaf_n (0, src),
                   quoteaf_n (1, dst));
    }

 done:
  /* Remember what was made, so that another operand does not replace
     it (GNU's dest_info).  */
  struct stat made;
  if (ok && run->moved)
    name_set_add_file (run->moved, dst,
                       fstatat (dirfd, rel, &made, AT_SYMLINK_NOFOLLOW) == 0
                       ? &made : NULL);
  /* The move failed after a backup: put the old file back.  */
  if (!ok && backup)
    dest_unbackup (dirfd, rel, backup, dst, false);
  free (backup);
  return ok;
}

/* Move each of FILES into directory DIR.  */
static bool
move_into_dir (struct mv_run *run, char **files, int n, char const *dir)
{
  int dirfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    error (EXIT_FAILURE, errno, _("target directory %s"), quoteaf (dir));
  bool ok = true;
  for (int i = 0; i < n && !*frontend_stop; i++)
    {
      char *base = xstrdup (last_component (files[i]));
      strip_trailing_slashes (base);
      char *name = file_name_concat (dir, base, NULL);
      ok &= move_one (run, files[i], dirfd, dir, base, name, -1);
      free (name);
      free (base);
    }
  close (dirfd);
  return ok;
}

int
main (int argc, char **argv)
{
  struct mv_options opt = { .interactive = I_UNSPECIFIED,
                            .update = UPDATE_ALL, .backup = no_backups };
  char const *target_dir = NULL;
  bool no_target_dir = false, make_backups = false, strip = false;
  char const *version_control = NULL, *suffix = NULL;
  int c;

  frontend_init (argv[0]);

  while ((c = getopt_long (argc, argv, "bfint:uvS:TZ", long_options, NULL))
         != -1)
    {
      switch (c)
        {
        case 'b':
          make_backups = true;
          break;
        case BACKUP_OPTION:
          make_backups = true;
          if (optarg)
            version_control = optarg;
          break;
        case DEBUG_OPTION:
          opt.debug = opt.verbose = true;
          break;
        case EXCHANGE_OPTION:
          opt.exchange = true;
          break;
        case 'f':
          opt.interactive = I_ALWAYS_YES;
          break;
        case 'i':
          opt.interactive = I_ASK_USER;
          break;
        case 'n':
          opt.interactive = I_ALWAYS_SKIP;
          break;
        case NO_COPY_OPTION:
          opt.no_copy = true;
          break;
        case STRIP_TRAILING_SLASHES_OPTION:
          strip = true;
          break;
        case 'S':
          make_backups = true;
          suffix = optarg;
          break;
        case 't':
          if (target_dir)
            error (EXIT_FAILURE, 0,
                   _("multiple target directories specified"));
          target_dir = optarg;
          break;
        case 'T':
          no_target_dir = true;
          break;
        case 'u':
          opt.update = UPDATE_OLDER;
          break;
        case UPDATE_OPTION:
          opt.update = frontend_update_mode (optarg);
          break;
        case 'v':
          opt.verbose = true;
          break;
        case 'Z':
          /* Without SELinux GNU mv ignores it.  */
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
  if (opt.interactive == I_ALWAYS_SKIP)
    opt.update = UPDATE_NONE;
  if (make_backups
      && (opt.exchange || opt.update == UPDATE_NONE
          || opt.update == UPDATE_NONE_FAIL))
    {
      error (0, 0, _("cannot combine --backup with --exchange, -n, or "
                     "--update=none-fail"));
      usage (EXIT_FAILURE);
    }
  if (make_backups)
    opt.backup = frontend_backup_type (version_control, suffix);

  char **files = argv + optind;
  int n = argc - optind;
  frontend_check_operands (files, n, target_dir, no_target_dir);

  /* A move across filesystems is cp -a with the source removed after:
     data shared where possible, every attribute and hard link kept;
     attributes that cannot be kept are warned about, not fatal.  */
  struct mv_run run = { .opt = &opt };
  mode_t mask = umask (0);
  umask (mask);
  run.copy = (struct copy_options) {
    .cow = COW_AUTO, .sparse = SPARSE_AUTO, .interactive = I_UNSPECIFIED,
    .update = UPDATE_ALL, .deref = DEREF_NEVER, .recursive = true,
    .data_copy_required = true, .backup_type = no_backups,
    .preserve_mode = true, .preserve_ownership = true,
    .preserve_timestamps = true, .preserve_links = true,
    .preserve_xattr = true, .move_mode = true, .debug = opt.debug,
    .verbose = opt.verbose,
    .umask = mask, .euid = geteuid (), .egid = getegid (),
    .chown_privileges = geteuid () == 0, .stop = frontend_stop
  };
  copy_tree_init (&run.engine, &run.copy, false);
  if (target_dir ? 1 < n : 2 < n)
    {
      run.moved = name_set_new ();
      run.dirs = hlmap_new ();
    }
  frontend_catch_signals ();

  bool ok = false;
  if (target_dir)
    {
      struct stat st;
      if (stat (target_dir, &st) != 0)
        error (EXIT_FAILURE, errno, _("target directory %s"),
               quoteaf (target_dir));
      if (!S_ISDIR (st.st_mode))
        error (EXIT_FAILURE, ENOTDIR, _("target directory %s"),
               quoteaf (target_dir));
      if (strip)
        for (int i = 0; i < n; i++)
          strip_trailing_slashes (files[i]);
      ok = move_into_dir (&run, files, n, target_dir);
    }
  else if (no_target_dir)
    {
      if (strip)
        strip_trailing_slashes (files[0]);
      ok = move_one (&run, files[0], AT_FDCWD, NULL, files[1], files[1], -1);
    }
  else
    {
      char const *last = files[n - 1];
      int rename_errno = -1;
      /* Two operands: the rename that replaces nothing first, as GNU mv
         does; only when it fails is DEST looked at as a directory.  */
      if (n == 2 && !opt.exchange)
        {
          if (renameat2 (AT_FDCWD, files[0], AT_FDCWD, last,
                         RENAME_NOREPLACE) == 0)
            rename_errno = 0;
          else
            rename_errno = errno;
        }
      if (rename_errno == 0)
        {
          if (opt.verbose)
            diag_line (_("renamed %s -> %s"), quoteaf_n (0, files[0]),
                       quoteaf_n (1, last));
          ok = true;
        }
      else
        {
          struct stat st;
          int err = stat (last, &st) == 0
                    ? (S_ISDIR (st.st_mode) ? 0 : ENOTDIR) : errno;
          if (strip)
            for (int i = 0; i < n; i++)
              strip_trailing_slashes (files[i]);
          if (err == 0)
            ok = move_into_dir (&run, files, n - 1, last);
          else if (2 < n)
            error (EXIT_FAILURE, err, _("target %s"), quoteaf (last));
          else
            ok = move_one (&run, files[0], AT_FDCWD, NULL, last, last,
                           rename_errno);
        }
    }
  copy_tree_free (&run.engine);
  name_set_free (run.moved);
  hlmap_free (run.dirs);
  frontend_exit_if_signalled ();
  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
