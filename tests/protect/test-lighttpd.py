#!/usr/bin/env python3
"""docs/PROTECT.md on lighttpd, end to end: docs/servers/lighttpd.conf (the
four programs) with docs/servers/protect-lighttpd.conf pasted after it, as
the docs say - a static file and a shell CGI behind the guard, signed in
and signed out, traversal attempts refused - and the three examples of
docs/PROTECT.md (C API, shell and Perl with ghauth-check) as ordinary CGIs.
lighttpd runs as the user that starts it, and so do the CGIs.  Prints TAP;
skipped without lighttpd."""

import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import protect  # noqa: E402
from protect import leaks  # noqa: E402
from ghtest import Tap  # noqa: E402

# The examples as plain CGIs: not part of the recipe, only of this test.
APP = """
# ---- test only: the examples of docs/PROTECT.md as ordinary CGIs ----------
$HTTP["url"] =~ "^/app/" {
	cgi.assign = ( ".cgi" => "" )
	setenv.add-environment = (
		"GHAUTH_CONFIG" => "%(config)s",
		"PATH"          => "%(path)s",
	)
}
"""


def main():
    tap = Tap()
    lighttpd = protect.which("lighttpd")
    if not lighttpd:
        print("1..0 # SKIP lighttpd not installed")
        return 0
    # lighttpd (this recipe) runs as whoever starts it: so do the CGIs.
    site = protect.Site("lighttpd", user=protect.web_user() if os.geteuid() != 0 else "root")
    n = "lighttpd"
    try:
        site.write_config()
        site.seed_all()
        cgibin = os.path.join(site.dir, "cgi-bin")
        os.makedirs(cgibin)
        for p in ("github", "callback", "session", "logout", "guard"):
            shutil.copy(os.path.join(protect.BUILD, "cgi-bin", p), os.path.join(cgibin, p))
        with open(os.path.join(site.docroot, "index.html"), "w") as f:
            f.write("public\n")
        area = os.path.join(site.docroot, "private")
        site.make_area(area)
        app = os.path.join(site.docroot, "app")
        os.makedirs(app)
        for src, dst in ((protect.WHOAMI, "whoami-c.cgi"),
                         (os.path.join(protect.EXAMPLES, "whoami.sh"), "whoami-sh.cgi"),
                         (os.path.join(protect.EXAMPLES, "whoami.pl"), "whoami-pl.cgi")):
            shutil.copy(src, os.path.join(app, dst))
            os.chmod(os.path.join(app, dst), 0o755)
        base = protect.render("lighttpd.conf", os.path.join(site.dir, "base.conf"),
                              PORT=site.port, DOCROOT=site.docroot, RUNDIR=site.run,
                              CGIBINDIR=cgibin, CONFIG=site.config)
        snippet = protect.render("protect-lighttpd.conf", os.path.join(site.dir, "protect.conf"),
                                 AREAURL="/private", AREA=area, CGIBINDIR=cgibin,
                                 CONFIG=site.config)
        conf = os.path.join(site.dir, "lighttpd.conf")
        with open(conf, "w") as out:
            for part in (base, snippet):
                with open(part) as f:
                    out.write(f.read() + "\n")
            out.write(APP % {"config": site.config, "path": protect.SERVER_ENV["PATH"]})
        r = subprocess.run([lighttpd, "-tt", "-f", conf], env=protect.SERVER_ENV,
                           capture_output=True, text=True)
        tap.is_(r.returncode, 0, "%s: lighttpd -tt accepts lighttpd.conf + protect-lighttpd.conf" % n)
        if r.returncode:
            tap.diag(r.stdout + r.stderr)
        if not tap.ok(site.start([lighttpd, "-D", "-f", conf], "lighttpd.out", ready=site.listening),
                      "%s: lighttpd started" % n):
            site.diag_logs(tap)
            return tap.done()
        out = protect.exercise(tap, site, n, "/private")
        out += protect.examples(tap, site, n, "/app")
        tap.is_(leaks(site, out), [], "%s: signed out, no protected byte anywhere" % n)
        r = site.get("GET", "/private/notes.txt/extra", dict(protect.API, **protect.cookie(protect.TOKEN)))
        tap.ok(r.status == 404 and not leaks(site, [r]),
               "%s: a path below a file (PATH_INFO) is not served" % n, r)
        r = site.get("GET", "/index.html")
        tap.is_(r.status, 200, "%s: the rest of the site stays public" % n)
    finally:
        if tap.failed:
            site.diag_logs(tap)
        site.cleanup()
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
