/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dest.c -- unit tests of copy_dest_decide, the rules for an existing
   destination: a table of cases checked against GNU cp and mv 9.1 (and
   9.11 where it differs), then every combination of source kind,
   destination kind and options checked against the rules that keep data
   safe.  No filesystem is touched.  Prints TAP.  */

#include "../../src/copy-dest.c"

/* The table's rows override the defaults of CP () and MV ().  */
#pragma GCC diagnostic ignored "-Woverride-init"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wunused-function"

#include "tap.h"

/* Inode numbers of the files a scenario is made of.  */
enum { INO_A = 10, INO_B = 20, INO_LINK = 30, INO_LINK2 = 31,
       INO_DIR = 40, INO_DIR2 = 41, INO_FIFO = 50 };

/* Return a stat of type MODE, inode INO, NLINK links, mtime MTIME.  */
static struct stat
st_of (mode_t mode, ino_t ino, nlink_t nlink, time_t mtime)
{
  struct stat st;
  memset (&st, 0, sizeof st);
  st.st_mode = mode | 0644;
  st.st_ino = ino;
  st.st_dev = 1;
  st.st_nlink = nlink;
  st.st_mtim.tv_sec = mtime;
  return st;
}

/* Kinds of source, and of destination, that the sweep combines.  */
enum src_kind { S_REG, S_REG2, S_LINK_TO_DST, S_LINK_ELSE, S_DANGLING,
                S_SELF, S_DIR, S_LINK_DIR, S_FIFO, N_SRC };
enum dst_kind { D_ABSENT, D_REG, D_SAME_INODE, D_SAME_ENTRY, D_LINK_TO_SRC,
                D_LINK_ELSE, D_DANGLING, D_LOOP, D_DIR, D_BACKUP_OF_SRC,
                N_DST };
static char const *const src_names[] = {
  "regular", "regular with 2 links", "symlink to dst", "symlink elsewhere",
  "dangling symlink", "self-loop symlink", "directory", "symlink to dir",
  "fifo"
};
static char const *const dst_names[] = {
  "absent", "regular", "same inode", "same entry", "symlink to src",
  "symlink elsewhere", "dangling symlink", "self-loop", "directory",
  "src is its backup"
};

/* Fill *F for source kind SK and destination kind DK, the source seen
   through symlinks when FOLLOW.  The source's data is file A (or the
   directory); the destination's own file is B.  */
static void
scenario (struct dest_facts *f, enum src_kind sk, enum dst_kind dk,
          bool follow)
{
  memset (f, 0, sizeof *f);
  f->command_line = true;
  f->src_ref_ok = true;
  struct stat a = st_of (S_IFREG, INO_A, sk == S_REG2 ? 2 : 1, 100);
  struct stat dir = st_of (S_IFDIR, INO_DIR, 2, 100);
  struct stat lnk = st_of (S_IFLNK, INO_LINK, 1, 100);
  switch (sk)
    {
    case S_REG: case S_REG2:
      f->src_lnk = f->src_ref = a;
      break;
    case S_LINK_TO_DST: case S_LINK_ELSE:
      f->src_lnk = lnk;
      f->src_ref = a;
      break;
    case S_DANGLING: case S_SELF:
      f->src_lnk = f->src_ref = lnk;
      f->src_ref_ok = false;
      break;
    case S_DIR:
      f->src_lnk = f->src_ref = dir;
      break;
    case S_LINK_DIR:
      f->src_lnk = lnk;
      f->src_ref = dir;
      break;
    case S_FIFO:
      f->src_lnk = f->src_ref = st_of (S_IFIFO, INO_FIFO, 1, 100);
      break;
    case N_SRC:
      abort ();
    }
  f->src = follow && f->src_ref_ok ? f->src_ref : f->src_lnk;

  struct stat b = st_of (S_IFREG, INO_B, 1, 50);
  struct stat dlnk = st_of (S_IFLNK, INO_LINK2, 1, 50);
  f->dst_lnk_ok = dk != D_ABSENT;
  switch (dk)
    {
    case D_ABSENT:
      break;
    case D_REG: case D_BACKUP_OF_SRC:
      f->dst_lnk = f->dst_ref = b;
      f->src_is_dst_backup = dk == D_BACKUP_OF_SRC;
      break;
    case D_SAME_INODE: case D_SAME_ENTRY:
      /* Another name (or the very name) of the source's own file.  */
      f->dst_lnk = f->src_lnk;
      f->dst_ref = f->src_ref;
      if (!f->src_ref_ok)
        f->dst_ref_errno = S_ISLNK (f->src_lnk.st_mode) ? ENOENT : 0;
      if (dk == D_SAME_INODE && !S_ISDIR (f->src_lnk.st_mode))
        f->dst_lnk.st_nlink = f->dst_ref.st_nlink = f->src_lnk.st_nlink += 1;
      f->same_entry = dk == D_SAME_ENTRY;
      break;
    case D_LINK_TO_SRC:
      f->dst_lnk = dlnk;
      f->dst_ref = f->src_ref_ok ? f->src_ref : f->src_lnk;
      if (!f->src_ref_ok)
        f->dst_ref_errno = ENOENT;
      break;
    case D_LINK_ELSE:
      f->dst_lnk = dlnk;
      f->dst_ref = b;
      break;
    case D_DANGLING:
      f->dst_lnk = dlnk;
      f->dst_ref_errno = ENOENT;
      break;
    case D_LOOP:
      f->dst_lnk = dlnk;
      f->dst_ref_errno = ELOOP;
      break;
    case D_DIR:
      f->dst_lnk = f->dst_ref = st_of (S_IFDIR, INO_DIR2, 2, 50);
      break;
    case N_DST:
      abort ();
    }
  /* The source symlink that points at the destination does so.  */
  if (sk == S_LINK_TO_DST && f->dst_lnk_ok)
    {
      f->src_ref = f->dst_ref_errno ? f->dst_lnk : f->dst_ref;
      f->src_ref_ok = S_ISREG (f->src_ref.st_mode)
                      || S_ISDIR (f->src_ref.st_mode);
      f->src_ref_same_entry = !S_ISLNK (f->dst_lnk.st_mode);
      f->src = follow && f->src_ref_ok ? f->src_ref : f->src_lnk;
    }
  f->dst_not_older = false;
}

