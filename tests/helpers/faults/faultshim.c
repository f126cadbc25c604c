/* SPDX-License-Identifier: GPL-3.0-or-later */
/* faultshim -- LD_PRELOAD library that makes chosen libc calls fail.

   Build:
     gcc -shared -fPIC -O2 -Wall -Wextra -o faultshim.so faultshim.c -ldl

   Configuration, read once at load time from the environment:

     COWFAULT="NAME=ERRNO[@N],NAME=ERRNO[@N],..."

   NAME is one of
     ficlone         ioctl (fd, FICLONE, ...)       other ioctls pass through
     ficlonerange    ioctl (fd, FICLONERANGE, ...)
     copy_file_range copy_file_range
     sendfile        sendfile, sendfile64
     write           write
     read            read, __read_chk
     fsync           fsync
     fdatasync       fdatasync
     ftruncate       ftruncate, ftruncate64
     seek_data       lseek/lseek64 with SEEK_DATA   other whences pass through
     seek_hole       lseek/lseek64 with SEEK_HOLE
     open            open, open64, openat, openat64, creat, __open_2, ...
   ERRNO is a symbolic name from the table below (EIO, ENOSPC, ...) or a
   decimal number.  "@N" (N >= 1) makes only the Nth and later matching
   calls of that NAME fail; the first N-1 pass through, so that "some
   output, then an error" can be simulated.  Without "@N" every matching
   call fails.

   For the calls that move a byte count (read, write, copy_file_range,
   sendfile) the value may instead be "short":

     NAME=short[@N]

   makes the Nth and later matching calls move only half of the bytes
   asked for (at least one): a short transfer, which is not an error and
   which the caller must continue from where it stopped.  A NAME may have
   one "short" entry and one errno entry, counted on the same calls:
   "write=short@2,write=ENOSPC@3" is one full write, one short write, then
   ENOSPC -- what a filling disk does.  The errno entry wins from its own
   N on.

   For ficlone the value may instead be "grow":

     ficlone=grow[@N]

   lets the Nth and later matching clones happen, then appends one byte
   to the clone's source (reopened for writing through /proc/self/fd):
   a writer that changes the file while it is being snapshotted, at the
   worst moment, every time.

     COWFAULT_PATH=SUBSTRING

   restricts every fault to calls whose descriptor's /proc/self/fd link
   contains SUBSTRING, so that writes to stdout/stderr or reads of locale
   files are never hit.  The descriptor tested is: the output descriptor for
   copy_file_range and sendfile; the ioctl's descriptor (the clone
   destination) for ficlone/ficlonerange; the only descriptor for the others.
   For open the pathname argument itself is tested, as given (relative
   names are not resolved).  Calls that do not match the path are neither
   failed nor counted for "@N".

   A malformed COWFAULT (unknown NAME or ERRNO, bad "@N") prints a message
   to stderr and aborts the process, so a typo cannot make a test pass.

   AddressSanitizer: an ASan program refuses to start when another library
   precedes the ASan runtime; run it with
     ASAN_OPTIONS=verify_asan_link_order=0
   (the with_faults helper in tests/helpers/common.bash does so).  The shim
   allocates nothing and resolves the real functions with dlsym (RTLD_NEXT),
   which then finds ASan's interceptors.

   Calls made inside the C library (stdio's own writes, for instance) do not
   go through the dynamic symbol table and are not seen by the shim.  */

#define _GNU_SOURCE 1

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/types.h>
#include <unistd.h>

/* The kinds of call a COWFAULT entry can name.  */
enum fault_kind
{
  F_FICLONE,
  F_FICLONERANGE,
  F_COPY_FILE_RANGE,
  F_SENDFILE,
  F_WRITE,
  F_READ,
  F_FSYNC,
  F_FDATASYNC,
  F_FTRUNCATE,
  F_SEEK_DATA,
  F_SEEK_HOLE,
  F_OPEN,
  F_KIND_COUNT
};

