#!/usr/bin/env python3
"""ghauth-check(1) and cgi-bin/auth-request run directly, under exactly the
environment a server gives a CGI program (env -i): formats (json, env,
shell - with a name that tries to break out of the quotes, checked by
eval in sh), exit statuses, --deny, nothing secret printed; the shell and
Perl examples of docs/PROTECT.md as CGIs; auth-request's answers to nginx
(200 + X-Auth-Request-*, 401, the deny mode, any method).  Also checks
that docs/PROTECT.md shows the example files verbatim.  Prints TAP."""

import json
import os
import pwd
import subprocess
import sys

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import protect  # noqa: E402
from protect import EXPIRED, OTHER, TOKEN, UNKNOWN  # noqa: E402
import ghtest  # noqa: E402
from ghtest import Tap  # noqa: E402

HOSTILE = "Eve 'x' $(touch /tmp/ghauth-pwned) `id` \"q\" \\ end"
HOSTILE_TOKEN = "H" * 42 + "A"
TEAM_TOKEN = "G" * 42 + "A"     # a session admitted by team:acme/infra


def main():
    tap = Tap()
    me = pwd.getpwuid(os.geteuid()).pw_name
    site = protect.Site("check", user=me)
    try:
        run(tap, site)
    finally:
        site.cleanup()
    return tap.done()


def base_env(site, cookie=None, **extra):
    env = {"GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET",
           "SERVER_PROTOCOL": "HTTP/1.1", "GHAUTH_CONFIG": site.config,
           "HTTP_ACCEPT": "application/json", "REQUEST_URI": "/app/x.cgi",
           "PATH": os.path.dirname(protect.CHECK) + ":" + protect.SYSPATH}
    if cookie:
        env["HTTP_COOKIE"] = cookie
    env.update(extra)
    return dict((k, v) for k, v in env.items() if v is not None)


