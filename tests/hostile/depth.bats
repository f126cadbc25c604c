#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# hostile/depth.bats -- chains of directories deeper than PATH_MAX: GNU cp
# stops with "File name too long"; cowcp, cowmv across filesystems and
# cowln -c copy them whole, in little memory, and an error deep down is
# still reported with the whole name.  deep.py makes and reads the chains
# by descriptor.

load ../helpers/common

bats_require_minimum_version 1.5.0

DEPTH=3000
# Peak RSS allowed, KiB.  cowcp takes about 7 MiB for 3,000 levels; it once
# grew with the square of the depth (issue 10).
RSS_MAX=32768

setup_file ()
{
  make_loop_fs btrfs 256M hostile-depth || true
}

teardown_file ()
{
  cleanup_loop_fs
}

setup ()
{
  T=$(mktemp -d /tmp/hostile-depth.XXXXXX)
  chmod 755 "$T"
}

teardown ()
{
  [[ -n ${T:-} ]] && rm -rf -- "$T"
  return 0
}

deep ()
{
  python3 "$BATS_TEST_DIRNAME/deep.py" "$@"
}

# measure OUT CMD...: run CMD, its peak RSS (KiB) into OUT.rss, stderr into
# OUT.err; sets status.
measure ()
{
  local out=$1
  shift
  status=0
  /usr/bin/time -f %M -o "$out.rss" "$@" 2>"$out.err" || status=$?
}

# small_rss OUT WHAT: fail unless OUT.rss is below RSS_MAX; report it as
# WHAT's.
small_rss ()
{
  local rss
  rss=$(tail -n 1 "$1.rss")
  printf '# %s: peak RSS %s KiB\n' "$2" "$rss" >&3
  ((rss < RSS_MAX)) || fail "peak RSS $rss KiB (limit $RSS_MAX)"
}

@test "cp -a of a tree 3,000 directories deep: GNU fails with File name too long, cowcp copies it exactly" {
  deep make "$T/src" "$DEPTH"
  measure "$T/gnu" /usr/bin/cp -a "$T/src" "$T/gnu"
  assert_equal "$status" 1
  grep -q "^/usr/bin/cp: cannot stat '.*': $(strerror ENAMETOOLONG)\$" "$T/gnu.err" \
    || fail "GNU cp did not fail as expected: $(head -c 300 "$T/gnu.err")"
  measure "$T/ours" cowcp -a "$T/src" "$T/ours"
  assert_equal "$status" 0
  assert_equal "$(head -c 2000 "$T/ours.err")" ""
  deep state "$T/src" >"$T/want"
  deep state "$T/ours" >"$T/got"
  assert_equal "$(wc -l <"$T/got")" $((DEPTH + 1))
  cmp "$T/want" "$T/got"
  small_rss "$T/ours" "cowcp -a, 3,000 levels"
}

@test "cp -R of a tree 3,000 directories deep: copied whole, without the times" {
  deep make "$T/src" "$DEPTH"
  measure "$T/ours" cowcp -R "$T/src" "$T/ours"
  assert_equal "$status" 0
  assert_equal "$(head -c 2000 "$T/ours.err")" ""
  # Everything but the levels' mtimes (field 4), which -R does not keep.
  cmp <(deep state "$T/src" | cut -d' ' -f1-3,5-) \
      <(deep state "$T/ours" | cut -d' ' -f1-3,5-)
  small_rss "$T/ours" "cowcp -R, 3,000 levels"
}

@test "cowmv of a tree 3,000 directories deep across filesystems: moved exactly, no source left" {
  require_fs hostile-depth
  local src=$FS_PATH/deep$BATS_TEST_NUMBER
  deep make "$src" "$DEPTH"
  deep state "$src" >"$T/want"
  measure "$T/ours" cowmv "$src" "$T/moved"
  assert_equal "$status" 0
  assert_equal "$(head -c 2000 "$T/ours.err")" ""
  [[ ! -e $src ]] || fail "the source is still there"
  deep state "$T/moved" >"$T/got"
  cmp "$T/want" "$T/got"
  small_rss "$T/ours" "cowmv across filesystems, 3,000 levels"
}

