/*
 * seed.c - test tool: puts records straight into a store and reads them
 * back, so CGI tests can start from a known store without a GitHub.  It
 * uses the library's own store and record code and takes the same lock.
 * Never installed.
 *
 *   seed STORE session TOKEN UID LOGIN AVATAR NAME|- EMAIL|- [TTL [AGE [IDLE
 *       [GROUPS|-]]]]       GROUPS: the admitting org:/team: entries
 *   seed STORE state TOKEN VERIFIER REDIRECT|- [TTL]
 *   seed STORE handoff HANDOFF SESSION_TOKEN [TTL]
 *   seed STORE corrupt st|se|ho TOKEN     flip one byte of the record
 *   seed STORE get st|se|ho TOKEN         print the record or "absent"
 *   seed STORE count                      records per kind
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gdbm.h>

#include "ghauth-int.h"

static const char *
kind(const char *k)
{
	if (strcmp(k, "st") == 0)
		return GHAUTHP_KIND_STATE;
	if (strcmp(k, "se") == 0)
		return GHAUTHP_KIND_SESSION;
	if (strcmp(k, "ho") == 0)
		return GHAUTHP_KIND_HANDOFF;
	fprintf(stderr, "seed: unknown kind %s\n", k);
	exit(2);
}

static const char *
opt(const char *s)
{
	return strcmp(s, "-") == 0 ? NULL : s;
}

static int
put(const char *path, const char *k, const char *token,
    struct ghauthp_record *r)
{
	struct ghauthp_store	*st;
	unsigned char		 key[GHAUTHP_KEY_LEN], *v;
	size_t			 n;
	int			 rc = 1;

	ghauthp_key(k, token, key);
	if ((v = ghauthp_record_encode(r, key, sizeof(key), &n)) == NULL) {
		fprintf(stderr, "seed: cannot encode\n");
		return 1;
	}
	/* A refusal frees and closes too: the fault tests tell it from a
	 * crash by its exit status and message, under LeakSanitizer also. */
	if (ghauthp_store_open(&st, path, GHAUTHP_STORE_WRITE, 5000) ==
	    GHAUTHP_S_OK) {
		rc = ghauthp_store_put(st, key, sizeof(key), v, n,
		    r->expires, GHAUTHP_PUT_ANY) == GHAUTHP_S_OK ? 0 : 1;
		if (ghauthp_store_close(st) != GHAUTHP_S_OK)
			rc = 1;
	}
	free(v);
	if (rc != 0)
		fprintf(stderr, "seed: store failed\n");
	return rc;
}

/* seed count on Redis: c[] is st, se, ho, other. */
static int
count_one(void *ctx, const unsigned char *k, size_t klen,
    const unsigned char *v GHAUTHP_UNUSED, size_t vlen GHAUTHP_UNUSED)
{
	int	*c = ctx;

	if (klen == GHAUTHP_KEY_LEN && memcmp(k, "st:", 3) == 0)
		c[0]++;
	else if (klen == GHAUTHP_KEY_LEN && memcmp(k, "se:", 3) == 0)
		c[1]++;
	else if (klen == GHAUTHP_KEY_LEN && memcmp(k, "ho:", 3) == 0)
		c[2]++;
	else
		c[3]++;
	return 1;
}

