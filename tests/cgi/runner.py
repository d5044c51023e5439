#!/usr/bin/env python3
"""runner.py - the data-driven CGI test runner of ghauth (TAP output).

Each case is a folder tests/cgi/cases/<endpoint>/<NN-name>/; the format is
described in tests/cgi/README.md.  For every step of a case the runner makes
the environment from the case's `env` file (and nothing else: env -i), runs
the built CGI program, parses its response and checks the case's `expect`
lines, plus the invariants every response must meet.  One TAP line per check.

Usage: runner.py [--selftest] [CASE-FILTER...]   (normally via run.sh)
  --selftest   run tests/cgi/selftest-cases/ instead: cases whose checks
               must FAIL (each kind of check, each invariant, can fail).
  CASE-FILTER  run only cases whose "<endpoint>/<name>" contains one of them.

Environment: abs_top_srcdir, abs_top_builddir (set by `make check`; default
to this file's tree), GHAUTH_TEST_KEEP=1 keeps the temporary directories,
GHAUTH_TEST_VERBOSE=1 prints every response as TAP comments,
GHAUTH_CGI_WRAPPER="cmd args..." runs every built program under that command
(tests/faults/valgrind-cgi.sh uses it for valgrind).
GHAUTH_TEST_STORE=redis runs every case on a Redis store instead of a GDBM
file: the runner starts its own redis-server (tests/lib/redislib.py) and
gives each case its own database, so @STORE@ is unix://.../redis.sock?db=N.
Cases with `requires gdbm` (file modes, locks, damaged files) are skipped.
"""

import base64
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.environ.get("abs_top_srcdir") or os.path.dirname(os.path.dirname(HERE))
BUILDDIR = os.environ.get("abs_top_builddir") or SRCDIR
SEED = os.path.join(BUILDDIR, "tests", "tools", "seed")
LIBSH = os.path.join(SRCDIR, "tests", "cgi", "lib.sh")
PROGRAM_TIMEOUT = 20
STORE_KIND = os.environ.get("GHAUTH_TEST_STORE", "gdbm")
REDIS = None        # the runner's redis-server in redis mode
REDIS_DB = [0]      # the last database given to a case

sys.path.insert(0, os.path.join(SRCDIR, "tests", "lib"))
from ghtest import Tap  # noqa: E402  (the one TAP helper)

SECRET = "canary-SECRET-do-not-print"
CLIENT_ID = "test-client"
NTOKENS = 9

# The configuration a case gets unless it has `config` or `config.merge`.
DEFAULT_CONFIG = {
    "auth": {
        "enabled": True,
        "github": {
            "client_id": CLIENT_ID,
            "client_secret": "@SECRET@",
            "redirect_uri": "http://localhost:8080/auth/github/callback",
            "oauth_url": "https://127.0.0.1:9",
            "api_url": "https://127.0.0.1:9",
        },
        "store": "@STORE@",
    }
}

INVARIANTS = ("exit", "wellformed", "no-store", "header-canary",
              "body-canary", "stderr-canary", "stderr-format")


class CaseError(Exception):
    """A mistake in the case data (reported as a failing TAP line)."""


# ---- placeholders and escapes ---------------------------------------------

PH_RE = re.compile(r"@(REPEAT:(\d+):([^@]*)|([A-Z][A-Z0-9_]*)(\[(-?\d*):(-?\d*)\])?)@")


def substitute(text, values, regex=False):
    """Replaces @NAME@, @NAME[a:b]@ and @REPEAT:n:text@ in text.

    With regex set, the inserted values are escaped for a regular
    expression (the text around them is a regex already)."""
    def rep(m):
        if m.group(2) is not None:
            v = m.group(3) * int(m.group(2))
        else:
            name = m.group(4)
            if name not in values:
                raise CaseError("unknown placeholder @%s@" % name)
            v = values[name]
            if m.group(5):
                a = int(m.group(6)) if m.group(6) else None
                b = int(m.group(7)) if m.group(7) else None
                v = v[a:b]
        return re.escape(v) if regex else v
    return PH_RE.sub(rep, text)


