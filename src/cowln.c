/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cowln -- make links between files, as GNU ln does, and cowlinks: copies
   that share their target's data until either side is written.  */

#include "system.h"

#include <getopt.h>
#include <locale.h>

#include "argmatch.h"
#include "backupfile.h"
#include "canonicalize.h"
#include "closeout.h"
#include "copy-tree.h"
#include "copy-dest.h"
#include "dest-probe.h"
#include "diag.h"
#include "dirname.h"
#include "error.h"
#include "dry-run.h"
#include "filenamecat.h"
#include "frontend.h"
#include "name-set.h"
#include "progname.h"
#include "progress.h"
#include "remove-tree.h"
#include "version-etc.h"
#include "xalloc.h"

#define PROGRAM_NAME "cowln"
#define AUTHORS "the cowutils authors"

enum
{
  COW_OPTION = CHAR_MAX + 1,
  BACKUP_OPTION,
  DRY_RUN_OPTION,
  HELP_OPTION,
  PROGRESS_OPTION,
  VERSION_OPTION
};

static struct option const long_options[] = {
  {"backup", optional_argument, NULL, BACKUP_OPTION},
  {"cow", optional_argument, NULL, COW_OPTION},
  {"directory", no_argument, NULL, 'F'},
  {"dry-run", no_argument, NULL, DRY_RUN_OPTION},
  {"force", no_argument, NULL, 'f'},
  {"interactive", no_argument, NULL, 'i'},
  {"logical", no_argument, NULL, 'L'},
  {"no-dereference", no_argument, NULL, 'n'},
  {"no-target-directory", no_argument, NULL, 'T'},
  {"physical", no_argument, NULL, 'P'},
  {"progress", optional_argument, NULL, PROGRESS_OPTION},
  {"relative", no_argument, NULL, 'r'},
  {"suffix", required_argument, NULL, 'S'},
  {"symbolic", no_argument, NULL, 's'},
  {"target-directory", required_argument, NULL, 't'},
  {"verbose", no_argument, NULL, 'v'},
  {"help", no_argument, NULL, HELP_OPTION},
  {"version", no_argument, NULL, VERSION_OPTION},
  {NULL, 0, NULL, 0}
};

static char const *const cow_args[] = { "auto", "always", NULL };
static enum cow_mode const cow_vals[] = { COW_AUTO, COW_ALWAYS };
ARGMATCH_VERIFY (cow_args, cow_vals);

/* What the options ask for.  */
struct ln_options
{
  bool symbolic;            /* -s */
  bool relative;            /* -r */
  bool cowlink;             /* -c */
  enum cow_mode cow;        /* its WHEN */
  bool hard_dir;            /* -d */
  bool force;               /* -f */
  bool interactive;         /* -i */
  bool logical;             /* -L */
  bool no_deref;            /* -n */
  bool verbose;             /* -v */
  bool dry_run;             /* --dry-run, with -c */
  enum backup_type backup;
  enum progress_when progress;  /* -g: for cowlinks */
};

/* Per-run state.  */
struct ln_run
{
  struct ln_options const *opt;
  struct copy_options copy;     /* for cowlinks */
  struct copy_run engine;
  struct name_set *made;        /* hard links made, when -f may replace
                                   one of them (directory forms) */
};

/* Print the help text, or the pointer to it when STATUS is not
   EXIT_SUCCESS, and exit with STATUS.  */
