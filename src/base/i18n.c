/* SPDX-License-Identifier: ISC */
/*
 * Locale and message catalog set-up.
 */
#include "config.h"

#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/i18n.h"

static char	i18n_lang[32];

static int	i18n_is_english(const char *);

/* Is this "C", "POSIX" or an English locale name? */
static int
i18n_is_english(const char *l)
{
	return (l == NULL || *l == '\0' || strcmp(l, "C") == 0 ||
	    strncmp(l, "C.", 2) == 0 || strcmp(l, "POSIX") == 0 ||
	    strncmp(l, "en", 2) == 0);
}

/* Is there a catalog for this language? */
int
i18n_has(const char *lang)
{
	const char	*dir;
	char		 path[4096];
	size_t		 n;

	if (i18n_is_english(lang))
		return (1);
	if ((dir = getenv("SMTPSCOPE_LOCALEDIR")) == NULL || *dir == '\0')
		dir = LOCALEDIR;
	n = strcspn(lang, ".@:");
	snprintf(path, sizeof path, "%s/%.*s/LC_MESSAGES/%s.mo", dir, (int)n,
	    lang, PACKAGE);
	if (access(path, R_OK) == 0)
		return (1);
	n = strcspn(lang, "_.@:");
	snprintf(path, sizeof path, "%s/%.*s/LC_MESSAGES/%s.mo", dir, (int)n,
	    lang, PACKAGE);
	return (access(path, R_OK) == 0);
}

/* Set up the locale and the catalog. */
const char *
i18n_init(const char *lang)
{
	const char	*env = NULL, *dir, *loc;
	size_t		 n;

	loc = setlocale(LC_ALL, "");
	if (loc == NULL) {
		/* The locale named in the environment is not installed. */
		loc = setlocale(LC_ALL, "C.UTF-8");
	} else if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0 &&
	    (lang != NULL || (getenv("LANGUAGE") != NULL &&
	    *getenv("LANGUAGE") != '\0'))) {
		/* Translations are UTF-8: C.UTF-8 shows them where C cannot. */
		if (setlocale(LC_ALL, "C.UTF-8") != NULL)
			loc = "C.UTF-8";
	}

	if (lang == NULL) {
		if ((env = getenv("LANGUAGE")) == NULL || *env == '\0')
			env = NULL;
		if (env == NULL && ((env = getenv("LC_ALL")) == NULL ||
		    *env == '\0') && ((env = getenv("LC_MESSAGES")) == NULL ||
		    *env == '\0'))
			env = getenv("LANG");
		lang = env;
	}
	if (lang != NULL && !i18n_is_english(lang)) {
		n = strcspn(lang, ".@:");
		if (n >= sizeof i18n_lang)
			n = sizeof i18n_lang - 1;
		memcpy(i18n_lang, lang, n);
		i18n_lang[n] = '\0';
		/* gettext follows LANGUAGE even when the locale is C.UTF-8. */
		setenv("LANGUAGE", i18n_lang, 1);
	} else if (lang != NULL && i18n_is_english(lang) && env == NULL)
		setenv("LANGUAGE", "en", 1);

	if ((dir = getenv("SMTPSCOPE_LOCALEDIR")) == NULL || *dir == '\0')
		dir = LOCALEDIR;
	bindtextdomain(PACKAGE, dir);
	bind_textdomain_codeset(PACKAGE, "UTF-8");
	textdomain(PACKAGE);
	(void)loc;
	return (i18n_lang[0] != '\0' ? i18n_lang : NULL);
}
