#!/bin/sh
# run.sh - the CGI tests (TAP): runs every case folder under
# tests/cgi/cases/ through runner.py.  See tests/cgi/README.md.
# With --selftest, runs tests/cgi/selftest-cases/ (checks that must fail).
srcdir=${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
py=${PYTHON:-python3}
if ! command -v "$py" >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 not found"
	exit 0
fi
exec "$py" "$srcdir/tests/cgi/runner.py" "$@"
