/*
 * github_json.c - decoding GitHub's answers, field by field.  Duplicate
 * keys are refused (JSON_REJECT_DUPLICATES; jansson also refuses \u0000),
 * types are exact, lengths capped, and identifiers checked against their
 * charset.  No libcurl here, so the fuzzers and unit tests reach it alone.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "ghauth-int.h"

#define NAME_MAX_BYTES	256
#define URL_MAX_BYTES	1024
#define EMAIL_MAX_BYTES	320
#define ETEXT_MAX	200

/* A copy of a JSON string member, or NULL; *bad set on a wrong type. */
static char *
str_member(json_t *o, const char *k, size_t max, int nullable, int *bad)
{
	json_t		*v = json_object_get(o, k);
	const char	*s;
	char		*p;
	size_t		 n;

	if (v == NULL || json_is_null(v)) {
		if (!nullable)
			*bad = 1;
		return NULL;
	}
	if (!json_is_string(v)) {
		*bad = 1;
		return NULL;
	}
	s = json_string_value(v);
	n = json_string_length(v);
	if (n > max || memchr(s, '\0', n) != NULL) {
		*bad = 1;
		return NULL;
	}
	/* Out of memory is a bad answer too: callers test *bad, not NULL. */
	if ((p = ghauthp_strndup(s, n)) == NULL)
		*bad = 1;
	return p;
}

/* Printable ASCII only, for text we show (error_description). */
static void
printable(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

static int
token_chars(const char *s)
{
	size_t	 i, n = strlen(s);

	if (n == 0 || n > 255)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' &&
		    s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_' || s[i] == '-' || s[i] == '.'))
			return 0;
	return 1;
}

/*
 * The token endpoint's answer (GitHub sends errors with HTTP 200).
 * Returns 0 with either r->access_token or r->error set, or -1 when the
 * body is not a valid answer.
 */
int
ghauthp_gh_parse_token(const char *buf, size_t len,
    struct ghauthp_token_reply *r)
{
	json_t		*root;
	char		*type = NULL;
	int		 bad = 0;

	memset(r, 0, sizeof(*r));
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(root)) {
		json_decref(root);
		return -1;
	}
	if (json_object_get(root, "error") != NULL) {
		r->error = str_member(root, "error", 64, 0, &bad);
		r->error_description = str_member(root, "error_description",
		    4096, 1, &bad);
		if (!bad && r->error != NULL && !ghauthp_valid_error(r->error,
		    strlen(r->error)))
			bad = 1;
		if (!bad && r->error_description != NULL) {
			if (strlen(r->error_description) > ETEXT_MAX)
				r->error_description[ETEXT_MAX] = '\0';
			printable(r->error_description);
		}
	} else {
		r->access_token = str_member(root, "access_token", 255, 0, &bad);
		type = str_member(root, "token_type", 32, 0, &bad);
		if (!bad && (!token_chars(r->access_token) ||
		    strcasecmp(type, "bearer") != 0))
			bad = 1;
	}
	free(type);
	json_decref(root);
	if (bad || (r->error == NULL && r->access_token == NULL)) {
		ghauthp_token_reply_free(r);
		return -1;
	}
	return 0;
}

void
ghauthp_token_reply_free(struct ghauthp_token_reply *r)
{
	if (r->access_token != NULL)
		ghauthp_wipe(r->access_token, strlen(r->access_token));
	free(r->access_token);
	free(r->error);
	free(r->error_description);
	memset(r, 0, sizeof(*r));
}

static int
safe_url(const char *s)
{
	size_t	 i, n = strlen(s);

	if (strncmp(s, "https://", 8) != 0 || n > URL_MAX_BYTES)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f ||
		    strchr("\"'<>\\`", s[i]) != NULL)
			return 0;
	return 1;
}

/*
 * A cosmetic member (the display name): anything GitHub sends there is
 * shown, never trusted, so nothing in it may refuse a sign-in.  A missing,
 * null, empty or non-string value is no name; each control byte (NUL, C0,
 * DEL: what ghauthp_has_ctl refuses elsewhere) becomes one space (JSON and
 * HTML output escape them anyway, but a name also reaches scripts'
 * environments (GHAUTH_USER_NAME), ghauth-check's output and terminals);
 * past max bytes the name is cut at a UTF-8 character boundary.  jansson
 * has already refused invalid UTF-8.  Returns a copy or NULL; *bad only
 * when out of memory.
 */
