#!/usr/bin/env python3
"""Every configuration key and variable ghauth reads is documented.

The keys come from the schema itself: tests/tools/schema prints the rows of
keys[] in lib/config/config.c (path, environment variable, type, range,
default) as the library returns them.  From the source: the variables read
by name with fn(ctx, "NAME"), and every error format given to fail().
Checked against docs/CONFIG.md (a "### `key`" section holding the range and
default, each error as a code span) and the rendered ghauth.json(5) page.
"""

import json
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import doclib  # noqa: E402
from doclib import Tap  # noqa: E402

CONF = "docs/CONFIG.md"
MAN = "docs/man/ghauth.json.5"


def word(text, w):
    return re.search(r"(?<![\w.$])" + re.escape(w) + r"(?![\w])", text) is not None


def main():
    tap = Tap()
    src = doclib.strip_c_comments(doclib.read("lib/config/config.c"))
    conf = doclib.read(CONF)
    secs = doclib.sections(conf, 3)
    spans = doclib.code_spans(conf)
    have_mandoc = doclib.mandoc() is not None
    man = doclib.squash(doclib.render_man(MAN)) if have_mandoc else ""
    diag = doclib.man_section(doclib.render_man(MAN), "DIAGNOSTICS") if have_mandoc else ""

    # ---- keys: the rows of keys[], from the library -----------------------------
    tool = os.path.join(doclib.BUILD, "tests", "tools", "schema")
    out = subprocess.run([tool], capture_output=True, text=True)
    rows = [json.loads(line) for line in out.stdout.splitlines()] if out.returncode == 0 else []
    tap.ok(out.returncode == 0 and len(rows) >= 17,
           "tests/tools/schema: %d rows of keys[]" % len(rows), out.stderr)
    for row in rows:
        key = row["path"]
        tap.ok("`%s`" % key in secs, "%s: %s has a ### `%s` section" % (key, CONF, key))
        if have_mandoc:
            tap.ok(word(man, key), "%s: documented in %s" % (key, MAN))
        else:
            tap.skip("%s: documented in %s" % (key, MAN), "mandoc not installed")

    # ---- ranges and defaults ----------------------------------------------------
    for row in rows:
        key, dflt = row["path"], row["default"]
        lo, hi = str(row["min"]), str(row["max"])
        body = secs.get("`%s`" % key, "")
        if row["type"] == "long":
            # CONFIG.md: "Range: <lo> to <hi>" and "Default: <n>" in the key's section.
            got = re.search(r"Range: (\d+) to (\d+)\b", body)
            tap.ok(got and got.groups() == (lo, hi),
                   "%s: %s gives the range %s to %s" % (key, CONF, lo, hi),
                   "found: %s" % (got.group(0) if got else "no \"Range: <lo> to <hi>\""))
            got = re.search(r"Default: (\d+)\b", body)
            tap.ok(dflt is not None and got and got.group(1) == dflt,
                   "%s: %s gives the default %s" % (key, CONF, dflt),
                   "found: %s" % (got.group(0) if got else "no \"Default: <n>\""))
            # ghauth.json(5): "from <lo> to <hi>; the default is <n>" after the key.
            if have_mandoc:
                mm = re.search(re.escape(key) + r"\b.*?from (\d+) to (\d+); the default is (\d+)", man)
                tap.ok(mm and mm.groups() == (lo, hi, dflt),
                       "%s: %s gives the range %s to %s and the default %s" %
                       (key, MAN, lo, hi, dflt), mm.group(0)[-80:] if mm else None)
        elif dflt and dflt.startswith("https://"):
            tap.ok(dflt in body, "%s: %s gives the default %s" % (key, CONF, dflt))
            if have_mandoc:
                tap.ok(dflt in man, "%s: %s gives the default %s" % (key, MAN, dflt))

    # ---- environment variables -----------------------------------------------
    env = set(row["env"] for row in rows if row["env"])
    env |= set(re.findall(r"\bfn\(\s*ctx\s*,\s*\"(\w+)\"\s*\)", src))
    tap.ok(len(env) >= 6, "lib/config/config.c: %d environment variables found" % len(env))
    for v in sorted(env):
        tap.ok(v in spans, "%s: documented in %s" % (v, CONF))
        if have_mandoc:
            tap.ok(word(man, v), "%s: documented in %s" % (v, MAN))

    # ---- error messages -----------------------------------------------------------
    fails = [(src.count("\n", 0, m.start()) + 1, doclib.join_literals(m.group(1)))
             for m in re.finditer(r"\bfail\(\s*&?e\s*,\s*GHAUTH_E_CONFIG\s*,\s*" + doclib.LITERALS, src)]
    tap.ok(len(fails) >= 15, "lib/config/config.c: %d configuration errors found" % len(fails))
    for line, fmt in fails:
        rx = re.compile(doclib.format_regex(fmt))
        tap.ok(any(rx.fullmatch(s) for s in spans),
               "lib/config/config.c:%d: error \"%s\" is in %s" % (line, fmt, CONF),
               "write it as a code span, with <placeholders> for %s etc.")
        if have_mandoc:
            tap.ok(rx.search(diag), "lib/config/config.c:%d: error \"%s\" is in %s DIAGNOSTICS" % (line, fmt, MAN))
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
