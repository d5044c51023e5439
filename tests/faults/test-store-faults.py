#!/usr/bin/env python3
"""Load and faults on the store, through the real programs (TAP).

1. Mixed parallel load on one store: sign-ins (through the mock GitHub),
   session checks and logouts at once - every answer the expected one or
   a designed refusal (503 + Retry-After; 502 when the mock GitHub was too
   slow), nothing acknowledged lost, every acknowledged logout's session
   gone, and nothing left behind but what refused requests left.
2. The lock held by an outside process (flock(1)): 503 + Retry-After
   within the deadline from every program, the store byte-identical, and
   the refused callback's state still there (with its cookie, the sign-in
   completes once the lock is free).
3. SIGKILL at random moments of writers while others write; SIGTERM the
   same way: never a crash, never a 200 with a wrong identity, and the
   store is clean or detected and recovered by ghauth-admin.
4. Disk full: RLIMIT_FSIZE (with SIGXFSZ left at its default, and
   ignored), and a full tmpfs: 503, no token issued, earlier sessions kept.
5. Read-only store (immutable file, read-only mount): checks still work,
   writers answer 503.
6. Missing, empty, truncated and randomly corrupted store files; store or
   lock replaced by a symbolic link.
7. The canary over every response and log line above.

Figures are printed as TAP diagnostics.  GHAUTH_FAULT_SEED fixes the
random choices (the seed used is printed).
"""

import concurrent.futures
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib as fl  # noqa: E402
from faultlib import ghtest  # noqa: E402
from ghtest import Mock, Tap, hold_lock, release, write_config  # noqa: E402

SEED_VALUE = int(os.environ.get("GHAUTH_FAULT_SEED") or time.time())
rnd = random.Random(SEED_VALUE)
rec = fl.Recorder()
canary = fl.Canary()
mounts = []        # to undo, whatever happens
immutable = []


def bad_status(r, allowed):
    """Crashed (signal or exit status), malformed, or not in allowed."""
    return r.rc != 0 or r.status not in allowed


# ---- 1. parallel load ------------------------------------------------------------

