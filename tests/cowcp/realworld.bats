#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# A real directory of the system copied with cowcp -a and with GNU cp -a:
# the two copies must be identical in every attribute -a preserves.

load ../helpers/common

# Print, for tree $1, one line per entry with everything -a keeps: type,
# mode, owner, size, mtime to the nanosecond, symlink target, and the
# hard-link group (the first name sharing the inode); then the xattrs
# and ACLs.
describe_tree ()
{
  (
    cd "$1" || exit 1
    # Directory sizes depend on the order entries were made in.
    { find . -type d -printf '%p %y %m %U:%G - %T@ %l %i\n'
      find . ! -type d -printf '%p %y %m %U:%G %s %T@ %l %i\n'; } | sort >"$BATS_TEST_TMPDIR/raw"
    # Replace inode numbers by the first name with that inode.
    awk '{ ino = $NF; if (!(ino in first)) first[ino] = $1;
           $NF = first[ino]; print }' "$BATS_TEST_TMPDIR/raw"
    # One line per file's block, sorted: directory order differs
    # between two copies of a tree.
    getfattr -R -h -d -m - --absolute-names . 2>/dev/null \
      | awk 'BEGIN { RS = "" } { gsub (/\n/, " | "); print }' | sort
    getfacl -R -P -p . 2>/dev/null \
      | awk 'BEGIN { RS = "" } { gsub (/\n/, " | "); print }' | sort
  )
}

@test "cowcp -a of /usr/share/doc equals cp -a in every preserved attribute" {
  [ -d /usr/share/doc ] || skip "no /usr/share/doc"
  cd "$BATS_TEST_TMPDIR"
  cp -a /usr/share/doc gnu
  run cowcp -a /usr/share/doc ours
  assert_success
  assert_output ""
  describe_tree gnu >gnu.txt
  describe_tree ours >ours.txt
  [ "$(wc -l <ours.txt)" -gt 100 ] || fail "the tree is too small to mean anything"
  run diff -u gnu.txt ours.txt
  assert_success
}

@test "cowcp -a of /etc equals cp -a in every preserved attribute" {
  require_root
  cd "$BATS_TEST_TMPDIR"
  # Files that change while we copy (mtab, resolv.conf) are left out.
  mkdir src
  tar -C / --exclude=etc/mtab --exclude=etc/resolv.conf -cf - etc 2>/dev/null \
    | tar -C src -xpf - --xattrs --acls
  cp -a src/etc gnu
  run cowcp -a src/etc ours
  assert_success
  describe_tree gnu >gnu.txt
  describe_tree ours >ours.txt
  run diff -u gnu.txt ours.txt
  assert_success
}
