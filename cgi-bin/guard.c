/*
 * guard.c - the guard: a web server runs it for every request below a
 * protected directory; it serves the file or runs the script there only
 * for a signed-in user.  The work is in libghauth (lib/protect/guard.c); see
 * ghauth-guard(8) and docs/PROTECT.md.
 */
#include "protect.h"

/* This program's row of the table in docs/HACKING.md. */
static const struct ghauthp_program program = {
	"guard", ghauthp_guard, GHAUTHP_METHOD_NONE, NULL,
	GHAUTHP_ERRORS_DENY, GHAUTHP_PROG_RAW | GHAUTHP_PROG_DRAIN, NULL
};

int
main(void)
{
	return ghauthp_main(&program);
}