void
usage (int status)
{
  if (status != EXIT_SUCCESS)
    frontend_try_help ();
  printf (_("\
Usage: %s [OPTION]... [-T] TARGET LINK_NAME\n\
  or:  %s [OPTION]... TARGET\n\
  or:  %s [OPTION]... TARGET... DIRECTORY\n\
  or:  %s [OPTION]... -t DIRECTORY TARGET...\n"),
          program_name, program_name, program_name, program_name);
  fputs (_("\
Make a link to TARGET called LINK_NAME, or links in DIRECTORY to each\n\
TARGET, or a link in the current directory.  Links are hard links unless\n\
--symbolic or --cow is given.  A cowlink (--cow) is a separate file, or a\n\
tree of them, that shares TARGET's data and carries its metadata: it looks\n\
like a link, but a write to either side never shows through the other.\n\
"), stdout);
  fputs (_("\
\n\
Mandatory arguments to long options are mandatory for short options too.\n\
"), stdout);
  fputs (_("\
      --backup[=CONTROL]      back up each existing destination file\n\
  -b                          like --backup, but takes no argument\n\
  -c, --cow[=WHEN]            make cowlinks: WHEN is always (the default:\n\
                                fail where the filesystem cannot share data)\n\
                                or auto (copy the data there)\n\
  -d, -F, --directory         let the superuser try to hard link directories\n\
                                (the kernel will refuse)\n\
      --dry-run               with -c, change nothing: say whether each\n\
                                file would be cloned or copied (with -v,\n\
                                one line per entry on stdout), then a\n\
                                summary\n\
  -f, --force                 replace existing destination files\n\
  -g, --progress[=WHEN]       with --cow, show a status line on stderr while\n\
                                the data is shared or copied; WHEN is auto\n\
                                (the default: only when stderr is a\n\
                                terminal), always or never\n\
  -i, --interactive           ask whether to replace existing destination\n\
                                files\n\
"), stdout);
  fputs (_("\
  -L, --logical               hard link the files that symbolic link TARGETs\n\
                                point to\n\
  -n, --no-dereference        treat LINK_NAME as a normal file if it is a\n\
                                symbolic link to a directory\n\
  -P, --physical              hard link symbolic links themselves (the\n\
                                default)\n\
  -r, --relative              with -s, make the symbolic link relative to its\n\
                                directory\n\
  -s, --symbolic              make symbolic links instead of hard links\n\
"), stdout);
  fputs (_("\
  -S, --suffix=SUFFIX         the backup suffix, instead of the usual one\n\
  -t, --target-directory=DIRECTORY  make the links in DIRECTORY\n\
  -T, --no-target-directory   treat LINK_NAME as a normal file always\n\
  -v, --verbose               print the name of each linked file\n\
      --help                  show this help, then exit\n\
      --version               show version and license, then exit\n\
"), stdout);
  frontend_help_backups ();
  fputs (_("\
\n\
With -s, -L and -P do nothing.  Otherwise the last of them decides whether\n\
a TARGET that is a symbolic link is itself hard linked (-P, the default)\n\
or the file it points to (-L).\n\
With -v, a cowlink is shown as 'LINK_NAME' ~> 'TARGET', followed by\n\
' (copied)' when --cow=auto had to copy data the filesystem could not\n\
share.\n\
A cowlink NAME is built beside it as .NAME.cowln-XXXXXX and renamed into\n\
place when complete; SIGINT, SIGTERM or SIGHUP before that removes it.  One\n\
left by a cowlink that could not clean up (killed by SIGKILL, say) is\n\
named in a warning by the next cowlink to NAME, and left for you to\n\
remove: it might belong to a cowlink still being made.\n\
"), stdout);
  exit (status);
}

/* Return the relative path from directory DIR to FILE, both absolute
   and canonical.  */
static char *
relative_to (char const *file, char const *dir)
{
  /* 1. The longest common run of whole components.  */
  size_t common = 0, i = 0;
  for (;; i++)
    {
      bool fend = file[i] == '\0' || file[i] == '/';
      bool dend = dir[i] == '\0' || dir[i] == '/';
      if (fend && dend)
        {
          common = i;
          if (file[i] == '\0' || dir[i] == '\0')
            break;
        }
      if (file[i] != dir[i] || file[i] == '\0')
        break;
    }
  /* 2. One ".." per component of DIR left, then the rest of FILE.  */
  size_t ups = 0;
  for (char const *p = dir + common; *p; p++)
    if (*p == '/' && p[1] && p[1] != '/')
      ups++;
  if (strcmp (dir, "/") == 0)
    ups = 0;
  char const *rest = file + common;
  while (*rest == '/')
    rest++;
  char *r = xmalloc (3 * ups + strlen (rest) + 2);
  char *q = r;
  for (size_t k = 0; k < ups; k++)
    q = stpcpy (q, k + 1 < ups || *rest ? "../" : "..");
  q = stpcpy (q, rest);
  if (q == r)
    strcpy (r, ".");
  return r;
}

