/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hardlink-map.c -- remember where each multiply-linked source went, so
   that its other names become hard links to that copy.  */

#include "system.h"

#include "hardlink-map.h"
#include "hash.h"
#include "xalloc.h"

struct hlmap
{
  Hash_table *table;
};

struct hl_entry
{
  dev_t dev;
  ino_t ino;
  char *name;
};

static size_t
hl_hash (void const *x, size_t n)
{
  struct hl_entry const *e = x;
  /* Inode numbers are dense within a device; mix the device in.  */
  return (e->ino ^ ((size_t) e->dev * 0x9e3779b97f4a7c15u)) % n;
}

static bool
hl_equal (void const *a, void const *b)
{
  struct hl_entry const *x = a, *y = b;
  return x->dev == y->dev && x->ino == y->ino;
}

static void
hl_free (void *x)
{
  struct hl_entry *e = x;
  free (e->name);
  free (e);
}

/* Return a new, empty map.  */
struct hlmap *
hlmap_new (void)
{
  struct hlmap *map = xmalloc (sizeof *map);
  map->table = hash_initialize (127, NULL, hl_hash, hl_equal, hl_free);
  if (!map->table)
    xalloc_die ();
  return map;
}

/* Free MAP.  */
void
hlmap_free (struct hlmap *map)
{
  if (map)
    {
      hash_free (map->table);
      free (map);
    }
}

/* Look DEV/INO up in MAP.  */
char const *
hlmap_lookup (struct hlmap const *map, dev_t dev, ino_t ino)
{
  struct hl_entry key = { .dev = dev, .ino = ino };
  struct hl_entry const *e = hash_lookup (map->table, &key);
  return e ? e->name : NULL;
}

/* Record NAME for DEV/INO in MAP.  */
void
hlmap_insert (struct hlmap *map, dev_t dev, ino_t ino, char const *name)
{
  struct hl_entry *e = xmalloc (sizeof *e);
  *e = (struct hl_entry) { .dev = dev, .ino = ino, .name = xstrdup (name) };
  struct hl_entry const *old = hash_insert (map->table, e);
  if (!old)
    xalloc_die ();
  if (old != e)
    hl_free (e);
}

/* What hlmap_rebase passes to rebase_entry.  */
struct rebase
{
  char const *old_prefix;
  size_t old_len;
  char const *new_prefix;
};

static bool
rebase_entry (void *x, void *arg)
{
  struct hl_entry *e = x;
  struct rebase const *r = arg;
  if (strncmp (e->name, r->old_prefix, r->old_len) == 0
      && (e->name[r->old_len] == '/' || e->name[r->old_len] == '\0'))
    {
      char const *rest = e->name + r->old_len;
      char *name = xmalloc (strlen (r->new_prefix) + strlen (rest) + 1);
      strcpy (stpcpy (name, r->new_prefix), rest);
      free (e->name);
      e->name = name;
    }
  return true;
}

/* Rename the recorded names under OLD_PREFIX; see hardlink-map.h.  */
void
hlmap_rebase (struct hlmap *map, char const *old_prefix,
              char const *new_prefix)
{
  struct rebase r = { old_prefix, strlen (old_prefix), new_prefix };
  hash_do_for_each (map->table, rebase_entry, &r);
}
