/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-data.c -- the data ladder: share extents, else copy bytes.  */

#include "system.h"

#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>

#include "copy-data.h"
#include "diag.h"
#include "ignore-value.h"
#include "intprops.h"
#include "progress.h"

/* Ranges are cloned (where a whole-file clone cannot be used) and
   copied in chunks of at most this size, so that a signal stops the copy
   between two chunks.  A multiple of every filesystem block size, as
   FICLONERANGE wants.  A whole-file clone is never split, whatever the
   size: one FICLONE is one point in time of a file being written, as
   atomic as the kernel makes it, where chunks would tear it.  */
enum { CHUNK = 256 * 1024 * 1024 };

/* The read/write rung's buffer: at least 256 KiB, as GNU cp 9.5 found
   best on current hardware.  */
enum { RW_BUFSIZE = 256 * 1024 };

/* The size unit of st_blocks.  */
enum { ST_NBLOCKSIZE = 512 };

enum rung_status
{
  RUNG_DONE,          /* the span was copied (or EOF was reached) */
  RUNG_NOTSUP,        /* nothing written; try the next rung */
  RUNG_ERROR          /* failed; errno set */
};

/* What failed, for the message.  */
enum failure
{
  FAIL_CLONE,         /* failed to clone DST from SRC */
  FAIL_COPY,          /* error copying SRC to DST */
  FAIL_READ,          /* error reading SRC */
  FAIL_WRITE,         /* error writing DST */
  FAIL_SEEK,          /* cannot lseek SRC */
  FAIL_EXTEND         /* failed to extend DST */
};

/* State of one copy_data call, shared by the rungs.  */
struct ladder
{
  struct data_request const *rq;
  struct data_result *res;
  enum failure failure;     /* set with RUNG_ERROR */
  bool make_holes;          /* the rw rung skips zero blocks */
  unsigned int usable;      /* rungs that may be tried (1 << RUNG_x) */
  size_t hole_size;         /* granularity of zero-block detection */
  char *buf;                /* rw buffer, allocated on first use */
  off_t src_pos;            /* file offsets of the descriptors, as far */
  off_t dst_pos;            /* as the rungs that use them know */
  off_t end;                /* furthest destination offset reached */
  off_t data_end;           /* end of the last bytes actually written */
  int clone_errno;          /* why the last clone was not possible */
};

/* A range of the source to copy to the same offset of the destination.
   LEN is the most to copy; a rung that meets the source's end first sets
   EOF_SEEN.  */
struct span
{
  struct ladder *lad;
  off_t off;
  off_t len;
  off_t copied;             /* out: bytes done */
  bool eof_seen;            /* out: the source ended inside the span */
};

/* Return true if ERR from FICLONE or FICLONERANGE means "cloning is not
   possible here" rather than a failure of this file.  As in GNU cp 9.3,
   every error but the four that would fail any other method too is taken
   to mean the clone is not possible; the usual ones are listed.  */
static bool
clone_unsupported (int err)
{
  switch (err)
    {
    case EIO:                 /* the device failed */
    case ENOMEM:              /* the kernel is out of memory */
    case ENOSPC:              /* no room for the new extent references */
    case EDQUOT:              /* over quota */
      return false;
    case EOPNOTSUPP:          /* the filesystem cannot clone */
    case ENOTTY:              /* the filesystem has no such ioctl */
    case ENOSYS:              /* neither has the kernel */
    case EXDEV:               /* source and destination on other mounts */
    case EINVAL:              /* unaligned range, special or inline file */
    case EBADF:               /* destination opened for append */
    case ETXTBSY:             /* a swap file */
    case EPERM:               /* a container's seccomp filter, or an */
    case EACCES:              /* LSM denying the ioctl (GNU cp 9.3) */
    default:
      return true;
    }
}

/* Return true if ERR from copy_file_range, before any byte was copied,
   means "not possible here".  */
