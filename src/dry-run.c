/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dry-run.c -- --dry-run: record and say what the engine would do at
   each point where it would act, and whether data would be shared.  */

#include "system.h"

#include <linux/fs.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/vfs.h>

#include "diag.h"
#include "dirname.h"
#include "dry-run.h"
#include "ignore-value.h"
#include "xalloc.h"

/* What a probe found for one (source device, destination device)
   pair.  */
struct dry_pair
{
  dev_t src_dev;
  dev_t dst_dev;
  int clone_errno;              /* 0: a clone works */
  bool cross_fs;                /* the two are different filesystems */
};

enum { DRY_PAIRS = 16 };

struct dry_run
{
  bool verbose;
  struct dry_pair pair[DRY_PAIRS];
  int n_pairs;
  int next_victim;
  unsigned long count[DRY_VERBS];
  unsigned long long shared_bytes;
  unsigned long long copied_bytes;
  unsigned long why_files[WHY_COUNT];
  unsigned long long why_bytes[WHY_COUNT];

  /* The directories that would be made in existing ones.  */
  struct dry_made
  {
    dev_t dev;
    ino_t ino;
    char *name;
  } *made;
  size_t n_made;

  /* The regular files operands would make, by name: a few, one an
     operand at most.  */
  struct dry_file
  {
    char *name;
    struct stat st;
  } *files;
  size_t n_files;
};

/* Return a new record; see dry-run.h.  */
struct dry_run *
dry_run_new (bool verbose)
{
  struct dry_run *dr = xzalloc (sizeof *dr);
  dr->verbose = verbose;
  return dr;
}

/* Free DR.  */
void
dry_run_free (struct dry_run *dr)
{
  for (size_t i = 0; i < dr->n_made; i++)
    free (dr->made[i].name);
  free (dr->made);
  for (size_t i = 0; i < dr->n_files; i++)
    free (dr->files[i].name);
  free (dr->files);
  free (dr);
}

/* Return the status of the file made as NAME; see dry-run.h.  */
struct stat const *
dry_run_file_at (struct dry_run const *dr, char const *name)
{
  for (size_t i = 0; i < dr->n_files; i++)
    if (strcmp (dr->files[i].name, name) == 0)
      return &dr->files[i].st;
  return NULL;
}

/* Record a regular file that would be made; see dry-run.h.  */
void
dry_run_file_made (struct dry_run *dr, char const *name,
                   struct stat const *st)
{
  struct stat *old = (struct stat *) dry_run_file_at (dr, name);
  if (old)
    {
      *old = *st;
      return;
    }
  dr->files = xnrealloc (dr->files, dr->n_files + 1, sizeof *dr->files);
  dr->files[dr->n_files++] = (struct dry_file) {
    .name = xstrdup (name), .st = *st
  };
}

/* Record a directory that would be made; see dry-run.h.  */
void
dry_run_dir_made (struct dry_run *dr, dev_t dev, ino_t ino,
                  char const *name)
{
  dr->made = xnrealloc (dr->made, dr->n_made + 1, sizeof *dr->made);
  dr->made[dr->n_made++] = (struct dry_made) {
    .dev = dev, .ino = ino, .name = xstrdup (name)
  };
}

/* Look a directory up; see dry-run.h.  */
bool
dry_run_dir_was_made (struct dry_run const *dr, dev_t dev, ino_t ino,
                      char const *name)
{
  for (size_t i = 0; i < dr->n_made; i++)
    if (dr->made[i].dev == dev && dr->made[i].ino == ino
        && (!name || strcmp (dr->made[i].name, name) == 0))
      return true;
  return false;
}

