#!/usr/bin/env python3
"""bench/run - ghauth's benchmark, in one run on one machine.

Starts lighttpd on loopback twice - the CGI recipe (docs/servers/lighttpd.conf)
and the FastCGI recipe (docs/servers/lighttpd-fastcgi.conf) - each also serving
a bare C program as the floor (bench/floor.c), the mock GitHub, and an aiohttp
stand-in for the in-process llms.py server; measures every endpoint with wrk
(2 threads, 16 connections) and prints throughput, p50/p99 latency and the
ratio to the floor measured in the same run.  Then the store at scale: the
cost of a session check with 1k, 100k and 1M sessions, and file size under
sign-in/sign-out churn.

  bench/run [--seconds N] [--sizes 1000,100000,1000000] [--smoke] [--markdown]

--smoke: a few seconds in all (the test suite runs this so it cannot rot).
Benchmarks print numbers; they do not pass or fail on them.
"""

import argparse
import base64
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
import webserver  # noqa: E402
from webserver import free_port, wait_port  # noqa: E402


def token():
    return base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()


def sh(*args, **kw):
    return subprocess.run(list(args), check=True, **kw)


def find_build():
    b = os.environ.get("abs_top_builddir") or os.environ.get("GHAUTH_BUILDDIR")
    if b:
        return b
    if os.path.exists(os.path.join(TOP, "config.status")):
        return TOP
    b = os.path.join(TOP, "_bench", "build")
    if not os.path.exists(os.path.join(b, "config.status")):
        os.makedirs(b, exist_ok=True)
        if not os.path.exists(os.path.join(TOP, "configure")):
            sh("autoreconf", "-fi", cwd=TOP, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        sh(os.path.join(TOP, "configure"), "-q", cwd=b)
    return b


WRK_LAT = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def wrk(url, seconds, headers=(), method=None, conns=16):
    args = ["wrk", "-t2", "-c%d" % conns, "-d%ds" % seconds, "--latency"]
    for h in headers:
        args += ["-H", h]
    script = None
    if method:
        fd, script = tempfile.mkstemp(suffix=".lua")
        with os.fdopen(fd, "w") as f:
            f.write('wrk.method = "%s"\nwrk.body = ""\n' % method)
        args += ["-s", script]
    out = subprocess.run(args + [url], capture_output=True, text=True).stdout
    if script:
        os.unlink(script)
    rps = float((re.search(r"Requests/sec:\s+([\d.]+)", out) or [0, 0])[1])
    lat = {}
    for pct, v, unit in WRK_LAT.findall(out):
        lat[pct] = float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: .*", out)
    return {"rps": rps, "p50": lat.get("50"), "p99": lat.get("99"),
            "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "errors": errors.group(0) if errors else "", "raw": out}


class Lighttpd:
    """A docs/servers recipe, with extra lines appended, served by lighttpd
    on port (tests/lib/webserver.py starts and stops it)."""

    def __init__(self, template, run, port, build, config, extra, rundir=None):
        self.conf = webserver.render(os.path.join(TOP, template),
                                     os.path.join(run, "lighttpd-%d.conf" % port),
                                     PORT=port, DOCROOT=os.path.join(run, "htdocs"),
                                     RUNDIR=rundir or run, CGIBINDIR=os.path.join(build, "cgi-bin"),
                                     CONFIG=config, FCGI_MAX=0)
        with open(self.conf, "a") as f:
            f.write(extra)
        self.servers = webserver.Servers(run, run, dict(os.environ))
        ok, said = webserver.start_lighttpd(self.servers, self.conf, port,
                                            log="lighttpd-%d.log" % port)
        if not ok:
            self.servers.stop()
            raise RuntimeError("lighttpd did not start: %s %s" % (self.conf, said))

    def stop(self):
        self.servers.stop()


def flows_per_second(base, mock, seconds, workers=8):
    """Full sign-ins (start, GitHub, callback, hand-off) through the server."""
    import concurrent.futures
    import ghtest
    origin = base.replace("127.0.0.1", "localhost")
    stop = time.time() + seconds
    lat = []

    def worker(_):
        n = 0
        while time.time() < stop:
            b = ghtest.HttpBrowser(base, origin=origin, accept="application/json")
            t0 = time.time()
            out = b.sign_in(mock, "octocat")
            if out.get("session") is None or out["session"].status != 200:
                raise RuntimeError("sign-in failed: %r" % out)
            lat.append((time.time() - t0) * 1000)
            n += 1
        return n

    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(workers) as ex:
        total = sum(ex.map(worker, range(workers)))
    el = time.time() - t0
    lat.sort()
    return {"rps": total / el, "p50": lat[len(lat) // 2] if lat else None,
            "p99": lat[min(len(lat) - 1, int(len(lat) * .99))] if lat else None,
            "non2xx": 0, "errors": ""}


def redis_rows(run, build, mock, tok, cookie, S, procs, rows, measure):
    """The Redis store (docs/SETUP.md, "Several web servers"): a session
    check, a start and a full sign-in in CGI and FastCGI mode, then two
    lighttpd instances sharing the one Redis, loaded at the same time."""
    import ghtest
    import redislib
    if not redislib.available():
        print("bench: redis-server missing, no Redis rows", file=sys.stderr)
        return
    red = redislib.Redis(run)
    procs.append(red)
    store = red.url(db=1)
    sh(os.path.join(build, "tests/tools/seed"), store, "session", tok, "583231", "octocat",
       "https://avatars.githubusercontent.com/u/583231?v=4", "The Octocat", "octocat@github.com")
    ports = {}
    for name in ("cgi-redis", "fcgi-redis", "cgi-redis-b"):
        ports[name] = free_port()
        rundir = os.path.join(run, name)
        os.makedirs(rundir, exist_ok=True)
        conf = ghtest.write_config(os.path.join(run, name + ".json"), store, mock, github={
            "redirect_uri": "http://localhost:%d/auth/github/callback" % ports[name]})
        procs.append(Lighttpd("docs/servers/lighttpd-fastcgi.conf" if name.startswith("fcgi")
                              else "docs/servers/lighttpd.conf", run, ports[name], build, conf,
                              "", rundir=rundir))
    for mode, name in (("CGI+Redis", "cgi-redis"), ("FastCGI+Redis", "fcgi-redis")):
        port = ports[name]
        measure(mode, "session, valid", port, "/auth/session", [cookie])
        measure(mode, "start (/auth/github)", port, "/auth/github")
        mock.reset()
        rows.append((mode, "full sign-in (flows/s)", flows_per_second(
            "http://127.0.0.1:%d" % port, mock, S)))
    # Two web servers on one Redis, both loaded at once (wrk -c16 each).
    import concurrent.futures
    with concurrent.futures.ThreadPoolExecutor(2) as ex:
        rs = list(ex.map(lambda p: wrk("http://127.0.0.1:%d/auth/session" % p, S, [cookie]),
                         (ports["cgi-redis"], ports["cgi-redis-b"])))
    rows.append(("2×CGI+Redis", "session, valid (two lighttpd at once)", {
        "rps": sum(r["rps"] for r in rs),
        "p50": max((r["p50"] or 0) for r in rs), "p99": max((r["p99"] or 0) for r in rs),
        "non2xx": sum(r["non2xx"] for r in rs), "errors": ""}))


def fmt(x, nd=1):
    return "-" if x is None else ("%.*f" % (nd, x))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", "5")))
    ap.add_argument("--sizes", default="1000,100000,1000000")
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    if a.smoke:
        a.seconds, a.sizes = 1, "1000,5000"
    for tool in ("wrk", "lighttpd"):
        if not shutil.which(tool):
            print("bench: %s is missing (scripts/deps installs it)" % tool, file=sys.stderr)
            return 77
    build = find_build()
    sh("make", "-s", "-C", build, "bench", "tests/tools/seed", stdout=subprocess.DEVNULL)
    import ghtest

    run = tempfile.mkdtemp(prefix="ghauth-bench-")
    os.chmod(run, 0o700)
    procs = []
    rows = []
    try:
        shutil.copytree(os.path.join(TOP, "htdocs"), os.path.join(run, "htdocs"))
        cadir = ghtest.make_ca(os.path.join(run, "ca"))
        mock = ghtest.Mock(run, cadir)
        procs.append(mock)
        store = os.path.join(run, "store.db")
        tok = token()
        sh(os.path.join(build, "tests/tools/seed"), store, "session", tok, "583231", "octocat",
           "https://avatars.githubusercontent.com/u/583231?v=4", "The Octocat", "octocat@github.com")
        floor = os.path.join(build, "bench/floor")
        floor_fcgi = os.path.join(build, "bench/floor-fcgi")
        cgi_port, fcgi_port, aio_port = free_port(), free_port(), free_port()
        configs = {}
        for name, port in (("cgi", cgi_port), ("fcgi", fcgi_port)):
            configs[name] = ghtest.write_config(os.path.join(run, name + ".json"), store, mock,
                                                github={"redirect_uri": "http://localhost:%d/auth/github/callback" % port})
        cgi = Lighttpd("docs/servers/lighttpd.conf", run, cgi_port, build, configs["cgi"],
                       '\nalias.url += ( "/floor" => "%s" )\n$HTTP["url"] =~ "^/floor" { cgi.assign = ( "" => "" ) }\n' % floor)
        procs.append(cgi)
        fcgi = Lighttpd("docs/servers/lighttpd-fastcgi.conf", run, fcgi_port, build, configs["fcgi"],
                        '\nfastcgi.server += ( "/floor" => (( "socket" => "%s/floor.sock", "bin-path" => "%s", '
                        '"check-local" => "disable", "min-procs" => 1, "max-procs" => 2 )) )\n' % (run, floor_fcgi))
        procs.append(fcgi)
        aio = None
        # Debian's python3-aiohttp belongs to the system interpreter.
        for py in ("/usr/bin/python3", sys.executable):
            if subprocess.run([py, "-c", "import aiohttp"], capture_output=True).returncode == 0:
                aio = subprocess.Popen([py, os.path.join(TOP, "bench/aiohttp_session.py"),
                                        str(aio_port), tok], start_new_session=True)
                wait_port(aio_port)
                break
        else:
            print("bench: python3-aiohttp missing, no in-process reference", file=sys.stderr)

        cookie = "Cookie: ghauth_session=" + tok
        bad = "Cookie: ghauth_session=" + token()
        S = a.seconds

        def measure(mode, label, port, path, headers=(), method=None):
            r = wrk("http://127.0.0.1:%d%s" % (port, path), S, headers, method)
            rows.append((mode, label, r))
            return r

        # CGI mode.
        measure("CGI", "floor (bare C CGI)", cgi_port, "/floor")
        measure("CGI", "session, valid", cgi_port, "/auth/session", [cookie])
        measure("CGI", "session, invalid", cgi_port, "/auth/session", [bad])
        measure("CGI", "start (/auth/github)", cgi_port, "/auth/github")
        measure("CGI", "logout (unknown token)", cgi_port, "/auth/logout",
                ["X-Session-Token: " + token()], method="POST")
        mock.reset()
        rows.append(("CGI", "full sign-in (flows/s)", flows_per_second(
            "http://127.0.0.1:%d" % cgi_port, mock, S)))
        # FastCGI mode.
        measure("FastCGI", "floor (bare C FastCGI)", fcgi_port, "/floor")
        measure("FastCGI", "session, valid", fcgi_port, "/auth/session", [cookie])
        measure("FastCGI", "session, invalid", fcgi_port, "/auth/session", [bad])
        measure("FastCGI", "start (/auth/github)", fcgi_port, "/auth/github")
        measure("FastCGI", "logout (unknown token)", fcgi_port, "/auth/logout",
                ["X-Session-Token: " + token()], method="POST")
        mock.reset()
        rows.append(("FastCGI", "full sign-in (flows/s)", flows_per_second(
            "http://127.0.0.1:%d" % fcgi_port, mock, S)))
        redis_rows(run, build, mock, tok, cookie, S, procs, rows, measure)
        if aio is not None:
            measure("aiohttp", "session, valid (in-process reference)", aio_port, "/auth/session", [cookie])
            aio.terminate()
            aio.wait(5)

        def get(mode, label):
            for m, l, r in rows:
                if m == mode and l.startswith(label):
                    return r["rps"]
            return None

        floors = {"CGI": get("CGI", "floor"), "FastCGI": get("FastCGI", "floor")}
        floors["CGI+Redis"] = floors["CGI"]
        floors["FastCGI+Redis"] = floors["FastCGI"]
        aio_rps = get("aiohttp", "session")
        print("ghauth benchmark  (%s, %d cores, wrk -t2 -c16 -d%ds; one run, ratios are what counts)"
              % (time.strftime("%Y-%m-%d"), os.cpu_count(), S))
        print()
        hdr = "| mode | endpoint | req/s | p50 ms | p99 ms | × floor | × aiohttp |"
        print(hdr)
        print("|---|---|---:|---:|---:|---:|---:|")
        for mode, label, r in rows:
            fl = floors.get(mode)
            ratio = r["rps"] / fl if fl and "floor" not in label else None
            ar = r["rps"] / aio_rps if aio_rps and "session, valid" in label and mode == "FastCGI" else None
            note = " (%d non-2xx)" % r["non2xx"] if r["non2xx"] and "invalid" not in label else ""
            print("| %s | %s%s | %.0f | %s | %s | %s | %s |" % (
                mode, label, note, r["rps"], fmt(r["p50"], 2), fmt(r["p99"], 2),
                fmt(ratio, 2), fmt(ar, 2)))
        print()
        goals = [
            ("CGI /auth/session ≥ 0.90× bare CGI", get("CGI", "session, valid"), floors["CGI"], 0.90),
            ("CGI start ≥ 0.85× bare CGI", get("CGI", "start"), floors["CGI"], 0.85),
            ("FastCGI /auth/session ≥ 0.70× bare FastCGI", get("FastCGI", "session, valid"), floors["FastCGI"], 0.70),
            ("FastCGI /auth/session ≥ 2× aiohttp", get("FastCGI", "session, valid"), aio_rps, 2.0),
            ("CGI /auth/session via Redis ≥ 0.85× bare CGI", get("CGI+Redis", "session, valid"),
             floors["CGI"], 0.85),
            ("FastCGI /auth/session via Redis ≥ 0.70× bare FastCGI",
             get("FastCGI+Redis", "session, valid"), floors["FastCGI"], 0.70),
            ("two web servers on one Redis ≥ 1.6× one", get("2×CGI+Redis", "session, valid"),
             get("CGI+Redis", "session, valid"), 1.6),
        ]
        for name, x, y, goal in goals:
            if x and y:
                print("goal: %-44s %.2f  %s" % (name, x / y, "met" if x / y >= goal else "MISSED"))

        # The store at scale.
        print()
        print("store at scale (bench/storebench: lock, open, fetch, verify, close per check;")
        print("×N is relative to the smallest store)")
        sb = os.path.join(build, "bench/storebench")
        base = None
        scale_rows = []
        for n in [int(x) for x in a.sizes.split(",")]:
            st = os.path.join(run, "scale-%d.db" % n)
            t0 = time.time()
            sh(sb, st, "fill", str(n))
            fill = time.time() - t0
            # Let the kernel write the new file back first, or the check
            # competes with that write-back rather than with the store's size.
            os.sync()
            m = 2000 if a.smoke else 20000
            us = float(subprocess.run([sb, st, "lookup", str(n), str(m)], check=True,
                                      capture_output=True, text=True).stdout)
            fus = float(subprocess.run([sb, st, "lookup", str(n), str(m), "fastcgi"], check=True,
                                       capture_output=True, text=True).stdout)
            base = base or (us, fus)
            print("  %8d sessions: CGI %6.1f µs/check (×%.2f), FastCGI %6.1f µs/check (×%.2f); "
                  "file %6.1f MB, filled in %.1fs"
                  % (n, us, us / base[0], fus, fus / base[1], os.path.getsize(st) / 1e6, fill))
            # The same through the server: random sessions of this store.
            import hashlib
            import random
            toks = [base64.urlsafe_b64encode(hashlib.sha256(("bench-%d" % random.randrange(n)).encode())
                                             .digest()).rstrip(b"=").decode() for _ in range(200)]
            lua = os.path.join(run, "tokens.lua")
            with open(lua, "w") as f:
                f.write("local t = {" + ",".join('"%s"' % x for x in toks) + "}\n"
                        "request = function()\n"
                        "  wrk.headers[\"Cookie\"] = \"ghauth_session=\" .. t[math.random(#t)]\n"
                        "  return wrk.format(nil, \"/auth/session\")\nend\n")
            for name in ("cgi", "fcgi"):
                ghtest.write_config(configs[name], st, mock, github={
                    "redirect_uri": "http://localhost:%d/auth/github/callback"
                    % (cgi_port if name == "cgi" else fcgi_port)})
            time.sleep(0.05)
            req = {}
            for name, port in (("CGI", cgi_port), ("FastCGI", fcgi_port)):
                out = subprocess.run(["wrk", "-t2", "-c16", "-d%ds" % S, "-s", lua,
                                      "http://127.0.0.1:%d/auth/session" % port],
                                     capture_output=True, text=True).stdout
                req[name] = float((re.search(r"Requests/sec:\s+([\d.]+)", out) or [0, 0])[1])
                bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
                if bad:
                    req[name + " non-2xx"] = int(bad.group(1))
            scale_rows.append((n, req))
            print("  %8s  through lighttpd: CGI %.0f req/s, FastCGI %.0f req/s%s"
                  % ("", req["CGI"], req["FastCGI"],
                     "" if not any("non-2xx" in k for k in req) else "  (non-2xx: %r)" % req))
            os.unlink(st)
        if scale_rows:
            b0 = scale_rows[0][1]
            for n, req in scale_rows[1:]:
                print("  %d vs %d sessions, requests/s through the server: CGI ×%.2f, FastCGI ×%.2f"
                      % (n, scale_rows[0][0], req["CGI"] / b0["CGI"], req["FastCGI"] / b0["FastCGI"]))
        churn = 4000 if a.smoke else 100000
        st = os.path.join(run, "churn.db")
        out = subprocess.run([sb, st, "churn", str(churn), "1"], check=True,
                             capture_output=True, text=True).stdout.split()
        sizes = ["%s:%.2fMB" % (out[i], int(out[i + 1]) / 1e6) for i in range(0, len(out), 2)]
        print("  churn, %d sign-in/sign-out cycles (1 s records, half signed out, half expire):" % churn)
        print("    file size after each tenth: " + " ".join(sizes))
    finally:
        for p in procs:
            try:
                p.stop()
            except Exception:
                pass
        shutil.rmtree(run, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