int
main(int argc, char *argv[])
{
	struct ghauthp_record	 r;
	struct ghauthp_store	*st;
	unsigned char		 key[GHAUTHP_KEY_LEN], raw[32], pad[32];
	unsigned char		*v;
	size_t			 n, i;
	time_t			 now = ghauthp_now();
	const char		*path, *cmd;

	umask(077);
	if (argc < 3) {
		fprintf(stderr, "usage: seed STORE command ...\n");
		return 2;
	}
	path = argv[1];
	cmd = argv[2];
	memset(&r, 0, sizeof(r));
	if (strcmp(cmd, "session") == 0 && argc >= 9) {
		long ttl = argc > 9 ? atol(argv[9]) : 86400;
		long age = argc > 10 ? atol(argv[10]) : 0;
		long idle = argc > 11 ? atol(argv[11]) : 0;

		r.type = GHAUTHP_REC_SESSION;
		r.created = now - age;
		r.last_seen = now - idle;
		r.expires = r.created + ttl;
		r.uid = strtoull(argv[4], NULL, 10);
		r.login = argv[5];
		r.avatar_url = argv[6];
		r.name = (char *)opt(argv[7]);
		r.email = (char *)opt(argv[8]);
		r.groups = argc > 12 ? (char *)opt(argv[12]) : NULL;
		return put(path, GHAUTHP_KIND_SESSION, argv[3], &r);
	}
	if (strcmp(cmd, "state") == 0 && argc >= 6) {
		r.type = GHAUTHP_REC_STATE;
		r.created = r.last_seen = now;
		r.expires = now + (argc > 6 ? atol(argv[6]) : 600);
		snprintf(r.verifier, sizeof(r.verifier), "%s", argv[4]);
		r.redirect = (char *)opt(argv[5]);
		return put(path, GHAUTHP_KIND_STATE, argv[3], &r);
	}
	if (strcmp(cmd, "handoff") == 0 && argc >= 5) {
		r.type = GHAUTHP_REC_HANDOFF;
		r.created = r.last_seen = now;
		r.expires = now + (argc > 5 ? atol(argv[5]) : 60);
		if (!ghauthp_b64url_decode(argv[4], strlen(argv[4]), raw, 32)) {
			fprintf(stderr, "seed: bad session token\n");
			return 2;
		}
		ghauthp_handoff_pad(argv[3], pad);
		for (i = 0; i < 32; i++)
			r.masked[i] = raw[i] ^ pad[i];
		return put(path, GHAUTHP_KIND_HANDOFF, argv[3], &r);
	}
	if ((strcmp(cmd, "corrupt") == 0 || strcmp(cmd, "get") == 0) &&
	    argc >= 5) {
		int	 write = strcmp(cmd, "corrupt") == 0;

		ghauthp_key(kind(argv[3]), argv[4], key);
		if (ghauthp_store_open(&st, path, write ? GHAUTHP_STORE_WRITE :
		    GHAUTHP_STORE_READ, 5000) != GHAUTHP_S_OK)
			return 1;
		if (ghauthp_store_get(st, key, sizeof(key), &v, &n) !=
		    GHAUTHP_S_OK) {
			ghauthp_store_close(st);
			printf("absent\n");
			return write ? 1 : 0;
		}
		if (write) {
			v[n / 2] ^= 0x20;
			ghauthp_store_put(st, key, sizeof(key), v, n,
			    (int64_t)now + 3600, GHAUTHP_PUT_ANY);
		} else if (ghauthp_record_decode(key, sizeof(key), v, n, &r)
		    != 0)
			printf("corrupt\n");
		else {
			printf("type=%d created=%lld expires=%lld "
			    "last_seen=%lld", r.type, (long long)r.created,
			    (long long)r.expires, (long long)r.last_seen);
			if (r.type == GHAUTHP_REC_SESSION)
				printf(" uid=%llu login=%s name=%s avatar=%s "
				    "email=%s", (unsigned long long)r.uid,
				    r.login, r.name ? r.name : "-",
				    r.avatar_url, r.email ? r.email : "-");
			if (r.type == GHAUTHP_REC_SESSION && r.groups != NULL)
				printf(" groups=%s", r.groups);
			if (r.type == GHAUTHP_REC_STATE)
				printf(" redirect=%s",
				    r.redirect ? r.redirect : "-");
			printf("\n");
			ghauthp_record_free(&r);
		}
		free(v);
		return ghauthp_store_close(st) == GHAUTHP_S_OK ? 0 : 1;
	}
	if (strcmp(cmd, "count") == 0 && ghauthp_store_is_redis(path)) {
		int	 c[4] = { 0, 0, 0, 0 };

		if (ghauthp_store_open(&st, path, GHAUTHP_STORE_READ, 5000) !=
		    GHAUTHP_S_OK || ghauthp_store_each(st, count_one, c) !=
		    GHAUTHP_S_OK)
			return 1;
		ghauthp_store_close(st);
		printf("st=%d se=%d ho=%d other=%d\n", c[0], c[1], c[2], c[3]);
		return 0;
	}
	if (strcmp(cmd, "count") == 0) {
		GDBM_FILE	 db;
		datum		 k, nk;
		int		 st_n = 0, se_n = 0, ho_n = 0, other = 0;

		db = gdbm_open(path, 0, GDBM_READER, 0600, NULL);
		if (db == NULL) {
			printf("st=0 se=0 ho=0 other=0\n");
			return 0;
		}
		for (k = gdbm_firstkey(db); k.dptr != NULL; k = nk) {
			if (k.dsize == GHAUTHP_KEY_LEN &&
			    memcmp(k.dptr, "st:", 3) == 0)
				st_n++;
			else if (k.dsize == GHAUTHP_KEY_LEN &&
			    memcmp(k.dptr, "se:", 3) == 0)
				se_n++;
			else if (k.dsize == GHAUTHP_KEY_LEN &&
			    memcmp(k.dptr, "ho:", 3) == 0)
				ho_n++;
			else
				other++;
			nk = gdbm_nextkey(db, k);
			free(k.dptr);
		}
		gdbm_close(db);
		printf("st=%d se=%d ho=%d other=%d\n", st_n, se_n, ho_n, other);
		return 0;
	}
	fprintf(stderr, "seed: bad command\n");
	return 2;
}
