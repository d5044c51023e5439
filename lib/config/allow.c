/*
 * allow.c - the allowlist (restrict_to / GITHUB_USERS).  Entries are
 * separated by any run of commas and whitespace.  An entry of digits only
 * is a numeric GitHub user id (stable: logins can be renamed and then
 * claimed by someone else); "org:ORG" names the active members of an
 * organisation and "team:ORG/TEAM-SLUG" those of a team (read at sign-in
 * by github_orgs.c); any other entry is a login.  Everything compares
 * ASCII case-insensitively, as GitHub does.  An empty list admits any
 * account: restrict_to not set, llms.py's meaning.
 The entry "*" sets any: any
 * GitHub account, said explicitly (config.c refuses it next to other
 * entries, and a present list that names nobody).
 *
 * A session remembers the org:/team: entries that admitted it (record.c);
 * ghauthp_allow_recheck() holds them against the current list on every
 * use, so an entry removed from the configuration ends its sessions.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ghauth-int.h"

#define ENTRY_MAX	(5 + 64 + 1 + GHAUTHP_SLUG_MAX)	/* team:ORG/SLUG */

static int
is_sep(char c)
{
	return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\f' || c == '\v';
}

/*
 * GitHub logins: letters, digits, hyphens (and '_' for Enterprise Managed
 * Users), at most 39 characters for normal accounts; we allow up to 64.
 * Organisation names follow the same rules.
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
 * Team slugs: GitHub lower-cases the team name and turns everything else
 * into '-'.  Letters, digits, '-' and '_'; never '.' or '/', so a slug is
 * one harmless path segment of the membership URL.
 */
