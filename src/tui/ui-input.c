/* SPDX-License-Identifier: ISC */
/*
 * GNU readline in callback mode for the one-line command window.  The
 * terminal belongs to ncurses: readline gets bytes one at a time from
 * input_feed(), never touches termios or signals, and its line is drawn by
 * input_draw() (STYLE.md section 4).  Also here: completion of SMTP verbs,
 * / commands, AUTH mechanisms and MAIL/RCPT parameters the server offered,
 * the persistent history (secrets never stored), and the password prompt.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curses.h>
#include <readline/history.h>
#include <readline/readline.h>

#include <openssl/crypto.h>

#include "base/buf.h"
#include "smtp/caps.h"
#include "front/cmd.h"
#include "base/file.h"
#include "base/i18n.h"
#include "base/log.h"
#include "smtp/session.h"
#include "tui/tui.h"
#include "base/width.h"
#include "base/xmalloc.h"

#define INPUT_HISTORY_MAX	1000

static struct tui	*input_tui;
static const unsigned char *input_buf;	/* bytes being fed */
static size_t		 input_len, input_pos;
static char		*input_history_path;
static FILE		*input_null;

static int	 input_getc(FILE *);
static int	 input_available(void);
static void	 input_redisplay(void);
static void	 input_prep(int);
static void	 input_deprep(void);
static void	 input_on_line(char *);
static int	 input_redraw_key(int, int);
static char	**input_complete(const char *, int, int);
static char	*input_complete_from(const char *, int);
static void	 input_show_matches(char **, int, int);
static int	 input_history_ok(struct tui *, const char *);
static char	*input_history_file(void);
static int	 input_mkdirs(const char *);

/* Candidates for the completion generator. */
static const char **input_cands;
static size_t	     input_ncands;
static struct buf    input_cbuf;	/* storage for built candidates */

static const char *input_verbs[] = {
	"EHLO ", "HELO ", "MAIL FROM:<", "RCPT TO:<", "DATA", "RSET", "NOOP",
	"QUIT", "VRFY ", "EXPN ", "HELP", "STARTTLS", "AUTH ", "BDAT ",
	"ETRN ", NULL
};
/* Our /commands from the table, with a space after those that take words. */
static char	 input_commands[CMD_LAST][32];
static const char *input_settings[] = {
	"timestamps ", "mouse ", "color ", "eol ", "layout ", "presentation ",
	"verbose ", "quiz ", NULL
};

/* Hand readline the byte being fed. */
static int
input_getc(FILE *unused)
{
	if (input_buf == NULL || input_pos >= input_len) {
		log_debug("%s: readline asked for input we do not have",
		    __func__);
		return (EOF);
	}
	return (input_buf[input_pos++]);
}

/* More bytes of this read are waiting (so escape sequences stay whole). */
static int
input_available(void)
{
	return (input_buf != NULL && input_pos < input_len);
}

/* Readline wants the line drawn again: mark it; ui_flush() draws. */
static void
input_redisplay(void)
{
	if (input_tui != NULL)
		input_tui->dirty |= TUI_DIRTY_INPUT;
}

/* Terminal preparation is ncurses' business. */
static void
input_prep(int meta)
{
	(void)meta;
}

/* Likewise. */
static void
input_deprep(void)
{
}

/* Ctrl-L: redraw everything. */
static int
input_redraw_key(int count, int key)
{
	if (input_tui != NULL)
		ui_redraw(input_tui);
	return (0);
}

