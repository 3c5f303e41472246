# SPDX-License-Identifier: ISC
# tui/: the full screen (ncursesw + readline).
src_smtpscope_SOURCES += \
	%reldir%/layout.c %reldir%/layout.h \
	%reldir%/settings.c %reldir%/settings.h \
	%reldir%/tui.c %reldir%/tui.h \
	%reldir%/ui.c %reldir%/ui-input.c
