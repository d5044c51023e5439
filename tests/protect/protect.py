"""protect - shared helpers for the tests of docs/PROTECT.md (stdlib only).

- Site: a work directory a web server can read (as www-data when the tests
  run as root, since Apache and fcgiwrap then switch to it), a ghauth.json
  and a store owned by that user, a protected area full of canaries, and
  sessions made with tests/tools/seed (as that user: the programs refuse a
  store that is not their own).
- Servers started in their own process group and stopped by their pid.
- A raw HTTP client (paths are sent exactly as given: no normalisation).
- The canary check: signed out, no byte of any protected file, nor a
  protected script's output, may appear in any response.

Nothing here is installed.
"""

import http.client
import json
import os
import pwd
import re
import secrets
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import ghtest  # noqa: E402
import webserver  # noqa: E402
from webserver import (APACHE_MODULES, SYSPATH, free_port, group_of, render,  # noqa: E402,F401
                       tail, web_user, which)

EXAMPLES = os.path.join(ghtest.SRCDIR, "docs", "examples")
BUILD = ghtest.BUILDDIR
SEED = os.path.join(BUILD, "tests", "tools", "seed")
GUARD = os.path.join(BUILD, "cgi-bin", "guard")
AUTHREQ = os.path.join(BUILD, "cgi-bin", "auth-request")
CHECK = os.path.join(BUILD, "tools", "ghauth-check")
WHOAMI = os.path.join(BUILD, "tests", "protect", "whoami")
# What the servers inherit: nothing of the test's environment, but
# ghauth-check on the PATH for the example scripts.
SERVER_ENV = dict(webserver.SERVER_ENV, PATH=os.path.join(BUILD, "tools") + ":" + SYSPATH)
TOKEN = "T" * 42 + "A"          # a valid 43-character base64url token
OTHER = "U" * 42 + "A"          # a second user (alice)
EXPIRED = "V" * 42 + "A"
UNKNOWN = "W" * 42 + "A"

HELLO_CGI = r"""#!/bin/sh
# CANARY-cgi-source-%(nonce)s: the source of a script is never sent.
echo "ran $REQUEST_METHOD" >>"%(ranlog)s"
printf 'Status: 200 OK\r\nContent-Type: text/plain\r\nX-Script: yes\r\n\r\n'
echo "CANARY-script-output-%(nonce)s"
echo "REMOTE_USER=${REMOTE_USER-unset}"
echo "LOGIN=${GHAUTH_USER_LOGIN-unset}"
echo "ID=${GHAUTH_USER_ID-unset}"
echo "NAME=${GHAUTH_USER_NAME-unset}"
echo "EMAIL=${GHAUTH_USER_EMAIL-unset}"
echo "GROUPS=${GHAUTH_USER_GROUPS-unset}"
echo "COOKIE=${HTTP_COOKIE-unset}"
echo "XST=${HTTP_X_SESSION_TOKEN-unset}"
echo "HRU=${HTTP_REMOTE_USER-unset}"
echo "XFU=${HTTP_X_FORWARDED_USER-unset}"
echo "XAR=${HTTP_X_AUTH_REQUEST_USER-unset}"
echo "HGU=${HTTP_GHAUTH_USER_LOGIN-unset}"
echo "SCRIPT_NAME=${SCRIPT_NAME-unset}"
echo "SCRIPT_FILENAME=${SCRIPT_FILENAME-unset}"
echo "PATH_INFO=${PATH_INFO-unset}"
echo "PATH_TRANSLATED=${PATH_TRANSLATED-unset}"
echo "QUERY_STRING=${QUERY_STRING-unset}"
echo "GUARD_ROOT=${GHAUTH_GUARD_ROOT-unset}${REDIRECT_GHAUTH_GUARD_ROOT-}"
echo "PWD=$(pwd)"
echo "UMASK=$(umask)"
if [ -n "${CONTENT_LENGTH-}" ]; then
	echo "BODY=$(head -c "$CONTENT_LENGTH")"
fi
"""


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def raw(self):
        return ("%s\n" % self.status + "\n".join("%s: %s" % kv for kv in self.headers)
                + "\n\n").encode("latin-1", "replace") + self.body

    def __repr__(self):
        return "<Reply %s %r %r>" % (self.status, self.headers, self.body[:300])


