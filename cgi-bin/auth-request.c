/*
 * auth-request.c - nginx's auth_request target: 200 with X-Auth-Request-*
 * headers for a signed-in request, else 401.  The work is in libghauth
 * (lib/protect/auth_request.c); see ghauth-auth-request(8) and docs/PROTECT.md.
 */
#include "protect.h"

/* This program's row of the table in docs/HACKING.md. */
static const struct ghauthp_program program = {
	"auth-request", ghauthp_auth_request, GHAUTHP_METHOD_NONE, NULL,
	GHAUTHP_ERRORS_DENY, GHAUTHP_PROG_RAW, NULL
};

int
main(void)
{
	return ghauthp_main(&program);
}