static bool
cfr_unsupported (int err)
{
  switch (err)
    {
    case ENOSYS:              /* kernel older than 4.5, or seccomp */
    case ENOTTY:              /* some FUSE servers */
    case EOPNOTSUPP:          /* the filesystem refuses */
#if ENOTSUP != EOPNOTSUPP
    case ENOTSUP:
#endif
    case EXDEV:               /* across filesystems (kernels before 5.3, */
                              /* and 5.19+ between different types) */
    case EINVAL:              /* special files, overlapping ranges */
    case EBADF:               /* destination opened for append */
    case ETXTBSY:             /* a swap file */
    case EPERM:               /* seccomp filters in some containers */
    case EACCES:              /* LSMs */
    case ENOENT:              /* CIFS servers without the copychunk call */
    case ESPIPE:              /* a pipe */
      return true;
    default:
      return false;
    }
}

/* Return true if ERR from sendfile means "not possible here".  */
static bool
sendfile_unsupported (int err)
{
  switch (err)
    {
    case ENOSYS:              /* no sendfile in this kernel */
    case EINVAL:              /* the source cannot be spliced */
    case EOPNOTSUPP:
#if ENOTSUP != EOPNOTSUPP
    case ENOTSUP:
#endif
    case EBADF:               /* destination opened for append */
    case ESPIPE:              /* a pipe cannot take an offset */
      return true;
    default:
      return false;
    }
}

/* Return true if NOTSUP error ERR is a property of the filesystem pair,
   so that the rung is not worth trying again for that pair.  */
static bool
pair_property (int err)
{
  return err == ENOSYS || err == EOPNOTSUPP || err == ENOTSUP
         || err == EXDEV || err == ENOTTY;
}

/* Return the entry of LS for SRC_DEV -> DST_DEV, creating it (and
   forgetting the oldest entry when full) if needed.  */
static struct ladder_pair *
pair_entry (struct ladder_state *ls, dev_t src_dev, dev_t dst_dev)
{
  for (int i = 0; i < ls->n_pairs; i++)
    if (ls->pair[i].src_dev == src_dev && ls->pair[i].dst_dev == dst_dev)
      return &ls->pair[i];
  struct ladder_pair *p;
  if (ls->n_pairs < LADDER_PAIRS)
    p = &ls->pair[ls->n_pairs++];
  else
    {
      p = &ls->pair[ls->next_victim];
      ls->next_victim = (ls->next_victim + 1) % LADDER_PAIRS;
    }
  p->src_dev = src_dev;
  p->dst_dev = dst_dev;
  p->skip = 0;
  p->clone_errno = EOPNOTSUPP;
  return p;
}

/* Return true if buffer P of N bytes holds only zeros.  */
static bool
is_zero (char const *p, size_t n)
{
  return n == 0 || (p[0] == 0 && memcmp (p, p + 1, n - 1) == 0);
}

/* Note that the copy now reaches offset POS of the destination, with
   data written up to there if DATA, else with a hole at the end.  */
static void
reach (struct ladder *lad, off_t pos, bool data)
{
  if (lad->end < pos)
    lad->end = pos;
  if (data && lad->data_end < pos)
    lad->data_end = pos;
}

/* Return true, noting it in the result, if the run has been told to
   stop (a signal arrived).  */
static bool
interrupted (struct ladder *lad)
{
  if (lad->rq->stop && *lad->rq->stop)
    lad->res->interrupted = true;
  return lad->res->interrupted;
}

#if HAVE_DECL_FICLONE
/* btrfs refuses to clone between a file with FS_NOCOW_FL (chattr +C)
   and one without (EINVAL: the two would disagree about checksums;
   btrfs_remap_file_range_prep, Linux 4.x to 6.18), and it takes the flag
   only while a file is empty.  The destination of LAD has just been
   refused a clone with EINVAL: if it may be changed (new, or empty
   before the copy) and its NOCOW flag differs from the source's, give
   it the source's and store the flags it had in *OLD.  Return true when
   the flag was changed, so that the clone is worth trying once more.
   Costs nothing where clones succeed or are refused for another reason
   (XFS and ext4 say EOPNOTSUPP or EXDEV, not EINVAL).  */
