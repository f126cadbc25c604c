/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-file.c -- make one destination entry as cp does: the checks on
   an existing destination in cp's order, then the regular file (data
   and metadata), symbolic link, hard link or special file.  Directories
   are copy-tree's.  */

#include "system.h"

#include "areadlink.h"
#include "backupfile.h"
#include "copy-dest.h"
#include "copy-file.h"
#include "copy-meta.h"
#include "dest-probe.h"
#include "diag.h"
#include "dirname.h"
#include "dry-run.h"
#include "name-set.h"
#include "progress.h"
#include "remove-tree.h"
#include "same-inode.h"
#include "stat-time.h"
#include "timespec.h"

/* Print the -v line for JOB once: GNU cp prints it before the data is
   copied, so it also precedes a failure to create the destination.  */
void
copy_file_say_verbose (struct job *job)
{
  struct copy_options const *opt = job->run->opt;
  /* A dry run says what it would do in its own words (dry-run.c).  */
  if (opt->dry_run)
    job->verbose_done = true;
  if (opt->verbose && !job->verbose_done && opt->mv_words)
    {
      /* mv across filesystems: GNU mv's words.  */
      if (S_ISDIR (job->src_st.st_mode))
        diag_line (_("created directory %s"), quoteaf (job->dst->name));
      else if (job->command_line && job->dst->backup_made)
        {
          char *b = name_beside (job->dst->name, job->dst->backup_made);
          diag_line (_("copied %s -> %s (backup: %s)"),
                     quoteaf_n (0, job->src->name),
                     quoteaf_n (1, job->dst->name), quoteaf_n (2, b));
          free (b);
        }
      else
        diag_line (_("copied %s -> %s"), quoteaf_n (0, job->src->name),
                   quoteaf_n (1, job->dst->name));
    }
  else if (opt->verbose && !job->verbose_done)
    {
      if (job->backup)
        {
          /* The backup was named relative to the destination's
             directory; show it as the destination is shown.  */
          char *b = name_beside (job->dst->name, job->backup);
          diag_line (_("%s -> %s (backup: %s)"),
                     quoteaf_n (0, job->src->name),
                     quoteaf_n (1, job->dst->name), quoteaf_n (2, b));
          free (b);
        }
      else
        diag_line ("%s -> %s", quoteaf_n (0, job->src->name),
                   quoteaf_n (1, job->dst->name));
    }
  job->verbose_done = true;
}

/* What to do with an existing destination.  */
enum existing
{
  EXIST_NONE,               /* there is none after all: create it */
  EXIST_REUSE,              /* write into it (a regular file) */
  EXIST_MERGE,              /* a directory to copy into */
  EXIST_GONE,               /* it was removed or backed up: create it */
  EXIST_SKIP,               /* leave it; not an error */
  EXIST_FAIL                /* leave it; an error, reported */
};

/* Remove the destination of JOB.  Return false after reporting.  */
static bool
remove_dest (struct job *job)
{
  return remove_entry (job->dst->dirfd, job->dst->relname, job->dst->name,
                       job->run->opt->verbose);
}

/* Fill *P with what JOB's options say about an existing destination.  */
static void
dest_policy_of (struct job const *job, struct dest_policy *p)
{
  struct copy_options const *opt = job->run->opt;
  bool follow = opt->deref == DEREF_ALWAYS
                || (opt->deref == DEREF_COMMAND_LINE && job->command_line);
  *p = (struct dest_policy) {
    .move = false, .hard_link = opt->hard_link,
    .symbolic_link = opt->symbolic_link,
    /* GNU cp 9.1 replaces a destination in the way of -l or -s with
       -f atomically (a link beside it renamed over it), not by
       removing it first.  */
    .unlink_before = opt->remove_destination,
    .unlink_after_failed_open = opt->unlink_dest_after_failed_open,
    .preserve_links = opt->preserve_links,
    .data_copy_required = opt->data_copy_required,
    .copy_as_regular = opt->copy_contents,
    .open_dangling = opt->posixly_correct,
    .link_earlier = job->earlier != NULL,
    .track_created = job->run->created != NULL,
    .deref = follow ? DEREF_ALWAYS : DEREF_NEVER,
    .update = opt->update, .interactive = opt->interactive,
    .backup_type = opt->backup_type
  };
}

/* Describe JOB for the dest-probe functions in *W.  */
static void
where_of (struct job const *job, struct dest_where *w)
{
  *w = (struct dest_where) {
    .src_dirfd = job->src->dirfd, .src_rel = job->src->rel,
    .src_name = job->src->name, .dst_dirfd = job->dst->dirfd,
    .dst_rel = job->dst->relname, .dst_name = job->dst->name
  };
}

/* Report why the destination of JOB is refused, as D says.  */
static void
report_refusal (struct job *job, struct dest_decision const *d)
{
  struct dest_where w;
  where_of (job, &w);
  /* GNU cp finds the dangling symlink when it opens the destination,
     after the -v line.  */
  if (d->reason == DR_DANGLING)
    copy_file_say_verbose (job);
  dest_report (&w, d, false);
}

/* --dry-run: say that the destination of JOB would be backed up, and
   under which name (a sibling, shown as the destination is).  */
static void
dry_backup (struct job *job)
{
  struct copy_dest const *dst = job->dst;
  char *b = (dst->absent ? NULL
             : find_backup_file_name (dst->dirfd, dst->relname,
                                      job->run->opt->backup_type));
  char *shown = b ? name_beside (dst->name, last_component (b)) : NULL;
  dry_run_note (job->run->dry, DRY_BACKUP, dst->name,
                shown ? shown : dst->name, 0);
  free (shown);
  free (b);
}

