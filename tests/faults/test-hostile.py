#!/usr/bin/env python3
"""Hostile requests the data-driven CGI cases (tests/cgi/cases) do not
already cover, run against all five programs (TAP):

- methods: lower case, OPTIONS, TRACE, CONNECT, WebDAV, empty, padded,
  with control bytes, very long;
- a body on GET, CONTENT_LENGTH larger than the body with stdin left open,
  CONTENT_LENGTH lies on every program;
- CR, LF, other control bytes and their encodings in every input
  variable: never a split header, a forged log line or a 5xx;
- bad and partial percent-encoding, encoded NUL/CR/LF, duplicate and
  encoded keys, in every parameter of every program;
- oversized values in every input variable, thousands of variables;
- GitHub names with bidi overrides, zero-width and combining characters,
  from the mock GitHub end to end: the session JSON, the allowlist's
  access-denied page (HTML and JSON), logins GitHub never allows;
- proxy and TLS variables in the environment (httpoxy and friends),
  against a listening fake proxy;
- the canary: every secret the mock saw and every token or hand-off the
  programs issued, only where it belongs.
"""

import os
import re
import socket
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402
from faultlib import ghtest  # noqa: E402
from ghtest import Mock, Tap, write_config  # noqa: E402

rec = fl.Recorder()
canary = fl.Canary()
ALLOW = {"github": "GET", "callback": "GET", "session": "GET", "auth": "GET", "logout": "POST"}
WANT = {"github": "GET", "callback": "GET", "session": "GET", "auth": "GET", "logout": "POST"}
tried = {}


def count(what, n=1):
    tried[what] = tried.get(what, 0) + n


def wellformed(r):
    """Status first, CRLF line ends, Content-Length right, no split header."""
    head, sep, body = r.raw.partition(b"\r\n\r\n")
    if not sep or not head.startswith(b"Status: "):
        return False
    for line in head.split(b"\r\n"):
        if b"\n" in line or b"\r" in line or not re.match(rb"^[A-Za-z0-9-]+: [\x20-\x7e]*$", line):
            return False
    cl = r.header("Content-Length")
    return cl is not None and int(cl) == len(body)


def log_ok(r, prog):
    return all(l.startswith("ghauth[%s]: " % prog) and all(0x20 <= ord(c) < 0x7f for c in l)
               for l in r.stderr.splitlines())


def methods(tap, conf, seeded):
    bad = ["get", "Get", "post", "OPTIONS", "TRACE", "CONNECT", "PATCH", "PUT", "DELETE",
           "PROPFIND", "MKCOL", "", " ", "GET ", " GET", "GET\t", "G ET", "GET\r\n",
           "GET\nX-Injected: 1", "\x7f", "\x1b[31mGET", "M" * 4000, "GET,POST", "\u00c9T"]
    probs = []
    for prog in fl.PROGRAMS:
        for m in bad + (["HEAD", "GET"] if prog == "logout" else ["HEAD", "POST"]):
            e = fl.env(conf, m, headers={"X-Session-Token": seeded, "Origin": "http://localhost:8080"})
            r = fl.run(prog, e, rec=rec)
            count("methods")
            ok = (r.rc == 0 and r.status == 405 and r.header("Allow") == ALLOW[prog] and
                  wellformed(r) and not r.all("Set-Cookie") and r.header("Location") is None
                  and log_ok(r, prog))
            if not ok:
                probs.append((prog, m[:20], r.rc, r.status, r.header("Allow")))
    tap.is_(probs, [], "methods: every unknown, lower-case, padded or odd method is 405 + Allow, "
            "no cookie, no redirect")
    # And nothing was written: the logout did not happen, no state was made.
    r = fl.check_session(conf, seeded, rec=rec)
    tap.is_(r.status, 200, "methods: the session survived every refused logout")


