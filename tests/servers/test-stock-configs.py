#!/usr/bin/env python3
"""The recipes of docs/servers/ added to Debian's STOCK configurations, each
way the docs or Debian's layout invite, with the real servers.

The stock files come from the packages themselves, not from /etc (which may
have been changed): the installed version's .deb from apt's cache, or
"apt-get download", unpacked with dpkg-deb.  What Debian's maintainer
scripts do on a fresh install is redone from the same package (Apache's
default modules, confs and site, read from its postinst; nginx's default
site; lighttpd's "unconfigured" conf).  The files are then rewritten only
for ports, paths and users, and the ghauth part of a recipe (the lines
between its "ghauth: paste from here" and "ghauth: to here" markers) and
the matching protect recipe are added:

- lighttpd: appended to the end of lighttpd.conf (after Debian's
  server.modules += ( ..., "mod_staticfile" )), and as
  conf-enabled/50-ghauth.conf (with Debian's dir-listing and cgi confs
  enabled too); the
  FastCGI recipe appended too;
- Apache: appended to apache2.conf, as conf-available/ghauth.conf enabled
  with a2enconf, and inside 000-default.conf's <VirtualHost>, each with the
  modules the docs name enabled; then without a2enmod cgid, headers or
  actions: Apache must refuse to start, saying why; and the shared-hosting
  .htaccess on a host without a CGI module (docs/servers/apache-htaccess.conf
  minus mod_cgid): 403, never the programs' bytes;
- nginx: as snippets/ghauth.conf included in the default site's server { }
  (fcgiwrap with -f, as Debian's unit runs it); then appended to nginx.conf,
  dropped into conf.d/ and into sites-enabled/: nginx must refuse to start.

Where the server starts, each case checks: a sign-in against the mock
GitHub works; no program URL (nor the guard's) ever returns the program's
bytes; an anonymous visitor never gets a protected file (nor a listing of
its directory), a signed-in one does; the sign-in's log line is in the log
the docs name, with a time.  Prints TAP; a server not installed, or whose
package cannot be had, is skipped."""

import glob
import importlib.util
import os
import pwd
import re
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import ghtest  # noqa: E402
from ghtest import HttpBrowser, Mock, Tap, write_config  # noqa: E402

_spec = importlib.util.spec_from_file_location("servers", os.path.join(HERE, "test-servers.py"))
servers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(servers)
which, render, group_of, SERVER_ENV = servers.which, servers.render, servers.group_of, servers.SERVER_ENV

SECRET = b"PROTECTED-FILE-CONTENT-7f3a\n"
SIGNED_IN = "ghauth[callback]: callback: signed in octocat"
# Our own time (lib/base/log.c), or the server's: lighttpd's "2026-12-02 18:00:00:",
# Apache's "[Wed Dec 02 18:00:00.123456 2026]", nginx's "2026/12/02 18:00:00".
STAMP = (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ |\[\w{3} \w{3} \d\d \d\d:\d\d:\d\d[.\d]* \d{4}\]|"
         r"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d ")


# ---- the stock files, from the packages ------------------------------------

def unpack(pkg, dest, tap):
    """Unpacks the installed version of pkg (files and maintainer scripts)
    into dest; returns dest, or None (with the reason) if it cannot."""
    r = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg], capture_output=True, text=True)
    if r.returncode or not r.stdout.strip():
        return None, "package %s not installed" % pkg
    ver = r.stdout.strip()
    debs = glob.glob("/var/cache/apt/archives/%s_%s_*.deb" % (pkg, ver.replace(":", "%3a")))
    if not debs:
        dl = os.path.join(os.path.dirname(dest), "debs")
        os.makedirs(dl, exist_ok=True)
        subprocess.run(["apt-get", "download", "%s=%s" % (pkg, ver)], cwd=dl,
                       capture_output=True, timeout=300)
        debs = glob.glob(os.path.join(dl, "%s_*.deb" % pkg))
    if not debs:
        return None, "no .deb of %s %s in apt's cache, and apt-get download failed" % (pkg, ver)
    subprocess.run(["dpkg-deb", "-x", debs[0], dest], check=True)
    subprocess.run(["dpkg-deb", "-e", debs[0], os.path.join(dest, "DEBIAN")], check=True)
    return dest, None


