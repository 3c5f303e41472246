# SPDX-License-Identifier: ISC
# record/: what a session leaves (scrollback, --log transcript, handout)
# and replaying it.  librecord.a is linked before libkb.a.
noinst_LIBRARIES += %reldir%/librecord.a
%canon_reldir%_librecord_a_SOURCES = \
	%reldir%/export.c %reldir%/export.h \
	%reldir%/record.c %reldir%/record.h \
	%reldir%/replay.c %reldir%/replay.h \
	%reldir%/scrollback.c %reldir%/scrollback.h \
	%reldir%/transcript.c %reldir%/transcript.h
