#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# matrix.py -- the generated differential matrix: GNU cp, mv and ln
# against cowcp, cowmv and cowln on every combination of source kind,
# destination kind and option set, as root and as nobody, in one
# filesystem and across two.  Prints TAP.  See README.md beside it.

import argparse
import fnmatch
import json
import os
import re
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# Fixed timestamps of the fixtures, so that -u and -a are deterministic
# and a preserved time can be told from "now".
T_SRC = 1600000000
T_OLD = T_SRC - 100000      # a destination older than the source
T_NEW = T_SRC + 100000      # a destination newer than the source
T_OTHER = T_SRC - 200000    # everything else in the fixture
TIME_LABELS = {T_SRC: 'T-src', T_OLD: 'T-old', T_NEW: 'T-new',
               T_OTHER: 'T-other'}

PROG_BINARY = {'cp': 'cowcp', 'mv': 'cowmv', 'ln': 'cowln'}
TIMEOUT = 10

# ---------------------------------------------------------------------
# The cases

SRC_KINDS = ['regular', 'symlink-to-dst', 'symlink-to-self',
             'dangling-symlink', 'directory', 'symlink-to-dir', 'fifo',
             'missing']
DST_KINDS = ['absent', 'regular', 'same-inode', 'symlink-to-src',
             'symlink-elsewhere', 'dangling-symlink', 'self-loop',
             'dir-empty', 'dir-nonempty', 'regular+backups']

SYMLINKY_SRC = {'symlink-to-dst', 'symlink-to-self', 'dangling-symlink',
                'symlink-to-dir'}
SYMLINKY_DST = {'symlink-to-src', 'symlink-elsewhere', 'dangling-symlink',
                'self-loop'}

# An option set is (label, argv options, stdin text, destination time).
# The label is what the case id shows; "-i(y)" answers y on stdin,
# "-u(dst-newer)" makes the destination newer than the source.


def optset(label):
    stdin = ''
    dtime = T_OLD
    argv = []
    for word in label.split():
        if word == '-i(y)':
            argv.append('-i')
            stdin = 'y\n'
        elif word == '-i(n)':
            argv.append('-i')
            stdin = 'n\n'
        elif word == '-u(dst-newer)':
            argv.append('-u')
            dtime = T_NEW
        elif word == '-u(dst-older)':
            argv.append('-u')
        else:
            argv.append(word)
    return (label, argv, stdin, dtime)


CP_OPTS = [
    '', '-d', '-f', '-b', '-l', '-s', '-n', '-u(dst-older)',
    '-u(dst-newer)', '-a', '-T', '-r', '--remove-destination',
    '--attributes-only', '--backup=numbered', '--backup=simple', '-i(y)',
    '-i(n)',
    '-f -b', '-d --remove-destination', '-d -f', '-d -b', '-l -f',
    '-l -b', '-l --remove-destination', '-s -f', '-s -b',
    '-s --remove-destination', '-a --attributes-only',
    '--attributes-only -f', '-a -l', '-a --remove-destination', '-a -b',
    '-a -f', '-a -u(dst-newer)', '-a -u(dst-older)', '-r -T', '-a -T',
    '-d --backup=numbered', '-f --backup=numbered',
    '-b --remove-destination', '-d -l', '-n -f', '-i(n) -f',
]
# Into-directory form ("cp src D/" with the destination kind at D/src).
CP_INTO_OPTS = ['', '-f', '-b', '-r', '-a', '-d', '-n',
                '--remove-destination', '--backup=numbered', '-l', '-s']

MV_OPTS = ['', '-f', '-n', '-u(dst-older)', '-u(dst-newer)', '-b',
           '--backup=numbered', '--backup=simple', '-T', '--no-copy',
           '-i(y)', '-i(n)', '-f -b', '-T -b', '-f --backup=numbered',
           '-n -f']
MV_INTO_OPTS = ['', '-f', '-b', '--backup=simple', '--backup=numbered',
                '-n', '--no-copy']

LN_OPTS = ['', '-f', '-b', '-n', '-s', '-T', '-L', '-P', '-r',
           '--backup=numbered', '--backup=simple', '-s -f', '-s -r',
           '-s -n', '-f -n', '-f -b', '-s -b', '-f -T', '-s -f -n',
           '-L -f', '-P -f', '-s -f -r', '-f --backup=numbered']
LN_INTO_OPTS = ['', '-f', '-s', '-s -f', '-b', '-n -f']

# The case id: "<prog> <user> <fs> <options> src=<kind> dst=<kind>".


def case_id(prog, user, fs, label, src, dst, into):
    parts = [prog, user, fs]
    parts.append(label if label else '(no options)')
    if into:
        parts.append('into-dir')
    parts.append('src=' + src)
    parts.append('dst=' + dst)
    return ' '.join(parts)


def valid_combo(prog, src, dst, label, fs):
    """False for combinations that mean nothing or cannot be built."""
    if dst == 'same-inode':
        if src not in ('regular', 'fifo', 'dangling-symlink'):
            return False
        if fs == 'cross-fs':
            return False
    if src == 'symlink-to-dst' and dst == 'absent':
        pass
    words = label.split()
    if prog == 'cp' and src == 'fifo':
        # GNU cp opens a fifo source for reading without -R: it would
        # wait forever for a writer, in both programs.
        if not any(w in ('-r', '-a', '-l', '-s') for w in words):
            return False
    if fs == 'cross-fs' and prog in ('cp', 'ln'):
        # Across filesystems only the symlink and same-file rules
        # differ.
        if not (src in SYMLINKY_SRC or dst in SYMLINKY_DST):
            return False
        if prog == 'ln' and '-s' not in words and src in (
                'directory', 'missing'):
            return False
    if '-u(dst-newer)' in words and dst not in ('regular', 'same-inode',
                                                 'regular+backups',
                                                 'symlink-to-src',
                                                 'symlink-elsewhere'):
        return False
    return True


