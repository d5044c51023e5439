#!/usr/bin/env python3
"""The container image (container/Dockerfile), end to end, offline.

Starts a private dockerd (Debian's docker.io, as root) whose data, exec
root, pid file, socket and key all live under the build tree or a
temporary directory, with no bridge and no iptables rules, so nothing
system-wide changes.  No registry is reachable: debian:bookworm-slim is
made here with `debootstrap --variant=minbase` (nginx, fcgiwrap and the
package's libraries included, as the Dockerfile's apt-get would fetch them)
and `docker import`, cached under the build tree.  Then it builds the image
with the package from debian/ (pkglib) and no network, runs it against the
mock GitHub and checks: the server runs as www-data, the health check, an
anonymous visitor gets no content, sign-in, the mounted site for the
signed-in user, the store on a volume (a new container keeps the session),
an upstream application reached only by signed-in users with identity
headers a client cannot forge, and a configuration error that stops the
container.  Prints how long each part took.

Skipped unless root with dockerd and debootstrap, and under
GHAUTH_SKIP_SLOW (distcheck).  Prints TAP.
"""

import fcntl
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ghtest  # noqa: E402
from ghtest import HttpBrowser, Mock, Tap  # noqa: E402
import pkglib  # noqa: E402

CACHE = os.path.join(ghtest.BUILDDIR, "tests", "container")
# What the Dockerfile installs besides the package, and the package's
# libraries (libhiredis for the Redis store).
INCLUDE = ("nginx,fcgiwrap,curl,ca-certificates,libcurl4,libjansson4,libgdbm6,"
           "libfcgi0ldbl,libhiredis0.14")
DOCKER = "/usr/bin/docker"
PATH_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG": "C"}


def mirror():
    """The Debian mirror this machine's apt uses."""
    for path in ("/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"):
        try:
            with open(path) as f:
                for line in f:
                    w = line.split()
                    if w[:1] == ["URIs:"] and len(w) > 1 and "security" not in w[1]:
                        return w[1]
                    if w[:1] == ["deb"] and "security" not in line:
                        return [x for x in w[1:] if x.startswith("http")][0]
        except (OSError, IndexError):
            continue
    return "http://deb.debian.org/debian"


