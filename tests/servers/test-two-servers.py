#!/usr/bin/env python3
"""Two web servers sharing one Redis store, end to end.

Two lighttpd instances, each with its own lighttpd.conf (rendered from
docs/servers/lighttpd.conf), its own copy of the programs and its own
ghauth.json, both with "store": "unix://.../redis.sock" of one redis-server
started here (own socket, own data dir, append-only file).  As behind a load
balancer, both answer for the same site (one redirect_uri), and the browser's
cookies go to either.  Checked: signed in on A works on B; logout on B is a
401 on A; one state raced on A and B gives exactly one session; Redis stopped
in the middle of a load gives 503s with Retry-After (never 401, never a
session cookie), no crash; Redis restarted, both servers work again without
being restarted.  Prints TAP."""

import concurrent.futures
import os
import shutil
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ghtest  # noqa: E402
import redislib  # noqa: E402
import webserver  # noqa: E402
from ghtest import HttpBrowser, Mock, Tap, write_config  # noqa: E402

PROGRAMS = ("github", "callback", "session", "logout")
SERVER_ENV = webserver.SERVER_ENV
SITE = "http://localhost:8080"      # the load balancer's origin


class Server:
    def __init__(self, work, name, store, mock):
        self.dir = os.path.join(work, name)
        self.run = os.path.join(self.dir, "run")
        self.cgibin = os.path.join(self.dir, "cgi-bin")
        self.docroot = os.path.join(self.dir, "htdocs")
        for d in (self.run, self.cgibin, self.docroot):
            os.makedirs(d, exist_ok=True)
        with open(os.path.join(self.docroot, "index.html"), "w") as f:
            f.write("<!doctype html><title>%s</title>\n" % name)
        for p in PROGRAMS:
            shutil.copy(os.path.join(ghtest.BUILDDIR, "cgi-bin", p), self.cgibin)
        self.config = write_config(os.path.join(self.dir, "ghauth.json"), store, mock,
                                   store_timeout_ms=500,
                                   github={"redirect_uri": SITE + "/auth/github/callback"})
        os.chmod(self.config, 0o600)
        self.port = ghtest.free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.conf = webserver.render("lighttpd.conf", os.path.join(self.dir, "lighttpd.conf"),
                                     PORT=self.port, DOCROOT=self.docroot, RUNDIR=self.run,
                                     CGIBINDIR=self.cgibin, CONFIG=self.config)
        self.servers = webserver.Servers(self.dir, self.run, SERVER_ENV)
        ok, said = webserver.start_lighttpd(self.servers, self.conf, self.port)
        if not ok:
            raise RuntimeError("lighttpd %s did not start: %s%s" %
                               (name, said, webserver.tail(self.servers.logs[-1]
                                                          if self.servers.logs else "")))

    def browser(self, cookies=None):
        b = HttpBrowser(self.base, origin=SITE)
        if cookies:
            b.cookies = dict(cookies)
        return b

    def errorlog(self):
        """The programs' lines: the recipe's server.breakagelog, where
        docs/TROUBLESHOOTING.md says they are."""
        out = ""
        for p in (os.path.join(self.run, "breakage.log"),):
            try:
                with open(p, errors="replace") as f:
                    out += f.read()
            except OSError:
                pass
        return out

    def alive(self):
        return all(p.poll() is None for p in self.servers.procs)

    def stop(self):
        self.servers.stop()


def main():
    tap = Tap()
    if not redislib.available() or not webserver.which("lighttpd"):
        print("1..0 # SKIP redis-server or lighttpd not installed")
        return 0
    work = ghtest.tmpdir()
    os.chmod(work, 0o755)
    mock = Mock(work, ghtest.make_ca(os.path.join(work, "ca")))
    red = redislib.Redis(work, appendonly=True)
    servers = []
    try:
        store = red.url(db=1)
        servers = [Server(work, "a", store, mock), Server(work, "b", store, mock)]
        run(tap, mock, red, *servers)
    finally:
        for s in servers:
            s.stop()
        mock.stop()
        red.stop()
    ghtest.cleanup(work)
    return tap.done()