static bool
match_nocow (struct ladder const *lad, int *old)
{
  int src_flags, dst_flags;
  if (!lad->rq->dst_flags_ok
      || ioctl (lad->rq->src_fd, FS_IOC_GETFLAGS, &src_flags) != 0
      || ioctl (lad->rq->dst_fd, FS_IOC_GETFLAGS, old) != 0
      || !((src_flags ^ *old) & FS_NOCOW_FL))
    return false;
  dst_flags = (*old & ~FS_NOCOW_FL) | (src_flags & FS_NOCOW_FL);
  return ioctl (lad->rq->dst_fd, FS_IOC_SETFLAGS, &dst_flags) == 0;
}

/* FICLONE the source of LAD into its destination; where btrfs refuses
   only because of the NOCOW flag (match_nocow), match the flag and try
   again, putting the flag back if that fails too, so that the bytes
   copied instead land in a file with the flag its directory gave it.
   Return 0, or -1 with errno set by the (last) clone.  */
static int
clone_whole (struct ladder const *lad)
{
  int dst_fd = lad->rq->dst_fd, src_fd = lad->rq->src_fd, old;
  if (ioctl (dst_fd, FICLONE, src_fd) == 0)
    return 0;
  if (errno != EINVAL)
    return -1;
  if (!match_nocow (lad, &old))
    {
      errno = EINVAL;
      return -1;
    }
  if (ioctl (dst_fd, FICLONE, src_fd) == 0)
    return 0;
  int err = errno;
  ignore_value (ioctl (dst_fd, FS_IOC_SETFLAGS, &old));
  errno = err;
  return -1;
}
#endif

/* Rung 1: clone the whole source into the empty destination with
   FICLONE.  SP is unused but for the ladder.  */
static enum rung_status
rung_ficlone (struct span *sp)
{
#if HAVE_DECL_FICLONE
  struct ladder *lad = sp->lad;
  if (clone_whole (lad) == 0)
    {
      sp->copied = lad->rq->src_st->st_size;
      sp->eof_seen = true;
      progress_bytes (lad->rq->progress, true, sp->copied);
      reach (lad, sp->copied, true);
      return RUNG_DONE;
    }
  if (clone_unsupported (errno))
    {
      lad->clone_errno = errno;
      return RUNG_NOTSUP;
    }
  lad->failure = FAIL_CLONE;
  return RUNG_ERROR;
#else
  (void) sp;
  errno = ENOTSUP;
  return RUNG_NOTSUP;
#endif
}

/* Rung 2: clone the range of SP with FICLONERANGE.  The range must be
   block aligned except where it ends at the source's end; SEEK_DATA
   extents and CHUNK multiples are.  */
static enum rung_status
rung_ficlonerange (struct span *sp)
{
#if HAVE_DECL_FICLONERANGE
  struct ladder *lad = sp->lad;
  off_t size = lad->rq->src_st->st_size;
  /* Only a regular file with data at SP has a range to clone; a procfs
     file claims to be empty and must be read.  */
  if (!S_ISREG (lad->rq->src_st->st_mode) || size <= sp->off)
    {
      errno = lad->clone_errno;
      return RUNG_NOTSUP;
    }
  off_t len = sp->len;
  if (size - sp->off <= len)
    {
      len = size - sp->off;
      sp->eof_seen = true;
    }
  struct file_clone_range r = {
    .src_fd = lad->rq->src_fd,
    .src_offset = sp->off,
    .src_length = len,
    .dest_offset = sp->off
  };
  if (ioctl (lad->rq->dst_fd, FICLONERANGE, &r) == 0)
    {
      sp->copied = len;
      progress_bytes (lad->rq->progress, true, len);
      reach (lad, sp->off + len, true);
      return RUNG_DONE;
    }
  if (clone_unsupported (errno))
    {
      lad->clone_errno = errno;
      return RUNG_NOTSUP;
    }
  lad->failure = FAIL_CLONE;
  return RUNG_ERROR;
#else
  (void) sp;
  errno = ENOTSUP;
  return RUNG_NOTSUP;
#endif
}

/* Rung 3: copy the range of SP with copy_file_range, which the kernel
   may turn into a clone or a server-side copy.  */
