/*
 * cgi.c - the one driver every program runs on (ghauthp_main): harden the
 * process, name it in the log, then answer one CGI request from start to
 * finish: read the request and the configuration, drop the environment
 * (httpoxy, SSL_* and friends: docs/SECURITY.md, promise 14), answer
 * (respond.c), write the response to stdout in one piece.  When a FastCGI
 * server started the program (fd 0 is a listening socket), the same
 * request handling runs once per accepted request instead (fcgi.c).
 *
 * A GHAUTHP_PROG_RAW program (the guard, auth-request) reads the request's
 * variables itself, and keeps the environment: the guard passes it on to
 * the scripts it runs.  A program whose row names no FastCGI loop runs as
 * CGI only.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver.h"

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
ghauthp_main(const struct ghauthp_program *p)
{
	struct ghauthp_call	 c;
	struct ghauth_config	 cfg;
	enum ghauth_err		 rrc = GHAUTH_OK, crc;
	char			*out;
	size_t			 len;
	int			 raw = (p->flags & GHAUTHP_PROG_RAW) != 0;
	int			 ok = 1;

	memset(&c, 0, sizeof(c));
	ghauthp_harden(&c.saved);
	ghauthp_log_init(p->name);
	if (fastcgi_listener()) {
		if (p->fastcgi != NULL)
			return p->fastcgi(p);
		ghauthp_log("started by a FastCGI server: %s runs as a CGI "
		    "program only", p->name);
		return 1;
	}
	c.env = ghauth_getenv_cgi;
	if (!raw)
		rrc = ghauthp_request_read(&c.req, c.env, NULL);
	if ((crc = ghauthp_config_open(&cfg, NULL, c.env, NULL)) == GHAUTH_OK)
		c.cfg = &cfg;
	if (!raw)
		(void)clearenv();
	if (!ghauthp_respond(p, &c, rrc, crc, &out, &len)) {
		ok = out != NULL && ghauthp_write_all(STDOUT_FILENO, out, len);
		if (out != NULL)
			ghauthp_wipe(out, len);
		free(out);
	}
	ghauthp_request_free(&c.req);
	if (c.cfg != NULL)
		ghauth_config_free(c.cfg);
	return ok ? 0 : 1;
}
