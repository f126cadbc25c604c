#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# The Debian package: built with dpkg-buildpackage -us -uc -b from the
# committed tree (git archive HEAD, so nothing uncommitted leaks in),
# without network where the test can cut it (unshare -n), then unpacked
# with dpkg -x into a scratch root and checked: files where they belong,
# the package's metadata, and lintian without errors.
#
# Takes about three minutes (the build: ./bootstrap, configure, make).

load ../helpers/common

setup_file ()
{
  export PKG=$BATS_FILE_TMPDIR/pkg ROOT=$BATS_FILE_TMPDIR/root
  local tool why=
  for tool in git dpkg-buildpackage dh dh_autoreconf lintian gnulib-tool \
              help2man; do
    command -v "$tool" >/dev/null || { why="$tool not installed"; break; }
  done
  if [[ -z $why ]] && ! git -C "$COWUTILS_SRCDIR" rev-parse -q --verify HEAD \
                          >/dev/null 2>&1; then
    why="$COWUTILS_SRCDIR is not a git repository"
  fi
  if [[ -n $why ]]; then
    echo "$why" >"$BATS_FILE_TMPDIR/skip"
    return 0
  fi

  mkdir -p "$PKG/src" "$ROOT"
  git -C "$COWUTILS_SRCDIR" archive HEAD | tar -x -C "$PKG/src"

  # No network: in a network namespace of its own when we may make one.
  local -a offline=()
  unshare -n true 2>/dev/null && offline=(unshare -n)
  echo "${offline[*]:-network not cut (unshare -n unavailable)}" \
    >"$PKG/offline"
  (cd "$PKG/src" \
     && env DEB_BUILD_OPTIONS="parallel=$(nproc)" "${offline[@]}" \
          dpkg-buildpackage -us -uc -b) >"$PKG/build.log" 2>&1
  echo $? >"$PKG/build.status"

  local deb
  for deb in "$PKG"/cowutils_*.deb; do
    [[ -f $deb ]] && dpkg -x "$deb" "$ROOT"
  done
  return 0
}

setup ()
{
  [[ ! -f $BATS_FILE_TMPDIR/skip ]] || skip "$(cat "$BATS_FILE_TMPDIR/skip")"
  [[ $(cat "$PKG/build.status") == 0 ]] \
    || fail "dpkg-buildpackage failed; the end of its log:
$(tail -25 "$PKG/build.log")"
  DEB=$(ls "$PKG"/cowutils_*.deb)
}

@test "dpkg-buildpackage makes one cowutils_VERSION_ARCH.deb" {
  local version arch
  version=$(cd "$PKG/src" && dpkg-parsechangelog -S Version)
  arch=$(dpkg --print-architecture)
  assert_equal "$DEB" "$PKG/cowutils_${version}_$arch.deb"
}

@test "the package build runs no tests and needs no network" {
  # dh_auto_test is overridden by an empty target, which dh skips: it
  # is not run, and neither make check nor a unit test program appears.
  run grep -E '^ +dh_auto_test|override_dh_auto_test|make[^ ]* .*check|tests/unit/|^(PASS|FAIL):' \
    "$PKG/build.log"
  assert_failure
  # while the steps around it are there (the grep can match).
  run grep -c -E '^ +(dh_auto_build|dh_auto_install)( |$)' "$PKG/build.log"
  assert_output 2
  run cat "$PKG/offline"
  assert_output 'unshare -n'
}

@test "the package's metadata names it, its version, architecture and libraries" {
  run dpkg-deb -f "$DEB" Package Version Architecture Section
  assert_output "Package: cowutils
Version: $(cd "$PKG/src" && dpkg-parsechangelog -S Version)
Architecture: $(dpkg --print-architecture)
Section: utils"
  run dpkg-deb -f "$DEB" Depends
  assert_output --regexp '(^| )libc6 \(>= '
  assert_output --partial 'libacl1'
  assert_output --partial 'libattr1'
  run dpkg-deb -I "$DEB"
  assert_output --partial 'Description: copy-on-write aware cp, mv and ln, and reflink snapshots'
  assert_output --partial ' cowsnap makes read-only snapshots of files and directory trees'
  assert_output --partial ' md5sums'
}

@test "the programs are in /usr/bin and run" {
  local p
  for p in cowcp cowmv cowln cowsnap; do
    assert_file_executable "$ROOT/usr/bin/$p"
    run "$ROOT/usr/bin/$p" --version
    assert_success
    assert_line --index 0 --regexp "^$p \(cowutils\) "
  done
}

