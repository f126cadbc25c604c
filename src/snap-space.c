/* SPDX-License-Identifier: GPL-3.0-or-later */
/* snap-space.c -- the .snapshot namespace of cowsnap; see
   snap-space.h.  */

#include <config.h>

#include "system.h"

#include <dirent.h>
#include <linux/btrfs.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/vfs.h>

#include "c-ctype.h"
#include "canonicalize.h"
#include "dirname.h"
#include "filenamecat.h"
#include "snap-space.h"
#include "xalloc.h"

#ifndef BTRFS_SUPER_MAGIC
# define BTRFS_SUPER_MAGIC 0x9123683E
#endif
#ifndef XFS_SUPER_MAGIC
# define XFS_SUPER_MAGIC 0x58465342
#endif
#ifndef BCACHEFS_SUPER_MAGIC
# define BCACHEFS_SUPER_MAGIC 0xca451a4e
#endif
#ifndef OCFS2_SUPER_MAGIC
# define OCFS2_SUPER_MAGIC 0x7461636f
#endif

/* The inode number of every btrfs subvolume's root directory.  */
enum { BTRFS_SUBVOL_ROOT_INO = 256 };

/* Filesystem types by magic number, and whether they share data.  */
static struct
{
  unsigned long magic;
  char const *name;
  bool share;
} const fs_types[] = {
  { BTRFS_SUPER_MAGIC, "btrfs", true },
  { XFS_SUPER_MAGIC, "xfs", true },
  { BCACHEFS_SUPER_MAGIC, "bcachefs", true },
  { OCFS2_SUPER_MAGIC, "ocfs2", true },
  { EXT4_SUPER_MAGIC, "ext2/ext3/ext4", false },
  { TMPFS_MAGIC, "tmpfs", false },
  { 0x6969, "nfs", false },
  { 0x794c7630, "overlayfs", false },
  { 0xF2F52010, "f2fs", false },
  { 0x4d44, "vfat", false },
  { 0x2011BAB0, "exfat", false },
  { 0x65735546, "fuse", false },
  { 0x2fc12fc1, "zfs", false },
  { 0x52654973, "reiserfs", false },
  { 0x3153464a, "jfs", false },
  { 0xFF534D42, "cifs", false },
  { 0x01021997, "9p", false },
  { 0x858458f6, "ramfs", false },
};

/* Name the filesystem type of FD; see snap-space.h.  */
char const *
snap_fs_type (int fd, char *buf, size_t size, bool *can_share)
{
  struct statfs sf;
  *can_share = false;
  if (fstatfs (fd, &sf) != 0)
    {
      snprintf (buf, size, "?");
      return buf;
    }
  for (size_t i = 0; i < sizeof fs_types / sizeof *fs_types; i++)
    if ((unsigned long) sf.f_type == fs_types[i].magic)
      {
        *can_share = fs_types[i].share;
        return fs_types[i].name;
      }
  snprintf (buf, size, "0x%lx", (unsigned long) sf.f_type);
  return buf;
}

/* Return true if FD is on btrfs.  */
static bool
on_btrfs (int fd)
{
  struct statfs sf;
  return fstatfs (fd, &sf) == 0 && sf.f_type == BTRFS_SUPER_MAGIC;
}

/* Is FD a btrfs subvolume root?  See snap-space.h.  */
bool
snap_is_subvolume (int fd)
{
  struct stat st;
  return (on_btrfs (fd) && fstat (fd, &st) == 0 && S_ISDIR (st.st_mode)
          && st.st_ino == BTRFS_SUBVOL_ROOT_INO);
}

