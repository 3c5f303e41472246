/* SPDX-License-Identifier: ISC */
/*
 * Debug log (to a file given with -v) and fatal errors.  Nothing here writes
 * to the terminal except fatal(), and only after the front end's teardown
 * hook has restored it.
 */
#ifndef LOG_H
#define LOG_H

/*
 * Open the debug log at path (appended to, created with mode 0600, under
 * file_open_append()'s rules); returns -1 and *cause on failure.
 */
int	log_open(const char *, char **);
void	log_close(void);
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Set a function called before fatal messages (e.g. to call endwin()). */
void	log_set_fatal_hook(void (*)(void));
/* Report a broken invariant or exhausted resource and exit; fatal adds errno. */
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
