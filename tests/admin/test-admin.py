#!/usr/bin/env python3
"""ghauth-admin(8) against real stores.

Stores are made with the library's own code: tests/tools/seed (one record
per run, or a corrupted one) and tests/admin/bulk (thousands at once).
Every command of the man page is run here, with its exit status and its
output checked, and the store is read back with seed afterwards.  Prints
TAP."""

import base64
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import ghtest  # noqa: E402
from ghtest import Tap, write_config  # noqa: E402

B = ghtest.BUILDDIR
ADMIN = os.path.join(B, "tools/ghauth-admin")
SEED = os.path.join(B, "tests/tools/seed")
BULK = os.path.join(B, "tests/admin/bulk")
ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
ENV = {"PATH": "/usr/bin:/bin", "LC_ALL": "C"}


def token():
    return base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()


def admin(*args, env=None, **kw):
    p = subprocess.run([ADMIN] + list(args), capture_output=True, text=True,
                       env=env or ENV, timeout=120, **kw)
    return p.returncode, p.stdout, p.stderr


def seed(store, *args):
    p = subprocess.run([SEED, store] + list(args), capture_output=True,
                       text=True, env=ENV, timeout=60)
    if p.returncode != 0:
        raise RuntimeError("seed %s: %s" % (args, p.stderr))
    return p.stdout.strip()


def session(store, tok, uid, login, ttl=86400, age=0, idle=0):
    seed(store, "session", tok, str(uid), login,
         "https://avatars.example/u/%d" % uid, "-", "-", str(ttl), str(age),
         str(idle))


def present(store, kind, tok):
    return seed(store, "get", kind, tok) not in ("absent", "corrupt")


def counts(store):
    return dict(kv.split("=") for kv in seed(store, "count").split())


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def key_tag(tok):
    return hashlib.sha256(tok.encode()).hexdigest()[:8]


def stat_line(out, kind):
    m = re.search(r"^%s\s+(\d+) \((\d+) expired, (\d+) unreadable\)" % kind,
                  out, re.M)
    return tuple(int(x) for x in m.groups()) if m else None


def test_usage(tap, work):
    rc, _, err = admin()
    tap.is_(rc, 2, "no command: usage, exit 2")
    rc, _, err = admin("-s", work + "/x.db", "frobnicate")
    tap.is_(rc, 2, "unknown command: exit 2")
    rc, _, err = admin("-s", work + "/x.db", "revoke", "no such user!")
    tap.ok(rc == 2 and "neither a GitHub login" in err,
           "revoke of something that is no login or id: exit 2", err)
    rc, _, err = admin("-s", "relative.db", "list")
    tap.ok(rc == 2 and "absolute" in err, "a relative store path is refused", err)
    rc, _, err = admin("-t", "abc", "-s", work + "/x.db", "list")
    tap.is_(rc, 2, "-t takes milliseconds")
    rc, out, _ = admin("-h")
    tap.is_(rc, 0, "-h: exit 0")


def test_empty(tap, work):
    store = os.path.join(work, "none.db")
    rc, out, err = admin("-s", store, "list")
    tap.ok(rc == 0 and out.splitlines()[1:] == [],
           "list of a store that does not exist yet: header only", out + err)
    rc, out, _ = admin("-s", store, "check")
    tap.ok(rc == 0 and "clean" in out, "check of a missing store: clean", out)
    tap.ok(not os.path.exists(store), "reading commands create no store")


