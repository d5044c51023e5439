/*
 * test-query.c - ghauthp_query_parse against a table of declared keys.
 * Each case is a query string and, for every declared key, what the
 * handler must see: absent, present-but-empty, present-but-invalid (value
 * NULL), or the decoded value.  Whole-query rejections (duplicate declared
 * key, bad escape, %00, oversize) leave no value and no valid flag behind.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ghauth-int.h"
#include "tap.h"

enum { K_CODE, K_STATE, K_REDIRECT, K_ERROR, NKEYS };

static const struct ghauthp_qkey keys[NKEYS] = {
	[K_CODE] = { "code", ghauthp_valid_code },
	[K_STATE] = { "state", ghauthp_valid_token },
	[K_REDIRECT] = { "redirect", ghauthp_valid_redirect },
	[K_ERROR] = { "error", ghauthp_valid_error },
};

/* What one key should look like: NULL = absent, "" = empty, INV = invalid. */
#define ABS	NULL
#define EMPTY	""
#define INV	"\x01invalid"

#define TOK	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

static const struct qcase {
	const char	*qs;
	enum ghauth_err	 rc;
	const char	*want[NKEYS];	/* code, state, redirect, error */
} cases[] = {
	/* Nothing there. */
	{ NULL, GHAUTH_OK, { ABS, ABS, ABS, ABS } },
	{ "", GHAUTH_OK, { ABS, ABS, ABS, ABS } },
	{ "&&&", GHAUTH_OK, { ABS, ABS, ABS, ABS } },
	{ "&", GHAUTH_OK, { ABS, ABS, ABS, ABS } },
	/* Single and multiple keys, any order, stray '&'. */
	{ "code=abc", GHAUTH_OK, { "abc", ABS, ABS, ABS } },
	{ "code=abc&state=" TOK, GHAUTH_OK, { "abc", TOK, ABS, ABS } },
	{ "state=" TOK "&code=abc", GHAUTH_OK, { "abc", TOK, ABS, ABS } },
	{ "&&code=abc&&state=" TOK "&&", GHAUTH_OK, { "abc", TOK, ABS, ABS } },
	{ "code=1&state=" TOK "&redirect=/x&error=access_denied", GHAUTH_OK,
	    { "1", TOK, "/x", "access_denied" } },
	/* Undeclared keys are skipped, also when repeated. */
	{ "foo=bar&code=abc&foo=baz", GHAUTH_OK, { "abc", ABS, ABS, ABS } },
	{ "session=" TOK, GHAUTH_OK, { ABS, ABS, ABS, ABS } },
	{ "Code=abc", GHAUTH_OK, { ABS, ABS, ABS, ABS } },
	{ "code_=abc&xcode=abc", GHAUTH_OK, { ABS, ABS, ABS, ABS } },
	/* Duplicate declared key: the whole query is refused. */
	{ "code=a&code=b", GHAUTH_E_BADREQ, { ABS, ABS, ABS, ABS } },
	{ "code=a&code=a", GHAUTH_E_BADREQ, { ABS, ABS, ABS, ABS } },
	{ "state=" TOK "&code=a&state=" TOK, GHAUTH_E_BADREQ,
	    { ABS, ABS, ABS, ABS } },
	{ "code=&code=b", GHAUTH_E_BADREQ, { ABS, ABS, ABS, ABS } },
	{ "code&code", GHAUTH_E_BADREQ, { ABS, ABS, ABS, ABS } },
	{ "code=a&co%64e=b", GHAUTH_E_BADREQ, { ABS, ABS, ABS, ABS } },
	/* Bad escapes anywhere, even in a key nobody declared. */
	{ "code=%", GHAUTH_E_BADREQ, { ABS, ABS, ABS, ABS } },
	{ "code=%4", GHAUTH_E_BADREQ, { ABS, ABS, ABS, ABS } },
	{ "code=%G1", GHAUTH_E_BADREQ, { ABS, ABS, ABS, ABS } },
	{ "code=%1G", GHAUTH_E_BADREQ, { ABS, ABS, ABS, ABS } },
	{ "code=a%", GHAUTH_E_BADREQ, { ABS, ABS, ABS, ABS } },
	{ "code=abc&foo=%zz", GHAUTH_E_BADREQ, { ABS, ABS, ABS, ABS } },
	{ "fo%o=1&code=abc", GHAUTH_E_BADREQ, { ABS, ABS, ABS, ABS } },
	{ "%=1", GHAUTH_E_BADREQ, { ABS, ABS, ABS, ABS } },
	/* A decoded NUL is refused, in a value or a key. */
	{ "code=%00", GHAUTH_E_BADREQ, { ABS, ABS, ABS, ABS } },
	{ "code=ab%00cd", GHAUTH_E_BADREQ, { ABS, ABS, ABS, ABS } },
	{ "code%00=ab", GHAUTH_E_BADREQ, { ABS, ABS, ABS, ABS } },
	{ "code=ab&x=%00", GHAUTH_E_BADREQ, { ABS, ABS, ABS, ABS } },
	/* '+' stays a '+': then code refuses it, redirect keeps it. */
	{ "code=a+b", GHAUTH_OK, { INV, ABS, ABS, ABS } },
	{ "redirect=/a+b", GHAUTH_OK, { ABS, ABS, "/a+b", ABS } },
	{ "error=access+denied", GHAUTH_OK, { ABS, ABS, ABS, INV } },
	/* Empty value and key without '=': present and empty. */
	{ "code=", GHAUTH_OK, { EMPTY, ABS, ABS, ABS } },
	{ "code", GHAUTH_OK, { EMPTY, ABS, ABS, ABS } },
	{ "code&state", GHAUTH_OK, { EMPTY, EMPTY, ABS, ABS } },
	{ "code=&state=" TOK, GHAUTH_OK, { EMPTY, TOK, ABS, ABS } },
	/* A value failing its validator: present, invalid, NULL. */
	{ "state=short", GHAUTH_OK, { ABS, INV, ABS, ABS } },
	{ "state=" TOK "A", GHAUTH_OK, { ABS, INV, ABS, ABS } },
	{ "redirect=//evil", GHAUTH_OK, { ABS, ABS, INV, ABS } },
	{ "redirect=https://evil", GHAUTH_OK, { ABS, ABS, INV, ABS } },
	{ "redirect=%2F%2Fevil", GHAUTH_OK, { ABS, ABS, INV, ABS } },
	{ "redirect=/a%23b", GHAUTH_OK, { ABS, ABS, INV, ABS } },
	{ "error=Access_Denied", GHAUTH_OK, { ABS, ABS, ABS, INV } },
	{ "code=a%20b", GHAUTH_OK, { INV, ABS, ABS, ABS } },
	{ "code=%0d%0a", GHAUTH_OK, { INV, ABS, ABS, ABS } },
	/* Percent-decoded values that pass their validator. */
	{ "code=%61%62c", GHAUTH_OK, { "abc", ABS, ABS, ABS } },
	{ "redirect=%2Fa%3Fb%3Dc", GHAUTH_OK, { ABS, ABS, "/a?b=c", ABS } },
	{ "redirect=%2fdocs", GHAUTH_OK, { ABS, ABS, "/docs", ABS } },
	{ "redirect=/a%2541", GHAUTH_OK, { ABS, ABS, "/a%41", ABS } },
	{ "state=%41" "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", GHAUTH_OK,
	    { ABS, TOK, ABS, ABS } },
	/* Percent-encoded key names match after decoding. */
	{ "%63ode=abc", GHAUTH_OK, { "abc", ABS, ABS, ABS } },
	/* '=' inside a value is part of the value. */
	{ "redirect=/a?b=c=d", GHAUTH_OK, { ABS, ABS, "/a?b=c=d", ABS } },
	{ "code==abc", GHAUTH_OK, { INV, ABS, ABS, ABS } },
};

