#!/bin/sh
# selftest.sh - proves the CGI test runner's checks can fail: runs the
# cases of tests/cgi/selftest-cases/, whose expectations are written to fail.
srcdir=${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
exec /bin/sh "$srcdir/tests/cgi/run.sh" --selftest "$@"
