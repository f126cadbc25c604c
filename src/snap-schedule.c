/* SPDX-License-Identifier: GPL-3.0-or-later */
/* snap-schedule.c -- the systemd timer and service of "cowsnap
   schedule": names, text, writing beside then renaming, removal, and
   running systemctl.  */

#include "system.h"

#include <spawn.h>
#include <stdarg.h>
#include <sys/wait.h>

#include "diag.h"
#include "filenamecat.h"
#include "snap-retain.h"
#include "snap-schedule.h"
#include "xalloc.h"

extern char **environ;

/* systemd refuses unit names of 256 bytes and more (UNIT_NAME_MAX).  */
enum { UNIT_NAME_MAX = 256 };

/* The prefix of every unit name.  */
static char const unit_prefix[] = "cowsnap-";

/* A growing, always NUL-terminated string.  */
struct strbuf
{
  char *s;
  size_t len;
  size_t cap;
};

/* Append the LEN bytes at P to B.  */
static void
sb_add_n (struct strbuf *b, char const *p, size_t len)
{
  while (b->cap - b->len <= len)
    b->s = x2realloc (b->s, &b->cap);
  memcpy (b->s + b->len, p, len);
  b->len += len;
  b->s[b->len] = '\0';
}

/* Append string P to B.  */
static void
sb_add (struct strbuf *b, char const *p)
{
  sb_add_n (b, p, strlen (p));
}

/* Append FORMAT's output to B.  */
static void __attribute__ ((format (printf, 2, 3)))
sb_printf (struct strbuf *b, char const *format, ...)
{
  for (;;)
    {
      va_list ap;
      va_start (ap, format);
      int n = vsnprintf (b->s + b->len, b->cap - b->len, format, ap);
      va_end (ap);
      if (n < 0)
        xalloc_die ();
      if ((size_t) n < b->cap - b->len)
        {
          b->len += n;
          return;
        }
      b->s = x2realloc (b->s, &b->cap);
    }
}

/* Return an empty strbuf.  */
static struct strbuf
sb_new (void)
{
  struct strbuf b = { .s = xmalloc (64), .len = 0, .cap = 64 };
  b.s[0] = '\0';
  return b;
}

/* Return true if the byte C is an ASCII letter or digit.  */
static bool
ascii_alnum (unsigned char c)
{
  return (('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
          || ('0' <= c && c <= '9'));
}

/* Append the byte C as "\xNN", lower-case hex, to B.  */
static void
sb_hex (struct strbuf *b, unsigned char c)
{
  static char const hex[] = "0123456789abcdef";
  char e[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
  sb_add_n (b, e, 4);
}

/* Escape absolute PATH as systemd-escape --path does; see the header.
   The steps are systemd's: 1. simplify the path; 2. the root is "-";
   3. escape the rest byte by byte.  */
char *
snap_schedule_escape_path (char const *path)
{
  if (path[0] != '/')
    {
      errno = EINVAL;
      return NULL;
    }
  struct strbuf b = sb_new ();
  char const *p = path;
  for (;;)
    {
      /* 1. One component at a time; "" and "." vanish, ".." is refused
         (systemd calls such a path not normalized).  */
      while (*p == '/')
        p++;
      if (!*p)
        break;
      size_t len = strcspn (p, "/");
      if (len == 1 && p[0] == '.')
        {
          p += len;
          continue;
        }
      if (len == 2 && p[0] == '.' && p[1] == '.')
        {
          free (b.s);
          errno = EINVAL;
          return NULL;
        }
      /* 3. A component separator is '-'; '-' itself is escaped.  */
      if (b.len)
        sb_add (&b, "-");
      for (size_t i = 0; i < len; i++)
        {
          unsigned char c = p[i];
          if ((c == '.' && b.len == 0)
              || !(ascii_alnum (c) || c == ':' || c == '_' || c == '.'))
            sb_hex (&b, c);
          else
            sb_add_n (&b, p + i, 1);
        }
      p += len;
    }
  /* 2. The root.  */
  if (b.len == 0)
    sb_add (&b, "-");
  return b.s;
}

/* Return the length of the valid UTF-8 sequence at P (a byte from 0x80
   up), or 0 if there is none: a lead byte, the right number of
   continuation bytes, no overlong form, no surrogate, nothing past
   U+10FFFF.  */
static size_t
utf8_seq_len (unsigned char const *p)
{
  size_t n;
  unsigned int cp;
  if (0xc2 <= p[0] && p[0] <= 0xdf)
    n = 2, cp = p[0] & 0x1f;
  else if (0xe0 <= p[0] && p[0] <= 0xef)
    n = 3, cp = p[0] & 0x0f;
  else if (0xf0 <= p[0] && p[0] <= 0xf4)
    n = 4, cp = p[0] & 0x07;
  else
    return 0;
  for (size_t i = 1; i < n; i++)
    {
      if ((p[i] & 0xc0) != 0x80)
        return 0;
      cp = cp << 6 | (p[i] & 0x3f);
    }
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000)
      || (0xd800 <= cp && cp <= 0xdfff) || 0x10ffff < cp)
    return 0;
  return n;
}