static int
check_one(const struct qcase *c, const struct ghauthp_qval *v, size_t k,
    char *why, size_t whysz)
{
	const char	*w = c->want[k];

	if (w == ABS) {
		if (v->present || v->empty || v->valid || v->value != NULL) {
			snprintf(why, whysz, "%s should be absent", keys[k].name);
			return 0;
		}
	} else if (strcmp(w, EMPTY) == 0) {
		if (!v->present || !v->empty || v->valid || v->value != NULL) {
			snprintf(why, whysz, "%s should be present and empty",
			    keys[k].name);
			return 0;
		}
	} else if (strcmp(w, INV) == 0) {
		if (!v->present || v->empty || v->valid || v->value != NULL) {
			snprintf(why, whysz, "%s should be present and invalid",
			    keys[k].name);
			return 0;
		}
	} else if (!v->present || v->empty || !v->valid || v->value == NULL ||
	    strcmp(v->value, w) != 0) {
		snprintf(why, whysz, "%s should be \"%s\", is %s%s%s (p=%d e=%d "
		    "v=%d)", keys[k].name, w, v->value ? "\"" : "",
		    v->value ? v->value : "NULL", v->value ? "\"" : "",
		    v->present, v->empty, v->valid);
		return 0;
	}
	return 1;
}

