/* SPDX-License-Identifier: GPL-3.0-or-later */
/* snap-seal.c -- make a snapshot read-only, and undo it; see
   snap-seal.h.  */

#include <config.h>

#include "system.h"

#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/xattr.h>

#include "fts_.h"
#include "snap-seal.h"

/* What the walk does to each entry.  */
enum seal_op
{
  OP_SEAL,          /* make it read-only */
  OP_UNSEAL,        /* clear its immutable flag */
  OP_MODES          /* give it its recorded mode back */
};

/* Open entry ACC of directory DIRFD, of status ST, to change its
   attributes through: a real descriptor for a regular file or a
   directory (ioctl needs one), never following a symlink or opening a
   device.  Return -1 with errno set when it cannot be.  */
static int
open_entry (int dirfd, char const *acc, struct stat const *st)
{
  int flags = O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;
  if (S_ISDIR (st->st_mode))
    flags |= O_DIRECTORY;
  else if (!S_ISREG (st->st_mode))
    {
      errno = EINVAL;
      return -1;
    }
  int fd = openat (dirfd, acc, flags | O_NOATIME);
  if (fd < 0 && errno == EPERM)
    fd = openat (dirfd, acc, flags);
  return fd;
}

/* Set (SET) or clear the immutable flag of the file open as FD.  */
static bool
set_immutable (int fd, bool set)
{
  int flags;
  if (ioctl (fd, FS_IOC_GETFLAGS, &flags) != 0)
    return false;
  int want = set ? flags | FS_IMMUTABLE_FL : flags & ~FS_IMMUTABLE_FL;
  return want == flags || ioctl (fd, FS_IOC_SETFLAGS, &want) == 0;
}

/* Name, in BUF, the file open as FD for the *xattr calls: through
   /proc, which works for any descriptor.  */
static char const *
fd_name (int fd, char buf[64])
{
  snprintf (buf, 64, "/proc/self/fd/%d", fd);
  return buf;
}

/* Seal the file ACC of DIRFD, of status ST, the way *KIND says, falling
   back from SEAL_IMMUTABLE to SEAL_MODE when the flag cannot be set at
   all (not permitted, not supported).  */
