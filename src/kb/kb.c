/* SPDX-License-Identifier: ISC */
/*
 * Knowledge-base loader: parses stanza files and answers lookups by key and
 * field.  The files are small (tens of kilobytes), so a sorted array and a
 * binary search are plenty.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "kb/kb.h"
#include "kb/match.h"
#include "base/xmalloc.h"

/* Refuse absurd files rather than read them whole. */
#define KB_FILE_MAX	(4 * 1024 * 1024)

struct kb_field {
	char		*name;
	char		*value;
	unsigned	 gen;		/* load that set it */
};

struct kb_entry {
	char		*key;
	const char	*origin;	/* file of the last load touching it */
	unsigned	 gen;		/* that load */
	size_t		 seq;		/* order of first appearance */
	struct kb_field	*fields;
	size_t		 nfields;
	size_t		 fields_cap;
	size_t		 nold;		/* leading fields from earlier loads */
};

struct kb {
	struct kb_entry	*entries;
	size_t		 n;
	size_t		 cap;
	int		 sorted;
	unsigned	 gen;		/* loads so far */
	char		**origins;	/* file names, owned */
	size_t		 norigins;
	size_t		 duplicates;	/* stanzas given twice in one file */
	size_t		 seq;
	struct match	*match;		/* compiled patterns and servers */
	size_t		*index;		/* hash of keys: entry + 1, 0 empty */
	size_t		 index_cap;	/* a power of two, over 2n */
};

static struct kb_entry	*kb_find(const struct kb *, const char *);
static struct kb_entry	*kb_entry_get(struct kb *, const char *);
static void		 kb_set(struct kb *, struct kb_entry *, const char *,
			    size_t, const char *, size_t);
static void		 kb_replace_old(struct kb *);
static void		 kb_sort(struct kb *);
static int		 kb_entry_cmp(const void *, const void *);
static int		 kb_name_cmp(const void *, const void *);

/* Create an empty knowledge base. */
struct kb *
kb_new_empty(void)
{
	return (xcalloc(1, sizeof (struct kb)));
}

/* Create a knowledge base from the embedded files. */
struct kb *
kb_new(void)
{
	struct kb	*kb = kb_new_empty();
	char		*cause;
	size_t		 i;

	for (i = 0; kb_embedded[i].name != NULL; i++) {
		if (kb_load_text(kb, kb_embedded[i].name, kb_embedded[i].text,
		    kb_embedded[i].len, &cause) != 0) {
			/* The build checks the data; this is a bug. */
			free(cause);
		}
	}
	return (kb);
}

/* Free everything. */
void
kb_free(struct kb *kb)
{
	size_t	i, j;

	if (kb == NULL)
		return;
	for (i = 0; i < kb->n; i++) {
		for (j = 0; j < kb->entries[i].nfields; j++) {
			free(kb->entries[i].fields[j].name);
			free(kb->entries[i].fields[j].value);
		}
		free(kb->entries[i].fields);
		free(kb->entries[i].key);
	}
	free(kb->entries);
	for (i = 0; i < kb->norigins; i++)
		free(kb->origins[i]);
	free(kb->origins);
	free(kb->index);
	match_free(kb->match);
	free(kb);
}

/* Compare two entries by key. */
static int
kb_entry_cmp(const void *a, const void *b)
{
	const struct kb_entry	*ea = a, *eb = b;

	return (strcmp(ea->key, eb->key));
}

/* FNV-1a over a key. */
static size_t
kb_hash(const char *key)
{
	uint64_t	h = 14695981039346656037ULL;

	for (; *key != '\0'; key++) {
		h ^= (unsigned char)*key;
		h *= 1099511628211ULL;
	}
	return ((size_t)h);
}

/* Put entry i in the index (which has room). */
static void
kb_index_put(struct kb *kb, size_t i)
{
	size_t	mask = kb->index_cap - 1, h;

	for (h = kb_hash(kb->entries[i].key) & mask; kb->index[h] != 0;
	    h = (h + 1) & mask)
		;
	kb->index[h] = i + 1;
}

/* Build the index again: after sorting moved entries, or to grow it. */
static void
kb_index_rebuild(struct kb *kb)
{
	size_t	i;

	while (kb->index_cap < 2 * (kb->n + 1))
		kb->index_cap = kb->index_cap == 0 ? 64 : kb->index_cap * 2;
	free(kb->index);
	kb->index = xcalloc(kb->index_cap, sizeof *kb->index);
	for (i = 0; i < kb->n; i++)
		kb_index_put(kb, i);
}