static enum rung_status
rung_cfr (struct span *sp)
{
#if HAVE_COPY_FILE_RANGE
  struct ladder *lad = sp->lad;
  off_t in = sp->off, out = sp->off;
  while (sp->copied < sp->len)
    {
      ssize_t n = copy_file_range (lad->rq->src_fd, &in, lad->rq->dst_fd,
                                   &out, sp->len - sp->copied, 0);
      if (n < 0)
        {
          if (errno == EINTR && !interrupted (lad))
            continue;
          if (sp->copied == 0 && lad->res->bytes == 0
              && cfr_unsupported (errno))
            return RUNG_NOTSUP;
          lad->failure = FAIL_COPY;
          return RUNG_ERROR;
        }
      if (n == 0)
        {
          /* procfs and sysfs files say they are empty and copy_file_range
             believes them; so does it for some network filesystems.  Zero
             at the very start means "read it instead".  */
          if (lad->res->bytes == 0 && sp->copied == 0 && sp->off == 0)
            {
              errno = EINVAL;
              return RUNG_NOTSUP;
            }
          sp->eof_seen = true;
          break;
        }
      sp->copied += n;
      progress_bytes (lad->rq->progress, false, n);
      reach (lad, out, true);
    }
  return RUNG_DONE;
#else
  (void) sp;
  errno = ENOSYS;
  return RUNG_NOTSUP;
#endif
}

/* Position descriptor FD, whose offset is *POS as far as we know, at OFF.
   Return 0, or -1 with errno set.  */
static int
seek_to (int fd, off_t *pos, off_t off)
{
  if (*pos == off)
    return 0;
  if (lseek (fd, off, SEEK_SET) < 0)
    return -1;
  *pos = off;
  return 0;
}

/* Rung 4: copy the range of SP with sendfile, which moves the bytes
   inside the kernel without sharing them.  */
static enum rung_status
rung_sendfile (struct span *sp)
{
#if HAVE_SENDFILE
  struct ladder *lad = sp->lad;
  off_t in = sp->off;
  if (seek_to (lad->rq->dst_fd, &lad->dst_pos, sp->off) < 0)
    {
      lad->failure = FAIL_WRITE;
      return RUNG_ERROR;
    }
  while (sp->copied < sp->len)
    {
      off_t want = sp->len - sp->copied;
      /* Linux moves at most 0x7ffff000 bytes per call.  */
      ssize_t n = sendfile (lad->rq->dst_fd, lad->rq->src_fd, &in,
                            want < 0x40000000 ? want : 0x40000000);
      if (n < 0)
        {
          if (errno == EINTR && !interrupted (lad))
            continue;
          if (sp->copied == 0 && lad->res->bytes == 0
              && sendfile_unsupported (errno))
            return RUNG_NOTSUP;
          /* sendfile stands in for GNU cp's read and write: where the
             error can only be the writing's (a full disk, a quota, a
             file too big), say what GNU says.  */
          lad->failure = (errno == ENOSPC || errno == EDQUOT
                          || errno == EFBIG ? FAIL_WRITE : FAIL_COPY);
          return RUNG_ERROR;
        }
      if (n == 0)
        {
          /* As with copy_file_range: a file claiming to be empty.  */
          if (lad->res->bytes == 0 && sp->copied == 0 && sp->off == 0)
            {
              errno = EINVAL;
              return RUNG_NOTSUP;
            }
          sp->eof_seen = true;
          break;
        }
      sp->copied += n;
      progress_bytes (lad->rq->progress, false, n);
      lad->dst_pos += n;
      reach (lad, lad->dst_pos, true);
    }
  return RUNG_DONE;
#else
  (void) sp;
  errno = ENOSYS;
  return RUNG_NOTSUP;
#endif
}

/* Write N bytes of BUF to the destination at offset OFF, skipping zero
   blocks when making holes.  Return 0, or -1 with errno set.  */
