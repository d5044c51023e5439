#!/usr/bin/env bash
# selftest.sh -- exercises tests/mock-github/mock_github.py with curl; prints TAP.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mockgh-selftest.XXXXXX")
mock_pid=

# shellcheck disable=SC2317  # invoked by trap
cleanup() {
    if [ -n "$mock_pid" ] && kill -0 "$mock_pid" 2>/dev/null; then
        kill -TERM "$mock_pid" 2>/dev/null
        wait "$mock_pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

n=0
failed=0
ok()     { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "#   $l"; done; }
# check DESC CMD...: runs CMD (in this shell), ok if it succeeds
check() {
    local d=$1; shift
    if "$@" >/dev/null 2>&1; then ok "$d"; else not_ok "$d" "command: $*"; fi
}
# is DESC GOT WANT
is() {
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got:  $2" "want: $3"; fi
}
has() { # has DESC HAYSTACK NEEDLE
    case $2 in *"$3"*) ok "$1" ;; *) not_ok "$1" "missing: $3" "in: ${2:0:400}" ;; esac
}
# json FILTER < json  -- evaluates a Python expression on `d`
json() { python3 -c 'import json,sys; d=json.load(sys.stdin); r=eval(sys.argv[1]); print(r if isinstance(r,str) else json.dumps(r))' "$1"; }

# --- certificates -------------------------------------------------------------------
if ! bash "$root/tests/lib/mkca.sh" "$tmp/ca"; then
    echo "Bail out! mkca.sh failed"
    exit 1
fi
ca=$tmp/ca
check "mkca: server.pem verifies for localhost and 127.0.0.1" \
    openssl verify -CAfile "$ca/ca.pem" -verify_hostname localhost -verify_ip 127.0.0.1 -purpose sslserver "$ca/server.pem"
check "mkca: wronghost.pem chains to ca.pem but fails for localhost" \
    eval "openssl verify -CAfile '$ca/ca.pem' '$ca/wronghost.pem' >/dev/null 2>&1 &&
          ! openssl verify -CAfile '$ca/ca.pem' -verify_hostname localhost '$ca/wronghost.pem' >/dev/null 2>&1"
check "mkca: untrusted.pem fails against ca.pem, passes against untrusted-ca.pem" \
    eval "! openssl verify -CAfile '$ca/ca.pem' '$ca/untrusted.pem' >/dev/null 2>&1 &&
          openssl verify -CAfile '$ca/untrusted-ca.pem' -verify_hostname localhost '$ca/untrusted.pem' >/dev/null 2>&1"