static char const *const kind_names[F_KIND_COUNT] = {
  [F_FICLONE] = "ficlone",
  [F_FICLONERANGE] = "ficlonerange",
  [F_COPY_FILE_RANGE] = "copy_file_range",
  [F_SENDFILE] = "sendfile",
  [F_WRITE] = "write",
  [F_READ] = "read",
  [F_FSYNC] = "fsync",
  [F_FDATASYNC] = "fdatasync",
  [F_FTRUNCATE] = "ftruncate",
  [F_SEEK_DATA] = "seek_data",
  [F_SEEK_HOLE] = "seek_hole",
  [F_OPEN] = "open",
};

struct errno_name
{
  char const *name;
  int value;
};

#define E(x) { #x, x }
static struct errno_name const errno_table[] = {
  E (EPERM), E (ENOENT), E (ESRCH), E (EINTR), E (EIO), E (ENXIO),
  E (E2BIG), E (EBADF), E (EAGAIN), E (EWOULDBLOCK), E (ENOMEM),
  E (EACCES), E (EFAULT), E (EBUSY), E (EEXIST), E (EXDEV), E (ENODEV),
  E (ENOTDIR), E (EISDIR), E (EINVAL), E (ENFILE), E (EMFILE),
  E (ENOTTY), E (ETXTBSY), E (EFBIG), E (ENOSPC), E (ESPIPE), E (EROFS),
  E (EMLINK), E (EPIPE), E (ERANGE), E (ENAMETOOLONG), E (ENOLCK),
  E (ENOSYS), E (ENOTEMPTY), E (ELOOP), E (ENODATA), E (EOVERFLOW),
  E (EILSEQ), E (EOPNOTSUPP), E (ENOTSUP), E (ESTALE), E (EDQUOT),
  E (ECANCELED), E (ENOMEDIUM), E (EMEDIUMTYPE), E (ETIMEDOUT),
};
#undef E

/* One configured fault: fail with ERR from the FROM-th matching call on,
   and shorten the transfer from the SHORT_FROM-th on.  ERR == 0 and
   SHORT_FROM == 0 mean "not configured".  CALLS counts matching calls.  */
struct fault
{
  int err;
  unsigned long from;
  unsigned long short_from;
  unsigned long grow_from;
  unsigned long calls;
};

/* Whether KIND moves a byte count, so that "short" makes sense for it.  */
static bool
kind_can_be_short (int kind)
{
  return (kind == F_READ || kind == F_WRITE || kind == F_COPY_FILE_RANGE
          || kind == F_SENDFILE);
}

static struct fault faults[F_KIND_COUNT];
static char const *fault_path;
static bool initialized;

static _Noreturn void
config_error (char const *what, char const *spec, size_t len)
{
  fprintf (stderr, "faultshim: %s in COWFAULT: '%.*s'\n", what, (int) len,
           spec);
  abort ();
}

/* Return the errno value named by the LEN bytes at S, or abort.  */
static int
parse_errno (char const *s, size_t len, char const *entry, size_t elen)
{
  if (len == 0)
    config_error ("missing errno", entry, elen);
  if ('0' <= s[0] && s[0] <= '9')
    {
      char *end;
      long v = strtol (s, &end, 10);
      if ((size_t) (end - s) != len || v <= 0 || v > 4095)
        config_error ("bad errno number", entry, elen);
      return v;
    }
  for (size_t i = 0; i < sizeof errno_table / sizeof errno_table[0]; i++)
    if (strlen (errno_table[i].name) == len
        && memcmp (errno_table[i].name, s, len) == 0)
      return errno_table[i].value;
  config_error ("unknown errno name", entry, elen);
}

/* Parse one "NAME=ERRNO[@N]" entry of LEN bytes at ENTRY.  */
static void
parse_entry (char const *entry, size_t len)
{
  char const *eq = memchr (entry, '=', len);
  if (!eq)
    config_error ("missing '='", entry, len);
  size_t nlen = eq - entry;
  int kind = -1;
  for (int k = 0; k < F_KIND_COUNT; k++)
    if (strlen (kind_names[k]) == nlen
        && memcmp (kind_names[k], entry, nlen) == 0)
      kind = k;
  if (kind < 0)
    config_error ("unknown call name", entry, len);

  char const *val = eq + 1;
  size_t vlen = entry + len - val;
  char const *at = memchr (val, '@', vlen);
  unsigned long from = 1;
  if (at)
    {
      char *end;
      if (at[1] < '1' || at[1] > '9')
        config_error ("bad '@N'", entry, len);
      from = strtoul (at + 1, &end, 10);
      if (end != entry + len)
        config_error ("bad '@N'", entry, len);
      vlen = at - val;
    }
  if (vlen == 4 && memcmp (val, "grow", 4) == 0)
    {
      if (kind != F_FICLONE)
        config_error ("'grow' for a call other than ficlone", entry, len);
      faults[kind].grow_from = from;
      return;
    }
  if (vlen == 5 && memcmp (val, "short", 5) == 0)
    {
      if (!kind_can_be_short (kind))
        config_error ("'short' for a call without a byte count", entry,
                      len);
      faults[kind].short_from = from;
      return;
    }
  faults[kind].err = parse_errno (val, vlen, entry, len);
  faults[kind].from = from;
}

