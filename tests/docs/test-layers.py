#!/usr/bin/env python3
"""libghauth.a keeps the layers that docs/HACKING.md draws, and the
programs are the rows its table says.

The table of docs/HACKING.md ("## The layers") lists lib's folders, lowest
first.  Checked here against the source tree and the built archive:
every folder of lib/ with C files is in the table and every row is a
folder; every C file of the library is in one of them; and, from the
archive's symbols (nm), no object calls a function defined in a higher
layer, and no two objects call each other, directly or round a circle.
The table under "## The programs" is checked against each main()'s row
(struct ghauthp_program): name, handler and its file, method, error style,
and whether it names the FastCGI loop.
Prints TAP.
"""

import collections
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import doclib  # noqa: E402
from doclib import Tap  # noqa: E402

DOC = "docs/HACKING.md"
BUILD = os.environ.get("abs_top_builddir") or doclib.SRC
ARCHIVE = os.path.join(BUILD, "lib", "libghauth.a")


def layers(md):
    """{folder: rank} from the table under "## The layers"."""
    part = md.split("## The layers", 1)[-1].split("\n## ", 1)[0]
    out = {}
    for m in re.finditer(r"^\| *(\d+) *\| *`(lib/[a-z_]+)/` *\|", part, re.M):
        out[m.group(2)] = int(m.group(1))
    return out


PROG_ROW = re.compile(
    r"^\| [^|]+ \| `cgi-bin/([a-z-]+)\.c` \| `(\w+)` \(`(lib/[a-z_]+/[a-z_]+\.c)`\) \| "
    r"(GET|POST|any) \| (page|JSON|deny) \| (yes|no) \|$", re.M)
ERRORS = {"page": "GHAUTHP_ERRORS_PAGE", "JSON": "GHAUTHP_ERRORS_JSON", "deny": "GHAUTHP_ERRORS_DENY"}


def check_programs(tap, md):
    """Each row of the programs table against its main()'s struct."""
    part = md.split("## The programs", 1)[-1].split("\n## ", 1)[0]
    rows = PROG_ROW.findall(part)
    mains = sorted(f[:-2] for f in os.listdir(os.path.join(doclib.SRC, "cgi-bin"))
                   if f.endswith(".c"))
    tap.ok(sorted(r[0] for r in rows) == mains,
           "%s: the programs table has a row for each of cgi-bin/*.c (%d)" % (DOC, len(mains)),
           "rows: %s; mains: %s" % (sorted(r[0] for r in rows), mains))
    for name, handler, src, method, errors, fcgi in rows:
        text = doclib.strip_c_comments(doclib.read("cgi-bin/%s.c" % name))
        m = re.search(r"struct ghauthp_program program = \{(.*?)\};", text, re.S)
        fields = [f.strip() for f in m.group(1).split(",")] if m else []
        want = ['"%s"' % name, handler,
                "GHAUTHP_METHOD_%s" % ("NONE" if method == "any" else method),
                '"%s"' % method if method != "any" else "NULL", ERRORS[errors]]
        got_fcgi = fields[-1] if fields else None
        tap.ok(fields[:5] == want and "ghauthp_main(&program)" in text and
               got_fcgi == ("ghauthp_fastcgi_loop" if fcgi == "yes" else "NULL"),
               "cgi-bin/%s.c: its row is the table's (%s, %s, %s errors, FastCGI %s)"
               % (name, handler, method, errors, fcgi), "row: %s" % fields)
        defined = re.search(r"^%s\(" % re.escape(handler), doclib.read(src), re.M)
        tap.ok(defined is not None, "%s is defined in %s" % (handler, src))


def archive_graph():
    """({object: {symbols it uses}}, {symbol: object defining it})."""
    r = subprocess.run(["nm", "-A", ARCHIVE], capture_output=True, text=True)
    uses, defs = collections.defaultdict(set), {}
    for line in r.stdout.splitlines():
        m = re.match(r"[^:]*:([^:]+)\.o:\s*(?:[0-9a-f]+)?\s+([A-Za-z])\s+(\S+)$", line)
        if not m:
            continue
        obj, kind, sym = m.groups()
        obj = re.sub(r"^libghauth_a-", "", obj)
        if kind == "U":
            uses[obj].add(sym)
        elif kind in "TDBR":
            defs[sym] = obj
    return r.returncode, uses, defs


def cycles(graph):
    """The strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main():
    tap = Tap()
    md = doclib.read(DOC)
    check_programs(tap, md)
    rank = layers(md)
    tap.ok(len(rank) >= 5 and sorted(rank.values()) == list(range(1, len(rank) + 1)),
           "%s: the layer table lists %d folders, ranked 1..%d" % (DOC, len(rank), len(rank)),
           rank)

    lib = os.path.join(doclib.SRC, "lib")
    where = {}  # object name (file name without .c) -> folder
    stray, folders = [], set()
    for top, _dirs, files in os.walk(lib):
        rel = os.path.relpath(top, doclib.SRC)
        for n in files:
            if not n.endswith(".c"):
                continue
            if top == lib:
                stray.append(os.path.join(rel, n))
                continue
            folders.add(rel)
            where.setdefault(n[:-2], []).append(rel)
    tap.ok(not stray, "no C file at the top of lib/ (each belongs to a layer)", stray)
    tap.ok(folders == set(rank),
           "the table's folders are lib's folders with C files",
           "only in lib/: %s; only in the table: %s"
           % (sorted(folders - set(rank)), sorted(set(rank) - folders)))
    dup = {k: v for k, v in where.items() if len(v) > 1}
    tap.ok(not dup, "file names are unique across lib/ (the archive names objects by them)", dup)

    if not os.path.exists(ARCHIVE):
        tap.ok(False, "lib/libghauth.a is built (%s)" % ARCHIVE)
        return tap.done()
    rc, uses, defs = archive_graph()
    objs = set(defs.values()) | set(uses)
    tap.ok(rc == 0 and len(objs) >= 30,
           "nm reads lib/libghauth.a: %d objects, %d functions and data" % (len(objs), len(defs)))
    unknown = sorted(o for o in objs if o not in where)
    tap.ok(not unknown, "every object of the archive comes from a C file under lib/", unknown)

    def folder(o):
        return where.get(o, ["?"])[0]

    graph = collections.defaultdict(set)
    up = []
    for obj, syms in sorted(uses.items()):
        for s in sorted(syms):
            d = defs.get(s)
            if d is None or d == obj:
                continue
            graph[obj].add(d)
            if rank.get(folder(d), 0) > rank.get(folder(obj), 0):
                up.append("%s/%s.c calls %s in %s/%s.c" % (folder(obj), obj, s, folder(d), d))
    edges = sum(len(v) for v in graph.values())
    tap.ok(edges >= 50, "calls between the archive's objects read: %d" % edges)
    tap.ok(not up, "no file calls a layer above its own", "\n".join(up))
    circ = cycles(graph)
    tap.ok(not circ, "no two files call each other, directly or round a circle",
           "; ".join(" <-> ".join(c) for c in circ))
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