def generate(user, have_xfs):
    cases = []
    table = [('cp', CP_OPTS, CP_INTO_OPTS), ('mv', MV_OPTS, MV_INTO_OPTS),
             ('ln', LN_OPTS, LN_INTO_OPTS)]
    for prog, opts, into_opts in table:
        for fs in ('same-fs', 'cross-fs'):
            if fs == 'cross-fs' and not have_xfs:
                continue
            for into, labels in ((False, opts), (True, into_opts)):
                for label in labels:
                    for src in SRC_KINDS:
                        for dst in DST_KINDS:
                            if not valid_combo(prog, src, dst, label, fs):
                                continue
                            if into and dst in ('regular+backups',):
                                continue
                            cid = case_id(prog, user, fs, label, src, dst,
                                          into)
                            cases.append({'id': cid, 'prog': prog,
                                          'fs': fs, 'label': label,
                                          'src': src, 'dst': dst,
                                          'into': into})
    for m in MULTI:
        for fs in ('same-fs', 'cross-fs'):
            if fs == 'cross-fs' and not (have_xfs and m.get('xfs')):
                continue
            cid = '%s %s %s multi: %s' % (m['prog'], user, fs, m['name'])
            cases.append({'id': cid, 'prog': m['prog'], 'fs': fs,
                          'multi': m})
    return cases


# Multi-operand and hand-written cases.  "setup" is a list of fixture
# steps; names starting with D/ are on the destination side.  "args" is
# the command line after the program name.

def _m(prog, name, setup, args, stdin='', xfs=False):
    return {'prog': prog, 'name': name, 'setup': setup, 'args': args,
            'stdin': stdin, 'xfs': xfs}


