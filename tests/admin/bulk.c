/*
 * bulk.c - test tool: puts N session records into a store in one write
 * section, with the library's own record and store code, so the admin
 * tests can make a large store quickly (seed adds one record per run).
 * Never installed.
 *
 *   bulk STORE N LOGIN [TTL]    sessions of LOGIN (ids 1000000 + i)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ghauth-int.h"

int
main(int argc, char *argv[])
{
	struct ghauthp_store	*st = NULL;
	struct ghauthp_record	 r;
	unsigned char		 key[GHAUTHP_KEY_LEN], *v;
	char			 tok[GHAUTHP_TOKEN_LEN + 1];
	size_t			 n;
	long			 i, count, ttl;
	time_t			 now = ghauthp_now();
	int			 rc = 1;

	umask(077);
	if (argc < 4) {
		fprintf(stderr, "usage: bulk STORE N LOGIN [TTL]\n");
		return 2;
	}
	count = atol(argv[2]);
	ttl = argc > 4 ? atol(argv[4]) : 86400;
	if (ghauthp_store_open(&st, argv[1], GHAUTHP_STORE_WRITE, 5000) !=
	    GHAUTHP_S_OK) {
		fprintf(stderr, "bulk: cannot open %s\n", argv[1]);
		return 1;
	}
	for (i = 0; i < count; i++) {
		memset(&r, 0, sizeof(r));
		r.type = GHAUTHP_REC_SESSION;
		r.created = r.last_seen = now;
		r.expires = now + ttl;
		r.uid = 1000000 + (uint64_t)i;
		r.login = argv[3];
		r.avatar_url = "https://avatars.example/u/1";
		r.name = "Bulk User";
		if (!ghauthp_token(tok))
			goto out;
		ghauthp_key(GHAUTHP_KIND_SESSION, tok, key);
		if ((v = ghauthp_record_encode(&r, key, sizeof(key), &n)) ==
		    NULL)
			goto out;
		if (ghauthp_store_put(st, key, sizeof(key), v, n, 0,
		    GHAUTHP_PUT_ANY) !=
		    GHAUTHP_S_OK) {
			free(v);
			goto out;
		}
		free(v);
	}
	rc = 0;
out:
	if (rc != 0) {
		fprintf(stderr, "bulk: failed after %ld records\n", i);
		ghauthp_store_abort(st);
		return rc;
	}
	return ghauthp_store_close(st) == GHAUTHP_S_OK ? 0 : 1;
}
