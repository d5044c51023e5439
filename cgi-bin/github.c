/*
 * github.c - the CGI program behind GET /auth/github: start a GitHub sign-in.
 * All the work is in libghauth (lib/ep_start.c); see ghauth-github(8).
 */
#include "ghauth.h"

int
main(void)
{
	return ghauth_cgi_main("github", ghauth_ep_start);
}
