# src/local.mk -- the programs.
# SPDX-License-Identifier: GPL-3.0-or-later

bin_PROGRAMS += src/cowcp

copy_sources = \
  src/copy-data.c src/copy-data.h \
  src/copy-meta.c src/copy-meta.h \
  src/copy-options.h \
  src/copy-tree.c src/copy-tree.h \
  src/diag.c src/diag.h \
  src/hardlink-map.c src/hardlink-map.h \
  src/system.h \
  src/version-info.c

src_cowcp_SOURCES = src/cowcp.c $(copy_sources)
src_cowcp_LDADD = $(LDADD) $(LIB_CLOCK_GETTIME)
