#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""deep.py -- make and inspect chains of directories deeper than PATH_MAX.

Every operation walks by descriptor (dir_fd=), so no path handed to the
kernel is longer than one name.

  deep.py make DIR N [h]    DIR, then N levels of "d" below it; every 250th
                            level holds a file "f" (its depth as text, mode
                            0604), a symlink "l" -> "f" and,
                            with "h", a hard link "h" to "f"
  deep.py state DIR         one line per level: depth, sorted names, mode,
                            mtime (ns) of the level, and for "f" its text,
                            mode and link count; for "l" its target
  deep.py chmod DIR K MODE  chmod (octal MODE) the directory K levels below
                            DIR (K = 0 is DIR itself)
  deep.py path PREFIX K     print PREFIX followed by K times "/d"
"""

import os
import sys


def make(top, n, links):
    os.mkdir(top)
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    for i in range(n + 1):
        if i % 250 == 0:
            g = os.open("f", os.O_WRONLY | os.O_CREAT, 0o604, dir_fd=fd)
            os.write(g, str(i).encode())
            os.close(g)
            os.symlink("f", "l", dir_fd=fd)
            if links:
                os.link("f", "h", src_dir_fd=fd, dst_dir_fd=fd)
        if i == n:
            break
        os.mkdir("d", dir_fd=fd)
        nfd = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = nfd
    os.close(fd)


def state(top):
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    depth = 0
    out = sys.stdout
    while True:
        st = os.stat(fd)
        names = sorted(os.listdir(fd))
        line = [str(depth), ",".join(names), oct(st.st_mode),
                str(st.st_mtime_ns)]
        if "f" in names:
            g = os.open("f", os.O_RDONLY, dir_fd=fd)
            gst = os.fstat(g)
            line += [os.read(g, 100).decode(), oct(gst.st_mode),
                     str(gst.st_nlink)]
            os.close(g)
        if "l" in names:
            line.append("->" + os.readlink("l", dir_fd=fd))
        out.write(" ".join(line) + "\n")
        if "d" not in names:
            break
        try:
            n = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        except PermissionError:
            out.write("unreadable below %d\n" % depth)
            break
        os.close(fd)
        fd = n
        depth += 1
    os.close(fd)


def chmod(top, k, mode):
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    for _ in range(k):
        n = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = n
    os.fchmod(fd, mode)
    os.close(fd)


def main():
    cmd = sys.argv[1]
    if cmd == "make":
        make(sys.argv[2], int(sys.argv[3]), sys.argv[4:5] == ["h"])
    elif cmd == "state":
        state(sys.argv[2])
    elif cmd == "chmod":
        chmod(sys.argv[2], int(sys.argv[3]), int(sys.argv[4], 8))
    elif cmd == "path":
        sys.stdout.write(sys.argv[2] + "/d" * int(sys.argv[3]))
    else:
        sys.exit("deep.py: unknown command " + cmd)


main()