/* Set readline up for callback use inside curses. */
void
input_start(struct tui *t)
{
	char	*cause;

	input_tui = t;
	buf_init(&input_cbuf, 0);
	rl_readline_name = "smtpscope";
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_prep_term_function = input_prep;
	rl_deprep_term_function = input_deprep;
	rl_getc_function = input_getc;
	rl_input_available_hook = input_available;
	rl_redisplay_function = input_redisplay;
	rl_attempted_completion_function = input_complete;
	rl_completion_display_matches_hook = input_show_matches;
	rl_completion_query_items = -1;
	rl_basic_word_break_characters = " \t";
	if ((input_null = fopen("/dev/null", "w")) != NULL)
		rl_outstream = input_null;
	rl_instream = stdin;

	using_history();
	stifle_history(INPUT_HISTORY_MAX);
	if ((input_history_path = input_history_file()) != NULL) {
		/* Neither read nor later replaced unless it is ours. */
		if (file_check(input_history_path, &cause) == -1) {
			tui_say(t, '!', _("command history: %s; the commands "
			    "of this session will not be kept"), cause);
			free(cause);
			free(input_history_path);
			input_history_path = NULL;
		} else
			read_history(input_history_path);
	}

	rl_callback_handler_install("smtp> ", input_on_line);
	/* Bind after install: that is when ~/.inputrc has been read. */
	rl_bind_key('\f', input_redraw_key);
	rl_variable_bind("enable-bracketed-paste", "off");
	rl_variable_bind("page-completions", "off");
	input_update_prompt(t);
}

/*
 * Write the history to path, one line per entry as readline reads it, as
 * a new private file renamed over the old one (file.h): readline's own
 * write_history() follows a symbolic link at the path.
 */
static int
input_history_save(const char *path, char **cause)
{
	struct file_atomic	 fa;
	HIST_ENTRY		*he;
	FILE			*f;
	int			 i;

	if ((f = file_atomic_open(&fa, path, 0600, cause)) == NULL)
		return (-1);
	for (i = 0; i < history_length; i++) {
		if ((he = history_get(history_base + i)) != NULL &&
		    strchr(he->line, '\n') == NULL)
			fprintf(f, "%s\n", he->line);
	}
	return (file_atomic_commit(&fa, cause));
}

/* Leave readline and save the history; returns why it was not saved. */
char *
input_end(struct tui *t)
{
	char	*cause = NULL;

	rl_callback_handler_remove();
	if (input_history_path != NULL) {
		/* A failure is said by the caller once the screen is gone. */
		input_history_save(input_history_path, &cause);
		free(input_history_path);
		input_history_path = NULL;
	}
	clear_history();
	if (input_null != NULL) {
		fclose(input_null);
		input_null = NULL;
	}
	buf_release(&input_cbuf);
	input_tui = NULL;
	return (cause);
}

/* Make every missing directory of path with mode 0700. */
static int
input_mkdirs(const char *path)
{
	char	*p = xstrdup(path), *s;
	int	 rc = 0;

	for (s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) == -1 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (mkdir(p, 0700) == -1 && errno != EEXIST)
		rc = -1;
	free(p);
	return (rc);
}

/* The history file in the XDG state directory. */
static char *
input_history_file(void)
{
	const char	*state = getenv("XDG_STATE_HOME");
	const char	*home = getenv("HOME");
	char		*dir, *path;

	if (state != NULL && *state == '/')
		dir = xasprintf("%s/smtpscope", state);
	else if (home != NULL && *home == '/')
		dir = xasprintf("%s/.local/state/smtpscope", home);
	else
		return (NULL);
	if (input_mkdirs(dir) == -1) {
		free(dir);
		return (NULL);
	}
	path = xasprintf("%s/history", dir);
	free(dir);
	return (path);
}

/*
 * May this line go into the history?  Never message text, AUTH commands,
 * our commands that may carry a secret (/auth, /b64 encoding a password
 * by hand), and no line that is or may be an AUTH answer (a /raw too): typed
 * while AUTH waits in the queue or for its reply, during a challenge, or
 * just after a refusal (session_in_auth), before anyone knows which.
 */
static int
input_history_ok(struct tui *t, const char *line)
{
	const struct cmd_entry	*c;
	HIST_ENTRY		*last;

	while (*line == ' ')
		line++;
	if (*line == '\0' || t->input_mode != TUI_INPUT_COMMAND)
		return (0);
	c = cmd_find(line, NULL);
	if (c != NULL && (c->flags & CMD_F_SECRET))
		return (0);
	/* /raw during a challenge is the answer. */
	if ((c == NULL || c->id == CMD_RAW) && t->session != NULL &&
	    (session_in_message(t->session) || session_in_auth(t->session) ||
	    session_phase(t->session) == SESSION_PHASE_AUTH))
		return (0);
	if (strncasecmp(line, "AUTH", 4) == 0)
		return (0);
	last = history_length > 0 ? history_get(history_base +
	    history_length - 1) : NULL;
	if (last != NULL && strcmp(last->line, line) == 0)
		return (0);
	return (1);
}