/* Return the name of action A.  */
static char const *
action_name (enum dest_action a)
{
  static char const *const n[] = { "create", "replace", "merge", "backup",
                                    "remove", "skip", "refuse" };
  return n[a];
}

/* One row of the table: a command line as GNU runs it, the scenario,
   and GNU's answer.  */
struct row
{
  char const *what;
  struct dest_policy p;
  enum src_kind sk;
  enum dst_kind dk;
  bool follow;
  enum dest_action want;
  enum dest_reason why;
};

#define CP(...) { .data_copy_required = true, .update = UPDATE_ALL, \
                  .interactive = I_UNSPECIFIED, .backup_type = no_backups, \
                  __VA_ARGS__ }
#define MV(...) CP (.move = true, .preserve_links = true, __VA_ARGS__)

/* Each of these was run with GNU cp or mv 9.1 (see the commands).  */
static struct row const table[] = {
  { "cp -d L F (L -> F): the same file", CP (.deref = DEREF_NEVER,
    .preserve_links = true), S_LINK_TO_DST, D_REG, false,
    DEST_REFUSE, DR_SAME_FILE },
  { "cp F L (L -> F): the same file", CP (.deref = DEREF_ALWAYS),
    S_REG, D_LINK_TO_SRC, true, DEST_REFUSE, DR_SAME_FILE },
  { "cp -d F L (L -> F): the same file", CP (.deref = DEREF_NEVER,
    .preserve_links = true), S_REG, D_LINK_TO_SRC, false,
    DEST_REFUSE, DR_SAME_FILE },
  { "cp --rem F L (L -> F): L is replaced", CP (.deref = DEREF_ALWAYS,
    .unlink_before = true), S_REG, D_LINK_TO_SRC, true, DEST_REMOVE },
  { "cp -b a~ a, a~ being a's backup", CP (.deref = DEREF_ALWAYS,
    .backup_type = simple_backups), S_REG, D_BACKUP_OF_SRC, true,
    DEST_REFUSE, DR_BACKUP_DESTROYS },
  { "cp --backup=numbered a~ a", CP (.deref = DEREF_ALWAYS,
    .backup_type = numbered_backups), S_REG, D_BACKUP_OF_SRC, true,
    DEST_BACKUP },
  { "mv -b a~ a, a~ being a's backup", MV (.deref = DEREF_NEVER,
    .backup_type = simple_backups), S_REG, D_BACKUP_OF_SRC, false,
    DEST_REFUSE, DR_BACKUP_DESTROYS },
  { "cp -a --attributes-only f1 f2 (f2 has 2 links): in place",
    CP (.deref = DEREF_NEVER, .preserve_links = true,
        .data_copy_required = false), S_REG, D_REG, false, DEST_REPLACE },
  { "cp -a f1 f2 (f2 has 2 links... as f2 here has 1): in place",
    CP (.deref = DEREF_NEVER, .preserve_links = true), S_REG, D_REG, false,
    DEST_REPLACE },
  { "cp --rem a b (hard links): b becomes a copy",
    CP (.deref = DEREF_ALWAYS, .unlink_before = true), S_REG,
    D_SAME_INODE, true, DEST_REMOVE },
  { "cp -b a b (hard links): b is backed up",
    CP (.deref = DEREF_ALWAYS, .backup_type = simple_backups), S_REG,
    D_SAME_INODE, true, DEST_BACKUP },
  { "cp a b (hard links): the same file", CP (.deref = DEREF_ALWAYS),
    S_REG, D_SAME_INODE, true, DEST_REFUSE, DR_SAME_FILE },
  { "cp -f a b (hard links): the same file",
    CP (.deref = DEREF_ALWAYS, .unlink_after_failed_open = true), S_REG,
    D_SAME_INODE, true, DEST_REFUSE, DR_SAME_FILE },
  { "cp -l a b (hard links): already done",
    CP (.deref = DEREF_ALWAYS, .hard_link = true), S_REG, D_SAME_INODE,
    true, DEST_SKIP },
  { "cp a a: the same file", CP (.deref = DEREF_ALWAYS), S_REG,
    D_SAME_ENTRY, true, DEST_REFUSE, DR_SAME_FILE },
  { "cp -b a a: the same file", CP (.deref = DEREF_ALWAYS,
    .backup_type = simple_backups), S_REG, D_SAME_ENTRY, true,
    DEST_REFUSE, DR_SAME_FILE },
  { "mv a b (hard links): the same file", MV (.deref = DEREF_NEVER),
    S_REG, D_SAME_INODE, false, DEST_REFUSE, DR_SAME_FILE },
  { "mv --backup=numbered a b (hard links): backed up",
    MV (.deref = DEREF_NEVER, .backup_type = numbered_backups), S_REG,
    D_SAME_INODE, false, DEST_BACKUP },
  { "mv s f (s -> f, f one link): the same file",
    MV (.deref = DEREF_NEVER), S_LINK_TO_DST, D_REG, false,
    DEST_REFUSE, DR_SAME_FILE },
  { "cp -f f loop (self-loop): replaced", CP (.deref = DEREF_ALWAYS,
    .unlink_after_failed_open = true), S_REG, D_LOOP, true, DEST_REPLACE },
  { "cp --rem f loop: removed", CP (.deref = DEREF_ALWAYS,
    .unlink_before = true), S_REG, D_LOOP, true, DEST_REMOVE },
  { "cp f loop: cannot stat", CP (.deref = DEREF_ALWAYS), S_REG, D_LOOP,
    true, DEST_REFUSE, DR_STAT },
  { "cp f dangling: not written through", CP (.deref = DEREF_ALWAYS),
    S_REG, D_DANGLING, true, DEST_REFUSE, DR_DANGLING },
  { "POSIXLY_CORRECT cp f dangling: written through",
    CP (.deref = DEREF_ALWAYS, .open_dangling = true), S_REG, D_DANGLING,
    true, DEST_CREATE },
  { "cp -d f dangling: not written through either",
    CP (.deref = DEREF_NEVER, .preserve_links = true), S_REG, D_DANGLING,
    false, DEST_REFUSE, DR_DANGLING },
  { "cp -fn f loop: -f's removal of a loop comes before -n",
    CP (.deref = DEREF_ALWAYS, .update = UPDATE_NONE,
        .unlink_after_failed_open = true), S_REG, D_LOOP, true,
    DEST_REPLACE },
  { "cp -n f g: skipped", CP (.deref = DEREF_ALWAYS,
    .update = UPDATE_NONE), S_REG, D_REG, true, DEST_SKIP },
  { "cp -n a a: skipped before the same-file test",
    CP (.deref = DEREF_ALWAYS, .update = UPDATE_NONE), S_REG,
    D_SAME_ENTRY, true, DEST_SKIP },
  { "cp --update=none-fail f g: not replacing",
    CP (.deref = DEREF_ALWAYS, .update = UPDATE_NONE_FAIL), S_REG, D_REG,
    true, DEST_SKIP, DR_NOT_REPLACING },
  { "cp -r d f: non-directory with directory", CP (.deref = DEREF_NEVER),
    S_DIR, D_REG, false, DEST_REFUSE, DR_NONDIR_WITH_DIR },
  { "cp f d: directory with non-directory", CP (.deref = DEREF_ALWAYS),
    S_REG, D_DIR, true, DEST_REFUSE, DR_DIR_WITH_NONDIR },
  { "cp -n f d: directory with non-directory is skipped",
    CP (.deref = DEREF_ALWAYS, .update = UPDATE_NONE), S_REG, D_DIR, true,
    DEST_SKIP },
  { "cp -r d e: merged", CP (.deref = DEREF_NEVER), S_DIR, D_DIR, false,
    DEST_MERGE },
  { "cp -rb d e: merged, never backed up", CP (.deref = DEREF_NEVER,
    .backup_type = simple_backups), S_DIR, D_DIR, false, DEST_MERGE },
  { "mv -b f d: the directory is backed up", MV (.deref = DEREF_NEVER,
    .backup_type = simple_backups), S_REG, D_DIR, false, DEST_BACKUP },
  { "mv f d: directory with non-directory", MV (.deref = DEREF_NEVER),
    S_REG, D_DIR, false, DEST_REFUSE, DR_DIR_WITH_NONDIR },
  { "mv d e: renamed over (an empty directory)", MV (.deref = DEREF_NEVER),
    S_DIR, D_DIR, false, DEST_REPLACE },
  { "cp -P f l (l -> g): g is written through",
    CP (.deref = DEREF_NEVER), S_REG, D_LINK_ELSE, false, DEST_REPLACE },
  { "cp f l (l -> g): g is written through", CP (.deref = DEREF_ALWAYS),
    S_REG, D_LINK_ELSE, true, DEST_REPLACE },
  { "cp -d s t (two symlinks): t is removed", CP (.deref = DEREF_NEVER,
    .preserve_links = true), S_LINK_ELSE, D_LINK_ELSE, false, DEST_REMOVE },
  { "cp -s f l (l -> f): made over, as the rules allow",
    CP (.deref = DEREF_ALWAYS, .symbolic_link = true), S_REG,
    D_LINK_TO_SRC, true, DEST_REPLACE },
  { "cp -sf f l (l -> f): replaced (atomically, by the caller)",
    CP (.deref = DEREF_ALWAYS, .symbolic_link = true,
        .unlink_after_failed_open = true), S_REG, D_LINK_TO_SRC, true,
    DEST_REPLACE },
  { "cp -s --rem f l (l -> f): removed first", CP (.deref = DEREF_ALWAYS,
    .symbolic_link = true, .unlink_before = true), S_REG, D_LINK_TO_SRC,
    true, DEST_REMOVE },
  { "cp -fifo -R: a fifo replaces a file (removed)",
    CP (.deref = DEREF_NEVER), S_FIFO, D_REG, false, DEST_REMOVE },
};

