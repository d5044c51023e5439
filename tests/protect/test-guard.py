#!/usr/bin/env python3
"""The guard (cgi-bin/guard) run directly as a CGI program, under exactly
the environment a server would give it (env -i): both ways servers reach
it (an Apache Action: PATH_TRANSLATED; lighttpd's cgi.assign: the file in
SCRIPT_FILENAME), its configuration errors, ghauth's own files inside the
area, special files, the script rules (GHAUTH_GUARD_SCRIPTS, what a script
inherits), the store being busy, and request bodies.  The end-to-end tests
through real servers are test-apache.py, test-lighttpd.py, test-nginx.py.
Prints TAP."""

import fcntl
import json
import re
import os
import pwd
import shutil
import sys
import time

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import protect  # noqa: E402
from protect import EXPIRED, OTHER, TOKEN  # noqa: E402
import ghtest  # noqa: E402
from ghtest import Tap  # noqa: E402

CGIDIR = os.path.dirname(protect.GUARD)


def main():
    tap = Tap()
    me = pwd.getpwuid(os.geteuid()).pw_name
    site = protect.Site("guard", user=me)
    try:
        run(tap, site)
    finally:
        site.cleanup()
    return tap.done()


def run(tap, site):
    site.write_config()
    site.seed_all()
    area = os.path.join(site.docroot, "private")
    site.make_area(area)
    with open(os.path.join(area, "empty.txt"), "w"):
        pass
    os.mkfifo(os.path.join(area, "fifo.txt"))
    outputs = []

    def guard(rel, cookie=None, method="GET", accept="application/json", extra=None,
              stdin=b"", action=True, root=area, timeout=30):
        """One request for area/rel; action: as an Apache Action would."""
        target = area + rel
        env = {"GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": method,
               "SERVER_PROTOCOL": "HTTP/1.1", "GHAUTH_CONFIG": site.config,
               "HTTP_ACCEPT": accept, "REQUEST_URI": "/private" + rel,
               "PATH": protect.SYSPATH}
        if root is not None:
            env["GHAUTH_GUARD_ROOT"] = root
        if action:
            env.update({"SCRIPT_FILENAME": protect.GUARD, "SCRIPT_NAME": "/ghauth-guard",
                        "PATH_INFO": "/private" + rel, "PATH_TRANSLATED": target})
        else:
            env.update({"SCRIPT_FILENAME": target, "SCRIPT_NAME": "/private" + rel})
        if cookie:
            env["HTTP_COOKIE"] = cookie
        env.update(extra or {})
        r = ghtest.run_cgi("guard", env, stdin=stdin, cgidir=CGIDIR, timeout=timeout)
        outputs.append(r.raw + r.stderr.encode())
        return r

    me = "ghauth_session=" + TOKEN

    # ---- both ways in ----------------------------------------------------
    r = guard("/notes.txt", me)
    tap.ok(r.status == 200 and r.body == site.files["notes.txt"],
           "Apache Action: PATH_TRANSLATED names the file", r)
    r = guard("/notes.txt", me, action=False)
    tap.ok(r.status == 200 and r.body == site.files["notes.txt"],
           "lighttpd cgi.assign: SCRIPT_FILENAME names the file", r)
    r = guard("/notes.txt", me, action=False, extra={"PATH_INFO": "/x",
                                                     "PATH_TRANSLATED": site.config})
    tap.ok(r.status == 404 and not protect.leaks(site, [r.raw]),
           "lighttpd: a path below a file (PATH_INFO): 404, PATH_TRANSLATED ignored", r)
    r = guard("/notes.txt", me, extra={"PATH_TRANSLATED": ""})
    tap.is_(r.status, 404, "Action without PATH_TRANSLATED: 404")
    r = guard("/notes.txt", me, action=False, extra={"SCRIPT_FILENAME": protect.GUARD,
                                                     "PATH_TRANSLATED": ""})
    tap.is_(r.status, 404, "the guard asked for itself: 404")
    r = guard("/notes.txt", me, extra={"PATH_TRANSLATED": os.path.join(site.outside, "secret.txt")})
    tap.ok(r.status == 404 and not protect.leaks(site, [r.raw]),
           "PATH_TRANSLATED outside the area: 404", r)
    r = guard("/notes.txt", me, extra={"PATH_TRANSLATED": area + "/../outside/secret.txt"})
    tap.ok(r.status == 404 and "a path component starts with a dot" in r.stderr,
           "PATH_TRANSLATED with ../: refused, and the log says why", r.stderr)
    r = guard("/notes.txt", me, extra={"PATH_TRANSLATED": area + "x/notes.txt"})
    tap.is_(r.status, 404, "a sibling directory sharing the area's name prefix: 404")

    # ---- configuration -----------------------------------------------------
    r = guard("/notes.txt", me, root=None)
    tap.ok(r.status == 500 and not protect.leaks(site, [r.raw]) and
           "no protected area for" in r.stderr,
           "no GHAUTH_GUARD_ROOT: 500, logged", r)
    r = guard("/notes.txt", me, root=None, extra={"REDIRECT_GHAUTH_GUARD_ROOT": area})
    tap.is_(r.status, 200, "REDIRECT_GHAUTH_GUARD_ROOT (SetEnv before an Action) is used")
    for bad in ("/", "private", area + "/../private", ""):
        r = guard("/notes.txt", me, root=bad)
        tap.ok(r.status == 500 and not protect.leaks(site, [r.raw]),
               "GHAUTH_GUARD_ROOT %r: 500" % bad, r)
    r = guard("/notes.txt", me, root=area + "/")
    tap.is_(r.status, 200, "GHAUTH_GUARD_ROOT with a trailing slash")

    # The roots in the configuration file (suEXEC drops SetEnv variables).
    def with_guard(obj):
        with open(site.config) as f:
            doc = json.load(f)
        doc["guard"] = obj
        with open(site.config, "w") as f:
            json.dump(doc, f)
    with_guard({"roots": [site.outside, area, site.docroot]})
    r = guard("/notes.txt", me, root=None)
    tap.ok(r.status == 200 and r.body == site.files["notes.txt"],
           "\"guard\": {\"roots\"} in ghauth.json instead of GHAUTH_GUARD_ROOT", r)
    with_guard({"roots": [area], "scripts": ".pl"})
    r = guard("/hello.cgi", me, root=None)
    tap.is_(r.status, 404, "\"scripts\" in ghauth.json: .cgi no longer runs")
    r = guard("/hello.cgi", me, root=None, extra={"GHAUTH_GUARD_SCRIPTS": ".cgi"})
    tap.is_(r.status, 200, "GHAUTH_GUARD_SCRIPTS wins over the file")
    with_guard({"roots": [site.outside]})
    r = guard("/notes.txt", me, root=None)
    tap.ok(r.status == 500 and not protect.leaks(site, [r.raw]),
           "no configured root contains the file: 500", r)
    r = guard("/notes.txt", me)
    tap.is_(r.status, 200, "GHAUTH_GUARD_ROOT wins over the file's roots")
    for bad in ({"roots": "/x"}, {"roots": ["relative"]}, {"roots": [area, 5]}, [area],
                {"roots": [area], "scripts": 3}):
        with_guard(bad)
        r = guard("/notes.txt", me, root=None)
        tap.ok(r.status == 500 and not protect.leaks(site, [r.raw]) and
               re.search(r"configuration: .*guard(\.roots|\.scripts)? must be", r.stderr),
               "a malformed \"guard\" %s: 500, the configuration error logged" %
               json.dumps(bad)[:40], r)
    site.write_config()
    r = guard("/notes.txt", me, extra={"GHAUTH_CONFIG": "/nonexistent.json"})
    tap.ok(r.status == 500 and not protect.leaks(site, [r.raw]),
           "a configuration that does not load: 500, nothing served", r)
    r = guard("/notes.txt", me, accept="text/html", extra={"GHAUTH_CONFIG": "/nonexistent.json"})
    tap.ok(r.status == 500 and r.header("Location") is None,
           "... not even a redirect for a browser", r)
    site.write_config(enabled=False)
    r = guard("/notes.txt", me, accept="text/html")
    tap.ok(r.status == 404 and not protect.leaks(site, [r.raw]),
           "auth.enabled false: nobody is signed in, nothing served (never open)", r)
    site.write_config()

    # ---- ghauth's own files and special files inside the area ---------------
    inside = os.path.join(area, "conf")
    os.mkdir(inside)
    shutil.copy(site.config, os.path.join(inside, "ghauth.json"))
    with open(os.path.join(inside, "ghauth.json")) as f:
        text = f.read().replace(site.store, os.path.join(inside, "store.db"))
    with open(os.path.join(inside, "ghauth.json"), "w") as f:
        f.write(text)
    os.chmod(os.path.join(inside, "ghauth.json"), 0o600)
    shutil.copy(site.store, os.path.join(inside, "store.db"))
    shutil.copy(site.store + ".lock", os.path.join(inside, "store.db.lock"))
    os.chmod(os.path.join(inside, "store.db"), 0o600)
    os.chmod(os.path.join(inside, "store.db.lock"), 0o600)
    shutil.copy(protect.GUARD, os.path.join(inside, "guard.bin"))
    cfg2 = {"GHAUTH_CONFIG": os.path.join(inside, "ghauth.json")}
    r = guard("/notes.txt", me, extra=cfg2)
    tap.is_(r.status, 200, "(a configuration and store kept inside the area work)")
    for rel, what in (("/conf/ghauth.json", "the guard's configuration"),
                      ("/conf/store.db", "the store"), ("/conf/store.db.lock", "the store's lock")):
        r = guard(rel, me, extra=cfg2)
        tap.ok(r.status == 404 and b"canary" not in r.body.lower() and b"GDBM" not in r.body,
               "%s inside the area is never served" % what, r)
    os.link(os.path.join(inside, "ghauth.json"), os.path.join(area, "innocent.txt"))
    r = guard("/innocent.txt", me, extra=cfg2)
    tap.ok(r.status == 404 and not protect.leaks(site, [r.raw]),
           "... nor under another name (a hard link)", r)
    os.unlink(os.path.join(area, "innocent.txt"))
    shutil.copy(protect.GUARD, os.path.join(area, "guard-copy.bin"))
    os.link(protect.GUARD, os.path.join(area, "guard-link.bin")) if \
        os.stat(protect.GUARD).st_dev == os.stat(area).st_dev else None
    if os.path.exists(os.path.join(area, "guard-link.bin")):
        r = guard("/guard-link.bin", me)
        tap.ok(r.status == 404 and b"ELF" not in r.body, "the guard's own binary is never served", r)
    else:
        tap.skip("the guard's own binary is never served", "build tree on another file system")
    t0 = time.time()
    r = guard("/fifo.txt", me, timeout=10)
    tap.ok(r.status == 404 and time.time() - t0 < 5, "a FIFO: 404 at once (never opened)", r)
    r = guard("/empty.txt", me, extra={"HTTP_RANGE": "bytes=0-0"})
    tap.ok(r.status == 200 and r.body == b"" and r.header("Content-Length") == "0",
           "an empty file, with a Range: 200, empty", r)

    # ---- static details ----------------------------------------------------
    r = guard("/notes.txt", me, method="HEAD")
    tap.ok(r.status == 200 and r.body == b"" and
           r.header("Content-Length") == str(len(site.files["notes.txt"])),
           "HEAD: Content-Length, no body", r)
    r = guard("/notes.txt", me, extra={"HTTP_IF_NONE_MATCH": "*"})
    tap.is_(r.status, 304, "If-None-Match: * for an existing file: 304")
    r = guard("/notes.txt", me, extra={"HTTP_IF_MODIFIED_SINCE": "Thu, 01 Jan 1970 00:00:00 GMT"})
    tap.is_(r.status, 200, "If-Modified-Since long ago: 200")
    r = guard("/notes.txt", me, extra={"HTTP_IF_MODIFIED_SINCE": "not a date"})
    tap.is_(r.status, 200, "If-Modified-Since unparsable: 200")
    r = guard("/big.bin", me, extra={"HTTP_RANGE": "bytes=0-1,5-6"})
    tap.ok(r.status == 200 and r.body == site.big, "several ranges: the whole file (200)", r.status)
    r = guard("/big.bin", me)
    tap.ok(r.status == 200 and r.body == site.big, "a 700 KiB file through a pipe", r.status)
    for m in ("PUT", "DELETE", "OPTIONS", "PATCH"):
        r = guard("/notes.txt", me, method=m)
        tap.ok(r.status == 405 and r.header("Allow") == "GET, HEAD" and
               not protect.leaks(site, [r.raw]), "%s on a static file: 405, Allow: GET, HEAD" % m, r)
    r = guard("/notes.txt", me, accept="text/html", extra={"HTTP_IF_NONE_MATCH": "*"}, method="POST")
    tap.is_(r.status, 405, "POST with If-None-Match: still 405")

    # ---- scripts -----------------------------------------------------------
    r = guard("/hello.cgi", me, extra={
        "GHAUTH_USER_LOGIN": "preset", "REMOTE_USER": "preset", "AUTH_TYPE": "Basic",
        "HTTP_COOKIE": "__Host-ghauth_session=x; ghauth_state=y; " + me + "; keep=1",
        "HTTP_X_REMOTE_USER": "m", "HTTP_X_FORWARDED_EMAIL": "m@x",
        "REDIRECT_HTTP_REMOTE_USER": "m", "REDIRECT_GHAUTH_GUARD_ROOT": area})
    t = r.text()
    tap.ok(r.status == 200 and "REMOTE_USER=octocat\n" in t and "LOGIN=octocat\n" in t,
           "a script: REMOTE_USER and GHAUTH_USER_LOGIN are the guard's, not preset ones", r)
    tap.ok("COOKIE=keep=1\n" in t, "a script: ghauth's cookies (both names) removed, others kept", t)
    tap.ok("GUARD_ROOT=unset\n" in t, "a script: the guard's own settings are not passed on", t)
    tap.ok("PATH_INFO=unset\n" in t and "PATH_TRANSLATED=unset\n" in t and
           "SCRIPT_NAME=/private/hello.cgi\n" in t,
           "a script after an Action: SCRIPT_NAME is the page, no PATH_INFO", t)
    r = guard("/hello.cgi", "ghauth_session=" + OTHER, action=False)
    t = r.text()
    tap.ok(r.status == 200 and "LOGIN=alice\n" in t and "NAME=Alice O'Brien\n" in t and
           "EMAIL=\n" in t and "COOKIE=unset\n" in t,
           "a script under lighttpd: another user; no email is empty; no cookie left", t)
    body = b"a=1&b=" + b"x" * 100000
    r = guard("/hello.cgi", me, method="POST", stdin=body,
              extra={"CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "text/plain"})
    tap.ok(r.status == 200 and ("BODY=" + body.decode() + "\n") in r.text(),
           "a script gets the whole request body", r.status)
    with open(os.path.join(area, "bad.cgi"), "w") as f:
        f.write("#!/nonexistent/interpreter\n")
    os.chmod(os.path.join(area, "bad.cgi"), 0o755)
    r = guard("/bad.cgi", me)
    tap.ok(r.status == 500 and "cannot run" in r.stderr, "a script that cannot run: 500", r)
    with open(os.path.join(area, "tool.pl"), "w") as f:
        f.write("#!/bin/sh\nprintf 'Status: 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\nPL %s\\n' "
                "\"$REMOTE_USER\"\n")
    os.chmod(os.path.join(area, "tool.pl"), 0o755)
    r = guard("/tool.pl", me, extra={"GHAUTH_GUARD_SCRIPTS": ".pl, .py"})
    tap.ok(r.status == 200 and r.body == b"PL octocat\n", "GHAUTH_GUARD_SCRIPTS=.pl: runs tool.pl", r)
    r = guard("/hello.cgi", me, extra={"GHAUTH_GUARD_SCRIPTS": ".pl"})
    tap.ok(r.status == 404 and not protect.leaks(site, [r.raw]),
           "... and then an executable .cgi is refused, not sent", r)
    r = guard("/hello.cgi", me, extra={"GHAUTH_GUARD_SCRIPTS": ""})
    tap.ok(r.status == 404 and not protect.leaks(site, [r.raw]),
           "GHAUTH_GUARD_SCRIPTS empty: nothing runs, nothing executable is sent", r)
    r = guard("/tool.pl", me)
    tap.is_(r.status, 404, "by default (.cgi) an executable .pl is refused")
    ran0 = site.ran()
    r = guard("/hello.cgi", None, accept="text/html")
    tap.ok(r.status == 303 and site.ran() == ran0, "signed out: the script does not run", r)

    # ---- signed out, store trouble, bodies ---------------------------------
    r = guard("/notes.txt", "ghauth_session=" + EXPIRED)
    tap.ok(r.status == 401 and "expired" in r.stderr, "an expired session: 401, logged", r)
    r = guard("/notes.txt", None, accept="text/html", extra={"REQUEST_URI": "/private/notes.txt?a='b'"})
    tap.is_(r.header("Location"), site.origin + "/auth/github?redirect=%2Fprivate%2Fnotes.txt",
            "a query /auth/github would refuse is left out of ?redirect=")
    lockf = open(site.store + ".lock", "r+")
    fcntl.flock(lockf, fcntl.LOCK_EX)
    site.write_config(lock_timeout_ms=200)
    r = guard("/notes.txt", me)
    tap.ok(r.status == 503 and r.header("Retry-After") and not protect.leaks(site, [r.raw]),
           "a busy store: 503 with Retry-After, nothing served", r)
    fcntl.flock(lockf, fcntl.LOCK_UN)
    lockf.close()
    site.write_config()
    os.chmod(site.store, 0o644)
    r = guard("/notes.txt", me, accept="text/html")
    tap.ok(r.status == 503 and not protect.leaks(site, [r.raw]),
           "a store others can read: refused (503), nothing served", r)
    os.chmod(site.store, 0o600)
    big = b"y" * (3 * 1024 * 1024)
    t0 = time.time()
    r = guard("/notes.txt", None, method="POST", stdin=big,
              extra={"CONTENT_LENGTH": str(len(big))})
    tap.ok(r.status == 401 and time.time() - t0 < 10,
           "signed out with a 3 MiB body: 401 (the body is drained up to 1 MiB, not waited on)", r)
    r = guard("/notes.txt", None, method="POST", stdin=b"short",
              extra={"CONTENT_LENGTH": "1000"}, timeout=20)
    tap.is_(r.status, 401, "a body shorter than CONTENT_LENGTH: 401 anyway")

    # Nothing secret anywhere.
    secret = ("CANARY-secret-" + site.nonce).encode()
    tap.is_(len([o for o in outputs if secret in o]), 0,
            "the client secret appears in no response and no log line")


if __name__ == "__main__":
    sys.exit(main())
