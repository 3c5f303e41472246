/* SPDX-License-Identifier: ISC */
/*
 * The full-screen front end: status bar, dialogue pane, explanation pane,
 * readline command line and key hints, all driven by one poll() loop.
 * Shared by tui.c (loop, events, commands), ui.c (drawing) and ui-input.c
 * (readline glue).  Nothing in the session core includes this.
 */
#ifndef TUI_H
#define TUI_H

#include <stddef.h>
#include <stdint.h>

#include "tui/layout.h"
#include "record/record.h"

struct kb;
struct replay;
struct scrollback;
struct session;
struct session_event;
struct transcript;

enum tui_focus {
	TUI_FOCUS_INPUT,		/* keys go to the command line */
	TUI_FOCUS_DIALOGUE		/* keys move in the dialogue pane */
};

enum tui_overlay {
	TUI_OVERLAY_NONE,
	TUI_OVERLAY_HELP,		/* F1: keys and commands */
	TUI_OVERLAY_CAPS,		/* F2: EHLO capabilities */
	TUI_OVERLAY_CERT,		/* F3: TLS and certificate */
	TUI_OVERLAY_LAST
};

enum tui_input_mode {
	TUI_INPUT_COMMAND,		/* smtp> or data> */
	TUI_INPUT_PASSWORD,		/* /auth password, no echo */
	TUI_INPUT_SEARCH,		/* search text for the dialogue */
	TUI_INPUT_QUIZ			/* a guess at the newest reply */
};

/* Settings a user can change with /set or the config file. */
struct tui_settings {
	int			timestamps;	/* times in the dialogue */
	int			mouse;		/* wheel and clicks */
	int			color;		/* 0: off (NO_COLOR, mono) */
	int			eol;		/* show line ends, controls */
	enum layout_mode	layout;
	int			presentation;	/* big explanation pane */
	int			verbose;	/* sources in explanations */
	int			quiz;		/* hide explanations until guessed */
	size_t			scrollback;	/* bytes the dialogue keeps */
};

/* The quiz: the newest reply is explained once the student guessed. */
struct tui_quiz {
	long			 reply;		/* reply asked about, -1: none */
	const char		*choices[4];	/* meanings offered, A-D */
	int			 answer;	/* index of the right one */
	int			 score;		/* points so far */
	int			 asked;		/* questions so far */
	long			 revealed;	/* reply whose feedback shows */
	char			 feedback[256];
};

/* Dirty flags: what ui_flush() must draw again. */
#define TUI_DIRTY_STATUS	0x01
#define TUI_DIRTY_DIALOGUE	0x02
#define TUI_DIRTY_EXPLAIN	0x04
#define TUI_DIRTY_INPUT		0x08
#define TUI_DIRTY_HINTS		0x10
#define TUI_DIRTY_OVERLAY	0x20
#define TUI_DIRTY_ALL		0x3f

struct tui {
	struct session		*session;
	const struct kb		*kb;
	struct scrollback	*sb;
	struct transcript	*log;
	struct tui_settings	 set;
	char			*target;	/* "host:port" as typed */
	int			 insecure;	/* --insecure given */

	enum tui_focus		 focus;
	enum tui_overlay	 overlay;
	int			 overlay_top;	/* first row shown */
	long			 selected;	/* reply shown; -1: newest */
	struct record		 rec;		/* events into sb */
	struct replay		*replay;	/* --replay: the transcript */
	size_t			 replay_step;	/* exchanges shown */
	size_t			 scrollback_cli; /* --scrollback, or 0 */
	int			 rebuilding;	/* replaying steps again */
	struct tui_quiz		 quiz;
	int			 follow;	/* dialogue sticks to the end */
	size_t			 bottom;	/* last line shown when not following */
	size_t			 bottom_skip;	/* its rows hidden below the pane */
	int			 explain_top;	/* explanation scroll */
	char			*search;	/* last search text */
	int			 search_back;	/* searching backwards */
	long			 search_hit;	/* line found, -1 none */
	char			*custom;	/* /explain text shown, or NULL */
	size_t			*unanswered;	/* lines sent, reply not come */
	size_t			 nunanswered;
	long			 newest_cmd;	/* line the newest reply answers */

	enum tui_input_mode	 input_mode;
	char			*auth_mech;	/* waiting for a password */
	char			*auth_user;
	char			 message[512];	/* transient hint-line message */

	unsigned		 dirty;
	int			 quit;
	int			 closed;	/* the session has ended */
	int			 color_started;	/* colours in use on screen */
	struct layout		 lay;
};

/* tui.c */
void	tui_quiz_ask(struct tui *, long);
void	tui_replay_step(struct tui *, long);
int	tui_quiz_guess(struct tui *, const char *);
void	tui_init(struct tui *, const struct kb *, const char *);
void	tui_release(struct tui *);
void	tui_event(void *, const struct session_event *);
/* Run the full-screen loop until the user leaves; returns 0 or -1. */
int	tui_run(struct tui *);
void	tui_say(struct tui *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	tui_line(struct tui *, const char *);
void	tui_flash(struct tui *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
const char *tui_next_steps(struct tui *);
void	tui_select(struct tui *, long);
void	tui_scroll(struct tui *, long);
void	tui_search_run(struct tui *, const char *, int);
void	tui_toggle_overlay(struct tui *, enum tui_overlay);
int	tui_set(struct tui *, const char *, const char *);
/*
 * Write the dialogue so far to path as an HTML handout, mode 0644 if public
 * is set, else 0600.  Returns 0, or -1 with *cause set to a message the
 * caller frees.
 */
int	tui_export(struct tui *, const char *, int, char **);

/* ui.c */
int	ui_start(struct tui *);
void	ui_end(void);
void	ui_crash_restore(void);
void	ui_resize(struct tui *);
void	ui_redraw(struct tui *);
void	ui_flush(struct tui *);
int	ui_dialogue_rows(const struct tui *);
int	ui_overlay_rows(const struct tui *);
long	ui_reply_at_row(const struct tui *, int);
size_t	ui_dialogue_line_rows(struct tui *, size_t);

/* ui-input.c */
void	input_start(struct tui *);
/* Leave readline; returns why the history was not saved, or NULL. */
char	*input_end(struct tui *);
void	input_feed(struct tui *, const unsigned char *, size_t);
void	input_interrupt(struct tui *);
void	input_update_prompt(struct tui *);
void	input_draw(struct tui *, void *);
int	input_line_empty(void);
void	input_ask_password(struct tui *, const char *, const char *);
void	input_ask_search(struct tui *, int);

#endif
