/* SPDX-License-Identifier: GPL-3.0-or-later */
/* snap-extents.c -- FIEMAP for cowsnap: the space a file alone holds,
   and extent-aware comparison of two files.  */

#include "system.h"

#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/statfs.h>
#include <linux/btrfs.h>

#include "intprops.h"
#include "minmax.h"
#include "snap-extents.h"
#include "xalloc.h"

/* Extents asked of FIEMAP per call: a huge, fragmented file is mapped a
   batch at a time, so memory stays bounded whatever its size.  */
enum { FIEMAP_BATCH = 512 };

/* Bytes read from each file per pread when comparing.  A multiple of
   SNAP_DIFF_BLOCK.  */
enum { READ_CHUNK = 256 * 1024 };

/* Extent flags under which fe_physical does not name the extent's bytes
   one for one, so that equal physical addresses prove nothing:
   unwritten (reads as zeros whatever the blocks hold: compared as a
   hole instead), delayed or
   unknown (no place yet), encoded (compressed: btrfs reports the start
   of the compressed extent for every piece of it), encrypted, inline or
   tail-packed (kept in metadata), not aligned.  */
#define UNFIT_FLAGS \
  (FIEMAP_EXTENT_UNKNOWN | FIEMAP_EXTENT_DELALLOC | FIEMAP_EXTENT_ENCODED \
   | FIEMAP_EXTENT_DATA_ENCRYPTED | FIEMAP_EXTENT_NOT_ALIGNED \
   | FIEMAP_EXTENT_DATA_INLINE | FIEMAP_EXTENT_DATA_TAIL \
   | FIEMAP_EXTENT_UNWRITTEN)

/* Magic numbers (statfs f_type) of the filesystems that share extents
   between files, where equal physical addresses of two files mean the
   same bytes.  Not all are in <linux/magic.h> on every system.  */
static unsigned long const sharing_magics[] = {
  BTRFS_SUPER_MAGIC,
  0x58465342,                   /* XFS */
  0x7461636f,                   /* OCFS2 */
  0xca451a4e                    /* bcachefs */
};

/* A piece of a file's logical range, as its extent map describes it.  */
struct piece
{
  off_t start;                  /* logical start (may precede the offset
                                   it was asked for) */
  off_t end;                    /* logical end, exclusive */
  bool data;                    /* false: a hole */
  bool zeros;                   /* reads as zeros: a hole, or an unwritten
                                   (preallocated) extent */
  bool fit;                     /* PHYSICAL names these bytes one for one */
  uint64_t physical;            /* physical address of START */
};

/* How an extent map walks a file.  */
enum map_mode
{
  MAP_FIEMAP,                   /* FIEMAP batches */
  MAP_SEEK,                     /* no FIEMAP: SEEK_DATA/SEEK_HOLE */
  MAP_WHOLE                     /* neither: all of it is data */
};

/* A forward-only walk over the extents of one file, FIEMAP_BATCH
   extents at a time.  */
struct extmap
{
  int fd;
  off_t end;                    /* the walk covers [0, END) */
  enum map_mode mode;
  bool done;                    /* FIEMAP has no more batches */
  bool started;                 /* a FIEMAP call succeeded */
  off_t next;                   /* logical start of the next batch */
  unsigned int idx;             /* next extent of FM to look at */
  struct fiemap *fm;
};

/* Allocate a FIEMAP request for FIEMAP_BATCH extents.  */
static struct fiemap *
fiemap_alloc (void)
{
  return xzalloc (sizeof (struct fiemap)
                  + FIEMAP_BATCH * sizeof (struct fiemap_extent));
}

/* Ask FIEMAP for the extents of FD from START for LENGTH bytes into FM,
   flushing delayed allocation first.  Return 0 or -1 with errno.  */
static int
fiemap_batch (int fd, struct fiemap *fm, uint64_t start, uint64_t length)
{
  fm->fm_start = start;
  fm->fm_length = length;
  fm->fm_flags = FIEMAP_FLAG_SYNC;
  fm->fm_extent_count = FIEMAP_BATCH;
  fm->fm_mapped_extents = 0;
  return ioctl (fd, FS_IOC_FIEMAP, fm);
}

