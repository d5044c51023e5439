/*
 * github.c - the CGI program behind GET /auth/github: start a GitHub sign-in.
 * All the work is in libghauth (lib/endpoints/ep_start.c); see ghauth-github(8).
 */
#include "ghauth-int.h"

int
main(void)
{
	return ghauthp_cgi_main("github", ghauthp_ep_start);
}