/* Carry out decision D on the destination of JOB, described by W.  */
static enum existing
carry_out (struct job *job, struct dest_where const *w,
           struct dest_decision const *d, bool *follow)
{
  struct copy_options const *opt = job->run->opt;
  struct copy_dest const *dst = job->dst;
  /* GNU asks before it looks at directories against non-directories
     and names made this run.  */
  if (d->ask && !dest_ask (w, &job->dst_st,
                           (opt->unlink_dest_after_failed_open
                            || opt->remove_destination)))
    {
      if (opt->debug)
        dest_say_skipped (dst->name);
      return EXIST_FAIL;
    }
  if (d->action == DEST_REFUSE)
    {
      report_refusal (job, d);
      return EXIST_FAIL;
    }
  switch (d->action)
    {
    case DEST_CREATE:
      job->dst_exists = false;
      *follow = d->write_through;
      return EXIST_NONE;
    case DEST_SKIP:
      if (d->fail)
        report_refusal (job, d);
      else if (opt->debug && !d->done)
        dest_say_skipped (dst->name);
      if (!d->fail && job->run->dry)
        dry_run_note (job->run->dry, DRY_SKIP, dst->name, NULL, 0);
      /* A -u skip still counts as the file's copy for its later names
         (GNU: "we still must record that we've processed this src/dest
         pair"); a -n skip does not.  */
      job->skipped = !d->fail && opt->update != UPDATE_OLDER;
      return d->fail ? EXIST_FAIL : EXIST_SKIP;
    case DEST_BACKUP:
      if (job->run->dry)
        {
          dry_backup (job);
          job->dst_exists = false;
          return EXIST_GONE;
        }
      if (!dest_make_backup (w, opt->backup_type, &job->backup))
        return EXIST_FAIL;
      job->dst_exists = false;
      return EXIST_GONE;
    case DEST_REMOVE:
      if (job->run->dry)
        dry_run_note (job->run->dry, DRY_REMOVE, dst->name, NULL, 0);
      else if (!remove_dest (job))
        return EXIST_FAIL;
      job->dst_exists = false;
      return EXIST_GONE;
    case DEST_MERGE:
      return EXIST_MERGE;
    case DEST_REPLACE:
    case DEST_REFUSE:
      break;
    }
  return EXIST_REUSE;
}

/* The destination of JOB exists, or creating it said EEXIST: decide with
   copy_dest_decide what to do, and do the first part of it (a backup, a
   removal, a question).  *FOLLOW is set when a dangling symlink may be
   written through.  */
static enum existing
check_existing (struct job *job, bool *follow)
{
  struct dest_policy p;
  struct dest_facts f;
  struct dest_where w;
  dest_policy_of (job, &p);
  where_of (job, &w);
  dest_probe (&w, &job->src_st, job->command_line, job->run->created,
              job->run->opt->keep_dir_symlink, &p, &f);
  struct dest_decision d = copy_dest_decide (&p, &f);
  job->dst_exists = f.dst_lnk_ok;
  if (f.dst_lnk_ok)
    job->dst_st = (d.use_lstat || f.dst_ref_errno) ? f.dst_lnk : f.dst_ref;
  return carry_out (job, &w, &d, follow);
}

/* Return the name of JOB's destination for system calls made from the
   working directory.  */
char const *
copy_file_dst_path (struct job const *job)
{
  return job->dst->path ? job->dst->path : job->dst->name;
}

/* Remember that this run created the destination of JOB.  */
static void
note_created (struct job *job)
{
  struct stat st;
  if (job->run->created && job->command_line)
    name_set_add_file (job->run->created, job->dst->name,
                       fstatat (job->dst->dirfd, job->dst->relname, &st,
                                AT_SYMLINK_NOFOLLOW) == 0 ? &st : NULL);
}

/* Return true if JOB's destination is to be taken for new, whatever is
   there (see taken_new in copy-run.h).  */
static bool
taken_new (struct job const *job)
{
  return job->command_line && job->dst->taken_new;
}

/* Return true if NAME ends in a slash.  */
static bool
has_trailing_slash (char const *name)
{
  size_t n = strlen (name);
  return n != 0 && name[n - 1] == '/';
}

/* Report that creating JOB's destination failed with ERR, as FORMAT
   says ("cannot create regular file %s" and the like); FORMAT2 is used
   instead when it names the source too.  */
static void
report_create (struct job *job, int err, char const *format, bool two)
{
  struct copy_dest const *dst = job->dst;
  struct stat st;
  if (err == EISDIR && has_trailing_slash (dst->relname))
    err = ENOTDIR;
  if (err != EEXIST
      && fstatat (dst->dirfd, dst->relname, &st, AT_SYMLINK_NOFOLLOW) != 0
      && errno != ENOENT)
    {
      /* "file/" when file is not a directory: cp stats the destination
         first and says so.  */
      diag_cannot_stat (errno, dst->name);
      return;
    }
  /* GNU says a directory only once it is made.  */
  if (!S_ISDIR (job->src_st.st_mode))
    copy_file_say_verbose (job);
  if (two)
    diag_error (err, format, quoteaf_n (0, dst->name),
                quoteaf_n (1, job->earlier ? job->earlier : job->src->name));
  else
    diag_error (err, format, quoteaf (dst->name));
}

/* A copy of JOB failed after its destination was backed up: put the
   backup back, as GNU cp does, saying so with -v.  */
static void
undo_backup (struct job *job)
{
  if (!job->backup)
    return;
  dest_unbackup (job->dst->dirfd, job->dst->relname, job->backup,
                 job->dst->name, job->run->opt->verbose);
  free (job->backup);
  job->backup = NULL;
}