def parallel_load(tap, work, mock):
    store = os.path.join(work, "load.db")
    # This measures the store under load: the token's revocation (its own
    # tests are in tests/flow/test-orgs.py) is off, so the mock GitHub, one
    # Python process, is not what 32 workers under ASan wait for.
    conf = write_config(os.path.join(work, "load.json"), store, mock,
                        github={"revoke_token": False, "timeout": 10})
    keep = [(fl.token(), fl.ident(i, "keep")) for i in range(40)]
    drop = [(fl.token(), fl.ident(1000 + i, "drop")) for i in range(200)]
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        ok = list(ex.map(lambda tw: fl.seed_session(store, *tw), keep + drop))
    tap.ok(all(ok), "load: 240 sessions seeded")
    for t, _ in keep + drop:
        canary.add("session", t)
    logins = ["octocat", "alice", "bob"]
    jobs = [("signin", i) for i in range(200)] + [("check", i) for i in range(600)] + \
        [("logout", i) for i in range(200)]
    rnd.shuffle(jobs)
    lock = threading.Lock()
    local = fl.Recorder()

    def one(job):
        kind, i = job
        if kind == "signin":
            b = fl.FBrowser(conf, rec=local)
            return kind, i, b.sign_in(mock, logins[i % 3]), None
        if kind == "check":
            # Two thirds on sessions that stay, one third on sessions being
            # logged out right now (either answer is right, never a 5xx).
            tok, who = keep[i % 40] if i % 3 else drop[i % 200]
            return kind, i, fl.check_session(conf, tok, rec=local), (tok, who)
        tok, who = drop[i]
        return kind, i, fl.run("logout", fl.env(conf, "POST", headers={"X-Session-Token": tok}),
                               rec=local), None

    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(32) as ex:
        res = list(ex.map(one, jobs))
    wall = time.time() - t0
    with lock:
        rec.items.extend(local.items)
    # Each answer is the expected one or the designed refusal of an
    # overloaded machine (503 + Retry-After; the callback's 502 when the
    # mock GitHub was too slow).  What was acknowledged must hold; what was
    # refused may leave only its own state or hand-off behind.
    load = ghtest.Load()
    acked = {}              # session token from a callback's 303 -> login
    states, handoffs = [], []   # left by a refused callback / exchange
    done_states = []        # consumed by a callback that answered
    logged_out, not_logged_out = [], []
    for kind, i, out, x in res:
        if kind == "signin":
            step, verdict = load.sign_in(out, logins[i % 3])
            if step != "start" or verdict == "ok":
                state = urllib.parse.parse_qs(urllib.parse.urlsplit(
                    out["start"].header("Location")).query)["state"][0]
                (states if step == "callback" and verdict == "503" else done_states).append(state)
            if step == "session":
                cookie = [ghtest.parse_set_cookie(c)[1] for c in out["callback"].all("Set-Cookie")
                          if c.startswith("ghauth_session=")]
                acked[cookie[0]] = logins[i % 3]
                if verdict != "ok":
                    handoffs.append(out["handoff"])
        elif kind == "check":
            tok, who = x
            load.finish(kind, load.judge(kind, out, (out.status == 200 and fl.identity_ok(out, tok, who)) or
                                         (out.status == 401 and i % 3 == 0)))
        else:
            verdict = load.finish(kind, load.judge(kind, out, out.status == 200))
            (logged_out if verdict == "ok" else not_logged_out).append(drop[i])
    load.check(tap, "load")
    found = sum(1 for t, login in acked.items()
                if (ghtest.until_served(lambda: fl.check_session(conf, t, rec=rec)).json()
                    or {}).get("userName") == login)
    kept = sum(1 for t, w in keep
               if fl.identity_ok(ghtest.until_served(lambda: fl.check_session(conf, t, rec=rec)), t, w))
    tap.is_((found, kept), (len(acked), 40),
            "load: every acknowledged sign-in's session and every session not logged "
            "out is found afterwards")
    gone = sum(1 for t, w in logged_out
               if ghtest.until_served(lambda: fl.check_session(conf, t, rec=rec)).status == 401)
    tap.is_(gone, len(logged_out), "load: every acknowledged logout removed its session")
    # A refused logout removed its session or not (a Redis reply lost after
    # the write); either way it is whole.
    stayed = 0
    for t, w in not_logged_out:
        r = ghtest.until_served(lambda: fl.check_session(conf, t, rec=rec))
        stayed += r.status == 200 and fl.identity_ok(r, t, w)
    left = {"st": sum(fl.seed(store, "get", "st", t)[1] != "absent" for t in states),
            "ho": sum(fl.seed(store, "get", "ho", t)[1] != "absent" for t in handoffs)}
    consumed = sum(fl.seed(store, "get", "st", t)[1] == "absent" for t in done_states)
    tap.is_(consumed, len(done_states), "load: every answered callback consumed its state")
    rc, out = fl.seed(store, "count")
    # other: the sweep's cursor (meta:sweep), there or not.  With nothing
    # refused: st=0 se=240 ho=0, exactly.
    tap.like(out, r"^st=%d se=%d ho=%d other=[01]$" %
             (left["st"], 40 + len(acked) + stayed, left["ho"]),
             "load: no state or hand-off left behind but those of refused requests, "
             "no session but the acknowledged ones")
    tap.diag("load: %d sign-ins + %d checks + %d logouts (%d program runs), 32 "
             "workers, one store, wall %.1fs; completed %s; left behind %d states, "
             "%d hand-offs; %d refused logouts left their session" %
             (200, 600, 200, len(local.items), wall, load.summary(), left["st"],
              left["ho"], stayed))
    canary.learn_mock(mock)
    mock.control("requests/clear", {})


# ---- 2. the lock held by an outside process -------------------------------------

