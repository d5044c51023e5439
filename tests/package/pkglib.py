"""pkglib - builds ghauth's Debian package once for the tests that need it
(tests/package/test-package.py installs it, test-container.py puts it in an
image).

build_deb() copies the sources (git's file list, so no build tree comes
along) into the build tree, runs `dpkg-buildpackage -us -uc -b` there and
returns the path of ghauth_*.deb.  The result is kept under
$(builddir)/tests/package/deb with a hash of every source file: the next
caller reuses it until a source file changes.  A lock makes the two tests,
when make check runs them at once, build it only once.

Nothing here is installed.
"""

import fcntl
import glob
import hashlib
import os
import shutil
import subprocess
import time

import ghtest

CACHE = os.path.join(ghtest.BUILDDIR, "tests", "package", "deb")


def skip_reason():
    """Why the package cannot be built here, or None."""
    if os.geteuid() != 0:
        return "not root (installs packages, starts servers as www-data)"
    if os.environ.get("GHAUTH_SKIP_SLOW"):
        return "GHAUTH_SKIP_SLOW is set (distcheck, sanitizer run)"
    if not os.path.isfile(os.path.join(ghtest.SRCDIR, "debian", "rules")):
        return "no debian/ in the source tree"
    if not os.access(ghtest.SRCDIR, os.W_OK):
        return "read-only source tree (distcheck)"
    for tool in ("dpkg-buildpackage", "dh", "apt-get"):
        if shutil.which(tool) is None:
            return "%s is not installed (scripts/deps)" % tool
    return None


def source_files():
    """Relative paths of the sources: git's list (tracked plus new files
    not ignored) when the tree is a git checkout, else every file outside
    the build tree."""
    build = os.path.relpath(ghtest.BUILDDIR, ghtest.SRCDIR)
    inside = not build.startswith("..") and build != "."
    try:
        argv = ["git", "-C", ghtest.SRCDIR, "ls-files", "-z", "--cached",
                "--others", "--exclude-standard", "--", "."]
        if inside:
            argv.append(":(exclude)" + build)
        out = subprocess.run(argv, capture_output=True, check=True).stdout
        files = [f for f in out.decode().split("\0") if f]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for d, dirs, fs in os.walk(ghtest.SRCDIR):
            rel = os.path.relpath(d, ghtest.SRCDIR)
            if inside and (rel == build or rel.startswith(build + os.sep)):
                dirs[:] = []
                continue
            dirs[:] = [x for x in dirs if x not in (".git", "autom4te.cache")]
            files += [os.path.normpath(os.path.join(rel, f)) for f in fs]
    return sorted(f for f in files
                  if os.path.isfile(os.path.join(ghtest.SRCDIR, f)))


# Sources that do not go into the package: a change there reuses it.
NOT_PACKAGED = ("tests/package/", "container/", "debian/tests/")


def source_hash(files):
    h = hashlib.sha256()
    for f in files:
        if f.startswith(NOT_PACKAGED):
            continue
        h.update(f.encode() + b"\0")
        with open(os.path.join(ghtest.SRCDIR, f), "rb") as fp:
            h.update(hashlib.sha256(fp.read()).digest())
    return h.hexdigest()


def build_deb(tap):
    """Returns (path of ghauth_*.deb, seconds spent building; 0 when the
    cached one was current), or (None, log tail) on failure."""
    os.makedirs(CACHE, exist_ok=True)
    with open(os.path.join(CACHE, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        files = source_files()
        digest = source_hash(files)
        stamp = os.path.join(CACHE, "source.sha256")
        debs = glob.glob(os.path.join(CACHE, "ghauth_*.deb"))
        try:
            with open(stamp) as f:
                current = f.read().strip() == digest
        except OSError:
            current = False
        if current and len(debs) == 1:
            tap.diag("package: reusing %s (sources unchanged)" % os.path.basename(debs[0]))
            return debs[0], 0
        t0 = time.time()
        work = os.path.join(CACHE, "work")
        shutil.rmtree(work, ignore_errors=True)
        src = os.path.join(work, "ghauth")
        for f in files:
            os.makedirs(os.path.dirname(os.path.join(src, f)), exist_ok=True)
            shutil.copy2(os.path.join(ghtest.SRCDIR, f), os.path.join(src, f))
        env = dict(os.environ)
        # make check has run the unit tests already; no -dbgsym package.
        env["DEB_BUILD_OPTIONS"] = "nocheck noddebs parallel=%d" % (os.cpu_count() or 1)
        for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "abs_top_srcdir", "abs_top_builddir"):
            env.pop(k, None)
        log = os.path.join(CACHE, "build.log")
        with open(log, "w") as lf:
            r = subprocess.run(["dpkg-buildpackage", "-us", "-uc", "-b"], cwd=src,
                               env=env, stdout=lf, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            with open(log, errors="replace") as lf:
                return None, "".join(lf.readlines()[-30:])
        for old in glob.glob(os.path.join(CACHE, "*.deb")) + \
                glob.glob(os.path.join(CACHE, "*.changes")) + \
                glob.glob(os.path.join(CACHE, "*.buildinfo")):
            os.unlink(old)
        for f in glob.glob(os.path.join(work, "*.deb")) + \
                glob.glob(os.path.join(work, "*.changes")) + \
                glob.glob(os.path.join(work, "*.buildinfo")):
            shutil.move(f, CACHE)
        shutil.rmtree(work, ignore_errors=True)
        with open(stamp, "w") as f:
            f.write(digest + "\n")
        debs = glob.glob(os.path.join(CACHE, "ghauth_*.deb"))
        return debs[0], time.time() - t0