static int
write_out (struct ladder *lad, char const *buf, size_t n, off_t off)
{
  size_t i = 0;
  while (i < n)
    {
      size_t run = n - i;
      if (lad->make_holes)
        {
          /* Find a maximal run of blocks that are all zero or all not.  */
          size_t blk = lad->hole_size;
          bool zero = is_zero (buf + i, run < blk ? run : blk);
          run = 0;
          while (i + run < n)
            {
              size_t b = n - i - run < blk ? n - i - run : blk;
              if (is_zero (buf + i + run, b) != zero)
                break;
              run += b;
            }
          if (zero)
            {
              i += run;
              reach (lad, off + i, false);
              continue;
            }
        }
      if (seek_to (lad->rq->dst_fd, &lad->dst_pos, off + i) < 0)
        return -1;
      size_t done = 0;
      while (done < run)
        {
          ssize_t w = write (lad->rq->dst_fd, buf + i + done, run - done);
          if (w < 0 && errno == EINTR && !interrupted (lad))
            continue;
          if (w <= 0)
            {
              if (w == 0)
                errno = ENOSPC;
              return -1;
            }
          done += w;
          lad->dst_pos += w;
        }
      i += run;
      reach (lad, off + i, true);
    }
  return 0;
}

/* Rung 5: read and write, making holes of zero blocks if asked.  */
static enum rung_status
rung_rw (struct span *sp)
{
  struct ladder *lad = sp->lad;
  if (!lad->buf)
    {
      lad->buf = malloc (RW_BUFSIZE);
      if (!lad->buf)
        {
          lad->failure = FAIL_READ;
          return RUNG_ERROR;
        }
    }
  if (seek_to (lad->rq->src_fd, &lad->src_pos, sp->off) < 0)
    {
      lad->failure = FAIL_SEEK;
      return RUNG_ERROR;
    }
  while (sp->copied < sp->len)
    {
      off_t want = sp->len - sp->copied;
      ssize_t n = read (lad->rq->src_fd, lad->buf,
                        want < RW_BUFSIZE ? want : RW_BUFSIZE);
      if (n < 0)
        {
          if (errno == EINTR && !interrupted (lad))
            continue;
          lad->failure = FAIL_READ;
          return RUNG_ERROR;
        }
      if (n == 0)
        {
          sp->eof_seen = true;
          break;
        }
      lad->src_pos += n;
      if (write_out (lad, lad->buf, n, sp->off + sp->copied) < 0)
        {
          lad->failure = FAIL_WRITE;
          return RUNG_ERROR;
        }
      sp->copied += n;
      progress_bytes (lad->rq->progress, false, n);
    }
  return RUNG_DONE;
}

typedef enum rung_status (*rung_fn) (struct span *);
static rung_fn const rungs[RUNG_COUNT] = {
  [RUNG_FICLONE] = rung_ficlone,
  [RUNG_FICLONERANGE] = rung_ficlonerange,
  [RUNG_CFR] = rung_cfr,
  [RUNG_SENDFILE] = rung_sendfile,
  [RUNG_RW] = rung_rw,
};

/* Print the diagnostic for a failure of kind F with error ERR.  */
static void
report (struct ladder const *lad, enum failure f, int err)
{
  char const *src = lad->rq->src_name, *dst = lad->rq->dst_name;
  switch (f)
    {
    case FAIL_CLONE:
      diag_error (err, _("failed to clone %s from %s"),
                  quoteaf_n (0, dst), quoteaf_n (1, src));
      break;
    case FAIL_COPY:
      diag_error (err, _("error copying %s to %s"),
                  quoteaf_n (0, src), quoteaf_n (1, dst));
      break;
    case FAIL_READ:
      diag_error (err, _("error reading %s"), quoteaf (src));
      break;
    case FAIL_WRITE:
      diag_error (err, _("error writing %s"), quoteaf (dst));
      break;
    case FAIL_SEEK:
      diag_error (err, _("cannot lseek %s"), quoteaf (src));
      break;
    case FAIL_EXTEND:
      diag_error (err, _("failed to extend %s"), quoteaf (dst));
      break;
    }
}

/* Iterator over the data extents of the source: with SEEK, the extents
   SEEK_DATA and SEEK_HOLE report, up to the size fstat gave; without,
   one extent from 0 to that size, or to wherever the source ends when
   its size says nothing (0, as procfs files claim, or not a regular
   file): a known size spares the call that would find the end.  */
