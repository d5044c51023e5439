/*
 * ghauth-admin.c - ghauth-admin(8): looking after the session store, and
 * check-config, which says what the configuration means and what is wrong.
 *
 *   ghauth-admin [-c CONFIG] [-s STORE] [-t MS] COMMAND [ARGS]
 *   ghauth-admin [-c CONFIG] [-t MS] migrate FROM TO
 *
 * A store is a GDBM file or a Redis URL (auth.store); on Redis there is no
 * file to reorganize or recover, and those commands say so.
 * The store comes from the configuration, loaded as the CGI programs load
 * it (-c FILE, else $GHAUTH_CONFIG, the default file or the environment),
 * or from -s.  Every command takes the programs' lock file; the work is in
 * tools/admin.c, this file only parses arguments and prints.  Exit status:
 * 0 done (check: clean), 1 failed or check/check-config found problems, 2
 * usage, configuration or wrong user, 75 (EX_TEMPFAIL) the lock stayed busy.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gdbm.h>
#include <jansson.h>

#include "ghauth-int.h"

#define EXIT_PROBLEMS	1
#define EXIT_USAGE	2
#define EXIT_BUSY	75

static const char *const kind_name[GHAUTHP_AK__MAX] = {
	"states", "sessions", "hand-offs", "meta", "other"
};
static const char *const json_kind[GHAUTHP_AK__MAX] = {
	"states", "sessions", "handoffs", "meta", "other"
};

static void
usage(void)
{
	fprintf(stderr,
	    "usage: ghauth-admin [-c config] [-s store] [-t lock-ms] command\n"
	    "commands:\n"
	    "  list [--json]          sessions: login, id, created, last "
	    "seen, expires\n"
	    "  revoke user | --all    delete a user's sessions (login or "
	    "id), or all\n"
	    "  revoke --tag TAG       delete the session list shows as TAG\n"
	    "  purge                  delete expired and unreadable records\n"
	    "  stats [--json]         records per kind, expired, file size\n"
	    "  reorganize             rebuild the file without free space\n"
	    "  check                  verify structure and every record "
	    "(exit 1: problems)\n"
	    "  recover [--force]      rebuild a damaged store, or start "
	    "empty\n"
	    "  check-config           print the effective configuration and "
	    "its problems\n"
	    "                         (exit 1: errors)\n"
	    "  migrate FROM TO        copy live records between stores "
	    "(GDBM path,\n"
	    "                         Redis URL), keeping their expiry; "
	    "idempotent\n");
}

/* ISO 8601 UTC, or the raw number when it is no representable date. */
static const char *
iso(int64_t t, char buf[32])
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if ((int64_t)tt != t || gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, 32, "@%lld", (long long)t);
	return buf;
}

static const char *
status_name(int expired)
{
	return expired == 0 ? "active" : expired == 1 ? "expired" : "idle";
}

static int
print_json(json_t *v)
{
	char	*s;

	if (v == NULL || (s = json_dumps(v, JSON_INDENT(2) |
	    JSON_ENSURE_ASCII)) == NULL) {
		json_decref(v);
		return 0;
	}
	printf("%s\n", s);
	free(s);
	json_decref(v);
	return 1;
}

static int
cmd_list(const struct ghauthp_admin_opts *o, int json,
    struct ghauthp_admin_report *rep, enum ghauth_err *rc)
{
	struct ghauthp_admin_session	*v;
	size_t				 n, i;
	char				 c[32], l[32], e[32];
	json_t				*a, *obj;

