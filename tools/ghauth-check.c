/*
 * ghauth-check.c - ghauth-check(1): "who is signed in?" for a CGI script
 * in any language.  Run inside a CGI request (it reads the request's
 * environment: the session cookie or X-Session-Token, GHAUTH_CONFIG), it
 * applies the rules of /auth/session (lib/protect/identify.c) and prints the
 * identity:
 *
 *   ghauth-check [-f json|env|shell]     exit 0 signed in (identity on
 *                                        stdout), 1 not signed in (nothing
 *                                        printed), 2 error
 *   ghauth-check --deny                  print the whole CGI refusal for
 *                                        this request (303 to sign-in or
 *                                        401 JSON; 503/500 on trouble)
 *
 * Nothing secret is ever printed: no token, no cookie.  The environment is
 * left as it is (the process ends anyway).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ghauth-int.h"
#include "protect.h"

#define EXIT_SIGNED_OUT	1
#define EXIT_ERROR	2

enum format {
	FMT_JSON,
	FMT_ENV,
	FMT_SHELL
};

static void
usage(void)
{
	fprintf(stderr,
	    "usage: ghauth-check [-f json|env|shell]\n"
	    "       ghauth-check --deny\n"
	    "Run inside a CGI request.  Exit 0: signed in, the identity on "
	    "stdout;\n1: no valid session; 2: error.  --deny prints the "
	    "refusal response.\n");
}

/*
 * JSON: the keys of /auth/session, without the session token, plus
 * "groups" (the org:/team: entries that admitted the session, a list).
 */
static int
print_json(const struct ghauth_identity *id)
{
	char	 uid[24];
	char	*s;
	const char *p, *e;
	json_t	*j, *g;
	int	 ok;

	snprintf(uid, sizeof(uid), "%llu", (unsigned long long)id->id);
	if ((g = json_array()) == NULL)
		return 0;
	for (p = id->groups; p != NULL && *p != '\0'; p = *e ? e + 1 : e) {
		e = p + strcspn(p, ",");
		if (e > p && json_array_append_new(g, json_stringn(p,
		    (size_t)(e - p))) != 0) {
			json_decref(g);
			return 0;
		}
	}
	j = json_pack("{s:s, s:s, s:s?, s:s, s:s?, s:o, s:I, s:I}",
	    "userId", uid, "userName", id->login, "displayName", id->name,
	    "profileUrl", id->avatar_url, "email", id->email, "groups", g,
	    "created", (json_int_t)id->created,
	    "expires", (json_int_t)id->expires);
	if (j == NULL)
		return 0;
	s = ghauthp_json_dump(j);
	json_decref(j);
	if (s == NULL)
		return 0;
	ok = printf("%s\n", s) > 0;
	free(s);
	return ok;
}

/*
 * NAME=value lines.  env: the value as it is, any control byte (none
 * should be there: sign-in refuses them) replaced by '?' so one variable
 * is always one line.  shell: single-quoted for sh's eval, a quote as '\''.
 */
static int
print_vars(const struct ghauth_identity *id, enum format fmt)
{
	char		 buf[GHAUTHP_IDVAR_BUF];
	const char	*name, *v, *p;
	size_t		 i;

	for (i = 0; (v = ghauthp_identity_var(id, i, &name, buf)) != NULL;
	    i++) {
		if (printf("%s=%s", name, fmt == FMT_SHELL ? "'" : "") < 0)
			return 0;
		for (p = v; *p != '\0'; p++) {
			if (fmt == FMT_SHELL && *p == '\'') {
				if (fputs("'\\''", stdout) == EOF)
					return 0;
			} else if (putchar(fmt == FMT_ENV &&
			    ((unsigned char)*p < 0x20 || *p == 0x7f) ? '?' :
			    *p) == EOF)
				return 0;
		}
		if (printf("%s\n", fmt == FMT_SHELL ? "'" : "") < 0)
			return 0;
	}
	return 1;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "deny", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ghauthp_saved	 sv;
	struct ghauth_identity	 id;
	enum ghauth_err		 rc;
	enum format		 fmt = FMT_JSON;
	int			 c, deny = 0, ok, ret;

	ghauthp_harden(&sv);
	ghauthp_log_init("ghauth-check");
	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "json") == 0)
				fmt = FMT_JSON;
			else if (strcmp(optarg, "env") == 0)
				fmt = FMT_ENV;
			else if (strcmp(optarg, "shell") == 0)
				fmt = FMT_SHELL;
			else {
				usage();
				return EXIT_ERROR;
			}
			break;
		case 'd':
			deny = 1;
			break;
		case 'h':
			usage();
			return 0;
		default:
			usage();
			return EXIT_ERROR;
		}
	}
	if (optind != argc) {
		usage();
		return EXIT_ERROR;
	}
	rc = ghauth_identify(&id);
	if (deny) {
		/* Called because a check failed: refuse, for the same reason
		 * if there still is one. */
		ghauth_identity_free(&id);
		return ghauth_deny(rc == GHAUTH_OK ? GHAUTH_E_SESSION : rc) ==
		    0 ? 0 : EXIT_ERROR;
	}
	if (rc != GHAUTH_OK) {
		/* A request's fault (no or a bad cookie) is "signed out";
		 * the server's (configuration, store) is an error. */
		return ghauthp_err_status(rc) >= 500 ? EXIT_ERROR :
		    EXIT_SIGNED_OUT;
	}
	ok = fmt == FMT_JSON ? print_json(&id) : print_vars(&id, fmt);
	ok = ok && fflush(stdout) == 0;
	ghauth_identity_free(&id);
	ret = ok ? 0 : EXIT_ERROR;
	if (!ok)
		ghauthp_log("cannot write the identity to stdout");
	return ret;
}
