/* SPDX-License-Identifier: GPL-3.0-or-later */
/* snap-seal.h -- make a snapshot read-only, and undo it.

   A snapshot is sealed in one of two ways, chosen per snapshot:
   - immutable: every regular file and directory gets the immutable
     inode flag (FS_IMMUTABLE_FL; needs CAP_LINUX_IMMUTABLE, so root),
     and keeps its exact mode;
   - mode: every regular file and directory loses its write bits, and
     when that changed its mode, its own mode is kept in the extended
     attribute SNAP_MODE_XATTR as octal text ("0644").
   Symbolic links and special files are left as they are: neither kind
   holds data a write could change.  The original mode of an entry of a
   snapshot is therefore SNAP_MODE_XATTR when it has it, else its mode.  */

#ifndef SNAP_SEAL_H
#define SNAP_SEAL_H

#include <stdbool.h>
#include <sys/types.h>

#define SNAP_MODE_XATTR "user.cowsnap.mode"

enum snap_seal_kind
{
  SEAL_IMMUTABLE,
  SEAL_MODE
};

/* Seal file NAME and, when it is a directory,
   everything under it, children before their directory; with TOP
   false NAME itself is left for a later snap_seal_top (an
   immutable entry cannot be renamed).  *KIND is the way to seal; it
   becomes SEAL_MODE when the filesystem or the process cannot set the
   immutable flag on the first entry tried.  Return true, or false with
   errno set.  */
bool snap_seal (char const *name, bool top, enum snap_seal_kind *kind);

/* Seal file NAME itself, the way KIND says.  */
bool snap_seal_top (char const *name, enum snap_seal_kind kind);

/* Clear the immutable flag of file NAME and of everything under
   it, so that it can be removed.  Return true, or false with errno
   set.  */
bool snap_unseal (char const *name);

/* In a copy of a snapshot (file NAME), give every entry that
   has SNAP_MODE_XATTR that mode back and remove the attribute.  Return
   true, or false with errno set.  */
bool snap_unseal_modes (char const *name);

/* Put in *MODE the original permission bits of the entry of a snapshot
   open as FD (any kind of descriptor, O_PATH included) whose status is
   ST.  */
void snap_original_mode (int fd, struct stat const *st, mode_t *mode);

#endif /* SNAP_SEAL_H */
