#!/bin/sh
# A few seconds of bench/run, so the benchmark cannot rot.  It checks that
# every row and every store size was measured, not how fast they were.
# GHAUTH_SKIP_SLOW=1 (scripts/test sets it for the sanitizer run and distcheck,
# where this adds nothing the first run did not) skips it.
if [ -n "${GHAUTH_SKIP_SLOW:-}" ]; then
	echo "1..0 # SKIP GHAUTH_SKIP_SLOW is set (run in the first pass of scripts/test)"
	exit 0
fi
src=${abs_top_srcdir:-.}
out=$(mktemp "${TMPDIR:-/tmp}/ghauth-bench.XXXXXX")
trap 'rm -f "$out"' EXIT
if ! command -v wrk >/dev/null || ! command -v lighttpd >/dev/null; then
	echo "1..0 # SKIP wrk or lighttpd missing"
	exit 0
fi
python3 "$src/bench/run.py" --smoke >"$out" 2>&1
rc=$?
n=0
fail=0
t() {
	n=$((n + 1))
	if grep -q -- "$1" "$out"; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi
}
[ $rc -eq 0 ] && echo "ok 1 - bench/run --smoke exits 0" || { echo "not ok 1 - bench/run --smoke exits 0 ($rc)"; fail=1; }
n=1
for row in "CGI | floor" "CGI | session, valid" "CGI | session, invalid" \
    "CGI | start" "CGI | logout" "CGI | full sign-in" "FastCGI | floor" \
    "FastCGI | session, valid" "FastCGI | start" "FastCGI | logout" \
    "FastCGI | full sign-in" "aiohttp | session" "CGI+Redis | session, valid" \
    "CGI+Redis | start" "CGI+Redis | full sign-in" "FastCGI+Redis | session, valid" \
    "FastCGI+Redis | start" "FastCGI+Redis | full sign-in" "2×CGI+Redis | session"; do
	t "^| $row" "row measured: $row"
done
t "goal: CGI /auth/session" "goal lines printed"
t "goal: two web servers on one Redis" "Redis goal lines printed"
t "1000 sessions:" "store at 1000 sessions measured"
t "5000 sessions:" "store at 5000 sessions measured"
t "file size after each tenth" "churn measured"
if grep -q "non-2xx" "$out"; then
	echo "not ok $((n + 1)) - no unexpected non-2xx answers"; fail=1
else
	echo "ok $((n + 1)) - no unexpected non-2xx answers"
fi
n=$((n + 1))
[ $fail -eq 0 ] || sed 's/^/# /' "$out"
echo "1..$n"
exit $fail
