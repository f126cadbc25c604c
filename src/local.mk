# src/local.mk -- the programs.
# SPDX-License-Identifier: GPL-3.0-or-later

bin_PROGRAMS += src/cowcp src/cowln src/cowmv

copy_sources = \
  src/copy-data.c src/copy-data.h \
  src/copy-dest.c src/copy-dest.h \
  src/dest-probe.c src/dest-probe.h \
  src/copy-meta.c src/copy-meta.h \
  src/copy-move.c src/copy-move.h \
  src/copy-pool.c src/copy-pool.h \
  src/copy-options.h \
  src/copy-run.h \
  src/copy-file.c src/copy-file.h src/copy-file-internal.h \
  src/copy-file-dry.c src/copy-file-make.c \
  src/copy-tree.c src/copy-tree.h \
  src/copy-work.c src/copy-work.h \
  src/diag.c src/diag.h \
  src/dry-run.c src/dry-run.h \
  src/fd-limit.c src/fd-limit.h \
  src/frontend.c src/frontend.h \
  src/hardlink-map.c src/hardlink-map.h \
  src/name-set.c src/name-set.h \
  src/progress.c src/progress.h \
  src/remove-tree.c src/remove-tree.h \
  src/system.h \
  src/version-info.c

# cowsnap's own modules: retention, systemd scheduling, the namespace,
# sealing.
snap_sources = \
  src/snap-retain.c src/snap-retain.h \
  src/snap-schedule.c src/snap-schedule.h

src_cowcp_SOURCES = src/cowcp.c $(copy_sources)
src_cowcp_LDADD = $(LDADD) $(LIB_CLOCK_GETTIME)

src_cowln_SOURCES = src/cowln.c $(copy_sources)
src_cowln_LDADD = $(LDADD) $(LIB_CLOCK_GETTIME)

src_cowmv_SOURCES = src/cowmv.c $(copy_sources)
src_cowmv_LDADD = $(LDADD) $(LIB_CLOCK_GETTIME)

snap_sources += \
  src/snap-extents.c src/snap-extents.h \
  src/snap-attrs.c src/snap-attrs.h \
  src/snap-diff.c src/snap-diff.h

bin_PROGRAMS += src/cowsnap

snap_sources += \
  src/snap-seal.c src/snap-seal.h \
  src/snap-space.c src/snap-space.h

src_cowsnap_SOURCES = src/cowsnap.c src/snap-run.h src/snap-make.c \
  src/snap-look.c $(snap_sources) $(copy_sources)
src_cowsnap_LDADD = $(LDADD) $(LIB_CLOCK_GETTIME)
