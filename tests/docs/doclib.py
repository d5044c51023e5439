"""doclib.py - helpers shared by the tests in tests/docs/.

Reads the source tree ($abs_top_srcdir, else two levels up from here): C
string literals from lib/*.c, sections and code spans of the Markdown docs,
and man pages rendered by mandoc(1) to plain text.  Prints TAP.
"""

import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("abs_top_srcdir") or os.path.normpath(os.path.join(HERE, "..", ".."))
BUILD = os.environ.get("abs_top_builddir") or SRC
PROGRAMS = ("github", "callback", "session", "logout")

sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from ghtest import Tap  # noqa: E402,F401  (the one TAP helper)


def read(rel):
    with open(os.path.join(SRC, rel), encoding="utf-8") as f:
        return f.read()


def lib_sources():
    """The library's C files (lib/LAYER/*.c) and tools/admin.c, the
    operations of ghauth-admin, which log through the library."""
    out = ["tools/admin.c"]
    for top, _dirs, files in os.walk(os.path.join(SRC, "lib")):
        rel = os.path.relpath(top, SRC)
        out += [os.path.join(rel, n) for n in files if n.endswith(".c")]
    return sorted(out)


_C_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0"}


def c_unescape(s):
    return re.sub(r"\\(.)", lambda m: _C_ESCAPES.get(m.group(1), m.group(1)), s)


# One or more adjacent C string literals (C concatenates them).
LITERALS = r'((?:"(?:[^"\\\n]|\\.)*"\s*)+)'


def join_literals(s):
    return "".join(c_unescape(x) for x in re.findall(r'"((?:[^"\\\n]|\\.)*)"', s))


def strip_c_comments(src):
    return re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), src, flags=re.S)


def calls(src, func):
    """(line, format) for every call func("literal" ...) in C source src."""
    out = []
    code = strip_c_comments(src)
    for m in re.finditer(r"\b" + re.escape(func) + r"\(\s*" + LITERALS, code):
        out.append((code.count("\n", 0, m.start()) + 1, join_literals(m.group(1))))
    return out


CONV = re.compile(r"%%|%[-+ #0]*\d*(?:\.\d+)?(?:hh|h|ll|l|z|j|t|L)?[diouxXcsfgeEp]")


def format_regex(fmt):
    """A printf format as a regex: each conversion matches any text."""
    parts, pos = [], 0
    for m in CONV.finditer(fmt):
        parts.append(re.escape(fmt[pos:m.start()]))
        parts.append("%" if m.group(0) == "%%" else ".+?")
        pos = m.end()
    parts.append(re.escape(fmt[pos:]))
    return "".join(parts)


def code_spans(md):
    """Inline code spans of a Markdown text (single backticks)."""
    md = re.sub(r"^```.*?^```", "", md, flags=re.S | re.M)
    return [s.strip() for s in re.findall(r"`([^`\n]+)`", md)]


def sections(md, level):
    """{heading text: body} for the headings of the given level."""
    out = {}
    marks = "#" * level
    cur, body = None, []
    in_code = False
    for line in md.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        m = None if in_code else re.match(r"^(#{1,6}) (.*)$", line)
        if m and len(m.group(1)) <= level:
            if cur is not None:
                out[cur] = "\n".join(body)
            cur, body = (m.group(2).strip(), []) if len(m.group(1)) == level else (None, [])
            continue
        if cur is not None:
            body.append(line)
    if cur is not None:
        out[cur] = "\n".join(body)
    return out


def squash(s):
    return re.sub(r"\s+", " ", s).strip()


def mandoc():
    return shutil.which("mandoc")


def render_man(rel):
    """The man page rendered to plain ASCII text (no overstrike, no wrapping)."""
    r = subprocess.run([mandoc(), "-Tascii", "-Owidth=1000", os.path.join(SRC, rel)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    return re.sub(r".\x08", "", r.stdout.decode("utf-8", "replace"))


def man_section(text, name):
    """One section (e.g. DIAGNOSTICS) of a rendered page, whitespace squashed."""
    m = re.search(r"^%s\n(.*?)(?=^[A-Z][A-Z ]+\n|\Z)" % re.escape(name), text, flags=re.S | re.M)
    return squash(m.group(1)) if m else ""
