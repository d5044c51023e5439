#!/usr/bin/env python3
"""100 sign-ins and 300 session checks at once against one store.

All must succeed, every session created must be found afterwards, and no
response may be a 5xx.  Prints TAP, and the timings as diagnostics."""

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
            dt = time.time() - t0
            statuses = [r.status for r in b.log]
            ok = out.get("session") is not None and out["session"].status == 200
            return ("signin", ok, dt, statuses, b.cookies.get("ghauth_session"))

        def check(i):
            tok = seeded[i % len(seeded)]
            t0 = time.time()
            r = Browser(conf).session(headers={"X-Session-Token": tok})
            dt = time.time() - t0
            return ("check", r.status == 200, dt, [r.status], None)

        jobs = [("s", i) for i in range(SIGNINS)] + [("c", i) for i in range(CHECKS)]
        # Interleave so checks run while sign-ins write.
        jobs.sort(key=lambda j: (j[1] * (SIGNINS + CHECKS) // (SIGNINS if j[0] == "s" else CHECKS)))
        t0 = time.time()
        with concurrent.futures.ThreadPoolExecutor(WORKERS) as ex:
            futs = [ex.submit(signin if k == "s" else check, i) for k, i in jobs]
            results = [f.result() for f in futs]
        wall = time.time() - t0

        si = [r for r in results if r[0] == "signin"]
        ch = [r for r in results if r[0] == "check"]
        tap.is_(sum(1 for r in si if r[1]), SIGNINS, "%d parallel sign-ins all succeed" % SIGNINS)
        tap.is_(sum(1 for r in ch if r[1]), CHECKS, "%d parallel session checks all succeed" % CHECKS)
        fivexx = [s for r in results for s in r[3] if s is not None and s >= 500]
        tap.is_(fivexx, [], "no 5xx anywhere")
        tokens = [r[4] for r in si if r[4]]
        tap.is_(len(set(tokens)), SIGNINS, "every sign-in got its own session token")
        found = 0
        for tok in tokens:
            r = Browser(conf).session(headers={"X-Session-Token": tok})
            found += r.status == 200
        tap.is_(found, len(tokens), "every session is found afterwards")
        count = subprocess.run([seed, store, "count"], capture_output=True, text=True).stdout.split()
        # "other" is the sweep's cursor: present or not depending on where it stopped.
        count = " ".join(c for c in count if not c.startswith("other="))
        tap.is_(count, "st=0 se=%d ho=0" % (SIGNINS + SEEDED),
                "store: no state or hand-off left behind, every session kept")
        tap.diag("parallel: %d sign-ins + %d checks, %d workers, wall %.2fs" % (SIGNINS, CHECKS, WORKERS, wall))
        tap.diag("sign-in (4 requests + GitHub): p50 %.3fs p99 %.3fs" % (pct([r[2] for r in si], .5), pct([r[2] for r in si], .99)))
        tap.diag("session check: p50 %.4fs p99 %.4fs" % (pct([r[2] for r in ch], .5), pct([r[2] for r in ch], .99)))
    finally:
        mock.stop()
    ghtest.cleanup(work)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