/* The text of a symbolic link at DST_NAME to SRC with -r: SRC made
   relative to DST_NAME's directory, both resolved; SRC itself when that
   fails.  */
static char *
relative_text (char const *src, char const *dst_name)
{
  char *dir = mdir_name (dst_name);
  char *rdir = dir ? canonicalize_filename_mode (dir, CAN_MISSING) : NULL;
  char *rsrc = canonicalize_filename_mode (src, CAN_MISSING);
  char *text = rdir && rsrc ? relative_to (rsrc, rdir) : xstrdup (src);
  free (dir);
  free (rdir);
  free (rsrc);
  return text;
}

/* Report a failure ERR to make a link DST_NAME to SRC (TEXT for a
   symbolic link), in GNU ln's words.  */
static void
report_link (struct ln_options const *opt, int err, char const *src,
             char const *text, char const *dst_name)
{
  struct stat st;
  if (opt->cowlink)
    diag_error (err, _("failed to create cowlink %s"), quoteaf (dst_name));
  else if (opt->symbolic)
    {
      if (err == ENAMETOOLONG || !*text)
        diag_error (err, _("failed to create symbolic link %s -> %s"),
                    quoteaf_n (0, dst_name), quoteaf_n (1, text));
      else
        diag_error (err, _("failed to create symbolic link %s"),
                    quoteaf (dst_name));
    }
  else if ((opt->logical ? stat (src, &st) : lstat (src, &st)) != 0)
    diag_error (errno, _("failed to access %s"), quoteaf (src));
  else if (S_ISDIR (st.st_mode) && !opt->hard_dir)
    diag_error (0, _("%s: hard link not allowed for directory"), quotef (src));
  else if (err == EMLINK)
    diag_error (err, _("failed to create hard link to %s"), quoteaf (src));
  else if (err == EDQUOT || err == EEXIST || err == ENOSPC || err == EROFS)
    diag_error (err, _("failed to create hard link %s"), quoteaf (dst_name));
  else
    diag_error (err, _("failed to create hard link %s => %s"),
                quoteaf_n (0, dst_name), quoteaf_n (1, src));
}

/* Make the link REL of DIRFD (TEXT for a symbolic one, else to SRC).  */
static int
make_link (struct ln_options const *opt, char const *src, char const *text,
           int dirfd, char const *rel)
{
  if (opt->symbolic)
    return symlinkat (text, dirfd, rel);
  return linkat (AT_FDCWD, src, dirfd, rel,
                 opt->logical ? AT_SYMLINK_FOLLOW : 0);
}

/* Callback data for a temporary name in a directory.  */
struct temp_job
{
  struct ln_options const *opt;
  char const *src;
  char const *text;
  int dirfd;
};

/* Make the link of T under the candidate name TMP.  */
static int
try_temp (char *tmp, void *arg)
{
  struct temp_job *t = arg;
  return make_link (t->opt, t->src, t->text, t->dirfd, tmp);
}

/* Decide with copy_dest_decide_link what happens to the destination,
   entry REL of DIRFD called DST_NAME (lstat DST_ST), of a link to SRC,
   and do the first part of it: a question, a backup (named in *BACKUP).
   *EXISTS says
   whether something is still there afterwards (a backup that is another
   name of the destination leaves it).  Return false after reporting
   (or a "no"), to stop.  */
