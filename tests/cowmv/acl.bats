#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# cowmv across filesystems against GNU mv 9.1, as root and as nobody: the
# copy keeps its source's mode and ACLs and takes none of the default ACL
# of the directory it lands in (meta.bash compares every entry's ACLs,
# modes, owners and times).  The source side is a directory on /dev/shm
# (tmpfs, which has ACLs), so no loop device is needed.

load ../helpers/common
load ../cowcp/meta

bats_require_minimum_version 1.5.0

setup ()
{
  meta_setup
  have_setfacl "$META_BASE" || skip "setfacl unavailable or ACLs unsupported in $META_BASE"
  [[ -d /dev/shm && -w /dev/shm ]] || skip "no /dev/shm"
  [[ $(stat -c %d /dev/shm) != $(stat -c %d "$META_BASE") ]] \
    || skip "/dev/shm is on the filesystem of $META_BASE"
  OTHER=$(mktemp -d /dev/shm/cowmeta.XXXXXX)
  chmod 1777 "$OTHER"
  have_setfacl "$OTHER" || skip "no ACLs on /dev/shm"
  export OTHER
}

teardown ()
{
  [[ -n ${OTHER:-} ]] && rm -rf -- "$OTHER"
  meta_teardown
}

# In each fixture, x is a symlink to a directory of the twin's own on the
# other filesystem, through which the command names the source; what is
# there gets its stamp from the fixture (meta_both stamps the twin only).

@test "mv of a tree across filesystems into a directory with a default ACL leaves no inherited entry" {
  fixture () {
    mkdir "$OTHER/${PWD##*/}"
    ln -s "$OTHER/${PWD##*/}" x
    mkdir -p x/s/y a/d
    echo 1 >x/s/y/f
    chmod 750 x/s/y
    setfacl -d -m u::rwx,g::rwx,o::---,u:nobody:rwx a/d
    find x/ -exec touch -h -d "@$META_STAMP" {} +
  }
  META_PROG=mv meta_both_users x/s a/d/
  run getfacl -R -c -p "$META_BASE/root-ours/a/d/s"
  refute_output --partial nobody
}

@test "mv across filesystems keeps the ACLs of the files and directories it moves" {
  fixture () {
    mkdir "$OTHER/${PWD##*/}"
    ln -s "$OTHER/${PWD##*/}" x
    mkdir -p x/s/y a/d
    echo 1 >x/s/y/f
    setfacl -m u:nobody:rw x/s/y/f
    setfacl -d -m u:nobody:r-x x/s/y
    setfacl -d -m u::rwx,g::rwx,o::---,u:nobody:rwx a/d
    find x/ -exec touch -h -d "@$META_STAMP" {} +
  }
  META_PROG=mv meta_both_users x/s a/d/
}

@test "mv of a file across filesystems into a directory with a default ACL gives it exactly its mode" {
  fixture () {
    mkdir "$OTHER/${PWD##*/}"
    ln -s "$OTHER/${PWD##*/}" x
    mkdir -p a/d
    echo secret >x/f
    chmod 640 x/f
    setfacl -d -m u::rwx,g::rwx,o::---,u:nobody:rwx a/d
    find x/ -exec touch -h -d "@$META_STAMP" {} +
  }
  META_PROG=mv meta_both_users x/f a/d/
}
