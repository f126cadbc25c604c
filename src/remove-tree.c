/* SPDX-License-Identifier: GPL-3.0-or-later */
/* remove-tree.c -- remove a file or a whole tree with directory
   descriptors, as rm -rf does: the last step of a move across
   filesystems, once the copy is complete.  */

#include "system.h"

#include <dirent.h>

#include "diag.h"
#include "dirname.h"
#include "remove-tree.h"
#include "savedir.h"
#include "xalloc.h"

/* The name of the entry being removed, for messages: one buffer for
   the whole tree, each level appending its entry's name and cutting it
   off again, so that a deep tree costs memory in proportion to its
   depth.  */
struct rm_name
{
  char *buf;
  size_t len;
  size_t size;
};

static bool remove_at (int dirfd, char const *rel, struct rm_name *name,
                       bool verbose, bool made);

/* Return where, in NAME of length LEN, a name below it is joined on, as
   file_name_concat joins them: after the last character that is not a
   trailing slash of an operand's name.  */
static size_t
rm_name_base (struct rm_name const *name, size_t len)
{
  while (1 < len && name->buf[len - 1] == '/')
    len--;
  return len;
}

/* Make NAME hold its entry E, joined on at BASE (rm_name_base), with
   one slash between.  */
static void
rm_name_push (struct rm_name *name, size_t base, char const *e)
{
  bool slash = 0 < base && name->buf[base - 1] != '/';
  size_t elen = strlen (e);
  size_t need = base + slash + elen + 1;
  if (name->size < need)
    {
      name->size = need < 2 * name->size ? 2 * name->size : need;
      name->buf = xrealloc (name->buf, name->size);
    }
  if (slash)
    name->buf[base] = '/';
  memcpy (name->buf + base + slash, e, elen + 1);
  name->len = base + slash + elen;
}

/* Make NAME the LEN bytes it was before rm_name_push at BASE: the
   trailing slashes between were all it overwrote.  */
static void
rm_name_pop (struct rm_name *name, size_t base, size_t len)
{
  memset (name->buf + base, '/', len - base);
  name->buf[len] = '\0';
  name->len = len;
}

/* Remove the entries of the open directory FD (called NAME) and close
   it.  With VERBOSE, say what is removed; MADE as for remove_at.  Return
   true if all went.  */
static bool
remove_entries (int fd, struct rm_name *name, bool verbose, bool made)
{
  DIR *dir = fdopendir (fd);
  char *names = dir ? streamsavedir (dir, SAVEDIR_SORT_FASTREAD) : NULL;
  if (!names)
    {
      diag_error (errno, _("cannot remove %s"), quoteaf (name->buf));
      if (dir)
        closedir (dir);
      else
        close (fd);
      return false;
    }
  bool ok = true;
  /* The stream's buffer (32 KiB) is of no use once the names are read,
     and a deep tree holds one per level: keep a bare descriptor.  */
  int dfd = dup (dirfd (dir));
  if (0 <= dfd)
    {
      closedir (dir);
      dir = NULL;
    }
  else
    dfd = dirfd (dir);
  size_t len = name->len, base = rm_name_base (name, len);
  for (char const *n = names; *n; n += strlen (n) + 1)
    {
      rm_name_push (name, base, n);
      ok &= remove_at (dfd, n, name, verbose, made);
      rm_name_pop (name, base, len);
    }
  free (names);
  if (dir)
    closedir (dir);
  else
    close (dfd);
  return ok;
}

/* Say removed; see remove-tree.h.  */
void
remove_tree_say_removed (char const *name)
{
  diag_line (_("removed %s"), quoteaf (name));
}

/* Remove one non-directory; see remove-tree.h.  */
bool
remove_entry (int dirfd, char const *rel, char const *name, bool verbose)
{
  if (unlinkat (dirfd, rel, 0) != 0 && errno != ENOENT)
    {
      diag_error (errno, _("cannot remove %s"), quoteaf (name));
      return false;
    }
  if (verbose)
    remove_tree_say_removed (name);
  return true;
}

/* Open directory REL of DIRFD to remove its entries.  With MADE (a tree
   this process made) make it ours to read, search and write first where
   it is not: it may have been given its source's mode (0555, say) before
   the copy it belongs to was abandoned.  Return the descriptor, or -1
   with errno set.  */
static int
open_to_empty (int dirfd, char const *rel, bool made)
{
  int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  int fd = openat (dirfd, rel, flags);
  if (fd < 0 && errno == EACCES && made
      && fchmodat (dirfd, rel, S_IRWXU, 0) == 0)
    fd = openat (dirfd, rel, flags);
  struct stat st;
  if (0 <= fd && made && fstat (fd, &st) == 0
      && (st.st_mode & S_IRWXU) != S_IRWXU)
    fchmod (fd, (st.st_mode & CHMOD_MODE_BITS) | S_IRWXU);
  return fd;
}

/* Remove entry REL of directory DIRFD, called NAME, as remove_tree
   does; with MADE as remove_tree_made does.  */
static bool
remove_at (int dirfd, char const *rel, struct rm_name *name, bool verbose,
           bool made)
{
  /* Most entries are not directories: try that first, one call.  */
  if (unlinkat (dirfd, rel, 0) == 0)
    {
      if (verbose)
        remove_tree_say_removed (name->buf);
      return true;
    }
  if (errno == ENOENT)
    return true;
  /* Linux says EISDIR for a directory, but EPERM for an immutable one
     and EACCES for one in a directory we may not write: its entries are
     removed all the same, as rm removes what it can.  */
  struct stat st;
  int err = errno;
  if (err != EISDIR
      && !((err == EPERM || err == EACCES)
           && fstatat (dirfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0
           && S_ISDIR (st.st_mode)))
    {
      diag_error (err, _("cannot remove %s"), quoteaf (name->buf));
      return false;
    }
  int fd = open_to_empty (dirfd, rel, made);
  if (fd < 0)
    {
      diag_error (errno, _("cannot remove %s"), quoteaf (name->buf));
      return false;
    }
  bool ok = remove_entries (fd, name, verbose, made);
  if (ok && unlinkat (dirfd, rel, AT_REMOVEDIR) != 0)
    {
      diag_error (errno, _("cannot remove %s"), quoteaf (name->buf));
      ok = false;
    }
  else if (ok && verbose)
    diag_line (_("removed directory %s"), quoteaf (name->buf));
  return ok;
}

/* Remove entry REL of directory DIRFD, called NAME; see remove-tree.h.  */
bool
remove_tree (int dirfd, char const *rel, char const *name, bool verbose)
{
  /* rm's refusal, which GNU mv's removal of a source "d/." meets.  */
  if (dot_or_dotdot (last_component (rel)))
    {
      diag_error (0, _("refusing to remove %s or %s directory: skipping %s"),
                  quoteaf_n (0, "."), quoteaf_n (1, ".."),
                  quoteaf_n (2, name));
      return false;
    }
  struct rm_name n = { .buf = xstrdup (name), .len = strlen (name) };
  n.size = n.len + 1;
  bool ok = remove_at (dirfd, rel, &n, verbose, false);
  free (n.buf);
  return ok;
}

/* Remove a tree this process made; see remove-tree.h.  */
bool
remove_tree_made (int dirfd, char const *rel, char const *name)
{
  struct rm_name n = { .buf = xstrdup (name), .len = strlen (name) };
  n.size = n.len + 1;
  bool ok = remove_at (dirfd, rel, &n, false, true);
  free (n.buf);
  return ok;
}
