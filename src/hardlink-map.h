/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hardlink-map.h -- (st_dev, st_ino) of a source -> its first copy.  */

#ifndef HARDLINK_MAP_H
#define HARDLINK_MAP_H

#include <stdbool.h>
#include <sys/types.h>

struct hlmap;

/* Return a new, empty map.  */
struct hlmap *hlmap_new (void);

/* Free MAP and the names it holds.  NULL is fine.  */
void hlmap_free (struct hlmap *map);

/* Return the name of the first copy of the file DEV/INO, or NULL.  */
char const *hlmap_lookup (struct hlmap const *map, dev_t dev, ino_t ino);

/* Record NAME (copied) as the first copy of DEV/INO, unless one is
   recorded already.  */
void hlmap_insert (struct hlmap *map, dev_t dev, ino_t ino, char const *name);

/* The copies named under directory OLD_PREFIX have moved to NEW_PREFIX
   (a tree built under a temporary name was renamed into place): rename
   the recorded names to match.  */
void hlmap_rebase (struct hlmap *map, char const *old_prefix,
                   char const *new_prefix);

#endif /* HARDLINK_MAP_H */
