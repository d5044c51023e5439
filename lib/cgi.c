/*
 * cgi.c - one CGI request from start to finish, shared by the four
 * programs: harden the process, read the request and the configuration,
 * drop the environment (httpoxy, SSL_* and friends: security-notes 4.9),
 * run the endpoint, write the response to stdout in one piece.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ghauth-int.h"

/* Before any input: no core dumps or same-uid ptrace/environ reads. */
static void
harden(void)
{
	struct rlimit	 rl = { 0, 0 };

	umask(077);
	signal(SIGPIPE, SIG_IGN);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	(void)setrlimit(RLIMIT_CORE, &rl);
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return 0;
		p += w;
		n -= (size_t)w;
	}
	return 1;
}

int
ghauth_cgi_main(const char *name, ghauth_endpoint ep)
{
	struct ghauth_request	 req;
	struct ghauth_config	 cfg;
	struct ghauth_response	 resp;
	struct ghauth_result	 res;
	enum ghauth_err		 rc, crc;
	char			 err[768];
	char			*out;
	size_t			 len;
	int			 ok;

	harden();
	ghauth_log_init(name);
	ghauth_response_init(&resp);
	memset(&cfg, 0, sizeof(cfg));
	rc = ghauth_request_read(&req, ghauth_getenv_process, NULL);
	err[0] = '\0';
	crc = ghauth_config_load(&cfg, ghauth_getenv_process, NULL, err,
	    sizeof(err));
	(void)clearenv();
	if (crc != GHAUTH_OK) {
		ghauth_log("configuration: %s", err[0] ? err : "out of memory");
		ghauthp_result(&res, crc == GHAUTH_E_NOMEM ? crc :
		    GHAUTH_E_CONFIG, NULL);
		ghauth_response_error(&resp, &req, NULL, &res);
	} else if (rc != GHAUTH_OK) {
		ghauthp_result(&res, rc, NULL);
		ghauth_response_error(&resp, &req, &cfg, &res);
	} else
		ep(&cfg, &req, &resp);
	out = ghauth_response_serialize(&resp, &len);
	ok = out != NULL && write_all(STDOUT_FILENO, out, len);
	if (out != NULL)
		ghauthp_wipe(out, len);
	free(out);
	ghauth_response_free(&resp);
	ghauth_request_free(&req);
	if (crc == GHAUTH_OK)
		ghauth_config_free(&cfg);
	return ok ? 0 : 1;
}
