#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# ACLs against GNU cp 9.1, as root and as nobody (meta.bash): with -p or
# -a the copy has exactly its source's mode or ACL, whatever default ACL
# its new directory has; without, the kernel's inheritance stands (and
# the umask does not apply); --no-preserve=mode gives the default mode
# and drops inherited entries; a directory's default ACL is its source's
# or none.  Every test compares every entry's ACLs, modes, owners and
# times with GNU cp's.

load ../helpers/common
load meta

bats_require_minimum_version 1.5.0

setup ()
{
  meta_setup
  have_setfacl "$META_BASE" || skip "setfacl unavailable or ACLs unsupported in $META_BASE"
}

teardown ()
{
  meta_teardown
}

@test "cp -p into a directory with a default ACL gives the copy exactly its source's permissions" {
  fixture () {
    mkdir -p a/d
    echo secret >a/f
    chmod 640 a/f
    setfacl -d -m u::rwx,g::rwx,o::---,u:nobody:rwx a/d
  }
  meta_both_users -p a/f a/d/cow
  run getfacl -c -p "$META_BASE/root-ours/a/d/cow"
  refute_output --partial nobody
  if [[ $(id -u) -eq 0 ]] && have_cmd setpriv; then
    run as_user nobody cat "$META_BASE/root-ours/a/d/cow"
    assert_failure
  fi
}

@test "cp -a of a tree into a directory with a default ACL leaves no inherited entry on any copy" {
  fixture () {
    mkdir -p a/d s/x/y
    echo 1 >s/x/f
    chmod 750 s/x
    setfacl -d -m u::rwx,g::rwx,o::---,u:nobody:rwx a/d
  }
  meta_both_users -a s a/d/
  run getfacl -R -c -p "$META_BASE/root-ours/a/d/s"
  refute_output --partial nobody
}

@test "cp -a gives a directory its source's default ACL in place of the inherited one" {
  fixture () {
    mkdir -p a/d s/x/y
    echo 1 >s/x/f
    setfacl -d -m u:nobody:r-x s/x
    setfacl -m u:nobody:rw s/x/f
    setfacl -d -m u::rwx,g::rwx,o::---,u:nobody:rwx a/d
  }
  meta_both_users -a s a/d/
}

@test "cp -p of a file with an ACL into a directory with a default ACL copies the file's ACL" {
  fixture () {
    mkdir -p a/d
    echo 1 >f
    setfacl -m u:nobody:r,g::rw f
    setfacl -d -m u::rwx,g::rwx,o::---,u:nobody:rwx a/d
  }
  meta_both_users -p f a/d/
}

@test "cp -p onto an existing file replaces that file's ACL" {
  fixture () {
    echo 1 >f
    chmod 640 f
    echo 2 >g
    setfacl -m u:nobody:rwx g
  }
  meta_both_users -p f g
}

@test "cp -a into an existing directory removes its default ACL where the source has none" {
  fixture () {
    mkdir -p s/x t/s/x
    echo 1 >s/x/f
    setfacl -d -m u:nobody:rwx t/s t/s/x
    setfacl -m u:nobody:rwx t/s/x
  }
  meta_both_users -a s t/
}

@test "cp without -p lets new files inherit the default ACL, and the umask does not apply" {
  fixture () {
    mkdir -p a/d s/x
    echo 1 >f
    chmod 666 f
    chmod 777 s s/x
    echo 2 >s/x/g
    setfacl -d -m u::rwx,g::r-x,o::r-x,u:nobody:rwx a/d
  }
  META_UMASK=077 meta_both_users -r f s a/d/
}

@test "cp without -p does not copy the source's ACL" {
  fixture () {
    mkdir -p a/d
    echo 1 >f
    setfacl -m u:nobody:r,g::rw f
    setfacl -d -m u::rwx,g::rwx,o::---,u:nobody:rwx a/d
  }
  meta_both_users f a/d/
}

@test "cp --no-preserve=mode drops inherited entries and keeps a new directory's default ACL" {
  fixture () {
    mkdir -p a/d s/x
    echo 1 >s/x/f
    echo 2 >f
    chmod 600 f
    chmod 700 s s/x
    setfacl -d -m u::rwx,g::rwx,o::---,u:nobody:rwx a/d
  }
  meta_both_users -r --no-preserve=mode f s a/d/
}

@test "cp -a --no-preserve=mode copies no ACL" {
  fixture () {
    mkdir -p a/d s/x
    echo 1 >s/x/f
    chmod 700 s s/x
    setfacl -m u:nobody:r s/x/f
    setfacl -d -m u:nobody:r-x s/x
    setfacl -d -m u::rwx,g::rwx,o::---,u:nobody:rwx a/d
  }
  meta_both_users -a --no-preserve=mode s a/d/
}

@test "cp --preserve=ownership in a directory with a default ACL gives back the withheld bits less the umask" {
  fixture () {
    mkdir -p a/d s/x
    echo 1 >f
    chmod 666 f
    chmod 777 s
    echo 2 >s/x/g
    setfacl -d -m u::rwx,g::r-x,o::r-x,u:nobody:rwx a/d
  }
  META_UMASK=027 meta_both_users -r --preserve=ownership f s a/d/
}

@test "cp -p into a directory it may write but not read drops the inherited ACL too" {
  fixture () {
    mkdir -p a/d
    echo 1 >f
    chmod 640 f
    setfacl -d -m u::rwx,g::rwx,o::---,u:nobody:rwx a/d
    chmod 333 a/d
  }
  after () { chmod 755 a/d; }
  meta_both_users -p f a/d/
}

@test "cp -p --parents gives the directories it makes no inherited ACL" {
  fixture () {
    mkdir -p a/d s/x
    echo 1 >s/x/f
    chmod 750 s/x
    setfacl -d -m u::rwx,g::rwx,o::---,u:nobody:rwx a/d
  }
  meta_both_users -p --parents s/x/f a/d/
}

@test "cp -a of a FIFO into a directory with a default ACL gives it exactly its source's mode" {
  fixture () {
    mkdir d
    mkfifo p
    chmod 640 p
    setfacl -d -m u:nobody:rwx,o::- d
  }
  meta_both_users -a p d/
}

@test "cp -a copies a FIFO's ACL, and cp -r does not" {
  fixture () {
    mkdir d
    mkfifo p
    chmod 640 p
    setfacl -m u:nobody:rw p
  }
  meta_both_users -a p q
  meta_both_users -r p q
}
