/*
 * respond.c - one request answered, whatever carried it: the errors found
 * before the endpoint runs (the request, the configuration) or the
 * endpoint's own answer, serialised.  The CGI driver (cgi.c) calls it once,
 * the FastCGI loop (fcgi.c) once per accepted request.
 */
#include "config.h"

#include <string.h>

#include "ghauth-int.h"

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
