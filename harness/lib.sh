# shellcheck shell=bash
# Shared helpers for the workbench scripts; sourced, never run.

set -euo pipefail

WB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WB_BUILD=${WB_BUILD:-$WB_ROOT/build}
# The kernel line a script works on: 6.12 (Debian's stable kernel, the
# default) or 7.3 (mainline, from trixie-backports). Each line has its
# pinned package (base/linux-source-LINE.conf) and its own git work tree;
# every script serves both, chosen by WB_LINE or by the kernel's name
# (kernel_line).
WB_LINE=${WB_LINE:-6.12}
case $WB_LINE in
6.12) WB_LINE_TREE=$WB_BUILD/linux ;;
7.3)  WB_LINE_TREE=$WB_BUILD/linux-7.3 ;;
*)    printf 'error: unknown kernel line WB_LINE=%s (6.12 or 7.3)\n' "$WB_LINE" >&2; exit 1 ;;
esac
# The kernel git work tree: base -> baseline -> series on 6.12, base ->
# mainline on 7.3. LINUX_TREE points the workbench at a tree of one's own
# instead.
WB_TREE=${LINUX_TREE:-$WB_LINE_TREE}
WB_OUT=$WB_BUILD/out
# The vfio selftests and their library, as the series branch has them
# (its patches 16-17; the follow-up, a backport of the mainline series,
# carries none). They run on every 6.12 kernel, the follow-up's included.
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

DEB_SUITE=	# empty: the suite this machine's apt already uses
# shellcheck source=base/linux-source-6.12.conf
. "$WB_ROOT/base/linux-source-$WB_LINE.conf"

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
# stock); stock73 (Debian's 7.3, mainline v7.3.4) and mainline (the
# mainline series, PCI/MSI and vfio, on it).
KERNEL_NAMES="stock, baseline, series, followup, stock73 or mainline"
kernel_rev() {
	case $1 in
	stock | stock73) echo base ;;
	baseline) echo baseline ;;
	series)   echo series ;;
	followup) echo followup ;;
	mainline) echo mainline ;;
	*)        die "unknown kernel '$1' ($KERNEL_NAMES)" ;;
	esac
}
# kernel_line NAME: the kernel line NAME is built from.
kernel_line() {
	case $1 in
	stock73 | mainline) echo 7.3 ;;
	stock | baseline | series | followup) echo 6.12 ;;
	*)       die "unknown kernel '$1' ($KERNEL_NAMES)" ;;
	esac
}
# on_line_of_series NAME SCRIPT ARGS...: the same for a series.
on_line_of_series() {
	local line=6.12
	case $1 in mainline-*) line=7.3 ;; esac
	series_base "$1" >/dev/null
	[ "$line" = "$WB_LINE" ] || [ -n "${LINUX_TREE:-}" ] || WB_LINE=$line exec "${@:2}"
}
# on_line_of NAME SCRIPT ARGS...: a script that serves one kernel runs
# again, as SCRIPT ARGS..., on NAME's line when it was started on another.
on_line_of() {
	local line
	line=$(kernel_line "$1")
	[ "$line" = "$WB_LINE" ] || [ -n "${LINUX_TREE:-}" ] || WB_LINE=$line exec "${@:2}"
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

# The patch series of the project, by name. Each lives in its own
# directory (series_dir, cover letter included), is a branch NAME of its
# line's work tree, and applies with git am to its base. On 6.12: the
# series to the baseline, the follow-up to stock (tag base). On 7.3, the
# mainline series, posted by tree: mainline-msi (PCI/MSI) and
# mainline-vfio (vfio), each on v7.3.4 (tag base), and mainline-rfc, an
# RFC on top of mainline-vfio that the vfio series does not need; the
# mainline kernel carries all three.
case $WB_LINE in
6.12) SERIES_NAMES="series followup" ;;
7.3)  SERIES_NAMES="mainline-msi mainline-vfio mainline-rfc" ;;
esac
series_base() {
	case $1 in
	series)   echo baseline ;;
	followup | mainline-msi | mainline-vfio) echo base ;;
	mainline-rfc) echo mainline-vfio ;;
	*)        die "unknown series '$1' ($SERIES_NAMES)" ;;
	esac
}
# posting_base NAME: the commit NAME's cover letter names as its
# base-commit: its base, or for a series on top of another unmerged one,
# that one's base, with the patches below it as prerequisite-patch-id.
posting_base() {
	case $1 in
	mainline-rfc) series_base mainline-vfio ;;
	*)            series_base "$1" ;;
	esac
}
# series_dir NAME: where series NAME's patch files are.
series_dir() {
	case $1 in
	mainline-msi)  echo "$WB_ROOT/mainline/pci-msi" ;;
	mainline-vfio) echo "$WB_ROOT/mainline/vfio" ;;
	mainline-rfc)  echo "$WB_ROOT/mainline/vfio-rfc" ;;
	*)             series_base "$1" >/dev/null && echo "$WB_ROOT/$1" ;;
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

