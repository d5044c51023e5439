/*
 * respond.c - one request answered, whatever carried it: the errors found
 * before the handler runs (the request, the configuration, the program's
 * method and the checks of endpoint.c), or the handler's own answer,
 * serialised.  The CGI driver (cgi.c) calls it once, the FastCGI loop
 * (fcgi.c) once per accepted request.
 */
#include "config.h"

#include <string.h>

#include "driver.h"
#include "protect.h"

/* An error found before the handler ran, in the program's style. */
static void
early_error(const struct ghauthp_program *p, const struct ghauthp_call *c,
    enum ghauth_err e, struct ghauth_response *resp)
{
	struct ghauthp_result	 res;

	if (p->errors == GHAUTHP_ERRORS_DENY) {
		ghauth_deny_response(c->cfg, c->env, c->ctx, e, resp);
		return;
	}
	if (c->cfg == NULL && e != GHAUTH_E_NOMEM)
		e = GHAUTH_E_CONFIG;
	ghauthp_result(&res, e, NULL);
	ghauthp_response_error(resp, p->errors == GHAUTHP_ERRORS_JSON ? NULL :
	    &c->req, c->cfg, &res);
}

/*
 * Answers the request of c: it was read with result rrc and its
 * configuration loaded with crc (c->cfg NULL unless GHAUTH_OK).  Returns 1
 * when the handler answered itself; else 0 with the serialised response
 * in *out (malloc'd, length *len; NULL if it could not be built).
 */
int
ghauthp_respond(const struct ghauthp_program *p, struct ghauthp_call *c,
    enum ghauth_err rrc, enum ghauth_err crc, char **out, size_t *len)
{
	struct ghauth_response	 resp;
	int			 done = 0;

	*out = NULL;
	*len = 0;
	ghauth_response_init(&resp);
	if (crc != GHAUTH_OK)
		early_error(p, c, crc, &resp);
	else if (rrc != GHAUTH_OK)
		early_error(p, c, rrc, &resp);
	else if (p->method == GHAUTHP_METHOD_NONE ||
	    ghauthp_ep_check(c->cfg, &c->req, &resp, p->method, p->allow,
	    p->errors == GHAUTHP_ERRORS_JSON))
		done = p->run(c, &resp);
	if (!done) {
		if (p->flags & GHAUTHP_PROG_DRAIN)
			ghauthp_drain_body();
		*out = ghauth_response_serialize(&resp, len);
	}
	ghauth_response_free(&resp);
	return done;
}
