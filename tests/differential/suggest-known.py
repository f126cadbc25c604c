#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# suggest-known.py -- turn the "not ok" verdicts of a matrix run
# (matrix.py --json FILE) into "open" lines for tests/differential/known:
# one line per case, root and nobody folded into "*" where both differ
# in the same way, the reason stating GNU's and cowutils' status and
# first line of stderr.  Read them before adding them: a difference
# that GNU 9.11 explains is a gnu911 line, not an open one.

import collections
import json
import re
import sys


def first_line(s):
    s = s.splitlines()[0] if s else ''
    return s if len(s) <= 90 else s[:87] + '...'


def reason(r):
    g, o = r['gnu'], r['ours']
    tree = any(d.startswith('tree') for d in r['diff'])
    if g['status'] == o['status'] and g['stderr'] == o['stderr']:
        return 'same status and messages, different tree'
    text = 'GNU %s %r; cowutils %s %r' % (g['status'], first_line(g['stderr']),
                                          o['status'], first_line(o['stderr']))
    return text + ('; trees differ' if tree else '')


def main():
    bad = [json.loads(l) for l in open(sys.argv[1])]
    bad = [r for r in bad if r.get('verdict') == 'not ok']
    groups = collections.OrderedDict()
    for r in bad:
        key = re.sub(r'^(\S+) (root|nobody|user) ', r'\1 * ', r['id'])
        groups.setdefault(key, []).append(r)
    for key, rs in groups.items():
        reasons = set(reason(r) for r in rs)
        if len(rs) == 2 and len(reasons) == 1:
            print('open | %s | %s' % (key, reasons.pop()))
        else:
            for r in rs:
                print('open | %s | %s' % (r['id'], reason(r)))


if __name__ == '__main__':
    main()
