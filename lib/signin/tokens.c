/*
 * tokens.c - the token lifecycle: everything the endpoints do with the
 * store, each transaction in one place, on any backend (store/store.h).
 *
 *   state:    create (sign-in start), take (callback: single use)
 *   session:  create with its hand-off (callback), get, touch, end
 *   hand-off: take (first session check after the callback: single use)
 *
 * The store's own results become the library's errors here, and only
 * here: absent is "unknown" to the caller, busy and failed are 503s (a
 * store that is down never signs anybody out).  Nothing is returned to
 * an endpoint - no token leaves the program - before the store confirmed
 * the write (GDBM: the commit's fsync; Redis: each command's reply).
 *
 * Cleanup policy: the writers of sign-in and logout (state create/take,
 * session create/end) run one bounded sweep of expired records (GDBM;
 * Redis expires keys itself), so no request pays for a full scan; session
 * checks, touches and hand-off takes never sweep.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ghauth-int.h"

/* The pad that masks a session token inside its hand-off record. */
void
ghauthp_handoff_pad(const char *handoff, unsigned char pad[32])
{
	char	 buf[32 + GHAUTHP_TOKEN_LEN + 1];
	int	 n;

	n = snprintf(buf, sizeof(buf), "ghauth-handoff-pad:%s", handoff);
	ghauthp_sha256(buf, n > 0 && (size_t)n < sizeof(buf) ? (size_t)n : 0,
	    pad);
	ghauthp_wipe(buf, sizeof(buf));
}

static void
spec(const struct ghauth_config *cfg, struct ghauthp_store_spec *sp)
{
	sp->store = cfg->store;
	sp->prefix = cfg->store_prefix;
	sp->lock_timeout_ms = cfg->lock_timeout_ms;
	sp->timeout_ms = cfg->store_timeout_ms;
}

static enum ghauth_err
open_store(const struct ghauth_config *cfg, enum ghauthp_store_mode mode,
    struct ghauthp_store **st)
{
	struct ghauthp_store_spec	 sp;

	spec(cfg, &sp);
	switch (ghauthp_store_open_spec(st, &sp, mode)) {
	case GHAUTHP_S_OK:
		return GHAUTH_OK;
	case GHAUTHP_S_BUSY:
		return GHAUTH_E_BUSY;
	default:
		return GHAUTH_E_STORE;
	}
}

/* A store result that is not the expected one, as a library error. */
static enum ghauth_err
failure(enum ghauthp_sres r)
{
	switch (r) {
	case GHAUTHP_S_OK:
		return GHAUTH_OK;
	case GHAUTHP_S_BUSY:
		return GHAUTH_E_BUSY;
	case GHAUTHP_S_ABSENT:
		return GHAUTH_E_SESSION;
	case GHAUTHP_S_EXISTS:
		return GHAUTH_E_INTERNAL;
	default:
		return GHAUTH_E_STORE;
	}
}

/* The cleanup policy, for writers only; its failure fails nothing. */
static void
cleanup(struct ghauthp_store *st, time_t now)
{
	int	 removed;

	(void)ghauthp_store_sweep(st, now, GHAUTHP_SWEEP_MAX, &removed);
}

/* Commits; on an error path, aborts and keeps the error. */
static enum ghauth_err
finish(struct ghauthp_store *st, enum ghauth_err rc)
{
	if (rc != GHAUTH_OK) {
		ghauthp_store_abort(st);
		return rc;
	}
	return ghauthp_store_close(st) == GHAUTHP_S_OK ? GHAUTH_OK :
	    GHAUTH_E_STORE;
}