def request(port, method, path, headers=None, body=None, host="localhost"):
    """One request, the path sent byte for byte."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    h = {"Host": "%s:%d" % (host, port)}
    h.update(headers or {})
    if body is not None:
        h["Content-Length"] = str(len(body))
    for k, v in h.items():
        conn.putheader(k, v)
    conn.endheaders(body)
    r = conn.getresponse()
    data = r.read()
    out = Reply(r.status, r.getheaders(), data)
    conn.close()
    return out


class Site(webserver.Servers):
    """A work directory for one server (or none), readable by the web user;
    the servers started for it (webserver.Servers)."""

    def __init__(self, name, user=None, port=None):
        self.user = user or web_user()
        self.uid = pwd.getpwnam(self.user).pw_uid
        self.gid = pwd.getpwnam(self.user).pw_gid
        self.nonce = secrets.token_hex(6)
        self.dir = ghtest.tmpdir("ghauth-protect-%s-" % name)
        os.chmod(self.dir, 0o755)
        self.run = self.mkdir("run")
        self.docroot = self.mkdir("htdocs")
        self.state = self.mkdir("state", 0o700, own=True)
        self.outside = self.mkdir("outside")
        self.config = os.path.join(self.dir, "ghauth.json")
        self.store = os.path.join(self.state, "ghauth.db")
        self.port = port or free_port()
        self.origin = "http://localhost:%d" % self.port
        webserver.Servers.__init__(self, self.dir, self.run, SERVER_ENV)
        self.canaries = []
        self.ranlog = os.path.join(self.mkdir("ranlog", 0o755, own=True), "ran.log")
        with open(os.path.join(self.outside, "secret.txt"), "w") as f:
            f.write(self.canary("outside") + "\n")

    def canary(self, what):
        c = "CANARY-%s-%s" % (what, self.nonce)
        self.canaries.append(c)
        return c

    def mkdir(self, rel, mode=0o755, own=False):
        d = os.path.join(self.dir, rel)
        os.makedirs(d, exist_ok=True)
        os.chmod(d, mode)
        if own and os.geteuid() == 0:
            os.chown(d, self.uid, self.gid)
        return d

    def own(self, path):
        if os.geteuid() == 0:
            os.chown(path, self.uid, self.gid)

    def write_config(self, restrict_to=None, **auth):
        gh = {"client_id": "test-client", "client_secret": self.canary("secret"),
              "redirect_uri": self.origin + "/auth/github/callback"}
        if restrict_to is not None:
            gh["restrict_to"] = restrict_to
        doc = {"auth": dict({"enabled": True, "store": self.store, "github": gh}, **auth)}
        tmp = self.config + ".tmp"
        with open(tmp, "w") as f:
            json.dump(doc, f, indent=2)
        os.chmod(tmp, 0o600)
        self.own(tmp)
        os.rename(tmp, self.config)

    def as_user(self):
        if os.geteuid() == 0:
            return {"user": self.uid, "group": self.gid, "extra_groups": []}
        return {}

    def seed(self, token, uid, login, name="-", email="-", ttl=86400, groups=None):
        subprocess.run([SEED, self.store, "session", token, str(uid), login,
                        "https://avatars.example/u/%d" % uid, name, email, str(ttl)] +
                       (["0", "0", groups] if groups else []),
                       check=True, **self.as_user())

    def seed_all(self):
        self.seed(TOKEN, 583231, "octocat", "The Octocat", "octocat@github.com")
        self.seed(OTHER, 1001, "alice", "Alice O'Brien", "-")
        self.seed(EXPIRED, 1002, "old", "-", "-", ttl=-10)

    def make_area(self, area):
        """The protected files, each with its own canary."""
        os.makedirs(area, exist_ok=True)
        os.chmod(area, 0o755)
        self.area = area
        files = {
            "page.html": "<!doctype html><title>Private</title><p>%s</p>\n" % self.canary("page"),
            "notes.txt": "%s\nline two\n" % self.canary("notes"),
            "data.json": json.dumps({"secret": self.canary("json")}) + "\n",
            "sub/index.html": "<p>%s</p>\n" % self.canary("subindex"),
            ".secret": "%s\n" % self.canary("dotfile"),
            "docs/.env": "TOKEN=%s\n" % self.canary("dotenv"),
        }
        big = bytearray(os.urandom(700 * 1024))
        c = self.canary("big").encode()
        big[100:100 + len(c)] = c
        self.big = bytes(big)
        for rel, text in files.items():
            p = os.path.join(area, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            os.chmod(os.path.dirname(p), 0o755)
            with open(p, "w") as f:
                f.write(text)
            os.chmod(p, 0o644)
        with open(os.path.join(area, "big.bin"), "wb") as f:
            f.write(self.big)
        self.files = dict((k, v.encode()) for k, v in files.items())
        self.files["big.bin"] = self.big
        hello = HELLO_CGI % {"nonce": self.nonce, "ranlog": self.ranlog}
        self.canaries += ["CANARY-cgi-source-" + self.nonce,
                          "CANARY-script-output-" + self.nonce]
        for name, mode in (("hello.cgi", 0o755), ("nonexec.cgi", 0o644),
                           ("tool.sh", 0o755)):
            with open(os.path.join(area, name), "w") as f:
                f.write(hello)
            os.chmod(os.path.join(area, name), mode)
        os.symlink(os.path.join(self.outside, "secret.txt"), os.path.join(area, "link-out.txt"))
        os.symlink("notes.txt", os.path.join(area, "link-in.txt"))
        os.symlink(self.outside, os.path.join(area, "outdir"))

    def ran(self):
        try:
            with open(self.ranlog) as f:
                return f.read().count("ran ")
        except OSError:
            return 0

    def start(self, argv, log, as_user=False, ready=None, timeout=20, env=None):
        """webserver.Servers.start, as the site's user when as_user."""
        return webserver.Servers.start(self, argv, log, ready=ready, timeout=timeout, env=env,
                                       user=self.user if as_user else None, umask=0o022)

    def listening(self):
        return webserver.listening(self.port)

    def diag_logs(self, tap):
        webserver.Servers.diag_logs(self, tap, self.run, self.dir)

    def cleanup(self):
        self.stop()
        ghtest.cleanup(self.dir)

    def get(self, method, path, headers=None, body=None):
        return request(self.port, method, path, headers, body)


