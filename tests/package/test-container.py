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
headers a client cannot forge, a configuration error that stops the
container, and container/compose.yaml with Debian's docker-compose: two
replicas sharing one Redis behind one port (a sign-in started on one replica
finishes on the other; sign-out on one ends the session on both).  Prints
how long each part took.

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
import urllib.parse

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ghtest  # noqa: E402
from ghtest import HttpBrowser, Mock, Tap  # noqa: E402
import pkglib  # noqa: E402

CACHE = os.path.join(ghtest.BUILDDIR, "tests", "container")
# What the Dockerfile installs besides the package, and the package's
# libraries (libhiredis for the Redis store); redis-server for the local
# stand-in of compose.yaml's Redis image.
INCLUDE = ("nginx,fcgiwrap,curl,ca-certificates,libcurl4,libjansson4,libgdbm6,"
           "libfcgi0ldbl,libhiredis0.14,redis-server")
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
    """A private docker daemon: no default bridge, no iptables rules, its
    own paths.  Published ports go through docker-proxy (a process that
    listens on the host), networks that compose makes are plain bridges."""

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
             "--ip-masq=false", "--log-level=error"],
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


# compose.yaml's third-party images, which no registry here can give: local
# stand-ins under the same names, built on the same Debian base (Debian's
# redis-server and nginx), so the file itself runs unchanged.  The
# application (traefik/whoami in the file) is the user's own: the test's
# override puts a header-echoing one in its place.
STANDINS = {
    "redis:7-bookworm": (
        "FROM debian:bookworm-slim\n"
        "RUN install -d -o redis -g redis -m 0750 /data\n"
        "WORKDIR /data\n"
        "USER redis\n"
        'CMD ["redis-server"]\n', None),
    "nginx:bookworm": (
        "FROM debian:bookworm-slim\n"
        "RUN rm -f /etc/nginx/sites-enabled/default && "
        "ln -sf /dev/stderr /var/log/nginx/error.log && "
        "ln -sf /dev/stdout /var/log/nginx/access.log\n"
        'CMD ["nginx", "-g", "daemon off;"]\n', None),
    "ghauth-test/app:latest": (
        "FROM nginx:bookworm\n"
        "COPY app.conf /etc/nginx/conf.d/app.conf\n",
        "server {\n"
        "\tlisten 8000;\n"
        "\tlocation / {\n"
        "\t\tdefault_type application/json;\n"
        "\t\treturn 200 '{\"user\":\"$http_x_forwarded_user\","
        "\"email\":\"$http_x_forwarded_email\",\"remote_user\":\"$http_remote_user\","
        "\"token\":\"$http_x_session_token\",\"cookie\":\"$http_cookie\"}';\n"
        "\t}\n"
        "}\n"),
}


class Forward:
    """Passes TCP connections from (host, a free port) to 127.0.0.1:port:
    how containers on a bridge network reach the mock GitHub on this host
    (TLS goes through untouched; the mock's certificate names github.test)."""

    def __init__(self, host, port):
        import socket
        self.socket = socket
        self.target = port
        self.srv = socket.socket()
        self.srv.bind((host, 0))
        self.srv.listen(32)
        self.port = self.srv.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                c, _ = self.srv.accept()
            except OSError:
                return
            try:
                u = self.socket.create_connection(("127.0.0.1", self.target), 10)
            except OSError:
                c.close()
                continue
            for a, b in ((c, u), (u, c)):
                threading.Thread(target=self.pump, args=(a, b), daemon=True).start()

    def pump(self, a, b):
        try:
            while True:
                d = a.recv(65536)
                if not d:
                    break
                b.sendall(d)
        except OSError:
            pass
        for x in (a, b):
            try:
                x.shutdown(self.socket.SHUT_RDWR)
            except OSError:
                pass

    def stop(self):
        self.srv.close()