/* Encodes rec under key and puts it (how: new, replace or any). */
static enum ghauth_err
put_record(struct ghauthp_store *st, const unsigned char *key,
    const struct ghauthp_record *rec, enum ghauthp_put how)
{
	unsigned char	*v;
	size_t		 n = 0;
	enum ghauthp_sres r;

	if ((v = ghauthp_record_encode(rec, key, GHAUTHP_KEY_LEN, &n)) == NULL)
		return GHAUTH_E_INTERNAL;
	r = ghauthp_store_put(st, key, GHAUTHP_KEY_LEN, v, n, rec->expires,
	    how);
	ghauthp_wipe(v, n);
	free(v);
	return failure(r);
}

static void
free_value(unsigned char *v, size_t n)
{
	if (v != NULL)
		ghauthp_wipe(v, n);
	free(v);
}

/*
 * Takes (reads and deletes, atomically) the record at key and decodes it.
 * GHAUTH_OK, GHAUTH_E_SESSION (absent, or failed its integrity check:
 * *bad set), or a store error.
 */
static enum ghauth_err
take_record(const struct ghauth_config *cfg, const unsigned char *key,
    time_t now, int sweep, struct ghauthp_record *rec, int *bad)
{
	struct ghauthp_store	*st;
	unsigned char		*v = NULL;
	size_t			 vlen = 0;
	enum ghauth_err		 rc;
	enum ghauthp_sres	 r;

	*bad = 0;
	memset(rec, 0, sizeof(*rec));
	if ((rc = open_store(cfg, GHAUTHP_STORE_WRITE, &st)) != GHAUTH_OK)
		return rc;
	r = ghauthp_store_take(st, key, GHAUTHP_KEY_LEN, &v, &vlen);
	if (r != GHAUTHP_S_OK && r != GHAUTHP_S_ABSENT) {
		ghauthp_store_abort(st);
		return failure(r);
	}
	if (sweep)
		cleanup(st, now);
	if ((rc = finish(st, GHAUTH_OK)) != GHAUTH_OK || r != GHAUTHP_S_OK) {
		free_value(v, vlen);
		return rc != GHAUTH_OK ? rc : GHAUTH_E_SESSION;
	}
	if (ghauthp_record_decode(key, GHAUTHP_KEY_LEN, v, vlen, rec) != 0) {
		memset(rec, 0, sizeof(*rec));
		*bad = 1;
		rc = GHAUTH_E_SESSION;
	}
	free_value(v, vlen);
	return rc;
}

/*
 * A new state for a sign-in: its PKCE verifier and redirect are stored
 * under the state's hash, committed before the state is returned.
 */
enum ghauth_err
ghauthp_state_create(const struct ghauth_config *cfg, const char *redirect,
    char state[GHAUTHP_TOKEN_LEN + 1], char challenge[GHAUTHP_TOKEN_LEN + 1])
{
	struct ghauthp_record	 rec;
	struct ghauthp_store	*st;
	unsigned char		 key[GHAUTHP_KEY_LEN], hash[32];
	enum ghauth_err		 rc;
	time_t			 now = ghauthp_now();
	int			 tries;

	state[0] = '\0';
	memset(&rec, 0, sizeof(rec));
	rec.type = GHAUTHP_REC_STATE;
	rec.created = rec.last_seen = now;
	rec.expires = now + cfg->state_ttl;
	rec.redirect = (char *)(uintptr_t)redirect;
	if (!ghauthp_token(rec.verifier)) {
		rc = GHAUTH_E_INTERNAL;
		goto out;
	}
	ghauthp_sha256(rec.verifier, GHAUTHP_TOKEN_LEN, hash);
	ghauthp_b64url_encode(hash, sizeof(hash), challenge,
	    GHAUTHP_TOKEN_LEN + 1);
	if ((rc = open_store(cfg, GHAUTHP_STORE_WRITE, &st)) != GHAUTH_OK)
		goto out;
	for (tries = 0; tries < 3; tries++) {
		if (!ghauthp_token(state)) {
			rc = GHAUTH_E_INTERNAL;
			break;
		}
		ghauthp_key(GHAUTHP_KIND_STATE, state, key);
		/* Insert only: a (2^-256) collision must not overwrite. */
		if ((rc = put_record(st, key, &rec, GHAUTHP_PUT_NEW)) !=
		    GHAUTH_E_INTERNAL)
			break;
	}
	if (rc == GHAUTH_OK)
		cleanup(st, now);
	rc = finish(st, rc);
out:
	if (rc != GHAUTH_OK)
		ghauthp_wipe(state, GHAUTHP_TOKEN_LEN + 1);
	ghauthp_wipe(&rec, sizeof(rec));
	return rc;
}

