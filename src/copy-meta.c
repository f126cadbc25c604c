/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-meta.c -- owner, extended attributes, mode and ACLs, timestamps:
   the metadata step, separate from the data.  */

#include "system.h"

#include <linux/fs.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/xattr.h>
#if USE_XATTR
# include <attr/error_context.h>
# include <attr/libattr.h>
#endif
#if USE_ACL
# include <acl/libacl.h>
# include <sys/acl.h>
#endif

#include "copy-meta.h"
#include "diag.h"
#include "ignore-value.h"
#include "xalloc.h"

/* The names of the two POSIX ACL attributes.  */
static char const acl_access_name[] = "system.posix_acl_access";
static char const acl_default_name[] = "system.posix_acl_default";

/* The set-user-ID, set-group-ID and sticky bits.  */
#define SPECIAL_BITS (S_ISUID | S_ISGID | S_ISVTX)

/* What a destination is, for the rules that differ by type.  */
enum dst_kind
{
  DST_FILE,                 /* a regular file, open as dst_fd */
  DST_DIR,                  /* a directory, open as dst_fd */
  DST_SYMLINK,              /* a symbolic link, by dst_dirfd + relname */
  DST_SPECIAL               /* a FIFO, socket or device, likewise */
};

/* Read the names of the source's extended attributes into *X, using
   STACKBUF (of STACKSIZE bytes) when they fit, as nearly all lists do:
   one call.  Classify them.  A source without attributes costs nothing
   more: no ACL is probed.  Free X->names if it is not STACKBUF.  */
static void
list_xattrs (struct meta_request const *rq, struct meta_xattrs *x,
             char *stackbuf, size_t stacksize)
{
  char *buf = stackbuf;
  ssize_t n = (0 <= rq->src_fd
               ? flistxattr (rq->src_fd, buf, stacksize)
               : llistxattr (rq->src_name, buf, stacksize));
  if (n < 0 && errno == ERANGE)
    {
      ssize_t size = (0 <= rq->src_fd ? flistxattr (rq->src_fd, NULL, 0)
                      : llistxattr (rq->src_name, NULL, 0));
      if (0 < size)
        {
          buf = xmalloc (size);
          n = (0 <= rq->src_fd ? flistxattr (rq->src_fd, buf, size)
               : llistxattr (rq->src_name, buf, size));
        }
    }
  *x = (struct meta_xattrs) { .names = buf, .size = n, .listed = 0 <= n };
  for (char const *p = buf; 0 < n && p < buf + n; p += strlen (p) + 1)
    {
      if (strcmp (p, acl_access_name) == 0)
        x->acl_access = true;
      else if (strcmp (p, acl_default_name) == 0)
        x->acl_default = true;
      else
        x->other = true;
    }
}

/* Return true if ERR means the filesystem has no such feature.  */
static bool
unsupported (int err)
{
  return err == ENOTSUP || err == ENOSYS || err == EOPNOTSUPP;
}

/* The destination of RQ, through its descriptor or, for a symlink or
   special file, by name, with no symlink followed where the call allows
   it: chown, chmod, stat.  fchmodat cannot refuse to follow without
   /proc in glibc before 2.39; it is only used on a FIFO, socket or
   device this run made.  Each returns as the call does.  */
static int
dst_chown (struct meta_request const *rq, uid_t uid, gid_t gid)
{
  return (0 <= rq->dst_fd
          ? fchown (rq->dst_fd, uid, gid)
          : fchownat (rq->dst_dirfd, rq->dst_relname, uid, gid,
                      AT_SYMLINK_NOFOLLOW));
}

static int
dst_chmod (struct meta_request const *rq, mode_t mode)
{
  return (0 <= rq->dst_fd
          ? fchmod (rq->dst_fd, mode)
          : fchmodat (rq->dst_dirfd, rq->dst_relname, mode, 0));
}

static int
dst_stat (struct meta_request const *rq, struct stat *st)
{
  return (0 <= rq->dst_fd
          ? fstat (rq->dst_fd, st)
          : fstatat (rq->dst_dirfd, rq->dst_relname, st,
                     AT_SYMLINK_NOFOLLOW));
}

