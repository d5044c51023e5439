#!/usr/bin/env python3
"""The FastCGI recipes in docs/servers/, end to end.

For each of lighttpd mod_fastcgi (lighttpd-fastcgi.conf), nginx with the
programs started by spawn-fcgi (nginx-fastcgi.conf: the spawn-fcgi lines in
its header are run exactly as written) and Apache mod_fcgid
(apache-fcgid.conf): render the recipe with tests/lib/render, start the real
server on a free loopback port, and walk the same flow as test-servers.py
(its flow() is reused: sign-in, hand-off, reload, X-Session-Token, 405/404,
?redirect=, httpoxy, logout, decoys).  Then what FastCGI adds:

- the programs' log lines reach the log the recipe names;
- the programs are long-lived: the session program's pids (found by
  /proc/PID/exe) are the same before and after 50 requests, and they run as
  the expected user;
- a changed ghauth.json is picked up without restarting anything
  (restrict_to excludes octocat: 401; back: 200; same processes);
- 200 session checks from 20 threads at once: all 200;
- GHAUTH_FCGI_MAX_REQUESTS (@FCGI_MAX@ in the recipes): the server is
  started again with 20, and 100 sequential session checks are all 200
  while the session program is replaced.  lighttpd starts an exited program
  again only in a later second and answers 503 while none is up (its recipe
  therefore has 0): there, only 200 or 503, never a 500, then 200 again;
- when the server stops, no program of it is left running.

A server whose binary or module is missing is skipped.  Prints TAP."""

import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import time
from multiprocessing.pool import ThreadPool

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import fcgiclient  # noqa: E402
import ghtest  # noqa: E402
from ghtest import HttpBrowser, Mock, Tap, write_config  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "test_servers", os.path.join(os.path.dirname(os.path.abspath(__file__)), "test-servers.py"))
servers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(servers)

PROGRAMS = servers.PROGRAMS
APACHE_MODULES = servers.APACHE_MODULES
SERVER_ENV = servers.SERVER_ENV
which, render, group_of = servers.which, servers.render, servers.group_of

FCGI_MAX_LOW = 20    # the restart check


class FcgiSite(servers.Site):
    """A Site that also stops the process groups the recipe left behind
    (spawn-fcgi puts each program loop in a session of its own)."""

    def __init__(self, work, name, web_user):
        super().__init__(work, name, web_user)
        self.pidfiles = []
        self.program_log = None   # where the recipe sends the programs' stderr

    def stop(self):
        super().stop()
        pgids = []
        for path in self.pidfiles:
            try:
                with open(path) as f:
                    pgids += [int(x) for x in f.read().split()]
            except (OSError, ValueError):
                pass
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pgid in pgids:
                try:
                    os.killpg(pgid, sig)
                except ProcessLookupError:
                    pass
            deadline = time.time() + 3
            while time.time() < deadline and any(alive(p) for p in pgids):
                time.sleep(0.05)
        self.pidfiles = []

    def write_config(self, mock, **github):
        """Rewrites ghauth.json in place (owner and mode kept)."""
        gh = {"redirect_uri": self.origin + "/auth/github/callback"}
        gh.update(github)
        write_config(self.config, os.path.join(self.state, "ghauth.db"), mock, github=gh)


def alive(pgid):
    """Whether a process of group pgid is still running (zombies are not:
    spawn-fcgi's children are reaped by init, whenever it gets to it)."""
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def program_pids(site, prog=None):
    """Pids of the processes running the site's programs (by /proc/PID/exe)."""
    paths = site.program_paths()
    want = dict((os.path.realpath(paths[p]), p) for p in ([prog] if prog else PROGRAMS))
    pids = set()
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            exe = os.readlink("/proc/%s/exe" % d)
        except OSError:
            continue
        if exe in want:
            pids.add(int(d))
    return pids


