# shellcheck shell=bash
# Shared helpers for the workbench scripts; sourced, never run.

set -euo pipefail

WB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WB_BUILD=${WB_BUILD:-$WB_ROOT/build}
# The kernel git work tree: base -> baseline -> series. LINUX_TREE points
# the workbench at a tree of one's own instead.
WB_TREE=${LINUX_TREE:-$WB_BUILD/linux}
WB_OUT=$WB_BUILD/out
# The vfio selftests and their library, as the followup branch has them:
# its selftest patches are the series' plus the follow-up's cases.
# export_selftests_src copies them out of the work tree, which builds
# check out at other commits meanwhile. With LINUX_TREE, that tree's own.
WB_SELFTESTS_SRC=$WB_BUILD/selftests-src
[ -n "${LINUX_TREE:-}" ] && WB_SELFTESTS_SRC=$WB_TREE
# The library that guest programs such as bench/msix-bench.c are built with
# (harness/tools-build.sh).
VFIO_LIB_DIR=${VFIO_LIB_DIR:-$WB_SELFTESTS_SRC/tools/testing/selftests/vfio/lib}
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

# run_step NAME LOG CMD...: run a long step quietly, print its time (and
# where it is every WB_TICK seconds, 60 by default), and on
# failure print the log's tail and where the whole log is.
run_step() {
	local name=$1 log=$2 t0 rc=0
	shift 2
	t0=$(date +%s)
	say "$name (log: ${log#"$WB_ROOT"/})"
	# A heartbeat, so that a long build shows where it is.
	( while sleep "${WB_TICK:-60}"; do
		say "  ... $name: $(($(date +%s) - t0))s, at: $(tail -n 1 "$log" 2>/dev/null | cut -c1-70)"
	done ) &
	local ticker=$!
	"$@" >"$log" 2>&1 || rc=$?
	# Its sleep too, or a caller reading this output waits for it. SIGPIPE,
	# which bash does not report as "Terminated".
	# Either may find it gone already.
	{ pkill -PIPE -P "$ticker" sleep; kill "$ticker"; } 2>/dev/null || true
	wait "$ticker" 2>/dev/null || true
	if [ "$rc" -ne 0 ]; then
		tail -n 25 "$log" >&2
		die "$name failed (exit $rc) after $(($(date +%s) - t0))s; full log: $log"
	fi
	say "$name: done in $(($(date +%s) - t0))s"
}

# The kernels of the workbench, by name, and the commit each builds:
# stock (Debian's 6.12), baseline (pre-dynamic vfio-pci), series (the
# dynamic MSI-X series on the baseline), followup (the follow-up series on
# stock).
kernel_rev() {
	case $1 in
	stock)    echo base ;;
	baseline) echo baseline ;;
	series)   echo series ;;
	followup) echo followup ;;
	*)        die "unknown kernel '$1' (stock, baseline, series or followup)" ;;
	esac
}

# WB_ARCH (x86 by default, or arm64): the architecture that the guest
# programs (tools-build.sh, selftests-build.sh) are built for. arm64's are
# cross-built with Debian's gcc-aarch64-linux-gnu into build/arm64, which
# the arm64 guest sees as build/ (guest/init).
# ARM64_BUILD holds them, and the arm64 guest's root and initramfs;
# ARM64_CROSS is the cross toolchain's prefix (kernels and programs).
ARM64_BUILD=$WB_BUILD/arm64
ARM64_CROSS=aarch64-linux-gnu-
WB_ARCH=${WB_ARCH:-x86}
case $WB_ARCH in
x86)   WB_ARCH_BUILD=$WB_BUILD WB_CROSS= ;;
arm64) WB_ARCH_BUILD=$ARM64_BUILD WB_CROSS=$ARM64_CROSS ;;
*)     die "unknown WB_ARCH '$WB_ARCH' (x86 or arm64)" ;;
esac

# The two patch series of the project, by name. Each lives in its own
# directory (WB_ROOT/NAME, cover letter included), is a branch NAME of the
# work tree, and applies with git am to its base: the series to the
# baseline, the follow-up to stock (tag base).
SERIES_NAMES="series followup"
series_base() {
	case $1 in
	series)   echo baseline ;;
	followup) echo base ;;
	*)        die "unknown series '$1' ($SERIES_NAMES)" ;;
	esac
}

# kernel_out NAME VARIANT: the output directory of one build. It sits
# directly inside the source tree because Kbuild then names sources by
# relative paths (srctree := ..), so ccache hits across output
# directories, kernels and fresh clones alike. build/out/NAME-VARIANT
# links to it.
kernel_out() { echo "$WB_TREE/out-$1-$2"; }

# series_patches [DIR]: the patch files of DIR (series/ by default), in
# order, the cover letter left out.
series_patches() { ls "${1:-$WB_ROOT/series}"/[0-9][0-9][0-9][0-9]-*.patch 2>/dev/null | grep -v '/0000-[^/]*$' || true; }
baseline_patches() { ls "$WB_ROOT"/base/[0-9][0-9][0-9][0-9]-*.patch; }

# as_root CMD...: CMD as root, through password-less sudo when not root.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
		sudo "$@"
	else
		die "this step needs root: run as root or with password-less sudo (to run: $*)"
	fi
}

# The mirror this machine already uses for bookworm itself.
debian_mirror() {
	apt-cache policy 2>/dev/null |
		awk '$3 == "bookworm/main" && $2 ~ /^[a-z]+:/ { print $2; exit }'
}

git_tree() { git -C "$WB_TREE" -c user.name=workbench -c user.email=workbench@localhost "$@"; }

