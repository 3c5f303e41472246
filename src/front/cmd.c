/* SPDX-License-Identifier: ISC */
/*
 * The table of our /commands and its lookup (see cmd.h).
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "front/cmd.h"
#include "base/i18n.h"

/* Commands that only show something run in turn and work during AUTH. */
#define CMD_F_LOCAL	(CMD_F_IN_TURN | CMD_F_AUTH_OK)

const struct cmd_entry cmd_table[CMD_LAST] = {
	[CMD_HELP] = { CMD_HELP, "/help", "/help",
	  N_("the list of commands"), CMD_F_LOCAL },
	[CMD_AUTH] = { CMD_AUTH, "/auth", "/auth plain|login USER [PASSWORD]",
	  N_("authenticate (asks for the password when omitted)"),
	  CMD_F_SENDS | CMD_F_SECRET },
	[CMD_DATA] = { CMD_DATA, "/data", "/data FILE",
	  N_("send FILE as the message (sends DATA first)"), CMD_F_SENDS },
	[CMD_RAW] = { CMD_RAW, "/raw", "/raw TEXT",
	  N_("send TEXT's bytes exactly, no CRLF added"),
	  CMD_F_SENDS | CMD_F_AUTH_OK },
	[CMD_EXPLAIN] = { CMD_EXPLAIN, "/explain", "/explain CODE [COMMAND]",
	  N_("explain a reply"), CMD_F_LOCAL },
	[CMD_COMPARE] = { CMD_COMPARE, "/compare", "/compare CODE CODE",
	  N_("two replies side by side"), CMD_F_LOCAL },
	[CMD_CAPS] = { CMD_CAPS, "/caps", "/caps",
	  N_("the server's EHLO capabilities"), CMD_F_LOCAL },
	[CMD_CERT] = { CMD_CERT, "/cert", "/cert",
	  N_("the TLS session and certificate"),
	  CMD_F_LOCAL | CMD_F_SCREEN },
	[CMD_EXPORT] = { CMD_EXPORT, "/export", "/export FILE.html [public]",
	  N_("write the session as an HTML handout"), CMD_F_LOCAL },
	[CMD_B64] = { CMD_B64, "/b64", "/b64 TEXT",
	  N_("base64 encode"), CMD_F_LOCAL | CMD_F_SECRET },
	[CMD_UNB64] = { CMD_UNB64, "/unb64", "/unb64 TEXT",
	  N_("base64 decode"), CMD_F_LOCAL | CMD_F_SECRET },
	[CMD_SEARCH] = { CMD_SEARCH, "/search", "/search TEXT",
	  N_("find TEXT in the dialogue"), CMD_F_AUTH_OK | CMD_F_SCREEN },
	[CMD_SET] = { CMD_SET, "/set", "/set NAME VALUE",
	  N_("change a setting"), CMD_F_AUTH_OK | CMD_F_SCREEN },
	[CMD_QUIT] = { CMD_QUIT, "/quit", "/quit",
	  N_("leave (QUIT is sent if the session is open)"), CMD_F_LOCAL },
};

/* Look the first word of a line up in the table. */
const struct cmd_entry *
cmd_find(const char *line, const char **arg)
{
	size_t	i, n;

	if (line[0] != '/')
		return (NULL);
	n = strcspn(line, " ");
	for (i = 0; i < CMD_LAST; i++) {
		if (strlen(cmd_table[i].name) != n ||
		    strncasecmp(line, cmd_table[i].name, n) != 0)
			continue;
		if (arg != NULL) {
			line += n;
			while (*line == ' ')
				line++;
			*arg = line;
		}
		return (&cmd_table[i]);
	}
	return (NULL);
}
