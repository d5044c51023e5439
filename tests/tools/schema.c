/*
 * schema.c - test tool: prints the configuration schema, the rows of
 * keys[] in lib/config/config.c as ghauthp_config_keys() returns them, one
 * JSON object per line, for the documentation tests
 * (tests/docs/test-config-keys.py): they check the docs against the table
 * itself, not against a reading of the C source.  Never installed.
 *
 *   {"path": "auth.session_ttl", "env": "GHAUTH_SESSION_TTL",
 *    "type": "long", "min": 60, "max": 31536000, "default": "604800",
 *    "secret": false}
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "ghauth-int.h"

static const char *
type_name(enum ghauthp_ctype t)
{
	switch (t) {
	case GHAUTHP_CT_OBJECT:	return "object";
	case GHAUTHP_CT_BOOL:	return "bool";
	case GHAUTHP_CT_LONG:	return "long";
	case GHAUTHP_CT_STRING:	return "string";
	case GHAUTHP_CT_ALLOW:	return "allow";
	case GHAUTHP_CT_DIRS:	return "dirs";
	}
	return NULL;
}

int
main(void)
{
	const struct ghauthp_ckey	*k;
	json_t				*o;
	char				*s;
	size_t				 i, n;

	k = ghauthp_config_keys(&n);
	for (i = 0; i < n; i++) {
		if (type_name(k[i].type) == NULL) {
			fprintf(stderr, "schema: %s: unknown type %d\n",
			    k[i].path, (int)k[i].type);
			return 1;
		}
		o = json_pack("{s:s, s:s?, s:s, s:I, s:I, s:s?, s:b}",
		    "path", k[i].path, "env", k[i].env,
		    "type", type_name(k[i].type),
		    "min", (json_int_t)k[i].min, "max", (json_int_t)k[i].max,
		    "default", k[i].def,
		    "secret", (k[i].flags & GHAUTHP_CK_SECRET) != 0);
		if (o == NULL || (s = json_dumps(o, JSON_COMPACT |
		    JSON_SORT_KEYS)) == NULL) {
			fprintf(stderr, "schema: out of memory\n");
			return 1;
		}
		printf("%s\n", s);
		free(s);
		json_decref(o);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
