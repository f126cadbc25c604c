#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# po/de.po is complete: every message the sources mark for translation,
# extracted afresh as `make update-po' would, has a German translation
# that is not fuzzy.  A message added to the sources without one makes
# this suite fail.

load ../helpers/common

bats_require_minimum_version 1.5.0

setup ()
{
  local tool
  for tool in xgettext msgcmp msgfmt; do
    have_cmd "$tool" || skip "$tool missing (package gettext)"
  done
  cd "$COWUTILS_SRCDIR"
}

# Write to FILE the template of the messages of the files po/POTFILES.in
# lists, extracted with po/Makevars' XGETTEXT_OPTIONS.
fresh_pot ()
{
  local options
  options=$(sed -n 's/^XGETTEXT_OPTIONS *= *//p' po/Makevars)
  [[ -n $options ]] || fail "no XGETTEXT_OPTIONS in po/Makevars"
  grep -v -e '^#' -e '^[[:space:]]*$' po/POTFILES.in >"$BATS_TEST_TMPDIR/files"
  # shellcheck disable=SC2086
  xgettext $options --files-from="$BATS_TEST_TMPDIR/files" -o "$1"
}

@test "every file po/POTFILES.in names exists" {
  local f missing=
  while IFS= read -r f; do
    [[ -f $f ]] || missing+=" $f"
  done < <(grep -v -e '^#' -e '^[[:space:]]*$' po/POTFILES.in)
  [[ -z $missing ]] || fail "po/POTFILES.in names missing files:$missing"
}

@test "po/POTFILES.in lists every source file with translatable strings" {
  local f unlisted=
  for f in $(grep -lE '(^|[^A-Za-z0-9_])N?_ ?\("' src/*.c src/*.h); do
    grep -qx "$f" po/POTFILES.in || unlisted+=" $f"
  done
  [[ -z $unlisted ]] || fail "not in po/POTFILES.in:$unlisted"
}

@test "every message of a fresh template has a German translation, none fuzzy" {
  fresh_pot "$BATS_TEST_TMPDIR/fresh.pot"
  run msgcmp po/de.po "$BATS_TEST_TMPDIR/fresh.pot"
  assert_success
}

@test "msgfmt -c accepts po/de.po with no untranslated and no fuzzy message" {
  fresh_pot "$BATS_TEST_TMPDIR/fresh.pot"
  local n
  n=$(msgattrib --no-obsolete "$BATS_TEST_TMPDIR/fresh.pot" \
        | grep -c '^msgid ')
  # The header is the one msgid that is not a message.
  run msgfmt -c --statistics -o /dev/null po/de.po
  assert_success
  assert_output "$((n - 1)) translated messages."
}

@test "the check fails for a message added without a translation" {
  fresh_pot "$BATS_TEST_TMPDIR/fresh.pot"
  printf '\nmsgid "a message nobody has translated yet"\nmsgstr ""\n' \
    >>"$BATS_TEST_TMPDIR/fresh.pot"
  local line
  # msgcmp names the line of the msgstr, the one after the msgid.
  line=$(grep -n '^msgid "a message nobody' "$BATS_TEST_TMPDIR/fresh.pot" \
           | cut -d: -f1)
  line=$((line + 1))
  run msgcmp po/de.po "$BATS_TEST_TMPDIR/fresh.pot"
  assert_failure
  assert_line "$BATS_TEST_TMPDIR/fresh.pot:$line: this message is used but not defined in po/de.po"
}

@test "the check fails for a fuzzy translation" {
  fresh_pot "$BATS_TEST_TMPDIR/fresh.pot"
  # Mark the first translation fuzzy in a copy of de.po.
  awk 'done || !/^msgid "[^"]/ { print; next }
       { print "#, fuzzy"; print; done = 1 }' po/de.po \
    >"$BATS_TEST_TMPDIR/de.po"
  assert_equal "$(grep -c '^#, fuzzy$' "$BATS_TEST_TMPDIR/de.po")" 1
  run msgcmp "$BATS_TEST_TMPDIR/de.po" "$BATS_TEST_TMPDIR/fresh.pot"
  assert_failure
  assert_output --partial 'this message needs to be reviewed by the translator'
}
