/*
 * test-store.c - the GDBM store in a private temporary directory: file
 * modes and the refusal of unsafe files (mode, symlink, hard link, owner,
 * wrong type), get/put/del, the lock deadline against another process
 * holding our lock or GDBM's own, bounded incremental sweeps, empty and
 * garbage files, and 50 writers + 50 readers at once.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gdbm.h>

#include "ghauth-int.h"
#include "tap.h"
#include "unit.h"

#define NWRITERS	50
#define NREADERS	50

static const char	*dir;

/* dir/name; each result stays valid until the end of the test. */
static const char *
spath(const char *name)
{
	static char	 p[128][PATH_MAX];
	static size_t	 used;

	if (used == sizeof(p) / sizeof(p[0])) {
		printf("Bail out! spath: too many paths\n");
		exit(1);
	}
	snprintf(p[used], sizeof(p[used]), "%s/%s", dir, name);
	return p[used++];
}

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static int
mode_of(const char *path)
{
	struct stat	 st;

	return lstat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static void
make_file(const char *path, const void *data, size_t n, mode_t mode)
{
	int	 fd;

	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)) == -1 ||
	    (n > 0 && write(fd, data, n) != (ssize_t)n) || close(fd) == -1) {
		printf("Bail out! cannot create %s: %s\n", path,
		    strerror(errno));
		exit(1);
	}
	chmod(path, mode);
}

/* Creates a store holding one record under "k". */
static void
make_store(const char *path)
{
	struct ghauthp_store	*s;

	if (ghauthp_store_open(&s, path, GHAUTHP_STORE_WRITE, 1000) !=
	    GHAUTHP_S_OK || ghauthp_store_put(s, "k", 1, "v", 1, 0,
	    GHAUTHP_PUT_ANY) != GHAUTHP_S_OK ||
	    ghauthp_store_close(s) != GHAUTHP_S_OK) {
		printf("Bail out! cannot create store %s\n", path);
		exit(1);
	}
}

static enum ghauthp_sres
try_open(const char *path, enum ghauthp_store_mode mode, long ms)
{
	struct ghauthp_store	*s = NULL;
	enum ghauthp_sres	 rc;

	rc = ghauthp_store_open(&s, path, mode, ms);
	if (rc == GHAUTHP_S_OK)
		ghauthp_store_close(s);
	else if (s != NULL)
		return (enum ghauthp_sres)99;	/* a handle on failure: a bug */
	return rc;
}

