/*
 * guard.c - the guard: a web server runs it for every request below a
 * protected directory; it serves the file or runs the script there only
 * for a signed-in user.  All the work is in libghauth (lib/protect/guard.c); see
 * ghauth-guard(8) and docs/PROTECT.md.
 */
#include "protect.h"

int
main(void)
{
	return ghauthp_guard_main();
}
