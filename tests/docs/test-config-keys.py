#!/usr/bin/env python3
"""Every configuration key and variable read in lib/config/config.c is documented.

From lib/config/config.c: the keys (the rows of keys[], the whole schema), their
environment variables (and fn() with a literal name), the ranges and
defaults of the numbers, the default URLs, and every error format given to
fail().  Checked against docs/CONFIG.md (a "### `key`"
section holding the range and default, each error as a code span) and the
rendered ghauth.json(5) page.
"""

import os
import re
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

    # ---- keys: the rows of keys[] ---------------------------------------------
    rows = re.findall(r"\{\s*\"([\w.]+)\"\s*,\s*(?:NULL|\"(\w+)\")\s*,\s*GHAUTHP_CT_(\w+)\s*,"
                      r"\s*(?:F\(\w+\)|0)\s*,\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(NULL|[^,{}]+?)\s*,\s*[\w|]+\s*\}",
                      src)
    tap.ok(len(rows) >= 17, "lib/config/config.c: %d rows of keys[] found" % len(rows))
    for key, _, _, _, _, _ in rows:
        tap.ok("`%s`" % key in secs, "%s: %s has a ### `%s` section" % (key, CONF, key))
        if have_mandoc:
            tap.ok(word(man, key), "%s: documented in %s" % (key, MAN))
        else:
            tap.skip("%s: documented in %s" % (key, MAN), "mandoc not installed")

    # ---- ranges and defaults ----------------------------------------------------
    for key, _, ctype, lo, hi, default in rows:
        body = secs.get("`%s`" % key, "")
        dflt = re.fullmatch(r"\"([^\"]*)\"", default)
        if ctype == "LONG":
            # CONFIG.md: "Range: <lo> to <hi>" and "Default: <n>" in the key's section.
            got = re.search(r"Range: (\d+) to (\d+)\b", body)
            tap.ok(got and got.groups() == (lo, hi),
                   "%s: %s gives the range %s to %s" % (key, CONF, lo, hi),
                   "found: %s" % (got.group(0) if got else "no \"Range: <lo> to <hi>\""))
            got = re.search(r"Default: (\d+)\b", body)
            tap.ok(dflt and got and got.group(1) == dflt.group(1),
                   "%s: %s gives the default %s" % (key, CONF, default),
                   "found: %s" % (got.group(0) if got else "no \"Default: <n>\""))
            # ghauth.json(5): "from <lo> to <hi>; the default is <n>" after the key.
            if have_mandoc:
                mm = re.search(re.escape(key) + r"\b.*?from (\d+) to (\d+); the default is (\d+)", man)
                tap.ok(mm and dflt and mm.groups() == (lo, hi, dflt.group(1)),
                       "%s: %s gives the range %s to %s and the default %s" %
                       (key, MAN, lo, hi, default), mm.group(0)[-80:] if mm else None)
        elif dflt and dflt.group(1).startswith("https://"):
            tap.ok(dflt.group(1) in body, "%s: %s gives the default %s" % (key, CONF, dflt.group(1)))
            if have_mandoc:
                tap.ok(dflt.group(1) in man, "%s: %s gives the default %s" % (key, MAN, dflt.group(1)))

    # ---- environment variables -----------------------------------------------
    env = set(v for _, v, _, _, _, _ in rows if v)
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
