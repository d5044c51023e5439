/*
 * logout.c - the CGI program behind POST /auth/logout: end the session.
 * All the work is in libghauth (lib/endpoints/ep_logout.c); see ghauth-logout(8).
 */
#include "ghauth-int.h"

int
main(void)
{
	return ghauthp_cgi_main("logout", ghauthp_ep_logout);
}
