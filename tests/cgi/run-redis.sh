#!/bin/sh
# run-redis.sh - the CGI tests (TAP) once more, every case on a Redis store
# (a redis-server of the runner's own, one database per case).  See
# tests/cgi/README.md, "GHAUTH_TEST_STORE".
srcdir=${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
py=${PYTHON:-python3}
if ! command -v "$py" >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 not found"
	exit 0
fi
GHAUTH_TEST_STORE=redis exec "$py" "$srcdir/tests/cgi/runner.py" "$@"
