# SPDX-License-Identifier: ISC
# front/: what both front ends share (the table of /commands).
src_smtpscope_SOURCES += %reldir%/cmd.c %reldir%/cmd.h