/*
 * Sort entries (kb_key(), kb_count() and the lint walk them in key
 * order); the hash index follows them.
 */
static void
kb_sort(struct kb *kb)
{
	if (!kb->sorted) {
		if (kb->n > 1)
			qsort(kb->entries, kb->n, sizeof *kb->entries,
			    kb_entry_cmp);
		kb->sorted = 1;
		kb_index_rebuild(kb);
	}
}

/* Find an entry. */
static struct kb_entry *
kb_find(const struct kb *kb, const char *key)
{
	size_t	mask, h, i;

	if (kb->n == 0 || kb->index_cap == 0)
		return (NULL);
	mask = kb->index_cap - 1;
	for (h = kb_hash(key) & mask; (i = kb->index[h]) != 0;
	    h = (h + 1) & mask)
		if (strcmp(kb->entries[i - 1].key, key) == 0)
			return (&kb->entries[i - 1]);
	return (NULL);
}

/* Find or create an entry. */
static struct kb_entry *
kb_entry_get(struct kb *kb, const char *key)
{
	struct kb_entry	*e;

	if ((e = kb_find(kb, key)) != NULL)
		return (e);
	if (kb->n == kb->cap) {
		kb->cap = kb->cap == 0 ? 64 : kb->cap * 2;
		kb->entries = xreallocarray(kb->entries, kb->cap,
		    sizeof *kb->entries);
	}
	e = &kb->entries[kb->n++];
	e->key = xstrdup(key);
	if (kb->index_cap < 2 * (kb->n + 1))
		kb_index_rebuild(kb);
	else
		kb_index_put(kb, kb->n - 1);
	e->fields = NULL;
	e->nfields = 0;
	e->fields_cap = 0;
	e->nold = 0;
	e->gen = 0;
	e->origin = NULL;
	e->seq = kb->seq++;
	kb->sorted = 0;
	return (e);
}

/*
 * Add a field.  Within one file a field given again adds a value (such as
 * several "sample:" lines); a later file replaces all earlier values, which
 * kb_replace_old() does once the file is read, so that a stanza with many
 * fields loads in time linear in their number.
 */
static void
kb_set(struct kb *kb, struct kb_entry *e, const char *name, size_t nlen,
    const char *value, size_t vlen)
{
	struct kb_field	*f;

	if (e->nfields == e->fields_cap) {
		e->fields_cap = e->fields_cap == 0 ? 4 : e->fields_cap * 2;
		e->fields = xreallocarray(e->fields, e->fields_cap,
		    sizeof *e->fields);
	}
	f = &e->fields[e->nfields++];
	f->name = xstrndup(name, nlen);
	f->value = xstrndup(value, vlen);
	f->gen = kb->gen;
}

/*
 * After a load: in each stanza it touched, drop the fields of earlier
 * loads that this one gave again.  The new names are sorted once per
 * stanza and each old field looked up by binary search.
 */
static void
kb_replace_old(struct kb *kb)
{
	struct kb_entry	 *e;
	char		**names;
	size_t		  i, j, k, nnew;

	for (i = 0; i < kb->n; i++) {
		e = &kb->entries[i];
		if (e->gen != kb->gen || e->nold == 0 || e->nold == e->nfields)
			continue;
		nnew = e->nfields - e->nold;
		names = xreallocarray(NULL, nnew, sizeof *names);
		for (j = 0; j < nnew; j++)
			names[j] = e->fields[e->nold + j].name;
		qsort(names, nnew, sizeof *names, kb_name_cmp);
		for (j = 0, k = 0; j < e->nfields; j++) {
			if (j < e->nold && bsearch(&e->fields[j].name, names,
			    nnew, sizeof *names, kb_name_cmp) != NULL) {
				free(e->fields[j].name);
				free(e->fields[j].value);
				continue;
			}
			e->fields[k++] = e->fields[j];
		}
		e->nfields = k;
		e->nold = 0;
		free(names);
	}
}