static bool
seal_one (int dirfd, char const *acc, struct stat const *st,
          enum snap_seal_kind *kind)
{
  if (!S_ISREG (st->st_mode) && !S_ISDIR (st->st_mode))
    return true;
  if (*kind == SEAL_IMMUTABLE)
    {
      int fd = open_entry (dirfd, acc, st);
      if (fd < 0)
        return false;
      bool ok = set_immutable (fd, true);
      int err = errno;
      close (fd);
      if (ok)
        return true;
      if (err != EPERM && err != ENOTTY && err != EOPNOTSUPP
          && err != EINVAL && err != EACCES)
        {
          errno = err;
          return false;
        }
      *kind = SEAL_MODE;
    }
  /* The walk may have known the type alone (FTS_NOSTAT).  */
  struct stat full;
  if (!(st->st_mode & ~S_IFMT))
    {
      if (fstatat (dirfd, acc, &full, AT_SYMLINK_NOFOLLOW) != 0)
        return false;
      st = &full;
    }
  mode_t mode = st->st_mode & CHMOD_MODE_BITS;
  if (!(mode & (S_IWUSR | S_IWGRP | S_IWOTH)))
    return true;
  /* The mode is recorded before it changes, so that a snapshot whose
     mode lost its write bits always says what it was.  */
  int fd = openat (dirfd, acc, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return false;
  char text[16], proc[64];
  int len = snprintf (text, sizeof text, "%04o", (unsigned int) mode);
  bool ok = setxattr (fd_name (fd, proc), SNAP_MODE_XATTR, text, len, 0) == 0;
  /* One whose owner may not write it (0466) cannot get a user xattr
     until they may.  */
  if (!ok && errno == EACCES && !(mode & S_IWUSR)
      && fchmodat (dirfd, acc, mode | S_IWUSR, 0) == 0)
    ok = setxattr (proc, SNAP_MODE_XATTR, text, len, 0) == 0;
  int err = errno;
  close (fd);
  if (!ok)
    {
      errno = err;
      return false;
    }
  return fchmodat (dirfd, acc, mode & ~(S_IWUSR | S_IWGRP | S_IWOTH), 0) == 0;
}

/* Give the file ACC of DIRFD, of status ST, its recorded mode back.  */
static bool
restore_mode (int dirfd, char const *acc, struct stat const *st)
{
  if (!S_ISREG (st->st_mode) && !S_ISDIR (st->st_mode))
    return true;
  int fd = openat (dirfd, acc, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return false;
  char proc[64], text[16];
  ssize_t n = getxattr (fd_name (fd, proc), SNAP_MODE_XATTR, text,
                        sizeof text - 1);
  bool ok = true;
  if (0 < n)
    {
      text[n] = '\0';
      char *end;
      unsigned long mode = strtoul (text, &end, 8);
      /* An xattr of the user namespace can only be removed from a file
         its owner may write.  */
      ok = (*end == '\0' && mode <= CHMOD_MODE_BITS
            && fchmodat (dirfd, acc, mode | S_IWUSR, 0) == 0
            && removexattr (proc, SNAP_MODE_XATTR) == 0
            && ((mode & S_IWUSR) || fchmodat (dirfd, acc, mode, 0) == 0));
    }
  else if (errno != ENODATA && errno != ENOTSUP)
    ok = false;
  int err = errno;
  close (fd);
  errno = err;
  return ok;
}

/* Walk the tree NAME doing OP to each entry (children before their
   directory, except for OP_UNSEAL, which must open a directory before
   it may change what is in it); leave NAME itself alone unless TOP.  */
static bool
walk (char const *name, enum seal_op op, bool top, enum snap_seal_kind *kind)
{
  char *names[] = { (char *) name, NULL };
  /* Setting or clearing a flag needs the type of each entry alone,
     which the directory entries tell: no stat per entry then.  */
  int flags = FTS_PHYSICAL | FTS_CWDFD;
  if (op == OP_UNSEAL || (op == OP_SEAL && *kind == SEAL_IMMUTABLE))
    flags |= FTS_NOSTAT;
  FTS *fts = fts_open (names, flags, NULL);
  if (!fts)
    return false;
  bool ok = true;
  int err = 0;
  FTSENT *e;
  while (ok)
    {
      errno = 0;
      e = fts_read (fts);
      if (!e)
        {
          err = errno;
          ok = err == 0;
          break;
        }
      bool is_top = e->fts_level == FTS_ROOTLEVEL;
      if (is_top && !top)
        continue;
      switch (e->fts_info)
        {
        case FTS_DNR:
        case FTS_ERR:
        case FTS_NS:
          err = e->fts_errno;
          ok = false;
          continue;
        case FTS_DC:
          continue;
        case FTS_D:
          if (op != OP_UNSEAL)
            continue;
          break;
        case FTS_DP:
          if (op == OP_UNSEAL)
            continue;
          break;
        default:
          break;
        }
      int dirfd = fts->fts_cwd_fd;
      switch (op)
        {
        case OP_SEAL:
          ok = seal_one (dirfd, e->fts_accpath, e->fts_statp, kind);
          break;
        case OP_UNSEAL:
          if (S_ISREG (e->fts_statp->st_mode)
              || S_ISDIR (e->fts_statp->st_mode))
            {
              int fd = open_entry (dirfd, e->fts_accpath, e->fts_statp);
              ok = 0 <= fd && set_immutable (fd, false);
              if (0 <= fd)
                {
                  int saved = errno;
                  close (fd);
                  errno = saved;
                }
              /* Nothing to clear where flags do not exist, nor in what
                 this process may not even read (it could not have made
                 it immutable; the removal says if someone else did).  */
              if (!ok && (errno == ENOTTY || errno == EOPNOTSUPP
                          || (fd < 0 && errno == EACCES)))
                ok = true;
            }
          break;
        case OP_MODES:
          ok = restore_mode (dirfd, e->fts_accpath, e->fts_statp);
          break;
        }
      if (!ok)
        err = errno;
    }
  if (fts_close (fts) != 0 && ok)
    {
      err = errno;
      ok = false;
    }
  if (!ok)
    errno = err;
  return ok;
}

/* Seal NAME; see snap-seal.h.  */
bool
snap_seal (char const *name, bool top, enum snap_seal_kind *kind)
{
  return walk (name, OP_SEAL, top, kind);
}

/* Seal NAME itself; see snap-seal.h.  */
bool
snap_seal_top (char const *name, enum snap_seal_kind kind)
{
  struct stat st;
  if (lstat (name, &st) != 0)
    return false;
  return seal_one (AT_FDCWD, name, &st, &kind);
}

/* Clear the immutable flags under NAME; see snap-seal.h.  */
bool
snap_unseal (char const *name)
{
  return walk (name, OP_UNSEAL, true, NULL);
}

/* Give back the recorded modes under NAME; see snap-seal.h.  */
bool
snap_unseal_modes (char const *name)
{
  return walk (name, OP_MODES, true, NULL);
}

/* The original mode of a snapshot entry; see snap-seal.h.  */
void
snap_original_mode (int fd, struct stat const *st, mode_t *mode)
{
  char proc[64], text[16];
  *mode = st->st_mode & CHMOD_MODE_BITS;
  ssize_t n = getxattr (fd_name (fd, proc), SNAP_MODE_XATTR, text,
                        sizeof text - 1);
  if (0 < n)
    {
      text[n] = '\0';
      char *end;
      unsigned long m = strtoul (text, &end, 8);
      if (*end == '\0' && m <= CHMOD_MODE_BITS)
        *mode = m;
    }
}