def ghauth_part(text):
    """The lines between the markers, as the docs say to copy them."""
    out, inside = [], False
    for line in text.splitlines():
        if "ghauth: paste from here" in line:
            inside = True
        if inside:
            out.append(line.strip("\t") if line.startswith("\t\t") else line)
        if "ghauth: to here" in line:
            break
    return "\n".join(out) + "\n"


def sub(path, pairs):
    with open(path) as f:
        s = f.read()
    for a, b in pairs:
        if isinstance(a, re.Pattern):
            s, n = a.subn(b, s)
        else:
            n = s.count(a)
            s = s.replace(a, b)
        if not n:
            raise RuntimeError("%s: %r not found" % (path, a))
    with open(path, "w") as f:
        f.write(s)


def append(path, text):
    with open(path, "a") as f:
        f.write("\n" + text)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


# ---- one case ----------------------------------------------------------------

class Case(servers.Site):
    """A site with the four programs, the guard and auth-request, a config,
    and a protected directory @DOCROOT@/private."""

    def __init__(self, work, name, web_user, mock, programs):
        super().__init__(work, re.sub(r"[^A-Za-z0-9.-]+", "-", name).strip("-"), web_user)
        self.name = name
        self.install(mock, programs)
        for p in ("guard", "auth-request"):
            shutil.copy(programs[p], os.path.join(self.cgibindir, p))
            os.chmod(os.path.join(self.cgibindir, p), 0o755)
        self.area = os.path.join(self.docroot, "private")
        os.makedirs(os.path.join(self.area, "sub"))
        for f in ("secret.txt", "sub/other.txt"):
            with open(os.path.join(self.area, f), "wb") as fh:
                fh.write(SECRET)
        for d, _, files in os.walk(self.docroot):
            os.chmod(d, 0o755)
            for f in files:
                os.chmod(os.path.join(d, f), 0o644)
        self.etc = os.path.join(self.dir, "etc")
        self.values = dict(CGIBINDIR=self.cgibindir, CONFIG=self.config, RUNDIR=self.run,
                           AREA=self.area, AREAURL="/private", PORT=self.port,
                           DOCROOT=self.docroot, USER=self.cgi_user,
                           GROUP=group_of(self.cgi_user),
                           FCGISOCK=os.path.join(self.run, "fcgiwrap.sock"),
                           APACHE_MODULES=servers.APACHE_MODULES)

    def part(self, template):
        out = render(template, os.path.join(self.dir, template + ".rendered"), **self.values)
        with open(out) as f:
            return f.read()

    def started(self, argv, log, env=None, as_user=None):
        """Starts argv; True once it listens, False once it has exited."""
        return self.start(argv, log, as_user=as_user, ready=self.listening, env=env)


def check_refusal(tap, case, argv_test, want, env=None):
    """The configuration test fails, saying `want`."""
    r = subprocess.run(argv_test, env=env or SERVER_ENV, capture_output=True, text=True)
    tap.ok(r.returncode != 0 and want in r.stdout + r.stderr,
           "%s: refuses to start, saying %r" % (case.name, want),
           "rc %d\n%s" % (r.returncode, r.stdout + r.stderr))


