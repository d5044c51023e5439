"""faultlib - helpers shared by the fault and hostile-input tests.

- run(): one CGI program under exactly the given environment, with an
  optional preexec hook (rlimits, signals), timed;
- FBrowser: ghtest.Browser through run(), so a sign-in can run under a
  file-size limit, and every response is kept for the canary;
- Canary: learns every secret the mock saw and every session token and
  hand-off the programs issued, then proves none of them appears outside
  the one place it belongs;
- seeding and identity helpers over tests/tools/seed.

Test code only; nothing here is installed.
"""

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import ghtest  # noqa: E402
from ghtest import BUILDDIR, Response  # noqa: E402,F401

CGI = os.path.join(BUILDDIR, "cgi-bin")
SEED = os.path.join(BUILDDIR, "tests", "tools", "seed")
ADMIN = os.path.join(BUILDDIR, "tools", "ghauth-admin")
PROGRAMS = ("github", "callback", "session", "auth", "logout")


def token():
    return base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()


def env(config, method="GET", query="", headers=None, **extra):
    e = {"GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": method,
         "QUERY_STRING": query, "SERVER_PROTOCOL": "HTTP/1.1",
         "GHAUTH_CONFIG": config}
    for k, v in (headers or {}).items():
        e["HTTP_" + k.upper().replace("-", "_")] = v
    e.update(extra)
    return e


class Recorder:
    """Every response of a test file, for the canary."""

    def __init__(self):
        self.items = []

    def add(self, program, r):
        self.items.append((program, r))
        return r


def run(program, environ, stdin=b"", preexec=None, timeout=30, rec=None):
    """Runs cgi-bin/<program>; returns a ghtest.Response with .elapsed."""
    t0 = time.monotonic()
    p = subprocess.run([os.path.join(CGI, program)], input=stdin, env=environ,
                       capture_output=True, timeout=timeout, preexec_fn=preexec)
    r = Response(p.stdout, p.stderr, p.returncode)
    r.elapsed = time.monotonic() - t0
    r.program = program
    if rec is not None:
        rec.add(program, r)
    return r


class FBrowser(ghtest.Browser):
    """A Browser whose programs run through run() (preexec, recorder)."""

    def __init__(self, config, rec=None, preexec=None, **kw):
        super().__init__(config, **kw)
        self.rec = rec
        self.preexec = preexec

    def call(self, program, method="GET", query="", headers=None):
        return self.absorb(run(program, self.env(method, query, headers),
                               preexec=self.preexec, rec=self.rec))

    def begin(self, mock, login="octocat"):
        """Start and authorize at the mock; returns the callback URL."""
        r = self.start()
        if r.status != 303:
            return None
        return mock.authorize(r.header("Location"), login=login)

    def finish(self, url):
        """Callback and hand-off exchange; returns (callback, session)."""
        cb = self.callback(url)
        if cb.status != 303:
            return cb, None
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(cb.header("Location")).query)
        return cb, self.session("session=" + q.get("session", [""])[0])


# ---- store helpers -----------------------------------------------------------

