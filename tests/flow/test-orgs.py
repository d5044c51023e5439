#!/usr/bin/env python3
"""Organisation and team rules, membership states, GitHub failures, token
revocation and the GitHub App mode, as data: every block of
tests/flow/orgs/cases.txt is one whole sign-in against the mock GitHub
(format in tests/flow/orgs/README.md).  Then one flow end to end: a team
admits, the team entry is removed from the configuration, the session
ends.  Prints TAP."""

import json
import os
import re
import subprocess
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import ghtest  # noqa: E402
from ghtest import Browser, Mock, Tap, write_config  # noqa: E402

CASES = os.path.join(ghtest.SRCDIR, "tests", "flow", "orgs", "cases.txt")
SEED = os.path.join(ghtest.BUILDDIR, "tests", "tools", "seed")
SECRET = "canary-SECRET-do-not-print"
KEYS = {"case", "restrict_to", "login", "config", "mock", "fail", "status", "groups",
        "scope", "log", "nolog", "requests", "revoked", "live"}
MULTI = {"mock", "fail", "log", "nolog"}
# The stores are checked for GitHub's tokens only: a state record holds its
# PKCE verifier by design (and GDBM may keep freed bytes).
STORE_TEXTS = []
GH_TOKENS = set()


def parse_cases(path):
    cases, cur = [], None
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for n, line in enumerate(lines + [""], 1):
        if line.startswith("#"):
            continue
        if not line.strip():
            if cur is not None:
                cases.append(cur)
                cur = None
            continue
        key, sep, val = line.partition(":")
        key, val = key.strip(), val.strip()
        if not sep or key not in KEYS:
            raise SystemExit("%s:%d: unknown line %r" % (path, n, line))
        if cur is None:
            if key != "case":
                raise SystemExit("%s:%d: a case starts with 'case:'" % (path, n))
            cur = {"line": n}
        if key in MULTI:
            cur.setdefault(key, []).append(val)
        elif key in cur:
            raise SystemExit("%s:%d: %s given twice" % (path, n, key))
        else:
            cur[key] = val
    for c in cases:
        if "status" not in c:
            raise SystemExit("%s:%d: case %r has no status" % (path, c["line"], c["case"]))
    return cases


def session_record(store, token):
    """The stored session as `seed get` prints it."""
    p = subprocess.run([SEED, store, "get", "se", token], capture_output=True, text=True)
    return p.stdout.strip()


def run_case(tap, work, mock, c, idx, secrets, texts):
    name = "%s (line %d)" % (c["case"], c["line"])
    mock.reset()
    for m in c.get("mock", []):
        path, _, body = m.partition(" ")
        mock.control(path, json.loads(body))
    for f in c.get("fail", []):
        parts = f.split(" ", 3)
        extra = json.loads(parts[3]) if len(parts) > 3 else {}
        mock.fail(parts[0], parts[1], int(parts[2]) if len(parts) > 2 else 1, **extra)
    store = os.path.join(work, "case%d.db" % idx)
    gh = {"restrict_to": c.get("restrict_to", "")}
    gh.update(json.loads(c.get("config") or "{}"))
    conf = write_config(os.path.join(work, "case%d.json" % idx), store, mock, github=gh)
    b = Browser(conf)
    out = b.sign_in(mock, c.get("login") or "octocat")
    start = out.get("start")
    cb = out.get("callback")
    if not tap.ok(start is not None and start.status == 303 and cb is not None,
                  "%s: the sign-in reached the callback" % name,
                  start and start.stderr):
        return
    log = cb.stderr
    tap.is_(cb.status, int(c["status"]), "%s: callback answers %s" % (name, c["status"]))
    if cb.status != int(c["status"]):
        tap.diag(log)
    if "scope" in c:
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(start.header("Location")).query)
        tap.is_(q.get("scope"), [c["scope"]], "%s: scope %s" % (name, c["scope"]))
    if "groups" in c:
        tok = b.cookies.get("ghauth_session")
        if c["groups"] == "-":
            rec = session_record(store, tok) if tok else ""
            tap.ok(" groups=" not in rec, "%s: no org/team entry remembered" % name, rec)
        else:
            rec = session_record(store, tok) if tok else "no session cookie"
            tap.ok(rec.endswith(" groups=" + c["groups"]),
                   "%s: the session remembers %s" % (name, c["groups"]), rec)
            s = out.get("session")
            tap.ok(s is not None and s.status == 200,
                   "%s: the session is usable" % name)
    for rx in c.get("log", []):
        tap.ok(re.search(rx, log, re.M), "%s: log ~ %s" % (name, rx), log)
    for rx in c.get("nolog", []):
        tap.ok(not re.search(rx, log, re.M), "%s: log !~ %s" % (name, rx), log)
    reqs = mock.requests()
    if "requests" in c:
        for item in c["requests"].split():
            ep, _, n = item.partition("=")
            got = len([r for r in reqs if r["endpoint"] == ep])
            tap.is_(got, int(n), "%s: %s requests to %s" % (name, n, ep))
    state = mock.control("state")
    revoked = mock.control("revoked")
    if "revoked" in c:
        tap.is_(len(revoked), int(c["revoked"]), "%s: %s token(s) revoked" % (name, c["revoked"]))
    if "live" in c:
        tap.is_(state["tokens"], int(c["live"]),
                "%s: %s token(s) still valid at GitHub" % (name, c["live"]))
    # Every revocation names the token this sign-in got, with Basic auth.
    for r in reqs:
        if r["endpoint"] == "revoke":
            tap.ok(r["method"] == "DELETE" and r["path"] == "/applications/test-client/token"
                   and r["headers"].get("authorization", "").startswith("Basic ")
                   and r["headers"].get("content-type") == "application/json"
                   and set((r["json"] or {}).keys()) == {"access_token"},
                   "%s: revocation is DELETE /applications/{client_id}/token, Basic, JSON"
                   % name, r)
    # The canary: tokens GitHub issued, revoked or not, and the secret.
    for r in reqs:
        auth = r["headers"].get("authorization", "")
        if auth.startswith("Bearer "):
            secrets.add(auth[7:])
        if (r["json"] or {}).get("access_token"):
            secrets.add(r["json"]["access_token"])
        for k in ("code", "code_verifier"):
            if (r["form"] or {}).get(k):
                secrets.add(r["form"][k])
    for x in revoked:
        secrets.add(x["access_token"])
    for r in b.log:
        texts.append(r.raw.decode("latin-1"))
        texts.append(r.stderr)
    if os.path.exists(store):
        with open(store, "rb") as f:
            STORE_TEXTS.append(f.read().decode("latin-1"))
    GH_TOKENS.update(x for x in secrets if x.startswith(("gho_", "ghu_")))


