/*
 * session.c - the CGI program behind GET /auth/session: the current session.
 * All the work is in libghauth (lib/endpoints/ep_session.c); see ghauth-session(8).
 */
#include "ghauth-int.h"

int
main(void)
{
	return ghauthp_cgi_main("session", ghauthp_ep_session);
}
