/*
 * auth.c - the CGI program behind GET /auth (llms.py v4): who is signed
 * in, without the session token.  All the work is in libghauth
 * (lib/endpoints/ep_session.c); see ghauth-session(8).
 */
#include "ghauth-int.h"

int
main(void)
{
	return ghauthp_cgi_main("auth", ghauthp_ep_auth);
}
