#!/usr/bin/env python3
"""The server recipes in docs/servers/, end to end.

For each of lighttpd, Apache with ScriptAlias, Apache shared hosting
(.htaccess only) and nginx + fcgiwrap: render the recipe with tests/lib/render
(the very file the docs show), start the real server on a free loopback port,
and walk the whole sign-in flow through it against the mock GitHub - static
page, start, GitHub, callback (a real 303 with its cookies, not an Apache
internal redirect), hand-off, reload, X-Session-Token, 405 with Allow, 404
below a program (PATH_INFO), ?redirect= (query string kept), httpoxy, logout.
Last, the programs are swapped for a probe that prints its environment, to
see exactly what each server hands them (GHAUTH_CONFIG, PATH_INFO,
QUERY_STRING, HTTP_PROXY).  A server whose binary is missing is skipped.
Prints TAP."""

import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import ghtest  # noqa: E402
from ghtest import HttpBrowser, Mock, Tap, write_config  # noqa: E402
import webserver  # noqa: E402
from webserver import APACHE_MODULES, free_port, group_of, render, tail, which  # noqa: E402,F401

PROGRAMS = ("github", "callback", "session", "logout", "auth")
TOKEN = r"[A-Za-z0-9_-]{43}"
# What the servers (and so the CGIs) inherit: nothing of the test's own
# environment (fcgiwrap, for one, passes its whole environment on).
SERVER_ENV = webserver.SERVER_ENV
DECOY = """#!/bin/sh
printf 'Status: 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\nDECOY\\n'
"""
PROBE = """#!/bin/sh
# Test probe: prints the CGI environment it was given.
printf 'Status: 200 OK\\r\\nContent-Type: text/plain\\r\\nCache-Control: no-store\\r\\n\\r\\n'
echo "PROBE_UID=$(id -u)"
env
"""


class ProxyTrap:
    """A listener that counts connections: where a Proxy: header points."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self.stopped = False
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        while not self.stopped:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            if not self.stopped:
                self.hits += 1
            c.close()

    def stop(self):
        self.stopped = True
        self.sock.close()


class ProxyBrowser(HttpBrowser):
    """HttpBrowser that sends a Proxy: header on every request (httpoxy)."""

    def __init__(self, base, origin, proxy):
        super().__init__(base, origin=origin)
        self.proxy = proxy

    def http(self, method, path, headers=None, body=None):
        h = {"Proxy": self.proxy}
        h.update(headers or {})
        return super().http(method, path, h, body)


class Site(webserver.Servers):
    """One server under test: its directory and port; its processes and
    logs (webserver.Servers)."""

    def __init__(self, work, name, web_user):
        self.name = name
        self.dir = os.path.join(work, name)
        self.run = os.path.join(self.dir, "run")
        self.docroot = os.path.join(self.dir, "htdocs")
        self.cgibindir = os.path.join(self.dir, "cgi-bin")
        self.suffix = ""
        self.state = os.path.join(self.dir, "state")
        self.config = os.path.join(self.dir, "ghauth.json")
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.origin = "http://localhost:%d" % self.port
        # The user the CGIs run as (owner of the store and the config).
        self.cgi_user = web_user
        for d in (self.dir, self.run, self.state):
            os.makedirs(d, exist_ok=True)
        os.chmod(self.dir, 0o755)
        webserver.Servers.__init__(self, self.dir, self.run, SERVER_ENV)

    def program_paths(self):
        return dict((p, os.path.join(self.cgibindir, p + self.suffix)) for p in PROGRAMS)

    def install(self, mock, programs):
        """The site's pages, the four programs, a config and a store dir."""
        src = os.path.join(ghtest.SRCDIR, "htdocs")
        if os.path.isfile(os.path.join(src, "index.html")):
            shutil.copytree(src, self.docroot, dirs_exist_ok=True)
        else:
            os.makedirs(self.docroot, exist_ok=True)
            with open(os.path.join(self.docroot, "index.html"), "w") as f:
                f.write("<!doctype html><title>ghauth test site</title>\n")
        for p, dst in self.program_paths().items():
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy(programs[p], dst)
            os.chmod(dst, 0o755)
        # Decoys: what an admin's backup copies would look like.
        for p in ("session.old", "callback.old", "auth.old"):
            dst = os.path.join(self.cgibindir, p + self.suffix)
            with open(dst, "w") as f:
                f.write(DECOY)
            os.chmod(dst, 0o755)
        write_config(self.config, os.path.join(self.state, "ghauth.db"), mock,
                     github={"redirect_uri": self.origin + "/auth/github/callback"})
        uid, gid = self.ids()
        os.chmod(self.config, 0o600)
        os.chmod(self.state, 0o700)
        if os.geteuid() == 0:
            os.chown(self.config, uid, gid)
            os.chown(self.state, uid, gid)

    def ids(self):
        pw = pwd.getpwnam(self.cgi_user)
        return pw.pw_uid, pw.pw_gid

    def start(self, argv, log, as_user=None, ready=None, timeout=15, env=None):
        """webserver.Servers.start, as the user as_user (when root)."""
        return webserver.Servers.start(self, argv, log, ready=ready, timeout=timeout,
                                       env=env, user=as_user)

    def listening(self):
        return webserver.listening(self.port)

    def diag_logs(self, tap):
        webserver.Servers.diag_logs(self, tap, self.run, self.dir)


