"""redislib - a private redis-server for the tests (stdlib only).

Redis(workdir) starts Debian's redis-server with its own data directory,
a unix socket (and a TCP port picked free on 127.0.0.1 when tcp=True), no
persistence unless asked, many databases (one per CGI case), and stops it
at exit.  It never touches a system Redis or port 6379.

    r = Redis(dir, tcp=True, password=None)   # started
    r.url(db=3)        unix:///.../redis.sock?db=3
    r.tcp_url(db=3)    redis://127.0.0.1:PORT/3
    r.cli("SET", "k", "v")                     # a command, its raw reply
    r.stop(); r.start()                        # same socket, port and data
"""

import atexit
import os
import shutil
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ghtest import free_port  # noqa: E402

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def available():
    return os.access(REDIS_SERVER, os.X_OK)


def _resp(args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def _read(f):
    line = f.readline()
    if not line:
        raise ConnectionError("redis closed the connection")
    t, rest = line[:1], line[1:-2]
    if t in (b"+", b"-"):
        return (t == b"-" and "ERR:" or "") + rest.decode("utf-8", "replace")
    if t == b":":
        return int(rest)
    if t == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)
        return data[:-2]
    if t == b"*":
        n = int(rest)
        return None if n < 0 else [_read(f) for _ in range(n)]
    raise ConnectionError("bad reply %r" % line)


class Redis:
    def __init__(self, workdir, tcp=False, password=None, databases=16,
                 appendonly=False, extra=()):
        self.dir = os.path.join(workdir, "redis")
        os.makedirs(self.dir, mode=0o700, exist_ok=True)
        self.sock = os.path.join(self.dir, "redis.sock")
        self.port = free_port() if tcp else 0
        self.password = password
        self.databases = databases
        self.appendonly = appendonly
        self.extra = list(extra)
        self.proc = None
        atexit.register(self.stop)
        self.start()

    def start(self):
        args = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
                "--unixsocket", self.sock, "--unixsocketperm", "700",
                "--dir", self.dir, "--save", "", "--appendonly",
                "yes" if self.appendonly else "no",
                "--databases", str(self.databases), "--daemonize", "no",
                "--logfile", os.path.join(self.dir, "redis.log")]
        if self.password:
            args += ["--requirepass", self.password]
        args += self.extra
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("redis-server exited %d: see %s" % (
                    self.proc.returncode, os.path.join(self.dir, "redis.log")))
            try:
                if self.cli("PING") == "PONG":
                    return
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def pause(self):
        """SIGSTOP: connections are accepted by the kernel, never answered."""
        os.kill(self.proc.pid, 19)

    def resume(self):
        os.kill(self.proc.pid, 18)

    def url(self, db=0, userinfo=None):
        u = "unix://%s%s" % (userinfo + "@" if userinfo else "", self.sock)
        return u + ("?db=%d" % db if db else "")

    def tcp_url(self, db=0, userinfo=None):
        return "redis://%s127.0.0.1:%d%s" % (userinfo + "@" if userinfo else "",
                                            self.port, "/%d" % db if db else "")

    def cli(self, *args, db=0):
        """One command on a fresh connection (AUTH first when needed)."""
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(10)
        s.connect(self.sock)
        f = s.makefile("rb")
        try:
            if self.password:
                s.sendall(_resp(["AUTH", self.password]))
                _read(f)
            if db:
                s.sendall(_resp(["SELECT", str(db)]))
                _read(f)
            s.sendall(_resp(list(args)))
            return _read(f)
        finally:
            f.close()
            s.close()