def check(site, args, cookie=None, **extra):
    p = subprocess.run([protect.CHECK] + args, env=base_env(site, cookie, **extra),
                       capture_output=True, timeout=30)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def run(tap, site):
    site.write_config()
    site.seed_all()
    site.seed(HOSTILE_TOKEN, 4242, "eve", HOSTILE, "eve@example.org")
    me = "ghauth_session=" + TOKEN
    printed = []

    # ---- ghauth-check ------------------------------------------------------
    rc, out, err = check(site, [], me)
    printed.append(out + err.encode())
    j = json.loads(out) if rc == 0 else {}
    tap.is_(rc, 0, "ghauth-check: signed in: exit 0")
    tap.is_(j, {"userId": "583231", "userName": "octocat", "displayName": "The Octocat",
                "profileUrl": "https://avatars.example/u/583231", "email": "octocat@github.com",
                "groups": [], "created": j.get("created"), "expires": j.get("expires")},
            "ghauth-check: JSON by default: /auth/session's keys, without the token, "
            "and groups")
    tap.ok(isinstance(j.get("created"), int) and j.get("expires", 0) > j.get("created", 0),
           "ghauth-check: created and expires are epoch seconds")
    tap.ok(out.endswith(b"\n") and out.count(b"\n") == 1, "ghauth-check: one line of JSON")
    rc, out, err = check(site, ["--format=env"], me)
    printed.append(out + err.encode())
    lines = out.decode().splitlines()
    tap.is_(lines[:5], ["GHAUTH_USER_LOGIN=octocat", "GHAUTH_USER_ID=583231",
                        "GHAUTH_USER_NAME=The Octocat", "GHAUTH_USER_EMAIL=octocat@github.com",
                        "GHAUTH_USER_AVATAR=https://avatars.example/u/583231"],
            "ghauth-check --format=env: NAME=value lines")
    tap.ok(len(lines) == 8 and lines[5] == "GHAUTH_USER_GROUPS=" and
           lines[6].startswith("GHAUTH_SESSION_CREATED=") and
           lines[7].startswith("GHAUTH_SESSION_EXPIRES="),
           "ghauth-check: no groups (empty), and the session times", lines)
    rc, out, err = check(site, ["-f", "shell"], "ghauth_session=" + OTHER)
    printed.append(out + err.encode())
    tap.ok(rc == 0 and b"GHAUTH_USER_NAME='Alice O'\\''Brien'\n" in out and
           b"GHAUTH_USER_EMAIL=''\n" in out,
           "ghauth-check -f shell: single-quoted, a quote as '\\'', no email empty", out)

    # The hostile name, through sh's eval: exactly the value, nothing run.
    pwned = "/tmp/ghauth-pwned"
    if os.path.exists(pwned):
        os.unlink(pwned)
    script = ('vars=$("%s" --format=shell) || exit 9\neval "$vars"\n'
              'printf "%%s|%%s" "$GHAUTH_USER_NAME" "$GHAUTH_USER_LOGIN"\n' % protect.CHECK)
    p = subprocess.run(["sh", "-c", script], env=base_env(site, "ghauth_session=" + HOSTILE_TOKEN),
                       capture_output=True, timeout=30)
    tap.ok(p.returncode == 0 and p.stdout.decode() == HOSTILE + "|eve" and not os.path.exists(pwned),
           "ghauth-check -f shell: a hostile name survives eval unchanged, nothing runs", p)
    rc, out, err = check(site, ["-f", "env"], "ghauth_session=" + HOSTILE_TOKEN)
    tap.ok(("GHAUTH_USER_NAME=" + HOSTILE + "\n").encode() in out,
           "ghauth-check -f env: the value as it is (one line)", out)
    rc, out, err = check(site, [], "ghauth_session=" + HOSTILE_TOKEN)
    tap.ok(rc == 0 and json.loads(out)["displayName"] == HOSTILE and b"<" not in out,
           "ghauth-check JSON: escaped, round-trips", out)

    for label, cookie, extra in (("no cookie", None, {}), ("an unknown session", "ghauth_session=" + UNKNOWN, {}),
                                 ("an expired session", "ghauth_session=" + EXPIRED, {}),
                                 ("a malformed cookie", "ghauth_session=zzz", {}),
                                 ("a repeated cookie", me + "; " + me, {}),
                                 ("the token in the query string", None, {"QUERY_STRING": "session=" + TOKEN})):
        rc, out, err = check(site, [], cookie, **extra)
        printed.append(out + err.encode())
        tap.ok(rc == 1 and out == b"", "ghauth-check: %s: exit 1, nothing printed" % label, (rc, out, err))
    rc, out, err = check(site, [], None, HTTP_X_SESSION_TOKEN=TOKEN)
    tap.ok(rc == 0 and json.loads(out)["userName"] == "octocat", "ghauth-check: X-Session-Token", (rc, out))
    rc, out, err = check(site, [], me, GHAUTH_CONFIG="/nonexistent/ghauth.json")
    tap.ok(rc == 2 and out == b"" and "configuration" in err, "ghauth-check: no configuration: exit 2", err)
    rc, out, err = check(site, [], me, GHAUTH_CONFIG=None, REDIRECT_GHAUTH_CONFIG=site.config)
    tap.is_(rc, 0, "ghauth-check: REDIRECT_GHAUTH_CONFIG (Apache internal redirect)")
    for args in (["--format=xml"], ["-x"], ["extra"], ["-f"]):
        rc, out, err = check(site, args, me)
        tap.ok(rc == 2 and out == b"" and "usage" in err, "ghauth-check %s: usage, exit 2" % " ".join(args), err)
    rc, out, err = check(site, ["--help"], me)
    tap.ok(rc == 0 and "usage" in err, "ghauth-check --help")
    site.write_config(restrict_to="alice")
    rc, out, err = check(site, [], me)
    tap.is_(rc, 1, "ghauth-check: the allowlist is re-checked")

    # A session admitted by team and org entries: the entries still listed.
    site.seed(TEAM_TOKEN, 3003, "carol", "Carol", "-", groups="team:acme/infra,org:acme")
    team = "ghauth_session=" + TEAM_TOKEN
    site.write_config(restrict_to="Team:Acme/Infra, octocat")
    rc, out, err = check(site, [], team)
    tap.ok(rc == 0 and json.loads(out)["groups"] == ["team:acme/infra"],
           "ghauth-check: groups lists the admitting entries still configured", (rc, out, err))
    rc, out, err = check(site, ["-f", "env"], team)
    tap.ok(rc == 0 and b"\nGHAUTH_USER_GROUPS=team:acme/infra\n" in out,
           "ghauth-check -f env: GHAUTH_USER_GROUPS", out)
    site.write_config(restrict_to="org:acme team:acme/infra")
    rc, out, err = check(site, ["-f", "shell"], team)
    tap.ok(rc == 0 and b"\nGHAUTH_USER_GROUPS='team:acme/infra,org:acme'\n" in out,
           "ghauth-check -f shell: several entries, comma-separated", out)
    site.write_config(restrict_to="octocat")
    rc, out, err = check(site, [], team)
    tap.ok(rc == 1 and "carol (id 3003) no longer on the allowlist" in err,
           "ghauth-check: the team entry removed: no session", (rc, err))
    site.write_config()
    # Configuration mistakes fail closed in the C API too (issue 14).
    for label, gh, auth, want in (
            ("a misspelt restrict-to", {"restrict-to": "alice"}, {},
             "auth.github.restrict-to: unknown key (did you mean restrict_to?)"),
            ("restrict_to inside auth", {}, {"restrict_to": "alice"},
             "auth.restrict_to: unknown key (did you mean auth.github.restrict_to?)"),
            ("restrict_to of an unset variable", {"restrict_to": "$GHAUTH_TEST_UNSET"}, {},
             "GHAUTH_TEST_UNSET is not set")):
        with open(site.config) as f:
            doc = json.load(f)
        doc["auth"]["github"].update(gh)
        doc["auth"].update(auth)
        with open(site.config, "w") as f:
            json.dump(doc, f)
        rc, out, err = check(site, [], me)
        tap.ok(rc == 2 and out == b"" and want in err, "ghauth-check: %s: exit 2, logged" % label, (rc, out, err))
        if label == "a misspelt restrict-to":
            tap.ok(rc == 2, "ghauth-check: a misspelt restrict-to fails closed")
        rc, out, err = check(site, ["--deny"], me)
        tap.is_(ghtest.Response(out).status, 500, "ghauth-check --deny: %s: 500" % label)
        site.write_config()
    site.write_config(restrict_to="*")
    rc, out, err = check(site, [], me)
    tap.is_(rc, 0, "ghauth-check: restrict_to \"*\" admits the signed-in user")
    site.write_config()
    os.chmod(site.store, 0o644)
    rc, out, err = check(site, [], me)
    tap.is_(rc, 2, "ghauth-check: a store it must refuse: exit 2 (server trouble)")
    os.chmod(site.store, 0o600)

    # --deny: the whole CGI refusal.
    rc, out, err = check(site, ["--deny"], None, HTTP_ACCEPT="text/html", REQUEST_URI="/app/x.cgi?a=1")
    r = ghtest.Response(out)
    tap.ok(rc == 0 and r.status == 303 and
           r.header("Location") == site.origin + "/auth/github?redirect=%2Fapp%2Fx.cgi%3Fa%3D1" and
           r.header("Cache-Control") == "no-store", "ghauth-check --deny: a browser: 303 to sign-in", out)
    rc, out, err = check(site, ["--deny"], None)
    r = ghtest.Response(out)
    tap.ok(rc == 0 and r.status == 401 and r.json() == {"error": "Invalid or expired session", "responseStatus": {"errorCode": "Unauthorized", "message": "Invalid or expired session"}},
           "ghauth-check --deny: an API client: 401 JSON", out)
    rc, out, err = check(site, ["--deny"], me)
    tap.is_(ghtest.Response(out).status, 401, "ghauth-check --deny when signed in after all: still refuses")
    rc, out, err = check(site, ["--deny"], me, GHAUTH_CONFIG="/nonexistent/ghauth.json")
    tap.is_(ghtest.Response(out).status, 500, "ghauth-check --deny without a configuration: 500")
    tap.ok(not any(TOKEN.encode() in o or b"CANARY-secret" in o for o in printed),
           "ghauth-check never prints the token or the client secret")

    # ---- the examples of docs/PROTECT.md, as CGIs ----------------------------
    with open(os.path.join(ghtest.SRCDIR, "docs", "PROTECT.md")) as f:
        doc = f.read()
    for ex in ("whoami.sh", "whoami.pl", "whoami.c"):
        path = os.path.join(protect.EXAMPLES, ex)
        with open(path) as f:
            text = f.read()
        tap.ok(text in doc, "docs/PROTECT.md shows docs/examples/%s verbatim" % ex)
    for ex, want in (("whoami.sh", "Hello, octocat (GitHub id 583231)\n"),
                     ("whoami.pl", "Hello, octocat (The Octocat)\n")):
        path = os.path.join(protect.EXAMPLES, ex)
        r = ghtest.run_cgi(os.path.basename(path), base_env(site, me), cgidir=protect.EXAMPLES)
        tap.ok(r.status == 200 and r.text() == want, "%s: signed in: the greeting" % ex, r)
        r = ghtest.run_cgi(os.path.basename(path), base_env(site, None, HTTP_ACCEPT="text/html"),
                           cgidir=protect.EXAMPLES)
        tap.ok(r.status == 303 and "Hello" not in r.text(), "%s: signed out: 303" % ex, r)
        r = ghtest.run_cgi(os.path.basename(path), base_env(site, None), cgidir=protect.EXAMPLES)
        tap.ok(r.status == 401 and r.json() == {"error": "Invalid or expired session", "responseStatus": {"errorCode": "Unauthorized", "message": "Invalid or expired session"}},
               "%s: signed out, API: 401 JSON" % ex, r)
    r = ghtest.run_cgi("whoami", base_env(site, me), cgidir=os.path.dirname(protect.WHOAMI))
    tap.ok(r.status == 200 and r.text() == "Hello, octocat (GitHub id 583231)\n",
           "whoami.c (the C API): signed in", r)
    r = ghtest.run_cgi("whoami", base_env(site, None, HTTP_ACCEPT="text/html"),
                       cgidir=os.path.dirname(protect.WHOAMI))
    tap.is_(r.status, 303, "whoami.c: signed out: 303")
    body = b"x" * 200000
    r = ghtest.run_cgi("whoami", base_env(site, None, REQUEST_METHOD="POST", CONTENT_LENGTH=str(len(body))),
                       stdin=body, cgidir=os.path.dirname(protect.WHOAMI))
    tap.is_(r.status, 401, "whoami.c: signed out POST with a body: 401 (body drained)")

    # ---- auth-request (nginx auth_request) ----------------------------------
    def authreq(cookie=None, **extra):
        env = base_env(site, cookie, **extra)
        env["SCRIPT_FILENAME"] = protect.AUTHREQ
        return ghtest.run_cgi("auth-request", env, cgidir=os.path.dirname(protect.AUTHREQ))

    r = authreq(me)
    tap.ok(r.status == 200 and r.header("X-Auth-Request-User") == "octocat" and
           r.header("X-Auth-Request-Email") == "octocat@github.com" and
           r.header("X-Auth-Request-Id") == "583231" and r.body == b"",
           "auth-request: signed in: 200, X-Auth-Request-User/-Email/-Id, no body", r)
    tap.is_(r.header("Cache-Control"), "no-store", "auth-request: never cached")
    r = authreq("ghauth_session=" + OTHER)
    tap.ok(r.status == 200 and r.header("X-Auth-Request-User") == "alice" and
           r.header("X-Auth-Request-Email") is None and
           r.header("X-Auth-Request-Groups") is None,
           "auth-request: no email, no groups: no headers", r)
    site.write_config(restrict_to="team:acme/infra org:acme octocat alice")
    r = authreq("ghauth_session=" + TEAM_TOKEN)
    tap.ok(r.status == 200 and r.header("X-Auth-Request-User") == "carol" and
           r.header("X-Auth-Request-Groups") == "team:acme/infra,org:acme",
           "auth-request: X-Auth-Request-Groups: the admitting entries", r)
    site.write_config(restrict_to="org:acme octocat")
    r = authreq("ghauth_session=" + TEAM_TOKEN)
    tap.ok(r.status == 200 and r.header("X-Auth-Request-Groups") == "org:acme",
           "auth-request: only the entries still configured", r)
    site.write_config(restrict_to="octocat alice")
    r = authreq("ghauth_session=" + TEAM_TOKEN)
    tap.ok(r.status == 401 and r.header("X-Auth-Request-Groups") is None,
           "auth-request: the entries removed: 401", r)
    site.write_config()
    for m in ("POST", "PUT", "DELETE", "HEAD", "PROPFIND"):
        r = authreq(me, REQUEST_METHOD=m, CONTENT_LENGTH="")
        tap.is_(r.status, 200, "auth-request: %s (nginx passes the request's method): 200" % m)
    for label, cookie in (("no cookie", None), ("an expired session", "ghauth_session=" + EXPIRED),
                          ("a malformed cookie", "ghauth_session=" + "\x01")):
        r = authreq(cookie, HTTP_ACCEPT="text/html")
        tap.ok(r.status == 401 and r.header("X-Auth-Request-User") is None and r.header("Location") is None,
               "auth-request: %s: 401 (nginx decides what the client sees)" % label, r)
    site.seed("E" * 42 + "A", 77, "weird", "-", "a b@example.org")
    r = authreq("ghauth_session=" + "E" * 42 + "A")
    tap.ok(r.status == 200 and r.header("X-Auth-Request-Email") is None,
           "auth-request: an email with a space is not put in a header", r)
    r = authreq(None, HTTP_ACCEPT="text/html", REQUEST_URI="/private/a.html?x=1",
                GHAUTH_AUTH_REQUEST_DENY="1")
    tap.ok(r.status == 303 and r.header("Location") == site.origin +
           "/auth/github?redirect=%2Fprivate%2Fa.html%3Fx%3D1",
           "auth-request deny mode (error_page 401): a browser: 303 to sign-in and back", r)
    r = authreq(me, GHAUTH_AUTH_REQUEST_DENY="1")
    tap.ok(r.status == 401 and r.json() == {"error": "Invalid or expired session", "responseStatus": {"errorCode": "Unauthorized", "message": "Invalid or expired session"}},
           "auth-request deny mode: an API client: 401 JSON", r)
    r = authreq(me, GHAUTH_CONFIG="/nonexistent.json")
    tap.is_(r.status, 500, "auth-request: no configuration: 500 (nginx: 500)")
    site.write_config(enabled=False)
    r = authreq(me)
    tap.is_(r.status, 401, "auth-request: sign-in disabled: 401, never open")
    site.write_config()


if __name__ == "__main__":
    sys.exit(main())
