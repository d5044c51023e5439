#!/usr/bin/env python3
"""The Debian package, end to end, on this machine.

Builds it from debian/ (dpkg-buildpackage, through pkglib), runs lintian
(no error, no warning), installs it with apt, checks what landed where with
which owner and mode, then enables it the way a webmaster does
(`a2enmod cgid headers && a2enconf ghauth`, `lighty-enable-mod ghauth`) on
private copies of Debian's stock /etc/apache2 and /etc/lighttpd, starts each
server from its copy on a free loopback port (nothing already running is
touched, no systemctl), and signs in through each against the mock GitHub.
Reinstalling the package (what an upgrade runs) keeps the edited
configuration and the session; the upkeep timer's commands run as its user;
purging removes every file, the store and the statoverride.

With --installed (debian/tests/smoke, autopkgtest): the package is already
installed; only the servers and the sign-in are checked.

Skipped unless root with dpkg-buildpackage, and under GHAUTH_SKIP_SLOW
(distcheck).  Prints TAP.
"""

import grp
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ghtest  # noqa: E402
from ghtest import HttpBrowser, Mock, Tap, write_config  # noqa: E402
import pkglib  # noqa: E402
import webserver  # noqa: E402

CONFIG = "/etc/ghauth/ghauth.json"
STORE = "/var/lib/ghauth"
CGIBIN = "/usr/lib/cgi-bin/ghauth"
PROGRAMS = ("github", "callback", "session", "logout", "guard", "auth-request")
SNIPPETS = ("/etc/apache2/conf-available/ghauth.conf",
            "/etc/lighttpd/conf-available/50-ghauth.conf",
            "/etc/nginx/snippets/ghauth.conf")
UNITS = ("/lib/systemd/system/ghauth-upkeep.service",
         "/lib/systemd/system/ghauth-upkeep.timer")
SERVER_ENV = webserver.SERVER_ENV
APT_ENV = dict(SERVER_ENV, DEBIAN_FRONTEND="noninteractive")


class Abort(Exception):
    """Stops the test early; the cleanup still runs."""


def run(argv, env=None, **kw):
    return subprocess.run(argv, capture_output=True, text=True,
                          env=env or SERVER_ENV, **kw)


def apt(*args):
    t0 = time.time()
    r = run(["apt-get", "-y", "-q", "-o", "DPkg::Lock::Timeout=600"] + list(args),
            env=APT_ENV)
    print("# apt-get %s: %.0f s" % (args[0], time.time() - t0), flush=True)
    return r


def owner(path):
    st = os.stat(path)
    return (pwd.getpwuid(st.st_uid).pw_name, grp.getgrgid(st.st_gid).gr_name,
            "%04o" % stat.S_IMODE(st.st_mode))


class Server:
    """A web server started from its own configuration directory; its
    process and first log are tests/lib/webserver.py's."""

    def __init__(self, name, argv, env, port, logs):
        self.name = name
        self.port = port
        self.logs = logs
        logdir = os.path.dirname(logs[0])
        self.servers = webserver.Servers(logdir, logdir, env)
        self.servers.start(argv, os.path.basename(logs[0]))

    def wait(self, timeout=20):
        return webserver.wait_port(self.port, self.servers.procs[0], timeout)

    def stop(self):
        self.servers.stop()

    def diag(self, tap):
        for log in self.logs:
            tap.diag("--- %s\n%s" % (log, webserver.tail(log, 20) or "(empty or missing)"))