def lock_held(tap, work, mock):
    if shutil.which("flock") is None:
        tap.skip("lock held elsewhere: 503 + Retry-After", "flock(1) not found")
        return
    store = os.path.join(work, "lock.db")
    conf = write_config(os.path.join(work, "lock.json"), store, mock, lock_timeout_ms=500)
    tok, who = fl.token(), fl.ident(1)
    canary.add("session", tok)
    fl.seed_session(store, tok, who)
    b = fl.FBrowser(conf, rec=rec)
    back = b.begin(mock)
    state = b.cookies.get("ghauth_state")
    mock.control("requests/clear", {})
    before = fl.file_digest(store, store + ".lock")
    holder = hold_lock(store + ".lock")
    try:
        runs = {
            "github": lambda: fl.run("github", fl.env(conf), rec=rec),
            "callback": lambda: b.callback(back),
            "session": lambda: fl.check_session(conf, tok, rec=rec),
            "hand-off exchange": lambda: fl.run("session", fl.env(
                conf, query="session=" + fl.token(), headers={"X-Session-Token": tok}), rec=rec),
            "logout": lambda: fl.run("logout", fl.env(conf, "POST", headers={"X-Session-Token": tok}), rec=rec),
        }
        times = []
        # Not before the 0.5 s deadline; the holder keeps the lock for
        # minutes, so anything under 10 s (a loaded machine included)
        # means it gave up at the deadline rather than waited.
        for name, f in runs.items():
            r = f()
            times.append(r.elapsed)
            tap.ok(r.status == 503 and r.header("Retry-After") == "1" and 0.4 < r.elapsed < 10,
                   "lock held elsewhere: %s answers 503 + Retry-After: 1 at the deadline" % name,
                   "status %s, Retry-After %r, %.2fs\n%r" % (r.status, r.header("Retry-After"), r.elapsed, r))
            tap.ok(not any(v.startswith(("ghauth_session=", "ghauth_state=")) and "Max-Age=0" not in v
                           for v in r.all("Set-Cookie")) and r.header("Location") is None,
                   "lock held elsewhere: %s issues no cookie and no redirect" % name)
    finally:
        release(holder)
    tap.is_(fl.file_digest(store, store + ".lock"), before,
            "lock held elsewhere: store and lock file byte-identical afterwards")
    tap.is_(len(mock.requests("token")), 0, "lock held elsewhere: GitHub not contacted")
    # The 503 cleared the state cookie (the callback always does); the
    # state itself must still be in the store, unconsumed.
    tap.like(fl.seed(store, "get", "st", state)[1], r"^type=\d+ ",
             "lock held elsewhere: the state was not consumed")
    b.cookies["ghauth_state"] = state
    cb, s = b.finish(back)
    tap.is_((cb.status, s and s.status), (303, 200),
            "lock released: the refused sign-in completes with its state")
    # Readers share: a shared holder lets checks through and keeps writers out.
    holder = hold_lock(store + ".lock", shared=True)
    try:
        r1 = fl.check_session(conf, tok, rec=rec)
        r2 = fl.run("github", fl.env(conf), rec=rec)
    finally:
        release(holder)
    tap.is_((r1.status, r2.status), (200, 503),
            "shared lock held elsewhere: checks go on, writers get 503")
    tap.diag("lock held: %d requests refused in %.2f-%.2fs (deadline 0.5s)" %
             (len(times), min(times), max(times)))
    canary.learn_mock(mock)


# ---- 3. SIGKILL / SIGTERM mid-write --------------------------------------------

class Writers:
    """Background writers: github starts and seeded sessions, until stopped."""

    def __init__(self, store, conf, n=2):
        self.store, self.conf = store, conf
        self.stop = threading.Event()
        self.acked = []            # (token, who) whose write returned success
        self.bad = []              # answers that are neither success nor 503
        self.runs = 0
        self.threads = [threading.Thread(target=self.loop, args=(k,)) for k in range(n)]
        for t in self.threads:
            t.start()

    def loop(self, k):
        i = 0
        while not self.stop.is_set():
            i += 1
            if (i + k) % 2:
                r = fl.run("github", fl.env(self.conf), rec=rec)
                if bad_status(r, (303, 503)):
                    self.bad.append(("github", r.rc, r.status))
            else:
                t, w = fl.token(), fl.ident(5000 + k * 100000 + i, "bg")
                if fl.seed_session(self.store, t, w):
                    self.acked.append((t, w))
            self.runs += 1

    def join(self):
        self.stop.set()
        for t in self.threads:
            t.join()