def leaks(site, replies, extra=()):
    """The canaries found in any of replies (headers and body)."""
    found = set()
    for r in replies:
        raw = r.raw() if isinstance(r, Reply) else r
        for c in list(site.canaries) + list(extra):
            if c.encode() in raw:
                found.add(c)
    return sorted(found)


BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
API = {"Accept": "application/json"}


def cookie(token, extra=""):
    return {"Cookie": "ghauth_session=%s%s" % (token, extra)}


def signin_url(site, path):
    import urllib.parse
    return site.origin + "/auth/github?redirect=" + urllib.parse.quote(path, safe="")


def exercise(tap, site, n, prefix, scripts=True, has_auth=True,
             dotfile_status=(403, 404)):
    """The behaviour every guarded area must show through a real server:
    signed out nothing is served and scripts do not run; signed in files,
    conditionals, ranges and scripts work; traversal, dotfiles, symlinks and
    non-scripts are refused whoever asks.  prefix is the area's URL."""
    out = []          # every signed-out reply, for the canary check

    # ---- signed out --------------------------------------------------------
    ran0 = site.ran()
    r = site.get("GET", prefix + "/page.html?x=1&y=%20", BROWSER)
    out.append(r)
    tap.ok(r.status == 303 and r.header("Location") == signin_url(site, prefix + "/page.html?x=1&y=%20"),
           "%s: signed out, a browser is sent to sign-in and back to the page" % n, r)
    tap.is_(r.header("Cache-Control"), "no-store", "%s: the redirect is not cached" % n)
    r = site.get("GET", prefix + "/notes.txt", API)
    out.append(r)
    tap.ok(r.status == 401 and r.json() == {"error": "Invalid or expired session", "responseStatus": {"errorCode": "Unauthorized", "message": "Invalid or expired session"}},
           "%s: signed out, an API client gets 401 JSON" % n, r)
    r = site.get("GET", prefix + "/notes.txt", {"Accept": "*/*"})
    out.append(r)
    tap.is_(r.status, 401, "%s: signed out, Accept */* (curl, scripts) gets 401" % n)
    r = site.get("HEAD", prefix + "/page.html", BROWSER)
    out.append(r)
    tap.ok(r.status == 303 and r.body == b"", "%s: signed out, HEAD: 303, no body" % n, r)
    for label, h in (("an unknown token", cookie(UNKNOWN)), ("an expired session", cookie(EXPIRED)),
                     ("a malformed cookie", {"Cookie": "ghauth_session=abc"}),
                     ("the token in the URL only", {})):
        path = prefix + "/notes.txt" + ("?session=" + TOKEN if not h else "")
        r = site.get("GET", path, dict(API, **h))
        out.append(r)
        tap.is_(r.status, 401, "%s: %s is signed out" % (n, label))
    r = site.get("GET", prefix + "/big.bin", dict(API, Range="bytes=100-200"))
    out.append(r)
    tap.is_(r.status, 401, "%s: signed out, a Range request gets 401, no bytes" % n)
    r = site.get("GET", prefix + "/notes.txt", dict(API, **{"If-None-Match": "*"}))
    out.append(r)
    tap.is_(r.status, 401, "%s: signed out, If-None-Match: * gets 401, not 304" % n)
    r = site.get("GET", prefix + "/hello.cgi", BROWSER)
    out.append(r)
    tap.is_(r.status, 303, "%s: signed out, a script URL: 303" % n)
    r = site.get("POST", prefix + "/hello.cgi", dict(BROWSER, **{"Content-Type": "text/plain"}),
                 body=b"posted")
    out.append(r)
    tap.is_(r.status, 401, "%s: signed out, POST to a script: 401 (no redirect for a POST)" % n)
    r = site.get("GET", prefix + "/sub/", BROWSER)
    out.append(r)
    tap.is_(r.status, 303, "%s: signed out, a directory: 303" % n)
    for p in ("/.secret", "/docs/.env", "/link-out.txt", "/outdir/secret.txt", "/nonexec.cgi",
              "/tool.sh", "/../ghauth.json", "/%2e%2e/ghauth.json", "/sub/../../ghauth.json",
              "/..%2fghauth.json", "/%2e%2e%2f%2e%2e%2fghauth.json"):
        r = site.get("GET", prefix + p, BROWSER)
        out.append(r)
    tap.is_(site.ran(), ran0, "%s: signed out, no script ever ran" % n)

    # ---- signed in -----------------------------------------------------------
    me = cookie(TOKEN, "; theme=dark")
    r = site.get("GET", prefix + "/page.html", dict(BROWSER, **me))
    tap.ok(r.status == 200 and r.body == site.files["page.html"],
           "%s: signed in, the page is served" % n, r)
    tap.ok(leaks(site, [r]), "%s: (the canary check does see a protected page)" % n)
    tap.is_(r.header("Content-Type"), "text/html; charset=utf-8", "%s: Content-Type from the extension" % n)
    etag, lm = r.header("ETag"), r.header("Last-Modified")
    tap.ok(etag and re.match(r'^"[0-9a-f-]+"$', etag) and lm and lm.endswith(" GMT"),
           "%s: ETag and Last-Modified" % n, r.headers)
    tap.is_(r.header("Cache-Control"), "private, no-cache",
            "%s: cached by the browser only, revalidated through the guard" % n)
    r = site.get("GET", prefix + "/page.html", dict(BROWSER, **dict(me, **{"If-None-Match": etag or "x"})))
    tap.ok(r.status == 304 and r.body == b"", "%s: If-None-Match: 304, no body" % n, r)
    r = site.get("GET", prefix + "/page.html", dict(BROWSER, **dict(me, **{"If-Modified-Since": lm or "x"})))
    tap.is_(r.status, 304, "%s: If-Modified-Since: 304" % n)
    r = site.get("GET", prefix + "/page.html", dict(BROWSER, **dict(me, **{"If-None-Match": '"other"'})))
    tap.is_(r.status, 200, "%s: another ETag: 200" % n)
    r = site.get("HEAD", prefix + "/notes.txt", me)
    # (Apache drops a CGI's Content-Length on HEAD; nginx and lighttpd keep it.)
    tap.ok(r.status == 200 and r.body == b"" and r.header("ETag") and
           r.header("Content-Length") in (None, str(len(site.files["notes.txt"]))),
           "%s: HEAD: the headers, no body" % n, r)
    r = site.get("GET", prefix + "/data.json", dict(API, **me))
    tap.ok(r.status == 200 and r.header("Content-Type") == "application/json" and
           r.body == site.files["data.json"], "%s: JSON with its type" % n, r)
    r = site.get("GET", prefix + "/big.bin", me)
    tap.ok(r.status == 200 and r.body == site.big and
           r.header("Content-Type") == "application/octet-stream",
           "%s: a 700 KiB file arrives whole" % n, (r.status, len(r.body)))
    r = site.get("GET", prefix + "/big.bin", dict(me, Range="bytes=1000-1999"))
    tap.ok(r.status == 206 and r.body == site.big[1000:2000] and
           r.header("Content-Range") == "bytes 1000-1999/%d" % len(site.big),
           "%s: Range: 206 with exactly those bytes" % n, (r.status, r.headers, len(r.body)))
    r = site.get("GET", prefix + "/big.bin", dict(me, Range="bytes=-10"))
    tap.ok(r.status == 206 and r.body == site.big[-10:], "%s: a suffix range" % n, (r.status, r.headers))
    r = site.get("GET", prefix + "/big.bin", dict(me, Range="bytes=99999999-"))
    tap.ok(r.status == 416 and r.header("Content-Range") == "bytes */%d" % len(site.big),
           "%s: an unsatisfiable range: 416" % n, (r.status, r.headers))
    r = site.get("GET", prefix + "/big.bin", dict(me, Range="bytes=0-1", **{"If-Range": '"stale"'}))
    tap.ok(r.status == 200 and len(r.body) == len(site.big),
           "%s: If-Range with a stale ETag: the whole file" % n, (r.status, len(r.body)))
    r = site.get("GET", prefix + "/sub/", dict(BROWSER, **me))
    tap.ok(r.status == 200 and r.body == site.files["sub/index.html"],
           "%s: a directory: its index.html" % n, r)
    r = site.get("POST", prefix + "/notes.txt", me, body=b"x")
    tap.ok(r.status == 405 and (not scripts or "GET" in (r.header("Allow") or "")),
           "%s: POST to a static file: 405" % n, r)
    if scripts:
        run_scripts(tap, site, n, prefix, me)
    refused(tap, site, n, prefix, me, scripts, dotfile_status)
    r = site.get("GET", prefix + "/missing.txt", dict(BROWSER, **me))
    tap.is_(r.status, 404, "%s: a missing file: 404" % n)

    # The allowlist is re-checked on every request.
    site.write_config(restrict_to="alice")
    r = site.get("GET", prefix + "/notes.txt", dict(API, **me))
    tap.ok(r.status == 401 and not leaks(site, [r]),
           "%s: a user taken off the allowlist is refused at once" % n, r)
    out.append(r)
    r = site.get("GET", prefix + "/notes.txt", dict(API, **cookie(OTHER)))
    tap.ok(r.status == 200 and r.body == site.files["notes.txt"], "%s: a user on it is not" % n, r)
    site.write_config()
    if has_auth:
        r = site.get("GET", "/auth/session", dict(API, **me))
        tap.ok(r.status == 200 and (r.json() or {}).get("userName") == "octocat",
               "%s: /auth/session agrees with the guard on the same cookie" % n, r)

    tap.is_(leaks(site, out), [], "%s: signed out, no protected byte in any response" % n)
    return out