# ---- the four recipes ------------------------------------------------------

def setup_lighttpd(site, mock, programs, tap):
    # The recipe runs lighttpd as the user that starts it: the CGIs too.
    site.cgi_user = pwd.getpwuid(os.geteuid()).pw_name
    site.install(mock, programs)
    conf = render("lighttpd.conf", os.path.join(site.dir, "lighttpd.conf"),
                  PORT=site.port, DOCROOT=site.docroot, RUNDIR=site.run,
                  CGIBINDIR=site.cgibindir, CONFIG=site.config)
    r = subprocess.run([which("lighttpd"), "-tt", "-f", conf], env=SERVER_ENV,
                       capture_output=True, text=True)
    tap.is_(r.returncode, 0, "lighttpd: lighttpd -tt accepts the rendered recipe")
    return site.start([which("lighttpd"), "-D", "-f", conf], "lighttpd.out",
                      ready=site.listening)


def start_apache(site, conf, tap):
    apache = which("apache2") or which("httpd")
    r = subprocess.run([apache, "-t", "-f", conf], env=SERVER_ENV,
                       capture_output=True, text=True)
    tap.is_(r.returncode, 0, "%s: apache2 -t accepts the rendered recipe" % site.name)
    if r.returncode:
        tap.diag(r.stdout + r.stderr)
    return site.start([apache, "-f", conf, "-DFOREGROUND"], "apache2.out",
                      ready=site.listening)


def setup_apache_scriptalias(site, mock, programs, tap):
    site.install(mock, programs)
    conf = render("apache-scriptalias.conf", os.path.join(site.dir, "apache2.conf"),
                  PORT=site.port, RUNDIR=site.run, DOCROOT=site.docroot,
                  CGIBINDIR=site.cgibindir, CONFIG=site.config,
                  USER=site.cgi_user, GROUP=group_of(site.cgi_user),
                  APACHE_MODULES=APACHE_MODULES)
    return start_apache(site, conf, tap)


def setup_apache_htaccess(site, mock, programs, tap):
    # Shared hosting: everything lives in the site; the programs as
    # auth-cgi/*.cgi, the .htaccess from docs/servers/htaccess.  The config
    # and the store stay outside the document root.
    site.cgibindir = os.path.join(site.docroot, "auth-cgi")
    site.suffix = ".cgi"
    site.install(mock, programs)
    render("htaccess", os.path.join(site.docroot, ".htaccess"), CONFIG=site.config)
    os.chmod(os.path.join(site.docroot, ".htaccess"), 0o644)
    conf = render("apache-htaccess.conf", os.path.join(site.dir, "apache2.conf"),
                  PORT=site.port, RUNDIR=site.run, DOCROOT=site.docroot,
                  USER=site.cgi_user, GROUP=group_of(site.cgi_user),
                  APACHE_MODULES=APACHE_MODULES)
    return start_apache(site, conf, tap)


