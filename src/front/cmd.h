/* SPDX-License-Identifier: ISC */
/*
 * Our own /commands: ONE table shared by the full screen and line mode.
 * A front end looks every typed line up here before it gives anything to
 * the session: a line whose first word is one of these names is ours,
 * always, and never goes to the server as typed (during an AUTH challenge
 * too, so "/compare 250 252" is never taken for the answer).  Any other
 * line is the user's SMTP, or the answer to a 334; a base64 answer may
 * start with "/" ("/9j/4AAQ"), which is why only these names count.
 *
 * Front-end layer: no session state here, no printing; the table is
 * static and read-only.
 */
#ifndef CMD_H
#define CMD_H

#include <stddef.h>

enum cmd_id {
	CMD_HELP,
	CMD_AUTH,
	CMD_DATA,
	CMD_RAW,
	CMD_EXPLAIN,
	CMD_COMPARE,
	CMD_CAPS,
	CMD_CERT,
	CMD_EXPORT,
	CMD_B64,
	CMD_UNB64,
	CMD_SEARCH,
	CMD_SET,
	CMD_QUIT,
	CMD_LAST
};

/*
 * Flags of a command.
 * SENDS: queues something for the server, so needs a live session (not a
 * replay).  IN_TURN: runs after everything typed before it is answered
 * (session_mark).  AUTH_OK: allowed while the server waits for an AUTH
 * answer (the session refuses /auth and /data then).  SECRET: the line
 * may hold a secret and is never kept in the history.  SCREEN: full
 * screen only.
 */
#define CMD_F_SENDS	0x01
#define CMD_F_IN_TURN	0x02
#define CMD_F_AUTH_OK	0x04
#define CMD_F_SECRET	0x08
#define CMD_F_SCREEN	0x10

struct cmd_entry {
	enum cmd_id	 id;
	const char	*name;	/* "/compare" */
	const char	*usage;	/* "/compare CODE CODE", not translated */
	/*
	 * One line, N_() marked.  Not shown yet: the /help of each front
	 * end (ui.c, plain.c) is still its own translated text.
	 */
	const char	*help;
	unsigned	 flags;	/* CMD_F_* */
};

/* The table, CMD_LAST entries in enum order. */
extern const struct cmd_entry cmd_table[CMD_LAST];

/*
 * The entry whose name is the first word of line (case ignored: "/Caps"
 * too), or NULL when the line is not one of ours.  *arg, when not NULL, is
 * set to the text after the name and the spaces that follow it.
 */
const struct cmd_entry *cmd_find(const char *, const char **);

#endif
