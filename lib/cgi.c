/*
 * cgi.c - one CGI request from start to finish, shared by the programs:
 * harden the process, read the request and the configuration, drop the
 * environment (httpoxy, SSL_* and friends: security-notes 4.9), run the
 * endpoint, write the response to stdout in one piece.  When a FastCGI
 * server started the program (fd 0 is a listening socket), the same
 * request handling runs once per accepted request instead (fcgi.c).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ghauth-int.h"

/*
 * Before any input: no core dumps or same-uid ptrace/environ reads.  A
 * file-size limit (RLIMIT_FSIZE, e.g. systemd's LimitFSIZE=) must fail the
 * store's write with EFBIG, answered 503 like a full disk, rather than kill
 * the program with SIGXFSZ in the middle of it.
 */
static void
harden(void)
{
	struct rlimit	 rl = { 0, 0 };

	umask(077);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	(void)setrlimit(RLIMIT_CORE, &rl);
}

/*
 * session, auth and logout are API endpoints: like their own errors
 * (endpoint.c), errors found before they run (request, configuration) are
 * always JSON.
 */
static int
api_endpoint(const char *name)
{
	return strcmp(name, "session") == 0 || strcmp(name, "auth") == 0 ||
	    strcmp(name, "logout") == 0;
}

/*
 * Answers one request: req was read with result rrc, cfg loaded with crc.
 * Returns the serialised response (malloc'd, length in *len) or NULL.
 */
char *
ghauthp_respond(const char *name, ghauthp_endpoint ep,
    const struct ghauthp_request *req, enum ghauth_err rrc,
    const struct ghauth_config *cfg, enum ghauth_err crc, size_t *len)
{
	struct ghauth_response	 resp;
	struct ghauthp_result	 res;
	char			*out;
	const struct ghauthp_request *er = api_endpoint(name) ? NULL : req;

	ghauth_response_init(&resp);
	if (crc != GHAUTH_OK) {
		ghauthp_result(&res, crc == GHAUTH_E_NOMEM ? crc :
		    GHAUTH_E_CONFIG, NULL);
		ghauthp_response_error(&resp, er, NULL, &res);
	} else if (rrc != GHAUTH_OK) {
		ghauthp_result(&res, rrc, NULL);
		ghauthp_response_error(&resp, er, cfg, &res);
	} else
		ep(cfg, req, &resp);
	out = ghauth_response_serialize(&resp, len);
	ghauth_response_free(&resp);
	return out;
}

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
	struct ghauthp_request	 req;
	struct ghauth_config	 cfg;
	enum ghauth_err		 rc, crc;
	char			 err[768];
	char			*out;
	size_t			 len;
	int			 ok;

	harden();
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