def team_removed_flow(tap, work, mock, secrets, texts):
    """The issue's 'done when': team:acme/infra, octocat admits infra members
    and octocat, refuses everyone else, and removing the team entry ends the
    sessions it admitted."""
    mock.reset()
    store = os.path.join(work, "done.db")
    conf = os.path.join(work, "done.json")
    write_config(conf, store, mock, github={"restrict_to": "team:acme/infra, octocat"})
    # Make alice an infra member, bob stays pending.
    mock.control("orgs", {"login": "acme", "members": {"octocat": "active", "alice": "active",
                                                       "bob": "pending"},
                          "teams": {"infra": {"alice": "active", "bob": "pending"}}})
    alice, octo, bob = Browser(conf), Browser(conf), Browser(conf)
    a = alice.sign_in(mock, "alice")
    o = octo.sign_in(mock, "octocat")
    r = bob.sign_in(mock, "bob")
    tap.ok(a.get("session") and a["session"].status == 200,
           "done-when: an active infra member is admitted")
    tap.ok(o.get("session") and o["session"].status == 200,
           "done-when: octocat is admitted by login")
    tap.ok(r["callback"].status == 403 and re.search(
           rb"Access denied\. User (&#39;|&#x27;|')bob(&#39;|&#x27;|') is not authorized",
           r["callback"].raw), "done-when: a pending member gets the usual 403",
           r["callback"])
    st = mock.control("state")
    tap.is_(st["tokens"], 0, "done-when: no GitHub token outlives the sign-ins")
    tap.is_(len(mock.control("revoked")), 3, "done-when: all three tokens were revoked")
    # The team entry goes.
    write_config(conf, store, mock, github={"restrict_to": "octocat"})
    r = alice.session()
    tap.is_(r.status, 401, "done-when: removing the team entry ends alice's session")
    tap.like(r.stderr, r"user alice \(id 1001\) no longer on the allowlist",
             "done-when: ... and says why in the log")
    tap.is_(octo.session().status, 200, "done-when: octocat's session lives on")
    # Back again: the record still remembers the entry (it was not deleted).
    write_config(conf, store, mock, github={"restrict_to": "Team:Acme/Infra, octocat"})
    tap.is_(alice.session().status, 401,
            "done-when: the ended session was dropped (its cookie expired)")
    for x in (alice, octo, bob):
        for resp in x.log:
            texts.append(resp.raw.decode("latin-1"))
            texts.append(resp.stderr)
    for req in mock.requests():
        auth = req["headers"].get("authorization", "")
        if auth.startswith("Bearer "):
            secrets.add(auth[7:])


def main():
    tap = Tap()
    if not os.path.exists(SEED):
        print("1..0 # SKIP %s not built (run make check)" % SEED)
        return 0
    cases = parse_cases(CASES)
    tap.ok(len(cases) >= 40, "%d cases read from %s" % (len(cases), CASES))
    work = ghtest.tmpdir()
    cadir = ghtest.make_ca(os.path.join(work, "ca"))
    mock = Mock(work, cadir, client_secret=SECRET)
    secrets, texts = {SECRET}, []
    only = os.environ.get("GHAUTH_ORGS_ONLY")
    try:
        for i, c in enumerate(cases):
            if only and only not in c["case"]:
                continue
            run_case(tap, work, mock, c, i, secrets, texts)
        if not only:
            team_removed_flow(tap, work, mock, secrets, texts)
    finally:
        mock.stop()
    tap.ok(len(secrets) > 10, "the canary knows %d secrets" % len(secrets))
    ghtest.canary_check(tap, texts, sorted(secrets),
                        "any response or log line of the org/team cases")
    tap.ok(len(GH_TOKENS) > 10 and len(STORE_TEXTS) > 10,
           "%d GitHub tokens, %d store files to check" % (len(GH_TOKENS), len(STORE_TEXTS)))
    ghtest.canary_check(tap, STORE_TEXTS, sorted(GH_TOKENS - {SECRET}),
                        "the store files (GitHub's access tokens)")
    ghtest.cleanup(work)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