MULTI = [
    _m('cp', 'cp a a D/', [('file', 'a', 'a\n')], ['a', 'a', 'D/'],
       xfs=True),
    _m('cp', 'cp --backup=numbered a a D/',
       [('file', 'a', 'a\n'), ('file', 'D/a', 'old\n')],
       ['--backup=numbered', 'a', 'a', 'D/'], xfs=True),
    _m('cp', 'cp --backup=simple a a D/',
       [('file', 'a', 'a\n'), ('file', 'D/a', 'old\n')],
       ['--backup=simple', 'a', 'a', 'D/']),
    _m('cp', 'cp x/f y/f D/',
       [('dir', 'x'), ('dir', 'y'), ('file', 'x/f', 'x\n'),
        ('file', 'y/f', 'y\n')], ['x/f', 'y/f', 'D/'], xfs=True),
    _m('cp', 'cp --backup=numbered x/f y/f D/',
       [('dir', 'x'), ('dir', 'y'), ('file', 'x/f', 'x\n'),
        ('file', 'y/f', 'y\n')], ['--backup=numbered', 'x/f', 'y/f', 'D/'],
       xfs=True),
    _m('cp', 'cp --backup=simple x/f y/f D/',
       [('dir', 'x'), ('dir', 'y'), ('file', 'x/f', 'x\n'),
        ('file', 'y/f', 'y\n')], ['--backup=simple', 'x/f', 'y/f', 'D/']),
    _m('cp', 'cp -f x/f y/f D/',
       [('dir', 'x'), ('dir', 'y'), ('file', 'x/f', 'x\n'),
        ('file', 'y/f', 'y\n')], ['-f', 'x/f', 'y/f', 'D/']),
    _m('cp', 'cp -d x/1 y/1 D/ (x/1 symlink)',
       [('dir', 'x'), ('dir', 'y'), ('file', 't', 't\n'),
        ('symlink', 'x/1', '../t'), ('file', 'y/1', 'y\n')],
       ['-d', 'x/1', 'y/1', 'D/'], xfs=True),
    _m('cp', 'cp -r x/1 y/1 D/ (x/1 symlink)',
       [('dir', 'x'), ('dir', 'y'), ('file', 't', 't\n'),
        ('symlink', 'x/1', '../t'), ('file', 'y/1', 'y\n')],
       ['-r', 'x/1', 'y/1', 'D/']),
    _m('cp', 'cp -d --backup=numbered x/1 y/1 D/ (x/1 symlink)',
       [('dir', 'x'), ('dir', 'y'), ('file', 't', 't\n'),
        ('symlink', 'x/1', '../t'), ('file', 'y/1', 'y\n')],
       ['-d', '--backup=numbered', 'x/1', 'y/1', 'D/']),
    _m('cp', 'cp -r x y D/ (x/1 symlink, y/1 file)',
       [('dir', 'x'), ('dir', 'y'), ('file', 't', 't\n'),
        ('symlink', 'x/1', '../t'), ('file', 'y/1', 'y\n'),
        ('dir', 'D/c')],
       ['-r', 'x/.', 'y/.', 'D/c']),
    _m('cp', 'cp h1 h2 D/ (hard links)',
       [('file', 'h1', 'h\n'), ('link', 'h2', 'h1')], ['h1', 'h2', 'D/'],
       xfs=True),
    _m('cp', 'cp -a h1 h2 D/ (hard links)',
       [('file', 'h1', 'h\n'), ('link', 'h2', 'h1')],
       ['-a', 'h1', 'h2', 'D/'], xfs=True),
    _m('cp', 'cp -d h1 h2 D/ (hard links)',
       [('file', 'h1', 'h\n'), ('link', 'h2', 'h1')],
       ['-d', 'h1', 'h2', 'D/']),
    _m('cp', 'cp -u s/h1 s/h2 D/ (hard links, D/h1 newer)',
       [('dir', 's'), ('file', 's/h1', 'h\n'), ('link', 's/h2', 's/h1'),
        ('file', 'D/h1', 'newer\n'), ('time', 'D/h1', T_NEW)],
       ['-u', 's/h1', 's/h2', 'D/']),
    _m('cp', 'cp -au s/h1 s/h2 D/ (hard links, D/h1 newer)',
       [('dir', 's'), ('file', 's/h1', 'h\n'), ('link', 's/h2', 's/h1'),
        ('file', 'D/h1', 'newer\n'), ('time', 'D/h1', T_NEW)],
       ['-au', 's/h1', 's/h2', 'D/'], xfs=True),
    _m('cp', 'cp -a x y D/ (x/1 and y/1 hard links)',
       [('dir', 'x'), ('dir', 'y'), ('file', 'x/1', '1\n'),
        ('link', 'y/1', 'x/1')], ['-a', 'x', 'y', 'D/'], xfs=True),
    _m('cp', 'cp --backup=simple a~ a',
       [('file', 'a', 'a\n'), ('file', 'a~', 'keep\n')],
       ['--backup=simple', 'a~', 'a']),
    _m('cp', 'cp --backup=simple D/a~ D/a',
       [('file', 'D/a', 'a\n'), ('file', 'D/a~', 'keep\n')],
       ['--backup=simple', 'D/a~', 'D/a']),
    _m('cp', 'cp -a --attributes-only f1 f2 (f2 hard-linked)',
       [('file', 'f2', '2\n'), ('link', 'l2', 'f2'), ('file', 'f1', '1\n')],
       ['-a', '--attributes-only', 'f1', 'f2']),
    _m('cp', 'cp -d L F (L symlink to F)',
       [('file', 'F', 'x\n'), ('symlink', 'L', 'F')], ['-d', 'L', 'F']),
    _m('cp', 'cp -al s t; cp -a --remove-destination s/. t/',
       [('dir', 's'), ('file', 's/f', 'f\n'), ('dir', 't'),
        ('link', 't/f', 's/f')],
       ['-a', '--remove-destination', 's/.', 't/']),
    _m('mv', 'mv ./b b b/',
       [('dir', 'b')], ['./b', 'b', 'b/']),
    _m('mv', 'mv ./b b D/',
       [('dir', 'b'), ('file', 'b/f', 'f\n')], ['./b', 'b', 'D/'],
       xfs=True),
    _m('mv', 'mv x y D/ (x/1 and y/1 hard links)',
       [('dir', 'x'), ('dir', 'y'), ('file', 'x/1', '1\n'),
        ('link', 'y/1', 'x/1')], ['x', 'y', 'D/'], xfs=True),
    _m('mv', 'mv h1 h2 D/ (hard links)',
       [('file', 'h1', 'h\n'), ('link', 'h2', 'h1')], ['h1', 'h2', 'D/'],
       xfs=True),
    _m('mv', 'mv --backup=simple a~ a',
       [('file', 'a', 'a\n'), ('file', 'a~', 'keep\n')],
       ['--backup=simple', 'a~', 'a']),
    _m('mv', 'mv --backup=numbered a b (hard links)',
       [('file', 'a', 'a\n'), ('link', 'b', 'a')],
       ['--backup=numbered', 'a', 'b']),
    _m('mv', 'mv -u s/h1 s/h2 D/ (hard links, D/h1 newer)',
       [('dir', 's'), ('file', 's/h1', 'h\n'), ('link', 's/h2', 's/h1'),
        ('file', 'D/h1', 'newer\n'), ('time', 'D/h1', T_NEW)],
       ['-u', 's/h1', 's/h2', 'D/'], xfs=True),
    _m('mv', 'mv a D/ (D/a non-empty directory)',
       [('dir', 'a'), ('dir', 'D/a'), ('file', 'D/a/f', 'f\n')],
       ['a', 'D/'], xfs=True),
    _m('ln', 'ln -f --backup=simple a b (b~ hard link of b)',
       [('file', 'a', 'a\n'), ('file', 'b', 'b\n'), ('link', 'b~', 'b')],
       ['-f', '--backup=simple', 'a', 'b']),
    _m('ln', 'ln -f x/f y/f D/',
       [('dir', 'x'), ('dir', 'y'), ('file', 'x/f', 'x\n'),
        ('file', 'y/f', 'y\n')], ['-f', 'x/f', 'y/f', 'D/']),
    _m('ln', 'ln -sf x/f y/f D/',
       [('dir', 'x'), ('dir', 'y'), ('file', 'x/f', 'x\n'),
        ('file', 'y/f', 'y\n')], ['-sf', 'x/f', 'y/f', 'D/'], xfs=True),
    _m('ln', 'ln --backup=numbered x/f y/f D/',
       [('dir', 'x'), ('dir', 'y'), ('file', 'x/f', 'x\n'),
        ('file', 'y/f', 'y\n')], ['--backup=numbered', 'x/f', 'y/f', 'D/']),
    _m('ln', 'ln a a D/',
       [('file', 'a', 'a\n')], ['a', 'a', 'D/']),
]