/* Is NAME a btrfs subvolume root?  See snap-space.h.  */
bool
snap_is_subvolume_name (char const *name)
{
  int fd = open (name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  bool sub = 0 <= fd && snap_is_subvolume (fd);
  if (0 <= fd)
    close (fd);
  return sub;
}

/* Return true if files A and B (open) are on one filesystem: one device,
   or one btrfs filesystem (whose subvolumes have devices of their
   own).  */
static bool
same_fs (int a, int b)
{
  struct stat sa, sb;
  if (fstat (a, &sa) != 0 || fstat (b, &sb) != 0)
    return false;
  if (sa.st_dev == sb.st_dev)
    return true;
  struct btrfs_ioctl_fs_info_args ia = { 0 }, ib = { 0 };
  return (on_btrfs (a) && on_btrfs (b)
          && ioctl (a, BTRFS_IOC_FS_INFO, &ia) == 0
          && ioctl (b, BTRFS_IOC_FS_INFO, &ib) == 0
          && memcmp (ia.fsid, ib.fsid, sizeof ia.fsid) == 0);
}

/* Open NAME to ask same_fs about it: as a directory when it is one (the
   btrfs ioctl needs a real descriptor, and only directories can be
   subvolumes), else as a path.  */
static int
open_for_fs (char const *name)
{
  int fd = open (name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  return 0 <= fd ? fd : open (name, O_PATH | O_CLOEXEC);
}

/* Return true if NAME_A and NAME_B are on one filesystem (same_fs).  */
static bool
same_fs_names (char const *name_a, char const *name_b)
{
  int a = open_for_fs (name_a);
  int b = open_for_fs (name_b);
  bool same = 0 <= a && 0 <= b && same_fs (a, b);
  if (0 <= a)
    close (a);
  if (0 <= b)
    close (b);
  return same;
}

/* Return the mount ID of NAME in *ID; false if it cannot be had.  */
static bool
mount_id (char const *name, unsigned long long *id)
{
  struct statx sx;
  if (statx (AT_FDCWD, name, 0, STATX_MNT_ID, &sx) != 0
      || !(sx.stx_mask & STATX_MNT_ID))
    return false;
  *id = sx.stx_mnt_id;
  return true;
}

/* Return, newly allocated, the topmost ancestor of directory DIR (an
   absolute name without symlinks) that is on the same device and in the
   same mount as DIR.  */
static char *
topmost (char const *dir)
{
  char *cur = xstrdup (dir);
  struct stat st;
  unsigned long long mnt = 0, up_mnt;
  bool have_mnt = mount_id (cur, &mnt);
  if (stat (cur, &st) != 0)
    return cur;
  while (strcmp (cur, "/") != 0)
    {
      char *up = dir_name (cur);
      struct stat ust;
      if (stat (up, &ust) != 0 || ust.st_dev != st.st_dev
          || (have_mnt && mount_id (up, &up_mnt) && up_mnt != mnt))
        {
          free (up);
          break;
        }
      free (cur);
      cur = up;
    }
  return cur;
}

/* Find where PATH's snapshots are; see snap-space.h.  */
bool
snap_place_find (char const *path, char const *dir, struct snap_place *p)
{
  memset (p, 0, sizeof *p);
  p->path = canonicalize_filename_mode (path, CAN_EXISTING);
  if (!p->path || lstat (p->path, &p->st) != 0)
    goto fail;
  char *rel;
  if (strcmp (p->path, "/") == 0)
    p->root = xstrdup ("/");
  else
    {
      char *parent = dir_name (p->path);
      struct stat pst;
      unsigned long long m1, m2;
      if (stat (parent, &pst) != 0)
        {
          free (parent);
          goto fail;
        }
      /* A directory on a device or in a mount of its own is the root
         of its own namespace, unless it is a subvolume of the btrfs
         filesystem its parent is in (in the same mount).  */
      bool other_mount = (mount_id (p->path, &m1) && mount_id (parent, &m2)
                          && m1 != m2);
      bool own = (S_ISDIR (p->st.st_mode)
                  && (p->st.st_dev != pst.st_dev || other_mount));
      bool subvolume = (own && !other_mount
                        && same_fs_names (p->path, parent));
      if (own && !subvolume)
        p->root = xstrdup (p->path);
      else
        p->root = topmost (parent);
      free (parent);
    }
  size_t root_len = strlen (p->root);
  rel = p->path + root_len + (p->path[root_len] == '/');
  if (strcmp (p->root, "/") == 0)
    rel = p->path + 1;
  p->base = xstrdup (*rel ? last_component (rel) : "@");
  if (dir)
    {
      p->space = canonicalize_filename_mode (dir, CAN_EXISTING);
      if (!p->space)
        goto fail;
      if (!same_fs_names (p->space, p->root))
        {
          errno = EXDEV;
          goto fail;
        }
    }
  else
    p->space = file_name_concat (p->root, ".snapshot", NULL);
  char *reldir = strchr (rel, '/') ? dir_name (rel) : NULL;
  p->dir = reldir ? file_name_concat (p->space, reldir, NULL)
                  : xstrdup (p->space);
  free (reldir);
  size_t space_len = strlen (p->space);
  p->in_space = (strncmp (p->path, p->space, space_len) == 0
                 && (p->path[space_len] == '\0'
                     || p->path[space_len] == '/'));
  return true;

 fail:
  {
    int err = errno;
    snap_place_free (p);
    errno = err;
    return false;
  }
}

/* Release *P; see snap-space.h.  */
void
snap_place_free (struct snap_place *p)
{
  free (p->path);
  free (p->root);
  free (p->space);
  free (p->dir);
  free (p->base);
  memset (p, 0, sizeof *p);
}

/* Write the stamp of T; see snap-space.h.  */
void
snap_stamp (struct timespec t, char *buf)
{
  struct tm tm;
  gmtime_r (&t.tv_sec, &tm);
  char text[64];
  snprintf (text, sizeof text, "%04d-%02d-%02dT%02d%02d%02d.%06ldZ",
            tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
            tm.tm_min, tm.tm_sec, t.tv_nsec / 1000);
  memcpy (buf, text, SNAP_STAMP_LEN);
  buf[SNAP_STAMP_LEN] = '\0';
}

/* Parse a stamp; see snap-space.h.  */
bool
snap_stamp_parse (char const *s, struct timespec *t)
{
  /* "YYYY-MM-DDTHHMMSS.uuuuuuZ": digits where the pattern has 9.  */
  static char const pattern[] = "9999-99-99T999999.999999Z";
  if (strlen (s) != SNAP_STAMP_LEN)
    return false;
  for (int i = 0; i < SNAP_STAMP_LEN; i++)
    if (pattern[i] == '9' ? !c_isdigit (s[i]) : s[i] != pattern[i])
      return false;
  struct tm tm = { 0 };
  int us;
  if (sscanf (s, "%4d-%2d-%2dT%2d%2d%2d.%6dZ", &tm.tm_year, &tm.tm_mon,
              &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &us) != 7
      || tm.tm_mon < 1 || 12 < tm.tm_mon || tm.tm_mday < 1
      || 31 < tm.tm_mday || 23 < tm.tm_hour || 59 < tm.tm_min
      || 60 < tm.tm_sec)
    return false;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  if (t)
    {
      t->tv_sec = timegm (&tm);
      t->tv_nsec = us * 1000L;
    }
  return true;
}

/* May NAME name a snapshot?  See snap-space.h.  */
bool
snap_name_valid (char const *name)
{
  return *name && !strchr (name, '.') && !strchr (name, '/');
}

/* Is E a snapshot of BASE?  See snap-space.h.  */
char const *
snap_suffix (char const *e, char const *base)
{
  size_t len = strlen (base);
  if (strncmp (e, base, len) != 0 || e[len] != '.')
    return NULL;
  char const *suffix = e + len + 1;
  return (snap_stamp_parse (suffix, NULL) || snap_name_valid (suffix)
          ? suffix : NULL);
}

/* Return true if directory DIRFD holds the marker.  */
static bool
has_marker (int dirfd)
{
  int fd = openat (dirfd, SNAP_MARKER, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return false;
  char buf[sizeof SNAP_MARKER_TEXT];
  ssize_t n = read (fd, buf, sizeof buf);
  close (fd);
  return (n == sizeof SNAP_MARKER_TEXT - 1
          && memcmp (buf, SNAP_MARKER_TEXT, n) == 0);
}

/* Return true if directory DIRFD has no entries but the marker.  */
static bool
empty_but_marker (int dirfd)
{
  int fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = 0 <= fd ? fdopendir (fd) : NULL;
  if (!d)
    {
      if (0 <= fd)
        close (fd);
      return false;
    }
  bool empty = true;
  struct dirent const *e;
  while (empty && (e = readdir (d)))
    empty = (strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0
             || strcmp (e->d_name, SNAP_MARKER) == 0);
  closedir (d);
  return empty;
}

/* Write the marker into directory DIRFD: under a temporary name, then
   linked to its own (so that a marker is never seen half written).  */
static bool
write_marker (int dirfd)
{
  int fd = openat (dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    return false;
  size_t len = sizeof SNAP_MARKER_TEXT - 1;
  bool ok = write (fd, SNAP_MARKER_TEXT, len) == (ssize_t) len;
  char proc[64];
  snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
  if (ok && linkat (AT_FDCWD, proc, dirfd, SNAP_MARKER, AT_SYMLINK_FOLLOW) != 0)
    ok = errno == EEXIST && has_marker (dirfd);
  int err = errno;
  close (fd);
  errno = err;
  return ok;
}

/* Make the namespace directory BASE in directory PARENT_FD: a btrfs
   subvolume on btrfs, else a directory.  */
static int
make_space (int parent_fd, char const *base)
{
  if (on_btrfs (parent_fd))
    {
      struct btrfs_ioctl_vol_args args = { 0 };
      if (strlen (base) < sizeof args.name)
        {
          strcpy (args.name, base);
          if (ioctl (parent_fd, BTRFS_IOC_SUBVOL_CREATE, &args) == 0)
            return fchmodat (parent_fd, base, 0755, 0);
          if (errno == EEXIST)
            return -1;
        }
    }
  return mkdirat (parent_fd, base, 0755);
}

/* Make the namespace ready; see snap-space.h.  */
bool
snap_space_ready (char const *space, bool create)
{
  int fd = open (space, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && create)
    {
      char *parent = dir_name (space);
      int pfd = open (parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      free (parent);
      if (pfd < 0)
        return false;
      int r = make_space (pfd, last_component (space));
      int err = errno;
      close (pfd);
      if (r != 0 && err != EEXIST)
        {
          errno = err;
          return false;
        }
      fd = open (space, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
  if (fd < 0)
    return false;
  bool ok = has_marker (fd);
  if (!ok && create)
    {
      /* A directory of that name that holds anything is someone else's
         (a filer's .snapshot, a user's own): never take it over.  */
      if (empty_but_marker (fd))
        ok = write_marker (fd);
      else
        errno = EEXIST;
    }
  else if (!ok)
    errno = ENOENT;
  int err = errno;
  close (fd);
  errno = err;
  return ok;
}

/* Make P->dir; see snap-space.h.  */
bool
snap_dir_ready (struct snap_place const *p)
{
  size_t space_len = strlen (p->space);
  if (strlen (p->dir) == space_len)
    return true;
  char *dir = xstrdup (p->dir);
  char const *rel = p->dir + space_len + 1;
  char *live = file_name_concat (p->root, rel, NULL);
  size_t live_len = strlen (live);
  bool ok = true;
  /* Each component in turn, from the top.  */
  for (char *slash = dir + space_len + 1; ok; slash++)
    {
      slash = strchr (slash, '/');
      if (slash)
        *slash = '\0';
      size_t done = strlen (dir) - space_len - 1;
      live[live_len - strlen (rel) + done] = '\0';
      struct stat st;
      mode_t mode = stat (live, &st) == 0 ? (st.st_mode & 0777) : 0755;
      if (mkdir (dir, mode | S_IRWXU) != 0 && errno != EEXIST)
        ok = false;
      strcpy (live + live_len - strlen (rel), rel);
      if (!slash)
        break;
      *slash = '/';
    }
  free (live);
  free (dir);
  return ok;
}

/* Find the namespace holding NAME; see snap-space.h.  */
char *
snap_space_of (char const *name)
{
  char *copy = xstrdup (name);
  strip_trailing_slashes (copy);
  char const *last = last_component (copy);
  if (!*last || strcmp (last, ".") == 0 || strcmp (last, "..") == 0
      || strcmp (last, SNAP_MARKER) == 0)
    {
      free (copy);
      errno = EINVAL;
      return NULL;
    }
  char *parent_name = dir_name (copy);
  free (copy);
  char *cur = canonicalize_filename_mode (parent_name, CAN_EXISTING);
  free (parent_name);
  if (!cur)
    return NULL;
  for (;;)
    {
      int fd = open (cur, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      bool found = 0 <= fd && has_marker (fd);
      if (0 <= fd)
        close (fd);
      if (found)
        return cur;
      if (strcmp (cur, "/") == 0)
        break;
      char *up = dir_name (cur);
      free (cur);
      cur = up;
    }
  free (cur);
  errno = ENOENT;
  return NULL;
}