/* Parse stanza text. */
int
kb_load_text(struct kb *kb, const char *name, const char *text, size_t len,
    char **cause)
{
	struct kb_entry	*e = NULL;
	struct buf	 val;
	const char	*p = text, *end = text + len, *eol, *colon;
	const char	*fname = NULL;
	size_t		 fnlen = 0, lineno = 0, flen, i;
	int		 rc = -1;

	buf_init(&val, 0);
	kb->gen++;
	kb->origins = xreallocarray(kb->origins, kb->norigins + 1,
	    sizeof *kb->origins);
	kb->origins[kb->norigins++] = xstrdup(name);
	match_free(kb->match);
	kb->match = NULL;
	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		flen = (size_t)(eol - p);
		if (flen > 0 && p[flen - 1] == '\r')
			flen--;
		lineno++;
		if (memchr(p, '\0', flen) != NULL) {
			*cause = xasprintf("%s:%zu: NUL byte in line", name,
			    lineno);
			goto out;
		}

		/* Continuation: starts with a space or tab. */
		if (flen > 0 && (p[0] == ' ' || p[0] == '\t')) {
			for (i = 0; i < flen && (p[i] == ' ' || p[i] == '\t');
			    i++)
				;
			if (i == flen)
				goto next;	/* blank */
			if (fname == NULL) {
				*cause = xasprintf("%s:%zu: continuation line "
				    "with no field before it", name, lineno);
				goto out;
			}
			if (val.len > 0)
				buf_addch(&val, ' ');
			buf_add(&val, p + i, flen - i);
			goto next;
		}

		/* Anything else ends the value being collected. */
		if (fname != NULL) {
			kb_set(kb, e, fname, fnlen, val.data, val.len);
			fname = NULL;
			buf_reset(&val);
		}
		if (flen == 0 || p[0] == '#')
			goto next;
		if (p[0] == '[') {
			if (flen < 3 || p[flen - 1] != ']') {
				*cause = xasprintf("%s:%zu: bad stanza header",
				    name, lineno);
				goto out;
			}
			{
				char	*key = xstrndup(p + 1, flen - 2);

				e = kb_entry_get(kb, key);
				free(key);
				if (e->gen == kb->gen)
					kb->duplicates++;
				else
					e->nold = e->nfields;
				e->gen = kb->gen;
				e->origin = kb->origins[kb->norigins - 1];
			}
			goto next;
		}
		colon = memchr(p, ':', flen);
		if (colon == NULL || colon == p) {
			*cause = xasprintf("%s:%zu: expected \"field: value\"",
			    name, lineno);
			goto out;
		}
		if (e == NULL) {
			*cause = xasprintf("%s:%zu: field before any [stanza]",
			    name, lineno);
			goto out;
		}
		fname = p;
		fnlen = (size_t)(colon - p);
		for (i = (size_t)(colon - p) + 1; i < flen && p[i] == ' '; i++)
			;
		buf_add(&val, p + i, flen - i);
next:
		p = eol < end ? eol + 1 : end;
	}
	if (fname != NULL)
		kb_set(kb, e, fname, fnlen, val.data, val.len);
	rc = 0;
out:
	buf_release(&val);
	kb_replace_old(kb);
	kb_sort(kb);
	return (rc);
}

/* Load one file from disk. */
int
kb_load_file(struct kb *kb, const char *path, char **cause)
{
	FILE		*f;
	struct buf	 b;
	char		 chunk[8192];
	size_t		 n;
	int		 rc;

	if ((f = fopen(path, "r")) == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return (-1);
	}
	buf_init(&b, KB_FILE_MAX);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (buf_add(&b, chunk, n) == -1) {
			*cause = xasprintf("%s: file too large", path);
			fclose(f);
			buf_release(&b);
			return (-1);
		}
	}
	if (ferror(f)) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		fclose(f);
		buf_release(&b);
		return (-1);
	}
	fclose(f);
	rc = kb_load_text(kb, path, b.data, b.len, cause);
	buf_release(&b);
	return (rc);
}

/* Compare two strings for qsort. */
static int
kb_name_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/* Load every *.kb file of a directory. */
int
kb_load_dir(struct kb *kb, const char *dir, char **cause)
{
	DIR		*d;
	struct dirent	*de;
	char		**names = NULL, *path;
	size_t		 n = 0, i, len;
	int		 rc = 0;

	if ((d = opendir(dir)) == NULL) {
		*cause = xasprintf("%s: %s", dir, strerror(errno));
		return (-1);
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 4 || strcmp(de->d_name + len - 3, ".kb") != 0 ||
		    de->d_name[0] == '.')
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof *names, kb_name_cmp);
	for (i = 0; i < n; i++) {
		path = xasprintf("%s/%s", dir, names[i]);
		if (rc == 0 && kb_load_file(kb, path, cause) != 0)
			rc = -1;
		free(path);
		free(names[i]);
	}
	free(names);
	return (rc);
}