def run_scripts(tap, site, n, prefix, me):
    """The script: run with the identity, spoofing headers gone."""
    ran0 = site.ran()
    r = site.get("GET", prefix + "/hello.cgi?a=1", dict(me, **{
        "Remote-User": "mallory", "X-Forwarded-User": "mallory", "X-Auth-Request-User": "mallory",
        "Ghauth-User-Login": "mallory", "X-Session-Token": TOKEN}))
    t = r.text()
    tap.ok(r.status == 200 and r.header("X-Script") == "yes" and
           "CANARY-script-output-" + site.nonce in t, "%s: signed in, the script runs" % n, r)
    tap.ok("REMOTE_USER=octocat\n" in t and "LOGIN=octocat\n" in t and "ID=583231\n" in t and
           "NAME=The Octocat\n" in t and "EMAIL=octocat@github.com\n" in t and
           "GROUPS=\n" in t,
           "%s: the script gets REMOTE_USER and GHAUTH_USER_* (GROUPS empty for a login)" % n, t)
    tap.ok("HRU=unset\n" in t and "XFU=unset\n" in t and "XAR=unset\n" in t and "HGU=unset\n" in t,
           "%s: identity headers a client sent do not reach the script" % n, t)
    tap.ok("COOKIE=theme=dark\n" in t and "XST=unset\n" in t and TOKEN not in t,
           "%s: the script never sees the session token (cookie or header)" % n, t)
    tap.ok("SCRIPT_NAME=%s/hello.cgi\n" % prefix in t and
           "SCRIPT_FILENAME=%s/hello.cgi\n" % site.area in t and
           "PWD=%s\n" % site.area in t and "QUERY_STRING=a=1\n" in t,
           "%s: SCRIPT_NAME, SCRIPT_FILENAME, working directory, query string" % n, t)
    tap.ok("UMASK=0022\n" in t,
           "%s: the script gets the server's umask, not the guard's 077" % n, t)
    r = site.get("POST", prefix + "/hello.cgi", dict(me, **{"Content-Type": "text/plain"}), body=b"posted body")
    tap.ok(r.status == 200 and "BODY=posted body\n" in r.text(), "%s: POST: the script reads the body" % n, r)
    tap.is_(site.ran(), ran0 + 2, "%s: the script ran once per request" % n)