struct extents
{
  int fd;
  bool seek;
  off_t pos;
  off_t size;
};

/* Store the next extent of IT in *OFF and *LEN.  Return 1, 0 at the end,
   or -1 with errno set.  */
static int
next_extent (struct extents *it, off_t *off, off_t *len)
{
  if (!it->seek)
    {
      if (it->pos != 0)
        return 0;
      *off = 0;
      *len = 0 < it->size ? it->size : TYPE_MAXIMUM (off_t);
      it->pos = -1;
      return 1;
    }
  if (it->size <= it->pos)
    return 0;
  off_t data = lseek (it->fd, it->pos, SEEK_DATA);
  if (data < 0)
    return errno == ENXIO ? 0 : -1;
  if (it->size <= data)
    return 0;
  off_t hole = lseek (it->fd, data, SEEK_HOLE);
  if (hole < 0)
    return -1;
  /* A file growing while it is copied must not make this loop endless
     (GNU cp 9.10): stop at the size seen when the copy started.  */
  if (it->size < hole)
    hole = it->size;
  *off = data;
  *len = hole - data;
  it->pos = hole;
  return 1;
}

/* Return true if ST describes a file with fewer blocks than its size
   needs, i.e. one that probably has holes.  */
static bool
probably_sparse (struct stat const *st)
{
  return S_ISREG (st->st_mode)
         && st->st_blocks < st->st_size / ST_NBLOCKSIZE;
}

/* Return the set of rungs (bit 1 << RUNG_x) that may copy the spans of
   LAD's request, less those SKIP says the device pair cannot use, and
   mark the methods the options rule out in the result.  */
static unsigned int
usable_rungs (struct ladder const *lad, unsigned int skip)
{
  struct data_request const *rq = lad->rq;
  bool clone_ok = rq->cow != COW_NEVER && rq->sparse != SPARSE_NEVER;
  /* Offload cannot look for zero blocks, and with --cow=never it might
     share extents behind our back (btrfs and XFS turn it into a clone).  */
  bool offload_ok = rq->cow == COW_AUTO && rq->sparse != SPARSE_NEVER
                    && !lad->make_holes;
  if (!offload_ok)
    lad->res->offload = DEBUG_AVOIDED;
  else if (skip & (1u << RUNG_CFR))
    lad->res->offload = DEBUG_UNSUPPORTED;
  unsigned int set = 0;
  if (clone_ok)
    set |= 1u << RUNG_FICLONERANGE;
  if (offload_ok)
    set |= 1u << RUNG_CFR;
  if (rq->cow != COW_ALWAYS)
    {
      /* sendfile cannot look for zero blocks either.  */
      if (!lad->make_holes)
        set |= 1u << RUNG_SENDFILE;
      set |= 1u << RUNG_RW;
    }
  return set & ~skip;
}

/* Return the first rung of USABLE after rung R, or RUNG_COUNT.  */
static enum rung
next_rung (unsigned int usable, enum rung r)
{
  do
    r++;
  while (r < RUNG_COUNT && !(usable & (1u << r)));
  return r;
}

/* Copy extent [OFF, OFF + LEN) (to EOF with TO_EOF) in chunks, starting
   at rung *R and going down the ladder on NOTSUP.  P records rungs that
   are unusable for the device pair.  Return true on success; set *EOF
   when the source ended early.  */
