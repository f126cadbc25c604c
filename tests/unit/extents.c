/* SPDX-License-Identifier: GPL-3.0-or-later */
/* extents.c -- unit tests of snap-extents (exclusive bytes, extent-aware
   file diff) on the real filesystems named in COWUTILS_TEST_DIRS
   ("btrfs:/mnt/a xfs:/mnt/b ext4:/mnt/c", made by scripts/check) and in
   $TMPDIR.  Prints TAP.  */

#include "system.h"

#include <linux/btrfs.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>

#include "progname.h"
#include "snap-extents.h"
#include "tap.h"
#include "testfs.h"

enum { KIB = 1024, MIB = 1024 * 1024 };

/* The ranges one diff reported.  */
struct ranges
{
  int n;
  off_t off[16], len[16];
};

/* A snap_range_fn that records the range in the struct ranges ARG.  */
static int
record_range (off_t off, off_t len, void *arg)
{
  struct ranges *r = arg;
  if (r->n < 16)
    {
      r->off[r->n] = off;
      r->len[r->n] = len;
    }
  r->n++;
  return 0;
}

/* Diff files A and B into *R and *C; return snap_extents_diff's value.  */
static int
diff (int a, int b, struct ranges *r, struct snap_diff_count *c)
{
  *r = (struct ranges) { 0 };
  *c = (struct snap_diff_count) { 0 };
  return snap_extents_diff (a, b, record_range, r, c);
}

/* Return true if R is exactly the one range [OFF, OFF + LEN).  */
static bool
one_range (struct ranges const *r, off_t off, off_t len)
{
  return r->n == 1 && r->off[0] == off && r->len[0] == len;
}

/* Fill BUF (SIZE bytes) with a pattern that differs per 4 KiB block at
   file offset OFF and per SEED.  */
static void
pattern (char *buf, size_t size, off_t off, int seed)
{
  for (size_t i = 0; i < size; i++)
    buf[i] = (char) (((off + i) / 4096 * 31 + (off + i) + seed) % 251 + 1);
}

/* Write SIZE bytes of pattern SEED at OFF of FD.  Return true on
   success.  */
static bool
put (int fd, off_t off, size_t size, int seed)
{
  static char buf[MIB];
  while (0 < size)
    {
      size_t n = size < sizeof buf ? size : sizeof buf;
      pattern (buf, n, off, seed);
      if (pwrite (fd, buf, n, off) != (ssize_t) n)
        return false;
      off += n;
      size -= n;
    }
  return true;
}

/* Create file DIR/NAME with SIZE bytes of pattern 0, synced; return an
   fd open read-write, or -1.  */
