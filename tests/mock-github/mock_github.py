#!/usr/bin/env python3
"""mock_github.py -- a mock of GitHub's OAuth web flow and REST API, for tests only.

Speaks GitHub's wire format over HTTPS on 127.0.0.1, with a JSON control API under
/_mock/ to add users, inject failures and read the request log.  Python 3 standard
library only.  It is part of the ghauth test suite and never ships in the product.
See README.md next to this file.
"""

import argparse
import base64
import copy
import hashlib
import html
import json
import os
import re
import secrets
import signal
import socket
import ssl
import string
import sys
import tempfile
import threading
import time
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_CLIENT_ID = "mock-client-id"
DEFAULT_CLIENT_SECRET = "mock-client-secret"

REST_DOCS = "https://docs.github.com/rest"
TOKEN_ERR_DOCS = ("https://docs.github.com/apps/managing-oauth-apps/"
                  "troubleshooting-oauth-app-access-token-request-errors/#")
AUTHZ_ERR_DOCS = ("https://docs.github.com/apps/managing-oauth-apps/"
                  "troubleshooting-authorization-request-errors/#")

TOKEN_ERRORS = {
    "incorrect_client_credentials": "The client_id and/or client_secret passed are incorrect.",
    "redirect_uri_mismatch": "The redirect_uri MUST match the registered callback URL for this application.",
    "bad_verification_code": "The code passed is incorrect or expired.",
    "unverified_user_email": "The user must have a verified primary email.",
    "bad_refresh_token": "The refresh token passed is incorrect or expired.",
}
AUTHZ_ERRORS = {
    "access_denied": "The user has denied your application access.",
    "redirect_uri_mismatch": "The redirect_uri MUST match the registered callback URL for this application.",
    "application_suspended": "Your application has been suspended. Contact support@github.com.",
}

NO_USER_AGENT_BODY = (
    "Request forbidden by administrative rules. Please make sure your request has a "
    "User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api"
    "#user-agent-required). Check https://developer.github.com for other possible causes.\n")

ENDPOINTS = ("authorize", "token", "user", "emails", "org_membership", "team_membership",
             "revoke")
# Modes answered without processing the request at all.
GENERIC_MODES = {"html", "malformed", "hang", "huge", "redirect", "ratelimit", "error200"}
# Modes applied to the bytes of the normal answer (success or error).
BYTE_MODES = {"slow", "truncated", "cutoff"}
# Modes that change the structure of a successful answer.
STRUCT_MODES = {"dupkeys", "wrongtypes", "missing", "nullemail", "badtokentype", "invalidtoken",
                "pending", "badstate"}
# Modes that replace the answer with one GitHub gives in a particular situation.
SITUATION_MODES = {"restricted", "notinstalled"}
MODE_ENDPOINTS = {
    "error200": {"token"}, "badtokentype": {"token"}, "invalidtoken": {"token"},
    "nullemail": {"user", "emails"},
    "dupkeys": {"token", "user", "emails"}, "wrongtypes": {"token", "user", "emails"},
    "missing": {"token", "user", "emails", "org_membership", "team_membership"},
    "pending": {"org_membership", "team_membership"},
    "badstate": {"org_membership", "team_membership"},
    "restricted": {"org_membership", "team_membership"},
    "notinstalled": {"org_membership", "team_membership"},
}
MEMBERSHIP_ENDPOINTS = ("org_membership", "team_membership")
# GitHub's 403 for an organisation that restricts OAuth App access and has not
# approved the app (the text GitHub sends, with the org's name).
RESTRICTED_MESSAGE = (
    "Although you appear to have the correct authorization credentials, the `%s` "
    "organization has enabled OAuth App access restrictions, meaning that data access "
    "to third-parties is limited. For more information on these restrictions, including "
    "how to approve this app, visit "
    "https://docs.github.com/articles/restricting-access-to-your-organization-s-data/")
NOT_INSTALLED_MESSAGE = "Resource not accessible by integration"

CODE_TTL = 600
ALNUM = string.ascii_letters + string.digits
CHALLENGE_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
MAX_BODY = 10 * 1024 * 1024
MAX_LOG = 10000

_log_lock = threading.Lock()


def log(msg):
    line = time.strftime("%Y-%m-%dT%H:%M:%S") + " mock-github: " + msg + "\n"
    with _log_lock:
        try:
            sys.stderr.write(line)
            sys.stderr.flush()
        except (OSError, ValueError):
            pass


def jdump(v):
    # Like GitHub: compact, raw UTF-8 (no \u escapes for non-ASCII).
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def dump_pairs(pairs):
    """JSON object from (key, value) pairs -- allows duplicate keys on purpose."""
    return "{" + ",".join(jdump(k) + ":" + jdump(v) for k, v in pairs) + "}"


def s256(verifier):
    d = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(d).rstrip(b"=").decode("ascii")


def new_token(prefix="gho_"):
    return prefix + "".join(secrets.choice(ALNUM) for _ in range(36))


def builtin_orgs():
    """Organisations, keyed by lower-cased login.  Members and team members map a
    lower-cased user login to {"state": "active"|"pending", "role": ...}."""
    def m(state, role="member"):
        return {"state": state, "role": role}
    return {
        "acme": {
            "login": "acme", "id": 9001, "restricted": False,
            "members": {"octocat": m("active", "admin"), "alice": m("active"),
                        "bob": m("pending")},
            "teams": {
                "infra": {"name": "Infra", "id": 71,
                          "members": {"octocat": m("active", "maintainer"),
                                      "bob": m("pending")}},
                "ops": {"name": "Ops", "id": 72, "members": {"alice": m("active")}},
            },
        },
        "lockedco": {
            "login": "LockedCo", "id": 9002, "restricted": True,
            "members": {"alice": m("active"), "octocat": m("active")},
            "teams": {"core": {"name": "Core", "id": 73,
                               "members": {"alice": m("active")}}},
        },
    }


def add_query(url, params):
    return url + ("&" if "?" in url else "?") + urllib.parse.urlencode(params)


def first_values(qs):
    out = {}
    for k, v in urllib.parse.parse_qsl(qs, keep_blank_values=True):
        out.setdefault(k, v)
    return out


def builtin_users():
    return {
        "octocat": {
            "login": "octocat", "id": 583231, "name": "The Octocat",
            "email": "octocat@github.com",
            "avatar_url": "https://avatars.githubusercontent.com/u/583231?v=4",
            "company": "@github", "blog": "https://github.blog", "location": "San Francisco",
            "public_repos": 8, "public_gists": 8, "followers": 17000, "following": 9,
            "created_at": "2011-01-25T18:44:36Z", "updated_at": "2024-06-22T12:00:00Z",
            "emails": [
                {"email": "octocat@github.com", "primary": True, "verified": True,
                 "visibility": "public"},
            ],
        },
        "alice": {
            "login": "alice", "id": 1001, "name": "Alice Example", "email": None,
            "avatar_url": "https://avatars.githubusercontent.com/u/1001?v=4",
            # The non-primary address comes first on purpose: "first verified" is wrong.
            "emails": [
                {"email": "alice-old@example.com", "primary": False, "verified": True,
                 "visibility": None},
                {"email": "alice@example.com", "primary": True, "verified": True,
                 "visibility": "private"},
            ],
        },
        "bob": {
            "login": "bob", "id": 1002, "name": None, "email": None,
            "avatar_url": "https://avatars.githubusercontent.com/u/1002?v=4",
            "emails": [
                {"email": "bob@example.com", "primary": True, "verified": False,
                 "visibility": "private"},
                {"email": "bob-work@example.com", "primary": False, "verified": False,
                 "visibility": None},
            ],
        },
        "mallory": {
            "login": "mallory", "id": 666, "name": "Mallory", "email": "mallory@evil.example",
            "avatar_url": "https://avatars.githubusercontent.com/u/666?v=4",
            "emails": [
                {"email": "mallory@evil.example", "primary": True, "verified": True,
                 "visibility": "public"},
            ],
        },
        "unicode": {
            "login": "unicode", "id": 4242,
            "name": 'Uni "Code" \\ </script><script>alert(1)</script> '
                    "\u202eevil\u202c \u2028line \U0001F984 \u00e9\u00e8",
            "email": None,
            "avatar_url": "https://avatars.githubusercontent.com/u/4242?v=4",
            "bio": "<img src=x onerror=alert(1)> \"quoted\" 'single' \\ \u2029 \U0001F600",
            "emails": [
                {"email": "unicode@example.com", "primary": True, "verified": True,
                 "visibility": "private"},
            ],
        },
    }