def refused(tap, site, n, prefix, me, scripts, dotfile_status):
    """Refused whoever asks: no byte of those files, no outside file."""
    if scripts:
        for p, what in (("/nonexec.cgi", "a .cgi that is not executable (its source)"),
                        ("/tool.sh", "an executable not named .cgi (its source)")):
            r = site.get("GET", prefix + p, dict(BROWSER, **me))
            tap.ok(r.status in (403, 404) and not leaks(site, [r]),
                   "%s: signed in, %s: refused" % (n, what), (r.status, leaks(site, [r])))
    for p, what in (("/link-out.txt", "a symlink out of the area"),
                    ("/link-in.txt", "a symlink inside the area"),
                    ("/outdir/secret.txt", "a symlinked directory out of the area")):
        r = site.get("GET", prefix + p, dict(BROWSER, **me))
        tap.ok(r.status in (403, 404) and not leaks(site, [r]), "%s: signed in, %s: refused" % (n, what),
               (r.status, leaks(site, [r])))
    for p, what in (("/.secret", "a dotfile"), ("/docs/.env", "a dotfile in a directory"),
                    ("/.htaccess", ".htaccess")):
        r = site.get("GET", prefix + p, dict(BROWSER, **me))
        tap.ok(r.status in dotfile_status and not leaks(site, [r]), "%s: signed in, %s: refused" % (n, what),
               (r.status, leaks(site, [r])))
    trav = []
    for p in ("/../ghauth.json", "/%2e%2e/ghauth.json", "/..%2fghauth.json", "/%2e%2e%2fghauth.json",
              "/sub/../../ghauth.json", "/./../outside/secret.txt", "/%2e%2e/%2e%2e/outside/secret.txt",
              "/..%5c..%5coutside%5csecret.txt", "/sub/%2e%2e/%2e%2e/%2e%2e/outside/secret.txt",
              "/%00.txt", "/notes.txt%00.html", "//../../outside/secret.txt"):
        r = site.get("GET", prefix + p, dict(BROWSER, **me))
        trav.append(r)
    bad = [(r.status, leaks(site, [r])) for r in trav if leaks(site, [r]) or r.status == 200]
    tap.ok(not bad, "%s: signed in, traversal attempts (../, %%2e%%2e, %%2f, %%5c, %%00) get nothing" % n, bad)


