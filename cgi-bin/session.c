/*
 * session.c - the CGI program behind GET /auth/session: the current session.
 * All the work is in libghauth (lib/ep_session.c); see ghauth-session(8).
 */
#include "ghauth.h"

int
main(void)
{
	return ghauth_cgi_main("session", ghauth_ep_session);
}
