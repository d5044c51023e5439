/*
 * auth-request.c - nginx's auth_request target: 200 with X-Auth-Request-*
 * headers for a signed-in request, else 401.  All the work is in libghauth
 * (lib/protect/auth_request.c); see ghauth-auth-request(8) and docs/PROTECT.md.
 */
#include "protect.h"

int
main(void)
{
	return ghauthp_auth_request_main();
}