/* Attribute NAME of the destination of RQ: set it to the N bytes of
   VALUE, or remove it.  By descriptor, or by name without following a
   symlink.  Each returns as the call does.  */
static int
dst_setxattr (struct meta_request const *rq, char const *name,
              void const *value, size_t n)
{
  return (0 <= rq->dst_fd
          ? fsetxattr (rq->dst_fd, name, value, n, 0)
          : lsetxattr (rq->dst_path, name, value, n, 0));
}

static int
dst_removexattr (struct meta_request const *rq, char const *name)
{
  return (0 <= rq->dst_fd
          ? fremovexattr (rq->dst_fd, name)
          : lremovexattr (rq->dst_path, name));
}

/* Read attribute NAME of RQ's source into *BUF (of *BUFSIZE bytes,
   grown as needed; STACKBUF is not to be freed).  Return its length, or
   -1 with errno set.  */
static ssize_t
get_xattr (struct meta_request const *rq, char const *name, char **buf,
           size_t *bufsize, char const *stackbuf)
{
  for (;;)
    {
      ssize_t n = (0 <= rq->src_fd
                   ? fgetxattr (rq->src_fd, name, *buf, *bufsize)
                   : lgetxattr (rq->src_name, name, *buf, *bufsize));
      if (0 <= n || errno != ERANGE)
        return n;
      ssize_t size = (0 <= rq->src_fd ? fgetxattr (rq->src_fd, name, NULL, 0)
                      : lgetxattr (rq->src_name, name, NULL, 0));
      if (size < 0)
        return -1;
      if (*buf != stackbuf)
        free (*buf);
      *bufsize = size + 1;
      *buf = xmalloc (*bufsize);
    }
}

/* The permission bits withheld from a new destination of KIND made from
   SRC_MODE, until its owner and mode are set.  None when nobody else can
   reach the copy before it is complete (OPT->private_dest).  Without
   ownership preserved: a directory's group and other write bits, as GNU
   cp (nobody else adds entries to a tree being copied).  With it, GNU cp
   withholds all group and other bits, for the owner and group may
   change: those of the copier (or of the directory) would let someone
   in that the finished copy keeps out.  cowcp withholds only such bits:
   while it is made, a file or directory is its maker's, and anyone else
   gets its group or other bits; once its owner is given, its owner,
   group or other bits, any of the three.  Bits every class has (r-x in
   0755, r in 0644) let nobody in early, so only the group and other
   bits beyond them are withheld, with a directory's write bits as
   above; none from a regular file made with its final owner and group
   (OWNER_FINAL, copy_meta_owner_final).  In a directory with a default
   ACL (ACL_INHERITED), the new entry's named users and groups get what
   its group bits allow: all of those are withheld, as GNU does.  Each
   bit not withheld is a chmod saved (a tenth of the system calls of a
   tree copied as root with its users' files) and the result is GNU's
   (tests/cowcp/perms.bats).  Special files are made as GNU makes
   them.  */
static mode_t
withheld_bits (struct meta_policy const *opt, mode_t src_mode,
               enum dst_kind kind, bool owner_final, bool acl_inherited)
{
  if (opt->private_dest)
    return 0;
  mode_t dir_write = kind == DST_DIR ? S_IWGRP | S_IWOTH : 0;
  if (!opt->preserve_ownership)
    return src_mode & dir_write;
  if (kind == DST_SPECIAL || acl_inherited)
    return src_mode & (S_IRWXG | S_IRWXO);
  if (kind == DST_FILE && owner_final)
    return 0;
  mode_t common = (src_mode >> 6) & (src_mode >> 3) & src_mode & 07;
  return src_mode & (((S_IRWXG | S_IRWXO) & ~(common << 3 | common))
                     | dir_write);
}

/* Return true if a new regular file from SRC_MODE was made with owner
   write permission it is not to keep, so that an unprivileged user can
   set its extended attributes (the kernel asks for write permission on
   the inode for user.* attributes), as GNU cp does.  */
static bool
write_added (struct meta_policy const *opt, mode_t src_mode)
{
  return (opt->preserve_xattr && !opt->chown_privileges
          && !(src_mode & S_IWUSR));
}

