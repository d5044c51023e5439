/*
 * cgi.c - one CGI request from start to finish, shared by the programs:
 * harden the process, read the request and the configuration, drop the
 * environment (httpoxy, SSL_* and friends: docs/SECURITY.md, promise 14),
 * answer (respond.c), write the response to stdout in one piece.  When a
 * FastCGI server started the program (fd 0 is a listening socket), the
 * same request handling runs once per accepted request instead (fcgi.c).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ghauth-int.h"

/* FastCGI: fd 0 is a listening socket, not connected (as libfcgi checks). */
static int
fastcgi_listener(void)
{
	struct sockaddr_storage	 sa;
	socklen_t		 sl = sizeof(sa);
	struct stat		 st;

	if (fstat(STDIN_FILENO, &st) == -1 || !S_ISSOCK(st.st_mode))
		return 0;
	return getpeername(STDIN_FILENO, (struct sockaddr *)&sa, &sl) == -1 &&
	    errno == ENOTCONN;
}

int
ghauthp_cgi_main(const char *name, ghauthp_endpoint ep)
{
	struct ghauthp_saved	 sv;
	struct ghauthp_request	 req;
	struct ghauth_config	 cfg;
	enum ghauth_err		 rc, crc;
	char			 err[768];
	char			*out;
	size_t			 len;
	int			 ok;

	ghauthp_harden(&sv);
	ghauthp_log_init(name);
	if (fastcgi_listener())
		return ghauthp_fastcgi_main(name, ep);
	memset(&cfg, 0, sizeof(cfg));
	rc = ghauthp_request_read(&req, ghauthp_getenv_process, NULL);
	err[0] = '\0';
	crc = ghauth_config_load(&cfg, ghauthp_getenv_process, NULL, err,
	    sizeof(err));
	(void)clearenv();
	if (crc != GHAUTH_OK)
		ghauthp_log("configuration: %s", err[0] ? err : "out of memory");
	out = ghauthp_respond(name, ep, &req, rc, &cfg, crc, &len);
	ok = out != NULL && ghauthp_write_all(STDOUT_FILENO, out, len);
	if (out != NULL)
		ghauthp_wipe(out, len);
	free(out);
	ghauthp_request_free(&req);
	if (crc == GHAUTH_OK)
		ghauth_config_free(&cfg);
	return ok ? 0 : 1;
}