/* Open the source of JOB for reading, following a symlink when FOLLOW.
   Return the descriptor, or -1 with errno set.  */
static int
open_source (struct job const *job, bool follow)
{
  return openat (job->src->dirfd, job->src->rel,
                 (O_RDONLY | O_NOCTTY | O_CLOEXEC
                  | (follow ? 0 : O_NOFOLLOW)));
}

/* The destination of JOB was backed up or removed: open its source
   again into *SRC_FD (following a symlink when FOLLOW), since GNU cp opens
   it only now, and a source reached through the old destination went
   with it.  Return false after reporting, the backup put back.  */
static bool
reopen_source (struct job *job, int *src_fd, bool follow)
{
  close (*src_fd);
  *src_fd = open_source (job, follow);
  if (0 <= *src_fd)
    return true;
  int err = errno;
  copy_file_say_verbose (job);
  errno = err;
  diag_error (errno, _("cannot open %s for reading"),
              quoteaf (job->src->name));
  undo_backup (job);
  return false;
}

/* Open the destination of a regular-file JOB: create it (the common
   case costs one call), or check and reuse or replace what is there.
   After a backup or removal the source is opened again into *SRC_FD
   (following a symlink when FOLLOW).  Set *NEW_DST when this call
   created the destination.  Return the descriptor, -1 after reporting,
   or -2 for a skip that is not an error.  */
static int
open_dest_file (struct job *job, mode_t mode, int *src_fd, bool follow,
                bool *new_dst)
{
  struct copy_options const *opt = job->run->opt;
  struct copy_dest const *dst = job->dst;
  bool through = false, made_way = false;
  *new_dst = false;
  for (int tries = 0; tries < 3; tries++)
    {
      int fd = openat (dst->dirfd, dst->relname,
                       (O_WRONLY | O_CREAT | O_NOCTTY | O_CLOEXEC
                        | (through ? 0 : O_EXCL)), mode);
      if (0 <= fd)
        {
          copy_file_say_verbose (job);
          *new_dst = true;
          return fd;
        }
      /* A name taken for new (--parents) that is a symlink: GNU cp's
         open with O_EXCL fails, and it says so as of a dangling one
         (or writes through it, POSIXLY_CORRECT).  */
      struct stat st;
      if (errno == EEXIST && !through && !made_way && taken_new (job)
          && fstatat (dst->dirfd, dst->relname, &st,
                      AT_SYMLINK_NOFOLLOW) == 0
          && S_ISLNK (st.st_mode))
        {
          if (opt->posixly_correct)
            {
              through = true;
              continue;
            }
          struct dest_decision d = { .action = DEST_REFUSE,
                                     .reason = DR_DANGLING };
          report_refusal (job, &d);
          return -1;
        }
      /* Once a backup or a removal made way, what is there now is not
         looked at again (two names of one file survive a backup).  */
      if (errno != EEXIST || through || made_way || taken_new (job))
        {
          report_create (job, errno, _("cannot create regular file %s"),
                         false);
          return -1;
        }
      switch (check_existing (job, &through))
        {
        case EXIST_SKIP:
          return -2;
        case EXIST_FAIL:
          return -1;
        case EXIST_GONE:
          made_way = true;
          if (!reopen_source (job, src_fd, follow))
            return -1;
          continue;
        case EXIST_NONE:
        case EXIST_MERGE:
          continue;
        case EXIST_REUSE:
          break;
        }
      copy_file_say_verbose (job);
      /* Writing into a FIFO or a device can block as long as reading
         one: a SIGUSR1 meanwhile must find the thread that answers.  */
      if (job->dst_exists && !S_ISREG (job->dst_st.st_mode))
        progress_watch (opt->progress);
      fd = openat (dst->dirfd, dst->relname,
                   (O_WRONLY | O_NOCTTY | O_CLOEXEC
                    | (opt->data_copy_required ? O_TRUNC : 0)));
      if (0 <= fd)
        return fd;
      if (errno != ENOENT)
        {
          if (!opt->unlink_dest_after_failed_open)
            {
              diag_error (errno, _("cannot create regular file %s"),
                          quoteaf (dst->name));
              return -1;
            }
          if (!remove_dest (job))
            return -1;
        }
      job->dst_exists = false;
    }
  diag_error (EEXIST, _("cannot create regular file %s"),
              quoteaf (dst->name));
  return -1;
}

/* Print the --debug line for RES.  */
static void
say_debug (struct data_result const *res)
{
  diag_line (_("copy offload: %s, reflink: %s, sparse detection: %s, rung: %s"),
             copy_data_debug_word (res->offload),
             copy_data_debug_word (res->reflink),
             copy_data_sparse_word (res->sparse),
             copy_data_rung_name (res->rung));
}

/* Return true if a new destination of JOB gets its source's owner and
   group when it is made (copy_meta_owner_final), as far as its
   directory is known.  */
bool
copy_file_owner_final (struct job const *job)
{
  return (job->dst->dir_known
          && copy_meta_owner_final (&job->run->meta, &job->src_st,
                                    job->dst->dir_setgid,
                                    job->dst->dir_gid));
}

/* Fill *MR to apply the metadata of JOB to DST_FD (or to the symlink
   when -1) from SRC_FD; DST_MODE is the mode it has now, NEW_DST whether
   this run made it, FLAGS what copy_meta_flags_early did or NULL.  */
