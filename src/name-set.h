/* SPDX-License-Identifier: GPL-3.0-or-later */
/* name-set.h -- sets of file names, and names shown beside another.  */

#ifndef NAME_SET_H
#define NAME_SET_H

#include <stdbool.h>
#include <sys/stat.h>

struct name_set;

/* Return a new, empty set.  */
struct name_set *name_set_new (void);

/* Free SET.  NULL is fine.  */
void name_set_free (struct name_set *set);

/* Return true if NAME is in SET.  */
bool name_set_has (struct name_set const *set, char const *name);

/* Return true if NAME is in SET and was added as the file ST (same
   device and inode), or with no file named.  */
bool name_set_seen (struct name_set const *set, char const *name,
                    struct stat const *st);

/* Add (a copy of) NAME to SET, with no file named.  */
void name_set_add (struct name_set *set, char const *name);

/* Add (a copy of) NAME to SET as the file ST; NULL names no file.  A
   name added again takes the newer file.  */
void name_set_add_file (struct name_set *set, char const *name,
                        struct stat const *st);

/* Return, newly allocated, how SIBLING (an entry of the directory that
   holds DST) is shown when DST is shown as DST: with DST's directory in
   front ("d/f~" for "d/f" and "f~").  */
char *name_beside (char const *dst, char const *sibling);

#endif /* NAME_SET_H */