def seed(store, *args):
    p = subprocess.run([SEED, store] + [str(a) for a in args],
                       capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout.strip()


def ident(i, prefix="user"):
    """A seeded identity: (uid, login, avatar, name, email)."""
    return (str(70000 + i), "%s%d" % (prefix, i),
            "https://avatars.example/u/%d" % i, "User %d \u00e9" % i,
            "u%d@example.com" % i)


def seed_session(store, tok, who):
    uid, login, avatar, name, email = who
    return seed(store, "session", tok, uid, login, avatar, name, email)[0] == 0


def identity_ok(r, tok, who):
    """A 200 session answer names exactly the seeded identity of tok."""
    j = r.json() or {}
    uid, login, avatar, name, email = who
    return (j.get("userId"), j.get("userName"), j.get("displayName"),
            j.get("profileUrl"), j.get("email"), j.get("sessionToken")) == \
        (uid, login, name, avatar, email, tok)


def check_session(config, tok, rec=None, **kw):
    return run("session", env(config, headers={"X-Session-Token": tok}), rec=rec, **kw)


def admin(store, *args):
    if not os.access(ADMIN, os.X_OK):
        return None, "ghauth-admin not built"
    p = subprocess.run([ADMIN, "-s", store] + list(args), capture_output=True,
                       text=True, timeout=60)
    return p.returncode, p.stdout + p.stderr


def file_digest(*paths):
    h = hashlib.sha256()
    for p in paths:
        try:
            with open(p, "rb") as f:
                h.update(f.read())
        except FileNotFoundError:
            h.update(b"<missing>")
    return h.hexdigest()


# ---- the canary --------------------------------------------------------------

WINDOW = 16
RUN_RE = re.compile(r"[A-Za-z0-9_.~-]{%d,}" % WINDOW)


class Canary:
    """Secrets and where each may appear.

    github: values GitHub's side saw or made (client secret, codes, PKCE
    verifiers, access tokens) - may appear in no output at all.
    session: session tokens - only in a Set-Cookie value and in the
    session JSON's sessionToken.  handoff: hand-offs - only in the
    callback's Location.  state: only in the start's Location and a
    Set-Cookie value.  A leak is any 16-character piece of a value."""

    def __init__(self):
        self.values = {"github": set(), "session": set(), "handoff": set(),
                       "state": set()}

    def add(self, kind, v):
        if v and len(v) >= WINDOW:
            self.values[kind].add(v)

    def learn_mock(self, mock):
        for req in mock.requests():
            form = req.get("form") or {}
            for k in ("code", "code_verifier", "client_secret"):
                self.add("github", form.get(k))
            q = req.get("query") or {}
            self.add("github", q.get("code"))
            auth = (req.get("headers") or {}).get("authorization", "")
            if auth.lower().startswith("bearer "):
                self.add("github", auth[7:])

    def learn(self, rec):
        """Session tokens and hand-offs from what the programs answered."""
        for prog, r in rec.items:
            for sc in r.all("Set-Cookie"):
                name, val, _ = ghtest.parse_set_cookie(sc)
                if name.endswith("session") and val:
                    self.add("session", val)
                if name.endswith("state") and val:
                    self.add("state", val)
            if prog == "callback":
                loc = r.header("Location") or ""
                for h in urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query).get("session", []):
                    self.add("handoff", h)
            if prog == "session":
                j = r.json()
                if isinstance(j, dict) and isinstance(j.get("sessionToken"), str):
                    self.add("session", j["sessionToken"])

    def _index(self):
        idx = {}
        for kind, vals in self.values.items():
            for v in vals:
                for i in range(len(v) - WINDOW + 1):
                    idx[v[i:i + WINDOW]] = kind
        return idx

    @staticmethod
    def _found(text, idx, kinds):
        for m in RUN_RE.finditer(text):
            s = m.group(0)
            for i in range(len(s) - WINDOW + 1):
                k = idx.get(s[i:i + WINDOW])
                if k in kinds:
                    return k, s
        return None

    def leaks(self, rec):
        """[(program, where, kind, excerpt)] of every misplaced secret."""
        idx = self._index()
        every = ("github", "session", "handoff", "state")
        out = []

        def look(prog, where, text, kinds):
            hit = self._found(text, idx, kinds)
            if hit:
                out.append((prog, where, hit[0], hit[1][:10] + "..."))

        for prog, r in rec.items:
            look(prog, "log", r.stderr, every)
            for name, value in r.headers:
                n = name.lower()
                if n == "set-cookie":
                    first, _, attrs = value.partition(";")
                    look(prog, "Set-Cookie value", first, ("github", "handoff"))
                    look(prog, "Set-Cookie attributes", attrs, every)
                elif n == "location" and prog == "callback":
                    look(prog, "Location", value, ("github", "session", "state"))
                elif n == "location" and prog == "github":
                    look(prog, "Location", value, ("github", "session", "handoff"))
                else:
                    look(prog, "header " + name, value, every)
            body = r.body.decode("utf-8", "replace")
            if prog == "session":
                j = r.json()
                if isinstance(j, dict) and isinstance(j.get("sessionToken"), str):
                    body = body.replace('"sessionToken":"%s"' % j["sessionToken"], "")
            look(prog, "body", body, every)
        return out

    def counts(self):
        return dict((k, len(v)) for k, v in self.values.items())


def canary_report(tap, canary, rec, what, need=10):
    canary.learn(rec)
    c = canary.counts()
    tap.ok(c["github"] >= need and c["session"] >= need,
           "canary: secrets collected from the mock and the responses",
           c)
    leaks = canary.leaks(rec)
    tap.diag("canary over %s: %d responses, %d GitHub-side secrets, %d session "
             "tokens, %d hand-offs checked" % (what, len(rec.items), c["github"],
                                               c["session"], c["handoff"]))
    tap.ok(not leaks, "canary: no secret, token or hand-off outside its place "
           "(responses, error pages, logs)", "\n".join(map(repr, leaks[:20])))


def dumps(v):
    return json.dumps(v, ensure_ascii=True)


def lock_holder(lock_ino):
    """Pids holding an exclusive flock on the inode lock_ino (/proc/locks)."""
    pids = set()
    try:
        with open("/proc/locks") as f:
            for line in f:
                w = line.split()
                if len(w) >= 6 and w[1] == "FLOCK" and w[3] == "WRITE" and \
                        w[5].rsplit(":", 1)[-1] == str(lock_ino):
                    pids.add(int(w[4]))
    except OSError:
        pass
    return pids