static void
init (void)
{
  if (initialized)
    return;
  initialized = true;
  char const *spec = getenv ("COWFAULT");
  fault_path = getenv ("COWFAULT_PATH");
  if (fault_path && !*fault_path)
    fault_path = NULL;
  if (!spec)
    return;
  for (char const *p = spec; *p;)
    {
      size_t len = strcspn (p, ",");
      if (len > 0)
        parse_entry (p, len);
      p += len;
      if (*p == ',')
        p++;
    }
}

static void __attribute__ ((constructor))
faultshim_init (void)
{
  init ();
}

/* Does descriptor FD name a file whose /proc/self/fd link contains
   COWFAULT_PATH?  True when no path restriction is set.  */
static bool
fd_matches (int fd)
{
  if (!fault_path)
    return true;
  int saved_errno = errno;
  char link[64];
  char target[4096];
  snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink (link, target, sizeof target - 1);
  errno = saved_errno;
  if (n < 0)
    return false;
  target[n] = '\0';
  return strstr (target, fault_path) != NULL;
}

static bool
path_matches (char const *name)
{
  return !fault_path || (name && strstr (name, fault_path));
}

static bool should_fault (enum fault_kind kind, bool matches,
                          size_t *count);

/* Decide whether this call of KIND fails.  MATCHES says whether the call's
   descriptor or name passed the COWFAULT_PATH test.  If the call is to
   fail, set errno and return true.  The check of ERR first keeps the
   common, unconfigured path to one load.  */
static bool
should_fail (enum fault_kind kind, bool matches)
{
  return should_fault (kind, matches, NULL);
}

/* Like should_fail, for a call that moves *COUNT bytes: when the call is
   to be short rather than fail, halve *COUNT (keeping at least 1) and
   return false.  */
static bool
should_fault (enum fault_kind kind, bool matches, size_t *count)
{
  init ();
  struct fault *f = &faults[kind];
  if ((!f->err && !f->short_from) || !matches)
    return false;
  unsigned long n = __atomic_add_fetch (&f->calls, 1, __ATOMIC_RELAXED);
  if (f->err && n >= f->from)
    {
      errno = f->err;
      return true;
    }
  if (count && f->short_from && n >= f->short_from && *count > 1)
    *count /= 2;
  return false;
}

/* Lazily resolve the next definition of NAME into *SLOT.  */
static void *
real (void **slot, char const *name)
{
  void *p = __atomic_load_n (slot, __ATOMIC_ACQUIRE);
  if (!p)
    {
      p = dlsym (RTLD_NEXT, name);
      if (!p)
        {
          fprintf (stderr, "faultshim: cannot resolve %s\n", name);
          abort ();
        }
      __atomic_store_n (slot, p, __ATOMIC_RELEASE);
    }
  return p;
}

#define REAL(type, name) \
  static void *real_##name; \
  __typeof__ (type) name##_fn = (type) real (&real_##name, #name)

/* Only consult the fd's path when a fault of KIND is configured: the
   readlink is not free, and unconfigured calls must stay transparent.  */
#define FD_FAULT(kind, fd) \
  (faults[kind].err && should_fail (kind, fd_matches (fd)))

/* The same for a call moving *COUNTP bytes, which "short" may reduce.  */
#define FD_FAULT_N(kind, fd, countp) \
  ((faults[kind].err || faults[kind].short_from) \
   && should_fault (kind, fd_matches (fd), countp))