/* Look up a field. */
const char *
kb_get(const struct kb *kb, const char *key, const char *field)
{
	struct kb_entry	*e;
	size_t		 i;

	if ((e = kb_find(kb, key)) == NULL)
		return (NULL);
	/* A field given twice: the later value wins, as in any config. */
	for (i = e->nfields; i-- > 0;)
		if (strcmp(e->fields[i].name, field) == 0)
			return (e->fields[i].value);
	return (NULL);
}

/* Return value number n of a field (for repeated fields), or NULL. */
const char *
kb_get_nth(const struct kb *kb, const char *key, const char *field, size_t n)
{
	struct kb_entry	*e;
	size_t		 i;

	if ((e = kb_find(kb, key)) == NULL)
		return (NULL);
	for (i = 0; i < e->nfields; i++)
		if (strcmp(e->fields[i].name, field) == 0 && n-- == 0)
			return (e->fields[i].value);
	return (NULL);
}

/*
 * Return the value of field in language lang ("zh_CN": tries
 * "field[zh_CN]", then "field[zh]"), falling back to the plain field.
 */
const char *
kb_get_lang(const struct kb *kb, const char *key, const char *field,
    const char *lang)
{
	char		 name[64];
	const char	*v;
	size_t		 n;

	if (lang != NULL && *lang != '\0' && strcmp(lang, "C") != 0 &&
	    strncmp(lang, "en", 2) != 0) {
		snprintf(name, sizeof name, "%s[%s]", field, lang);
		if ((v = kb_get(kb, key, name)) != NULL)
			return (v);
		n = strcspn(lang, "_.@");
		snprintf(name, sizeof name, "%s[%.*s]", field, (int)n, lang);
		if ((v = kb_get(kb, key, name)) != NULL)
			return (v);
	}
	return (kb_get(kb, key, field));
}

/* The file a stanza was last loaded from, or NULL. */
const char *
kb_origin(const struct kb *kb, const char *key)
{
	struct kb_entry	*e;

	return ((e = kb_find(kb, key)) != NULL ? e->origin : NULL);
}

/* Order in which a stanza first appeared (file order), or 0. */
size_t
kb_seq(const struct kb *kb, const char *key)
{
	struct kb_entry	*e;

	return ((e = kb_find(kb, key)) != NULL ? e->seq : 0);
}

/* Stanza headers that appeared twice within one file. */
size_t
kb_duplicates(const struct kb *kb)
{
	return (kb->duplicates);
}

/* The compiled patterns and server signatures (compiled on first use). */
const struct match *
kb_match(const struct kb *kb)
{
	struct kb	*mkb = (struct kb *)kb;
	char		*cause = NULL;

	/* Compiling is a cache fill, not a change of what the kb says. */
	if (mkb->match == NULL) {
		mkb->match = match_new(kb, 0, &cause);
		free(cause);
	}
	return (mkb->match);
}

/* Compile patterns now, reporting the first bad one. */
int
kb_compile(struct kb *kb, char **cause)
{
	match_free(kb->match);
	kb->match = match_new(kb, 1, cause);
	return (*cause == NULL ? 0 : -1);
}

/* Does a stanza exist? */
int
kb_has(const struct kb *kb, const char *key)
{
	return (kb_find(kb, key) != NULL);
}

/* Number of stanzas. */
size_t
kb_count(const struct kb *kb)
{
	return (kb->n);
}

/* Key of stanza i. */
const char *
kb_key(const struct kb *kb, size_t i)
{
	return (i < kb->n ? kb->entries[i].key : NULL);
}

/* Number of fields of stanza i. */
size_t
kb_nfields(const struct kb *kb, size_t i)
{
	return (i < kb->n ? kb->entries[i].nfields : 0);
}

/* Name of field j of stanza i. */
const char *
kb_field_name(const struct kb *kb, size_t i, size_t j)
{
	if (i >= kb->n || j >= kb->entries[i].nfields)
		return (NULL);
	return (kb->entries[i].fields[j].name);
}