/* Return true if string S is valid UTF-8.  */
static bool
valid_utf8 (char const *s)
{
  unsigned char const *p = (unsigned char const *) s;
  while (*p)
    if (*p < 0x80)
      p++;
    else
      {
        size_t n = utf8_seq_len (p);
        if (n == 0)
          return false;
        p += n;
      }
  return true;
}

/* Quote ARG for a systemd command line; see the header.  */
char *
snap_schedule_quote_arg (char const *arg)
{
  struct strbuf b = sb_new ();
  if (*arg && strspn (arg, "abcdefghijklmnopqrstuvwxyz"
                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._+,:@=-")
      == strlen (arg))
    {
      sb_add (&b, arg);
      return b.s;
    }
  bool utf8 = valid_utf8 (arg);
  sb_add (&b, "\"");
  for (char const *p = arg; *p; p++)
    {
      unsigned char c = *p;
      if (c == '"' || c == '\\')
        {
          char e[2] = { '\\', c };
          sb_add_n (&b, e, 2);
        }
      else if (c == '%' || c == '$')
        {
          char e[2] = { c, c };
          sb_add_n (&b, e, 2);
        }
      else if (c < 0x20 || c == 0x7f || (0x80 <= c && !utf8))
        sb_hex (&b, c);
      else
        sb_add_n (&b, p, 1);
    }
  sb_add (&b, "\"");
  return b.s;
}

/* Append to B the text of PATH for a Description= line, where '%'
   starts a specifier and a final '\' would continue the line: '%'
   doubled, control bytes, '\' and (unless PATH is valid UTF-8) bytes
   from 0x80 up as the text "\xNN", which Description= shows as is.  */
static void
sb_add_description (struct strbuf *b, char const *path)
{
  bool utf8 = valid_utf8 (path);
  for (char const *p = path; *p; p++)
    {
      unsigned char c = *p;
      if (c == '%')
        sb_add (b, "%%");
      else if (c < 0x20 || c == 0x7f || c == '\\' || (0x80 <= c && !utf8))
        sb_hex (b, c);
      else
        sb_add_n (b, p, 1);
    }
}

/* Append to B " --OPTION=N" when N is not 0.  */
static void
add_keep (struct strbuf *b, char const *option, unsigned n)
{
  if (n)
    sb_printf (b, " --%s=%u", option, n);
}

/* Render the units of a schedule; see the header.  */
bool
snap_schedule_render (char const *path, enum snap_period period,
                      bool if_changed, struct retain_policy const *policy,
                      char const *bindir, struct snap_units *units)
{
  static char const *const calendar[] = { "hourly", "daily", "weekly" };
  char *escaped = snap_schedule_escape_path (path);
  if (!escaped)
    return false;
  if (UNIT_NAME_MAX <= (sizeof unit_prefix - 1 + strlen (escaped)
                        + sizeof ".service" - 1))
    {
      free (escaped);
      errno = ENAMETOOLONG;
      return false;
    }
  units->name = xmalloc (sizeof unit_prefix + strlen (escaped));
  strcpy (stpcpy (units->name, unit_prefix), escaped);
  free (escaped);

  char *program = file_name_concat (bindir, "cowsnap", NULL);
  char *qprogram = snap_schedule_quote_arg (program);
  char *qpath = snap_schedule_quote_arg (path);

  struct strbuf s = sb_new ();
  sb_add (&s, "# Made by cowsnap schedule; undo with cowsnap schedule "
          "--remove.\n[Unit]\nDescription=cowsnap snapshot of ");
  sb_add_description (&s, path);
  sb_add (&s, "\nDocumentation=man:cowsnap(1)\n\n[Service]\nType=oneshot\n");
  sb_printf (&s, "ExecStart=%s%s -- %s\n", qprogram,
             if_changed ? " --if-changed" : "", qpath);
  if (policy->last || policy->hourly || policy->daily || policy->weekly
      || policy->monthly || policy->yearly || policy->have_min_age)
    {
      sb_printf (&s, "ExecStart=%s prune", qprogram);
      add_keep (&s, "keep-last", policy->last);
      add_keep (&s, "keep-hourly", policy->hourly);
      add_keep (&s, "keep-daily", policy->daily);
      add_keep (&s, "keep-weekly", policy->weekly);
      add_keep (&s, "keep-monthly", policy->monthly);
      add_keep (&s, "keep-yearly", policy->yearly);
      if (policy->have_min_age)
        sb_printf (&s, " --min-age=%llds", policy->min_age);
      sb_printf (&s, " -- %s\n", qpath);
    }
  units->service = s.s;

  struct strbuf t = sb_new ();
  sb_add (&t, "# Made by cowsnap schedule; undo with cowsnap schedule "
          "--remove.\n[Unit]\nDescription=");
  sb_printf (&t, "cowsnap %s snapshots of ", calendar[period]);
  sb_add_description (&t, path);
  sb_printf (&t, "\nDocumentation=man:cowsnap(1)\n\n[Timer]\n"
             "OnCalendar=%s\nPersistent=true\n\n"
             "[Install]\nWantedBy=timers.target\n", calendar[period]);
  units->timer = t.s;

  free (program);
  free (qprogram);
  free (qpath);
  return true;
}

/* Free the strings of *UNITS.  */
void
snap_schedule_free (struct snap_units *units)
{
  free (units->name);
  free (units->timer);
  free (units->service);
  units->name = units->timer = units->service = NULL;
}

/* Write all LEN bytes of TEXT to FD; 0, or -1 with errno set.  */
static int
write_all (int fd, char const *text, size_t len)
{
  while (len)
    {
      ssize_t n = write (fd, text, len);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return -1;
        }
      text += n;
      len -= n;
    }
  return 0;
}