static void
test_missing_and_basic(void)
{
	struct ghauthp_store	*s;
	unsigned char		*v;
	size_t			 vlen;
	int			 removed = -1;
	const char		*db = spath("basic.db");
	const char		*lock = spath("basic.db.lock");

	/* A reader of a store that does not exist yet: an empty store. */
	is_int(ghauthp_store_open(&s, db, GHAUTHP_STORE_READ, 200), GHAUTHP_S_OK,
	    "READ on a missing store: ok");
	is_int(ghauthp_store_get(s, "k", 1, &v, &vlen), GHAUTHP_S_ABSENT,
	    "  get -> session (absent)");
	ok(v == NULL && vlen == 0, "  get leaves no value");
	is_int(ghauthp_store_put(s, "k", 1, "v", 1, 0,
	    GHAUTHP_PUT_ANY), GHAUTHP_S_FAILED,
	    "  put on a reader -> store error");
	is_int(ghauthp_store_del(s, "k", 1), GHAUTHP_S_FAILED,
	    "  del on a reader -> store error");
	is_int(ghauthp_store_sweep(s, time(NULL), 16, &removed), GHAUTHP_S_OK,
	    "  sweep on a reader: nothing to do");
	is_int(removed, 0, "  sweep removed nothing");
	is_int(ghauthp_store_close(s), GHAUTHP_S_OK, "  close");
	is_int(mode_of(db), -1, "  the reader did not create the store");
	is_int(mode_of(lock), 0600, "  lock file created with mode 0600");

	/* A writer creates the store, mode 0600 even with umask 0. */
	is_int(ghauthp_store_open(&s, db, GHAUTHP_STORE_WRITE, 200), GHAUTHP_S_OK,
	    "WRITE creates the store");
	is_int(mode_of(db), 0600, "  store created with mode 0600");
	is_int(ghauthp_store_put(s, "k1", 2, "value-1", 7, 0,
	    GHAUTHP_PUT_ANY), GHAUTHP_S_OK,
	    "  put k1");
	is_int(ghauthp_store_get(s, "k1", 2, &v, &vlen), GHAUTHP_S_OK, "  get k1");
	ok(vlen == 7 && memcmp(v, "value-1", 7) == 0, "  k1 has its value");
	free(v);
	is_int(ghauthp_store_put(s, "k1", 2, "value-2", 7, 0,
	    GHAUTHP_PUT_ANY), GHAUTHP_S_OK,
	    "  put k1 again (replace)");
	is_int(ghauthp_store_put(s, "k1", 2, "value-3", 7, 0,
	    GHAUTHP_PUT_NEW), GHAUTHP_S_EXISTS,
	    "  insert_only on an existing key -> badreq");
	ghauthp_store_get(s, "k1", 2, &v, &vlen);
	ok(v != NULL && vlen == 7 && memcmp(v, "value-2", 7) == 0,
	    "  the collision did not overwrite");
	free(v);
	is_int(ghauthp_store_put(s, "k2", 2, "x", 1, 0,
	    GHAUTHP_PUT_NEW), GHAUTHP_S_OK,
	    "  insert_only on a new key");
	is_int(ghauthp_store_del(s, "k1", 2), GHAUTHP_S_OK, "  del k1");
	is_int(ghauthp_store_get(s, "k1", 2, &v, &vlen), GHAUTHP_S_ABSENT,
	    "  k1 gone");
	is_int(ghauthp_store_del(s, "k1", 2), GHAUTHP_S_OK,
	    "  del of a missing key is ok");
	is_int(ghauthp_store_close(s), GHAUTHP_S_OK, "  close commits");

	is_int(ghauthp_store_open(&s, db, GHAUTHP_STORE_READ, 200), GHAUTHP_S_OK,
	    "READ an existing store");
	ok(ghauthp_store_get(s, "k2", 2, &v, &vlen) == GHAUTHP_S_OK && vlen == 1 &&
	    v[0] == 'x', "  k2 persisted");
	free(v);
	is_int(ghauthp_store_get(s, "k1", 2, &v, &vlen), GHAUTHP_S_ABSENT,
	    "  k1 stays deleted");
	is_int(ghauthp_store_close(s), GHAUTHP_S_OK, "  close");

	is_int(ghauthp_store_close(NULL), GHAUTHP_S_OK, "close(NULL) is ok");
	ghauthp_store_abort(NULL);
	is_int(try_open(db, GHAUTHP_STORE_WRITE, 200), GHAUTHP_S_OK,
	    "abort(NULL) is harmless: the store still opens for writing");
	ghauthp_store_open(&s, db, GHAUTHP_STORE_WRITE, 200);
	ghauthp_store_abort(s);
	is_int(try_open(db, GHAUTHP_STORE_WRITE, 200), GHAUTHP_S_OK,
	    "abort releases the lock");
}

