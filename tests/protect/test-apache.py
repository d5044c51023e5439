#!/usr/bin/env python3
"""docs/PROTECT.md on Apache, end to end, with the very files the docs show.

1. Shared hosting (.htaccess only): the server is docs/servers/
   apache-htaccess.conf (plus mod_actions), the site's root .htaccess is
   docs/servers/htaccess (the four programs as auth-cgi/*.cgi), the guard
   is ghauth-guard/guard.cgi with docs/servers/protect-apache-guard.htaccess,
   and private/ is protected by docs/servers/protect-apache.htaccess: a
   static file and a shell CGI behind the guard, signed in and signed out,
   traversal attempts refused.  In the same site, app/ holds the three
   examples of docs/PROTECT.md - the C API (docs/examples/whoami.c), and
   ghauth-check from shell and Perl - as ordinary CGIs.
2. A server configuration of one's own: docs/servers/apache-scriptalias.conf
   with docs/servers/protect-apache.conf included.

Sessions are made with tests/tools/seed; the cookie is ghauth_session
(redirect_uri is http://localhost:PORT).  Prints TAP; skipped without
apache2.
"""

import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import protect  # noqa: E402
from protect import API, BROWSER, TOKEN, cookie, leaks  # noqa: E402
from ghtest import Tap  # noqa: E402

PROGRAMS = ("github", "callback", "session", "logout")


def apache_bin():
    return protect.which("apache2") or protect.which("httpd")


def with_actions(conf):
    """The host must offer mod_actions (cPanel and Debian do); the shared
    hosting template of docs/servers/ does not load it, so add it."""
    with open(conf) as f:
        text = f.read()
    if "mod_actions.so" not in text:
        with open(conf, "a") as f:
            f.write("\n# docs/PROTECT.md: the guard needs mod_actions.\n"
                    "LoadModule actions_module %s/mod_actions.so\n" % protect.APACHE_MODULES)


def start(site, conf, tap, name):
    apache = apache_bin()
    r = subprocess.run([apache, "-t", "-f", conf], env=protect.SERVER_ENV,
                       capture_output=True, text=True)
    tap.is_(r.returncode, 0, "%s: apache2 -t accepts the configuration" % name)
    if r.returncode:
        tap.diag(r.stdout + r.stderr)
        return False
    return site.start([apache, "-f", conf, "-DFOREGROUND"], "apache2.out",
                      ready=site.listening)


def copy_exec(src, dst):
    shutil.copy(src, dst)
    os.chmod(dst, 0o755)


def setup_htaccess(site, tap):
    docroot = site.docroot
    site.write_config()
    site.seed_all()
    with open(os.path.join(docroot, "index.html"), "w") as f:
        f.write("<!doctype html><title>public</title>\n")
    # The four programs, as docs/servers/htaccess expects them.
    authcgi = os.path.join(docroot, "auth-cgi")
    os.makedirs(authcgi)
    for p in PROGRAMS:
        copy_exec(os.path.join(protect.BUILD, "cgi-bin", p), os.path.join(authcgi, p + ".cgi"))
    protect.render("htaccess", os.path.join(docroot, ".htaccess"), CONFIG=site.config)
    # The guard, in its own directory.
    gdir = os.path.join(docroot, "ghauth-guard")
    os.makedirs(gdir)
    copy_exec(protect.GUARD, os.path.join(gdir, "guard.cgi"))
    protect.render("protect-apache-guard.htaccess", os.path.join(gdir, ".htaccess"))
    # The protected directory.
    area = os.path.join(docroot, "private")
    site.make_area(area)
    protect.render("protect-apache.htaccess", os.path.join(area, ".htaccess"),
                   GUARDURL="/ghauth-guard/guard.cgi", AREA=area)
    # The examples, as plain CGIs.
    app = os.path.join(docroot, "app")
    os.makedirs(app)
    with open(os.path.join(app, ".htaccess"), "w") as f:
        f.write("Options +ExecCGI\nAddHandler cgi-script .cgi\n")
    copy_exec(protect.WHOAMI, os.path.join(app, "whoami-c.cgi"))
    copy_exec(os.path.join(protect.EXAMPLES, "whoami.sh"), os.path.join(app, "whoami-sh.cgi"))
    copy_exec(os.path.join(protect.EXAMPLES, "whoami.pl"), os.path.join(app, "whoami-pl.cgi"))
    for d, _, fs in os.walk(docroot):
        os.chmod(d, 0o755)
        for f in fs:
            p = os.path.join(d, f)
            if not os.path.islink(p) and f.endswith(".htaccess") or f == ".htaccess":
                os.chmod(p, 0o644)
    conf = protect.render("apache-htaccess.conf", os.path.join(site.dir, "apache2.conf"),
                          PORT=site.port, RUNDIR=site.run, DOCROOT=docroot, USER=site.user,
                          GROUP=protect.group_of(site.user),
                          APACHE_MODULES=protect.APACHE_MODULES)
    with_actions(conf)
    return start(site, conf, tap, "apache-htaccess")