def victim(kind, store, conf, doomed):
    """Starts one writer; returns (Popen, what it writes)."""
    if kind == "seed":
        t, w = fl.token(), fl.ident(rnd.randrange(10 ** 6), "v")
        uid, login, avatar, name, email = w
        argv = [fl.SEED, store, "session", t, uid, login, avatar, name, email]
        return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE), (t, w)
    if kind == "logout":
        t, w = doomed.pop()
        e = fl.env(conf, "POST", headers={"X-Session-Token": t})
    else:
        t, w = None, None
        e = fl.env(conf)
    p = subprocess.Popen([os.path.join(fl.CGI, "logout" if kind == "logout" else "github")],
                         env=e, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    return p, (t, w)


def probe(conf, anchors, n=6):
    """Session checks of n anchors: (wrong answers, counts by status)."""
    wrong, counts = [], {}
    for t, w in rnd.sample(anchors, n):
        r = fl.check_session(conf, t, rec=rec)
        counts[r.status] = counts.get(r.status, 0) + 1
        if r.rc != 0 or r.status not in (200, 401, 503) or \
                (r.status == 200 and not fl.identity_ok(r, t, w)):
            wrong.append((r.rc, r.status, r.body[:120]))
    return wrong, counts


def signal_loop(tap, work, sig, iterations):
    name = "SIGKILL" if sig == signal.SIGKILL else "SIGTERM"
    store = os.path.join(work, "kill-%s.db" % name)
    conf = write_config(os.path.join(work, "kill-%s.json" % name), store, None)
    anchors = [(fl.token(), fl.ident(i, "anchor")) for i in range(30)]
    doomed = [(fl.token(), fl.ident(100 + i, "doomed")) for i in range(iterations)]
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        list(ex.map(lambda tw: fl.seed_session(store, *tw), anchors + doomed))
    for t, _ in anchors + doomed:
        canary.add("session", t)
    # How long each kind of writer lives, so the signal lands inside it.
    life = {}
    for kind in ("seed", "github", "logout"):
        ts = []
        for _ in range(5):
            t0 = time.monotonic()
            p, _ = victim(kind, store, conf, doomed)
            p.communicate()
            ts.append(time.monotonic() - t0)
        life[kind] = sorted(ts)[2]
    w = Writers(store, conf)
    ino = os.stat(store + ".lock").st_ino
    killed = finished = refused = damaged = recovered = inlock = 0
    wrong, crashes, victims, logged_out = [], [], [], []
    statuses = {}
    try:
        for i in range(iterations):
            kind = ("seed", "github", "logout")[i % 3]
            p, what = victim(kind, store, conf, doomed)
            if i % 2:
                # At a random point of its life.
                time.sleep(rnd.uniform(0, life[kind]))
            else:
                # Once it holds the store's lock (it is writing), plus up
                # to 0.5 ms: inside the write or the fsync of its close.
                deadline = time.monotonic() + 5
                while p.poll() is None and p.pid not in fl.lock_holder(ino) and \
                        time.monotonic() < deadline:
                    pass
                time.sleep(rnd.uniform(0, 0.0005))
            if p.pid in fl.lock_holder(ino):
                inlock += 1
            try:
                p.send_signal(sig)
            except ProcessLookupError:
                pass
            out, err = p.communicate()
            if p.returncode == -sig:
                killed += 1
            elif p.returncode == 0:
                finished += 1
            elif kind == "seed" and p.returncode == 1 and err.endswith(b"seed: store failed\n") \
                    and b"Sanitizer" not in err and b"runtime error" not in err:
                # The tool's refusal (the store busy past its deadline, or
                # found damaged - the library logs "needs recovery" first):
                # nothing acknowledged, like a 503.
                refused += 1
            else:
                crashes.append((kind, p.returncode, (err or b"")[:200]))
            if kind == "seed":
                victims.append((what, p.returncode))
            if kind != "seed" and p.returncode == 0:
                r = fl.Response(out, err, 0)
                rec.add("github" if kind == "github" else "logout", r)
                if r.status not in ((303, 503) if kind == "github" else (200, 503)):
                    crashes.append((kind, r.status, out[:200]))
                if kind == "logout" and r.status == 200:
                    logged_out.append(what)
            if i % 20 == 19:
                bad, c = probe(conf, anchors)
                wrong += bad
                for k, v in c.items():
                    statuses[k] = statuses.get(k, 0) + v
                rc, rep = fl.admin(store, "check")
                if rc == 1:
                    damaged += 1
                    rc2, rep2 = fl.admin(store, "recover")
                    recovered += rc2 == 0
    finally:
        w.join()
    tap.is_(crashes + w.bad, [], "%s mid-write: no writer crashed or answered other than success or 503" % name)
    tap.is_(wrong, [], "%s mid-write: session checks answered the seeded identity, 401 or 503 only" % name)
    rc, rep = fl.admin(store, "check")
    if rc is None:
        tap.skip("%s mid-write: store clean or recovered" % name, rep)
    else:
        if rc == 1:
            damaged += 1
            rc2, rep2 = fl.admin(store, "recover")
            recovered += rc2 == 0
            rc, rep = fl.admin(store, "check")
        if sig == signal.SIGTERM:
            tap.is_(damaged, 0, "SIGTERM mid-write: the store never needed recovery")
        tap.ok(rc == 0, "%s mid-write: the store is clean afterwards (or was recovered)" % name, rep)
    half = []
    for (t, wh), prc in victims:
        rc_, out = fl.seed(store, "get", "se", t)
        if out == "absent":
            if prc == 0:
                half.append(("acknowledged but absent", prc))
        elif "login=%s " % wh[1] not in out:
            half.append((out[:80], prc))
    # GDBM updates a file in place, several writes per commit: a writer
    # killed between them can leave it damaged, and ghauth-admin recover
    # then rebuilds it from what it can read, which may not be every
    # acknowledged record (docs/SECURITY.md, "Killed in the middle of a
    # write").  Only then is a loss the known defect; on a store that
    # check found clean, any loss fails.
    gdbm_defect = "GDBM is not crash-safe: the store was damaged and recovered"
    tap.known(not half, "%s mid-write: each interrupted write is complete or absent, "
              "never half-written" % name, damaged > 0, gdbm_defect,
              "got: %r" % half[:10])
    lost = [t for t, wh in w.acked + anchors
            if not fl.identity_ok(fl.check_session(conf, t, rec=rec), t, wh)]
    tap.known(not lost, "%s mid-write: every acknowledged session is still found" % name,
              damaged > 0, gdbm_defect, "%d of %d lost" % (len(lost), len(w.acked + anchors)))
    back = [t for t, wh in logged_out if fl.check_session(conf, t, rec=rec).status != 401]
    tap.is_(len(back), 0, "%s mid-write: every acknowledged logout's session stays gone" % name)
    r = fl.run("github", fl.env(conf), rec=rec)
    tap.is_(r.status, 303, "%s mid-write: the store works afterwards" % name)
    tap.diag("%s: %d writers signalled (%d while holding the store lock, i.e. "
             "mid-write), %d died of it, %d had finished, %d refused; %d background writes "
             "alongside; damage detected %d times, recovered %d; anchor checks %r" %
             (name, iterations, inlock, killed, finished, refused, w.runs, damaged,
              recovered, statuses))
    return killed


# ---- 4. disk full ----------------------------------------------------------------

def fsize_limit(limit, ignore_xfsz):
    def pre():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN if ignore_xfsz else signal.SIG_DFL)
    return pre


