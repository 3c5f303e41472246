/* SPDX-License-Identifier: ISC */
/*
 * Drawing the screen with ncursesw: windows laid out by layout_compute(),
 * drawn only from ui_flush() (once per loop iteration, for what is dirty),
 * input window refreshed last so the cursor lands there, one doupdate().
 * Server text is escaped before it is drawn: nothing the server sends can
 * move the cursor or change the terminal.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include "base/buf.h"
#include "smtp/caps.h"
#include "kb/explain.h"
#include "kb/format.h"
#include "base/i18n.h"
#include "kb/kb.h"
#include "tui/layout.h"
#include "smtp/reply.h"
#include "record/scrollback.h"
#include "smtp/session.h"
#include "base/text.h"
#include "net/tls.h"
#include "record/transcript.h"
#include "tui/tui.h"
#include "base/width.h"
#include "base/xmalloc.h"

/* Colour pairs. */
enum {
	UI_PAIR_CLIENT = 1,
	UI_PAIR_2XX,
	UI_PAIR_3XX,
	UI_PAIR_4XX,
	UI_PAIR_5XX,
	UI_PAIR_NOTICE,
	UI_PAIR_WARN,
	UI_PAIR_STATUS,
	UI_PAIR_TLS_OK,
	UI_PAIR_TLS_BAD,
	UI_PAIR_HEAD,
	UI_PAIR_TITLE,
	UI_PAIR_MALFORMED
};

/* Reply lines looked at when explaining a reply from the scrollback. */
#define UI_REPLY_LINES	64

/* One row of text to draw, with its attributes. */
struct ui_row {
	attr_t	 attr;
	char	*text;		/* already safe to draw */
	int	 indent;	/* columns to indent continuation rows */
};

struct ui_rows {
	struct ui_row	*v;
	size_t		 n;
};

static SCREEN	*ui_screen;
static int	 ui_active;
static WINDOW	*ui_status, *ui_dialogue, *ui_sep, *ui_explain, *ui_input;
static WINDOW	*ui_hints, *ui_overlay;
static int	 ui_colors;
/* Line index drawn on each dialogue row (-1: none), for mouse clicks. */
static long	*ui_rowline;
static int	 ui_nrowline;
static size_t	 ui_top_line;		/* first line fully shown */

/*
 * What ui_crash_restore() puts back, prepared by ui_start(): the bytes that
 * undo what the full screen turned on, and the terminal's modes before.
 */
static char		 ui_reset[512];
static size_t		 ui_reset_len;
static struct termios	 ui_saved_tio;
static int		 ui_saved_tio_ok;
static volatile sig_atomic_t ui_crash_armed;

static attr_t	 ui_attr(int, attr_t);
static void	 ui_windows(struct tui *);
static void	 ui_free_windows(void);
static void	 ui_reset_add(const char *);
static void	 ui_reset_prepare(void);
static void	 ui_escape(struct buf *, const char *, size_t, int);
static void	 ui_draw_status(struct tui *);
static void	 ui_draw_title(WINDOW *, const char *, int);
static int	 ui_dialogue_stamps(struct tui *, int);
static size_t	 ui_dialogue_width(struct tui *, int);
static int	 ui_dialogue_text(struct tui *, size_t, struct buf *);
static void	 ui_draw_dialogue(struct tui *);
static void	 ui_draw_explain(struct tui *);
static void	 ui_draw_hints(struct tui *);
static void	 ui_draw_overlay(struct tui *);
static void	 ui_put(WINDOW *, int, int, int, const char *, size_t, attr_t);
static attr_t	 ui_line_attr(struct tui *, size_t);
static char	 ui_sec_char(int);
static void	 ui_rows_add(struct ui_rows *, attr_t, int, const char *, ...)
		    __attribute__((format(printf, 4, 5)));
static void	 ui_rows_text(struct ui_rows *, attr_t, int, const char *,
		    const char *);
static void	 ui_rows_free(struct ui_rows *);
static void	 ui_rows_draw(WINDOW *, struct ui_rows *, int, int);
static void	 ui_explain_rows(struct tui *, struct ui_rows *);
static void	 ui_help_rows(struct tui *, struct ui_rows *);
static void	 ui_caps_rows(struct tui *, struct ui_rows *);
static void	 ui_cert_rows(struct tui *, struct ui_rows *);
static int	 ui_rows_cols(WINDOW *);
static size_t	 ui_rows_height(WINDOW *, struct ui_rows *);
static void	 ui_quiz_rows(struct tui *, struct ui_rows *);

/* An attribute for a colour pair, or a fallback on monochrome. */
static attr_t
ui_attr(int pair, attr_t mono)
{
	if (ui_colors)
		return (COLOR_PAIR(pair));
	return (mono);
}

/* Start curses. */
int
ui_start(struct tui *t)
{
	const char	*nc = getenv("NO_COLOR");

	ui_saved_tio_ok = tcgetattr(STDOUT_FILENO, &ui_saved_tio) == 0;
	if ((ui_screen = newterm(NULL, stdout, stdin)) == NULL)
		return (-1);
	set_term(ui_screen);
	ui_active = 1;
	ui_reset_prepare();
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	typeahead(-1);
	/* Escape sequences reach readline whole: no keypad(). */
	if (nc != NULL && *nc != '\0')
		t->set.color = 0;
	if (t->set.color && has_colors()) {
		start_color();
		use_default_colors();
		init_pair(UI_PAIR_CLIENT, COLOR_CYAN, -1);
		init_pair(UI_PAIR_2XX, COLOR_GREEN, -1);
		init_pair(UI_PAIR_3XX, COLOR_BLUE, -1);
		init_pair(UI_PAIR_4XX, COLOR_YELLOW, -1);
		init_pair(UI_PAIR_5XX, COLOR_RED, -1);
		init_pair(UI_PAIR_NOTICE, COLOR_MAGENTA, -1);
		init_pair(UI_PAIR_WARN, COLOR_RED, -1);
		init_pair(UI_PAIR_STATUS, COLOR_BLACK, COLOR_CYAN);
		init_pair(UI_PAIR_TLS_OK, COLOR_GREEN, -1);
		init_pair(UI_PAIR_TLS_BAD, COLOR_RED, -1);
		init_pair(UI_PAIR_HEAD, COLOR_YELLOW, -1);
		init_pair(UI_PAIR_TITLE, COLOR_BLACK, COLOR_WHITE);
		init_pair(UI_PAIR_MALFORMED, COLOR_MAGENTA, -1);
		ui_colors = 1;
	} else
		t->set.color = 0;
	t->color_started = t->set.color;
	curs_set(1);
	ui_resize(t);
	return (0);
}

/* Put the terminal back; safe to call more than once. */
void
ui_end(void)
{
	if (!ui_active)
		return;
	ui_active = 0;
	ui_crash_armed = 0;
	/* Mouse reporting off, in case it was on. */
	fputs("\033[?1000l\033[?1006l", stdout);
	ui_free_windows();
	endwin();
	fflush(stdout);
	if (ui_screen != NULL) {
		delscreen(ui_screen);
		ui_screen = NULL;
	}
	free(ui_rowline);
	ui_rowline = NULL;
}

