#!/bin/sh
# valgrind-cgi.sh - the CGI data tests (tests/cgi/cases, run by
# tests/cgi/runner.py) with every program under valgrind memcheck:
#
#   valgrind --tool=memcheck --leak-check=full
#            --errors-for-leak-kinds=definite,indirect --error-exitcode=99
#
# TAP, one line per case: "not ok" when any of its program runs had a
# memory error or a definite/indirect leak (the valgrind report follows as
# diagnostics).  The case's own expectations are the CGI tests' business;
# here they only count as a diagnostic.  Cases run two at a time.
#
# Skips when valgrind is missing or the build is an ASan build (the two do
# not mix; scripts/test runs the suite under ASan+UBSan separately).
#   VALGRIND_CGI_CASES="session/ logout/0"  only case ids containing these
#   VALGRIND_CGI_JOBS=N                     parallel cases (default 2)
# GHAUTH_SKIP_SLOW=1 (scripts/test sets it for the sanitizer run and distcheck,
# where this adds nothing the first run did not) skips it.
if [ -n "${GHAUTH_SKIP_SLOW:-}" ]; then
	echo "1..0 # SKIP GHAUTH_SKIP_SLOW is set (run in the first pass of scripts/test)"
	exit 0
fi
srcdir=${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${abs_top_builddir:-$srcdir}
py=${PYTHON:-python3}
if ! command -v valgrind >/dev/null 2>&1; then
	echo "1..0 # SKIP valgrind not found"
	exit 0
fi
if ! command -v "$py" >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 not found"
	exit 0
fi
if [ ! -x "$builddir/cgi-bin/session" ]; then
	echo "1..0 # SKIP programs not built"
	exit 0
fi
if ldd "$builddir/cgi-bin/session" 2>/dev/null | grep -q libasan; then
	echo "1..0 # SKIP ASan build (valgrind cannot run it)"
	exit 0
fi
export abs_top_srcdir="$srcdir" abs_top_builddir="$builddir"
exec "$py" - "$@" <<'EOF'
import concurrent.futures
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

src = os.environ["abs_top_srcdir"]
root = os.path.join(src, "tests", "cgi", "cases")
runner = os.path.join(src, "tests", "cgi", "runner.py")
only = os.environ.get("VALGRIND_CGI_CASES", "").split()
jobs = int(os.environ.get("VALGRIND_CGI_JOBS") or 2)
VG = ["valgrind", "--tool=memcheck", "--leak-check=full",
      "--errors-for-leak-kinds=definite,indirect", "--error-exitcode=99",
      "--num-callers=30", "-q"]
LINE = re.compile(r"^(not )?ok \d+ - (\S+?)(?: \[step (\d+)\])?(?:: (.*?))?( # SKIP.*)?$")

cases = []
for ep in sorted(os.listdir(root)):
    if os.path.isdir(os.path.join(root, ep)):
        for name in sorted(os.listdir(os.path.join(root, ep))):
            cid = "%s/%s" % (ep, name)
            if os.path.isdir(os.path.join(root, cid)) and \
                    (not only or any(o in cid for o in only)):
                cases.append(cid)
logs = tempfile.mkdtemp(prefix="ghauth-valgrind-")


def one(cid):
    d = os.path.join(logs, cid.replace("/", "_"))
    os.mkdir(d)
    env = dict(os.environ)
    env["GHAUTH_CGI_WRAPPER"] = " ".join(shlex.quote(a) for a in VG + [
        "--log-file=" + os.path.join(d, "%p.log")])
    t0 = time.time()
    p = subprocess.run([sys.executable, runner, cid], env=env, capture_output=True,
                       text=True, timeout=600)
    runs = failed_exit = other = 0
    skipped = None
    for l in p.stdout.splitlines():
        m = LINE.match(l)
        if not m or m.group(2) != cid:
            continue
        if m.group(5):
            skipped = m.group(5)
        elif m.group(4) == "exit":
            runs += 1
            failed_exit += bool(m.group(1))
        elif m.group(4) == "case error" or m.group(4) == "timeout":
            failed_exit += 1
        elif m.group(1):
            other += 1
    report = []
    for f in sorted(os.listdir(d)):
        with open(os.path.join(d, f), errors="replace") as fh:
            text = fh.read().strip()
        if text:
            report.append("%s:\n%s" % (f, text))
    return cid, runs, failed_exit, other, skipped, report, time.time() - t0


t0 = time.time()
n = bad = total_runs = other_fail = 0
with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
    for cid, runs, fexit, other, skipped, report, dt in ex.map(one, cases):
        n += 1
        if skipped:
            print("ok %d - valgrind: %s%s" % (n, cid, skipped), flush=True)
            continue
        total_runs += runs
        other_fail += other
        clean = runs > 0 and fexit == 0 and not report
        bad += not clean
        print("%s %d - valgrind: %s (%d program run%s)" % (
            "ok" if clean else "not ok", n, cid, runs, "" if runs == 1 else "s"), flush=True)
        if not clean:
            print("#   %d run(s) exited non-zero (99: valgrind found errors or leaks)" % fexit)
            for l in "\n".join(report).splitlines()[:80]:
                print("#   " + l)
shutil.rmtree(logs, ignore_errors=True)
print("# valgrind memcheck: %d cases, %d program runs, %d with errors or leaks, %.0fs "
      "(%d case expectations failed under valgrind, not counted)" %
      (n, total_runs, bad, time.time() - t0, other_fail))
print("1..%d" % n)
EOF
