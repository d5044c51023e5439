/*
 * callback.c - the CGI program behind GET /auth/github/callback: finish a sign-in.
 * All the work is in libghauth (lib/endpoints/ep_callback.c); see ghauth-callback(8).
 */
#include "ghauth-int.h"

int
main(void)
{
	return ghauthp_cgi_main("callback", ghauthp_ep_callback);
}
