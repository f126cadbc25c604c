#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# German messages from the built catalogue (po/de.po).
#
# The programs find their catalogue in LOCALEDIR, which the build bakes in
# from --prefix: a `make install DESTDIR=...' of the normal build would
# still look in /usr/local/share/locale.  So setup_file configures a
# second build of this source tree, with the configure arguments of the
# build under test and --prefix in the file's temporary directory,
# installs it there, and the tests run those programs.
#
# glibc ignores LANGUAGE in the "C" locale, but not in C.UTF-8, which
# Debian 12 always has (libc-bin): LC_ALL=C.UTF-8 LANGUAGE=de is enough,
# no de_DE locale has to be generated.  de_DE.UTF-8 is used when C.UTF-8
# is missing.  The system's error texts (strerror) come from glibc's own
# catalogue (libc-l10n) and are computed here in the same locale, never
# typed.

load ../helpers/common
load layout

bats_require_minimum_version 1.5.0

setup_file ()
{
  export I18N_PREFIX=$BATS_FILE_TMPDIR/prefix
  export I18N_SKIP=$BATS_FILE_TMPDIR/skip-reason
  local build=$BATS_FILE_TMPDIR/build

  local loc
  I18N_LOCALE=
  for loc in C.UTF-8 C.utf8 de_DE.UTF-8 de_DE.utf8; do
    if locale -a 2>/dev/null | grep -qx "$loc"; then
      I18N_LOCALE=$loc
      break
    fi
  done
  export I18N_LOCALE
  if [[ -z $I18N_LOCALE ]]; then
    echo "no C.UTF-8 or de_DE.UTF-8 locale installed" >"$I18N_SKIP"
    return 0
  fi
  if [[ ! -x $COWUTILS_SRCDIR/configure ]]; then
    echo "source tree not bootstrapped (no configure)" >"$I18N_SKIP"
    return 0
  fi
  if [[ -f $COWUTILS_SRCDIR/config.status ]]; then
    echo "source tree configured in place; no second build beside it" \
      >"$I18N_SKIP"
    return 0
  fi

  # Configured as the build under test was, but for the prefix.
  local -a args=()
  if [[ -f $COWUTILS_BUILD/config.status ]]; then
    eval "args=($("$COWUTILS_BUILD/config.status" --config))"
  fi
  mkdir -p "$build"
  if ! (cd "$build" \
        && "$COWUTILS_SRCDIR/configure" -q "${args[@]}" \
             --prefix="$I18N_PREFIX" \
        && make -s -j2 \
        && make -s install) >"$build/log" 2>&1; then
    tail -30 "$build/log" >&3
    return 1
  fi
  if ! grep -qx 'S\["USE_NLS"\]="yes"' "$build/config.status"; then
    echo "configure found no native language support (USE_NLS=no)" \
      >"$I18N_SKIP"
  fi
}

setup ()
{
  [[ ! -s $I18N_SKIP ]] || skip "German messages untestable: $(<"$I18N_SKIP")"
  cd "$BATS_TEST_TMPDIR"
}

# Run CMD in German with the programs installed by setup_file first in
# PATH, so that they name themselves cowcp, cowmv, cowln.
de ()
{
  PATH=$I18N_PREFIX/bin:$PATH LC_ALL=$I18N_LOCALE LANGUAGE=de "$@"
}

# The C library's text for errno NAME in the German locale.
de_strerror ()
{
  de perl -MPOSIX -e '
    setlocale (LC_ALL, "");
    use locale;
    $! = eval "POSIX::$ARGV[0]()";
    print "$!\n";' -- "$1"
}

@test "the German catalogue is installed where the programs look for it" {
  assert_file_exists "$I18N_PREFIX/share/locale/de/LC_MESSAGES/cowutils.mo"
  run type -P cowcp
  assert_output "$COWUTILS_BUILD/src/cowcp"
  PATH=$I18N_PREFIX/bin:$PATH run type -P cowcp
  assert_output "$I18N_PREFIX/bin/cowcp"
}