/* Say that V would be done to A (and B), with -v.  */
static void
say (enum dry_verb v, char const *a, char const *b)
{
  switch (v)
    {
    case DRY_CLONE:
      diag_line (_("would clone %s -> %s"), quoteaf_n (0, a),
                 quoteaf_n (1, b));
      break;
    case DRY_COPY:
      diag_line (_("would copy %s -> %s"), quoteaf_n (0, a),
                 quoteaf_n (1, b));
      break;
    case DRY_LINK:
      diag_line (_("would link %s -> %s"), quoteaf_n (0, a),
                 quoteaf_n (1, b));
      break;
    case DRY_SYMLINK:
      diag_line (_("would symlink %s -> %s"), quoteaf_n (0, a),
                 quoteaf_n (1, b));
      break;
    case DRY_MKNOD:
      diag_line (_("would mknod %s -> %s"), quoteaf_n (0, a),
                 quoteaf_n (1, b));
      break;
    case DRY_RENAME:
      diag_line (_("would rename %s -> %s"), quoteaf_n (0, a),
                 quoteaf_n (1, b));
      break;
    case DRY_EXCHANGE:
      diag_line (_("would exchange %s <-> %s"), quoteaf_n (0, a),
                 quoteaf_n (1, b));
      break;
    case DRY_BACKUP:
      diag_line (_("would backup %s -> %s"), quoteaf_n (0, a),
                 quoteaf_n (1, b));
      break;
    case DRY_MKDIR:
      diag_line (_("would mkdir %s"), quoteaf (a));
      break;
    case DRY_SKIP:
      diag_line (_("would skip %s"), quoteaf (a));
      break;
    case DRY_OVERWRITE:
      diag_line (_("would overwrite %s"), quoteaf (a));
      break;
    case DRY_REMOVE:
      diag_line (_("would remove %s"), quoteaf (a));
      break;
    case DRY_REMOVE_SOURCE:
      diag_line (_("would remove source %s"), quoteaf (a));
      break;
    case DRY_VERBS:
      break;
    }
}

/* Record V; see dry-run.h.  */
void
dry_run_note (struct dry_run *dr, enum dry_verb v, char const *a,
              char const *b, off_t bytes)
{
  dr->count[v]++;
  if (v == DRY_CLONE)
    dr->shared_bytes += bytes;
  else if (v == DRY_COPY)
    dr->copied_bytes += bytes;
  if (dr->verbose)
    say (v, a, b);
}

/* Return the entry of DR for SRC_DEV -> DST_DEV, or NULL.  */
static struct dry_pair *
find_pair (struct dry_run *dr, dev_t src_dev, dev_t dst_dev)
{
  for (int i = 0; i < dr->n_pairs; i++)
    if (dr->pair[i].src_dev == src_dev && dr->pair[i].dst_dev == dst_dev)
      return &dr->pair[i];
  return NULL;
}

/* Return a fresh entry of DR for SRC_DEV -> DST_DEV, the oldest one
   forgotten when full.  */
static struct dry_pair *
new_pair (struct dry_run *dr, dev_t src_dev, dev_t dst_dev)
{
  struct dry_pair *p;
  if (dr->n_pairs < DRY_PAIRS)
    p = &dr->pair[dr->n_pairs++];
  else
    {
      p = &dr->pair[dr->next_victim];
      dr->next_victim = (dr->next_victim + 1) % DRY_PAIRS;
    }
  *p = (struct dry_pair) { .src_dev = src_dev, .dst_dev = dst_dev };
  return p;
}

/* Return true if filesystem type T is one that can share data (and is
   worth a probe clone), as far as Linux 6.x goes.  */
static bool
may_share (long t)
{
  switch (t)
    {
    case BTRFS_SUPER_MAGIC:
    case XFS_SUPER_MAGIC:
    case 0xca451a4e:                    /* bcachefs */
    case OCFS2_SUPER_MAGIC:
    case NFS_SUPER_MAGIC:               /* server-side clone (NFS 4.2) */
    case 0xff534d42:                    /* CIFS */
    case 0xfe534d42:                    /* SMB2 */
    case OVERLAYFS_SUPER_MAGIC:
    case FUSE_SUPER_MAGIC:
      return true;
    default:
      return false;
    }
}

/* Clone the first block of SRC_FD (status SRC_ST) into an unnamed
   temporary file made in directory DIR of DIRFD, with the source's
   NOCOW flag (as the ladder gives a new file), and throw it away: it is
   never linked, so nothing shows.  Return 0 when the clone worked, else
   the errno that refused it; -1 when no temporary file could be made
   there (the filesystem has no O_TMPFILE), which decides nothing.  */
