#!/bin/sh
# test-flow-redis.sh - test-flow.py once more on a Redis store (a redis-server
# of the test's own: tests/lib/redislib.py).
srcdir=${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v redis-server >/dev/null 2>&1 || { echo "1..0 # SKIP redis-server not installed"; exit 0; }
GHAUTH_TEST_STORE=redis exec "${PYTHON:-python3}" "$srcdir/tests/flow/test-flow.py" "$@"
