#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# --help in GNU coreutils' layout: each option and its description on one
# line, the descriptions in one column (31 for cp and mv, 30 for ln, as
# GNU's), continuation lines two columns further in.  The German texts
# are checked the same way in german.bats.

load ../helpers/common
load layout

bats_require_minimum_version 1.5.0

@test "cowcp --help puts every description in column 31" {
  run --separate-stderr cowcp --help
  assert_success
  assert_line '  -a, --archive                same as -dR --preserve=all'
  check_help_layout 31 <<<"$output"
}

@test "cowmv --help puts every description in column 31" {
  run --separate-stderr cowmv --help
  assert_success
  assert_line '  -f, --force                  do not ask before overwriting'
  check_help_layout 31 <<<"$output"
}

@test "cowln --help puts every description in column 30" {
  run --separate-stderr cowln --help
  assert_success
  assert_line '  -s, --symbolic              make symbolic links instead of hard links'
  check_help_layout 30 <<<"$output"
}

@test "the layout check rejects a description out of its column" {
  local help
  help=$(cowcp --help | sed 's/^  -a, --archive   /  -a, --archive /')
  run check_help_layout 31 <<<"$help"
  assert_failure
  assert_output --partial 'description not in column 31:   -a, --archive'
}

@test "the layout check rejects the old layout, descriptions on the next line" {
  local old='  -a, --archive
         same as -dR --preserve=all'
  run check_help_layout 31 <<<"$old"
  assert_failure
  assert_output --partial 'option line without a description:   -a, --archive'
}

@test "--help lists the backup methods in GNU's table" {
  local prog
  for prog in cowcp cowmv cowln; do
    run --separate-stderr "$prog" --help
    assert_success
    assert_line '  none, off       no backups, even with --backup'
    assert_line '  numbered, t     numbered backups: NAME.~1~, NAME.~2~ and so on'
    assert_line '  existing, nil   numbered where numbered backups exist already, else simple'
    assert_line '  simple, never   simple backups: NAME followed by the suffix'
  done
}

@test "cowsnap --help keeps its descriptions in column 29, --help's in 20" {
  run --separate-stderr cowsnap --help
  assert_success
  assert_line '      --no-keep              do not keep what is replaced'
  assert_line '      --help        display this help and exit'
  # Its own layout is the reference the German one is held to.
  check_help_layout_like "$output" <<<"$output"
}

@test "the like-the-original check rejects a moved description or continuation" {
  local english shifted
  english=$(cowsnap --help)
  shifted=$(sed 's/^      --no-keep              do/      --no-keep             do/' \
              <<<"$english")
  run check_help_layout_like "$english" <<<"$shifted"
  assert_failure
  assert_output --partial 'description not in column 29:       --no-keep'
  shifted=$(sed 's/^                               tmpfs),/                              tmpfs),/' \
              <<<"$english")
  run check_help_layout_like "$english" <<<"$shifted"
  assert_failure
  assert_output --partial 'continuation indented 30, not as in the original'
  shifted=$(grep -v -- '^      --json' <<<"$english")
  run check_help_layout_like "$english" <<<"$shifted"
  assert_failure
  assert_output --partial 'option --json expected'
}