@test "cowmv of a tree 6,000 deep across filesystems: memory no more than twice cowcp -a's" {
  # cowmv across filesystems takes 27 MB at 3,000 levels, 70 MB at 6,000
  # and 209 MB at 12,000 (cowcp -a: 7, 13 and 24 MB): it grows nearly with
  # the square of the depth.
  require_fs hostile-depth
  local src=$FS_PATH/deep$BATS_TEST_NUMBER cp_rss mv_rss
  deep make "$src.cp" 6000
  deep make "$src.mv" 6000
  measure "$T/cp" cowcp -a "$src.cp" "$T/cp"
  assert_equal "$status" 0
  measure "$T/mv" cowmv "$src.mv" "$T/mv"
  assert_equal "$status" 0
  cp_rss=$(tail -n 1 "$T/cp.rss") mv_rss=$(tail -n 1 "$T/mv.rss")
  printf '# 6,000 levels: cowcp -a %s KiB, cowmv %s KiB\n' "$cp_rss" "$mv_rss" >&3
  ((mv_rss <= 2 * cp_rss)) \
    || fail "cowmv peak RSS $mv_rss KiB, cowcp -a $cp_rss KiB"
}

@test "cowln -c of a tree 3,000 directories deep: a whole cowlinked copy" {
  require_fs hostile-depth
  local src=$FS_PATH/deep$BATS_TEST_NUMBER
  deep make "$src" "$DEPTH"
  measure "$T/ours" cowln -c "$src" "$FS_PATH/link$BATS_TEST_NUMBER"
  assert_equal "$status" 0
  assert_equal "$(head -c 2000 "$T/ours.err")" ""
  cmp <(deep state "$src") <(deep state "$FS_PATH/link$BATS_TEST_NUMBER")
  small_rss "$T/ours" "cowln -c, 3,000 levels"
}

@test "cp -a of hard links deeper than PATH_MAX keeps them linked" {
  # cowcp makes the second name with a whole path from the top, which the
  # kernel refuses beyond PATH_MAX ("cannot create hard link ...: File
  # name too long"); -R, which links nothing, is fine.
  deep make "$T/src" "$DEPTH" h
  measure "$T/ours" cowcp -a "$T/src" "$T/ours"
  assert_equal "$status" 0
  assert_equal "$(head -c 2000 "$T/ours.err")" ""
  cmp <(deep state "$T/src") <(deep state "$T/ours")
}

@test "an unreadable directory at depth 2,500: the message names it in full, the rest is copied" {
  require_root
  deep make "$T/src" "$DEPTH"
  deep chmod "$T/src" 2500 000
  mkdir -m 777 "$T/out"
  local want
  want="cowcp: cannot access '$(deep path src 2500)': $(strerror EACCES)"
  ((${#want} > 4096)) || fail "the name is not longer than PATH_MAX"
  cd "$T"
  run --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$(command -v cowcp)" -R src out/dst
  assert_equal "$status" 1
  # argv[0] is the full path of cowcp: compare from the first colon.
  # shellcheck disable=SC2154  # set by run --separate-stderr
  [[ ${stderr#*/cowcp: } == "${want#cowcp: }" ]] \
    || fail "stderr (first 300 bytes): ${stderr:0:300}... ($(wc -c <<<"$stderr") bytes, want ${#want})"
  assert_equal "$(wc -l <<<"$stderr")" 1
  # Levels 0 to 2,499 are complete (without times: -R).
  cmp <(deep state src | head -n 2500 | cut -d' ' -f1-3,5-) \
      <(deep state out/dst | head -n 2500 | cut -d' ' -f1-3,5-)
}