/* Write TEXT as file NAME of directory DIR: 1. create a temporary file
   beside it; 2. write, make it 0644, sync and close it; 3. rename it
   over NAME.  Report a failure, remove the temporary file and return
   false.  */
static bool
write_unit (char const *dir, char const *name, char const *text)
{
  char *final = file_name_concat (dir, name, NULL);
  size_t n = strlen (dir) + strlen (name) + sizeof "/..XXXXXX";
  char *tmp = xmalloc (n);
  snprintf (tmp, n, "%s/.%s.XXXXXX", dir, name);
  bool ok = false;

  /* 1.  */
  int fd = mkostemp (tmp, O_CLOEXEC);
  if (fd < 0)
    {
      diag_error (errno, _("cannot create temporary file in %s"),
                  quoteaf (dir));
      goto out;
    }
  /* 2.  */
  if (write_all (fd, text, strlen (text)) != 0 || fchmod (fd, 0644) != 0
      || fsync (fd) != 0)
    {
      diag_error (errno, _("error writing %s"), quoteaf (tmp));
      close (fd);
      unlink (tmp);
      goto out;
    }
  if (close (fd) != 0)
    {
      diag_error (errno, _("error writing %s"), quoteaf (tmp));
      unlink (tmp);
      goto out;
    }
  /* 3.  */
  if (rename (tmp, final) != 0)
    {
      int e = errno;
      diag_error (e, _("cannot move %s to %s"), quoteaf_n (0, tmp),
                  quoteaf_n (1, final));
      unlink (tmp);
      goto out;
    }
  ok = true;
 out:
  free (tmp);
  free (final);
  return ok;
}

/* Return, newly allocated, NAME followed by SUFFIX.  */
static char *
with_suffix (char const *name, char const *suffix)
{
  char *s = xmalloc (strlen (name) + strlen (suffix) + 1);
  strcpy (stpcpy (s, name), suffix);
  return s;
}

