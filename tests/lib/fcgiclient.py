"""fcgiclient - a minimal FastCGI client (responder role) for the tests,
and a way to start a program the way a FastCGI server does: with a
listening socket as its standard input.  Stdlib only; never installed."""

import os
import socket
import struct
import subprocess

BEGIN, ABORT, END, PARAMS, STDIN, STDOUT, STDERR = 1, 2, 3, 4, 5, 6, 7


def _rec(rtype, rid, content=b""):
    pad = (8 - len(content) % 8) % 8
    return struct.pack(">BBHHBx", 1, rtype, rid, len(content), pad) + content + b"\0" * pad


def _nv(name, value):
    out = b""
    for x in (name, value):
        n = len(x)
        out += struct.pack(">B", n) if n < 128 else struct.pack(">I", n | 0x80000000)
    return out + name + value


def spawn(program, sockpath, env=None):
    """Starts program with a listening unix socket on fd 0."""
    if os.path.exists(sockpath):
        os.unlink(sockpath)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(sockpath)
    s.listen(64)
    p = subprocess.Popen([program], stdin=s.fileno(), stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, env=env or {}, close_fds=True)
    s.close()
    return p


def request(sockpath, params, stdin=b"", rid=1, timeout=30):
    """One request; returns (stdout bytes, stderr bytes, app status)."""
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.settimeout(timeout)
    c.connect(sockpath)
    msg = _rec(BEGIN, rid, struct.pack(">HB5x", 1, 0))
    body = b"".join(_nv(k.encode(), v.encode() if isinstance(v, str) else v)
                    for k, v in params.items())
    for i in range(0, len(body), 65535):
        msg += _rec(PARAMS, rid, body[i:i + 65535])
    msg += _rec(PARAMS, rid)
    for i in range(0, len(stdin), 65535):
        msg += _rec(STDIN, rid, stdin[i:i + 65535])
    msg += _rec(STDIN, rid)
    c.sendall(msg)
    out, err, status = b"", b"", None
    buf = b""
    while status is None:
        data = c.recv(65536)
        if not data:
            break
        buf += data
        while len(buf) >= 8:
            _, rtype, _, clen, pad = struct.unpack(">BBHHBx", buf[:8])
            if len(buf) < 8 + clen + pad:
                break
            content = buf[8:8 + clen]
            buf = buf[8 + clen + pad:]
            if rtype == STDOUT:
                out += content
            elif rtype == STDERR:
                err += content
            elif rtype == END:
                status = struct.unpack(">I", content[:4])[0]
    c.close()
    return out, err, status
