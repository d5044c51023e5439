/*
 * auth.c - the CGI program behind GET /auth (llms.py v4): who is signed
 * in, without the session token.  The work is in libghauth
 * (lib/endpoints/ep_session.c); see ghauth-session(8).
 */
#include "ghauth-int.h"

/* This program's row of the table in docs/HACKING.md. */
static const struct ghauthp_program program = {
	"auth", ghauthp_ep_auth, GHAUTHP_METHOD_GET, "GET",
	GHAUTHP_ERRORS_JSON, 0, ghauthp_fastcgi_loop
};

int
main(void)
{
	return ghauthp_main(&program);
}
