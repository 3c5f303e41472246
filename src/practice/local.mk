# SPDX-License-Identifier: ISC
# practice/: the practice server (its own module; libsmtp.a gives it base/).
noinst_LIBRARIES += %reldir%/libpractice.a
%canon_reldir%_libpractice_a_SOURCES = \
	%reldir%/practice.c %reldir%/practice.h %reldir%/practice-int.h \
	%reldir%/practice-server.c

PRACTICE_TESTS = tests/unit/practice tests/unit/practice-net
check_PROGRAMS += $(PRACTICE_TESTS)
tests_unit_practice_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_practice_LDADD = $(PRACTICE_LIBS)
tests_unit_practice_net_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_practice_net_LDADD = $(PRACTICE_LIBS)
tests_unit_practice_net_CFLAGS = $(AM_CFLAGS) $(PTHREAD_CFLAGS)
