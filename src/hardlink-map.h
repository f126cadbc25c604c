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

#endif /* HARDLINK_MAP_H */