def apache(work, tap):
    """Debian's /etc/apache2, copied; a2enmod/a2enconf on the copy
    (APACHE_CONFDIR); listening on a free loopback port only."""
    conf = os.path.join(work, "apache2")
    shutil.copytree("/etc/apache2", conf, symlinks=True)
    env = dict(SERVER_ENV, APACHE_CONFDIR=conf)
    r = run(["a2enmod", "-q", "cgid", "headers"], env=env)
    tap.ok(r.returncode == 0, "a2enmod cgid headers (on a copy of /etc/apache2)", r.stderr)
    r = run(["a2enconf", "-q", "ghauth"], env=env)
    tap.ok(r.returncode == 0 and os.path.islink(os.path.join(conf, "conf-enabled", "ghauth.conf")),
           "a2enconf ghauth", r.stdout + r.stderr)
    port = ghtest.free_port()
    with open(os.path.join(conf, "ports.conf"), "w") as f:
        f.write("Listen 127.0.0.1:%d\n" % port)
    rundir = os.path.join(work, "apache-run")
    for d in ("run", "run/socks", "lock", "log"):
        os.makedirs(os.path.join(rundir, d), exist_ok=True)
    env = dict(SERVER_ENV, APACHE_RUN_USER="www-data", APACHE_RUN_GROUP="www-data",
               APACHE_RUN_DIR=rundir + "/run", APACHE_PID_FILE=rundir + "/run/apache2.pid",
               APACHE_LOCK_DIR=rundir + "/lock", APACHE_LOG_DIR=rundir + "/log")
    argv = ["apache2", "-d", conf, "-f", os.path.join(conf, "apache2.conf")]
    r = run(argv + ["-t"], env=env)
    tap.ok(r.returncode == 0, "apache2 -t accepts Debian's config with ghauth enabled", r.stderr)
    return Server("apache", argv + ["-DFOREGROUND"], env, port,
                  [os.path.join(rundir, "apache2.out"), rundir + "/log/error.log"])


def lighttpd(work, tap):
    """Debian's /etc/lighttpd, copied; lighty-enable-mod (which knows only
    /etc/lighttpd) runs in a mount namespace where the copy is
    /etc/lighttpd; the copy listens on a free loopback port only."""
    conf = os.path.join(work, "lighttpd")
    shutil.copytree("/etc/lighttpd", conf, symlinks=True)
    r = run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
             'mount --bind "$1" /etc/lighttpd && lighty-enable-mod ghauth', "sh", conf])
    link = os.path.join(conf, "conf-enabled", "50-ghauth.conf")
    tap.ok(r.returncode == 0 and os.path.islink(link), "lighty-enable-mod ghauth (on a copy of /etc/lighttpd)",
           r.stdout + r.stderr)
    tap.ok(not os.path.lexists("/etc/lighttpd/conf-enabled/50-ghauth.conf"),
           "the system's /etc/lighttpd is untouched")
    port = ghtest.free_port()
    rundir = os.path.join(work, "lighttpd-run")
    os.makedirs(rundir, exist_ok=True)
    # lighttpd opens its error log once it runs as www-data.
    os.chown(rundir, pwd.getpwnam("www-data").pw_uid, grp.getgrnam("www-data").gr_gid)
    main = os.path.join(conf, "lighttpd.conf")
    with open(main) as f:
        text = f.read()
    subs = [(r'(?m)^server\.port\s*=.*$', 'server.port = %d\nserver.bind = "127.0.0.1"' % port),
            (r'(?m)^server\.pid-file\s*=.*$', 'server.pid-file = "%s/lighttpd.pid"' % rundir),
            (r'(?m)^server\.errorlog\s*=.*$', 'server.errorlog = "%s/error.log"' % rundir),
            (r'(?m)^server\.upload-dirs\s*=.*$', 'server.upload-dirs = ( "%s" )' % rundir),
            (r'(?m)^include_shell "/usr/share/lighttpd/use-ipv6.pl.*$', ''),
            (r'/etc/lighttpd/conf-enabled/', conf + '/conf-enabled/'),
            (r'include_shell "/usr/share/lighttpd/include-conf-enabled.pl"',
             'include_shell "/usr/share/lighttpd/include-conf-enabled.pl %s"' % conf)]
    for pat, rep in subs:
        text = re.sub(pat, rep, text)
    with open(main, "w") as f:
        f.write(text)
    r = run(["lighttpd", "-tt", "-f", main])
    tap.ok(r.returncode == 0, "lighttpd -tt accepts Debian's config with ghauth enabled", r.stdout + r.stderr)
    return Server("lighttpd", ["lighttpd", "-D", "-f", main], SERVER_ENV, port,
                  [os.path.join(rundir, "lighttpd.out"), rundir + "/error.log"])