/* Return the logical offset after the batch in FM, or -1 when the batch
   was the last: fewer extents than asked for, the last-extent flag, or
   no progress past START.  */
static off_t
fiemap_next (struct fiemap const *fm, uint64_t start)
{
  unsigned int n = fm->fm_mapped_extents;
  if (n == 0 || n < FIEMAP_BATCH)
    return -1;
  struct fiemap_extent const *e = &fm->fm_extents[n - 1];
  uint64_t next = e->fe_logical + e->fe_length;
  if ((e->fe_flags & FIEMAP_EXTENT_LAST) || next <= start
      || TYPE_MAXIMUM (off_t) < next)
    return -1;
  return next;
}

/* Return true if ERR from FIEMAP means the file or filesystem has no
   extent map to give: ENOTTY and EOPNOTSUPP (no FIEMAP at all, e.g.
   tmpfs), EBADR (a flag, here FIEMAP_FLAG_SYNC, not supported).  */
static bool
fiemap_unsupported (int err)
{
  return err == ENOTTY || err == EOPNOTSUPP || err == ENOTSUP
         || err == EBADR || err == ENOSYS;
}

/* Start an extent map walk over [0, END) of FD.  */
static void
extmap_init (struct extmap *m, int fd, off_t end)
{
  *m = (struct extmap) { .fd = fd, .end = end, .mode = MAP_FIEMAP,
                         .fm = fiemap_alloc () };
}

/* Free what M holds.  */
static void
extmap_free (struct extmap *m)
{
  free (m->fm);
}

/* Describe in *P the piece of M's file that holds offset POS (< M->end)
   by SEEK_DATA/SEEK_HOLE: data of unknown place, or a hole.  Return 0 or
   -1 with errno.  */
static int
seek_piece (struct extmap *m, off_t pos, struct piece *p)
{
  *p = (struct piece) { .start = pos, .end = m->end, .data = true };
  if (m->mode == MAP_WHOLE)
    return 0;
  off_t d = lseek (m->fd, pos, SEEK_DATA);
  if (d < 0)
    {
      if (errno == ENXIO)
        {
          /* No data from POS on: a hole to the end.  */
          p->data = false;
          p->zeros = true;
          return 0;
        }
      if (errno != EINVAL && errno != ENOTSUP && errno != EOPNOTSUPP)
        return -1;
      m->mode = MAP_WHOLE;
      return 0;
    }
  if (pos < d)
    {
      p->data = false;
      p->zeros = true;
      p->end = MIN (d, m->end);
      return 0;
    }
  off_t h = lseek (m->fd, pos, SEEK_HOLE);
  if (h < 0)
    return -1;
  p->end = MIN (MAX (h, pos + 1), m->end);
  return 0;
}

/* Describe in *P the piece of M's file that holds offset POS (< M->end),
   after every piece before POS: an extent that covers POS, or the hole
   from POS to the next extent.  Load FIEMAP batches as needed; fall back
   to SEEK_DATA/SEEK_HOLE when the file has no FIEMAP.  Return 0 or -1
   with errno.  */
static int
extmap_piece (struct extmap *m, off_t pos, struct piece *p)
{
  while (m->mode == MAP_FIEMAP)
    {
      struct fiemap *fm = m->fm;
      for (; m->idx < fm->fm_mapped_extents; m->idx++)
        {
          struct fiemap_extent const *e = &fm->fm_extents[m->idx];
          off_t start = e->fe_logical;
          off_t end = e->fe_logical + e->fe_length;
          if (end <= pos)
            continue;
          if (pos < start)
            *p = (struct piece) { .start = pos, .end = MIN (start, m->end),
                                  .zeros = true };
          else
            *p = (struct piece) {
              .start = start, .end = MIN (end, m->end), .data = true,
              .zeros = (e->fe_flags & FIEMAP_EXTENT_UNWRITTEN) != 0,
              .fit = !(e->fe_flags & UNFIT_FLAGS),
              .physical = e->fe_physical
            };
          return 0;
        }
      if (m->done)
        {
          *p = (struct piece) { .start = pos, .end = m->end, .zeros = true };
          return 0;
        }
      off_t start = MAX (m->next, pos);
      if (fiemap_batch (m->fd, fm, start, m->end - start) != 0)
        {
          if (m->started || !fiemap_unsupported (errno))
            return -1;
          m->mode = MAP_SEEK;
          break;
        }
      m->started = true;
      m->idx = 0;
      m->next = fiemap_next (fm, start);
      m->done = m->next < 0;
    }
  return seek_piece (m, pos, p);
}