def rootfs(tap):
    """The cached minbase bookworm tarball; made when missing or stale."""
    os.makedirs(CACHE, exist_ok=True)
    tar = os.path.join(CACHE, "bookworm-rootfs.tar")
    key = os.path.join(CACHE, "bookworm-rootfs.key")
    with open(os.path.join(CACHE, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(key) as f:
                if f.read().strip() == INCLUDE and os.path.isfile(tar):
                    return tar, 0
        except OSError:
            pass
        t0 = time.time()
        d = os.path.join(CACHE, "rootfs.tmp")
        shutil.rmtree(d, ignore_errors=True)
        log = os.path.join(CACHE, "debootstrap.log")
        with open(log, "w") as lf:
            r = subprocess.run(["debootstrap", "--variant=minbase", "--include=" + INCLUDE,
                                "bookworm", d, mirror()], stdout=lf, stderr=subprocess.STDOUT,
                               env=PATH_ENV)
        if r.returncode != 0:
            shutil.rmtree(d, ignore_errors=True)
            return None, ghtest_tail(log)
        r = subprocess.run(["tar", "-C", d, "--numeric-owner", "-cf", tar + ".new", "."])
        shutil.rmtree(d, ignore_errors=True)
        if r.returncode != 0:
            return None, "tar failed"
        os.replace(tar + ".new", tar)
        with open(key, "w") as f:
            f.write(INCLUDE + "\n")
        return tar, time.time() - t0


def ghtest_tail(path, n=20):
    with open(path, errors="replace") as f:
        return "".join(f.readlines()[-n:])


class Dockerd:
    """A private docker daemon: no bridge, no iptables, its own paths."""

    def __init__(self, work):
        self.dir = os.path.join(work, "d")  # short: containerd's socket paths
        os.makedirs(self.dir)
        self.sock = os.path.join(self.dir, "sock")
        self.pidfile = os.path.join(self.dir, "pid")
        cfg = os.path.join(self.dir, "daemon.json")
        with open(cfg, "w") as f:
            json.dump({"deprecated-key-path": os.path.join(self.dir, "key.json")}, f)
        self.log = open(os.path.join(work, "dockerd.log"), "w")
        self.proc = subprocess.Popen(
            ["dockerd", "--config-file", cfg, "--data-root", os.path.join(CACHE, "docker-data"),
             "--exec-root", os.path.join(self.dir, "x"), "--pidfile", self.pidfile,
             "-H", "unix://" + self.sock, "--bridge=none", "--iptables=false",
             "--ip-masq=false", "--userland-proxy=false", "--log-level=error"],
            stdout=self.log, stderr=subprocess.STDOUT, env=PATH_ENV, start_new_session=True)

    def wait(self, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline and self.proc.poll() is None:
            if self.run("version").returncode == 0:
                return True
            time.sleep(0.5)
        return False

    def run(self, *args, timeout=600):
        return subprocess.run([DOCKER, "-H", "unix://" + self.sock] + list(args),
                              capture_output=True, text=True, env=PATH_ENV, timeout=timeout)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        # dockerd leaves its network namespace file mounted.
        with open("/proc/self/mounts") as f:
            points = [line.split()[1] for line in f]
        for p in reversed(points):
            if p.startswith(self.dir + "/"):
                subprocess.run(["umount", "-l", p])


class App(http.server.BaseHTTPRequestHandler):
    """The upstream application: answers with the headers it was given."""
    seen = []

    def do_GET(self):
        App.seen.append(dict((k.lower(), v) for k, v in self.headers.items()))
        body = json.dumps(App.seen[-1]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def wait_http(port, timeout=30):
    import socket
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return True
        except OSError:
            time.sleep(0.2)
    return False


def main():
    tap = Tap()
    if os.geteuid() != 0:
        print("1..0 # SKIP not root (runs dockerd)")
        return 0
    why = pkglib.skip_reason()
    for tool in ("dockerd", "debootstrap"):
        if why is None and shutil.which(tool, path=PATH_ENV["PATH"]) is None:
            why = "%s is not installed (scripts/deps)" % tool
    if why is None and not os.access(DOCKER, os.X_OK):
        why = DOCKER + " is not installed (docker.io)"
    if why:
        print("1..0 # SKIP " + why)
        return 0

    t0 = time.time()
    work = ghtest.tmpdir("ghauth-ct-")
    dockerd = mock = app = None
    containers = []
    volume = "ghauth-test-store-%d" % os.getpid()
    try:
        # The base file system (network bound) while the package builds
        # (CPU bound).
        base = {}
        th = threading.Thread(target=lambda: base.update(r=rootfs(tap)))
        th.start()
        deb, took = pkglib.build_deb(tap)
        th.join()
        tar, took2 = base["r"]
        if not tap.ok(deb is not None, "the Debian package builds", took):
            raise StopIteration
        tap.diag("container: package %s (%.0f s)" % (os.path.basename(deb), took))
        if not tap.ok(tar is not None, "debootstrap --variant=minbase bookworm (cached)", took2):
            raise StopIteration
        tap.diag("container: base file system %s (%.0f s)" % ("made" if took2 else "cached", took2))

        dockerd = Dockerd(work)
        if not tap.ok(dockerd.wait(), "a private dockerd starts"):
            tap.diag(ghtest_tail(dockerd.log.name))
            raise StopIteration
        t1 = time.time()
        stamp = str(int(os.stat(tar).st_mtime))
        r = dockerd.run("image", "inspect", "-f", '{{index .Config.Labels "org.ghauth.rootfs"}}',
                        "debian:bookworm-slim")
        if r.stdout.strip() != stamp:
            r = dockerd.run("import", "-c", "LABEL org.ghauth.rootfs=" + stamp, tar,
                            "debian:bookworm-slim")
        tap.ok(r.returncode == 0, "docker import: debian:bookworm-slim", r.stderr)
        ctx = os.path.join(work, "ctx")
        os.makedirs(ctx)
        for f in ("Dockerfile", "entrypoint", "healthcheck"):
            shutil.copy2(os.path.join(ghtest.SRCDIR, "container", f), ctx)
        shutil.copy2(deb, ctx)
        r = dockerd.run("build", "--network", "none", "-t", "ghauth:test", ctx)
        if not tap.ok(r.returncode == 0, "docker build (no network) with the package inside",
                      (r.stdout + r.stderr)[-2500:]):
            raise StopIteration
        tap.diag("container: import and build %.0f s" % (time.time() - t1))

        mock = Mock(work, ghtest.make_ca(os.path.join(work, "ca")))
        ca = os.path.join(work, "ca.pem")
        shutil.copy(os.path.join(mock.cadir, "ca.pem"), ca)
        os.chmod(ca, 0o644)
        site = os.path.join(work, "site")
        os.makedirs(site)
        os.chmod(site, 0o755)
        secret_page = "PROTECTED-CONTENT-%d" % os.getpid()
        with open(os.path.join(site, "index.html"), "w") as f:
            f.write("<p>%s</p>\n" % secret_page)
        os.chmod(os.path.join(site, "index.html"), 0o644)

        def start(name, port, extra_env, mounts=()):
            env = {"GITHUB_CLIENT_ID": "test-client",
                   "GITHUB_CLIENT_SECRET": "canary-SECRET-do-not-print",
                   "GHAUTH_REDIRECT_URI": "http://localhost:%d/auth/github/callback" % port,
                   "GITHUB_USERS": "octocat", "GHAUTH_PORT": str(port),
                   "GITHUB_OAUTH_URL": mock.base + "/login/oauth", "GITHUB_API_URL": mock.base,
                   "GHAUTH_CA_FILE": "/etc/ghauth-test/ca.pem"}
            env.update(extra_env)
            argv = ["run", "-d", "--name", name, "--network", "host",
                    "-v", volume + ":/var/lib/ghauth", "-v", ca + ":/etc/ghauth-test/ca.pem:ro"]
            for m in mounts:
                argv += ["-v", m]
            for k, v in env.items():
                argv += ["-e", "%s=%s" % (k, v)]
            r = dockerd.run(*(argv + ["ghauth:test"]))
            containers.append(name)
            ok = r.returncode == 0 and wait_http(port)
            if not ok:
                tap.diag(dockerd.run("logs", name).stderr[-2000:])
            return ok

        # 1. The mounted static site.
        port = ghtest.free_port()
        name = "ghauth-test-site-%d" % os.getpid()
        tap.ok(start(name, port, {}, [site + ":/srv/www:ro"]), "the container starts (static site)")
        r = dockerd.run("exec", name, "/usr/local/bin/healthcheck")
        tap.is_(r.returncode, 0, "HEALTHCHECK command passes")
        r = dockerd.run("exec", name, "grep", "^Uid:", "/proc/1/status")
        tap.is_(r.stdout.split()[1:2], ["33"], "the server runs as www-data, not root")
        anon = HttpBrowser("http://127.0.0.1:%d" % port, origin="http://localhost:8080")
        r = anon.http("GET", "/")
        tap.ok(r.status == 303 and secret_page not in r.text() and
               "/auth/github" in (r.header("Location") or ""),
               "anonymous browser: 303 to sign-in, no content", r)
        r = anon.http("GET", "/index.html", {"Accept": "application/json",
                                             "X-Forwarded-User": "octocat"})
        tap.ok(r.status == 401 and secret_page not in r.text(),
               "anonymous API client with a forged X-Forwarded-User: 401", r)
        b = HttpBrowser("http://127.0.0.1:%d" % port, origin="http://localhost:8080",
                        accept="application/json")
        out = b.sign_in(mock, "octocat")
        s = out.get("session")
        tap.is_((s.status, (s.json() or {}).get("userName")) if s else out, (200, "octocat"),
                "sign-in through the container against the mock GitHub")
        r = b.http("GET", "/", {"Accept": "text/html"})
        tap.ok(r.status == 200 and secret_page in r.text(), "signed in: the protected site", r)
        r = dockerd.run("exec", name, "ls", "/var/lib/ghauth")
        tap.ok("ghauth.db" in r.stdout.split(), "the store is on the volume", r.stdout + r.stderr)
        logs = dockerd.run("logs", name)
        tap.ok("canary-SECRET" not in logs.stdout + logs.stderr,
               "the client secret is not in the container's log")
        dockerd.run("rm", "-f", name)

        # 2. An upstream application, a new container on the same volume.
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), App)
        app = threading.Thread(target=httpd.serve_forever, daemon=True)
        app.start()
        port = ghtest.free_port()
        name = "ghauth-test-app-%d" % os.getpid()
        tap.ok(start(name, port, {"GHAUTH_UPSTREAM": "http://127.0.0.1:%d" % httpd.server_port}),
               "the container starts (GHAUTH_UPSTREAM)")
        anon = HttpBrowser("http://127.0.0.1:%d" % port, origin="http://localhost:8080")
        cookies = b.cookies
        b = HttpBrowser("http://127.0.0.1:%d" % port, origin="http://localhost:8080")
        b.cookies = dict(cookies)
        forged = {"X-Forwarded-User": "admin", "X-Forwarded-Email": "admin@example.org",
                  "Remote-User": "admin", "X-Auth-Request-User": "admin",
                  "X-Ghauth-User": "admin"}
        r = anon.http("GET", "/whoami", dict(forged, Accept="application/json"))
        tap.ok(r.status == 401 and not App.seen,
               "anonymous, forged identity headers: 401, the application is not reached", r)
        # Signed in (the cookie, and the token in its header too).
        token = ((s.json() or {}).get("sessionToken") if s else None) or "none"
        r = b.http("GET", "/whoami?x=1", dict(forged, **{"X-Session-Token": token}))
        seen = App.seen[-1] if App.seen else {}
        tap.is_(r.status, 200, "the session from the first container is valid in the second")
        tap.is_((seen.get("x-forwarded-user"), seen.get("x-forwarded-email")),
                ("octocat", "octocat@github.com"),
                "the application gets the signed-in identity, not the forged one")
        tap.is_([h for h in ("remote-user", "x-auth-request-user", "x-ghauth-user",
                             "x-session-token") if h in seen], [],
                "look-alike identity headers and the session token are removed")
        tap.ok("ghauth_session" not in seen.get("cookie", ""),
               "the session cookie is kept from the application", seen.get("cookie"))
        httpd.shutdown()
        dockerd.run("rm", "-f", name)

        # 3. A configuration mistake stops the container with a message.
        r = dockerd.run("run", "--rm", "--network", "none", "-e", "GITHUB_CLIENT_ID=x",
                        "-e", "GITHUB_CLIENT_SECRET=y", "-e", "GHAUTH_REDIRECT_URI=https://x/cb",
                        "ghauth:test")
        tap.ok(r.returncode == 64 and "GITHUB_USERS is not set" in r.stderr,
               "without GITHUB_USERS the container refuses to start", r.stderr)
    except StopIteration:
        pass
    finally:
        if dockerd is not None:
            for c in containers:
                dockerd.run("rm", "-f", c)
            dockerd.run("volume", "rm", "-f", volume)
            dockerd.run("image", "prune", "-f")
            dockerd.stop()
        if mock is not None:
            mock.stop()
        ghtest.cleanup(work)
    tap.diag("container test: %.0f s in all" % (time.time() - t0))
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
