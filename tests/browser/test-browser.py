#!/usr/bin/env python3
"""Real-browser tests: headless Chromium (Debian's /usr/bin/chromium) driven
by playwright-core (tests/browser/flows.mjs) against real lighttpd, rendered
from the recipe docs/servers/lighttpd.conf, the five CGI programs, and the
mock GitHub, whose Authorize page the browser reaches over plain http on
loopback (--http-port, config github.authorize_url).

This script sets everything up, runs `node flows.mjs`, and passes its TAP
lines through (renumbered, with the plan at the end).  Screenshots go to
$GHAUTH_ARTIFACTS, else <builddir>/tests/artifacts/browser/.  The temporary
work directory (configs, logs, store) is kept on failure or with
GHAUTH_KEEP_WORKDIR=1.

Skips (1..0 # SKIP) only when Chromium, node, lighttpd or
tests/browser/node_modules/playwright-core (`npm ci` in tests/browser) is
missing."""

import json
import os
import re
import shutil
import subprocess
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import ghtest  # noqa: E402
from ghtest import Mock, Tap, write_config  # noqa: E402
import webserver  # noqa: E402

CHROMIUM = os.environ.get("GHAUTH_CHROMIUM", "/usr/bin/chromium")
HERE = os.path.join(ghtest.SRCDIR, "tests", "browser")
NODE_MODULES = os.path.join(HERE, "node_modules")
# Seconds for all the browser flows (about 60 s on a quiet machine, with the
# team-restricted site; several times that under load).
WATCHDOG = int(os.environ.get("GHAUTH_BROWSER_TIMEOUT") or 360)


def skip(why):
    print("1..0 # SKIP %s" % why, flush=True)
    sys.exit(0)


def start_lighttpd(work, docroot, config):
    """Renders docs/servers/lighttpd.conf and starts lighttpd on a free
    port (a few tries: the port is picked before lighttpd binds it).
    Returns its webserver.Servers and the port."""
    servers = webserver.Servers(work, work, dict(os.environ))
    said = ""
    for _ in range(5):
        port = webserver.free_port()
        conf = webserver.render("lighttpd.conf", os.path.join(work, "lighttpd.conf"),
                                PORT=port, DOCROOT=docroot, RUNDIR=work,
                                CGIBINDIR=os.path.join(ghtest.BUILDDIR, "cgi-bin"),
                                CONFIG=config)
        ok, said = webserver.start_lighttpd(servers, conf, port, timeout=10)
        if ok:
            return servers, port
        servers.stop()
    raise RuntimeError("lighttpd did not start (see %s): %s" % (work, said))