int
ioctl (int fd, unsigned long request, ...)
{
  REAL (int (*) (int, unsigned long, void *), ioctl);
  va_list ap;
  va_start (ap, request);
  void *arg = va_arg (ap, void *);
  va_end (ap);
  init ();
  if (request == FICLONE && FD_FAULT (F_FICLONE, fd))
    return -1;
  if (request == FICLONE && faults[F_FICLONE].grow_from && fd_matches (fd))
    {
      unsigned long n = __atomic_add_fetch (&faults[F_FICLONE].calls, 1,
                                            __ATOMIC_RELAXED);
      int r = ioctl_fn (fd, request, arg);
      if (r == 0 && faults[F_FICLONE].grow_from <= n)
        {
          int saved = errno;
          char proc[64];
          snprintf (proc, sizeof proc, "/proc/self/fd/%d",
                    (int) (intptr_t) arg);
          REAL (int (*) (char const *, int, ...), open);
          int w = open_fn (proc, O_WRONLY | O_APPEND | O_CLOEXEC);
          if (w < 0 || write (w, "x", 1) != 1)
            {
              fprintf (stderr, "faultshim: cannot grow %s\n", proc);
              abort ();
            }
          close (w);
          errno = saved;
        }
      return r;
    }
  if (request == FICLONERANGE && FD_FAULT (F_FICLONERANGE, fd))
    return -1;
  return ioctl_fn (fd, request, arg);
}

ssize_t
copy_file_range (int fd_in, off_t *off_in, int fd_out, off_t *off_out,
                 size_t len, unsigned int flags)
{
  REAL (ssize_t (*) (int, off_t *, int, off_t *, size_t, unsigned int),
        copy_file_range);
  init ();
  if (FD_FAULT_N (F_COPY_FILE_RANGE, fd_out, &len))
    return -1;
  return copy_file_range_fn (fd_in, off_in, fd_out, off_out, len, flags);
}

ssize_t
sendfile (int out_fd, int in_fd, off_t *offset, size_t count)
{
  REAL (ssize_t (*) (int, int, off_t *, size_t), sendfile);
  init ();
  if (FD_FAULT_N (F_SENDFILE, out_fd, &count))
    return -1;
  return sendfile_fn (out_fd, in_fd, offset, count);
}

ssize_t
sendfile64 (int out_fd, int in_fd, off64_t *offset, size_t count)
{
  REAL (ssize_t (*) (int, int, off64_t *, size_t), sendfile64);
  init ();
  if (FD_FAULT_N (F_SENDFILE, out_fd, &count))
    return -1;
  return sendfile64_fn (out_fd, in_fd, offset, count);
}

ssize_t
write (int fd, void const *buf, size_t count)
{
  REAL (ssize_t (*) (int, void const *, size_t), write);
  init ();
  if (FD_FAULT_N (F_WRITE, fd, &count))
    return -1;
  return write_fn (fd, buf, count);
}

ssize_t
read (int fd, void *buf, size_t count)
{
  REAL (ssize_t (*) (int, void *, size_t), read);
  init ();
  if (FD_FAULT_N (F_READ, fd, &count))
    return -1;
  return read_fn (fd, buf, count);
}

/* What read becomes under _FORTIFY_SOURCE when the buffer size is known.  */
ssize_t __read_chk (int fd, void *buf, size_t count, size_t buflen);
ssize_t
__read_chk (int fd, void *buf, size_t count, size_t buflen)
{
  REAL (ssize_t (*) (int, void *, size_t, size_t), __read_chk);
  init ();
  if (FD_FAULT_N (F_READ, fd, &count))
    return -1;
  return __read_chk_fn (fd, buf, count, buflen);
}

int
fsync (int fd)
{
  REAL (int (*) (int), fsync);
  init ();
  if (FD_FAULT (F_FSYNC, fd))
    return -1;
  return fsync_fn (fd);
}

int
fdatasync (int fd)
{
  REAL (int (*) (int), fdatasync);
  init ();
  if (FD_FAULT (F_FDATASYNC, fd))
    return -1;
  return fdatasync_fn (fd);
}

int
ftruncate (int fd, off_t length)
{
  REAL (int (*) (int, off_t), ftruncate);
  init ();
  if (FD_FAULT (F_FTRUNCATE, fd))
    return -1;
  return ftruncate_fn (fd, length);
}