	if ((*rc = ghauthp_admin_list(o, &v, &n, rep)) != GHAUTH_OK)
		return 0;
	if (json) {
		*rc = GHAUTH_E_NOMEM;
		if ((a = json_array()) == NULL) {
			ghauthp_admin_list_free(v, n);
			return 0;
		}
		for (i = 0; i < n; i++) {
			obj = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s}",
			    "login", v[i].login, "id", (json_int_t)v[i].uid,
			    "created", iso(v[i].created, c),
			    "last_seen", iso(v[i].last_seen, l),
			    "expires", iso(v[i].expires, e),
			    "tag", v[i].tag, "status",
			    status_name(v[i].expired));
			if (obj == NULL || json_array_append_new(a, obj) != 0) {
				json_decref(a);
				ghauthp_admin_list_free(v, n);
				return 0;
			}
		}
		ghauthp_admin_list_free(v, n);
		return print_json(a);
	}
	printf("%-20s %12s %-20s %-20s %-20s %-8s %s\n", "LOGIN", "ID",
	    "CREATED", "LAST-SEEN", "EXPIRES", "TAG", "STATUS");
	for (i = 0; i < n; i++)
		printf("%-20s %12llu %-20s %-20s %-20s %-8s %s\n", v[i].login,
		    (unsigned long long)v[i].uid, iso(v[i].created, c),
		    iso(v[i].last_seen, l), iso(v[i].expires, e), v[i].tag,
		    status_name(v[i].expired));
	ghauthp_admin_list_free(v, n);
	return 1;
}

static int
cmd_stats(const struct ghauthp_admin_opts *o, int json,
    struct ghauthp_admin_report *rep, enum ghauth_err *rc)
{
	json_t	*root, *k;
	int	 i;

	if ((*rc = ghauthp_admin_stats(o, rep)) != GHAUTH_OK)
		return 0;
	if (json) {
		*rc = GHAUTH_E_NOMEM;
		if ((root = json_pack("{s:s, s:I}", "store", ghauthp_admin_shown_store(o->path), "size",
		    (json_int_t)(rep->size_before < 0 ? 0 :
		    rep->size_before))) == NULL)
			return 0;
		for (i = 0; i < GHAUTHP_AK__MAX; i++) {
			k = json_pack("{s:I, s:I, s:I}",
			    "records", (json_int_t)rep->records[i],
			    "expired", (json_int_t)rep->expired[i],
			    "unreadable", (json_int_t)rep->unreadable[i]);
			if (k == NULL || json_object_set_new(root, json_kind[i],
			    k) != 0) {
				json_decref(root);
				return 0;
			}
		}
		return print_json(root);
	}
	printf("store      %s\n", ghauthp_admin_shown_store(o->path));
	printf("file size  %lld bytes\n", rep->size_before < 0 ? 0 :
	    rep->size_before);
	for (i = 0; i < GHAUTHP_AK__MAX; i++)
		printf("%-10s %zu (%zu expired, %zu unreadable)\n",
		    kind_name[i], rep->records[i], rep->expired[i],
		    rep->unreadable[i]);
	return 1;
}

static void
print_counts(const struct ghauthp_admin_report *rep)
{
	size_t	 total = 0, bad = 0;
	int	 i;

	for (i = 0; i < GHAUTHP_AK__MAX; i++) {
		total += rep->records[i];
		bad += rep->unreadable[i];
	}
	printf("records    %zu%s (%zu sessions, %zu states, %zu hand-offs, "
	    "%zu meta, %zu other)\n", total, rep->needs_recovery ?
	    " seen before GDBM stopped" : "", rep->records[GHAUTHP_AK_SESSION],
	    rep->records[GHAUTHP_AK_STATE], rep->records[GHAUTHP_AK_HANDOFF],
	    rep->records[GHAUTHP_AK_META], rep->records[GHAUTHP_AK_OTHER]);
	printf("unreadable %zu (failed the integrity check or unknown key)\n",
	    bad);
}

