/* SPDX-License-Identifier: GPL-3.0-or-later */
/* testfs.h -- the filesystems a unit test runs on: those named in
   COWUTILS_TEST_DIRS ("btrfs:/mnt/a xfs:/mnt/b ext4:/mnt/c", made by
   scripts/check), then a temporary directory of its own in $TMPDIR.  */

#ifndef TESTFS_H
#define TESTFS_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One filesystem to test on.  */
struct testfs
{
  char type[16];
  char dir[4096];
  bool can_clone;
};

/* The most filesystems testfs_list fills in.  */
enum { TESTFS_MAX = 8 };

/* Fill FSS (TESTFS_MAX of them) and return how many, the last being a
   new directory TMPDIR (4096 bytes) in $TMPDIR named after TAG; on
   failure print a TAP "Bail out!" line and return -1.  */
static int
testfs_list (struct testfs *fss, char *tmpdir, char const *tag)
{
  int n = 0;
  char const *tmp = getenv ("TMPDIR") ? getenv ("TMPDIR") : "/tmp";
  snprintf (tmpdir, 4096, "%s/cowutils-%s.XXXXXX", tmp, tag);
  if (!mkdtemp (tmpdir))
    {
      printf ("Bail out! cannot make a temporary directory\n");
      return -1;
    }
  char const *dirs = getenv ("COWUTILS_TEST_DIRS");
  char *list = strdup (dirs ? dirs : "");
  for (char *tok = strtok (list, " "); tok && n < TESTFS_MAX - 1;
       tok = strtok (NULL, " "))
    {
      char *colon = strchr (tok, ':');
      if (!colon)
        continue;
      *colon = '\0';
      snprintf (fss[n].type, sizeof fss[n].type, "%s", tok);
      snprintf (fss[n].dir, sizeof fss[n].dir, "%s", colon + 1);
      fss[n].can_clone = !strcmp (tok, "btrfs") || !strcmp (tok, "xfs");
      n++;
    }
  free (list);
  snprintf (fss[n].type, sizeof fss[n].type, "tmpdir");
  snprintf (fss[n].dir, sizeof fss[n].dir, "%s", tmpdir);
  fss[n].can_clone = false;
  return n + 1;
}

#endif /* TESTFS_H */