static int
probe_clone (int src_fd, struct stat const *src_st, int dirfd,
             char const *dir)
{
#if defined O_TMPFILE && defined FICLONERANGE
  int fd = openat (dirfd, dir, O_TMPFILE | O_WRONLY | O_CLOEXEC,
                   S_IRUSR | S_IWUSR);
  if (fd < 0)
    return -1;
  int src_flags, dst_flags;
  if (ioctl (src_fd, FS_IOC_GETFLAGS, &src_flags) == 0
      && ioctl (fd, FS_IOC_GETFLAGS, &dst_flags) == 0
      && ((src_flags ^ dst_flags) & FS_NOCOW_FL))
    {
      dst_flags = (dst_flags & ~FS_NOCOW_FL) | (src_flags & FS_NOCOW_FL);
      ignore_value (ioctl (fd, FS_IOC_SETFLAGS, &dst_flags));
    }
  /* A block-aligned length, or 0 for "to the end" of a short file.  */
  off_t blk = 0 < src_st->st_blksize ? src_st->st_blksize : 4096;
  struct file_clone_range r = {
    .src_fd = src_fd, .src_offset = 0,
    .src_length = src_st->st_size <= blk ? 0 : blk, .dest_offset = 0
  };
  int err = ioctl (fd, FICLONERANGE, &r) == 0 ? 0 : errno;
  close (fd);
  return err;
#else
  (void) src_fd, (void) src_st, (void) dirfd, (void) dir;
  return EOPNOTSUPP;
#endif
}

/* Return DR's answer for Q's device pair: probed now if not known.  */
static struct dry_pair const *
pair_answer (struct dry_run *dr, struct dry_data const *q)
{
  char *dir = strchr (q->dst_rel, '/') ? mdir_name (q->dst_rel) : NULL;
  char const *d = dir ? dir : ".";
  int dfd = openat (q->dst_dirfd, d, O_PATH | O_DIRECTORY | O_CLOEXEC);
  struct stat dst_st;
  struct statfs sfs, dfs;
  if (dfd < 0 || fstat (dfd, &dst_st) != 0)
    dst_st.st_dev = 0;
  struct dry_pair *p = find_pair (dr, q->src_st->st_dev, dst_st.st_dev);
  if (p)
    {
      if (0 <= dfd)
        close (dfd);
      free (dir);
      return p;
    }
  p = new_pair (dr, q->src_st->st_dev, dst_st.st_dev);
  bool types_known = (fstatfs (q->src_fd, &sfs) == 0
                      && 0 <= dfd && fstatfs (dfd, &dfs) == 0);
  p->cross_fs = types_known && sfs.f_type != dfs.f_type;
  if (p->cross_fs)
    p->clone_errno = EXDEV;
  else if (types_known && !may_share (sfs.f_type))
    p->clone_errno = EOPNOTSUPP;
  /* One btrfs subvolume always shares (the NOCOW flag of a new file is
     matched to the source's); another subvolume or mount may not.  */
  else if (types_known && sfs.f_type == BTRFS_SUPER_MAGIC
           && q->src_st->st_dev == dst_st.st_dev)
    p->clone_errno = 0;
  else
    {
      int err = probe_clone (q->src_fd, q->src_st, q->dst_dirfd, d);
      /* Without O_TMPFILE there: one device is the best guess.  */
      if (err < 0)
        err = q->src_st->st_dev == dst_st.st_dev ? 0 : EXDEV;
      p->clone_errno = err;
      p->cross_fs = err == EXDEV;
    }
  if (0 <= dfd)
    close (dfd);
  free (dir);
  return p;
}

/* Return true if the NOCOW flags of Q's source and existing destination
   differ.  */
static bool
nocow_differs (struct dry_data const *q)
{
  int s, d;
  return (0 <= q->dst_fd
          && ioctl (q->src_fd, FS_IOC_GETFLAGS, &s) == 0
          && ioctl (q->dst_fd, FS_IOC_GETFLAGS, &d) == 0
          && ((s ^ d) & FS_NOCOW_FL));
}

