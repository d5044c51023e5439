#!/bin/sh
# tests/fuzz/replay.sh - every seed corpus file (and every saved crash input
# in tests/fuzz/crashes/<target>/) through its harness, built by gcc with
# tests/fuzz/replay.c: no clang needed.  TAP, one line per target.
top=${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${abs_top_builddir:-$top}
targets="query cookie request config github-json record"
set -- $targets
echo "1..$(($# + 1))"
n=1
fail=0
# The record seeds are what the library's encoder writes today.
t=$(mktemp -d "${TMPDIR:-/tmp}/ghauth-records.XXXXXX") || exit 1
if "$build/tests/fuzz/mkrecords" "$t" &&
    diff -r "$t" "$top/tests/fuzz/corpus/record" >/dev/null; then
	echo "ok 1 - the record seeds match the record format"
else
	fail=1
	echo "not ok 1 - the record seeds match the record format"
	echo "# refresh: tests/fuzz/mkrecords $top/tests/fuzz/corpus/record"
fi
rm -rf "$t"
for t in $targets; do
	n=$((n + 1))
	dirs="$top/tests/fuzz/corpus/$t"
	[ -d "$top/tests/fuzz/crashes/$t" ] && dirs="$dirs $top/tests/fuzz/crashes/$t"
	# shellcheck disable=SC2086
	out=$(env -i PATH=/usr/bin:/bin ASAN_OPTIONS="${ASAN_OPTIONS:-}" \
	    UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" "$build/tests/fuzz/replay-$t" $dirs 2>&1)
	rc=$?
	files=$(printf '%s\n' "$out" | grep -c '^ok ')
	if [ "$rc" = 0 ] && [ "$files" -gt 0 ]; then
		echo "ok $n - replay-$t: $files inputs"
	else
		fail=1
		echo "not ok $n - replay-$t: exit $rc"
		printf '%s\n' "$out" | tail -n 30 | sed 's/^/# /'
	fi
done
exit $fail