int
ghauthp_valid_slug(const char *s)
{
	size_t	 i, n = strlen(s);

	if (n == 0 || n > GHAUTHP_SLUG_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return 0;
	return 1;
}

/* Says why, naming the entry when it is safe to quote in a log line. */
static int
why(char *msg, size_t msgsz, int idx, const char *entry, const char *fmt)
{
	size_t	 i, n = strlen(entry);
	int	 quote = n > 0 && n <= ENTRY_MAX;

	for (i = 0; quote && i < n; i++)
		if ((unsigned char)entry[i] <= 0x20 ||
		    (unsigned char)entry[i] >= 0x7f || entry[i] == '"' ||
		    entry[i] == '\\')
			quote = 0;
	if (msg != NULL && msgsz > 0) {
		if (quote)
			snprintf(msg, msgsz, "entry %d (\"%s\"): %s", idx, entry,
			    fmt);
		else
			snprintf(msg, msgsz, "entry %d: %s", idx, fmt);
	}
	return idx;
}

/*
 * An org:/team: entry (e holds it, NUL-terminated, lower-cased) into the
 * canonical form kept in the list.  Returns NULL with *err set, or a
 * malloc'd string (NULL with *err NULL: out of memory).
 */
static char *
group_entry(const char *e, unsigned char *kind, const char **err)
{
	const char	*colon = strchr(e, ':'), *name = colon + 1, *slash;
	char		 org[65];
	size_t		 plen = (size_t)(colon - e);

	*err = NULL;
	if (plen == 3 && strncmp(e, "org", 3) == 0) {
		*kind = GHAUTHP_ALLOW_ORG;
		if (*name == '\0')
			*err = "organisation name missing after \"org:\"";
		else if (strchr(name, '/') != NULL)
			*err = "org:ORG names a whole organisation; for a team "
			    "write team:ORG/TEAM-SLUG";
		else if (!ghauthp_valid_login(name))
			*err = "not a GitHub organisation name (letters, "
			    "digits and '-', at most 64)";
		return *err == NULL ? ghauthp_strdup(e) : NULL;
	}
	if (plen == 4 && strncmp(e, "team", 4) == 0) {
		*kind = GHAUTHP_ALLOW_TEAM;
		if ((slash = strchr(name, '/')) == NULL)
			*err = "a team is written team:ORG/TEAM-SLUG";
		else if (slash == name)
			*err = "organisation name missing before the '/'";
		else if (slash[1] == '\0')
			*err = "team slug missing after the '/'";
		else if ((size_t)(slash - name) >= sizeof(org))
			*err = "not a GitHub organisation name (letters, "
			    "digits and '-', at most 64)";
		else {
			memcpy(org, name, (size_t)(slash - name));
			org[slash - name] = '\0';
			if (!ghauthp_valid_login(org))
				*err = "not a GitHub organisation name "
				    "(letters, digits and '-', at most 64)";
			else if (!ghauthp_valid_slug(slash + 1))
				*err = "not a team slug (letters, digits, '-' "
				    "and '_': the team's name as in its URL)";
		}
		return *err == NULL ? ghauthp_strdup(e) : NULL;
	}
	*err = plen == 0 ? "an entry cannot start with ':'" :
	    "unknown prefix: only org:ORG and team:ORG/TEAM-SLUG are known";
	return NULL;
}

/*
 * Parses list into a (zeroed or freed) a.  Returns 0, -1 on allocation
 * failure, or the 1-based index of the first invalid entry (then msg, if
 * not NULL, says which and why: no secret is ever part of a list).
 */
int
ghauthp_allow_parse_msg(struct ghauth_allow *a, const char *list, char *msg,
    size_t msgsz)
{
	const char	*p = list, *start, *err;
	char		 entry[ENTRY_MAX + 1];
	unsigned char	 kind;
	char		*canon;
	size_t		 n, i;
	int		 idx = 0, dup;

	memset(a, 0, sizeof(*a));
	if (msg != NULL && msgsz > 0)
		msg[0] = '\0';
	a->login = calloc(GHAUTHP_ALLOW_MAX, sizeof(char *));
	a->id = calloc(GHAUTHP_ALLOW_MAX, sizeof(uint64_t));
	a->kind = calloc(GHAUTHP_ALLOW_MAX, 1);
	if (a->login == NULL || a->id == NULL || a->kind == NULL) {
		ghauthp_allow_free(a);
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
		if (a->n >= GHAUTHP_ALLOW_MAX) {
			why(msg, msgsz, idx, "", "more than 1024 entries");
			goto bad;
		}
		if (n >= sizeof(entry)) {
			why(msg, msgsz, idx, "", "too long");
			goto bad;
		}
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
			if (errno != 0 || *end != '\0' || v == 0 || n > 19) {
				why(msg, msgsz, idx, entry, "not a GitHub "
				    "user id (1 to 19 digits, not 0)");
				goto bad;
			}
			a->kind[a->n] = GHAUTHP_ALLOW_ID;
			a->id[a->n++] = v;
			continue;
		}
		for (i = 0; i < n; i++)
			entry[i] = (char)tolower((unsigned char)entry[i]);
		if (strchr(entry, ':') == NULL) {
			if (!ghauthp_valid_login(entry)) {
				why(msg, msgsz, idx, entry, "not a GitHub login "
				    "(letters, digits and '-'), numeric id, "
				    "org:ORG or team:ORG/TEAM-SLUG");
				goto bad;
			}
			if ((a->login[a->n] = ghauthp_strdup(entry)) == NULL) {
				ghauthp_allow_free(a);
				return -1;
			}
			a->kind[a->n++] = GHAUTHP_ALLOW_LOGIN;
			continue;
		}
		if ((canon = group_entry(entry, &kind, &err)) == NULL) {
			if (err == NULL) {
				ghauthp_allow_free(a);
				return -1;
			}
			why(msg, msgsz, idx, entry, err);
			goto bad;
		}
		/* A repeated org:/team: entry would cost a second lookup. */
		for (dup = 0, i = 0; i < a->n && !dup; i++)
			dup = a->kind[i] == kind && strcmp(a->login[i],
			    canon) == 0;
		if (dup) {
			free(canon);
			continue;
		}
		if (a->ngroups >= GHAUTHP_ALLOW_GROUPS_MAX) {
			free(canon);
			why(msg, msgsz, idx, entry, "more than 16 org: and team: "
			    "entries (each costs a GitHub request at sign-in)");
			goto bad;
		}
		a->login[a->n] = canon;
		a->kind[a->n++] = kind;
		a->ngroups++;
	}
	return 0;
bad:
	ghauthp_allow_free(a);
	return idx;
}

