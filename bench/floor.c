/*
 * floor.c - the benchmark's floor: the cheapest possible CGI (and, when
 * started by a FastCGI server, FastCGI) program, printing a fixed JSON
 * answer of the size of /auth/session's.  Not installed.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifdef FLOOR_FCGI
#include <fcgiapp.h>
#endif

static const char resp[] =
    "Status: 200 OK\r\n"
    "Content-Type: application/json; charset=utf-8\r\n"
    "Cache-Control: no-store\r\n\r\n"
    "{\"userId\":\"583231\",\"userName\":\"octocat\",\"displayName\":"
    "\"The Octocat\",\"profileUrl\":\"https://avatars.githubusercontent.com/"
    "u/583231?v=4\",\"email\":\"octocat@github.com\",\"sessionToken\":"
    "\"0123456789012345678901234567890123456789012\",\"created\":1700000000}";

int
main(void)
{
#ifdef FLOOR_FCGI
	FCGX_Stream	*in, *out, *err;
	FCGX_ParamArray	 envp;

	if (!FCGX_IsCGI()) {
		while (FCGX_Accept(&in, &out, &err, &envp) >= 0)
			FCGX_PutStr(resp, sizeof(resp) - 1, out);
		return 0;
	}
#endif
	return write(STDOUT_FILENO, resp, sizeof(resp) - 1) ==
	    (ssize_t)(sizeof(resp) - 1) ? 0 : 1;
}