/*
 * Add a terminfo string to the crash reset sequence, without its padding
 * ("$<5>": a delay, which a terminal today does not need).
 */
static void
ui_reset_add(const char *s)
{
	const char	*end;

	if (s == NULL || s == (char *)-1)
		return;
	while (*s != '\0') {
		if (s[0] == '$' && s[1] == '<' && (end = strchr(s, '>')) !=
		    NULL) {
			s = end + 1;
			continue;
		}
		if (ui_reset_len < sizeof ui_reset)
			ui_reset[ui_reset_len++] = *s;
		s++;
	}
}

/*
 * Prepare what a crash writes to put the terminal back, as endwin() would:
 * attributes off, the cursor shown, keypad mode and mouse reporting off,
 * and the alternate screen left (or the cursor on the last row of a
 * terminal without one).  Built now because a signal handler may not.
 */
static void
ui_reset_prepare(void)
{
	char	*s;

	ui_reset_len = 0;
	ui_reset_add(tigetstr("sgr0"));
	ui_reset_add(tigetstr("cnorm"));
	ui_reset_add(tigetstr("rmkx"));
	ui_reset_add("\033[?1000l\033[?1006l");
	s = tigetstr("rmcup");
	if (s != NULL && s != (char *)-1)
		ui_reset_add(s);
	else {
		s = tigetstr("cup");
		if (s != NULL && s != (char *)-1)
			ui_reset_add(tiparm(s, LINES - 1, 0));
		ui_reset_add("\r\n");
	}
	/* A sequence cut short could leave the terminal worse off. */
	if (ui_reset_len == sizeof ui_reset)
		ui_reset_len = 0;
	ui_crash_armed = 1;
}

/*
 * Put the terminal back after a crash, from a signal handler: only write()
 * and tcsetattr(), which are async-signal-safe, with what ui_start()
 * prepared; nothing of curses, stdio or malloc, whose state may be broken.
 * Does nothing when the full screen is not up.
 */
void
ui_crash_restore(void)
{
	const char	*p = ui_reset;
	size_t		 left = ui_reset_len;
	ssize_t		 n;

	if (!ui_crash_armed)
		return;
	ui_crash_armed = 0;
	while (left > 0) {
		n = write(STDOUT_FILENO, p, left);
		if (n <= 0)
			break;
		p += n;
		left -= (size_t)n;
	}
	if (ui_saved_tio_ok)
		tcsetattr(STDOUT_FILENO, TCSANOW, &ui_saved_tio);
}

/* Free the windows. */
static void
ui_free_windows(void)
{
	WINDOW	**w[] = { &ui_status, &ui_dialogue, &ui_sep, &ui_explain,
	    &ui_input, &ui_hints, &ui_overlay };
	size_t	  i;

	for (i = 0; i < sizeof w / sizeof w[0]; i++) {
		if (*w[i] != NULL)
			delwin(*w[i]);
		*w[i] = NULL;
	}
}

/* Make one window for a rectangle (NULL for an empty one). */
static WINDOW *
ui_newwin(const struct layout_rect *r)
{
	if (r->h <= 0 || r->w <= 0)
		return (NULL);
	return (newwin(r->h, r->w, r->y, r->x));
}

/* Create the windows for the current layout. */
static void
ui_windows(struct tui *t)
{
	ui_free_windows();
	ui_status = ui_newwin(&t->lay.status);
	ui_dialogue = ui_newwin(&t->lay.dialogue);
	ui_sep = ui_newwin(&t->lay.sep);
	ui_explain = ui_newwin(&t->lay.explain);
	ui_input = ui_newwin(&t->lay.input);
	ui_hints = ui_newwin(&t->lay.hints);
	free(ui_rowline);
	ui_nrowline = t->lay.dialogue.h > 1 ? t->lay.dialogue.h - 1 : 0;
	ui_rowline = xcalloc((size_t)ui_nrowline + 1, sizeof *ui_rowline);
}

/* The terminal changed size (or a layout setting did). */
void
ui_resize(struct tui *t)
{
	int	rows, cols;

	if (!ui_active)
		return;
	getmaxyx(stdscr, rows, cols);
	layout_compute(rows, cols, t->set.layout, t->set.presentation,
	    &t->lay);
	ui_windows(t);
	clearok(curscr, TRUE);
	t->dirty = TUI_DIRTY_ALL;
}

/* Ctrl-L: draw everything again from scratch. */
void
ui_redraw(struct tui *t)
{
	if (!ui_active)
		return;
	clearok(curscr, TRUE);
	t->dirty = TUI_DIRTY_ALL;
}

/* Rows of dialogue text (without the title). */
int
ui_dialogue_rows(const struct tui *t)
{
	return (t->lay.dialogue.h > 1 ? t->lay.dialogue.h - 1 : 1);
}

/* Rows of overlay text. */
int
ui_overlay_rows(const struct tui *t)
{
	return (t->lay.rows > 8 ? t->lay.rows - 8 : 1);
}

/* The reply drawn on a screen row, or -1. */
long
ui_reply_at_row(const struct tui *t, int y)
{
	int	row = y - t->lay.dialogue.y - 1;

	if (row < 0 || row >= ui_nrowline || ui_rowline[row] < 0)
		return (-1);
	return (sb_reply_of(t->sb, (size_t)ui_rowline[row]));
}

/*
 * Escape text for the screen.  With eol set, control bytes show as
 * Unicode control pictures (U+2400 block) instead of backslash escapes.
 */
static void
ui_escape(struct buf *b, const char *s, size_t len, int eol)
{
	size_t	i, start = 0;

	if (!eol) {
		text_escape(b, s, len);
		return;
	}
	for (i = 0; i < len; i++) {
		unsigned char	c = (unsigned char)s[i];

		if (c >= 0x20 && c != 0x7f)
			continue;
		text_escape(b, s + start, i - start);
		buf_addch(b, (char)0xe2);
		buf_addch(b, (char)0x90);
		buf_addch(b, (char)(c == 0x7f ? 0xa1 : 0x80 + c));
		start = i + 1;
	}
	text_escape(b, s + start, len - start);
}

/* Draw len bytes of safe text at y,x, cut to cols columns. */
static void
ui_put(WINDOW *w, int y, int x, int cols, const char *s, size_t len,
    attr_t attr)
{
	size_t	n, clen, i;
	int	cw;

	if (w == NULL || cols <= 0)
		return;
	n = width_fit(s, len, (size_t)cols, NULL);
	wmove(w, y, x);
	wattron(w, attr);
	/* Anything wcwidth cannot place is drawn as '?'. */
	for (i = 0; i < n; i += clen) {
		cw = width_char(s + i, n - i, &clen);
		if (cw < 0)
			waddch(w, '?');
		else
			waddnstr(w, s + i, (int)clen);
	}
	wattroff(w, attr);
}

/* The protection mark of a line: ' ' clear, '+' TLS verified, '!' not. */
static char
ui_sec_char(int sec)
{
	switch (sec) {
	case SESSION_SEC_TLS:
		return ('+');
	case SESSION_SEC_TLS_UNVERIFIED:
		return ('!');
	}
	return (' ');
}