static void
test_unsafe_files(void)
{
	const char	*db = spath("unsafe.db"), *lock = spath("unsafe.db.lock");
	const char	*other = spath("other.db");
	char		 longp[PATH_MAX + 100];
	static const mode_t bad_modes[] = { 0644, 0640, 0604, 0660, 0606,
	    0601, 0610 };
	size_t		 i;

	make_store(db);
	for (i = 0; i < sizeof(bad_modes) / sizeof(bad_modes[0]); i++) {
		chmod(lock, bad_modes[i]);
		ok(try_open(db, GHAUTHP_STORE_WRITE, 200) == GHAUTHP_S_FAILED &&
		    try_open(db, GHAUTHP_STORE_READ, 200) == GHAUTHP_S_FAILED,
		    "lock file mode %04o refused (read and write)",
		    (unsigned)bad_modes[i]);
		chmod(lock, 0600);
		chmod(db, bad_modes[i]);
		ok(try_open(db, GHAUTHP_STORE_WRITE, 200) == GHAUTHP_S_FAILED &&
		    try_open(db, GHAUTHP_STORE_READ, 200) == GHAUTHP_S_FAILED,
		    "store mode %04o refused (read and write)",
		    (unsigned)bad_modes[i]);
		chmod(db, 0600);
	}
	is_int(try_open(db, GHAUTHP_STORE_WRITE, 200), GHAUTHP_S_OK,
	    "back to 0600: accepted");
	is_int(mode_of(db), 0600, "a refused open did not change the mode");

	/* A pre-existing lock file of 0644 is refused, not fixed. */
	unlink(lock);
	make_file(lock, "", 0, 0644);
	is_int(try_open(db, GHAUTHP_STORE_WRITE, 200), GHAUTHP_S_FAILED,
	    "pre-existing 0644 lock file refused");
	is_int(mode_of(lock), 0644, "  and left as it was");
	chmod(lock, 0600);

	/* Symbolic links, for the store and for the lock. */
	make_store(other);
	unlink(db);
	if (symlink(other, db) == 0) {
		ok(try_open(db, GHAUTHP_STORE_WRITE, 200) == GHAUTHP_S_FAILED &&
		    try_open(db, GHAUTHP_STORE_READ, 200) == GHAUTHP_S_FAILED,
		    "store as a symlink refused");
		unlink(db);
	} else
		skip("symlink: %s", strerror(errno));
	make_store(db);
	unlink(lock);
	if (symlink(spath("other.db.lock"), lock) == 0) {
		ok(try_open(db, GHAUTHP_STORE_WRITE, 200) == GHAUTHP_S_FAILED &&
		    try_open(db, GHAUTHP_STORE_READ, 200) == GHAUTHP_S_FAILED,
		    "lock file as a symlink refused");
		unlink(lock);
	} else
		skip("symlink: %s", strerror(errno));
	if (symlink(spath("nowhere"), lock) == 0) {
		is_int(try_open(db, GHAUTHP_STORE_WRITE, 200), GHAUTHP_S_FAILED,
		    "lock file as a dangling symlink refused");
		is_int(mode_of(spath("nowhere")), -1,
		    "  and its target was not created");
		unlink(lock);
	} else
		skip("symlink: %s", strerror(errno));

	/* A second hard link to the store or the lock. */
	make_store(db);
	unlink(spath("hard.db"));
	if (link(db, spath("hard.db")) == 0) {
		ok(try_open(db, GHAUTHP_STORE_WRITE, 200) == GHAUTHP_S_FAILED &&
		    try_open(db, GHAUTHP_STORE_READ, 200) == GHAUTHP_S_FAILED,
		    "store with two links refused");
		unlink(spath("hard.db"));
	} else
		skip("link: %s", strerror(errno));
	unlink(spath("hard.lock"));
	if (link(lock, spath("hard.lock")) == 0) {
		is_int(try_open(db, GHAUTHP_STORE_WRITE, 200), GHAUTHP_S_FAILED,
		    "lock file with two links refused");
		unlink(spath("hard.lock"));
	} else
		skip("link: %s", strerror(errno));

	/* Owned by someone else (only root can arrange that). */
	if (geteuid() == 0 && chown(db, 65534, 65534) == 0) {
		ok(try_open(db, GHAUTHP_STORE_WRITE, 200) == GHAUTHP_S_FAILED &&
		    try_open(db, GHAUTHP_STORE_READ, 200) == GHAUTHP_S_FAILED,
		    "store owned by another user refused");
		(void)chown(db, 0, 0);
		(void)chown(lock, 65534, 65534);
		is_int(try_open(db, GHAUTHP_STORE_WRITE, 200), GHAUTHP_S_FAILED,
		    "lock file owned by another user refused");
		(void)chown(lock, 0, 0);
	} else {
		skip("cannot give a file to uid 65534 (not root?)");
		skip("cannot give a file to uid 65534 (not root?)");
	}

	/* Wrong types and places. */
	unlink(db);
	mkdir(db, 0700);
	ok(try_open(db, GHAUTHP_STORE_WRITE, 200) == GHAUTHP_S_FAILED &&
	    try_open(db, GHAUTHP_STORE_READ, 200) == GHAUTHP_S_FAILED,
	    "store that is a directory refused");
	rmdir(db);
	unlink(lock);
	mkdir(lock, 0700);
	is_int(try_open(db, GHAUTHP_STORE_WRITE, 200), GHAUTHP_S_FAILED,
	    "lock that is a directory refused");
	rmdir(lock);
	ok(try_open(spath("no/such/dir.db"), GHAUTHP_STORE_WRITE, 200) ==
	    GHAUTHP_S_FAILED && try_open(spath("no/such/dir.db"),
	    GHAUTHP_STORE_READ, 200) == GHAUTHP_S_FAILED,
	    "store in a missing directory refused");
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	is_int(try_open(longp, GHAUTHP_STORE_WRITE, 200), GHAUTHP_S_FAILED,
	    "path longer than PATH_MAX refused");
}

