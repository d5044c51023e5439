#!/bin/sh
# The installed header is the documented C API and nothing else
# (issue 13): the ghauth_ functions that libghauth.a exports, the ones
# lib/ghauth.h declares and the ones ghauth_identify(3) lists in NAME and
# SYNOPSIS are the same set.  The header compiles on its own (C99,
# -pedantic -Wall -Wextra -Werror, nothing but its own directory on the
# include path), the man page's prototypes agree with it, every ghauth_
# type it defines is named in the man page, and the C examples of the man
# page, docs/PROTECT.md and docs/examples/ compile against it alone.
# Prints TAP.
src="${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}"
build="${abs_top_builddir:-$src}"
cc="${GHAUTH_CC:-${CC:-cc}}"
hdr="$src/lib/ghauth.h"
man="$src/docs/man/ghauth_identify.3"
lib="$build/lib/libghauth.a"
cflags="-std=c99 -pedantic -Wall -Wextra -Werror"
t=$(mktemp -d "${TMPDIR:-/tmp}/ghauth-api.XXXXXX") || exit 1
trap 'rm -rf "$t"' EXIT
. "$src/tests/lib/tap.sh"
# Compiles $1 (a C file) with only the installed header's directory.
compile() {
	$cc $cflags -I"$t/inc" -c -o "$t/out.o" "$1" >"$t/cc.log" 2>&1
	r=$?
	[ $r = 0 ] || sed 's/^/# /' "$t/cc.log"
	return $r
}

mkdir "$t/inc" && cp "$hdr" "$t/inc/ghauth.h" || exit 1
printf '#include <ghauth.h>\n#include <ghauth.h>\n' >"$t/alone.c"
compile "$t/alone.c"
check $? "ghauth.h compiles alone, twice ($cflags)"

# The four sets of function names, one name a line, sorted.
$cc -E -P -I"$t/inc" "$t/alone.c" >"$t/pp" 2>"$t/cc.log"
check $? "ghauth.h preprocesses"
grep -o 'ghauth_[A-Za-z0-9_]*[[:space:]]*(' "$t/pp" |
    sed 's/[[:space:]]*($//' | sort -u >"$t/header"
sed -n '/^\.Sh NAME/,/^\.Sh /s/^\.Nm \([A-Za-z0-9_]*\).*/\1/p' "$man" |
    sort -u >"$t/name"
sed -n '/^\.Sh SYNOPSIS/,/^\.Sh /s/^\.F[no] \([A-Za-z0-9_]*\).*/\1/p' "$man" |
    sort -u >"$t/synopsis"
if [ -f "$lib" ]; then
	nm -g --defined-only "$lib" >"$t/nm"
	check $? "nm -g --defined-only lib/libghauth.a"
else
	: >"$t/nm"
	check 1 "lib/libghauth.a is built"
fi
awk 'NF == 3 && $3 ~ /^ghauth_/ { print $3 }' "$t/nm" | sort -u >"$t/archive"
# Each set must be read at all: an empty or broken parse would agree.
for s in header name synopsis archive; do
	grep -qx ghauth_identify "$t/$s" && grep -qx ghauth_deny "$t/$s"
	check $? "$s: $(wc -l <"$t/$s") functions read, ghauth_identify and ghauth_deny among them"
done
# Every name in any set is in all four.
sort -u "$t/header" "$t/name" "$t/synopsis" "$t/archive" >"$t/all"
while read -r f; do
	missing=
	grep -qx "$f" "$t/archive" || missing="$missing, not exported by libghauth.a"
	grep -qx "$f" "$t/header" || missing="$missing, not declared in lib/ghauth.h"
	grep -qx "$f" "$t/name" || missing="$missing, not in ghauth_identify(3) NAME"
	grep -qx "$f" "$t/synopsis" || missing="$missing, not in ghauth_identify(3) SYNOPSIS"
	[ -z "$missing" ]
	check $? "$f:$(echo "${missing:-, exported, declared and documented}" | cut -c2-)"
done <"$t/all"

# The man page's prototypes, as C, agree with the header's.
sed -n '/^\.Sh SYNOPSIS/,/^\.Sh /p' "$man" | awk '
function q(s) { sub(/^"/, "", s); sub(/"$/, "", s); return s }
/^\.Ft / { ret = substr($0, 5); next }
/^\.Fn / {
	line = substr($0, 5); name = line; sub(/ .*/, "", name)
	args = ""; rest = substr(line, length(name) + 2)
	while (match(rest, /"[^"]*"/)) {
		args = args (args == "" ? "" : ", ") q(substr(rest, RSTART, RLENGTH))
		rest = substr(rest, RSTART + RLENGTH)
	}
	printf "%s %s(%s);\n", ret, name, args == "" ? "void" : args
	next
}
/^\.Fo / { name = substr($0, 5); args = ""; next }
/^\.Fa / { args = args (args == "" ? "" : ", ") q(substr($0, 5)); next }
/^\.Fc/ { printf "%s %s(%s);\n", ret, name, args == "" ? "void" : args }
' >"$t/protos"
{ echo '#include <ghauth.h>'; cat "$t/protos"; } >"$t/synopsis.c"
[ "$(wc -l <"$t/protos")" -eq "$(wc -l <"$t/synopsis")" ] && compile "$t/synopsis.c"
check $? "ghauth_identify(3) SYNOPSIS: $(wc -l <"$t/protos") prototypes compile against ghauth.h"

# Every ghauth_ type the header defines is named in the man page.
{
	grep -o '\(struct\|enum\) ghauth_[A-Za-z0-9_]*[[:space:]]*{' "$t/pp" |
	    sed 's/[[:space:]]*{$//'
	grep -o '^typedef.*(\*ghauth_[A-Za-z0-9_]*)' "$t/pp" |
	    sed 's/.*(\*\(ghauth_[A-Za-z0-9_]*\))$/\1/'
} | sort -u >"$t/types"
grep -q 'struct ghauth_identity' "$t/types" && grep -q 'ghauth_getenv_fn' "$t/types"
check $? "ghauth.h: $(wc -l <"$t/types") types read, struct ghauth_identity and ghauth_getenv_fn among them"
while read -r ty; do

	grep -q "$ty\\b" "$man"
	check $? "$ty is named in ghauth_identify(3)"
done <"$t/types"

# The C examples, against the header alone.
sed -n '/^\.Sh EXAMPLES/,/^\.Sh /p' "$man" |
    sed -n '/^\.Bd -literal/,/^\.Ed/{/^\.[BE]d/d;s/\\e/\\/g;p;}' >"$t/man-example.c"
grep -q 'ghauth_identify(' "$t/man-example.c" && compile "$t/man-example.c"
check $? "ghauth_identify(3) EXAMPLES compiles against ghauth.h alone"
awk -v dir="$t" '
/^```c$/ { k++; f = dir "/protect-" k ".c"; inside = 1; next }
/^```$/ { inside = 0; next }
inside { print > f }
' "$src/docs/PROTECT.md"
k=0
for f in "$t"/protect-*.c; do
	[ -e "$f" ] || continue
	k=$((k + 1))
	compile "$f"
	check $? "docs/PROTECT.md: C block $k compiles against ghauth.h alone"
done
[ $k -ge 2 ]
check $? "docs/PROTECT.md: $k C blocks found (the API, whoami.c)"
for f in "$src"/docs/examples/*.c; do
	compile "$f"
	check $? "docs/examples/${f##*/} compiles against ghauth.h alone"
done

tap_done
