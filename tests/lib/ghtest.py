"""ghtest - shared helpers for ghauth's Python test scripts (stdlib only).

- Tap: TAP output (plan at the end), exit status 1 if anything failed.
- Mock: starts tests/mock-github/mock_github.py over HTTPS with a test CA
  made at test time by tests/lib/mkca.sh, and talks to its control API.
- Cgi: runs a built CGI program under a clean environment (like env -i) and
  parses its response; a "browser" (Browser) keeps cookies and walks the
  sign-in flow either through the CGIs directly or through a real web server
  (HttpBrowser) - the same steps, so server recipes reuse the flow tests.
- Load: judges the answers of a load test - each is the expected one or a
  designed refusal of an overloaded machine, and nothing else.

Nothing here is installed.
"""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse

SRCDIR = os.environ.get("abs_top_srcdir") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BUILDDIR = os.environ.get("abs_top_builddir") or SRCDIR


def _desc(desc):
    """A description on one line, without a "#" that could start a TAP
    directive (# SKIP, # TODO) by accident."""
    return str(desc).replace("\n", " ").replace("#", "\\#")


class Tap:
    """The TAP producer of every Python test (tests/cgi/runner.py and
    tests/docs/doclib.py use it too): ok()/is_() print lines, done()
    prints the plan at the end and returns the exit status."""

    def __init__(self):
        self.n = 0
        self.failed = 0
        self.skipped = 0

    def ok(self, cond, desc, diag=None):
        self.n += 1
        if cond:
            print("ok %d - %s" % (self.n, _desc(desc)), flush=True)
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, _desc(desc)), flush=True)
            if diag is not None:
                for line in str(diag).splitlines()[:40]:
                    print("#   " + line, flush=True)
        return cond

    def is_(self, got, want, desc):
        return self.ok(got == want, desc, "got:  %r\nwant: %r" % (got, want))

    def like(self, got, pattern, desc):
        import re
        return self.ok(got is not None and re.search(pattern, got) is not None,
                       desc, "got: %r\npattern: %r" % (got, pattern))

    def skip(self, desc, why):
        self.n += 1
        self.skipped += 1
        print("ok %d - %s # SKIP %s" % (self.n, _desc(desc), why), flush=True)

    def known(self, cond, desc, known, why, diag=None):
        """ok(), except that a failure when known is true is a known defect:
        "not ok ... # TODO why" (automake's XFAIL, reported, not a pass).
        A check that holds is a plain "ok" either way."""
        if cond or not known:
            return self.ok(cond, desc, diag)
        self.n += 1
        print("not ok %d - %s # TODO %s" % (self.n, _desc(desc), why), flush=True)
        if diag is not None:
            for line in str(diag).splitlines()[:40]:
                print("#   " + line, flush=True)
        return False

    def diag(self, msg):
        for line in str(msg).splitlines():
            print("# " + line, flush=True)

    def done(self):
        print("1..%d" % self.n, flush=True)
        return 1 if self.failed else 0


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


STORE_KIND = os.environ.get("GHAUTH_TEST_STORE", "gdbm")
_redis = []     # the process's redis-server in redis mode (redislib.Redis)


def redis_server(work):
    """redis mode: this test's own redis-server (started on first use)."""
    if not _redis:
        import redislib
        _redis.append(redislib.Redis(work, databases=1000))
        _redis.append(0)
    return _redis[0]


def test_store(work, name):
    """The store of a test: a GDBM file in work, or with GHAUTH_TEST_STORE=redis
    a fresh database of the test's own redis-server (tests/lib/redislib.py)."""
    if STORE_KIND == "gdbm":
        return os.path.join(work, name + ".db")
    if STORE_KIND != "redis":
        raise SystemExit("GHAUTH_TEST_STORE must be gdbm or redis")
    r = redis_server(work)
    _redis[1] += 1
    return r.url(db=_redis[1])


def stop_redis():
    if _redis:
        _redis[0].stop()
        del _redis[:]


