#!/usr/bin/env python3
"""The examples in the docs work as written.

- The first ```json block of docs/SETUP.md (and of docs/CONFIG.md, and the
  EXAMPLES of ghauth.json(5)) is valid JSON that the built cgi-bin/github
  loads: run under env -i with GHAUTH_CONFIG and the $VARIABLES the example
  names, it answers 303 to GitHub's authorize page with the example's
  client_id and redirect_uri, and logs nothing.  Only "store" is replaced by
  a temporary path (the example's directory does not exist here).
- With those variables unset it answers "GitHub OAuth not configured", as
  SETUP.md says an unset variable does.
- The environment-only example (the ```apache SetEnv block) works too.
- The lighttpd part quoted in SETUP.md is docs/servers/lighttpd.conf's,
  verbatim.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import doclib  # noqa: E402
from doclib import Tap  # noqa: E402

GITHUB = os.path.join(doclib.BUILD, "cgi-bin", "github")
SESSION = os.path.join(doclib.BUILD, "cgi-bin", "session")
VALUES = {"GITHUB_CLIENT_ID": "Ov23liDocsTest0000001",
          "GITHUB_CLIENT_SECRET": "0123456789abcdef0123456789abcdef01234567",
          "GITHUB_USERS": "583231 monalisa"}


def fenced(md, lang):
    return re.findall(r"^```" + re.escape(lang) + r"\n(.*?)^```", md, flags=re.S | re.M)


def variables(v, out):
    """Names used as "$NAME" / "${NAME}" anywhere in a JSON value."""
    if isinstance(v, dict):
        for x in v.values():
            variables(x, out)
    elif isinstance(v, list):
        for x in v:
            variables(x, out)
    elif isinstance(v, str):
        m = re.fullmatch(r"\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))", v)
        if m:
            out.add(m.group(1) or m.group(2))
    return out


def run(prog, env, method="GET"):
    e = {"REQUEST_METHOD": method}
    e.update(env)
    r = subprocess.run([prog], env=e, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30, check=False)
    head = r.stdout.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    headers = {}
    for line in head.split("\r\n"):
        k, _, v = line.partition(": ")
        headers.setdefault(k.lower(), v)
    return headers, r.stdout.decode("latin-1"), r.stderr.decode("utf-8", "replace")


def check_example(tap, work, name, text):
    try:
        cfg = json.loads(text)
    except ValueError as e:
        tap.ok(False, "%s: the example is valid JSON" % name, e)
        return
    tap.ok(True, "%s: the example is valid JSON" % name)
    gh = cfg.get("auth", {}).get("github", {})
    tap.ok(isinstance(gh, dict) and gh.get("redirect_uri") and gh.get("client_id"),
           "%s: the example has auth.github.client_id and redirect_uri" % name)
    tap.ok(gh.get("restrict_to"), "%s: the example sets restrict_to" % name)
    names = variables(cfg, set())
    env = {n: VALUES.get(n, "docs-test-value") for n in names}
    d = tempfile.mkdtemp(dir=work)
    cfg["auth"]["store"] = os.path.join(d, "ghauth.db")
    path = os.path.join(d, "ghauth.json")
    with open(path, "w") as f:
        json.dump(cfg, f)
    env["GHAUTH_CONFIG"] = path
    h, out, err = run(GITHUB, env)
    tap.ok(h.get("status", "").startswith("303 "), "%s: cgi-bin/github answers 303" % name, out + err)
    loc = urllib.parse.urlsplit(h.get("location", ""))
    q = urllib.parse.parse_qs(loc.query)
    base = gh.get("authorize_url") or (gh.get("oauth_url") or "https://github.com/login/oauth") + "/authorize"
    cid = env.get(gh["client_id"].strip("${}"), gh["client_id"])
    tap.ok(h.get("location", "").startswith(base + "?") and q.get("client_id") == [cid] and
           q.get("redirect_uri") == [gh["redirect_uri"]],
           "%s: to %s with the example's client_id and redirect_uri" % (name, base), h.get("location"))
    tap.ok(err == "", "%s: nothing logged" % name, err)
    h, out, err = run(SESSION, env)
    tap.ok(h.get("status", "").startswith("401 ") and err == "",
           "%s: cgi-bin/session loads it too (401, nothing logged)" % name, out + err)
    if names:
        bare = {"GHAUTH_CONFIG": path}
        h, out, err = run(GITHUB, bare)
        tap.ok(h.get("status", "").startswith("500 ") and "GitHub OAuth not configured" in out,
               "%s: with %s unset: GitHub OAuth not configured" % (name, ", ".join(sorted(names))),
               out + err)


def main():
    tap = Tap()
    setup = doclib.read("docs/SETUP.md")
    if not os.access(GITHUB, os.X_OK):
        print("1..0 # SKIP cgi-bin/github is not built in %s" % doclib.BUILD)
        return 0
    work = tempfile.mkdtemp(prefix="ghauth-docs.")
    try:
        blocks = fenced(setup, "json")
        if tap.ok(blocks, "docs/SETUP.md has a ```json example"):
            check_example(tap, work, "SETUP.md", blocks[0])
        blocks = fenced(doclib.read("docs/CONFIG.md"), "json")
        if tap.ok(blocks, "docs/CONFIG.md has a ```json example"):
            check_example(tap, work, "CONFIG.md", blocks[0])
        man = doclib.read("docs/man/ghauth.json.5")
        m = re.search(r"^\.Sh EXAMPLES\n.*?^\.Bd -literal[^\n]*\n(.*?)^\.Ed", man, re.S | re.M)
        if tap.ok(m, "ghauth.json(5) has an example under EXAMPLES"):
            check_example(tap, work, "ghauth.json(5)", m.group(1))

        # Environment-only mode, from the SetEnv lines.
        blocks = fenced(setup, "apache")
        env = {}
        for b in blocks:
            for k, v in re.findall(r"^SetEnv\s+(\w+)\s+(.+?)\s*$", b, re.M):
                env[k] = v.strip('"')
        default = None
        mk = os.path.join(doclib.BUILD, "Makefile")
        if os.path.exists(mk):
            with open(mk) as f:
                vals = dict(re.findall(r"^(prefix|sysconfdir) = (.*)$", f.read(), re.M))
            default = vals.get("sysconfdir", "").replace("${prefix}", vals.get("prefix", ""))
            default = os.path.join(default, "ghauth", "ghauth.json")
        if not tap.ok({"GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET", "GHAUTH_REDIRECT_URI",
                       "GITHUB_USERS"} <= set(env),
                      "docs/SETUP.md: the environment-only example sets the four variables", env):
            pass
        elif default is None or os.path.exists(default):
            tap.skip("environment-only example: cgi-bin/github answers 303",
                     "a configuration file exists at the default path %s" % default)
        else:
            env["GHAUTH_STORE"] = os.path.join(tempfile.mkdtemp(dir=work), "ghauth.db")
            h, out, err = run(GITHUB, env)
            q = urllib.parse.parse_qs(urllib.parse.urlsplit(h.get("location", "")).query)
            tap.ok(h.get("status", "").startswith("303 ") and
                   q.get("redirect_uri") == [env["GHAUTH_REDIRECT_URI"]] and err == "",
                   "environment-only example: cgi-bin/github answers 303", out + err)

        # The lighttpd part, verbatim.
        conf = doclib.read("docs/servers/lighttpd.conf")
        m = re.search(r"^# ---- ghauth: paste from here.*?^# ---- ghauth: to here[^\n]*\n", conf, re.S | re.M)
        tap.ok(m and m.group(0) in setup,
               "docs/SETUP.md quotes the ghauth part of docs/servers/lighttpd.conf verbatim",
               "copy the lines between the markers again" if m else "no markers in lighttpd.conf")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
