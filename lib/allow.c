/*
 * allow.c - the allowlist (restrict_to / GITHUB_USERS).  Entries are
 * separated by any run of commas and whitespace.  An entry of digits only
 * is a numeric GitHub user id (stable: logins can be renamed and then
 * claimed by someone else); any other entry is a login, compared ASCII
 * case-insensitively as GitHub does.  The entry "*" sets any: any GitHub
 * account, said explicitly (config.c refuses it next to other entries, and
 * a present list that names nobody).  An empty list admits any account:
 * restrict_to not set, llms.py's meaning.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ghauth-int.h"

static int
is_sep(char c)
{
	return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\f' || c == '\v';
}

/*
 * GitHub logins: letters, digits, hyphens (and '_' for Enterprise Managed
 * Users), at most 39 characters for normal accounts; we allow up to 64.
 */
int
ghauthp_valid_login(const char *s)
{
	size_t	 i, n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return 0;
	return 1;
}

/*
 * Parses list into a (zeroed or freed) a.  Returns 0, -1 on allocation
 * failure, or the 1-based index of the first invalid entry.
 */
int
ghauth_allow_parse(struct ghauth_allow *a, const char *list)
{
	const char	*p = list, *start;
	char		 entry[65];
	size_t		 n;
	int		 idx = 0;

	memset(a, 0, sizeof(*a));
	a->login = calloc(GHAUTH_ALLOW_MAX, sizeof(char *));
	a->id = calloc(GHAUTH_ALLOW_MAX, sizeof(uint64_t));
	if (a->login == NULL || a->id == NULL) {
		ghauth_allow_free(a);
		return -1;
	}
	for (;;) {
		while (*p != '\0' && is_sep(*p))
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && !is_sep(*p))
			p++;
		n = (size_t)(p - start);
		idx++;
		if (n >= sizeof(entry) || a->n >= GHAUTH_ALLOW_MAX)
			goto bad;
		memcpy(entry, start, n);
		entry[n] = '\0';
		if (strcmp(entry, "*") == 0) {
			a->any = 1;
			continue;
		}
		if (strspn(entry, "0123456789") == n) {
			char		*end;
			unsigned long long v;

			errno = 0;
			v = strtoull(entry, &end, 10);
			if (errno != 0 || *end != '\0' || v == 0 || n > 19)
				goto bad;
			a->id[a->n++] = v;
			continue;
		}
		if (!ghauthp_valid_login(entry))
			goto bad;
		for (size_t i = 0; i < n; i++)
			entry[i] = (char)tolower((unsigned char)entry[i]);
		if ((a->login[a->n] = ghauthp_strdup(entry)) == NULL) {
			ghauth_allow_free(a);
			return -1;
		}
		a->n++;
	}
	return 0;
bad:
	ghauth_allow_free(a);
	return idx;
}

void
ghauth_allow_free(struct ghauth_allow *a)
{
	size_t	 i;

	if (a->login != NULL)
		for (i = 0; i < a->n; i++)
			free(a->login[i]);
	free(a->login);
	free(a->id);
	memset(a, 0, sizeof(*a));
}

/* 1 if (id, login) may sign in: "*", empty list, id or login listed. */
int
ghauth_allow_match(const struct ghauth_allow *a, uint64_t id,
    const char *login)
{
	size_t	 i;

	if (a->any || a->n == 0)
		return 1;
	for (i = 0; i < a->n; i++) {
		if (a->login[i] == NULL) {
			if (id != 0 && a->id[i] == id)
				return 1;
		} else if (login != NULL && strcasecmp(a->login[i], login) == 0)
			return 1;
	}
	return 0;
}

/*
 * Who may sign in, in plain words: "any GitHub account" or "3 logins, 1
 * id".  Returns 1 when the list is open to anyone.
 */
int
ghauthp_allow_describe(const struct ghauth_allow *a, char *buf, size_t sz)
{
	size_t	 i, ids = 0;

	if (a->any || a->n == 0) {
		snprintf(buf, sz, "any GitHub account (%s)", a->any ?
		    "restrict_to is \"*\"" : "restrict_to is not set");
		return 1;
	}
	for (i = 0; i < a->n; i++)
		ids += a->login[i] == NULL;
	if (ids == 0)
		snprintf(buf, sz, "%zu login%s", a->n, a->n == 1 ? "" : "s");
	else if (ids == a->n)
		snprintf(buf, sz, "%zu id%s", ids, ids == 1 ? "" : "s");
	else
		snprintf(buf, sz, "%zu login%s, %zu id%s", a->n - ids,
		    a->n - ids == 1 ? "" : "s", ids, ids == 1 ? "" : "s");
	return 0;
}
