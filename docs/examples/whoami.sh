#!/bin/sh
# whoami.sh - a CGI script that answers signed-in users only, with
# ghauth-check(1) (docs/PROTECT.md).  ghauth-check reads the request from
# the environment the server gave this script and prints the identity as
# shell assignments; when nobody is signed in it fails, and
# "ghauth-check --deny" writes the whole refusal (303 to sign-in for a
# browser, 401 JSON otherwise).
vars=$(ghauth-check --format=shell) || exec ghauth-check --deny
eval "$vars"

printf 'Status: 200 OK\r\n'
printf 'Content-Type: text/plain; charset=utf-8\r\n'
printf 'Cache-Control: private, no-store\r\n\r\n'
printf 'Hello, %s (GitHub id %s)\n' "$GHAUTH_USER_LOGIN" "$GHAUTH_USER_ID"