/* Attributes of dialogue line i. */
static attr_t
ui_line_attr(struct tui *t, size_t i)
{
	const struct sb_reply	*r;
	long			 ri;

	switch (sb_kind(t->sb, i)) {
	case SB_CLIENT:
		return (ui_attr(UI_PAIR_CLIENT, A_BOLD));
	case SB_NOTICE:
		return (ui_attr(UI_PAIR_NOTICE, A_DIM));
	case SB_WARNING:
	case SB_ERROR:
		return (ui_attr(UI_PAIR_WARN, A_BOLD) | A_BOLD);
	case SB_TLS:
		return (ui_attr(UI_PAIR_TLS_OK, A_BOLD) | A_BOLD);
	}
	ri = sb_reply_of(t->sb, i);
	if ((r = sb_reply(t->sb, ri)) == NULL || r->code == 0)
		return (ui_attr(UI_PAIR_MALFORMED, A_UNDERLINE));
	switch (r->code / 100) {
	case 2:
		return (ui_attr(UI_PAIR_2XX, A_NORMAL));
	case 3:
		return (ui_attr(UI_PAIR_3XX, A_NORMAL));
	case 4:
		return (ui_attr(UI_PAIR_4XX, A_BOLD));
	}
	return (ui_attr(UI_PAIR_5XX, A_BOLD | A_UNDERLINE));
}

/* Draw a pane title bar. */
static void
ui_draw_title(WINDOW *w, const char *title, int focused)
{
	int	cols;

	if (w == NULL)
		return;
	cols = getmaxx(w);
	wmove(w, 0, 0);
	wattron(w, ui_attr(UI_PAIR_TITLE, A_REVERSE) | (focused ? A_BOLD :
	    0));
	whline(w, ' ', cols);
	ui_put(w, 0, 1, cols - 2, title, strlen(title), 0);
	wattroff(w, ui_attr(UI_PAIR_TITLE, A_REVERSE) | A_BOLD);
}

/* The status bar. */
static void
ui_draw_status(struct tui *t)
{
	const struct tls_info	*ti = t->session != NULL ?
	    session_tls(t->session) : NULL;
	struct buf		 b;
	enum session_sec	 sec = t->session != NULL ?
	    session_sec(t->session) : SESSION_SEC_CLEAR;
	long long		 rtt = t->session != NULL ?
	    session_last_rtt(t->session) : -1;
	const char		*peer = t->session != NULL ?
	    session_peer(t->session) : "";
	int			 cols;

	if (ui_status == NULL)
		return;
	cols = getmaxx(ui_status);
	buf_init(&b, 0);
	buf_addstr(&b, " smtpscope  ");
	text_escape(&b, t->target, strlen(t->target));
	if (*peer != '\0')
		buf_printf(&b, " [%s]", peer);
	if (t->closed)
		buf_addstr(&b, _("  closed"));
	else if (t->session == NULL && sb_end(t->sb) > sb_first(t->sb) &&
	    sb_sec(t->sb, sb_end(t->sb) - 1) != SESSION_SEC_CLEAR)
		buf_addstr(&b, sb_sec(t->sb, sb_end(t->sb) - 1) ==
		    SESSION_SEC_TLS ? _("  TLS verified (as recorded)") :
		    _("  TLS NOT VERIFIED (as recorded)"));
	else if (sec == SESSION_SEC_CLEAR)
		buf_addstr(&b, _("  clear (no TLS)"));
	else if (ti != NULL)
		buf_printf(&b, "  %s %s", ti->protocol, sec == SESSION_SEC_TLS ?
		    _("verified") : _("NOT VERIFIED"));
	if (t->insecure)
		buf_addstr(&b, "  --insecure");
	if (t->session != NULL)
		buf_printf(&b, _("  phase: %s"),
		    session_phase_names[session_phase(t->session)]);
	if (rtt >= 0)
		buf_printf(&b, _("  rtt %lld ms"), rtt / 1000);
	werase(ui_status);
	wattron(ui_status, ui_attr(UI_PAIR_STATUS, A_REVERSE));
	whline(ui_status, ' ', cols);
	ui_put(ui_status, 0, 0, cols, b.data, b.len, 0);
	wattroff(ui_status, ui_attr(UI_PAIR_STATUS, A_REVERSE));
	/* The insecure marker stands out even in colour. */
	if (t->insecure || sec == SESSION_SEC_TLS_UNVERIFIED) {
		const char	*mark = t->insecure ? "--insecure" :
		    _("NOT VERIFIED");
		const char	*m = strstr(b.data, mark);

		if (m != NULL && width_str(b.data, (size_t)(m - b.data)) <
		    (size_t)cols)
			ui_put(ui_status, 0, (int)width_str(b.data,
			    (size_t)(m - b.data)), cols - (int)width_str(b.data,
			    (size_t)(m - b.data)), m, strlen(mark),
			    ui_attr(UI_PAIR_TLS_BAD, A_BOLD) | A_BOLD |
			    A_REVERSE);
	}
	buf_release(&b);
}

/* Whether the time column shows in a dialogue pane cols wide. */
static int
ui_dialogue_stamps(struct tui *t, int cols)
{
	return (t->set.timestamps && cols >= 40 && !t->set.presentation);
}

/* Columns for dialogue text in a pane cols wide, after the prefix. */
static size_t
ui_dialogue_width(struct tui *t, int cols)
{
	size_t	pw = (ui_dialogue_stamps(t, cols) ? 9 : 0) + 4;

	return ((size_t)cols > pw + 4 ? (size_t)cols - pw : 4);
}

/*
 * Line i as the dialogue draws it (escaped, with the line-end marks when
 * they are shown) into line.  Returns 0 for a line not shown at all.
 */
static int
ui_dialogue_text(struct tui *t, size_t i, struct buf *line)
{
	const char	*text;
	size_t		 len;

	buf_reset(line);
	/* Presentation: no clutter, only the dialogue itself. */
	if (t->set.presentation && sb_kind(t->sb, i) == SB_NOTICE)
		return (0);
	text = sb_text(t->sb, i, &len);
	ui_escape(line, text, len, t->set.eol);
	if (t->set.eol && sb_kind(t->sb, i) <= SB_CLIENT)
		buf_addstr(line, (sb_flags(t->sb, i) & SB_F_BARE_LF) ?
		    "\xe2\x90\x8a" : "\xe2\x90\x8d\xe2\x90\x8a");
	return (1);
}

/*
 * Rows dialogue line i takes on screen (0: not shown), wrapped as
 * ui_draw_dialogue() wraps it.
 */
size_t
ui_dialogue_line_rows(struct tui *t, size_t i)
{
	struct buf	line;
	size_t		n = 0;

	if (ui_dialogue == NULL || i < sb_first(t->sb) || i >= sb_end(t->sb))
		return (1);
	buf_init(&line, 0);
	if (ui_dialogue_text(t, i, &line))
		n = width_rows(line.data, line.len, ui_dialogue_width(t,
		    getmaxx(ui_dialogue)));
	buf_release(&line);
	return (n);
}