static bool
check_link_dest (struct ln_run *run, char const *src, int dirfd,
                 char const *rel, char const *dst_name,
                 struct stat const *dst_st, bool *exists, char **backup)
{
  struct ln_options const *opt = run->opt;
  struct link_policy p = { .force = opt->force,
                           .interactive = opt->interactive,
                           .symbolic = opt->symbolic,
                           .backup_type = opt->backup };
  struct dest_where w = { .src_dirfd = AT_FDCWD, .src_rel = src,
                          .src_name = src, .dst_dirfd = dirfd,
                          .dst_rel = rel, .dst_name = dst_name };
  /* GNU ln looks at a hard link's source before its destination.  */
  struct stat st;
  bool hard = !opt->symbolic && !opt->cowlink;
  if (hard && ((opt->logical ? stat (src, &st) : lstat (src, &st)) != 0
               || (S_ISDIR (st.st_mode) && !opt->hard_dir)))
    {
      report_link (opt, EEXIST, src, src, dst_name);
      return false;
    }
  struct link_facts f;
  dest_probe_link (&w, opt->symbolic || opt->logical || opt->cowlink,
                   hard ? &st : NULL, dst_st, run->made, &f);
  struct dest_decision d = copy_dest_decide_link (&p, &f);
  if (d.action == DEST_REFUSE)
    {
      dest_report (&w, &d, false);
      return false;
    }
  if (d.ask && !diag_ask (_("replace %s? "), quoteaf (dst_name)))
    return false;
  if (d.action == DEST_BACKUP && run->engine.dry)
    {
      char *b = find_backup_file_name (dirfd, rel, opt->backup);
      char *shown = b ? name_beside (dst_name, last_component (b)) : NULL;
      dry_run_note (run->engine.dry, DRY_BACKUP, dst_name,
                    shown ? shown : dst_name, 0);
      free (shown);
      free (b);
      *exists = false;
    }
  else if (d.action == DEST_BACKUP)
    {
      if (!dest_make_backup (&w, opt->backup, backup))
        return false;
      *exists = fstatat (dirfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0;
    }
  return true;
}

/* Make the cowlink of SRC beside entry REL of DIRFD (DIR_PATH is DIRFD's
   name from the working directory, NULL for AT_FDCWD), called DST_NAME,
   under the temporary name ".NAME.cowln-XXXXXX", and return that name
   for the caller to rename into place.  Return NULL after a failure
   (reported), or when a signal came, during the copy or after it (said
   nothing): the copy is removed then, and nothing ever shows under
   DST_NAME.  */
static char *
cowlink_beside (struct ln_run *run, char const *src, int dirfd,
                char const *dir_path, char const *rel, char const *dst_name)
{
  struct beside_names const names = {
    .tag = "cowln",
    .leftover = _("warning: leftover partial copy %s from an interrupted "
                  "cowlink; remove it unless another cowlink is still "
                  "running")
  };
  char *tmpl = copy_tree_beside (&run->engine, src, dirfd, dir_path, rel,
                                 dst_name, &names);
  if (tmpl && copy_tree_stopped (&run->engine))
    {
      remove_tree_made (dirfd, tmpl, tmpl);
      free (tmpl);
      tmpl = NULL;
    }
  return tmpl;
}

/* Make the link (TEXT for a symbolic one, else to SRC; a cowlink of
   SRC) under a temporary name beside entry REL of DIRFD (DIR_PATH from
   the working directory, or NULL), called DST_NAME, and rename it into
   place, over what is there when EXISTS.  A cowlink is always made
   beside, so that a tree that fails halfway never shows under the final
   name.  Return false after reporting.  */
static bool
link_beside (struct ln_run *run, char const *src, char const *text,
             int dirfd, char const *dir_path, char const *rel,
             char const *dst_name, bool exists)
{
  struct ln_options const *opt = run->opt;
  if (!opt->cowlink)
    {
      struct temp_job t = { .opt = opt, .src = src, .text = text,
                            .dirfd = dirfd };
      if (dest_make_beside (dirfd, rel, try_temp, &t, !exists) == 0)
        return true;
      report_link (opt, errno, src, text, dst_name);
      return false;
    }
  /* --dry-run: the copy goes to a new name beside DST, where nothing
     is; each entry is said by the engine.  */
  if (run->engine.dry)
    {
      struct copy_dest d = { .dirfd = dirfd, .relname = rel,
                             .name = dst_name, .absent = true };
      if (exists)
        dry_run_note (run->engine.dry, DRY_OVERWRITE, dst_name, NULL, 0);
      return copy_tree_file (&run->engine, src, &d);
    }
  char *tmpl = cowlink_beside (run, src, dirfd, dir_path, rel, dst_name);
  if (!tmpl)
    return false;
  if (renameat2 (dirfd, tmpl, dirfd, rel,
                 exists ? 0 : RENAME_NOREPLACE) != 0)
    {
      int err = errno;
      remove_tree_made (dirfd, tmpl, tmpl);
      report_link (opt, err, src, text, dst_name);
      free (tmpl);
      return false;
    }
  copy_tree_placed (&run->engine, dir_path, tmpl, rel);
  free (tmpl);
  return true;
}

/* Print the -v line of the link DST_NAME to TEXT (BACKUP: the name the
   old DST_NAME got, or NULL), as GNU ln does, with cowln's arrow for a
   cowlink and " (copied)" when its data could not all be shared.  */
static void
say_linked (struct ln_run *run, char const *dst_name, char const *text,
            char const *backup)
{
  struct ln_options const *opt = run->opt;
  char const *arrow = opt->cowlink ? "~>" : opt->symbolic ? "->" : "=>";
  char const *copied = (opt->cowlink && run->engine.files_copied
                        ? _(" (copied)") : "");
  run->engine.files_copied = 0;
  if (backup)
    {
      char *b = name_beside (dst_name, backup);
      diag_line ("%s ~ %s %s %s%s", quoteaf_n (0, b),
                 quoteaf_n (1, dst_name), arrow, quoteaf_n (2, text),
                 copied);
      free (b);
    }
  else
    diag_line ("%s %s %s%s", quoteaf_n (0, dst_name), arrow,
               quoteaf_n (1, text), copied);
}

/* Make the link or cowlink DST (entry REL of DIRFD, called DST_NAME) to
   SRC; with REPLACE, an existing DST is replaced atomically: the new
   link is made under a temporary name beside it and renamed over it.
   Return true on success.  */
static bool
do_link (struct ln_run *run, char const *src, int dirfd,
         char const *dir_path, char const *rel, char const *dst_name)
{
  struct ln_options const *opt = run->opt;
  bool replace = opt->force || opt->interactive || opt->backup != no_backups;
  char *text = (opt->symbolic && opt->relative
                ? relative_text (src, dst_name) : xstrdup (src));
  char *backup = NULL;
  bool ok = false;
  struct stat dst_st, src_st;
  bool exists = fstatat (dirfd, rel, &dst_st, AT_SYMLINK_NOFOLLOW) == 0;

  /* 1. A cowlink's target must exist and, when not recursive, be what
     is copied; a hard link's is checked by the kernel.  */
  if (opt->cowlink && stat (src, &src_st) != 0)
    {
      diag_error (errno, _("failed to access %s"), quoteaf (src));
      goto done;
    }

  /* 2. What stands at DST, and may it go?  */
  if (exists && !check_link_dest (run, src, dirfd, rel, dst_name, &dst_st,
                                  &exists, &backup))
    goto done;

  /* 3. The link: in place when nothing is there, else beside it and
     renamed over it (link_beside).  */
  if (!opt->cowlink && !exists)
    {
      if (make_link (opt, src, text, dirfd, rel) != 0)
        {
          report_link (opt, errno, src, text, dst_name);
          goto undo;
        }
    }
  else if (exists && !replace)
    {
      report_link (opt, EEXIST, src, text, dst_name);
      goto done;
    }
  else if (!link_beside (run, src, text, dirfd, dir_path, rel, dst_name,
                         exists))
    goto undo;
  ok = true;
  struct stat made;
  if (run->made)
    name_set_add_file (run->made, dst_name,
                       fstatat (dirfd, rel, &made, AT_SYMLINK_NOFOLLOW) == 0
                       ? &made : NULL);
  if (opt->verbose && !run->engine.dry)
    say_linked (run, dst_name, text, backup);
  goto done;

 undo:
  /* The link failed after a backup: put the old file back.  */
  if (backup)
    dest_unbackup (dirfd, rel, backup, dst_name, false);
 done:
  free (backup);
  free (text);
  return ok;
}

/* Link each of FILES into directory DIR.  */
static bool
link_into_dir (struct ln_run *run, char **files, int n, char const *dir)
{
  int dirfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC
                    | (run->opt->no_deref ? O_NOFOLLOW : 0));
  if (dirfd < 0)
    frontend_bad_target (errno, dir, false);
  bool ok = true;
  /* GNU ln refuses to replace a hard link it has just made with -f, unless
     numbered backups keep both.  */
  if (run->opt->force && !run->opt->symbolic && !run->opt->cowlink
      && run->opt->backup != numbered_backups && 1 < n)
    run->made = name_set_new ();
  for (int i = 0; i < n && !*frontend_stop; i++)
    {
      char *base = xstrdup (last_component (files[i]));
      strip_trailing_slashes (base);
      char *name = file_name_concat (dir, base, NULL);
      ok &= do_link (run, files[i], dirfd, dir, base, name);
      free (name);
      free (base);
    }
  close (dirfd);
  name_set_free (run->made);
  run->made = NULL;
  return ok;
}