int
ghauthp_allow_parse(struct ghauth_allow *a, const char *list)
{
	return ghauthp_allow_parse_msg(a, list, NULL, 0);
}

void
ghauthp_allow_free(struct ghauth_allow *a)
{
	size_t	 i;

	if (a->login != NULL)
		for (i = 0; i < a->n; i++)
			free(a->login[i]);
	free(a->login);
	free(a->id);
	free(a->kind);
	memset(a, 0, sizeof(*a));
}

/*
 * 1 if (id, login) may sign in on their own: "*", empty list, id listed, or
 * login listed.  org:/team: entries need a membership: see
 * ghauthp_allow_recheck() and github_orgs.c.
 */
int
ghauthp_allow_match(const struct ghauth_allow *a, uint64_t id,
    const char *login)
{
	size_t	 i;

	if (a->any || a->n == 0)
		return 1;
	for (i = 0; i < a->n; i++) {
		if (a->kind != NULL && a->kind[i] != GHAUTHP_ALLOW_LOGIN &&
		    a->kind[i] != GHAUTHP_ALLOW_ID)
			continue;
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
 * id, 1 org".  Returns 1 when the list is open to anyone.
 */
int
ghauthp_allow_describe(const struct ghauth_allow *a, char *buf, size_t sz)
{
	static const char *const what[GHAUTHP_ALLOW__MAX] = {
		[GHAUTHP_ALLOW_LOGIN] = "login", [GHAUTHP_ALLOW_ID] = "id",
		[GHAUTHP_ALLOW_ORG] = "org", [GHAUTHP_ALLOW_TEAM] = "team",
	};
	size_t	 i, k, len, count[GHAUTHP_ALLOW__MAX] = { 0 };

	if (a->any || a->n == 0) {
		snprintf(buf, sz, "any GitHub account (%s)", a->any ?
		    "restrict_to is \"*\"" : "restrict_to is not set");
		return 1;
	}
	for (i = 0; i < a->n; i++)
		count[a->kind != NULL ? a->kind[i] : a->login[i] == NULL ?
		    GHAUTHP_ALLOW_ID : GHAUTHP_ALLOW_LOGIN]++;
	buf[0] = '\0';
	for (k = 0; k < GHAUTHP_ALLOW__MAX; k++) {
		if (count[k] == 0)
			continue;
		len = strlen(buf);
		snprintf(buf + len, sz - len, "%s%zu %s%s", len ? ", " : "",
		    count[k], what[k], count[k] == 1 ? "" : "s");
	}
	return 0;
}

/* Is the canonical group entry g (length n) an entry of a? */
static int
listed(const struct ghauth_allow *a, const char *g, size_t n)
{
	size_t	 i;

	for (i = 0; i < a->n; i++)
		if ((a->kind[i] == GHAUTHP_ALLOW_ORG ||
		    a->kind[i] == GHAUTHP_ALLOW_TEAM) &&
		    strlen(a->login[i]) == n &&
		    strncasecmp(a->login[i], g, n) == 0)
			return 1;
	return 0;
}

/*
 * The allowlist check of a session, on every use.  groups is the
 * comma-separated list of org:/team: entries that admitted it at sign-in
 * (NULL or "" when none).  *still receives those of them that the current
 * list still holds, comma-separated (malloc'd; NULL when none).  Returns
 * 1 admitted (empty list, login or id listed, or an admitting entry still
 * listed), 0 refused, -1 out of memory (*still NULL).
 */
int
ghauthp_allow_recheck(const struct ghauth_allow *a, uint64_t id,
    const char *login, const char *groups, char **still)
{
	const char	*p = groups, *e;
	size_t		 n, len = 0, cap = 0;

	*still = NULL;
	for (; p != NULL && *p != '\0'; p = *e == ',' ? e + 1 : e) {
		e = p + strcspn(p, ",");
		n = (size_t)(e - p);
		if (n == 0 || !listed(a, p, n))
			continue;
		if ((len > 0 && !ghauthp_str_append(still, &len, &cap, ",",
		    1)) || !ghauthp_str_append(still, &len, &cap, p, n)) {
			free(*still);
			*still = NULL;
			return -1;
		}
	}
	if (*still != NULL || ghauthp_allow_match(a, id, login))
		return 1;
	return 0;
}
