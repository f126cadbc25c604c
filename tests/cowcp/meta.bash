# SPDX-License-Identifier: GPL-3.0-or-later
# meta.bash -- GNU cp (or mv) against cowcp (cowmv) on twin fixtures, as
# root or as an unprivileged user, comparing what run_both does not: the
# ACLs, extended attributes, set-ID and sticky bits and times of every
# entry, besides exit status, output, types, modes and owners.
#
# Load it after common.bash:
#
#   load ../helpers/common
#   load ../cowcp/meta
#
#   fixture () { mkdir a; echo x >f; setfacl -d -m u:nobody:rwx a; }
#   @test "..." { meta_both_users -p f a/; }
#
# meta_both AS ARGS... makes two twins under $META_BASE (a directory any
# user can reach), runs the function `fixture' as user AS (root, or
# nobody through setpriv) in each (under set -e), then `root_fixture' as
# root if there is one, stamps every entry with the time $META_STAMP,
# and runs `cp ARGS' as AS with umask $META_UMASK (default 022): GNU cp
# ($GNU_CP) in one twin, cowcp in the other, both as `cp' (META_PROG=mv
# compares GNU mv and cowmv).  A function `after', if defined, runs as AS
# in each twin afterwards and its output counts as the command's.  It
# fails, showing the differences, unless status, stdout, stderr and
# meta_listing of the two twins are identical.  $GNU_TWIN and $OURS_TWIN
# name the twins afterwards.
#
# meta_both_users ARGS... runs meta_both as root, then, when the tests
# run as root and setpriv is there, as nobody.

export META_STAMP=1000000000.123456789
GNU_CP=${GNU_CP:-/usr/bin/cp}
GNU_MV=${GNU_MV:-/usr/bin/mv}

# as_user AS CMD...: run CMD as AS (root: as we are).
as_user ()
{
  local as=$1
  shift
  if [[ $as == root ]]; then
    "$@"
  else
    setpriv --reuid="$as" --regid=nogroup --clear-groups "$@"
  fi
}

# meta_setup: make $META_BASE; call it from setup.
meta_setup ()
{
  META_BASE=$(mktemp -d "${TMPDIR:-/tmp}/cowmeta.XXXXXX")
  chmod 755 "$META_BASE"
  umask 022
}

# meta_teardown: remove $META_BASE; call it from teardown.
meta_teardown ()
{
  [[ -n ${META_BASE:-} ]] && rm -rf -- "$META_BASE"
}

# meta_listing DIR: one line per entry of DIR (name, type, mode with the
# special bits, owner, atime and mtime as "stamp" or "other"), then the
# ACLs (getfacl) and extended attributes (getfattr) of every entry.
meta_listing ()
{
  (
    cd -- "$1" || exit 1
    find . -printf '%p %y %M %U:%G a=%A@ m=%T@\n' \
      | sed "s/=${META_STAMP}0*\( \|$\)/=stamp\1/g;
             s/=[0-9][0-9.]*\( \|$\)/=other\1/g" | sort
    getfacl -R -P -p . 2>&1
    getfattr -R -P -h -d -m - . 2>&1 | grep -v '^security\.selinux' || true
  )
}

# meta_both AS ARGS...: see the top of this file.
meta_both ()
{
  local as=$1
  shift
  local prog=${META_PROG:-cp} kind d rc bin
  declare -F fixture >/dev/null || { fail "meta_both: no fixture"; return 1; }
  for kind in gnu ours; do
    d=$META_BASE/$as-$kind
    rm -rf -- "$d" "$d.bin"
    mkdir -p -- "$d" "$d.bin"
    if [[ $kind == gnu ]]; then
      bin=$GNU_CP
      [[ $prog == mv ]] && bin=$GNU_MV
    else
      bin=$COWUTILS_BUILD/src/cow$prog
    fi
    ln -s -- "$bin" "$d.bin/$prog"
    [[ $as == root ]] || chown "$as:nogroup" "$d"
    (cd -- "$d" \
      && as_user "$as" bash -ec "umask 022; $(declare -f fixture); fixture") \
      || { fail "meta_both: fixture failed as $as"; return 1; }
    if declare -F root_fixture >/dev/null; then
      (cd -- "$d" && root_fixture) \
        || { fail "meta_both: root_fixture failed"; return 1; }
    fi
    find "$d" -mindepth 1 -exec touch -h -d "@$META_STAMP" {} +
    rc=0
    (cd -- "$d" && as_user "$as" env PATH="$d.bin:$PATH" bash -c \
      "umask ${META_UMASK:-022}; $prog \"\$@\"" "$prog" "$@") \
      >"$d.out" 2>"$d.err" || rc=$?
    echo "$rc" >"$d.rc"
    if declare -F after >/dev/null; then
      (cd -- "$d" && as_user "$as" bash -c "$(declare -f after); after") \
        >>"$d.out" 2>&1
    fi
    meta_listing "$d" >"$d.list"
  done
  GNU_TWIN=$META_BASE/$as-gnu OURS_TWIN=$META_BASE/$as-ours
  local report= part
  for part in rc out err list; do
    if ! cmp -s -- "$GNU_TWIN.$part" "$OURS_TWIN.$part"; then
      report+="$part differs (as $as):"$'\n'
      report+=$(diff -u --label "GNU $prog" --label "cow$prog" \
        "$GNU_TWIN.$part" "$OURS_TWIN.$part")$'\n'
    fi
  done
  if [[ -n $report ]]; then
    printf 'command: %s%s\n%s' "$prog" "$(printf ' %q' "$@")" "$report" \
      | fail
    return 1
  fi
}

# meta_both_users ARGS...: see the top of this file.
meta_both_users ()
{
  meta_both root "$@" || return 1
  if [[ $(id -u) -eq 0 ]] && have_cmd setpriv && id nobody >/dev/null 2>&1 \
    && as_user nobody test -x "$META_BASE"
  then
    meta_both nobody "$@" || return 1
  fi
}
