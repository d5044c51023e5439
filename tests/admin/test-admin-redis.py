#!/usr/bin/env python3
"""ghauth-admin(8) on a Redis store, and `ghauth-admin migrate` between a
GDBM file and Redis (both directions), against a redis-server of the
test's own.  The migration keeps every live session working: a session
check through the CGI program answers 200 after the configuration moves
to the other store.  Prints TAP."""

import base64
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import ghtest  # noqa: E402
import redislib  # noqa: E402
from ghtest import Browser, Tap, write_config  # noqa: E402

B = ghtest.BUILDDIR
ADMIN = os.path.join(B, "tools/ghauth-admin")
SEED = os.path.join(B, "tests/tools/seed")
ENV = {"PATH": "/usr/bin:/bin", "LC_ALL": "C"}


def token():
    return base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()


def admin(*args):
    p = subprocess.run([ADMIN] + list(args), capture_output=True, text=True, env=ENV,
                       timeout=120)
    return p.returncode, p.stdout, p.stderr


def seed(store, *args):
    p = subprocess.run([SEED, store] + list(args), capture_output=True, text=True,
                       env=ENV, timeout=60)
    if p.returncode != 0:
        raise RuntimeError("seed %s: %s" % (args, p.stderr))
    return p.stdout.strip()


def session(store, tok, uid, login, ttl=86400, age=0):
    seed(store, "session", tok, str(uid), login, "https://avatars.example/u/%d" % uid,
         "-", "-", str(ttl), str(age))


def tag_of(tok):
    import hashlib
    return hashlib.sha256(tok.encode()).hexdigest()[:8]


def check(conf, tok):
    b = Browser(conf)
    b.cookies["ghauth_session"] = tok
    return b.session().status


def main():
    tap = Tap()
    if not redislib.available():
        print("1..0 # SKIP redis-server not installed")
        return 0
    work = ghtest.tmpdir()
    red = redislib.Redis(work, databases=16)
    try:
        run(tap, work, red)
    finally:
        red.stop()
    ghtest.cleanup(work)
    return tap.done()