/* Record a copy of Q for reason WHY.  */
static void
note_copy (struct dry_run *dr, struct dry_data const *q, enum dry_why why)
{
  dr->why_files[why]++;
  dr->why_bytes[why] += q->src_st->st_size;
  dry_run_note (dr, DRY_COPY, q->src_name, q->dst_name, q->src_st->st_size);
}

/* Decide whether Q's data would be shared; see dry-run.h.  */
bool
dry_run_data (struct dry_run *dr, struct dry_data const *q)
{
  enum dry_why why;
  int err = EOPNOTSUPP;
  if (q->cow == COW_NEVER)
    why = WHY_COW_NEVER;
  else if (q->sparse == SPARSE_NEVER)
    why = WHY_SPARSE_NEVER;
  else if (!S_ISREG (q->src_st->st_mode))
    why = WHY_NOT_REGULAR;
  else
    {
      struct dry_pair const *p = pair_answer (dr, q);
      err = p->clone_errno;
      if (err == 0 && !q->dst_flags_ok && nocow_differs (q))
        {
          why = WHY_NOCOW;
          err = EINVAL;
        }
      else if (err == 0)
        {
          dry_run_note (dr, DRY_CLONE, q->src_name, q->dst_name,
                        q->src_st->st_size);
          return true;
        }
      else
        why = p->cross_fs ? WHY_CROSS_FS : WHY_CANNOT_SHARE;
    }
  if (q->cow == COW_ALWAYS)
    {
      /* The ladder's words (copy-data.c) for the file it could not
         clone.  */
      diag_error (err, _("failed to clone %s from %s"),
                  quoteaf_n (0, q->dst_name), quoteaf_n (1, q->src_name));
      return false;
    }
  note_copy (dr, q, why);
  return true;
}

/* Return true if entry REL of DIRFD could be created; see dry-run.h.  */
bool
dry_run_can_create (int dirfd, char const *rel)
{
  char *dir = strchr (rel, '/') ? mdir_name (rel) : NULL;
  bool ok = faccessat (dirfd, dir ? dir : ".", W_OK | X_OK, AT_EACCESS) == 0;
  int err = errno;
  free (dir);
  errno = err;
  return ok;
}

/* Whether a sticky directory keeps its entry; see dry-run.h.  The
   kernel's test is on the filesystem user ID and CAP_FOWNER; cowutils
   does not change the first, and root is taken to have the second.  */
bool
dry_run_sticky_denies (struct stat const *dir_st, struct stat const *st)
{
  uid_t uid = geteuid ();
  return ((dir_st->st_mode & S_ISVTX) && uid != 0
          && uid != st->st_uid && uid != dir_st->st_uid);
}

/* Print the summary; see dry-run.h.  */
void
dry_run_summary (struct dry_run const *dr, unsigned long errors)
{
  static char const *const why_words[WHY_COUNT] = {
    [WHY_CROSS_FS] = N_("different filesystems"),
    [WHY_CANNOT_SHARE] = N_("filesystem cannot share"),
    [WHY_NOCOW] = N_("btrfs NOCOW mismatch"),
    [WHY_COW_NEVER] = N_("--cow=never"),
    [WHY_SPARSE_NEVER] = N_("--sparse=never"),
    [WHY_NOT_REGULAR] = N_("not a regular file")
  };
  unsigned long entries = 0, shared = dr->count[DRY_CLONE],
    copied = dr->count[DRY_COPY];
  for (int v = 0; v < DRY_VERBS; v++)
    if (v != DRY_OVERWRITE && v != DRY_BACKUP && v != DRY_REMOVE
        && v != DRY_REMOVE_SOURCE)
      entries += dr->count[v];
  diag_line (_("dry run: entries %lu, errors expected %lu"),
             entries, errors);
  diag_line (_("dry run: shared: files %lu, bytes %llu"),
             shared, dr->shared_bytes);
  diag_line (_("dry run: copied: files %lu, bytes %llu"),
             copied, dr->copied_bytes);
  for (int w = 0; w < WHY_COUNT; w++)
    if (dr->why_files[w])
      diag_line (_("dry run: copied (%s): files %lu, bytes %llu"),
                 _(why_words[w]), dr->why_files[w], dr->why_bytes[w]);
}
