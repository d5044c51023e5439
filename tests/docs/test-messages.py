#!/usr/bin/env python3
"""Every user-facing message and every error-log line is documented.

- Each message of the table in lib/base/error.c has a "### `message`" section in
  docs/TROUBLESHOOTING.md (a %s detail written as <placeholder>) giving its
  HTTP status and the programs that send it; each of those programs' man
  pages lists the message under DIAGNOSTICS.
- Each ghauthp_log() format in lib/*.c matches a documented line
  `ghauth[<program>]: ...` in docs/TROUBLESHOOTING.md (conversions such as
  %s match any text), and each documented line matches some format, so a
  line removed from the code does not linger in the docs.
"""

import os
import re
import sys

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import doclib  # noqa: E402
from doclib import Tap  # noqa: E402

TS = "docs/TROUBLESHOOTING.md"
PLACEHOLDER = r"<[^<>`]+>"


def error_table():
    """[(status, name, message)] from the table in lib/base/error.c."""
    src = doclib.strip_c_comments(doclib.read("lib/base/error.c"))
    out = []
    for m in re.finditer(r"\[GHAUTH_\w+\]\s*=\s*\{\s*(\d+)\s*,\s*\"(\w+)\"\s*,\s*" +
                         doclib.LITERALS + r"\}", src):
        out.append((int(m.group(1)), m.group(2), doclib.join_literals(m.group(3))))
    return out


def main():
    tap = Tap()
    md = doclib.read(TS)
    secs = doclib.sections(md, 3)

    # ---- user-facing messages ------------------------------------------
    table = error_table()
    tap.ok(len(table) >= 20, "lib/base/error.c: the message table was parsed (%d entries)" % len(table))
    seen = set()
    have_mandoc = doclib.mandoc() is not None
    rendered = {}
    for status, name, msg in table:
        if status < 400 or msg in seen:
            continue
        seen.add(msg)
        head_re = re.compile("^`" + re.escape(msg).replace("%s", PLACEHOLDER) + "`$")
        heads = [h for h in secs if head_re.match(h)]
        if not tap.ok(len(heads) == 1, "%s: \"%s\" has a section in %s" % (name, msg, TS),
                      "expected a heading: ### `%s` (%%s written as <placeholder>)" % msg):
            continue
        body = secs[heads[0]]
        st = re.search(r"\*\*Status:\*\*\s*(\d{3})", body)
        tap.ok(st and int(st.group(1)) == status,
               "%s: %s gives status %d" % (name, TS, status),
               "found: %s" % (st.group(0) if st else "no **Status:** line"))
        pm = re.search(r"\*\*Programs:\*\*([^\n]*)", body)
        progs = re.findall(r"`([a-z][a-z-]*)`", pm.group(1)) if pm else []
        tap.ok(progs and all(os.path.exists(os.path.join(doclib.SRC, "docs/man/ghauth-%s.8" % p))
                             for p in progs),
               "%s: %s names the programs that send it (each with a man page)" % (name, TS),
               "found: %r" % (pm.group(0) if pm else None))
        tap.ok("**Cause:**" in body and "**Fix:**" in body,
               "%s: %s gives cause and fix" % (name, TS))
        want = re.compile(re.escape(msg).replace("%s", ".+?"))
        for p in progs:
            page = "docs/man/ghauth-%s.8" % p
            if not have_mandoc:
                tap.skip("%s: in %s DIAGNOSTICS" % (name, page), "mandoc not installed")
                continue
            if page not in rendered:
                rendered[page] = doclib.man_section(doclib.render_man(page), "DIAGNOSTICS")
            tap.ok(want.search(rendered[page]),
                   "%s: \"%s\" is in %s DIAGNOSTICS" % (name, msg, page))

    # ---- error-log lines --------------------------------------------------
    documented = []
    for span in doclib.code_spans(md):
        m = re.match(r"^ghauth\[([^\]]+)\]: (.+)$", span)
        if m:
            documented.append((m.group(1), m.group(2)))
    tap.ok(len(documented) >= 40, "%s: %d documented log lines found" % (TS, len(documented)))
    formats = []
    for rel in doclib.lib_sources():
        for line, fmt in doclib.calls(doclib.read(rel), "ghauthp_log"):
            formats.append((rel, line, fmt))
    tap.ok(len(formats) >= 40, "lib/*.c: %d ghauthp_log() formats found" % len(formats))
    used = set()
    for rel, line, fmt in formats:
        rx = re.compile(doclib.format_regex(fmt), re.S)
        hits = [i for i, (_, text) in enumerate(documented) if rx.fullmatch(text)]
        used.update(hits)
        tap.ok(hits, "%s:%d: log line \"%s\" is documented in %s" % (rel, line, fmt, TS),
               "write it as `ghauth[<program>]: ...` with <placeholders> for %s etc.")
    for i, (prog, text) in enumerate(documented):
        if i in used:
            continue
        tap.ok(False, "%s: documented log line \"%s\" matches a ghauthp_log() format" % (TS, text),
               "no format in lib/*.c produces it: update or remove it")
    bad = [p for p, _ in documented if p != "<program>" and not re.fullmatch(r"[a-z][a-z-]*", p)]
    tap.ok(not bad, "%s: log lines name a program (or <program>)" % TS, bad)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