/*
 * Consumes a state: whatever follows, it cannot be used again, even when
 * two web servers race on it.  On GHAUTH_OK rec holds the state record
 * (verifier, redirect).  GHAUTH_E_BAD_STATE when unknown, used, damaged or
 * expired; a store error consumed nothing.
 */
enum ghauth_err
ghauthp_state_take(const struct ghauth_config *cfg, const char *state,
    struct ghauthp_record *rec)
{
	unsigned char	 key[GHAUTHP_KEY_LEN];
	enum ghauth_err	 rc;
	time_t		 now = ghauthp_now();
	int		 bad;

	ghauthp_key(GHAUTHP_KIND_STATE, state, key);
	rc = take_record(cfg, key, now, 1, rec, &bad);
	if (rc == GHAUTH_E_SESSION) {
		if (bad)
			ghauthp_log("callback: state record failed its "
			    "integrity check");
		else
			ghauthp_log("callback: state unknown or already used");
		return GHAUTH_E_BAD_STATE;
	}
	if (rc != GHAUTH_OK)
		return rc;
	if (rec->type != GHAUTHP_REC_STATE) {
		ghauthp_log("callback: state record failed its integrity check");
		ghauthp_record_free(rec);
		return GHAUTH_E_BAD_STATE;
	}
	if (now >= rec->expires) {
		ghauthp_log("callback: state expired");
		ghauthp_record_free(rec);
		return GHAUTH_E_BAD_STATE;
	}
	return GHAUTH_OK;
}

/*
 * Stores a session for user u (admitted by the org:/team: entries in
 * groups, comma-separated, or NULL) and its single-use hand-off, and commits.
 * token and handoff are filled only on GHAUTH_OK, that is once the store
 * confirmed both writes.
 */
