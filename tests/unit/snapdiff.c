/* SPDX-License-Identifier: GPL-3.0-or-later */
/* snapdiff.c -- unit tests of snap-diff (the lines of `cowsnap diff`)
   on the real filesystems named in COWUTILS_TEST_DIRS and in $TMPDIR:
   two trees with every kind of change, the exact lines expected; an
   unchanged tree prints nothing; a file diff prints its ranges.  Needs
   root (chown, mknod); skips otherwise.  Prints TAP.  */

#include "system.h"

#include <ftw.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "progname.h"
#include "snap-diff.h"
#include "tap.h"
#include "testfs.h"
#include "xalloc.h"

enum { MIB = 1024 * 1024 };

/* The modification time every entry gets, and the changed one.  */
enum { T0 = 1700000000 };

/* Which tree to build.  */
enum variant { OLD, NEW };

/* The lines expected from diffing a tree built OLD with one built NEW.  */
static char const expected[] =
  "......a acl.txt\n"
  "c...... chr\n"
  "c...... content.txt\n"
  "c...... dir/inner\n"
  "...g... group.txt\n"
  "+...... hl2\n"
  "c...... link\n"
  ".p..... mode.txt\n"
  "....m.. mtime.txt\n"
  "+...... \"nl\\nname\"\n"
  "-...... olddir\n"
  "-...... olddir/f\n"
  "..u.... owner.txt\n"
  "-...... removed.txt\n"
  ".p..... sealed2.txt\n"
  "c...... size.txt\n"
  "tp..... t1\n"
  "+...... t1/inner\n"
  "tp..... t2\n"
  "-...... t2/child\n"
  ".....x. xattr.txt\n";

/* The path ROOT/NAME in a static buffer (one of two, alternating).  */
static char const *
at (char const *root, char const *name)
{
  static char buf[2][8400];
  static int i;
  i ^= 1;
  size_t r = strlen (root), n = strlen (name);
  if (sizeof buf[i] < r + n + 2)
    abort ();
  memmove (buf[i], root, r);
  buf[i][r] = '/';
  memcpy (buf[i] + r + 1, name, n + 1);
  return buf[i];
}

/* Create file ROOT/NAME holding TEXT with MODE.  Return true on
   success.  */
static bool
put (char const *root, char const *name, char const *text, mode_t mode)
{
  int fd = open (at (root, name), O_WRONLY | O_CREAT | O_TRUNC, mode);
  size_t n = strlen (text);
  bool ok = 0 <= fd && write (fd, text, n) == (ssize_t) n;
  ok &= 0 <= fd && fchmod (fd, mode) == 0;
  if (0 <= fd)
    close (fd);
  return ok;
}

/* Create ROOT/big.bin, 4 MiB: a clone of FROM/big.bin when FROM is not
   NULL and the filesystem clones, else written.  */