/* Fill *SPACE from FD's st_blocks, for a filesystem without FIEMAP.
   Return 0 or -1 with errno.  */
static int
space_from_blocks (int fd, struct snap_space *space)
{
  struct stat st;
  if (fstat (fd, &st) != 0)
    return -1;
  /* st_blocks counts 512-byte units on Linux whatever the block size.  */
  uintmax_t bytes = (uintmax_t) st.st_blocks * 512;
  *space = (struct snap_space) { .allocated = bytes, .exclusive = bytes };
  return 0;
}

/* See snap-extents.h.  */
int
snap_extents_space (int fd, struct snap_space *space)
{
  struct stat st;
  if (fstat (fd, &st) != 0)
    return -1;
  /* The end of the last block of the file: past it lies only
     preallocation.  */
  uintmax_t blk = 0 < st.st_blksize ? st.st_blksize : 4096;
  uintmax_t eof = ((uintmax_t) st.st_size + blk - 1) / blk * blk;
  *space = (struct snap_space) { .fiemap_used = true };
  struct fiemap *fm = fiemap_alloc ();
  uint64_t start = 0;
  int ret = 0;
  for (;;)
    {
      if (fiemap_batch (fd, fm, start, FIEMAP_MAX_OFFSET - start) != 0)
        {
          int err = errno;
          ret = (start == 0 && fiemap_unsupported (err)
                 ? space_from_blocks (fd, space) : -1);
          errno = err;
          break;
        }
      for (unsigned int i = 0; i < fm->fm_mapped_extents; i++)
        {
          struct fiemap_extent const *e = &fm->fm_extents[i];
          uintmax_t len = e->fe_length;
          uintmax_t in = (eof <= e->fe_logical ? 0
                          : MIN (len, eof - e->fe_logical));
          space->beyond_eof += len - in;
          space->allocated += in;
          if (e->fe_flags & FIEMAP_EXTENT_SHARED)
            space->shared += in;
          else
            space->exclusive += in;
        }
      space->extents += fm->fm_mapped_extents;
      off_t next = fiemap_next (fm, start);
      if (next < 0)
        break;
      start = next;
    }
  free (fm);
  return ret;
}

/* Return true if FD is on a filesystem that shares extents.  */
static bool
sharing_fs (struct statfs const *sfs)
{
  for (size_t i = 0; i < sizeof sharing_magics / sizeof *sharing_magics; i++)
    if ((unsigned long) sfs->f_type == sharing_magics[i])
      return true;
  return false;
}

/* Return true if the physical addresses FIEMAP gives for the files A
   and B (stat SA and SB) are addresses in one space, so that equal
   addresses are the same bytes: the same device of a filesystem that
   shares extents (and, on XFS, both on the data device or both on the
   realtime device), or two subvolumes of one btrfs (their st_dev
   differ, the filesystem's UUID does not).  */
static bool
same_address_space (int a, int b, struct stat const *sa,
                    struct stat const *sb)
{
  struct statfs fa, fb;
  if (fstatfs (a, &fa) != 0 || fstatfs (b, &fb) != 0
      || fa.f_type != fb.f_type || !sharing_fs (&fa))
    return false;
  if (fa.f_type == BTRFS_SUPER_MAGIC)
    {
      if (sa->st_dev == sb->st_dev)
        return true;
      struct btrfs_ioctl_fs_info_args ia = { 0 }, ib = { 0 };
      return (ioctl (a, BTRFS_IOC_FS_INFO, &ia) == 0
              && ioctl (b, BTRFS_IOC_FS_INFO, &ib) == 0
              && memcmp (ia.fsid, ib.fsid, sizeof ia.fsid) == 0);
    }
  if (sa->st_dev != sb->st_dev)
    return false;
  if (fa.f_type == 0x58465342)
    {
      struct fsxattr xa, xb;
      if (ioctl (a, FS_IOC_FSGETXATTR, &xa) != 0
          || ioctl (b, FS_IOC_FSGETXATTR, &xb) != 0)
        return false;
      return ((xa.fsx_xflags ^ xb.fsx_xflags) & FS_XFLAG_REALTIME) == 0;
    }
  return true;
}

