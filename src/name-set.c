/* SPDX-License-Identifier: GPL-3.0-or-later */
/* name-set.c -- sets of file names ("just created" destinations), and
   the names of backups shown beside their destination.  */

#include "system.h"

#include "dirname.h"
#include "filenamecat.h"
#include "hash.h"
#include "name-set.h"
#include "xalloc.h"

struct name_set
{
  Hash_table *table;
};

static size_t
name_hash (void const *x, size_t n)
{
  return hash_string (x, n);
}

static bool
name_equal (void const *a, void const *b)
{
  return strcmp (a, b) == 0;
}

/* Return a new set.  */
struct name_set *
name_set_new (void)
{
  struct name_set *set = xmalloc (sizeof *set);
  set->table = hash_initialize (61, NULL, name_hash, name_equal, free);
  if (!set->table)
    xalloc_die ();
  return set;
}

/* Free SET.  */
void
name_set_free (struct name_set *set)
{
  if (set)
    {
      hash_free (set->table);
      free (set);
    }
}

/* Whether NAME is in SET.  */
bool
name_set_has (struct name_set const *set, char const *name)
{
  return hash_lookup (set->table, name) != NULL;
}

/* Add NAME to SET.  */
void
name_set_add (struct name_set *set, char const *name)
{
  char *copy = xstrdup (name);
  char const *old = hash_insert (set->table, copy);
  if (!old)
    xalloc_die ();
  if (old != copy)
    free (copy);
}

/* SIBLING of DST as shown; see name-set.h.  */
char *
name_beside (char const *dst, char const *sibling)
{
  if (!strchr (dst, '/'))
    return xstrdup (sibling);
  char *dir = mdir_name (dst);
  char *name = file_name_concat (dir ? dir : ".", sibling, NULL);
  free (dir);
  return name;
}