def test_records(tap, work):
    store = os.path.join(work, "s.db")
    t = {n: token() for n in ("octo", "alice", "bob1", "bob2", "carol",
                              "st", "st_old", "ho", "ho_old", "idle")}
    session(store, t["octo"], 583231, "octocat")
    session(store, t["alice"], 42, "Alice", ttl=10, age=100)      # expired
    session(store, t["bob1"], 43, "bob")
    session(store, t["bob2"], 43, "Bob", age=50)
    session(store, t["carol"], 44, "carol")
    seed(store, "corrupt", "se", t["carol"])                      # unreadable
    session(store, t["idle"], 45, "dora", age=500, idle=400)      # idle 400 s
    seed(store, "state", t["st"], token(), "-")
    seed(store, "state", t["st_old"], token(), "-", "-5")         # expired
    seed(store, "handoff", t["ho"], t["octo"])
    seed(store, "handoff", t["ho_old"], t["octo"], "-5")          # expired
    secrets = list(t.values())

    # list
    rc, out, err = admin("-s", store, "list")
    lines = out.splitlines()
    tap.is_(rc, 0, "list: exit 0")
    tap.like(lines[0] if lines else "", r"^LOGIN\s+ID\s+CREATED\s+LAST-SEEN\s+EXPIRES\s+TAG\s+STATUS$",
             "list: header line")
    rows = [ln.split() for ln in lines[1:]]
    tap.is_([r[0] for r in rows], ["Alice", "Bob", "bob", "dora", "octocat"],
            "list: one line per readable session, by login (any case) then age")
    tap.ok(all(len(r) == 7 and re.fullmatch(ISO, r[2]) and re.fullmatch(ISO, r[3])
               and re.fullmatch(ISO, r[4]) and re.fullmatch(r"[0-9a-f]{8}", r[5])
               for r in rows), "list: ISO 8601 UTC times and an 8-hex tag", out)
    octo = [r for r in rows if r[0] == "octocat"]
    tap.ok(octo and octo[0][1] == "583231" and octo[0][5] == key_tag(t["octo"])
           and octo[0][6] == "active",
           "list: id, tag = start of the key (SHA-256 of the token), status", out)
    tap.is_([r[6] for r in rows if r[0] == "Alice"], ["expired"],
            "list: an expired session says so")
    ghtest.canary_check(tap, [out, err], secrets, "list output")

    rc, out, err = admin("-s", store, "list", "--json")
    try:
        doc = json.loads(out)
    except ValueError:
        doc = None
    tap.ok(isinstance(doc, list) and len(doc) == 5, "list --json: an array of 5", out)
    if doc:
        o = [x for x in doc if x["login"] == "octocat"][0]
        tap.ok(o["id"] == 583231 and re.fullmatch(ISO, o["created"]) and
               re.fullmatch(ISO, o["last_seen"]) and re.fullmatch(ISO, o["expires"])
               and o["tag"] == key_tag(t["octo"]) and o["status"] == "active",
               "list --json: members", o)
    else:
        tap.ok(False, "list --json: members")

    # idle sessions are known from the configuration only
    conf = write_config(os.path.join(work, "idle.json"), store,
                        session_idle_ttl=300)
    rc, out, _ = admin("-c", conf, "list")
    tap.ok(rc == 0 and re.search(r"^dora .* idle$", out, re.M),
           "list -c: the store and session_idle_ttl come from the configuration", out)
    rc, out2, _ = admin("list", env=dict(ENV, GHAUTH_CONFIG=conf))
    tap.is_(out2, out, "list: $GHAUTH_CONFIG is read like the programs read it")

    # stats
    rc, out, err = admin("-s", store, "stats")
    tap.is_(rc, 0, "stats: exit 0")
    tap.is_(stat_line(out, "sessions"), (6, 1, 1), "stats: sessions, expired, unreadable")
    tap.is_(stat_line(out, "states"), (2, 1, 0), "stats: states")
    tap.is_(stat_line(out, "hand-offs"), (2, 1, 0), "stats: hand-offs")
    tap.like(out, r"file size\s+\d+ bytes", "stats: file size")
    rc, out, err = admin("-s", store, "stats", "--json")
    doc = json.loads(out) if rc == 0 else {}
    tap.ok(doc.get("sessions") == {"records": 6, "expired": 1, "unreadable": 1}
           and doc.get("size", 0) == os.path.getsize(store),
           "stats --json", out)

    # check: a corrupted record is a problem
    before = digest(store)
    rc, out, err = admin("-s", store, "check")
    tap.ok(rc == 1 and re.search(r"^unreadable 1\b", out, re.M) and
           re.search(r"^structure\s+ok", out, re.M),
           "check: a record failing its integrity tag: exit 1, counted", out + err)
    tap.is_(digest(store), before, "check wrote nothing")

    # revoke by login, any case: both of bob's sessions
    rc, out, err = admin("-s", store, "revoke", "BOB")
    tap.ok(rc == 0 and "revoked 2 sessions" in out, "revoke BOB: 2 sessions", out + err)
    tap.ok(not present(store, "se", t["bob1"]) and not present(store, "se", t["bob2"]),
           "revoke by login is case-insensitive: both records gone")
    tap.ok(present(store, "se", t["octo"]) and present(store, "ho", t["ho"]),
           "revoke by login leaves other users and hand-offs")
    # revoke by numeric id
    rc, out, err = admin("-s", store, "revoke", "583231")
    tap.ok(rc == 0 and "revoked 1 sessions" in out and
           not present(store, "se", t["octo"]), "revoke by numeric id", out + err)
    rc, out, err = admin("-s", store, "revoke", "nobody-here")
    tap.ok(rc == 0 and "revoked 0 sessions" in out, "revoke of a user without sessions: 0, exit 0", out)

    # purge: exactly the expired and unreadable records
    rc, out, err = admin("-s", store, "purge")
    tap.ok(rc == 0 and "purged 4 " in out, "purge: 4 records", out + err)
    tap.ok(not present(store, "se", t["alice"]) and
           seed(store, "get", "se", t["carol"]) == "absent" and
           not present(store, "st", t["st_old"]) and
           not present(store, "ho", t["ho_old"]),
           "purge removed the expired session, state and hand-off and the corrupt record")
    tap.ok(present(store, "se", t["idle"]) and present(store, "st", t["st"]) and
           present(store, "ho", t["ho"]),
           "purge kept live records (no idle timeout without a configuration)")
    rc, out, err = admin("-c", conf, "purge")
    tap.ok(rc == 0 and "purged 1 " in out and not present(store, "se", t["idle"]),
           "purge -c: a session idle past session_idle_ttl is expired", out + err)
    rc, out, _ = admin("-s", store, "check")
    tap.ok(rc == 0 and "result     clean" in out, "check after purge: clean, exit 0", out)

    # revoke --all: sessions and hand-offs, states stay
    session(store, t["bob1"], 43, "bob")
    rc, out, err = admin("-s", store, "revoke", "--all")
    c = counts(store)
    tap.ok(rc == 0 and c["se"] == "0" and c["ho"] == "0" and c["st"] == "1",
           "revoke --all: no session or hand-off left, sign-ins in progress kept",
           out + err + repr(c))


