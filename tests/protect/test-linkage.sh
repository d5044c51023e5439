#!/bin/sh
# The programs that run on every protected request - the guard, nginx's
# auth-request, ghauth-check - and a C program using the C API
# (docs/examples/whoami.c) must not load libcurl or OpenSSL: checked in the
# ELF NEEDED entries and in what the loader maps while answering a request
# (LD_DEBUG=libs), as tests/flow/test-linkage.sh does for the endpoints.
# whoami is linked with lib/libghauth.a, Jansson and GDBM only: that it
# links at all shows the C API needs nothing else.
b="${abs_top_builddir:-.}"
t=$(mktemp -d "${TMPDIR:-/tmp}/ghauth-plink.XXXXXX")
trap 'rm -rf "$t"' EXIT
printf '{"auth":{"github":{"redirect_uri":"http://localhost:8080/auth/github/callback"},"store":"%s/s.db"}}\n' "$t" >"$t/c.json"
. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
for p in cgi-bin/guard cgi-bin/auth-request tools/ghauth-check tests/protect/whoami; do
	if [ ! -x "$b/$p" ]; then
		check 1 "$p: built"
		continue
	fi
	readelf -d "$b/$p" | grep NEEDED | grep -q 'libcurl\|libssl\|libcrypto'
	[ $? -ne 0 ]; check $? "$p: no libcurl/libssl/libcrypto in NEEDED"
	env -i LD_DEBUG=libs GHAUTH_CONFIG="$t/c.json" REQUEST_METHOD=GET \
	    HTTP_COOKIE="ghauth_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	    GHAUTH_GUARD_ROOT="$t" PATH_TRANSLATED="$t/c.json" \
	    "$b/$p" >/dev/null 2>"$t/ld"
	loaded=$(grep -c 'calling init: .*lib\(curl\|ssl\|crypto\)\.so' "$t/ld")
	[ "$loaded" -eq 0 ]; check $? "$p: no libcurl/OpenSSL loaded while answering"
	nm "$b/$p" | grep -q ' [TU] \(curl_easy_init\|FCGX_Accept_r\)\(@.*\)\?$'
	[ $? -ne 0 ]; check $? "$p: neither libcurl nor libfcgi code linked in"
done
# Controls: the symbol check does see libcurl where it is.
nm "$b/cgi-bin/callback" | grep -q ' [TU] curl_easy_init\(@.*\)\?$'
check $? "cgi-bin/callback: libcurl code seen (control)"
tap_done