static void
print_structure(const char *label, const struct ghauthp_admin_report *rep)
{
	printf("%-10s ", label);
	if (rep->open_error != 0)
		printf("GDBM refused the file: %s\n",
		    gdbm_strerror(rep->open_error));
	else if (rep->needs_recovery)
		printf("damaged: GDBM needs recovery (%zu read "
		    "errors, %zu records not read)\n", rep->walk_errors,
		    rep->unread);
	else if (rep->walk_errors != 0)
		printf("damaged: %zu read errors\n",
		    rep->walk_errors);
	else
		printf("ok\n");
}

static int
cmd_check(const struct ghauthp_admin_opts *o,
    struct ghauthp_admin_report *rep, enum ghauth_err *rc)
{
	if ((*rc = ghauthp_admin_check(o, rep)) != GHAUTH_OK)
		return 0;
	printf("store      %s (%lld bytes)\n", ghauthp_admin_shown_store(o->path),
	    rep->size_before < 0 ? 0 : rep->size_before);
	print_structure("structure", rep);
	print_counts(rep);
	if (ghauthp_admin_problems(rep)) {
		printf("result     problems found: run ghauth-admin recover\n");
		return 0;
	}
	printf("result     clean\n");
	return 1;
}

static int
cmd_recover(const struct ghauthp_admin_opts *o, int force,
    struct ghauthp_admin_report *rep, enum ghauth_err *rc)
{
	*rc = ghauthp_admin_recover(o, force, rep);
	if (rep->moved[0] != '\0')
		printf("moved      the unusable file to %s\n", rep->moved);
	if (*rc != GHAUTH_OK)
		return 0;
	if (!rep->exists) {
		printf("nothing to do: %s is missing or empty\n", o->path);
		return 1;
	}
	print_structure("found", rep);
	print_counts(rep);
	if (rep->reset)
		printf("result     started an empty store: everyone is signed "
		    "out\n");
	else if (rep->rebuilt)
		printf("result     rebuilt by GDBM: %zu keys kept, %zu keys and "
		    "%zu buckets lost; %zu unreadable records removed; the "
		    "original is kept as %s\n", rep->rcv_keys,
		    rep->rcv_failed_keys, rep->rcv_failed_buckets, rep->removed,
		    rep->backup);
	else
		printf("result     structure intact; %zu unreadable records "
		    "removed\n", rep->removed);
	return 1;
}

/*
 * check-config: where the configuration comes from, every key's effective
 * value (secrets masked), who may sign in, then every problem.  Reads the
 * environment of this process: run it with the variables the web server
 * passes.
 */
static int
cmd_check_config(const char *cfgpath)
{
	struct ghauthp_admin_cfgcheck	 r;
	struct ghauth_config		 cfg;
	const struct ghauthp_ckey	*k;
	const char			*src;
	char				 val[1024];
	enum ghauth_err			 rc;
	size_t				 i, n;

	src = cfgpath != NULL ? cfgpath :
	    ghauthp_config_path(ghauth_getenv_cgi, NULL);
	printf("%-27s %s\n", "configuration", src != NULL ? src :
	    "the environment (no file)");
	rc = ghauthp_admin_check_config(&cfg, src, ghauth_getenv_cgi,
	    NULL, &r);
	if (rc == GHAUTH_OK) {
		k = ghauthp_config_keys(&n);
		for (i = 0; i < n; i++) {
			if (k[i].type == GHAUTHP_CT_OBJECT)
				continue;
			ghauthp_admin_config_value(&cfg, &k[i], val,
			    sizeof(val));
			printf("%-27s %s\n", k[i].path, val);
		}
		ghauthp_allow_describe(&cfg.allow, val, sizeof(val));
		printf("%-27s %s\n", "who may sign in", cfg.enabled ? val :
		    "nobody (auth.enabled is false)");
		ghauth_config_free(&cfg);
	} else if (rc == GHAUTH_E_CONFIG)
		printf("%-27s %s\n", "who may sign in", "nobody: every endpoint "
		    "answers 500 until the errors below are fixed");
	for (i = 0; i < r.n; i++)
		printf("%s\n", r.line[i]);
	if (rc == GHAUTH_E_NOMEM || r.nomem)
		fprintf(stderr, "ghauth-admin: check-config: out of memory\n");
	else
		printf("%-27s %zu error%s, %zu warning%s\n", "result", r.errors,
		    r.errors == 1 ? "" : "s", r.warnings,
		    r.warnings == 1 ? "" : "s");
	n = r.errors;
	ghauthp_admin_cfgcheck_free(&r);
	return rc == GHAUTH_OK && n == 0;
}

