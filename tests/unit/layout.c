/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the screen layout (src/tui/layout.c): every size from 20x8 to
 * 220x70, in every mode, with and without big_explain.  Each property is one
 * TAP line per mode; the first size that breaks it is shown with diag().
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tui/layout.h"
#include "tap.h"

#define MAX_ROWS	70
#define MAX_COLS	220

static const char	*mode_names[] = { "auto", "side", "stacked" };

/* What went wrong first, per property. */
struct check {
	const char	*what;
	int		 bad;
	int		 rows, cols;
};

static void	check(struct check *, int, int, int);
static int	rect_inside(const struct layout_rect *, int, int);
static int	rect_overlap(const struct layout_rect *,
		    const struct layout_rect *);
static int	rect_area(const struct layout_rect *);
static int	cover_once(const struct layout *);
static void	report(struct check *, const char *, int);
static void	test_sizes(enum layout_mode, int);
static void	test_big(void);
static void	test_small(void);
static void	test_fixed(void);

/* Note the first size where cond fails. */
static void
check(struct check *c, int cond, int rows, int cols)
{
	if (cond || c->bad)
		return;
	c->bad = 1;
	c->rows = rows;
	c->cols = cols;
}

/* Is r inside a rows x cols screen? */
static int
rect_inside(const struct layout_rect *r, int rows, int cols)
{
	return (r->y >= 0 && r->x >= 0 && r->h >= 0 && r->w >= 0 &&
	    r->y + r->h <= rows && r->x + r->w <= cols);
}

/* Do a and b share a cell? */
static int
rect_overlap(const struct layout_rect *a, const struct layout_rect *b)
{
	if (a->h == 0 || a->w == 0 || b->h == 0 || b->w == 0)
		return (0);
	return (a->y < b->y + b->h && b->y < a->y + a->h &&
	    a->x < b->x + b->w && b->x < a->x + a->w);
}

/* Return the cells of r. */
static int
rect_area(const struct layout_rect *r)
{
	return (r->h * r->w);
}

/* Paint every rectangle on a grid: is each cell painted exactly once? */
static int
cover_once(const struct layout *l)
{
	static unsigned char	 grid[MAX_ROWS][MAX_COLS];
	const struct layout_rect *v[] = { &l->status, &l->dialogue, &l->sep,
	    &l->explain, &l->input, &l->hints };
	size_t			 i;
	int			 y, x;

	memset(grid, 0, sizeof grid);
	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		if (!rect_inside(v[i], l->rows, l->cols))
			return (0);
		for (y = v[i]->y; y < v[i]->y + v[i]->h; y++)
			for (x = v[i]->x; x < v[i]->x + v[i]->w; x++)
				grid[y][x]++;
	}
	for (y = 0; y < l->rows; y++)
		for (x = 0; x < l->cols; x++)
			if (grid[y][x] != 1)
				return (0);
	return (1);
}

/* Emit one TAP line for a property. */
static void
report(struct check *c, const char *mode, int big)
{
	if (!ok(!c->bad, "%s%s: %s", mode, big ? " big" : "", c->what))
		diag("first failure at %d rows x %d cols", c->rows, c->cols);
}