def user_object(u):
    """A realistic GitHub `GET /user` object (ordered like GitHub's)."""
    login, uid = u.get("login"), u.get("id")
    api = "https://api.github.com/users/%s" % login
    o = {
        "login": login,
        "id": uid,
        "node_id": base64.b64encode(("04:User%s" % uid).encode()).decode(),
        "avatar_url": "https://avatars.githubusercontent.com/u/%s?v=4" % uid,
        "gravatar_id": "",
        "url": api,
        "html_url": "https://github.com/%s" % login,
        "followers_url": api + "/followers",
        "following_url": api + "/following{/other_user}",
        "gists_url": api + "/gists{/gist_id}",
        "starred_url": api + "/starred{/owner}{/repo}",
        "subscriptions_url": api + "/subscriptions",
        "organizations_url": api + "/orgs",
        "repos_url": api + "/repos",
        "events_url": api + "/events{/privacy}",
        "received_events_url": api + "/received_events",
        "type": "User",
        "user_view_type": "public",
        "site_admin": False,
        "name": None,
        "company": None,
        "blog": "",
        "location": None,
        "email": None,
        "hireable": None,
        "bio": None,
        "twitter_username": None,
        "notification_email": None,
        "public_repos": 2,
        "public_gists": 0,
        "followers": 1,
        "following": 0,
        "created_at": "2015-03-14T09:26:53Z",
        "updated_at": "2025-01-02T10:00:00Z",
    }
    for k, v in u.items():
        if k != "emails":
            o[k] = v
    return o


class MockState:
    """All mutable state, guarded by one lock."""

    def __init__(self, client_id, client_secret, state_dir=None):
        self.lock = threading.RLock()
        self.client_id = client_id
        self.client_secret = client_secret
        self.state_dir = state_dir
        self.requests = []
        self.reset(save=False)
        if state_dir:
            self.load()

    # -- persistence (only with --state-dir) -------------------------------------------
    def _persist_keys(self):
        return ("users", "config", "failures", "codes", "tokens", "orgs", "revoked")

    def load(self):
        path = os.path.join(self.state_dir, "state.json")
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except FileNotFoundError:
            return
        except (OSError, ValueError) as e:
            log("ignoring unreadable %s: %s" % (path, e))
            return
        with self.lock:
            for k in self._persist_keys():
                if k in data:
                    setattr(self, k, data[k])
            for ep in ENDPOINTS:
                self.failures.setdefault(ep, [])
        log("loaded state from %s" % path)

    def save(self):
        if not self.state_dir:
            return
        with self.lock:
            data = {k: getattr(self, k) for k in self._persist_keys()}
            fd, tmp = tempfile.mkstemp(prefix=".state.", dir=self.state_dir)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump(data, f, ensure_ascii=False, indent=1)
                os.replace(tmp, os.path.join(self.state_dir, "state.json"))
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise

    def append_request_file(self, entry):
        if not self.state_dir:
            return
        with self.lock:
            with open(os.path.join(self.state_dir, "requests.jsonl"), "a",
                      encoding="utf-8") as f:
                f.write(json.dumps(entry, ensure_ascii=False) + "\n")

    # -- state ---------------------------------------------------------------------------
    def reset(self, save=True):
        with self.lock:
            self.users = builtin_users()
            self.config = {
                "auto_approve": False,
                "default_user": "octocat",
                "app_name": "ghauth test app",
                "callback_url": None,
                "code_ttl": CODE_TTL,
                "granted_scopes": None,
                # GitHub App mode: ghu_ tokens that expire (with a ghr_ refresh
                # token), scopes ignored, and organisation membership readable
                # only in the organisations listed in "installations".
                "app_mode": False,
                "installations": [],
            }
            self.failures = {ep: [] for ep in ENDPOINTS}
            self.codes = {}
            self.tokens = {}
            self.orgs = builtin_orgs()
            self.revoked = []
            self.ratelimit_used = {}
            del self.requests[:]
            if save:
                self.save()
                if self.state_dir:
                    try:
                        os.unlink(os.path.join(self.state_dir, "requests.jsonl"))
                    except FileNotFoundError:
                        pass

    def user_by_login(self, login):
        if login is None:
            return None
        with self.lock:
            u = self.users.get(login)
            if u is None:  # GitHub logins are case-insensitive
                for k, v in self.users.items():
                    if k.lower() == str(login).lower():
                        u = v
                        break
            return copy.deepcopy(u) if u else None

    def user_by_id(self, uid):
        with self.lock:
            for u in self.users.values():
                if u.get("id") == uid:
                    return copy.deepcopy(u)
        return None

    def take_failure(self, ep):
        with self.lock:
            q = self.failures.get(ep)
            if not q:
                return None
            f = q[0]
            if f["count"] != 0:
                f["remaining"] -= 1
                if f["remaining"] <= 0:
                    q.pop(0)
            self.save()
            return dict(f)

    def issue_code(self, rec):
        code = secrets.token_hex(10)
        with self.lock:
            now = time.time()
            # Drop expired codes so the table never grows without bound.
            for c in [c for c, r in self.codes.items()
                      if now - r["issued"] > max(CODE_TTL, self.config["code_ttl"])]:
                del self.codes[c]
            rec["issued"] = now
            self.codes[code] = rec
            self.save()
        return code

    def issue_token(self, user, scope, client_id):
        app = self.config.get("app_mode")
        tok = new_token("ghu_" if app else "gho_")
        with self.lock:
            self.tokens[tok] = {"user_id": user["id"], "login": user["login"],
                                "scope": "" if app else scope, "client_id": client_id,
                                "created": time.time(), "app": bool(app)}
            self.save()
        return tok

    def token_info(self, tok):
        with self.lock:
            rec = self.tokens.get(tok)
            return dict(rec) if rec else None

    def count_api_call(self, tok):
        with self.lock:
            n = self.ratelimit_used.get(tok, 0) + 1
            self.ratelimit_used[tok] = n
            return n

    def log_request(self, entry):
        with self.lock:
            self.requests.append(entry)
            if len(self.requests) > MAX_LOG:
                del self.requests[:len(self.requests) - MAX_LOG]


class Resp:
    """A prepared answer: status, content type, extra headers, body bytes.

    `kind`/`data`/`fmt` describe a structured success payload so that failure modes can
    rebuild it with duplicate keys, wrong types and so on.
    """

    def __init__(self, status, ctype, body, headers=None, kind=None, data=None, fmt="json"):
        self.status = status
        self.ctype = ctype
        self.body = body if isinstance(body, bytes) else body.encode("utf-8")
        self.headers = list(headers or [])
        self.kind = kind
        self.data = data
        self.fmt = fmt


