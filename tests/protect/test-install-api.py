#!/usr/bin/env python3
"""The C API as its users get it: make install into a staging directory
(DESTDIR) puts the header, libghauth.a, ghauth.pc, ghauth-check, the guard,
auth-request and their manual pages in place; then docs/examples/whoami.c
is compiled exactly as its comment says,
    cc -o whoami.cgi whoami.c $(pkg-config --cflags --libs ghauth)
against that staged installation (PKG_CONFIG_SYSROOT_DIR), and run as a CGI
program signed in and signed out.  It must not need libcurl.  Prints TAP."""

import os
import pwd
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import protect  # noqa: E402
import ghtest  # noqa: E402
from ghtest import Tap  # noqa: E402


def make_env():
    """A make of our own, not a part of the make check that runs us."""
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):
        env.pop(k, None)
    return env


def make_var(name):
    r = subprocess.run([os.environ.get("MAKE", "make"), "-s", "--no-print-directory",
                        "-C", ghtest.BUILDDIR, "-f", "Makefile", "-f", "-", "print-var",
                        "V=" + name], input="print-var:\n\t@echo $($(V))\n",
                       capture_output=True, text=True, env=make_env())
    return r.stdout.strip()


def main():
    tap = Tap()
    if not shutil.which("pkg-config"):
        print("1..0 # SKIP pkg-config not installed")
        return 0
    work = ghtest.tmpdir("ghauth-api-")
    stage = os.path.join(work, "stage")
    try:
        run(tap, work, stage)
    finally:
        ghtest.cleanup(work)
    return tap.done()


def run(tap, work, stage):
    r = subprocess.run([os.environ.get("MAKE", "make"), "-s", "-C", ghtest.BUILDDIR, "install",
                        "DESTDIR=" + stage], capture_output=True, text=True, env=make_env())
    if not tap.ok(r.returncode == 0, "make install DESTDIR=...", r.stderr[-2000:]):
        return
    dirs = dict((v, make_var(v)) for v in ("libdir", "includedir", "bindir", "cgibindir",
                                           "mandir", "pkgconfigdir"))
    root = lambda d, *p: os.path.join(stage + dirs[d], *p)  # noqa: E731
    tap.ok(os.path.isfile(root("includedir", "ghauth.h")), "installed ghauth.h in includedir")
    tap.ok(os.path.isfile(root("libdir", "libghauth.a")), "installed libghauth.a in libdir")
    tap.ok(os.path.isfile(root("pkgconfigdir", "ghauth.pc")), "installed ghauth.pc in pkgconfigdir")
    tap.ok(os.access(root("bindir", "ghauth-check"), os.X_OK), "installed ghauth-check in bindir")
    for p in ("guard", "auth-request"):
        tap.ok(os.access(root("cgibindir", p), os.X_OK), "installed %s in cgibindir" % p)
    for m in ("man1/ghauth-check.1", "man3/ghauth_identify.3", "man8/ghauth-guard.8",
              "man8/ghauth-auth-request.8"):
        tap.ok(os.path.isfile(root("mandir", m)), "installed %s" % m)
    with open(root("includedir", "ghauth.h")) as f:
        hdr = f.read()
    tap.ok('#include "' not in hdr, "the installed header includes only system headers")

    env = dict(os.environ, PKG_CONFIG_SYSROOT_DIR=stage,
               PKG_CONFIG_PATH=root("pkgconfigdir"))
    pc = subprocess.run(["pkg-config", "--cflags", "--libs", "ghauth"], env=env,
                        capture_output=True, text=True)
    tap.ok(pc.returncode == 0 and "-lghauth" in pc.stdout and "-lgdbm" in pc.stdout and
           "-ljansson" in pc.stdout and "-lhiredis" in pc.stdout and "curl" not in pc.stdout,
           "pkg-config --cflags --libs ghauth: -lghauth, Jansson, GDBM and hiredis, no libcurl",
           pc)
    src = os.path.join(protect.EXAMPLES, "whoami.c")
    exe = os.path.join(work, "whoami.cgi")
    cc = os.environ.get("CC", "cc")
    # A sanitizer build installs an instrumented library: its users must
    # link the sanitizer runtimes too (the documented line, plus that).
    ldd = subprocess.run(["ldd", os.path.join(ghtest.BUILDDIR, "cgi-bin", "session")],
                         capture_output=True, text=True).stdout
    if "libasan" in ldd:
        cc += " -fsanitize=address,undefined"
    # The example's build line, with the staged pkg-config.
    r = subprocess.run(["sh", "-c", '%s -o "$1" "$2" $(pkg-config --cflags --libs ghauth)' % cc,
                        "sh", exe, src], env=env, capture_output=True, text=True)
    if not tap.ok(r.returncode == 0, "whoami.c builds with its documented command line",
                  r.stderr[-2000:]):
        return
    needed = subprocess.run(["readelf", "-d", exe], capture_output=True, text=True).stdout
    tap.ok("libcurl" not in needed and "libssl" not in needed, "whoami: no libcurl, no OpenSSL")

    me = pwd.getpwuid(os.geteuid()).pw_name
    site = protect.Site("api", user=me)
    try:
        site.write_config()
        site.seed_all()
        env = {"REQUEST_METHOD": "GET", "GHAUTH_CONFIG": site.config,
               "HTTP_COOKIE": "ghauth_session=" + protect.TOKEN, "HTTP_ACCEPT": "text/html",
               "REQUEST_URI": "/app/whoami.cgi"}
        r = ghtest.run_cgi("whoami.cgi", env, cgidir=work)
        tap.ok(r.status == 200 and r.text() == "Hello, octocat (GitHub id 583231)\n",
               "the installed-API build: signed in", r)
        del env["HTTP_COOKIE"]
        r = ghtest.run_cgi("whoami.cgi", env, cgidir=work)
        tap.ok(r.status == 303 and r.header("Location") ==
               site.origin + "/auth/github?redirect=%2Fapp%2Fwhoami.cgi",
               "the installed-API build: signed out: 303 to sign-in", r)
    finally:
        site.cleanup()


if __name__ == "__main__":
    sys.exit(main())