/* Check each row of the table.  */
static void
check_table (void)
{
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    {
      struct row const *r = &table[i];
      struct dest_facts f;
      scenario (&f, r->sk, r->dk, r->follow);
      struct dest_decision d = copy_dest_decide (&r->p, &f);
      bool ok = d.action == r->want && (r->why == DR_NONE
                                        || d.reason == r->why);
      tap_ok (ok, "%s: %s (got %s, reason %d)", r->what,
              action_name (r->want), action_name (d.action), d.reason);
    }
}

/* Return true if decision D for scenario F under P would destroy the
   only copy of the source's data: writing a regular file in place
   truncates the file it reaches; a removal or a rename over the
   destination drops the destination's own file.  A backup renames, and
   loses nothing.  */
static bool
loses_source (struct dest_policy const *p, struct dest_facts const *f,
              struct dest_decision const *d)
{
  struct stat const *data = f->src_ref_ok ? &f->src_ref : &f->src_lnk;
  if (!S_ISREG (data->st_mode))
    return false;
  struct stat const *through = (d->use_lstat || f->dst_ref_errno
                                ? &f->dst_lnk : &f->dst_ref);
  switch (d->action)
    {
    case DEST_REPLACE:
      if (p->move || p->hard_link || p->symbolic_link)
        return SAME_INODE (f->dst_lnk, *data) && f->dst_lnk.st_nlink == 1;
      return SAME_INODE (*through, *data) && !p->unlink_after_failed_open;
    case DEST_REMOVE:
      return SAME_INODE (f->dst_lnk, *data) && f->dst_lnk.st_nlink == 1;
    default:
      return false;
    }
}