def run(tap, work, red):
    url = red.url(db=1)
    conf = write_config(os.path.join(work, "redis.json"), url)

    # ---- list, stats, check, revoke, purge on Redis ------------------------
    alice, bob, bob2, old = token(), token(), token(), token()
    session(url, alice, 1001, "alice")
    session(url, bob, 1002, "bob")
    session(url, bob2, 1002, "bob")
    session(url, old, 1003, "carol", ttl=10, age=100)     # expired, within TTL grace
    seed(url, "state", token(), token(), "-")
    rc, out, err = admin("-c", conf, "list")
    tap.ok(rc == 0 and out.count("alice") == 1 and out.count("bob") == 2 and
           tag_of(alice) in out, "list on Redis: every session with its tag", out + err)
    rc, out, err = admin("-c", conf, "stats", "--json")
    import json
    st = json.loads(out) if rc == 0 else {}
    tap.ok(rc == 0 and st.get("sessions", {}).get("records") == 4 and
           st.get("states", {}).get("records") == 1 and
           st.get("sessions", {}).get("expired") == 1, "stats on Redis: per kind, expired",
           out + err)
    pconf = write_config(os.path.join(work, "pw.json"),
                         red.url(db=1, userinfo=":canary-admin-pw"))
    red.cli("CONFIG", "SET", "requirepass", "canary-admin-pw")
    red.password = "canary-admin-pw"
    rc, out, err = admin("-c", pconf, "stats")
    rc2, out2, err2 = admin("-c", pconf, "stats", "--json")
    red.cli("CONFIG", "SET", "requirepass", "")
    red.password = None
    tap.ok(rc == 0 and rc2 == 0 and "***@" in out and "canary-admin-pw" not in
           out + err + out2 + err2, "stats with a password in the URL: shown as ***",
           out + err)
    rc, out, err = admin("-c", conf, "check")
    tap.is_(rc, 0, "check on Redis: clean")
    seed(url, "corrupt", "se", bob2)
    rc, out, err = admin("-c", conf, "check")
    tap.ok(rc == 1 and re.search(r"unreadable", out), "check on Redis: a damaged record "
           "is found (exit 1)", out + err)
    rc, out, err = admin("-c", conf, "revoke", "--tag", tag_of(alice))
    tap.ok(rc == 0 and "revoked 1 sessions with tag" in out and
           seed(url, "get", "se", alice) == "absent" and check(conf, bob) == 200,
           "revoke --tag on Redis: that session only", out + err)
    rc, out, err = admin("-c", conf, "revoke", "--tag", "XYZ")
    tap.is_(rc, 2, "revoke --tag with a bad tag: usage error")
    rc, out, err = admin("-c", conf, "revoke", "bob")
    tap.ok(rc == 0 and "revoked 1 sessions of bob" in out and check(conf, bob) == 401,
           "revoke by login on Redis", out + err)
    rc, out, err = admin("-c", conf, "purge")
    tap.ok(rc == 0 and "purged 2 expired or unreadable records" in out and "TTL" in out,
           "purge on Redis: the expired and the damaged record, and says TTLs clean too",
           out + err)
    for cmd in ("reorganize", "recover"):
        rc, out, err = admin("-c", conf, cmd)
        tap.ok(rc == 0 and "nothing to do on a Redis store" in out,
               "%s on Redis: explains there is nothing to do" % cmd, out + err)
    rc, out, err = admin("-s", "redis://127.0.0.1:99999", "list")
    tap.ok(rc == 2 and "bad port" in err, "a bad Redis URL: usage error naming the part",
           err)

    # ---- revoke --tag on GDBM as well ------------------------------------------
    db = os.path.join(work, "tag.db")
    t1, t2 = token(), token()
    session(db, t1, 1, "dora")
    session(db, t2, 1, "dora")
    rc, out, err = admin("-s", db, "revoke", "--tag", tag_of(t1))
    tap.ok(rc == 0 and seed(db, "get", "se", t1) == "absent" and
           seed(db, "get", "se", t2) != "absent", "revoke --tag on GDBM", out + err)

    # ---- migrate GDBM -> Redis: users stay signed in -----------------------------
    gdbm = os.path.join(work, "site.db")
    gconf = write_config(os.path.join(work, "gdbm.json"), gdbm)
    live = [token() for _ in range(5)]
    for i, t in enumerate(live):
        session(gdbm, t, 2000 + i, "user%d" % i, ttl=3600)
    gone = token()
    session(gdbm, gone, 2999, "gone", ttl=10, age=100)
    st_tok = token()
    seed(gdbm, "state", st_tok, token(), "/back")
    target = red.url(db=2)
    rconf = write_config(os.path.join(work, "target.json"), target)
    tap.ok(all(check(gconf, t) == 200 for t in live), "before: sessions work on GDBM")
    rc, out, err = admin("-c", gconf, "migrate", gdbm, target)
    tap.ok(rc == 0 and "migrated 6 records" in out and "1 expired" in out,
           "migrate GDBM -> Redis: 5 sessions and a state copied, the expired one left",
           out + err)
    tap.ok(all(check(rconf, t) == 200 for t in live),
           "after: every session works with the configuration on Redis")
    tap.is_(check(rconf, gone), 401, "the expired session did not travel")
    g = seed(gdbm, "get", "se", live[0])
    r = seed(target, "get", "se", live[0])
    tap.is_(re.search(r"expires=\d+", r).group(0), re.search(r"expires=\d+", g).group(0),
            "the record keeps its expiry time")
    keys = red.cli("KEYS", "ghauth:se:*", db=2)
    ttl = red.cli("TTL", keys[0], db=2) if keys else -1
    tap.ok(3600 - 60 <= ttl <= 3600 + 300, "its Redis TTL follows it (%r s)" % ttl)
    tap.ok("/back" in seed(target, "get", "st", st_tok), "the state (with its redirect) too")
    rc, out, err = admin("-c", gconf, "migrate", gdbm, target)
    tap.ok(rc == 0 and "migrated 0 records" in out and "6 already there" in out,
           "migrate again: idempotent, nothing copied twice", out + err)
    late = token()
    session(gdbm, late, 2500, "late", ttl=3600)
    rc, out, err = admin("-c", gconf, "migrate", gdbm, target)
    tap.ok(rc == 0 and "migrated 1 records" in out and check(rconf, late) == 200,
           "a sign-in made meanwhile is picked up by a second run", out + err)

    # ---- migrate Redis -> GDBM ---------------------------------------------------
    back = os.path.join(work, "back.db")
    bconf = write_config(os.path.join(work, "back.json"), back)
    rc, out, err = admin("-c", rconf, "migrate", target, back)
    tap.ok(rc == 0 and "migrated 7 records" in out, "migrate Redis -> GDBM", out + err)
    tap.ok(all(check(bconf, t) == 200 for t in live + [late]),
           "every session works again on the GDBM file")
    tap.is_(oct(os.stat(back).st_mode & 0o777), "0o600", "the new GDBM file is mode 0600")
    rc, out, err = admin("-c", gconf, "migrate", gdbm, gdbm)
    tap.is_(rc, 2, "migrate a store onto itself: refused")
    rc, out, err = admin("-c", gconf, "migrate", gdbm,
                         "redis://:canary-pw@127.0.0.1:9/0")
    tap.ok(rc == 1 and "canary-pw" not in out + err and "cannot connect" in err,
           "migrate to an unreachable Redis: fails, the password not shown", err)


if __name__ == "__main__":
    sys.exit(main())