static void
test_cases(void)
{
	struct ghauthp_qval	 vals[NKEYS];
	enum ghauth_err		 rc;
	char			 why[256];
	size_t			 i, k;
	int			 good;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* Garbage in, so a field left unset is noticed. */
		memset(vals, 0x5a, sizeof(vals));
		rc = ghauthp_query_parse(cases[i].qs, keys, NKEYS, vals);
		good = rc == cases[i].rc;
		snprintf(why, sizeof(why), "returned %s", ghauthp_err_name(rc));
		for (k = 0; good && k < NKEYS; k++) {
			if (rc != GHAUTH_OK) {
				if (vals[k].valid || vals[k].value != NULL) {
					snprintf(why, sizeof(why), "%s left "
					    "behind", keys[k].name);
					good = 0;
				}
			} else
				good = check_one(&cases[i], &vals[k], k, why,
				    sizeof(why));
		}
		ok(good, "query \"%s\" -> %s", cases[i].qs ? cases[i].qs :
		    "(null)", ghauthp_err_name(cases[i].rc));
		if (!good)
			diag("%s", why);
		ghauthp_query_free(vals, NKEYS);
	}
}

static void
test_sizes(void)
{
	struct ghauthp_qval	 vals[NKEYS];
	char			*qs;
	size_t			 n;

	if ((qs = malloc(GHAUTHP_QUERY_MAX + 2)) == NULL) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	/* code=aaa...: exactly at the cap, then one past it. */
	for (n = GHAUTHP_QUERY_MAX; n <= GHAUTHP_QUERY_MAX + 1; n++) {
		memset(qs, 'a', n);
		memcpy(qs, "x=", 2);
		memcpy(qs + n - 6, "&code=", 6);
		qs[n] = '\0';
		memset(vals, 0, sizeof(vals));
		is_int(ghauthp_query_parse(qs, keys, NKEYS, vals),
		    n <= GHAUTHP_QUERY_MAX ? GHAUTH_OK : GHAUTH_E_TOOLARGE,
		    "query of %zu bytes", n);
		ok(vals[K_CODE].present == (n <= GHAUTHP_QUERY_MAX),
		    "query of %zu bytes: code %s", n,
		    n <= GHAUTHP_QUERY_MAX ? "seen" : "not seen");
		ghauthp_query_free(vals, NKEYS);
	}
	/* A long valid code value at the validator's bound. */
	memcpy(qs, "code=", 5);
	memset(qs + 5, 'b', 256);
	qs[5 + 256] = '\0';
	ghauthp_query_parse(qs, keys, NKEYS, vals);
	ok(vals[K_CODE].valid && strlen(vals[K_CODE].value) == 256,
	    "code of 256 chars kept");
	ghauthp_query_free(vals, NKEYS);
	qs[5 + 256] = 'b';
	qs[5 + 257] = '\0';
	ghauthp_query_parse(qs, keys, NKEYS, vals);
	ok(vals[K_CODE].present && !vals[K_CODE].valid &&
	    vals[K_CODE].value == NULL, "code of 257 chars present but invalid");
	ghauthp_query_free(vals, NKEYS);
	free(qs);

	/* No declared keys at all: everything is skipped. */
	is_int(ghauthp_query_parse("a=1&b=2", keys, 0, vals), GHAUTH_OK,
	    "no declared keys");

	/* ghauthp_query_free clears and is idempotent. */
	ghauthp_query_parse("code=abc", keys, NKEYS, vals);
	ghauthp_query_free(vals, NKEYS);
	ok(vals[K_CODE].value == NULL && !vals[K_CODE].valid,
	    "query_free clears value and valid");
	ghauthp_query_free(vals, NKEYS);
	ok(vals[K_CODE].value == NULL && !vals[K_CODE].valid,
	    "query_free twice is harmless: the values stay cleared");
}

int
main(void)
{
	plan(64);
	test_cases();
	test_sizes();
	return done_testing();
}
