# shellcheck shell=bash
# Shared helpers for the workbench scripts; sourced, never run.

set -euo pipefail

WB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WB_BUILD=${WB_BUILD:-$WB_ROOT/build}
# The kernel git work tree: base -> baseline -> series. LINUX_TREE points
# the workbench at a tree of one's own instead.
WB_TREE=${LINUX_TREE:-$WB_BUILD/linux}
WB_OUT=$WB_BUILD/out
WB_LOGS=$WB_BUILD/logs
WB_JOBS=${WB_JOBS:-$(nproc)}
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
mkdir -p "$WB_BUILD" "$WB_OUT" "$WB_LOGS"

# shellcheck source=base/linux-source.conf
. "$WB_ROOT/base/linux-source.conf"

say()  { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

# run_step NAME LOG CMD...: run a long step quietly, print its time, and on
# failure print the log's tail and where the whole log is.
run_step() {
	local name=$1 log=$2 t0 rc=0
	shift 2
	t0=$(date +%s)
	say "$name (log: ${log#"$WB_ROOT"/})"
	# A heartbeat, so that a long build shows where it is.
	( while sleep 60; do
		say "  ... $name: $(($(date +%s) - t0))s, at: $(tail -n 1 "$log" 2>/dev/null | cut -c1-70)"
	done ) &
	local ticker=$!
	"$@" >"$log" 2>&1 || rc=$?
	kill "$ticker" 2>/dev/null; wait "$ticker" 2>/dev/null || true
	if [ "$rc" -ne 0 ]; then
		tail -n 25 "$log" >&2
		die "$name failed (exit $rc) after $(($(date +%s) - t0))s; full log: $log"
	fi
	say "$name: done in $(($(date +%s) - t0))s"
}

# The three kernels of the workbench, by name, and the commit each builds.
kernel_rev() {
	case $1 in
	stock)    echo base ;;
	baseline) echo baseline ;;
	series)   echo series ;;
	*)        die "unknown kernel '$1' (stock, baseline or series)" ;;
	esac
}

# Source tree to build kernel NAME from: the work tree itself for the
# series, a git worktree checked out at the tag for the others.
kernel_src() {
	if [ "$1" = series ]; then
		echo "$WB_TREE"
	else
		echo "$WB_BUILD/src-$1"
	fi
}

# kernel_out NAME VARIANT: the output directory of one build.
kernel_out() { echo "$WB_OUT/$1-$2"; }

series_patches() { ls "$WB_ROOT"/series/[0-9][0-9][0-9][0-9]-*.patch 2>/dev/null | grep -v '/0000-' || true; }
baseline_patches() { ls "$WB_ROOT"/base/[0-9][0-9][0-9][0-9]-*.patch; }

git_tree() { git -C "$WB_TREE" -c user.name=workbench -c user.email=workbench@localhost "$@"; }