/* The dialogue pane, drawn from the bottom up. */
static void
ui_draw_dialogue(struct tui *t)
{
	const struct sb_reply	*sel = NULL, *newest = NULL;
	long			 lastcmd = -1;
	struct buf		 line, pre;
	size_t			 end = sb_end(t->sb), first = sb_first(t->sb);
	size_t			 i, off, next, nrows, k, pw, tw, skip;
	size_t			*starts = NULL, nstarts = 0;
	int			 rows, cols, y, r, ts;
	char			 title[160], stamp[16];
	attr_t			 attr;
	long			 hit = t->search_hit;
	struct tm		 tm;
	time_t			 secs;

	if (ui_dialogue == NULL)
		return;
	werase(ui_dialogue);
	rows = getmaxy(ui_dialogue) - 1;
	cols = getmaxx(ui_dialogue);
	if (t->selected >= 0)
		sel = sb_reply(t->sb, t->selected);
	snprintf(title, sizeof title, "%s%s%s", _("Dialogue"),
	    t->follow ? "" : _("  (scrolled: End or G returns)"),
	    t->focus == TUI_FOCUS_DIALOGUE ? _("  [focus]") : "");
	ui_draw_title(ui_dialogue, title, t->focus == TUI_FOCUS_DIALOGUE);
	for (r = 0; r < ui_nrowline; r++)
		ui_rowline[r] = -1;
	if (end == first || rows <= 0)
		return;

	ts = ui_dialogue_stamps(t, cols);
	/*
	 * Presentation: the newest reply and the command it answers stand
	 * out (not the last line sent: pipelined commands go out together).
	 */
	if (t->set.presentation && sb_nreplies(t->sb) > 0 &&
	    (newest = sb_reply(t->sb, sb_nreplies(t->sb) - 1)) != NULL)
		lastcmd = t->newest_cmd;
	pw = (ts ? 9 : 0) + 4;
	tw = ui_dialogue_width(t, cols);
	i = t->follow || t->bottom >= end ? end - 1 : t->bottom;
	/* Rows of the bottom line scrolled off below the pane. */
	skip = t->follow || t->bottom >= end ? 0 : t->bottom_skip;
	if (i < first)
		i = first;
	y = rows;
	buf_init(&line, 0);
	buf_init(&pre, 0);
	ui_top_line = i;
	for (;;) {
		if (!ui_dialogue_text(t, i, &line)) {
			if (i == first)
				break;
			i--;
			continue;
		}
		/* Where each wrapped row starts: every one, however many. */
		nrows = 0;
		off = 0;
		do {
			if (nrows == nstarts) {
				nstarts = nstarts == 0 ? 64 : nstarts * 2;
				starts = xreallocarray(starts, nstarts,
				    sizeof *starts);
			}
			starts[nrows++] = off;
			width_wrap(line.data + off, line.len - off, tw, &next);
			off += next;
		} while (off < line.len);
		attr = ui_line_attr(t, i);
		if (sel != NULL && sb_reply_of(t->sb, i) == t->selected)
			attr |= A_REVERSE;
		if (hit >= 0 && (size_t)hit == i)
			attr |= A_REVERSE | A_BOLD;
		if (newest != NULL && (sb_reply_of(t->sb, i) ==
		    sb_nreplies(t->sb) - 1 || (long)i == lastcmd))
			attr |= A_BOLD | A_REVERSE;
		/* The bottom line may be scrolled partly out below. */
		if (skip >= nrows)
			skip = nrows - 1;
		for (k = nrows; k-- > 0;) {
			size_t	rlen = (k + 1 < nrows ? starts[k + 1] :
			    line.len) - starts[k];

			if (skip > 0) {
				skip--;
				continue;
			}
			if (--y < 0)
				break;
			if (y < ui_nrowline)
				ui_rowline[y] = (long)i;
			if (k == 0) {
				buf_reset(&pre);
				if (ts) {
					secs = (time_t)(sb_time(t->sb, i) /
					    1000);
					localtime_r(&secs, &tm);
					strftime(stamp, sizeof stamp,
					    "%H:%M:%S ", &tm);
					buf_addstr(&pre, stamp);
				}
				switch (sb_kind(t->sb, i)) {
				case SB_SERVER:
					buf_addstr(&pre, "S ");
					break;
				case SB_CLIENT:
					buf_addstr(&pre, "C ");
					break;
				case SB_WARNING:
				case SB_ERROR:
					buf_addstr(&pre, "! ");
					break;
				default:
					buf_addstr(&pre, "* ");
					break;
				}
				ui_put(ui_dialogue, y + 1, 0, cols, pre.data,
				    pre.len, A_DIM);
				if (sb_kind(t->sb, i) <= SB_CLIENT) {
					char	m = ui_sec_char(sb_sec(t->sb,
					    i));

					wattron(ui_dialogue, m == '!' ?
					    ui_attr(UI_PAIR_TLS_BAD, A_BOLD) :
					    ui_attr(UI_PAIR_TLS_OK, A_BOLD));
					mvwaddch(ui_dialogue, y + 1,
					    (int)pre.len, (chtype)m);
					wattroff(ui_dialogue, A_COLOR | A_BOLD);
				}
			}
			ui_put(ui_dialogue, y + 1, (int)pw, (int)tw,
			    line.data + starts[k], rlen, attr);
		}
		if (y <= 0) {
			if (y == 0)
				ui_top_line = i;
			break;
		}
		ui_top_line = i;
		if (i == first)
			break;
		i--;
	}
	free(starts);
	buf_release(&line);
	buf_release(&pre);
}

/* Add a formatted row. */
static void
ui_rows_add(struct ui_rows *rs, attr_t attr, int indent, const char *fmt,
    ...)
{
	va_list	ap;

	rs->v = xreallocarray(rs->v, rs->n + 1, sizeof *rs->v);
	va_start(ap, fmt);
	rs->v[rs->n].text = xvasprintf(fmt, ap);
	va_end(ap);
	rs->v[rs->n].attr = attr;
	rs->v[rs->n].indent = indent;
	rs->n++;
}

/* Add "head text" with the text escaped. */
static void
ui_rows_text(struct ui_rows *rs, attr_t attr, int indent, const char *head,
    const char *text)
{
	struct buf	b;

	if (text == NULL || *text == '\0')
		return;
	/* Continuation rows line up under the text, whatever the language. */
	if (*head != '\0')
		indent = (int)width_str(head, strlen(head));
	buf_init(&b, 0);
	buf_addstr(&b, head);
	text_escape(&b, text, strlen(text));
	ui_rows_add(rs, attr, indent, "%s", b.data);
	buf_release(&b);
}

/* Free rows. */
static void
ui_rows_free(struct ui_rows *rs)
{
	size_t	i;

	for (i = 0; i < rs->n; i++)
		free(rs->v[i].text);
	free(rs->v);
	rs->v = NULL;
	rs->n = 0;
}

/*
 * Columns rows of text get in a window: one column of margin on each
 * side.  Measuring and drawing both ask here, so they wrap alike.
 */
static int
ui_rows_cols(WINDOW *w)
{
	return (getmaxx(w) - 2);
}