def bodies(tap, conf, seeded, store):
    # A body on GET is ignored, whatever CONTENT_LENGTH says.
    probs = []
    for prog in ("github", "session", "callback"):
        e = fl.env(conf, headers={"X-Session-Token": seeded})
        base = fl.run(prog, e, rec=rec).status
        for cl, body in (("20", b"x" * 20), ("5", b"0123456789" * 100), ("100000", b"short"),
                         ("0", b"ignored"), (None, b"no length\0with NUL")):
            e2 = dict(e)
            if cl is not None:
                e2["CONTENT_LENGTH"] = cl
                e2["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
            r = fl.run(prog, e2, stdin=body, rec=rec)
            count("bodies")
            if r.rc != 0 or r.status != base or not wellformed(r):
                probs.append((prog, cl, r.rc, r.status, base))
    tap.is_(probs, [], "body on GET: ignored (same answer as without), even with a NUL or a lying CONTENT_LENGTH")

    # CONTENT_LENGTH larger than the body, stdin never closed: no hang.
    slow = []
    for prog, cl, want in (("logout", "1000", 200), ("logout", "1024", 200),
                           ("logout", "5000", 413), ("session", "500", 200),
                           ("github", "999999", 303), ("callback", "77", 400)):
        t = fl.token()
        fl.seed_session(store, t, fl.ident(9, "cl"))
        canary.add("session", t)
        e = fl.env(conf, WANT[prog], headers={"X-Session-Token": t}, CONTENT_LENGTH=cl)
        t0 = time.monotonic()
        p = subprocess.Popen([os.path.join(fl.CGI, prog)], env=e, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
        timer = threading.Timer(5, p.kill)
        timer.start()
        try:
            p.stdin.write(b"tiny")
            p.stdin.flush()
        except BrokenPipeError:
            pass        # answered (and gone) before the body was even sent
        out = p.stdout.read()       # stdin stays open until the answer is in
        err = p.stderr.read()
        dt = time.monotonic() - t0
        timer.cancel()
        try:
            p.stdin.close()
        except BrokenPipeError:
            pass
        p.wait()
        r = fl.Response(out, err, p.returncode)
        rec.add(prog, r)
        count("bodies")
        if dt > 2 or r.rc != 0 or r.status != want:
            slow.append((prog, cl, r.rc, r.status, want, round(dt, 2)))
    tap.is_(slow, [], "CONTENT_LENGTH larger than the body, stdin left open: answered at once, "
            "the body never waited for")

    # CONTENT_LENGTH lies on every program.
    probs = []
    for prog in fl.PROGRAMS:
        for cl in ("abc", "-1", "+5", "1e3", " 5", "5 ", "0x10", "5\t", "\u0665",
                   "99999999999999999999", "18446744073709551617", "1,2"):
            e = fl.env(conf, WANT[prog], headers={"X-Session-Token": seeded}, CONTENT_LENGTH=cl)
            r = fl.run(prog, e, stdin=b"abc", rec=rec)
            count("content-length")
            if r.rc != 0 or r.status is None or r.status >= 500 or not wellformed(r) or \
                    r.status not in (400, 413):
                probs.append((prog, cl, r.rc, r.status))
    tap.is_(probs, [], "CONTENT_LENGTH that is not a plain decimal: 400 from every program, never a 5xx")
    r = fl.check_session(conf, seeded, rec=rec)
    tap.is_(r.status, 200, "CONTENT_LENGTH lies: no logout happened")


CTL = ["a\r\nX-Injected: 1", "\nX-Injected: 1", "\rX-Injected: 1", "a\r\n\r\n<html>",
       "%0d%0aX-Injected:%201", "%0D%0A%0D%0A", "\x1b[2J\x1b[31mred", "\x7f", "\x0b\x0c\x08",
       "\xc0\x8a", "\u2028\u2029", "\u0085X-Injected: 1", "\t", "%00", "%E5%98%8A%E5%98%8D"]
VARS = ["QUERY_STRING", "HTTP_COOKIE", "HTTP_ACCEPT", "HTTP_ORIGIN", "HTTP_SEC_FETCH_SITE",
        "HTTP_X_SESSION_TOKEN", "PATH_INFO", "CONTENT_LENGTH", "HTTPS", "HTTP_HOST",
        "HTTP_REFERER", "SERVER_NAME", "CONTENT_TYPE", "HTTP_USER_AGENT"]


def control_bytes(tap, conf, seeded):
    probs = []
    for prog in fl.PROGRAMS:
        for var in VARS:
            for v in CTL:
                e = fl.env(conf, WANT[prog], headers={"X-Session-Token": seeded if prog != "logout" else fl.token()})
                e[var] = v if var != "QUERY_STRING" else {
                    "github": "redirect=/", "callback": "state=", "session": "session=",
                    "auth": "session=", "logout": "x="}[prog] + v
                r = fl.run(prog, e, rec=rec)
                count("control bytes")
                bad = (r.rc != 0 or r.status is None or r.status >= 500 or not wellformed(r)
                       or r.header("X-Injected") is not None or not log_ok(r, prog)
                       or b"<html>" in r.body)
                if bad:
                    probs.append((prog, var, v[:12], r.rc, r.status))
    tap.is_(probs, [], "CR, LF, NUL-escapes and control bytes in 14 variables x 15 values x 5 "
            "programs: no split or injected header, no forged log line, no 5xx")


PCT = ["%", "%4", "%G1", "%%", "%0", "%ZZ", "%u202e", "%C0%AF", "%00", "%0d%0a", "%2", "a%",
       "%%41", "%E2%80%AE", "%ff", "+", "%2B", "%25", "%252e", "%F0%9F", "%C3", "%ED%A0%80",
       "%E2%80%8B", "\u202e", "\u200b", "e\u0301"]


# What a kept redirect may be: a same-site path, nothing that could leave
# the origin or break out of an attribute.
CLEAN_PATH = re.compile(r"^/(?![/\\])[A-Za-z0-9._~!$&()*+,;=:@%/?-]*$")


def percent(tap, conf, store):
    probs = []
    allowed = {"github": (303, 400), "callback": (400, 403), "session": (400, 401),
               "auth": (400, 401)}
    keys = {"github": ["redirect"], "callback": ["state", "code", "error"], "session": ["session"],
            "auth": ["session"]}
    for prog, ks in keys.items():
        for k in ks:
            for v in PCT:
                for q in (k + "=" + v, k + "=/" + v, k + "=" + fl.token()[:40] + v,
                          k + "=" + v + "&" + k + "=" + v):
                    e = fl.env(conf, headers={"Cookie": "ghauth_state=" + fl.token()})
                    e["QUERY_STRING"] = q
                    r = fl.run(prog, e, rec=rec)
                    count("percent-encoding")
                    bad = r.rc != 0 or r.status not in allowed[prog] or not wellformed(r)
                    if prog == "github" and r.status == 303:
                        st = fl.seed(store, "get", "st", r.all("Set-Cookie")[0].split(";")[0].split("=", 1)[1])[1]
                        kept = st.rsplit(" redirect=", 1)[-1]
                        count("redirects kept" if kept != "-" else "redirects dropped")
                        bad = bad or "&" + k + "=" in q or \
                            (kept != "-" and not CLEAN_PATH.match(kept))
                    if bad:
                        probs.append((prog, q[:40], r.rc, r.status))
    tap.is_(probs, [], "bad, partial and hostile percent-encoding in every parameter: 4xx, never "
            "a 5xx; a redirect is kept only as a clean same-site path")
    # Duplicate, encoded and odd keys.
    state = fl.token()
    odd = {
        "github": ["redirect=/a&redirect=/a", "redirect=/a&Redirect=/b", "%72edirect=/a",
                   "redirect=/a;redirect=/b", "=x", "&&&", "redirect", "redirect=/a&&redirect=/b"],
        "callback": ["state=%s&state=%s&code=abc" % (state, state), "code=a&code=a&state=" + state,
                     "%73tate=" + state + "&code=abc", "state=%s;code=abc" % state,
                     "state=%s&code=abc&error=x&error=y" % state, "state[]=%s&code=abc" % state,
                     "STATE=%s&CODE=abc" % state],
        "session": ["session=%s&session=%s" % (state, state), "%73ession=" + state,
                    "session[]=" + state, "Session=" + state, "session=%s;session=%s" % (state, state)],
    }
    odd["auth"] = odd["session"]
    probs = []
    for prog, qs in odd.items():
        for q in qs:
            e = fl.env(conf, headers={"Cookie": "ghauth_state=" + state})
            e["QUERY_STRING"] = q
            r = fl.run(prog, e, rec=rec)
            count("duplicate/odd keys")
            if r.rc != 0 or r.status not in allowed[prog] or \
                    (prog == "github" and r.status == 303 and "redirect" in q and "=/a" in q and
                     "=/b" not in q and "&" in q):
                probs.append((prog, q[:40], r.status))
    tap.is_(probs, [], "duplicate, encoded and odd parameter names: refused or ignored, never 5xx")


def oversized(tap, conf, seeded):
    probs = []
    sizes = (5000, 70000, 120000)
    for prog in fl.PROGRAMS:
        for var in ("QUERY_STRING", "HTTP_COOKIE", "HTTP_ACCEPT", "HTTP_ORIGIN", "HTTP_SEC_FETCH_SITE",
                    "HTTP_X_SESSION_TOKEN", "PATH_INFO", "HTTP_X_JUNK", "CONTENT_TYPE",
                    "HTTP_USER_AGENT", "GHAUTH_CONFIG_JUNK"):
            for n in sizes:
                e = fl.env(conf, WANT[prog], headers={"X-Session-Token": seeded if prog != "logout" else fl.token()})
                e[var] = ("session=" if var == "QUERY_STRING" else "") + "A" * n
                r = fl.run(prog, e, rec=rec)
                count("oversized")
                if r.rc != 0 or r.status is None or r.status >= 500 or not wellformed(r) or \
                        r.elapsed > 2 or len(r.raw) > 20000:
                    probs.append((prog, var, n, r.rc, r.status))
        e = fl.env(conf, WANT[prog], headers={"X-Session-Token": seeded if prog != "logout" else fl.token()})
        for i in range(3000):
            e["HTTP_X_H%d" % i] = "v" * 20
        r = fl.run(prog, e, rec=rec)
        count("oversized")
        if r.rc != 0 or r.status is None or r.status >= 500:
            probs.append((prog, "3000 variables", r.status))
    tap.is_(probs, [], "oversized values (5 KB to 120 KB) in 11 variables, and 3000 variables: "
            "4xx or ignored, answered at once, never a 5xx")


# ---- names from GitHub ---------------------------------------------------------------

HOSTILE_NAMES = {
    "bidi-user": "\u202eevil\u202c \u2066isolate\u2069 \u200fRTL\u200e \u05e9\u05dc\u05d5\u05dd "
                 "\u0645\u0631\u062d\u0628\u0627",
    "zero-width": "\u200b\u200c\u200d\u2060\ufeffzw\u200bsp\u00ad",
    "combining": "Z\u0335\u0321\u0353a\u0336l\u0337g\u0338o\u0335 e\u0301\u0301\u0301\u0301",
    "html_name": "<img src=x onerror=alert(1)>\"'&amp;</script><!--",
    "mixed-1": "\U0001F469\u200d\U0001F4BB \U0001F3F3\ufe0f\u200d\U0001F308 \u0085NEL\u009bCSI "
               "\u2028\u2029 \\ \"q\" \ud7ff\ue000\uffff",
}


def names(tap, work, mock):
    store = os.path.join(work, "names.db")
    conf = write_config(os.path.join(work, "names.json"), store, mock)
    mock.reset()
    probs, n = [], 0
    for i, (login, name) in enumerate(HOSTILE_NAMES.items()):
        email = "x\u202e%d@example.com" % i
        mock.control("users", {"login": login, "id": 9100 + i, "name": name, "email": email})
        b = fl.FBrowser(conf, rec=rec)
        out = b.sign_in(mock, login)
        r = out.get("session")
        n += 1
        j = r.json() if r else None
        ok = (r is not None and r.status == 200 and all(0x20 <= c < 0x7f for c in r.body)
              and not re.search(rb"[<>&]", r.body) and j is not None
              and (j.get("userName"), j.get("displayName"), j.get("email")) == (login, name, email))
        if not ok:
            probs.append((login, r))
        # Once more through a plain check of the stored record.
        r2 = fl.check_session(conf, b.cookies.get("ghauth_session", ""), rec=rec)
        if r2.status != 200 or r2.json() != j:
            probs.append((login, "check", r2.status))
    tap.is_(probs, [], "bidi, RTL-override, zero-width, combining and HTML names from GitHub: "
            "session JSON is ASCII, escaped, and round-trips exactly")
    count("github names", n)

    # Control characters or NUL in a display name never block a sign-in
    # (issue 10): each becomes a space, and the JSON stays plain ASCII.
    probs = []
    for login, name, shown in (("ctl-name", "a\x1b[31mred", "a [31mred"),
                               ("nul-name", "a\u0000b", "a b"),
                               ("cr-name", "a\r\nb", "a  b"),
                               ("tab-name", "Tab\there", "Tab here"),
                               ("bel-name", "Bell\x07ring", "Bell ring"),
                               ("lf-name", "Line\nbreak", "Line break"),
                               ("trail-tab", "trailing\t", "trailing "),
                               ("del-name", "a\u0085b\u007f", "a\u0085b ")):
        mock.control("users", {"login": login, "name": name})
        b = fl.FBrowser(conf, rec=rec, accept="application/json")
        out = b.sign_in(mock, login)
        r = out.get("session")
        count("github names")
        if r is None or r.status != 200 or not b.cookies.get("ghauth_session") or \
                not all(0x20 <= c < 0x7f for c in r.body) or \
                (r.json() or {}).get("displayName") != shown:
            probs.append((login, out.get("callback"), r))
    tap.is_(probs, [], "control bytes or NUL in a GitHub name: signed in, "
            "each control character shown as a space")

    # Logins GitHub never allows: refused whole, never reflected.
    probs = []
    for login in ("adm\u202enimda", "\u00fcnicode", "a<b>", "x'y", "a b", "evil\u200b", "o\u0301",
                  "a" * 65, "a&amp;b", "a\"b", "a/../b", "a%0d%0a"):
        mock.control("users", {"login": login, "name": "N"})
        for accept in ("text/html", "application/json"):
            b = fl.FBrowser(conf, rec=rec, accept=accept)
            out = b.sign_in(mock, login)
            cb = out.get("callback")
            count("github names")
            text = cb.text() if cb else ""
            if cb is None or cb.status != 502 or b.cookies.get("ghauth_session") or \
                    login in text or login in (cb.stderr if cb else "") or \
                    "Unexpected answer from GitHub" not in text:
                probs.append((login, accept, cb))
    tap.is_(probs, [], "a login outside [A-Za-z0-9_-] (bidi, zero-width, HTML, quotes, too long): "
            "502, no session, not reflected in the page or the log")

    # The access-denied page reflects the login only, escaped.
    conf2 = write_config(os.path.join(work, "denied.json"), store, mock,
                         github={"restrict_to": "octocat"})
    hostile = "<script>alert(1)</script>\u202e\"'&\u200b"
    mock.control("users", {"login": "Evil_Login-1", "name": hostile, "email": "e@evil.example"})
    b = fl.FBrowser(conf2, rec=rec)
    out = b.sign_in(mock, "Evil_Login-1")
    r = out.get("callback")
    text = r.text() if r else ""
    count("github names", 2)
    tap.ok(r is not None and r.status == 403 and
           "User &#39;Evil_Login-1&#39; is not authorized to access this application." in text,
           "access denied page (HTML): names the login, quotes escaped", r)
    tap.ok(r is not None and "alert(1)" not in text and "<script" not in text and "\u202e" not in text
           and "e@evil.example" not in text and all(ord(c) < 0x7f for c in text),
           "access denied page (HTML): nothing but the login from GitHub, ASCII only", text)
    tap.ok(r is not None and "default-src 'none'" in (r.header("Content-Security-Policy") or "")
           and r.header("X-Content-Type-Options") == "nosniff"
           and (r.header("Content-Type") or "").startswith("text/html; charset=utf-8"),
           "access denied page (HTML): CSP default-src 'none', nosniff, charset")
    b = fl.FBrowser(conf2, rec=rec, accept="application/json")
    out = b.sign_in(mock, "Evil_Login-1")
    r = out.get("callback")
    tap.ok(r is not None and r.status == 403 and r.body ==
           b'{"error":"Access denied. User \'Evil_Login-1\' is not authorized to access this application.",'
           b'"responseStatus":{"errorCode":"Forbidden","message":"Access denied. User \'Evil_Login-1\' is'
           b' not authorized to access this application."}}',
           "access denied (JSON): exactly the message with the login", r)
    tap.ok(not b.cookies.get("ghauth_session"), "access denied: no session")
    canary.learn_mock(mock)


# ---- httpoxy and other environment -------------------------------------------------

class FakeProxy:
    """Counts the connections made to it."""

    def __init__(self):
        self.s = socket.socket()
        self.s.bind(("127.0.0.1", 0))
        self.s.listen(64)
        self.port = self.s.getsockname()[1]
        self.hits = 0
        self.t = threading.Thread(target=self.loop, daemon=True)
        self.t.start()

    def loop(self):
        while True:
            try:
                c, _ = self.s.accept()
            except OSError:
                return
            self.hits += 1
            c.close()

    def close(self):
        self.s.close()


def environment(tap, work, mock):
    store = os.path.join(work, "env.db")
    conf = write_config(os.path.join(work, "env.json"), store, mock)
    proxy = FakeProxy()
    url = "http://127.0.0.1:%d" % proxy.port
    keylog = os.path.join(work, "keylog.txt")
    extra = {"HTTP_PROXY": url, "http_proxy": url, "HTTPS_PROXY": url, "https_proxy": url,
             "ALL_PROXY": url, "all_proxy": url, "NO_PROXY": "", "no_proxy": "",
             "SSLKEYLOGFILE": keylog, "SSL_CERT_FILE": "/nonexistent", "SSL_CERT_DIR": "/nonexistent",
             "CURL_CA_BUNDLE": "/nonexistent", "CURL_SSL_BACKEND": "gnutls",
             "OPENSSL_CONF": "/nonexistent", "HOME": work, "CURL_HOME": work,
             "LANG": "tr_TR.UTF-8", "LC_ALL": "tr_TR.UTF-8", "TZ": "../../etc/passwd"}
    with open(os.path.join(work, ".curlrc"), "w") as f:
        f.write("proxy = %s\ninsecure\n" % url)
    mock.reset()
    b = fl.FBrowser(conf, rec=rec, extra_env=extra)
    out = b.sign_in(mock, "octocat")
    proxy.close()
    s = out.get("session")
    tap.is_(s and s.status, 200, "proxy, TLS and locale variables in the environment: sign-in works")
    tap.is_(proxy.hits, 0, "httpoxy: no connection to the proxy named in HTTP_PROXY, http_proxy, "
            "HTTPS_PROXY, ALL_PROXY or ~/.curlrc")
    tap.ok(not os.path.exists(keylog), "SSLKEYLOGFILE ignored: no TLS keys written")
    tap.ok(all(log_ok(r, r.program) for r in b.log),
           "hostile environment: the log holds only ghauth lines")
    count("environment", len(extra))
    canary.learn_mock(mock)


def main():
    tap = Tap()
    work = ghtest.tmpdir("ghauth-hostile-")
    mock = Mock(work, ghtest.make_ca(os.path.join(work, "ca")))
    t0 = time.time()
    try:
        store = os.path.join(work, "h.db")
        conf = write_config(os.path.join(work, "h.json"), store, mock)
        seeded = fl.token()
        canary.add("session", seeded)
        fl.seed_session(store, seeded, fl.ident(1, "hostile"))
        for f in (lambda: methods(tap, conf, seeded),
                  lambda: bodies(tap, conf, seeded, store),
                  lambda: control_bytes(tap, conf, seeded),
                  lambda: percent(tap, conf, store),
                  lambda: oversized(tap, conf, seeded),
                  lambda: names(tap, work, mock),
                  lambda: environment(tap, work, mock)):
            t1 = time.time()
            f()
            if os.environ.get("GHAUTH_TEST_VERBOSE"):
                tap.diag("(%.1fs)" % (time.time() - t1))
        canary.add("github", "canary-SECRET-do-not-print")
        canary.learn_mock(mock)
        fl.canary_report(tap, canary, rec, "this file")
    finally:
        mock.stop()
        ghtest.cleanup(work)
    tap.diag("hostile inputs tried: %s; %d requests in %.0fs" % (
        ", ".join("%s %d" % kv for kv in sorted(tried.items())), len(rec.items), time.time() - t0))
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