static void
meta_request_of (struct job *job, int src_fd, int dst_fd, mode_t dst_mode,
                 bool new_dst, struct meta_flags *flags,
                 struct meta_request *mr)
{
  *mr = (struct meta_request) {
    .src_fd = src_fd, .dst_fd = dst_fd,
    .dst_dirfd = job->dst->dirfd, .dst_relname = job->dst->relname,
    .src_st = &job->src_st, .dst_mode = dst_mode, .dst_new = new_dst,
    .dst_acl_inherited = new_dst && job->dst->acl_inherited,
    .owner_final = new_dst && copy_file_owner_final (job),
    .src_name = job->src->name, .dst_name = job->dst->name,
    .dst_path = copy_file_dst_path (job), .flags = flags
  };
}

/* Apply the metadata of JOB to DST_FD (or to the symlink when -1);
   DST_MODE is the mode it has now, NEW_DST whether this run made it.  */
bool
copy_file_meta (struct job *job, int src_fd, int dst_fd, mode_t dst_mode,
                bool new_dst)
{
  struct meta_request mr;
  if (job->run->dry)
    return true;
  meta_request_of (job, src_fd, dst_fd, dst_mode, new_dst, NULL, &mr);
  return copy_meta_apply (&job->run->meta, &mr);
}

/* Before an error of its own about JOB, GNU cp goes through the checks
   on an existing destination (fstatat with FLAGS into *ST): -n and -u
   skip, -i asks, a directory is refused, a backup is made (undo_backup
   puts it back).  Return 1 when they skipped the file (no error), 0 when
   they failed it, -1 to go on to the error.  */
static int
checks_first (struct job *job, struct stat *st, int flags)
{
  bool follow = false;
  if (!taken_new (job)
      && fstatat (job->dst->dirfd, job->dst->relname, st, flags) == 0)
    switch (check_existing (job, &follow))
      {
      case EXIST_SKIP:
        return 1;
      case EXIST_FAIL:
        return 0;
      default:
        break;
      }
  return -1;
}

/* The source of JOB could not be opened (ERR): the checks on the
   destination come first, as in cp (-n says nothing about an unreadable
   source), then the error.  Return the result of the copy.  */
static bool
source_unreadable (struct job *job, int err)
{
  /* An open that a stop interrupted (a FIFO with no writer) is no error
     of its own: the run ends with the signal.  */
  if (err == EINTR && job->run->opt->stop && *job->run->opt->stop)
    return false;
  /* GNU looks at the destination itself when it would remove or back
     it up first (a dangling symlink is removed then), else through it.  */
  struct dest_policy p;
  dest_policy_of (job, &p);
  int first = checks_first (job, &job->dst_st,
                            (copy_dest_use_lstat (&p, &job->src_st)
                             ? AT_SYMLINK_NOFOLLOW : 0));
  if (0 <= first)
    return first;
  copy_file_say_verbose (job);
  diag_error (err, _("cannot open %s for reading"), quoteaf (job->src->name));
  /* The checks may have backed the destination up: put it back.  */
  undo_backup (job);
  return false;
}

/* Copy the data of JOB from SRC_FD to DST_FD (NEW_DST: made by this
   call).  Return false after reporting.  */
static bool
copy_regular_data (struct job *job, int src_fd, int dst_fd, bool new_dst)
{
  struct copy_options const *opt = job->run->opt;
  struct data_request rq = {
    .src_fd = src_fd, .dst_fd = dst_fd, .src_st = &job->src_st,
    .dst_dev = new_dst ? job->dst->dev : job->dst_st.st_dev,
    .dst_regular = new_dst || S_ISREG (job->dst_st.st_mode),
    .dst_flags_ok = new_dst || (S_ISREG (job->dst_st.st_mode)
                                && job->dst_st.st_size == 0),
    .src_name = job->src->name, .dst_name = job->dst->name,
    .cow = opt->cow, .sparse = opt->sparse, .stop = opt->stop,
    .progress = opt->progress
  };
  struct data_result res;
  bool ok = copy_data (&rq, job->ladder, &res);
  job->data_moved = res.bytes;
  if (opt->debug && !res.interrupted)
    say_debug (&res);
  if (res.rung == RUNG_FICLONE || res.rung == RUNG_FICLONERANGE)
    __atomic_add_fetch (&job->run->files_shared, 1, __ATOMIC_RELAXED);
  else if (res.rung != RUNG_NONE)
    __atomic_add_fetch (&job->run->files_copied, 1, __ATOMIC_RELAXED);
  return ok;
}

/* Return true if the file open as SRC_FD changed since *ST was taken:
   its size, modification or status change time differ.  Put what it is
   now in *ST.  */
static bool
source_changed (int src_fd, struct stat *st)
{
  struct stat now;
  if (fstat (src_fd, &now) != 0)
    return false;
  bool changed
    = (now.st_size != st->st_size
       || timespec_cmp (get_stat_mtime (&now), get_stat_mtime (st)) != 0
       || timespec_cmp (get_stat_ctime (&now), get_stat_ctime (st)) != 0);
  *st = now;
  return changed;
}

/* Copy the data of JOB as copy_regular_data does and, when the options
   ask for settled copies (cowsnap), again while the source changed
   during the copy, up to settle_tries more times.  Set *SETTLED to false
   if it was still changing after the last.  Return false after
   reporting.  */
static bool
copy_settled_data (struct job *job, int src_fd, int dst_fd, bool new_dst,
                   bool *settled)
{
  int tries = job->run->opt->settle_tries;
  *settled = true;
  if (!copy_regular_data (job, src_fd, dst_fd, new_dst))
    return false;
  for (int i = 0; tries && source_changed (src_fd, &job->src_st); i++)
    {
      if (i == tries)
        {
          *settled = false;
          break;
        }
      if (ftruncate (dst_fd, 0) != 0)
        {
          diag_error (errno, _("failed to truncate %s"),
                      quoteaf (job->dst->name));
          return false;
        }
      if (!copy_regular_data (job, src_fd, dst_fd, new_dst))
        return false;
    }
  return true;
}

