/* SPDX-License-Identifier: GPL-3.0-or-later */
/* retain.c -- unit tests of snap_retain_decide, snap_retain_reasons and
   snap_retain_parse_age: hand-checked cases, then years of hourly
   snapshots checked against a brute-force oracle that walks the calendar
   back period by period with mktime.  No filesystem is touched.  Prints
   TAP.  */

#include "../../src/system.h"

#include <time.h>

#include "../../src/snap-retain.h"
#include "tap.h"

enum { MINUTE = 60, HOUR = 3600, DAY = 86400 };

/* Return the time_t of the UTC date and time Y-MO-D H:MI:S.  */
static time_t
utc (int y, int mo, int d, int h, int mi, int s)
{
  struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                   .tm_hour = h, .tm_min = mi, .tm_sec = s };
  return timegm (&tm);
}

/* Select time zone TZ for localtime_r and mktime.  */
static void
use_tz (char const *tz)
{
  setenv ("TZ", tz, 1);
  tzset ();
}

/* Return the timespec of SEC seconds and NSEC nanoseconds.  */
static struct timespec
ts (time_t sec, long nsec)
{
  struct timespec t = { .tv_sec = sec, .tv_nsec = nsec };
  return t;
}

/* Run snap_retain_decide on the N times SECS (whole seconds) at NOW with
   POLICY and report, as test DESC, whether the reasons are exactly
   WANT; print both on a mismatch.  */
static void
check (char const *desc, time_t const *secs, size_t n, time_t now,
       struct retain_policy policy, unsigned const *want)
{
  struct timespec times[64];
  unsigned got[64];
  for (size_t i = 0; i < n; i++)
    times[i] = ts (secs[i], 0);
  bool ok = snap_retain_decide (times, n, ts (now, 0), &policy, got);
  for (size_t i = 0; ok && i < n; i++)
    ok = got[i] == want[i];
  if (!ok)
    for (size_t i = 0; i < n; i++)
      printf ("# [%zu] got %#x want %#x\n", i, got[i], want[i]);
  tap_ok (ok, "%s", desc);
}

