# tap.sh - TAP for the shell tests (sourced; POSIX sh).
#   check STATUS DESCRIPTION   "ok N - ..." when STATUS is 0, else "not ok"
#   tap_done                   prints the plan (1..N) and exits 1 if any
#                              check failed
# The plan comes last, so a script that dies early has no plan and fails.
n=0
fail=0
check() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fail=1
	fi
}
tap_done() {
	echo "1..$n"
	exit $fail
}
