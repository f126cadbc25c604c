/* SPDX-License-Identifier: GPL-3.0-or-later */
/* snap-extents.h -- what FIEMAP says about one file or a pair of files:
   the bytes only a file holds, and the byte ranges where two files
   differ, reading only what the extent maps cannot prove equal.  */

#ifndef SNAP_EXTENTS_H
#define SNAP_EXTENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* The space of one file, from its FIEMAP extents up to its size rounded
   up to its block size (st_blksize).  Extents past that (preallocation
   beyond the end of file: fallocate --keep-size, or XFS's transient
   speculative preallocation while a file is being written) are counted
   apart, in BEYOND_EOF.  Lengths are logical extent lengths (fe_length):
   a compressed (encoded) extent counts what it holds uncompressed, not
   the smaller space it takes on disk; holes count nothing.

   ALLOCATED is the sum of every extent: written, unwritten
   (preallocated), inline (data kept in the filesystem's metadata, as
   btrfs does for small files), and extents whose place is not known yet
   (delayed allocation that the FIEMAP_FLAG_SYNC flush did not settle).

   EXCLUSIVE is the part of ALLOCATED in extents not flagged
   FIEMAP_EXTENT_SHARED: what deleting this file alone would free.
   Inline and not-yet-placed data cannot be shared and so is exclusive.
   SHARED is ALLOCATED minus EXCLUSIVE.

   On a filesystem without FIEMAP (tmpfs, some network filesystems) the
   file's st_blocks give ALLOCATED, all of it exclusive, and FIEMAP_USED
   is false.  */
struct snap_space
{
  uintmax_t allocated;
  uintmax_t exclusive;
  uintmax_t shared;
  uintmax_t beyond_eof;         /* extents past the last block */
  uintmax_t extents;            /* extents seen */
  bool fiemap_used;
};

/* Fill *SPACE for the open file FD.  Return 0, or -1 with errno set
   (the caller reports).  */
int snap_extents_space (int fd, struct snap_space *space);

/* Called by snap_extents_diff for each maximal byte range
   [OFFSET, OFFSET + LENGTH) that differs, in increasing order; ARG is
   the caller's.  Return 0 to go on, anything else to stop the diff.  */
typedef int (*snap_range_fn) (off_t offset, off_t length, void *arg);

/* Counters of one diff, added to (not reset) by each call.  */
struct snap_diff_count
{
  uintmax_t bytes_read;         /* bytes pread from both files together */
  uintmax_t bytes_same_extent;  /* bytes known equal from the extent maps */
  uintmax_t bytes_hole;         /* bytes that are holes (or unwritten) in
                                   both files */
};

/* The granularity of the ranges snap_extents_diff reports: blocks of
   this many bytes aligned to offset 0 (the last one cut at the end of
   the shorter file), adjacent ones merged.  */
enum { SNAP_DIFF_BLOCK = 4096 };

/* Compare the open regular files A and B and call FN (with ARG) for each
   range that differs, in SNAP_DIFF_BLOCK blocks, adjacent ones merged.
   Where both files' FIEMAP extents map a range to the same physical
   bytes of the same filesystem (neither extent unwritten, delayed,
   encoded, inline, not aligned, encrypted or of unknown place), the
   range is known equal and never read; where both files have a hole or
   an unwritten (preallocated) extent, it is zeros on both sides, equal
   and never read; a hole or unwritten extent against data reads only the
   data.
   Everything else is read in blocks and compared.  When the sizes
   differ, [smaller size, larger size) is a difference too (merged with
   a difference that ends at the smaller size).  COUNT, when not NULL,
   gets the bytes read and the bytes proven equal added.

   Return 0 when the whole files were compared, 1 when FN stopped it,
   -1 with errno set on a read or FIEMAP error (the caller reports).  */
int snap_extents_diff (int a, int b, snap_range_fn fn, void *arg,
                       struct snap_diff_count *count);

/* Return 1 if the open regular files A and B have the same bytes, 0 if
   not, -1 with errno set on error.  Files of different sizes differ
   without more; else it is proven from the extent maps without reading
   where they share data extents, and the ranges FIEMAP cannot prove are
   read, stopping at the first difference.  SA and SB, when not NULL, are
   the files' fstat (saving the calls).  COUNT as for
   snap_extents_diff.  */
int snap_extents_same (int a, int b, struct stat const *sa,
                       struct stat const *sb, struct snap_diff_count *count);

/* Return 1 if the open regular files A and B are proven to have the
   same bytes from their extent maps alone: the same size, and at every
   offset the same physical bytes, or a hole or unwritten extent on both
   sides.  0 if not (different, or equal only by content: nothing is
   read), -1 with errno set on error.  For `--if-changed`: a file whose
   snapshot still shares all of it has not changed.  */
int snap_extents_identical (int a, int b);

#endif /* SNAP_EXTENTS_H */
