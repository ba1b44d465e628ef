# shellcheck shell=bash
# TAP output (sourced), shared by the host's test scripts and the guest's:
# numbered "ok"/"not ok" lines, with the failures counted in tap_failed.
tap_n=0 tap_failed=0

tap_plan() { echo "TAP version 13"; echo "1..$1"; }

# tap_result ok|fail DESCRIPTION [DETAILS-FILE]: one TAP line; a failure's
# details (the first 40 lines of the file) follow as TAP comments.
tap_result() {
	tap_n=$((tap_n + 1))
	if [ "$1" = ok ]; then
		echo "ok $tap_n - ${2:-}"
	else
		echo "not ok $tap_n - ${2:-}"
		tap_failed=$((tap_failed + 1))
		# head first: a sed cut off by head would fail under pipefail.
		if [ -s "${3:-}" ]; then head -n 40 "$3" | sed 's/^/#   /'; fi
	fi
	return 0
}

# tap_check DESCRIPTION CMD...: one TAP line from CMD's exit status.
tap_check() {
	local desc=$1
	shift
	if "$@"; then tap_result ok "$desc"; else tap_result fail "$desc"; fi
}

tap_skip() { tap_result ok "$1 # SKIP ${2:-}"; }

# tap_end: the plan, after the results (for a count not known up front).
tap_end() { echo "1..$tap_n"; }
