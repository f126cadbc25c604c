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

/* One member: a name and, when known, the file it named when added.  */
struct member
{
  char *name;
  dev_t dev;
  ino_t ino;
  bool known;
};

static size_t
member_hash (void const *x, size_t n)
{
  struct member const *m = x;
  return hash_string (m->name, n);
}

static bool
member_equal (void const *a, void const *b)
{
  struct member const *x = a, *y = b;
  return strcmp (x->name, y->name) == 0;
}

static void
member_free (void *x)
{
  struct member *m = x;
  free (m->name);
  free (m);
}

/* Return a new set.  */
struct name_set *
name_set_new (void)
{
  struct name_set *set = xmalloc (sizeof *set);
  set->table = hash_initialize (61, NULL, member_hash, member_equal,
                                member_free);
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
  struct member key = { .name = (char *) name };
  return hash_lookup (set->table, &key) != NULL;
}

/* Whether NAME is in SET as the file ST (or with no file known).  */
bool
name_set_seen (struct name_set const *set, char const *name,
               struct stat const *st)
{
  struct member key = { .name = (char *) name };
  struct member const *m = hash_lookup (set->table, &key);
  return m && (!m->known || (m->dev == st->st_dev && m->ino == st->st_ino));
}

/* Add NAME to SET, naming the file ST when not NULL; a name added again
   takes the newer file.  */
void
name_set_add_file (struct name_set *set, char const *name,
                   struct stat const *st)
{
  struct member key = { .name = (char *) name };
  struct member *m = hash_lookup (set->table, &key);
  if (!m)
    {
      m = xzalloc (sizeof *m);
      m->name = xstrdup (name);
      if (!hash_insert (set->table, m))
        xalloc_die ();
    }
  m->known = st != NULL;
  if (st)
    {
      m->dev = st->st_dev;
      m->ino = st->st_ino;
    }
}

/* Add NAME to SET, with no file known.  */
void
name_set_add (struct name_set *set, char const *name)
{
  name_set_add_file (set, name, NULL);
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