/* Give the destination of RQ (of KIND) the source's owner and group.
   When that is not permitted and is not an error (not root), keep what
   can be kept quietly as cp does: the group alone, except on a symlink.
   Return 1 when done, 0 when not done (then the set-ID and sticky bits
   are not to be given), -1 after reporting an error.  */
static int
set_owner (struct meta_policy const *opt, struct meta_request const *rq,
           enum dst_kind kind)
{
  uid_t uid = rq->src_st->st_uid;
  gid_t gid = rq->src_st->st_gid;
  if (dst_chown (rq, uid, gid) == 0)
    return 1;
  int err = errno;
  if ((err == EPERM || err == EINVAL) && kind != DST_SYMLINK)
    ignore_value (dst_chown (rq, -1, gid));
  if ((err == EPERM || err == EINVAL) && !opt->chown_privileges)
    return 0;
  diag_error (err, _("failed to preserve ownership for %s"),
              quoteaf (rq->dst_name));
  return opt->require_preserve ? -1 : 0;
}

/* Set RQ's destination's access ACL to one made of MODE's permission
   bits alone: the kernel then sets those bits, drops any other ACL
   entries (inherited from the directory, or the file's own) and leaves
   the set-ID and sticky bits the file has, as gnulib's set_permissions
   does for GNU cp.  Where there are no ACLs, chmod MODE.  Return 0 or
   -1 with errno.  */
static int
set_acl_from_mode (struct meta_request const *rq, mode_t mode)
{
#if USE_ACL
  acl_t acl = acl_from_mode (mode);
  if (!acl)
    return -1;
  int r = (0 <= rq->dst_fd
           ? acl_set_fd (rq->dst_fd, acl)
           : acl_set_file (rq->dst_path, ACL_TYPE_ACCESS, acl));
  int err = errno;
  acl_free (acl);
  errno = err;
  if (r == 0 || !unsupported (err))
    return r;
#endif
  return dst_chmod (rq, mode);
}

/* Give the destination of RQ (of KIND) the mode MODE and no ACL of its
   own, as gnulib's set_permissions does on GNU/Linux for GNU cp 9.1:
   set-ID and sticky bits of MODE are set with chmod; an ACL made of MODE
   replaces the access ACL the destination may have (MAYBE_ACL: it is
   not new, or it inherited one); when MODE has no special bits, those
   the destination has stay (a directory keeps the set-group-ID bit it
   inherited).  A new regular file without an ACL needs a chmod, and
   only when its mode differs (a directory's ACL is set even then: a
   chmod would clear the set-group-ID bit it inherited).  Return 0 or -1
   with errno.  */
static int
set_plain_mode (struct meta_request const *rq, enum dst_kind kind,
                mode_t mode, bool maybe_acl)
{
  if (mode & SPECIAL_BITS)
    {
      if (dst_chmod (rq, mode) != 0)
        return -1;
      return maybe_acl ? set_acl_from_mode (rq, mode) : 0;
    }
  if (!maybe_acl && rq->dst_mode == mode)
    return 0;
  if (kind == DST_FILE && rq->dst_new && !maybe_acl)
    return dst_chmod (rq, mode);
  return set_acl_from_mode (rq, mode);
}

#if USE_ACL
/* Copy the ACL attribute NAME of RQ's source to its destination as it
   is (the kernel's format is the same on every filesystem).  Return 0,
   also when the source lost it after it was listed, or -1 with
   errno.  */
static int
copy_acl_xattr (struct meta_request const *rq, char const *name)
{
  char stackbuf[1024];
  char *buf = stackbuf;
  size_t bufsize = sizeof stackbuf;
  ssize_t n = get_xattr (rq, name, &buf, &bufsize, stackbuf);
  int r = (0 <= n ? dst_setxattr (rq, name, buf, n)
           : errno == ENODATA ? 0 : -1);
  int err = errno;
  if (buf != stackbuf)
    free (buf);
  errno = err;
  return r;
}
#endif

/* Give the destination of RQ (of KIND) the source's mode MODE and ACLs
   as X found them, as GNU cp 9.1 does with -p: the source's access ACL
   (its set-ID and sticky bits set first), or the mode alone, replacing
   any ACL the destination has (set_plain_mode); a directory also gets
   the source's default ACL, or loses the one it inherited or had.
   Return 0 or -1 with errno.  */