def placeholders_named(text):
    return set(m.group(4) for m in PH_RE.finditer(text) if m.group(4))


ESC_RE = re.compile(r"\\(x[0-9a-fA-F]{2}|.)", re.S)


def unescape(text):
    """\\r \\n \\t \\\\ \\xHH to bytes; anything else after \\ is an error."""
    out = bytearray()
    pos = 0
    for m in ESC_RE.finditer(text):
        out += text[pos:m.start()].encode("utf-8")
        e = m.group(1)
        if e[0] == "x" and len(e) == 3:
            out.append(int(e[1:], 16))
        elif e in ("r", "n", "t", "\\"):
            out += {"r": b"\r", "n": b"\n", "t": b"\t", "\\": b"\\"}[e]
        else:
            raise CaseError("unknown escape \\%s" % e)
        pos = m.end()
    if "\\" in text[pos:]:
        raise CaseError("lone backslash at the end")
    out += text[pos:].encode("utf-8")
    return bytes(out)


def data_lines(path):
    """Non-blank lines of a case file that are not # comments."""
    with open(path, encoding="utf-8") as f:
        for raw in f.read().splitlines():
            if raw.strip() == "" or raw.lstrip().startswith("#"):
                continue
            yield raw


def deep_merge(base, patch):
    """patch into base (JSON objects); a null in patch deletes the key."""
    for k, v in patch.items():
        if v is None:
            base.pop(k, None)
        elif isinstance(v, dict) and isinstance(base.get(k), dict):
            deep_merge(base[k], v)
        else:
            base[k] = v
    return base


def new_token():
    return base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()


# ---- the response ----------------------------------------------------------

class Response:
    """A CGI response, parsed strictly; problems are kept, not raised."""

    def __init__(self, out, err, rc):
        self.raw = out
        self.stderr = err.decode("utf-8", "replace")
        self.rc = rc
        self.headers = []      # (name, value) in order
        self.body = b""
        self.problems = []
        sep = out.find(b"\r\n\r\n")
        if sep < 0:
            self.problems.append("no CRLF CRLF between headers and body")
            head, self.body = out, b""
        else:
            head, self.body = out[:sep], out[sep + 4:]
        lines = head.split(b"\r\n") if head else []
        for i, l in enumerate(lines):
            if b"\n" in l or b"\r" in l:
                self.problems.append("bare CR or LF in header line %d" % i)
            if b":" not in l:
                self.problems.append("header line %d has no colon: %r" % (i, l[:60]))
                continue
            name, _, value = l.partition(b":")
            if not re.match(rb"^[A-Za-z0-9-]+$", name):
                self.problems.append("bad header name %r" % name[:60])
            if not value.startswith(b" "):
                self.problems.append("no space after colon in %r" % name)
            try:
                self.headers.append((name.decode("ascii"),
                                     value[1:].decode("ascii")))
            except UnicodeDecodeError:
                self.problems.append("non-ASCII header %r" % name[:60])
        if not self.headers or self.headers[0][0] != "Status":
            self.problems.append("first header is not Status")
        else:
            m = re.match(r"^(\d{3}) \S", self.headers[0][1])
            self.status = int(m.group(1)) if m else None
            if not m:
                self.problems.append("bad Status value %r" % self.headers[0][1])
        if len(self.get("Status")) > 1:
            self.problems.append("more than one Status")
        cl = self.get("Content-Length")
        if len(cl) != 1 or not cl[0].isdigit() or int(cl[0]) != len(self.body):
            self.problems.append("Content-Length %r but body has %d bytes" %
                                 (cl, len(self.body)))

    status = None

    def get(self, name):
        return [v for n, v in self.headers if n.lower() == name.lower()]

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise CaseError("body is not JSON (%s): %r" % (e, self.body[:200]))

    def show(self):
        return (self.raw.decode("utf-8", "replace") +
                "\n--- stderr ---\n" + self.stderr + "--- exit %s ---" % self.rc)


