# SPDX-License-Identifier: ISC
# smtp/: the session core.  libsmtp.a is base/ + net/ + smtp/ (their
# fragments, included after this one, add their sources to it): no curses,
# no readline.
noinst_LIBRARIES += %reldir%/libsmtp.a
%canon_reldir%_libsmtp_a_SOURCES = \
	%reldir%/caps.c %reldir%/caps.h \
	%reldir%/dotstuff.c %reldir%/dotstuff.h \
	%reldir%/reply.c %reldir%/reply.h \
	%reldir%/session.c %reldir%/session.h