def check_site(tap, case, mock, programs, logfile, guard_url=None):
    n = case.name
    anon = HttpBrowser(case.base, origin=case.origin)
    # Never a program's bytes, whatever the URL and method.
    blobs = dict((p, open(programs[p], "rb").read()[:4096]) for p in programs)
    urls = ["/auth/github", "/auth/github/callback", "/auth/session", "/auth/logout",
            "/auth/session.old"] + ([guard_url] if guard_url else [])
    bad = []
    for url in urls:
        for method in ("GET", "HEAD"):
            r = anon.http(method, url)
            body = r.body or b""
            if b"\x7fELF" in body or any(b[:64] in body for b in blobs.values()) or \
               (r.header("Content-Type") or "").startswith("application/octet-stream"):
                bad.append("%s %s: %d %s" % (method, url, r.status, r.header("Content-Type")))
    tap.ok(not bad, "%s: no program URL sends a program's bytes" % n, "\n".join(bad))
    r = anon.http("GET", "/auth/github")
    tap.ok(r.status == 303, "%s: GET /auth/github runs the program (303 to GitHub)" % n, r)

    # Anonymous: no protected file, no listing of their names.
    got = []
    for url in ("/private/secret.txt", "/private/sub/other.txt", "/private/sub/", "/private/",
                "/private/secret.txt?x=1", "/private//secret.txt"):
        r = anon.http("GET", url)
        if r.status == 200 or SECRET.strip() in (r.body or b"") or b"other.txt" in (r.body or b""):
            got.append("%s: %d" % (url, r.status))
    tap.ok(not got, "%s: an anonymous visitor gets no protected file nor a listing" % n,
           "\n".join(got))

    # Sign in; then the files are there.
    mock.reset()
    b = HttpBrowser(case.base, origin=case.origin)
    out = b.sign_in(mock, "octocat")
    r = out.get("session")
    tap.ok(r is not None and r.status == 200 and (r.json() or {}).get("userName") == "octocat",
           "%s: sign-in against the mock GitHub: session 200" % n,
           r if r is not None else out)
    r = b.http("GET", "/private/secret.txt")
    tap.ok(r.status == 200 and r.body == SECRET,
           "%s: signed in, the protected file is served" % n, r)

    # The sign-in's line, where the docs say it is, with a time.
    line = None
    deadline = time.time() + 5
    while line is None and time.time() < deadline:
        for ln in servers.tail(logfile, 400).splitlines():
            if SIGNED_IN in ln:
                line = ln
        if line is None:
            time.sleep(0.1)
    if line:
        tap.diag("%s: %s" % (n, line))
    tap.ok(line is not None and re.match(r"^(%s)" % STAMP, line),
           "%s: the sign-in's line is in %s, with a time" % (n, os.path.relpath(logfile, case.dir)),
           line or servers.tail(logfile))


# ---- lighttpd ----------------------------------------------------------------

def lighttpd_cases(tap, work, mock, programs, web_user):
    if not which("lighttpd"):
        return tap.skip("lighttpd: stock configuration", "lighttpd not installed")
    root, why = unpack("lighttpd", os.path.join(work, "pkg-lighttpd"), tap)
    if not root:
        return tap.skip("lighttpd: stock configuration", why)
    for recipe, place in (("lighttpd.conf", "appended to lighttpd.conf"),
                          ("lighttpd.conf", "conf-enabled/50-ghauth.conf"),
                          ("lighttpd-fastcgi.conf", "appended to lighttpd.conf")):
        kind = "lighttpd" if recipe == "lighttpd.conf" else "lighttpd FastCGI"
        case = Case(work, kind + ", " + place, web_user, mock, programs)
        case.values["FCGI_MAX"] = 0
        try:
            shutil.copytree(os.path.join(root, "etc", "lighttpd"), case.etc, symlinks=True)
            conf = os.path.join(case.etc, "lighttpd.conf")
            share = os.path.join(root, "usr", "share", "lighttpd")
            pairs = [("/etc/lighttpd", case.etc), ("/usr/share/lighttpd", share),
                     ("/var/www/html", case.docroot), ("/var/cache/lighttpd/uploads", case.run),
                     ("/var/log/lighttpd", case.run), ("/run/lighttpd.pid", case.run + "/lighttpd.pid"),
                     (re.compile(r"(?m)^server\.port\s*=\s*80$"), "server.port = %d" % case.port)]
            if os.geteuid() != 0:
                pairs += [(re.compile(r'(?m)^server\.(user|group)name.*$'), "")]
            sub(conf, pairs)
            # What Debian's postinst does on a fresh install.
            os.symlink("../conf-available/99-unconfigured.conf",
                       os.path.join(case.etc, "conf-enabled", "99-unconfigured.conf"))
            text = ghauth_part(case.part(recipe)) + case.part("protect-lighttpd.conf")
            if place.startswith("appended"):
                append(conf, text)
            else:
                write(os.path.join(case.etc, "conf-available", "50-ghauth.conf"), text)
                os.symlink("../conf-available/50-ghauth.conf",
                           os.path.join(case.etc, "conf-enabled", "50-ghauth.conf"))
                # A server that already lists directories and runs Debian's
                # own /cgi-bin/ (mod_cgi loaded twice).
                for other in ("10-dir-listing.conf", "10-cgi.conf"):
                    os.symlink("../conf-available/" + other,
                               os.path.join(case.etc, "conf-enabled", other))
            uid, gid = case.ids()
            if os.geteuid() == 0:
                os.chown(case.run, uid, gid)
            r = subprocess.run([which("lighttpd"), "-tt", "-f", conf], env=SERVER_ENV,
                               capture_output=True, text=True)
            tap.is_(r.returncode, 0, "%s: lighttpd -tt accepts it" % case.name)
            if tap.ok(case.started([which("lighttpd"), "-D", "-f", conf], "lighttpd.out"),
                      "%s: lighttpd starts" % case.name):
                check_site(tap, case, mock, programs, os.path.join(
                    case.run, "breakage.log" if recipe == "lighttpd.conf" else "lighttpd-breakage.log"))
        except Exception:
            import traceback
            tap.ok(False, "%s: no exception" % case.name, traceback.format_exc())
        finally:
            case.stop()
        if tap.failed:
            case.diag_logs(tap)


