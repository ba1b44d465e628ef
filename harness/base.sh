#!/usr/bin/env bash
# Fetch the pinned linux-source package of a kernel line (WB_LINE), check
# its sha256, and lay out that line's kernel git work tree. 6.12
# (build/linux):
#   base      Debian's 6.12 source as shipped (the stock reference kernel)
#   baseline  base + base/*.patch (pre-dynamic vfio-pci)
#   series    baseline + series/*.patch, applied with git am (branch)
#   followup  base + followup/*.patch, applied with git am (branch)
# 7.3 (build/linux-7.3):
#   base      Debian's 7.3 source as shipped (mainline v7.3.4)
#   mainline-msi, mainline-vfio   base + mainline/pci-msi/*.patch, base +
#             mainline/vfio/*.patch (branches: the two postings)
#   mainline  base + both (branch: the kernel that carries them)
# kernel.sh builds every kernel of a line from its one tree (see there why).
#
#   base.sh fetch     download and verify only
#   base.sh verify F  check that file F is the pinned package
#   base.sh tree      (default) everything above; keeps a tree whose series
#                     branches have unexported commits unless FORCE=1
. "$(dirname "$0")/lib.sh"

DEB=$(base_deb)

fetch() {
	local log=$WB_LOGS/fetch-$WB_LINE.log
	mkdir -p "$(dirname "$DEB")"
	if [ -f "$DEB" ] && verify_deb "$DEB" 2>/dev/null; then
		return
	fi
	rm -f "$DEB"
	apt_suite "$DEB_SUITE"
	if [ -n "$DEB_SUITE" ]; then
		say "reading $DEB_SUITE's package list (into build/apt-$DEB_SUITE)"
		# apt-get update exits 0 when it cannot reach a source: the
		# package's absence below says that it failed.
		apt-get "${APT_OPTS[@]}" update -q >"$log" 2>&1 || true
		apt-cache "${APT_OPTS[@]}" show "$DEB_PACKAGE=$DEB_VERSION" >/dev/null 2>>"$log" ||
			die "cannot read $DEB_PACKAGE=$DEB_VERSION from $DEB_SUITE: the archive is unreachable or no longer serves it (log: $log)"
	fi
	say "downloading $DEB_PACKAGE=$DEB_VERSION"
	(cd "$(dirname "$DEB")" && apt-get "${APT_OPTS[@]}" download -q "$DEB_PACKAGE=$DEB_VERSION") >>"$log" 2>&1 ||
		die "apt-get download $DEB_PACKAGE=$DEB_VERSION failed (log: $log); is the archive reachable, and the version still in it?"
	verify_deb "$DEB" || { rm -f "$DEB"; exit 1; }
	say "verified sha256 of $(basename "$DEB")"
}

extract_into_tree() {
	local tmp=$WB_TREE.tmp
	rm -rf "$tmp"
	extract_base "$tmp"
	mv "$tmp" "$WB_TREE"
}

# Re-create the baseline tag from base/*.patch when they changed.
apply_baseline() {
	local stamp=$WB_BUILD/.baseline.sum sum
	sum=$(cat "$(baseline_patches)" | sha256sum | cut -d' ' -f1)
	if git_tree rev-parse -q --verify baseline >/dev/null && [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ]; then
		return
	fi
	git_tree checkout -q -f --detach base
	am_fixed "$WB_TREE" $(baseline_patches) || die "baseline patch does not apply to base"
	git_tree tag -f baseline >/dev/null
	echo "$sum" >"$stamp"
	say "baseline: $(git_tree log --oneline -1 baseline)"
}

# The cover letter text of series NAME, kept as its branch description so
# that format-patch --cover-from-description regenerates it.
cover_to_description() {
	local cover
	cover=$(series_dir "$1")/0000-cover-letter.patch
	[ -f "$cover" ] || return 0
	git_tree config "branch.$1.description" "$(cover_text "$cover")"
}

# apply_series NAME: branch NAME = its base + NAME/*.patch, unless the
# branch holds work not yet exported.
apply_series() {
	local name=$1 stamp=$WB_BUILD/.$1.head base patches
	base=$(series_base "$name")
	if git_tree rev-parse -q --verify "$name" >/dev/null; then
		if [ -n "$(git_tree status --porcelain --untracked-files=no)" ]; then
			[ "${FORCE:-0}" = 1 ] || die "$WB_TREE has uncommitted changes; commit and 'make export', or FORCE=1 to discard"
		fi
		if [ "$(git_tree rev-parse "$name")" != "$(cat "$stamp" 2>/dev/null)" ]; then
			[ "${FORCE:-0}" = 1 ] || die "the $name branch in $WB_TREE has commits not in $name/; 'make export' them first, or FORCE=1 to discard"
		fi
	fi
	git_tree checkout -q -f -B "$name" "$base"
	patches=$(series_patches "$(series_dir "$name")")
	if [ -n "$patches" ]; then
		# shellcheck disable=SC2086
		git_tree am -q $patches || {
			git_tree am --abort || true
			die "$name/ does not apply with git am on $base"
		}
	fi
	cover_to_description "$name"
	git_tree rev-parse "$name" >"$stamp"
	say "$name: $(git_tree rev-list --count "$base..$name") patches on $base"
}

# apply_mainline: branch mainline = base + the PCI/MSI patch + the vfio
# series (mainline/pci-msi, mainline/vfio): the kernel that carries both,
# as a tree that has merged them would.
apply_mainline() {
	local s patches
	git_tree checkout -q -f -B mainline base
	for s in $SERIES_NAMES; do
		patches=$(series_patches "$(series_dir "$s")")
		[ -n "$patches" ] || continue
		# shellcheck disable=SC2086
		git_tree am -q $patches || {
			git_tree am --abort || true
			die "$(series_dir "$s") does not apply with git am on the mainline branch"
		}
	done
	say "mainline: $(git_tree rev-list --count base..mainline) patches on base"
}

case ${1:-tree} in
fetch)
	fetch
	;;
verify)
	verify_deb "${2:?usage: base.sh verify FILE}"
	;;
tree)
	if [ -n "${LINUX_TREE:-}" ]; then
		say "using LINUX_TREE=$LINUX_TREE as it is"
		exit 0
	fi
	fetch
	if [ ! -d "$WB_TREE/.git" ]; then
		run_step "extracting $DEB_PACKAGE $DEB_VERSION into a git work tree" \
			"$WB_LOGS/extract.log" extract_into_tree
	fi
	case $WB_LINE in
	6.12)
		apply_baseline
		apply_series followup
		apply_series series	# last: the branch checked out, which make builds as it is
		;;
	7.3)
		for s in $SERIES_NAMES; do apply_series "$s"; done
		apply_mainline	# last: the branch checked out
		;;
	esac
	;;
*)
	die "usage: base.sh [fetch|tree]"
	;;
esac