@test "cowcp says 'cannot stat' in German" {
  de run --separate-stderr cowcp missing new
  assert_failure 1
  assert_equal "$stderr" \
    "cowcp: Status von 'missing' kann nicht ermittelt werden: $(de_strerror ENOENT)"
  assert_output ""
}

@test "cowmv says 'cannot stat' in German" {
  de run --separate-stderr cowmv missing new
  assert_failure 1
  assert_equal "$stderr" \
    "cowmv: Status von 'missing' kann nicht ermittelt werden: $(de_strerror ENOENT)"
}

@test "cowln says 'failed to access' in German" {
  de run --separate-stderr cowln missing new
  assert_failure 1
  assert_equal "$stderr" \
    "cowln: Zugriff auf 'missing' gescheitert: $(de_strerror ENOENT)"
}

@test "the messages of a failed mkdir, symlink and hard link are German" {
  # Their texts are looked up only when the call fails (copy_file_make).
  mkdir -p src/d
  ln -s t src/l
  printf x >src/f
  local enoent
  enoent=$(de_strerror ENOENT)
  de run --separate-stderr cowcp -R src/d missing/x
  assert_failure 1
  assert_equal "$stderr" "cowcp: Verzeichnis 'missing/x' kann nicht angelegt werden: $enoent"
  de run --separate-stderr cowcp -P src/l missing/y
  assert_failure 1
  assert_equal "$stderr" "cowcp: symbolische Verknüpfung 'missing/y' kann nicht angelegt werden: $enoent"
  de run --separate-stderr cowcp -l src/f missing/z
  assert_failure 1
  assert_equal "$stderr" "cowcp: harte Verknüpfung 'missing/z' auf 'src/f' kann nicht angelegt werden: $enoent"
}

@test "a missing operand is reported in German, with the German --help hint" {
  local prog
  for prog in cowcp cowmv cowln; do
    de run --separate-stderr "$prog"
    assert_failure 1
    assert_equal "$stderr" "$prog: Dateioperand fehlt
Weitere Hinweise gibt „$prog --help“."
  done
}

@test "a bad option value lists the valid ones in German, quoted with „ “" {
  de run --separate-stderr cowcp --sparse=sometimes a b
  assert_failure 1
  assert_equal "$stderr" "cowcp: ungültiges Argument „sometimes“ für „--sparse“
Gültige Argumente sind:
  - „never“
  - „auto“
  - „always“
Weitere Hinweise gibt „cowcp --help“."
}

@test "an extra operand is reported in German" {
  touch a b c
  de run --separate-stderr cowmv -T a b c
  assert_failure 1
  assert_equal "$stderr" "cowmv: überzähliger Operand 'c'
Weitere Hinweise gibt „cowmv --help“."
}

@test "the -i prompt is German" {
  printf 'old\n' >b
  printf 'new\n' >a
  local rc=0
  printf 'n\n' | de cowcp -i a b 2>err || rc=$?
  assert_equal "$rc" 1
  # The prompt ends in a space and no newline: compare the bytes.
  assert_equal "$(cat err; echo .)" "cowcp: 'b' überschreiben? ."
  assert_equal "$(<b)" old
}

@test "cowcp --help is German, in GNU's layout" {
  de run --separate-stderr cowcp --help
  assert_success
  assert_equal "$stderr" ""
  assert_line -n 0 'Aufruf: cowcp [OPTION]... [-T] QUELLE ZIEL'
  assert_line '  -a, --archive                wie -dR --preserve=all'
  assert_line '  none, off       keine Sicherungskopien, auch nicht mit --backup'
  check_help_layout 31 <<<"$output"
}

@test "cowmv --help is German, in GNU's layout" {
  de run --separate-stderr cowmv --help
  assert_success
  assert_line -n 0 'Aufruf: cowmv [OPTION]... [-T] QUELLE ZIEL'
  assert_line '  -f, --force                  vor dem Überschreiben nicht fragen'
  check_help_layout 31 <<<"$output"
}