# export_selftests_src: WB_SELFTESTS_SRC = tools/ of the followup branch
# (and what its Makefiles include), unless it is current already.
export_selftests_src() {
	local rev
	[ -z "${LINUX_TREE:-}" ] || return 0
	rev=$(git_tree rev-parse followup:tools) || return 1
	[ "$(cat "$WB_SELFTESTS_SRC/.rev" 2>/dev/null)" = "$rev" ] && return 0
	rm -rf "$WB_SELFTESTS_SRC" && mkdir -p "$WB_SELFTESTS_SRC" &&
		git_tree archive followup tools scripts/subarch.include Makefile |
		tar -x -C "$WB_SELFTESTS_SRC" &&
		echo "$rev" >"$WB_SELFTESTS_SRC/.rev"
}

# --- the pinned base -------------------------------------------------------

# base_deb [VERSION]: where apt-get download puts the package (the pinned
# version by default).
base_deb() { local v=${1:-$DEB_VERSION}; echo "$WB_BUILD/dl/${DEB_PACKAGE}_${v/:/%3a}_all.deb"; }

# verify_deb FILE [SHA256]: FILE must have the pinned sha256, or SHA256.
verify_deb() {
	local sum want=${2:-$DEB_SHA256}
	sum=$(sha256sum "$1" | cut -d' ' -f1)
	[ "$sum" = "$want" ] || {
		printf 'error: %s has sha256 %s, expected %s; refusing it\n' "$1" "$sum" "$want" >&2
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

# extract_base DIR [VERSION [PATH...]]: the package's source (the pinned
# version by default) as a git repo, one commit tagged base. With PATHs,
# only those files; a PATH that VERSION lacks is left out, so that a patch
# applied on top fails where it needs it.
extract_base() {
	local dir=$1 version=${2:-$DEB_VERSION} top err st=0
	shift "$(($# < 2 ? $# : 2))"
	top=$(basename "$DEB_TARBALL" .tar.xz)  # the tarball's top-level directory
	err=$(mktemp)
	mkdir -p "$dir"
	dpkg-deb --fsys-tarfile "$(base_deb "$version")" | tar -xO "./$DEB_TARBALL" | xz -dc -T0 |
		tar -x -C "$dir" --strip-components=1 "${@/#/$top/}" 2>"$err" || st="${PIPESTATUS[*]}"
	cat "$err" >&2
	# Forgiven: only PATHs missing from a stream that xz found intact.
	if [ "$st" != 0 ] && { [ $# -eq 0 ] || [ "$st" != "0 0 0 2" ] ||
		grep -qv -e ': Not found in archive$' -e '^tar: Exiting with failure status' "$err"; }; then
		rm -f "$err"
		return 1
	fi
	rm -f "$err"
	git -C "$dir" init -q -b base-branch
	git -C "$dir" config core.autocrlf false
	git -C "$dir" config gc.auto 0
	git -C "$dir" add -A -f  # Debian's .gitignore ignores the whole top level
	# Empty when the patches only create files.
	GIT_AUTHOR_DATE=$FIXED_DATE git_fixed -C "$dir" commit -q --allow-empty \
		-m "Debian linux-source-6.12 $version"
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

# Each series' revision, as posted: bump it, and add a "Changes since"
# entry to its cover letter, whenever a patch changes.
SERIES_REVISION=6
FOLLOWUP_REVISION=4
series_revision() {
	case $1 in
	series)   echo "$SERIES_REVISION" ;;
	followup) echo "$FOLLOWUP_REVISION" ;;
	*)        die "unknown series '$1' ($SERIES_NAMES)" ;;
	esac
}

# hygiene_inputs NAME: a digest of everything NAME's hygiene check reads:
# its patches (the baseline's too), the pinned base, the work tree's
# commits it checks (base.sh makes them the same on every machine), the
# configs, the scripts that check, and the versions of the tools they
# run. hygiene.sh records it in NAME/hygiene-passed when every check
# passes; tests/run.sh then skips the check while the digest holds.
hygiene_inputs() {
	{
		cat "$WB_ROOT/$1"/[0-9]*.patch "$WB_ROOT"/base/[0-9]*.patch "$WB_ROOT/base/linux-source.conf" \
			"$WB_ROOT"/configs/*.config "$WB_ROOT"/harness/{hygiene,kbuild,lib,tap}.sh
		git_tree rev-parse base "$(series_base "$1")" "$1"
		git --version
		gcc --version | head -n 1
		"${ARM64_CROSS}gcc" --version | head -n 1
		ld --version | head -n 1
		clang --version | head -n 1
		ld.lld --version
		sparse --version
		codespell --version
		perl -e 'print "perl $^V\n"'
		/usr/bin/python3 --version
	} 2>&1 | sha256sum | cut -d' ' -f1
}
# hygiene_current NAME: NAME's hygiene passed with what it reads now.
hygiene_current() {
	[ "$(sed -n 's/^inputs: //p' "$WB_ROOT/$1/hygiene-passed" 2>/dev/null)" = "$(hygiene_inputs "$1")" ]
}

# format_series REPO OUTDIR [NAME]: a series (default: the series) as
# patch files, the way the project keeps them: cover letter from the
# branch description, base-commit of its base, the cover signed by the
# series' author (not whoever runs it).
format_series() {
	local repo=$1 out=$2 series=${3:-series} base name email prefix=PATCH
	base=$(series_base "$series")
	name=$(git -C "$repo" log -1 --format=%an "$series")
	email=$(git -C "$repo" log -1 --format=%ae "$series")
	# A first posting carries no revision.
	[ "$(series_revision "$series")" = 1 ] || prefix="PATCH v$(series_revision "$series")"
	git -C "$repo" -c user.name="$name" -c user.email="$email" format-patch -q \
		--cover-letter --cover-from-description=subject --base="$base" \
		--subject-prefix="$prefix" \
		--no-signature --zero-commit -o "$out" "$base..$series"
}