int
ftruncate64 (int fd, off64_t length)
{
  REAL (int (*) (int, off64_t), ftruncate64);
  init ();
  if (FD_FAULT (F_FTRUNCATE, fd))
    return -1;
  return ftruncate64_fn (fd, length);
}

/* Does an lseek with WHENCE on FD fail?  */
static bool
seek_fails (int fd, int whence)
{
  init ();
  if (whence == SEEK_DATA)
    return FD_FAULT (F_SEEK_DATA, fd);
  if (whence == SEEK_HOLE)
    return FD_FAULT (F_SEEK_HOLE, fd);
  return false;
}

off_t
lseek (int fd, off_t offset, int whence)
{
  REAL (off_t (*) (int, off_t, int), lseek);
  if (seek_fails (fd, whence))
    return -1;
  return lseek_fn (fd, offset, whence);
}

off64_t
lseek64 (int fd, off64_t offset, int whence)
{
  REAL (off64_t (*) (int, off64_t, int), lseek64);
  if (seek_fails (fd, whence))
    return -1;
  return lseek64_fn (fd, offset, whence);
}

/* The open family.  The mode argument exists only with O_CREAT or
   O_TMPFILE; reading it otherwise is harmless on the ABIs we run on, but
   do it only when it is there.  */
static bool
open_fails (char const *name)
{
  init ();
  return faults[F_OPEN].err && should_fail (F_OPEN, path_matches (name));
}

#define OPEN_MODE(flags, last) \
  mode_t mode = 0; \
  if ((flags) & O_CREAT || ((flags) & O_TMPFILE) == O_TMPFILE) \
    { \
      va_list ap; \
      va_start (ap, last); \
      mode = va_arg (ap, mode_t); \
      va_end (ap); \
    }

int
open (char const *name, int flags, ...)
{
  REAL (int (*) (char const *, int, ...), open);
  OPEN_MODE (flags, flags);
  if (open_fails (name))
    return -1;
  return open_fn (name, flags, mode);
}

int
open64 (char const *name, int flags, ...)
{
  REAL (int (*) (char const *, int, ...), open64);
  OPEN_MODE (flags, flags);
  if (open_fails (name))
    return -1;
  return open64_fn (name, flags, mode);
}

int
openat (int dirfd, char const *name, int flags, ...)
{
  REAL (int (*) (int, char const *, int, ...), openat);
  OPEN_MODE (flags, flags);
  if (open_fails (name))
    return -1;
  return openat_fn (dirfd, name, flags, mode);
}

int
openat64 (int dirfd, char const *name, int flags, ...)
{
  REAL (int (*) (int, char const *, int, ...), openat64);
  OPEN_MODE (flags, flags);
  if (open_fails (name))
    return -1;
  return openat64_fn (dirfd, name, flags, mode);
}

int
creat (char const *name, mode_t mode)
{
  REAL (int (*) (char const *, mode_t), creat);
  if (open_fails (name))
    return -1;
  return creat_fn (name, mode);
}

/* The _FORTIFY_SOURCE entry points for open without a mode.  */
int __open_2 (char const *name, int flags);
int __open64_2 (char const *name, int flags);
int __openat_2 (int dirfd, char const *name, int flags);
int __openat64_2 (int dirfd, char const *name, int flags);

int
__open_2 (char const *name, int flags)
{
  REAL (int (*) (char const *, int), __open_2);
  if (open_fails (name))
    return -1;
  return __open_2_fn (name, flags);
}

int
__open64_2 (char const *name, int flags)
{
  REAL (int (*) (char const *, int), __open64_2);
  if (open_fails (name))
    return -1;
  return __open64_2_fn (name, flags);
}

int
__openat_2 (int dirfd, char const *name, int flags)
{
  REAL (int (*) (int, char const *, int), __openat_2);
  if (open_fails (name))
    return -1;
  return __openat_2_fn (dirfd, name, flags);
}

int
__openat64_2 (int dirfd, char const *name, int flags)
{
  REAL (int (*) (int, char const *, int), __openat64_2);
  if (open_fails (name))
    return -1;
  return __openat64_2_fn (dirfd, name, flags);
}
