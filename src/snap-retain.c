/* SPDX-License-Identifier: GPL-3.0-or-later */
/* snap-retain.c -- retention: which stamped snapshots a policy keeps,
   and why (the rule is stated in snap-retain.h); --min-age durations.  */

#include "system.h"

#include <time.h>

#include "snap-retain.h"
#include "xalloc.h"

/* The five calendar rules, in the order of their RETAIN_* bits.  */
enum period { P_HOUR, P_DAY, P_WEEK, P_MONTH, P_YEAR, N_PERIODS };

/* One snapshot while deciding: its time, its index in the caller's
   array, and the number of the period of each kind it falls in.  */
struct snap
{
  struct timespec t;
  size_t index;
  long long period[N_PERIODS];
};

/* Return A divided by B (B > 0), rounded towards minus infinity.  */
static long long
floor_div (long long a, long long b)
{
  long long q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* Return the number of days from 1970-01-01 to January 1st of YEAR of
   the proleptic Gregorian calendar (negative before 1970): 365 a year
   plus one for each February 29th in between.  */
static long long
days_to_year (long long year)
{
  return (365 * (year - 1970) + floor_div (year - 1969, 4)
          - floor_div (year - 1901, 100) + floor_div (year - 1601, 400));
}

/* Fill S->period from the local time of S->t.  Periods of one kind are
   numbered in time order: hours and days since the epoch's local date,
   Monday-to-Sunday weeks since the one holding 1970-01-01 (a Thursday,
   hence the 3 days back to its Monday), months and years of the
   calendar.  Return false with errno set if localtime_r fails.  */
static bool
set_periods (struct snap *s)
{
  struct tm tm;
  time_t sec = s->t.tv_sec;
  if (!localtime_r (&sec, &tm))
    return false;
  long long year = tm.tm_year + 1900LL;
  long long day = days_to_year (year) + tm.tm_yday;
  s->period[P_HOUR] = day * 24 + tm.tm_hour;
  s->period[P_DAY] = day;
  s->period[P_WEEK] = floor_div (day + 3, 7);
  s->period[P_MONTH] = year * 12 + tm.tm_mon;
  s->period[P_YEAR] = year;
  return true;
}

/* qsort comparison of two struct snap: older first; equal times in the
   order of the caller's array.  */
static int
snap_cmp (void const *a, void const *b)
{
  struct snap const *x = a, *y = b;
  if (x->t.tv_sec != y->t.tv_sec)
    return x->t.tv_sec < y->t.tv_sec ? -1 : 1;
  if (x->t.tv_nsec != y->t.tv_nsec)
    return x->t.tv_nsec < y->t.tv_nsec ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* Return true if a snapshot taken at T is younger than MIN_AGE seconds
   at NOW, that is NOW - T < MIN_AGE, exactly, without overflow.  */
static bool
is_young (struct timespec t, struct timespec now, long long min_age)
{
  long long age;
  if (__builtin_sub_overflow ((long long) now.tv_sec,
                              (long long) t.tv_sec, &age))
    return now.tv_sec < t.tv_sec;
  return age < min_age || (age == min_age && now.tv_nsec < t.tv_nsec);
}

/* Decide what POLICY keeps of the N snapshots at TIMES at NOW, into
   REASONS.  See snap-retain.h for the rule, numbered as here.  */
bool
snap_retain_decide (struct timespec const *times, size_t n,
                    struct timespec now, struct retain_policy const *policy,
                    unsigned *reasons)
{
  static unsigned const bit[N_PERIODS] =
    { RETAIN_HOURLY, RETAIN_DAILY, RETAIN_WEEKLY, RETAIN_MONTHLY,
      RETAIN_YEARLY };
  unsigned const count[N_PERIODS] =
    { policy->hourly, policy->daily, policy->weekly, policy->monthly,
      policy->yearly };

  if (n == 0)
    return true;
  struct snap *s = xnmalloc (n, sizeof *s);
  for (size_t i = 0; i < n; i++)
    {
      s[i].t = times[i];
      s[i].index = i;
      reasons[i] = 0;
      if (!set_periods (&s[i]))
        {
          int e = errno;
          free (s);
          errno = e;
          return false;
        }
    }

  /* 1. Oldest first, ties by index.  */
  qsort (s, n, sizeof *s, snap_cmp);

  /* 2. Keep each kind's period numbers in time order, should local time
     have stepped back.  */
  for (size_t i = 1; i < n; i++)
    for (int p = 0; p < N_PERIODS; p++)
      if (s[i].period[p] < s[i - 1].period[p])
        s[i].period[p] = s[i - 1].period[p];

  /* 3. From the newest back, the first of each period (the oldest in it:
     the one whose older neighbour is in another period) until the count
     of periods is used up.  */
  for (int p = 0; p < N_PERIODS; p++)
    {
      unsigned left = count[p];
      for (size_t i = n; 0 < left && 0 < i--; )
        if (i == 0 || s[i - 1].period[p] != s[i].period[p])
          {
            reasons[s[i].index] |= bit[p];
            left--;
          }
    }

  /* 4. The LAST newest.  */
  for (size_t i = n, k = 0; k < policy->last && 0 < i--; k++)
    reasons[s[i].index] |= RETAIN_LAST;

  /* 5. The newest.  */
  reasons[s[n - 1].index] |= RETAIN_NEWEST;

  /* 6. The young.  */
  if (policy->have_min_age)
    for (size_t i = 0; i < n; i++)
      if (is_young (s[i].t, now, policy->min_age))
        reasons[s[i].index] |= RETAIN_YOUNG;

  free (s);
  return true;
}

/* Write the names of MASK's bits into BUF of SIZE bytes; see the
   header.  */
char *
snap_retain_reasons (unsigned mask, char *buf, size_t size)
{
  static char const *const names[] =
    { N_("last"), N_("hourly"), N_("daily"), N_("weekly"), N_("monthly"),
      N_("yearly"), N_("newest"), N_("young") };
  size_t len = 0;

  if (size == 0)
    return buf;
  buf[0] = '\0';
  if (mask == 0)
    {
      snprintf (buf, size, "%s", _("none"));
      return buf;
    }
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (mask & (1u << i))
      {
        int k = snprintf (buf + len, size - len, "%s%s",
                          len ? ", " : "", _(names[i]));
        if (k < 0 || size - len <= (size_t) k)
          {
            buf[len] = '\0';
            break;
          }
        len += k;
      }
  return buf;
}

/* Parse a --min-age duration; see the header.  */
bool
snap_retain_parse_age (char const *text, long long *seconds)
{
  static char const units[] = "wdhms";
  static long long const unit_seconds[] = { 7 * 86400, 86400, 3600, 60, 1 };
  long long total = 0;
  int next_unit = 0;            /* index of the first unit still allowed */
  char const *p = text;

  do
    {
      if (!('0' <= *p && *p <= '9'))
        return false;
      long long value = 0;
      for (; '0' <= *p && *p <= '9'; p++)
        if (__builtin_mul_overflow (value, 10, &value)
            || __builtin_add_overflow (value, *p - '0', &value))
          return false;

      /* A bare number is seconds, and only as the whole text.  */
      if (*p == '\0' && p == text + strspn (text, "0123456789"))
        {
          *seconds = value;
          return true;
        }
      char const *u = *p ? strchr (units + next_unit, *p) : NULL;
      if (!u)
        return false;
      int k = u - units;
      if (__builtin_mul_overflow (value, unit_seconds[k], &value)
          || __builtin_add_overflow (total, value, &total))
        return false;
      next_unit = k + 1;
      p++;
    }
  while (*p);

  *seconds = total;
  return true;
}