static char *
cosmetic_member(json_t *o, const char *k, size_t max, int *bad)
{
	json_t		*v = json_object_get(o, k);
	const unsigned char *s;
	char		*p;
	size_t		 n, i;

	if (!json_is_string(v) || json_string_length(v) == 0)
		return NULL;
	s = (const unsigned char *)json_string_value(v);
	n = json_string_length(v);
	if (n > max) {
		n = max;
		/* Back up over continuation bytes to a character start. */
		while (n > 0 && (s[n] & 0xc0) == 0x80)
			n--;
	}
	if (n == 0)
		return NULL;
	if ((p = malloc(n + 1)) == NULL) {
		*bad = 1;
		return NULL;
	}
	for (i = 0; i < n; i++)
		p[i] = s[i] < 0x20 || s[i] == 0x7f ? ' ' : (char)s[i];
	p[n] = '\0';
	return p;
}

/*
 * An address as shown (email): optional and cosmetic too, but an address
 * cannot be repaired, so one that is not a plain string of at most max
 * bytes without control characters is treated as absent.
 */
static char *
email_member(json_t *o, const char *k, size_t max, int *bad)
{
	json_t		*v = json_object_get(o, k);
	const char	*s;
	char		*p;
	size_t		 n;

	if (!json_is_string(v))
		return NULL;
	s = json_string_value(v);
	n = json_string_length(v);
	if (n == 0 || n > max || memchr(s, '\0', n) != NULL ||
	    ghauthp_has_ctl(s, n))
		return NULL;
	if ((p = ghauthp_strndup(s, n)) == NULL)
		*bad = 1;
	return p;
}

/*
 * GET /user: id, login, avatar_url (checked strictly: they identify the
 * user and reach HTML attributes), name and email (cosmetic: see
 * cosmetic_member and email_member, never a reason to refuse).  NUL is
 * allowed by the parser only so that a NUL in a cosmetic member is not
 * fatal; str_member still refuses it elsewhere.  Returns 0 or -1.
 */
int
ghauthp_gh_parse_user(const char *buf, size_t len, struct ghauthp_gh_user *u)
{
	json_t		*root, *id;
	int		 bad = 0;

	memset(u, 0, sizeof(*u));
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
	    NULL);
	if (!json_is_object(root)) {
		json_decref(root);
		return -1;
	}
	id = json_object_get(root, "id");
	if (!json_is_integer(id) || json_integer_value(id) <= 0)
		bad = 1;
	else
		u->id = (uint64_t)json_integer_value(id);
	u->login = str_member(root, "login", 64, 0, &bad);
	u->name = cosmetic_member(root, "name", NAME_MAX_BYTES, &bad);
	u->avatar_url = str_member(root, "avatar_url", URL_MAX_BYTES, 0, &bad);
	u->email = email_member(root, "email", EMAIL_MAX_BYTES, &bad);
	json_decref(root);
	if (bad || !ghauthp_valid_login(u->login) ||
	    !safe_url(u->avatar_url)) {
		ghauthp_gh_user_free(u);
		return -1;
	}
	return 0;
}

/*
 * GET /user/emails: the primary verified address into *email (NULL when
 * there is none).  Returns 0 or -1 for a malformed answer.
 */
int
ghauthp_gh_parse_emails(const char *buf, size_t len, char **email)
{
	json_t		*root, *e;
	size_t		 i;
	int		 bad = 0;

	*email = NULL;
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
	    NULL);
	if (!json_is_array(root)) {
		json_decref(root);
		return -1;
	}
	json_array_foreach(root, i, e) {
		json_t	*p, *v;

		if (!json_is_object(e)) {
			bad = 1;
			break;
		}
		p = json_object_get(e, "primary");
		v = json_object_get(e, "verified");
		if (!json_is_boolean(p) || !json_is_boolean(v)) {
			bad = 1;
			break;
		}
		/* An unusable address is no address (email_member). */
		if (json_is_true(p) && json_is_true(v) && *email == NULL)
			*email = email_member(e, "email", EMAIL_MAX_BYTES,
			    &bad);
	}
	json_decref(root);
	if (bad) {
		free(*email);
		*email = NULL;
		return -1;
	}
	return 0;
}

void
ghauthp_gh_user_free(struct ghauthp_gh_user *u)
{
	free(u->login);
	free(u->name);
	free(u->avatar_url);
	free(u->email);
	memset(u, 0, sizeof(*u));
}