/* The state of one diff.  */
struct diff
{
  int a, b;
  snap_range_fn fn;
  void *arg;
  struct snap_diff_count *count;
  bool physical_ok;             /* equal fe_physical means equal bytes */
  bool stopped;                 /* FN said stop, or a read was needed
                                   when NO_READ */
  bool no_read;                 /* stop where a read would be needed */
  bool read_needed;             /* ... and it was */
  off_t pend_off, pend_len;     /* a difference not yet reported */
  char *buf_a, *buf_b;          /* READ_CHUNK bytes each, or NULL before
                                   the first read */
};

/* Report the pending difference of D, if any, to its callback.  */
static void
flush_range (struct diff *d)
{
  if (d->pend_len != 0 && !d->stopped)
    d->stopped = d->fn (d->pend_off, d->pend_len, d->arg) != 0;
  d->pend_len = 0;
}

/* Record that [OFF, OFF + LEN) differs, merged with the pending
   difference when adjacent.  */
static void
add_range (struct diff *d, off_t off, off_t len)
{
  if (d->pend_len != 0 && d->pend_off + d->pend_len == off)
    d->pend_len += len;
  else
    {
      flush_range (d);
      d->pend_off = off;
      d->pend_len = len;
    }
}

/* Read LEN bytes at OFF of FD into BUF, counting them in D; what lies
   past the end of file (the file shrank) reads as zeros.  Return 0 or
   -1 with errno.  */
static int
read_block (struct diff *d, int fd, char *buf, size_t len, off_t off)
{
  size_t got = 0;
  while (got < len)
    {
      ssize_t n = pread (fd, buf + got, len - got, off + got);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return -1;
        }
      if (n == 0)
        break;
      got += n;
    }
  if (d->count)
    d->count->bytes_read += got;
  memset (buf + got, 0, len - got);
  return 0;
}

/* Compare [START, END) of D's files by reading, in READ_CHUNK pieces;
   a side whose DATA_* is false is a hole there and is not read (it is
   zeros).  Record each differing SNAP_DIFF_BLOCK block.  Return 0 or -1
   with errno.  */
static int
compare_read (struct diff *d, off_t start, off_t end, bool data_a,
              bool data_b)
{
  if (!d->buf_a)
    {
      /* Only now: most pairs of a snapshot's files are proven equal
         from their extents and read nothing.  */
      d->buf_a = xmalloc (READ_CHUNK);
      d->buf_b = xmalloc (READ_CHUNK);
    }
  for (off_t off = start; off < end && !d->stopped; )
    {
      size_t n = MIN (end - off, READ_CHUNK);
      if (!data_a)
        memset (d->buf_a, 0, n);
      else if (read_block (d, d->a, d->buf_a, n, off) != 0)
        return -1;
      if (!data_b)
        memset (d->buf_b, 0, n);
      else if (read_block (d, d->b, d->buf_b, n, off) != 0)
        return -1;
      size_t i = 0;
      while (i < n)
        {
          /* Up to the next block boundary of the file.  */
          off_t here = off + i;
          size_t blen = MIN (n - i, SNAP_DIFF_BLOCK
                                    - (size_t) (here % SNAP_DIFF_BLOCK));
          if (memcmp (d->buf_a + i, d->buf_b + i, blen) != 0)
            add_range (d, here, blen);
          i += blen;
        }
      off += n;
    }
  return 0;
}

/* Walk [0, COMMON) of D's files by their extent maps MA and MB: equal
   physical pieces, and holes or unwritten extents on both sides, are
   counted as equal; the rest is compared by reading, except a side that
   is a hole or unwritten there, which is zeros.  Return 0 or -1 with
   errno.  */
