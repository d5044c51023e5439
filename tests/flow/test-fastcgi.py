#!/usr/bin/env python3
"""FastCGI mode: the programs started the way a FastCGI server starts them
(a listening socket on fd 0).  Many requests in one process give the same
answers as CGI, carry nothing from one request to the next, do not grow
the process, and pick up a changed configuration file.  Also the whole
sign-in flow with every program in FastCGI mode."""

import os
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import fcgiclient  # noqa: E402
import ghtest  # noqa: E402
from ghtest import Mock, Response, Tap, write_config  # noqa: E402


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    tap = Tap()
    work = ghtest.tmpdir()
    tap.diag("store: %s" % ghtest.STORE_KIND)
    mock = Mock(work, ghtest.make_ca(os.path.join(work, "ca")))
    procs = {}
    try:
        store = ghtest.test_store(work, "store")
        conf = write_config(os.path.join(work, "ghauth.json"), store, mock)
        seed = os.path.join(ghtest.BUILDDIR, "tests/tools/seed")
        import subprocess
        tok = subprocess.run([sys.executable, "-c", "import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).rstrip(b'=').decode())"],
                             capture_output=True, text=True).stdout.strip()
        subprocess.run([seed, store, "session", tok, "583231", "octocat",
                        "https://avatars.githubusercontent.com/u/583231?v=4", "The Octocat", "-"], check=True)
        for p in ("github", "callback", "session", "logout", "auth"):
            sock = os.path.join(work, p + ".sock")
            procs[p] = (fcgiclient.spawn(os.path.join(ghtest.BUILDDIR, "cgi-bin", p), sock,
                                         {"GHAUTH_CONFIG": conf}), sock)
        time.sleep(0.2)
        sess = procs["session"][1]

        def call(sock, method="GET", query="", cookie=None, headers=None):
            params = {"REQUEST_METHOD": method, "QUERY_STRING": query,
                      "SCRIPT_NAME": "/auth/x", "SERVER_PROTOCOL": "HTTP/1.1",
                      "GATEWAY_INTERFACE": "CGI/1.1"}
            if cookie:
                params["HTTP_COOKIE"] = cookie
            params.update(headers or {})
            out, err, st = fcgiclient.request(sock, params)
            return Response(out, err, st)

        r = call(sess, cookie="ghauth_session=" + tok)
        tap.is_((r.status, (r.json() or {}).get("userName")), (200, "octocat"), "FastCGI session: valid cookie -> 200")
        r = call(sess)
        tap.is_(r.status, 401, "FastCGI: the next request without a cookie is 401 (nothing carried over)")
        r = call(sess, method="POST")
        tap.is_((r.status, r.header("Allow")), (405, "GET"), "FastCGI: 405 with Allow")
        # Many requests: correct every time, no growth.
        ok = 0
        rss0 = None
        for i in range(3000):
            if i == 300:
                rss0 = rss_kb(procs["session"][0].pid)
            kind = i % 3
            r = call(sess, cookie=("ghauth_session=" + tok) if kind == 0 else
                     ("ghauth_session=" + "B" * 43) if kind == 1 else None)
            ok += (r.status == 200) if kind == 0 else (r.status == 401)
        rss1 = rss_kb(procs["session"][0].pid)
        tap.is_(ok, 3000, "3000 mixed requests in one process, each answered on its own")
        ldd = subprocess.run(["ldd", os.path.join(ghtest.BUILDDIR, "cgi-bin", "session")],
                             capture_output=True, text=True).stdout
        if "libasan" in ldd:
            # ASan's quarantine holds freed memory on purpose; LeakSanitizer
            # checks leaks at exit instead (GHAUTH_FCGI_MAX_REQUESTS below).
            tap.skip("no growth across 2700 requests", "AddressSanitizer build")
        else:
            tap.ok(rss1 - rss0 <= 64, "no growth across 2700 requests (RSS %d kB -> %d kB)" % (rss0, rss1))
        # The configuration is reloaded when the file changes.
        write_config(conf, store, mock, github={"restrict_to": "someoneelse"})
        r = call(sess, cookie="ghauth_session=" + tok)
        tap.is_(r.status, 401, "changed configuration picked up (user no longer allowed)")
        write_config(conf, store, mock)
        r = call(sess, cookie="ghauth_session=" + tok)
        tap.is_(r.status, 200, "and picked up again when changed back")
        with open(conf, "w") as f:
            f.write("{ not json")
        r = call(sess, cookie="ghauth_session=" + tok)
        tap.is_((r.status, (r.json() or {}).get("error")), (500, "Server configuration error"),
                "a broken configuration file: 500, not the old configuration")
        write_config(conf, store, mock)

        # The whole flow with every program in FastCGI mode.
        mock.reset()
        cookies = {}

        def browser(p, method="GET", query="", headers=None):
            c = "; ".join("%s=%s" % kv for kv in cookies.items()) or None
            r = call(procs[p][1], method, query, c, headers)
            for sc in r.all("Set-Cookie"):
                n, v, a = ghtest.parse_set_cookie(sc)
                if a.get("max-age") == "0":
                    cookies.pop(n, None)
                else:
                    cookies[n] = v
            return r

        r = browser("github")
        tap.is_(r.status, 303, "FastCGI start: 303")
        back = mock.authorize(r.header("Location"), login="alice")
        r = browser("callback", query=urllib.parse.urlsplit(back).query)
        tap.is_(r.status, 303, "FastCGI callback (libcurl in a long-lived process): 303")
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(r.header("Location") or "").query)
        r = browser("session", query="session=" + q.get("session", [""])[0])
        tap.is_((r.status, (r.json() or {}).get("email")), (200, "alice@example.com"), "FastCGI hand-off exchange")
        r = browser("auth")
        j = r.json() or {}
        tap.is_((r.status, j.get("userName"), j.get("authProvider"), "sessionToken" in j),
                (200, "alice", "github", False), "FastCGI GET /auth: the identity without the token")
        r = browser("callback", query=urllib.parse.urlsplit(back).query)
        tap.is_(r.status, 400, "FastCGI callback replay refused")
        r = browser("logout", "POST", headers={"HTTP_ORIGIN": "http://localhost:8080"})
        tap.is_(r.status, 200, "FastCGI logout")
        r = browser("session")
        tap.is_(r.status, 401, "FastCGI: session gone after logout")
        r = browser("auth")
        tap.is_((r.status, ((r.json() or {}).get("responseStatus") or {}).get("message")),
                (401, "Authentication required"), "FastCGI GET /auth after logout: 401 Authentication required")
        # A second sign-in in the same callback process.
        r = browser("github")
        back = mock.authorize(r.header("Location"), login="octocat")
        r = browser("callback", query=urllib.parse.urlsplit(back).query)
        tap.is_(r.status, 303, "FastCGI callback: a second sign-in in the same process")

        # GHAUTH_FCGI_MAX_REQUESTS: exits cleanly after N.
        sock = os.path.join(work, "max.sock")
        p = fcgiclient.spawn(os.path.join(ghtest.BUILDDIR, "cgi-bin", "session"), sock,
                             {"GHAUTH_CONFIG": conf, "GHAUTH_FCGI_MAX_REQUESTS": "3"})
        time.sleep(0.1)
        for _ in range(3):
            call(sock)
        try:
            rc = p.wait(10)
        except Exception:
            rc = None
            p.kill()
        tap.is_(rc, 0, "GHAUTH_FCGI_MAX_REQUESTS=3: exits 0 after three requests")

        # The guard and auth-request are CGI programs only: started by a
        # FastCGI server they say so and exit, answering nothing.
        for prog in ("guard", "auth-request"):
            sock = os.path.join(work, prog + ".sock")
            p = fcgiclient.spawn(os.path.join(ghtest.BUILDDIR, "cgi-bin", prog), sock,
                                 {"GHAUTH_CONFIG": conf})
            try:
                rc = p.wait(10)
            except Exception:
                rc = None
                p.kill()
                p.wait()
            err = p.stderr.read().decode(errors="replace")
            tap.ok(rc == 1 and "runs as a CGI program only" in err,
                   "%s started by a FastCGI server: exits 1 and says it is CGI only" % prog,
                   "exit %r, stderr: %r" % (rc, err))
    finally:
        for p, _ in procs.values():
            p.kill()
            p.wait()
        mock.stop()
    ghtest.cleanup(work)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