@test "cowln --help is German, in GNU's layout" {
  de run --separate-stderr cowln --help
  assert_success
  assert_line -n 0 'Aufruf: cowln [OPTION]... [-T] ZIEL LINKNAME'
  assert_line '  -s, --symbolic              symbolische statt harter Verknüpfungen anlegen'
  check_help_layout 30 <<<"$output"
}

@test "cowsnap's usage errors are German, with the German --help hint" {
  touch f
  de run --separate-stderr cowsnap delete --json f
  assert_failure 1
  assert_equal "$stderr" "cowsnap: Option „--json“ gilt nicht für „delete“
Weitere Hinweise gibt „cowsnap --help“."
  de run --separate-stderr cowsnap delete
  assert_failure 1
  assert_equal "$stderr" "cowsnap: Schnappschuss-Operand fehlt
Weitere Hinweise gibt „cowsnap --help“."
  de run --separate-stderr cowsnap prune f
  assert_failure 1
  assert_equal "$stderr" "cowsnap: prune braucht eine Aufbewahrungsregel: \
--keep-last, --keep-hourly, --keep-daily, --keep-weekly, --keep-monthly, \
--keep-yearly oder --min-age
Weitere Hinweise gibt „cowsnap --help“."
  assert_file_exists f
}

@test "cowsnap refuses in German to delete a file that is no snapshot" {
  printf 'live\n' >f
  de run --separate-stderr cowsnap delete f
  assert_failure 1
  assert_equal "$stderr" "cowsnap: 'f' wird nicht gelöscht: es liegt nicht \
in einem von cowsnap angelegten Schnappschuss-Namensraum"
  assert_output ""
  assert_equal "$(<f)" live
}

@test "cowsnap --help is German, in the layout of the English one" {
  local english
  english=$(PATH=$I18N_PREFIX/bin:$PATH LC_ALL=C cowsnap --help)
  de run --separate-stderr cowsnap --help
  assert_success
  assert_equal "$stderr" ""
  assert_line -n 0 'Aufruf: cowsnap [OPTION]... PFAD...'
  assert_line '  oder: cowsnap restore [OPTION]... PFAD [SCHNAPPSCHUSS]'
  assert_line '      --no-keep              das Ersetzte nicht behalten'
  assert_line '      --help        diese Hilfe anzeigen und beenden'
  check_help_layout_like "$english" <<<"$output"
}

@test "no English line of --help is left in the German one" {
  local prog english german line left=
  for prog in cowcp cowmv cowln cowsnap; do
    english=$(PATH=$I18N_PREFIX/bin:$PATH LC_ALL=C "$prog" --help)
    german=$(de "$prog" --help)
    while IFS= read -r line; do
      [[ -n $line ]] || continue
      # A line of option names alone (cowsnap's --keep-hourly=N, ...)
      # has nothing to translate.
      [[ $line =~ ^\ *(--?[[:alnum:]-]+(=N)?,?\ *)+$ ]] && continue
      grep -qxF -- "$line" <<<"$german" && left+="$prog: $line"$'\n'
    done <<<"$english"
  done
  [[ -z $left ]] || fail "English lines in the German --help:
$left"
}

@test "--version states the license in German" {
  de run --separate-stderr cowmv --version
  assert_success
  assert_line -n 0 'cowmv (cowutils) 0.1'
  assert_line 'Dies ist freie Software: Sie dürfen sie ändern und weitergeben.'
}

@test "in the C locale LANGUAGE=de is ignored and messages stay English" {
  PATH=$I18N_PREFIX/bin:$PATH LC_ALL=C LANGUAGE=de \
    run --separate-stderr cowcp missing new
  assert_failure 1
  assert_equal "$stderr" "cowcp: cannot stat 'missing': $(strerror ENOENT)"
}