# sparse_path LINE: the sparse that LINE's hygiene runs (sparse-build.sh
# builds 7.3's); WB_SPARSE is the current line's.
sparse_path() {
	case $1 in
	7.3) echo "$WB_BUILD/tools/sparse-0.6.5-rc1/bin/sparse" ;;
	*)   echo sparse ;;
	esac
}
WB_SPARSE=$(sparse_path "$WB_LINE")

# The clang variant's LLVM= value (Kbuild's tool suffix): 7.3 needs clang
# >= 17, which bookworm has only as clang-19 (setup.sh installs it beside
# the default clang 14 that 6.12's hygiene keeps using).
case $WB_LINE in
7.3) WB_LLVM=-19 ;;
*)   WB_LLVM=1 ;;
esac
# llvm_tool NAME: NAME as the current line's clang builds call it.
llvm_tool() { [ "$WB_LLVM" = 1 ] && echo "$1" || echo "$1$WB_LLVM"; }

# apt_suite SUITE [TYPE]: APT_OPTS = apt-get options that make apt read
# SUITE (main, TYPE deb or deb-src) from a source list, package lists and
# cache of its own under build/apt-SUITE[-src]; none for an empty SUITE
# (the package comes from the machine's own suites). The machine's
# sources, lists and what apt installs stay as they were.
APT_OPTS=()
apt_suite() {
	local suite=$1 type=${2:-deb} dir mirror
	APT_OPTS=()
	[ -n "$suite" ] || return 0
	dir=$WB_BUILD/apt-$suite${type#deb}
	mirror=$(debian_mirror)
	[ -n "$mirror" ] || die "no Debian mirror in apt-cache policy to fetch $suite from"
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	echo "$type $mirror $suite main" >"$dir/sources.list"
	APT_OPTS=(-o Dir::Etc::SourceList="$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache")
}

git_tree() { git -C "$WB_TREE" -c user.name=workbench -c user.email=workbench@localhost "$@"; }

# export_selftests_src: WB_SELFTESTS_SRC = tools/ of the series branch
# (and what its Makefiles include), unless it is current already.
export_selftests_src() {
	local rev
	[ -z "${LINUX_TREE:-}" ] || return 0
	rev=$(git_tree rev-parse series:tools) || return 1
	[ "$(cat "$WB_SELFTESTS_SRC/.rev" 2>/dev/null)" = "$rev" ] && return 0
	rm -rf "$WB_SELFTESTS_SRC" && mkdir -p "$WB_SELFTESTS_SRC" &&
		git_tree archive series tools scripts/subarch.include Makefile |
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
		-m "Debian $DEB_PACKAGE $version"
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
SERIES_REVISION=8
FOLLOWUP_REVISION=9
MAINLINE_MSI_REVISION=1
MAINLINE_VFIO_REVISION=1
MAINLINE_RFC_REVISION=1
series_revision() {
	case $1 in
	series)   echo "$SERIES_REVISION" ;;
	followup) echo "$FOLLOWUP_REVISION" ;;
	mainline-msi)  echo "$MAINLINE_MSI_REVISION" ;;
	mainline-vfio) echo "$MAINLINE_VFIO_REVISION" ;;
	mainline-rfc)  echo "$MAINLINE_RFC_REVISION" ;;
	*)        die "unknown series '$1' ($SERIES_NAMES)" ;;
	esac
}

