#!/usr/bin/env python3
"""make install into a staging directory (DESTDIR), check what landed where
with which modes, run the whole sign-in flow from the installed programs,
then make uninstall and check it removed everything it installed."""

import os
import stat
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import ghtest  # noqa: E402
from ghtest import Browser, Mock, Tap, write_config  # noqa: E402


def make(*args):
    return subprocess.run([os.environ.get("MAKE", "make"), "-s", "-C", ghtest.BUILDDIR] + list(args),
                          capture_output=True, text=True)


def files_under(root):
    out = set()
    for d, _, fs in os.walk(root):
        for f in fs:
            out.add(os.path.relpath(os.path.join(d, f), root))
    return out


def main():
    tap = Tap()
    work = ghtest.tmpdir()
    dest = os.path.join(work, "stage")
    prefix = os.path.join(work, "prefix")
    # Reconfigure-free: override the install dirs on the make command line.
    dirs = ["prefix=" + prefix, "exec_prefix=" + prefix]
    r = make("install", "DESTDIR=" + dest, *dirs)
    tap.ok(r.returncode == 0, "make install DESTDIR=... succeeds", r.stderr[-2000:])
    root = dest + prefix
    cgibin = os.path.join(root, "libexec/ghauth/cgi-bin")
    for p in ("github", "callback", "session", "auth", "logout"):
        path = os.path.join(cgibin, p)
        tap.ok(os.path.isfile(path) and os.access(path, os.X_OK), "installed program %s" % p)
    for f in ("index.html", "app.js", "ghauth/client.js", "ghauth/elements.js", "ghauth/ghauth.css"):
        tap.ok(os.path.isfile(os.path.join(root, "share/ghauth/htdocs", f)), "installed htdocs/%s" % f)
    ex = os.path.join(root, "etc/ghauth/ghauth.json.example")
    tap.ok(os.path.isfile(ex), "installed the example config")
    with open(ex) as f:
        text = f.read()
    tap.ok(os.path.join(prefix, "var/lib/ghauth/ghauth.db") in text, "example config names the installed store directory")
    sd = os.path.join(root, "var/lib/ghauth")
    tap.ok(os.path.isdir(sd) and stat.S_IMODE(os.stat(sd).st_mode) == 0o700, "store directory created with mode 0700")
    tap.ok(not os.path.exists(os.path.join(root, "etc/ghauth/ghauth.json")), "no live config is installed (only the example)")
    # The man pages name this installation's paths, and man ghauth finds one.
    man = os.path.join(root, "share/man")
    tap.ok(os.path.isfile(os.path.join(man, "man7/ghauth.7")), "installed ghauth(7), the overview")
    pages = {}
    for d, _, fs in os.walk(man):
        for f in fs:
            with open(os.path.join(d, f), errors="replace") as fh:
                pages[f] = fh.read()
    stale = sorted(f for f, t in pages.items() if "/usr/local/" in t)
    tap.is_(stale, [], "no installed man page names /usr/local (the default prefix, not this one)")
    want = {"ghauth-github.8": os.path.join(prefix, "etc/ghauth/ghauth.json"),
            "ghauth.json.5": os.path.join(prefix, "var/lib/ghauth/ghauth.db"),
            "ghauth.7": os.path.join(prefix, "libexec/ghauth/cgi-bin")}
    tap.is_(sorted(f for f, path in want.items() if path not in pages.get(f, "")), [],
            "installed man pages name this installation's config, store and cgi-bin paths")

    # The flow from the installed copy.
    mock = Mock(work, ghtest.make_ca(os.path.join(work, "ca")))
    try:
        conf = write_config(os.path.join(work, "ghauth.json"), os.path.join(sd, "ghauth.db"), mock)
        b = Browser(conf, cgidir=cgibin)
        out = b.sign_in(mock, "octocat")
        s = out.get("session")
        tap.is_((s.status, (s.json() or {}).get("userName")) if s else None, (200, "octocat"),
                "sign-in flow through the installed programs")
        r = b.logout({"Origin": "http://localhost:8080"})
        tap.is_(r.status, 200, "logout through the installed program")
        tap.is_(b.session().status, 401, "session gone after logout")
    finally:
        mock.stop()
    for f in os.listdir(sd):
        os.unlink(os.path.join(sd, f))

    r = make("uninstall", "DESTDIR=" + dest, *dirs)
    tap.ok(r.returncode == 0, "make uninstall succeeds", r.stderr[-2000:])
    left = files_under(dest)
    tap.is_(sorted(left), [], "make uninstall removed every installed file")
    tap.ok(not os.path.exists(sd), "make uninstall removed the empty store directory")
    ghtest.cleanup(work)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