static int
copy_mode (struct meta_request const *rq, enum dst_kind kind,
           struct meta_xattrs const *x, mode_t mode)
{
  bool maybe_acl = rq->dst_acl_inherited || !rq->dst_new;
#if USE_ACL
  if (x->acl_access)
    {
      if ((mode & SPECIAL_BITS) && dst_chmod (rq, mode) != 0)
        return -1;
      if (copy_acl_xattr (rq, acl_access_name) != 0)
        {
          /* The bits at least, as cp leaves them.  */
          int err = errno;
          ignore_value (dst_chmod (rq, mode));
          errno = err;
          return -1;
        }
    }
  else if (set_plain_mode (rq, kind, mode, maybe_acl) != 0)
    return -1;
  if (kind == DST_DIR && x->acl_default)
    return copy_acl_xattr (rq, acl_default_name);
  if (kind == DST_DIR && maybe_acl
      && dst_removexattr (rq, acl_default_name) != 0
      && errno != ENODATA && !unsupported (errno))
    return -1;
  return 0;
#else
  (void) x;
  return set_plain_mode (rq, kind, mode, maybe_acl);
#endif
}

/* Without a mode to preserve, give the new destination of RQ (of KIND)
   the permission bits withheld when it was made, less the umask, as
   GNU cp does: a regular file, the source's bits less the umask (also
   when owner write permission was added, write_added); a directory or
   special file, its bits as they are now (the set-group-ID bit a
   directory inherited, or what an inherited ACL made of them) plus the
   withheld ones.  copy-tree makes a directory searchable and writable
   for its owner from the start, where GNU cp adds that after mkdir when
   it lacks it and takes it back at the end: the owner bits mkdir would
   have given are put back.  Return 0 or -1 with errno.  */
static int
restore_withheld (struct meta_policy const *opt,
                  struct meta_request const *rq, enum dst_kind kind)
{
  mode_t src_mode = rq->src_st->st_mode;
  mode_t back = (withheld_bits (opt, src_mode, kind, rq->owner_final,
                               rq->interim_acl)
                & ~opt->umask);
  if (kind == DST_FILE)
    {
      mode_t want = src_mode & S_IRWXUGO & ~opt->umask;
      return back || write_added (opt, src_mode) ? dst_chmod (rq, want) : 0;
    }
  mode_t owner = (src_mode & S_IRWXU
                  & ~(rq->dst_acl_inherited ? 0 : opt->umask));
  bool restore = kind == DST_DIR && owner != S_IRWXU;
  if (!back && !restore)
    return 0;
  struct stat st;
  if (dst_stat (rq, &st) != 0)
    return -1;
  mode_t now = st.st_mode & CHMOD_MODE_BITS;
  mode_t made = kind == DST_DIR ? (now & ~S_IRWXU) | owner : now;
  if (!restore && !(back & ~made))
    return 0;
  return (made | back) == now ? 0 : dst_chmod (rq, made | back);
}

/* Step 3 of apply: the mode and ACLs of the destination of RQ (of
   KIND), from MODE, the source's, and X, what its attribute list
   showed.  Report as GNU cp does; return false on an error.  */
static bool
set_mode (struct meta_policy const *opt, struct meta_request const *rq,
          enum dst_kind kind, struct meta_xattrs const *x, mode_t mode)
{
  if (opt->preserve_mode)
    {
      if (copy_mode (rq, kind, x, mode) == 0)
        return true;
      diag_error (errno, _("preserving permissions for %s"),
                  quoteaf (rq->dst_name));
      return !opt->require_preserve;
    }
  if (!rq->dst_new)
    return true;
  if (opt->explicit_no_preserve_mode)
    {
      /* What a new file gets, exactly (ACL entries it inherited go; a
         default ACL stays): cp's set_acl.  */
      mode_t perms = (kind == DST_DIR || S_ISSOCK (rq->src_st->st_mode)
                      ? S_IRWXUGO
                      : S_IRUSR | S_IWUSR | S_IRGRP | S_IWGRP
                        | S_IROTH | S_IWOTH);
      if (set_plain_mode (rq, kind, perms & ~opt->umask,
                          rq->dst_acl_inherited) == 0)
        return true;
      diag_error (errno, _("setting permissions for %s"),
                  quoteaf (rq->dst_name));
      return false;
    }
  if (restore_withheld (opt, rq, kind) == 0)
    return true;
  diag_error (errno, _("preserving permissions for %s"),
              quoteaf (rq->dst_name));
  return !opt->require_preserve;
}

