/* SPDX-License-Identifier: GPL-3.0-or-later */
/* snap-diff.h -- `cowsnap diff`: what differs between two trees or two
   files, the older (A, a snapshot) and the newer (B, a snapshot or the
   live file).

   Tree format: one line per entry that differs, nothing for an entry
   that does not:

     SPCUGMXA PATH

   S   `+` added (only in B), `-` removed (only in A), `t` the type
       differs, `c` the content differs (regular files: bytes; symbolic
       links: target; devices: major and minor numbers), `.` none of these
   P   `p` the permission bits (07777) differ.  The mode of an entry is
       the octal text of its xattr `user.cowsnap.mode` when present (a
       sealed snapshot's original mode), else its st_mode.
   U   `u` the owner differs          G   `g` the group differs
   M   `m` the modification time differs (to the nanosecond)
   X   `x` the extended attributes differ (names or values): those a
       copy carries (libattr's /etc/xattr.conf rules, as copy-meta uses
       them), so not the ACLs, not `user.cowsnap.mode`, and not what a
       filesystem shows of its own (XFS's trusted.SGI_ACL_FILE)
   A   `a` the POSIX ACLs (the raw values of system.posix_acl_access and
       system.posix_acl_default) differ

   Each of P U G M X A is `.` when equal.  Added and removed entries show
   `.` in every column but S; everything inside an added or removed
   directory gets its own line.  An entry whose type changed shows `t`
   and compares P U G M X A.

   PATH is relative to the two compared roots; the roots themselves are
   `.`.  Paths are raw bytes, except that a path containing a newline or
   beginning with `"` is printed in C syntax between double quotes, as
   `ls --quoting-style=c` prints names ("dir/a\nb").

   Order: sorted by path component by component in byte order (C
   locale), each directory's entries right after the directory.

   The flag FS_IMMUTABLE_FL and the xattr `user.cowsnap.mode` are never
   compared.  The walk opens every directory and file with openat (never
   following symbolic links, never re-resolving a path), and leaves out
   a directory given by device and inode (the `.snapshot` namespace).

   File format (snap_diff_file): one line per range of bytes that
   differs, "OFFSET+LENGTH" in decimal, in 4 KiB blocks, adjacent ones
   merged (see snap_extents_diff).  */

#ifndef SNAP_DIFF_H
#define SNAP_DIFF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "snap-extents.h"

/* What to compare and where to print.  */
struct snap_diff_options
{
  FILE *out;                    /* the lines go here */
  char const *name_a;           /* A's root as the user named it, and B's:
                                   for messages only */
  char const *name_b;
  bool skip;                    /* leave out the directory SKIP_DEV,
                                   SKIP_INO on either side */
  dev_t skip_dev;
  ino_t skip_ino;
};

/* Counters of one diff.  */
struct snap_diff_stats
{
  struct snap_diff_count count; /* bytes read and proven equal */
  uintmax_t entries;            /* entries looked at */
  uintmax_t differ;             /* lines printed */
};

/* Compare the entry REL_A of directory DIRFD_A (AT_FDCWD for the working
   directory) with REL_B of DIRFD_B, and everything under them when they
   are directories, printing one line per difference to OPT->out.  STATS
   (zeroed by the caller) gets the counts added.  Report each entry that
   cannot be looked at (naming it under OPT->name_a or OPT->name_b) and go
   on.  Return true when everything was compared (whether or not
   anything differs), false when something was reported.  */
bool snap_diff_tree (int dirfd_a, char const *rel_a, int dirfd_b,
                     char const *rel_b, struct snap_diff_options const *opt,
                     struct snap_diff_stats *stats);

/* Print to OPT->out the byte ranges where the open regular files FD_A and
   FD_B differ, "OFFSET+LENGTH" one a line.  Return true, or false after
   reporting an error (naming OPT->name_a and OPT->name_b).  */
bool snap_diff_file (int fd_a, int fd_b, struct snap_diff_options const *opt,
                     struct snap_diff_stats *stats);

#endif /* SNAP_DIFF_H */