JSON_CT = "application/json; charset=utf-8"
FORM_CT = "application/x-www-form-urlencoded; charset=utf-8"
XML_CT = "application/xml; charset=utf-8"
HTML_CT = "text/html; charset=utf-8"


def serialize_pairs(pairs, fmt):
    if fmt == "json":
        return dump_pairs(pairs), JSON_CT
    if fmt == "xml":
        inner = "".join("<%s>%s</%s>" % (k, html.escape("" if v is None else str(v), False), k)
                        for k, v in pairs)
        return "<OAuth>" + inner + "</OAuth>", XML_CT
    return urllib.parse.urlencode([(k, "" if v is None else str(v)) for k, v in pairs]), FORM_CT


def html_page(title, body_html):
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<title>%s</title>\n</head>\n<body>\n%s\n</body>\n</html>\n"
            % (html.escape(title), body_html))


UNICORN_PAGE = html_page(
    "Unicorn! \u00b7 GitHub",
    "<div class=\"container\"><img alt=\"Unicorn\" src=\"data:image/png;base64,\">\n"
    "<p><strong>No server is currently available to service your request.</strong></p>\n"
    "<p>Sorry about that. Please try refreshing and contact us if the problem persists.</p>\n"
    "<div id=\"suggestions\"><a href=\"https://support.github.com\">Contact Support</a> "
    "&mdash; <a href=\"https://www.githubstatus.com\">GitHub Status</a></div></div>")