/* Step 1 of apply: give the destination of RQ (of KIND) the source's
   owner and group, as GNU cp does: always when it is new (a new file's
   group is its directory's in a set-group-ID directory, whatever the
   user's ids), when it existed only if its ids differ.  An existing
   destination whose mode is also to be set first loses the permissions
   that neither its old nor its new mode grant, so that the new owner
   and group never get the old ones.  When the owner cannot be given,
   clear the set-ID and sticky bits from *MODE.  Return false after
   an error that stops the copy of this file's metadata.  */
static bool
preserve_owner (struct meta_policy const *opt,
                struct meta_request const *rq, enum dst_kind kind,
                mode_t *mode)
{
  if (!rq->dst_new && kind != DST_SYMLINK)
    {
      struct stat st;
      struct stat const *dst = rq->dst_st;
      if (!dst && dst_stat (rq, &st) == 0)
        dst = &st;
      if (dst && dst->st_uid == rq->src_st->st_uid
          && dst->st_gid == rq->src_st->st_gid)
        return true;
      if (dst && opt->preserve_mode
          && set_plain_mode (rq, kind, dst->st_mode & *mode & S_IRWXU,
                             true) != 0)
        {
          if (!((errno == EPERM || errno == EINVAL)
                && !opt->chown_privileges))
            diag_error (errno, _("clearing permissions for %s"),
                        quoteaf (rq->dst_name));
          *mode &= ~SPECIAL_BITS;
          return !opt->require_preserve;
        }
    }
  /* A new file (or directory, or symlink) made with the right owner and
     group: a chown would change nothing, as it has no set-ID bits yet
     and a directory keeps its set-group-ID bit.  */
  if (rq->dst_new && rq->owner_final && kind != DST_SPECIAL)
    return true;
  int r = set_owner (opt, rq, kind);
  if (r == 0)
    *mode &= ~SPECIAL_BITS;
  return 0 <= r;
}

#if USE_XATTR
/* Copy the extended attributes X listed for RQ's source, except those
   libattr's rules (/etc/xattr.conf) exclude and the ACLs, which
   copy_mode handles: one read and one write per attribute.  Report as
   GNU cp does through libattr: every failure when the attributes were
   asked for by name (or are all that is copied), none under -a, the
   others otherwise, with "not supported" gathered into one message.
   Return false on a failure that is an error.  */
static bool
copy_xattrs (struct meta_policy const *opt, struct meta_request const *rq,
             struct meta_xattrs const *x)
{
  bool all = opt->require_preserve_xattr || !opt->data_copy_required;
  bool quiet = opt->reduce_diagnostics && !opt->require_preserve_xattr;
  bool failed = false, unsupported_set = false;
  char stackbuf[4096];
  char *buf = stackbuf;
  size_t bufsize = sizeof stackbuf;
  for (char const *name = x->names; name < x->names + x->size;
       name += strlen (name) + 1)
    {
      if (strcmp (name, acl_access_name) == 0
          || strcmp (name, acl_default_name) == 0
          || !attr_copy_check_permissions (name, NULL))
        continue;
      ssize_t n = get_xattr (rq, name, &buf, &bufsize, stackbuf);
      if (n < 0)
        {
          if (errno == ENODATA)
            continue;               /* removed since it was listed */
          failed = true;
          if (!quiet && (all || !unsupported (errno)))
            diag_error (errno, _("getting attribute %s of %s"),
                        quoteaf_n (0, name), quoteaf_n (1, rq->src_name));
          continue;
        }
      if (dst_setxattr (rq, name, buf, n) != 0)
        {
          failed = true;
          if (unsupported (errno))
            unsupported_set = true;
          else if (!quiet)
            diag_error (errno, _("setting attribute %s for %s"),
                        quoteaf_n (0, name), quoteaf_n (1, rq->dst_name));
        }
    }
  if (unsupported_set && !quiet && all)
    diag_error (ENOTSUP, _("setting attributes for %s"),
                quoteaf (rq->dst_name));
  if (buf != stackbuf)
    free (buf);
  return !failed || !opt->require_preserve_xattr;
}
#endif

