#!/usr/bin/env python3
"""The Redis store against a real redis-server of the test's own (unix socket
and a free TCP port on 127.0.0.1, its own data directory, stopped at the
end): an ACL user with a percent-encoded password over TCP, the key prefix
and TTLs, single use under races, and every failure - wrong password, down,
not answering, out of memory, a read-only replica - answered 503 with
Retry-After and one log line, never 401, never a token.  FastCGI keeps one
connection and reconnects after Redis restarts."""

import concurrent.futures
import os
import socket
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import fcgiclient  # noqa: E402
import ghtest  # noqa: E402
import redislib  # noqa: E402
from ghtest import Browser, Mock, Response, Tap, write_config  # noqa: E402

PASSWORD = "canary-redis-p@ss:w/rd%"
SEED = os.path.join(ghtest.BUILDDIR, "tests", "tools", "seed")


def new_token():
    import base64
    return base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()


def seed(store, *args):
    return subprocess.run([SEED, store] + list(args), capture_output=True, text=True)


def octocat(store, tok):
    r = seed(store, "session", tok, "583231", "octocat",
             "https://avatars.githubusercontent.com/u/583231", "The Octocat", "-")
    assert r.returncode == 0, r.stderr


def session_check(conf, tok):
    b = Browser(conf)
    b.cookies["ghauth_session"] = tok
    return b.session()


def failed_cleanly(tap, r, desc, log_re, secrets=()):
    """503 + Retry-After + no Set-Cookie of a session + the log line."""
    import re
    tap.is_((r.status, r.header("Retry-After")), (503, "1"), "%s: 503 + Retry-After" % desc)
    sc = " ".join(r.all("Set-Cookie"))
    tap.ok("ghauth_session=" not in sc or "Max-Age=0" in sc,
           "%s: no session cookie issued" % desc, sc)
    tap.ok(re.search(log_re, r.stderr, re.M) is not None, "%s: log says %s" % (desc, log_re),
           r.stderr)
    for s in secrets:
        tap.ok(s not in r.stderr and s.encode() not in r.raw,
               "%s: the password is neither logged nor sent" % desc)


def main():
    tap = Tap()
    if not redislib.available():
        print("1..0 # SKIP redis-server not installed")
        return 0
    work = ghtest.tmpdir()
    mock = Mock(work, ghtest.make_ca(os.path.join(work, "ca")))
    red = redislib.Redis(work, tcp=True, appendonly=True)
    replica = None
    procs = []
    try:
        run(tap, work, mock, red, procs)
        replica = redislib.Redis(os.path.join(work, "replica"), tcp=True,
                                 extra=["--replicaof", "127.0.0.1", str(red.port)])
        replica_checks(tap, work, red, replica)
    finally:
        for p in procs:
            p.kill()
            p.wait()
        mock.stop()
        red.stop()
        if replica:
            replica.stop()
    ghtest.cleanup(work)
    return tap.done()