/* A complete line from readline. */
static void
input_on_line(char *line)
{
	struct tui	*t = input_tui;
	char		*cause;

	if (t == NULL) {
		free(line);
		return;
	}
	if (line == NULL) {
		/* Ctrl-D on an empty line. */
		t->quit = 1;
		return;
	}
	switch (t->input_mode) {
	case TUI_INPUT_PASSWORD:
		t->input_mode = TUI_INPUT_COMMAND;
		if (t->session != NULL && session_auth(t->session,
		    t->auth_mech, t->auth_user, line, &cause) == -1) {
			tui_say(t, '!', "/auth: %s", cause);
			free(cause);
		}
		OPENSSL_cleanse(line, strlen(line));
		free(t->auth_mech);
		free(t->auth_user);
		t->auth_mech = t->auth_user = NULL;
		break;
	case TUI_INPUT_SEARCH:
		t->input_mode = TUI_INPUT_COMMAND;
		if (*line != '\0') {
			free(t->search);
			t->search = xstrdup(line);
		}
		if (t->search != NULL)
			tui_search_run(t, t->search, t->search_back);
		t->focus = TUI_FOCUS_DIALOGUE;
		break;
	case TUI_INPUT_QUIZ:
		if (tui_quiz_guess(t, line) == 0)
			break;
		/* A command, not a guess: taken as any other line. */
		/* FALLTHROUGH */
	default:
		if (input_history_ok(t, line))
			add_history(line);
		tui_line(t, line);
		/* The line may be a password, or an answer holding one. */
		OPENSSL_cleanse(line, strlen(line));
		break;
	}
	free(line);
	input_update_prompt(t);
	t->dirty |= TUI_DIRTY_ALL;
}

/* Feed bytes to readline, one rl_callback_read_char() each. */
void
input_feed(struct tui *t, const unsigned char *buf, size_t len)
{
	input_tui = t;
	input_buf = buf;
	input_len = len;
	input_pos = 0;
	while (input_pos < input_len && !t->quit)
		rl_callback_read_char();
	input_buf = NULL;
	input_len = input_pos = 0;
}

/* Ctrl-C: drop the half-typed line without leaving callback mode. */
void
input_interrupt(struct tui *t)
{
	rl_free_line_state();
	rl_callback_sigcleanup();
	rl_replace_line("", 0);
	rl_point = rl_end = rl_mark = 0;
	if (t->input_mode != TUI_INPUT_COMMAND) {
		t->input_mode = TUI_INPUT_COMMAND;
		free(t->auth_mech);
		free(t->auth_user);
		t->auth_mech = t->auth_user = NULL;
	}
	input_update_prompt(t);
	t->dirty |= TUI_DIRTY_INPUT;
}

/* Is the command line empty? */
int
input_line_empty(void)
{
	return (rl_end == 0);
}

/* Choose the prompt for the current state. */
void
input_update_prompt(struct tui *t)
{
	const char	*p = "smtp> ";

	/* The SMTP prompts stay as they are; the others are words. */
	static char	 prompt[128];

	if (t->input_mode == TUI_INPUT_PASSWORD) {
		snprintf(prompt, sizeof prompt, _("password for %s: "),
		    t->auth_user != NULL ? t->auth_user : "?");
		p = prompt;
	} else if (t->input_mode == TUI_INPUT_SEARCH)
		p = t->search_back ? _("search back: ") : _("search: ");
	else if (t->input_mode == TUI_INPUT_QUIZ)
		p = _("your guess (e.g. 5B)> ");
	else if (t->session != NULL && session_in_message(t->session))
		p = "data> ";
	else if (t->session != NULL &&
	    session_phase(t->session) == SESSION_PHASE_AUTH)
		p = "auth> ";
	else if (t->closed)
		p = "closed> ";
	rl_set_prompt(p);
	t->dirty |= TUI_DIRTY_INPUT;
}

