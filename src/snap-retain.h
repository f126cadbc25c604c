/* SPDX-License-Identifier: GPL-3.0-or-later */
/* snap-retain.h -- which stamped snapshots a retention policy keeps, and
   why; the --min-age duration syntax.  */

#ifndef SNAP_RETAIN_H
#define SNAP_RETAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* A retention policy, from cowsnap prune's --keep-* and --min-age
   options.  A count of 0 keeps nothing by that rule.  */
struct retain_policy
{
  unsigned last;          /* --keep-last N */
  unsigned hourly;        /* --keep-hourly N */
  unsigned daily;         /* --keep-daily N */
  unsigned weekly;        /* --keep-weekly N */
  unsigned monthly;       /* --keep-monthly N */
  unsigned yearly;        /* --keep-yearly N */
  bool have_min_age;      /* --min-age was given */
  long long min_age;      /* its value, in seconds */
};

/* Why a snapshot is kept: a bitmask, 0 meaning "delete it".  */
enum
{
  RETAIN_LAST = 1 << 0,     /* among the LAST newest */
  RETAIN_HOURLY = 1 << 1,   /* first of one of the HOURLY latest hours */
  RETAIN_DAILY = 1 << 2,    /* ... days */
  RETAIN_WEEKLY = 1 << 3,   /* ... ISO weeks */
  RETAIN_MONTHLY = 1 << 4,  /* ... months */
  RETAIN_YEARLY = 1 << 5,   /* ... years */
  RETAIN_NEWEST = 1 << 6,   /* the newest snapshot: never deleted */
  RETAIN_YOUNG = 1 << 7     /* younger than min_age: never deleted */
};

/* The rule, as snapper's "timeline" cleanup applies it (its client's
   cleanup.cc and utils/equal-date.cc, 2011-2024) and as btrbk describes
   "the first backup of the hour/day/week/month/year":

   1. The snapshots are ordered by time, oldest first.  Equal times (the
      same second and nanosecond) are ordered by their index in the
      caller's array, the lower index being the older.  So exactly one
      snapshot is first in its period; snapper, which compares seconds,
      counts every snapshot of a duplicated second as first.
   2. Periods are calendar periods of local time (localtime_r, so TZ is
      respected): the hour is (year, month, day, hour of day), so the hour
      that a DST change repeats is one period, as in snapper; the day is
      the local date; the week is the ISO 8601 week, Monday to Sunday (the
      same periods as snapper's weeks, which start on Monday; a week that
      spans New Year is one week); the month and the year are the local
      calendar's.  Should local time step back across a period boundary
      (a zone's offset moving back by more than the time past the
      boundary), the snapshots after the step count in the period they
      were taken after, so periods stay in time order.
   3. A snapshot is the first of its period when no older snapshot falls
      in that period.  For each of the five rules with a count N > 0, the
      firsts of the N most recent periods THAT HAVE A SNAPSHOT are kept
      (snapper's reading: empty periods are not counted; btrbk counts N
      calendar periods back from now, empty or not, and starts weeks on
      preserve_day_of_week, Sunday by default -- cowsnap follows snapper).
   4. The LAST newest snapshots are kept.
   5. The newest snapshot is always kept: a prune never leaves nothing.
   6. With a minimum age, every snapshot younger than MIN_AGE seconds at
      NOW (NOW - time < MIN_AGE, so also any snapshot in the future) is
      kept.  Young snapshots still take part in 3 and 4: as in snapper and
      btrbk, the age only protects, it does not change which snapshots the
      counts pick.

   A snapshot kept by several rules has all their bits.  Named snapshots
   are never given to this function: only stamped ones are pruned.  */

/* Decide, for the N snapshots whose times are TIMES (any order), which
   POLICY keeps at NOW: set REASONS[i] to the RETAIN_* bits of TIMES[i], 0
   for a snapshot to delete.  Return true; on failure (a time that
   localtime_r cannot convert) return false with errno set and REASONS
   undefined.  Reports nothing.  */
bool snap_retain_decide (struct timespec const *times, size_t n,
                         struct timespec now,
                         struct retain_policy const *policy,
                         unsigned *reasons);

/* Room for the longest text snap_retain_reasons can make, in any
   language the catalogue is likely to hold.  */
enum { SNAP_RETAIN_REASONS_SIZE = 256 };

/* Write into BUF (SIZE bytes, SNAP_RETAIN_REASONS_SIZE is enough) the
   names of the RETAIN_* bits of MASK, translated, separated by ", " in
   the order of the enum ("last, daily, weekly"), or "none" for 0.  The
   text is truncated to fit.  Return BUF.  */
char *snap_retain_reasons (unsigned mask, char *buf, size_t size);

/* Parse the --min-age DURATION TEXT into *SECONDS: a number of seconds
   ("90"), or one or more NUMBER UNIT parts with units w (weeks), d
   (days), h (hours), m (minutes), s (seconds), each unit at most once and
   in that order ("2w", "1d12h", "15m30s").  Numbers are decimal digits
   only; no sign, space or fraction.  Return false (*SECONDS unchanged)
   for text that is not such a duration or whose value overflows; the
   caller reports it.  */
bool snap_retain_parse_age (char const *text, long long *seconds);

#endif /* SNAP_RETAIN_H */