def examples(tap, site, n, base):
    """The C, shell and Perl examples of docs/PROTECT.md as ordinary CGIs."""
    out = []
    for ex, want in (("whoami-c", "Hello, octocat (GitHub id 583231)\n"),
                     ("whoami-sh", "Hello, octocat (GitHub id 583231)\n"),
                     ("whoami-pl", "Hello, octocat (The Octocat)\n")):
        path = "%s/%s.cgi" % (base, ex)
        r = site.get("GET", path, dict(BROWSER, **cookie(TOKEN)))
        tap.ok(r.status == 200 and r.body.decode() == want and
               r.header("Cache-Control") == "private, no-store",
               "%s: %s: signed in, the user's greeting" % (n, ex), r)
        r = site.get("GET", path + "?x=1", BROWSER)
        out.append(r)
        tap.ok(r.status == 303 and r.header("Location") == signin_url(site, path + "?x=1"),
               "%s: %s: signed out, a browser goes to sign-in and back" % (n, ex), r)
        r = site.get("GET", path, API)
        out.append(r)
        tap.ok(r.status == 401 and r.json() == {"error": "Invalid or expired session", "responseStatus": {"errorCode": "Unauthorized", "message": "Invalid or expired session"}},
               "%s: %s: signed out, an API client gets 401 JSON" % (n, ex), r)
        tap.ok(b"Hello" not in r.body, "%s: %s: signed out, no greeting" % (n, ex))
    return out
