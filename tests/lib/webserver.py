"""webserver - starting and stopping the real servers the tests run.

One harness for every test that starts lighttpd, Apache, nginx, spawn-fcgi
or fcgiwrap (tests/servers/, tests/protect/, tests/browser/, bench/run.py):

- which(): a program on the system PATH (the sbin directories included).
- render(): a recipe of docs/servers/ with its placeholders filled
  (tests/lib/render), so the tests run the recipes the docs show.
- Servers: processes, each in its own process group, with their output
  in a log file; start() waits until the server is ready (or has died),
  stop() ends each with TERM and then whatever is left of its group with
  KILL; diag_logs() prints the logs' tails into the TAP output.
- listening(), wait_port(), web_user(), group_of(), tail().

The mock GitHub is ghtest.Mock and redis-server is redislib.Redis.
Nothing here is installed.
"""

import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time

import ghtest
from ghtest import free_port  # noqa: F401  (re-exported for the callers)

SYSPATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# What the servers (and so the CGIs) inherit: nothing of the test's own
# environment (fcgiwrap, for one, passes its whole environment on).
SERVER_ENV = {"PATH": SYSPATH, "LANG": "C"}
APACHE_MODULES = os.environ.get("APACHE_MODULES", "/usr/lib/apache2/modules")
RENDER = os.path.join(ghtest.SRCDIR, "tests", "lib", "render")
DOCS = os.path.join(ghtest.SRCDIR, "docs", "servers")


def which(name, path=SYSPATH):
    """The program name on path, then on the test's own PATH."""
    return shutil.which(name, path=path + ":" + os.environ.get("PATH", ""))


def render(template, out, **values):
    """Writes docs/servers/template (or an absolute path) to out with its
    @NAME@ placeholders filled from values; returns out."""
    path = template if os.path.isabs(template) else os.path.join(DOCS, template)
    with open(out, "w") as f:
        subprocess.run(["sh", RENDER, path] + ["%s=%s" % kv for kv in sorted(values.items())],
                       stdout=f, check=True)
    return out


def tail(path, n=30):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


def web_user():
    """The user the CGIs run as: www-data when we are root (Apache and
    fcgiwrap switch to it), else ourselves."""
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("www-data")
            return "www-data"
        except KeyError:
            return "nobody"
    return pwd.getpwuid(os.geteuid()).pw_name


def group_of(user):
    return grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name


def listening(port, timeout=1):
    """Whether something accepts connections on 127.0.0.1:port."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=timeout).close()
        return True
    except OSError:
        return False


def wait_port(port, proc=None, timeout=10):
    """Waits until 127.0.0.1:port accepts; False when proc ends first or
    the time is up."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        if listening(port, 0.5):
            return True
        time.sleep(0.05)
    return False


class Servers:
    """Server processes started for one test site, and their logs.

    logdir holds one log file per start(); cwd is the processes' working
    directory; env the environment they get (never the test's own)."""

    def __init__(self, logdir, cwd, env):
        self.logdir = logdir
        self.cwd = cwd
        self.env = env
        self.procs = []
        self.logs = []

    def start(self, argv, log, ready=None, timeout=15, env=None, user=None, umask=-1):
        """Starts argv in its own process group, stdout and stderr to
        logdir/log, as user (when we are root: what runuser or
        spawn-fcgi -u would do, without a wrapper process).  Waits until
        ready() is true; False if the process ended or timeout passed."""
        logf = open(os.path.join(self.logdir, log), "w")
        self.logs.append(logf.name)
        ids = {}
        if user and os.geteuid() == 0:
            ids = {"user": user, "group": group_of(user), "extra_groups": []}
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=logf,
                             stderr=subprocess.STDOUT, env=env or self.env,
                             cwd=self.cwd, start_new_session=True, umask=umask, **ids)
        logf.close()
        self.procs.append(p)
        deadline = time.time() + timeout
        while True:
            if ready is None or ready():
                return True
            if p.poll() is not None or time.time() > deadline:
                return False
            time.sleep(0.05)

    def stop(self):
        """TERM to each leader (which ends and reaps its own children),
        then KILL to what is left of its group."""
        for p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in reversed(self.procs):
            try:
                p.wait(8)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                pass
        self.procs = []

    def diag_logs(self, tap, rundir=None, base=None):
        """The tail of every log started here and of every *.log in
        rundir, as TAP comments."""
        paths = list(self.logs)
        if rundir and os.path.isdir(rundir):
            for f in sorted(os.listdir(rundir)):
                path = os.path.join(rundir, f)
                if f.endswith(".log") and path not in paths:
                    paths.append(path)
        for path in paths:
            t = tail(path)
            if t.strip():
                tap.diag("---- %s" % os.path.relpath(path, base or self.logdir))
                tap.diag(t)


def start_lighttpd(servers, conf, port, log="lighttpd.out", timeout=15):
    """Checks conf with lighttpd -tt, then starts lighttpd -D on it and
    waits for port.  Returns (ok, what lighttpd -tt said)."""
    lighttpd = which("lighttpd")
    r = subprocess.run([lighttpd, "-tt", "-f", conf], env=servers.env,
                       capture_output=True, text=True)
    if r.returncode != 0:
        return False, r.stdout + r.stderr
    ok = servers.start([lighttpd, "-D", "-f", conf], log,
                       ready=lambda: listening(port), timeout=timeout)
    return ok, r.stdout + r.stderr
