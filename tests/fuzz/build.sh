#!/bin/sh
# tests/fuzz/build.sh OUTDIR - builds the libFuzzer harnesses
# (tests/fuzz/fuzz-*.c) with clang, AddressSanitizer and UBSan.
#
# The library sources the harnesses need are compiled into the fuzzers
# directly, with coverage instrumentation, not taken from the gcc-built
# lib/libghauth.a; no configured tree is needed: OUTDIR gets a minimal
# config.h.  GHAUTH_SYSCONFDIR points nowhere, so the config loader's
# environment mode never finds a file.
#
# Exit status 77 (with the reason on the last line) when clang or its
# libFuzzer runtime (Debian: libclang-rt-14-dev) is missing.
# Environment: CC (default clang), FUZZ_CFLAGS (added to the flags).
set -eu
out=${1:?usage: build.sh OUTDIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
cc=${CC:-clang}
case $cc in *clang*) ;; *) cc=clang ;; esac

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "clang is not installed"
	exit 77
fi
mkdir -p "$out/obj"
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' \
    >"$out/probe.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$out/probe.c" \
    -o "$out/probe" >"$out/probe.log" 2>&1; then
	cat "$out/probe.log"
	echo "clang cannot link -fsanitize=fuzzer (install libclang-rt-14-dev)"
	exit 77
fi
if ! pkg-config --exists jansson; then
	echo "jansson not found by pkg-config (install libjansson-dev)"
	exit 77
fi

cat >"$out/config.h" <<'CONFIG'
/* config.h of the fuzz build (tests/fuzz/build.sh). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#define HAVE_EXPLICIT_BZERO 1
#define HAVE_GETRANDOM 1
#define PACKAGE "ghauth"
#define PACKAGE_VERSION "fuzz"
#define VERSION "fuzz"
CONFIG

cflags="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined
	-fno-sanitize-recover=undefined -Wall -Wextra -Wno-unused-parameter
	-I$out -I$top/lib -I$top/tests/fuzz $(pkg-config --cflags jansson)
	-DGHAUTH_SYSCONFDIR=\"/nonexistent/ghauth-fuzz/etc\"
	-DGHAUTH_STOREDIR=\"/nonexistent/ghauth-fuzz/store\" ${FUZZ_CFLAGS:-}"
libs="$(pkg-config --libs jansson hiredis) -lgdbm"
# Every library module goes into an archive, so the link takes just the
# ones the harnesses reach (whatever file a function moves to).  A module
# that does not compile here (it needs libcurl or libfcgi headers) is left
# out with a note; if a harness needed it, its link fails below.
rm -f "$out/obj/"*.o "$out/libghauth-fuzz.a"
for f in "$top"/lib/*/*.c; do
	s=${f##*/}
	s=${s%.c}
	# shellcheck disable=SC2086
	if ! "$cc" $cflags -fsanitize=fuzzer-no-link -c "$f" \
	    -o "$out/obj/$s.o" 2>"$out/obj/$s.log"; then
		echo "note: ${f##$top/} left out (does not compile here):"
		head -n 3 "$out/obj/$s.log"
		rm -f "$out/obj/$s.o"
	fi
done
ar rcs "$out/libghauth-fuzz.a" "$out/obj/"*.o
for t in query cookie request config github-json record; do
	# shellcheck disable=SC2086
	"$cc" $cflags -fsanitize=fuzzer "$top/tests/fuzz/fuzz-$t.c" \
	    "$out/libghauth-fuzz.a" $libs -o "$out/fuzz-$t"
done

# The allocation-failure variants (oom.c): the same library objects, their
# malloc/calloc/realloc calls renamed to oom.c's failing ones.
mkdir -p "$out/oom"
rm -f "$out/oom/"*.o "$out/libghauth-fuzz-oom.a"
for o in "$out/obj/"*.o; do
	objcopy --redefine-sym malloc=fuzz_malloc \
	    --redefine-sym calloc=fuzz_calloc \
	    --redefine-sym realloc=fuzz_realloc "$o" "$out/oom/${o##*/}"
done
ar rcs "$out/libghauth-fuzz-oom.a" "$out/oom/"*.o
# shellcheck disable=SC2086
"$cc" $cflags -fsanitize=fuzzer-no-link -c "$top/tests/fuzz/oom.c" \
    -o "$out/oom/oom.o"
for t in query request config github-json record; do
	# shellcheck disable=SC2086
	"$cc" $cflags -fsanitize=fuzzer -DFUZZ_OOM \
	    -DLLVMFuzzerTestOneInput=fuzz_target "$top/tests/fuzz/fuzz-$t.c" \
	    "$out/oom/oom.o" "$out/libghauth-fuzz-oom.a" $libs \
	    -o "$out/fuzz-oom-$t"
done
echo "built: $(cd "$out" && ls fuzz-* | tr '\n' ' ')"