/* Ask for a password without echo; the line goes to session_auth(). */
void
input_ask_password(struct tui *t, const char *mech, const char *user)
{
	free(t->auth_mech);
	free(t->auth_user);
	t->auth_mech = xstrdup(mech);
	t->auth_user = xstrdup(user);
	t->input_mode = TUI_INPUT_PASSWORD;
	t->focus = TUI_FOCUS_INPUT;
	input_update_prompt(t);
}

/* Ask for the text to search in the dialogue. */
void
input_ask_search(struct tui *t, int backwards)
{
	t->search_back = backwards;
	t->input_mode = TUI_INPUT_SEARCH;
	t->focus = TUI_FOCUS_INPUT;
	input_update_prompt(t);
}

/* Draw the prompt and the line; rl_point is a byte offset. */
void
input_draw(struct tui *t, void *arg)
{
	WINDOW		*w = arg;
	const char	*prompt = rl_display_prompt != NULL ?
	    rl_display_prompt : "";
	const char	*line = rl_line_buffer != NULL ? rl_line_buffer : "";
	int		 secret = t->input_mode == TUI_INPUT_PASSWORD;
	struct buf	 d;
	size_t		 plen = strlen(prompt), cols, col, off = 0, skip, n;
	size_t		 used;

	cols = (size_t)getmaxx(w);
	werase(w);
	if (cols < 2)
		return;
	buf_init(&d, 0);
	buf_add(&d, prompt, plen);
	if (!secret)
		buf_addstr(&d, line);
	col = width_str(prompt, plen) + (secret ? 0 :
	    width_str(line, (size_t)rl_point));
	/* Scroll sideways, a quarter width at a time, to show the cursor. */
	while (col - off >= cols - 1)
		off += cols / 4 > 0 ? cols / 4 : 1;
	skip = width_fit(d.data, d.len, off, &used);
	n = width_fit(d.data + skip, d.len - skip, cols - 1, NULL);
	if (skip < plen) {
		size_t	pn = plen - skip < n ? plen - skip : n;

		wattron(w, A_BOLD);
		waddnstr(w, d.data + skip, (int)pn);
		wattroff(w, A_BOLD);
		if (n > pn)
			waddnstr(w, d.data + skip + pn, (int)(n - pn));
	} else
		waddnstr(w, d.data + skip, (int)n);
	wmove(w, 0, (int)(col - used));
	/* The line may hold a password typed after /auth. */
	OPENSSL_cleanse(d.data, d.len);
	buf_release(&d);
}