static bool
copy_extent (struct ladder *lad, struct ladder_pair *p, enum rung *r,
             off_t off, off_t len, bool *eof)
{
  struct data_request const *rq = lad->rq;
  struct data_result *res = lad->res;
  off_t done = 0;
  while (done < len && !*eof)
    {
      if (rq->stop && *rq->stop)
        {
          res->interrupted = true;
          errno = EINTR;
          return false;
        }
      struct span sp = {
        .lad = lad, .off = off + done,
        .len = len - done < CHUNK ? len - done : CHUNK
      };
      enum rung_status st;
      while ((st = rungs[*r] (&sp)) == RUNG_NOTSUP)
        {
          int err = errno;
          if (*r == RUNG_FICLONERANGE)
            {
              res->reflink = DEBUG_UNSUPPORTED;
              p->clone_errno = lad->clone_errno;
            }
          else if (*r == RUNG_CFR)
            res->offload = DEBUG_UNSUPPORTED;
          if (pair_property (err))
            p->skip |= 1u << *r;
          if (res->bytes != 0)
            {
              /* A rung that worked for the first bytes and then says it
                 cannot: treat as the error it is.  */
              lad->failure = *r <= RUNG_FICLONERANGE ? FAIL_CLONE : FAIL_COPY;
              st = RUNG_ERROR;
              break;
            }
          *r = next_rung (lad->usable, *r);
          if (*r == RUNG_COUNT)
            {
              errno = err;
              lad->failure = FAIL_CLONE;
              st = RUNG_ERROR;
              break;
            }
        }
      if (st == RUNG_ERROR)
        return false;
      if (res->rung == RUNG_NONE && sp.copied != 0)
        res->rung = *r;
      res->bytes += sp.copied;
      done += sp.copied;
      *eof = sp.eof_seen;
    }
  return true;
}

/* Copy the source of LAD extent by extent.  Return true on success.  */
static bool
copy_spans (struct ladder *lad, struct ladder_pair *p)
{
  struct data_request const *rq = lad->rq;
  struct data_result *res = lad->res;
  struct extents it = {
    .fd = rq->src_fd,
    .size = S_ISREG (rq->src_st->st_mode) ? rq->src_st->st_size : 0
  };
  bool sparse_src = probably_sparse (rq->src_st);

  /* 1. Decide how holes are found: SEEK_DATA when the source looks
     sparse and holes are kept; zero blocks when --sparse=always, or when
     a sparse-looking source cannot be sought.  A destination that is no
     regular file (a pipe, a device) cannot have holes: it is given every
     byte, holes read as zeros, as GNU cp gives it.  */
  if (rq->sparse != SPARSE_NEVER && sparse_src && rq->dst_regular)
    {
      it.seek = true;
      off_t d = lseek (rq->src_fd, 0, SEEK_DATA);
      if (d < 0 && errno != ENXIO)
        it.seek = false;
    }
  lad->make_holes = rq->dst_regular
                    && (rq->sparse == SPARSE_ALWAYS
                        || (rq->sparse == SPARSE_AUTO && sparse_src
                            && !it.seek));
  res->sparse = (it.seek
                 ? (lad->make_holes ? DETECT_SEEK_HOLE_ZEROS : DETECT_SEEK_HOLE)
                 : (lad->make_holes ? DETECT_ZEROS : DETECT_NO));
  /* Zero runs become holes in ST_NBLOCKSIZE units, as in GNU cp 9.8; the
     filesystem allocates whole blocks anyway.  */
  lad->hole_size = ST_NBLOCKSIZE;
  if (lad->make_holes)
    lad->res->offload = DEBUG_AVOIDED;

  /* 2. Copy each extent, going down the ladder only as far as needed.  */
  lad->usable = usable_rungs (lad, p->skip);
  enum rung r = next_rung (lad->usable, RUNG_FICLONE);
  if (r == RUNG_COUNT)
    {
      report (lad, FAIL_CLONE, lad->clone_errno);
      return false;
    }
  off_t off, len;
  bool eof = false;
  int more;
  while (!eof && (more = next_extent (&it, &off, &len)) > 0)
    {
      /* SEEK_DATA and SEEK_HOLE move the file offset.  */
      if (it.seek)
        lad->src_pos = -1;
      if (!copy_extent (lad, p, &r, off, len, &eof))
        {
          if (!res->interrupted)
            report (lad, lad->failure, errno);
          return false;
        }
    }
  if (more < 0)
    {
      report (lad, FAIL_SEEK, errno);
      return false;
    }

  /* 3. A hole at the end leaves the destination short: extend it, but
     never past where the source now ends.  A source whose reads ended
     early (a sysfs file claiming 4096 bytes and no blocks, a file
     truncated while it was copied) ends its copy there; one whose data
     extents ran out may have been truncated too, so ask its size again
     (only sparse files pay the call).  */
  if (it.seek && !eof)
    {
      struct stat now;
      off_t size = it.size;
      if (fstat (rq->src_fd, &now) == 0 && now.st_size < size)
        size = now.st_size;
      reach (lad, size, false);
    }
  if (lad->data_end < lad->end && ftruncate (rq->dst_fd, lad->end) < 0)
    {
      report (lad, FAIL_EXTEND, errno);
      return false;
    }
  if (r == RUNG_FICLONERANGE && res->bytes != 0)
    res->reflink = DEBUG_YES;
  else if (r == RUNG_CFR && res->bytes != 0)
    res->offload = DEBUG_YES;
  return true;
}

