/*
 * endpoint.c - what every endpoint checks first, in one order: the method
 * (405 with Allow), an empty PATH_INFO (404: GitHub accepts any sub-path of
 * the callback, so nothing may be served below it), and whether sign-in is
 * enabled.  The driver runs these checks from the program's row (its
 * method, Allow and error style: lib/driver/respond.c) before the handler.
 */
#include "config.h"

#include "ghauth-int.h"

void
ghauthp_ep_fail(const struct ghauth_config *cfg,
    const struct ghauthp_request *req, struct ghauth_response *resp,
    enum ghauth_err e, const char *detail)
{
	struct ghauthp_result	 res;

	ghauthp_result(&res, e, detail);
	ghauthp_response_error(resp, req, cfg, &res);
}

/*
 * Returns 1 to go on, 0 when resp already holds the error.  Only the method
 * and PATH_INFO of req are used; with json set, errors are always JSON.
 */
int
ghauthp_ep_check(const struct ghauth_config *cfg,
    const struct ghauthp_request *req, struct ghauth_response *resp,
    enum ghauthp_method want, const char *allow, int json)
{
	/* API endpoints answer JSON whatever the Accept header says. */
	const struct ghauthp_request *er = json ? NULL : req;

	if (req->method != want) {
		ghauthp_response_header(resp, "Allow", "%s", allow);
		ghauthp_ep_fail(cfg, er, resp, GHAUTH_E_METHOD, NULL);
		return 0;
	}
	if (req->path_info) {
		ghauthp_ep_fail(cfg, er, resp, GHAUTH_E_NOTFOUND, NULL);
		return 0;
	}
	if (!cfg->enabled) {
		ghauthp_ep_fail(cfg, er, resp, GHAUTH_E_DISABLED, NULL);
		return 0;
	}
	return 1;
}
