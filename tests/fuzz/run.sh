#!/bin/sh
# tests/fuzz/run.sh - builds the libFuzzer harnesses (build.sh) in a
# temporary directory and runs each for FUZZ_SECONDS (default 10) on a copy
# of its seed corpus (tests/fuzz/corpus/<target>), then each allocation-
# failure variant (oom-<target>, oom.c) for FUZZ_OOM_SECONDS (default 2)
# on the same corpus, every file prefixed with a 0 byte (no failure; the
# fuzzer mutates that byte).  Prints TAP, one line per target with the
# number of inputs run; "1..0 # SKIP" without clang or its libFuzzer
# runtime.  A crash's input is kept in $abs_top_builddir/tests/fuzz/artifacts/
# and shown in the diagnostics.
#
#   FUZZ_SECONDS=300 sh tests/fuzz/run.sh       the longer run (docs/FUZZING.md)
#   FUZZ_TARGETS="record config" ...            a subset
#   FUZZ_JOBS=2 ...                             targets run side by side
#   FUZZ_LOGDIR=DIR ...                         keep the logs and the grown
#                                               corpora there (coverage.sh)
# GHAUTH_SKIP_SLOW=1 (scripts/test sets it for the sanitizer run and distcheck,
# where this adds nothing the first run did not) skips it.
if [ -n "${GHAUTH_SKIP_SLOW:-}" ]; then
	echo "1..0 # SKIP GHAUTH_SKIP_SLOW is set (run in the first pass of scripts/test)"
	exit 0
fi
top=${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${abs_top_builddir:-$top}
secs=${FUZZ_SECONDS:-10}
oomsecs=${FUZZ_OOM_SECONDS:-2}
jobs=${FUZZ_JOBS:-1}
targets=${FUZZ_TARGETS:-"query cookie request config github-json record
	oom-query oom-request oom-config oom-github-json oom-record"}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ghauth-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

sh "$top/tests/fuzz/build.sh" "$tmp/bin" >"$tmp/build.log" 2>&1
rc=$?
if [ "$rc" = 77 ]; then
	echo "1..0 # SKIP $(tail -n 1 "$tmp/build.log")"
	exit 0
elif [ "$rc" != 0 ]; then
	echo "1..1"
	echo "not ok 1 - the fuzz build (tests/fuzz/build.sh)"
	tail -n 40 "$tmp/build.log" | sed 's/^/# /'
	exit 1
fi

# Runs one target; its exit status is libFuzzer's.
fuzz() {
	t=$1
	mkdir -p "$tmp/corpus/$t"
	case $t in
	oom-*)
		s=$oomsecs
		for f in "$top/tests/fuzz/corpus/${t#oom-}/"*; do
			{ printf '\000'; cat "$f"; } >"$tmp/corpus/$t/${f##*/}"
		done
		;;
	*)
		s=$secs
		cp "$top/tests/fuzz/corpus/$t/"* "$tmp/corpus/$t/"
		;;
	esac
	echo "$s" >"$tmp/$t.secs"
	(cd "$tmp" && ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0} \
	    "$tmp/bin/fuzz-$t" -max_total_time="$s" -max_len=8192 \
	    -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$tmp/crash-$t-" "$tmp/corpus/$t" \
	    >"$tmp/$t.log" 2>&1)
	echo $? >"$tmp/$t.rc"
}

set -- $targets
echo "1..$#"
running=0
for t in $targets; do
	fuzz "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait
		running=0
	fi
done
wait

if [ -n "${FUZZ_LOGDIR:-}" ]; then
	mkdir -p "$FUZZ_LOGDIR" && cp "$tmp"/*.log "$FUZZ_LOGDIR/" &&
	    cp -R "$tmp/corpus" "$FUZZ_LOGDIR/"
fi
n=0
fail=0
for t in $targets; do
	n=$((n + 1))
	rc=$(cat "$tmp/$t.rc" 2>/dev/null || echo 1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/$t.log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$tmp/$t.log" | tail -n 1)
	corpus=$(ls "$tmp/corpus/$t" | wc -l)
	if [ "$rc" = 0 ] && [ -n "$execs" ]; then
		echo "ok $n - fuzz-$t: $execs inputs in $(cat "$tmp/$t.secs") s, ${cov:-cov: ?}, corpus $corpus"
	else
		fail=1
		echo "not ok $n - fuzz-$t: libFuzzer exit status $rc"
		grep -v '^#\|^INFO\|^\*\*\*' "$tmp/$t.log" | tail -n 40 | sed 's/^/# /'
		for a in "$tmp"/crash-"$t"-*; do
			[ -f "$a" ] || continue
			mkdir -p "$build/tests/fuzz/artifacts"
			cp "$a" "$build/tests/fuzz/artifacts/"
			echo "# input kept: $build/tests/fuzz/artifacts/$(basename "$a")"
			echo "# base64: $(base64 -w0 "$a" | cut -c1-2000)"
		done
	fi
done
exit $fail
