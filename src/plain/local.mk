# SPDX-License-Identifier: ISC
# plain/: line mode.
src_smtpscope_SOURCES += %reldir%/plain.c %reldir%/plain.h