static void
test_empty_and_garbage(void)
{
	struct ghauthp_store	*s;
	unsigned char		 junk[4096], *v;
	size_t			 vlen, i;
	const char		*db = spath("empty.db");

	make_file(db, "", 0, 0600);
	is_int(ghauthp_store_open(&s, db, GHAUTHP_STORE_READ, 200), GHAUTHP_S_OK,
	    "READ of a 0-byte store: ok");
	is_int(ghauthp_store_get(s, "k", 1, &v, &vlen), GHAUTHP_S_ABSENT,
	    "  and empty");
	ghauthp_store_close(s);
	is_int(ghauthp_store_open(&s, db, GHAUTHP_STORE_WRITE, 200), GHAUTHP_S_OK,
	    "WRITE of a 0-byte store initialises it");
	is_int(ghauthp_store_put(s, "k", 1, "v", 1, 0,
	    GHAUTHP_PUT_ANY), GHAUTHP_S_OK, "  put");
	is_int(ghauthp_store_close(s), GHAUTHP_S_OK, "  close");
	ghauthp_store_open(&s, db, GHAUTHP_STORE_READ, 200);
	ok(ghauthp_store_get(s, "k", 1, &v, &vlen) == GHAUTHP_S_OK, "  readable");
	free(v);
	ghauthp_store_close(s);

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 131 + 7 + (i >> 8));
	db = spath("garbage.db");
	make_file(db, junk, sizeof(junk), 0600);
	is_int(try_open(db, GHAUTHP_STORE_READ, 200), GHAUTHP_S_FAILED,
	    "READ of a garbage store -> store error");
	is_int(try_open(db, GHAUTHP_STORE_WRITE, 200), GHAUTHP_S_FAILED,
	    "WRITE of a garbage store -> store error");
	make_file(db, "GDBM", 4, 0600);
	is_int(try_open(db, GHAUTHP_STORE_READ, 200), GHAUTHP_S_FAILED,
	    "READ of a 4-byte store -> store error");
}

/* ---- another process holding a lock ----------------------------------- */

enum hold { HOLD_FLOCK_EX, HOLD_FLOCK_SH, HOLD_GDBM_WRITER, HOLD_GDBM_READER };

struct holder {
	pid_t	 pid;
	int	 release;
};

/*
 * Forks a child that takes the lock and waits until released (at most 5 s,
 * so a bug here makes a slow failure, never a hung test).  Returns 1 once
 * the child holds it.
 */
static int
hold(struct holder *h, const char *db, enum hold how)
{
	int		 ready[2], rel[2], fd;
	char		 c = '0', lockp[PATH_MAX];
	GDBM_FILE	 g = NULL;
	struct pollfd	 pfd;

	if (pipe(ready) == -1 || pipe(rel) == -1)
		return 0;
	fflush(stdout);
	if ((h->pid = fork()) == -1)
		return 0;
	if (h->pid == 0) {
		close(ready[0]);
		close(rel[1]);
		alarm(10);
		snprintf(lockp, sizeof(lockp), "%s.lock", db);
		switch (how) {
		case HOLD_FLOCK_EX:
		case HOLD_FLOCK_SH:
			fd = open(lockp, O_RDWR);
			if (fd != -1 && flock(fd, how == HOLD_FLOCK_EX ?
			    LOCK_EX : LOCK_SH) == 0)
				c = '1';
			break;
		case HOLD_GDBM_WRITER:
		case HOLD_GDBM_READER:
			g = gdbm_open(db, 0, how == HOLD_GDBM_WRITER ?
			    GDBM_WRITER : GDBM_READER, 0600, NULL);
			if (g != NULL)
				c = '1';
			break;
		}
		(void)write(ready[1], &c, 1);
		pfd.fd = rel[0];
		pfd.events = POLLIN;
		(void)poll(&pfd, 1, 5000);
		if (g != NULL)
			gdbm_close(g);
		_exit(0);
	}
	close(ready[1]);
	close(rel[0]);
	h->release = rel[1];
	if (read(ready[0], &c, 1) != 1)
		c = '0';
	close(ready[0]);
	return c == '1';
}

