/* SPDX-License-Identifier: GPL-3.0-or-later */
/* remove-tree.h -- remove a file or a tree, as rm -rf does.  */

#ifndef REMOVE_TREE_H
#define REMOVE_TREE_H

#include <stdbool.h>

/* Remove entry REL of directory DIRFD (AT_FDCWD for the working
   directory), called NAME in messages, and everything under it when it
   is a directory; symbolic links are removed, never followed.  With
   VERBOSE, say "removed %s" or "removed directory %s" for each entry.
   Report each failure ("cannot remove %s"); return true if all went.  */
bool remove_tree (int dirfd, char const *rel, char const *name,
                  bool verbose);

/* Remove the non-directory REL of DIRFD, called NAME; one that is gone
   already is fine.  With VERBOSE say "removed %s".  Return false after
   reporting "cannot remove %s".  */
bool remove_entry (int dirfd, char const *rel, char const *name,
                   bool verbose);

/* Remove entry REL of DIRFD, called NAME, as remove_tree does, when it
   is what this process made (an abandoned copy): a directory in it that
   is not the owner's to read, search and write is made so first, for
   what is in it to go.  Say nothing but failures.  */
bool remove_tree_made (int dirfd, char const *rel, char const *name);

/* Say "removed NAME", as rm -v does.  */
void remove_tree_say_removed (char const *name);

#endif /* REMOVE_TREE_H */