@test "the man pages are in /usr/share/man/man1, compressed" {
  local p
  for p in cowcp cowmv cowln cowsnap; do
    run zcat "$ROOT/usr/share/man/man1/$p.1.gz"
    assert_success
    assert_line --regexp "^\.TH \"?${p^^}\"? \"?1\"? "
    assert_output --partial -- '--help'
  done
}

@test "the drop-in cp, mv and ln in /usr/lib/cowutils/bin are relative links to the programs" {
  local link
  for link in cp mv ln; do
    assert_link_exists "$ROOT/usr/lib/cowutils/bin/$link"
    assert_equal "$(readlink "$ROOT/usr/lib/cowutils/bin/$link")" \
      "../../../bin/cow$link"
    assert_file_executable "$ROOT/usr/lib/cowutils/bin/$link"
  done
  # and nothing else: cowsnap replaces no GNU tool.
  run ls -A "$ROOT/usr/lib/cowutils/bin"
  assert_output $'cp\nln\nmv'
  cd "$BATS_TEST_TMPDIR"
  run env PATH="$ROOT/usr/lib/cowutils/bin:$PATH" cp nonexistent x
  assert_failure 1
  assert_output "cp: cannot stat 'nonexistent': $(strerror ENOENT)"
}

@test "the bash and zsh completions are where bash-completion and Debian's zsh look" {
  local dir=$ROOT/usr/share/bash-completion/completions
  cmp "$PKG/src/completion/cowutils.bash" "$dir/cowcp"
  assert_equal "$(readlink "$dir/cowmv")" cowcp
  assert_equal "$(readlink "$dir/cowln")" cowcp
  assert_equal "$(readlink "$dir/cowsnap")" cowcp
  cmp "$PKG/src/completion/_cowutils" \
    "$ROOT/usr/share/zsh/vendor-completions/_cowutils"
  if [[ -r /usr/share/bash-completion/bash_completion ]]; then
    [[ ! -e /usr/share/bash-completion/completions/cowln ]] \
      || skip "cowutils completion installed system-wide: cannot tell which is loaded"
    run env XDG_DATA_DIRS="$ROOT/usr/share" BASH_COMPLETION_USER_DIR=/nonexistent \
      bash --norc -c '. /usr/share/bash-completion/bash_completion
        __load_completion cowln && complete -p cowln'
    assert_output 'complete -F _cowutils cowln'
  fi
}

@test "a translation is shipped for every language po/LINGUAS lists" {
  local langs lang
  langs=$(sed 's/#.*//' "$PKG/src/po/LINGUAS" | tr -s ' \t' '\n\n' | sed '/^$/d')
  [[ -n $langs ]] || skip "po/LINGUAS lists no languages"
  for lang in $langs; do
    assert_file_exists "$ROOT/usr/share/locale/$lang/LC_MESSAGES/cowutils.mo"
    run msgunfmt "$ROOT/usr/share/locale/$lang/LC_MESSAGES/cowutils.mo"
    assert_success
  done
}

@test "the package holds nothing outside the directories it should" {
  run bash -c "cd '$ROOT' && find . \! -type d | sed 's|^\./||' | sort"
  assert_success
  local f bad=
  while read -r f; do
    case $f in
      usr/bin/cowcp | usr/bin/cowmv | usr/bin/cowln | usr/bin/cowsnap) ;;
      usr/lib/cowutils/bin/cp | usr/lib/cowutils/bin/mv | usr/lib/cowutils/bin/ln) ;;
      usr/share/man/man1/cow*.1.gz) ;;
      usr/share/locale/*/LC_MESSAGES/cowutils.mo) ;;
      usr/share/bash-completion/completions/cow[cml][pvn]) ;;
      usr/share/bash-completion/completions/cowsnap) ;;
      usr/share/zsh/vendor-completions/_cowutils) ;;
      usr/share/doc/cowutils/copyright | usr/share/doc/cowutils/changelog.gz) ;;
      *) bad+="$f"$'\n' ;;
    esac
  done <<<"$output"
  [[ -z $bad ]] || fail "unexpected files in the package:
$bad"
  [[ $(wc -l <<<"$output") -ge 15 ]] || fail "too few files: $output"
}

@test "lintian reports no errors" {
  run lintian --fail-on error "$PKG"/cowutils_*.changes
  refute_line --regexp '^E: '
  assert_success
}