static int
diff_common (struct diff *d, struct extmap *ma, struct extmap *mb,
             off_t common)
{
  off_t pos = 0;
  while (pos < common && !d->stopped)
    {
      struct piece pa, pb;
      if (extmap_piece (ma, pos, &pa) != 0 || extmap_piece (mb, pos, &pb) != 0)
        return -1;
      off_t end = MIN (MIN (pa.end, pb.end), common);
      if (pa.zeros && pb.zeros)
        {
          if (d->count)
            d->count->bytes_hole += end - pos;
        }
      else if (pa.data && pb.data && pa.fit && pb.fit && d->physical_ok
               && pa.physical + (pos - pa.start)
                  == pb.physical + (pos - pb.start))
        {
          if (d->count)
            d->count->bytes_same_extent += end - pos;
        }
      else if (d->no_read)
        d->read_needed = d->stopped = true;
      else if (compare_read (d, pos, end, !pa.zeros, !pb.zeros) != 0)
        return -1;
      pos = end;
    }
  return 0;
}

/* snap_extents_diff of A and B, whose stat are SA and SB.  With
   READ_NEEDED, read nothing: stop where a read would be needed and say
   so in *READ_NEEDED.  */
static int
diff_stat (int a, int b, struct stat const *sa_arg,
           struct stat const *sb_arg, snap_range_fn fn, void *arg,
           struct snap_diff_count *count, bool *read_needed)
{
  struct stat sa = *sa_arg, sb = *sb_arg;
  struct diff d = { .a = a, .b = b, .fn = fn, .arg = arg, .count = count,
                    .no_read = read_needed != NULL };
  off_t common = MIN (sa.st_size, sb.st_size);
  off_t longer = MAX (sa.st_size, sb.st_size);
  int ret = 0;
  /* The same inode twice is equal to itself: nothing to read.  */
  if (!(sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino) && 0 < common)
    {
      d.physical_ok = same_address_space (a, b, &sa, &sb);
      struct extmap ma, mb;
      extmap_init (&ma, a, common);
      extmap_init (&mb, b, common);
      ret = diff_common (&d, &ma, &mb, common);
      int err = errno;
      extmap_free (&ma);
      extmap_free (&mb);
      free (d.buf_a);
      free (d.buf_b);
      errno = err;
    }
  if (ret == 0 && common < longer)
    add_range (&d, common, longer - common);
  if (ret == 0)
    flush_range (&d);
  if (read_needed)
    *read_needed = d.read_needed;
  return ret != 0 ? -1 : d.stopped ? 1 : 0;
}

/* See snap-extents.h.  */
int
snap_extents_diff (int a, int b, snap_range_fn fn, void *arg,
                   struct snap_diff_count *count)
{
  struct stat sa, sb;
  if (fstat (a, &sa) != 0 || fstat (b, &sb) != 0)
    return -1;
  return diff_stat (a, b, &sa, &sb, fn, arg, count, NULL);
}

/* A snap_range_fn that stops at the first difference.  */
static int
stop_at_first (off_t offset _GL_UNUSED, off_t length _GL_UNUSED,
               void *arg _GL_UNUSED)
{
  return 1;
}

/* See snap-extents.h.  */
int
snap_extents_same (int a, int b, struct stat const *sa_arg,
                   struct stat const *sb_arg, struct snap_diff_count *count)
{
  struct stat sa, sb;
  if (!sa_arg && fstat (a, &sa) != 0)
    return -1;
  if (!sb_arg && fstat (b, &sb) != 0)
    return -1;
  sa_arg = sa_arg ? sa_arg : &sa;
  sb_arg = sb_arg ? sb_arg : &sb;
  if (sa_arg->st_size != sb_arg->st_size)
    return 0;
  int r = diff_stat (a, b, sa_arg, sb_arg, stop_at_first, NULL, count,
                     NULL);
  return r < 0 ? -1 : r == 0;
}

/* See snap-extents.h.  */
int
snap_extents_identical (int a, int b)
{
  struct stat sa, sb;
  if (fstat (a, &sa) != 0 || fstat (b, &sb) != 0)
    return -1;
  if (sa.st_size != sb.st_size)
    return 0;
  bool read_needed;
  int r = diff_stat (a, b, &sa, &sb, stop_at_first, NULL, NULL,
                     &read_needed);
  return r < 0 ? -1 : r == 0 && !read_needed;
}
