/* SPDX-License-Identifier: ISC */
/*
 * Screen layout: where the status bar, the dialogue pane, the explanation
 * pane, the command line and the key hints go for a terminal size.  Pure
 * arithmetic, no curses, unit-tested.
 *
 *   row 0            status bar
 *   rows 1..r-3      panes: side by side (cols >= LAYOUT_SIDE_MIN), with a
 *                    one-column separator, or stacked (dialogue above)
 *   row r-2          command line
 *   row r-1          key hints
 * Each pane rectangle includes its own one-row title at its top.
 */
#ifndef LAYOUT_H
#define LAYOUT_H

#define LAYOUT_SIDE_MIN		100	/* columns for side by side */
#define LAYOUT_MIN_COLS		20
#define LAYOUT_MIN_ROWS		8

enum layout_mode {
	LAYOUT_AUTO,		/* side by side when wide enough */
	LAYOUT_SIDE,		/* always side by side (if it fits at all) */
	LAYOUT_STACKED		/* always stacked */
};

struct layout_rect {
	int	y, x, h, w;
};

struct layout {
	int			rows, cols;
	int			too_small;	/* below the minimum: draw a notice only */
	int			side;		/* 1: side by side, 0: stacked */
	struct layout_rect	status;
	struct layout_rect	dialogue;	/* title row + contents */
	struct layout_rect	sep;		/* separator column (w 0 when stacked) */
	struct layout_rect	explain;	/* title row + contents */
	struct layout_rect	input;
	struct layout_rect	hints;
};

/*
 * Compute the layout for rows x cols.  big_explain (0 or 1) gives the
 * explanation pane the larger share (presentation use).  Rectangles never
 * overlap and together cover the screen exactly; every height and width is
 * at least 1 unless too_small is set.
 */
void	layout_compute(int, int, enum layout_mode, int, struct layout *);

#endif