# ---------------------------------------------------------------------
# Fixtures


class Twin:
    """One side of a case: A (cwd, the source side) and B (where the
    destination directory D and the keep directory K live; B is A on
    the same filesystem)."""

    def __init__(self, a, b):
        self.a = a
        self.b = b
        self.cross = a != b


def settime(path, t):
    os.utime(path, (t, t), follow_symlinks=False)


def mkfile(path, text, mode=0o644, t=T_OTHER):
    with open(path, 'w') as f:
        f.write(text)
    os.chmod(path, mode)
    settime(path, t)


def build_common(tw):
    os.makedirs(tw.a)
    if tw.cross:
        os.makedirs(tw.b)
        os.mkdir(os.path.join(tw.b, 'D'))
        os.symlink(os.path.join(tw.b, 'D'), os.path.join(tw.a, 'D'))
    else:
        os.mkdir(os.path.join(tw.a, 'D'))
    os.mkdir(os.path.join(tw.b, 'K'))
    mkfile(os.path.join(tw.b, 'K', 'other'), 'other\n')


def build_case(tw, c, dtime):
    build_common(tw)
    a, b = tw.a, tw.b
    src = os.path.join(a, 'src')
    dname = 'src' if c['into'] else 'dst'
    dst = os.path.join(b, 'D', dname)
    sk, dk = c['src'], c['dst']
    # The source.
    if sk == 'regular':
        mkfile(src, 'source\n', 0o640, T_SRC)
        os.link(src, os.path.join(a, 'src.keep'))
    elif sk == 'symlink-to-dst':
        os.symlink('D/' + dname, src)
    elif sk == 'symlink-to-self':
        os.symlink('src', src)
    elif sk == 'dangling-symlink':
        os.symlink('nowhere', src)
    elif sk == 'directory':
        os.mkdir(src)
        mkfile(os.path.join(src, 'f'), 'inner-src\n', 0o640, T_SRC)
    elif sk == 'symlink-to-dir':
        os.mkdir(os.path.join(a, 'sdir'))
        mkfile(os.path.join(a, 'sdir', 'f'), 'inner-sdir\n', 0o640, T_SRC)
        os.symlink('sdir', src)
    elif sk == 'fifo':
        os.mkfifo(src, 0o640)
    if sk in SYMLINKY_SRC:
        settime(src, T_SRC)
    elif sk in ('directory', 'fifo'):
        settime(src, T_SRC)
    # The destination.
    to_src = os.path.join(a, 'src') if tw.cross else '../src'
    if dk in ('regular', 'regular+backups'):
        mkfile(dst, 'dest\n', 0o664, dtime)
        os.link(dst, os.path.join(b, 'K', 'dst.keep'))
        if dk == 'regular+backups':
            mkfile(dst + '~', 'old-simple\n', 0o664)
            mkfile(dst + '.~1~', 'old-numbered\n', 0o664)
    elif dk == 'same-inode':
        os.link(src, dst)
        if sk != 'regular':
            pass
    elif dk == 'symlink-to-src':
        os.symlink(to_src, dst)
    elif dk == 'symlink-elsewhere':
        os.symlink('../K/other', dst)
    elif dk == 'dangling-symlink':
        os.symlink('../K/nowhere', dst)
    elif dk == 'self-loop':
        os.symlink(dname, dst)
    elif dk in ('dir-empty', 'dir-nonempty'):
        os.mkdir(dst)
        if dk == 'dir-nonempty':
            mkfile(os.path.join(dst, 'src'), 'inner-dst\n')
            mkfile(os.path.join(dst, 'dst'), 'inner-dst2\n')
    if dk in SYMLINKY_DST or dk == 'same-inode':
        if os.path.lexists(dst):
            settime(dst, dtime if dk == 'same-inode' and False else dtime)


def build_multi(tw, m):
    build_common(tw)
    for step in m['setup']:
        kind, name = step[0], step[1]
        if name.startswith('D/'):
            path = os.path.join(tw.b, name)
        else:
            path = os.path.join(tw.a, name)
        if kind == 'file':
            mkfile(path, step[2], 0o640, T_SRC)
        elif kind == 'dir':
            os.mkdir(path)
        elif kind == 'symlink':
            os.symlink(step[2], path)
        elif kind == 'link':
            target = step[2]
            tpath = os.path.join(tw.b if target.startswith('D/') else tw.a,
                                 target)
            os.link(tpath, path)
        elif kind == 'time':
            settime(path, step[2])


def case_argv(tw, c):
    """The command line (after the program name) and stdin text."""
    if 'multi' in c:
        return list(c['multi']['args']), c['multi']['stdin'], T_OLD
    label, opts, stdin, dtime = optset(c['label'])
    src = 'src'
    if c['prog'] == 'cp' and '-s' in opts:
        # cp -s makes relative symlinks only in the current directory.
        src = os.path.join(tw.a, 'src')
    dst = 'D/' if c['into'] else 'D/dst'
    return opts + [src, dst], stdin, dtime


# ---------------------------------------------------------------------
# Running and snapshots


def run(prog_dir, prog, argv, cwd, stdin):
    env = {'PATH': prog_dir + ':/usr/bin:/bin', 'LC_ALL': 'C',
           'HOME': cwd, 'TZ': 'UTC'}
    try:
        p = subprocess.run([prog] + argv, cwd=cwd, env=env,
                           input=stdin.encode(), capture_output=True,
                           timeout=TIMEOUT)
        return p.returncode, p.stdout.decode('utf-8', 'replace'), \
            p.stderr.decode('utf-8', 'replace')
    except subprocess.TimeoutExpired as e:
        return 'timeout', (e.stdout or b'').decode('utf-8', 'replace'), \
            (e.stderr or b'').decode('utf-8', 'replace')


