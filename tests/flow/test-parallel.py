#!/usr/bin/env python3
"""100 sign-ins and 300 session checks at once against one store.

Every answer is the expected one or the designed refusal of an overloaded
machine (503 + Retry-After; the callback's 502 when the mock GitHub was too
slow) - all succeed when nothing was refused, a clear majority otherwise -
and every session acknowledged is found afterwards.  Prints TAP, and the
timings as diagnostics."""

import concurrent.futures
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import ghtest  # noqa: E402
from ghtest import Browser, Mock, Tap, write_config  # noqa: E402

SIGNINS = int(os.environ.get("GHAUTH_PARALLEL_SIGNINS", "100"))
CHECKS = int(os.environ.get("GHAUTH_PARALLEL_CHECKS", "300"))
SEEDED = 30
WORKERS = 32


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] if xs else 0.0


def main():
    tap = Tap()
    work = ghtest.tmpdir()
    tap.diag("store: %s" % ghtest.STORE_KIND)
    mock = Mock(work, ghtest.make_ca(os.path.join(work, "ca")))
    try:
        store = ghtest.test_store(work, "store")
        conf = write_config(os.path.join(work, "ghauth.json"), store, mock)
        seed = os.path.join(ghtest.BUILDDIR, "tests/tools/seed")
        seeded = []
        for i in range(SEEDED):
            tok = subprocess.run([sys.executable, "-c",
                                  "import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).rstrip(b'=').decode())"],
                                 capture_output=True, text=True).stdout.strip()
            subprocess.run([seed, store, "session", tok, str(5000 + i), "user%d" % i,
                            "https://avatars.example/u/%d" % i, "User %d" % i, "-"], check=True)
            seeded.append(tok)

        def signin(i):
            b = Browser(conf)
            t0 = time.time()
            out = b.sign_in(mock, ["octocat", "alice", "bob"][i % 3])
            return ("signin", i, time.time() - t0, out)

        def check(i):
            tok = seeded[i % len(seeded)]
            t0 = time.time()
            r = Browser(conf).session(headers={"X-Session-Token": tok})
            return ("check", i, time.time() - t0, r)

        jobs = [("s", i) for i in range(SIGNINS)] + [("c", i) for i in range(CHECKS)]
        # Interleave so checks run while sign-ins write.
        jobs.sort(key=lambda j: (j[1] * (SIGNINS + CHECKS) // (SIGNINS if j[0] == "s" else CHECKS)))
        t0 = time.time()
        with concurrent.futures.ThreadPoolExecutor(WORKERS) as ex:
            futs = [ex.submit(signin if k == "s" else check, i) for k, i in jobs]
            results = [f.result() for f in futs]
        wall = time.time() - t0

        load = ghtest.Load()
        acked = []          # (session token the callback's 303 set, login)
        left = {"st": 0, "ho": 0}   # what refused steps may have left
        for kind, i, _, out in results:
            if kind == "check":
                load.finish(kind, load.judge(kind, out, out.status == 200))
                continue
            login = ["octocat", "alice", "bob"][i % 3]
            step, verdict = load.sign_in(out, login)
            if step == "callback" and verdict == "503":
                left["st"] += 1
            if step == "session":
                tok = [ghtest.parse_set_cookie(c)[1] for c in out["callback"].all("Set-Cookie")
                       if c.startswith("ghauth_session=")][0]
                acked.append((tok, login))
                left["ho"] += verdict != "ok"
        load.check(tap, "parallel")
        found = 0
        for tok, login in acked:
            r = ghtest.until_served(lambda: Browser(conf).session(headers={"X-Session-Token": tok}))
            found += r.status == 200 and (r.json() or {}).get("userName") == login
        tap.is_((len(set(t for t, _ in acked)), found), (len(acked), len(acked)),
                "every acknowledged sign-in has its own session, found afterwards")
        count = subprocess.run([seed, store, "count"], capture_output=True, text=True).stdout.split()
        # "other" is the sweep's cursor: present or not depending on where it stopped.
        count = dict(c.split("=") for c in count if not c.startswith("other="))
        # With nothing refused: st=0 se=SIGNINS+SEEDED ho=0, exactly.
        tap.ok(int(count["se"]) == len(acked) + SEEDED and int(count["st"]) <= left["st"]
               and int(count["ho"]) <= left["ho"],
               "store: every acknowledged session kept, no other; no state or hand-off "
               "left behind but those of refused requests",
               "count %r, acknowledged %d, refused callbacks %d, refused exchanges %d" %
               (count, len(acked), left["st"], left["ho"]))
        si = [r for r in results if r[0] == "signin"]
        ch = [r for r in results if r[0] == "check"]
        tap.diag("parallel: completed %s" % load.summary())
        tap.diag("parallel: %d sign-ins + %d checks, %d workers, wall %.2fs" % (SIGNINS, CHECKS, WORKERS, wall))
        tap.diag("sign-in (4 requests + GitHub): p50 %.3fs p99 %.3fs" % (pct([r[2] for r in si], .5), pct([r[2] for r in si], .99)))
        tap.diag("session check: p50 %.4fs p99 %.4fs" % (pct([r[2] for r in ch], .5), pct([r[2] for r in ch], .99)))
    finally:
        mock.stop()
    ghtest.cleanup(work)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