def uid_of(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("Uid:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


# ---- the three recipes -------------------------------------------------------

def setup_lighttpd(site, mock, programs, tap, fcgi_max):
    # As lighttpd.conf: lighttpd runs as the user that starts it, and so do
    # the programs it spawns.
    site.cgi_user = servers.pwd.getpwuid(os.geteuid()).pw_name
    if not os.path.exists(site.config):
        site.install(mock, programs)
    conf = render("lighttpd-fastcgi.conf", os.path.join(site.dir, "lighttpd.conf"),
                  PORT=site.port, DOCROOT=site.docroot, RUNDIR=site.run,
                  CGIBINDIR=site.cgibindir, CONFIG=site.config, FCGI_MAX=fcgi_max)
    site.program_log = os.path.join(site.run, "lighttpd-breakage.log")
    r = subprocess.run([which("lighttpd"), "-tt", "-f", conf], env=SERVER_ENV,
                       capture_output=True, text=True)
    tap.is_(r.returncode, 0, "lighttpd-fastcgi: lighttpd -tt accepts the rendered recipe")
    if r.returncode:
        tap.diag(r.stdout + r.stderr)
    return site.start([which("lighttpd"), "-D", "-f", conf], "lighttpd.out",
                      ready=site.listening)


def spawn_lines(conf):
    """The spawn-fcgi commands in the header of the rendered recipe (comment
    lines, continued with a backslash), each as one line."""
    out, cur = [], None
    with open(conf) as f:
        for line in f:
            if not line.startswith("#"):
                cur = None
                continue
            text = line[1:].strip()
            if cur is None and re.match(r"^(?:[A-Z_]+=\S+ )*spawn-fcgi ", text):
                cur = []
            if cur is None:
                continue
            cur.append(text.rstrip("\\").strip())
            if text.endswith("\\"):
                continue
            out.append(" ".join(cur))
            cur = None
    return out


def setup_nginx(site, mock, programs, tap, fcgi_max):
    if not os.path.exists(site.config):
        site.install(mock, programs)
    conf = render("nginx-fastcgi.conf", os.path.join(site.dir, "nginx.conf"),
                  PORT=site.port, RUNDIR=site.run, DOCROOT=site.docroot,
                  CGIBINDIR=site.cgibindir, CONFIG=site.config, FCGI_MAX=fcgi_max,
                  LOGDIR=site.run, USER=site.cgi_user, GROUP=group_of(site.cgi_user))
    site.program_log = os.path.join(site.run, "ghauth.log")
    # The programs' log (LOGDIR) is written by the web user.
    uid, gid = site.ids()
    if os.geteuid() == 0:
        os.chown(site.run, uid, gid)
    params = "/etc/nginx/fastcgi_params"
    if os.path.isfile(params):
        servers.shutil.copy(params, os.path.join(site.dir, "fastcgi_params"))
    else:
        tap.diag("no %s: using a minimal one" % params)
        with open(os.path.join(site.dir, "fastcgi_params"), "w") as f:
            for k, v in (("QUERY_STRING", "$query_string"), ("REQUEST_METHOD", "$request_method"),
                         ("CONTENT_TYPE", "$content_type"), ("CONTENT_LENGTH", "$content_length"),
                         ("SCRIPT_NAME", "$fastcgi_script_name"), ("REQUEST_URI", "$request_uri"),
                         ("SERVER_PROTOCOL", "$server_protocol"), ("HTTPS", "$https if_not_empty"),
                         ("GATEWAY_INTERFACE", "CGI/1.1"), ("REMOTE_ADDR", "$remote_addr"),
                         ("SERVER_NAME", "$server_name"), ("SERVER_PORT", "$server_port")):
                f.write("fastcgi_param %s %s;\n" % (k, v))
    nginx = which("nginx")
    startup_log = os.path.join(site.run, "nginx-startup.log")
    r = subprocess.run([nginx, "-t", "-e", startup_log, "-c", conf], env=SERVER_ENV,
                       capture_output=True, text=True)
    tap.is_(r.returncode, 0, "nginx-fastcgi: nginx -t accepts the rendered recipe")
    if r.returncode:
        tap.diag(r.stdout + r.stderr)
    lines = spawn_lines(conf)
    tap.is_(len(lines), 5, "nginx-fastcgi: the recipe has one spawn-fcgi line per program")
    # The lines as written, through sh (as root, as the recipe says).
    for line in lines:
        m = re.search(r" -P (\S+)", line)
        if m:
            site.pidfiles.append(m.group(1))
        sock = re.search(r" -s (\S+)", line).group(1)
        if os.path.exists(sock):
            os.unlink(sock)
        logf = os.path.join(site.dir, "spawn-fcgi.out")
        with open(logf, "a") as log:
            r = subprocess.run(["sh", "-c", line], env=SERVER_ENV, cwd=site.run,
                               stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                               timeout=15)
        if logf not in site.logs:
            site.logs.append(logf)
        if r.returncode != 0:
            tap.diag("spawn-fcgi failed: " + line)
            return False
    return site.start([nginx, "-e", startup_log, "-c", conf, "-g", "daemon off;"],
                      "nginx.out", ready=site.listening)


def setup_apache(site, mock, programs, tap, fcgi_max):
    if not os.path.exists(site.config):
        site.install(mock, programs)
    conf = render("apache-fcgid.conf", os.path.join(site.dir, "apache2.conf"),
                  PORT=site.port, RUNDIR=site.run, DOCROOT=site.docroot,
                  CGIBINDIR=site.cgibindir, CONFIG=site.config, FCGI_MAX=fcgi_max,
                  USER=site.cgi_user, GROUP=group_of(site.cgi_user),
                  APACHE_MODULES=APACHE_MODULES)
    site.program_log = os.path.join(site.run, "apache2-error.log")
    apache = which("apache2") or which("httpd")
    r = subprocess.run([apache, "-t", "-f", conf], env=SERVER_ENV,
                       capture_output=True, text=True)
    tap.is_(r.returncode, 0, "apache-fcgid: apache2 -t accepts the rendered recipe")
    if r.returncode:
        tap.diag(r.stdout + r.stderr)
    return site.start([apache, "-f", conf, "-DFOREGROUND"], "apache2.out",
                      ready=site.listening)


SERVERS = [
    # name, what must be installed, setup, GHAUTH_FCGI_MAX_REQUESTS as the
    # recipe suggests it, whether the server replaces an exited program
    # without a gap (lighttpd starts it again only in a later second).
    # (Debian's lighttpd has mod_fastcgi built in.)
    ("lighttpd-fastcgi", ["lighttpd"], setup_lighttpd, 0, False),
    ("nginx-fastcgi", ["nginx", "spawn-fcgi"], setup_nginx, 10000, True),
    ("apache-fcgid", ["apache2", os.path.join(APACHE_MODULES, "mod_fcgid.so")], setup_apache,
     10000, True),
]


# ---- what FastCGI adds -----------------------------------------------------------

def signed_in(site, mock, login="octocat"):
    mock.reset()
    b = HttpBrowser(site.base, origin=site.origin, accept="application/json")
    out = b.sign_in(mock, login)
    r = out.get("session")
    return b if r is not None and r.status == 200 else None


def session_status(site, cookies):
    b = HttpBrowser(site.base, origin=site.origin, accept="application/json")
    b.cookies = dict(cookies)
    try:
        r = b.session()
    except Exception as e:  # a reset connection counts as a failure
        return "%s: %s" % (type(e).__name__, e)
    if r.status == 200 and (r.json() or {}).get("userName") != "octocat":
        return "200 without octocat"
    return r.status


def fastcgi_checks(tap, site, mock):
    n = site.name
    log = servers.tail(site.program_log, 400)
    tap.ok("ghauth[callback]: callback: signed in octocat" in log,
           "%s: the programs' messages reach %s" % (n, os.path.relpath(site.program_log, site.dir)),
           log[-2000:])
    # Each of these logs is a plain file that nobody else stamps: the
    # programs put the time in front themselves.
    lines = [ln for ln in log.splitlines() if "ghauth[callback]: callback: signed in octocat" in ln]
    tap.ok(lines and all(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ghauth\[", ln) for ln in lines),
           "%s: each line there starts with an ISO 8601 UTC time" % n, "\n".join(lines[-3:]))
    b = signed_in(site, mock)
    if not tap.ok(b is not None, "%s: signed in again for the FastCGI checks" % n):
        return
    cookies = dict(b.cookies)

    # Long-lived processes: the same pids before and after 50 requests.
    session_status(site, cookies)
    before = program_pids(site, "session")
    got = [session_status(site, cookies) for _ in range(50)]
    after = program_pids(site, "session")
    tap.is_(got, [200] * 50, "%s: 50 sequential session checks: all 200" % n)
    tap.ok(before and before == after,
           "%s: FastCGI: the same long-lived session process(es) before and after "
           "50 requests (pids %s)" % (n, sorted(before)),
           "before %s, after %s" % (sorted(before), sorted(after)))
    uid, _ = site.ids()
    tap.is_(sorted(set(uid_of(p) for p in after)), [uid],
            "%s: the programs run as %s" % (n, site.cgi_user))
    everything = program_pids(site)
    tap.ok(len(everything) >= 4 and before <= everything,
           "%s: all four programs are running (%d processes)" % (n, len(everything)),
           sorted(everything))

    # A changed configuration, picked up without a restart.
    site.write_config(mock, restrict_to="someoneelse")
    got = [session_status(site, cookies) for _ in range(4)]
    tap.is_(got, [401] * 4, "%s: restrict_to changed in ghauth.json: octocat refused "
            "(401) without restarting anything" % n)
    site.write_config(mock)
    got = [session_status(site, cookies) for _ in range(4)]
    tap.is_(got, [200] * 4, "%s: changed back: 200 again" % n)
    tap.ok(program_pids(site, "session") == after,
           "%s: the reload happened in the same processes" % n,
           "%s -> %s" % (sorted(after), sorted(program_pids(site, "session"))))

    # Requests at the same time.
    with ThreadPool(20) as pool:
        got = pool.map(lambda _: session_status(site, cookies), range(200))
    bad = [g for g in got if g != 200]
    tap.ok(not bad, "%s: 200 session checks from 20 threads at once: all 200" % n,
           "not 200: %d: %r" % (len(bad), sorted(set(map(str, bad)))))


def restart_checks(tap, site, mock, seamless):
    """Run with GHAUTH_FCGI_MAX_REQUESTS=FCGI_MAX_LOW."""
    n = site.name
    b = signed_in(site, mock)
    if not tap.ok(b is not None, "%s (max %d): signed in" % (n, FCGI_MAX_LOW)):
        return
    cookies = dict(b.cookies)
    before = program_pids(site, "session")
    seen = set(before)
    got = []
    for i in range(100):
        got.append(session_status(site, cookies))
        if i % 5 == 4:
            seen |= program_pids(site, "session")
    after = program_pids(site, "session")
    bad = [(i, g) for i, g in enumerate(got) if g != 200]
    if seamless:
        tap.ok(not bad, "%s: GHAUTH_FCGI_MAX_REQUESTS=%d: 100 sequential session checks, "
               "all 200 while the processes are replaced" % (n, FCGI_MAX_LOW),
               "not 200 (request number, answer): %r" % bad)
    else:
        # lighttpd: while every process of a URL has exited and not yet been
        # started again, 503 "all handlers ... are down".  Never anything
        # else: a request sent to a process that is exiting is refused and
        # goes to another one (lib/driver/fcgi.c stops listening first).
        tap.ok(not [g for _, g in bad if g != 503],
               "%s: GHAUTH_FCGI_MAX_REQUESTS=%d: 100 sequential session checks, "
               "200 or lighttpd's 503 while no process is up; never a reset (500)"
               % (n, FCGI_MAX_LOW), "not 200 (request number, answer): %r" % bad)
        if bad:
            tap.diag("%s: %d of 100 got 503 (all processes down until lighttpd's "
                     "next second)" % (n, len(bad)))
        # lighttpd's once-a-second timer starts them again: five 200s in a
        # row within a few seconds.
        t0, run, got = time.time(), 0, []
        while run < 5 and time.time() < t0 + 8:
            got.append(session_status(site, cookies))
            run = run + 1 if got[-1] == 200 else 0
            if run == 0:
                time.sleep(0.2)
        tap.ok(run == 5, "%s: lighttpd starts them again: 200 after %.1f s" % (n, time.time() - t0),
               got)
        after = program_pids(site, "session")
    tap.ok(before and after and not before <= after,
           "%s: the session process was replaced (%d pids seen)" % (n, len(seen | after)),
           "before %s, after %s" % (sorted(before), sorted(after)))
    # After the last answer, the program may still be on its way out.
    deadline = time.time() + 3
    while time.time() < deadline and len(program_pids(site, "session")) > 8:
        time.sleep(0.1)
    tap.ok(len(program_pids(site, "session")) <= 8,
           "%s: the replaced processes are gone (no pile-up)" % n,
           sorted(program_pids(site, "session")))


def last_request(tap, work, programs, mock):
    """What the server recipes rely on, without a server: after its last
    request a program takes no connection, even before it has exited."""
    conf = write_config(os.path.join(work, "last.json"), os.path.join(work, "last.db"), mock)
    sock = os.path.join(work, "last.sock")
    p = fcgiclient.spawn(programs["session"], sock,
                         {"GHAUTH_CONFIG": conf, "GHAUTH_FCGI_MAX_REQUESTS": "2"})
    params = {"REQUEST_METHOD": "GET", "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1",
              "GATEWAY_INTERFACE": "CGI/1.1", "SCRIPT_NAME": "/auth/session"}
    try:
        deadline = time.time() + 5
        while not os.path.exists(sock) and time.time() < deadline:
            time.sleep(0.02)
        got = [fcgiclient.request(sock, params)[2] for _ in range(2)]
        try:
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            c.connect(sock)
            c.close()
            refused = False
        except ConnectionRefusedError:
            refused = True
        tap.ok(got == [0, 0] and refused,
               "GHAUTH_FCGI_MAX_REQUESTS=2: right after the second answer, a new connection "
               "is refused (the server tries another process; no reset)",
               "answers %r, refused %r" % (got, refused))
        try:
            rc = p.wait(10)
        except subprocess.TimeoutExpired:
            rc = None
        tap.is_(rc, 0, "and the program exits 0")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def stopped(tap, site):
    deadline = time.time() + 5
    while program_pids(site) and time.time() < deadline:
        time.sleep(0.1)
    left = program_pids(site)
    tap.ok(not left, "%s: after the server stops, none of its programs is left running" % site.name,
           sorted(left))
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def main():
    tap = Tap()
    work = ghtest.tmpdir("ghauth-fcgi-servers-")
    os.chmod(work, 0o711)
    root = os.geteuid() == 0
    web_user = "www-data" if root else servers.pwd.getpwuid(os.geteuid()).pw_name
    programs = dict((p, os.path.join(ghtest.BUILDDIR, "cgi-bin", p)) for p in PROGRAMS)
    missing = [p for p, path in programs.items() if not os.access(path, os.X_OK)]
    if missing:
        tap.ok(False, "the programs are built", "missing: %s" % missing)
        ghtest.cleanup(work)
        return tap.done()
    # One copy of the programs for all the servers (others may rebuild).
    bindir = os.path.join(work, "bin")
    os.makedirs(bindir)
    for p, path in list(programs.items()):
        programs[p] = servers.shutil.copy(path, os.path.join(bindir, p))
    cadir = ghtest.make_ca(os.path.join(work, "ca"))
    os.chmod(cadir, 0o755)
    os.chmod(os.path.join(cadir, "ca.pem"), 0o644)
    mock = Mock(work, cadir)
    trap = servers.ProxyTrap()
    timings = []
    try:
        last_request(tap, work, programs, mock)
        for name, needs, setup, fcgi_max, seamless in SERVERS:
            absent = [x for x in needs if not (os.path.exists(x) if x.startswith("/") else which(x))]
            if not absent and root and name != "lighttpd-fastcgi":
                try:
                    servers.pwd.getpwnam(web_user)
                except KeyError:
                    absent = ["user " + web_user]
            if absent:
                tap.skip("%s: the recipe, end to end" % name, "not installed: %s" % " ".join(absent))
                continue
            t0 = time.time()
            site = FcgiSite(work, name, web_user)
            failed_before = tap.failed
            try:
                started = setup(site, mock, programs, tap, fcgi_max)
                if tap.ok(started, "%s: the server starts and listens on 127.0.0.1:%d"
                          % (name, site.port)):
                    servers.flow(tap, site, mock, trap)
                    fastcgi_checks(tap, site, mock)
                site.stop()
                stopped(tap, site)
                started = setup(site, mock, programs, tap, FCGI_MAX_LOW)
                if tap.ok(started, "%s: started again with GHAUTH_FCGI_MAX_REQUESTS=%d"
                          % (name, FCGI_MAX_LOW)):
                    restart_checks(tap, site, mock, seamless)
                site.stop()
                stopped(tap, site)
            except Exception:  # one server's crash is a failure, not the end
                import traceback
                tap.ok(False, "%s: no exception" % name, traceback.format_exc())
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
