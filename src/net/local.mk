# SPDX-License-Identifier: ISC
# net/: the transport (address lookup, connection, TLS); no SMTP knowledge.
# Built into libsmtp.a (src/smtp/local.mk).
src_smtp_libsmtp_a_SOURCES += \
	%reldir%/conn.c %reldir%/conn.h \
	%reldir%/net.c %reldir%/net.h \
	%reldir%/tls.c %reldir%/tls.h