def main():
    if not os.access(CHROMIUM, os.X_OK):
        skip("no Chromium at %s (apt-get install chromium)" % CHROMIUM)
    node = shutil.which("node") or shutil.which("nodejs")
    if not node:
        skip("no node (apt-get install nodejs npm)")
    if not os.path.isfile(os.path.join(NODE_MODULES, "playwright-core", "package.json")):
        skip("no %s/playwright-core (run: cd tests/browser && npm ci)" % NODE_MODULES)
    if not webserver.which("lighttpd"):
        skip("no lighttpd (apt-get install lighttpd)")

    artifacts = os.environ.get("GHAUTH_ARTIFACTS") or os.path.join(
        ghtest.BUILDDIR, "tests", "artifacts", "browser")
    os.makedirs(artifacts, exist_ok=True)
    # Only the screenshots this test makes (NN-name.png, fail-N.png).
    for old in os.listdir(artifacts):
        if re.match(r"^(\d\d[a-z]?-[a-z0-9-]+|fail-\d+)\.png$", old):
            os.unlink(os.path.join(artifacts, old))

    tap = Tap()
    work = ghtest.tmpdir("ghauth-browser-")
    mock = httpd = None
    keep = False
    try:
        cadir = ghtest.make_ca(os.path.join(work, "ca"))
        mock = Mock(work, cadir, http_port=0)
        mock.reset()
        docroot = os.path.join(work, "htdocs")
        shutil.copytree(os.path.join(ghtest.SRCDIR, "htdocs"), docroot)
        with open(os.path.join(docroot, "demo.json"), "w") as f:
            json.dump({"mockGitHub": True}, f)
        store = os.path.join(work, "store", "ghauth.db")
        os.makedirs(os.path.dirname(store), mode=0o700)
        config = os.path.join(work, "ghauth.json")
        # The port is known only once lighttpd runs: write a placeholder
        # config first, then the real one (the CGIs read it per request).
        write_config(config, store, mock)
        httpd, port = start_lighttpd(work, docroot, config)
        origin = "http://localhost:%d" % port
        write_config(config, store, mock, github={
            "redirect_uri": origin + "/auth/github/callback",
            "authorize_url": mock.http_base + "/login/oauth/authorize",
            # mallory is not on it; "unicode" has a name full of markup.
            "restrict_to": "octocat alice unicode",
        })
        tap.diag("lighttpd on %s, mock GitHub on %s (authorize page %s)" % (
            origin, mock.base, mock.http_base))

        env = dict(os.environ)
        env.update({
            "GHAUTH_ORIGIN": origin,
            "GHAUTH_MOCK_HTTP_BASE": mock.http_base,
            "GHAUTH_CONFIG_FILE": config,
            "GHAUTH_ARTIFACTS": artifacts,
            "GHAUTH_CHROMIUM": CHROMIUM,
            "GHAUTH_NODE_MODULES": NODE_MODULES,
            # flows.mjs loads playwright-core from GHAUTH_NODE_MODULES
            # (createRequire: ES modules ignore NODE_PATH); this is for
            # anything run with require() on the way.
            "NODE_PATH": NODE_MODULES,
        })
        p = subprocess.Popen([node, os.path.join(HERE, "flows.mjs")], cwd=HERE,
                             env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
        # A watchdog: a hung browser must not hang `make check`.  SIGTERM
        # first: playwright-core then closes Chromium (it runs in a process
        # group of its own, so a SIGKILLed node would leave it behind).
        fired = []

        def overdue():
            fired.append(True)
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        watchdog = threading.Timer(WATCHDOG, overdue)
        watchdog.start()
        finished = False
        point = re.compile(r"^(not ok|ok)\b\s*(?:\d+\s*)?(?:-\s*)?(.*)$")
        try:
            for line in p.stdout:
                line = line.rstrip("\n")
                m = point.match(line)
                if m:
                    desc, _, why = m.group(2).partition(" # SKIP")
                    if why:
                        tap.skip(desc, why.strip())
                    else:
                        tap.ok(m.group(1) == "ok", desc)
                elif line == "# flows: done":
                    finished = True
                elif line.startswith("#"):
                    print(line, flush=True)
                elif line.strip():
                    print("# " + line, flush=True)
            rc = p.wait()
        finally:
            watchdog.cancel()
        tap.ok(finished and rc in (0, 1) and not fired,
               "the browser flows ran to the end, within %d s" % WATCHDOG,
               "node exit status %s%s" % (rc, ", stopped by the watchdog" if fired else ""))

        # The server side saw no crash: lighttpd's error log, and its stderr,
        # where the CGI programs' own log lines (and any sanitizer report) go.
        text = ""
        for name in ("lighttpd-error.log", "lighttpd.out"):
            f = os.path.join(work, name)
            if os.path.exists(f):
                with open(f, errors="replace") as fh:
                    text += fh.read()
        bad = [ln for ln in text.splitlines()
               if re.search(r"(?i)sanitizer|segmentation|signal|core dump|"
                            r"aborted|crashed|died", ln)]
        tap.ok(not bad, "no CGI program crashed behind lighttpd", "\n".join(bad[:20]))
        keep = keep or bool(tap.failed)
    except Exception as e:  # setup failed: say so in TAP
        tap.ok(False, "browser test setup", "%s: %s" % (type(e).__name__, e))
        keep = True
    finally:
        if httpd is not None:
            httpd.stop()
        if mock is not None:
            mock.stop()
    tap.diag("screenshots: %s" % artifacts)
    if keep or os.environ.get("GHAUTH_KEEP_WORKDIR"):
        tap.diag("work directory kept: %s" % work)
    else:
        ghtest.cleanup(work)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