/* Write the service, then the timer; see the header.  */
bool
snap_schedule_write (char const *dir, struct snap_units const *units)
{
  char *service = with_suffix (units->name, ".service");
  char *timer = with_suffix (units->name, ".timer");
  bool ok = (write_unit (dir, service, units->service)
             && write_unit (dir, timer, units->timer));
  free (service);
  free (timer);
  return ok;
}

/* Remove the timer, then the service; see the header.  */
bool
snap_schedule_remove (char const *dir, char const *name, bool *found)
{
  static char const *const suffixes[] = { ".timer", ".service" };
  bool ok = true;
  *found = false;
  for (int i = 0; i < 2; i++)
    {
      char *base = with_suffix (name, suffixes[i]);
      char *file = file_name_concat (dir, base, NULL);
      if (unlink (file) == 0)
        *found = true;
      else if (errno != ENOENT)
        {
          diag_error (errno, _("cannot remove %s"), quoteaf (file));
          ok = false;
        }
      free (file);
      free (base);
    }
  return ok;
}

/* Return true if PROGRAM is an executable file in a directory of $PATH
   (an empty entry meaning the working directory, as execvp has it).  */
static bool
in_path (char const *program)
{
  char const *path = getenv ("PATH");
  if (!path)
    path = "/usr/local/bin:/usr/bin:/bin";
  for (char const *p = path;; )
    {
      size_t len = strcspn (p, ":");
      char *dir = len ? ximemdup0 (p, len) : xstrdup (".");
      char *file = file_name_concat (dir, program, NULL);
      struct stat st;
      bool found = (stat (file, &st) == 0 && S_ISREG (st.st_mode)
                    && access (file, X_OK) == 0);
      free (file);
      free (dir);
      if (found)
        return true;
      if (!p[len])
        return false;
      p += len + 1;
    }
}

/* See the header.  */
bool
snap_schedule_use_systemctl (char const *dir)
{
  struct stat st;
  return (strcmp (dir, SNAP_SCHEDULE_DIR) == 0
          && lstat ("/run/systemd/system", &st) == 0 && S_ISDIR (st.st_mode)
          && in_path ("systemctl"));
}

/* Run systemctl with ARGS; see the header.  The command is named in
   a report as the words it was given.  */
bool
snap_schedule_systemctl (char const *const *args)
{
  size_t n = 0;
  while (args[n])
    n++;
  char const **argv = xnmalloc (n + 2, sizeof *argv);
  argv[0] = "systemctl";
  memcpy (argv + 1, args, (n + 1) * sizeof *argv);

  struct strbuf cmd = sb_new ();
  for (size_t i = 0; i <= n; i++)
    sb_printf (&cmd, "%s%s", i ? " " : "", argv[i]);

  bool ok = false;
  pid_t pid;
  int err = posix_spawnp (&pid, "systemctl", NULL, NULL,
                          (char *const *) argv, environ);
  if (err != 0)
    diag_error (err, _("cannot run %s"), quote (cmd.s));
  else
    {
      int status;
      while (waitpid (pid, &status, 0) < 0)
        if (errno != EINTR)
          {
            diag_error (errno, _("cannot run %s"), quote (cmd.s));
            goto out;
          }
      if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
        ok = true;
      else if (WIFEXITED (status))
        diag_error (0, _("%s failed with exit status %d"), quote (cmd.s),
                    WEXITSTATUS (status));
      else
        diag_error (0, _("%s was killed by signal %d"), quote (cmd.s),
                    WTERMSIG (status));
    }
 out:
  free (cmd.s);
  free (argv);
  return ok;
}

/* Reload systemd and enable and start NAME.timer; see the header.  */
bool
snap_schedule_activate (char const *name)
{
  char *timer = with_suffix (name, ".timer");
  char const *reload[] = { "daemon-reload", NULL };
  char const *enable[] = { "enable", "--now", timer, NULL };
  bool ok = snap_schedule_systemctl (reload)
            && snap_schedule_systemctl (enable);
  free (timer);
  return ok;
}

/* Stop and disable NAME.timer; see the header.  */
bool
snap_schedule_deactivate (char const *name)
{
  char *timer = with_suffix (name, ".timer");
  char const *disable[] = { "disable", "--now", timer, NULL };
  bool ok = snap_schedule_systemctl (disable);
  free (timer);
  return ok;
}