static bool
put_big (char const *root, char const *from)
{
  int fd = open (at (root, "big.bin"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0)
    return false;
  bool ok = false;
  if (from)
    {
      int src = open (at (from, "big.bin"), O_RDONLY);
      ok = 0 <= src && ioctl (fd, FICLONE, src) == 0;
      if (0 <= src)
        close (src);
    }
  static char block[MIB];
  for (int i = 0; !ok && i < 4; i++)
    {
      memset (block, 'a' + i, sizeof block);
      if (write (fd, block, sizeof block) != sizeof block)
        break;
      ok = i == 3;
    }
  close (fd);
  return ok;
}

/* Run the shell command CMD; true if it exits 0.  */
static bool
run (char const *cmd)
{
  return system (cmd) == 0;
}

/* Set the modification time of PATH (not following a symbolic link) to
   T0, or to T0 + 1 s + 5 ns for a file named mtime.txt in a NEW tree
   (told by the global-free trick of its path ending in "/b/mtime.txt").
   An nftw callback.  */
static int
set_time (char const *path, struct stat const *st _GL_UNUSED,
          int flag _GL_UNUSED, struct FTW *ftw _GL_UNUSED)
{
  size_t n = strlen (path);
  bool changed = 12 <= n && strcmp (path + n - 12, "/b/mtime.txt") == 0;
  struct timespec ts[2] = {
    { .tv_sec = T0 }, { .tv_sec = T0 + changed, .tv_nsec = changed ? 5 : 0 }
  };
  return utimensat (AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW) != 0;
}

/* How seal_entry seals: by FS_IMMUTABLE_FL (as root), else by taking
   the write bits away and keeping the mode in user.cowsnap.mode, as
   cowsnap-spec says; or undo the immutable flag.  An nftw callback has
   no argument: this is the test's one piece of file-scope state.  */
static enum { SEAL_FLAG, SEAL_MODE, UNSEAL_FLAG } seal_how;

/* Seal PATH (stat ST) if it is a regular file or a directory, as
   seal_how says.  An nftw callback; nonzero stops the walk.  */
static int
seal_entry (char const *path, struct stat const *st, int flag _GL_UNUSED,
            struct FTW *ftw _GL_UNUSED)
{
  if (!S_ISREG (st->st_mode) && !S_ISDIR (st->st_mode))
    return 0;
  if (seal_how == SEAL_MODE)
    {
      mode_t mode = st->st_mode & 07777;
      if ((mode & 0222) == 0)
        return 0;
      char text[8];
      snprintf (text, sizeof text, "%04o", (unsigned int) mode);
      return (setxattr (path, "user.cowsnap.mode", text, strlen (text), 0)
              != 0 || chmod (path, mode & ~0222) != 0);
    }
  int fd = open (path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  int flags = 0;
  bool ok = (0 <= fd && ioctl (fd, FS_IOC_GETFLAGS, &flags) == 0);
  flags = (seal_how == SEAL_FLAG ? flags | FS_IMMUTABLE_FL
           : flags & ~FS_IMMUTABLE_FL);
  ok = ok && ioctl (fd, FS_IOC_SETFLAGS, &flags) == 0;
  if (0 <= fd)
    close (fd);
  return !ok;
}

/* Seal the tree ROOT as HOW; return true on success.  */
static bool
seal_tree (char const *root, int how)
{
  seal_how = how;
  return nftw (root, seal_entry, 16, FTW_PHYS | FTW_DEPTH) == 0;
}

/* Build tree ROOT as VARIANT; CLONE_FROM (or NULL) is an OLD tree whose
   big.bin to clone.  Return true on success.  */
static bool
build (char const *root_arg, enum variant v, char const *clone_arg)
{
  /* Copies: at () reuses its buffers.  */
  char root[4300], from[4300];
  snprintf (root, sizeof root, "%s", root_arg);
  snprintf (from, sizeof from, "%s", clone_arg ? clone_arg : "");
  char const *clone_from = clone_arg ? from : NULL;
  bool n = v == NEW;
  char cmd[9000];
  bool ok = mkdir (root, 0755) == 0;
  ok &= put (root, "acl.txt", "acl\n", 0644);
  if (n)
    {
      snprintf (cmd, sizeof cmd, "setfacl -m u:1234:r '%s'",
                at (root, "acl.txt"));
      ok &= run (cmd);
    }
  ok &= put_big (root, clone_from);
  ok &= mknod (at (root, "chr"), S_IFCHR | 0600, makedev (1, n ? 5 : 3)) == 0;
  ok &= put (root, "content.txt", n ? "jello\n" : "hello\n", 0644);
  ok &= mkdir (at (root, "dir"), 0755) == 0;
  ok &= put (root, "dir/inner", n ? "y\n" : "x\n", 0644);
  ok &= put (root, "dir/same", "s\n", 0644);
  ok &= mkfifo (at (root, "fifo"), 0644) == 0;
  ok &= put (root, "group.txt", "g\n", 0644);
  ok &= chown (at (root, "group.txt"), -1, n ? 1234 : 0) == 0;
  ok &= symlink (n ? "target2" : "target1", at (root, "link")) == 0;
  ok &= put (root, "mode.txt", "m\n", n ? 0600 : 0644);
  ok &= put (root, "mtime.txt", "t\n", 0644);
  ok &= put (root, "owner.txt", "o\n", 0644);
  ok &= chown (at (root, "owner.txt"), n ? 1234 : 0, -1) == 0;
  ok &= put (root, "same.txt", "same\n", 0644);
  /* Sealed the way a snapshot is without root: write bits off, the
     original mode in user.cowsnap.mode.  */
  ok &= put (root, "sealed.txt", "sealed\n", n ? 0644 : 0444);
  ok &= put (root, "sealed2.txt", "sealed2\n", n ? 0644 : 0444);
  if (!n)
    {
      ok &= setxattr (at (root, "sealed.txt"), "user.cowsnap.mode", "0644", 4,
                      0) == 0;
      ok &= setxattr (at (root, "sealed2.txt"), "user.cowsnap.mode", "0600",
                      4, 0) == 0;
    }
  ok &= put (root, "size.txt", n ? "abcd" : "abc", 0644);
  ok &= put (root, "xattr.txt", "x\n", 0644);
  ok &= setxattr (at (root, "xattr.txt"), "user.k", n ? "v2" : "v1", 2,
                  0) == 0;
  if (n)
    {
      ok &= link (at (root, "same.txt"), at (root, "hl2")) == 0;
      ok &= put (root, "nl\nname", "nl\n", 0644);
      ok &= mkdir (at (root, "t1"), 0755) == 0;
      ok &= put (root, "t1/inner", "i\n", 0644);
      ok &= put (root, "t2", "t2\n", 0644);
      ok &= mkdir (at (root, ".snapshot"), 0755) == 0;
      ok &= put (root, ".snapshot/x.2026-12-01T000000.000000Z", "s\n", 0444);
    }
  else
    {
      ok &= mkdir (at (root, "olddir"), 0755) == 0;
      ok &= put (root, "olddir/f", "f\n", 0644);
      ok &= put (root, "removed.txt", "r\n", 0644);
      ok &= put (root, "t1", "t1\n", 0644);
      ok &= mkdir (at (root, "t2"), 0755) == 0;
      ok &= put (root, "t2/child", "c\n", 0644);
    }
  ok &= nftw (root, set_time, 16, FTW_PHYS | FTW_DEPTH) == 0;
  return ok;
}

/* Diff BASE/A with BASE/B into a new string *OUT; return snap_diff_tree's
   value.  SKIP: leave out BASE/b/.snapshot.  */
static bool
diff_trees (char const *base, char const *a, char const *b, bool skip,
            char **out, struct snap_diff_stats *stats)
{
  size_t size;
  FILE *f = open_memstream (out, &size);
  int dfd = open (base, O_RDONLY | O_DIRECTORY);
  struct stat st;
  struct snap_diff_options opt = { .out = f, .name_a = a, .name_b = b };
  if (skip && stat (at (at (base, b), ".snapshot"), &st) == 0)
    {
      opt.skip = true;
      opt.skip_dev = st.st_dev;
      opt.skip_ino = st.st_ino;
    }
  *stats = (struct snap_diff_stats) { 0 };
  bool ok = snap_diff_tree (dfd, a, dfd, b, &opt, stats);
  fclose (f);
  close (dfd);
  return ok;
}

/* Print the lines of S as TAP comments, to show a failure.  */
static void
show (char const *label, char const *s)
{
  printf ("# %s:\n", label);
  for (char const *p = s; *p; )
    {
      char const *nl = strchr (p, '\n');
      int len = nl ? (int) (nl - p) : (int) strlen (p);
      printf ("#   %.*s\n", len, p);
      p += len + (nl != NULL);
    }
}

/* Remove the tree PATH.  */
static void
remove_tree (char const *path)
{
  char cmd[9000];
  snprintf (cmd, sizeof cmd, "rm -rf '%s'", path);
  run (cmd);
}

/* The tree tests on FS.  */
static void
test_trees (struct testfs const *fs)
{
  char base[4200];
  snprintf (base, sizeof base, "%s/snapdiff.XXXXXX", fs->dir);
  if (!mkdtemp (base))
    {
      tap_ok (false, "%s: make a directory: %s", fs->type, strerror (errno));
      return;
    }
  bool built = (build (at (base, "a"), OLD, NULL)
                && build (at (base, "b"), NEW, at (base, "a"))
                && build (at (base, "a2"), OLD, at (base, "a")));
  if (!built)
    {
      tap_ok (false, "%s: build the trees: %s", fs->type, strerror (errno));
      remove_tree (base);
      return;
    }
  char *out;
  struct snap_diff_stats st;
  bool ok = diff_trees (base, "a", "b", true, &out, &st);
  bool good = ok && strcmp (out, expected) == 0;
  tap_ok (good, "%s: each kind of change gives its exact line, in path "
          "order; .snapshot left out", fs->type);
  if (!good)
    {
      show ("got", out);
      show ("expected", expected);
    }
  if (fs->can_clone)
    tap_ok (ok && st.count.bytes_read < MIB
            && 4 * MIB <= st.count.bytes_same_extent,
            "%s: the cloned 4 MiB file is not read (%ju bytes read)",
            fs->type, st.count.bytes_read);
  else
    tap_ok (ok && 8 * MIB <= st.count.bytes_read,
            "%s: without sharing the 4 MiB file is read on both sides "
            "(%ju bytes read)", fs->type, st.count.bytes_read);
  free (out);

  ok = diff_trees (base, "a", "b", false, &out, &st);
  tap_ok (ok && strstr (out, "+...... .snapshot\n")
          && strstr (out, "+...... .snapshot/x.2026-12-01T000000.000000Z\n"),
          "%s: not told to leave .snapshot out, it is added", fs->type);
  free (out);

  ok = diff_trees (base, "a", "a2", true, &out, &st);
  tap_ok (ok && *out == '\0' && st.differ == 0 && 20 <= st.entries,
          "%s: a tree where nothing changed prints nothing (%ju entries "
          "compared)", fs->type, st.entries);
  if (*out)
    show ("got", out);
  free (out);

  /* Sealed as a snapshot without root (write bits off, the mode in
     user.cowsnap.mode), then with FS_IMMUTABLE_FL: still nothing.  */
  ok = (build (at (base, "a3"), OLD, at (base, "a"))
        && seal_tree (at (base, "a3"), SEAL_MODE)
        && diff_trees (base, "a3", "a", true, &out, &st));
  tap_ok (ok && *out == '\0' && 20 <= st.entries,
          "%s: against its copy sealed by taking write bits away, an "
          "unchanged tree prints nothing", fs->type);
  if (ok && *out)
    show ("got", out);
  if (ok)
    free (out);
  if (!seal_tree (at (base, "a2"), SEAL_FLAG))
    tap_skip ("immutable snapshot compared",
              "FS_IOC_SETFLAGS cannot set the immutable flag here");
  else
    {
      ok = diff_trees (base, "a2", "a", true, &out, &st);
      tap_ok (ok && *out == '\0' && 20 <= st.entries,
              "%s: against its copy sealed immutable, an unchanged tree "
              "prints nothing", fs->type);
      if (*out)
        show ("got", out);
      free (out);
    }
  seal_tree (at (base, "a2"), UNSEAL_FLAG);

  /* The roots themselves: a file against a file.  */
  ok = diff_trees (at (base, "a"), "content.txt", "size.txt", true, &out,
                   &st);
  tap_ok (ok && strcmp (out, "c...... .\n") == 0,
          "%s: two files compared as trees: one line for '.'", fs->type);
  free (out);
  remove_tree (base);
}

/* Make a chain of DEPTH directories "d" under ROOT (created) ending in
   a file "f" holding TEXT, by descriptors (the path is far longer than
   PATH_MAX).  Return true on success.  */
static bool
make_chain (char const *root, int depth, char const *text)
{
  if (mkdir (root, 0755) != 0)
    return false;
  int fd = open (root, O_RDONLY | O_DIRECTORY);
  for (int i = 0; 0 <= fd && i < depth; i++)
    {
      int next = (mkdirat (fd, "d", 0755) == 0
                  ? openat (fd, "d", O_RDONLY | O_DIRECTORY) : -1);
      close (fd);
      fd = next;
    }
  if (fd < 0)
    return false;
  int f = openat (fd, "f", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  size_t n = strlen (text);
  struct timespec ts[2] = { { .tv_sec = T0 }, { .tv_sec = T0 } };
  bool ok = (0 <= f && write (f, text, n) == (ssize_t) n
             && futimens (f, ts) == 0);
  if (0 <= f)
    close (f);
  close (fd);
  return ok;
}

/* Two chains of 3,000 directories, with a limit of 64 descriptors: the
   walk parks the directories above it and goes on in new stacks, and
   finds the one change at the bottom.  The directories' times differ
   (they were made at different moments): look for the file's line.  */
static void
test_deep (struct testfs const *fs)
{
  enum { DEPTH = 3000 };
  char base[4200];
  snprintf (base, sizeof base, "%s/snapdeep.XXXXXX", fs->dir);
  if (!mkdtemp (base))
    {
      tap_ok (false, "%s: make a directory: %s", fs->type, strerror (errno));
      return;
    }
  bool built = (make_chain (at (base, "a"), DEPTH, "old\n")
                && make_chain (at (base, "b"), DEPTH, "new\n"));
  struct rlimit old, low;
  getrlimit (RLIMIT_NOFILE, &old);
  low = old;
  low.rlim_cur = 64;
  setrlimit (RLIMIT_NOFILE, &low);
  char *out;
  struct snap_diff_stats st;
  bool ok = built && diff_trees (base, "a", "b", false, &out, &st);
  setrlimit (RLIMIT_NOFILE, &old);
  /* The expected line for the file: "c" then the path d/d/.../f.  */
  size_t plen = 2 * DEPTH + 1;
  char *want = xmalloc (8 + plen + 2);
  char *p = stpcpy (want, "c...... ");
  for (int i = 0; i < DEPTH; i++)
    p = stpcpy (p, "d/");
  stpcpy (p, "f\n");
  size_t lines = 0;
  for (char const *q = out; ok && *q; q++)
    lines += *q == '\n';
  char const *hit = ok ? strstr (out, want) : NULL;
  tap_ok (ok && hit && st.entries == DEPTH + 2,
          "%s: a 3,000-deep tree under a limit of 64 descriptors: the "
          "change at the bottom is found (%zu lines, %ju entries)", fs->type,
          lines, st.entries);
  if (ok)
    free (out);
  free (want);
  remove_tree (base);
}

/* A file diff prints "OFFSET+LENGTH" lines.  */
static void
test_file (struct testfs const *fs)
{
  char a[4200], b[4200];
  snprintf (a, sizeof a, "%s/sd-fa", fs->dir);
  snprintf (b, sizeof b, "%s/sd-fb", fs->dir);
  int fa = open (a, O_RDWR | O_CREAT | O_TRUNC, 0644);
  int fb = open (b, O_RDWR | O_CREAT | O_TRUNC, 0644);
  static char buf[MIB];
  memset (buf, 'q', sizeof buf);
  bool ok = 0 <= fa && 0 <= fb && write (fa, buf, MIB) == MIB;
  ok &= ioctl (fb, FICLONE, fa) == 0 || write (fb, buf, MIB) == MIB;
  ok &= pwrite (fb, "Z", 1, 65536 + 17) == 1;
  ok &= pwrite (fb, "ZZ", 2, MIB + 98) == 2;
  char *out;
  size_t size;
  FILE *f = open_memstream (&out, &size);
  struct snap_diff_options opt = { .out = f, .name_a = a, .name_b = b };
  struct snap_diff_stats st = { 0 };
  ok &= snap_diff_file (fa, fb, &opt, &st);
  fclose (f);
  tap_ok (ok && strcmp (out, "65536+4096\n1048576+100\n") == 0
          && st.differ == 2,
          "%s: a file diff prints the changed block and the tail as "
          "OFFSET+LENGTH", fs->type);
  free (out);
  close (fa);
  close (fb);
  unlink (a);
  unlink (b);
}

int
main (int argc _GL_UNUSED, char **argv)
{
  set_program_name (argv[0]);
  struct testfs fss[TESTFS_MAX];
  char tmpdir[4096];
  int n = testfs_list (fss, tmpdir, "snapdiff");
  if (n < 0)
    return 1;

  bool root = geteuid () == 0;
  bool acl = run ("command -v setfacl >/dev/null 2>&1");
  for (int i = 0; i < n; i++)
    {
      if (!root)
        tap_skip (fss[i].type, "the tree tests need root (chown, mknod)");
      else if (!acl)
        tap_skip (fss[i].type, "the tree tests need setfacl (package acl)");
      else
        test_trees (&fss[i]);
      test_deep (&fss[i]);
      test_file (&fss[i]);
    }
  rmdir (tmpdir);
  return tap_done ();
}
