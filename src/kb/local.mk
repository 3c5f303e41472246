# SPDX-License-Identifier: ISC
# kb/: the knowledge base (store, patterns, explanations, their text).
# libkb.a is linked before libsmtp.a.
noinst_LIBRARIES += %reldir%/libkb.a
%canon_reldir%_libkb_a_SOURCES = \
	%reldir%/explain.c %reldir%/explain.h \
	%reldir%/format.c %reldir%/format.h \
	%reldir%/kb.c %reldir%/kb.h \
	%reldir%/match.c %reldir%/match.h
nodist_%canon_reldir%_libkb_a_SOURCES = %reldir%/kb-data.c

# The knowledge base, embedded into the binary and installed beside it.
KB_FILES = data/replies.kb data/enhanced.kb data/keywords.kb \
	data/patterns.kb data/servers.kb
dist_pkgdata_DATA = $(KB_FILES)
%reldir%/kb-data.c: $(KB_FILES) $(top_srcdir)/build-aux/embed.sh
	$(AM_V_GEN)$(MKDIR_P) %reldir% && \
	    $(SHELL) $(top_srcdir)/build-aux/embed.sh $@ \
	    $(addprefix $(top_srcdir)/,$(KB_FILES))
CLEANFILES += %reldir%/kb-data.c