/* The inode flags --preserve=flags carries: those chattr sets on a
   file of one's own (FS_FL_USER_MODIFIABLE: secure deletion,
   undeletable, compression, synchronous updates, immutable,
   append-only, no dump, no atime update, no tail merging, synchronous
   directory updates, top of a directory hierarchy), and NOCOW, no
   compression and project inheritance, which btrfs, ext4 and XFS take
   from chattr too but that mask predates.  Not DAX, case folding or
   data journalling: they change how a file is stored or its names
   looked up, and want privilege or an empty directory.  */
#define CARRIED_FLAGS (FS_FL_USER_MODIFIABLE | FS_NOCOW_FL | FS_NOCOMP_FL \
                       | FS_PROJINHERIT_FL)

/* The flags after which a file takes no other change: set last.  */
#define FINAL_FLAGS (FS_APPEND_FL | FS_IMMUTABLE_FL)

/* Return true if ERR from FS_IOC_GETFLAGS or FS_IOC_SETFLAGS means the
   filesystem has no inode flags (ENOTTY: no such ioctl, as on procfs)
   or not one of those asked for (EOPNOTSUPP: NOCOW on ext4 or XFS).  */
static bool
flags_unsupported (int err)
{
  return err == ENOTTY || unsupported (err);
}

/* The flags of RQ's destination could not be carried (ERR): report it
   as copy_xattrs reports an attribute -- always when the flags were
   asked for by name or are all that is copied, never under -a, else
   unless the filesystem cannot have them.  Return false if it is an
   error.  */
static bool
flags_failed (struct meta_policy const *opt, struct meta_request const *rq,
              int err)
{
  bool all = opt->require_preserve_flags || !opt->data_copy_required;
  bool quiet = opt->reduce_diagnostics && !opt->require_preserve_flags;
  if (!quiet && (all || !flags_unsupported (err)))
    diag_error (err, _("cannot preserve flags of %s"),
                quoteaf (rq->dst_name));
  return !opt->require_preserve_flags;
}

/* Read the flags of FD into *FLAGS; a file whose filesystem has none
   has none.  Return 0, or -1 with errno.  */
static int
get_flags (int fd, int *flags)
{
  *flags = 0;
  return (ioctl (fd, FS_IOC_GETFLAGS, flags) == 0
          || flags_unsupported (errno)) ? 0 : -1;
}

/* Read the flags of RQ's source (the carried ones) and destination
   into F.  A source known only by name is opened for it.  Return 0, or
   -1 with errno; -2 with errno when that source could not be opened.  */
static int
read_flags (struct meta_request const *rq, struct meta_flags *f)
{
  int src_fd = rq->src_fd;
  if (src_fd < 0)
    src_fd = open (rq->src_name, (O_RDONLY | O_NOFOLLOW | O_NONBLOCK
                                  | O_NOCTTY | O_CLOEXEC));
  if (src_fd < 0)
    return -2;
  int r = get_flags (src_fd, &f->src);
  int err = errno;
  if (src_fd != rq->src_fd)
    close (src_fd);
  errno = err;
  if (r != 0 || get_flags (rq->dst_fd, &f->dst) != 0)
    return -1;
  f->src &= CARRIED_FLAGS;
  f->known = true;
  return 0;
}

/* Give RQ's destination the source's flags of MASK as F knows them,
   keeping the others it has; nothing when they are there already.  A
   filesystem that refuses one of them refuses them all (EOPNOTSUPP:
   NOCOW from btrfs onto ext4): then carry what it takes, one flag at a
   time, append-only and immutable last, and still fail.  Return 0, or
   -1 with errno.  */
