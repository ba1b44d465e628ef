#!/usr/bin/env bash
# `make cold-check`: what CI costs on a new machine. Clones HEAD of this
# repository into a fresh directory and runs `.ci/run` there with CI=true
# and an empty ccache of its own (packages already installed are kept:
# harness/setup.sh's own time is measured by `make demo` on a new
# machine). Prints the closing line, the wall time and the time of each
# kernel build, tree and suite queue from the run's log, which it keeps.
#
#   cold-run.sh [DIR]   default DIR: build/cold-run (removed first)
#
# COLD_DEMO=1 (`make cold-check DEMO=1`) runs `make demo` in the same clone
# first, as a newcomer following the README would, and times both.
#
# Run it on an idle machine: anything beside it shows in the figures.
. "$(dirname "$0")/../harness/lib.sh"
set +e

D=${1:-$WB_BUILD/cold-run}
case $D in /*) ;; *) D=$PWD/$D ;; esac
rm -rf "$D"
mkdir -p "$D"
git clone -q "$WB_ROOT" "$D/repo" || die "cannot clone $WB_ROOT into $D/repo"
say "cold run of $(git -C "$D/repo" log -1 --format='%h %s') in $D (log: $D/run.log)"
if [ "${COLD_DEMO:-0}" = 1 ]; then
	t0=$(date +%s)
	(cd "$D/repo" && CCACHE_DIR="$D/ccache" make demo </dev/null) >"$D/demo.log" 2>&1
	demo_rc=$?
	echo "make demo: exit $demo_rc after $(($(date +%s) - t0))s (log: $D/demo.log)"
	grep -E '^==> (building .*: done in|extracting .*work tree: done in)' "$D/demo.log" |
		sed -E 's/ \([0-9a-f]{7} [^)]*\)//; s/ \(log: [^)]*\)//'
fi
t0=$(date +%s)
(cd "$D/repo" && CI=true CCACHE_DIR="$D/ccache" bash .ci/run) >"$D/run.log" 2>&1
rc=$?
t=$(($(date +%s) - t0))

echo "exit $rc after ${t}s ($((t / 60)) min)"
grep -E '^==> (building .*: done in|extracting .*work tree: done in|archive check took|bench .*took)' "$D/run.log" |
	sed -E 's/ \([0-9a-f]{7} [^)]*\)//; s/ \(log: [^)]*\)//'
grep -E '^[0-9]+ passed, [0-9]+ failed' "$D/run.log" | tail -n 1
# A failed demo fails the sequence, whatever .ci/run did after it.
[ "${demo_rc:-0}" = 0 ] || exit "$demo_rc"
exit "$rc"