def compose(tap, dockerd, mock, ca, work):
    """container/compose.yaml as shipped (two ghauth replicas sharing one
    Redis behind one nginx port), with a .env made from env.example and an
    override that only points ghauth at the mock GitHub and puts the test's
    application in place of the example one.  Takes everything down after."""
    t0 = time.time()
    dc = shutil.which("docker-compose", path=PATH_ENV["PATH"])
    if dc is None:
        tap.skip("compose.yaml: two replicas sharing one Redis",
                 "docker-compose is not installed (scripts/deps)")
        return
    ok = True
    for name, (dockerfile, conf) in STANDINS.items():
        d = os.path.join(work, "standin-" + name.replace("/", "-").replace(":", "-"))
        os.makedirs(d)
        with open(os.path.join(d, "Dockerfile"), "w") as f:
            f.write(dockerfile)
        if conf:
            with open(os.path.join(d, "app.conf"), "w") as f:
                f.write(conf)
        r = dockerd.run("build", "--network", "none", "-t", name, d)
        if r.returncode != 0:
            ok = False
            tap.diag((r.stdout + r.stderr)[-1500:])
    r = dockerd.run("tag", "ghauth:test", "ghauth:latest")
    if not tap.ok(ok and r.returncode == 0,
                  "compose: local stand-ins for the Redis, nginx and application images"):
        return

    proj = "ghauthtest%d" % os.getpid()
    net = proj + "-net"
    r = dockerd.run("network", "create", net)
    gw = dockerd.run("network", "inspect", "-f", "{{(index .IPAM.Config 0).Gateway}}",
                     net).stdout.strip()
    if not tap.ok(r.returncode == 0 and gw, "compose: a bridge network", r.stderr):
        return
    fwd = Forward(gw, mock.port)
    d = os.path.join(work, "compose")
    os.makedirs(d)
    for f in ("compose.yaml", "front.conf", "Dockerfile", "entrypoint", "healthcheck",
              "env.example"):
        shutil.copy2(os.path.join(ghtest.SRCDIR, "container", f), d)
    port = ghtest.free_port()
    origin = "http://localhost:%d" % port
    password = "redis-pw-%d" % os.getpid()
    values = {"GITHUB_CLIENT_ID": "test-client",
              "GITHUB_CLIENT_SECRET": "canary-SECRET-do-not-print",
              "GITHUB_USERS": "octocat", "REDIS_PASSWORD": password,
              "GHAUTH_REDIRECT_URI": origin + "/auth/github/callback",
              "GHAUTH_PORT": str(port)}
    # .env as the file's comment says: a copy of env.example, filled in.
    with open(os.path.join(d, "env.example")) as f, open(os.path.join(d, ".env"), "w") as out:
        for line in f:
            k = line.split("=", 1)[0]
            out.write("%s=%s\n" % (k, values.pop(k)) if k in values else line)
    tap.is_(sorted(values), [], "compose: env.example names every variable compose.yaml needs")
    github = "https://github.test:%d" % fwd.port
    override = {
        "services": {
            "ghauth": {
                "environment": {"GITHUB_OAUTH_URL": github + "/login/oauth",
                                "GITHUB_API_URL": github,
                                "GHAUTH_CA_FILE": "/etc/ghauth-test/ca.pem"},
                "extra_hosts": ["github.test:" + gw],
                "volumes": [ca + ":/etc/ghauth-test/ca.pem:ro"]},
            "app": {"image": "ghauth-test/app:latest",
                    "command": ["nginx", "-g", "daemon off;"]}},
        "networks": {"default": {"external": True, "name": net}}}
    with open(os.path.join(d, "test-override.yaml"), "w") as f:
        json.dump(override, f, indent=1)  # JSON is YAML
    env = dict(PATH_ENV, DOCKER_HOST="unix://" + dockerd.sock)
    base = [dc, "-p", proj, "-f", "compose.yaml", "-f", "test-override.yaml"]

    def run(*args, timeout=300):
        return subprocess.run(base + list(args), cwd=d, env=env, capture_output=True,
                              text=True, timeout=timeout)

    try:
        r = run("config", "-q")
        tap.ok(r.returncode == 0, "compose: docker-compose config accepts compose.yaml", r.stderr)
        r = run("up", "-d", "--no-build")
        if not tap.ok(r.returncode == 0, "compose: up -d", (r.stdout + r.stderr)[-2000:]):
            return
        ids = run("ps", "-q", "ghauth").stdout.split()
        ips = []
        for i in ids:
            ips.append(dockerd.run("inspect", "-f",
                                   "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
                                   i).stdout.strip())
        tap.is_(len([ip for ip in ips if ip]), 2, "compose: two ghauth replicas")
        up = wait_http(port, 60) and all(ip and wait_ip(ip, 8080) for ip in ips)
        if not tap.ok(up and len(ips) == 2, "compose: the front port and both replicas answer"):
            tap.diag(run("logs", "--no-color").stdout[-3000:])
            return

        front = "http://127.0.0.1:%d" % port
        anon = HttpBrowser(front, origin=origin, accept="application/json")
        r = anon.http("GET", "/whoami", {"X-Forwarded-User": "admin"})
        tap.ok(r.status == 401 and "admin" not in r.text(),
               "compose: anonymous, through the front port: 401", r)
        # A sign-in started on one replica and finished on the other: the
        # state is in Redis, not in a replica.
        a = HttpBrowser("http://%s:8080" % ips[0], origin=origin, accept="application/json")
        r = a.start()
        back = mock.authorize(r.header("Location") or "") if r.status == 303 else None
        b = HttpBrowser("http://%s:8080" % ips[1], origin=origin, accept="application/json")
        b.cookies = dict(a.cookies)
        r = b.callback(back) if back else r
        landing = r.header("Location") or ""
        handoff = urllib.parse.parse_qs(urllib.parse.urlsplit(landing).query).get("session")
        tap.ok(r.status == 303 and handoff,
               "compose: sign-in started on one replica, GitHub's callback on the other", r)
        f = HttpBrowser(front, origin=origin, accept="application/json")
        f.cookies = dict(b.cookies)
        s = f.session("session=" + (handoff or ["none"])[0])
        token = (s.json() or {}).get("sessionToken") or "none"
        tap.is_((s.status, (s.json() or {}).get("userName")), (200, "octocat"),
                "compose: the hand-off exchanged through the front port")
        seen = []
        for ip in ips:
            c = HttpBrowser("http://%s:8080" % ip, origin=origin, accept="application/json")
            c.cookies = dict(f.cookies)
            r = c.http("GET", "/auth")
            seen.append((r.status, (r.json() or {}).get("userName")))
        tap.is_(seen, [(200, "octocat")] * 2, "compose: both replicas know the session")
        r = f.http("GET", "/whoami", {"X-Forwarded-User": "admin", "Remote-User": "admin"})
        j = r.json() or {}
        tap.is_((r.status, j.get("user"), j.get("email"), j.get("remote_user"), j.get("token")),
                (200, "octocat", "octocat@github.com", "", ""),
                "compose: the application gets the signed-in identity, not the forged one")
        rid = run("ps", "-q", "redis").stdout.strip()
        n = dockerd.run("exec", rid, "redis-cli", "--no-auth-warning", "-a", password, "dbsize")
        noauth = dockerd.run("exec", rid, "redis-cli", "dbsize")
        tap.ok(n.stdout.strip().isdigit() and int(n.stdout) > 0 and "NOAUTH" in noauth.stdout,
               "compose: the sessions are in the password-protected Redis",
               n.stdout + n.stderr + noauth.stdout)
        r = f.http("POST", "/auth/logout", {"X-Session-Token": token, "Origin": origin})
        gone = []
        for ip in ips:
            c = HttpBrowser("http://%s:8080" % ip, origin=origin, accept="application/json")
            gone.append(c.http("GET", "/auth", {"X-Session-Token": token}).status)
        tap.is_((r.status, gone), (200, [401, 401]),
                "compose: sign-out through the front port ends the session on both replicas")
        logs = run("logs", "--no-color")
        text = logs.stdout + logs.stderr
        tap.ok(text and "canary-SECRET" not in text and token not in text,
               "compose: neither the client secret nor the session token is in the logs")
    finally:
        r = run("down", "-v", "--remove-orphans")
        tap.ok(r.returncode == 0, "compose: down -v", r.stderr[-1000:])
        fwd.stop()
        dockerd.run("network", "rm", net)
        tap.diag("container: compose %.0f s" % (time.time() - t0))


def wait_ip(ip, port, timeout=30):
    import socket
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection((ip, port), 0.5).close()
            return True
        except OSError:
            time.sleep(0.2)
    return False


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

        mock = Mock(work, ghtest.make_ca(os.path.join(work, "ca")), cert="container")
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

        # 4. compose.yaml: two replicas sharing one Redis, behind one port.
        compose(tap, dockerd, mock, ca, work)
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