def sign_in(tap, server, mock):
    if not tap.ok(server.wait(), "%s starts from Debian's config plus ghauth" % server.name):
        server.diag(tap)
        return None
    b = HttpBrowser("http://127.0.0.1:%d" % server.port, origin="http://localhost:8080",
                    accept="application/json")
    tap.is_(b.session().status, 401, "%s: /auth/session is 401 before sign-in" % server.name)
    out = b.sign_in(mock, "octocat")
    s = out.get("session")
    got = (s.status, (s.json() or {}).get("userName")) if s else (out, None)
    if not tap.is_(got, (200, "octocat"), "%s: sign-in end to end against the mock GitHub" % server.name):
        server.diag(tap)
    r = b.http("GET", "/auth/session.old")
    tap.ok(r.status in (403, 404), "%s: a name next to a program is not run (%s)" % (server.name, r.status))
    # Debian maps /cgi-bin/ to /usr/lib/cgi-bin (Apache's serve-cgi-bin.conf,
    # enabled in the stock configuration): not a second way in.
    r = b.http("GET", "/cgi-bin/ghauth/session")
    tap.is_(r.status, 403, "%s: /cgi-bin/ghauth/session is refused" % server.name)
    return b


def check_layout(tap):
    for p in PROGRAMS:
        path = os.path.join(CGIBIN, p)
        tap.ok(os.path.isfile(path) and os.access(path, os.X_OK), "program %s" % path)
    for p in ("/usr/sbin/ghauth-admin", "/usr/bin/ghauth-check"):
        tap.ok(os.access(p, os.X_OK), "tool %s" % p)
    tap.is_(owner(CONFIG), ("root", "www-data", "0640"),
            "%s is root:www-data 0640 (the web server reads it, nobody else)" % CONFIG)
    tap.is_(owner(STORE), ("www-data", "www-data", "0700"), "%s is www-data's, 0700" % STORE)
    r = run(["dpkg-query", "-W", "-f", "${Conffiles}\n", "ghauth"])
    for p in (CONFIG,) + SNIPPETS:
        tap.ok(os.path.isfile(p) and (" %s " % p) in r.stdout, "conffile %s" % p)
    for p in UNITS:
        tap.ok(os.path.isfile(p), "systemd unit %s" % p)
    for m in ("man5/ghauth.json.5.gz", "man8/ghauth-admin.8.gz", "man8/ghauth-session.8.gz",
              "man1/ghauth-check.1.gz"):
        tap.ok(os.path.isfile("/usr/share/man/" + m), "man page %s" % m)
    with open(SNIPPETS[0]) as f:
        text = f.read()
    tap.ok('ScriptAlias /auth/session         "%s/session"' % CGIBIN in text and
           'SetEnv GHAUTH_CONFIG "%s"' % CONFIG in text and "@" not in text.replace("@ghauth", ""),
           "the Apache snippet is the docs/servers recipe with the package's paths")


def upkeep(tap):
    """Runs the ExecStart lines of the installed upkeep service as its User."""
    with open(UNITS[0]) as f:
        unit = f.read()
    user = re.search(r"(?m)^User=(\S+)", unit).group(1)
    cmds = re.findall(r"(?m)^ExecStart=(.+)$", unit)
    tap.ok(user == "www-data" and len(cmds) == 2, "upkeep service: two commands as www-data")
    for c in cmds:
        r = run(["runuser", "-u", user, "--"] + c.split())
        tap.ok(r.returncode == 0, "upkeep: %s" % c, r.stdout + r.stderr)


def edit_config(work, mock):
    """Writes the site's configuration into the conffile, as a webmaster
    would: the mock GitHub, its CA (copied where www-data can read it)."""
    ca = os.path.join(work, "ca.pem")
    shutil.copy(os.path.join(mock.cadir, "ca.pem"), ca)
    os.chmod(ca, 0o644)
    tmp = os.path.join(work, "ghauth.json")
    write_config(tmp, STORE + "/ghauth.db", mock, github={"ca_file": ca,
                                                         "restrict_to": "octocat"})
    with open(tmp) as f:
        text = f.read()
    with open(CONFIG, "w") as f:  # keeps the file's owner and mode
        f.write(text)
    return text


