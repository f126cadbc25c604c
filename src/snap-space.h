/* SPDX-License-Identifier: GPL-3.0-or-later */
/* snap-space.h -- where cowsnap keeps snapshots: the .snapshot
   namespace of a filesystem, the names of snapshots in it, and the
   marker that says cowsnap made it.

   The snapshots of PATH live in ROOT/.snapshot/, ROOT being the
   mount point or btrfs subvolume root that holds PATH (the topmost
   ancestor of PATH's directory on its device; on btrfs every
   subvolume has a device of its own).  The snapshot of ROOT/a/b/f is
   ROOT/.snapshot/a/b/f.STAMP, or f.NAME for a named one; ROOT itself is
   called "@".  STAMP is the UTC time "YYYY-MM-DDTHHMMSS.uuuuuuZ", which
   sorts as text; a NAME has no '.' and no '/'.  So an entry "f.X" of
   that directory is a snapshot of f exactly when X is a stamp or has no
   '.'.  --dir DIR puts the namespace in DIR instead.  */

#ifndef SNAP_SPACE_H
#define SNAP_SPACE_H

#include <stdbool.h>
#include <sys/stat.h>
#include <time.h>

/* The length of a stamp, without its terminating null.  */
enum { SNAP_STAMP_LEN = 25 };

/* The marker file in a namespace, and what it holds.  */
#define SNAP_MARKER ".cowsnap"
#define SNAP_MARKER_TEXT "cowsnap namespace 1\n"

/* Where the snapshots of one path are.  */
struct snap_place
{
  char *path;       /* the path, absolute, symlinks resolved */
  char *root;       /* the mount point or subvolume root holding it */
  char *space;      /* the namespace: ROOT/.snapshot, or --dir */
  char *dir;        /* the directory of its snapshots in SPACE */
  char *base;       /* their names' first part: PATH's last component,
                       or "@" for ROOT itself */
  struct stat st;   /* PATH's status */
  bool in_space;    /* PATH is the namespace or inside it */
};

/* Fill *P for PATH, with the namespace DIR when not NULL.  Return true,
   or false with errno set when PATH or DIR cannot be looked at (errno
   EXDEV: DIR is on another filesystem than PATH).  */
bool snap_place_find (char const *path, char const *dir, struct snap_place *p);

/* Release what *P holds.  */
void snap_place_free (struct snap_place *p);

/* Write the stamp of time T, SNAP_STAMP_LEN bytes and a null, to BUF.  */
void snap_stamp (struct timespec t, char *buf);

/* Return true if S is a stamp, and put its time in *T when T is not
   NULL.  */
bool snap_stamp_parse (char const *s, struct timespec *t);

/* Return true if NAME may name a snapshot: not empty, no '.', no '/'.  */
bool snap_name_valid (char const *name);

/* If directory entry E is a snapshot of BASE (BASE.STAMP or BASE.NAME),
   return what follows "BASE.", else NULL.  */
char const *snap_suffix (char const *e, char const *base);

/* Make sure the namespace SPACE exists and has the marker, creating it
   (a btrfs subvolume on btrfs, so that snapshots of a subvolume never
   hold it; a directory elsewhere) when CREATE.  Return true, or false
   with errno set.  */
bool snap_space_ready (char const *space, bool create);

/* Make directory P->dir and its parents inside P->space, each with the
   permission bits of the directory it stands for.  Return true, or false
   with errno set.  */
bool snap_dir_ready (struct snap_place const *p);

/* If NAME lies strictly inside a namespace that cowsnap made (one with
   its marker), return that namespace's name, newly allocated; else NULL
   with errno set.  NAME itself is not followed if it is a symlink.  */
char *snap_space_of (char const *name);

/* The name of the type of the filesystem holding the file open as FD,
   e.g. "ext4", or its magic number in hex; in BUF of SIZE bytes.  Set
   *CAN_SHARE to whether that type can share data between files.  */
char const *snap_fs_type (int fd, char *buf, size_t size, bool *can_share);

/* Return true if the directory open as FD is a btrfs subvolume root.  */
bool snap_is_subvolume (int fd);

/* Return true if NAME (not followed if a symlink) is a btrfs subvolume
   root.  */
bool snap_is_subvolume_name (char const *name);

#endif /* SNAP_SPACE_H */
