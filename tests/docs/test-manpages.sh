#!/bin/sh
# Every man page that "make install" installs (the *_MANS variables of the
# build's Makefile) passes "mandoc -Tlint -Wwarning" with no output at all
# (warnings and errors; style notes are not counted), and renders with the
# sections the project's pages have.  Every page in docs/man renders under
# "groff -ww -z -mandoc" without a warning.  Pages in docs/man/ that are not
# installed yet are only listed as a note.  Prints TAP.
src="${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}"
build="${abs_top_builddir:-$src}"
mine="ghauth.json.5 ghauth-github.8 ghauth-callback.8 ghauth-session.8 ghauth-auth.8 ghauth-logout.8"
if ! command -v mandoc >/dev/null 2>&1; then
	echo "1..0 # SKIP mandoc is not installed"
	exit 0
fi
. "$src/tests/lib/tap.sh"
# The installed pages: every [dist_|nodist_]man[N]_MANS variable as automake
# wrote it in the build's Makefile (continuation lines joined).
installed=
if [ -f "$build/Makefile" ]; then
	installed=$(sed -n '/^\(dist_\|nodist_\)\{0,1\}man[0-9]\{0,1\}_MANS = /{
:more
/\\$/{
N
b more
}
s/^[a-z_0-9]*_MANS = //
s/\\\n/ /g
p
}' "$build/Makefile" | tr -s ' \t\n' '   ')
fi
if [ -n "$installed" ]; then
	for want in $mine; do
		case " $installed " in
		*" docs/man/$want "*) r=0 ;;
		*) r=1 ;;
		esac
		check $r "docs/man/$want is installed (dist_man_MANS)"
	done
else
	echo "# no *_MANS in $build/Makefile: checking the project's own pages"
	for want in $mine; do installed="$installed docs/man/$want"; done
fi
for p in "$src"/docs/man/*.[1-9]; do
	[ -e "$p" ] || continue
	case " $installed " in
	*" docs/man/${p##*/} "*) ;;
	*) echo "# note: docs/man/${p##*/} is not installed, so not checked here" ;;
	esac
done
for rel in $installed; do
	p="$src/$rel"
	name=$rel
	[ -f "$p" ]; check $? "$name exists"
	[ -f "$p" ] || continue
	out=$(mandoc -Tlint -Wwarning "$p" 2>&1)
	[ -z "$out" ]; check $? "$name: mandoc -Tlint -Wwarning is silent"
	[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/#   /'
	text=$(mandoc -Tascii "$p" 2>/dev/null | sed 's/.\x08//g')
	missing=
	for s in NAME DESCRIPTION "SEE ALSO"; do
		printf '%s\n' "$text" | grep -qx "$s" || missing="$missing $s"
	done
	case $p in
	*/ghauth-github.8 | */ghauth-callback.8 | */ghauth-session.8 | */ghauth-auth.8 | */ghauth-logout.8)
		for s in SYNOPSIS ENVIRONMENT FILES "EXIT STATUS" DIAGNOSTICS STANDARDS; do
			printf '%s\n' "$text" | grep -qx "$s" || missing="$missing $s"
		done
		for r in 6749 7636 9700 3875 6265; do
			printf '%s\n' "$text" | grep -q "RFC $r" || missing="$missing RFC-$r"
		done ;;
	*/ghauth.json.5)
		for s in ENVIRONMENT FILES EXAMPLES DIAGNOSTICS STANDARDS; do
			printf '%s\n' "$text" | grep -qx "$s" || missing="$missing $s"
		done ;;
	esac
	[ -z "$missing" ]; check $? "$name: has its sections${missing:+ (missing:$missing)}"
done
# Every page in docs/man (installed or not) renders without a single
# warning under groff, the formatter man(1) uses on Debian: -ww turns on
# all warnings ("can't break line", "cannot adjust line", ...), which
# mandoc's lint does not report.
if command -v groff >/dev/null 2>&1; then
	for p in "$src"/docs/man/*.[1-9]; do
		[ -e "$p" ] || continue
		out=$(groff -ww -z -mandoc "$p" 2>&1)
		[ -z "$out" ]; check $? "docs/man/${p##*/}: groff -ww -z -mandoc is silent"
		[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/#   /'
	done
else
	echo "# note: groff is not installed, so pages were not rendered with it"
fi
tap_done