/* Screen rows the rows take when drawn into w by ui_rows_draw(). */
static size_t
ui_rows_height(WINDOW *w, struct ui_rows *rs)
{
	size_t	i, h = 0;
	int	cols = ui_rows_cols(w);

	if (cols < 4)
		return (0);
	for (i = 0; i < rs->n; i++)
		h += width_hang_rows(rs->v[i].text, strlen(rs->v[i].text),
		    (size_t)cols, (size_t)rs->v[i].indent);
	return (h);
}

/* Draw rows wrapped into a window from row y0, skipping top rows. */
static void
ui_rows_draw(WINDOW *w, struct ui_rows *rs, int y0, int top)
{
	int	rows = getmaxy(w), cols = ui_rows_cols(w), y = y0, skip = top;
	size_t	i, off, next, n, len, ind;

	if (cols < 4)
		return;
	for (i = 0; i < rs->n && y < rows; i++) {
		const char	*s = rs->v[i].text;

		len = strlen(s);
		off = 0;
		do {
			n = width_hang(s, len, off, (size_t)cols,
			    (size_t)rs->v[i].indent, &ind, &next);
			if (skip > 0)
				skip--;
			else if (y < rows) {
				ui_put(w, y, 1 + (int)ind, cols - (int)ind,
				    s + off, n, rs->v[i].attr);
				y++;
			}
			off = next;
		} while (off < len);
	}
}

/* What the explanation pane says. */
static void
ui_explain_rows(struct tui *t, struct ui_rows *rs)
{
	const struct sb_reply	*r;
	struct explanation	 ex;
	struct explain_ctx	 ctx;
	struct reply		 fake;
	struct reply_line	 lines[UI_REPLY_LINES];
	size_t			 nkept;
	long			 n = sb_nreplies(t->sb), idx;
	attr_t			 head = ui_attr(UI_PAIR_HEAD, A_BOLD) | A_BOLD;
	attr_t			 cls;
	size_t			 i;

	if (t->custom != NULL) {
		char	*p, *nl, *copy = xstrdup(t->custom);

		ui_rows_add(rs, A_DIM, 0, _("(the next reply, or End in the "
		    "dialogue pane, returns to the dialogue)"));
		for (p = copy; *p != '\0'; p = nl + 1) {
			if ((nl = strchr(p, '\n')) == NULL)
				nl = p + strlen(p) - 1;
			else
				*nl = '\0';
			ui_rows_add(rs, p == copy + 0 ? head : A_NORMAL, 9,
			    "%s", p);
			if (nl[1] == '\0')
				break;
		}
		free(copy);
		return;
	}
	idx = t->selected >= 0 ? t->selected : n - 1;
	if (t->quiz.reply >= 0 && idx == t->quiz.reply) {
		ui_quiz_rows(t, rs);
		return;
	}
	if ((r = sb_reply(t->sb, idx)) == NULL) {
		ui_rows_add(rs, A_DIM, 0, _("No reply yet."));
		ui_rows_add(rs, A_NORMAL, 0, _("Each server reply is explained "
		    "here the moment it arrives."));
		ui_rows_add(rs, A_NORMAL, 0, _("Next: %s"), tui_next_steps(t));
		return;
	}
	if (t->quiz.revealed == idx && t->quiz.feedback[0] != '\0')
		ui_rows_add(rs, ui_attr(UI_PAIR_HEAD, A_REVERSE) | A_BOLD, 0,
		    "%s", t->quiz.feedback);
	if (t->selected >= 0 && idx != n - 1)
		ui_rows_add(rs, ui_attr(UI_PAIR_WARN, A_REVERSE) | A_BOLD, 0,
		    _("Earlier reply %ld of %ld (End or G: newest)"), idx + 1, n);

	/* The reply again, its lines borrowed from the scrollback. */
	memset(&fake, 0, sizeof fake);
	fake.code = r->code;
	fake.flags = r->flags;
	snprintf(fake.enh, sizeof fake.enh, "%s", r->enh);
	nkept = r->nlines < UI_REPLY_LINES ? r->nlines : UI_REPLY_LINES;
	for (i = 0; i < nkept; i++) {
		size_t	len;

		lines[i].raw = (char *)sb_text(t->sb, r->first + i, &len);
		lines[i].len = len;
		lines[i].text = r->code == 0 ? 0 : (len > 3 ? 4 : len);
	}
	fake.lines = lines;
	fake.nlines = nkept;
	memset(&ctx, 0, sizeof ctx);
	ctx.server = t->rec.server;
	ctx.enh_expected = (r->notes & SESSION_NOTE_ENH) != 0;
	if (r->notes & SESSION_NOTE_UNSOLICITED)
		ctx.flags |= EXPLAIN_CTX_UNSOLICITED;
	if (r->notes & SESSION_NOTE_DATA_NO_RCPT)
		ctx.flags |= EXPLAIN_CTX_DATA_NO_RCPT;
	explain_reply(t->kb, &fake, r->verb, &ctx, &ex);
	switch (r->code / 100) {
	case 2:
		cls = ui_attr(UI_PAIR_2XX, A_BOLD);
		break;
	case 3:
		cls = ui_attr(UI_PAIR_3XX, A_BOLD);
		break;
	case 4:
		cls = ui_attr(UI_PAIR_4XX, A_BOLD);
		break;
	default:
		cls = ui_attr(UI_PAIR_5XX, A_BOLD);
		break;
	}
	if (r->code != 0)
		ui_rows_add(rs, cls | A_BOLD, 0, _("%03d %s"), r->code, ex.title);
	else
		ui_rows_add(rs, cls | A_BOLD, 0, "%s", ex.title);
	if (ex.class_name != NULL)
		ui_rows_add(rs, cls, 0, "%s", ex.class_name);
	{
		struct buf	b;

		buf_init(&b, 0);
		buf_addstr(&b, _("In reply to: "));
		if (r->command != NULL && r->verb != NULL &&
		    strcmp(r->verb, "CONNECT") != 0)
			text_escape(&b, r->command, strlen(r->command));
		else
			buf_addstr(&b, format_answers(r->verb));
		if (r->rtt_us >= 0)
			buf_printf(&b, _(", after %lld ms"), r->rtt_us / 1000);
		ui_rows_add(rs, A_DIM, 13, "%s", b.data);
		buf_release(&b);
	}
	if (r->decoded != NULL)
		ui_rows_text(rs, head, 9, _("Decoded: "), r->decoded);
	if (ex.context != NULL)
		ui_rows_text(rs, A_BOLD, 6, _("Here: "), ex.context);
	if (ex.enh[0] != '\0') {
		struct buf	b;

		buf_init(&b, 0);
		buf_printf(&b, _("Enhanced %s: "), ex.enh);
		if (ex.enh_title != NULL)
			text_escape(&b, ex.enh_title, strlen(ex.enh_title));
		else
			buf_addstr(&b, _("(not in the registry)"));
		buf_printf(&b, " [%s / %s]", ex.enh_class_title != NULL ?
		    ex.enh_class_title : "?", ex.enh_subject_title != NULL ?
		    ex.enh_subject_title : _("unassigned subject"));
		ui_rows_add(rs, head, 2, "%s", b.data);
		buf_release(&b);
		ui_rows_text(rs, A_NORMAL, 2, "  ", ex.enh_meaning);
	}
	if (!ex.known && ex.code != 0) {
		ui_rows_text(rs, A_NORMAL, 7, _("Class: "), ex.class_meaning);
		ui_rows_text(rs, A_NORMAL, 6, _("Area: "), ex.category);
	}
	ui_rows_text(rs, A_NORMAL, 9, _("Meaning: "), ex.meaning);
	ui_rows_text(rs, A_NORMAL, 6, _("When: "), ex.when);
	ui_rows_text(rs, A_NORMAL, 5, _("Fix: "), ex.fix);
	if (ex.enh_fix != NULL && r->code >= 400)
		ui_rows_text(rs, A_NORMAL, 6, _("Also: "), ex.enh_fix);
	for (i = 0; i < ex.nnotes; i++)
		ui_rows_add(rs, ui_attr(UI_PAIR_WARN, A_BOLD), 6, _("Note: %s"),
		    _(ex.notes[i]));
	for (i = 0; i < ex.nhits; i++) {
		ui_rows_text(rs, ui_attr(UI_PAIR_HEAD, A_BOLD) | A_BOLD, 2,
		    i == 0 ? _("Recognised: ") : _("Also matches: "),
		    ex.hits[i].title);
		ui_rows_text(rs, A_NORMAL, 8, _("  What to do: "),
		    ex.hits[i].advice);
		if (ex.hits[i].admin != NULL) {
			struct buf	b;

			buf_init(&b, 0);
			buf_printf(&b, _("  For the admin%s%s%s: "),
			    ex.hits[i].server != NULL ? " (" : "",
			    ex.hits[i].server != NULL ? ex.hits[i].server : "",
			    ex.hits[i].server != NULL ? ")" : "");
			ui_rows_text(rs, A_DIM, 8, b.data, ex.hits[i].admin);
			buf_release(&b);
		}
		if (t->set.verbose)
			ui_rows_text(rs, A_DIM, 8, _("  Source: "),
			    ex.hits[i].source);
	}
	if (ex.server_name != NULL) {
		ui_rows_text(rs, A_DIM, 8, _("Server: "), ex.server_name);
		ui_rows_text(rs, A_DIM, 8, "  ", ex.server_about);
		if (t->set.verbose)
			ui_rows_text(rs, A_DIM, 8, _("  Docs: "),
			    ex.server_docs);
	}
	if (idx == n - 1)
		ui_rows_add(rs, head, 6, _("Next: %s"), tui_next_steps(t));
	if (t->set.verbose) {
		ui_rows_text(rs, A_DIM, 8, _("Source: "), ex.source);
		ui_rows_text(rs, A_DIM, 8, _("Source: "), ex.enh_source);
	}
}