class Normaliser:
    def __init__(self, tw, prog):
        self.pairs = [(tw.b, '<B>'), (tw.a, '<A>')]
        self.pairs.sort(key=lambda p: -len(p[0]))
        self.prog = prog

    def text(self, s):
        for path, tok in self.pairs:
            s = s.replace(path, tok)
        s = re.sub(r'(?<=/)twin-(gnu|ours)(?=/|$)', 'twin', s)
        # Defensive: a program that names itself other than argv[0].
        s = re.sub(r'(?m)^(cow)?%s: ' % self.prog, '%s: ' % self.prog, s)
        return s


def snapshot(tw, norm, with_times):
    """Every entry under A (and B across filesystems): name, type, mode,
    owner, link count, hard-link group, content or target."""
    entries = []
    roots = [('<A>', tw.a)]
    if tw.cross:
        roots.append(('<B>', tw.b))
    inodes = {}
    for tok, root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            names = sorted(dirnames + filenames)
            for n in names:
                p = os.path.join(dirpath, n)
                rel = tok + p[len(root):]
                try:
                    st = os.lstat(p)
                except OSError as e:
                    entries.append((rel, 'lstat failed: %s' % e.strerror))
                    continue
                key = (st.st_dev, st.st_ino)
                inodes.setdefault(key, []).append(rel)
                entries.append((rel, st, key, p))
    lines = []
    for e in entries:
        if len(e) == 2:
            lines.append('%s %s' % e)
            continue
        rel, st, key, p = e
        m = st.st_mode
        kind = ('dir' if stat.S_ISDIR(m) else 'reg' if stat.S_ISREG(m) else
                'symlink' if stat.S_ISLNK(m) else 'fifo' if stat.S_ISFIFO(m)
                else 'other')
        words = [rel, kind]
        if kind != 'symlink':
            words.append('%04o' % stat.S_IMODE(m))
        words.append('uid=%d gid=%d' % (st.st_uid, st.st_gid))
        if kind != 'dir':
            words.append('links=%d' % st.st_nlink)
            group = inodes[key]
            if len(group) > 1 and group[0] != rel:
                words.append('same-inode-as=' + group[0])
        if kind == 'reg':
            try:
                with open(p, 'rb') as f:
                    data = f.read(4096)
                words.append('data=' + repr(data.decode('utf-8', 'replace')))
            except OSError as ex:
                words.append('data=<unreadable: %s>' % ex.strerror)
        elif kind == 'symlink':
            words.append('-> ' + norm.text(os.readlink(p)))
        if with_times and kind != 'dir':
            words.append('mtime=' + TIME_LABELS.get(int(st.st_mtime), 'now'))
        lines.append(' '.join(words))
    return lines


def rmtree(path):
    def onerror(func, p, exc):
        try:
            os.chmod(os.path.dirname(p), 0o700)
            func(p)
        except OSError:
            pass
    if os.path.lexists(path):
        shutil.rmtree(path, onerror=onerror)


def run_case(c, n, area_a, area_b, bins, gnu_argv=None):
    """Run case C (number N) in both twins; return the two results."""
    res = {}
    for twin in ('gnu', 'ours'):
        a = os.path.join(area_a, str(n), 'twin-' + twin)
        b = os.path.join(area_b, str(n), 'twin-' + twin) \
            if c['fs'] == 'cross-fs' else a
        tw = Twin(a, b)
        if 'multi' in c:
            build_multi(tw, c['multi'])
        argv, stdin, dtime = case_argv(tw, c)
        if 'multi' not in c:
            build_case(tw, c, dtime)
        norm = Normaliser(tw, c['prog'])
        before = None
        if twin == 'ours':
            before = snapshot(tw, norm, True)
        if twin == 'gnu' and gnu_argv:
            argv = gnu_argv(argv)
        status, out, err = run(bins[twin], c['prog'], argv, a, stdin)
        with_times = 'multi' not in c and '-a' in c['label'].split() or \
            'multi' in c and any(w.startswith('-a') for w in argv)
        res[twin] = {'status': status, 'stdout': norm.text(out),
                     'stderr': norm.text(err),
                     'tree': snapshot(tw, norm, with_times)}
        if before is not None:
            res['before'] = [l for l in before]
            if not with_times:
                res['before'] = [re.sub(r' mtime=\S+$', '', l)
                                 for l in before]
    rmtree(os.path.join(area_a, str(n)))
    if area_b != area_a:
        rmtree(os.path.join(area_b, str(n)))
    return res


# ---------------------------------------------------------------------
# Known differences