static void
unhold(struct holder *h)
{
	close(h->release);
	waitpid(h->pid, NULL, 0);
}

static void
on_usr(int sig)
{
	(void)sig;
}

static void
test_busy(void)
{
	struct holder		 h;
	struct sigaction	 sa, cur;
	struct itimerval	 it;
	sigset_t		 mask;
	struct ghauthp_store	*s;
	const char		*db = spath("busy.db");
	double			 t0, dt;
	int			 i, slow;
	enum ghauthp_sres	 rc;

	make_store(db);

	/* Our handler for SIGALRM must be there again afterwards. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);

	if (!ok(hold(&h, db, HOLD_FLOCK_EX), "child holds the lock (LOCK_EX)"))
		return;
	t0 = now_ms();
	rc = try_open(db, GHAUTHP_STORE_WRITE, 200);
	dt = now_ms() - t0;
	is_int(rc, GHAUTHP_S_BUSY, "WRITE with 200 ms deadline -> busy");
	ok(dt >= 190 && dt < 2000, "  after %.0f ms (>= ~200, < 2000)", dt);
	t0 = now_ms();
	rc = try_open(db, GHAUTHP_STORE_READ, 200);
	dt = now_ms() - t0;
	is_int(rc, GHAUTHP_S_BUSY, "READ with 200 ms deadline -> busy");
	ok(dt >= 190 && dt < 2000, "  after %.0f ms", dt);
	/* Tiny deadlines, many times: the timer must never be lost. */
	slow = 0;
	for (i = 0; i < 50; i++) {
		t0 = now_ms();
		rc = try_open(db, GHAUTHP_STORE_WRITE, 1 + i % 3);
		if (rc != GHAUTHP_S_BUSY || now_ms() - t0 > 500)
			slow++;
	}
	is_int(slow, 0, "50 opens with 1-3 ms deadlines: busy, each < 500 ms");
	t0 = now_ms();
	ok(try_open(db, GHAUTHP_STORE_WRITE, 0) == GHAUTHP_S_BUSY &&
	    try_open(db, GHAUTHP_STORE_READ, 0) == GHAUTHP_S_BUSY &&
	    now_ms() - t0 < 500, "deadline 0 -> busy at once");
	sigaction(SIGALRM, NULL, &cur);
	ok(cur.sa_handler == on_usr, "SIGALRM handler restored");
	getitimer(ITIMER_REAL, &it);
	ok(it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0 &&
	    it.it_interval.tv_sec == 0 && it.it_interval.tv_usec == 0,
	    "interval timer disarmed");
	sigprocmask(SIG_BLOCK, NULL, &mask);
	ok(!sigismember(&mask, SIGTERM) && !sigismember(&mask, SIGALRM),
	    "signal mask restored after a busy WRITE");
	unhold(&h);
	is_int(try_open(db, GHAUTHP_STORE_WRITE, 200), GHAUTHP_S_OK,
	    "lock released: WRITE ok");

	/* A shared holder: readers share, a writer waits. */
	if (ok(hold(&h, db, HOLD_FLOCK_SH), "child holds the lock (LOCK_SH)")) {
		is_int(try_open(db, GHAUTHP_STORE_READ, 200), GHAUTHP_S_OK,
		    "READ beside another reader: ok");
		is_int(try_open(db, GHAUTHP_STORE_WRITE, 200), GHAUTHP_S_BUSY,
		    "WRITE beside a reader: busy");
		unhold(&h);
	}

	/* GDBM's own lock, taken by a foreign opener without ours. */
	if (ok(hold(&h, db, HOLD_GDBM_WRITER), "child opens GDBM as writer")) {
		t0 = now_ms();
		ok(try_open(db, GHAUTHP_STORE_WRITE, 200) == GHAUTHP_S_BUSY &&
		    try_open(db, GHAUTHP_STORE_READ, 200) == GHAUTHP_S_BUSY,
		    "foreign GDBM writer: WRITE and READ busy");
		ok(now_ms() - t0 < 1000, "  at once (GDBM locks do not wait)");
		unhold(&h);
	}
	if (ok(hold(&h, db, HOLD_GDBM_READER), "child opens GDBM as reader")) {
		is_int(try_open(db, GHAUTHP_STORE_READ, 200), GHAUTHP_S_OK,
		    "foreign GDBM reader: READ ok");
		is_int(try_open(db, GHAUTHP_STORE_WRITE, 200), GHAUTHP_S_BUSY,
		    "foreign GDBM reader: WRITE busy");
		unhold(&h);
	}
	is_int(try_open(db, GHAUTHP_STORE_WRITE, 200), GHAUTHP_S_OK,
	    "all released: WRITE ok");

	/* Signals: a writer defers SIGTERM & co until it has committed. */
	ghauthp_store_open(&s, db, GHAUTHP_STORE_WRITE, 200);
	sigprocmask(SIG_BLOCK, NULL, &mask);
	ok(sigismember(&mask, SIGTERM) && sigismember(&mask, SIGINT) &&
	    sigismember(&mask, SIGHUP) && sigismember(&mask, SIGPIPE),
	    "an open writer blocks SIGTERM, SIGINT, SIGHUP, SIGPIPE");
	ghauthp_store_close(s);
	sigprocmask(SIG_BLOCK, NULL, &mask);
	ok(!sigismember(&mask, SIGTERM) && !sigismember(&mask, SIGPIPE),
	    "closing it restores the mask");
	ghauthp_store_open(&s, db, GHAUTHP_STORE_READ, 200);
	sigprocmask(SIG_BLOCK, NULL, &mask);
	ok(!sigismember(&mask, SIGTERM), "a reader does not block signals");
	ghauthp_store_close(s);
	signal(SIGALRM, SIG_DFL);
}