/* Every combination of kinds and options: no answer loses the source's
   data, mv never unlinks, -n never touches a file, --attributes-only
   never removes one unless asked to, and the refusals name a reason.  */
static void
sweep (void)
{
  static int const backups[] = { no_backups, simple_backups,
                                 numbered_backups };
  static enum update_mode const updates[] = { UPDATE_ALL, UPDATE_NONE,
                                              UPDATE_NONE_FAIL,
                                              UPDATE_OLDER };
  long cases = 0, bad[5] = { 0 };
  char first[5][200] = { "" };
  for (int bits = 0; bits < 1 << 8; bits++)
    for (int bk = 0; bk < 3; bk++)
      for (int up = 0; up < 4; up++)
        for (int sk = 0; sk < N_SRC; sk++)
          for (int dk = 0; dk < N_DST; dk++)
            {
              struct dest_policy p = {
                .move = bits & 1, .hard_link = bits & 2,
                .symbolic_link = (bits & 4) && !(bits & 2),
                .unlink_before = bits & 8,
                .unlink_after_failed_open = bits & 16,
                .deref = bits & 32 ? DEREF_ALWAYS : DEREF_NEVER,
                .data_copy_required = !(bits & 64),
                .preserve_links = bits & 128,
                .update = updates[up], .interactive = I_UNSPECIFIED,
                .backup_type = backups[bk], .track_created = true
              };
              /* A symlink to the destination that is the destination
                 (or another name of it, or pointed at by it) is a loop:
                 S_SELF covers it.  */
              if (sk == S_LINK_TO_DST
                  && (dk == D_SAME_ENTRY || dk == D_SAME_INODE
                      || dk == D_LINK_TO_SRC))
                continue;
              if (p.move && (p.hard_link || p.symbolic_link
                             || p.unlink_before || p.deref != DEREF_NEVER))
                continue;
              struct dest_facts f;
              scenario (&f, sk, dk, p.deref != DEREF_NEVER);
              struct dest_decision d = copy_dest_decide (&p, &f);
              cases++;
              bool fails[5] = {
                loses_source (&p, &f, &d),
                p.move && d.action == DEST_REMOVE,
                ((p.update == UPDATE_NONE || p.update == UPDATE_NONE_FAIL)
                 && !(dk == D_LOOP && p.unlink_after_failed_open)
                 && (d.action == DEST_REPLACE || d.action == DEST_REMOVE
                     || d.action == DEST_BACKUP)),
                (!p.data_copy_required && !p.unlink_before
                 && d.action == DEST_REMOVE
                 && S_ISREG (f.src.st_mode)),
                d.action == DEST_REFUSE && d.reason == DR_NONE
              };
              for (int k = 0; k < 5; k++)
                if (fails[k] && bad[k]++ == 0)
                  snprintf (first[k], sizeof first[k],
                            "%s%s%s%s%s deref=%d backup=%d update=%d "
                            "src=%s dst=%s: %s",
                            p.move ? "mv" : "cp", p.hard_link ? " -l" : "",
                            p.symbolic_link ? " -s" : "",
                            p.unlink_before ? " --rem" : "",
                            p.unlink_after_failed_open ? " -f" : "",
                            p.deref, p.backup_type, p.update,
                            src_names[sk], dst_names[dk],
                            action_name (d.action));
            }
  static char const *const what[] = {
    "no decision destroys the only copy of the source's data",
    "mv never unlinks the destination",
    "-n and --update=none(-fail) never replace, remove or back up "
    "(but -f removes a symlink loop, as GNU)",
    "--attributes-only never removes a regular file's destination",
    "every refusal has a reason"
  };
  for (int k = 0; k < 5; k++)
    tap_ok (bad[k] == 0, "%s (%ld combinations, %ld bad%s%s)", what[k],
            cases, bad[k], bad[k] ? "; first: " : "", first[k]);
}

