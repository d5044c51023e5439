/*
 * logout.c - the CGI program behind POST /auth/logout: end the session.
 * All the work is in libghauth (lib/ep_logout.c); see ghauth-logout(8).
 */
#include "ghauth.h"

int
main(void)
{
	return ghauth_cgi_main("logout", ghauth_ep_logout);
}