/* ---- sweeping ---------------------------------------------------------- */

static void
put_record(struct ghauthp_store *s, int i, time_t expires)
{
	struct ghauthp_record	 r;
	unsigned char		 key[GHAUTHP_KEY_LEN], *v;
	char			 tok[32];
	size_t			 n;

	snprintf(tok, sizeof(tok), "token-%d", i);
	ghauthp_key(GHAUTHP_KIND_HANDOFF, tok, key);
	memset(&r, 0, sizeof(r));
	r.type = GHAUTHP_REC_HANDOFF;
	r.created = r.last_seen = expires - 60;
	r.expires = expires;
	if ((v = ghauthp_record_encode(&r, key, sizeof(key), &n)) == NULL ||
	    ghauthp_store_put(s, key, sizeof(key), v, n, 0,
	    GHAUTHP_PUT_ANY) != GHAUTHP_S_OK) {
		printf("Bail out! cannot store record %d\n", i);
		exit(1);
	}
	free(v);
}

static int
has_record(struct ghauthp_store *s, int i)
{
	unsigned char	 key[GHAUTHP_KEY_LEN], *v;
	char		 tok[32];
	size_t		 n;

	snprintf(tok, sizeof(tok), "token-%d", i);
	ghauthp_key(GHAUTHP_KIND_HANDOFF, tok, key);
	if (ghauthp_store_get(s, key, sizeof(key), &v, &n) != GHAUTHP_S_OK)
		return 0;
	free(v);
	return 1;
}