def main():
    installed_mode = "--installed" in sys.argv[1:]
    tap = Tap()
    if os.geteuid() != 0:
        print("1..0 # SKIP not root (installs a package, starts servers as www-data)")
        return 0
    if not installed_mode:
        why = pkglib.skip_reason()
        if why:
            print("1..0 # SKIP " + why)
            return 0
    for tool in ("apache2", "a2enconf", "lighttpd", "lighty-enable-mod", "unshare"):
        if shutil.which(tool, path=SERVER_ENV["PATH"]) is None:
            print("1..0 # SKIP %s is not installed" % tool)
            return 0

    t0 = time.time()
    work = ghtest.tmpdir("ghauth-package-")
    os.chmod(work, 0o755)  # www-data reaches the CA and Apache's cgid socket
    deb = None
    servers = []
    mock = None
    try:
        if not installed_mode:
            deb, took = pkglib.build_deb(tap)
            if not tap.ok(deb is not None, "dpkg-buildpackage -us -uc -b builds the package", took):
                raise Abort()
            tap.diag("package: built in %.0f s" % took)
            changes = [f for f in os.listdir(pkglib.CACHE) if f.endswith(".changes")]
            t1 = time.time()
            if shutil.which("lintian"):
                r = run(["lintian", "--fail-on", "error,warning",
                         os.path.join(pkglib.CACHE, changes[0])])
                tap.diag("lintian (%.0f s):\n%s" % (time.time() - t1, r.stdout or "(no output)"))
                bad = [l for l in r.stdout.splitlines() if l[:2] in ("E:", "W:")]
                tap.ok(r.returncode == 0 and not bad, "lintian: no error, no warning",
                       r.stdout + r.stderr)
            else:
                tap.skip("lintian: no error, no warning", "lintian is not installed")
            r = apt("install", deb)
            if not tap.ok(r.returncode == 0, "apt-get install ./%s" % os.path.basename(deb),
                          r.stdout[-1500:] + r.stderr[-1500:]):
                deb = None if "ghauth" not in run(["dpkg-query", "-W", "ghauth"]).stdout else deb
                raise Abort()
        check_layout(tap)

        mock = Mock(work, ghtest.make_ca(os.path.join(work, "ca")))
        edited = edit_config(work, mock)
        a = apache(work, tap)
        servers.append(a)
        b = sign_in(tap, a, mock)
        lt = lighttpd(work, tap)
        servers.append(lt)
        b2 = sign_in(tap, lt, mock)
        if b is not None and b2 is not None:
            # One store: the session made through Apache is known to lighttpd.
            b2.cookies = dict(b.cookies)
            tap.is_(b2.session().status, 200, "the Apache session is valid through lighttpd (one store)")

        if not installed_mode:
            r = apt("install", "--reinstall", deb)
            tap.ok(r.returncode == 0, "apt-get install --reinstall (the upgrade path)", r.stderr[-1500:])
            with open(CONFIG) as f:
                tap.ok(f.read() == edited, "the edited configuration is kept")
            tap.is_(owner(CONFIG), ("root", "www-data", "0640"), "and its owner and mode")
            if b2 is not None:
                tap.is_(b2.session().status, 200, "the session survives the upgrade")
        upkeep(tap)
        if b2 is not None:
            tap.is_(b2.session().status, 200, "the session survives the upkeep (it has not expired)")
    except Abort:
        pass
    finally:
        for s in servers:
            s.stop()
        if mock is not None:
            mock.stop()
        if deb is not None:
            listed = run(["dpkg-query", "-L", "ghauth"]).stdout.split()
            r = apt("purge", "ghauth")
            tap.ok(r.returncode == 0, "apt-get purge ghauth", r.stderr[-1500:])
            tap.ok(run(["dpkg-query", "-W", "ghauth"]).returncode != 0 or
                   "not-installed" in run(["dpkg-query", "-W", "-f", "${db:Status-Status}", "ghauth"]).stdout,
                   "ghauth is no longer known to dpkg")
            mine = [p for p in listed if "ghauth" in p]
            left = [p for p in mine + [STORE, "/etc/ghauth"] if os.path.lexists(p)]
            tap.is_(left, [], "purge left nothing: programs, conffiles, store, docs")
            tap.ok("ghauth" not in run(["dpkg-statoverride", "--list"]).stdout,
                   "purge removed the statoverride")
        ghtest.cleanup(work)
    tap.diag("package test: %.0f s" % (time.time() - t0))
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