class Known:
    def __init__(self, path):
        self.lines = []
        with open(path) as f:
            for lineno, raw in enumerate(f, 1):
                line = raw.strip()
                if not line or line.startswith('#'):
                    continue
                parts = [p.strip() for p in line.split(' | ')]
                cls = parts[0]
                if cls == 'open' and len(parts) == 3:
                    self.lines.append({'class': 'open', 'glob': parts[1],
                                       'reason': parts[2], 'line': lineno,
                                       'expect': {}, 'hits': 0,
                                       'fixed': 0})
                elif cls == 'gnu911' and len(parts) == 4:
                    expect = {}
                    for word in shlex.split(parts[2]):
                        k, _, v = word.partition('=')
                        if k == 'stderr':
                            v = v.encode().decode('unicode_escape')
                        expect.setdefault(k, []).append(v)
                    self.lines.append({'class': 'gnu911', 'glob': parts[1],
                                       'expect': expect,
                                       'reason': parts[3], 'line': lineno,
                                       'hits': 0, 'fixed': 0})
                else:
                    raise SystemExit('%s:%d: bad line' % (path, lineno))

    def matching(self, cid, cls):
        return [k for k in self.lines
                if k['class'] == cls and fnmatch.fnmatchcase(cid, k['glob'])
                and not any(fnmatch.fnmatchcase(cid, g)
                            for g in k['expect'].get('unless-id', []))]


def gnu_argv_for(known911):
    """How the gnu911 lines change the command GNU 9.1 runs, if at all:
    gnu-without=OPT drops OPT (an option 9.1 lacks and 9.11 has, where
    9.11 then behaves as 9.1 without it); gnu-argv=ARGS runs ARGS (a
    command 9.1 gets right that 9.11 makes equivalent to this one)."""
    drop = [v for k in known911 for v in k['expect'].get('gnu-without', [])]
    whole = [v for k in known911 for v in k['expect'].get('gnu-argv', [])]
    if not drop and not whole:
        return None

    def change(argv):
        if whole:
            argv = shlex.split(whole[-1])
        return [w for w in argv if w not in drop]
    return change


def expectation(gnu, before, known911, cid):
    """GNU 9.1's result turned into 9.11's by the gnu911 lines."""
    exp = {'status': gnu['status'], 'stdout': gnu['stdout'],
           'stderr': gnu['stderr'], 'tree': list(gnu['tree'])}
    used = []
    for k in known911:
        e = k['expect']
        cond = e.get('if-gnu-stderr')
        if cond and not all(re.search(r, gnu['stderr']) for r in cond):
            continue
        cond = e.get('if-gnu-status')
        if cond and str(gnu['status']) not in cond:
            continue
        used.append(k)
        for v in e.get('status', []):
            exp['status'] = int(v)
        for v in e.get('stderr', []):
            exp['stderr'] = v
        for v in e.get('stderr-sub', []):
            old, _, new = v.partition('=>')
            exp['stderr'] = re.sub(old, new, exp['stderr'])
        for v in e.get('stderr-re', []):
            exp['stderr_re'] = v
        for v in e.get('tree', []):
            if v == 'unchanged':
                exp['tree'] = list(before)
        for v in e.get('tree-sub', []):
            old, _, new = v.partition('=>')
            exp['tree'] = sorted(re.sub(old, new, l) for l in exp['tree'])
    return exp, used


def differences(exp, ours):
    out = []
    for part in ('status', 'stdout', 'stderr'):
        if part == 'stderr' and 'stderr_re' in exp:
            if not re.fullmatch(exp['stderr_re'], ours[part], re.S):
                out.append('stderr: GNU 9.11 /%s/, cowutils %r'
                           % (exp['stderr_re'], ours[part]))
            continue
        if exp[part] != ours[part]:
            out.append('%s: GNU %r, cowutils %r' % (part, exp[part],
                                                    ours[part]))
    et, ot = sorted(exp['tree']), sorted(ours['tree'])
    if et != ot:
        out.append('tree (- GNU, + cowutils):')
        for l in et:
            if l not in ot:
                out.append('- ' + l)
        for l in ot:
            if l not in et:
                out.append('+ ' + l)
    return out


def judge(c, res, known, cmdline):
    """One TAP verdict: (result, id, comment lines, fixed-line)."""
    cid = c['id']
    k911 = known.matching(cid, 'gnu911')
    exp, used = expectation(res['gnu'], res.get('before', []), k911, cid)
    for k in used:
        k['hits'] += 1
    ours = res['ours']
    if c.get('prog') == 'cp' and c.get('dst') == 'symlink-to-src' and \
            c.get('src') in ('directory', 'symlink-to-dir'):
        # Copying a directory into itself: what GNU copies before it
        # notices depends on readdir order, so only the status and the
        # messages are compared, and the tree outside the source.
        def outside(tree):
            return [l for l in tree
                    if not l.startswith(('<A>/src/', '<A>/sdir/'))]
        exp = dict(exp, tree=outside(exp['tree']))
        ours = dict(ours, tree=outside(ours['tree']))
    diff = differences(exp, ours)
    opens = known.matching(cid, 'open')
    for k in opens:
        k['hits'] += 1
    info = {'id': cid, 'cmd': cmdline, 'diff': diff,
            'gnu': {p: res['gnu'][p] for p in ('status', 'stderr')},
            'ours': {p: res['ours'][p] for p in ('status', 'stderr')},
            'gnu911': [k['line'] for k in used]}
    if diff:
        info['trees'] = {'gnu': exp['tree'], 'ours': ours['tree']}
    if not diff:
        if opens:
            for k in opens:
                k['fixed'] += 1
            info['verdict'] = 'fixed'
        else:
            info['verdict'] = 'ok'
    elif opens:
        info['verdict'] = 'open'
        info['reason'] = opens[0]['reason']
    else:
        info['verdict'] = 'not ok'
    return info


# ---------------------------------------------------------------------
# Drivers


