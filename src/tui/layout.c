/* SPDX-License-Identifier: ISC */
/*
 * Screen layout arithmetic: from a terminal size to the rectangles of the
 * status bar, the two panes, the separator, the command line and the key
 * hints.  The panes share the rows between the status bar and the command
 * line, either side by side (dialogue left, a one-column separator, the
 * explanation right) or stacked (dialogue above).  The dialogue normally gets
 * about 55% of the room; big_explain hands the larger share to the
 * explanation for presentations.  Pure arithmetic, so it is unit-tested for
 * every size that matters.
 */
#include "config.h"

#include <string.h>

#include "tui/layout.h"

/* Share of the width or height, in percent. */
#define LAYOUT_DIALOGUE_PCT	55	/* dialogue, normally */
#define LAYOUT_BIG_SIDE_PCT	60	/* explanation, big_explain, side */
#define LAYOUT_BIG_STACK_PCT	65	/* explanation, big_explain, stacked */
#define LAYOUT_EXPLAIN_MIN_W	40	/* explanation width, side by side */
#define LAYOUT_PANE_MIN_H	2	/* title row and one row of text */

static void	layout_rect(struct layout_rect *, int, int, int, int);
static int	layout_share(int, int);
static void	layout_side(struct layout *, int, int, int);
static void	layout_stacked(struct layout *, int, int, int);

/* Set a rectangle. */
static void
layout_rect(struct layout_rect *r, int y, int x, int h, int w)
{
	r->y = y;
	r->x = x;
	r->h = h;
	r->w = w;
}

/* Return pct percent of n, rounded to the nearest integer. */
static int
layout_share(int n, int pct)
{
	return ((n * pct + 50) / 100);
}

/* Put the panes side by side in the rows y .. y + h - 1. */
static void
layout_side(struct layout *l, int y, int h, int big)
{
	int	cols = l->cols, dw, ew;

	if (big) {
		ew = layout_share(cols, LAYOUT_BIG_SIDE_PCT);
		dw = cols - 1 - ew;
	} else {
		dw = layout_share(cols, LAYOUT_DIALOGUE_PCT);
		ew = cols - 1 - dw;
	}
	if (ew < LAYOUT_EXPLAIN_MIN_W)
		ew = LAYOUT_EXPLAIN_MIN_W;
	/* The dialogue keeps a usable width even when that is not possible. */
	if (cols - 1 - ew < LAYOUT_MIN_COLS)
		ew = cols - 1 - LAYOUT_MIN_COLS;
	dw = cols - 1 - ew;

	l->side = 1;
	layout_rect(&l->dialogue, y, 0, h, dw);
	layout_rect(&l->sep, y, dw, h, 1);
	layout_rect(&l->explain, y, dw + 1, h, ew);
}

/* Put the dialogue above the explanation in the rows y .. y + h - 1. */
static void
layout_stacked(struct layout *l, int y, int h, int big)
{
	int	dh;

	if (big)
		dh = h - layout_share(h, LAYOUT_BIG_STACK_PCT);
	else
		dh = layout_share(h, LAYOUT_DIALOGUE_PCT);
	if (dh > h - LAYOUT_PANE_MIN_H)
		dh = h - LAYOUT_PANE_MIN_H;
	if (dh < LAYOUT_PANE_MIN_H)
		dh = LAYOUT_PANE_MIN_H;

	l->side = 0;
	layout_rect(&l->dialogue, y, 0, dh, l->cols);
	layout_rect(&l->sep, 0, 0, 0, 0);
	layout_rect(&l->explain, y + dh, 0, h - dh, l->cols);
}

/* Compute the layout for a rows x cols screen. */
void
layout_compute(int rows, int cols, enum layout_mode mode, int big,
    struct layout *l)
{
	int	side;

	memset(l, 0, sizeof *l);
	l->rows = rows;
	l->cols = cols;

	if (rows < LAYOUT_MIN_ROWS || cols < LAYOUT_MIN_COLS) {
		/* Only a notice fits; it goes in the status bar. */
		l->too_small = 1;
		if (rows > 0 && cols > 0)
			layout_rect(&l->status, 0, 0, 1, cols);
		return;
	}

	layout_rect(&l->status, 0, 0, 1, cols);
	layout_rect(&l->input, rows - 2, 0, 1, cols);
	layout_rect(&l->hints, rows - 1, 0, 1, cols);

	switch (mode) {
	case LAYOUT_SIDE:
		side = cols >= 2 * LAYOUT_MIN_COLS + 1;
		break;
	case LAYOUT_STACKED:
		side = 0;
		break;
	case LAYOUT_AUTO:
	default:
		side = cols >= LAYOUT_SIDE_MIN;
		break;
	}
	if (side)
		layout_side(l, 1, rows - 3, big != 0);
	else
		layout_stacked(l, 1, rows - 3, big != 0);
}
