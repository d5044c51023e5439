/*
 * whoami.c - a C CGI program that answers signed-in users only, with the
 * ghauth C API (docs/PROTECT.md, ghauth_identify(3)):
 *
 *     cc -o whoami.cgi whoami.c $(pkg-config --cflags --libs ghauth)
 */
#include <stdio.h>

#include <ghauth.h>

int
main(void)
{
	struct ghauth_identity	 id;
	enum ghauth_err		 e;

	/* Not signed in (or the store is busy): 303 to sign-in, 401, 503. */
	if ((e = ghauth_identify(&id)) != GHAUTH_OK)
		return ghauth_deny(e) == 0 ? 0 : 1;
	printf("Status: 200 OK\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Cache-Control: private, no-store\r\n\r\n"
	    "Hello, %s (GitHub id %llu)\n", id.login,
	    (unsigned long long)id.id);
	ghauth_identity_free(&id);
	return 0;
}
