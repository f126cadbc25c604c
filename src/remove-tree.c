/* SPDX-License-Identifier: GPL-3.0-or-later */
/* remove-tree.c -- remove a file or a whole tree with directory
   descriptors, as rm -rf does: the last step of a move across
   filesystems, once the copy is complete.  */

#include "system.h"

#include <dirent.h>

#include "diag.h"
#include "filenamecat.h"
#include "remove-tree.h"
#include "savedir.h"

static bool remove_at (int dirfd, char const *rel, char const *name,
                       bool verbose, bool made);

/* Remove the entries of the open directory FD (called NAME) and close
   it.  With VERBOSE, say what is removed; MADE as for remove_at.  Return
   true if all went.  */
static bool
remove_entries (int fd, char const *name, bool verbose, bool made)
{
  DIR *dir = fdopendir (fd);
  char *names = dir ? streamsavedir (dir, SAVEDIR_SORT_FASTREAD) : NULL;
  if (!names)
    {
      diag_error (errno, _("cannot remove %s"), quoteaf (name));
      if (dir)
        closedir (dir);
      else
        close (fd);
      return false;
    }
  bool ok = true;
  for (char const *n = names; *n; n += strlen (n) + 1)
    {
      char *child = file_name_concat (name, n, NULL);
      ok &= remove_at (dirfd (dir), n, child, verbose, made);
      free (child);
    }
  free (names);
  closedir (dir);
  return ok;
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
    diag_line (_("removed %s"), quoteaf (name));
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
remove_at (int dirfd, char const *rel, char const *name, bool verbose,
           bool made)
{
  /* Most entries are not directories: try that first, one call.  */
  if (unlinkat (dirfd, rel, 0) == 0)
    {
      if (verbose)
        diag_line (_("removed %s"), quoteaf (name));
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
      diag_error (err, _("cannot remove %s"), quoteaf (name));
      return false;
    }
  int fd = open_to_empty (dirfd, rel, made);
  if (fd < 0)
    {
      diag_error (errno, _("cannot remove %s"), quoteaf (name));
      return false;
    }
  bool ok = remove_entries (fd, name, verbose, made);
  if (ok && unlinkat (dirfd, rel, AT_REMOVEDIR) != 0)
    {
      diag_error (errno, _("cannot remove %s"), quoteaf (name));
      ok = false;
    }
  else if (ok && verbose)
    diag_line (_("removed directory %s"), quoteaf (name));
  return ok;
}

/* Remove entry REL of directory DIRFD, called NAME; see remove-tree.h.  */
bool
remove_tree (int dirfd, char const *rel, char const *name, bool verbose)
{
  return remove_at (dirfd, rel, name, verbose, false);
}

/* Remove a tree this process made; see remove-tree.h.  */
bool
remove_tree_made (int dirfd, char const *rel, char const *name)
{
  return remove_at (dirfd, rel, name, false, true);
}
