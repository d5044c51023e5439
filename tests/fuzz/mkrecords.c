/*
 * mkrecords.c - writes the seed corpus of fuzz-record (key || value files,
 * one per record type and shape) with the library's own encoder, so the
 * seeds follow the record format: replay.sh checks that the files in
 * tests/fuzz/corpus/record are what this program writes today.
 *
 *   mkrecords DIR
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ghauth-int.h"

static int
emit(const char *dir, const char *name, const char *kind, const char *tok,
    const struct ghauthp_record *r)
{
	unsigned char	 key[GHAUTHP_KEY_LEN], *v;
	char		 path[4096];
	size_t		 n;
	FILE		*f;
	int		 ok;

	ghauthp_key(kind, tok, key);
	if ((v = ghauthp_record_encode(r, key, sizeof(key), &n)) == NULL) {
		fprintf(stderr, "mkrecords: cannot encode %s\n", name);
		return 0;
	}
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path) || (f = fopen(path, "wb")) == NULL) {
		fprintf(stderr, "mkrecords: cannot write %s/%s\n", dir, name);
		free(v);
		return 0;
	}
	ok = fwrite(key, 1, sizeof(key), f) == sizeof(key) &&
	    fwrite(v, 1, n, f) == n;
	ok = fclose(f) == 0 && ok;
	free(v);
	return ok;
}

int
main(int argc, char *argv[])
{
	struct ghauthp_record	 r;
	int			 i, ok = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: mkrecords DIR\n");
		return 2;
	}
	memset(&r, 0, sizeof(r));
	r.type = GHAUTHP_REC_SESSION;
	r.created = 1790000000;
	r.last_seen = 1790000100;
	r.expires = 1790086400;
	r.uid = 583231;
	r.login = "octocat";
	r.name = "The Octocat";
	r.avatar_url = "https://avatars.githubusercontent.com/u/583231?v=4";
	r.email = "octocat@github.com";
	ok = emit(argv[1], "session", GHAUTHP_KIND_SESSION, "tok1", &r) && ok;
	r.groups = "org:acme,team:acme/infra";
	ok = emit(argv[1], "session-groups", GHAUTHP_KIND_SESSION, "tok6", &r) &&
	    ok;
	r.groups = NULL;
	r.name = r.email = NULL;
	r.uid = 1;
	r.login = "a";
	ok = emit(argv[1], "session-min", GHAUTHP_KIND_SESSION, "tok2", &r) &&
	    ok;

	memset(&r, 0, sizeof(r));
	r.type = GHAUTHP_REC_STATE;
	r.created = r.last_seen = 1790000000;
	r.expires = 1790000600;
	snprintf(r.verifier, sizeof(r.verifier), "%s",
	    "gj1T2v0Fd3dC2mHkqWkzq3u1QhF2m4Hq7gR0cX9v8yA");
	r.redirect = "/docs/guide?page=2";
	ok = emit(argv[1], "state", GHAUTHP_KIND_STATE, "tok3", &r) && ok;
	r.redirect = NULL;
	ok = emit(argv[1], "state-noredirect", GHAUTHP_KIND_STATE, "tok4",
	    &r) && ok;

	memset(&r, 0, sizeof(r));
	r.type = GHAUTHP_REC_HANDOFF;
	r.created = r.last_seen = 1790000000;
	r.expires = 1790000060;
	for (i = 0; i < 32; i++)
		r.masked[i] = (unsigned char)(i * 7 + 3);
	ok = emit(argv[1], "handoff", GHAUTHP_KIND_HANDOFF, "tok5", &r) && ok;
	return ok ? 0 : 1;
}