/* Completion: the candidates for the word at start..end. */
static char **
input_complete(const char *text, int start, int end)
{
	const struct caps		*c;
	const struct caps_keyword	*k;
	const char			*line = rl_line_buffer;
	static const char		*list[64];
	size_t				 n = 0, i;
	char				*p, *e;

	rl_attempted_completion_over = 1;
	buf_reset(&input_cbuf);
	input_cands = list;
	c = input_tui != NULL && input_tui->session != NULL ?
	    session_caps(input_tui->session) : NULL;

	if (input_tui != NULL && input_tui->input_mode != TUI_INPUT_COMMAND)
		return (NULL);
	if (input_tui != NULL && input_tui->session != NULL &&
	    session_in_message(input_tui->session))
		return (NULL);
	if (start == 0 && text[0] == '/') {
		/* During a challenge, only what works then. */
		int	during = input_tui != NULL &&
		    input_tui->session != NULL &&
		    session_phase(input_tui->session) == SESSION_PHASE_AUTH;

		for (i = 0; i < CMD_LAST && n < 63; i++) {
			if (during && !(cmd_table[i].flags & CMD_F_AUTH_OK))
				continue;
			if (input_commands[i][0] == '\0')
				snprintf(input_commands[i],
				    sizeof input_commands[i], "%s%s",
				    cmd_table[i].name,
				    strchr(cmd_table[i].usage, ' ') != NULL ?
				    " " : "");
			list[n++] = input_commands[i];
		}
	} else if (start == 0) {
		for (i = 0; input_verbs[i] != NULL && n < 63; i++)
			list[n++] = input_verbs[i];
	} else if (strncasecmp(line, "/auth ", 6) == 0) {
		list[n++] = "plain ";
		list[n++] = "login ";
	} else if (strncasecmp(line, "/set ", 5) == 0) {
		if (strchr(line + 5, ' ') == NULL || (size_t)start <= 5) {
			for (i = 0; input_settings[i] != NULL; i++)
				list[n++] = input_settings[i];
		} else if (strncasecmp(line + 5, "layout", 6) == 0) {
			list[n++] = "auto";
			list[n++] = "side";
			list[n++] = "stacked";
		} else {
			list[n++] = "on";
			list[n++] = "off";
		}
	} else if (strncasecmp(line, "/data ", 6) == 0) {
		rl_attempted_completion_over = 0;
		return (NULL);		/* file names */
	} else if (strncasecmp(line, "AUTH ", 5) == 0 && c != NULL &&
	    (k = caps_find(c, "AUTH")) != NULL && (size_t)start == 5) {
		/* Mechanisms the server listed. */
		buf_addstr(&input_cbuf, k->params);
		buf_addch(&input_cbuf, '\0');
		for (p = input_cbuf.data; *p != '\0' && n < 63; p = e) {
			while (*p == ' ')
				*p++ = '\0';
			if (*p == '\0')
				break;
			list[n++] = p;
			for (e = p; *e != '\0' && *e != ' '; e++)
				;
			if (*e == ' ')
				*e++ = '\0';
		}
	} else if (strncasecmp(line, "MAIL FROM:", 10) == 0 && c != NULL) {
		if (caps_has(c, "SIZE"))
			list[n++] = "SIZE=";
		if (caps_has(c, "8BITMIME"))
			list[n++] = "BODY=8BITMIME";
		if (caps_has(c, "BINARYMIME"))
			list[n++] = "BODY=BINARYMIME";
		if (caps_has(c, "8BITMIME") || caps_has(c, "BINARYMIME"))
			list[n++] = "BODY=7BIT";
		if (caps_has(c, "SMTPUTF8"))
			list[n++] = "SMTPUTF8";
		if (caps_has(c, "DSN")) {
			list[n++] = "RET=FULL";
			list[n++] = "RET=HDRS";
			list[n++] = "ENVID=";
		}
		if (caps_has(c, "AUTH"))
			list[n++] = "AUTH=<>";
		if (caps_has(c, "REQUIRETLS"))
			list[n++] = "REQUIRETLS";
		if (caps_has(c, "MT-PRIORITY"))
			list[n++] = "MT-PRIORITY=";
	} else if (strncasecmp(line, "RCPT TO:", 8) == 0 && c != NULL) {
		if (caps_has(c, "DSN")) {
			list[n++] = "NOTIFY=SUCCESS,FAILURE,DELAY";
			list[n++] = "NOTIFY=NEVER";
			list[n++] = "ORCPT=rfc822;";
		}
	} else if ((strncasecmp(line, "/explain ", 9) == 0)) {
		return (NULL);
	}
	(void)end;
	input_ncands = n;
	if (n == 0)
		return (NULL);
	rl_completion_append_character = '\0';
	return (rl_completion_matches(text, input_complete_from));
}

/* Generator: candidates starting with text, ignoring case. */
static char *
input_complete_from(const char *text, int state)
{
	static size_t	i;
	size_t		len = strlen(text);

	if (state == 0)
		i = 0;
	while (i < input_ncands) {
		const char	*cand = input_cands[i++];

		if (strncasecmp(cand, text, len) == 0) {
			/* Keep the user's case for what they typed. */
			char	*m = xstrdup(cand);

			if (len > 0 && text[0] >= 'a' && text[0] <= 'z') {
				char	*q;

				for (q = m; *q != '\0' && *q != ' ' &&
				    *q != ':' && *q != '='; q++)
					if (*q >= 'A' && *q <= 'Z')
						*q += 32;
			}
			return (m);
		}
	}
	return (NULL);
}

/* Show completion candidates in the hint line, not on the terminal. */
static void
input_show_matches(char **matches, int n, int maxlen)
{
	struct buf	b;
	int		i;

	(void)maxlen;
	if (input_tui == NULL)
		return;
	buf_init(&b, sizeof input_tui->message - 1);
	buf_addstr(&b, _("completions:"));
	for (i = 1; i <= n; i++) {
		if (buf_printf(&b, " %s", matches[i]) == -1)
			break;
	}
	tui_flash(input_tui, "%s", b.data);
	buf_release(&b);
}
