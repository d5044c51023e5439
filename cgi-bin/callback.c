/*
 * callback.c - the CGI program behind GET /auth/github/callback: finish a sign-in.
 * The work is in libghauth (lib/endpoints/ep_callback.c); see ghauth-callback(8).
 */
#include "ghauth-int.h"

/* This program's row of the table in docs/HACKING.md. */
static const struct ghauthp_program program = {
	"callback", ghauthp_ep_callback, GHAUTHP_METHOD_GET, "GET",
	GHAUTHP_ERRORS_PAGE, 0, ghauthp_fastcgi_loop
};

int
main(void)
{
	return ghauthp_main(&program);
}
