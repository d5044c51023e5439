/*
 * storebench.c - the store at scale, for bench/run (never installed).
 *
 *   storebench STORE fill N          add N sessions (tokens "bench-<i>"-derived)
 *   storebench STORE lookup N M [fastcgi]
 *                                    M lookups of random sessions among the
 *                                    first N, each a full request's worth of
 *                                    store work (lock, open, fetch, verify,
 *                                    close; with "fastcgi", the reader handle
 *                                    kept across lookups as in FastCGI mode);
 *                                    prints microseconds per lookup
 *   storebench STORE churn K TTL     K sign-in/sign-out cycles (put a session
 *                                    and a hand-off, delete the session, sweep)
 *                                    with TTL-second records; prints the file
 *                                    size every K/10 cycles
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ghauth-int.h"

static void
token_for(long i, char tok[GHAUTHP_TOKEN_LEN + 1])
{
	unsigned char	 h[32];
	char		 seed[32];

	snprintf(seed, sizeof(seed), "bench-%ld", i);
	ghauthp_sha256(seed, strlen(seed), h);
	ghauthp_b64url_encode(h, sizeof(h), tok, GHAUTHP_TOKEN_LEN + 1);
}

static int
put_session(struct ghauthp_store *st, const char *tok, long i, long ttl)
{
	struct ghauthp_record	 r;
	unsigned char		 key[GHAUTHP_KEY_LEN], *v;
	size_t			 n;
	char			 login[32];
	int			 ok;

	memset(&r, 0, sizeof(r));
	snprintf(login, sizeof(login), "user%ld", i % 100000);
	r.type = GHAUTHP_REC_SESSION;
	r.created = r.last_seen = ghauthp_now();
	r.expires = r.created + ttl;
	r.uid = (uint64_t)i + 1;
	r.login = login;
	r.avatar_url = "https://avatars.githubusercontent.com/u/583231?v=4";
	r.name = "Bench User";
	r.email = "bench@example.org";
	ghauthp_key(GHAUTHP_KIND_SESSION, tok, key);
	if ((v = ghauthp_record_encode(&r, key, sizeof(key), &n)) == NULL)
		return 0;
	ok = ghauthp_store_put(st, key, sizeof(key), v, n, 0,
	    GHAUTHP_PUT_ANY) == GHAUTHP_S_OK;
	free(v);
	return ok;
}

static double
now_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char *argv[])
{
	struct ghauth_config	 cfg;
	struct ghauth_identity	 id;
	struct ghauthp_store	*st;
	struct stat		 sb;
	char			 tok[GHAUTHP_TOKEN_LEN + 1];
	long			 i, n, m;
	double			 t0;
	int			 removed;

	umask(077);
	if (argc < 4)
		return 2;
	n = atol(argv[3]);
	if (strcmp(argv[2], "fill") == 0) {
		/* Batches, so the lock is not held for minutes. */
		for (i = 0; i < n; ) {
			long end = i + 10000 < n ? i + 10000 : n;

			if (ghauthp_store_open(&st, argv[1], GHAUTHP_STORE_WRITE,
			    10000) != GHAUTHP_S_OK)
				return 1;
			for (; i < end; i++) {
				token_for(i, tok);
				if (!put_session(st, tok, i, 86400))
					return 1;
			}
			if (ghauthp_store_close(st) != GHAUTHP_S_OK)
				return 1;
		}
		return 0;
	}
	if (strcmp(argv[2], "lookup") == 0 && argc >= 5) {
		memset(&cfg, 0, sizeof(cfg));
		cfg.store = argv[1];
		cfg.lock_timeout_ms = 2000;
		m = atol(argv[4]);
		if (argc >= 6 && strcmp(argv[5], "fastcgi") == 0)
			ghauthp_store_cache_readers(1);
		srandom(42);
		t0 = now_s();
		for (i = 0; i < m; i++) {
			token_for(random() % n, tok);
			if (ghauthp_session_lookup(&cfg, tok, &id) != GHAUTH_OK) {
				fprintf(stderr, "lookup %ld failed\n", i);
				return 1;
			}
			ghauth_identity_free(&id);
		}
		printf("%.2f\n", (now_s() - t0) * 1e6 / (double)m);
		return 0;
	}
	if (strcmp(argv[2], "churn") == 0 && argc >= 5) {
		long ttl = atol(argv[4]);

		for (i = 0; i < n; i++) {
			unsigned char key[GHAUTHP_KEY_LEN];

			if (ghauthp_store_open(&st, argv[1], GHAUTHP_STORE_WRITE,
			    10000) != GHAUTHP_S_OK)
				return 1;
			token_for(1000000000L + i, tok);
			put_session(st, tok, i, ttl);
			/* Half the users sign out, the rest expire. */
			if (i % 2 == 0) {
				ghauthp_key(GHAUTHP_KIND_SESSION, tok, key);
				ghauthp_store_del(st, key, sizeof(key));
			}
			ghauthp_store_sweep(st, ghauthp_now(),
			    GHAUTHP_SWEEP_MAX, &removed);
			if (ghauthp_store_close(st) != GHAUTHP_S_OK)
				return 1;
			if (n >= 10 && i % (n / 10) == n / 10 - 1 &&
			    stat(argv[1], &sb) == 0)
				printf("%ld %lld\n", i + 1, (long long)sb.st_size);
		}
		return 0;
	}
	return 2;
}
