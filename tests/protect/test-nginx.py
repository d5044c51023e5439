#!/usr/bin/env python3
"""docs/PROTECT.md on nginx, end to end: docs/servers/nginx.conf (the four
programs through fcgiwrap) with docs/servers/nginx-auth-request.conf
pasted into its server block, as the docs say.  nginx serves the protected
static location itself and asks cgi-bin/auth-request (auth_request) first:
signed out a browser is sent to sign-in and back, an API client gets 401
JSON; signed in the files come with nginx's own ETag/304/ranges and the
user in $ghauth_user.  Prints TAP; skipped without nginx or fcgiwrap."""

import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import protect  # noqa: E402
from protect import API, OTHER, TOKEN, cookie, leaks  # noqa: E402

TEAM = "G" * 42 + "A"   # a session admitted by team:acme/infra
from ghtest import Tap  # noqa: E402

MARK = "# ---- ghauth: to here"


def fastcgi_params(path):
    src = "/etc/nginx/fastcgi_params"
    if os.path.isfile(src):
        shutil.copy(src, path)
        return
    with open(path, "w") as f:
        for k, v in (("QUERY_STRING", "$query_string"), ("REQUEST_METHOD", "$request_method"),
                     ("CONTENT_TYPE", "$content_type"), ("CONTENT_LENGTH", "$content_length"),
                     ("SCRIPT_NAME", "$fastcgi_script_name"), ("REQUEST_URI", "$request_uri"),
                     ("SERVER_PROTOCOL", "$server_protocol"), ("HTTPS", "$https if_not_empty"),
                     ("GATEWAY_INTERFACE", "CGI/1.1"), ("REMOTE_ADDR", "$remote_addr"),
                     ("SERVER_NAME", "$server_name"), ("SERVER_PORT", "$server_port")):
            f.write("fastcgi_param %s %s;\n" % (k, v))


def setup(site, tap):
    site.write_config()
    site.seed_all()
    cgibin = os.path.join(site.dir, "cgi-bin")
    os.makedirs(cgibin)
    os.chmod(cgibin, 0o755)
    for p in ("github", "callback", "session", "logout", "auth-request"):
        shutil.copy(os.path.join(protect.BUILD, "cgi-bin", p), os.path.join(cgibin, p))
        os.chmod(os.path.join(cgibin, p), 0o755)
    with open(os.path.join(site.docroot, "index.html"), "w") as f:
        f.write("public\n")
    site.make_area(os.path.join(site.docroot, "private"))
    sock = os.path.join(site.run, "fcgiwrap.sock")
    snippet = protect.render("nginx-auth-request.conf", os.path.join(site.dir, "protect.conf"),
                             AREAURL="/private", CGIBINDIR=cgibin, CONFIG=site.config,
                             FCGISOCK=sock)
    conf = protect.render("nginx.conf", os.path.join(site.dir, "nginx.conf"),
                          PORT=site.port, RUNDIR=site.run, DOCROOT=site.docroot,
                          CGIBINDIR=cgibin, CONFIG=site.config, FCGISOCK=sock,
                          USER=site.user, GROUP=protect.group_of(site.user))
    with open(conf) as f:
        text = f.read()
    if not tap.ok(MARK in text, "nginx: docs/servers/nginx.conf has its paste marker"):
        return False
    # "Paste into the server { } block": right after the ghauth part.
    lines = text.split("\n")
    at = [i for i, line in enumerate(lines) if line.strip().startswith(MARK)][0]
    lines.insert(at + 1, "\t\tinclude %s;" % snippet)
    text = "\n".join(lines)
    with open(conf, "w") as f:
        f.write(text)
    fastcgi_params(os.path.join(site.dir, "fastcgi_params"))
    site.own(site.run)
    nginx = protect.which("nginx")
    errlog = os.path.join(site.run, "nginx-startup.log")
    r = subprocess.run([nginx, "-t", "-e", errlog, "-c", conf], env=protect.SERVER_ENV,
                       capture_output=True, text=True)
    tap.is_(r.returncode, 0, "nginx: nginx -t accepts nginx.conf + nginx-auth-request.conf")
    if r.returncode:
        tap.diag(r.stdout + r.stderr)
        return False
    if not site.start([protect.which("fcgiwrap"), "-s", "unix:" + sock], "fcgiwrap.out",
                      as_user=True, ready=lambda: os.path.exists(sock)):
        return False
    return site.start([nginx, "-e", errlog, "-c", conf, "-g", "daemon off;"], "nginx.out",
                      ready=site.listening)


def main():
    tap = Tap()
    if not protect.which("nginx") or not protect.which("fcgiwrap"):
        print("1..0 # SKIP nginx or fcgiwrap not installed")
        return 0
    site = protect.Site("nginx")
    n = "nginx auth_request"
    try:
        if not tap.ok(setup(site, tap), "%s: nginx and fcgiwrap started" % n):
            site.diag_logs(tap)
            return tap.done()
        out = protect.exercise(tap, site, n, "/private", scripts=False, dotfile_status=(404,))
        r = site.get("GET", "/private/notes.txt", cookie(TOKEN))
        tap.is_(r.header("X-Ghauth-User"), "octocat",
                "%s: the user reaches the location ($ghauth_user)" % n)
        r = site.get("GET", "/private/notes.txt", cookie(OTHER))
        tap.is_(r.header("X-Ghauth-User"), "alice", "%s: ... per request" % n)
        tap.is_(r.header("X-Ghauth-Groups"), None, "%s: no groups for a login" % n)
        site.seed(TEAM, 3003, "carol", "Carol", "-", groups="team:acme/infra")
        site.write_config(restrict_to="octocat alice team:acme/infra")
        r = site.get("GET", "/private/notes.txt", cookie(TEAM))
        tap.ok(r.status == 200 and r.header("X-Ghauth-User") == "carol" and
               r.header("X-Ghauth-Groups") == "team:acme/infra",
               "%s: the admitting team reaches the location ($ghauth_groups)" % n, r)
        site.write_config(restrict_to="octocat alice")
        r = site.get("GET", "/private/notes.txt", dict(API, **cookie(TEAM)))
        out.append(r)
        tap.is_(r.status, 401, "%s: the team entry removed: 401" % n)
        site.write_config()
        r = site.get("GET", "/private/notes.txt", dict(API, **{"X-Auth-Request-User": "mallory"}))
        out.append(r)
        tap.ok(r.status == 401 and r.header("X-Ghauth-User") is None,
               "%s: a client's own X-Auth-Request-User changes nothing" % n, r)
        r = site.get("GET", "/_ghauth/auth-request", dict(API, **cookie(TOKEN)))
        tap.is_(r.status, 404, "%s: the auth_request location is internal" % n)
        r = site.get("POST", "/private/notes.txt", dict(API, **{"Content-Type": "text/plain"}),
                     body=b"x" * 5000)
        out.append(r)
        tap.is_(r.status, 401, "%s: signed out, a POST with a body: 401" % n)
        tap.is_(leaks(site, out), [], "%s: signed out, no protected byte anywhere" % n)
        r = site.get("GET", "/index.html")
        tap.is_(r.status, 200, "%s: the rest of the site stays public" % n)
    finally:
        if tap.failed:
            site.diag_logs(tap)
        site.cleanup()
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