/*
 * Reads the configuration; *store is its store unless -s gave one, and
 * *prefix its Redis key prefix.
 */
static int
configure(const char *cfgpath, const char *opt_store,
    struct ghauthp_admin_opts *o, char **store, char **prefix)
{
	struct ghauth_config	 cfg;
	char			 err[512];
	enum ghauth_err		 rc;

	if (cfgpath == NULL && opt_store != NULL) {
		*store = strdup(opt_store);
		return *store != NULL;
	}
	err[0] = '\0';
	if (cfgpath != NULL)
		rc = ghauthp_config_load_file(&cfg, cfgpath,
		    ghauth_getenv_cgi, NULL, err, sizeof(err));
	else
		rc = ghauth_config_load(&cfg, ghauth_getenv_cgi, NULL, err,
		    sizeof(err));
	if (rc != GHAUTH_OK) {
		fprintf(stderr, "ghauth-admin: configuration: %s\n",
		    err[0] != '\0' ? err : ghauthp_err_name(rc));
		return 0;
	}
	*store = strdup(opt_store != NULL ? opt_store : cfg.store);
	*prefix = strdup(cfg.store_prefix);
	o->timeout_ms = *store != NULL && ghauthp_store_is_redis(*store) ?
	    cfg.store_timeout_ms : cfg.lock_timeout_ms;
	o->idle_ttl = cfg.session_idle_ttl;
	ghauth_config_free(&cfg);
	return *store != NULL && *prefix != NULL;
}