def run(tap, mock, red, a, b):
    # ---- signed in on A, known on B; logged out on B, gone on A -----------
    ba = a.browser()
    out = ba.sign_in(mock, "octocat")
    s = out.get("session")
    tap.is_((s.status, (s.json() or {}).get("userName")) if s else None, (200, "octocat"),
            "sign-in on server A")
    tok = ba.cookies.get("ghauth_session")
    r = b.browser(ba.cookies).session()
    tap.is_((r.status, (r.json() or {}).get("userName")), (200, "octocat"),
            "the session works on server B")
    r = b.browser().logout(headers={"X-Session-Token": tok})
    tap.is_(r.status, 200, "logout on server B")
    r = a.browser(ba.cookies).session()
    tap.is_(r.status, 401, "server A: the session is gone (401)")

    # ---- one state, raced on A and B: exactly one session ------------------
    for round_ in range(3):
        mock.reset()
        bs = a.browser()
        r = bs.start()
        back = mock.authorize(r.header("Location"))

        def cb(srv):
            return srv.browser(bs.cookies).callback(back)
        with concurrent.futures.ThreadPoolExecutor(4) as ex:
            res = list(ex.map(cb, [a, b, a, b]))
        won = [x for x in res if x.status == 303 and "session=" in (x.header("Location") or "")]
        tap.is_((len(won), sorted(x.status for x in res if x not in won)), (1, [400] * 3),
                "round %d: one state sent to A and B twice each at once: exactly one "
                "session" % (round_ + 1))

    # ---- Redis stopped in the middle of a load -----------------------------
    bl = a.browser()
    out = bl.sign_in(mock, "alice")
    tok = bl.cookies.get("ghauth_session")
    tap.ok(tok is not None, "a session for the load")
    results, stop = [], threading.Event()

    def load(srv):
        while not stop.is_set():
            r = srv.browser({"ghauth_session": tok}).session()
            st = srv.browser().start()
            results.append((r.status, r.header("Retry-After"),
                            " ".join(r.all("Set-Cookie")), st.status,
                            st.header("Location"), " ".join(st.all("Set-Cookie"))))
    threads = [threading.Thread(target=load, args=(srv,)) for srv in (a, b, a, b)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    red.stop()
    t_down = time.monotonic()
    time.sleep(1.5)
    n_before_restart = len(results)
    red.start()
    time.sleep(1.0)
    stop.set()
    for t in threads:
        t.join()
    checks = [x[0] for x in results]
    tap.ok(set(checks) <= {200, 503} and 503 in checks and 200 in checks,
           "load through a Redis outage: session checks answer 200 or 503, never 401 "
           "(%d x 200, %d x 503)" % (checks.count(200), checks.count(503)))
    bad503 = [x for x in results if x[0] == 503 and x[1] != "1"]
    tap.is_(bad503, [], "every 503 carries Retry-After: 1")
    cookies = [x for x in results if x[0] == 503 and "ghauth_session=" in x[2]]
    tap.is_(cookies, [], "no 503 session check drops or sets the session cookie")
    starts = [x[3] for x in results]
    leaks = [x for x in results if x[3] == 503 and (x[4] or "ghauth_state=" in x[5])]
    tap.ok(set(starts) <= {303, 503} and 503 in starts and not leaks,
           "starts answer 303 or 503; a 503 sends nobody to GitHub and sets no state")
    tap.ok(n_before_restart > 0 and a.alive() and b.alive(),
           "both web servers still running")
    tap.ok(time.monotonic() - t_down > 1, "the outage lasted over a second")
    logs = a.errorlog() + b.errorlog()
    tap.ok("store: redis" in logs and "cannot connect" in logs,
           "the outage is in the servers' error logs as store: redis ... cannot connect")

    # ---- Redis back: both servers work without a restart --------------------
    r = b.browser({"ghauth_session": tok}).session()
    tap.is_(r.status, 200, "Redis restarted: the session (kept in its AOF) works on B")
    bn = b.browser()
    out = bn.sign_in(mock, "bob")
    s = out.get("session")
    tap.is_(s.status if s else None, 200, "Redis restarted: a new sign-in on B works")
    r = a.browser(bn.cookies).session()
    tap.is_((r.status, (r.json() or {}).get("userName")), (200, "bob"),
            "... and its session works on A")


if __name__ == "__main__":
    sys.exit(main())
