/* SPDX-License-Identifier: GPL-3.0-or-later */
/* snap-schedule.h -- the systemd timer and service of "cowsnap schedule":
   their names, their text, writing and removing them, and systemctl.  */

#ifndef SNAP_SCHEDULE_H
#define SNAP_SCHEDULE_H

#include <stdbool.h>

struct retain_policy;

/* Where units are written unless the caller says otherwise.  */
#define SNAP_SCHEDULE_DIR "/etc/systemd/system"

/* How often the timer fires: systemd's OnCalendar= shorthands.  */
enum snap_period
{
  SNAP_HOURLY,
  SNAP_DAILY,
  SNAP_WEEKLY
};

/* The two units of one schedule.  */
struct snap_units
{
  char *name;       /* "cowsnap-mnt-data": the units' name, no suffix */
  char *timer;      /* the text of NAME.timer */
  char *service;    /* the text of NAME.service */
};

/* Return, newly allocated, absolute PATH escaped as "systemd-escape
   --path" does (systemd 252, unit_name_path_escape): runs of '/' and "."
   components are dropped, the leading and trailing '/' removed, "/"
   becomes "-"; then every '/' becomes '-', a leading '.' and every byte
   other than ASCII letters, digits, ':', '_' and '.' becomes "\xNN"
   (lower-case hex).  The root gives "-".  Return NULL with errno EINVAL
   for a PATH that is not absolute or has a ".." component.  */
char *snap_schedule_escape_path (char const *path);

/* Return, newly allocated, ARG written as one word of a systemd
   command line (ExecStart=; systemd.service(5), systemd.syntax(7)): as
   is when it holds only ASCII letters, digits and "/._+,:@=-", else in
   double quotes with '"' and '\' backslash-escaped, '%' doubled (a
   specifier otherwise), '$' doubled (an environment variable otherwise),
   control bytes as "\xNN", and bytes from 0x80 up kept when ARG is valid
   UTF-8, else as "\xNN" too.  ARG is not empty.  */
char *snap_schedule_quote_arg (char const *arg);

/* Fill *UNITS (free with snap_schedule_free) for a schedule of absolute
   PATH: a timer firing PERIOD (OnCalendar=hourly|daily|weekly,
   Persistent=true, WantedBy=timers.target) and a oneshot service whose
   ExecStart= lines run, in order, "BINDIR/cowsnap [--if-changed] --
   PATH" and, when POLICY keeps by some rule or has a minimum age,
   "BINDIR/cowsnap prune --keep-...=N [--min-age=Ns] -- PATH" (only the
   nonzero counts; an all-zero policy would delete all but the newest
   snapshot, so no prune is run for it).  The units are named
   "cowsnap-" followed by PATH escaped as snap_schedule_escape_path does.
   Return false with errno set (EINVAL: PATH not absolute or with a ".."
   component; ENAMETOOLONG: a unit name over 255 bytes), reporting
   nothing.  */
bool snap_schedule_render (char const *path, enum snap_period period,
                           bool if_changed,
                           struct retain_policy const *policy,
                           char const *bindir, struct snap_units *units);

/* Free what *UNITS holds.  */
void snap_schedule_free (struct snap_units *units);

/* Write UNITS into directory DIR as NAME.service, then NAME.timer (so
   that no timer is ever there without its service), each built beside
   under a temporary name, synced, made mode 0644 and renamed into
   place, replacing an older version.  Return true, or report what
   failed, remove the temporary file and return false.  */
bool snap_schedule_write (char const *dir, struct snap_units const *units);

/* Remove NAME.timer, then NAME.service, from directory DIR.  Set *FOUND
   to whether either was there; a missing one is not an error.  Return
   true, or report each failure and return false.  */
bool snap_schedule_remove (char const *dir, char const *name, bool *found);

/* Return true when units in DIR are to be activated with systemctl:
   DIR is SNAP_SCHEDULE_DIR, systemd is the running init (as
   sd_booted (3) tells it: /run/systemd/system exists) and systemctl is
   found in PATH.  Tests write elsewhere and never reach systemd.  */
bool snap_schedule_use_systemctl (char const *dir);

/* Run "systemctl ARGS..." (ARGS ends with NULL) and wait for it.
   Return true when it exits with status 0, else report it and return
   false.  */
bool snap_schedule_systemctl (char const *const *args);

/* After snap_schedule_write: "systemctl daemon-reload", then "systemctl
   enable --now NAME.timer".  Return true, or false after a report.  */
bool snap_schedule_activate (char const *name);

/* Before snap_schedule_remove: "systemctl disable --now NAME.timer";
   after it the caller runs "systemctl daemon-reload" through
   snap_schedule_systemctl.  Return true, or false after a report.  */
bool snap_schedule_deactivate (char const *name);

#endif /* SNAP_SCHEDULE_H */