# ---- Apache ------------------------------------------------------------------

def apache_env(case):
    # What apache2ctl does before it starts Apache: envvars, and the
    # directory of mod_cgid's socket (cgid.conf: ${APACHE_RUN_DIR}/socks).
    os.makedirs(os.path.join(case.run, "socks"), exist_ok=True)
    env = dict(SERVER_ENV)
    env.update(APACHE_RUN_USER=case.cgi_user, APACHE_RUN_GROUP=group_of(case.cgi_user),
               APACHE_PID_FILE=os.path.join(case.run, "apache2.pid"), APACHE_RUN_DIR=case.run,
               APACHE_LOCK_DIR=case.run, APACHE_LOG_DIR=case.run)
    return env


def postinst_list(postinst, func, var):
    """The words of `for var in ...; do` inside func() of a postinst."""
    with open(postinst) as f:
        s = f.read()
    body = s[s.index(func + "()"):]
    m = re.search(r"for %s in (.*?); do" % var, body, re.S)
    return m.group(1).replace("\\", " ").split()


def enable(etc, kind, name):
    """a2enmod / a2enconf / a2ensite, as symlinks (what they do)."""
    avail = os.path.join(etc, kind + "-available")
    for f in os.listdir(avail):
        if os.path.splitext(f)[0] == name:
            dst = os.path.join(etc, kind + "-enabled", f)
            if not os.path.lexists(dst):
                os.symlink("../%s-available/%s" % (kind, f), dst)