def tmpdir(prefix="ghauth-test-"):
    base = os.environ.get("TMPDIR", "/tmp")
    d = tempfile.mkdtemp(prefix=prefix, dir=base)
    os.chmod(d, 0o700)
    return d


def make_ca(outdir):
    subprocess.run(["bash", os.path.join(SRCDIR, "tests/lib/mkca.sh"), outdir],
                   check=True, stdout=subprocess.DEVNULL)
    return outdir


class Mock:
    """A running mock GitHub; stop() ends it."""

    def __init__(self, workdir, cadir, cert="server", client_id="test-client",
                 client_secret="canary-SECRET-do-not-print", http_port=None):
        """http_port: also serve plain HTTP on 127.0.0.1 (the browser-facing
        authorize page, as scripts/demo does); 0 picks a free port.  The
        port is then self.http_port and the base URL self.http_base."""
        self.cadir = cadir
        self.portfile = os.path.join(workdir, "mock-%s.port" % cert)
        self.logpath = os.path.join(workdir, "mock-%s.log" % cert)
        self.logfile = open(self.logpath, "w")
        self.http_port = None
        self.http_base = None
        argv = [sys.executable, os.path.join(SRCDIR, "tests/mock-github/mock_github.py"),
                "--cert", os.path.join(cadir, cert + ".pem"),
                "--key", os.path.join(cadir, cert + ".key"),
                "--port", "0", "--portfile", self.portfile,
                "--client-id", client_id, "--client-secret", client_secret]
        if http_port is not None:
            argv += ["--http-port", str(int(http_port))]
        self.proc = subprocess.Popen(argv, stdout=self.logfile,
                                     stderr=subprocess.STDOUT)
        deadline = time.time() + 60   # a loaded machine starts Python slowly
        while not os.path.exists(self.portfile):
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()     # a late start must not outlive the test
                raise RuntimeError("mock GitHub did not start")
            time.sleep(0.05)
        with open(self.portfile) as f:
            self.port = int(f.read().strip())
        self.base = "https://127.0.0.1:%d" % self.port
        if http_port is not None:
            # The mock logs the plain port before it writes the port file.
            import re
            with open(self.logpath) as f:
                m = re.search(r"also listening on http://127\.0\.0\.1:(\d+)", f.read())
            if not m:
                self.stop()
                raise RuntimeError("mock GitHub: no plain HTTP port in its log")
            self.http_port = int(m.group(1))
            self.http_base = "http://127.0.0.1:%d" % self.http_port
        # The test client itself trusts whatever this mock presents.
        self.ctx = ssl.create_default_context(cafile=os.path.join(
            cadir, "untrusted-ca.pem" if cert == "untrusted" else "ca.pem"))
        if cert == "wronghost":
            self.ctx.check_hostname = False

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                # Said, not hidden: the mock must stop on SIGTERM.
                print("# mock GitHub did not stop on SIGTERM in 5 s; killed", flush=True)
                self.proc.kill()
                self.proc.wait()
        self.logfile.close()

    def request(self, method, path, body=None, headers=None, timeout=30):
        conn = http.client.HTTPSConnection("127.0.0.1", self.port,
                                           context=self.ctx, timeout=timeout)
        h = {"User-Agent": "ghauth-tests"}
        h.update(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        out = (r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read())
        conn.close()
        return out

    def control(self, path, body=None):
        st, _, data = self.request("POST" if body is not None or path in (
            "/_mock/reset", "/_mock/requests/clear") else "GET",
            "/_mock/" + path.lstrip("/").replace("_mock/", ""), body)
        if st != 200:
            raise RuntimeError("mock control %s: %d %s" % (path, st, data[:200]))
        return json.loads(data or b"null")

    def reset(self):
        self.control("reset", {})

    def fail(self, endpoint, mode, count=1, **extra):
        body = {"endpoint": endpoint, "mode": mode, "count": count}
        body.update(extra)
        self.control("fail", body)

    def requests(self, endpoint=None):
        q = "?endpoint=" + endpoint if endpoint else ""
        return self.control("requests" + q)

    def authorize(self, location, login="octocat", decision="auto"):
        """Plays the browser at GitHub's authorize URL; returns the 302 target."""
        u = urllib.parse.urlsplit(location)
        q = u.query + "&mock_auto=" + ("1" if decision == "auto" else "cancel")
        if login:
            q += "&login=" + urllib.parse.quote(login)
        st, hdrs, body = self.request("GET", u.path + "?" + q)
        if st != 302:
            raise RuntimeError("authorize: %d %s" % (st, body[:300]))
        return hdrs["location"]


class Response:
    def __init__(self, raw, stderr=b"", rc=0):
        self.raw = raw
        self.stderr = stderr.decode("utf-8", "replace")
        self.rc = rc
        self.status = None
        self.headers = []
        head, sep, body = raw.partition(b"\r\n\r\n")
        if not sep:
            head, sep, body = raw.partition(b"\n\n")
        self.body = body
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            value = value.strip()
            if name.lower() == "status":
                self.status = int(value.split()[0])
            self.headers.append((name, value))

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def text(self):
        return self.body.decode("utf-8", "replace")

    def __repr__(self):
        return "<Response %s %r %r>" % (self.status, self.headers, self.body[:300])


def run_cgi(program, env, stdin=b"", timeout=60, wrapper=None, cgidir=None):
    """Runs cgi-bin/<program> with exactly env (plus nothing else)."""
    path = os.path.join(cgidir or os.path.join(BUILDDIR, "cgi-bin"), program)
    argv = (wrapper or []) + [path]
    p = subprocess.run(argv, input=stdin, env=env, capture_output=True,
                       timeout=timeout)
    return Response(p.stdout, p.stderr, p.returncode)


def write_config(path, store, mock=None, **auth):
    """Writes a ghauth.json for tests; auth keys override the defaults."""
    gh = {
        "client_id": "test-client",
        "client_secret": "canary-SECRET-do-not-print",
        "redirect_uri": "http://localhost:8080/auth/github/callback",
        "timeout": 3,
    }
    if mock is not None:
        gh["oauth_url"] = mock.base + "/login/oauth"
        gh["api_url"] = mock.base
        gh["ca_file"] = os.path.join(mock.cadir, "ca.pem")
    gh.update(auth.pop("github", {}))
    doc = {"auth": dict({"enabled": True, "github": gh, "store": store}, **auth)}
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
    return path


def parse_set_cookie(value):
    first, *attrs = [p.strip() for p in value.split(";")]
    name, _, val = first.partition("=")
    a = {}
    for x in attrs:
        k, _, v = x.partition("=")
        a[k.lower()] = v
    return name, val, a


class Browser:
    """A cookie-keeping client that runs the CGIs directly (no server)."""

    ORIGIN = "http://localhost:8080"

    def __init__(self, config, extra_env=None, accept="text/html", cgidir=None):
        self.config = config
        self.cgidir = cgidir
        self.cookies = {}
        self.extra_env = extra_env or {}
        self.accept = accept
        self.log = []   # every Response, for canary checks

    def env(self, method, query="", headers=None):
        e = {"GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": method,
             "QUERY_STRING": query, "SERVER_PROTOCOL": "HTTP/1.1",
             "GHAUTH_CONFIG": self.config, "HTTP_ACCEPT": self.accept}
        if self.cookies:
            e["HTTP_COOKIE"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        for k, v in (headers or {}).items():
            e["HTTP_" + k.upper().replace("-", "_")] = v
        e.update(self.extra_env)
        return e

    def absorb(self, r):
        for sc in r.all("Set-Cookie"):
            name, val, attrs = parse_set_cookie(sc)
            if attrs.get("max-age") == "0":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = val
        self.log.append(r)
        return r

    def call(self, program, method="GET", query="", headers=None):
        return self.absorb(run_cgi(program, self.env(method, query, headers),
                                   cgidir=self.cgidir))

    # The flow, step by step.
    def start(self, redirect=None):
        q = "redirect=" + urllib.parse.quote(redirect, safe="") if redirect else ""
        return self.call("github", "GET", q)

    def callback(self, url):
        q = urllib.parse.urlsplit(url).query
        return self.call("callback", "GET", q)

    def session(self, query="", headers=None):
        return self.call("session", "GET", query, headers)

    def logout(self, headers=None):
        return self.call("logout", "POST", "", headers)

    def sign_in(self, mock, login="octocat", redirect=None):
        """Start -> GitHub -> callback -> hand-off exchange.  Returns a dict."""
        out = {}
        r = out["start"] = self.start(redirect)
        if r.status != 303:
            return out
        back = mock.authorize(r.header("Location"), login=login)
        r = out["callback"] = self.callback(back)
        if r.status != 303:
            return out
        landing = r.header("Location")
        out["landing"] = landing
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(landing).query)
        out["handoff"] = q.get("session", [None])[0]
        r = out["session"] = self.session("session=" + (out["handoff"] or ""))
        return out


class HttpBrowser(Browser):
    """The same browser, through a real web server at base (http://host:port)."""

    def __init__(self, base, origin=None, accept="text/html", prefix="/auth"):
        super().__init__(None, accept=accept)
        self.base = base.rstrip("/")
        self.origin = origin or self.base
        self.prefix = prefix
        u = urllib.parse.urlsplit(self.base)
        self.host, self.port = u.hostname, u.port or 80

    PATHS = {"github": "/github", "callback": "/github/callback",
             "session": "/session", "logout": "/logout"}

    def http(self, method, path, headers=None, body=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        h = {"Accept": self.accept, "Host": urllib.parse.urlsplit(self.origin).netloc}
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        h.update(headers or {})
        conn.request(method, path, body=body, headers=h)
        resp = conn.getresponse()
        data = resp.read()
        raw = ("Status: %d %s\r\n" % (resp.status, resp.reason)).encode()
        for k, v in resp.getheaders():
            raw += ("%s: %s\r\n" % (k, v)).encode("latin-1")
        raw += b"\r\n" + data
        conn.close()
        return self.absorb(Response(raw))

    def call(self, program, method="GET", query="", headers=None):
        path = self.prefix + self.PATHS[program] + ("?" + query if query else "")
        return self.http(method, path, headers)


# The callback's log line when GitHub (here the mock, one Python process)
# did not answer within auth.github.timeout: curl's "Operation timed out
# after N milliseconds", "Connection timed out after ...", "SSL connection
# timeout", "... Timeout was reached" (lib/github.c, transfer()).
GH_TIMEOUT_LOG = re.compile(r"ghauth\[callback\]: github: [^\n]*(timed out|timeout)", re.I)


def refusal(r):
    """The designed answer of an overloaded machine that r is, or None.

    "503": the store busy past its deadline - 503 with Retry-After: 1
    (docs/SECURITY.md), nothing written.  "502": the callback could not
    reach GitHub in time - 502 "Could not reach GitHub", its log naming the
    timeout.  Either from a program that exited normally; anything else
    (a crash, a 500, another 502) is None."""
    if r.rc != 0:
        return None
    if r.status == 503 and r.header("Retry-After") == "1":
        return "503"
    if r.status == 502 and b"Could not reach GitHub" in r.body and \
            GH_TIMEOUT_LOG.search(r.stderr):
        return "502"
    return None


def until_served(call, tries=5):
    """call() again while it answers the designed 503, as a client told
    Retry-After would; returns the last answer."""
    for _ in range(tries - 1):
        r = call()
        if r.status != 503 or refusal(r) != "503":
            return r
        time.sleep(1)
    return call()


class Load:
    """The answers of a load test, judged one by one.

    judge() files each answer as expected ("ok"), a designed refusal
    ("503"/"502", counted by step) or bad (kept with its text, for the
    failure message).  A load test asserts that nothing was bad, that a
    clear majority succeeded - all of them when nothing was refused - and
    then that what was acknowledged holds."""

    def __init__(self):
        self.bad = []
        self.refused = {}           # (step, "503"|"502") -> count
        self.done = {}              # kind -> [completed?]

    def judge(self, step, r, good):
        if r is not None and r.rc == 0 and good:
            return "ok"
        why = refusal(r) if r is not None else None
        if why is None:
            self.bad.append((step, r and r.rc, r and r.status,
                             r and (r.body[:120], r.stderr[-300:])))
            return "bad"
        self.refused[(step, why)] = self.refused.get((step, why), 0) + 1
        return why

    def finish(self, kind, verdict):
        self.done.setdefault(kind, []).append(verdict == "ok")
        return verdict

    def sign_in(self, out, login):
        """Judges a Browser.sign_in() for login: returns (step, verdict),
        the first step that did not answer as expected and why, or
        ("session", "ok") when the sign-in completed.  The callback's 303
        carries the session cookie: from then on the session is
        acknowledged, whatever the hand-off exchange answers."""
        for step, want in (("start", 303), ("callback", 303), ("session", 200)):
            r = out.get(step)
            good = r is not None and r.status == want
            if good and step == "callback":
                good = any(c.startswith("ghauth_session=") and "Max-Age=0" not in c
                           for c in r.all("Set-Cookie"))
            if good and step == "session":
                good = (r.json() or {}).get("userName") == login
            verdict = self.judge(step, r, good)
            if verdict != "ok":
                return step, self.finish("signin", verdict)
        return "session", self.finish("signin", "ok")

    def check(self, tap, what):
        """TAP: no bad answer; per kind, all completed when nothing was
        refused, else more than half of them (under ASan beside three CPU
        hogs and a full test run, at load 35 on 2 cores: 72% of the
        sign-ins, 3 store writes each, and 90% of the logouts)."""
        tap.is_(self.bad, [], "%s: every answer is the expected one or a designed "
                "refusal (503 + Retry-After, the callback's 502 for a GitHub "
                "timeout): no other 5xx, no crash" % what)
        short = []
        for kind, vs in sorted(self.done.items()):
            n, k = len(vs), sum(vs)
            if 2 * k <= n:
                short.append("%s: %d of %d" % (kind, k, n))
        tap.is_(short, [], "%s: more than half of each kind completed (all when "
                "nothing was refused)" % what)

    def summary(self):
        return ", ".join("%s %d/%d" % (k, sum(v), len(v)) for k, v in sorted(self.done.items())) + \
            "; refused: " + (", ".join("%s %s x%d" % (s, w, n) for (s, w), n in
                                      sorted(self.refused.items())) or "none")


def hold_lock(lockpath, shared=False, env=None):
    """flock(1) holding a store's lock from another process group until
    release(p); returns once it holds it, however slowly a loaded machine
    started it."""
    p = subprocess.Popen(["flock", "-s" if shared else "-x", lockpath, "sleep", "120"],
                         env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while subprocess.run(["flock", "-n", "-x" if shared else "-s", lockpath, "true"],
                         env=env).returncode == 0:
        if p.poll() is not None or time.monotonic() > deadline:
            release(p)
            raise RuntimeError("flock did not take the lock")
        time.sleep(0.02)
    return p


def release(p):
    try:
        os.killpg(p.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    p.wait()


def canary_check(tap, texts, secrets, what):
    """No secret value appears in any of texts."""
    leaks = []
    for s in secrets:
        if not s:
            continue
        for t in texts:
            if s in t:
                leaks.append(s[:6] + "...")
                break
    tap.ok(not leaks, "no secret, token, code or verifier in %s" % what,
           "leaked: %r" % leaks)


def cleanup(path):
    stop_redis()
    shutil.rmtree(path, ignore_errors=True)
