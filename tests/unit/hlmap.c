/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hlmap.c -- unit tests of the hard-link map (src/hardlink-map.c): names
   found again after the table has grown many times, keys that differ
   only in the device, names of every length (one longer than a block of
   names), tagged words, rebase, all checked against a plain array.
   Prints TAP.  */

#include "../../src/system.h"

#include "../../src/hardlink-map.h"
#include "tap.h"

enum { N = 200000 };

/* The name the tests record for key I.  Its length varies with I, from
   0 to 60 bytes, so that names straddle the ends of blocks.  */
static char *
name_of (size_t i)
{
  char *s = malloc (80);
  int len = snprintf (s, 80, "d%zu/", i % 97);
  for (size_t k = 0; k < i % 57; k++)
    s[len++] = 'a' + (i + k) % 26;
  s[len] = '\0';
  return s;
}

int
main (void)
{
  struct hlmap *m = hlmap_new ();
  tap_ok (!hlmap_lookup (m, 1, 1), "an empty map finds nothing");

  /* Keys: dense inode numbers on two devices, and sparse ones.  */
  static dev_t dev[N];
  static ino_t ino[N];
  for (size_t i = 0; i < N; i++)
    {
      dev[i] = i % 3 == 0 ? 0x801 : 0x10302;
      ino[i] = i % 5 == 0 ? (ino_t) i * 1000003u + 7 : i / 2 + 100;
    }
  /* i/2 + 100 repeats each inode for two consecutive i on different
     devices only when i % 3 differs; make the pairs unique by device.  */
  for (size_t i = 1; i < N; i++)
    if (ino[i] == ino[i - 1] && dev[i] == dev[i - 1])
      dev[i] ^= 0x40000;

  size_t bad = 0;
  for (size_t i = 0; i < N; i++)
    {
      char *s = name_of (i);
      hlmap_insert (m, dev[i], ino[i], s);
      free (s);
    }
  for (size_t i = 0; i < N; i++)
    {
      char *s = name_of (i);
      char const *got = hlmap_lookup (m, dev[i], ino[i]);
      bad += !got || strcmp (got, s) != 0;
      free (s);
    }
  tap_ok (bad == 0, "%d names found again after growth (%zu wrong)", N, bad);

  bad = 0;
  for (size_t i = 0; i < N; i++)
    bad += hlmap_lookup (m, dev[i] + 7, ino[i]) != NULL;
  tap_ok (bad == 0, "another device's same inode is not found (%zu found)",
          bad);

  /* A second insert keeps the first name, as cp links to the first copy.  */
  hlmap_insert (m, dev[5], ino[5], "second");
  tap_ok (strcmp (hlmap_lookup (m, dev[5], ino[5]), "second") != 0,
          "a later insert keeps the first name");

  /* Names are 4-byte aligned, so values have free tag bits.  */
  bad = 0;
  for (size_t i = 0; i < 1000; i++)
    bad += (uintptr_t) hlmap_lookup (m, dev[i], ino[i]) & HLMAP_TAGS;
  tap_ok (bad == 0, "kept names leave the tag bits free");

  /* A name longer than a block of names.  */
  size_t long_len = 40000;
  char *longname = malloc (long_len + 1);
  memset (longname, 'x', long_len);
  longname[long_len] = '\0';
  hlmap_insert (m, 99, 1, longname);
  hlmap_insert (m, 99, 2, "after-long");
  tap_ok (strcmp (hlmap_lookup (m, 99, 1), longname) == 0
          && strcmp (hlmap_lookup (m, 99, 2), "after-long") == 0,
          "a %zu-byte name and the next one", long_len);
  free (longname);

  /* Tagged words: lookup ignores them, insert replaces them.  */
  uintptr_t *v = hlmap_slot (m, 77, 1);
  tap_ok (v && *v == 0, "a new slot is 0");
  *v = 2;
  tap_ok (!hlmap_lookup (m, 77, 1) && *hlmap_find (m, 77, 1) == 2,
          "a tagged word is not a name");
  hlmap_insert (m, 77, 1, "made");
  tap_ok (strcmp (hlmap_lookup (m, 77, 1), "made") == 0,
          "an insert replaces a tagged word");
  tap_ok (!hlmap_find (m, 77, 2), "find does not make a slot");
  hlmap_forget (m, 77, 1);
  tap_ok (!hlmap_lookup (m, 77, 1), "a forgotten key is not found");
  hlmap_insert (m, 77, 1, "again");
  tap_ok (strcmp (hlmap_lookup (m, 77, 1), "again") == 0,
          "a forgotten key takes a new name");
  hlmap_forget (m, 77, 99);
  tap_ok (!hlmap_find (m, 77, 99), "forgetting a key never seen adds none");

  /* Rebase: names under "d3" move to "new/top"; "d33/..." does not.  */
  hlmap_insert (m, 55, 1, "d3");
  hlmap_insert (m, 55, 2, "d3/x/y");
  hlmap_insert (m, 55, 3, "d33/z");
  *hlmap_slot (m, 55, 4) = 1;
  hlmap_rebase (m, "d3", "new/top");
  tap_ok (strcmp (hlmap_lookup (m, 55, 1), "new/top") == 0
          && strcmp (hlmap_lookup (m, 55, 2), "new/top/x/y") == 0
          && strcmp (hlmap_lookup (m, 55, 3), "d33/z") == 0
          && *hlmap_find (m, 55, 4) == 1,
          "rebase renames the names below a prefix and nothing else");
  bad = 0;
  for (size_t i = 0; i < N; i++)
    {
      char *s = name_of (i);
      char const *got = hlmap_lookup (m, dev[i], ino[i]);
      char want[200];
      if (strncmp (s, "d3/", 3) == 0)
        snprintf (want, sizeof want, "new/top%s", s + 2);
      else
        snprintf (want, sizeof want, "%s", s);
      bad += !got || strcmp (got, want) != 0;
      free (s);
    }
  tap_ok (bad == 0, "after rebase every name is as expected (%zu wrong)",
          bad);
  hlmap_free (m);
  hlmap_free (NULL);
  return tap_done ();
}