def apache_cases(tap, work, mock, programs, web_user):
    apache = which("apache2")
    if not apache:
        return tap.skip("Apache: stock configuration", "apache2 not installed")
    root, why = unpack("apache2", os.path.join(work, "pkg-apache2"), tap)
    if not root:
        return tap.skip("Apache: stock configuration", why)
    post = os.path.join(root, "DEBIAN", "postinst")
    mods = ["mpm_event"] + postinst_list(post, "enable_default_modules", "module")
    confs = postinst_list(post, "enable_default_conf", "conf")
    # A dependency a2enmod resolves itself.
    mods += ["authn_core", "authz_core"]
    cases = [
        ("appended to apache2.conf", ["cgid", "headers", "actions"], None),
        ("mod_fcgid recipe without a2enmod fcgid", ["headers"], "a2enmod fcgid"),
        ("conf-available/ghauth.conf, a2enconf", ["cgid", "headers", "actions"], None),
        ("in 000-default.conf's <VirtualHost>", ["cgid", "headers", "actions"], None),
        ("a2enconf without a2enmod cgid", ["headers", "actions"], "a2enmod cgid"),
        ("a2enconf without a2enmod headers", ["cgid", "actions"], "a2enmod headers"),
        ("a2enconf without a2enmod actions", ["cgid", "headers"], "a2enmod actions"),
    ]
    for place, extra, refusal in cases:
        case = Case(work, "Apache, " + place, web_user, mock, programs)
        try:
            shutil.copytree(os.path.join(root, "etc", "apache2"), case.etc, symlinks=True)
            for m in mods + extra:
                enable(case.etc, "mods", m)
            for c in confs:
                enable(case.etc, "conf", c)
            enable(case.etc, "sites", "000-default")
            sub(os.path.join(case.etc, "ports.conf"),
                [(re.compile(r"(?m)^Listen 80$"), "Listen 127.0.0.1:%d" % case.port)])
            site = os.path.join(case.etc, "sites-available", "000-default.conf")
            sub(site, [("<VirtualHost *:80>", "<VirtualHost *:%d>" % case.port),
                       ("/var/www/html", case.docroot)])
            conf = os.path.join(case.etc, "apache2.conf")
            sub(conf, [("<Directory /var/www/>", "<Directory %s/>" % case.docroot)])
            if "fcgid" in place:
                case.values["FCGI_MAX"] = 0
                text = ghauth_part(case.part("apache-fcgid.conf"))
            else:
                text = ghauth_part(case.part("apache-scriptalias.conf")) + case.part("protect-apache.conf")
            if place.startswith("appended"):
                append(conf, text)
            elif place.startswith("in 000"):
                sub(site, [("</VirtualHost>", text + "</VirtualHost>")])
            else:
                write(os.path.join(case.etc, "conf-available", "ghauth.conf"), text)
                enable(case.etc, "conf", "ghauth")
            env = apache_env(case)
            argv = [apache, "-d", case.etc, "-f", conf]
            if refusal:
                check_refusal(tap, case, argv + ["-t"], refusal, env)
                tap.ok(not case.started(argv + ["-DFOREGROUND"], "apache2.out", env=env),
                       "%s: Apache does not start" % case.name)
                continue
            r = subprocess.run(argv + ["-t"], env=env, capture_output=True, text=True)
            tap.is_(r.returncode, 0, "%s: apache2 -t accepts it" % case.name)
            if r.returncode:
                tap.diag(r.stderr)
            if tap.ok(case.started(argv + ["-DFOREGROUND"], "apache2.out", env=env),
                      "%s: Apache starts" % case.name):
                check_site(tap, case, mock, programs, os.path.join(case.run, "error.log"),
                           guard_url="/ghauth-guard")
        except Exception:
            import traceback
            tap.ok(False, "%s: no exception" % case.name, traceback.format_exc())
        finally:
            case.stop()


