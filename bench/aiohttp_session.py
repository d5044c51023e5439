#!/usr/bin/env python3
"""The in-process reference for the benchmark: a minimal aiohttp server
answering /auth/session from a dict, with the same JSON as ghauth, like the
llms.py server does.  Usage: aiohttp_session.py PORT TOKEN"""
import sys

from aiohttp import web

PORT, TOKEN = int(sys.argv[1]), sys.argv[2]
SESSIONS = {TOKEN: {"userId": "583231", "userName": "octocat", "displayName": "The Octocat",
                    "profileUrl": "https://avatars.githubusercontent.com/u/583231?v=4",
                    "email": "octocat@github.com", "created": 1700000000}}


async def session(request):
    tok = request.headers.get("X-Session-Token") or request.cookies.get("ghauth_session")
    s = SESSIONS.get(tok)
    if s is None:
        return web.json_response({"error": "Invalid or expired session"}, status=401)
    return web.json_response(dict(s, sessionToken=tok), headers={"Cache-Control": "no-store"})


app = web.Application()
app.router.add_get("/auth/session", session)
web.run_app(app, host="127.0.0.1", port=PORT, print=None, access_log=None)