/* One row for ln: options, the scenario, GNU ln's answer.  */
struct link_row
{
  char const *what;
  struct link_policy p;
  bool dst_ok;
  bool dst_dir;
  bool same_inode;
  nlink_t nlink;
  bool same_entry;
  bool created;
  enum dest_action want;
  enum dest_reason why;
};

static struct link_row const link_table[] = {
  { "ln a b: tried, fails as it will", { 0 }, true, false, false, 1, false,
    false, DEST_CREATE },
  { "ln -f a b: replaced", { .force = true }, true, false, false, 1, false,
    false, DEST_REPLACE },
  { "ln -f a a: the same file", { .force = true }, true, false, true, 1,
    true, false, DEST_REFUSE, DR_SAME_FILE },
  { "ln -f a b (two names of one file): replaced", { .force = true }, true,
    false, true, 2, false, false, DEST_REPLACE },
  { "ln -sf a a: the same file", { .force = true, .symbolic = true }, true,
    false, true, 1, true, false, DEST_REFUSE, DR_SAME_FILE },
  { "ln -sf --backup a a: backed up", { .force = true, .symbolic = true,
    .backup_type = simple_backups }, true, false, true, 1, true, false,
    DEST_BACKUP },
  { "ln --backup a a: the same file", { .backup_type = simple_backups },
    true, false, true, 1, true, false, DEST_REFUSE, DR_SAME_FILE },
  { "ln -f --backup=simple a b (b~ a name of b): backed up",
    { .force = true, .backup_type = simple_backups }, true, false, false, 2,
    false, false, DEST_BACKUP },
  { "ln -f a d (a directory): refused", { .force = true }, true, true,
    false, 2, false, false, DEST_REFUSE, DR_LINK_ONTO_DIR },
  { "ln -f a/f b/f c: will not overwrite just-created", { .force = true },
    true, false, false, 1, false, true, DEST_REFUSE, DR_JUST_CREATED },
  { "ln -i a b: asked, then replaced", { .interactive = true }, true, false,
    false, 1, false, false, DEST_REPLACE },
  { "ln -f a b (nothing there): made", { .force = true }, false, false,
    false, 1, false, false, DEST_CREATE },
};

