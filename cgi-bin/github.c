/*
 * github.c - the CGI program behind GET /auth/github: start a GitHub sign-in.
 * The work is in libghauth (lib/endpoints/ep_github.c); see ghauth-github(8).
 */
#include "ghauth-int.h"

/* This program's row of the table in docs/HACKING.md. */
static const struct ghauthp_program program = {
	"github", ghauthp_ep_github, GHAUTHP_METHOD_GET, "GET",
	GHAUTHP_ERRORS_PAGE, 0, ghauthp_fastcgi_loop
};

int
main(void)
{
	return ghauthp_main(&program);
}