/* --dry-run: return 1 if something is at the destination of JOB, 2 if
   nothing is but an earlier operand would have made a regular file
   there, 0 if nothing is (its directory would be made, or no such
   entry), -1 with errno set when it cannot be looked at.  */
static int
dry_lookup (struct job const *job)
{
  struct stat st;
  if (job->dst->absent)
    return 0;
  if (fstatat (job->dst->dirfd, job->dst->relname, &st,
               AT_SYMLINK_NOFOLLOW) == 0)
    return 1;
  if (errno != ENOENT)
    return -1;
  return (job->command_line
          && dry_run_file_at (job->run->dry, job->dst->name) ? 2 : 0);
}

/* --dry-run: what an earlier operand of JOB's run would have made of
   JOB's destination, a regular file: the status the copy of JOB would
   give it, which is as much of it as matters to the rules (its type,
   its times when they are preserved).  */
static void
dry_file_would_be (struct job const *job, struct stat *st)
{
  struct copy_options const *opt = job->run->opt;
  *st = job->src_st;
  st->st_mode = S_IFREG | (job->src_st.st_mode & S_IRWXUGO);
  st->st_nlink = 1;
  st->st_dev = 0;
  st->st_ino = 0;
  if (!opt->preserve_timestamps)
    clock_gettime (CLOCK_REALTIME, &st->st_mtim);
}

/* --dry-run: JOB's destination is a file an earlier operand would have
   made (dry_lookup gave 2).  Decide as a real run does on meeting it,
   say what it would do, and return what check_existing returns.  */
static enum existing
dry_check_made (struct job *job, bool *follow)
{
  struct dest_policy p;
  struct dest_where w;
  dest_policy_of (job, &p);
  where_of (job, &w);
  struct stat const *made = dry_run_file_at (job->run->dry, job->dst->name);
  struct dest_facts f = {
    .src = job->src_st, .src_lnk = job->src_st, .src_ref = job->src_st,
    .src_ref_ok = true, .dst_lnk_ok = true, .dst_lnk = *made,
    .dst_ref = *made, .dst_writable = true, .command_line = true,
    .created_lnk = true, .created_ref = true,
    .dst_not_older = timespec_cmp (made->st_mtim, job->src_st.st_mtim) >= 0
  };
  struct dest_decision d = copy_dest_decide (&p, &f);
  job->dst_exists = true;
  job->dst_st = *made;
  /* The file would be there, and writable if its owner may write it:
     the question is the plain one (dest_ask asks the file system).  */
  if (d.ask && (geteuid () == 0 || (made->st_mode & S_IWUSR)))
    {
      if (!diag_ask (_("overwrite %s? "), quoteaf (job->dst->name)))
        {
          if (job->run->opt->debug)
            dest_say_skipped (job->dst->name);
          return EXIST_FAIL;
        }
      d.ask = false;
    }
  return carry_out (job, &w, &d, follow);
}

/* --dry-run: the regular file of JOB, its source open as SRC_FD (which
   this closes): go through the checks on an existing destination as
   open_dest_file does, then say whether the data would be shared or
   copied.  Return the result the copy would have, as far as it can be
   known without writing.  */
