/* SPDX-License-Identifier: ISC */
/*
 * Translations through gettext (glibc's libintl).  Strings shown to people
 * are written _("...") where they are used, N_("...") where they are only
 * listed (and translated when used).  The catalogs are po/LANG.po.
 */
#ifndef I18N_H
#define I18N_H

#include <libintl.h>

#define _(s)	gettext(s)
#define N_(s)	(s)

/*
 * Choose the language: lang (from --lang) or the environment's
 * LANGUAGE, LC_ALL, LC_MESSAGES or LANG.  Works where the system has not
 * generated that locale (falls back to C.UTF-8 and tells gettext the
 * language through LANGUAGE).  Returns the language in use ("zh_CN", "vi")
 * or NULL for English; the string stays valid for the whole run.
 */
const char	*i18n_init(const char *);

/* Is there a catalog for lang ("zh_CN", or its "zh" prefix)? */
int		 i18n_has(const char *);

#endif