/* Hand-checked cases under TZ=UTC.  */
static void
test_hand_utc (void)
{
  use_tz ("UTC");

  /* ISO week 2026-W53 runs from Monday 2026-12-28 to Sunday 2027-01-03;
     2027-W01 starts on Monday 2027-01-04.  */
  {
    time_t s[] = { utc (2026, 12, 30, 10, 0, 0), utc (2027, 1, 2, 10, 0, 0),
                   utc (2027, 1, 3, 23, 59, 59), utc (2027, 1, 4, 0, 0, 0),
                   utc (2027, 1, 5, 0, 0, 0) };
    struct retain_policy p = { .weekly = 2 };
    unsigned want[] = { RETAIN_WEEKLY, 0, 0, RETAIN_WEEKLY, RETAIN_NEWEST };
    check ("an ISO week spanning New Year is one week", s, 5, s[4] + DAY,
           p, want);
    struct retain_policy y = { .yearly = 2 };
    unsigned want_y[] = { RETAIN_YEARLY, RETAIN_YEARLY, 0, 0,
                          RETAIN_NEWEST };
    check ("the first snapshot of each year is the yearly one", s, 5,
           s[4] + DAY, y, want_y);
    struct retain_policy w1 = { .weekly = 1 };
    unsigned want_w1[] = { 0, 0, 0, RETAIN_WEEKLY, RETAIN_NEWEST };
    check ("weekly=1 keeps only the first of the newest week", s, 5,
           s[4] + DAY, w1, want_w1);
  }

  /* Days 1, 2, 5 and 9 have snapshots: daily=3 counts days that have
     one, so it reaches back to day 2, not to day 7.  */
  {
    time_t d0 = utc (2026, 3, 1, 0, 0, 0);
    time_t s[] = { d0 + 8 * HOUR, d0 + 20 * HOUR, d0 + DAY + 5 * HOUR,
                   d0 + 4 * DAY + 1, d0 + 8 * DAY + 9 * HOUR,
                   d0 + 8 * DAY + 10 * HOUR };
    struct retain_policy p = { .daily = 3 };
    unsigned want[] = { 0, 0, RETAIN_DAILY, RETAIN_DAILY, RETAIN_DAILY,
                        RETAIN_NEWEST };
    check ("empty days are not counted", s, 6, s[5] + HOUR, p, want);
    struct retain_policy big = { .daily = 30, .hourly = 2 };
    unsigned want_big[] = { RETAIN_DAILY, 0, RETAIN_DAILY, RETAIN_DAILY,
                            RETAIN_DAILY | RETAIN_HOURLY,
                            RETAIN_NEWEST | RETAIN_HOURLY };
    check ("a count beyond the periods there are keeps every first", s, 6,
           s[5] + HOUR, big, want_big);
  }

  /* All-zero policy: the newest only, wherever it sits in the array.  */
  {
    time_t t0 = utc (2025, 6, 1, 12, 0, 0);
    time_t s[] = { t0 + 50, t0 + 900, t0, t0 + 20 * DAY, t0 + 3 };
    struct retain_policy p = { 0 };
    unsigned want[] = { 0, 0, 0, RETAIN_NEWEST, 0 };
    check ("an all-zero policy keeps only the newest", s, 5, t0 + 30 * DAY,
           p, want);
    check ("one snapshot is kept by an all-zero policy", s + 2, 1,
           t0 + 30 * DAY, p, want + 3);
  }

  /* Unsorted input with last=2 and hourly=2.  */
  {
    time_t t0 = utc (2025, 6, 1, 12, 0, 0);
    time_t s[] = { t0 + 2 * HOUR + 10, t0 + 5, t0 + HOUR + 59 * MINUTE,
                   t0 + 2 * HOUR + 1, t0 + HOUR, t0 + 2 * HOUR + 30 };
    struct retain_policy p = { .last = 2, .hourly = 2 };
    unsigned want[] = { RETAIN_LAST, 0, 0, RETAIN_HOURLY, RETAIN_HOURLY,
                        RETAIN_LAST | RETAIN_NEWEST };
    check ("unsorted input: reasons follow each index", s, 6, t0 + DAY, p,
           want);
  }

  /* min-age: younger than 3600 s at NOW is kept; exactly 3600 s is not
     younger; a snapshot in the future is young.  */
  {
    time_t now = utc (2025, 1, 1, 0, 0, 0);
    time_t s[] = { now - 7200, now - 3600, now - 3599, now - 1, now + 60 };
    struct retain_policy p = { .have_min_age = true, .min_age = 3600 };
    unsigned want[] = { 0, 0, RETAIN_YOUNG, RETAIN_YOUNG,
                        RETAIN_YOUNG | RETAIN_NEWEST };
    check ("min-age keeps what is younger, not what is exactly as old", s,
           5, now, p, want);
    struct retain_policy q = { .have_min_age = true, .min_age = 0 };
    unsigned want_q[] = { 0, 0, 0, 0, RETAIN_YOUNG | RETAIN_NEWEST };
    check ("min-age 0 protects only snapshots in the future", s, 5, now, q,
           want_q);
    /* Young snapshots still fill the hourly count.  */
    time_t h[] = { now - 3 * HOUR, now - 2 * HOUR, now - HOUR + 1, now - 5 };
    struct retain_policy r = { .hourly = 2, .have_min_age = true,
                               .min_age = 2 * HOUR };
    unsigned want_r[] = { 0, RETAIN_HOURLY, RETAIN_HOURLY | RETAIN_YOUNG,
                          RETAIN_YOUNG | RETAIN_NEWEST };
    check ("young snapshots count towards the periods", h, 4, now, r,
           want_r);
  }

  /* Duplicates within one second, and exact duplicates: exactly one
     first per hour, the older nanosecond, then the lower index.  */
  {
    time_t t0 = utc (2025, 2, 3, 4, 5, 6);
    struct timespec t[] = { ts (t0, 500), ts (t0, 100), ts (t0, 100),
                            ts (t0 + HOUR, 0), ts (t0 + HOUR, 0) };
    struct retain_policy p = { .hourly = 5, .last = 1 };
    unsigned got[5];
    bool ok = snap_retain_decide (t, 5, ts (t0 + DAY, 0), &p, got);
    unsigned want[] = { 0, RETAIN_HOURLY, 0, RETAIN_HOURLY,
                        RETAIN_LAST | RETAIN_NEWEST };
    for (int i = 0; ok && i < 5; i++)
      ok = got[i] == want[i];
    tap_ok (ok, "duplicates in one second: one first per hour, by nanosecond "
            "then index");
  }

  /* Nothing at all.  */
  {
    struct retain_policy p = { .last = 3 };
    tap_ok (snap_retain_decide (NULL, 0, ts (0, 0), &p, NULL),
            "no snapshots is not an error");
  }
}