# ---- running a case --------------------------------------------------------

class Case:
    def __init__(self, root, endpoint, name, tap, selftest):
        self.dir = os.path.join(root, endpoint, name)
        self.id = "%s/%s" % (endpoint, name)
        self.endpoint = endpoint
        self.tap = tap
        self.selftest = selftest
        self.tmp = None
        self.values = {}
        self.canaries = {}      # placeholder name -> value that must not leak
        self.pgids = []

    def path(self, f):
        return os.path.join(self.dir, f)

    def has(self, f):
        return os.path.isfile(self.path(f))

    def steps(self):
        if self.has("env"):
            return [""]
        nums = sorted(int(m.group(1)) for m in
                      (re.match(r"^(\d+)\.env$", f) for f in os.listdir(self.dir))
                      if m)
        if not nums:
            raise CaseError("no env file")
        return ["%d." % n for n in nums]

    def requirements(self):
        """Returns a reason to skip, or None."""
        if not self.has("requires"):
            return None
        for l in data_lines(self.path("requires")):
            w = l.split()
            if w[0] == "nonroot" and os.geteuid() == 0:
                return "needs a non-root user (root ignores file modes)"
            if w[0] == "cmd" and shutil.which(w[1]) is None:
                return "%s not installed" % w[1]
            if w[0] == "gdbm" and STORE_KIND != "gdbm":
                return "needs the GDBM store (%s)" % " ".join(w[1:])
        return None

    def shell_env(self):
        e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C",
             "SEED": SEED, "LIBSH": LIBSH, "PYTHON": sys.executable}
        if self.tmp:
            for f in ("HEADERS", "BODY", "STDERR"):
                e[f] = os.path.join(self.tmp, ".last." + f.lower())
        for k, v in self.values.items():
            e[k] = v
        return e

    def run_script(self, script, background_ok=True):
        """Runs a shell script file of the case in its own process group;
        background children (a lock holder) live on until the case ends."""
        out = os.path.join(self.tmp, ".script.out")
        with open(out, "ab") as o:
            p = subprocess.Popen(
                ["/bin/sh", "-c", 'umask 077; . "$LIBSH"; . "$1"', "sh", script],
                cwd=self.tmp, env=self.shell_env(), stdin=subprocess.DEVNULL,
                stdout=o, stderr=o, start_new_session=True)
            self.pgids.append(p.pid)
            rc = p.wait(timeout=60)
        if rc != 0:
            with open(out, "rb") as f:
                raise CaseError("%s exited %d:\n%s" % (
                    os.path.basename(script), rc, f.read().decode("utf-8", "replace")))

    def sh(self, command):
        p = subprocess.run(["/bin/sh", "-c", 'umask 077; . "$LIBSH"; ' + command],
                           cwd=self.tmp, env=self.shell_env(),
                           stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=60)
        return p.returncode, (p.stdout + p.stderr).decode("utf-8", "replace")

    def seed(self, args):
        p = subprocess.run([SEED, self.values["STORE"]] + args,
                           capture_output=True, timeout=60, env=self.shell_env())
        return p.returncode, p.stdout.decode("utf-8", "replace"), \
            p.stderr.decode("utf-8", "replace")

    def cleanup(self):
        for pg in self.pgids:
            try:
                os.killpg(pg, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass
        if self.tmp and not os.environ.get("GHAUTH_TEST_KEEP"):
            # Cases make files read-only; make sure they can be removed.
            for d, dirs, _ in os.walk(self.tmp):
                for x in dirs:
                    p = os.path.join(d, x)
                    if not os.path.islink(p):
                        os.chmod(p, 0o700)
            shutil.rmtree(self.tmp, ignore_errors=True)
        elif self.tmp:
            self.tap.diag("kept %s" % self.tmp)

    def store(self):
        if REDIS is None:
            return os.path.join(self.tmp, "store.db")
        REDIS_DB[0] += 1
        return REDIS.url(db=REDIS_DB[0])

    def prepare(self):
        self.tmp = tempfile.mkdtemp(prefix="ghauth-cgi-")
        os.chmod(self.tmp, 0o700)
        self.values = {
            "TMP": self.tmp,
            "STORE": self.store(),
            "CONFIG": os.path.join(self.tmp, "ghauth.json"),
            "CASE": self.dir,
            "SECRET": SECRET,
            "CLIENT_ID": CLIENT_ID,
            "BUILDDIR": BUILDDIR,
        }
        for i in range(1, NTOKENS + 1):
            t = new_token()
            self.values["TOKEN%d" % i] = t
            self.canaries["TOKEN%d" % i] = t
        self.canaries["SECRET"] = SECRET
        if self.has("config"):
            with open(self.path("config"), encoding="utf-8") as f:
                text = f.read()
        else:
            cfg = json.loads(json.dumps(DEFAULT_CONFIG))
            if self.has("config.merge"):
                with open(self.path("config.merge"), encoding="utf-8") as f:
                    try:
                        deep_merge(cfg, json.load(f))
                    except ValueError as e:
                        raise CaseError("config.merge: %s" % e)
            text = json.dumps(cfg, indent=1)
        with open(self.values["CONFIG"], "w", encoding="utf-8") as f:
            f.write(substitute(text, self.values))
        os.chmod(self.values["CONFIG"], 0o600)

    def program(self, p):
        # N.program, else the case's program, else the endpoint's.
        f = p + "program" if self.has(p + "program") else "program"
        if self.has(f):
            name = substitute(next(data_lines(self.path(f))).strip(),
                              self.values)
        else:
            name = self.endpoint
        if "/" in name:
            return (["/bin/sh", name] if name.endswith(".sh") else [name]), name
        wrapper = shlex.split(os.environ.get("GHAUTH_CGI_WRAPPER", ""))
        return wrapper + [os.path.join(BUILDDIR, "cgi-bin", name)], name

    def environment(self, p):
        env = {}
        for l in data_lines(self.path(p + "env")):
            if "=" not in l:
                raise CaseError("env line without '=': %r" % l)
            k, _, v = l.partition("=")
            if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", k):
                raise CaseError("bad variable name %r" % k)
            b = unescape(substitute(v, self.values))
            if b"\0" in b:
                raise CaseError("%s: NUL cannot be put in the environment" % k)
            if k.encode() in env:
                raise CaseError("variable %s set twice" % k)
            env[k.encode()] = b
        return env

    # -- expectations --

    def run(self):
        reason = self.requirements()
        if reason:
            self.tap.skip(self.id, reason)
            return
        try:
            self.prepare()
            steps = self.steps()
            if self.has("setup"):
                self.run_script(self.path("setup"))
            for p in steps:
                self.run_step(p, len(steps) > 1)
        except CaseError as e:
            self.tap.ok(False, "%s: case error" % self.id, str(e))
        except subprocess.TimeoutExpired as e:
            self.tap.ok(False, "%s: timeout" % self.id, str(e))
        finally:
            self.cleanup()

    def run_step(self, p, multi):
        label = "%s%s" % (self.id, " [step %s]" % p[:-1] if multi else "")
        if self.has(p + "setup") and p:
            self.run_script(self.path(p + "setup"))
        argv, progname = self.program(p)
        env = self.environment(p)
        stdin = b""
        if self.has(p + "stdin"):
            with open(self.path(p + "stdin"), "rb") as f:
                stdin = f.read()
        expect = list(data_lines(self.path(p + "expect"))) \
            if self.has(p + "expect") else []
        if not os.access(argv[-1] if argv[0] != "/bin/sh" else "/bin/sh", os.X_OK):
            raise CaseError("program %s not built" % argv)
        proc = subprocess.run(argv, env=env, input=stdin, capture_output=True,
                              cwd=self.tmp, timeout=PROGRAM_TIMEOUT)
        r = Response(proc.stdout, proc.stderr, proc.returncode)
        # The last response, for `sh` lines: $HEADERS, $BODY, $STDERR.
        env_sh = self.shell_env()
        with open(env_sh["HEADERS"], "w") as f:
            f.write("".join("%s: %s\n" % hv for hv in r.headers))
        with open(env_sh["BODY"], "wb") as f:
            f.write(r.body)
        with open(env_sh["STDERR"], "wb") as f:
            f.write(proc.stderr)
        if os.environ.get("GHAUTH_TEST_VERBOSE"):
            self.tap.diag("%s:\n%s" % (label, r.show()))

        # Captures first, so later lines of this step may use them.  Values
        # seen before this step are canaries in its headers; a value
        # captured now is a canary in its stderr only.
        header_canaries = dict(self.canaries)
        inverted = set()
        checks = []
        for l in expect:
            w = l.split(None, 1)
            if w[0] == "capture":
                self.capture(l, r, label)
            elif w[0] == "invariant-fails":
                if not self.selftest:
                    raise CaseError("invariant-fails only in selftest cases")
                inverted.add(w[1].strip())
            else:
                checks.append(l)
        named = set()
        for l in checks:
            if l.startswith("header "):
                named |= placeholders_named(l)
        for n in named:
            header_canaries.pop(n, None)

        inv = self.invariants(r, header_canaries, progname)
        for name in INVARIANTS:
            ok, diag = inv[name]
            if name in inverted:
                self.tap.ok(not ok, "%s: invariant %s fails (selftest)" %
                            (label, name))
            else:
                self.tap.ok(ok, "%s: %s" % (label, name),
                            (diag or "") + "\n" + r.show() if not ok else None)

        for l in checks:
            must_fail = False
            if l.startswith("!"):
                if not self.selftest:
                    raise CaseError("'!' (must fail) only in selftest cases")
                must_fail, l = True, l[1:].lstrip()
            try:
                ok, diag = self.check(l, r)
            except CaseError as e:
                ok, diag = False, "case error: %s" % e
                if must_fail:
                    must_fail = False   # a broken line never counts as a pass
            except re.error as e:
                ok, diag = False, "bad regex: %s" % e
                must_fail = False
            if must_fail:
                self.tap.ok(not ok, "%s: must fail: %s" % (label, l))
            else:
                self.tap.ok(ok, "%s: %s" % (label, l),
                            (diag or "") + "\n" + r.show() if not ok else None)

    def capture(self, l, r, label):
        m = re.match(r"^capture\s+([A-Z][A-Z0-9_]*)\s+(header\s+(\S+)|body|stderr)\s+(.*)$", l)
        if not m:
            raise CaseError("bad capture line: %r" % l)
        name, what, hname, rx = m.group(1), m.group(2), m.group(3), m.group(4)
        rx = substitute(rx, self.values, regex=True)
        if hname:
            hay = "\n".join(r.get(hname))
        elif what == "body":
            hay = r.body.decode("utf-8", "replace")
        else:
            hay = r.stderr
        mm = re.search(rx, hay, re.M)
        if not mm or mm.lastindex is None:
            raise CaseError("%s: capture %s: no match for %r in %r\n%s" %
                            (label, name, rx, hay[:300], r.show()))
        self.values[name] = mm.group(1)
        self.canaries[name] = mm.group(1)

    def invariants(self, r, header_canaries, progname):
        res = {}
        res["exit"] = (r.rc == 0, "exit status %s" % r.rc)
        res["wellformed"] = (not r.problems, "; ".join(r.problems))
        cc = r.get("Cache-Control")
        res["no-store"] = (cc == ["no-store"], "Cache-Control: %r" % cc)

        def leaks(text, canaries):
            found = []
            for n, v in canaries.items():
                # A 12-character piece is enough to count as a leak.
                w = min(12, len(v))
                if any(v[i:i + w] in text for i in range(len(v) - w + 1)):
                    found.append(n)
            return found
        heads = "\n".join("%s: %s" % hv for hv in r.headers)
        bad = leaks(heads, header_canaries)
        res["header-canary"] = (not bad, "header carries %s" % bad)
        bad = leaks(r.body.decode("utf-8", "replace"), {"SECRET": SECRET})
        res["body-canary"] = (not bad, "body carries %s" % bad)
        bad = leaks(r.stderr, self.canaries)
        res["stderr-canary"] = (not bad, "stderr carries %s" % bad)
        # Every stderr line is one of ours (no libc, sanitizer or curl noise).
        prefix = "ghauth[%s]: " % os.path.basename(progname).replace(".sh", "")
        stray = [l for l in r.stderr.splitlines() if not l.startswith(prefix)]
        res["stderr-format"] = (not stray, "stray stderr lines: %r" % stray[:5])
        return res

    def check(self, l, r):
        """Returns (ok, diagnostic) for one expectation line."""
        w = l.split(None, 1)
        d, arg = w[0], (w[1] if len(w) > 1 else "")
        S = lambda s: substitute(s, self.values)                 # noqa: E731
        R = lambda s: substitute(s, self.values, regex=True)     # noqa: E731

        if d == "status":
            want = int(arg)
            return r.status == want, "status %s, want %d" % (r.status, want)

        if d in ("header", "noheader", "header-count"):
            m = re.match(r"^(\S+)(?:\s+(.*))?$", arg)
            if not m:
                raise CaseError("%s needs a header name" % d)
            name, rx = m.group(1), m.group(2)
            vals = r.get(name)
            if d == "header-count":
                return len(vals) == int(rx), "%d %s headers: %r" % (len(vals), name, vals)
            if d == "header":
                if rx is None:
                    raise CaseError("header needs a regex (use . for any)")
                ok = any(re.search(R(rx), v) for v in vals)
                return ok, "%s: %r does not match %r" % (name, vals, R(rx))
            if rx is None:
                return not vals, "unexpected %s: %r" % (name, vals)
            bad = [v for v in vals if re.search(R(rx), v)]
            return not bad, "%s matching %r: %r" % (name, R(rx), bad)

        if d == "body":
            m = re.match(r"^(~|!~|=)\s?(.*)$", arg)
            if not m:
                raise CaseError("body needs ~, !~ or =")
            text = r.body.decode("utf-8", "replace")
            if m.group(1) == "=":
                want = unescape(S(m.group(2)))
                return r.body == want, "body %r, want %r" % (r.body[:300], want)
            found = re.search(R(m.group(2)), text, re.S) is not None
            return found == (m.group(1) == "~"), "body: %r" % text[:400]

        if d == "body-empty":
            return r.body == b"", "body %r" % r.body[:200]

        if d == "body-ascii":
            bad = [b for b in r.body if b > 0x7e or (b < 0x20 and b not in (9, 10, 13))]
            return not bad, "non-ASCII or control bytes %r" % bytes(bad[:20])

        if d == "body-json-keys":
            j = r.json()
            want = sorted(arg.split())
            got = sorted(j.keys()) if isinstance(j, dict) else None
            return got == want, "keys %r, want %r" % (got, want)

        if d in ("body-json", "body-json-type"):
            j = r.json()
            m = re.match(r"^(\S+)\s+(.*)$", arg)
            if not m:
                raise CaseError("%s needs a key and a value" % d)
            key, rest = m.group(1), m.group(2)
            if not isinstance(j, dict) or key not in j:
                return False, "no key %r in %r" % (key, j)
            v = j[key]
            if d == "body-json-type":
                types = {"string": str, "null": type(None), "boolean": bool,
                         "object": dict, "array": list}
                if rest == "integer":
                    ok = isinstance(v, int) and not isinstance(v, bool)
                elif rest in types:
                    ok = isinstance(v, types[rest])
                else:
                    raise CaseError("unknown JSON type %r" % rest)
                return ok, "%s is %r, want %s" % (key, v, rest)
            if rest.startswith("~ ") or rest.startswith("!~ "):
                neg = rest.startswith("!")
                rx = R(rest.split(None, 1)[1])
                if not isinstance(v, str):
                    return False, "%s is %r, not a string" % (key, v)
                return (re.search(rx, v) is None) == neg, "%s: %r vs %r" % (key, v, rx)
            try:
                want = json.loads(S(rest))
            except ValueError as e:
                raise CaseError("body-json value is not JSON: %s" % e)
            return v == want and type(v) == type(want), "%s: %r, want %r" % (key, v, want)

        if d == "store":
            rc, out, err = self.seed(["count"])
            got = dict(kv.split("=") for kv in out.split())
            want = dict(kv.split("=") for kv in arg.split())
            bad = {k: (got.get(k), v) for k, v in want.items() if got.get(k) != v}
            return rc == 0 and not bad, "store %s (got, want) %r %s" % (out.strip(), bad, err)

        if d == "seed":
            m = re.match(r"^(.*?)\s+(~|!~)\s+(.*)$", arg)
            if not m:
                raise CaseError("seed needs ARGS ~ REGEX")
            args = [S(a) for a in m.group(1).split()]
            rc, out, err = self.seed(args)
            found = re.search(R(m.group(3)), out) is not None
            return rc == 0 and found == (m.group(2) == "~"), \
                "seed %s: rc %d, output %r %s" % (" ".join(args), rc, out, err)

        if d == "stderr":
            m = re.match(r"^(~|!~)\s+(.*)$", arg)
            if not m:
                raise CaseError("stderr needs ~ or !~")
            # Per log line: ^ and $ match at line boundaries.
            found = re.search(R(m.group(2)), r.stderr, re.M) is not None
            return found == (m.group(1) == "~"), "stderr: %r" % r.stderr[:600]

        if d == "sh":
            rc, out = self.sh(arg)
            return rc == 0, "exit %d: %s" % (rc, out)

        raise CaseError("unknown expectation %r" % d)


def main(argv):
    selftest = "--selftest" in argv
    filters = [a for a in argv if not a.startswith("--")]
    root = os.path.join(SRCDIR, "tests", "cgi", "selftest-cases" if selftest else "cases")
    tap = Tap()
    if not os.access(SEED, os.X_OK):
        print("1..0 # SKIP %s not built (run make check)" % SEED)
        return 0
    if STORE_KIND == "redis":
        global REDIS
        import redislib
        if not redislib.available():
            print("1..0 # SKIP redis-server not installed")
            return 0
        rdir = tempfile.mkdtemp(prefix="ghauth-cgi-redis-")
        REDIS = redislib.Redis(rdir, databases=2000)
        tap.diag("store: redis-server on %s, one database per case" % REDIS.sock)
    elif STORE_KIND != "gdbm":
        print("Bail out! GHAUTH_TEST_STORE must be gdbm or redis")
        return 1
    for endpoint in sorted(os.listdir(root)):
        if not os.path.isdir(os.path.join(root, endpoint)):
            continue
        for name in sorted(os.listdir(os.path.join(root, endpoint))):
            if not os.path.isdir(os.path.join(root, endpoint, name)):
                continue
            cid = "%s/%s" % (endpoint, name)
            if filters and not any(f in cid for f in filters):
                continue
            Case(root, endpoint, name, tap, selftest).run()
    tap.done()
    if REDIS is not None:
        REDIS.stop()
        shutil.rmtree(os.path.dirname(REDIS.dir), ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