def htaccess_without_cgi(tap, work, mock, programs, web_user):
    """docs/servers/htaccess on a host whose Apache has no CGI module (the
    host side of docs/servers/apache-htaccess.conf without mod_cgid): the
    programs must not be sent as files."""
    apache = which("apache2")
    if not apache or not os.path.isdir(servers.APACHE_MODULES):
        return tap.skip("Apache .htaccess without a CGI module", "apache2 not installed")
    case = Case(work, "Apache .htaccess, host without a CGI module", web_user, mock, programs)
    try:
        cgidir = os.path.join(case.docroot, "auth-cgi")
        os.makedirs(cgidir)
        for p in servers.PROGRAMS:
            shutil.copy(programs[p], os.path.join(cgidir, p + ".cgi"))
            os.chmod(os.path.join(cgidir, p + ".cgi"), 0o755)
        render("htaccess", os.path.join(case.docroot, ".htaccess"), CONFIG=case.config)
        os.chmod(os.path.join(case.docroot, ".htaccess"), 0o644)
        conf = render("apache-htaccess.conf", os.path.join(case.dir, "apache2.conf"),
                      PORT=case.port, RUNDIR=case.run, DOCROOT=case.docroot,
                      USER=case.cgi_user, GROUP=group_of(case.cgi_user),
                      APACHE_MODULES=servers.APACHE_MODULES)
        sub(conf, [(re.compile(r"(?m)^(LoadModule cgid_module|ScriptSock) .*$"), ""),
                   ("LoadModule dir_module", "LoadModule actions_module %s/mod_actions.so\n"
                    "LoadModule dir_module" % servers.APACHE_MODULES)])
        # The guard, as docs/PROTECT.md sets it up on shared hosting.
        gdir = os.path.join(case.docroot, "ghauth-guard")
        os.makedirs(gdir)
        shutil.copy(programs["guard"], os.path.join(gdir, "guard.cgi"))
        os.chmod(os.path.join(gdir, "guard.cgi"), 0o755)
        for src, dst in (("protect-apache-guard.htaccess", os.path.join(gdir, ".htaccess")),
                         ("protect-apache.htaccess", os.path.join(case.area, ".htaccess"))):
            render(src, dst, AREA=case.area, GUARDURL="/ghauth-guard/guard.cgi")
            os.chmod(dst, 0o644)
        if tap.ok(case.started([apache, "-f", conf, "-DFOREGROUND"], "apache2.out"),
                  "%s: Apache starts" % case.name):
            b = HttpBrowser(case.base, origin=case.origin)
            got = []
            for url in ("/auth/github", "/auth/github/callback", "/auth/session",
                        "/auth/logout", "/auth-cgi/session.cgi"):
                r = b.http("GET", url)
                got.append((url, r.status, b"\x7fELF" in (r.body or b"")))
            tap.is_(got, [(u, 403, False) for u, _, _ in got],
                    "%s: every program URL is 403, never the program's bytes" % case.name)
            r = b.http("GET", "/")
            tap.is_(r.status, 200, "%s: the site's pages are still served" % case.name)
            # Safe without a rule of its own: the Action's target carries the
            # file as PATH_INFO, which Apache's default handler refuses (404),
            # and a direct request for guard.cgi is refused by its .htaccess.
            got = []
            for url in ("/private/secret.txt", "/private/", "/ghauth-guard/guard.cgi"):
                r = b.http("GET", url)
                body = r.body or b""
                if r.status == 200 or b"\x7fELF" in body or SECRET.strip() in body:
                    got.append("%s: %d" % (url, r.status))
            tap.ok(not got, "%s: the guard's directory and the protected one send "
                   "neither the guard's bytes nor a file" % case.name, "\n".join(got))
    except Exception:
        import traceback
        tap.ok(False, "%s: no exception" % case.name, traceback.format_exc())
    finally:
        case.stop()


# ---- nginx -------------------------------------------------------------------

