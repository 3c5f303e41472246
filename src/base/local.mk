# SPDX-License-Identifier: ISC
# base/: buffers, text, base64, logging, messages; no SMTP, no terminal.
# Built into libsmtp.a (src/smtp/local.mk).
src_smtp_libsmtp_a_SOURCES += \
	%reldir%/b64.c %reldir%/b64.h \
	%reldir%/buf.c %reldir%/buf.h \
	%reldir%/file.c %reldir%/file.h \
	%reldir%/i18n.c %reldir%/i18n.h \
	%reldir%/log.c %reldir%/log.h \
	%reldir%/secret.c %reldir%/secret.h \
	%reldir%/text.c %reldir%/text.h %reldir%/text-unicode.h \
	%reldir%/width.c %reldir%/width.h \
	%reldir%/xmalloc.c %reldir%/xmalloc.h