def run_all(user, area_a, area_b, bins, known_path, have_xfs, emit,
            only=None):
    known = Known(known_path)
    cases = generate(user, have_xfs)
    if only:
        cases = [c for c in cases if fnmatch.fnmatchcase(c['id'], only)]
    for n, c in enumerate(cases):
        k911 = known.matching(c['id'], 'gnu911')
        res = run_case(c, n, area_a, area_b, bins, gnu_argv_for(k911))
        tw = Twin('<A>', '<B>')
        argv, _, _ = case_argv(Twin(area_a, area_b), c) if 'multi' in c \
            else case_argv(tw, c)
        cmd = c['prog'] + ' ' + ' '.join(shlex.quote(w) for w in argv)
        emit(judge(c, res, known, cmd))
    return known


def tap_lines(info, n):
    cid = info['id']
    v = info['verdict']
    if v in ('ok', 'fixed'):
        return ['ok %d - %s' % (n, cid)]
    if v == 'open':
        return ['ok %d - %s # SKIP open difference (issue 7): %s'
                % (n, cid, info['reason'])]
    lines = ['not ok %d - %s' % (n, cid), '# command: ' + info['cmd']]
    for d in info['diff']:
        lines.append('#   ' + d)
    return lines


def worker_main(args):
    """Run every case for one user; print one JSON line per case."""
    os.umask(0o022)

    def emit(info):
        sys.stdout.write(json.dumps(info) + '\n')
        sys.stdout.flush()
    known = run_all(args.user, args.area_a, args.area_b,
                    {'gnu': args.gnu_bin, 'ours': args.ours_bin},
                    args.known, args.area_a != args.area_b, emit, args.only)
    sys.stdout.write(json.dumps({'known': [
        {'line': k['line'], 'hits': k['hits'], 'fixed': k['fixed']}
        for k in known.lines]}) + '\n')


def make_bins(work, build):
    """PATH directories with cp, mv, ln for GNU and for cowutils."""
    gnu = os.path.join(work, 'bin-gnu')
    ours = os.path.join(work, 'bin-ours')
    progs = os.path.join(work, 'progs')
    for d in (gnu, ours, progs):
        os.mkdir(d)
        os.chmod(d, 0o755)
    for prog, binary in PROG_BINARY.items():
        os.symlink('/usr/bin/' + prog, os.path.join(gnu, prog))
        src = os.path.join(build, 'src', binary)
        if not os.access(src, os.X_OK):
            raise SystemExit('no %s: build first' % src)
        os.symlink(src, os.path.join(ours, prog))
    return gnu, ours, progs


def nobody_can_run(path):
    p = subprocess.run(SETPRIV + ['/bin/sh', '-c', 'test -x "$1" -a -r "$1"',
                                  'sh', path], capture_output=True)
    return p.returncode == 0


SETPRIV = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups',
           '--']


class Interrupted(Exception):
    pass


def on_signal(signum, frame):
    raise Interrupted(signum)