def nginx_cases(tap, work, mock, programs, web_user):
    nginx, fcgiwrap = which("nginx"), which("fcgiwrap")
    if not nginx or not fcgiwrap:
        return tap.skip("nginx: stock configuration", "nginx or fcgiwrap not installed")
    root, why = unpack("nginx-common", os.path.join(work, "pkg-nginx"), tap)
    if not root:
        return tap.skip("nginx: stock configuration", why)
    for place in ("snippets/ghauth.conf, included in the default site",
                  "appended to nginx.conf", "a file in conf.d/", "a file in sites-enabled/"):
        case = Case(work, "nginx, " + place, web_user, mock, programs)
        try:
            shutil.copytree(os.path.join(root, "etc", "nginx"), case.etc, symlinks=True)
            conf = os.path.join(case.etc, "nginx.conf")
            pairs = [("/etc/nginx", case.etc), ("/run/nginx.pid", case.run + "/nginx.pid"),
                     ("/var/log/nginx", case.run)]
            if os.geteuid() != 0:
                pairs.append((re.compile(r"(?m)^user www-data;$"), ""))
            sub(conf, pairs)
            site = os.path.join(case.etc, "sites-available", "default")
            sub(site, [("listen 80 default_server;", "listen 127.0.0.1:%d default_server;" % case.port),
                       (re.compile(r"(?m)^\s*listen \[::\]:80 default_server;$"), ""),
                       ("/var/www/html", case.docroot)])
            # What nginx-common's postinst does on a fresh install.
            os.symlink(site, os.path.join(case.etc, "sites-enabled", "default"))
            text = ghauth_part(case.part("nginx.conf")) + case.part("nginx-auth-request.conf")
            if place.startswith("snippets"):
                write(os.path.join(case.etc, "snippets", "ghauth.conf"), text)
                sub(site, [("\tserver_name _;\n", "\tserver_name _;\n\tinclude snippets/ghauth.conf;\n")])
            elif place.startswith("appended"):
                append(conf, text)
            elif "conf.d" in place:
                write(os.path.join(case.etc, "conf.d", "ghauth.conf"), text)
            else:
                write(os.path.join(case.etc, "sites-enabled", "ghauth"), text)
            argv = [nginx, "-e", os.path.join(case.run, "error.log"), "-c", conf]
            if not place.startswith("snippets"):
                check_refusal(tap, case, argv + ["-t"], '"location" directive is not allowed here')
                continue
            r = subprocess.run(argv + ["-t"], env=SERVER_ENV, capture_output=True, text=True)
            tap.is_(r.returncode, 0, "%s: nginx -t accepts it" % case.name)
            if r.returncode:
                tap.diag(r.stderr)
            uid, gid = case.ids()
            if os.geteuid() == 0:
                os.chown(case.run, uid, gid)
            sock = case.values["FCGISOCK"]
            # As Debian's fcgiwrap.service runs it: -f, the programs' stderr
            # to nginx's error log.
            ok = case.start([fcgiwrap, "-f", "-s", "unix:" + sock], "fcgiwrap.out",
                            as_user=case.cgi_user, ready=lambda: os.path.exists(sock))
            if tap.ok(ok and case.started(argv + ["-g", "daemon off;"], "nginx.out"),
                      "%s: fcgiwrap -f and nginx start" % case.name):
                check_site(tap, case, mock, programs, os.path.join(case.run, "error.log"))
        except Exception:
            import traceback
            tap.ok(False, "%s: no exception" % case.name, traceback.format_exc())
        finally:
            case.stop()


def main():
    tap = Tap()
    if not shutil.which("dpkg-deb") or not shutil.which("dpkg-query"):
        print("1..0 # SKIP not a Debian system (no dpkg-deb)")
        return 0
    work = ghtest.tmpdir("ghauth-stock-")
    os.chmod(work, 0o711)
    web_user = "www-data" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    names = servers.PROGRAMS + ("guard", "auth-request")
    programs = dict((p, os.path.join(ghtest.BUILDDIR, "cgi-bin", p)) for p in names)
    missing = [p for p, path in programs.items() if not os.access(path, os.X_OK)]
    if missing:
        tap.ok(False, "the programs are built", "missing: %s" % missing)
        return tap.done()
    bindir = os.path.join(work, "bin")
    os.makedirs(bindir)
    for p, path in list(programs.items()):
        programs[p] = shutil.copy(path, os.path.join(bindir, p))
    cadir = ghtest.make_ca(os.path.join(work, "ca"))
    os.chmod(cadir, 0o755)
    os.chmod(os.path.join(cadir, "ca.pem"), 0o644)
    mock = Mock(work, cadir)
    try:
        lighttpd_cases(tap, work, mock, programs, web_user)
        apache_cases(tap, work, mock, programs, web_user)
        htaccess_without_cgi(tap, work, mock, programs, web_user)
        nginx_cases(tap, work, mock, programs, web_user)
    finally:
        mock.stop()
    if not tap.failed:
        ghtest.cleanup(work)
    else:
        tap.diag("kept for inspection: " + work)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