/* Check every size in one mode. */
static void
test_sizes(enum layout_mode mode, int big)
{
	struct check	 inside = { "rects inside the screen", 0, 0, 0 };
	struct check	 disjoint = { "no two rects overlap", 0, 0, 0 };
	struct check	 cover = { "every cell covered exactly once", 0, 0, 0 };
	struct check	 sizes = { "every rect at least 1x1", 0, 0, 0 };
	struct check	 panes = { "panes have a title and a text row", 0, 0,
			    0 };
	struct check	 fixed = { "status, input, hints rows in place", 0, 0,
			    0 };
	struct check	 side = { "side by side exactly when expected", 0, 0,
			    0 };
	struct check	 small = { "never too_small from 20x8 up", 0, 0, 0 };
	struct check	 ew = { "side by side explanation is >= 40 columns",
			    0, 0, 0 };
	struct layout	 l;
	const struct layout_rect *v[6];
	int		 rows, cols, want, i, j, area;

	for (rows = LAYOUT_MIN_ROWS; rows <= MAX_ROWS; rows++) {
		for (cols = LAYOUT_MIN_COLS; cols <= MAX_COLS; cols++) {
			layout_compute(rows, cols, mode, big, &l);
			v[0] = &l.status;
			v[1] = &l.dialogue;
			v[2] = &l.sep;
			v[3] = &l.explain;
			v[4] = &l.input;
			v[5] = &l.hints;
			check(&small, !l.too_small && l.rows == rows &&
			    l.cols == cols, rows, cols);
			area = 0;
			for (i = 0; i < 6; i++) {
				check(&inside, rect_inside(v[i], rows, cols),
				    rows, cols);
				for (j = i + 1; j < 6; j++)
					check(&disjoint,
					    !rect_overlap(v[i], v[j]), rows,
					    cols);
				area += rect_area(v[i]);
				if (i != 2 || l.side)
					check(&sizes, v[i]->h >= 1 &&
					    v[i]->w >= 1, rows, cols);
			}
			check(&sizes, l.side || (l.sep.h == 0 && l.sep.w == 0),
			    rows, cols);
			/* Inside and disjoint, so equal area means a cover. */
			check(&cover, area == rows * cols, rows, cols);
			if (rows % 7 == 0 && cols % 9 == 0)
				check(&cover, cover_once(&l), rows, cols);
			check(&panes, l.dialogue.h >= 2 && l.explain.h >= 2,
			    rows, cols);
			check(&fixed, l.status.y == 0 && l.status.h == 1 &&
			    l.status.w == cols && l.input.y == rows - 2 &&
			    l.hints.y == rows - 1 && l.dialogue.y == 1 &&
			    l.dialogue.x == 0, rows, cols);
			if (mode == LAYOUT_AUTO)
				want = cols >= LAYOUT_SIDE_MIN;
			else if (mode == LAYOUT_SIDE)
				want = cols >= 2 * LAYOUT_MIN_COLS + 1;
			else
				want = 0;
			check(&side, l.side == want, rows, cols);
			if (l.side && mode == LAYOUT_AUTO)
				check(&ew, l.explain.w >= 40, rows, cols);
			if (l.side)
				check(&ew, l.dialogue.w >= LAYOUT_MIN_COLS &&
				    l.explain.w >= LAYOUT_MIN_COLS, rows, cols);
		}
	}
	report(&inside, mode_names[mode], big);
	report(&disjoint, mode_names[mode], big);
	report(&cover, mode_names[mode], big);
	report(&sizes, mode_names[mode], big);
	report(&panes, mode_names[mode], big);
	report(&fixed, mode_names[mode], big);
	report(&side, mode_names[mode], big);
	report(&small, mode_names[mode], big);
	report(&ew, mode_names[mode], big);
}

/* big_explain gives the explanation more room. */
static void
test_big(void)
{
	struct check	 more = {
	    "auto: big_explain gives the explanation more", 0, 0, 0 };
	struct check	 notless = { "side: big_explain never gives it less",
			    0, 0, 0 };
	struct layout	 n, b;
	int		 rows, cols;

	for (rows = LAYOUT_MIN_ROWS; rows <= MAX_ROWS; rows++) {
		for (cols = LAYOUT_MIN_COLS; cols <= MAX_COLS; cols++) {
			layout_compute(rows, cols, LAYOUT_AUTO, 0, &n);
			layout_compute(rows, cols, LAYOUT_AUTO, 1, &b);
			check(&more, rect_area(&b.explain) >
			    rect_area(&n.explain) && rect_area(&b.explain) >
			    rect_area(&b.dialogue), rows, cols);
			layout_compute(rows, cols, LAYOUT_SIDE, 0, &n);
			layout_compute(rows, cols, LAYOUT_SIDE, 1, &b);
			check(&notless, rect_area(&b.explain) >=
			    rect_area(&n.explain), rows, cols);
		}
	}
	report(&more, "", 0);
	report(&notless, "", 0);

	layout_compute(40, 200, LAYOUT_AUTO, 0, &n);
	layout_compute(40, 200, LAYOUT_AUTO, 1, &b);
	ok(n.dialogue.w == 110 && n.explain.w == 89,
	    "200 cols: dialogue 110, explanation 89 (%d, %d)", n.dialogue.w,
	    n.explain.w);
	ok(b.explain.w == 120 && b.dialogue.w == 79,
	    "200 cols big: explanation 120, dialogue 79 (%d, %d)",
	    b.explain.w, b.dialogue.w);
	layout_compute(40, 80, LAYOUT_AUTO, 0, &n);
	layout_compute(40, 80, LAYOUT_AUTO, 1, &b);
	ok(n.dialogue.h == 20 && n.explain.h == 17,
	    "37 pane rows stacked: dialogue 20, explanation 17 (%d, %d)",
	    n.dialogue.h, n.explain.h);
	ok(b.dialogue.h == 13 && b.explain.h == 24,
	    "37 pane rows big: dialogue 13, explanation 24 (%d, %d)",
	    b.dialogue.h, b.explain.h);
}