/* The quiz question in place of the explanation. */
static void
ui_quiz_rows(struct tui *t, struct ui_rows *rs)
{
	const struct sb_reply	*r = sb_reply(t->sb, t->quiz.reply);
	attr_t			 head = ui_attr(UI_PAIR_HEAD, A_BOLD) | A_BOLD;
	static const char *const letters[] = { "   A) ", "   B) ", "   C) ",
	    "   D) " };
	int			 i;

	ui_rows_add(rs, head, 0, "%s", _("Quiz: what does this reply mean?"));
	if (r != NULL)
		ui_rows_add(rs, A_BOLD, 0, _("Reply %03d, in answer to %s"),
		    r->code, format_answers(r->verb));
	ui_rows_add(rs, A_NORMAL, 0, "%s",
	    _("1. Its class, by the first digit:"));
	ui_rows_add(rs, A_NORMAL, 4, "%s", _("   2 success, 3 go on "
	    "(intermediate), 4 temporary failure, 5 permanent failure"));
	ui_rows_add(rs, A_NORMAL, 0, "%s", _("2. Its meaning:"));
	for (i = 0; i < 4; i++)
		ui_rows_text(rs, A_NORMAL, 6, letters[i], t->quiz.choices[i]);
	ui_rows_add(rs, A_DIM, 0, _("Type your guess at the prompt, e.g. 5B; "
	    "Enter alone shows the answer. SMTP commands and /commands are "
	    "sent as usual. Score so far: %d of %d."),
	    t->quiz.score, 2 * t->quiz.asked);
}

/* The explanation pane. */
static void
ui_draw_explain(struct tui *t)
{
	struct ui_rows	rs = { NULL, 0 };
	int		rows;
	size_t		h;

	if (ui_explain == NULL)
		return;
	werase(ui_explain);
	ui_draw_title(ui_explain, _("Explanation"), 0);
	ui_explain_rows(t, &rs);
	rows = getmaxy(ui_explain) - 1;
	h = ui_rows_height(ui_explain, &rs);
	if (t->explain_top > 0 && (size_t)t->explain_top + (size_t)rows > h)
		t->explain_top = h > (size_t)rows ? (int)(h - (size_t)rows) : 0;
	ui_rows_draw(ui_explain, &rs, 1, t->explain_top);
	if (h > (size_t)rows + (size_t)t->explain_top)
		ui_put(ui_explain, rows, getmaxx(ui_explain) - 11, 11,
		    _(" [more: F8]"), strlen(_(" [more: F8]")), A_REVERSE);
	ui_rows_free(&rs);
}

/* The key hints, or a transient message. */
static void
ui_draw_hints(struct tui *t)
{
	const char	*h;

	if (ui_hints == NULL)
		return;
	werase(ui_hints);
	if (t->message[0] != '\0') {
		ui_put(ui_hints, 0, 0, getmaxx(ui_hints), t->message,
		    strlen(t->message), A_BOLD);
		return;
	}
	if (t->overlay != TUI_OVERLAY_NONE)
		h = _(" Up/Down PgUp/PgDn scroll   Esc, q or the same F-key "
		    "closes");
	else if (t->set.presentation)
		h = _(" F1 help  F10 quit");
	else if (t->focus == TUI_FOCUS_DIALOGUE)
		h = _(" Up/Down k/j: select reply  PgUp/PgDn  g/G: top/end  "
		    "/ ?: search  n/N: next  Tab/Esc: command line");
	else
		h = _(" F1 help  F2 capabilities  F3 certificate  F5 line ends  "
		    "Tab/F6 focus  PgUp/PgDn scroll  F10 quit");
	ui_put(ui_hints, 0, 0, getmaxx(ui_hints), h, strlen(h), A_DIM);
}

