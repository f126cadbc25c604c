/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hardlink-map.h -- (st_dev, st_ino) of a source -> its first copy.  */

#ifndef HARDLINK_MAP_H
#define HARDLINK_MAP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The map is an open-addressed table of (dev, ino, value) and an arena
   of names: a multiply-linked file costs its 24-byte slot (and the room
   the table keeps free) and its name's bytes, not three allocations.
   A value is a name kept by the map, or, for a caller that tracks a
   state (copy-work.c's link groups), a word whose low bits
   (HLMAP_TAGS) are not all zero: hlmap_lookup and hlmap_rebase ignore
   those.  0 is no value.  */
enum { HLMAP_TAGS = 3 };

struct hlmap;

/* Return a new, empty map.  */
struct hlmap *hlmap_new (void);

/* Free MAP and the names it holds.  NULL is fine.  */
void hlmap_free (struct hlmap *map);

/* Return the name of the first copy of the file DEV/INO, or NULL (also
   when its value is a tagged word).  */
char const *hlmap_lookup (struct hlmap const *map, dev_t dev, ino_t ino);

/* Record NAME (copied) as the first copy of DEV/INO, unless a name is
   recorded already; a tagged value is replaced.  */
void hlmap_insert (struct hlmap *map, dev_t dev, ino_t ino, char const *name);

/* Return the value word of DEV/INO, or NULL if it has none.  The word
   stays where it is until the next hlmap_slot.  */
uintptr_t *hlmap_find (struct hlmap const *map, dev_t dev, ino_t ino);

/* Return the value word of DEV/INO, made 0 if it had none, in which
   case the caller sets it (non-zero) before it calls hlmap_slot again.  */
uintptr_t *hlmap_slot (struct hlmap *map, dev_t dev, ino_t ino);

/* Forget what is recorded for DEV/INO: lookups find nothing, the next
   insert records anew.  */
void hlmap_forget (struct hlmap *map, dev_t dev, ino_t ino);

/* Return a copy of NAME kept by MAP until hlmap_free, as a value.  */
uintptr_t hlmap_keep (struct hlmap *map, char const *name);

/* The copies named under directory OLD_PREFIX have moved to NEW_PREFIX
   (a tree built under a temporary name was renamed into place): rename
   the recorded names to match.  */
void hlmap_rebase (struct hlmap *map, char const *old_prefix,
                   char const *new_prefix);

#endif /* HARDLINK_MAP_H */
