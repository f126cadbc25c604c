/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dest-probe.h -- the I/O around copy-dest's pure decision: find out
   the facts it needs about a source and its destination, and report a
   refusal in GNU's words.  */

#ifndef DEST_PROBE_H
#define DEST_PROBE_H

#include "copy-dest.h"

struct name_set;

/* A source and its destination: entry SRC_REL of directory SRC_DIRFD,
   called SRC_NAME, and entry DST_REL of DST_DIRFD, called DST_NAME.  */
struct dest_where
{
  int src_dirfd;
  char const *src_rel;
  char const *src_name;
  int dst_dirfd;
  char const *dst_rel;
  char const *dst_name;
};

/* Fill *F for the source at W, whose status as copied is SRC_ST, under
   policy P.  COMMAND_LINE says it is an operand; MADE (or NULL) holds
   the destinations this run made; KEEP_DIR_LINK is
   --keep-directory-symlink.  When nothing is at the destination (the
   usual case) that one lstat is all; otherwise the stats of both sides
   and how their names relate.  */
void dest_probe (struct dest_where const *w, struct stat const *src_st,
                 bool command_line, struct name_set const *made,
                 bool keep_dir_link, struct dest_policy const *p,
                 struct dest_facts *f);

/* Fill *F for ln's source and destination at W: the source's status
   through symlinks when FOLLOW (-L, -s); MADE (or NULL) holds the links
   this run made.  SRC_ST and DST_ST, when not NULL, are the statuses the
   caller has already (the destination's by lstat).  */
void dest_probe_link (struct dest_where const *w, bool follow,
                      struct stat const *src_st, struct stat const *dst_st,
                      struct name_set const *made, struct link_facts *f);

/* Report the refusal (or failing skip) D of W's destination, as cp
   does, or as mv does when MOVE.  */
void dest_report (struct dest_where const *w, struct dest_decision const *d,
                  bool move);

/* Rename entry REL of DIRFD (which may have directories in front) to its
   backup name of TYPE (enum backup_type).  Return that name, a sibling
   of REL's last component, newly allocated; NULL with errno set.  */
char *dest_backup (int dirfd, char const *rel, int type);

/* Put BACKUP, the name dest_backup returned for entry REL of DIRFD, back
   in place after the new file could not be made; report a failure,
   naming the destination DST_NAME, and with VERBOSE say it was done
   ("'B' -> 'D' (unbackup)", as GNU cp).  */
void dest_unbackup (int dirfd, char const *rel, char const *backup,
                    char const *dst_name, bool verbose);

/* Back up W's destination with backup type TYPE, setting *BACKUP to the
   backup's name (NULL when there was nothing to back up).  Return false
   after reporting a failure.  */
bool dest_make_backup (struct dest_where const *w, int type, char **backup);

/* Ask, as GNU's overwrite_ok does, whether W's destination (status ST)
   may be replaced: "overwrite 'D'? ", or for one the user may not write
   "replace 'D', overriding mode ...? " when REPLACE_WORDS (mv, cp -f or
   --remove-destination) and "unwritable 'D' ...; try anyway? " when not.
   Return true for yes.  */
bool dest_ask (struct dest_where const *w, struct stat const *st,
               bool replace_words);

/* Make a new entry with MAKE (called with a free temporary name beside
   entry REL of DIRFD, relative to DIRFD, and ARG; 0 or -1 with errno,
   EEXIST to be called again with another name) and rename it to REL:
   over what is there, atomically, as GNU's force_linkat and
   force_symlinkat do, or with NOREPLACE only where nothing is.  A
   failure leaves REL as it was.  Return 0, or -1 with errno set.  */
int dest_make_beside (int dirfd, char const *rel,
                      int (*make) (char *, void *), void *arg,
                      bool noreplace);

/* With --debug: say that DST_NAME was left as it was.  */
void dest_say_skipped (char const *dst_name);

#endif /* DEST_PROBE_H */