/* Rows of the F1 overlay. */
static void
ui_help_rows(struct tui *t, struct ui_rows *rs)
{
	attr_t	head = ui_attr(UI_PAIR_HEAD, A_BOLD) | A_BOLD;
	static const char *const keys[] = {
		N_("F1          this help (also /help)"),
		N_("F2          EHLO capabilities, explained (also /caps)"),
		N_("F3          TLS session and certificate (also /cert)"),
		N_("F5          show line ends (CRLF, bare LF) and control bytes"),
		N_("F6, Tab     move focus between the command line and the "
		    "dialogue (Tab only on an empty line)"),
		N_("F10         leave (also /quit, or Ctrl-D on an empty line)"),
		N_("PgUp PgDn   scroll the dialogue"),
		N_("F7, F8      scroll the explanation up and down"),
		N_("Ctrl-L      redraw the screen"),
		N_("Ctrl-C      clear the line; on an empty line, leave"),
		N_("Ctrl-R      search the command history (readline)"),
		NULL
	};
	static const char *const dkeys[] = {
		N_("Up, k       select the previous reply: its explanation "
		    "shows again"),
		N_("Down, j     select the next reply"),
		N_("End, G      back to the newest reply; Home, g: the first"),
		N_("/ ?         search the dialogue forwards or backwards; n N "
		    "repeat"),
		N_("Tab, Esc, i back to the command line"),
		NULL
	};
	static const char *const cmds[] = {
		N_("Anything not starting with / is sent to the server as typed."),
		N_("After 354 the prompt is data>: lines are the message, dots "
		    "are stuffed for you, \".\" alone ends it."),
		N_("/auth plain|login USER   ask for the password (no echo) and "
		    "authenticate"),
		N_("/data FILE               send FILE as the message"),
		N_("/explain CODE [COMMAND]  explain a reply, e.g. /explain 550 "
		    "RCPT"),
		N_("/compare CODE CODE       two replies side by side in the "
		    "explanation pane"),
		N_("/caps /cert /help        the F2, F3 and F1 panels"),
		N_("/b64 TEXT, /unb64 TEXT   base64 encode or decode"),
		N_("/search TEXT             find TEXT in the dialogue"),
		N_("/export FILE.html        write the session as an HTML "
		    "handout, each reply explained beside it"),
		N_("/export FILE.html public the same, readable by everyone "
		    "(mode 0644 instead of 0600)"),
		N_("/raw TEXT                send TEXT's bytes exactly, no CRLF "
		    "added, marked [raw]; escapes \\r \\n \\t \\e \\\\ "
		    "\\xHH \\uHHHH"),
		N_("/set NAME VALUE          timestamps, mouse, color, eol "
		    "(on|off), layout (auto|side|stacked), presentation, "
		    "verbose, quiz, scrollback (a size: 64M); /set alone lists "
		    "them"),
		N_("/quit                    leave (QUIT is sent first)"),
		NULL
	};
	static const char *const marks[] = {
		N_("S server, C client, * notice, ! warning.  After the "
		    "direction: ' ' clear, '+' TLS with a verified certificate, "
		    "'!' TLS without one."),
		N_("Settings can be kept in ~/.config/smtpscope/config, one "
		    "\"set NAME VALUE\" per line."),
		NULL
	};
	size_t	i;

	ui_rows_add(rs, head, 0, _("Keys at the command line"));
	for (i = 0; keys[i] != NULL; i++)
		ui_rows_add(rs, A_NORMAL, 12, "%s", _(keys[i]));
	ui_rows_add(rs, head, 0, _("Keys in the dialogue pane"));
	for (i = 0; dkeys[i] != NULL; i++)
		ui_rows_add(rs, A_NORMAL, 12, "%s", _(dkeys[i]));
	ui_rows_add(rs, head, 0, _("Commands"));
	for (i = 0; cmds[i] != NULL; i++)
		ui_rows_add(rs, A_NORMAL, 25, "%s", _(cmds[i]));
	ui_rows_add(rs, head, 0, _("Marks"));
	for (i = 0; marks[i] != NULL; i++)
		ui_rows_add(rs, A_NORMAL, 0, "%s", _(marks[i]));
	(void)t;
}

/* Rows of the F2 overlay: each capability explained, before and after TLS. */
static void
ui_caps_rows(struct tui *t, struct ui_rows *rs)
{
	const struct caps	*c, *pre;
	attr_t			 head = ui_attr(UI_PAIR_HEAD, A_BOLD) | A_BOLD;
	char			 key[96];
	const char		*title, *v;
	size_t			 i;

	if (t->session == NULL) {
		ui_rows_add(rs, A_NORMAL, 0, "%s", _("A replay keeps no "
		    "capabilities: read the EHLO reply in the dialogue, and "
		    "select it to have it explained."));
		return;
	}
	c = session_caps(t->session);
	pre = session_caps_before_tls(t->session);

	if (!c->valid) {
		ui_rows_add(rs, A_NORMAL, 0, _("No capabilities known: send EHLO "
		    "first%s."), pre->valid ? " (those before STARTTLS are "
		    "listed below; TLS makes the client forget them)" : "");
	} else {
		ui_rows_add(rs, head, 0, _("What the server offers now%s"),
		    session_sec(t->session) != SESSION_SEC_CLEAR ?
		    _(" (inside TLS)") : _(" (in clear)"));
		for (i = 0; i < c->n; i++) {
			struct buf	b;

			snprintf(key, sizeof key, "kw %s", c->kw[i].name);
			title = kb_get_lang(t->kb, key, "title",
			    explain_lang());
			buf_init(&b, 0);
			text_escape(&b, c->kw[i].name, strlen(c->kw[i].name));
			if (*c->kw[i].params != '\0') {
				buf_addch(&b, ' ');
				text_escape(&b, c->kw[i].params,
				    strlen(c->kw[i].params));
			}
			if (pre->valid && !caps_has(pre, c->kw[i].name))
				buf_addstr(&b, _("   (new after STARTTLS)"));
			ui_rows_add(rs, A_BOLD, 4, "%s", b.data);
			buf_release(&b);
			if (title != NULL)
				ui_rows_text(rs, A_NORMAL, 6, "    ", title);
			if ((v = kb_get_lang(t->kb, key, "meaning",
			    explain_lang())) != NULL)
				ui_rows_text(rs, A_NORMAL, 4, "    ", v);
			if ((v = kb_get_lang(t->kb, key, "param",
			    explain_lang())) != NULL &&
			    *c->kw[i].params != '\0')
				ui_rows_text(rs, A_NORMAL, 4, _("    Parameter: "),
				    v);
			if ((v = kb_get_lang(t->kb, key, "security",
			    explain_lang())) != NULL)
				ui_rows_text(rs, ui_attr(UI_PAIR_WARN, A_BOLD),
				    4, _("    Security: "), v);
			if (title == NULL)
				ui_rows_add(rs, A_DIM, 4, _("    (not in the "
				    "knowledge base: a private or rare "
				    "extension)"));
		}
		if (c->has_size)
			ui_rows_add(rs, A_NORMAL, 0, _("Largest message: %llu "
			    "bytes (about %.1f MB)%s"), c->size,
			    (double)c->size / 1e6, c->size == 0 ? ", 0 means "
			    "no fixed limit" : "");
		if (caps_has(c, "AUTH") && session_sec(t->session) ==
		    SESSION_SEC_CLEAR)
			ui_rows_add(rs, ui_attr(UI_PAIR_WARN, A_BOLD) | A_BOLD,
			    0, _("Warning: AUTH is offered on an unencrypted "
			    "connection; a password sent now can be read on "
			    "the way. Use STARTTLS first."));
	}
	if (pre->valid) {
		ui_rows_add(rs, head, 0, _("Before STARTTLS"));
		for (i = 0; i < pre->n; i++) {
			struct buf	b;

			buf_init(&b, 0);
			text_escape(&b, pre->kw[i].name,
			    strlen(pre->kw[i].name));
			if (*pre->kw[i].params != '\0') {
				buf_addch(&b, ' ');
				text_escape(&b, pre->kw[i].params,
				    strlen(pre->kw[i].params));
			}
			if (c->valid && !caps_has(c, pre->kw[i].name))
				buf_addstr(&b, _("   (gone after STARTTLS)"));
			ui_rows_add(rs, A_NORMAL, 4, "%s", b.data);
			buf_release(&b);
		}
	}
}

