# tests/local.mk -- unit tests (make check) and the fault-injection shim
# the bats suite preloads.
# SPDX-License-Identifier: GPL-3.0-or-later

TEST_EXTENSIONS = .t
T_LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) \
  $(top_srcdir)/build-aux/tap-driver.sh

unit_tests = tests/unit/rungs.t tests/unit/dest.t tests/unit/retain.t \
  tests/unit/schedule.t tests/unit/extents.t tests/unit/snapdiff.t \
  tests/unit/progress.t tests/unit/hlmap.t
check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)

tests_unit_rungs_t_SOURCES = tests/unit/rungs.c tests/unit/tap.h tests/unit/testfs.h \
  src/diag.c
tests_unit_rungs_t_LDADD = $(LDADD)

tests_unit_dest_t_SOURCES = tests/unit/dest.c tests/unit/tap.h
tests_unit_dest_t_LDADD = $(LDADD)

tests_unit_retain_t_SOURCES = tests/unit/retain.c tests/unit/tap.h \
  src/snap-retain.c src/snap-retain.h
tests_unit_retain_t_LDADD = $(LDADD)

tests_unit_schedule_t_SOURCES = tests/unit/schedule.c tests/unit/tap.h \
  src/snap-schedule.c src/snap-schedule.h src/snap-retain.h src/diag.c
tests_unit_schedule_t_LDADD = $(LDADD)

tests_unit_extents_t_SOURCES = tests/unit/extents.c tests/unit/tap.h tests/unit/testfs.h \
  src/snap-extents.c src/snap-extents.h
tests_unit_extents_t_LDADD = $(LDADD)

tests_unit_snapdiff_t_SOURCES = tests/unit/snapdiff.c tests/unit/tap.h tests/unit/testfs.h \
  src/snap-extents.c src/snap-extents.h src/snap-attrs.c \
  src/snap-attrs.h src/snap-diff.c src/snap-diff.h src/diag.c \
  src/fd-limit.c src/fd-limit.h
tests_unit_snapdiff_t_LDADD = $(LDADD)

tests_unit_progress_t_SOURCES = tests/unit/progress.c tests/unit/tap.h \
  src/diag.c
tests_unit_progress_t_LDADD = $(LDADD) $(LIB_CLOCK_GETTIME)

tests_unit_hlmap_t_SOURCES = tests/unit/hlmap.c tests/unit/tap.h \
  src/hardlink-map.c src/hardlink-map.h
tests_unit_hlmap_t_LDADD = $(LDADD)

# The LD_PRELOAD shim is built without the project's CFLAGS so that a
# sanitizer build does not put a second sanitizer runtime into it.
faultshim = tests/helpers/faults/faultshim.so
check_DATA = $(faultshim)
CLEANFILES += $(faultshim)
$(faultshim): $(srcdir)/tests/helpers/faults/faultshim.c
	$(AM_V_CC)$(MKDIR_P) tests/helpers/faults && \
	$(CC) -shared -fPIC -O2 -Wall -Wextra -o $@ \
	  $(srcdir)/tests/helpers/faults/faultshim.c -ldl

EXTRA_DIST += tests/helpers tests/cowcp tests/ladder tests/harness tests/i18n \
  tests/faults tests/fuzz tests/hostile \
  tests/cowln tests/cowmv tests/cowsnap tests/differential \
  build-aux/tap-driver.sh