/* Below the minimum only the status bar is set. */
static void
test_small(void)
{
	struct check	 flag = { "too_small below the minimums", 0, 0, 0 };
	struct check	 rects = { "too_small: only status has a size", 0, 0,
			    0 };
	struct layout	 l;
	int		 rows, cols;

	for (rows = -1; rows <= MAX_ROWS; rows++) {
		for (cols = -1; cols <= MAX_COLS; cols++) {
			if (rows >= LAYOUT_MIN_ROWS && cols >= LAYOUT_MIN_COLS)
				continue;
			layout_compute(rows, cols, LAYOUT_AUTO, 0, &l);
			check(&flag, l.too_small, rows, cols);
			check(&rects, rect_area(&l.dialogue) == 0 &&
			    rect_area(&l.explain) == 0 &&
			    rect_area(&l.sep) == 0 &&
			    rect_area(&l.input) == 0 &&
			    rect_area(&l.hints) == 0 &&
			    (rows < 1 || cols < 1 ? rect_area(&l.status) == 0 :
			    l.status.h == 1 && l.status.w == cols &&
			    l.status.y == 0), rows, cols);
		}
	}
	report(&flag, "", 0);
	report(&rects, "", 0);
}

/* The switch points named in the header. */
static void
test_fixed(void)
{
	struct layout	l;

	layout_compute(30, 99, LAYOUT_AUTO, 0, &l);
	ok(!l.side, "auto, 99 cols: stacked");
	layout_compute(30, 100, LAYOUT_AUTO, 0, &l);
	ok(l.side && l.sep.x == l.dialogue.w && l.sep.w == 1,
	    "auto, 100 cols: side by side, separator after the dialogue");
	ok(l.dialogue.w == 55 && l.explain.w == 44,
	    "auto, 100 cols: 55 + 1 + 44 (%d, %d)", l.dialogue.w,
	    l.explain.w);
	layout_compute(30, 40, LAYOUT_SIDE, 0, &l);
	ok(!l.side, "side, 40 cols: falls back to stacked");
	layout_compute(30, 41, LAYOUT_SIDE, 0, &l);
	ok(l.side && l.dialogue.w == 20 && l.explain.w == 20,
	    "side, 41 cols: 20 + 1 + 20");
	layout_compute(30, 70, LAYOUT_SIDE, 0, &l);
	ok(l.side && l.explain.w == 40 && l.dialogue.w == 29,
	    "side, 70 cols: the explanation keeps 40 (%d, %d)",
	    l.dialogue.w, l.explain.w);
	layout_compute(70, 220, LAYOUT_STACKED, 0, &l);
	ok(!l.side && l.dialogue.w == 220 && l.explain.y == 1 + l.dialogue.h,
	    "stacked, 220 cols: explanation below the dialogue");
	layout_compute(8, 20, LAYOUT_AUTO, 0, &l);
	ok(!l.too_small && l.dialogue.h + l.explain.h == 5,
	    "20x8 is usable: 5 pane rows");
	layout_compute(7, 20, LAYOUT_AUTO, 0, &l);
	ok(l.too_small, "20x7 is too small");
	layout_compute(8, 19, LAYOUT_AUTO, 0, &l);
	ok(l.too_small, "19x8 is too small");
}

/* Run the tests. */
int
main(void)
{
	int	big;

	for (big = 0; big <= 1; big++) {
		test_sizes(LAYOUT_AUTO, big);
		test_sizes(LAYOUT_SIDE, big);
		test_sizes(LAYOUT_STACKED, big);
	}
	test_big();
	test_small();
	test_fixed();
	return (done_testing());
}
