/* SPDX-License-Identifier: GPL-3.0-or-later */
/* schedule.c -- unit tests of snap-schedule: unit names against a table
   and the real systemd-escape, command-line quoting decoded back by
   systemd's rules, the rendered units, and writing and removing them in
   a temporary directory.  systemd itself is never touched (systemctl
   is only asked for its version and given a bad option).  Prints TAP.  */

#include "../../src/system.h"

#include <dirent.h>
#include <spawn.h>
#include <sys/wait.h>

#include "../../src/snap-retain.h"
#include "../../src/snap-schedule.h"
#include "progname.h"
#include "tap.h"

extern char **environ;

/* Return, newly allocated, the output of "systemd-escape --path -- ARG"
   without its final newline, or NULL if it failed.  */
static char *
real_escape (char const *arg)
{
  int fds[2];
  if (pipe (fds) != 0)
    return NULL;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_adddup2 (&fa, fds[1], 1);
  posix_spawn_file_actions_addclose (&fa, fds[0]);
  posix_spawn_file_actions_addopen (&fa, 2, "/dev/null", O_WRONLY, 0);
  char *argv[] = { (char *) "systemd-escape", (char *) "--path",
                   (char *) "--", (char *) arg, NULL };
  pid_t pid;
  int err = posix_spawnp (&pid, "systemd-escape", &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy (&fa);
  close (fds[1]);
  char buf[4096];
  size_t len = 0;
  ssize_t n;
  while (!err && 0 < (n = read (fds[0], buf + len, sizeof buf - 1 - len)))
    len += n;
  close (fds[0]);
  int status;
  if (err || waitpid (pid, &status, 0) < 0 || !WIFEXITED (status)
      || WEXITSTATUS (status) != 0)
    return NULL;
  if (len && buf[len - 1] == '\n')
    len--;
  buf[len] = '\0';
  return strdup (buf);
}

/* Run ARGV (ARGV[0] found in PATH) with its output thrown away, in
   directory DIR (NULL: here); return true if it exits with status 0.  */
static bool
run_quietly (char *const *argv, char const *dir)
{
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_addopen (&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen (&fa, 2, "/dev/null", O_WRONLY, 0);
  if (dir)
    posix_spawn_file_actions_addchdir_np (&fa, dir);
  pid_t pid;
  int status;
  bool ok = (posix_spawnp (&pid, argv[0], &fa, NULL, argv, environ) == 0
             && waitpid (pid, &status, 0) == pid && WIFEXITED (status)
             && WEXITSTATUS (status) == 0);
  posix_spawn_file_actions_destroy (&fa);
  return ok;
}

/* Return true if PROGRAM runs from PATH ("PROGRAM --version" exits 0).  */
static bool
have_program (char const *program)
{
  char *argv[] = { (char *) program, (char *) "--version", NULL };
  return run_quietly (argv, NULL);
}

/* Paths and their systemd-escape --path form (systemd 252).  */
static struct
{
  char const *path;
  char const *escaped;
} const escapes[] = {
  { "/mnt/data", "mnt-data" },
  { "/", "-" },
  { "//", "-" },
  { "/mnt/my-data", "mnt-my\\x2ddata" },
  { "/a b/-x/.h/\xc3\xa9%/", "a\\x20b-\\x2dx-.h-\\xc3\\xa9\\x25" },
  { "//a//b/", "a-b" },
  { "/.h", "\\x2eh" },
  { "/./.h", "\\x2eh" },
  { "/a/./b", "a-b" },
  { "/a/.", "a" },
  { "/a\\b", "a\\x5cb" },
  { "/a:b_c.d", "a:b_c.d" },
  { "/~x", "\\x7ex" },
  { "/a/...", "a-..." },
  { "/x\ny", "x\\x0ay" },
  { "/\x01\xff", "\\x01\\xff" },
  { "/srv/donn\xc3\xa9""es", "srv-donn\\xc3\\xa9es" },
};

/* Paths that are refused: not absolute, or with "..".  */
static char const *const bad_paths[] = { "a/b", "", ".", "/a/../b", "/.." };

/* snap_schedule_escape_path against the table and the real tool.  */
static void
test_escape (void)
{
  bool real = have_program ("systemd-escape");
  for (size_t i = 0; i < sizeof escapes / sizeof *escapes; i++)
    {
      char *got = snap_schedule_escape_path (escapes[i].path);
      tap_ok (got && strcmp (got, escapes[i].escaped) == 0,
              "escape %s is %s (got %s)", quote_n (0, escapes[i].path),
              quote_n (1, escapes[i].escaped), quote_n (2, got ? got : "-"));
      if (real)
        {
          char *want = real_escape (escapes[i].path);
          tap_ok (got && want && strcmp (got, want) == 0,
                  "escape %s as systemd-escape --path does (%s)",
                  quote_n (0, escapes[i].path),
                  quote_n (1, want ? want : "-"));
          free (want);
        }
      else
        tap_skip ("escape as systemd-escape --path does",
                  "systemd-escape not installed");
      free (got);
    }
  for (size_t i = 0; i < sizeof bad_paths / sizeof *bad_paths; i++)
    {
      errno = 0;
      char *got = snap_schedule_escape_path (bad_paths[i]);
      tap_ok (!got && errno == EINVAL, "path %s is refused",
              quote (bad_paths[i]));
      free (got);
    }
  /* systemd-escape refuses ".." too.  */
  if (real)
    {
      char *want = real_escape ("/a/../b");
      tap_ok (!want, "systemd-escape --path refuses '/a/../b' as well");
      free (want);
    }
  else
    tap_skip ("systemd-escape refuses ..", "systemd-escape not installed");
}

/* Decode WORD, one word of a systemd command line (the whole of it), as
   systemd does: specifiers ("%%" to '%'), then quotes and C escapes,
   then "$$" to '$'.  Return the argument, newly allocated, or NULL if
   WORD is not exactly one well-formed word.  Only what
   snap_schedule_quote_arg produces needs decoding; anything else is
   refused.  */
static char *
decode_word (char const *word)
{
  size_t n = strlen (word);
  char *out = malloc (n + 1), *o = out;
  bool quoted = word[0] == '"';
  char const *p = word + quoted, *end = word + n - quoted;
  if (quoted && (n < 2 || word[n - 1] != '"'))
    goto bad;
  while (p < end)
    {
      if (*p == '%' || *p == '$')
        {
          if (p + 1 >= end || p[1] != *p)
            goto bad;
          *o++ = *p;
          p += 2;
        }
      else if (*p == '\\')
        {
          if (!quoted || p + 1 >= end)
            goto bad;
          if (p[1] == '"' || p[1] == '\\')
            {
              *o++ = p[1];
              p += 2;
            }
          else if (p[1] == 'x' && p + 3 < end)
            {
              char hex[3] = { p[2], p[3], 0 };
              char *e;
              long v = strtol (hex, &e, 16);
              if (*e || v == 0)
                goto bad;
              *o++ = v;
              p += 4;
            }
          else
            goto bad;
        }
      else if (*p == '"' || (!quoted && (*p == ' ' || *p == '\'')))
        goto bad;
      else if ((unsigned char) *p < 0x20 || *p == 0x7f)
        goto bad;
      else
        *o++ = *p++;
    }
  *o = '\0';
  return out;
 bad:
  free (out);
  return NULL;
}

/* snap_schedule_quote_arg: a table, then every byte round-trips.  */
static void
test_quote (void)
{
  static struct
  {
    char const *arg;
    char const *quoted;
  } const cases[] = {
    { "/mnt/data", "/mnt/data" },
    { "/usr/local/bin/cowsnap", "/usr/local/bin/cowsnap" },
    { "/mnt/my-data_1.2+x,y:z@w=v", "/mnt/my-data_1.2+x,y:z@w=v" },
    { "/mnt/my data", "\"/mnt/my data\"" },
    { "/a%b", "\"/a%%b\"" },
    { "/a%n%%", "\"/a%%n%%%%\"" },
    { "/a$b${c}", "\"/a$$b$${c}\"" },
    { "/a\"b'c", "\"/a\\\"b'c\"" },
    { "/a\\b\\", "\"/a\\\\b\\\\\"" },
    { "/a;b", "\"/a;b\"" },
    { "/srv/donn\xc3\xa9""es", "\"/srv/donn\xc3\xa9""es\"" },
    { "/x\ny\tz", "\"/x\\x0ay\\x09z\"" },
    { "/bad\xff\xc3", "\"/bad\\xff\\xc3\"" },
    { "/\xed\xa0\x80", "\"/\\xed\\xa0\\x80\"" },
    { "/\xe2\x82\xac", "\"/\xe2\x82\xac\"" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    {
      char *got = snap_schedule_quote_arg (cases[i].arg);
      tap_ok (strcmp (got, cases[i].quoted) == 0, "quote %s as %s (got %s)",
              quote_n (0, cases[i].arg), quote_n (1, cases[i].quoted),
              quote_n (2, got));
      char *back = decode_word (got);
      tap_ok (back && strcmp (back, cases[i].arg) == 0,
              "%s decodes back to %s", quote_n (0, got),
              quote_n (1, cases[i].arg));
      free (back);
      free (got);
    }

  /* Every byte, alone and among others, decodes back.  */
  int bad = 0;
  for (int c = 1; c < 256; c++)
    {
      char arg[] = { '/', 'a', (char) c, 'b', (char) c, 0 };
      char *got = snap_schedule_quote_arg (arg);
      char *back = decode_word (got);
      if (!back || strcmp (back, arg) != 0)
        bad++;
      free (back);
      free (got);
    }
  tap_ok (bad == 0, "every byte from 1 to 255 decodes back (%d did not)",
          bad);
  /* The decoder refuses what systemd would not read as the argument.  */
  tap_ok (!decode_word ("/a%b") && !decode_word ("\"/a$b\"")
          && !decode_word ("/a b") && !decode_word ("\"/a\\qb\""),
          "the test's decoder refuses lone '%%', lone '$', spaces, "
          "bad escapes");
}

/* Render PATH with the other arguments and compare with WANT_NAME,
   WANT_SERVICE and WANT_TIMER (NULL: not compared) as test DESC.  */
static void
check_render (char const *desc, char const *path, enum snap_period period,
              bool if_changed, struct retain_policy policy,
              char const *want_name, char const *want_service,
              char const *want_timer)
{
  struct snap_units u;
  bool ok = snap_schedule_render (path, period, if_changed, &policy,
                                  "/usr/bin", &u);
  bool same = (ok && strcmp (u.name, want_name) == 0
               && (!want_service || strcmp (u.service, want_service) == 0)
               && (!want_timer || strcmp (u.timer, want_timer) == 0));
  if (ok && !same)
    printf ("# name: %s\n# service:\n%s# timer:\n%s", u.name, u.service,
            u.timer);
  tap_ok (same, "%s", desc);
  if (ok)
    snap_schedule_free (&u);
}

/* snap_schedule_render.  */
static void
test_render (void)
{
  struct retain_policy p = { .hourly = 24, .daily = 7, .weekly = 4,
                             .monthly = 12, .yearly = 3 };
  check_render
    ("the units of /mnt/data, daily, --if-changed, a policy",
     "/mnt/data", SNAP_DAILY, true, p, "cowsnap-mnt-data",
     "# Made by cowsnap schedule; undo with cowsnap schedule --remove.\n"
     "[Unit]\n"
     "Description=cowsnap snapshot of /mnt/data\n"
     "Documentation=man:cowsnap(1)\n"
     "\n"
     "[Service]\n"
     "Type=oneshot\n"
     "ExecStart=/usr/bin/cowsnap --if-changed -- /mnt/data\n"
     "ExecStart=/usr/bin/cowsnap prune --keep-hourly=24 --keep-daily=7 "
     "--keep-weekly=4 --keep-monthly=12 --keep-yearly=3 -- /mnt/data\n",
     "# Made by cowsnap schedule; undo with cowsnap schedule --remove.\n"
     "[Unit]\n"
     "Description=cowsnap daily snapshots of /mnt/data\n"
     "Documentation=man:cowsnap(1)\n"
     "\n"
     "[Timer]\n"
     "OnCalendar=daily\n"
     "Persistent=true\n"
     "\n"
     "[Install]\n"
     "WantedBy=timers.target\n");

  struct retain_policy none = { 0 };
  check_render
    ("a path with spaces and %, weekly, no policy: no prune",
     "/mnt/my data/100%", SNAP_WEEKLY, false, none,
     "cowsnap-mnt-my\\x20data-100\\x25",
     "# Made by cowsnap schedule; undo with cowsnap schedule --remove.\n"
     "[Unit]\n"
     "Description=cowsnap snapshot of /mnt/my data/100%%\n"
     "Documentation=man:cowsnap(1)\n"
     "\n"
     "[Service]\n"
     "Type=oneshot\n"
     "ExecStart=/usr/bin/cowsnap -- \"/mnt/my data/100%%\"\n",
     "# Made by cowsnap schedule; undo with cowsnap schedule --remove.\n"
     "[Unit]\n"
     "Description=cowsnap weekly snapshots of /mnt/my data/100%%\n"
     "Documentation=man:cowsnap(1)\n"
     "\n"
     "[Timer]\n"
     "OnCalendar=weekly\n"
     "Persistent=true\n"
     "\n"
     "[Install]\n"
     "WantedBy=timers.target\n");

  struct retain_policy last = { .last = 5, .have_min_age = true,
                                .min_age = 86400 };
  check_render
    ("a unicode path, hourly, --keep-last and --min-age",
     "/srv/donn\xc3\xa9""es", SNAP_HOURLY, false, last,
     "cowsnap-srv-donn\\xc3\\xa9es",
     "# Made by cowsnap schedule; undo with cowsnap schedule --remove.\n"
     "[Unit]\n"
     "Description=cowsnap snapshot of /srv/donn\xc3\xa9""es\n"
     "Documentation=man:cowsnap(1)\n"
     "\n"
     "[Service]\n"
     "Type=oneshot\n"
     "ExecStart=/usr/bin/cowsnap -- \"/srv/donn\xc3\xa9""es\"\n"
     "ExecStart=/usr/bin/cowsnap prune --keep-last=5 --min-age=86400s -- "
     "\"/srv/donn\xc3\xa9""es\"\n",
     NULL);

  struct retain_policy d = { .daily = 3 };
  /* '$' is no letter for unit names either.  */
  char *esc = snap_schedule_escape_path ("/mnt/my-data/$x\"\\");
  tap_ok (esc && strcmp (esc, "mnt-my\\x2ddata-\\x24x\\x22\\x5c") == 0,
          "'$' is escaped in unit names (%s)", esc ? esc : "-");
  free (esc);
  check_render
    ("a path with '-', '$', a quote and a final backslash",
     "/mnt/my-data/$x\"\\", SNAP_DAILY, false, d,
     "cowsnap-mnt-my\\x2ddata-\\x24x\\x22\\x5c",
     "# Made by cowsnap schedule; undo with cowsnap schedule --remove.\n"
     "[Unit]\n"
     "Description=cowsnap snapshot of /mnt/my-data/$x\"\\x5c\n"
     "Documentation=man:cowsnap(1)\n"
     "\n"
     "[Service]\n"
     "Type=oneshot\n"
     "ExecStart=/usr/bin/cowsnap -- \"/mnt/my-data/$$x\\\"\\\\\"\n"
     "ExecStart=/usr/bin/cowsnap prune --keep-daily=3 -- "
     "\"/mnt/my-data/$$x\\\"\\\\\"\n",
     NULL);

  /* Refusals.  */
  struct snap_units u;
  errno = 0;
  tap_ok (!snap_schedule_render ("mnt/data", SNAP_DAILY, false, &d,
                                 "/usr/bin", &u) && errno == EINVAL,
          "a relative path is refused with EINVAL");
  char longpath[300];
  memset (longpath, 'x', sizeof longpath - 1);
  longpath[0] = '/';
  longpath[sizeof longpath - 1] = '\0';
  errno = 0;
  tap_ok (!snap_schedule_render (longpath, SNAP_DAILY, false, &d,
                                 "/usr/bin", &u) && errno == ENAMETOOLONG,
          "a unit name over 255 bytes is refused with ENAMETOOLONG");
  /* 255 bytes exactly: "cowsnap-" + 239 + ".service".  */
  char fits[241];
  memset (fits, 'y', sizeof fits - 1);
  fits[0] = '/';
  fits[sizeof fits - 1] = '\0';
  bool ok = snap_schedule_render (fits, SNAP_DAILY, false, &d, "/usr/bin",
                                  &u);
  tap_ok (ok && strlen (u.name) + strlen (".service") == 255,
          "a unit name of 255 bytes is accepted");
  if (ok)
    snap_schedule_free (&u);
}

/* Return the sorted names in directory DIR joined by ' ' (static).  */
static char const *
listing (char const *dir)
{
  static char buf[4096];
  struct dirent **names;
  int n = scandir (dir, &names, NULL, alphasort);
  buf[0] = '\0';
  if (n < 0)
    return "(none)";
  for (int i = 0; i < n; i++)
    {
      if (strcmp (names[i]->d_name, ".") && strcmp (names[i]->d_name, ".."))
        {
          size_t len = strlen (buf);
          snprintf (buf + len, sizeof buf - len, "%s%s", len ? " " : "",
                    names[i]->d_name);
        }
      free (names[i]);
    }
  free (names);
  return buf;
}

/* Return, newly allocated, the contents of file NAME, or NULL.  */
static char *
slurp (char const *name)
{
  FILE *f = fopen (name, "r");
  if (!f)
    return NULL;
  char *buf = calloc (1, 65536);
  size_t n = fread (buf, 1, 65535, f);
  buf[n] = '\0';
  fclose (f);
  return buf;
}

/* Return true if file DIR/NAME holds exactly TEXT and has mode 0644.  */
static bool
file_is (char const *dir, char const *name, char const *text)
{
  char path[4096];
  snprintf (path, sizeof path, "%s/%s", dir, name);
  struct stat st;
  char *got = slurp (path);
  bool ok = (got && strcmp (got, text) == 0 && stat (path, &st) == 0
             && (st.st_mode & 07777) == 0644);
  free (got);
  return ok;
}

/* Run F (A) with stderr sent to a temporary file; return what it
   printed there (static) and F's result through *RESULT.  */
static char const *
with_stderr (bool (*f) (void const *), void const *a, bool *result)
{
  static char buf[4096];
  char name[] = "/tmp/snap-retain-stderr.XXXXXX";
  int fd = mkstemp (name);
  int saved = dup (2);
  fflush (stderr);
  dup2 (fd, 2);
  *result = f (a);
  fflush (stderr);
  dup2 (saved, 2);
  close (saved);
  ssize_t n = pread (fd, buf, sizeof buf - 1, 0);
  n = n < 0 ? 0 : n;
  while (0 < n && buf[n - 1] == '\n')
    n--;
  buf[n] = '\0';
  for (char *p = buf; (p = strchr (p, '\n')); )
    *p = ' ';
  close (fd);
  unlink (name);
  return buf;
}

/* Arguments of write_in for with_stderr.  */
struct write_args
{
  char const *dir;
  struct snap_units const *units;
};

/* snap_schedule_write with ARGS (a struct write_args).  */
static bool
write_in (void const *args)
{
  struct write_args const *w = args;
  return snap_schedule_write (w->dir, w->units);
}

/* snap_schedule_systemctl with ARGS (a NULL-terminated array).  */
static bool
run_systemctl (void const *args)
{
  return snap_schedule_systemctl (args);
}

/* Writing and removing in a temporary directory.  */
static void
test_write (void)
{
  char const *tmp = getenv ("TMPDIR");
  char dir[4096];
  snprintf (dir, sizeof dir, "%s/snap-retain-schedule.XXXXXX",
            tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp (dir))
    {
      tap_skip ("writing units", "cannot make a temporary directory");
      return;
    }

  struct retain_policy p = { .daily = 7 };
  struct snap_units u, v;
  snap_schedule_render ("/mnt/my data", SNAP_DAILY, false, &p, "/usr/bin",
                        &u);
  snap_schedule_render ("/mnt/my data", SNAP_HOURLY, true, &p, "/usr/bin",
                        &v);

  bool ok = snap_schedule_write (dir, &u);
  tap_ok (ok && strcmp (listing (dir), "cowsnap-mnt-my\\x20data.service "
                        "cowsnap-mnt-my\\x20data.timer") == 0,
          "write makes the service and the timer and nothing else: %s",
          listing (dir));
  tap_ok (file_is (dir, "cowsnap-mnt-my\\x20data.service", u.service)
          && file_is (dir, "cowsnap-mnt-my\\x20data.timer", u.timer),
          "the files hold the rendered text, mode 0644");

  /* Writing again replaces both.  */
  umask (077);
  ok = snap_schedule_write (dir, &v);
  umask (022);
  tap_ok (ok && file_is (dir, "cowsnap-mnt-my\\x20data.service", v.service)
          && file_is (dir, "cowsnap-mnt-my\\x20data.timer", v.timer)
          && strcmp (listing (dir), "cowsnap-mnt-my\\x20data.service "
                     "cowsnap-mnt-my\\x20data.timer") == 0,
          "writing again replaces both, mode 0644 whatever the umask, no "
          "temporary left");

  /* Removal.  */
  bool found = false;
  ok = snap_schedule_remove (dir, u.name, &found);
  tap_ok (ok && found && strcmp (listing (dir), "") == 0,
          "remove takes both away");
  found = true;
  ok = snap_schedule_remove (dir, u.name, &found);
  tap_ok (ok && !found, "removing what is not there is no error, and "
          "says so");

  /* A failure after the service: the timer's name is a directory.  */
  char sub[4200];
  snprintf (sub, sizeof sub, "%s/%s.timer", dir, u.name);
  char subfile[4300];
  snprintf (subfile, sizeof subfile, "%s/x", sub);
  mkdir (sub, 0755);
  close (open (subfile, O_WRONLY | O_CREAT, 0644));
  struct write_args w = { dir, &u };
  char const *err = with_stderr (write_in, &w, &ok);
  tap_ok (!ok && strstr (err, "cannot move") && strstr (err, ".timer")
          && strcmp (listing (dir), "cowsnap-mnt-my\\x20data.service "
                     "cowsnap-mnt-my\\x20data.timer") == 0,
          "a failed rename is reported and leaves no temporary file: %s",
          err);
  unlink (subfile);
  rmdir (sub);
  ok = snap_schedule_remove (dir, u.name, &found);
  tap_ok (ok && found && strcmp (listing (dir), "") == 0,
          "the service alone is removed");

  /* A directory that does not exist.  */
  char missing[4200];
  snprintf (missing, sizeof missing, "%s/no-such-dir", dir);
  w.dir = missing;
  err = with_stderr (write_in, &w, &ok);
  tap_ok (!ok && strstr (err, "cannot create temporary file in")
          && strcmp (listing (dir), "") == 0,
          "a missing directory is reported: %s", err);

  tap_ok (!snap_schedule_use_systemctl (dir),
          "systemctl is not used for a directory other than %s",
          SNAP_SCHEDULE_DIR);

  snap_schedule_free (&u);
  snap_schedule_free (&v);
  rmdir (dir);
}

/* Units for an awkward path, written into a temporary directory, pass
   "systemd-analyze verify" (offline: it loads them into a private
   manager in test mode, the running systemd is not asked), and a unit
   with the quoting broken does not.  */
static void
test_verify (void)
{
  if (!have_program ("systemd-analyze"))
    {
      tap_skip ("systemd-analyze verify accepts the units",
                "systemd-analyze not installed");
      tap_skip ("systemd-analyze verify refuses broken quoting",
                "systemd-analyze not installed");
      return;
    }
  char const *tmp = getenv ("TMPDIR");
  char dir[4096];
  snprintf (dir, sizeof dir, "%s/snap-retain-verify.XXXXXX",
            tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp (dir))
    {
      tap_skip ("systemd-analyze verify", "cannot make a directory");
      return;
    }
  /* verify wants ExecStart='s program to exist: a script in DIR.  */
  char prog[4200];
  snprintf (prog, sizeof prog, "%s/cowsnap", dir);
  FILE *f = fopen (prog, "w");
  fputs ("#!/bin/sh\nexit 0\n", f);
  fclose (f);
  chmod (prog, 0755);

  struct retain_policy p = { .last = 2, .daily = 7, .have_min_age = true,
                             .min_age = 3600 };
  struct snap_units u;
  bool ok = (snap_schedule_render ("/srv/we ird/a%n$HOME\"q\\/donn\xc3\xa9"
                                   "es-x\ty\\", SNAP_WEEKLY, true, &p, dir,
                                   &u)
             && snap_schedule_write (dir, &u));
  char service[4200], timer[4200];
  snprintf (service, sizeof service, "%s.service", u.name);
  snprintf (timer, sizeof timer, "%s.timer", u.name);
  char *verify[] = { (char *) "systemd-analyze", (char *) "verify",
                     (char *) "--man=no", service, timer, NULL };
  tap_ok (ok && run_quietly (verify, dir),
          "systemd-analyze verify accepts the units of an awkward path");

  /* The same service with a '"' left unescaped.  */
  char *q = ok ? strstr (u.service, "\\\"q") : NULL;
  if (q)
    memmove (q, q + 1, strlen (q));
  char broken[4200];
  snprintf (broken, sizeof broken, "%s/broken.service", dir);
  f = fopen (broken, "w");
  fputs (u.service, f);
  fclose (f);
  char *verify_broken[] = { (char *) "systemd-analyze", (char *) "verify",
                            (char *) "--man=no", (char *) "broken.service",
                            NULL };
  tap_ok (q && !run_quietly (verify_broken, dir),
          "systemd-analyze verify refuses the service with a bare quote");

  bool found;
  snap_schedule_remove (dir, u.name, &found);
  unlink (broken);
  unlink (prog);
  tap_ok (rmdir (dir) == 0, "nothing else was left in the directory");
  snap_schedule_free (&u);
}

/* The systemctl runner, with calls that do not reach systemd.  */
static void
test_systemctl (void)
{
  if (!have_program ("systemctl"))
    {
      tap_skip ("systemctl --version runs", "systemctl not installed");
      tap_skip ("a failing systemctl is reported", "systemctl not installed");
      return;
    }
  char const *version[] = { "--version", NULL };
  int saved = dup (1);
  int null = open ("/dev/null", O_WRONLY);
  fflush (stdout);
  dup2 (null, 1);
  bool ok = snap_schedule_systemctl (version);
  dup2 (saved, 1);
  close (saved);
  close (null);
  tap_ok (ok, "systemctl --version runs and succeeds");
  char const *bad[] = { "--no-such-option-for-cowsnap-tests", NULL };
  char const *err = with_stderr (run_systemctl, bad, &ok);
  tap_ok (!ok && strstr (err, "'systemctl --no-such-option-for-cowsnap-tests'"
                         " failed with exit status "),
          "a failing systemctl is reported: %s", err);
}

int
main (int argc _GL_UNUSED, char **argv)
{
  set_program_name (argv[0]);
  test_escape ();
  test_quote ();
  test_render ();
  test_write ();
  test_verify ();
  test_systemctl ();
  return tap_done ();
}