def main_driver(args):
    top = os.path.dirname(os.path.dirname(HERE))
    build = os.path.abspath(args.build or os.environ.get('COWUTILS_BUILD')
                            or os.path.join(top, 'build'))
    os.umask(0o022)
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    for v in ('VERSION_CONTROL', 'SIMPLE_BACKUP_SUFFIX', 'POSIXLY_CORRECT'):
        os.environ.pop(v, None)
    tmp = os.environ.get('TMPDIR') or '/tmp'
    if not os.path.isdir(tmp) or not os.access(tmp, os.W_OK | os.X_OK):
        tmp = '/tmp'
    work = tempfile.mkdtemp(prefix='cowutils-matrix.', dir=tmp)
    mnt = None
    worker = None
    start = time.time()
    out = sys.stdout
    counts = {'ok': 0, 'not ok': 0, 'open': 0, 'fixed': 0, 'skip': 0}
    n = [0]
    fixed_ids = []
    failed_ids = []

    def emit(info):
        n[0] += 1
        counts[info['verdict']] += 1
        if info['verdict'] == 'fixed':
            fixed_ids.append(info['id'])
        if info['verdict'] == 'not ok':
            failed_ids.append(info['id'])
        if args.json:
            args.json.write(json.dumps(info) + '\n')
        for l in tap_lines(info, n[0]):
            out.write(l + '\n')
        out.flush()

    def skip(cid, reason):
        n[0] += 1
        counts['skip'] += 1
        out.write('ok %d - %s # SKIP %s\n' % (n[0], cid, reason))

    try:
        os.chmod(work, 0o755)
        is_root = os.geteuid() == 0
        have_xfs = False
        area_b_root = None
        if is_root:
            mnt = os.path.join(work, 'matrix-tmpfs')
            os.mkdir(mnt)
            p = subprocess.run(['mount', '-t', 'tmpfs', '-o',
                                'size=64m,mode=0755', 'cowutils-matrix',
                                mnt], capture_output=True, text=True)
            if p.returncode == 0:
                if os.stat(mnt).st_dev != os.stat(work).st_dev:
                    have_xfs = True
            else:
                out.write('# no second filesystem: %s\n'
                          % p.stderr.strip())
                os.rmdir(mnt)
                mnt = None
        gnu_bin, ours_bin, progs = make_bins(work, build)
        known_path = os.path.join(HERE, 'known')
        users = [('root' if is_root else 'user')]
        nobody_ok = False
        if is_root and shutil.which('setpriv'):
            # nobody must reach the binaries, this script and the known
            # list; copy what it cannot reach.
            mine = os.path.join(work, 'matrix.py')
            shutil.copy(os.path.abspath(__file__), mine)
            shutil.copy(known_path, os.path.join(work, 'known'))
            for f in ('matrix.py', 'known'):
                os.chmod(os.path.join(work, f), 0o644)
            nb_ours = ours_bin
            if not all(nobody_can_run(os.path.join(build, 'src', b))
                       for b in PROG_BINARY.values()):
                nb_ours = os.path.join(work, 'bin-ours-copy')
                os.mkdir(nb_ours)
                os.chmod(nb_ours, 0o755)
                for prog, binary in PROG_BINARY.items():
                    dst = os.path.join(progs, binary)
                    shutil.copy(os.path.join(build, 'src', binary), dst)
                    os.chmod(dst, 0o755)
                    os.symlink(dst, os.path.join(nb_ours, prog))
            na = os.path.join(work, 'nobody')
            os.mkdir(na)
            os.chown(na, 65534, 65534)
            nb = na
            if have_xfs:
                nb = os.path.join(mnt, 'nobody')
                os.mkdir(nb)
                os.chown(nb, 65534, 65534)
            cmd = SETPRIV + [sys.executable, mine, '--worker', '--user',
                             'nobody', '--area-a', na, '--area-b', nb,
                             '--gnu-bin', gnu_bin, '--ours-bin', nb_ours,
                             '--known', os.path.join(work, 'known')]
            if args.only:
                cmd += ['--only', args.only]
            worker_out = open(os.path.join(work, 'nobody.out'), 'w+')
            worker_err = open(os.path.join(work, 'nobody.err'), 'w+')
            worker = subprocess.Popen(cmd, cwd=work, stdout=worker_out,
                                      stderr=worker_err,
                                      stdin=subprocess.DEVNULL)
            nobody_ok = True
        # This process is the root (or the invoking user's) driver.
        ra = os.path.join(work, users[0])
        os.mkdir(ra)
        rb = ra
        if have_xfs:
            rb = os.path.join(mnt, users[0])
            os.mkdir(rb)
        t0 = time.time()
        known = run_all(users[0], ra, rb, {'gnu': gnu_bin, 'ours': ours_bin},
                        known_path, have_xfs, emit, args.only)
        t_root = time.time() - t0
        n_root = n[0]
        if not have_xfs:
            skip('%s cross-fs *' % users[0],
                 'no second filesystem (needs root to mount a tmpfs)')
        t_nobody = None
        if nobody_ok:
            rc = worker.wait()
            t_nobody = time.time() - t0
            worker_out.seek(0)
            tail = None
            for line in worker_out:
                rec = json.loads(line)
                if 'known' in rec:
                    tail = rec['known']
                    continue
                emit(rec)
            if rc != 0 or tail is None:
                worker_err.seek(0)
                n[0] += 1
                counts['not ok'] += 1
                out.write('not ok %d - nobody matrix worker (exit %s)\n'
                          % (n[0], rc))
                for l in worker_err.read().splitlines()[-20:]:
                    out.write('# ' + l + '\n')
            else:
                byline = {k['line']: k for k in known.lines}
                for t in tail:
                    k = byline.get(t['line'])
                    if k:
                        k['hits'] += t['hits']
                        k['fixed'] += t['fixed']
        else:
            skip('* nobody *', 'not root or no setpriv: the unprivileged '
                 'half needs root to switch to nobody')
        # The summary.
        out.write('# differential matrix: %d cases run (%s: %d in %.0fs'
                  % (n[0], users[0], n_root, t_root))
        if t_nobody is not None:
            out.write(', nobody: %d, done after %.0fs' % (n[0] - n_root,
                                                          t_nobody))
        out.write('); %d match GNU, %d known open, %d not ok, %d fixed\n'
                  % (counts['ok'], counts['open'], counts['not ok'],
                     counts['fixed']))
        unused = [k for k in known.lines if k['hits'] == 0 and not args.only]
        for k in unused:
            out.write('# known line %d matches no case: %s\n'
                      % (k['line'], k['glob']))
        if fixed_ids:
            out.write('# fixed, remove from known:\n')
            for k in known.lines:
                if k['class'] == 'open' and k['fixed']:
                    whole = k['fixed'] == k['hits']
                    out.write('#   line %d%s: %s\n' % (
                        k['line'], '' if whole else ' (%d of %d cases)'
                        % (k['fixed'], k['hits']), k['glob']))
            for cid in fixed_ids[:50]:
                out.write('#     %s\n' % cid)
        out.write('1..%d\n' % n[0])
        # Differences are in the TAP; the status says whether the
        # harness itself worked.
        return 0
    except Interrupted as e:
        out.write('# interrupted by signal %d\n' % e.args[0])
        return 130
    finally:
        if worker and worker.poll() is None:
            worker.kill()
            worker.wait()
        if mnt:
            if subprocess.run(['umount', mnt]).returncode != 0:
                subprocess.run(['umount', '-l', mnt])
        rmtree(work)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--worker', action='store_true')
    ap.add_argument('--user')
    ap.add_argument('--area-a')
    ap.add_argument('--area-b')
    ap.add_argument('--gnu-bin')
    ap.add_argument('--ours-bin')
    ap.add_argument('--known')
    ap.add_argument('--build')
    ap.add_argument('--only', help='run only case ids matching this glob')
    ap.add_argument('--json', type=argparse.FileType('w'),
                    help='also write every verdict as JSON here')
    args = ap.parse_args()
    if args.worker:
        worker_main(args)
        return 0
    return main_driver(args)


if __name__ == '__main__':
    sys.exit(main())