/* Copy the data of RQ; see copy-data.h.  */
bool
copy_data (struct data_request const *rq, struct ladder_state *ls,
           struct data_result *res)
{
  *res = (struct data_result) { .rung = RUNG_NONE };
  /* With the destination's device unknown, nothing is remembered.  */
  struct ladder_pair lone = { .clone_errno = EOPNOTSUPP };
  struct ladder_pair *p = (rq->dst_dev
                           ? pair_entry (ls, rq->src_st->st_dev, rq->dst_dev)
                           : &lone);
  struct ladder lad = { .rq = rq, .res = res,
                        .clone_errno = p->clone_errno };
  bool clone_ok = rq->cow != COW_NEVER && rq->sparse != SPARSE_NEVER;
  if (!clone_ok)
    res->reflink = DEBUG_NO;
  else if (p->skip & (1u << RUNG_FICLONE))
    res->reflink = DEBUG_UNSUPPORTED;

  /* 1. Whole-file clone: one call shares everything, holes included.  */
  if (clone_ok && S_ISREG (rq->src_st->st_mode)
      && !(p->skip & (1u << RUNG_FICLONE)))
    {
      struct span sp = { .lad = &lad };
      switch (rung_ficlone (&sp))
        {
        case RUNG_DONE:
          res->rung = RUNG_FICLONE;
          res->reflink = DEBUG_YES;
          res->bytes = sp.copied;
          return true;
        case RUNG_NOTSUP:
          res->reflink = DEBUG_UNSUPPORTED;
          p->clone_errno = lad.clone_errno;
          if (pair_property (errno))
            p->skip |= 1u << RUNG_FICLONE;
          break;
        case RUNG_ERROR:
          report (&lad, FAIL_CLONE, errno);
          return false;
        }
    }

  /* 2. Range by range, from the highest rung that may work.  */
  bool ok = copy_spans (&lad, p);
  free (lad.buf);
  return ok;
}

/* Return the name of rung R.  */
char const *
copy_data_rung_name (enum rung r)
{
  static char const *const names[RUNG_COUNT] = {
    [RUNG_NONE] = "none",
    [RUNG_FICLONE] = "FICLONE",
    [RUNG_FICLONERANGE] = "FICLONERANGE",
    [RUNG_CFR] = "copy_file_range",
    [RUNG_SENDFILE] = "sendfile",
    [RUNG_RW] = "read/write",
  };
  return names[r];
}

/* Return GNU cp's --debug word for V.  */
char const *
copy_data_debug_word (enum debug_val v)
{
  switch (v)
    {
    case DEBUG_NO:
      return "no";
    case DEBUG_YES:
      return "yes";
    case DEBUG_AVOIDED:
      return "avoided";
    case DEBUG_UNSUPPORTED:
      return "unsupported";
    default:
      return "unknown";
    }
}

/* Return GNU cp's --debug words for D.  */
char const *
copy_data_sparse_word (enum sparse_detect d)
{
  switch (d)
    {
    case DETECT_NO:
      return "no";
    case DETECT_ZEROS:
      return "zeros";
    case DETECT_SEEK_HOLE:
      return "SEEK_HOLE";
    case DETECT_SEEK_HOLE_ZEROS:
      return "SEEK_HOLE + zeros";
    default:
      return "unknown";
    }
}