def test_reorganize(tap, work):
    store = os.path.join(work, "big.db")
    subprocess.run([BULK, store, "5000", "many"], check=True, env=ENV)
    rc, out, _ = admin("-s", store, "revoke", "many")
    tap.ok(rc == 0 and "revoked 5000 sessions" in out, "revoke of 5000 sessions", out)
    big = os.path.getsize(store)
    ino = os.stat(store).st_ino
    lock_ino = os.stat(store + ".lock").st_ino
    rc, out, err = admin("-s", store, "reorganize")
    small = os.path.getsize(store)
    tap.ok(rc == 0 and small * 4 < big, "reorganize shrinks the file (%d -> %d bytes)"
           % (big, small), out + err)
    tap.like(out, r"reorganized .*: %d -> %d bytes" % (big, small), "reorganize reports the sizes")
    tap.ok(os.stat(store).st_ino != ino and os.stat(store + ".lock").st_ino == lock_ino,
           "reorganize replaced the database inode; the lock file stayed")
    st = os.stat(store)
    tap.ok(st.st_mode & 0o777 == 0o600 and st.st_uid == os.geteuid(),
           "the new file is 0600 and keeps its owner")
    tok = token()
    session(store, tok, 7, "after")
    rc, out, _ = admin("-s", store, "list")
    tap.ok(present(store, "se", tok) and "after" in out,
           "the store works after reorganize")


def damage(path, offset, size):
    rnd = random.Random(offset)
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(bytes(rnd.getrandbits(8) for _ in range(size)))