# hygiene_inputs NAME: a digest of everything NAME's hygiene check reads:
# its patches (the baseline's too), the pinned base, the trees of the work
# tree's commits it checks, the configs, the scripts that check, and the
# versions of the tools they run. hygiene.sh records it in NAME/hygiene-passed when every check
# passes; tests/run.sh then skips the check while the digest holds.
hygiene_inputs() {
	{
		cat "$(series_dir "$1")"/[0-9]*.patch "$WB_ROOT"/base/[0-9]*.patch "$WB_ROOT/base/linux-source-$WB_LINE.conf" \
			"$WB_ROOT"/configs/*.config "$WB_ROOT"/harness/{hygiene,kbuild,lib,tap}.sh
		# Trees, not commit ids: git am in base.sh stamps each commit with
		# the time it ran, so the ids differ between machines; the
		# messages are in the patches above.
		git_tree rev-parse "base^{tree}" "$(series_base "$1")^{tree}"
		git_tree log --format=%T "base..$1"
		git --version
		gcc --version | head -n 1
		"${ARM64_CROSS}gcc" --version | head -n 1
		ld --version | head -n 1
		"$(llvm_tool clang)" --version | head -n 1
		"$(llvm_tool ld.lld)" --version
		"$WB_SPARSE" --version
		[ "$WB_SPARSE" = sparse ] || sha256sum <"$WB_SPARSE"
		codespell --version
		perl -e 'print "perl $^V\n"'
		/usr/bin/python3 --version
	} 2>&1 | sha256sum | cut -d' ' -f1
}
# hygiene_current NAME: NAME's hygiene passed with what it reads now.
hygiene_current() {
	[ "$(sed -n 's/^inputs: //p' "$(series_dir "$1")/hygiene-passed" 2>/dev/null)" = "$(hygiene_inputs "$1")" ]
}

# format_series REPO OUTDIR [NAME]: a series (default: the series) as
# patch files, the way the project keeps them: cover letter from the
# branch description, base-commit of its base, the cover from the series'
# author (not whoever runs it); a mainline series is addressed as
# scripts/get_maintainer.pl says: the cover letter to everyone the series
# touches (series_recipients), each patch to those of the files it
# touches alone (patch_recipients).
format_series() {
	local repo=$1 out=$2 series=${3:-series} base name email prefix=PATCH
	local -a to=()
	base=$(series_base "$series")
	name=$(git -C "$repo" log -1 --format=%an "$series")
	email=$(git -C "$repo" log -1 --format=%ae "$series")
	[ "$series" = mainline-rfc ] && prefix="RFC PATCH"
	# A first posting carries no revision.
	[ "$(series_revision "$series")" = 1 ] || prefix="$prefix v$(series_revision "$series")"
	case $series in
	mainline-*) mapfile -t to < <(series_recipients "$repo" "$base" "$series") || return 1 ;;
	esac
	git -C "$repo" -c user.name="$name" -c user.email="$email" format-patch -q \
		--cover-letter --cover-from-description=subject --base="$(posting_base "$series")" \
		--subject-prefix="$prefix" "${to[@]}" \
		--no-signature --zero-commit -o "$out" "$base..$series" || return 1
	case $series in
	mainline-*)
		cover_cc_trailers "$repo" "$base..$series" "$out/0000-cover-letter.patch"
		# The PCI/MSI pair depend on each other: both go to everyone.
		[ "$series" = mainline-msi ] && return 0
		local p
		for p in "$out"/[0-9][0-9][0-9][0-9]-*.patch; do
			case $p in */0000-cover-letter.patch) continue ;; esac
			patch_recipients "$repo" "$p" || return 1
		done
		;;
	esac
}

