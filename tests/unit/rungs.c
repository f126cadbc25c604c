/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rungs.c -- unit tests of each rung of the data ladder, on the real
   filesystems named in COWUTILS_TEST_DIRS ("btrfs:/mnt/a xfs:/mnt/b
   ext4:/mnt/c", made by scripts/check) and in $TMPDIR.  Prints TAP.  */

/* The rungs are static: test them from inside the module rather than
   give production code a test interface.  */
#include "../../src/copy-data.c"

#include <linux/fiemap.h>

#include "progname.h"
#include "tap.h"
#include "testfs.h"

enum { MIB = 1024 * 1024 };

/* Fill file NAME (created) with SIZE bytes of a pattern that differs per
   4 KiB block; with HOLE_AT >= 0 leave a 1 MiB hole there.  Return an fd
   open for reading.  */
static int
make_source (char const *name, off_t size, off_t hole_at)
{
  int fd = open (name, O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0)
    return -1;
  static char block[4096];
  for (off_t off = 0; off < size; off += sizeof block)
    {
      if (0 <= hole_at && hole_at <= off && off < hole_at + MIB)
        continue;
      for (size_t i = 0; i < sizeof block; i++)
        block[i] = (char) ((off / 4096 * 31 + i) % 251 + 1);
      size_t n = size - off < (off_t) sizeof block ? (size_t) (size - off)
                                                   : sizeof block;
      if (pwrite (fd, block, n, off) != (ssize_t) n)
        return -1;
    }
  if (ftruncate (fd, size) != 0 || fsync (fd) != 0)
    return -1;
  return fd;
}

/* Return true if files A and B have the same bytes.  */
static bool
same_bytes (int a, int b)
{
  static char x[65536], y[65536];
  off_t off = 0;
  for (;;)
    {
      ssize_t n = pread (a, x, sizeof x, off);
      ssize_t m = pread (b, y, sizeof y, off);
      if (n != m || n < 0)
        return false;
      if (n == 0)
        return true;
      if (memcmp (x, y, n) != 0)
        return false;
      off += n;
    }
}

/* Return the number of extents of FD and how many FIEMAP flags shared,
   through *SHARED.  -1 on error.  */
static int
count_extents (int fd, int *shared)
{
  enum { MAX = 256 };
  struct fiemap *fm = calloc (1, sizeof *fm + MAX * sizeof (struct fiemap_extent));
  fm->fm_length = FIEMAP_MAX_OFFSET;
  fm->fm_flags = FIEMAP_FLAG_SYNC;
  fm->fm_extent_count = MAX;
  int n = -1;
  if (ioctl (fd, FS_IOC_FIEMAP, fm) == 0)
    {
      n = fm->fm_mapped_extents;
      *shared = 0;
      for (int i = 0; i < n; i++)
        if (fm->fm_extents[i].fe_flags & FIEMAP_EXTENT_SHARED)
          ++*shared;
    }
  free (fm);
  return n;
}

/* Set up a ladder over SRC_FD and DST_FD with the given modes.  */
static void
ladder_init (struct ladder *lad, struct data_request *rq,
             struct data_result *res, struct stat *st, int src_fd,
             int dst_fd, enum cow_mode cow, enum sparse_mode sparse)
{
  fstat (src_fd, st);
  *rq = (struct data_request) {
    .src_fd = src_fd, .dst_fd = dst_fd, .src_st = st, .dst_regular = true,
    .src_name = "src", .dst_name = "dst", .cow = cow, .sparse = sparse
  };
  *res = (struct data_result) { 0 };
  *lad = (struct ladder) { .rq = rq, .res = res, .clone_errno = EOPNOTSUPP,
                           .hole_size = ST_NBLOCKSIZE };
}

/* Open a fresh empty destination NAME.  */
static int
fresh_dest (char const *name)
{
  unlink (name);
  return open (name, O_RDWR | O_CREAT | O_EXCL, 0644);
}

/* Run one rung over the whole of a 3 MiB source on FS and check the
   result: RUNG_DONE with equal bytes where the rung can work, RUNG_NOTSUP
   and an untouched destination where it cannot.  */
static void
test_rung (struct testfs const *fs, char const *label, rung_fn fn,
           bool works, bool shares)
{
  char s[4200], d[4200];
  snprintf (s, sizeof s, "%s/u-src", fs->dir);
  snprintf (d, sizeof d, "%s/u-dst", fs->dir);
  int sfd = make_source (s, 3 * MIB, -1);
  int dfd = fresh_dest (d);
  struct ladder lad;
  struct data_request rq;
  struct data_result res;
  struct stat st;
  ladder_init (&lad, &rq, &res, &st, sfd, dfd, COW_AUTO, SPARSE_AUTO);
  struct span sp = { .lad = &lad, .off = 0, .len = 3 * MIB };
  enum rung_status r = fn (&sp);
  if (works)
    {
      struct stat dst;
      fstat (dfd, &dst);
      tap_ok (r == RUNG_DONE && sp.copied == 3 * MIB && dst.st_size == 3 * MIB
              && same_bytes (sfd, dfd),
              "%s: %s copies 3 MiB byte for byte", fs->type, label);
      int shared = 0;
      int n = count_extents (dfd, &shared);
      if (shares)
        tap_ok (0 < n && shared == n, "%s: %s shares every extent (%d/%d)",
                fs->type, label, shared, n);
      else
        tap_ok (0 < n && shared == 0, "%s: %s shares no extent (%d/%d)",
                fs->type, label, shared, n);
    }
  else
    {
      struct stat dst;
      fstat (dfd, &dst);
      tap_ok (r == RUNG_NOTSUP && dst.st_size == 0,
              "%s: %s says not supported and writes nothing", fs->type, label);
    }
  free (lad.buf);
  close (sfd);
  close (dfd);
  unlink (s);
  unlink (d);
}

/* FICLONERANGE of a middle, block-aligned range lands at the same offset
   and shares it.  */
static void
test_clonerange_middle (struct testfs const *fs)
{
  char s[4200], d[4200];
  snprintf (s, sizeof s, "%s/u-src", fs->dir);
  snprintf (d, sizeof d, "%s/u-dst", fs->dir);
  int sfd = make_source (s, 4 * MIB, -1);
  int dfd = fresh_dest (d);
  struct ladder lad;
  struct data_request rq;
  struct data_result res;
  struct stat st;
  ladder_init (&lad, &rq, &res, &st, sfd, dfd, COW_AUTO, SPARSE_AUTO);
  struct span sp = { .lad = &lad, .off = MIB, .len = 2 * MIB };
  enum rung_status r = rung_ficlonerange (&sp);
  static char a[MIB], b[MIB];
  bool ok = r == RUNG_DONE && sp.copied == 2 * MIB && !sp.eof_seen;
  for (off_t off = MIB; ok && off < 3 * MIB; off += MIB)
    ok = pread (sfd, a, MIB, off) == MIB && pread (dfd, b, MIB, off) == MIB
         && memcmp (a, b, MIB) == 0;
  tap_ok (ok, "%s: FICLONERANGE clones [1 MiB, 3 MiB) to the same offset",
          fs->type);
  close (sfd);
  close (dfd);
  unlink (s);
  unlink (d);
}

/* The read/write rung with zero detection turns a zero run into a hole
   and keeps the bytes.  */
static void
test_rw_holes (struct testfs const *fs)
{
  char s[4200], d[4200];
  snprintf (s, sizeof s, "%s/u-src", fs->dir);
  snprintf (d, sizeof d, "%s/u-dst", fs->dir);
  int sfd = open (s, O_RDWR | O_CREAT | O_TRUNC, 0644);
  static char buf[4 * MIB];
  memset (buf, 0, sizeof buf);
  memset (buf, 'a', 4096);
  memset (buf + 3 * MIB, 'b', 4096);
  bool made = sfd >= 0 && write (sfd, buf, sizeof buf) == sizeof buf
              && fsync (sfd) == 0 && lseek (sfd, 0, SEEK_SET) == 0;
  int dfd = fresh_dest (d);
  struct ladder lad;
  struct data_request rq;
  struct data_result res;
  struct stat st;
  ladder_init (&lad, &rq, &res, &st, sfd, dfd, COW_NEVER, SPARSE_ALWAYS);
  lad.make_holes = true;
  struct span sp = { .lad = &lad, .off = 0, .len = TYPE_MAXIMUM (off_t) };
  enum rung_status r = rung_rw (&sp);
  bool trunc_ok = ftruncate (dfd, lad.end) == 0;
  struct stat dst;
  fsync (dfd);
  fstat (dfd, &dst);
  tap_ok (made && r == RUNG_DONE && sp.eof_seen && trunc_ok
          && dst.st_size == 4 * MIB && same_bytes (sfd, dfd)
          && dst.st_blocks * ST_NBLOCKSIZE < MIB,
          "%s: read/write with --sparse=always makes holes of zero runs "
          "(%jd bytes allocated of 4 MiB)", fs->type,
          (intmax_t) dst.st_blocks * ST_NBLOCKSIZE);
  free (lad.buf);
  close (sfd);
  close (dfd);
  unlink (s);
  unlink (d);
}

/* The extent iterator reports the data of a file with a hole in the
   middle as two extents around it.  */
static void
test_extents (struct testfs const *fs)
{
  char s[4200];
  snprintf (s, sizeof s, "%s/u-src", fs->dir);
  int sfd = make_source (s, 4 * MIB, MIB);
  struct extents it = { .fd = sfd, .seek = true, .size = 4 * MIB };
  off_t off, len, got[4][2];
  int n = 0, more;
  while (n < 4 && (more = next_extent (&it, &off, &len)) > 0)
    {
      got[n][0] = off;
      got[n][1] = len;
      n++;
    }
  tap_ok (n == 2 && got[0][0] == 0 && got[0][1] == MIB
          && got[1][0] == 2 * MIB && got[1][1] == 2 * MIB,
          "%s: SEEK_DATA/SEEK_HOLE iterator finds the two data extents",
          fs->type);
  close (sfd);
  unlink (s);
}

/* The whole ladder between two filesystems where cloning fails with
   EXDEV remembers it for the pair: the second file does not try.  */
static void
test_pair_memory (struct testfs const *a, struct testfs const *b)
{
  char s[4200], d[4200];
  snprintf (s, sizeof s, "%s/u-src", a->dir);
  snprintf (d, sizeof d, "%s/u-dst", b->dir);
  int sfd = make_source (s, MIB, -1);
  struct stat st, dst_dir;
  fstat (sfd, &st);
  stat (b->dir, &dst_dir);
  struct ladder_state ls = { 0 };
  bool ok = true;
  for (int i = 0; i < 2; i++)
    {
      int dfd = fresh_dest (d);
      struct data_request rq = {
        .src_fd = sfd, .dst_fd = dfd, .src_st = &st,
        .dst_dev = dst_dir.st_dev, .dst_regular = true, .src_name = "s",
        .dst_name = "d", .cow = COW_AUTO, .sparse = SPARSE_AUTO
      };
      struct data_result res;
      ok &= copy_data (&rq, &ls, &res) && same_bytes (sfd, dfd);
      close (dfd);
    }
  struct ladder_pair *p = pair_entry (&ls, st.st_dev, dst_dir.st_dev);
  tap_ok (ok && ls.n_pairs == 1 && (p->skip & (1u << RUNG_FICLONE)),
          "%s -> %s: copies succeed and the clone is remembered as "
          "impossible for the pair", a->type, b->type);
  close (sfd);
  unlink (s);
  unlink (d);
}

/* The errno predicates say fall back exactly for "not possible here".  */
static void
test_predicates (void)
{
  tap_ok (clone_unsupported (EOPNOTSUPP) && clone_unsupported (EXDEV)
          && clone_unsupported (EINVAL) && clone_unsupported (EPERM)
          && !clone_unsupported (EIO) && !clone_unsupported (ENOSPC)
          && !clone_unsupported (EDQUOT) && !clone_unsupported (ENOMEM),
          "clone: EIO, ENOSPC, EDQUOT, ENOMEM are final; others fall back");
  tap_ok (cfr_unsupported (ENOSYS) && cfr_unsupported (EXDEV)
          && cfr_unsupported (EINVAL) && cfr_unsupported (EBADF)
          && !cfr_unsupported (EIO) && !cfr_unsupported (ENOSPC)
          && !cfr_unsupported (EDQUOT),
          "copy_file_range: fall back on ENOSYS/EXDEV/EINVAL/EBADF only");
  tap_ok (sendfile_unsupported (EINVAL) && sendfile_unsupported (ENOSYS)
          && !sendfile_unsupported (EIO) && !sendfile_unsupported (ENOSPC),
          "sendfile: fall back on EINVAL/ENOSYS, not on EIO/ENOSPC");
  tap_ok (pair_property (EXDEV) && pair_property (EOPNOTSUPP)
          && !pair_property (EINVAL),
          "EXDEV and EOPNOTSUPP are remembered per pair, EINVAL is not");
}

/* A hard error on a rung: writing to /dev/full fails with ENOSPC and
   the rung reports FAIL_WRITE; copy_file_range to it is "not possible".  */
static void
test_hard_errors (void)
{
  int sfd = open ("/proc/self/exe", O_RDONLY);
  int dfd = open ("/dev/full", O_WRONLY);
  if (sfd < 0 || dfd < 0)
    {
      tap_skip ("read/write to /dev/full fails with ENOSPC", "no /dev/full");
      return;
    }
  struct ladder lad;
  struct data_request rq;
  struct data_result res;
  struct stat st;
  ladder_init (&lad, &rq, &res, &st, sfd, dfd, COW_AUTO, SPARSE_NEVER);
  rq.dst_regular = false;
  struct span sp = { .lad = &lad, .len = MIB };
  enum rung_status r = rung_rw (&sp);
  tap_ok (r == RUNG_ERROR && errno == ENOSPC && lad.failure == FAIL_WRITE,
          "read/write to /dev/full: error, ENOSPC, reported as a write");
  free (lad.buf);
  close (sfd);
  close (dfd);
}

/* /proc files claim to be empty: copy_file_range and sendfile say "not
   possible" rather than copy nothing; read/write gets the bytes.  */
static void
test_procfs (char const *tmpdir)
{
  char d[4200];
  snprintf (d, sizeof d, "%s/u-proc", tmpdir);
  int sfd = open ("/proc/self/status", O_RDONLY);
  int dfd = fresh_dest (d);
  struct ladder lad;
  struct data_request rq;
  struct data_result res;
  struct stat st;
  ladder_init (&lad, &rq, &res, &st, sfd, dfd, COW_AUTO, SPARSE_AUTO);
  struct span sp = { .lad = &lad, .len = TYPE_MAXIMUM (off_t) };
  tap_ok (st.st_size == 0 && rung_cfr (&sp) == RUNG_NOTSUP,
          "copy_file_range from /proc/self/status: not possible");
  sp = (struct span) { .lad = &lad, .len = TYPE_MAXIMUM (off_t) };
  tap_ok (rung_ficlonerange (&sp) == RUNG_NOTSUP,
          "FICLONERANGE from /proc/self/status: not possible");
  sp = (struct span) { .lad = &lad, .len = TYPE_MAXIMUM (off_t) };
  enum rung_status r = rung_rw (&sp);
  struct stat dst;
  fstat (dfd, &dst);
  tap_ok (r == RUNG_DONE && sp.eof_seen && 0 < dst.st_size,
          "read/write from /proc/self/status copies %jd bytes",
          (intmax_t) dst.st_size);
  free (lad.buf);
  close (sfd);
  close (dfd);
  unlink (d);
}

int
main (int argc _GL_UNUSED, char **argv)
{
  set_program_name (argv[0]);
  struct testfs fss[TESTFS_MAX];
  char tmpdir[4096];
  int n = testfs_list (fss, tmpdir, "unit");
  if (n < 0)
    return 1;

  for (char const *t = "btrfs"; t; t = strcmp (t, "btrfs") ? NULL : "xfs")
    {
      bool have = false;
      for (int i = 0; i < n; i++)
        have |= !strcmp (fss[i].type, t);
      if (!have)
        tap_skip (t, "no such filesystem in COWUTILS_TEST_DIRS "
                  "(scripts/check mounts them as root)");
    }

  for (int i = 0; i < n; i++)
    {
      struct testfs const *fs = &fss[i];
      test_rung (fs, "FICLONE", rung_ficlone, fs->can_clone, true);
      test_rung (fs, "FICLONERANGE", rung_ficlonerange, fs->can_clone, true);
      if (fs->can_clone)
        test_clonerange_middle (fs);
      /* copy_file_range within btrfs and XFS is a clone; elsewhere a
         copy.  */
      test_rung (fs, "copy_file_range", rung_cfr, true, fs->can_clone);
      test_rung (fs, "sendfile", rung_sendfile, true, false);
      test_rung (fs, "read/write", rung_rw, true, false);
      test_rw_holes (fs);
      test_extents (fs);
    }
  if (1 < n)
    test_pair_memory (&fss[0], &fss[n - 1]);
  test_predicates ();
  test_hard_errors ();
  test_procfs (tmpdir);
  rmdir (tmpdir);
  return tap_done ();
}
