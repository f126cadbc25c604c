# man/local.mk -- man pages generated from --help with help2man, plus a
# hand-written section per program in man/<prog>.x.
# SPDX-License-Identifier: GPL-3.0-or-later

man1_MANS = man/cowcp.1 man/cowln.1 man/cowmv.1 man/cowsnap.1
EXTRA_DIST += man/cowcp.x man/cowln.x man/cowmv.x man/cowsnap.x
CLEANFILES += $(man1_MANS)

man/cowcp.1: src/cowcp$(EXEEXT) $(srcdir)/man/cowcp.x
	$(AM_V_GEN)$(MKDIR_P) man && \
	$(HELP2MAN) --no-info --include=$(srcdir)/man/cowcp.x \
	  --name="copy files, sharing data on copy-on-write filesystems" \
	  --output=$@-t src/cowcp$(EXEEXT) && mv $@-t $@

man/cowln.1: src/cowln$(EXEEXT) $(srcdir)/man/cowln.x
	$(AM_V_GEN)$(MKDIR_P) man && \
	$(HELP2MAN) --no-info --include=$(srcdir)/man/cowln.x \
	  --name="make links between files, and copy-on-write links" \
	  --output=$@-t src/cowln$(EXEEXT) && mv $@-t $@

man/cowmv.1: src/cowmv$(EXEEXT) $(srcdir)/man/cowmv.x
	$(AM_V_GEN)$(MKDIR_P) man && \
	$(HELP2MAN) --no-info --include=$(srcdir)/man/cowmv.x \
	  --name="move files, cloning across filesystems, never losing the source" \
	  --output=$@-t src/cowmv$(EXEEXT) && mv $@-t $@

man/cowsnap.1: src/cowsnap$(EXEEXT) $(srcdir)/man/cowsnap.x
	$(AM_V_GEN)$(MKDIR_P) man && \
	$(HELP2MAN) --no-info --include=$(srcdir)/man/cowsnap.x \
	  --name="read-only reflink snapshots of files and trees" \
	  --output=$@-t src/cowsnap$(EXEEXT) && mv $@-t $@