def run(tap, work, mock, red, procs):
    # ---- an ACL user with a password (percent-encoded), over TCP -------------
    r = red.cli("ACL", "SETUSER", "ghauth", "on", ">" + PASSWORD, "~ghauth:*", "~site2:*",
                "+get", "+set", "+getdel", "+del", "+select", "+scan", "+ping")
    tap.is_(r, "OK", "redis: ACL user ghauth created")
    userinfo = "ghauth:" + urllib.parse.quote(PASSWORD, safe="")
    url = red.tcp_url(db=3, userinfo=userinfo)
    conf = write_config(os.path.join(work, "acl.json"), url, mock)
    b = Browser(conf)
    out = b.sign_in(mock, "octocat")
    s = out.get("session")
    tap.is_((s.status, (s.json() or {}).get("userName")) if s else None, (200, "octocat"),
            "ACL user over TCP, percent-encoded password: the whole sign-in works")
    keys = red.cli("KEYS", "*", db=3)
    tap.ok(len(keys) == 1 and keys[0].startswith(b"ghauth:se:") and len(keys[0]) == 7 + 35,
           "Redis holds one key: prefix + se: + the token's SHA-256 (state and hand-off "
           "taken)", keys)
    ttl = red.cli("TTL", keys[0], db=3) if keys else -2
    tap.ok(86400 <= ttl <= 86400 + 300, "the session key has a TTL: its expiry + 300 s grace "
           "(%r)" % ttl)
    tok = b.cookies.get("ghauth_session")
    tap.ok(tok is not None and tok.encode() not in b"".join(keys),
           "the token itself is not a key")
    r = b.logout(headers={"X-Session-Token": tok})
    tap.is_((r.status, red.cli("DBSIZE", db=3)), (200, 0), "logout deletes the key")
    ghtest.canary_check(tap, [x.stderr for x in b.log] + [x.raw.decode("utf-8", "replace")
                                                         for x in b.log],
                        [PASSWORD, urllib.parse.quote(PASSWORD, safe="")], "the ACL flow")

    # ---- the prefix separates sites sharing a database -----------------------
    conf2 = write_config(os.path.join(work, "site2.json"), url, mock, store_prefix="site2:")
    tok = new_token()
    octocat(url, tok)       # seed writes with the default prefix
    tap.is_(session_check(conf, tok).status, 200, "prefix ghauth: finds its session")
    tap.is_(session_check(conf2, tok).status, 401, "prefix site2: does not see it")

    # ---- wrong password: 503, never 401, the password not logged --------------
    bad = write_config(os.path.join(work, "badpw.json"),
                       red.tcp_url(db=3, userinfo="ghauth:wrong-canary-pw"), mock)
    r = session_check(bad, tok)
    failed_cleanly(tap, r, "wrong password", r"store: redis 127\.0\.0\.1:\d+: access refused "
                   r"\(AUTH\)", ["wrong-canary-pw"])

    # ---- NOPERM: an ACL user that may not run GETDEL --------------------------
    red.cli("ACL", "SETUSER", "weak", "on", ">weakpass", "~ghauth:*", "+get", "+set",
            "+del", "+select", "+ping")
    weak = write_config(os.path.join(work, "weak.json"),
                        red.tcp_url(db=3, userinfo="weak:weakpass"), mock)
    wb = Browser(weak)
    r = wb.start()
    tap.is_(r.status, 303, "ACL user without GETDEL: start (SET) works")
    back = mock.authorize(r.header("Location"))
    r = wb.callback(back)
    failed_cleanly(tap, r, "ACL user without GETDEL at the callback",
                   r"store: redis 127\.0\.0\.1:\d+: access refused \(GETDEL\)")

    # ---- a hand-off raced by many session checks: exactly one wins -------------
    store = red.url(db=4)
    conf4 = write_config(os.path.join(work, "race.json"), store, mock)
    tok, ho = new_token(), new_token()
    octocat(store, tok)
    seed(store, "handoff", ho, tok)

    def exchange(_):
        b = Browser(conf4)
        b.cookies["ghauth_session"] = tok
        return b.session("session=" + ho).status
    with concurrent.futures.ThreadPoolExecutor(16) as ex:
        got = sorted(ex.map(exchange, range(16)))
    tap.is_(got, [200] + [401] * 15, "one hand-off, 16 parallel exchanges: exactly one 200")

    # ---- one state, many callbacks at once: exactly one session --------------
    mock.reset()
    b = Browser(conf4)
    r = b.start()
    back = mock.authorize(r.header("Location"))

    def cb(_):
        c = Browser(conf4)
        c.cookies = dict(b.cookies)
        return c.callback(back)
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        res = list(ex.map(cb, range(8)))
    won = [x for x in res if x.status == 303 and "session=" in (x.header("Location") or "")]
    tap.is_((len(won), sorted(x.status for x in res if x not in won)), (1, [400] * 7),
            "one state, 8 parallel callbacks: exactly one session, the others 400")
    tap.is_(len(mock.requests("token")), 1, "and GitHub was asked for one token")

    # ---- Redis not answering (SIGSTOP): 503 within store_timeout_ms ----------
    slow = write_config(os.path.join(work, "slow.json"), store, mock, store_timeout_ms=400)
    red.pause()
    try:
        t0 = time.monotonic()
        r = session_check(slow, tok)
        took = time.monotonic() - t0
        r2 = Browser(slow).start()
    finally:
        red.resume()
    failed_cleanly(tap, r, "Redis not answering, session check",
                   r"store: redis .*redis\.sock: no answer within 400 ms \((SELECT|GET)\)")
    tap.ok(took < 2.5, "Redis not answering: the check gave up in %.2fs" % took)
    failed_cleanly(tap, r2, "Redis not answering, start", r"no answer within 400 ms")
    tap.ok(r2.header("Location") is None, "Redis not answering: nobody sent to GitHub")

    # ---- out of memory: writes refused, reads go on --------------------------
    red.cli("CONFIG", "SET", "maxmemory", "1")
    red.cli("CONFIG", "SET", "maxmemory-policy", "noeviction")
    try:
        r = Browser(conf4).start()
        chk = session_check(conf4, tok)
    finally:
        red.cli("CONFIG", "SET", "maxmemory", "0")
    failed_cleanly(tap, r, "Redis out of memory, start", r"store: redis .*: out of memory "
                   r"\(maxmemory\): OOM")
    tap.is_(chk.status, 200, "Redis out of memory: session checks (reads) still work")

    # ---- FastCGI: one connection, reconnects after Redis restarts --------------
    sock = os.path.join(work, "session.sock")
    flog = os.path.join(work, "fcgi.log")
    lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    lsock.bind(sock)
    lsock.listen(16)
    with open(flog, "wb") as logf:
        p = subprocess.Popen([os.path.join(ghtest.BUILDDIR, "cgi-bin", "session")],
                             stdin=lsock.fileno(), stdout=subprocess.DEVNULL, stderr=logf,
                             env={"GHAUTH_CONFIG": conf4}, close_fds=True)
    lsock.close()
    procs.append(p)
    time.sleep(0.2)

    def fcall():
        out, err, st = fcgiclient.request(sock, {
            "REQUEST_METHOD": "GET", "QUERY_STRING": "", "SCRIPT_NAME": "/auth/session",
            "SERVER_PROTOCOL": "HTTP/1.1", "GATEWAY_INTERFACE": "CGI/1.1",
            "HTTP_X_SESSION_TOKEN": tok})
        return Response(out, err, st)
    before = red.cli("INFO", "stats").decode()
    n0 = int([x for x in before.split() if x.startswith("total_connections_received:")][0]
             .split(":")[1])
    sts = [fcall().status for _ in range(20)]
    after = red.cli("INFO", "stats").decode()
    n1 = int([x for x in after.split() if x.startswith("total_connections_received:")][0]
             .split(":")[1])
    tap.is_(sts, [200] * 20, "FastCGI on Redis: 20 checks answered")
    # n1 - n0 counts our own INFO connection too.
    tap.ok(n1 - n0 <= 2, "FastCGI keeps one connection (%d new connections for 20 checks)"
           % (n1 - n0 - 1))
    red.stop()
    r = fcall()
    with open(flog, encoding="utf-8", errors="replace") as f:
        r.stderr = f.read()
    failed_cleanly(tap, r, "FastCGI, Redis stopped", r"store: redis .*: (cannot connect|"
                   r"connection closed)")
    tap.ok(p.poll() is None, "FastCGI process still running with Redis down")
    red.start()     # appendonly: the data comes back
    r = fcall()
    tap.is_(r.status, 200, "FastCGI: Redis restarted, the next check reconnects and works")
    r = session_check(conf4, tok)
    tap.is_(r.status, 200, "CGI: works again after the restart (data from the AOF)")


def replica_checks(tap, work, red, replica):
    """A read-only replica: writes 503, reads go on."""
    for _ in range(100):
        info = replica.cli("INFO", "replication").decode()
        if "master_link_status:up" in info:
            break
        time.sleep(0.05)
    store = replica.url(db=4)
    conf = write_config(os.path.join(work, "replica.json"), store, None)
    r = Browser(conf).start()
    # start needs a client_id and redirect: write_config gives them.
    failed_cleanly(tap, r, "read-only replica, start",
                   r"store: redis .*: read-only \(a replica\): point the store at the primary")


if __name__ == "__main__":
    sys.exit(main())