/* Rows of the F3 overlay: the TLS session and certificate. */
static void
ui_cert_rows(struct tui *t, struct ui_rows *rs)
{
	const struct tls_info	*ti = t->session != NULL ?
	    session_tls(t->session) : NULL;
	attr_t			 head = ui_attr(UI_PAIR_HEAD, A_BOLD) | A_BOLD;
	struct buf		 b;
	char			*p, *nl;
	int			 closed;

	if (t->session == NULL) {
		ui_rows_add(rs, A_NORMAL, 0, "%s", _("A replayed transcript "
		    "does not keep the certificate: only the TLS boundary and "
		    "the protection of each line are shown."));
		return;
	}

	closed = t->closed || session_closed(t->session);
	if (ti == NULL) {
		if (closed)
			ui_rows_add(rs, A_NORMAL, 0, "%s", _("The session is "
			    "closed. It never used TLS: everything went in "
			    "clear."));
		else
			ui_rows_add(rs, A_NORMAL, 0, _("No TLS yet. Type STARTTLS "
			    "(after EHLO, when the server offers it) or start "
			    "smtpscope with --tls or --tls-on-connect."));
		return;
	}
	if (closed) {
		ui_rows_add(rs, head, 0, "%s", _("The session is closed, and its "
		    "TLS with it"));
		ui_rows_add(rs, A_NORMAL, 9, _("It had TLS: %s, cipher %s "
		    "(%d-bit), and this certificate:"), ti->protocol,
		    ti->cipher, ti->bits);
	} else
		ui_rows_add(rs, head, 0, _("TLS session and certificate"));
	buf_init(&b, 0);
	format_tls(&b, ti, "");
	for (p = b.data; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
		/* The first line says "TLS is up": not once it is closed. */
		if (closed && p == b.data)
			continue;
		ui_rows_add(rs, strncmp(p, "check:", 6) == 0 ? (ti->verified ?
		    ui_attr(UI_PAIR_TLS_OK, A_BOLD) : ui_attr(UI_PAIR_TLS_BAD,
		    A_BOLD)) | A_BOLD : A_NORMAL, 9, "%s", p);
	}
	buf_release(&b);
	if (!ti->verified) {
		ui_rows_add(rs, head, 0, _("What to check"));
		ui_rows_add(rs, A_NORMAL, 0, _("The server could not prove who "
		    "it is. Compare the names above with the host you meant; "
		    "check the dates; make sure the server sends its "
		    "intermediate certificates; for a private CA, give it with "
		    "--cafile.%s"), t->insecure ? _(" This session goes on "
		    "because of --insecure: it is encrypted but not "
		    "authenticated.") : "");
	}
}

/* The overlay window for F1/F2/F3. */
static void
ui_draw_overlay(struct tui *t)
{
	struct ui_rows	 rs = { NULL, 0 };
	WINDOW		*in;
	const char	*title = "";
	int		 h, w, rows;
	size_t		 total;

	if (ui_overlay != NULL) {
		delwin(ui_overlay);
		ui_overlay = NULL;
	}
	if (t->overlay == TUI_OVERLAY_NONE || t->lay.too_small)
		return;
	h = t->lay.rows - 4;
	w = t->lay.cols - 4 > 100 ? 100 : t->lay.cols - 4;
	if (h < 4 || w < 20)
		return;
	ui_overlay = newwin(h, w, 2, (t->lay.cols - w) / 2);
	switch (t->overlay) {
	case TUI_OVERLAY_HELP:
		title = _(" F1 Help ");
		ui_help_rows(t, &rs);
		break;
	case TUI_OVERLAY_CAPS:
		title = _(" F2 Capabilities ");
		ui_caps_rows(t, &rs);
		break;
	case TUI_OVERLAY_CERT:
		title = _(" F3 TLS and certificate ");
		ui_cert_rows(t, &rs);
		break;
	default:
		break;
	}
	werase(ui_overlay);
	box(ui_overlay, 0, 0);
	ui_put(ui_overlay, 0, 2, w - 4, title, strlen(title), A_BOLD);
	rows = h - 2;
	/* Draw inside the border: a subwindow keeps it intact. */
	if ((in = derwin(ui_overlay, rows, w - 2, 1, 1)) == NULL) {
		ui_rows_free(&rs);
		return;
	}
	total = ui_rows_height(in, &rs);
	if (t->overlay_top > 0 && (size_t)t->overlay_top + (size_t)rows > total)
		t->overlay_top = total > (size_t)rows ? (int)(total -
		    (size_t)rows) : 0;
	ui_rows_draw(in, &rs, 0, t->overlay_top);
	delwin(in);
	if (total > (size_t)rows + (size_t)t->overlay_top)
		ui_put(ui_overlay, h - 1, w - 10, 8, " more ", 6, A_REVERSE);
	ui_rows_free(&rs);
}

/* Draw what is dirty, input last, one doupdate(). */
void
ui_flush(struct tui *t)
{
	int	i;

	if (!ui_active || t->dirty == 0)
		return;
	if (t->lay.too_small) {
		werase(stdscr);
		mvaddstr(0, 0, _("smtpscope: the terminal is too small"));
		wnoutrefresh(stdscr);
		doupdate();
		t->dirty = 0;
		return;
	}
	if (t->dirty & TUI_DIRTY_STATUS) {
		ui_draw_status(t);
		wnoutrefresh(ui_status);
	}
	if (t->dirty & TUI_DIRTY_DIALOGUE) {
		ui_draw_dialogue(t);
		wnoutrefresh(ui_dialogue);
		if (ui_sep != NULL) {
			werase(ui_sep);
			for (i = 0; i < getmaxy(ui_sep); i++)
				mvwaddch(ui_sep, i, 0, ACS_VLINE);
			wnoutrefresh(ui_sep);
		}
	}
	if (t->dirty & TUI_DIRTY_EXPLAIN) {
		ui_draw_explain(t);
		wnoutrefresh(ui_explain);
	}
	if (t->dirty & (TUI_DIRTY_HINTS | TUI_DIRTY_INPUT)) {
		ui_draw_hints(t);
		wnoutrefresh(ui_hints);
	}
	if (t->overlay != TUI_OVERLAY_NONE) {
		ui_draw_overlay(t);
		if (ui_overlay != NULL)
			wnoutrefresh(ui_overlay);
	}
	if (ui_input != NULL) {
		input_draw(t, ui_input);
		wnoutrefresh(ui_input);
	}
	curs_set(t->overlay == TUI_OVERLAY_NONE && t->focus ==
	    TUI_FOCUS_INPUT ? 1 : 0);
	doupdate();
	t->dirty = 0;
}