static int
set_flags (struct meta_request const *rq, struct meta_flags *f, int mask)
{
  int want = (f->dst & ~mask) | (f->src & mask);
  if (want == f->dst)
    return 0;
  if (ioctl (rq->dst_fd, FS_IOC_SETFLAGS, &want) == 0)
    {
      f->dst = want;
      return 0;
    }
  int err = errno;
  if (flags_unsupported (err))
    for (int final = 0; final < 2; final++)
      for (unsigned int bit = 1; bit != 0; bit <<= 1)
        if (((want ^ f->dst) & bit)
            && !(bit & FINAL_FLAGS) == !final)
          {
            int one = f->dst ^ bit;
            if (ioctl (rq->dst_fd, FS_IOC_SETFLAGS, &one) == 0)
              f->dst = one;
          }
  errno = err;
  return -1;
}

/* Set the flags of a regular file's copy before its data; see
   copy-meta.h.  */
void
copy_meta_flags_early (struct meta_policy const *opt,
                       struct meta_request const *rq,
                       struct meta_flags *flags)
{
  if (opt->preserve_flags && !flags->none
      && (flags->known || read_flags (rq, flags) == 0))
    ignore_value (set_flags (rq, flags, CARRIED_FLAGS & ~FINAL_FLAGS));
}

/* Step 5 of apply: give the destination of RQ, a regular file or a
   directory, the source's flags, append-only and immutable included:
   what copy_meta_flags_early could not set and the rest, or all of
   them for a directory (whose children are in place by now).  Return
   false if a failure is an error.  */
static bool
finish_flags (struct meta_policy const *opt, struct meta_request const *rq)
{
  struct meta_flags own = { 0 };
  struct meta_flags *f = rq->flags ? rq->flags : &own;
  if (f->none)
    return true;
  int r = f->known ? 0 : read_flags (rq, f);
  if (r == 0 && set_flags (rq, f, CARRIED_FLAGS) == 0)
    return true;
  /* A directory its reader may not open is known only by name; that it
     could not be read is said already ("cannot access"), and GNU reads
     the rest of its metadata by name.  Its flags need it open: unless
     they were asked for by name, there is nothing more to say.  */
  if (r == -2 && (errno == EACCES || errno == EPERM)
      && !opt->require_preserve_flags)
    return true;
  return flags_failed (opt, rq, errno);
}

/* Link to a copy made append-only or immutable; see copy-meta.h.  */
int
copy_meta_link_final (char const *target, int dirfd, char const *name)
{
  int fd = open (target, (O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY
                          | O_CLOEXEC));
  if (fd < 0)
    {
      errno = EPERM;
      return -1;
    }
  int flags, r = -1, err = EPERM;
  if (ioctl (fd, FS_IOC_GETFLAGS, &flags) == 0 && (flags & FINAL_FLAGS))
    {
      int open_flags = flags & ~FINAL_FLAGS;
      if (ioctl (fd, FS_IOC_SETFLAGS, &open_flags) == 0)
        {
          r = linkat (AT_FDCWD, target, dirfd, name, 0);
          err = errno;
          ignore_value (ioctl (fd, FS_IOC_SETFLAGS, &flags));
        }
    }
  close (fd);
  errno = err;
  return r;
}

/* Set the timestamps of RQ's destination to the source's, to the
   nanosecond.  Return 0 or -1 with errno.  */
static int
copy_times (struct meta_request const *rq)
{
  struct timespec ts[2] = { rq->src_st->st_atim, rq->src_st->st_mtim };
  return (0 <= rq->dst_fd
          ? futimens (rq->dst_fd, ts)
          : utimensat (rq->dst_dirfd, rq->dst_relname, ts,
                       AT_SYMLINK_NOFOLLOW));
}

/* Apply the metadata of RQ to its destination, of KIND; see
   copy_meta_apply in copy-meta.h.  */
static bool
apply (struct meta_policy const *opt, struct meta_request const *rq,
       enum dst_kind kind)
{
  bool ok = true;
  mode_t mode = rq->src_st->st_mode & CHMOD_MODE_BITS;
  struct meta_xattrs x = { .size = -1 };
  char namebuf[4096];
  bool xattrs_failed = false;

  /* 1. Owner first: a chown clears set-user-ID bits and capabilities.  */
  if (opt->preserve_ownership && !preserve_owner (opt, rq, kind, &mode))
    return false;

