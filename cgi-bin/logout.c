/*
 * logout.c - the CGI program behind POST /auth/logout: end the session.
 * The work is in libghauth (lib/endpoints/ep_logout.c); see ghauth-logout(8).
 */
#include "ghauth-int.h"

/* This program's row of the table in docs/HACKING.md. */
static const struct ghauthp_program program = {
	"logout", ghauthp_ep_logout, GHAUTHP_METHOD_POST, "POST",
	GHAUTHP_ERRORS_JSON, 0, ghauthp_fastcgi_loop
};

int
main(void)
{
	return ghauthp_main(&program);
}