int
main(int argc, char *argv[])
{
	struct ghauthp_admin_opts	 o;
	struct ghauthp_admin_report	 rep;
	const char			*cfgpath = NULL, *opt_store = NULL;
	const char			*cmd, *arg, *errstr = NULL, *why;
	char				*store = NULL, *prefix = NULL, *end;
	char				 msg[8600];
	enum ghauth_err			 rc = GHAUTH_OK;
	long				 timeout = -1;
	int				 ch, ok = 0, exitcode = EXIT_USAGE;
	int				 nargs, json = 0;

	umask(077);
	ghauthp_log_init("admin");
	memset(&o, 0, sizeof(o));
	o.timeout_ms = 2000;
	while ((ch = getopt(argc, argv, "+c:hs:t:")) != -1) {
		switch (ch) {
		case 'c':
			cfgpath = optarg;
			break;
		case 's':
			opt_store = optarg;
			break;
		case 't':
			timeout = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || timeout < 1 ||
			    timeout > 3600000)
				errstr = "-t: milliseconds, 1 to 3600000";
			break;
		case 'h':
			usage();
			exitcode = 0;
			goto out;
		default:
			usage();
			goto out;
		}
	}
	argc -= optind;
	argv += optind;
	if (errstr != NULL || argc < 1) {
		if (errstr != NULL)
			fprintf(stderr, "ghauth-admin: %s\n", errstr);
		usage();
		goto out;
	}
	cmd = argv[0];
	arg = argc > 1 ? argv[1] : NULL;
	nargs = argc - 1;
	json = arg != NULL && strcmp(arg, "--json") == 0;
	if (!((strcmp(cmd, "list") == 0 && (nargs == 0 || (nargs == 1 &&
	    json))) || (strcmp(cmd, "stats") == 0 && (nargs == 0 ||
	    (nargs == 1 && json))) || (strcmp(cmd, "revoke") == 0 &&
	    nargs == 1) || (strcmp(cmd, "revoke") == 0 && nargs == 2 &&
	    strcmp(arg, "--tag") == 0) || (strcmp(cmd, "migrate") == 0 &&
	    nargs == 2 && opt_store == NULL) || (strcmp(cmd, "recover") == 0 && (nargs == 0 ||
	    (nargs == 1 && strcmp(arg, "--force") == 0))) ||
	    ((strcmp(cmd, "purge") == 0 || strcmp(cmd, "reorganize") == 0 ||
	    strcmp(cmd, "check") == 0 || strcmp(cmd, "check-config") == 0) &&
	    nargs == 0))) {
		fprintf(stderr, "ghauth-admin: bad command line\n");
		usage();
		goto out;
	}
	if (strcmp(cmd, "revoke") == 0 && nargs == 2 && (strlen(argv[2]) != 8 ||
	    strspn(argv[2], "0123456789abcdef") != 8)) {
		fprintf(stderr, "ghauth-admin: revoke --tag: %s is not a "
		    "session tag (8 hex digits, as list shows)\n", argv[2]);
		goto out;
	}
	if (strcmp(cmd, "revoke") == 0 && nargs == 1 &&
	    strcmp(arg, "--all") != 0 && !ghauthp_valid_login(arg)) {
		fprintf(stderr, "ghauth-admin: revoke: %s is neither a GitHub "
		    "login nor a numeric id\n", arg);
		goto out;
	}
	if (strcmp(cmd, "check-config") == 0) {
		exitcode = cmd_check_config(cfgpath) ? 0 : EXIT_PROBLEMS;
		goto out;
	}
	/* migrate reads the configuration for its prefix and timeouts. */
	if (!configure(cfgpath, strcmp(cmd, "migrate") == 0 ? NULL :
	    opt_store, &o, &store, &prefix))
		goto out;
	if (strcmp(cmd, "migrate") == 0) {
		ghauthp_wipe(store, strlen(store));
		free(store);
		if ((store = strdup(argv[1])) == NULL)
			goto out;
	}
	if (timeout > 0)
		o.timeout_ms = timeout;
	o.path = store;
	o.prefix = prefix;
	o.now = ghauthp_now();
	if (!ghauthp_store_spec_ok(store, &why) || (strcmp(cmd, "migrate") ==
	    0 && !ghauthp_store_spec_ok(argv[2], &why))) {
		/* why names the problem, never the URL's password. */
		fprintf(stderr, "ghauth-admin: %s\n", why);
		goto out;
	}
	if (strcmp(cmd, "migrate") == 0 && strcmp(argv[1], argv[2]) == 0) {
		fprintf(stderr, "ghauth-admin: migrate: FROM and TO are the "
		    "same store\n");
		goto out;
	}
	if (!ghauthp_store_is_redis(store) &&
	    !ghauthp_admin_owner(store, msg, sizeof(msg))) {
		fprintf(stderr, "ghauth-admin: refusing: %s\n", msg);
		goto out;
	}
	if (strcmp(cmd, "migrate") == 0 && !ghauthp_store_is_redis(argv[2]) &&
	    !ghauthp_admin_owner(argv[2], msg, sizeof(msg))) {
		fprintf(stderr, "ghauth-admin: refusing: %s\n", msg);
		goto out;
	}
	if (ghauthp_store_is_redis(store) && (strcmp(cmd, "reorganize") == 0 ||
	    strcmp(cmd, "recover") == 0)) {
		printf("%s: nothing to do on a Redis store: Redis keeps its own "
		    "files (see its persistence settings and redis-check-aof); "
		    "ghauth's keys expire by their TTL, and check finds "
		    "damaged records\n", cmd);
		exitcode = 0;
		goto out;
	}

	exitcode = EXIT_PROBLEMS;
	if (strcmp(cmd, "list") == 0)
		ok = cmd_list(&o, json, &rep, &rc);
	else if (strcmp(cmd, "stats") == 0)
		ok = cmd_stats(&o, json, &rep, &rc);
	else if (strcmp(cmd, "check") == 0)
		ok = cmd_check(&o, &rep, &rc);
	else if (strcmp(cmd, "recover") == 0)
		ok = cmd_recover(&o, arg != NULL, &rep, &rc);
	else if (strcmp(cmd, "migrate") == 0) {
		rc = ghauthp_admin_migrate(&o, argv[2], &rep);
		if ((ok = rc == GHAUTH_OK))
			printf("migrated %zu records (%zu states, %zu sessions, "
			    "%zu hand-offs read); %zu already there; %zu "
			    "expired and %zu unreadable left behind\n",
			    rep.removed, rep.records[GHAUTHP_AK_STATE],
			    rep.records[GHAUTHP_AK_SESSION],
			    rep.records[GHAUTHP_AK_HANDOFF], rep.present,
			    rep.expired[GHAUTHP_AK_STATE] +
			    rep.expired[GHAUTHP_AK_SESSION] +
			    rep.expired[GHAUTHP_AK_HANDOFF],
			    rep.unreadable[GHAUTHP_AK_STATE] +
			    rep.unreadable[GHAUTHP_AK_SESSION] +
			    rep.unreadable[GHAUTHP_AK_HANDOFF] +
			    rep.unreadable[GHAUTHP_AK_OTHER]);
	} else if (strcmp(cmd, "revoke") == 0 && nargs == 2) {
		rc = ghauthp_admin_revoke_tag(&o, argv[2], &rep);
		if ((ok = rc == GHAUTH_OK))
			printf("revoked %zu sessions with tag %s\n",
			    rep.removed, argv[2]);
	} else if (strcmp(cmd, "revoke") == 0) {
		rc = ghauthp_admin_revoke(&o, strcmp(arg, "--all") == 0 ?
		    NULL : arg, &rep);
		if ((ok = rc == GHAUTH_OK) && strcmp(arg, "--all") == 0)
			printf("revoked %zu records (every session and "
			    "hand-off)\n", rep.removed);
		else if (ok)
			printf("revoked %zu sessions of %s\n", rep.removed,
			    arg);
	} else if (strcmp(cmd, "purge") == 0) {
		if ((ok = (rc = ghauthp_admin_purge(&o, &rep)) == GHAUTH_OK))
			printf("purged %zu expired or unreadable records%s\n",
			    rep.removed, ghauthp_store_is_redis(store) ?
			    " (on Redis, expired keys also go by themselves: "
			    "every key has a TTL)" : "");
	} else {
		if ((ok = (rc = ghauthp_admin_reorganize(&o, &rep)) ==
		    GHAUTH_OK))
			printf("reorganized %s: %lld -> %lld bytes\n", store,
			    rep.size_before < 0 ? 0 : rep.size_before,
			    rep.size_after < 0 ? 0 : rep.size_after);
	}
	fflush(stdout);
	if (ok)
		exitcode = 0;
	else if (rc == GHAUTH_E_BUSY) {
		fprintf(stderr, "ghauth-admin: %s: the store is busy: %s.lock "
		    "stayed locked for %ld ms (or another process has the "
		    "database open); nothing was changed\n", cmd,
		    strcmp(cmd, "migrate") == 0 && !ghauthp_store_is_redis(
		    argv[2]) ? argv[2] : store, o.timeout_ms);
		exitcode = EXIT_BUSY;
	} else if (rc != GHAUTH_OK)
		fprintf(stderr, "ghauth-admin: %s failed: %s\n", cmd,
		    rc == GHAUTH_E_NOMEM ? "out of memory" :
		    "see the messages above");
out:
	if (store != NULL)
		ghauthp_wipe(store, strlen(store));
	free(store);
	free(prefix);
	return exitcode;
}