  /* 2. Extended attributes, listed once: an empty list also says there
     is no ACL to copy.  A new file made writable for them (write_added)
     that the umask left read-only is made writable for a moment.  */
  if (opt->preserve_xattr || (opt->preserve_mode && kind != DST_SYMLINK))
    list_xattrs (rq, &x, namebuf, sizeof namebuf);
#if USE_XATTR
  if (opt->preserve_xattr && x.other)
    {
      if (kind == DST_FILE && rq->dst_new && !rq->dst_acl_inherited
          && (opt->umask & S_IWUSR)
          && write_added (opt, rq->src_st->st_mode))
        ignore_value (dst_chmod (rq, rq->dst_mode | S_IWUSR));
      xattrs_failed = !copy_xattrs (opt, rq, &x);
      ok &= !xattrs_failed;
    }
#endif

  /* 3. Permission bits and ACLs.  Not for a directory or special file
     whose attributes, asked for by name, could not all be copied: GNU
     cp stops there (copy_internal returns before the mode), and the
     directory keeps the mode it was made with, u+rwx added.  A regular
     file goes on (GNU's copy_reg).  */
  if (kind != DST_SYMLINK
      && !(xattrs_failed && (kind == DST_DIR || kind == DST_SPECIAL)))
    ok &= set_mode (opt, rq, kind, &x, mode);
  if (x.names && x.names != namebuf)
    free (x.names);

  /* 4. Timestamps last of all.  */
  if (opt->preserve_timestamps && copy_times (rq) != 0)
    {
      diag_error (errno, _("preserving times for %s"),
                  quoteaf (rq->dst_name));
      ok &= !opt->require_preserve;
    }

  /* 5. Inode flags after everything else: an append-only or immutable
     file takes no more changes.  A file's come with what
     copy_meta_flags_early found.  */
  if (opt->preserve_flags
      && ((kind == DST_FILE && rq->flags) || kind == DST_DIR))
    ok &= finish_flags (opt, rq);
  return ok;
}

/* Apply the metadata of RQ; see copy-meta.h.  */
bool
copy_meta_apply (struct meta_policy const *opt,
                 struct meta_request const *rq)
{
  return apply (opt, rq, (rq->dst_fd < 0 ? DST_SYMLINK
                          : S_ISDIR (rq->src_st->st_mode) ? DST_DIR
                          : DST_FILE));
}

/* Apply the metadata of RQ to a special file; see copy-meta.h.  */
bool
copy_meta_special (struct meta_policy const *opt,
                   struct meta_request const *rq)
{
  return apply (opt, rq, DST_SPECIAL);
}

/* The mode a new file or directory is made with; see copy-meta.h.  */
mode_t
copy_meta_create_mode (struct meta_policy const *opt, mode_t src_mode,
                       bool owner_final, bool interim_acl)
{
  if (S_ISDIR (src_mode))
    return (src_mode & CHMOD_MODE_BITS
            & ~withheld_bits (opt, src_mode, DST_DIR, false, interim_acl));
  return ((src_mode & S_IRWXUGO
           & ~withheld_bits (opt, src_mode, DST_FILE, owner_final,
                             interim_acl))
          | (write_added (opt, src_mode) ? S_IWUSR : 0));
}

/* The mode mknod makes a special file with; see copy-meta.h.  */
mode_t
copy_meta_special_mode (struct meta_policy const *opt, mode_t src_mode)
{
  return (src_mode & CHMOD_MODE_BITS
          & ~withheld_bits (opt, src_mode, DST_SPECIAL, false, true));
}

/* Whether the owner is final already; see copy-meta.h.  */
bool
copy_meta_owner_final (struct meta_policy const *opt,
                       struct stat const *src_st, bool dir_setgid,
                       gid_t dir_gid)
{
  /* A directory of another group that is not set-group-ID may still
     give new files its group: on a filesystem mounted with grpid
     (bsdgroups), which nothing but /proc tells; so then it is not known.  */
  return (opt->preserve_ownership && src_st->st_uid == opt->euid
          && (dir_setgid ? src_st->st_gid == dir_gid
              : src_st->st_gid == opt->egid && dir_gid == opt->egid));
}