def no_token(r):
    return not any(v.startswith("ghauth_session=") and "Max-Age=0" not in v
                   for v in r.all("Set-Cookie")) and "session=" not in (r.header("Location") or "")


def disk_full_rlimit(tap, work, mock, label, slack, ignore_xfsz):
    store = os.path.join(work, "full-%s.db" % label)
    conf = write_config(os.path.join(work, "full-%s.json" % label), store, mock)
    mock.reset()
    before = []
    for i in range(5):
        b = fl.FBrowser(conf, rec=rec)
        out = b.sign_in(mock, "octocat")
        before.append(b.cookies.get("ghauth_session"))
    pending = []
    for i in range(80):
        b = fl.FBrowser(conf, rec=rec)
        pending.append((b, b.begin(mock)))
    canary.learn_mock(mock)
    size = os.path.getsize(store)
    limit = size + slack
    fail = None
    done = 0
    for b, url in pending:
        b.preexec = fsize_limit(limit, ignore_xfsz)
        cb = b.callback(url)
        if cb.status != 303:
            fail = cb
            break
        done += 1
    what = "RLIMIT_FSIZE at the store size%s, SIGXFSZ %s" % (
        " + %d" % slack if slack else "", "ignored" if ignore_xfsz else "default")
    if fail is None:
        tap.ok(False, "disk full (%s): a sign-in hit the limit" % what)
        return
    tap.ok(fail.rc == 0 and fail.status == 503 and "Session store unavailable" in fail.text(),
           "disk full (%s): 503 Session store unavailable" % what, fail)
    tap.ok(no_token(fail), "disk full (%s): no session cookie, no hand-off" % what)
    rc, rep = fl.admin(store, "check")
    detected = rc == 1
    if detected:
        r = fl.check_session(conf, before[0], rec=rec)
        tap.is_(r.status, 503, "disk full (%s): damage detected: 503, never wrong data" % what)
        rc, rep = fl.admin(store, "recover")
    found = sum(1 for t in before if (fl.check_session(conf, t, rec=rec).json() or {}).get("userName") == "octocat")
    tap.is_(found, 5, "disk full (%s): every earlier session is still found%s" %
            (what, " after ghauth-admin recover" if detected else ""))
    b = fl.FBrowser(conf, rec=rec)
    out = b.sign_in(mock, "octocat")
    tap.is_(out.get("session") and out["session"].status, 200,
            "disk full (%s): sign-in works again once there is room" % what)
    tap.diag("disk full (%s): %d sign-ins fitted, the next got 503; store %s" %
             (what, done, "needed recovery (partly extended file), recovered with every session"
              if detected else "intact, no recovery needed"))
    canary.learn_mock(mock)


def disk_full_tmpfs(tap, work, mock):
    mnt = os.path.join(work, "tmpfs")
    os.mkdir(mnt, 0o700)
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", mnt],
                       capture_output=True)
    if p.returncode != 0:
        tap.skip("disk full (tmpfs of 64 KiB): 503, no token", "cannot mount tmpfs here")
        return
    mounts.append(mnt)
    store = os.path.join(mnt, "s.db")
    conf = write_config(os.path.join(work, "tmpfs.json"), store, mock)
    mock.reset()
    before = []
    for i in range(3):
        b = fl.FBrowser(conf, rec=rec)
        b.sign_in(mock, "alice")
        before.append(b.cookies.get("ghauth_session"))
    # Fill the rest of the filesystem but about 6 KiB.
    st = os.statvfs(mnt)
    free = st.f_bavail * st.f_frsize
    with open(os.path.join(mnt, "filler"), "wb") as f:
        f.write(b"\0" * max(0, free - 6 * 1024))
    fail, n = None, 0
    for i in range(200):
        b = fl.FBrowser(conf, rec=rec)
        out = b.sign_in(mock, "alice")
        last = b.log[-1]
        if last.status not in (200, 303):
            fail = last
            break
        n += 1
    if fail is None:
        tap.ok(False, "disk full (tmpfs): a write hit ENOSPC")
    else:
        tap.ok(fail.rc == 0 and fail.status == 503 and "Session store unavailable" in fail.text()
               and no_token(fail), "disk full (tmpfs): 503, no session cookie, no hand-off", fail)
    os.unlink(os.path.join(mnt, "filler"))
    rc, rep = fl.admin(store, "check")
    detected = rc == 1
    if detected:
        fl.admin(store, "recover")
    found = sum(1 for t in before if fl.check_session(conf, t, rec=rec).status == 200)
    tap.is_(found, 3, "disk full (tmpfs): earlier sessions kept%s" %
            (" after ghauth-admin recover" if detected else ""))
    tap.diag("disk full (tmpfs 64 KiB): %d sign-ins fitted, the next got %s; store %s" %
             (n, fail and fail.status, "needed recovery" if detected else "intact"))
    canary.learn_mock(mock)


