#!/usr/bin/env python3
"""docs/SECURITY.md points at tests that exist and say what it claims.

Every promise (a numbered item) names at least one test; every path under
tests/ that it names exists in the source tree; and every quoted test
description in a bullet naming one test file occurs in that file.
"""

import os
import re
import sys

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import doclib  # noqa: E402
from doclib import Tap  # noqa: E402

DOC = "docs/SECURITY.md"


def main():
    tap = Tap()
    md = doclib.read(DOC)
    body = md.split("## Promises and the tests behind them", 1)
    tap.ok(len(body) == 2, "%s has a promises section" % DOC)
    body = body[-1]

    # Promises: "N. **...**" up to the next promise or heading.
    promises = re.split(r"^(?=\d+\. \*\*|#)", body, flags=re.M)
    promises = [p for p in promises if re.match(r"\d+\. \*\*", p)]
    tap.ok(len(promises) >= 10, "%s: %d promises found" % (DOC, len(promises)))
    for p in promises:
        num = p.split(".", 1)[0]
        tap.ok(re.search(r"`tests/[^`]+`", p), "promise %s names a test" % num)

    # Bullets: "- `tests/...`: "description", ..." with continuation lines.
    items, cur = [], None
    for line in body.splitlines():
        if re.match(r"^\s*- ", line):
            cur = [line]
            items.append(cur)
        elif cur is not None and line.startswith("    ") and line.strip():
            cur.append(line)
        else:
            cur = None
    npaths = nquotes = 0
    for item in items:
        text = " ".join(x.strip() for x in item)
        paths = re.findall(r"`(tests/[^`]+)`", text)
        for path in paths:
            npaths += 1
            tap.ok(os.path.exists(os.path.join(doclib.SRC, path)), "%s exists" % path)
        quotes = re.findall(r"\"([^\"]+)\"", text)
        if not quotes:
            continue
        files = [x for x in paths if os.path.isfile(os.path.join(doclib.SRC, x))]
        if not tap.ok(len(files) == 1, "quoted descriptions follow one test file: %s" % text[:60]):
            continue
        src = doclib.read(files[0])
        for q in quotes:
            nquotes += 1
            tap.ok(q in src, "%s: test \"%s\"" % (files[0], q),
                   "no such text in %s: update %s" % (files[0], DOC))
    tap.ok(npaths >= 30 and nquotes >= 20,
           "%s: %d test paths and %d test descriptions checked" % (DOC, npaths, nquotes))
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
