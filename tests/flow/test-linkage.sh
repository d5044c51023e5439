#!/bin/sh
# github, session and logout run on page loads: they must not load libcurl
# or OpenSSL (exec cost, see docs/PERFORMANCE.md).  Checked two ways: the
# ELF NEEDED entries, and the libraries the dynamic loader really maps while
# answering a request (LD_DEBUG=libs).  callback is the control: it must
# show libcurl, or the check itself is broken.
b="${abs_top_builddir:-.}/cgi-bin"
t=$(mktemp -d "${TMPDIR:-/tmp}/ghauth-link.XXXXXX")
trap 'rm -rf "$t"' EXIT
printf '{"auth":{"github":{"client_id":"x","client_secret":"y","redirect_uri":"http://localhost:8080/auth/github/callback"},"store":"%s/s.db"}}\n' "$t" >"$t/c.json"
. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
for p in github session auth logout callback; do
	needed=$(readelf -d "$b/$p" | grep NEEDED)
	env -i LD_DEBUG=libs GHAUTH_CONFIG="$t/c.json" REQUEST_METHOD=GET \
	    "$b/$p" >/dev/null 2>"$t/ld.$p"
	loaded=$(grep -c 'calling init: .*lib\(curl\|ssl\|crypto\)\.so' "$t/ld.$p")
	if [ "$p" = callback ]; then
		echo "$needed" | grep -q libcurl; check $? "$p: links libcurl (control)"
		[ "$loaded" -gt 0 ]; check $? "$p: libcurl/OpenSSL mapped at run time (control)"
	else
		echo "$needed" | grep -q 'libcurl\|libssl\|libcrypto'; [ $? -ne 0 ]
		check $? "$p: no libcurl/libssl/libcrypto in NEEDED"
		[ "$loaded" -eq 0 ]; check $? "$p: no libcurl/OpenSSL loaded while answering"
	fi
done
tap_done