# ---- 5. read-only store ------------------------------------------------------------

def read_only(tap, work, mock):
    for how in ("immutable", "mount", "mode"):
        d = os.path.join(work, "ro-" + how)
        os.mkdir(d, 0o700)
        store = os.path.join(d, "s.db")
        conf = write_config(os.path.join(work, "ro-%s.json" % how), store, mock)
        tok, who = fl.token(), fl.ident(8)
        canary.add("session", tok)
        fl.seed_session(store, tok, who)
        tok2 = fl.token()
        fl.seed_session(store, tok2, fl.ident(9))
        canary.add("session", tok2)
        mock.reset()
        b = fl.FBrowser(conf, rec=rec)
        back = b.begin(mock)
        mock.control("requests/clear", {})
        if how == "immutable":
            p = subprocess.run(["chattr", "+i", store], capture_output=True)
            what = "store file immutable (chattr +i)"
            if p.returncode != 0:
                tap.skip("read-only store: %s" % what, "chattr +i refused here (needs "
                         "CAP_LINUX_IMMUTABLE and ext4, xfs or btrfs)")
                continue
            immutable.append(store)
        elif how == "mode":
            what = "files mode 0400"
            if os.geteuid() == 0:
                tap.skip("read-only store: %s" % what, "root ignores file modes")
                continue
            os.chmod(store, 0o400)
            os.chmod(store + ".lock", 0o400)
        else:
            what = "read-only mount"
            p = subprocess.run(["mount", "--bind", d, d], capture_output=True)
            if p.returncode != 0:
                tap.skip("read-only store: %s" % what, "cannot bind-mount here")
                continue
            mounts.append(d)
            p = subprocess.run(["mount", "-o", "remount,bind,ro", d], capture_output=True)
            if p.returncode != 0:
                tap.skip("read-only store: %s" % what, "cannot remount read-only")
                continue
        # Writers bump the generation in the lock file before they find
        # the store unwritable; the store itself must not change.
        watched = [store] if how == "immutable" else [store, store + ".lock"]
        if how == "mode":
            watched = [store, store + ".lock"]
        digest = fl.file_digest(*watched)
        r = fl.check_session(conf, tok, rec=rec)
        tap.ok(r.status == 200 and fl.identity_ok(r, tok, who),
               "read-only store (%s): session checks still work" % what, r)
        r1 = fl.run("github", fl.env(conf), rec=rec)
        r2 = fl.run("logout", fl.env(conf, "POST", headers={"X-Session-Token": tok2}), rec=rec)
        r3 = b.callback(back)
        tap.is_((r1.status, r2.status, r3.status), (503, 503, 503),
                "read-only store (%s): sign-in start, logout and callback answer 503" % what)
        tap.ok(all(no_token(r) and r.header("Location") is None for r in (r1, r2, r3)) and
               not any(v.startswith("ghauth_state=") and "Max-Age=0" not in v
                       for r in (r1, r3) for v in r.all("Set-Cookie")),
               "read-only store (%s): no token, state or redirect issued" % what)
        tap.is_(len(mock.requests("token")), 0, "read-only store (%s): GitHub not contacted" % what)
        tap.is_(fl.file_digest(*watched), digest,
                "read-only store (%s): the store is unchanged" % what)
        if how == "immutable":
            subprocess.run(["chattr", "-i", store])
            immutable.remove(store)
        elif how == "mode":
            os.chmod(store, 0o600)
            os.chmod(store + ".lock", 0o600)
        else:
            subprocess.run(["umount", d])
            mounts.remove(d)
        r = fl.check_session(conf, tok2, rec=rec)
        tap.is_(r.status, 200, "read-only store (%s): writable again, the session is still there" % what)
        tap.diag("read-only store (%s): the check was served, 3 writers refused with 503" % what)


# ---- 6. missing, empty, truncated, corrupted, symlinked ----------------------------