/* Periods in a zone with DST (Europe/Berlin), if tzdata has it.  */
static void
test_berlin (void)
{
  if (access ("/usr/share/zoneinfo/Europe/Berlin", R_OK) != 0)
    {
      tap_skip ("local days in Europe/Berlin", "tzdata not installed");
      tap_skip ("the hour repeated by DST in Europe/Berlin",
                "tzdata not installed");
      return;
    }
  use_tz ("Europe/Berlin");

  /* 21:30 UTC is 23:30 CEST on the 24th; 22:30 UTC is 00:30 on the 25th
     in Berlin but still the 24th in UTC.  */
  time_t s[] = { utc (2026, 10, 24, 21, 30, 0), utc (2026, 10, 24, 22, 30, 0),
                 utc (2026, 10, 24, 23, 30, 0) };
  struct retain_policy p = { .daily = 1 };
  unsigned want[] = { 0, RETAIN_DAILY, RETAIN_NEWEST };
  check ("local days in Europe/Berlin", s, 3, s[2] + HOUR, p, want);

  /* Clocks go back at 01:00 UTC on 2026-10-25, from 03:00 CEST to 02:00
     CET: local 02:00-02:59 happens twice and is one hour.  */
  time_t b = utc (2026, 10, 24, 23, 30, 0);  /* 01:30 CEST */
  time_t h[] = { b, b + 30 * MINUTE, b + HOUR, b + 90 * MINUTE,
                 b + 2 * HOUR, b + 150 * MINUTE, b + 3 * HOUR };
  struct retain_policy q = { .hourly = 10 };
  unsigned want_h[] = { RETAIN_HOURLY, RETAIN_HOURLY, 0, 0, 0,
                        RETAIN_HOURLY, RETAIN_NEWEST };
  check ("the hour repeated by DST in Europe/Berlin", h, 7, b + DAY, q,
         want_h);
  use_tz ("UTC");
  /* The same times in UTC: every full hour is its own.  */
  unsigned want_u[] = { RETAIN_HOURLY, RETAIN_HOURLY, 0, RETAIN_HOURLY, 0,
                        RETAIN_HOURLY, RETAIN_NEWEST };
  check ("the same times in UTC are four hours", h, 7, b + DAY, q, want_u);
}

/* The oracle: one snapshot, its time and index.  */
struct osnap
{
  struct timespec t;
  size_t index;
};