/* What the command line says besides struct ln_options.  */
struct ln_command
{
  char const *target_dir;
  bool no_target_dir;
  struct frontend_backup backup;
};

/* Apply option C to OPT and CMD.  Exit on --help, --version, a bad
   option or a bad -t.  */
static void
parse_option (int c, struct ln_options *opt, struct ln_command *cmd)
{
  struct stat st;
  if (frontend_backup_option (c, BACKUP_OPTION, &cmd->backup))
    return;
  switch (c)
    {
    case DRY_RUN_OPTION:
      opt->dry_run = true;
      break;
    case 'c':
      opt->cowlink = true;
      opt->cow = COW_ALWAYS;
      break;
    case COW_OPTION:
      opt->cowlink = true;
      opt->cow = (optarg ? XARGMATCH ("--cow", optarg, cow_args, cow_vals)
                  : COW_ALWAYS);
      break;
    case 'd':
    case 'F':
      opt->hard_dir = true;
      break;
    case 'f':
      opt->force = true;
      opt->interactive = false;
      break;
    case 'i':
      opt->interactive = true;
      opt->force = false;
      break;
    case 'L':
      opt->logical = true;
      break;
    case 'n':
      opt->no_deref = true;
      break;
    case 'P':
      opt->logical = false;
      break;
    case 'r':
      opt->relative = true;
      break;
    case 's':
      opt->symbolic = true;
      break;
    case 't':
      if (cmd->target_dir)
        frontend_set_target (&cmd->target_dir, optarg);
      if (stat (optarg, &st) != 0)
        error (EXIT_FAILURE, errno, _("failed to access %s"),
               quoteaf (optarg));
      if (!S_ISDIR (st.st_mode))
        error (EXIT_FAILURE, 0, _("target %s is not a directory"),
               quoteaf (optarg));
      cmd->target_dir = optarg;
      break;
    case 'T':
      cmd->no_target_dir = true;
      break;
    case 'v':
      opt->verbose = true;
      break;
    case 'g':
    case PROGRESS_OPTION:
      opt->progress = progress_when_arg (optarg);
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

/* The usage errors of the N operands FILES and the options, in GNU ln's
   order; exit on one.  */
static void
check_usage (struct ln_options const *opt, struct ln_command const *cmd,
             char **files, int n)
{
  if (n <= 0)
    frontend_missing_operand (NULL);
  if (opt->relative && !opt->symbolic)
    error (EXIT_FAILURE, 0, _("cannot do --relative without --symbolic"));
  if (opt->cowlink && opt->symbolic)
    {
      error (0, 0, _("cannot make both symbolic links and cowlinks"));
      usage (EXIT_FAILURE);
    }
  if (opt->dry_run && !opt->cowlink)
    {
      error (0, 0, _("--dry-run works only with cowlinks (-c)"));
      usage (EXIT_FAILURE);
    }
  if (cmd->no_target_dir)
    {
      if (cmd->target_dir)
        error (EXIT_FAILURE, 0, _("cannot combine --target-directory "
                                  "and --no-target-directory"));
      if (n == 1)
        frontend_missing_operand (files[0]);
      if (2 < n)
        frontend_extra_operand (files[2]);
    }
}

/* Make the links the N operands FILES ask for, as GNU ln reads them.  */
static bool
link_operands (struct ln_run *run, struct ln_command const *cmd,
               char **files, int n)
{
  if (cmd->target_dir)
    return link_into_dir (run, files, n, cmd->target_dir);
  if (n == 1)
    return link_into_dir (run, files, 1, ".");
  if (cmd->no_target_dir)
    return do_link (run, files[0], AT_FDCWD, NULL, files[1], files[1]);
  /* The last operand is a directory to link into when it opens as one
     (with -n, not through a symlink); with two operands it is otherwise
     the link's name.  */
  char const *last = files[n - 1];
  int fd = open (last, O_PATH | O_DIRECTORY | O_CLOEXEC
                 | (run->opt->no_deref ? O_NOFOLLOW : 0));
  int err = errno;
  if (0 <= fd)
    {
      close (fd);
      return link_into_dir (run, files, n - 1, last);
    }
  if (n == 2)
    return do_link (run, files[0], AT_FDCWD, NULL, files[1], files[1]);
  frontend_bad_target (err == ELOOP ? ENOTDIR : err, last, false);
}

int
main (int argc, char **argv)
{
  struct ln_options opt = { .cow = COW_ALWAYS, .backup = no_backups,
                            .progress = PROGRESS_NEVER };
  struct ln_command cmd = { 0 };
  int c;

  frontend_init (argv[0]);
  while ((c = getopt_long (argc, argv, "bcdfginrst:vFLPS:T", long_options,
                           NULL)) != -1)
    parse_option (c, &opt, &cmd);
  char **files = argv + optind;
  int n = argc - optind;
  check_usage (&opt, &cmd, files, n);
  if (cmd.backup.make)
    opt.backup = frontend_backup_type (cmd.backup.control, cmd.backup.suffix);

  /* A cowlink is a copy made with the copy engine: shared data, all the
     metadata that may be kept, hard links inside a tree kept.  */
  struct ln_run run = { .opt = &opt };
  run.copy = (struct copy_options) {
    .cow = opt.cow, .sparse = SPARSE_AUTO, .interactive = I_UNSPECIFIED,
    .update = UPDATE_ALL, .deref = DEREF_COMMAND_LINE, .recursive = true,
    .data_copy_required = true, .backup_type = no_backups,
    .preserve_mode = true, .preserve_ownership = true,
    .preserve_timestamps = true, .preserve_links = true,
    .preserve_xattr = true, .require_preserve = true,
    .reduce_diagnostics = true, .dry_run = opt.dry_run,
    .verbose = opt.dry_run && opt.verbose
  };
  frontend_process (&run.copy);
  /* Before the workers start: they inherit the signal mask.  Links of
     other kinds copy nothing to show.  */
  struct progress *progress = NULL;
  if (opt.cowlink)
    {
      progress = progress_start (opt.progress,
                                 cmd.target_dir || n == 1 ? n : n - 1);
      run.copy.progress = progress_counts (progress);
    }
  copy_tree_init (&run.engine, &run.copy, false);
  frontend_catch_signals ();
  bool ok = link_operands (&run, &cmd, files, n);
  if (run.engine.dry)
    dry_run_summary (run.engine.dry, error_message_count);
  copy_tree_free (&run.engine);
  if (progress)
    progress_end (progress, *frontend_stop != 0);
  frontend_exit_if_signalled ();
  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