def middle_bucket(path):
    """The offset of the GDBM bucket nearest the middle of the file.

    A few KB overwritten at a random place can land in free space, where
    nothing notices; overwriting a bucket is damage GDBM must detect.  The
    header (GDBM 1.23, 64-bit) starts: magic, block_size (int), dir (off_t),
    dir_size (int), ...; the directory is an array of bucket offsets."""
    with open(path, "rb") as f:
        data = f.read()
    import struct
    _, _, dirp, dsz = struct.unpack_from("<iiqi", data, 0)
    if not (0 < dirp < len(data) and 0 < dsz <= len(data) - dirp):
        return len(data) // 2
    buckets = set(struct.unpack_from("<%dq" % (dsz // 8), data, dirp))
    mid = len(data) // 2
    return min((b for b in buckets if 0 < b < len(data)),
               key=lambda b: abs(b - mid), default=mid)


def test_damage(tap, work):
    store = os.path.join(work, "dmg.db")
    subprocess.run([BULK, store, "5000", "dmg"], check=True, env=ENV)
    rc, out, _ = admin("-s", store, "check")
    tap.ok(rc == 0 and "clean" in out, "check of 5000 good records: clean", out)
    damage(store, middle_bucket(store), 4096)
    before = digest(store)
    rc, out, err = admin("-s", store, "check")
    tap.ok(rc == 1 and re.search(r"^structure\s+damaged", out, re.M) and
           "problems found" in out,
           "check of a file with 4 KB overwritten in the middle (a bucket): "
           "damaged, exit 1", out + err)
    tap.is_(digest(store), before, "check of a damaged file wrote nothing")
    rc, out, err = admin("-s", store, "purge")
    tap.ok(rc == 1 and "recover" in err and digest(store) == before,
           "purge refuses a damaged file and changes nothing", out + err)

    rc, out, err = admin("-s", store, "recover")
    tap.ok(rc == 0 and "rebuilt by GDBM" in out, "recover rebuilds it", out + err)
    tap.ok(os.path.exists(store + ".~1~") and digest(store + ".~1~") == before,
           "recover keeps the damaged original as STORE.~1~")
    rc, out, err = admin("-s", store, "check")
    tap.ok(rc == 0 and "clean" in out, "check after recover: clean", out + err)
    rc, out, _ = admin("-s", store, "stats")
    n = stat_line(out, "sessions")
    tap.ok(n is not None and n[0] > 4800, "recover kept the readable sessions (%s)" % (n,), out)
    tok = token()
    session(store, tok, 8, "again")
    tap.ok(present(store, "se", tok), "the store works after recover")
    rc, out, err = admin("-s", store, "recover")
    tap.ok(rc == 0 and "structure intact" in out and not os.path.exists(store + ".~2~"),
           "recover of a clean store changes nothing", out + err)

    # A file GDBM will not even open: moved aside, empty store.
    damage(store, 0, 64)
    bad = digest(store)
    rc, out, err = admin("-s", store, "check")
    tap.ok(rc == 1 and "GDBM refused the file" in out, "check of a bad header: exit 1", out + err)
    rc, out, err = admin("-s", store, "recover")
    moved = [f for f in os.listdir(work) if f.startswith("dmg.db.broken-")]
    tap.ok(rc == 0 and "started an empty store" in out and len(moved) == 1,
           "recover of an unopenable file: moved aside, started empty", out + err)
    tap.ok(moved and digest(os.path.join(work, moved[0])) == bad and
           re.fullmatch(r"dmg\.db\.broken-\d{8}T\d{6}Z", moved[0]),
           "the unusable file is kept unchanged as STORE.broken-TIME")
    rc, out, _ = admin("-s", store, "check")
    tap.ok(rc == 0 and "clean" in out and os.stat(store).st_mode & 0o777 == 0o600,
           "the new store is clean and 0600", out)
    session(store, tok, 8, "again")
    tap.ok(present(store, "se", tok), "the new store works")


def test_lock(tap, work):
    store = os.path.join(work, "lock.db")
    toks = [token() for _ in range(3)]
    for i, t in enumerate(toks):
        session(store, t, 100 + i, "locked")
    before = digest(store)
    # The holder keeps the lock until released (not for a fixed time), so
    # a slow start cannot let the command in: the deadline is what ends
    # each wait, and the bounds below are the deadline and far from it.
    holder = ghtest.hold_lock(store + ".lock", env=ENV)
    try:
        rc, out, err = admin("-t", "300", "-s", store, "check")
        tap.is_(rc, 75, "check (a reader) waits for a writer's lock too: exit 75")
        t0 = time.monotonic()
        rc, out, err = admin("-s", store, "revoke", "--all")
        dt = time.monotonic() - t0
    finally:
        ghtest.release(holder)
    tap.is_(rc, 75, "revoke while another process holds the lock: exit 75")
    tap.ok(1.9 <= dt < 30, "it waited for the lock deadline, 2 s, and then gave up "
           "(%.2f s)" % dt)
    tap.ok("busy" in err and "nothing was changed" in err, "a clear message", err)
    tap.ok(digest(store) == before and all(present(store, "se", t) for t in toks),
           "nothing was written")

    holder = ghtest.hold_lock(store + ".lock", env=ENV)
    try:
        t0 = time.monotonic()
        p = subprocess.Popen([ADMIN, "-t", "30000", "-s", store, "revoke", "--all"],
                             env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1)
        waited = p.poll() is None
    finally:
        ghtest.release(holder)
    out, err = p.communicate(timeout=60)
    dt = time.monotonic() - t0
    tap.ok(waited and p.returncode == 0 and "revoked 3 " in out and dt >= 1,
           "with -t 30000 it waits for a lock held 1 s, then works (%.2f s)" % dt, out + err)


def test_owner(tap, work):
    if os.geteuid() != 0:
        tap.skip("a store owned by another user is refused", "needs root")
        tap.skip("nothing changed", "needs root")
        tap.skip("another user on our store is refused", "needs root")
        return
    store = os.path.join(work, "owned.db")
    tok = token()
    session(store, tok, 9, "owned")
    os.chown(store, 65534, 65534)
    os.chown(store + ".lock", 65534, 65534)
    before = digest(store)
    rc, out, err = admin("-s", store, "revoke", "--all")
    tap.ok(rc == 2 and "belongs to uid 65534" in err and "run ghauth-admin as" in err,
           "a store owned by another user is refused, root included", err)
    tap.is_(digest(store), before, "nothing changed")
    os.chown(store, 0, 0)
    os.chown(store + ".lock", 0, 0)

    def drop():
        os.setgid(65534)
        os.setuid(65534)
    rc, out, err = admin("-s", store, "list", preexec_fn=drop)
    tap.ok(rc == 2 and "belongs to uid 0" in err,
           "another user on our store is refused", err)


def test_symlink(tap, work):
    real = os.path.join(work, "real.db")
    link = os.path.join(work, "link.db")
    session(real, token(), 10, "linked")
    os.symlink(real, link)
    rc, out, err = admin("-s", link, "purge")
    tap.ok(rc == 1 and "symbolic link" in err, "a symbolic link as the store is refused", err)


# check-config: (label, auth block or raw text, environment, exit, patterns
# that must be in the output, patterns that must not).
GOOD_GH = {"client_id": "abc", "client_secret": "CANARY-check-config-secret",
           "redirect_uri": "https://www.example.org/auth/github/callback"}
CHECK_CONFIG = [
    ("a list of logins and ids", {"github": dict(GOOD_GH, restrict_to="alice, bob carol 583231")}, {}, 0,
     [r"^who may sign in +3 logins, 1 id$", r"^auth\.github\.restrict_to +alice, bob, carol, 583231$",
      r"^auth\.github\.client_secret +\(set, not shown\)$", r"^auth\.session_ttl +86400$",
      r"^auth\.github\.authorize_url +https://github\.com/login/oauth/authorize$",
      r"^result +0 errors, 0 warnings$"], [r"CANARY", r"^error"]),
    ("\"*\"", {"github": dict(GOOD_GH, restrict_to="*")}, {}, 0,
     [r"^who may sign in +any GitHub account \(restrict_to is \"\*\"\)$", r"^auth\.github\.restrict_to +\*$"],
     [r"^warning", r"^error"]),
    ("restrict_to not set", {"github": GOOD_GH}, {}, 0,
     [r"^who may sign in +any GitHub account \(restrict_to is not set\)$",
      r"^warning: auth\.github\.restrict_to is not set: any GitHub account may sign in",
      r"^result +0 errors, 1 warning$"], []),
    ("every mistake at once", {"restrict_to": "alice", "state_ttl": 0,
                               "github": dict(GOOD_GH, **{"restrict-to": "alice"})}, {}, 1,
     [r"^who may sign in +nobody: every endpoint answers 500",
      r"^error: auth\.restrict_to: unknown key \(did you mean auth\.github\.restrict_to\?\)$",
      r"^error: auth\.state_ttl must be between 1 and 3600$",
      r"^error: auth\.github\.restrict-to: unknown key \(did you mean restrict_to\?\)$",
      r"^result +3 errors, 0 warnings$"], [r"CANARY", r"^auth\.github\.client_id"]),
    ("$GITHUB_USERS not passed", {"github": dict(GOOD_GH, restrict_to="$GITHUB_USERS")}, {}, 1,
     [r"^error: auth\.github\.restrict_to is \"\$GITHUB_USERS\" but GITHUB_USERS is not set"], []),
    ("$GITHUB_USERS passed", {"github": dict(GOOD_GH, restrict_to="$GITHUB_USERS")},
     {"GITHUB_USERS": "alice\n12\n"}, 0, [r"^who may sign in +1 login, 1 id$"], [r"^error"]),
    ("sign-in not configured", {"github": {"restrict_to": "alice"}}, {}, 1,
     [r"^error: auth\.github\.client_id is empty: every sign-in answers \"GitHub OAuth not configured\"$",
      r"^error: auth\.github\.client_secret is empty", r"^auth\.github\.client_secret +\(not set\)$"], []),
    ("auth.enabled false", {"enabled": False, "github": dict(GOOD_GH, restrict_to="alice")}, {}, 0,
     [r"^who may sign in +nobody \(auth\.enabled is false\)$", r"^warning: auth\.enabled is false"], []),
    ("a Redis store with a password", {"store": "redis://ghauth:CANARY-redis-pw@127.0.0.1:6390/2",
                                      "store_prefix": "site1:", "github": dict(GOOD_GH, restrict_to="alice")}, {}, 0,
     [r"^auth\.store +redis://\*\*\*@127\.0\.0\.1:6390/2$", r"^auth\.store_prefix +site1:$",
      r"^auth\.store_timeout_ms +2000$"], [r"CANARY", r"^error"]),
    ("broken JSON", '{"auth": {"github": {"client_secret": "CANARY-check-config-secret" "x": 1}}}', {}, 1,
     [r"^error: JSON error at line 1"], [r"CANARY"]),
]


def test_check_config(tap, work):
    conf = os.path.join(work, "check.json")
    for label, auth, extra, want_rc, must, mustnot in CHECK_CONFIG:
        with open(conf, "w") as f:
            f.write(auth if isinstance(auth, str) else json.dumps({"auth": auth}))
        rc, out, err = admin("-c", conf, "check-config", env=dict(ENV, **extra))
        bad = [p for p in must if not re.search(p, out, re.M)] + \
              [p for p in mustnot if re.search(p, out + err, re.M)]
        tap.ok(rc == want_rc and not bad and out.startswith("configuration  ") and conf in out,
               "check-config, %s: exit %d" % (label, want_rc), (rc, bad, out, err))
    # Without -c: as the programs read it (GHAUTH_CONFIG, else the environment).
    rc, out, _ = admin("check-config", env=dict(ENV, GHAUTH_CONFIG=conf))
    tap.ok(rc == 1 and re.search(r"^configuration +%s$" % re.escape(conf), out, re.M),
           "check-config reads GHAUTH_CONFIG", out)
    rc, out, _ = admin("check-config", env=dict(ENV, GITHUB_CLIENT_ID="env-id", GITHUB_CLIENT_SECRET="CANARY-x",
                                                GHAUTH_REDIRECT_URI="https://a.example/cb", GITHUB_USERS="*"))
    tap.ok(rc == 0 and re.search(r"^configuration +the environment \(no file\)$", out, re.M) and
           re.search(r"^auth\.github\.client_id +env-id$", out, re.M) and "CANARY" not in out and
           re.search(r"^who may sign in +any GitHub account \(restrict_to is \"\*\"\)$", out, re.M),
           "check-config in environment-only mode", out)
    rc, out, err = admin("-c", conf, "check-config", "extra")
    tap.is_(rc, 2, "check-config takes no argument")


def main():
    tap = Tap()
    work = ghtest.tmpdir("ghauth-admin-")
    try:
        test_usage(tap, work)
        test_empty(tap, work)
        test_records(tap, work)
        test_reorganize(tap, work)
        test_damage(tap, work)
        test_lock(tap, work)
        test_owner(tap, work)
        test_symlink(tap, work)
        test_check_config(tap, work)
    finally:
        ghtest.cleanup(work)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