MALFORMED = {
    "token": '{"access_token": gho_notquoted, "token_type": "bearer", "scope": ',
    "user": '{"login": "octocat", "id": 583231,, "name": \'The Octocat\'',
    "emails": '[{"email": "octocat@github.com", "primary": True, "verified": True}',
    "authorize": '{"login": "octocat", "id": 583231,, "name": \'The Octocat\'',
    "org_membership": '{"state": "active", "role": member,, ',
    "team_membership": '{"state": "active", "role": member,, ',
    "revoke": '{"message": Not Found',
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "GitHub.com"
    sys_version = ""
    timeout = 60  # idle keep-alive / slow client limit, seconds

    # -- plumbing ------------------------------------------------------------------------
    @property
    def st(self):
        return self.server.state

    def handle(self):
        try:
            if isinstance(self.request, ssl.SSLSocket):
                self.request.do_handshake()
        except (ssl.SSLError, OSError) as e:
            log("%s:%s TLS handshake failed: %s" % (self.client_address + (e,)))
            self.close_connection = True
            return
        try:
            super().handle()
        except (ConnectionError, ssl.SSLError, socket.timeout, TimeoutError) as e:
            log("%s:%s connection ended: %s: %s"
                % (self.client_address + (type(e).__name__, e)))
            self.close_connection = True

    def version_string(self):
        return self.server_version

    def log_request(self, code="-", size="-"):
        pass  # we log one line ourselves, see log_line()

    def log_message(self, fmt, *args):
        log("%s:%s %s" % (self.client_address[0], self.client_address[1], fmt % args))

    def log_line(self, status, note=""):
        if getattr(self, "_logged", True):
            return
        self._logged = True
        f = getattr(self, "failure", None)
        extra = (" failure=%s" % f["mode"]) if f else ""
        if note:
            extra += " " + note
        log('%s:%s "%s %s %s" %s%s' % (self.client_address[0], self.client_address[1],
                                      self.command, self.path, self.request_version,
                                      status, extra))
        entry = getattr(self, "entry", None)
        if entry is not None:
            with self.st.lock:
                entry["status"] = status
            self.st.append_request_file(entry)

    def start(self, status, ctype=None, headers=(), length=None, chunked=False):
        reason = None
        try:
            HTTPStatus(status)
        except ValueError:
            reason = "Unknown"
        self.send_response(status, reason)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in headers:
            self.send_header(k, v)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif length is not None:
            self.send_header("Content-Length", str(length))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.log_line(status)

    def send(self, status, body=b"", ctype=None, headers=()):
        if isinstance(body, str):
            body = body.encode("utf-8")
        nobody = status in (204, 304) or status < 200
        self.start(status, ctype if not nobody else None, headers,
                   None if nobody else len(body))
        if not nobody and self.command != "HEAD":
            self.wfile.write(body)

    def send_resp(self, r):
        self.send(r.status, r.body, r.ctype, r.headers)

    def send_json(self, status, obj, headers=()):
        self.send(status, jdump(obj), JSON_CT, headers)

    def read_body(self):
        te = self.headers.get("Transfer-Encoding", "")
        if "chunked" in te.lower():
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(1024)
                if not line:
                    raise ValueError("truncated chunked body")
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > MAX_BODY:
                    raise ValueError("body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(8)
            return b"".join(chunks)
        n = self.headers.get("Content-Length")
        if not n:
            return b""
        n = int(n)
        if n < 0 or n > MAX_BODY:
            raise ValueError("bad Content-Length")
        return self.rfile.read(n)

    def base_url(self):
        host = self.headers.get("Host") or "127.0.0.1:%d" % self.server.server_address[1]
        return "https://" + host

    # -- dispatch ------------------------------------------------------------------------
    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def dispatch(self):
        self._logged = False
        self.entry = None
        self.failure = None
        try:
            self._dispatch()
        finally:
            if not self._logged:
                self.log_line("-", "(no response)")

    def _dispatch(self):
        parts = urllib.parse.urlsplit(self.path)
        path, raw_query = parts.path, parts.query
        self.query = first_values(raw_query)
        try:
            self.body = self.read_body()
        except ValueError as e:
            self.close_connection = True
            self.send_json(400, {"message": "Problems parsing request body: %s" % e,
                                 "documentation_url": REST_DOCS, "status": "400"})
            return
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        self.form, self.jbody = {}, None
        text = self.body.decode("utf-8", "replace")
        if ctype == "application/json" or (not ctype and text[:1] in "{["
                                            and text):
            try:
                self.jbody = json.loads(text) if text else None
            except ValueError:
                self.jbody = None
            if isinstance(self.jbody, dict):
                self.form = {str(k): v if isinstance(v, str) else jdump(v)
                             for k, v in self.jbody.items()}
        elif self.body:
            self.form = first_values(text)

        if path == "/_mock" or path.startswith("/_mock/"):
            self.control(path)
            return

        hdrs = {}
        for k, v in self.headers.items():
            k = k.lower()
            hdrs[k] = hdrs[k] + ", " + v if k in hdrs else v
        self.entry = {
            "time": time.time(), "method": self.command, "path": path,
            "query": self.query, "raw_query": raw_query, "headers": hdrs,
            "form": self.form, "json": self.jbody, "body": text[:65536],
            "endpoint": None, "failure": None, "status": None,
        }
        self.st.log_request(self.entry)
        self.route(path)

    def route(self, path):
        p = path
        if p.startswith("/redirected/"):
            p = p[len("/redirected"):]
        if p.startswith("/api/v3/"):  # GitHub Enterprise Server layout
            p = p[len("/api/v3"):]
        p = p.rstrip("/") or "/"
        m = self.command
        if p == "/login/oauth/authorize" and m in ("GET", "POST"):
            ep = "authorize"
        elif p == "/login/oauth/access_token" and m == "POST":
            ep = "token"
        elif p == "/user" and m in ("GET", "HEAD"):
            ep = "user"
        elif p == "/user/emails" and m in ("GET", "HEAD"):
            ep = "emails"
        elif re.match(r"^/user/memberships/orgs/[^/]+$", p) and m in ("GET", "HEAD"):
            ep = "org_membership"
        elif (re.match(r"^/orgs/[^/]+/teams/[^/]+/memberships/[^/]+$", p)
              and m in ("GET", "HEAD")):
            ep = "team_membership"
        elif re.match(r"^/applications/[^/]+/token$", p) and m == "DELETE":
            ep = "revoke"
        else:
            self.send_json(404, {"message": "Not Found", "documentation_url": REST_DOCS,
                                 "status": "404"})
            return
        self.entry["endpoint"] = ep
        self.failure = self.st.take_failure(ep)
        if self.failure:
            self.entry["failure"] = self.failure["mode"]
        f = self.failure
        if f and (f["mode"] in GENERIC_MODES or f["mode"].startswith("status:")):
            self.generic_failure(ep, f)
            return
        self.route_path = p
        if f and f["mode"] in SITUATION_MODES:
            org = urllib.parse.unquote(p.split("/")[4 if ep == "org_membership" else 2])
            r = (self.restricted_answer(org) if f["mode"] == "restricted"
                 else self.not_installed_answer())
        elif ep == "authorize":
            r = self.authorize()
        elif ep == "token":
            r = self.access_token()
        elif ep == "user":
            r = self.api_user()
        elif ep == "emails":
            r = self.api_emails()
        elif ep in MEMBERSHIP_ENDPOINTS:
            r = self.api_membership(ep, p)
        else:
            r = self.revoke_token(p)
        if f and f["mode"] in STRUCT_MODES and r.kind:
            r = self.mangle(ep, r, f)
        if f and f["mode"] in BYTE_MODES:
            self.byte_failure(r, f)
            return
        self.send_resp(r)

    # -- OAuth web flow ------------------------------------------------------------------
    def error_page(self, status, title, message):
        return Resp(status, HTML_CT, html_page(title, "<h1>%s</h1>\n<p>%s</p>"
                                               % (html.escape(title), html.escape(message))))

    def redirect_ok(self, redirect_uri):
        cb = self.st.config.get("callback_url")
        if not cb:
            return True
        try:
            a, b = urllib.parse.urlsplit(redirect_uri), urllib.parse.urlsplit(cb)
            ah, bh = (a.hostname or "").lower(), (b.hostname or "").lower()
            if a.scheme != b.scheme:
                return False
            if not (ah == bh or ah.endswith("." + bh)):
                return False
            loopback = bh in ("localhost", "127.0.0.1", "::1")
            if not loopback and (a.port or 0) != (b.port or 0):
                return False
            bp = b.path.rstrip("/")
            return a.path == b.path or a.path.startswith(bp + "/") or not bp
        except ValueError:
            return False

    def authorize(self):
        p = dict(self.query)
        if self.command == "POST":
            p.update(self.form)
        cfg = self.st.config
        if p.get("client_id") != self.st.client_id:
            return self.error_page(404, "Not Found", "There is no OAuth application with "
                                   "this client_id.")
        method, challenge = p.get("code_challenge_method"), p.get("code_challenge")
        if method is not None and method != "S256":
            return self.error_page(400, "Bad Request", "Unsupported code_challenge_method "
                                   "%r: only S256 is supported." % method)
        if challenge is not None and method is None:
            return self.error_page(400, "Bad Request", "code_challenge_method is required "
                                   "with code_challenge (plain is not supported).")
        if challenge is not None and not CHALLENGE_RE.match(challenge):
            return self.error_page(400, "Bad Request", "code_challenge must be 43 characters"
                                   " of base64url without padding.")
        if method is not None and challenge is None:
            return self.error_page(400, "Bad Request", "code_challenge is missing.")
        redirect_uri = p.get("redirect_uri")
        target = redirect_uri or cfg.get("callback_url")
        if not target:
            return self.error_page(400, "Bad Request", "mock: redirect_uri is required "
                                   "(no callback_url configured).")
        if redirect_uri and not self.redirect_ok(redirect_uri):
            params = [("error", "redirect_uri_mismatch"),
                      ("error_description", AUTHZ_ERRORS["redirect_uri_mismatch"]),
                      ("error_uri", AUTHZ_ERR_DOCS + "redirect-uri-mismatch")]
            if "state" in p:
                params.append(("state", p["state"]))
            return Resp(302, HTML_CT, b"", [("Location", add_query(cfg["callback_url"], params))])

        if self.command == "POST":
            decision = p.get("decision", "")
            login = p.get("login") or cfg["default_user"]
        else:
            auto = self.query.get("mock_auto")
            if auto is None:
                auto = cfg.get("auto_approve")
            if auto in (True, "1", "true", "yes"):
                decision = "authorize"
            elif auto in ("cancel", "deny"):
                decision = "cancel"
            else:
                return self.authorize_page(p)
            login = p.get("login") or cfg["default_user"]

        if decision == "cancel":
            params = [("error", "access_denied"),
                      ("error_description", AUTHZ_ERRORS["access_denied"]),
                      ("error_uri", AUTHZ_ERR_DOCS + "access-denied")]
        elif decision == "authorize":
            user = self.st.user_by_login(login)
            if user is None:
                return self.error_page(400, "Bad Request", "mock: unknown user %r" % login)
            scope = p.get("scope")
            granted = cfg.get("granted_scopes")
            if granted is None:
                granted = ",".join(s for s in re.split(r"[\s,]+", scope or "") if s)
            code = self.st.issue_code({
                "client_id": p["client_id"], "redirect_uri": redirect_uri,
                "code_challenge": challenge, "code_challenge_method": method,
                "user_id": user["id"], "login": user["login"], "scope": granted,
            })
            params = [("code", code)]
        else:
            return self.error_page(400, "Bad Request", "mock: decision must be "
                                   "'authorize' or 'cancel'")
        if "state" in p:
            params.append(("state", p["state"]))
        return Resp(302, HTML_CT, b"", [("Location", add_query(target, params))])

    def authorize_page(self, p):
        cfg = self.st.config
        app = cfg.get("app_name") or "OAuth app"
        with self.st.lock:
            users = [(k, v.get("name")) for k, v in self.st.users.items()]
        wanted = self.st.user_by_login(p.get("login"))
        selected = wanted["login"] if wanted else cfg["default_user"]
        opts = []
        for login, name in users:
            label = login + (" (%s)" % name if name else "")
            opts.append('<option value="%s"%s>%s</option>'
                        % (html.escape(login), " selected" if login == selected else "",
                           html.escape(label)))
        hidden = []
        for k in ("client_id", "redirect_uri", "scope", "state", "code_challenge",
                  "code_challenge_method", "allow_signup", "prompt"):
            if k in p:
                hidden.append('<input type="hidden" name="%s" value="%s">'
                              % (k, html.escape(p[k])))
        scopes = [s for s in re.split(r"[\s,]+", p.get("scope", "")) if s]
        body = (
            '<h1>Authorize %s</h1>\n'
            '<p>%s wants to access your GitHub account (mock).</p>\n'
            '<p>Requested scopes: <code>%s</code></p>\n'
            '<form method="post" action="/login/oauth/authorize" id="authorize-form">\n%s\n'
            '<label for="login">Signed in as</label>\n'
            '<select name="login" id="login">\n%s\n</select>\n'
            '<button type="submit" name="decision" value="authorize" '
            'id="js-oauth-authorize-btn">Authorize</button>\n'
            '<button type="submit" name="decision" value="cancel" id="js-oauth-cancel-btn">'
            'Cancel</button>\n'
            '</form>\n'
            '<p>Authorizing will redirect to <strong>%s</strong></p>'
            % (html.escape(app), html.escape(app), html.escape(" ".join(scopes) or "(none)"),
               "\n".join(hidden), "\n".join(opts),
               html.escape(p.get("redirect_uri") or cfg.get("callback_url") or "")))
        return Resp(200, HTML_CT, html_page("Authorize application", body),
                    [("Cache-Control", "no-cache"), ("X-Frame-Options", "deny")])

    def token_format(self):
        acc = (self.headers.get("Accept") or "").lower()
        if "application/json" in acc:
            return "json"
        if "application/xml" in acc:
            return "xml"
        return "form"

    def token_error(self, err, desc=None):
        fmt = self.token_format()
        pairs = [("error", err),
                 ("error_description", desc or TOKEN_ERRORS.get(err, err.replace("_", " "))),
                 ("error_uri", TOKEN_ERR_DOCS + err.replace("_", "-"))]
        body, ct = serialize_pairs(pairs, fmt)
        return Resp(200, ct, body, [("Cache-Control", "no-store")])

    def access_token(self):
        p = dict(self.query)
        p.update(self.form)
        auth = self.headers.get("Authorization") or ""
        if auth[:6].lower() == "basic ":
            try:
                cid, _, sec = base64.b64decode(auth[6:].strip()).decode().partition(":")
                p.setdefault("client_id", cid)
                p.setdefault("client_secret", sec)
            except ValueError:
                pass
        if (p.get("client_id") != self.st.client_id
                or p.get("client_secret") != self.st.client_secret):
            return self.token_error("incorrect_client_credentials")
        code = p.get("code") or ""
        with self.st.lock:
            rec = self.st.codes.pop(code, None)  # single use: consumed by any attempt
            if rec is not None:
                self.st.save()
            ttl = self.st.config.get("code_ttl", CODE_TTL)
        if (rec is None or rec["client_id"] != p["client_id"]
                or time.time() - rec["issued"] > ttl):
            return self.token_error("bad_verification_code")
        given = p.get("redirect_uri")
        if rec["redirect_uri"] is not None:
            if given != rec["redirect_uri"]:
                return self.token_error("redirect_uri_mismatch")
        elif given is not None and not self.redirect_ok(given):
            return self.token_error("redirect_uri_mismatch")
        if rec.get("code_challenge"):
            v = p.get("code_verifier")
            if not v or s256(v) != rec["code_challenge"]:
                return self.token_error("bad_verification_code")
        user = self.st.user_by_id(rec["user_id"])
        if user is None:
            return self.token_error("bad_verification_code")
        tok = self.st.issue_token(user, rec["scope"], p["client_id"])
        fmt = self.token_format()
        # GitHub's order: JSON access_token, token_type, scope; form access_token, scope, token_type
        if self.st.config.get("app_mode"):
            # A GitHub App's user token: expires in 8 hours, comes with a refresh
            # token, and carries no scopes (the app's permissions apply).
            pairs = [("access_token", tok), ("expires_in", 28800),
                     ("refresh_token", new_token("ghr_") + secrets.token_hex(20)),
                     ("refresh_token_expires_in", 15897600), ("scope", ""),
                     ("token_type", "bearer")]
        elif fmt == "form":
            pairs = [("access_token", tok), ("scope", rec["scope"]), ("token_type", "bearer")]
        else:
            pairs = [("access_token", tok), ("token_type", "bearer"), ("scope", rec["scope"])]
        body, ct = serialize_pairs(pairs, fmt)
        return Resp(200, ct, body, [("Cache-Control", "no-store")], kind="token",
                    data=pairs, fmt=fmt)

    # -- REST API ------------------------------------------------------------------------
    def api_headers(self, tok=None, info=None, accepted=""):
        now = int(time.time())
        reset = now - now % 3600 + 3600
        if info:
            used = self.st.count_api_call(tok)
            limit = 5000
        else:
            used, limit = 1, 60
        h = [("Cache-Control", "private, max-age=60, s-maxage=60"),
             ("Vary", "Accept, Authorization, Cookie, X-GitHub-OTP"),
             ("X-GitHub-Media-Type", "github.v3; format=json"),
             ("X-GitHub-Api-Version-Selected", "2022-11-28"),
             ("X-RateLimit-Limit", str(limit)),
             ("X-RateLimit-Remaining", str(max(0, limit - used))),
             ("X-RateLimit-Reset", str(reset)),
             ("X-RateLimit-Used", str(used)),
             ("X-RateLimit-Resource", "core"),
             ("X-GitHub-Request-Id", secrets.token_hex(8).upper()),
             ("X-Content-Type-Options", "nosniff")]
        if info is not None:
            scopes = [s for s in re.split(r"[\s,]+", info.get("scope") or "") if s]
            h.append(("X-OAuth-Scopes", ", ".join(scopes)))
            h.append(("X-Accepted-OAuth-Scopes", accepted))
        return h

    def api_auth(self):
        """Returns (token, info, user) or a Resp to send instead."""
        if not (self.headers.get("User-Agent") or "").strip():
            return Resp(403, "text/plain; charset=utf-8", NO_USER_AGENT_BODY)
        auth = (self.headers.get("Authorization") or "").strip()
        scheme, _, tok = auth.partition(" ")
        tok = tok.strip()
        info = self.st.token_info(tok) if scheme.lower() in ("bearer", "token") and tok else None
        user = self.st.user_by_id(info["user_id"]) if info else None
        if user is None:
            return Resp(401, JSON_CT, jdump({"message": "Bad credentials",
                                             "documentation_url": REST_DOCS,
                                             "status": "401"}), self.api_headers())
        return tok, info, user

    def api_user(self):
        a = self.api_auth()
        if isinstance(a, Resp):
            return a
        tok, info, user = a
        obj = user_object(user)
        return Resp(200, JSON_CT, jdump(obj), self.api_headers(tok, info, ""),
                    kind="user", data=list(obj.items()))

    def api_emails(self):
        a = self.api_auth()
        if isinstance(a, Resp):
            return a
        tok, info, user = a
        scopes = set(s for s in re.split(r"[\s,]+", info.get("scope") or "") if s)
        if not info.get("app") and not scopes & {"user", "user:email"}:
            return Resp(404, JSON_CT, jdump({
                "message": "Not Found",
                "documentation_url": "https://docs.github.com/rest/users/emails"
                                     "#list-email-addresses-for-the-authenticated-user",
                "status": "404"}), self.api_headers(tok, info, "user, user:email"))
        emails = user.get("emails") or []
        return Resp(200, JSON_CT, jdump(emails),
                    self.api_headers(tok, info, "user, user:email"),
                    kind="emails", data=emails)

    # -- organisations, teams, revocation --------------------------------------------------
    def not_found(self, docs=REST_DOCS):
        return Resp(404, JSON_CT, jdump({"message": "Not Found", "documentation_url": docs,
                                         "status": "404"}), self.api_headers())

    def restricted_answer(self, org):
        return Resp(403, JSON_CT, jdump({
            "message": RESTRICTED_MESSAGE % org,
            "documentation_url": "https://docs.github.com/articles/"
                                 "restricting-access-to-your-organization-s-data/",
            "status": "403"}), self.api_headers())

    def not_installed_answer(self):
        return Resp(403, JSON_CT, jdump({
            "message": NOT_INSTALLED_MESSAGE,
            "documentation_url": "https://docs.github.com/rest/orgs/members",
            "status": "403"}), self.api_headers())

    def api_membership(self, ep, path):
        """GET /user/memberships/orgs/{org} and
        GET /orgs/{org}/teams/{team_slug}/memberships/{username}."""
        a = self.api_auth()
        if isinstance(a, Resp):
            return a
        tok, info, user = a
        parts = [urllib.parse.unquote(x) for x in path.split("/")]
        org_name = parts[4] if ep == "org_membership" else parts[2]
        with self.st.lock:
            org = copy.deepcopy(self.st.orgs.get(org_name.lower()))
            installations = [str(x).lower() for x in self.st.config.get("installations") or []]
        docs = "https://docs.github.com/rest/orgs/members"
        if org is None:
            return self.not_found(docs)
        if info.get("app"):
            # A GitHub App reads members only where it is installed (with the
            # organisation permission Members: read); scopes play no part.
            if org["login"].lower() not in installations:
                return self.not_installed_answer()
        else:
            scopes = set(s for s in re.split(r"[\s,]+", info.get("scope") or "") if s)
            if not scopes & {"read:org", "write:org", "admin:org"}:
                return Resp(403, JSON_CT, jdump({
                    "message": "You need at least read:org scope or user scope to list "
                               "your organizations.", "documentation_url": docs,
                    "status": "403"}), self.api_headers(tok, info, "read:org"))
            if org.get("restricted"):
                return self.restricted_answer(org["login"])
        me = org["members"].get(user["login"].lower())
        if ep == "org_membership":
            if me is None:
                return self.not_found(docs)
            obj = {"url": "https://api.github.com/orgs/%s/memberships/%s"
                          % (org["login"], user["login"]),
                   "state": me["state"], "role": me["role"],
                   "organization_url": "https://api.github.com/orgs/%s" % org["login"],
                   "organization": {"login": org["login"], "id": org["id"]},
                   "user": {"login": user["login"], "id": user["id"]}}
        else:
            # Team membership needs an authenticated member of the organisation.
            team = org["teams"].get(parts[4].lower())
            if me is None or me["state"] != "active" or team is None:
                return self.not_found("https://docs.github.com/rest/teams/members")
            tm = team["members"].get(parts[6].lower())
            if tm is None:
                return self.not_found("https://docs.github.com/rest/teams/members")
            obj = {"url": "https://api.github.com/organizations/%s/team/%s/memberships/%s"
                          % (org["id"], team["id"], parts[6]),
                   "role": tm["role"], "state": tm["state"]}
        return Resp(200, JSON_CT, jdump(obj), self.api_headers(tok, info, "read:org"),
                    kind="membership", data=list(obj.items()))

    def revoke_token(self, path):
        """DELETE /applications/{client_id}/token, Basic client_id:client_secret,
        JSON body {"access_token": ...}: 204 and the token is gone."""
        cid = urllib.parse.unquote(path.split("/")[2])
        auth = self.headers.get("Authorization") or ""
        user = sec = None
        if auth[:6].lower() == "basic ":
            try:
                user, _, sec = base64.b64decode(auth[6:].strip()).decode().partition(":")
            except ValueError:
                pass
        if (user != self.st.client_id or sec != self.st.client_secret
                or cid != self.st.client_id):
            return self.not_found("https://docs.github.com/rest/apps/oauth-applications")
        tok = self.jbody.get("access_token") if isinstance(self.jbody, dict) else None
        if not isinstance(tok, str) or not tok:
            return Resp(422, JSON_CT, jdump({"message": "Invalid request.\n\n"
                                             "\"access_token\" wasn't supplied.",
                                             "documentation_url": REST_DOCS,
                                             "status": "422"}))
        with self.st.lock:
            info = self.st.tokens.get(tok)
            if info is None or info.get("client_id") != cid:
                return self.not_found("https://docs.github.com/rest/apps/oauth-applications")
            del self.st.tokens[tok]
            self.st.revoked.append({"access_token": tok, "login": info["login"],
                                    "client_id": cid, "time": time.time()})
            self.st.save()
        return Resp(204, None, b"")

    # -- failure modes -------------------------------------------------------------------
    def mangle(self, ep, r, f):
        mode = f["mode"]
        if r.kind == "token":
            pairs = list(r.data)
            if mode == "dupkeys":
                mal = self.st.user_by_login("mallory")
                other = (self.st.issue_token(mal, "read:user,user:email", self.st.client_id)
                         if mal else new_token())
                pairs.append(("access_token", other))
            elif mode == "wrongtypes":
                pairs = [(k, 1234567890 if k == "access_token" else v) for k, v in pairs]
            elif mode == "missing":
                pairs = [(k, v) for k, v in pairs if k != "access_token"]
            elif mode == "badtokentype":
                pairs = [(k, "mac" if k == "token_type" else v) for k, v in pairs]
            elif mode == "invalidtoken":
                pairs = [(k, "gho_bad token\r\nX-Injected: 1\r\n" if k == "access_token"
                          else v) for k, v in pairs]
            body, ct = serialize_pairs(pairs, r.fmt)
        elif r.kind == "user":
            pairs = list(r.data)
            if mode == "dupkeys":
                pairs += [("id", 666), ("login", "mallory")]
            elif mode == "wrongtypes":
                pairs = [(k, str(v) if k == "id" else 12345 if k == "login" else v)
                         for k, v in pairs]
            elif mode == "missing":
                pairs = [(k, v) for k, v in pairs if k not in ("login", "id")]
            elif mode == "nullemail":
                pairs = [(k, None if k == "email" else v) for k, v in pairs]
            body, ct = dump_pairs(pairs), JSON_CT
        elif r.kind == "membership":
            pairs = list(r.data)
            if mode == "pending":
                pairs = [(k, "pending" if k == "state" else v) for k, v in pairs]
            elif mode == "badstate":
                pairs = [(k, 1 if k == "state" else v) for k, v in pairs]
            elif mode == "missing":
                pairs = [(k, v) for k, v in pairs if k != "state"]
            body, ct = dump_pairs(pairs), JSON_CT
        else:  # emails
            items = [list(e.items()) for e in r.data]
            if mode == "dupkeys":
                items = [it + ([("email", "mallory@evil.example")]
                               if dict(it).get("primary") else []) for it in items]
            elif mode == "wrongtypes":
                items = [[(k, str(v).lower() if k in ("primary", "verified") else v)
                          for k, v in it] for it in items]
            elif mode == "missing":
                items = [[(k, v) for k, v in it if k != "email"] for it in items]
            elif mode == "nullemail":
                items = [[(k, None if k == "email" else v) for k, v in it] for it in items]
            body, ct = "[" + ",".join(dump_pairs(it) for it in items) + "]", JSON_CT
        return Resp(r.status, ct, body, r.headers, fmt=r.fmt)

    def byte_failure(self, r, f):
        mode, body = f["mode"], r.body
        if mode == "truncated":
            self.send(r.status, body[:len(body) // 2], r.ctype, r.headers)
            return
        self.close_connection = True
        if mode == "cutoff":  # announce the full length, send half, close
            self.start(r.status, r.ctype, r.headers, len(body))
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            return
        # slow: headers now, then one byte per `interval` seconds
        interval = float(f.get("interval") or 1.0)
        self.start(r.status, r.ctype, r.headers, len(body))
        self.wfile.flush()
        stop = self.server.stop_event
        for i in range(len(body)):
            if stop.wait(interval):
                return
            self.wfile.write(body[i:i + 1])
            self.wfile.flush()

    def generic_failure(self, ep, f):
        mode = f["mode"]
        if mode.startswith("status:"):
            code = int(mode[7:])
            msg = {401: "Bad credentials", 500: "Server Error",
                   422: "Validation Failed"}.get(code)
            if msg is None:
                try:
                    msg = HTTPStatus(code).phrase
                except ValueError:
                    msg = "Error"
            self.send_json(code, {"message": msg, "documentation_url": REST_DOCS,
                                  "status": str(code)}, self.api_headers())
        elif mode == "html":
            self.send(200, UNICORN_PAGE, HTML_CT)
        elif mode == "malformed":
            self.send(200, MALFORMED[ep], JSON_CT, self.api_headers())
        elif mode == "ratelimit":
            now = int(time.time())
            self.send_json(403, {
                "message": "API rate limit exceeded for user ID 1.",
                "documentation_url": "https://docs.github.com/rest/overview/"
                                     "rate-limits-for-the-rest-api",
                "status": "403"}, [
                ("X-RateLimit-Limit", "5000"), ("X-RateLimit-Remaining", "0"),
                ("X-RateLimit-Reset", str(now + 60)), ("X-RateLimit-Used", "5000"),
                ("X-RateLimit-Resource", "core"), ("Retry-After", "60")])
        elif mode == "error200":
            self.send_resp(self.token_error(f.get("error") or "unverified_user_email",
                                            f.get("error_description")))
        elif mode == "redirect":
            loc = self.base_url() + "/redirected" + urllib.parse.urlsplit(self.path).path
            q = urllib.parse.urlsplit(self.path).query
            if q:
                loc += "?" + q
            self.send(302, b"", HTML_CT, [("Location", loc)])
        elif mode == "hang":
            self.close_connection = True
            self.log_line("-", "(hanging)")
            self.server.stop_event.wait(float(f.get("seconds") or 120))
        elif mode == "huge":
            self.huge(ep, int(f.get("bytes") or 100 * 1024 * 1024))

    def huge(self, ep, size):
        head = ('{"access_token":"gho_' if ep == "token"
                else '{"login":"octocat","id":583231,"padding":"').encode()
        tail = b'"}'
        block = b"A" * 65536
        chunked = self.request_version != "HTTP/1.0"
        if not chunked:
            self.close_connection = True
        self.start(200, JSON_CT, self.api_headers(), chunked=chunked)
        if self.command == "HEAD":
            return
        w = self.wfile

        def put(b):
            if chunked:
                w.write(b"%x\r\n%s\r\n" % (len(b), b))
            else:
                w.write(b)

        put(head)
        left = max(0, size - len(head) - len(tail))
        stop = self.server.stop_event
        while left > 0 and not stop.is_set():
            b = block if left >= len(block) else block[:left]
            put(b)
            left -= len(b)
        put(tail)
        if chunked:
            w.write(b"0\r\n\r\n")

    # -- control API ---------------------------------------------------------------------
    def control(self, path):
        m = self.command
        try:
            body = self.jbody if self.jbody is not None else {}
            if self.body and self.jbody is None:
                body = json.loads(self.body.decode("utf-8"))
            if not isinstance(body, dict):
                raise ValueError("JSON object expected")
        except ValueError as e:
            self.send_json(400, {"error": "bad JSON body: %s" % e})
            return
        try:
            r = self.control_route(m, path, body)
        except (ValueError, TypeError, KeyError, AttributeError) as e:
            self.send_json(400, {"error": "%s: %s" % (type(e).__name__, e)})
            return
        if r is None:
            self.send_json(404, {"error": "no such control endpoint: %s %s" % (m, path)})
        else:
            self.send_json(200, r)

    def control_route(self, m, path, body):
        st = self.st
        if path == "/_mock/health" and m == "GET":
            return {"ok": True}
        if path == "/_mock/reset" and m == "POST":
            st.reset()
            return {"ok": True}
        if path == "/_mock/config":
            if m == "POST":
                self.set_config(body)
            elif m != "GET":
                return None
            with st.lock:
                return dict(st.config, client_id=st.client_id)
        if path == "/_mock/users":
            if m == "POST":
                return self.set_user(body)
            if m == "GET":
                with st.lock:
                    return copy.deepcopy(st.users)
            return None
        if path == "/_mock/users/delete" and m == "POST":
            login = body.get("login")
            with st.lock:
                u = st.user_by_login(login)
                if u is None:
                    raise ValueError("unknown user %r" % login)
                del st.users[u["login"]]
                st.save()
            return {"ok": True}
        if path == "/_mock/fail":
            if m == "POST":
                return self.set_failure(body)
            if m == "GET":
                with st.lock:
                    return copy.deepcopy(st.failures)
            return None
        if path == "/_mock/requests" and m == "GET":
            with st.lock:
                reqs = copy.deepcopy(st.requests)
            q = self.query
            if "path" in q:
                reqs = [r for r in reqs if r["path"] == q["path"]]
            if "endpoint" in q:
                reqs = [r for r in reqs if r["endpoint"] == q["endpoint"]]
            return reqs
        if path == "/_mock/requests/clear" and m == "POST":
            with st.lock:
                del st.requests[:]
                if st.state_dir:
                    try:
                        os.unlink(os.path.join(st.state_dir, "requests.jsonl"))
                    except FileNotFoundError:
                        pass
            return {"ok": True}
        if path == "/_mock/token" and m == "POST":
            u = st.user_by_login(body.get("login") or st.config["default_user"])
            if u is None:
                raise ValueError("unknown user %r" % body.get("login"))
            scope = body.get("scope", "read:user,user:email")
            scope = ",".join(s for s in re.split(r"[\s,]+", scope or "") if s)
            return {"access_token": st.issue_token(u, scope, st.client_id),
                    "token_type": "bearer", "scope": scope}
        if path == "/_mock/revoke" and m == "POST":
            with st.lock:
                if "access_token" in body:
                    gone = [body["access_token"]] if body["access_token"] in st.tokens else []
                elif "login" in body:
                    gone = [t for t, r in st.tokens.items()
                            if r["login"].lower() == str(body["login"]).lower()]
                else:
                    gone = list(st.tokens)
                for t in gone:
                    del st.tokens[t]
                st.save()
            return {"ok": True, "revoked": len(gone)}
        if path == "/_mock/orgs":
            if m == "POST":
                return self.set_org(body)
            if m == "GET":
                with st.lock:
                    return copy.deepcopy(st.orgs)
            return None
        if path == "/_mock/revoked" and m == "GET":
            with st.lock:
                return copy.deepcopy(st.revoked)
        if path == "/_mock/state" and m == "GET":
            with st.lock:
                return {"config": dict(st.config, client_id=st.client_id),
                        "users": sorted(st.users), "failures": copy.deepcopy(st.failures),
                        "codes": len(st.codes), "tokens": len(st.tokens),
                        "revoked": len(st.revoked), "orgs": sorted(st.orgs),
                        "requests": len(st.requests)}
        return None

    def set_config(self, body):
        st = self.st
        with st.lock:
            new = dict(st.config)
            for k, v in body.items():
                if k == "auto_approve":
                    if v not in (True, False, "cancel"):
                        raise ValueError("auto_approve must be true, false or \"cancel\"")
                elif k == "default_user":
                    u = st.user_by_login(v)
                    if u is None:
                        raise ValueError("unknown user %r" % v)
                    v = u["login"]
                elif k in ("app_name", "callback_url"):
                    if v is not None and not isinstance(v, str):
                        raise ValueError("%s must be a string or null" % k)
                elif k == "code_ttl":
                    if not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0:
                        raise ValueError("code_ttl must be a number of seconds")
                elif k == "app_mode":
                    if not isinstance(v, bool):
                        raise ValueError("app_mode must be true or false")
                elif k == "installations":
                    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                        raise ValueError("installations must be a list of org logins")
                elif k == "granted_scopes":
                    if v is not None and not isinstance(v, str):
                        raise ValueError("granted_scopes must be a string or null")
                    if v is not None:
                        v = ",".join(s for s in re.split(r"[\s,]+", v) if s)
                else:
                    raise ValueError("unknown config key %r" % k)
                new[k] = v
            st.config = new
            st.save()

    def set_user(self, body):
        st = self.st
        login = body.get("login")
        if not isinstance(login, str) or not login:
            raise ValueError("login (string) is required")
        with st.lock:
            old = st.users.get(login)
            u = dict(body)
            if "id" not in u:
                if old is not None:
                    u["id"] = old["id"]
                else:
                    ids = [x.get("id") for x in st.users.values()
                           if isinstance(x.get("id"), int)]
                    u["id"] = max(ids + [100000]) + 1
            u.setdefault("name", None)
            u.setdefault("email", None)
            u.setdefault("avatar_url", "https://avatars.githubusercontent.com/u/%s?v=4"
                         % u["id"])
            if "emails" not in u:
                u["emails"] = ([{"email": u["email"], "primary": True, "verified": True,
                                 "visibility": "public"}] if u["email"] else [])
            if not isinstance(u["emails"], list):
                raise ValueError("emails must be a list")
            st.users[login] = u
            st.save()
            return copy.deepcopy(u)

    def set_org(self, body):
        """Adds or replaces an organisation: {"login", "restricted", "members":
        {login: state}, "teams": {slug: {login: state}}}; a state is "active" or
        "pending", or {"state", "role"}."""
        st = self.st
        login = body.get("login")
        if not isinstance(login, str) or not login:
            raise ValueError("login (string) is required")

        def members(d, what):
            if not isinstance(d, dict):
                raise ValueError("%s must be an object" % what)
            out = {}
            for k, v in d.items():
                if isinstance(v, str):
                    v = {"state": v, "role": "member"}
                if not isinstance(v, dict) or v.get("state") not in ("active", "pending"):
                    raise ValueError("%s: state must be \"active\" or \"pending\"" % what)
                out[str(k).lower()] = {"state": v["state"], "role": v.get("role", "member")}
            return out
        with st.lock:
            old = st.orgs.get(login.lower())
            oid = body.get("id", old["id"] if old else
                           max([o["id"] for o in st.orgs.values()] + [9000]) + 1)
            teams = {}
            for i, (slug, tm) in enumerate((body.get("teams") or {}).items()):
                teams[str(slug).lower()] = {"name": slug, "id": oid * 100 + i,
                                            "members": members(tm, "teams." + slug)}
            org = {"login": login, "id": oid, "restricted": bool(body.get("restricted")),
                   "members": members(body.get("members") or {}, "members"),
                   "teams": teams}
            st.orgs[login.lower()] = org
            st.save()
            return copy.deepcopy(org)

    def set_failure(self, body):
        st = self.st
        ep, mode = body.get("endpoint"), body.get("mode")
        if ep not in ENDPOINTS:
            raise ValueError("endpoint must be one of %s" % ", ".join(ENDPOINTS))
        if mode in ("none", "clear", None):
            with st.lock:
                st.failures[ep] = []
                st.save()
                return {"ok": True, "endpoint": ep, "queue": []}
        if not isinstance(mode, str):
            raise ValueError("mode must be a string")
        sm = re.match(r"^status:(\d{3})$", mode)
        if sm:
            if not 200 <= int(sm.group(1)) <= 599:
                raise ValueError("status must be 200..599")
        elif mode not in GENERIC_MODES | BYTE_MODES | STRUCT_MODES | SITUATION_MODES:
            raise ValueError("unknown mode %r" % mode)
        if mode in MODE_ENDPOINTS and ep not in MODE_ENDPOINTS[mode]:
            raise ValueError("mode %r does not apply to endpoint %r" % (mode, ep))
        count = body.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ValueError("count must be an integer >= 0 (0 = until reset)")
        f = {"mode": mode, "count": count, "remaining": count}
        for k in ("error", "error_description"):
            if k in body:
                if not isinstance(body[k], str):
                    raise ValueError("%s must be a string" % k)
                f[k] = body[k]
        for k in ("seconds", "interval", "bytes"):
            if k in body:
                if not isinstance(body[k], (int, float)) or body[k] < 0:
                    raise ValueError("%s must be a non-negative number" % k)
                f[k] = body[k]
        with st.lock:
            st.failures[ep].append(f)
            st.save()
            return {"ok": True, "endpoint": ep, "queue": copy.deepcopy(st.failures[ep])}


class MockServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 1024

    def __init__(self, addr, ctx, state):
        self.ctx = ctx
        self.state = state
        self.stop_event = threading.Event()
        super().__init__(addr, Handler)

    def server_bind(self):
        # Skip HTTPServer.server_bind's getfqdn() (a reverse DNS lookup).
        import socketserver
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def get_request(self):
        sock, addr = self.socket.accept()
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        if self.ctx is None:    # --http-port: plain HTTP for browser pages (demo)
            return sock, addr
        # The TLS handshake happens in the connection's own thread (Handler.handle),
        # so a client that never completes it cannot block the accept loop.
        return self.ctx.wrap_socket(sock, server_side=True,
                                    do_handshake_on_connect=False), addr

    def handle_error(self, request, client_address):
        e = sys.exc_info()[1]
        log("%s:%s error: %s: %s" % (client_address[0], client_address[1],
                                     type(e).__name__, e))


def write_portfile(path, port):
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".port.", dir=d)
    with os.fdopen(fd, "w") as f:
        f.write("%d\n" % port)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Mock GitHub OAuth + REST API (tests only).")
    ap.add_argument("--cert", required=True, help="server certificate (PEM)")
    ap.add_argument("--key", required=True, help="server private key (PEM)")
    ap.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0 = pick)")
    ap.add_argument("--portfile", help="write the port number here once listening")
    ap.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    ap.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET)
    ap.add_argument("--state-dir", help="persist state.json and requests.jsonl here")
    ap.add_argument("--http-port", type=int, default=None,
                    help="also serve plain HTTP on this port (the demo's browser-facing "
                         "authorize page, so no certificate warning)")
    args = ap.parse_args(argv)

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(args.cert, args.key)
    ctx.set_alpn_protocols(["http/1.1"])

    if args.state_dir:
        os.makedirs(args.state_dir, exist_ok=True)
    state = MockState(args.client_id, args.client_secret, args.state_dir)
    srv = MockServer(("127.0.0.1", args.port), ctx, state)
    port = srv.server_address[1]
    plain = None
    if args.http_port is not None:
        plain = MockServer(("127.0.0.1", args.http_port), None, state)
        threading.Thread(target=plain.serve_forever, kwargs={"poll_interval": 0.2},
                         daemon=True).start()
        log("also listening on http://127.0.0.1:%d" % plain.server_address[1])

    # The handler only raises, once: a handler that takes a lock (Event.set,
    # Thread.start) can deadlock with a lock the main thread held when the
    # signal came - the demo's mock once hung so on SIGTERM, holding its
    # ports.  Everything else is done below, in the main thread.
    stopping = []

    def on_signal(signum, frame):
        if not stopping:
            stopping.append(signum)
            raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    if args.portfile:
        write_portfile(args.portfile, port)
    log("listening on https://127.0.0.1:%d (client_id %s)" % (port, args.client_id))
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop_event.set()            # wakes handlers held by a "hang" fault
        if plain is not None:
            plain.shutdown()
            plain.server_close()
        srv.server_close()
        if args.portfile:
            try:
                os.unlink(args.portfile)
            except OSError:
                pass
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
