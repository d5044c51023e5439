#!/bin/sh
# tests/fuzz/coverage.sh CORPUS_ROOT [OUTDIR] - source coverage of the
# library reached by a set of fuzz corpora (CORPUS_ROOT/<target>/, as
# kept by run.sh with FUZZ_LOGDIR): builds the harnesses with clang's
# source-based coverage instead of the sanitizers, runs every corpus file
# once, and prints llvm-cov's report for the library files the harnesses
# reach.  Used for docs/FUZZING.md; not part of `make check`.
set -eu
root=${1:?usage: coverage.sh CORPUS_ROOT [OUTDIR]}
out=${2:-$(mktemp -d "${TMPDIR:-/tmp}/ghauth-fuzzcov.XXXXXX")}
top=$(cd "$(dirname "$0")/../.." && pwd)
root=$(cd "$root" && pwd)
cc=${CC:-clang}
case $cc in *clang*) ;; *) cc=clang ;; esac
profdata=$(command -v llvm-profdata || command -v llvm-profdata-14)
llvmcov=$(command -v llvm-cov || command -v llvm-cov-14)

mkdir -p "$out/prof"
# build.sh with coverage flags; ASan stays on (harmless), UBSan too.
FUZZ_CFLAGS="-fprofile-instr-generate -fcoverage-mapping" \
    sh "$top/tests/fuzz/build.sh" "$out/bin" >"$out/build.log"
objs=
for t in query cookie request config github-json record; do
	[ -d "$root/$t" ] || continue
	LLVM_PROFILE_FILE="$out/prof/$t.profraw" \
	    "$out/bin/fuzz-$t" -runs=0 "$root/$t" >"$out/$t.log" 2>&1
	# llvm-cov: the first binary is positional, the others -object=.
	if [ -z "$objs" ]; then
		objs=$out/bin/fuzz-$t
	else
		objs="$objs -object=$out/bin/fuzz-$t"
	fi
done
"$profdata" merge -sparse "$out/prof/"*.profraw -o "$out/all.profdata"
# shellcheck disable=SC2086
"$llvmcov" report $objs -instr-profile="$out/all.profdata" \
    "$top/lib/config/allow.c" "$top/lib/base/base64.c" "$top/lib/config/config.c" \
    "$top/lib/http/cookie.c" "$top/lib/github/github_json.c" "$top/lib/base/query.c" \
    "$top/lib/store/record.c" "$top/lib/http/request.c"