modes=$(stat -c %a "$ca"/*.key | sort -u | tr '\n' ' ')
is "mkca: private keys are mode 0600" "$modes" "600 "
before=$(stat -c %Y:%i "$ca/server.pem")
bash "$root/tests/lib/mkca.sh" "$ca" && after=$(stat -c %Y:%i "$ca/server.pem")
is "mkca: second run keeps the existing certificates" "$after" "$before"

# --- start the mock -----------------------------------------------------------------
# --http-port as the demo starts it: the plain-HTTP authorize page.
hp=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 "$here/mock_github.py" --cert "$ca/server.pem" --key "$ca/server.key" \
    --port 0 --portfile "$tmp/port" --http-port "$hp" 2>"$tmp/mock.log" &
mock_pid=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
if [ ! -s "$tmp/port" ]; then
    echo "Bail out! mock did not start"; sed 's/^/# /' "$tmp/mock.log"; exit 1
fi
port=$(cat "$tmp/port")
B=https://127.0.0.1:$port
L=https://localhost:$port
UA="ghauth-selftest/1.0"
c() { curl -sS --cacert "$ca/ca.pem" --max-time 10 -A "$UA" "$@"; }
ctl() { c -H 'Content-Type: application/json' "$@"; }

is "health over https://127.0.0.1 with --cacert" "$(c "$B/_mock/health")" '{"ok":true}'
is "health over https://localhost" "$(c "$L/_mock/health")" '{"ok":true}'
check "curl without the CA refuses the certificate" \
    eval "! curl -sS --max-time 5 '$B/_mock/health' >/dev/null 2>&1"

# --- authorize ------------------------------------------------------------------------
CB="https://app.example/auth/github/callback"
v1=$(openssl rand -base64 48 | tr '+/' '-_' | tr -d '=\n')
ch1=$(printf %s "$v1" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=')
q="client_id=mock-client-id&redirect_uri=$(printf %s "$CB" | sed 's/:/%3A/g; s#/#%2F#g')&scope=read%3Auser+user%3Aemail&state=st-123&code_challenge=$ch1&code_challenge_method=S256"

page=$(c -w '\n%{http_code}' "$B/login/oauth/authorize?$q&login=alice")
is "authorize page: HTTP 200" "${page##*$'\n'}" 200
check "authorize page: Authorize and Cancel buttons, alice preselected" \
    eval "grep -q '>Authorize</button>' <<<\"\$page\" && grep -q '>Cancel</button>' <<<\"\$page\" &&
          grep -q '<option value=\"alice\" selected>' <<<\"\$page\" &&
          grep -q 'name=\"code_challenge\" value=\"$ch1\"' <<<\"\$page\""
is "authorize: unknown client_id -> 404" \
    "$(c -o /dev/null -w '%{http_code}' "$B/login/oauth/authorize?client_id=nope&redirect_uri=$CB")" 404
is "authorize: code_challenge_method=plain -> 400" \
    "$(c -o /dev/null -w '%{http_code}' "$B/login/oauth/authorize?client_id=mock-client-id&redirect_uri=$CB&code_challenge=$ch1&code_challenge_method=plain")" 400

hdr=$(c -D - -o /dev/null -X POST --data "$q&login=alice&decision=authorize" "$B/login/oauth/authorize")
loc=$(tr -d '\r' <<<"$hdr" | sed -n 's/^[Ll]ocation: //p')
check "POST decision=authorize -> 302 to callback with 20-hex code and state" \
    eval "grep -q '^HTTP/1.1 302' <<<\"\$hdr\" && [[ \"\$loc\" =~ ^$CB\\?code=[0-9a-f]{20}\\&state=st-123\$ ]]"
code_alice=${loc#*code=}; code_alice=${code_alice%%&*}

hdr=$(c -D - -o /dev/null -X POST --data "$q&decision=cancel" "$B/login/oauth/authorize")
loc=$(tr -d '\r' <<<"$hdr" | sed -n 's/^[Ll]ocation: //p')
is "POST decision=cancel -> access_denied redirect" "$loc" \
    "$CB?error=access_denied&error_description=The+user+has+denied+your+application+access.&error_uri=https%3A%2F%2Fdocs.github.com%2Fapps%2Fmanaging-oauth-apps%2Ftroubleshooting-authorization-request-errors%2F%23access-denied&state=st-123"

loc=$(c -o /dev/null -w '%{redirect_url}' "$B/login/oauth/authorize?$q&mock_auto=1")
check "mock_auto=1 -> immediate 302 with a code" eval "[[ \"\$loc\" =~ ^$CB\\?code=[0-9a-f]{20}\\&state=st-123\$ ]]"
code_octo=${loc#*code=}; code_octo=${code_octo%%&*}

ctl -o /dev/null --data '{"auto_approve": true, "default_user": "octocat"}' "$B/_mock/config"
loc=$(c -o /dev/null -w '%{redirect_url}' "$B/login/oauth/authorize?$q")
has "config auto_approve=true -> GET redirects with a code" "$loc" "$CB?code="
code_x=${loc#*code=}; code_x=${code_x%%&*}
loc=$(c -o /dev/null -w '%{redirect_url}' "$B/login/oauth/authorize?$q&mock_auto=cancel")
has "mock_auto=cancel -> access_denied" "$loc" "error=access_denied"
ctl -o /dev/null --data '{"auto_approve": false}' "$B/_mock/config"

# --- token exchange ---------------------------------------------------------------------
tok_form() { # code [verifier] [secret] [redirect]
    printf 'client_id=mock-client-id&client_secret=%s&code=%s&redirect_uri=%s&code_verifier=%s' \
        "${3:-mock-client-secret}" "$1" "${4:-$CB}" "${2:-}"
}
resp=$(c -H 'Accept: application/json' -w '\n%{http_code} %{content_type}' --data "$(tok_form "$code_alice" "$v1")" "$B/login/oauth/access_token")
body=${resp%$'\n'*}
check "token exchange with correct PKCE verifier -> gho_ token (JSON)" \
    eval "[[ '${resp##*$'\n'}' == '200 application/json; charset=utf-8' ]] &&
          [[ \$(json 'd[\"access_token\"]' <<<\"\$body\") =~ ^gho_[A-Za-z0-9]{36}\$ ]] &&
          [ \"\$(json '[d[\"token_type\"], d[\"scope\"]]' <<<\"\$body\")\" = '[\"bearer\", \"read:user,user:email\"]' ]"
tok_alice=$(json 'd["access_token"]' <<<"$body")

terr() { c -H 'Accept: application/json' -w ' %{http_code}' --data "$1" "$B/login/oauth/access_token"; }
is "code reuse -> bad_verification_code, HTTP 200" "$(terr "$(tok_form "$code_alice" "$v1")")" \
    '{"error":"bad_verification_code","error_description":"The code passed is incorrect or expired.","error_uri":"https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code"} 200'
is "wrong client_secret -> incorrect_client_credentials" "$(terr "$(tok_form "$code_octo" "$v1" wrong)")" \
    '{"error":"incorrect_client_credentials","error_description":"The client_id and/or client_secret passed are incorrect.","error_uri":"https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#incorrect-client-credentials"} 200'
is "other redirect_uri -> redirect_uri_mismatch" "$(terr "$(tok_form "$code_octo" "$v1" mock-client-secret https://evil.example/cb)")" \
    '{"error":"redirect_uri_mismatch","error_description":"The redirect_uri MUST match the registered callback URL for this application.","error_uri":"https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#redirect-uri-mismatch"} 200'
code=$(c -o /dev/null -w '%{redirect_url}' "$B/login/oauth/authorize?$q&mock_auto=1"); code=${code#*code=}; code=${code%%&*}
# A verifier that differs from v1 in its first character (never equal to it: v1 is random).
if [ "${v1:0:1}" = x ]; then wrong_v="y${v1:1}"; else wrong_v="x${v1:1}"; fi
has "wrong PKCE verifier -> bad_verification_code" "$(terr "$(tok_form "$code" "$wrong_v")")" '"error":"bad_verification_code"'
code=$(c -o /dev/null -w '%{redirect_url}' "$B/login/oauth/authorize?$q&mock_auto=1"); code=${code#*code=}; code=${code%%&*}
has "challenge stored but no verifier -> bad_verification_code" "$(terr "$(tok_form "$code")")" '"error":"bad_verification_code"'

resp=$(c -w '\n%{content_type}' --data "$(tok_form "$code_x" "$v1")" "$B/login/oauth/access_token")
check "no Accept: json -> form-encoded reply" \
    eval "[[ '${resp##*$'\n'}' == application/x-www-form-urlencoded* ]] &&
          [[ '${resp%$'\n'*}' =~ ^access_token=gho_[A-Za-z0-9]{36}\&scope=read%3Auser%2Cuser%3Aemail\&token_type=bearer\$ ]]"
tok_octo=${resp%%&*}; tok_octo=${tok_octo#access_token=}
is "form-encoded error reply" "$(c --data "$(tok_form nope "$v1")" "$B/login/oauth/access_token")" \
    "error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired.&error_uri=https%3A%2F%2Fdocs.github.com%2Fapps%2Fmanaging-oauth-apps%2Ftroubleshooting-oauth-app-access-token-request-errors%2F%23bad-verification-code"

# --- REST -----------------------------------------------------------------------------------
api() { c -H "Accept: application/vnd.github+json" -H "X-GitHub-Api-Version: 2022-11-28" "$@"; }
resp=$(api -D "$tmp/h" -H "Authorization: Bearer $tok_alice" "$B/user")
check "/user (Bearer) -> alice object with GitHub headers" \
    eval "[ \"\$(json '[d[\"login\"], d[\"id\"], d[\"name\"], d[\"email\"], d[\"type\"], d[\"node_id\"]]' <<<\"\$resp\")\" = '[\"alice\", 1001, \"Alice Example\", null, \"User\", \"MDQ6VXNlcjEwMDE=\"]' ] &&
          grep -qi '^content-type: application/json; charset=utf-8' '$tmp/h' &&
          grep -qi '^x-oauth-scopes: read:user, user:email' '$tmp/h' &&
          grep -qi '^x-ratelimit-remaining: ' '$tmp/h' && grep -qi '^x-github-media-type: ' '$tmp/h'"
resp=$(api -H "Authorization: token $tok_octo" "$B/user")
is "/user ('token' scheme) -> octocat" "$(json '[d["login"], d["id"], d["email"], d["avatar_url"]]' <<<"$resp")" \
    '["octocat", 583231, "octocat@github.com", "https://avatars.githubusercontent.com/u/583231?v=4"]'
resp=$(api -H "Authorization: Bearer $tok_alice" "$B/user/emails")
is "/user/emails -> primary verified alice@example.com" \
    "$(json '[e["email"] for e in d if e["primary"] and e["verified"]]' <<<"$resp")" '["alice@example.com"]'
resp=$(curl -sS --cacert "$ca/ca.pem" -H 'User-Agent:' -w ' %{http_code}' -H "Authorization: Bearer $tok_alice" "$B/user")
has "missing User-Agent -> 403 with GitHub's text" "$resp" \
    "Request forbidden by administrative rules. Please make sure your request has a User-Agent header"
has "missing User-Agent -> status 403" "$resp" " 403"
is "bad token -> 401 Bad credentials" "$(api -w ' %{http_code}' -H 'Authorization: Bearer gho_nope' "$B/user")" \
    '{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"} 401'
is "no Authorization -> 401" "$(api -o /dev/null -w '%{http_code}' "$B/user/emails")" 401
tok_uni=$(ctl --data '{"login": "unicode"}' "$B/_mock/token" | json 'd["access_token"]')
is "/_mock/token + unicode user name survives JSON round trip" \
    "$(api -H "Authorization: Bearer $tok_uni" "$B/user" | json 'd["name"] == "Uni \"Code\" \\ </script><script>alert(1)</script> \u202eevil\u202c \u2028line \U0001F984 \u00e9\u00e8"')" "true"

# --- failure modes ----------------------------------------------------------------------
fail() { ctl -o /dev/null -w '%{http_code}' --data "$1" "$B/_mock/fail"; }
AU=(-H "Authorization: Bearer $tok_alice")
fail '{"endpoint":"user","mode":"status:500"}' >/dev/null
r1=$(api -o /dev/null -w '%{http_code}' "${AU[@]}" "$B/user"); r2=$(api -o /dev/null -w '%{http_code}' "${AU[@]}" "$B/user")
is "fail user status:500 count 1 -> 500 then 200" "$r1 $r2" "500 200"
fail '{"endpoint":"user","mode":"malformed"}' >/dev/null
resp=$(api -w '\n%{http_code}' "${AU[@]}" "$B/user")
check "fail user malformed -> 200 body that is not JSON" \
    eval "[ '${resp##*$'\n'}' = 200 ] && ! python3 -c 'import json,sys; json.loads(sys.argv[1])' \"\${resp%\$'\\n'*}\""
full=$(api "${AU[@]}" "$B/user" | wc -c); fail '{"endpoint":"user","mode":"truncated"}' >/dev/null
half=$(api "${AU[@]}" "$B/user" | wc -c)
is "fail user truncated -> half the body" "$half" "$((full / 2))"
fail '{"endpoint":"user","mode":"dupkeys"}' >/dev/null
has "fail user dupkeys -> duplicated id" "$(api "${AU[@]}" "$B/user")" '"id":666,"login":"mallory"}'
fail '{"endpoint":"user","mode":"wrongtypes"}' >/dev/null
is "fail user wrongtypes -> id string, login number" "$(api "${AU[@]}" "$B/user" | json '[d["id"], d["login"]]')" '["1001", 12345]'
fail '{"endpoint":"emails","mode":"ratelimit"}' >/dev/null
resp=$(api -D "$tmp/h" -w ' %{http_code}' "${AU[@]}" "$B/user/emails")
check "fail emails ratelimit -> 403, X-RateLimit-Remaining: 0, Retry-After" \
    eval "[[ \"\$resp\" == *'API rate limit exceeded for user ID 1.'*' 403' ]] &&
          grep -qi '^x-ratelimit-remaining: 0' '$tmp/h' && grep -qi '^retry-after: ' '$tmp/h'"
fail '{"endpoint":"token","mode":"error200","error":"unverified_user_email"}' >/dev/null
is "fail token error200 -> unverified_user_email, HTTP 200" "$(terr 'client_id=x')" \
    '{"error":"unverified_user_email","error_description":"The user must have a verified primary email.","error_uri":"https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#unverified-user-email"} 200'
code=$(c -o /dev/null -w '%{redirect_url}' "$B/login/oauth/authorize?$q&mock_auto=1"); code=${code#*code=}; code=${code%%&*}
fail '{"endpoint":"token","mode":"dupkeys"}' >/dev/null
is "fail token dupkeys -> two access_token keys" "$(terr "$(tok_form "$code" "$v1")" | grep -o '"access_token"' | wc -l)" 2
fail '{"endpoint":"user","mode":"html"}' >/dev/null
has "fail user html -> text/html unicorn" "$(api -w '%{content_type}' "${AU[@]}" "$B/user")" "</html>"$'\n'"text/html"
fail '{"endpoint":"user","mode":"redirect"}' >/dev/null
is "fail user redirect -> 302 to another path" "$(api -o /dev/null -w '%{http_code} %{redirect_url}' "${AU[@]}" "$B/user")" "302 $B/redirected/user"
is "unknown mode rejected by the control API" "$(fail '{"endpoint":"user","mode":"bogus"}')" 400
fail '{"endpoint":"user","mode":"huge"}' >/dev/null
t0=$(date +%s.%N)
got=$(api "${AU[@]}" "$B/user" 2>/dev/null | head -c 1000000 | wc -c)
t1=$(date +%s.%N)
check "fail user huge -> streams (1 MB read in < 5 s, got $got bytes)" \
    eval "[ '$got' = 1000000 ] && python3 -c 'import sys; sys.exit(not (float(sys.argv[2]) - float(sys.argv[1]) < 5))' $t0 $t1"
fail '{"endpoint":"user","mode":"huge","bytes":300000}' >/dev/null
is "fail user huge with bytes=300000 -> valid JSON of that size" \
    "$(api "${AU[@]}" "$B/user" | tee "$tmp/huge" | json 'd["login"]') $(wc -c <"$tmp/huge")" "octocat 300000"
fail '{"endpoint":"user","mode":"slow"}' >/dev/null
got=$(api --max-time 2 "${AU[@]}" "$B/user" 2>/dev/null | wc -c)
check "fail user slow -> only a few bytes within 2 s (got $got)" eval "[ '$got' -ge 1 ] && [ '$got' -le 3 ]"
fail '{"endpoint":"user","mode":"hang"}' >/dev/null
api --max-time 1 -o /dev/null "${AU[@]}" "$B/user" 2>/dev/null
is "fail user hang -> client times out (curl exit 28)" "$?" 28
fail '{"endpoint":"user","mode":"status:503","count":0}' >/dev/null
r=$(for _ in 1 2 3; do api -o /dev/null -w '%{http_code} ' "${AU[@]}" "$B/user"; done)
fail '{"endpoint":"user","mode":"none"}' >/dev/null
is "count 0 = until cleared; mode none clears" "$r$(api -o /dev/null -w '%{http_code}' "${AU[@]}" "$B/user")" "503 503 503 200"

# --- concurrency ------------------------------------------------------------------------
export CA=$ca/ca.pem URL=$B/user TOK=$tok_alice
# shellcheck disable=SC2016  # expanded by the inner sh
codes=$(seq 120 | xargs -P 120 -I{} sh -c 'curl -sS --cacert "$CA" --max-time 10 -A par -o /dev/null -w "%{http_code}\n" -H "Authorization: Bearer $TOK" "$URL"' | sort | uniq -c | tr -s ' ')
is "120 parallel /user requests all 200" "$codes" " 120 200"

# --- organisations, teams, revocation, GitHub App mode ----------------------------------
tok_org=$(ctl --data '{"login":"alice","scope":"read:user user:email read:org"}' "$B/_mock/token" | json 'd["access_token"]')
tok_bob=$(ctl --data '{"login":"bob","scope":"read:org"}' "$B/_mock/token" | json 'd["access_token"]')
AO=(-H "Authorization: Bearer $tok_org")
is "org membership: alice active in acme" \
    "$(api "${AO[@]}" "$B/user/memberships/orgs/ACME" | json '[d["state"], d["role"], d["organization"]["login"]]')" \
    '["active", "member", "acme"]'
is "org membership: bob pending in acme" \
    "$(api -H "Authorization: Bearer $tok_bob" "$B/user/memberships/orgs/acme" | json 'd["state"]')" pending
is "org membership: unknown org -> 404" "$(api -o /dev/null -w '%{http_code}' "${AO[@]}" "$B/user/memberships/orgs/nope")" 404
is "org membership without read:org -> 403" "$(api -o /dev/null -w '%{http_code}' "${AU[@]}" "$B/user/memberships/orgs/acme")" 403
has "restricted org -> 403 naming OAuth App access restrictions" \
    "$(api -w ' %{http_code}' "${AO[@]}" "$B/user/memberships/orgs/lockedco")" "organization has enabled OAuth App access restrictions"
is "team membership: octocat active in acme/infra (asked by alice)" \
    "$(api "${AO[@]}" "$B/orgs/acme/teams/infra/memberships/octocat" | json '[d["state"], d["role"]]')" '["active", "maintainer"]'
is "team membership: alice not in infra -> 404" "$(api -o /dev/null -w '%{http_code}' "${AO[@]}" "$B/orgs/acme/teams/infra/memberships/alice")" 404
is "team membership asked by a pending org member -> 404" \
    "$(api -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok_bob" "$B/orgs/acme/teams/infra/memberships/bob")" 404
ctl -o /dev/null --data '{"login":"acme","members":{"alice":"active"},"teams":{"infra":{"alice":"pending"}}}' "$B/_mock/orgs"
is "POST /_mock/orgs replaces an org: alice pending in infra" \
    "$(api "${AO[@]}" "$B/orgs/acme/teams/infra/memberships/alice" | json 'd["state"]')" pending
fail '{"endpoint":"org_membership","mode":"restricted"}' >/dev/null
has "fail org_membership restricted -> the restriction 403" "$(api -w ' %{http_code}' "${AO[@]}" "$B/user/memberships/orgs/acme")" "restrictions, meaning"
fail '{"endpoint":"team_membership","mode":"pending"}' >/dev/null
is "fail team_membership pending -> state pending" "$(api "${AO[@]}" "$B/orgs/acme/teams/infra/memberships/alice" | json 'd["state"]')" pending
fail '{"endpoint":"org_membership","mode":"badstate"}' >/dev/null
is "fail org_membership badstate -> state is a number" "$(api "${AO[@]}" "$B/user/memberships/orgs/acme" | json 'd["state"]')" 1
is "fail revoke: mode that does not apply -> 400" "$(fail '{"endpoint":"revoke","mode":"pending"}' -o /dev/null -w '%{http_code}')" 400
rv() { c -X DELETE -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' "$@"; }
is "revoke with a wrong secret -> 404" "$(rv -u mock-client-id:wrong --data "{\"access_token\":\"$tok_org\"}" "$B/applications/mock-client-id/token")" 404
is "revoke without access_token -> 422" "$(rv -u mock-client-id:mock-client-secret --data '{}' "$B/applications/mock-client-id/token")" 422
is "revoke -> 204" "$(rv -u mock-client-id:mock-client-secret --data "{\"access_token\":\"$tok_org\"}" "$B/applications/mock-client-id/token")" 204
is "revoked token -> /user 401" "$(api -o /dev/null -w '%{http_code}' "${AO[@]}" "$B/user")" 401
is "revoke again -> 404" "$(rv -u mock-client-id:mock-client-secret --data "{\"access_token\":\"$tok_org\"}" "$B/applications/mock-client-id/token")" 404
is "GET /_mock/revoked records it" "$(c "$B/_mock/revoked" | json '[(r["login"], r["access_token"] == "'"$tok_org"'") for r in d]')" '[["alice", true]]'
ctl -o /dev/null --data '{"app_mode": true, "installations": ["acme"]}' "$B/_mock/config"
tok_app=$(ctl --data '{"login":"alice"}' "$B/_mock/token" | json 'd["access_token"]')
check "app mode: ghu_ tokens" eval "[[ '$tok_app' =~ ^ghu_[A-Za-z0-9]{36}\$ ]]"
is "app mode: membership through the installation, no scopes" \
    "$(api -H "Authorization: Bearer $tok_app" "$B/user/memberships/orgs/acme" | json 'd["state"]')" active
has "app mode: not installed -> Resource not accessible by integration" \
    "$(api -w ' %{http_code}' -H "Authorization: Bearer $tok_app" "$B/user/memberships/orgs/lockedco")" "Resource not accessible by integration\",\"documentation_url"
ctl -o /dev/null --data '{"app_mode": false, "installations": []}' "$B/_mock/config"

# --- request log, users, reset ----------------------------------------------------------
# shellcheck disable=SC2034  # used inside eval
log=$(c "$B/_mock/requests?endpoint=token")
check "request log records token requests with form and headers" \
    eval "json '[r for r in d if r[\"form\"].get(\"code_verifier\") == \"$v1\" and r[\"headers\"][\"user-agent\"] == \"$UA\" and r[\"method\"] == \"POST\" and r[\"path\"] == \"/login/oauth/access_token\"] != []' <<<\"\$log\" | grep -qx true"
is "request log does not include /_mock/ requests" "$(c "$B/_mock/requests" | json 'len([r for r in d if r["path"].startswith("/_mock")])')" 0
ctl -o /dev/null -X POST "$B/_mock/requests/clear"
is "requests/clear empties the log" "$(c "$B/_mock/requests")" "[]"
ctl -o /dev/null --data '{"login":"carol","id":7,"name":"Carol","email":null,"emails":[{"email":"c@example.com","primary":true,"verified":true,"visibility":"private"}]}' "$B/_mock/users"
tok=$(ctl --data '{"login":"carol"}' "$B/_mock/token" | json 'd["access_token"]')
is "POST /_mock/users adds a user" "$(api -H "Authorization: Bearer $tok" "$B/user" | json '[d["login"], d["id"]]')" '["carol", 7]'
ctl -o /dev/null -X POST "$B/_mock/reset"
is "reset forgets tokens and users" "$(api -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok_alice" "$B/user") $(c "$B/_mock/users" | json '"carol" in d')" "401 false"

# --- shutdown -------------------------------------------------------------------------
is "plain HTTP (--http-port) answers too" "$(curl -sS --max-time 10 "http://127.0.0.1:$hp/_mock/health")" '{"ok":true}'
# As the demo stops it: TERM twice (its INT/TERM and EXIT traps), with a
# request hanging on a fault.  It must exit promptly, not sit on its ports.
fail '{"endpoint":"user","mode":"hang","seconds":60}' >/dev/null
api "${AU[@]}" "$B/user" >/dev/null 2>&1 &
hang_pid=$!
for _ in $(seq 50); do grep -q '(hanging)' "$tmp/mock.log" && break; sleep 0.1; done
check "a request is hanging on the fault" grep -q '(hanging)' "$tmp/mock.log"
kill -TERM "$mock_pid"; kill -TERM "$mock_pid" 2>/dev/null
for _ in $(seq 50); do kill -0 "$mock_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$mock_pid" 2>/dev/null; then exited=no; kill -KILL "$mock_pid"; else exited=yes; fi
wait "$mock_pid"; rc=$?
mock_pid=
kill "$hang_pid" 2>/dev/null; wait "$hang_pid" 2>/dev/null
is "SIGTERM twice, a request hanging: exits within 5 s" "$exited" yes
is "SIGTERM -> clean exit 0" "$rc" 0
check "the plain HTTP port is released" \
    eval "! curl -sS --max-time 2 'http://127.0.0.1:$hp/_mock/health' >/dev/null 2>&1"
check "portfile removed on exit" test ! -e "$tmp/port"
check "mock logged one line per request" grep -q '"GET /user HTTP/1.1" 200' "$tmp/mock.log"

echo "1..$n"
if [ "$failed" -ne 0 ]; then
    echo "# $failed of $n failed; mock log:"
    tail -n 40 "$tmp/mock.log" | sed 's/^/#   /'
    exit 1
fi
exit 0