def base_store(work, n):
    store = os.path.join(work, "base.db")
    conf = write_config(os.path.join(work, "base.json"), store, None)
    anchors = [(fl.token(), fl.ident(i, "base")) for i in range(n)]
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        list(ex.map(lambda tw: fl.seed_session(store, *tw), anchors))
    for _ in range(20):
        fl.run("github", fl.env(conf))
    for t, _ in anchors:
        canary.add("session", t)
    return store, anchors


def exercise(conf, anchors, sample, tally):
    """Checks, a start and a logout on a damaged store; returns problems."""
    probs = []
    for t, w in sample:
        r = fl.check_session(conf, t, rec=rec)
        tally[r.status] = tally.get(r.status, 0) + 1
        if r.rc != 0 or r.status not in (200, 401, 503):
            probs.append(("session", r.rc, r.status))
        elif r.status == 200 and not fl.identity_ok(r, t, w):
            probs.append(("WRONG IDENTITY", r.body[:200]))
    r = fl.run("github", fl.env(conf), rec=rec)
    if bad_status(r, (303, 503)):
        probs.append(("github", r.rc, r.status))
    t, w = anchors[-1]
    r = fl.run("logout", fl.env(conf, "POST", headers={"X-Session-Token": t}), rec=rec)
    if bad_status(r, (200, 503)):
        probs.append(("logout", r.rc, r.status))
    return probs