def shared_hosting(tap):
    site = protect.Site("apache-htaccess")
    n = "apache .htaccess"
    try:
        if not tap.ok(setup_htaccess(site, tap), "%s: Apache started" % n):
            site.diag_logs(tap)
            return
        out = protect.exercise(tap, site, n, "/private")
        out += protect.examples(tap, site, n, "/app")
        tap.is_(leaks(site, out), [], "%s: signed out, no protected byte anywhere" % n)
        # The guard only as the Action of a protected directory.
        r = site.get("GET", "/ghauth-guard/guard.cgi/private/notes.txt", dict(API, **cookie(TOKEN)))
        tap.ok(r.status == 403 and not leaks(site, [r]),
               "%s: the guard's own URL, requested directly: 403" % n, r)
        r = site.get("GET", "/ghauth-guard/guard.cgi", BROWSER)
        tap.ok(r.status == 403 and b"\x7fELF" not in r.body,
               "%s: the guard program is not downloadable" % n, r)
        r = site.get("GET", "/private/.htaccess", dict(BROWSER, **cookie(TOKEN)))
        tap.ok(r.status in (403, 404) and b"Action" not in r.body,
               "%s: the protected directory's .htaccess is not served" % n, r)
        r = site.get("GET", "/index.html")
        tap.is_(r.status, 200, "%s: the rest of the site stays public" % n)
    finally:
        if tap.failed:
            site.diag_logs(tap)
        site.cleanup()


def own_config(tap):
    site = protect.Site("apache-conf")
    n = "apache httpd.conf"
    try:
        site.write_config()
        site.seed_all()
        cgibin = os.path.join(site.dir, "cgi-bin")
        os.makedirs(cgibin)
        os.chmod(cgibin, 0o755)
        for p in PROGRAMS + ("guard",):
            copy_exec(os.path.join(protect.BUILD, "cgi-bin", p), os.path.join(cgibin, p))
        with open(os.path.join(site.docroot, "index.html"), "w") as f:
            f.write("public\n")
        area = os.path.join(site.docroot, "private")
        site.make_area(area)
        snippet = protect.render("protect-apache.conf", os.path.join(site.dir, "protect.conf"),
                                 CGIBINDIR=cgibin, CONFIG=site.config, AREA=area,
                                 AREAURL="/private")
        conf = protect.render("apache-scriptalias.conf", os.path.join(site.dir, "apache2.conf"),
                              PORT=site.port, RUNDIR=site.run, DOCROOT=site.docroot,
                              CGIBINDIR=cgibin, CONFIG=site.config, USER=site.user,
                              GROUP=protect.group_of(site.user),
                              APACHE_MODULES=protect.APACHE_MODULES)
        with_actions(conf)
        with open(conf, "a") as f:
            f.write("\nInclude %s\n" % snippet)
        if not tap.ok(start(site, conf, tap, "apache-conf"), "%s: Apache started" % n):
            site.diag_logs(tap)
            return
        protect.exercise(tap, site, n, "/private")
    finally:
        if tap.failed:
            site.diag_logs(tap)
        site.cleanup()


def main():
    tap = Tap()
    if not apache_bin() or not os.path.isfile(os.path.join(protect.APACHE_MODULES, "mod_actions.so")):
        print("1..0 # SKIP apache2 with mod_actions not installed")
        return 0
    for f in (protect.GUARD, protect.SEED, protect.WHOAMI, protect.CHECK):
        if not os.access(f, os.X_OK):
            print("Bail out! %s not built (make check builds it)" % f)
            return 1
    shared_hosting(tap)
    own_config(tap)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