/* qsort order of struct osnap: time, then index.  */
static int
osnap_cmp (void const *a, void const *b)
{
  struct osnap const *x = a, *y = b;
  if (x->t.tv_sec != y->t.tv_sec)
    return x->t.tv_sec < y->t.tv_sec ? -1 : 1;
  if (x->t.tv_nsec != y->t.tv_nsec)
    return x->t.tv_nsec < y->t.tv_nsec ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* Move TM (a local time) to the start of its period of KIND (0 hour, 1
   day, 2 week, 3 month, 4 year), then DELTA whole periods on.  */
static time_t
period_start (struct tm tm, int kind, int delta)
{
  tm.tm_min = tm.tm_sec = 0;
  if (kind >= 1)
    tm.tm_hour = 0;
  if (kind == 2)
    tm.tm_mday -= (tm.tm_wday + 6) % 7;
  if (kind >= 3)
    tm.tm_mday = 1;
  if (kind >= 4)
    tm.tm_mon = 0;
  switch (kind)
    {
    case 0: tm.tm_hour += delta; break;
    case 1: tm.tm_mday += delta; break;
    case 2: tm.tm_mday += 7 * delta; break;
    case 3: tm.tm_mon += delta; break;
    case 4: tm.tm_year += delta; break;
    }
  tm.tm_isdst = -1;
  return mktime (&tm);
}

/* Index in S (N, sorted) of the first snapshot at or after SEC.  */
static size_t
lower_bound (struct osnap const *s, size_t n, time_t sec)
{
  size_t lo = 0, hi = n;
  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      if (s[mid].t.tv_sec < sec)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* Compute into WANT what POLICY keeps of the N snapshots TIMES at NOW,
   the slow way: for each kind, walk the calendar back from the newest
   snapshot's period one period at a time (mktime), and in each period
   that holds a snapshot mark the oldest one, until COUNT periods are
   marked or the calendar is older than every snapshot.  Hours are local
   clock hours only where no DST change repeats one.  */
static void
oracle (struct timespec const *times, size_t n, struct timespec now,
        struct retain_policy const *policy, unsigned *want)
{
  unsigned const bit[] = { RETAIN_HOURLY, RETAIN_DAILY, RETAIN_WEEKLY,
                           RETAIN_MONTHLY, RETAIN_YEARLY };
  unsigned const count[] = { policy->hourly, policy->daily, policy->weekly,
                             policy->monthly, policy->yearly };
  struct osnap *s = malloc (n * sizeof *s);
  for (size_t i = 0; i < n; i++)
    {
      s[i].t = times[i];
      s[i].index = i;
      want[i] = 0;
    }
  qsort (s, n, sizeof *s, osnap_cmp);

  struct tm newest;
  localtime_r (&s[n - 1].t.tv_sec, &newest);
  for (int kind = 0; kind < 5; kind++)
    {
      unsigned marked = 0;
      for (int back = 0; marked < count[kind]; back--)
        {
          time_t start = period_start (newest, kind, back);
          time_t end = period_start (newest, kind, back + 1);
          if (end <= s[0].t.tv_sec)
            break;
          size_t i = lower_bound (s, n, start);
          if (i < n && s[i].t.tv_sec < end)
            {
              want[s[i].index] |= bit[kind];
              marked++;
            }
        }
    }
  for (size_t k = 0; k < policy->last && k < n; k++)
    want[s[n - 1 - k].index] |= RETAIN_LAST;
  want[s[n - 1].index] |= RETAIN_NEWEST;
  if (policy->have_min_age)
    for (size_t i = 0; i < n; i++)
      {
        struct timespec t = times[i];
        long long age = (long long) now.tv_sec - t.tv_sec;
        double exact = age + (now.tv_nsec - t.tv_nsec) / 1e9;
        if (exact < (double) policy->min_age)
          want[i] |= RETAIN_YOUNG;
      }
  free (s);
}

/* A small deterministic pseudo-random generator (a 64-bit LCG).  */
static unsigned
next_random (unsigned long long *state)
{
  *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
  return *state >> 33;
}

/* Make *N snapshot times (returned, malloc'd): years of hourly
   snapshots from START, HOURS hours, each with a snapshot at a jittered
   minute and nanosecond, some hours missing, some with a second snapshot,
   two holes of weeks, shuffled.  */
static struct timespec *
make_years (time_t start, size_t hours, size_t *n_out)
{
  size_t n = 0;
  struct timespec *t = malloc (2 * hours * sizeof *t);
  unsigned long long rnd = 42;

  for (size_t h = 0; h < hours; h++)
    {
      unsigned r = next_random (&rnd);
      if (r % 10 == 0)
        continue;               /* a missed hour */
      time_t base = start + (time_t) h * HOUR;
      t[n++] = ts (base + r % 7 * MINUTE + r % 60, r % 1000000 * 1000);
      if (r % 7 == 0)           /* a second snapshot in the hour */
        t[n++] = ts (base + 40 * MINUTE + r % 300, 0);
    }
  /* Holes of two whole weeks and of a month: empty periods.  */
  size_t m = 0;
  time_t hole1 = start + 400 * DAY, hole2 = start + 600 * DAY;
  for (size_t i = 0; i < n; i++)
    if (!((hole1 <= t[i].tv_sec && t[i].tv_sec < hole1 + 14 * DAY)
          || (hole2 <= t[i].tv_sec && t[i].tv_sec < hole2 + 31 * DAY)))
      t[m++] = t[i];
  n = m;
  for (size_t i = n - 1; 0 < i; i--)
    {
      size_t j = next_random (&rnd) % (i + 1);
      struct timespec x = t[i];
      t[i] = t[j];
      t[j] = x;
    }
  *n_out = n;
  return t;
}

/* Return the number of snapshots of the years from START (HOURS hours,
   see make_years) for which snap_retain_decide under POLICY differs from
   the oracle under ORACLE_POLICY, printing the first few; -1 if it
   failed.  Set *N and *KEPT to the number of snapshots and how many the
   oracle keeps.  */
static long
years_mismatches (time_t start, size_t hours,
                  struct retain_policy policy,
                  struct retain_policy oracle_policy,
                  size_t *n_out, size_t *kept)
{
  size_t n;
  struct timespec *t = make_years (start, hours, &n);
  unsigned *got = malloc (n * sizeof *got);
  unsigned *want = malloc (n * sizeof *want);
  struct timespec now = ts (start + (time_t) hours * HOUR + 10 * MINUTE, 0);
  long bad = 0;

  oracle (t, n, now, &oracle_policy, want);
  if (!snap_retain_decide (t, n, now, &policy, got))
    bad = -1;
  *kept = 0;
  for (size_t i = 0; i < n; i++)
    {
      *kept += want[i] != 0;
      if (0 <= bad && got[i] != want[i] && bad++ < 10)
        printf ("# %lld.%09ld: got %#x want %#x\n",
                (long long) t[i].tv_sec, t[i].tv_nsec, got[i], want[i]);
    }
  *n_out = n;
  free (t);
  free (got);
  free (want);
  return bad;
}

/* Report as test DESC whether snap_retain_decide and the oracle agree
   exactly on the years from START (HOURS hours) under POLICY.  */
static void
check_years (char const *desc, time_t start, size_t hours,
             struct retain_policy policy)
{
  size_t n, kept;
  long bad = years_mismatches (start, hours, policy, policy, &n, &kept);
  tap_ok (bad == 0, "%s: %zu snapshots, %zu kept", desc, n, kept);
}

/* The big tables.  */
static void
test_years (void)
{
  use_tz ("UTC");
  struct retain_policy p = { .hourly = 24, .daily = 7, .weekly = 4,
                             .monthly = 12, .yearly = 3 };
  check_years ("3 years hourly, 24h 7d 4w 12m 3y, UTC",
               utc (2024, 1, 1, 0, 0, 0), 3 * 365 * 24, p);
  struct retain_policy q = { .last = 30, .hourly = 48, .daily = 60,
                             .weekly = 60, .monthly = 30, .yearly = 10,
                             .have_min_age = true, .min_age = 5 * DAY };
  check_years ("4 years hourly from a Thursday, big counts, min-age, UTC",
               utc (2022, 12, 29, 7, 0, 0), 4 * 366 * 24, q);
  if (access ("/usr/share/zoneinfo/Europe/Berlin", R_OK) == 0)
    {
      use_tz ("Europe/Berlin");
      struct retain_policy b = { .daily = 40, .weekly = 20, .monthly = 14,
                                 .yearly = 3 };
      check_years ("3 years hourly in Europe/Berlin, 40d 20w 14m 3y",
                   utc (2024, 1, 1, 0, 0, 0), 3 * 365 * 24, b);
      use_tz ("UTC");
    }
  else
    tap_skip ("3 years hourly in Europe/Berlin", "tzdata not installed");

  /* The comparison can fail: one more week, or one fewer month, in the
     module's policy than in the oracle's is seen.  */
  size_t n, kept;
  struct retain_policy p5 = p, p11 = p;
  p5.weekly = 5;
  p11.monthly = 11;
  long w = years_mismatches (utc (2024, 1, 1, 0, 0, 0), 3 * 365 * 24, p5, p,
                             &n, &kept);
  long mo = years_mismatches (utc (2024, 1, 1, 0, 0, 0), 3 * 365 * 24, p11,
                              p, &n, &kept);
  tap_ok (w == 1 && mo == 1,
          "a policy one week or one month off differs in one snapshot");

  /* The oracle gives the hand-checked answers.  */
  time_t d0 = utc (2026, 3, 1, 0, 0, 0);
  struct timespec t[] = { ts (d0 + 8 * HOUR, 0), ts (d0 + 20 * HOUR, 0),
                          ts (d0 + DAY + 5 * HOUR, 0),
                          ts (d0 + 4 * DAY + 1, 0),
                          ts (d0 + 8 * DAY + 9 * HOUR, 0),
                          ts (d0 + 8 * DAY + 10 * HOUR, 0) };
  struct retain_policy h = { .daily = 3, .hourly = 2 };
  unsigned want[] = { 0, 0, RETAIN_DAILY, RETAIN_DAILY,
                      RETAIN_DAILY | RETAIN_HOURLY,
                      RETAIN_NEWEST | RETAIN_HOURLY };
  unsigned a[6];
  oracle (t, 6, t[5], &h, a);
  tap_ok (memcmp (a, want, sizeof a) == 0,
          "the oracle gives the hand-checked answer");
  /* And the ISO week across New Year.  */
  struct timespec nw[] = { ts (utc (2026, 12, 30, 10, 0, 0), 0),
                          ts (utc (2027, 1, 2, 10, 0, 0), 0),
                          ts (utc (2027, 1, 4, 0, 0, 0), 0) };
  struct retain_policy wp = { .weekly = 2, .yearly = 5 };
  unsigned want_w[] = { RETAIN_WEEKLY | RETAIN_YEARLY, RETAIN_YEARLY,
                        RETAIN_WEEKLY | RETAIN_NEWEST };
  unsigned aw[3];
  oracle (nw, 3, nw[2], &wp, aw);
  tap_ok (memcmp (aw, want_w, sizeof aw) == 0,
          "the oracle's weeks start on Monday across New Year");
}

/* snap_retain_reasons.  */
static void
test_reasons (void)
{
  char buf[SNAP_RETAIN_REASONS_SIZE];
  tap_ok (strcmp (snap_retain_reasons (RETAIN_LAST | RETAIN_DAILY
                                       | RETAIN_WEEKLY, buf, sizeof buf),
                  "last, daily, weekly") == 0,
          "reasons are named in order: %s", buf);
  tap_ok (strcmp (snap_retain_reasons (0, buf, sizeof buf), "none") == 0,
          "no reason is 'none'");
  snap_retain_reasons (0xff, buf, sizeof buf);
  tap_ok (strcmp (buf, "last, hourly, daily, weekly, monthly, yearly, "
                  "newest, young") == 0, "every reason: %s", buf);
  char small[12];
  snap_retain_reasons (RETAIN_HOURLY | RETAIN_MONTHLY | RETAIN_YOUNG, small,
                       sizeof small);
  tap_ok (strcmp (small, "hourly") == 0,
          "a short buffer holds whole names only: %s", small);
}

/* snap_retain_parse_age, as a table.  */
static void
test_parse_age (void)
{
  static struct
  {
    char const *text;
    bool ok;
    long long seconds;
  } const cases[] = {
    { "90", true, 90 },
    { "0", true, 0 },
    { "90s", true, 90 },
    { "15m", true, 900 },
    { "36h", true, 129600 },
    { "7d", true, 604800 },
    { "2w", true, 1209600 },
    { "1d12h", true, 129600 },
    { "1w2d3h4m5s", true, 604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5 },
    { "15m30s", true, 930 },
    { "007h", true, 25200 },
    { "9223372036854775807", true, 9223372036854775807LL },
    { "9223372036854775807s", true, 9223372036854775807LL },
    { "", false, 0 },
    { "h", false, 0 },
    { "1x", false, 0 },
    { "-5", false, 0 },
    { "+5", false, 0 },
    { " 5", false, 0 },
    { "5 ", false, 0 },
    { "1.5h", false, 0 },
    { "1h30", false, 0 },
    { "12h1d", false, 0 },
    { "1d1d", false, 0 },
    { "1dd", false, 0 },
    { "1H", false, 0 },
    { "9223372036854775808", false, 0 },
    { "15250284452471w", true, 15250284452471LL * 604800 },
    { "15250284452472w", false, 0 },
    { "9223372036854775807s1w", false, 0 },
    { "1w9223372036854775807s", false, 0 },
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    {
      long long got = -1;
      bool ok = snap_retain_parse_age (cases[i].text, &got);
      tap_ok (ok == cases[i].ok && got == (ok ? cases[i].seconds : -1),
              "--min-age %s: %s %lld", quote (cases[i].text),
              ok ? "ok" : "rejected", ok ? got : 0);
    }
}

int
main (void)
{
  test_hand_utc ();
  test_berlin ();
  test_years ();
  test_reasons ();
  test_parse_age ();
  return tap_done ();
}
