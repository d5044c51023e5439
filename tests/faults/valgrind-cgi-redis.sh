#!/bin/sh
# valgrind-cgi-redis.sh - valgrind-cgi.sh on a Redis store (the runner's own
# redis-server, GHAUTH_TEST_STORE=redis): memory errors and leaks in the
# Redis backend (hiredis, the kept connection, failures).  A subset of the
# cases by default (VALGRIND_CGI_CASES overrides it): session checks,
# hand-offs, logouts, and every "Redis down" case.
srcdir=${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v redis-server >/dev/null 2>&1 || { echo "1..0 # SKIP redis-server not installed"; exit 0; }
GHAUTH_TEST_STORE=redis
VALGRIND_CGI_CASES=${VALGRIND_CGI_CASES:-"session/1 session/B github/B0 callback/B0 callback/8 logout/0 logout/B0"}
export GHAUTH_TEST_STORE VALGRIND_CGI_CASES
exec sh "$srcdir/tests/faults/valgrind-cgi.sh" "$@"
