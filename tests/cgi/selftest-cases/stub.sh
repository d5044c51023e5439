# stub.sh - a fake CGI program for the runner's self-test (run by /bin/sh).
# $MODE picks what it gets wrong; $LEAK is a token it may leak.
crlf() {
	printf '%s\r\n' "$@"
}
body='{"a":"x","n":1,"z":null,"u":"caf\u00e9"}'
status="Status: 200 OK"
cc="Cache-Control: no-store"
len=${#body}
extra=
case $MODE in
nonascii)	body='{"a":"café"}'; len=$(printf %s "$body" | wc -c) ;;
no-status)	status= ;;
bad-length)	len=$((len + 1)) ;;
no-cache)	cc="Cache-Control: private" ;;
leak-header)	extra="X-Debug: token=$LEAK" ;;
leak-partial)	extra="X-Debug: $(printf %s "$LEAK" | cut -c3-16)" ;;
named-leak)	extra="Set-Cookie: s=$LEAK; Path=/" ;;
leak-body)	body="{\"a\":\"$SECRET\"}"; len=${#body} ;;
esac
if [ "$MODE" = lf-only ]; then
	printf '%s\n%s\n%s\n\n%s' "$status" "$cc" "Content-Length: $len" "$body"
else
	[ -n "$status" ] && crlf "$status"
	crlf "Content-Type: application/json" "Set-Cookie: c=1; Path=/" \
	    "Set-Cookie: d=2; Path=/" "Location: https://example.com/cb?state=$LEAK&x=1" \
	    "$cc"
	[ -n "$extra" ] && crlf "$extra"
	crlf "Content-Length: $len" ""
	printf '%s' "$body"
fi
echo "ghauth[stub]: hello" >&2
case $MODE in
leak-stderr)	echo "ghauth[stub]: token $LEAK" >&2 ;;
leak-secret)	echo "ghauth[stub]: secret $SECRET" >&2 ;;
stray-stderr)	echo "Segmentation fault" >&2 ;;
exit1)		exit 1 ;;
esac
exit 0