static bool
dry_regular (struct job *job, int src_fd)
{
  struct copy_options const *opt = job->run->opt;
  struct copy_dest const *dst = job->dst;
  bool new_dst = true, through = false, ok = true;
  int there = dry_lookup (job);
  if (there == 0 && !dry_run_can_create (dst->dirfd, dst->relname))
    there = -1;
  if (there < 0)
    {
      report_create (job, errno, _("cannot create regular file %s"), false);
      ok = false;
    }
  else if (0 < there)
    switch (there == 2 ? dry_check_made (job, &through)
            : check_existing (job, &through))
      {
      case EXIST_SKIP:
        close (src_fd);
        return true;
      case EXIST_FAIL:
        ok = false;
        break;
      case EXIST_REUSE:
        new_dst = false;
        break;
      case EXIST_NONE:
      case EXIST_MERGE:
      case EXIST_GONE:
        break;
      }
  /* An existing file is opened for writing, or with -f removed when it
     cannot be.  */
  if (ok && !new_dst)
    {
      if (there == 2
          || faccessat (dst->dirfd, dst->relname, W_OK, AT_EACCESS) == 0)
        dry_run_note (job->run->dry, DRY_OVERWRITE, dst->name, NULL, 0);
      else if (!opt->unlink_dest_after_failed_open)
        {
          diag_error (errno, _("cannot create regular file %s"),
                      quoteaf (dst->name));
          ok = false;
        }
      else
        {
          dry_run_note (job->run->dry, DRY_REMOVE, dst->name, NULL, 0);
          new_dst = true;
        }
    }
  if (ok && opt->data_copy_required)
    {
      int dst_fd = (new_dst ? -1
                    : openat (dst->dirfd, dst->relname,
                              O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
      struct dry_data q = {
        .src_fd = src_fd, .src_st = &job->src_st,
        .dst_dirfd = dst->dirfd, .dst_rel = dst->relname, .dst_fd = dst_fd,
        .dst_flags_ok = new_dst || (S_ISREG (job->dst_st.st_mode)
                                    && job->dst_st.st_size == 0),
        .cow = opt->cow, .sparse = opt->sparse,
        .src_name = job->src->name, .dst_name = dst->name
      };
      ok = dry_run_data (job->run->dry, &q);
      if (0 <= dst_fd)
        close (dst_fd);
    }
  else if (ok)
    dry_run_note (job->run->dry, DRY_COPY, job->src->name, dst->name, 0);
  if (ok && new_dst)
    {
      note_created (job);
      if (job->command_line)
        {
          struct stat st;
          dry_file_would_be (job, &st);
          dry_run_file_made (job->run->dry, dst->name, &st);
        }
    }
  close (src_fd);
  return ok;
}

/* --dry-run: what copy_file_make would make for JOB.  */
static enum dry_verb
dry_verb_of (struct job const *job)
{
  struct copy_options const *opt = job->run->opt;
  mode_t m = job->src_st.st_mode;
  if (S_ISDIR (m))
    return DRY_MKDIR;
  if (job->earlier || opt->hard_link)
    return DRY_LINK;
  if (opt->symbolic_link || S_ISLNK (m))
    return DRY_SYMLINK;
  return DRY_MKNOD;
}

/* --dry-run: return the device the destination of JOB would be on.  */
static dev_t
dry_dst_dev (struct job const *job)
{
  struct copy_dest const *dst = job->dst;
  struct stat st;
  if (dst->dev)
    return dst->dev;
  char *dir = strchr (dst->relname, '/') ? mdir_name (dst->relname) : NULL;
  dev_t dev = fstatat (dst->dirfd, dir ? dir : ".", &st, 0) == 0
              ? st.st_dev : 0;
  free (dir);
  return dev;
}

/* --dry-run: go through copy_file_make's checks for JOB (FORMAT, TWO,
   REPLACE and *MERGE as there) and say what it would make.  */
static int
dry_make (struct job *job, char const *format, bool two, bool replace,
          bool *merge)
{
  struct copy_dest const *dst = job->dst;
  bool follow = false;
  int there = dry_lookup (job);
  if (0 < there)
    switch (there == 2 ? dry_check_made (job, &follow)
            : check_existing (job, &follow))
      {
      case EXIST_SKIP:
        return 0;
      case EXIST_FAIL:
        return -1;
      case EXIST_MERGE:
        *merge = true;
        return 1;
      case EXIST_REUSE:
        if (!replace)
          {
            report_create (job, EEXIST, format, two);
            return -1;
          }
        break;
      case EXIST_GONE:
      case EXIST_NONE:
        break;
      }
  if (0 <= there && !dry_run_can_create (dst->dirfd, dst->relname))
    there = -1;
  enum dry_verb v = dry_verb_of (job);
  /* A hard link cannot cross filesystems.  */
  if (0 <= there && v == DRY_LINK && !job->earlier
      && job->src_st.st_dev != dry_dst_dev (job))
    {
      errno = EXDEV;
      there = -1;
    }
  if (there < 0)
    {
      report_create (job, errno, format, two);
      return -1;
    }
  if (v == DRY_MKDIR)
    dry_run_note (job->run->dry, v, dst->name, NULL, 0);
  else
    dry_run_note (job->run->dry, v,
                  job->earlier ? job->earlier : job->src->name, dst->name, 0);
  return 1;
}

/* Copy the regular file (or file read as one) of JOB: source opened,
   destination opened or created, data, metadata.  */
bool
copy_file_regular (struct job *job)
{
  struct copy_options const *opt = job->run->opt;
  bool follow = opt->deref == DEREF_ALWAYS
                || (opt->deref == DEREF_COMMAND_LINE && job->command_line);
  /* A source that can block (a FIFO, a device: its open already) or a
     big file can take a while: a SIGUSR1 meanwhile must find the thread
     that answers it.  */
  if (!S_ISREG (job->src_st.st_mode)
      || PROGRESS_WATCH_SIZE <= job->src_st.st_size)
    progress_watch (opt->progress);
  int src_fd = open_source (job, follow);
  if (src_fd < 0)
    return source_unreadable (job, errno);
  if (job->run->dry)
    return dry_regular (job, src_fd);

  /* Nothing is withheld from a file made with its final owner, unless
     its directory's default ACL would give it more than its mode.  */
  mode_t mode = copy_meta_create_mode (&job->run->meta, job->src_st.st_mode,
                                       (copy_file_owner_final (job)
                                        && !job->dst->acl_inherited));
  /* A private copy is for its owner alone until it is complete.  */
  if (job->command_line && opt->private_dest)
    mode &= S_IRWXU;
  bool new_dst;
  int dst_fd = open_dest_file (job, mode, &src_fd, follow, &new_dst);
  bool ok = dst_fd != -1;
  if (0 <= dst_fd)
    {
      if (new_dst)
        note_created (job);
      bool settled = true;
      /* Inode flags that take only on an empty file go first; the
         rest, and the report of what could not be set, after the
         metadata.  */
      struct meta_flags flags = {
        .none = !(S_ISREG (job->src_st.st_mode)
                  && (new_dst || S_ISREG (job->dst_st.st_mode)))
      };
      struct meta_request mr;
      meta_request_of (job, src_fd, dst_fd,
                       new_dst ? mode & ~opt->umask
                               : job->dst_st.st_mode & CHMOD_MODE_BITS,
                       new_dst, &flags, &mr);
      copy_meta_flags_early (&job->run->meta, &mr, &flags);
      bool data_ok = (!(ok && opt->data_copy_required)
                      || copy_settled_data (job, src_fd, dst_fd, new_dst,
                                            &settled));
      ok &= data_ok;
      if (ok)
        ok = copy_meta_apply (&job->run->meta, &mr);
      /* Still changing: kept as copied last, with its metadata, and
         counted for the caller to judge.  */
      if (ok && !settled)
        {
          diag_error (0, opt->unsettled, quoteaf (job->src->name));
          __atomic_add_fetch (&job->run->files_unsettled, 1,
                              __ATOMIC_RELAXED);
        }
      if (close (dst_fd) != 0 && data_ok)
        {
          if (ok)
            diag_error (errno, _("failed to close %s"),
                        quoteaf (job->dst->name));
          ok = data_ok = false;
        }
      /* A destination this call created and could not fill is removed,
         so that nothing incomplete is left looking like a copy, and a
         backup goes back in its place.  One that existed was already
         truncated; it stays.  One whose data is all there but whose
         attributes could not all be set (no room for an xattr) stays
         too, as in cp: the failure is reported, the data kept.  */
      if (!data_ok && new_dst && opt->data_copy_required)
        remove_entry (job->dst->dirfd, job->dst->relname, job->dst->name,
                      false);
      if (!ok && new_dst)
        undo_backup (job);
    }
  if (0 <= src_fd)
    close (src_fd);
  return ok;
}

/* Report a hard link not made; see copy-file.h.  */
void
copy_file_link_failed (int err, char const *dst, char const *earlier)
{
  diag_error (err, _("cannot create hard link %s to %s"), quoteaf_n (0, dst),
              quoteaf_n (1, earlier));
}

/* What make_beside hands try_tempname_len.  */
struct beside
{
  struct job *job;
  int (*make) (struct job *, void *);
  void *arg;
};

/* Make the new entry of B under the temporary name TMP.  */
static int
make_under (char *tmp, void *arg)
{
  struct beside *b = arg;
  struct copy_dest const *real = b->job->dst;
  struct copy_dest there = *real;
  there.relname = tmp;
  b->job->dst = &there;
  int r = b->make (b->job, b->arg);
  b->job->dst = real;
  return r;
}

/* Replace the destination of JOB with what MAKE makes, atomically, as
   GNU's force_linkat and force_symlinkat do: made under a temporary name
   in the same directory and renamed over it, so that a failure leaves
   the old one in place.  Return 0, or -1 with errno set.  */
static int
make_beside (struct job *job, int (*make) (struct job *, void *), void *arg)
{
  struct beside b = { .job = job, .make = make, .arg = arg };
  return dest_make_beside (job->dst->dirfd, job->dst->relname, make_under,
                           &b, false);
}

/* Make the destination of JOB with MAKE (mkdirat, symlinkat, ...),
   which returns 0 or -1 with errno, going through the checks when it
   exists.  FORMAT reports a failure; TWO says it names the source too.
   Return 1 when made, 0 when skipped, -1 after an error; *MERGE is set
   when the destination is an existing directory to merge into.  */
int
copy_file_make (struct job *job, int (*make) (struct job *, void *),
                void *arg, char const *format, bool two, bool replace,
                bool *merge)
{
  bool follow = false, made_way = false, checked = false;
  struct stat st;
  if (job->run->dry)
    return dry_make (job, format, two, replace, merge);
  for (int tries = 0; tries < 3; tries++)
    {
      if (make (job, arg) == 0)
        return 1;
      /* GNU looks at an existing destination before it makes the new
         one: a hard link across filesystems onto an existing name is
         EXDEV only after the name was removed or backed up.  */
      int err = errno;
      bool there = (err == EEXIST
                    || (!checked
                        && fstatat (job->dst->dirfd, job->dst->relname, &st,
                                    AT_SYMLINK_NOFOLLOW) == 0));
      checked = true;
      if (made_way || !there || taken_new (job))
        {
          errno = err;
          break;
        }
      switch (check_existing (job, &follow))
        {
        case EXIST_SKIP:
          return 0;
        case EXIST_FAIL:
          return -1;
        case EXIST_MERGE:
          *merge = true;
          return 1;
        case EXIST_REUSE:
          /* Only what may be replaced is removed to make way; anything
             else in the way is the error the call gave.  */
          if (!replace)
            {
              errno = EEXIST;
              goto fail;
            }
          if (make_beside (job, make, arg) == 0)
            {
              job->replaced = true;
              return 1;
            }
          goto fail;
        case EXIST_GONE:
          made_way = true;
          continue;
        case EXIST_NONE:
          continue;
        }
    }
 fail:
  report_create (job, errno, format, two);
  undo_backup (job);
  return -1;
}

/* cp -s of a relative name into another directory: GNU cp refuses it
   where it would make the link, after the checks on an existing
   destination (-n and -u skip, -i asks, a directory is refused, a
   backup is made and put back) and after the -v line.  Return the
   result for JOB.  */
static bool
refuse_relative_symlink (struct job *job)
{
  struct stat st;
  int first = checks_first (job, &st, AT_SYMLINK_NOFOLLOW);
  if (0 <= first)
    return first;
  copy_file_say_verbose (job);
  diag_error (0, _("%s: can make relative symbolic links only in current "
                   "directory"), quotef (job->dst->name));
  undo_backup (job);
  return false;
}

static int
make_symlink (struct job *job, void *target)
{
  return symlinkat (target, job->dst->dirfd, job->dst->relname);
}

/* linkat (AT_FDCWD, TARGET, DIRFD, REL, 0) for a TARGET longer than the
   kernel takes in one piece (ENAMETOOLONG: a copy deeper than PATH_MAX):
   its directories are opened one by one, as the kernel would look them
   up, and the link made from the last.  Return 0, or -1 with errno.  */
static int
link_long (char const *target, int dirfd, char const *rel)
{
  int base = AT_FDCWD;
  char const *p = target;
  if (*p == '/')
    {
      base = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (base < 0)
        return -1;
      while (*p == '/')
        p++;
    }
  for (char const *slash; (slash = strchr (p, '/')); )
    {
      char dir[NAME_MAX + 1];
      size_t len = slash - p;
      int fd = -1, err = ENAMETOOLONG;
      if (len <= NAME_MAX)
        {
          memcpy (dir, p, len);
          dir[len] = '\0';
          fd = openat (base, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
          err = errno;
        }
      if (base != AT_FDCWD)
        close (base);
      if (fd < 0)
        {
          errno = err;
          return -1;
        }
      base = fd;
      for (p = slash; *p == '/'; p++)
        continue;
    }
  int r = linkat (base, p, dirfd, rel, 0);
  int err = errno;
  if (base != AT_FDCWD)
    close (base);
  errno = err;
  return r;
}

static int
make_hardlink (struct job *job, void *earlier)
{
  struct copy_options const *opt = job->run->opt;
  if (earlier)
    {
      int r = linkat (AT_FDCWD, earlier, job->dst->dirfd, job->dst->relname,
                      0);
      if (r != 0 && errno == ENAMETOOLONG)
        r = link_long (earlier, job->dst->dirfd, job->dst->relname);
      /* --preserve=flags may have made the earlier copy immutable.  */
      if (r != 0 && errno == EPERM && opt->preserve_flags)
        r = copy_meta_link_final (earlier, job->dst->dirfd,
                                  job->dst->relname);
      return r;
    }
  bool follow = opt->deref == DEREF_ALWAYS
                || (opt->deref == DEREF_COMMAND_LINE && job->command_line);
  return linkat (job->src->dirfd, job->src->rel, job->dst->dirfd,
                 job->dst->relname, follow ? AT_SYMLINK_FOLLOW : 0);
}

static int
make_special (struct job *job, void *mode)
{
  mode_t m = *(mode_t *) mode;
  if (S_ISFIFO (job->src_st.st_mode))
    return mkfifoat (job->dst->dirfd, job->dst->relname, m);
  return mknodat (job->dst->dirfd, job->dst->relname,
                  (job->src_st.st_mode & S_IFMT) | m, job->src_st.st_rdev);
}


/* Copy the symlink of JOB as a symlink.  */
bool
copy_file_symlink (struct job *job)
{
  char *target = areadlinkat_with_size (job->src->dirfd, job->src->rel,
                                        job->src_st.st_size);
  if (!target)
    {
      diag_error (errno, _("cannot read symbolic link %s"),
                  quoteaf (job->src->name));
      return false;
    }
  bool merge = false;
  int r = copy_file_make (job, make_symlink, target,
                          _("cannot create symbolic link %s"), false,
                          job->run->opt->unlink_dest_after_failed_open,
                          &merge);
  free (target);
  if (r <= 0)
    return r == 0;
  copy_file_say_verbose (job);
  note_created (job);
  return copy_file_meta (job, -1, -1, 0, true);
}

/* Make the destination of JOB a link to the source: a hard link with -l
   (or to EARLIER, the first copy of a multiply-linked file), a symbolic
   link with -s.  */
bool
copy_file_link (struct job *job, char const *earlier)
{
  struct copy_options const *opt = job->run->opt;
  bool merge = false;
  int r;
  if (opt->symbolic_link && !earlier)
    {
      char const *name = job->src->name;
      if (name[0] != '/' && strchr (job->dst->name, '/'))
        {
          char *dir = mdir_name (job->dst->name);
          struct stat a, b;
          bool here = dir && stat (dir, &a) == 0 && stat (".", &b) == 0
                      && SAME_INODE (a, b);
          free (dir);
          if (!here)
            return refuse_relative_symlink (job);
        }
      r = copy_file_make (job, make_symlink, (void *) name,
                          _("cannot create symbolic link %s to %s"), true,
                          opt->unlink_dest_after_failed_open, &merge);
    }
  else
    {
      job->earlier = earlier;
      r = copy_file_make (job, make_hardlink, (void *) earlier,
                          _("cannot create hard link %s to %s"), true,
                          (earlier || opt->unlink_dest_after_failed_open
                           || opt->interactive == I_ASK_USER), &merge);
      job->earlier = NULL;
    }
  if (0 < r)
    {
      if (!(earlier && opt->mv_words))
        copy_file_say_verbose (job);
      /* A later name linked over what was there: GNU's create_hard_link
         says so, after the -v line (for mv, the only line).  */
      if (earlier && job->replaced && opt->verbose)
        remove_tree_say_removed (job->dst->name);
      note_created (job);
    }
  return 0 <= r;
}

/* Recreate the FIFO, socket or device of JOB, with the mode GNU cp
   makes it with, then its metadata through copy-meta, by name: a FIFO
   opened for it could block, a device must not be opened at all.  */
bool
copy_file_special (struct job *job)
{
  struct copy_options const *opt = job->run->opt;
  mode_t mode = copy_meta_special_mode (&job->run->meta,
                                        job->src_st.st_mode);
  bool merge = false;
  int r = copy_file_make (job, make_special, &mode,
                          (S_ISFIFO (job->src_st.st_mode)
                           ? _("cannot create fifo %s")
                           : _("cannot create special file %s")),
                          false, false, &merge);
  if (r <= 0)
    return r == 0;
  copy_file_say_verbose (job);
  note_created (job);
  if (job->run->dry)
    return true;
  struct meta_request mr = {
    .src_fd = -1, .dst_fd = -1,
    .dst_dirfd = job->dst->dirfd, .dst_relname = job->dst->relname,
    .src_st = &job->src_st, .dst_mode = mode & ~opt->umask,
    .dst_new = true, .dst_acl_inherited = job->dst->acl_inherited,
    .src_name = job->src->name, .dst_name = job->dst->name,
    .dst_path = copy_file_dst_path (job)
  };
  return copy_meta_special (&job->run->meta, &mr);
}