def damaged_files(tap, work):
    d = os.path.join(work, "damage")
    os.mkdir(d, 0o700)
    store = os.path.join(d, "s.db")
    conf = write_config(os.path.join(work, "damage.json"), store, None)

    # Missing.
    tok = fl.token()
    r = fl.check_session(conf, tok, rec=rec)
    tap.is_((r.rc, r.status), (0, 401), "missing store: session check 401")
    r = fl.run("github", fl.env(conf), rec=rec)
    mode = os.stat(store).st_mode & 0o777 if os.path.exists(store) else None
    tap.is_((r.status, mode), (303, 0o600), "missing store: start creates it, mode 0600")
    # Empty.
    os.unlink(store)
    fd = os.open(store, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    r = fl.check_session(conf, tok, rec=rec)
    tap.is_((r.rc, r.status), (0, 401), "empty store file: session check 401")
    r = fl.run("github", fl.env(conf), rec=rec)
    tap.is_(r.status, 303, "empty store file: start works")
    fl.seed_session(store, tok, fl.ident(3))
    canary.add("session", tok)
    r = fl.check_session(conf, tok, rec=rec)
    tap.ok(r.status == 200 and fl.identity_ok(r, tok, fl.ident(3)),
           "empty store file: initialised, sessions work")

    base, anchors = base_store(work, 150)
    with open(base, "rb") as f:
        good = f.read()
    size = len(good)

    # Truncated at several sizes.
    cuts = sorted(set([1, 7, 100, 511, 512, 1024, 4095, 4096, 8192, size // 3, size // 2,
                       size - 4096, size - 512, size - 1]))
    tally, probs, detected, recovered_ok = {}, [], 0, 0
    for cut in cuts:
        with open(store, "wb") as f:
            f.write(good[:cut])
        os.chmod(store, 0o600)
        probs += exercise(conf, anchors, rnd.sample(anchors[:-1], 8), tally)
        rc, _ = fl.admin(store, "check")
        if rc == 1:
            detected += 1
            fl.admin(store, "recover")
            rc, _ = fl.admin(store, "check")
            recovered_ok += rc == 0
    tap.is_(probs, [], "truncated store (%d sizes): never a crash, never a wrong identity; "
            "200, 401 or 503 only" % len(cuts))
    tap.is_(recovered_ok, detected, "truncated store: every damaged file recovered to a clean store")
    tap.diag("truncated at %d sizes (1 B .. %d B of %d B): session checks %r, ghauth-admin "
             "check flagged %d" % (len(cuts), cuts[-1], size, tally, detected))

    # Random corruption: anywhere in the file, or aimed at the records
    # about to be read (found by their login), every other trial.
    trials = 300
    tally, probs, detected, recovered_ok, flips = {}, [], 0, 0, 0
    aimed = {}
    for trial in range(trials):
        buf = bytearray(good)
        sample = rnd.sample(anchors[:-1], 6)
        spots = []
        if trial % 2:
            for t, w in sample[:3]:
                login = w[1].encode()
                at = good.find(bytes([0, len(login)]) + login)
                if at >= 0:
                    spots.append((max(0, at - 40), rnd.randint(1, 8), 100))
        else:
            spots = [(0, rnd.randint(1, 16), size) for _ in range(rnd.randint(1, 4))]
        for base, n, span in spots:
            off = base + rnd.randrange(span)
            for k in range(off, min(size, off + n)):
                if buf[k] == good[k]:
                    buf[k] = (good[k] + rnd.randrange(1, 256)) % 256
                    flips += 1
        with open(store, "wb") as f:
            f.write(buf)
        os.chmod(store, 0o600)
        t0 = dict(tally)
        probs += exercise(conf, anchors, sample, tally)
        if trial % 2:
            for k, v in tally.items():
                aimed[k] = aimed.get(k, 0) + v - t0.get(k, 0)
        if trial % 10 == 0:
            rc, _ = fl.admin(store, "check")
            if rc == 1:
                detected += 1
                fl.admin(store, "recover")
                rc, _ = fl.admin(store, "check")
                recovered_ok += rc == 0
                probs += exercise(conf, anchors, rnd.sample(anchors[:-1], 6), tally)
    tap.is_(probs, [], "corrupted store (%d trials): never a crash, never a wrong identity; "
            "200, 401 or 503 only" % trials)
    tap.ok(aimed.get(401, 0) + aimed.get(503, 0) >= trials // 2,
           "corrupted store: corrupted records are refused, not served", aimed)
    tap.is_(recovered_ok, detected, "corrupted store: ghauth-admin recover always ends clean")
    tap.diag("corrupted: %d trials, %d bytes changed (half at random offsets, half aimed "
             "at the records then read), %d session checks %r (aimed trials %r); "
             "of %d files checked, %d flagged and recovered" %
             (trials, flips, sum(tally.values()), tally, aimed, trials // 10, detected))

    # Symbolic links, to a valid store elsewhere.
    other = os.path.join(work, "elsewhere")
    os.mkdir(other, 0o700)
    target = os.path.join(other, "s.db")
    tok, who = fl.token(), fl.ident(4)
    canary.add("session", tok)
    fl.seed_session(target, tok, who)
    for what in ("store", "lock"):
        for p in (store, store + ".lock"):
            if os.path.lexists(p):
                os.unlink(p)
        shutil.copy(target, store)
        os.chmod(store, 0o600)
        if what == "store":
            os.unlink(store)
            os.symlink(target, store)
            link = store
        else:
            os.symlink(target + ".lock", store + ".lock")
            link = store + ".lock"
        digest = fl.file_digest(target, target + ".lock")
        rs = [fl.check_session(conf, tok, rec=rec), fl.run("github", fl.env(conf), rec=rec),
              fl.run("logout", fl.env(conf, "POST", headers={"X-Session-Token": tok}), rec=rec)]
        tap.is_([r.status for r in rs], [503, 503, 503],
                "%s replaced by a symlink to a valid store: refused with 503" % what)
        tap.ok(all(link in r.stderr and "symbolic link" in r.stderr for r in rs),
               "%s symlink: the log names it" % what, rs[0].stderr)
        tap.is_(fl.file_digest(target, target + ".lock"), digest,
                "%s symlink: nothing written through it" % what)
        os.unlink(link)


def main():
    tap = Tap()
    work = ghtest.tmpdir("ghauth-faults-")
    tap.diag("random seed %d (GHAUTH_FAULT_SEED)" % SEED_VALUE)
    mock = Mock(work, ghtest.make_ca(os.path.join(work, "ca")))
    t0 = time.time()
    only = os.environ.get("GHAUTH_FAULT_ONLY", "").split(",")
    sections = [
        ("load", lambda: parallel_load(tap, work, mock)),
        ("lock", lambda: lock_held(tap, work, mock)),
        ("kill", lambda: signal_loop(tap, work, signal.SIGKILL, 400)),
        ("term", lambda: signal_loop(tap, work, signal.SIGTERM, 150)),
        ("full", lambda: (disk_full_rlimit(tap, work, mock, "aligned", 0, False),
                          disk_full_rlimit(tap, work, mock, "partial", 1000, True),
                          disk_full_tmpfs(tap, work, mock))),
        ("ro", lambda: read_only(tap, work, mock)),
        ("damage", lambda: damaged_files(tap, work)),
    ]
    try:
        for name, f in sections:
            if only != [""] and name not in only:
                continue
            t1 = time.time()
            f()
            if os.environ.get("GHAUTH_TEST_VERBOSE"):
                tap.diag("(%s: %.1fs)" % (name, time.time() - t1))
        canary.learn_mock(mock)
        fl.canary_report(tap, canary, rec, "this file", 10 if only == [""] else 0)
    finally:
        mock.stop()
        for s in immutable:
            subprocess.run(["chattr", "-i", s])
        for m in reversed(mounts[:]):
            if subprocess.run(["umount", m]).returncode == 0:
                mounts.remove(m)
        if not mounts:      # never remove what a failed umount left mounted
            ghtest.cleanup(work)
    tap.diag("store faults: %d program runs checked in %.0fs" % (len(rec.items), time.time() - t0))
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