static void
test_sweep(void)
{
	struct ghauthp_store	*s;
	time_t			 now = time(NULL);
	const char		*db = spath("sweep.db");
	unsigned char		*v;
	size_t			 vlen;
	int			 i, removed, total, sweeps, over, live, dead;

	/* 200 expired: every record a sweep visits is removed. */
	ghauthp_store_open(&s, db, GHAUTHP_STORE_WRITE, 1000);
	for (i = 0; i < 200; i++)
		put_record(s, i, now - 10);
	ghauthp_store_sweep(s, now, 16, &removed);
	is_int(removed, 16, "first sweep of 16 over 200 expired removes 16");
	total = removed;
	over = 0;
	for (sweeps = 1; total < 200 && sweeps < 100; sweeps++) {
		if (ghauthp_store_sweep(s, now, 16, &removed) != GHAUTHP_S_OK)
			over++;
		if (removed > 16)
			over++;
		total += removed;
	}
	is_int(over, 0, "no sweep visits more than 16 records");
	is_int(total, 200, "repeated sweeps remove all 200 (%d sweeps)",
	    sweeps);
	ok(sweeps <= 40, "  within 40 sweeps");
	ghauthp_store_sweep(s, now, 1, &removed);
	is_int(removed, 0, "sweep of an emptied store removes nothing");
	ghauthp_store_close(s);

	/* 100 expired + 100 live + a corrupt record + a meta key. */
	unlink(db);
	ghauthp_store_open(&s, db, GHAUTHP_STORE_WRITE, 1000);
	for (i = 0; i < 200; i++)
		put_record(s, i, i % 2 ? now + 3600 : now - 1);
	ghauthp_store_put(s, "se:corrupt", 10, "garbage", 7, 0,
	    GHAUTHP_PUT_ANY);
	ghauthp_store_put(s, "meta:other", 10, "keep", 4, 0, GHAUTHP_PUT_ANY);
	ghauthp_store_close(s);
	total = over = 0;
	for (sweeps = 0; sweeps < 40; sweeps++) {
		/* A fresh process each time, as under CGI. */
		ghauthp_store_open(&s, db, GHAUTHP_STORE_WRITE, 1000);
		ghauthp_store_sweep(s, now, 16, &removed);
		ghauthp_store_close(s);
		if (removed > 16)
			over++;
		total += removed;
	}
	is_int(over, 0, "mixed store: no sweep removes more than 16");
	is_int(total, 101, "40 sweeps remove the 100 expired and the corrupt "
	    "record");
	ghauthp_store_open(&s, db, GHAUTHP_STORE_READ, 1000);
	for (i = live = dead = 0; i < 200; i++) {
		if (has_record(s, i))
			live += i % 2;
		else
			dead += !(i % 2);
	}
	is_int(live, 100, "all 100 live records kept");
	is_int(dead, 100, "all 100 expired records gone");
	ok(ghauthp_store_get(s, "meta:other", 10, &v, &vlen) == GHAUTHP_S_OK &&
	    vlen == 4, "meta: keys are never swept");
	free(v);
	ghauthp_store_close(s);

	/* Boundary: expires == now is expired; max <= 0 does nothing. */
	unlink(db);
	ghauthp_store_open(&s, db, GHAUTHP_STORE_WRITE, 1000);
	put_record(s, 0, now);
	put_record(s, 1, now + 1);
	is_int(ghauthp_store_sweep(s, now, 0, &removed), GHAUTHP_S_OK,
	    "sweep max 0: ok");
	is_int(removed, 0, "  removes nothing");
	ghauthp_store_sweep(s, now, -5, &removed);
	is_int(removed, 0, "sweep max -5 removes nothing");
	ghauthp_store_sweep(s, now, 16, &removed);
	ok(removed == 1 && !has_record(s, 0) && has_record(s, 1),
	    "expires == now is expired, now + 1 is not");
	ghauthp_store_close(s);
}

/* ---- many processes at once -------------------------------------------- */

static int
child_work(const char *db, int i, int writer)
{
	struct ghauthp_store	*s;
	unsigned char		*v;
	size_t			 vlen;
	char			 key[16], val[32];
	enum ghauthp_sres	 rc;

	snprintf(key, sizeof(key), "w:%d", i);
	snprintf(val, sizeof(val), "value of writer %d", i);
	/* Busy past the deadline is the designed refusal (a 503 with
	 * Retry-After at the edge): exit 3, nothing written. */
	if ((rc = ghauthp_store_open(&s, db, writer ? GHAUTHP_STORE_WRITE :
	    GHAUTHP_STORE_READ, 5000)) != GHAUTHP_S_OK)
		return rc == GHAUTHP_S_BUSY ? 3 : 1;
	if (writer)
		rc = ghauthp_store_put(s, key, strlen(key), val, strlen(val), 0,
		    GHAUTHP_PUT_NEW);
	else {
		rc = ghauthp_store_get(s, key, strlen(key), &v, &vlen);
		if (rc == GHAUTHP_S_OK) {
			if (vlen != strlen(val) || memcmp(v, val, vlen) != 0)
				rc = GHAUTHP_S_FAILED;
			free(v);
		} else if (rc == GHAUTHP_S_ABSENT)
			rc = GHAUTHP_S_OK;
	}
	if (ghauthp_store_close(s) != GHAUTHP_S_OK)
		return 1;
	return rc != GHAUTHP_S_OK;
}