/* Check each row of ln's table.  */
static void
check_link_table (void)
{
  for (size_t i = 0; i < sizeof link_table / sizeof link_table[0]; i++)
    {
      struct link_row const *r = &link_table[i];
      struct link_facts f = { .dst_ok = r->dst_ok, .src_ok = true,
                              .same_entry = r->same_entry,
                              .created = r->created };
      f.src = st_of (S_IFREG, INO_A, r->nlink, 100);
      f.dst = (r->dst_dir ? st_of (S_IFDIR, INO_DIR, 2, 50)
               : r->same_inode ? f.src : st_of (S_IFREG, INO_B, 1, 50));
      struct dest_decision d = copy_dest_decide_link (&r->p, &f);
      bool ok = d.action == r->want && (r->why == DR_NONE
                                        || d.reason == r->why);
      if (ok && r->p.interactive)
        ok = d.ask;
      tap_ok (ok, "%s: %s (got %s, reason %d)", r->what,
              action_name (r->want), action_name (d.action), d.reason);
    }
}

/* Every combination for ln: removing or backing up the destination
   never takes the source's last name with it (a backed-up symlink
   keeps it).  With -i GNU asks first and does what the user says, even
   'ln -si a a'.  */
static void
link_sweep (void)
{
  static int const backups[] = { no_backups, simple_backups,
                                 numbered_backups };
  long cases = 0, bad = 0;
  for (int bits = 0; bits < 1 << 7; bits++)
    for (int bk = 0; bk < 3; bk++)
      {
        struct link_policy p = { .force = bits & 1, .interactive = bits & 2,
                                 .symbolic = bits & 4,
                                 .backup_type = backups[bk] };
        struct link_facts f = { .dst_ok = true, .src_ok = true,
                                .same_entry = bits & 8,
                                .created = bits & 64 };
        f.src = st_of (S_IFREG, INO_A, bits & 16 ? 2 : 1, 100);
        f.dst = bits & 32 || f.same_entry ? f.src
                                          : st_of (S_IFREG, INO_B, 1, 50);
        struct dest_decision d = copy_dest_decide_link (&p, &f);
        bool last_name = (SAME_INODE (f.src, f.dst)
                          && (f.src.st_nlink == 1 || f.same_entry));
        cases++;
        if (last_name && !p.interactive && (d.action == DEST_REPLACE
                          || (d.action == DEST_BACKUP && !p.symbolic)))
          bad++;
      }
  tap_ok (bad == 0, "ln without -i never removes the source's last name "
          "(%ld combinations, %ld bad)", cases, bad);
}

int
main (void)
{
  check_table ();
  sweep ();
  check_link_table ();
  link_sweep ();
  return tap_done ();
}