enum ghauth_err
ghauthp_session_create(const struct ghauth_config *cfg,
    const struct ghauthp_gh_user *u, char *groups,
    char token[GHAUTHP_TOKEN_LEN + 1], char handoff[GHAUTHP_TOKEN_LEN + 1])
{
	struct ghauthp_store	*st = NULL;
	struct ghauthp_record	 s, h;
	unsigned char		 skey[GHAUTHP_KEY_LEN], hkey[GHAUTHP_KEY_LEN];
	unsigned char		 raw[32], pad[32];
	unsigned char		*sv = NULL, *hv = NULL;
	size_t			 i, slen = 0, hlen = 0;
	enum ghauthp_sres	 r;
	enum ghauth_err		 rc = GHAUTH_E_INTERNAL;
	time_t			 now = ghauthp_now();

	memset(&s, 0, sizeof(s));
	memset(&h, 0, sizeof(h));
	if (!ghauthp_random(raw, sizeof(raw)) ||
	    ghauthp_b64url_encode(raw, sizeof(raw), token,
	    GHAUTHP_TOKEN_LEN + 1) != GHAUTHP_TOKEN_LEN ||
	    !ghauthp_token(handoff))
		goto out;
	s.type = GHAUTHP_REC_SESSION;
	s.created = s.last_seen = now;
	s.expires = now + cfg->session_ttl;
	s.uid = u->id;
	s.login = u->login;
	s.name = u->name;
	s.avatar_url = u->avatar_url;
	s.email = u->email;
	s.groups = groups;	/* the org:/team: entries that admitted it */
	h.type = GHAUTHP_REC_HANDOFF;
	h.created = h.last_seen = now;
	h.expires = now + cfg->handoff_ttl;
	ghauthp_handoff_pad(handoff, pad);
	for (i = 0; i < sizeof(raw); i++)
		h.masked[i] = raw[i] ^ pad[i];
	ghauthp_key(GHAUTHP_KIND_SESSION, token, skey);
	ghauthp_key(GHAUTHP_KIND_HANDOFF, handoff, hkey);
	/* Encoded before the store is opened: the lock is held briefly. */
	if ((sv = ghauthp_record_encode(&s, skey, sizeof(skey), &slen)) ==
	    NULL || (hv = ghauthp_record_encode(&h, hkey, sizeof(hkey),
	    &hlen)) == NULL) {
		rc = GHAUTH_E_INTERNAL;
		goto out;
	}
	if ((rc = open_store(cfg, GHAUTHP_STORE_WRITE, &st)) != GHAUTH_OK)
		goto out;
	r = ghauthp_store_put(st, skey, sizeof(skey), sv, slen, s.expires,
	    GHAUTHP_PUT_NEW);
	if (r == GHAUTHP_S_OK && (r = ghauthp_store_put(st, hkey,
	    sizeof(hkey), hv, hlen, h.expires, GHAUTHP_PUT_NEW)) !=
	    GHAUTHP_S_OK)
		/* Redis applied the first write already: no orphan left. */
		(void)ghauthp_store_del(st, skey, sizeof(skey));
	rc = failure(r);
	if (rc == GHAUTH_OK)
		cleanup(st, now);
	rc = finish(st, rc);
out:
	s.login = s.name = s.avatar_url = s.email = NULL;	/* owned by u */
	s.groups = NULL;	/* owned by the caller */
	free_value(sv, slen);
	free_value(hv, hlen);
	ghauthp_wipe(raw, sizeof(raw));
	ghauthp_wipe(pad, sizeof(pad));
	ghauthp_wipe(&h, sizeof(h));
	if (rc != GHAUTH_OK) {
		ghauthp_wipe(token, GHAUTHP_TOKEN_LEN + 1);
		ghauthp_wipe(handoff, GHAUTHP_TOKEN_LEN + 1);
	}
	return rc;
}

/*
 * Consumes a hand-off and recovers the session token it stands for into
 * token.  GHAUTH_OK, GHAUTH_E_SESSION or a store error.
 */
enum ghauth_err
ghauthp_handoff_take(const struct ghauth_config *cfg, const char *handoff,
    char token[GHAUTHP_TOKEN_LEN + 1])
{
	struct ghauthp_record	 r;
	unsigned char		 key[GHAUTHP_KEY_LEN], pad[32], raw[32];
	enum ghauth_err		 rc;
	time_t			 now = ghauthp_now();
	size_t			 i;
	int			 bad;

	ghauthp_key(GHAUTHP_KIND_HANDOFF, handoff, key);
	/* On the path of a session check: no sweep. */
	rc = take_record(cfg, key, now, 0, &r, &bad);
	if (rc == GHAUTH_E_SESSION) {
		if (bad)
			ghauthp_log("session: hand-off failed its integrity "
			    "check");
		else
			ghauthp_log("session: hand-off unknown or already used");
		return rc;
	}
	if (rc != GHAUTH_OK)
		return rc;
	if (r.type != GHAUTHP_REC_HANDOFF || now >= r.expires) {
		ghauthp_log("session: hand-off expired");
		ghauthp_record_free(&r);
		return GHAUTH_E_SESSION;
	}
	ghauthp_handoff_pad(handoff, pad);
	for (i = 0; i < sizeof(raw); i++)
		raw[i] = r.masked[i] ^ pad[i];
	ghauthp_b64url_encode(raw, sizeof(raw), token, GHAUTHP_TOKEN_LEN + 1);
	ghauthp_wipe(raw, sizeof(raw));
	ghauthp_wipe(pad, sizeof(pad));
	ghauthp_record_free(&r);
	return GHAUTH_OK;
}