static void
test_concurrency(void)
{
	struct ghauthp_store	*s;
	pid_t			 pids[NWRITERS + NREADERS];
	const char		*db = spath("many.db");
	int			 go[2], i, status, failed = 0, refused = 0;
	int			 acked[NWRITERS], wrong = 0;
	double			 t0;
	char			 c;

	if (pipe(go) == -1) {
		ok(0, "pipe");
		return;
	}
	fflush(stdout);
	for (i = 0; i < NWRITERS + NREADERS; i++) {
		if ((pids[i] = fork()) == -1) {
			printf("Bail out! fork: %s\n", strerror(errno));
			exit(1);
		}
		if (pids[i] == 0) {
			close(go[1]);
			alarm(20);
			/* Start together: wait for the parent to close. */
			(void)read(go[0], &c, 1);
			_exit(child_work(db, i % NWRITERS, i < NWRITERS));
		}
	}
	close(go[0]);
	t0 = now_ms();
	close(go[1]);
	memset(acked, 0, sizeof(acked));
	for (i = 0; i < NWRITERS + NREADERS; i++) {
		if (waitpid(pids[i], &status, 0) == -1 || !WIFEXITED(status))
			failed++;
		else if (WEXITSTATUS(status) == 3)
			refused++;
		else if (WEXITSTATUS(status) != 0)
			failed++;
		else if (i < NWRITERS)
			acked[i] = 1;
	}
	/* A loaded machine may make some wait past the deadline: refused,
	 * as designed.  With nothing refused, all 100 were served. */
	is_int(failed, 0, "%d writers + %d readers at once: each served or "
	    "refused as busy, no failure", NWRITERS, NREADERS);
	ok(refused < (NWRITERS + NREADERS) / 2, "  a clear majority served "
	    "(%d refused as busy)", refused);
	/* alarm(20) in each child bounds it; this bound says none hung. */
	ok(now_ms() - t0 < 60000, "  done in %.0f ms", now_ms() - t0);
	if (ghauthp_store_open(&s, db, GHAUTHP_STORE_READ, 1000) == GHAUTHP_S_OK) {
		for (i = 0; i < NWRITERS; i++) {
			char		 key[16];
			unsigned char	*v;
			size_t		 vlen;

			snprintf(key, sizeof(key), "w:%d", i);
			if (ghauthp_store_get(s, key, strlen(key), &v, &vlen) ==
			    GHAUTHP_S_OK) {
				wrong += !acked[i];
				free(v);
			} else
				wrong += acked[i];
		}
		ghauthp_store_close(s);
	} else
		wrong = NWRITERS;
	is_int(wrong, 0, "every acknowledged record present afterwards, no "
	    "refused one");
}

static void
test_key(void)
{
	unsigned char	 a[GHAUTHP_KEY_LEN], b[GHAUTHP_KEY_LEN], h[32];

	ghauthp_key(GHAUTHP_KIND_SESSION, "tok", a);
	ghauthp_key(GHAUTHP_KIND_STATE, "tok", b);
	ghauthp_sha256("tok", 3, h);
	ok(memcmp(a, "se:", 3) == 0 && memcmp(a + 3, h, 32) == 0,
	    "key = \"se:\" + SHA-256(token)");
	ok(memcmp(b, "st:", 3) == 0 && memcmp(a + 3, b + 3, 32) == 0 &&
	    memcmp(a, b, 3) != 0, "kinds differ only in the prefix");
}

int
main(void)
{
	plan(113);
	umask(0);
	dir = tmpdir_create("ghauth-test-store");
	test_missing_and_basic();
	test_unsafe_files();
	test_empty_and_garbage();
	test_busy();
	test_sweep();
	test_concurrency();
	test_key();
	tmpdir_remove();
	return done_testing();
}
