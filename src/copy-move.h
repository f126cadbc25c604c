/* SPDX-License-Identifier: GPL-3.0-or-later */
/* copy-move.h -- mv as a mode of the engine.  */

#ifndef COPY_MOVE_H
#define COPY_MOVE_H

#include "backupfile.h"
#include "copy-tree.h"

/* What mv's options ask of a move.  */
struct move_settings
{
  enum interactive_mode interactive;
  enum update_mode update;
  enum backup_type backup;
  bool verbose;
  bool debug;
  bool exchange;
  bool no_copy;
  bool dry_run;         /* --dry-run: say what would be done */
};

/* The state of one run of moves.  */
struct move_run
{
  struct move_settings const *opt;
  struct copy_options copy;     /* for moves across filesystems */
  struct copy_run engine;
  struct name_set *moved;       /* destinations made, when several */
  struct hlmap *dirs;           /* directory operands: (dev, ino) ->
                                   destination, when several */
};

/* Fill *COPY with the options of the copy a move across filesystems
   makes (cp -a, with mv's words for -v), from S; the caller adds what
   the process says (frontend_process).  */
void copy_move_options (struct copy_options *copy,
                        struct move_settings const *s);

/* Start RUN for moves as S asks, copying across filesystems with COPY
   (which must outlive RUN); SEVERAL: more than one operand, so that
   names made and directories moved are remembered.  */
void copy_move_init (struct move_run *run, struct move_settings const *s,
                     struct copy_options const *copy, bool several);

/* Release what RUN holds.  */
void copy_move_free (struct move_run *run);

/* Move SRC to entry REL of DIRFD (DIR_PATH from the working directory,
   NULL for AT_FDCWD), called DST, as GNU mv does.  RENAME_ERRNO is the
   errno of a rename already tried without replacing, or -1.  Return
   true on success or on a skip that is not an error.  */
bool copy_move_one (struct move_run *run, char const *src, int dirfd,
                    char const *dir_path, char const *rel, char const *dst,
                    int rename_errno);

/* Move each of the N FILES into directory DIR, open as DIRFD.  Return
   true if all went.  */
bool copy_move_into_dir (struct move_run *run, char **files, int n,
                         char const *dir, int dirfd);

/* Print the -v line of a rename of SRC to DST (BACKUP: the name the old
   DST got, or NULL), in GNU mv's words.  */
void copy_move_say_renamed (char const *src, char const *dst,
                            char const *backup);

#endif /* COPY_MOVE_H */
