#!/usr/bin/env python3
"""Every configuration key and variable read in lib/config.c is documented.

From lib/config.c: the keys (get_string/get_long/get_bool calls and
json_object_get with a literal name, under the root, auth or auth.github
object), the environment variables (env_get/fn with a literal name), the
ranges and defaults of the numbers, the default URLs, and every error
format given to fail().  Checked against docs/CONFIG.md (a "### `key`"
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
PREFIX = {"root": "", "auth": "auth.", "gh": "auth.github."}


def word(text, w):
    return re.search(r"(?<![\w.$])" + re.escape(w) + r"(?![\w])", text) is not None


def main():
    tap = Tap()
    src = doclib.strip_c_comments(doclib.read("lib/config.c"))
    conf = doclib.read(CONF)
    secs = doclib.sections(conf, 3)
    spans = doclib.code_spans(conf)
    have_mandoc = doclib.mandoc() is not None
    man = doclib.squash(doclib.render_man(MAN)) if have_mandoc else ""
    diag = doclib.man_section(doclib.render_man(MAN), "DIAGNOSTICS") if have_mandoc else ""

    # ---- keys ---------------------------------------------------------------
    keys, unknown = {}, []
    for m in re.finditer(r"\bget_(?:string|long|bool)\(\s*&?e\s*,\s*(\w+)\s*,\s*\"(\w+)\"", src):
        keys.setdefault(PREFIX.get(m.group(1), "?") + m.group(2), m.group(1))
    for m in re.finditer(r"\bjson_object_get\(\s*(\w+)\s*,\s*\"(\w+)\"\s*\)", src):
        keys.setdefault(PREFIX.get(m.group(1), "?") + m.group(2), m.group(1))
    unknown = [k for k in keys if k.startswith("?")]
    tap.ok(not unknown, "lib/config.c: every key is read from root, auth or auth.github", unknown)
    tap.ok(len(keys) >= 15, "lib/config.c: %d keys found" % len(keys))
    for k in sorted(keys):
        if k.startswith("?"):
            continue
        tap.ok("`%s`" % k in secs, "%s: %s has a ### `%s` section" % (k, CONF, k))
        if have_mandoc:
            tap.ok(word(man, k), "%s: documented in %s" % (k, MAN))
        else:
            tap.skip("%s: documented in %s" % (k, MAN), "mandoc not installed")

    # ---- ranges and defaults ----------------------------------------------------
    field_key = {}
    for m in re.finditer(r"\bget_(?:string|long|bool)\(\s*&?e\s*,\s*(\w+)\s*,\s*\"(\w+)\"[^;]*?&c->(\w+)\s*\)", src, re.S):
        field_key[m.group(3)] = PREFIX.get(m.group(1), "?") + m.group(2)
    dm = re.search(r"\ndefaults\([^)]*\)\s*\{(.*?)\n\}", src, re.S)
    defaults = dict(re.findall(r"c->(\w+)\s*=\s*(\d+)\s*;", dm.group(1))) if dm else {}
    tap.ok(len(defaults) >= 5, "lib/config.c: defaults() parsed (%d values)" % len(defaults))
    for m in re.finditer(r"\bget_long\(\s*&?e\s*,\s*(\w+)\s*,\s*\"(\w+)\"\s*,\s*\"[\w.]+\"\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*&c->(\w+)\s*\)", src):
        key = PREFIX.get(m.group(1), "?") + m.group(2)
        lo, hi, field = m.group(3), m.group(4), m.group(5)
        body = secs.get("`%s`" % key, "")
        # CONFIG.md: "Range: <lo> to <hi>" and "Default: <n>" in the key's section.
        got = re.search(r"Range: (\d+) to (\d+)\b", body)
        tap.ok(got and got.groups() == (lo, hi),
               "%s: %s gives the range %s to %s" % (key, CONF, lo, hi),
               "found: %s" % (got.group(0) if got else "no \"Range: <lo> to <hi>\""))
        # ghauth.json(5): "from <lo> to <hi>; the default is <n>" after the key.
        mm = re.search(re.escape(key) + r"\b.*?from (\d+) to (\d+); the default is (\d+)", man)
        if field in defaults:
            got = re.search(r"Default: (\d+)\b", body)
            tap.ok(got and got.group(1) == defaults[field],
                   "%s: %s gives the default %s" % (key, CONF, defaults[field]),
                   "found: %s" % (got.group(0) if got else "no \"Default: <n>\""))
        if have_mandoc:
            tap.ok(mm and mm.groups() == (lo, hi, defaults.get(field, mm.group(3))),
                   "%s: %s gives the range %s to %s and the default %s" %
                   (key, MAN, lo, hi, defaults.get(field)), mm.group(0)[-80:] if mm else None)
    for field, url in re.findall(r"\(c->(\w+)\s*=\s*ghauthp_strdup\(\"(https://[^\"]+)\"\)\)", src):
        key = field_key.get(field, field)
        tap.ok(url in secs.get("`%s`" % key, ""), "%s: %s gives the default %s" % (key, CONF, url))
        if have_mandoc:
            tap.ok(url in man, "%s: %s gives the default %s" % (key, MAN, url))

    # ---- environment variables -----------------------------------------------
    env = set(re.findall(r"\benv_get\(\s*&?e\s*,\s*\"(\w+)\"\s*\)", src))
    env |= set(re.findall(r"\bfn\(\s*ctx\s*,\s*\"(\w+)\"\s*\)", src))
    tap.ok(len(env) >= 6, "lib/config.c: %d environment variables found" % len(env))
    for v in sorted(env):
        tap.ok(v in spans, "%s: documented in %s" % (v, CONF))
        if have_mandoc:
            tap.ok(word(man, v), "%s: documented in %s" % (v, MAN))

    # ---- error messages -----------------------------------------------------------
    fails = [(src.count("\n", 0, m.start()) + 1, doclib.join_literals(m.group(1)))
             for m in re.finditer(r"\bfail\(\s*&?e\s*,\s*GHAUTH_E_CONFIG\s*,\s*" + doclib.LITERALS, src)]
    tap.ok(len(fails) >= 15, "lib/config.c: %d configuration errors found" % len(fails))
    for line, fmt in fails:
        rx = re.compile(doclib.format_regex(fmt))
        tap.ok(any(rx.fullmatch(s) for s in spans),
               "lib/config.c:%d: error \"%s\" is in %s" % (line, fmt, CONF),
               "write it as a code span, with <placeholders> for %s etc.")
        if have_mandoc:
            tap.ok(rx.search(diag), "lib/config.c:%d: error \"%s\" is in %s DIAGNOSTICS" % (line, fmt, MAN))
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
