/*
 * session.c - the CGI program behind GET /auth/session: the current session.
 * The work is in libghauth (lib/endpoints/ep_session.c); see ghauth-session(8).
 */
#include "ghauth-int.h"

/* This program's row of the table in docs/HACKING.md. */
static const struct ghauthp_program program = {
	"session", ghauthp_ep_session, GHAUTHP_METHOD_GET, "GET",
	GHAUTHP_ERRORS_JSON, 0, ghauthp_fastcgi_loop
};

int
main(void)
{
	return ghauthp_main(&program);
}
