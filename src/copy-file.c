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
#include "copy-file-internal.h"
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

/* Remove the destination of JOB.  Return false after reporting.  */
static bool
remove_dest (struct job *job)
{
  return remove_entry (job->dst->dirfd, job->dst->relname, job->dst->name,
                       job->run->opt->verbose);
}

/* Fill *P with what JOB's options say about an existing destination.  */
void
copy_file_policy (struct job const *job, struct dest_policy *p)
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
void
copy_file_where (struct job const *job, struct dest_where *w)
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
  copy_file_where (job, &w);
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
enum existing
copy_file_carry_out (struct job *job, struct dest_where const *w,
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
enum existing
copy_file_check_existing (struct job *job, bool *follow)
{
  struct dest_policy p;
  struct dest_facts f;
  struct dest_where w;
  copy_file_policy (job, &p);
  copy_file_where (job, &w);
  dest_probe (&w, &job->src_st, job->command_line, job->run->created,
              job->run->opt->keep_dir_symlink, &p, &f);
  struct dest_decision d = copy_dest_decide (&p, &f);
  job->dst_exists = f.dst_lnk_ok;
  if (f.dst_lnk_ok)
    job->dst_st = (d.use_lstat || f.dst_ref_errno) ? f.dst_lnk : f.dst_ref;
  return copy_file_carry_out (job, &w, &d, follow);
}

/* Return the name of JOB's destination for system calls made from the
   working directory.  */
char const *
copy_file_dst_path (struct job const *job)
{
  return job->dst->path ? job->dst->path : job->dst->name;
}

/* Remember that this run created the destination of JOB.  */
void
copy_file_note_created (struct job *job)
{
  struct stat st;
  if (job->run->created && job->command_line)
    name_set_add_file (job->run->created, job->dst->name,
                       fstatat (job->dst->dirfd, job->dst->relname, &st,
                                AT_SYMLINK_NOFOLLOW) == 0 ? &st : NULL);
}

/* Return true if JOB's destination is to be taken for new, whatever is
   there (see copy_file_taken_new in copy-run.h).  */
bool
copy_file_taken_new (struct job const *job)
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
   says ("cannot create regular file %s" and the like); TWO when FORMAT
   names the source (or the earlier copy) too.  */
void
copy_file_report_create (struct job *job, int err, char const *format,
                         bool two)
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
void
copy_file_undo_backup (struct job *job)
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
  copy_file_undo_backup (job);
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
      if (errno == EEXIST && !through && !made_way && copy_file_taken_new (job)
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
      if (errno != EEXIST || through || made_way || copy_file_taken_new (job))
        {
          copy_file_report_create (job, errno, _("cannot create regular file %s"),
                         false);
          return -1;
        }
      switch (copy_file_check_existing (job, &through))
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

/* Return true if the destination of JOB, new, is made in a directory
   with a default ACL, or one not looked at (cowcp --parents makes it in
   a directory of its path): its group bits are then what the ACL's
   named users and groups get while it is made.  */
bool
copy_file_interim_acl (struct job const *job)
{
  return job->dst->acl_inherited || !job->dst->dir_known;
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
    .interim_acl = new_dst && copy_file_interim_acl (job),
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
   skip, -i asks, a directory is refused, a backup is made (copy_file_undo_backup
   puts it back).  Return 1 when they skipped the file (no error), 0 when
   they failed it, -1 to go on to the error.  */
int
copy_file_checks_first (struct job *job, struct stat *st, int flags)
{
  bool follow = false;
  if (!copy_file_taken_new (job)
      && fstatat (job->dst->dirfd, job->dst->relname, st, flags) == 0)
    switch (copy_file_check_existing (job, &follow))
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
  copy_file_policy (job, &p);
  int first = copy_file_checks_first (job, &job->dst_st,
                            (copy_dest_use_lstat (&p, &job->src_st)
                             ? AT_SYMLINK_NOFOLLOW : 0));
  if (0 <= first)
    return first;
  copy_file_say_verbose (job);
  diag_error (err, _("cannot open %s for reading"), quoteaf (job->src->name));
  /* The checks may have backed the destination up: put it back.  */
  copy_file_undo_backup (job);
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
    return copy_file_dry_regular (job, src_fd);

  mode_t mode = copy_meta_create_mode (&job->run->meta, job->src_st.st_mode,
                                       copy_file_owner_final (job),
                                       copy_file_interim_acl (job));
  /* A private copy is for its owner alone until it is complete.  */
  if (job->command_line && opt->private_dest)
    mode &= S_IRWXU;
  bool new_dst;
  int dst_fd = open_dest_file (job, mode, &src_fd, follow, &new_dst);
  bool ok = dst_fd != -1;
  if (0 <= dst_fd)
    {
      if (new_dst)
        copy_file_note_created (job);
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
        copy_file_undo_backup (job);
    }
  if (0 <= src_fd)
    close (src_fd);
  return ok;
}