def setup_nginx(site, mock, programs, tap):
    site.install(mock, programs)
    sock = os.path.join(site.run, "fcgiwrap.sock")
    conf = render("nginx.conf", os.path.join(site.dir, "nginx.conf"),
                  PORT=site.port, RUNDIR=site.run, DOCROOT=site.docroot,
                  CGIBINDIR=site.cgibindir, CONFIG=site.config, FCGISOCK=sock,
                  USER=site.cgi_user, GROUP=group_of(site.cgi_user))
    # "include fastcgi_params" is relative to the config file's directory.
    params = "/etc/nginx/fastcgi_params"
    if os.path.isfile(params):
        shutil.copy(params, os.path.join(site.dir, "fastcgi_params"))
    else:
        with open(os.path.join(site.dir, "fastcgi_params"), "w") as f:
            for k, v in (("QUERY_STRING", "$query_string"), ("REQUEST_METHOD", "$request_method"),
                         ("CONTENT_TYPE", "$content_type"), ("CONTENT_LENGTH", "$content_length"),
                         ("SCRIPT_NAME", "$fastcgi_script_name"), ("REQUEST_URI", "$request_uri"),
                         ("SERVER_PROTOCOL", "$server_protocol"), ("HTTPS", "$https if_not_empty"),
                         ("GATEWAY_INTERFACE", "CGI/1.1"), ("REMOTE_ADDR", "$remote_addr"),
                         ("SERVER_NAME", "$server_name"), ("SERVER_PORT", "$server_port")):
                f.write("fastcgi_param %s %s;\n" % (k, v))
    # fcgiwrap runs the programs, as the web user; it creates its socket in
    # the run directory, so that is the web user's.
    uid, gid = site.ids()
    if os.geteuid() == 0:
        os.chown(site.run, uid, gid)
    nginx = which("nginx")
    startup_log = os.path.join(site.run, "nginx-startup.log")
    r = subprocess.run([nginx, "-t", "-e", startup_log, "-c", conf], env=SERVER_ENV,
                       capture_output=True, text=True)
    tap.is_(r.returncode, 0, "nginx: nginx -t accepts the rendered recipe")
    if r.returncode:
        tap.diag(r.stdout + r.stderr)
    # -f: the programs' stderr to nginx's error log, as docs/servers says.
    ok = site.start([which("fcgiwrap"), "-f", "-s", "unix:" + sock], "fcgiwrap.out",
                    as_user=site.cgi_user, ready=lambda: os.path.exists(sock))
    if not ok:
        return False
    return site.start([nginx, "-e", startup_log, "-c", conf, "-g", "daemon off;"],
                      "nginx.out", ready=site.listening)


# Where each recipe puts the programs' lines (docs/servers/README.md).
PROGRAM_LOG = {"lighttpd": "breakage.log", "apache-scriptalias": "apache2-error.log",
               "apache-htaccess": "apache2-error.log", "nginx": "nginx-error.log"}

SERVERS = [
    # name, binaries needed, setup
    ("lighttpd", ["lighttpd"], setup_lighttpd),
    ("apache-scriptalias", ["apache2"], setup_apache_scriptalias),
    ("apache-htaccess", ["apache2"], setup_apache_htaccess),
    ("nginx", ["nginx", "fcgiwrap"], setup_nginx),
]


# ---- the flow through one server ---------------------------------------------