static int
make_file (char const *dir, char const *name, off_t size)
{
  char path[8400];
  snprintf (path, sizeof path, "%s/%s", dir, name);
  int fd = open (path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0)
    return -1;
  if (!put (fd, 0, size, 0) || fsync (fd) != 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

/* Create DIR/NAME as a FICLONE of SRC; return an fd open read-write, or
   -1.  */
static int
clone_file (char const *dir, char const *name, int src)
{
  char path[8400];
  snprintf (path, sizeof path, "%s/%s", dir, name);
  int fd = open (path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0)
    return -1;
  if (ioctl (fd, FICLONE, src) != 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

/* Close FD and remove DIR/NAME.  */
static void
drop (char const *dir, char const *name, int fd)
{
  char path[8400];
  snprintf (path, sizeof path, "%s/%s", dir, name);
  if (0 <= fd)
    close (fd);
  unlink (path);
}

/* Clone a 64 MiB file, check that the clone holds nothing alone and
   diffs equal without a read, rewrite one 4 KiB block in the middle and
   check that exactly that block differs, read in under 1 MiB, and that
   the clone now holds about one block alone.  */
static void
test_clone_rewrite (struct testfs const *fs)
{
  int a = make_file (fs->dir, "e-orig", 64 * MIB);
  int b = 0 <= a ? clone_file (fs->dir, "e-clone", a) : -1;
  if (b < 0)
    {
      tap_ok (false, "%s: make and clone a 64 MiB file: %s", fs->type,
              strerror (errno));
      drop (fs->dir, "e-orig", a);
      return;
    }
  struct snap_space sp;
  int r = snap_extents_space (b, &sp);
  tap_ok (r == 0 && sp.fiemap_used && sp.allocated == 64 * MIB
          && sp.exclusive == 0 && sp.shared == 64 * MIB,
          "%s: a fresh clone holds 64 MiB, none of it alone "
          "(allocated %ju, exclusive %ju)", fs->type, sp.allocated,
          sp.exclusive);

  struct ranges rg;
  struct snap_diff_count c;
  r = diff (a, b, &rg, &c);
  tap_ok (r == 0 && rg.n == 0 && c.bytes_read == 0
          && c.bytes_same_extent == 64 * MIB,
          "%s: a fresh clone diffs equal without reading (%ju read, %ju "
          "proven from extents)", fs->type, c.bytes_read,
          c.bytes_same_extent);
  tap_ok (snap_extents_same (a, b, NULL, NULL, &c) == 1 && c.bytes_read == 0,
          "%s: same-content helper says equal without reading", fs->type);
  tap_ok (snap_extents_identical (a, b) == 1,
          "%s: a fresh clone is identical from its extents", fs->type);

  bool w = put (b, 32 * MIB, 4 * KIB, 7) && fsync (b) == 0;
  r = diff (a, b, &rg, &c);
  tap_ok (w && r == 0 && one_range (&rg, 32 * MIB, 4 * KIB)
          && c.bytes_read < MIB,
          "%s: one rewritten 4 KiB block of 64 MiB: exactly that block "
          "differs (%d range(s), first %jd+%jd), %ju bytes read",
          fs->type, rg.n, (intmax_t) (rg.n ? rg.off[0] : -1),
          (intmax_t) (rg.n ? rg.len[0] : -1), c.bytes_read);
  tap_ok (snap_extents_same (a, b, NULL, NULL, &c) == 0,
          "%s: same-content helper says different", fs->type);
  tap_ok (snap_extents_identical (a, b) == 0,
          "%s: after the rewrite the clone is no longer identical from its "
          "extents", fs->type);

  r = snap_extents_space (b, &sp);
  tap_ok (r == 0 && 4 * KIB <= sp.exclusive && sp.exclusive <= 128 * KIB
          && sp.allocated == sp.exclusive + sp.shared,
          "%s: after the rewrite the clone holds %ju bytes alone "
          "(one block, or the filesystem's granularity)", fs->type,
          sp.exclusive);
  r = snap_extents_space (a, &sp);
  tap_ok (r == 0 && sp.exclusive <= 128 * KIB,
          "%s: the original holds %ju bytes alone (the block the clone "
          "replaced)", fs->type, sp.exclusive);

  /* Sizes that differ: the tail is the difference, nothing read.  */
  int g = clone_file (fs->dir, "e-grow", a);
  bool ok = 0 <= g && put (g, 64 * MIB, 10000, 3) && fsync (g) == 0;
  r = diff (a, g, &rg, &c);
  tap_ok (ok && r == 0 && one_range (&rg, 64 * MIB, 10000)
          && c.bytes_read == 0,
          "%s: a clone grown by 10000 bytes: the tail differs, %ju read",
          fs->type, c.bytes_read);
  ok = 0 <= g && ftruncate (g, 40 * MIB) == 0;
  r = diff (a, g, &rg, &c);
  tap_ok (ok && r == 0 && one_range (&rg, 40 * MIB, 24 * MIB)
          && c.bytes_read == 0,
          "%s: a clone cut to 40 MiB: [40 MiB, 64 MiB) differs, %ju read",
          fs->type, c.bytes_read);
  drop (fs->dir, "e-grow", g);
  drop (fs->dir, "e-clone", b);
  drop (fs->dir, "e-orig", a);
}

/* Diff two files, written separately (no sharing), with one block
   changed: the block is found by reading both files whole.  */
static void
test_by_reading (struct testfs const *fs, off_t size)
{
  int a = make_file (fs->dir, "e-one", size);
  int b = make_file (fs->dir, "e-two", size);
  struct ranges rg;
  struct snap_diff_count c;
  int r = diff (a, b, &rg, &c);
  tap_ok (0 <= a && 0 <= b && r == 0 && rg.n == 0
          && c.bytes_read == 2 * (uintmax_t) size,
          "%s: two equal unshared files of %jd MiB: equal, read whole "
          "(%ju bytes)", fs->type, (intmax_t) size / MIB, c.bytes_read);
  tap_ok (snap_extents_identical (a, b) == 0
          && snap_extents_same (a, b, NULL, NULL, NULL) == 1,
          "%s: equal unshared files are the same by content, not "
          "identical from their extents", fs->type);
  bool w = 0 <= b && put (b, size / 2 + 4 * KIB, 4 * KIB, 9)
           && put (b, size - 100, 100, 9) && fsync (b) == 0;
  r = diff (a, b, &rg, &c);
  tap_ok (w && r == 0 && rg.n == 2 && rg.off[0] == size / 2 + 4 * KIB
          && rg.len[0] == 4 * KIB && rg.off[1] == size - 4 * KIB
          && rg.len[1] == 4 * KIB,
          "%s: unshared files: the changed block and the changed last "
          "block are found by reading (%d ranges)", fs->type, rg.n);
  struct snap_space sp;
  r = snap_extents_space (b, &sp);
  tap_ok (r == 0 && sp.shared == 0 && sp.exclusive == sp.allocated
          && (uintmax_t) size <= sp.allocated,
          "%s: an unshared file holds all its %ju bytes alone", fs->type,
          sp.allocated);
  drop (fs->dir, "e-one", a);
  drop (fs->dir, "e-two", b);
}

/* Holes: holes on both sides are equal unread; a hole against data
   reads only the data; zeros written against a hole are equal.  */
static void
test_holes (struct testfs const *fs)
{
  char pa[4200], pb[4200];
  snprintf (pa, sizeof pa, "%s/e-ha", fs->dir);
  snprintf (pb, sizeof pb, "%s/e-hb", fs->dir);
  int a = open (pa, O_RDWR | O_CREAT | O_TRUNC, 0644);
  int b = open (pb, O_RDWR | O_CREAT | O_TRUNC, 0644);
  static char zeros[4 * KIB];
  bool ok = (0 <= a && 0 <= b
             && put (a, 1 * MIB, MIB, 0) && put (a, 5 * MIB, MIB, 0)
             && ftruncate (a, 8 * MIB) == 0 && fsync (a) == 0
             && put (b, 1 * MIB, MIB, 0) && put (b, 5 * MIB, MIB, 0)
             && put (b, 5 * MIB + 8 * KIB, 4 * KIB, 5)
             && put (b, 3 * MIB, 4 * KIB, 5)
             && pwrite (b, zeros, sizeof zeros, 7 * MIB) == sizeof zeros
             && ftruncate (b, 8 * MIB) == 0 && fsync (b) == 0);
  struct ranges rg;
  struct snap_diff_count c;
  int r = diff (a, b, &rg, &c);
  tap_ok (ok && r == 0 && rg.n == 2 && rg.off[0] == 3 * MIB
          && rg.len[0] == 4 * KIB && rg.off[1] == 5 * MIB + 8 * KIB
          && rg.len[1] == 4 * KIB,
          "%s: sparse files: data against a hole and a changed block "
          "found, written zeros against a hole equal (%d ranges)",
          fs->type, rg.n);
  /* Read: the two 1 MiB data extents of each file, and the two blocks of
     B against holes of A.  */
  tap_ok (ok && r == 0 && 5 * MIB <= c.bytes_hole
          && c.bytes_read == 4 * MIB + 8 * KIB,
          "%s: holes on both sides are not read, nor a hole against data "
          "(%ju bytes of holes, %ju read)", fs->type, c.bytes_hole,
          c.bytes_read);
  drop (fs->dir, "e-ha", a);
  drop (fs->dir, "e-hb", b);
}

/* A file of more extents than one FIEMAP batch: 2048 4 KiB extents
   apart.  Its clone holds nothing alone; a change in its last extent is
   found without reading the rest.  */
static void
test_many_extents (struct testfs const *fs)
{
  char p[4200];
  snprintf (p, sizeof p, "%s/e-many", fs->dir);
  int a = open (p, O_RDWR | O_CREAT | O_TRUNC, 0644);
  bool ok = 0 <= a;
  for (int i = 0; ok && i < 2048; i++)
    ok = put (a, (off_t) i * 8 * KIB, 4 * KIB, 0);
  ok = ok && fsync (a) == 0;
  int b = ok ? clone_file (fs->dir, "e-many2", a) : -1;
  struct snap_space sp = { 0 };
  int r = 0 <= b ? snap_extents_space (b, &sp) : -1;
  tap_ok (r == 0 && 2048 <= sp.extents && sp.allocated == 2048 * 4 * KIB
          && sp.exclusive == 0,
          "%s: a clone of 2048 extents (several FIEMAP batches): %ju "
          "extents, %ju bytes, %ju alone", fs->type, sp.extents,
          sp.allocated, sp.exclusive);
  off_t last = (off_t) 2047 * 8 * KIB;
  ok = 0 <= b && put (b, last, 4 * KIB, 4) && fsync (b) == 0;
  struct ranges rg;
  struct snap_diff_count c;
  r = diff (a, b, &rg, &c);
  tap_ok (ok && r == 0 && one_range (&rg, last, 4 * KIB)
          && c.bytes_read <= 8 * KIB,
          "%s: the last of 2048 extents changed: found, %ju bytes read",
          fs->type, c.bytes_read);
  drop (fs->dir, "e-many2", b);
  drop (fs->dir, "e-many", a);
}

/* On btrfs with compression, every piece of a compressed extent shows
   the extent's start as its physical address: a range cloned from the
   middle of an extent to the start of another file has the same
   fe_physical at the same offset as the original's first piece, with
   other bytes.  The diff must not take that for equality.  */
static void
test_btrfs_compressed (struct testfs const *fs)
{
  char pa[4200], pb[4200];
  snprintf (pa, sizeof pa, "%s/e-za", fs->dir);
  snprintf (pb, sizeof pb, "%s/e-zb", fs->dir);
  int a = open (pa, O_RDWR | O_CREAT | O_TRUNC, 0644);
  int b = open (pb, O_RDWR | O_CREAT | O_TRUNC, 0644);
  int flags = FS_COMPR_FL;
  bool ok = (0 <= a && 0 <= b && ioctl (a, FS_IOC_SETFLAGS, &flags) == 0);
  static char block[4 * KIB];
  for (int i = 0; ok && i < 64; i++)
    {
      memset (block, 'A' + i % 50, sizeof block);
      ok = pwrite (a, block, sizeof block, (off_t) i * sizeof block)
           == sizeof block;
    }
  ok = ok && fsync (a) == 0;
  struct fiemap_probe
  {
    struct fiemap fm;
    struct fiemap_extent fe[1];
  } probe = { .fm = { .fm_length = 1, .fm_flags = FIEMAP_FLAG_SYNC,
                      .fm_extent_count = 1 } };
  if (!ok || ioctl (a, FS_IOC_FIEMAP, &probe) != 0
      || probe.fm.fm_mapped_extents != 1
      || !(probe.fe[0].fe_flags & FIEMAP_EXTENT_ENCODED))
    {
      tap_skip ("btrfs: a piece cloned from the middle of a compressed "
                "extent", "compression not in effect");
      drop (fs->dir, "e-za", a);
      drop (fs->dir, "e-zb", b);
      return;
    }
  struct file_clone_range fcr = { .src_fd = a, .src_offset = 64 * KIB,
                                  .src_length = 64 * KIB, .dest_offset = 0 };
  ok = (ioctl (b, FICLONE, a) == 0 && ioctl (b, FICLONERANGE, &fcr) == 0
        && fsync (b) == 0);
  struct ranges rg;
  struct snap_diff_count c;
  int r = diff (a, b, &rg, &c);
  tap_ok (ok && r == 0 && one_range (&rg, 0, 64 * KIB),
          "btrfs: a piece cloned from the middle of a compressed extent "
          "is read, not taken as equal (%d range(s), first %jd+%jd)", rg.n,
          (intmax_t) (rg.n ? rg.off[0] : -1),
          (intmax_t) (rg.n ? rg.len[0] : -1));
  drop (fs->dir, "e-za", a);
  drop (fs->dir, "e-zb", b);
}

/* On btrfs, a clone in another subvolume (another st_dev, the same
   filesystem) is still proven equal from the extents.  */
static void
test_btrfs_subvolume (struct testfs const *fs)
{
  char sub[4200];
  snprintf (sub, sizeof sub, "%s/e-subvol", fs->dir);
  int dfd = open (fs->dir, O_RDONLY | O_DIRECTORY);
  struct btrfs_ioctl_vol_args args = { 0 };
  snprintf (args.name, sizeof args.name, "e-subvol");
  if (dfd < 0 || ioctl (dfd, BTRFS_IOC_SUBVOL_CREATE, &args) != 0)
    {
      tap_skip ("btrfs: a clone in another subvolume is proven equal",
                "cannot create a subvolume");
      if (0 <= dfd)
        close (dfd);
      return;
    }
  int a = make_file (fs->dir, "e-sv", 8 * MIB);
  int b = 0 <= a ? clone_file (sub, "e-sv", a) : -1;
  struct stat sa, sb;
  struct ranges rg;
  struct snap_diff_count c;
  int r = 0 <= b ? diff (a, b, &rg, &c) : -1;
  tap_ok (r == 0 && fstat (a, &sa) == 0 && fstat (b, &sb) == 0
          && sa.st_dev != sb.st_dev && rg.n == 0 && c.bytes_read == 0,
          "btrfs: a clone in another subvolume diffs equal without "
          "reading (%ju read)", c.bytes_read);
  drop (sub, "e-sv", b);
  drop (fs->dir, "e-sv", a);
  rmdir (sub);
  close (dfd);
}

int
main (int argc _GL_UNUSED, char **argv)
{
  set_program_name (argv[0]);
  struct testfs fss[TESTFS_MAX];
  char tmpdir[4096];
  int n = testfs_list (fss, tmpdir, "extents");
  if (n < 0)
    return 1;

  static char const *const wanted[] = { "btrfs", "xfs", "ext4" };
  for (size_t w = 0; w < sizeof wanted / sizeof *wanted; w++)
    {
      bool have = false;
      for (int i = 0; i < n; i++)
        have |= !strcmp (fss[i].type, wanted[w]);
      if (!have)
        tap_skip (wanted[w], "no such filesystem in COWUTILS_TEST_DIRS "
                  "(scripts/check mounts them as root)");
    }

  for (int i = 0; i < n; i++)
    {
      struct testfs const *fs = &fss[i];
      if (fs->can_clone)
        {
          test_clone_rewrite (fs);
          test_many_extents (fs);
        }
      if (!strcmp (fs->type, "btrfs"))
        {
          test_btrfs_subvolume (fs);
          test_btrfs_compressed (fs);
        }
      test_by_reading (fs, strcmp (fs->type, "ext4") ? 8 * MIB : 64 * MIB);
      test_holes (fs);
    }
  rmdir (tmpdir);
  return tap_done ();
}
