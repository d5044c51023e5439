/*
 * driver.h - shared by the files of lib/driver/ only: one request answered
 * (respond.c), by cgi.c once and by fcgi.c in a loop.
 */
#ifndef GHAUTH_DRIVER_H
#define GHAUTH_DRIVER_H

#include "ghauth-int.h"

int		 ghauthp_respond(const struct ghauthp_program *,
		    struct ghauthp_call *, enum ghauth_err, enum ghauth_err,
		    char **, size_t *);

#endif /* GHAUTH_DRIVER_H */
