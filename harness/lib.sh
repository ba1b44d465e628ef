# shellcheck shell=bash
# Shared helpers for the workbench scripts; sourced, never run.

set -euo pipefail

WB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WB_BUILD=${WB_BUILD:-$WB_ROOT/build}
# The kernel git work tree: base -> baseline -> series. LINUX_TREE points
# the workbench at a tree of one's own instead.
WB_TREE=${LINUX_TREE:-$WB_BUILD/linux}
WB_OUT=$WB_BUILD/out
# The vfio selftest library of the series, which guest programs such as
# bench/msix-bench.c are built with (harness/tools-build.sh).
VFIO_LIB_DIR=${VFIO_LIB_DIR:-$WB_TREE/tools/testing/selftests/vfio/lib}
WB_LOGS=$WB_BUILD/logs
WB_JOBS=${WB_JOBS:-$(nproc)}
# ccache's own default directory; without HOME (a CI runner may leave it
# unset), build/.cache/ccache.
export CCACHE_DIR=${CCACHE_DIR:-${HOME:-$WB_BUILD}/.cache/ccache}
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

# kernel_out NAME VARIANT: the output directory of one build. It sits
# directly inside the source tree because Kbuild then names sources by
# relative paths (srctree := ..), so ccache hits across output
# directories, kernels and fresh clones alike. build/out/NAME-VARIANT
# links to it.
kernel_out() { echo "$WB_TREE/out-$1-$2"; }

series_patches() { ls "$WB_ROOT"/series/[0-9][0-9][0-9][0-9]-*.patch 2>/dev/null | grep -v '/0000-' || true; }
baseline_patches() { ls "$WB_ROOT"/base/[0-9][0-9][0-9][0-9]-*.patch; }

git_tree() { git -C "$WB_TREE" -c user.name=workbench -c user.email=workbench@localhost "$@"; }

# --- the pinned base -------------------------------------------------------

base_deb() { echo "$WB_BUILD/dl/${DEB_PACKAGE}_${DEB_VERSION/:/%3a}_all.deb"; }

verify_deb() {
	local sum
	sum=$(sha256sum "$1" | cut -d' ' -f1)
	[ "$sum" = "$DEB_SHA256" ] || {
		printf 'error: %s has sha256 %s, expected %s; refusing it\n' "$1" "$sum" "$DEB_SHA256" >&2
		return 1
	}
}

# Fixed identity and dates make base and baseline the same commits on every
# machine, so a series' base-commit line means something.
FIXED_DATE="2024-11-17 00:00:00 +0000"
git_fixed() {
	GIT_AUTHOR_NAME=workbench GIT_AUTHOR_EMAIL=workbench@localhost \
	GIT_COMMITTER_NAME=workbench GIT_COMMITTER_EMAIL=workbench@localhost \
	GIT_COMMITTER_DATE=$FIXED_DATE git "$@"
}

# extract_base DIR: the package's source as a git repo, one commit tagged base.
extract_base() {
	local dir=$1
	mkdir -p "$dir"
	dpkg-deb --fsys-tarfile "$(base_deb)" | tar -xO "./$DEB_TARBALL" | xz -dc -T0 |
		tar -x -C "$dir" --strip-components=1
	git -C "$dir" init -q -b base-branch
	git -C "$dir" config core.autocrlf false
	git -C "$dir" config gc.auto 0
	git -C "$dir" add -A -f  # Debian's .gitignore ignores the whole top level
	GIT_AUTHOR_DATE=$FIXED_DATE git_fixed -C "$dir" commit -q \
		-m "Debian linux-source-6.12 $DEB_VERSION"
	git -C "$dir" tag base
}

# am_fixed DIR PATCH...: git am with the fixed committer.
am_fixed() {
	local dir=$1
	shift
	git_fixed -C "$dir" am -q --committer-date-is-author-date "$@"
}

# cover_text COVER: subject, blank line and body of a cover letter, the
# form git format-patch --cover-from-description=subject takes back.
cover_text() {
	awk '
		hdr && /^$/ { hdr = 0; body = 1; print subj; print ""; next }
		hdr && /^Subject: / { subj = $0; sub(/^Subject: (\[[^]]*\] )?/, "", subj); insubj = 1; next }
		hdr && insubj && /^[ \t]/ { s = $0; sub(/^[ \t]+/, "", s); subj = subj " " s; next }
		hdr { insubj = 0; next }
		body && /^[^ ].* \([0-9]+\):$/ { exit }
		body { print }
		BEGIN { hdr = 1 }
	' "$1" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}

# The series' revision, as posted: bump it, and add a "Changes since" entry
# to the cover letter, whenever a patch changes.
SERIES_REVISION=4

# format_series REPO OUTDIR: the series as patch files, the way the project
# keeps them: cover letter from the branch description, base-commit of the
# baseline, the cover signed by the series' author (not whoever runs it).
format_series() {
	local repo=$1 out=$2 name email
	name=$(git -C "$repo" log -1 --format=%an series)
	email=$(git -C "$repo" log -1 --format=%ae series)
	git -C "$repo" -c user.name="$name" -c user.email="$email" format-patch -q \
		--cover-letter --cover-from-description=subject --base=baseline \
		--subject-prefix="PATCH v$SERIES_REVISION" \
		--no-signature --zero-commit -o "$out" baseline..series
}