def flow(tap, site, mock, trap):
    n = site.name
    origin = site.origin

    # The site itself.
    b = HttpBrowser(site.base, origin=origin)
    r = b.http("GET", "/")
    with open(os.path.join(site.docroot, "index.html"), "rb") as f:
        index = f.read()
    tap.ok(r.status == 200 and r.body == index and
           (r.header("Content-Type") or "").startswith("text/html"),
           "%s: the site's static index.html is served" % n, r)

    # Sign in.
    mock.reset()
    b = HttpBrowser(site.base, origin=origin)
    out = b.sign_in(mock, "octocat")
    r = out["start"]
    tap.ok(r.status == 303 and (r.header("Location") or "").startswith(
           mock.base + "/login/oauth/authorize?") and
           re.match(r"^ghauth_state=" + TOKEN + ";", r.header("Set-Cookie") or ""),
           "%s: GET /auth/github: 303 to GitHub with the state cookie" % n, r)
    r = out.get("callback")
    cookies = [ghtest.parse_set_cookie(v) for v in r.all("Set-Cookie")] if r else []
    tap.ok(r is not None and r.status == 303 and re.match(
           r"^" + re.escape(origin) + r"/\?session=" + TOKEN + "$", r.header("Location") or ""),
           "%s: callback: a real 303 to the browser, absolute Location "
           "(not turned into an internal redirect)" % n, r)
    tap.ok(any(c[0] == "ghauth_session" and re.match("^" + TOKEN + "$", c[1]) and
               "httponly" in c[2] for c in cookies) and
           any(c[0] == "ghauth_state" and c[2].get("max-age") == "0" for c in cookies),
           "%s: callback: both Set-Cookie headers reach the browser" % n, cookies)
    token = b.cookies.get("ghauth_session", "")
    r = out.get("session")
    j = (r.json() if r else None) or {}
    tap.ok(r is not None and r.status == 200 and j.get("userName") == "octocat" and
           j.get("userId") == "583231" and j.get("sessionToken") == token and token,
           "%s: hand-off exchanged: 200 with the session JSON" % n, r)
    tap.is_(r and r.header("Cache-Control"), "no-store",
            "%s: the programs' own headers pass through (Cache-Control)" % n)
    r = b.session("session=" + (out.get("handoff") or ""))
    tap.is_(r.status, 401, "%s: the hand-off is gone after use" % n)

    # Reload: the cookie alone; an API client: the header alone.
    r = b.session()
    tap.is_((r.status, (r.json() or {}).get("userName")), (200, "octocat"),
            "%s: reload: GET /auth/session with the cookie: 200" % n)
    r = HttpBrowser(site.base, origin=origin, accept="application/json").session(
        headers={"X-Session-Token": token})
    tap.is_((r.status, (r.json() or {}).get("userName")), (200, "octocat"),
            "%s: X-Session-Token header reaches the program" % n)

    # GET /auth (llms.py v4): the identity without the token.
    r = b.http("GET", "/auth")
    j = (r.json() if r.status == 200 else None) or {}
    tap.ok(r.status == 200 and j.get("userName") == "octocat" and
           j.get("authProvider") == "github" and "sessionToken" not in j and
           token and token.encode() not in r.body and r.header("Cache-Control") == "no-store",
           "%s: GET /auth with the cookie: the identity, without the token" % n, r)
    r = HttpBrowser(site.base, origin=origin).http("GET", "/auth", {"X-Session-Token": token})
    tap.is_((r.status, (r.json() or {}).get("userName")), (200, "octocat"),
            "%s: GET /auth with X-Session-Token: 200" % n)
    r = b.http("GET", "/authx")
    tap.ok(r.status == 404 and b"authProvider" not in r.body and b"Authentication" not in r.body,
           "%s: /authx is not /auth (no prefix match)" % n, r)

    # Errors come from the programs, untouched by the server.
    r = b.http("POST", "/auth/session")
    tap.ok(r.status == 405 and r.header("Allow") == "GET",
           "%s: POST /auth/session: 405 with Allow: GET" % n, r)
    r = b.http("GET", "/auth/logout")
    tap.ok(r.status == 405 and r.header("Allow") == "POST",
           "%s: GET /auth/logout: 405 with Allow: POST" % n, r)
    r = b.http("GET", "/auth/github/callback/extra?code=x&state=y")
    tap.ok(r.status == 404 and not r.all("Set-Cookie"),
           "%s: /auth/github/callback/extra (PATH_INFO): 404" % n, r)
    r = b.http("GET", "/auth/github/callback")
    tap.ok(r.status == 400 and "Missing code or state parameter" in r.text() and
           len(r.all("Content-Security-Policy")) == 1,
           "%s: callback without code: the program's 400 page, with only its own CSP" % n, r)

    # ?redirect= survives the server's mapping (query string kept).
    mock.reset()
    b2 = HttpBrowser(site.base, origin=origin)
    out2 = b2.sign_in(mock, "octocat", redirect="/app/page?x=1")
    tap.like(out2.get("landing"), r"^" + re.escape(origin) + r"/app/page\?x=1&session=" + TOKEN + "$",
             "%s: ?redirect= reaches the program and is used after sign-in" % n)

    # httpoxy: a Proxy: header on every request changes nothing.
    mock.reset()
    hits = trap.hits
    b3 = ProxyBrowser(site.base, origin, "http://127.0.0.1:%d" % trap.port)
    out3 = b3.sign_in(mock, "alice")
    r = out3.get("session")
    tap.ok(r is not None and r.status == 200 and (r.json() or {}).get("userName") == "alice"
           and trap.hits == hits,
           "%s: httpoxy: a Proxy: request header does not divert the GitHub calls" % n,
           "session: %r\nproxy connections: %d" % (r, trap.hits - hits))

    # Logout.
    r = b.logout({"Origin": origin})
    tap.ok(r.status == 200 and r.json() == {"success": True} and
           any(v.startswith("ghauth_session=;") and "Max-Age=0" in v for v in r.all("Set-Cookie")),
           "%s: POST /auth/logout with Origin: 200, cookie expired" % n, r)
    r = HttpBrowser(site.base, origin=origin, accept="application/json").session(
        headers={"X-Session-Token": token})
    tap.is_((r.status, r.json()), (401, {"error": "Invalid or expired session", "responseStatus": {"errorCode": "Unauthorized", "message": "Invalid or expired session"}}),
            "%s: after logout the session is 401" % n)
    r = HttpBrowser(site.base, origin=origin).http("GET", "/auth")
    tap.is_((r.status, r.json()), (401, {"error": "Authentication required", "responseStatus": {
        "errorCode": "Unauthorized", "message": "Authentication required"}}),
            "%s: GET /auth without a session: 401 Authentication required" % n)
    r = b3.logout({"Origin": "http://evil.example"})
    tap.is_(r.status, 403, "%s: cross-site logout refused (Origin reaches the program)" % n)

    # The sign-in's line, in the log docs/servers/README.md names, with a
    # time: ghauth's own on a plain file, nginx's through fcgiwrap -f.
    # (test-fastcgi-servers.py, which shares this flow, checks its own.)
    if n in PROGRAM_LOG:
        logfile = os.path.join(site.run, PROGRAM_LOG[n])
        lines = [ln for ln in tail(logfile, 1000).splitlines()
                 if "ghauth[callback]: callback: signed in octocat" in ln]
        stamp = (r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[\w+\] .*FastCGI sent in stderr: \"ghauth\["
                 if n == "nginx" else r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ghauth\[")
        tap.ok(lines and all(re.match(stamp, ln) for ln in lines),
               "%s: the sign-in's line is in %s, with a time" % (n, PROGRAM_LOG[n]),
               "\n".join(lines[-3:]) or tail(logfile))

    # Only the four programs: an old copy next to them is never run.
    for url in ("/auth/session.old", "/auth/github/callback.old", "/auth.old"):
        r = b.http("GET", url)
        tap.ok(r.status in (403, 404) and b"DECOY" not in r.body,
               "%s: %s (an executable %s next to the programs) is not run" %
               (n, url, os.path.basename(url) + site.suffix), r)

    if n == "apache-htaccess":
        for path in ("/auth-cgi/session.cgi", "/auth-cgi/", "/auth-cgi/callback.cgi?code=x&state=y"):
            r = b.http("GET", path)
            tap.is_(r.status, 403, "%s: %s directly: 403" % (n, path))
        # The safety net for a config or store put in the site by mistake.
        os.makedirs(os.path.join(site.docroot, "data"), exist_ok=True)
        for f in ("ghauth.json", "data/ghauth.db", "data/ghauth.db.lock"):
            with open(os.path.join(site.docroot, f), "w") as fh:
                fh.write("secret\n")
            os.chmod(os.path.join(site.docroot, f), 0o644)
        got = [b.http("GET", "/" + f).status for f in ("ghauth.json", "data/ghauth.db", "data/ghauth.db.lock")]
        tap.is_(got, [403, 403, 403], "%s: ghauth.json and *.db(.lock) under the site: 403" % n)


def probe(tap, site):
    """Swaps the programs for an environment dump; checks what they get."""
    for path in site.program_paths().values():
        with open(path + ".probe", "w") as f:
            f.write(PROBE)
        os.chmod(path + ".probe", 0o755)
        os.rename(path + ".probe", path)
    uid, _ = site.ids()
    urls = (("github", "GET", "/auth/github"), ("callback", "GET", "/auth/github/callback"),
            ("session", "GET", "/auth/session"), ("logout", "POST", "/auth/logout"),
            ("auth", "GET", "/auth"))
    seen = {}
    for prog, method, url in urls:
        b = HttpBrowser(site.base, origin=site.origin)
        r = b.http(method, url + "?code=a%2Fb&state=x+y", {"Proxy": "http://evil.example:3128"})
        env = {}
        for line in r.text().splitlines():
            k, sep, v = line.partition("=")
            if sep:
                env[k] = v
        seen[prog] = env
        want = {"GHAUTH_CONFIG": site.config, "PATH_INFO": "", "QUERY_STRING": "code=a%2Fb&state=x+y",
                "REQUEST_METHOD": method, "HTTP_PROXY": "", "PROBE_UID": str(uid)}
        got = dict((k, env.get(k, "")) for k in want)
        tap.is_((r.status, got), (200, want),
                "%s: %s gets GHAUTH_CONFIG, an empty PATH_INFO, the query string "
                "as sent, no HTTP_PROXY, and runs as %s" % (site.name, url, site.cgi_user))
    extra = sorted(k for k in seen.get("session", {}) if k.startswith("REDIRECT_"))
    if extra:
        tap.diag("%s: also set: %s" % (site.name, " ".join(extra)))


def main():
    tap = Tap()
    work = ghtest.tmpdir("ghauth-servers-")
    # The web user must reach into the work directory (not list it).
    os.chmod(work, 0o711)
    root = os.geteuid() == 0
    web_user = "www-data" if root else pwd.getpwuid(os.geteuid()).pw_name
    programs = dict((p, os.path.join(ghtest.BUILDDIR, "cgi-bin", p)) for p in PROGRAMS)
    missing = [p for p, path in programs.items() if not os.access(path, os.X_OK)]
    if missing:
        tap.ok(False, "the programs are built", "missing: %s" % missing)
        ghtest.cleanup(work)
        return tap.done()
    # One copy of the programs for all the servers.
    bindir = os.path.join(work, "bin")
    os.makedirs(bindir)
    for p, path in list(programs.items()):
        programs[p] = shutil.copy(path, os.path.join(bindir, p))
    cadir = ghtest.make_ca(os.path.join(work, "ca"))
    os.chmod(cadir, 0o755)
    os.chmod(os.path.join(cadir, "ca.pem"), 0o644)
    mock = Mock(work, cadir)
    trap = ProxyTrap()
    timings = []
    try:
        for name, binaries, setup in SERVERS:
            absent = [b for b in binaries if not which(b)]
            if not absent and name.startswith("apache") and not os.path.isdir(APACHE_MODULES):
                absent = [APACHE_MODULES]
            if not absent and root and name != "lighttpd":
                try:
                    pwd.getpwnam(web_user)
                except KeyError:
                    absent = ["user " + web_user]
            if absent:
                tap.skip("%s: the recipe, end to end" % name, "not installed: %s" % " ".join(absent))
                continue
            t0 = time.time()
            site = Site(work, name, web_user)
            failed_before = tap.failed
            try:
                started = setup(site, mock, programs, tap)
                if tap.ok(started, "%s: the server starts and listens on 127.0.0.1:%d"
                          % (name, site.port)):
                    flow(tap, site, mock, trap)
                    probe(tap, site)
            except Exception as e:  # a crash in one server's block is a failure, not the end
                import traceback
                tap.ok(False, "%s: no exception" % name, traceback.format_exc())
                del e
            finally:
                site.stop()
            if tap.failed != failed_before:
                site.diag_logs(tap)
            timings.append("%s %.1fs" % (name, time.time() - t0))
    finally:
        trap.stop()
        mock.stop()
    tap.diag("timings: " + ", ".join(timings))
    if not tap.failed:
        ghtest.cleanup(work)
    else:
        tap.diag("kept for inspection: " + work)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