/*
 * Reads the session record of token (a reader: session checks never
 * write).  GHAUTH_OK with r filled (ghauthp_record_free), GHAUTH_E_SESSION
 * when absent or damaged, or a store error - never "absent" for a store
 * that could not answer.
 */
enum ghauth_err
ghauthp_session_get(const struct ghauth_config *cfg, const char *token,
    struct ghauthp_record *r)
{
	struct ghauthp_store	*st;
	unsigned char		 key[GHAUTHP_KEY_LEN];
	unsigned char		*v = NULL;
	size_t			 vlen = 0;
	enum ghauth_err		 rc;
	enum ghauthp_sres	 sr;
	char			 tag[9];

	memset(r, 0, sizeof(*r));
	ghauthp_key(GHAUTHP_KIND_SESSION, token, key);
	if ((rc = open_store(cfg, GHAUTHP_STORE_READ, &st)) != GHAUTH_OK)
		return rc;
	sr = ghauthp_store_get(st, key, sizeof(key), &v, &vlen);
	ghauthp_store_close(st);
	if (sr != GHAUTHP_S_OK)
		return failure(sr);
	if (ghauthp_record_decode(key, sizeof(key), v, vlen, r) != 0) {
		memset(r, 0, sizeof(*r));
		ghauthp_token_tag(token, tag);
		ghauthp_log("session %s: record failed its integrity check", tag);
		rc = GHAUTH_E_SESSION;
	}
	free(v);
	return rc;
}

/*
 * With an idle timeout, records last use - at most every quarter of the
 * idle period (and at most every 5 minutes), never on every check, so
 * session checks stay readers.  Only an existing session is rewritten (a
 * logout racing with the touch wins).  Failure here does not end the
 * session.
 */
void
ghauthp_session_touch(const struct ghauth_config *cfg, const char *token,
    time_t now, int64_t last_seen)
{
	struct ghauthp_store	*st;
	struct ghauthp_record	 r;
	unsigned char		 key[GHAUTHP_KEY_LEN];
	unsigned char		*v = NULL;
	size_t			 vlen = 0;
	long			 every;

	every = cfg->session_idle_ttl / 4;
	if (every > 300)
		every = 300;
	if (every < 1)
		every = 1;
	if (now - last_seen < every)
		return;
	ghauthp_key(GHAUTHP_KIND_SESSION, token, key);
	if (open_store(cfg, GHAUTHP_STORE_WRITE, &st) != GHAUTH_OK)
		return;
	/* Re-read under the exclusive lock: flock upgrades are not atomic. */
	if (ghauthp_store_get(st, key, sizeof(key), &v, &vlen) ==
	    GHAUTHP_S_OK && ghauthp_record_decode(key, sizeof(key), v, vlen,
	    &r) == 0) {
		if (r.type == GHAUTHP_REC_SESSION && r.last_seen < now) {
			r.last_seen = now;
			(void)put_record(st, key, &r, GHAUTHP_PUT_REPLACE);
		}
		ghauthp_record_free(&r);
	}
	free(v);
	ghauthp_store_close(st);
}

/* Ends the session of token (absent is fine: logout is idempotent). */
enum ghauth_err
ghauthp_session_end(const struct ghauth_config *cfg, const char *token)
{
	struct ghauthp_store	*st;
	unsigned char		 key[GHAUTHP_KEY_LEN];
	enum ghauth_err		 rc;

	ghauthp_key(GHAUTHP_KIND_SESSION, token, key);
	if ((rc = open_store(cfg, GHAUTHP_STORE_WRITE, &st)) != GHAUTH_OK)
		return rc;
	if ((rc = failure(ghauthp_store_del(st, key, sizeof(key)))) ==
	    GHAUTH_OK)
		cleanup(st, ghauthp_now());
	return finish(st, rc);
}
