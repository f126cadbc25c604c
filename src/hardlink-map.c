/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hardlink-map.c -- remember where each multiply-linked source went, so
   that its other names become hard links to that copy.

   The map holds one entry per multiply-linked inode for the whole run,
   so its size per entry is what a tree of many hard links costs: an
   entry is a slot in one array (linear probing, at most 80% full) and
   its name in a block of names, 4-byte aligned so that a value's low
   bits are free for a caller's tags.  GNU cp's table costs a node, a
   bucket and a separately allocated name per inode.  */

#include "system.h"

#include "hardlink-map.h"
#include "xalloc.h"

struct hl_slot
{
  ino_t ino;
  dev_t dev;
  uintptr_t val;                /* 0: the slot is free */
};

/* Names are kept in blocks of BLOCK_BYTES; a name too long to share one
   has a block to itself.  */
enum { BLOCK_BYTES = 16 * 1024, NAME_ALIGN = HLMAP_TAGS + 1 };
struct name_block
{
  struct name_block *next;
  char bytes[];
};

struct hlmap
{
  struct hl_slot *slots;
  size_t mask;                  /* the number of slots, less 1 */
  size_t used;
  struct name_block *blocks;    /* newest first */
  char *free_at, *free_end;     /* the room left in the newest block */
};

/* Return where DEV/INO starts its probe in a table of MASK + 1 slots.  */
static size_t
home (dev_t dev, ino_t ino, size_t mask)
{
  uint64_t h = ((uint64_t) ino * 0x9e3779b97f4a7c15u)
               ^ ((uint64_t) dev * 0xc2b2ae3d27d4eb4fu);
  return (h ^ (h >> 29)) & mask;
}

/* Return the slot of DEV/INO in MAP, or the free slot where it would go.  */
static struct hl_slot *
probe (struct hlmap const *map, dev_t dev, ino_t ino)
{
  for (size_t i = home (dev, ino, map->mask);; i = (i + 1) & map->mask)
    {
      struct hl_slot *s = &map->slots[i];
      if (!s->val || (s->ino == ino && s->dev == dev))
        return s;
    }
}

/* Return a new, empty map.  */
struct hlmap *
hlmap_new (void)
{
  struct hlmap *map = xzalloc (sizeof *map);
  map->mask = 63;
  map->slots = xcalloc (map->mask + 1, sizeof *map->slots);
  return map;
}

/* Free MAP.  */
void
hlmap_free (struct hlmap *map)
{
  if (!map)
    return;
  for (struct name_block *b = map->blocks, *next; b; b = next)
    {
      next = b->next;
      free (b);
    }
  free (map->slots);
  free (map);
}

/* Double MAP's table.  */
static void
grow (struct hlmap *map)
{
  struct hl_slot *old = map->slots;
  size_t n = map->mask + 1;
  map->mask = 2 * n - 1;
  map->slots = xcalloc (2 * n, sizeof *map->slots);
  for (size_t i = 0; i < n; i++)
    if (old[i].val)
      *probe (map, old[i].dev, old[i].ino) = old[i];
  free (old);
}

/* Return DEV/INO's value word in MAP, or NULL.  */
uintptr_t *
hlmap_find (struct hlmap const *map, dev_t dev, ino_t ino)
{
  struct hl_slot *s = probe (map, dev, ino);
  return s->val ? &s->val : NULL;
}

/* Return DEV/INO's value word in MAP, made if need be.  */
uintptr_t *
hlmap_slot (struct hlmap *map, dev_t dev, ino_t ino)
{
  struct hl_slot *s = probe (map, dev, ino);
  if (s->val)
    return &s->val;
  /* At most 80% full: a miss probes a few slots on average.  */
  if (5 * (map->used + 1) > 4 * (map->mask + 1))
    {
      grow (map);
      s = probe (map, dev, ino);
    }
  map->used++;
  s->ino = ino;
  s->dev = dev;
  return &s->val;
}

/* Forget DEV/INO in MAP: its slot stays (an open-addressed table cannot
   empty one without moving others), its word becomes a tag.  */
void
hlmap_forget (struct hlmap *map, dev_t dev, ino_t ino)
{
  uintptr_t *v = hlmap_find (map, dev, ino);
  if (v)
    *v = HLMAP_TAGS;
}

/* Return a copy of NAME kept in MAP's blocks.  */
uintptr_t
hlmap_keep (struct hlmap *map, char const *name)
{
  size_t len = strlen (name) + 1;
  size_t room = (len + NAME_ALIGN - 1) & ~(size_t) (NAME_ALIGN - 1);
  char *to;
  if (room <= (size_t) (map->free_end - map->free_at))
    {
      to = map->free_at;
      map->free_at += room;
    }
  else
    {
      bool alone = BLOCK_BYTES / 4 < room;
      size_t bytes = alone ? room : BLOCK_BYTES;
      /* A flexible array member is aligned as the structure's pointer.  */
      struct name_block *b = xmalloc (offsetof (struct name_block, bytes)
                                      + bytes);
      to = b->bytes;
      if (alone && map->blocks)
        {
          /* Keep the room left in the newest block for the next names.  */
          b->next = map->blocks->next;
          map->blocks->next = b;
        }
      else
        {
          b->next = map->blocks;
          map->blocks = b;
          map->free_at = b->bytes + room;
          map->free_end = b->bytes + bytes;
        }
    }
  memcpy (to, name, len);
  return (uintptr_t) to;
}

/* Look DEV/INO up in MAP.  */
char const *
hlmap_lookup (struct hlmap const *map, dev_t dev, ino_t ino)
{
  uintptr_t const *v = hlmap_find (map, dev, ino);
  return v && !(*v & HLMAP_TAGS) ? (char const *) *v : NULL;
}

/* Record NAME for DEV/INO in MAP.  */
void
hlmap_insert (struct hlmap *map, dev_t dev, ino_t ino, char const *name)
{
  uintptr_t *v = hlmap_slot (map, dev, ino);
  if (!*v || (*v & HLMAP_TAGS))
    *v = hlmap_keep (map, name);
}

/* Rename the recorded names under OLD_PREFIX; see hardlink-map.h.  The
   old names stay in their blocks: a rename happens once an operand.  */
void
hlmap_rebase (struct hlmap *map, char const *old_prefix,
              char const *new_prefix)
{
  size_t old_len = strlen (old_prefix);
  size_t new_len = strlen (new_prefix);
  char *buf = NULL;
  size_t buf_size = 0;
  for (size_t i = 0; i <= map->mask; i++)
    {
      uintptr_t *v = &map->slots[i].val;
      if (!*v || (*v & HLMAP_TAGS))
        continue;
      char const *name = (char const *) *v;
      if (strncmp (name, old_prefix, old_len) != 0
          || (name[old_len] != '/' && name[old_len] != '\0'))
        continue;
      char const *rest = name + old_len;
      size_t need = new_len + strlen (rest) + 1;
      if (buf_size < need)
        buf = xrealloc (buf, buf_size = need);
      strcpy (stpcpy (buf, new_prefix), rest);
      *v = hlmap_keep (map, buf);
    }
  free (buf);
}
