# lib.sh - shell helpers for the `setup` scripts and `sh` lines of the CGI
# test cases (sourced by runner.py; POSIX sh).  Available variables: $SEED,
# $STORE, $CONFIG, $TMP, $CASE, $SECRET, $TOKEN1..$TOKEN9 and every value
# captured so far.  The umask is 077, the working directory $TMP.

# seed ARGS...: tests/tools/seed on the case's store.
seed() {
	"$SEED" "$STORE" "$@"
}

# octocat TOKEN [TTL [AGE [IDLE]]]: a session of user octocat (id 583231).
octocat() {
	seed session "$1" 583231 octocat \
	    https://avatars.githubusercontent.com/u/583231 "The Octocat" \
	    octocat@github.com ${2:+"$2"} ${3:+"$3"} ${4:+"$4"}
}

# hold_lock [SECONDS]: hold the store lock exclusively in the background,
# as a busy writer would, and return once it is held.  The runner ends the
# holder when the case is over.
hold_lock() {
	: >>"$STORE.lock"
	flock -x "$STORE.lock" sleep "${1:-5}" &
	i=0
	while flock -n "$STORE.lock" true; do
		i=$((i + 1))
		if [ "$i" -gt 200 ]; then
			echo "hold_lock: lock never held" >&2
			return 1
		fi
		sleep 0.02
	done
}

# field KIND TOKEN NAME: one field of `seed get` (e.g. last_seen).
field() {
	seed get "$1" "$2" | tr ' ' '\n' | sed -n "s/^$3=//p"
}

# near_now N: N is within 5 seconds of the current time.
near_now() {
	now=$(date +%s)
	[ "$1" -ge $((now - 5)) ] && [ "$1" -le $((now + 5)) ]
}

# csp_matches_style: the style-src hash in $HEADERS is the SHA-256 of the
# <style> element in $BODY (so the error page is styled under its CSP).
csp_matches_style() {
	"$PYTHON" - "$HEADERS" "$BODY" <<'PY'
import base64, hashlib, re, sys
h = open(sys.argv[1]).read()
b = open(sys.argv[2], encoding="utf-8").read()
style = re.search(r"<style>(.*?)</style>", b, re.S).group(1)
want = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
sys.exit(0 if "'sha256-%s'" % want in h else 1)
PY
}