# patch_recipients REPO PATCH: readdress PATCH (a file format_series
# wrote) to what REPO's scripts/get_maintainer.pl says of PATCH alone:
# its To: and Cc: headers are replaced, so that a selftest patch does not
# go to the irq maintainer, say. The cover letter keeps the whole list.
patch_recipients() {
	local to cc
	# Sorted: get_maintainer.pl's order of equals varies from run to run
	# (Perl's hash order), and the patch files must not.
	to=$(cd "$1" && perl scripts/get_maintainer.pl --no-git --no-git-fallback --roles "$2" |
		sed -E -n 's/^([^(]+) \((maintainer|supporter):.*$/\1/p' | LC_ALL=C sort -u)
	cc=$(cd "$1" && perl scripts/get_maintainer.pl --no-git --no-git-fallback --roles "$2" |
		sed -E -n '/\((maintainer|supporter):/d; s/^([^(]+) \(.*$/\1/p' | LC_ALL=C sort -u)
	awk -v to="$to" -v cc="$cc" '
	function block(key, list,   n, i, a, out) {
		n = split(list, a, "\n")
		for (i = 1; i <= n; i++)
			out = out (i == 1 ? key ": " : "    ") a[i] (i < n ? ",\n" : "")
		return out
	}
	!hdrdone && /^(To|Cc): / { skip = 1; next }
	skip && /^    / { next }
	{ skip = 0 }
	!hdrdone && /^$/ {
		if (to != "") print block("To", to)
		if (cc != "") print block("Cc", cc)
		hdrdone = 1
	}
	{ print }' "$2" >"$2.new" && mv "$2.new" "$2"
}

# cover_cc_trailers REPO RANGE COVER: the people a patch of RANGE names in
# a Cc: trailer (tglx on the swap, say) get the cover letter too: they are
# added to COVER's Cc: header, which format-patch fills from --cc only,
# unless COVER's To: or Cc: names them already. stable@ is for the patch
# that names it, not the cover.
cover_cc_trailers() {
	local cc
	cc=$(git -C "$1" log --format='%(trailers:key=Cc,valueonly)' "$2" |
		grep -v -e '^$' -e 'stable@' | sort -u)
	[ -n "$cc" ] || return 0
	awk -v cc="$cc" '
	BEGIN { n = split(cc, add, "\n") }
	!done && /^To: / { into = 1 }
	into && !/^(To: |    )/ { into = 0 }
	into { hdr = hdr $0; print; next }
	!done && /^Cc: / { incc = 1 }
	incc && !/^(Cc: |    )/ {
		for (i = 1; i <= n; i++)
			if (index(hdr, add[i]) == 0) { blk[nb] = blk[nb] ","; blk[++nb] = "    " add[i] }
		for (i = 1; i <= nb; i++) print blk[i]
		incc = 0; done = 1
	}
	incc { blk[++nb] = $0; hdr = hdr $0; next }
	{ print }' "$3" >"$3.new" && mv "$3.new" "$3"
}

# placeholder_identity NAME EMAIL: true when NAME <EMAIL> is not a
# person's: the workbench's own commit identity, an address in a domain
# reserved for examples or no mail (.example, .invalid, .test,
# .localhost, localhost, noreply), or a name with "placeholder" or
# "maintainers" in it.
placeholder_identity() {
	local n=${1,,} e=${2,,}
	case $e in
	*@localhost | *.example | *.invalid | *.test | *.localhost | *noreply* | *.example.*) return 0 ;;
	?*@?*.?*) ;;
	*) return 0 ;;
	esac
	case $n in
	*workbench* | *placeholder* | *maintainers* | '') return 0 ;;
	esac
	return 1
}

# series_recipients REPO BASE BRANCH: format-patch's --to (maintainers)
# and --cc (reviewers and lists) for the whole of BASE..BRANCH, from
# REPO's scripts/get_maintainer.pl (MAINTAINERS only, not git history).
series_recipients() {
	local repo=$1 diff
	diff=$(mktemp)
	git -C "$repo" diff "$2" "$3" >"$diff"
	(cd "$repo" && perl scripts/get_maintainer.pl --no-git --no-git-fallback --roles "$diff") |
		sed -E -n 's/^([^(]+) \((maintainer|supporter):.*$/--to=\1/p; t; s/^([^(]+) \(.*$/--cc=\1/p' |
		LC_ALL=C sort -u
	rm -f "$diff"
}
