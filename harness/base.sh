#!/usr/bin/env bash
# Fetch the pinned linux-source package, check its sha256, and lay out the
# kernel git work tree:
#   base      Debian's 6.12 source as shipped (the stock reference kernel)
#   baseline  base + base/*.patch (pre-dynamic vfio-pci)
#   series    baseline + series/*.patch, applied with git am (branch)
# plus git worktrees src-stock and src-baseline for side-by-side builds.
#
#   base.sh fetch     download and verify only
#   base.sh verify F  check that file F is the pinned package
#   base.sh tree      (default) everything above; keeps a tree whose series
#                     branch has unexported commits unless FORCE=1
. "$(dirname "$0")/lib.sh"

DL=$WB_BUILD/dl
DEB=$DL/${DEB_PACKAGE}_${DEB_VERSION/:/%3a}_all.deb
# Fixed identity and dates make base and baseline the same commits on every
# machine, so a series' base-commit line means something.
export GIT_AUTHOR_NAME=workbench GIT_AUTHOR_EMAIL=workbench@localhost
export GIT_COMMITTER_NAME=workbench GIT_COMMITTER_EMAIL=workbench@localhost
FIXED_DATE="2024-11-17 00:00:00 +0000"

verify_deb() {
	local sum
	sum=$(sha256sum "$1" | cut -d' ' -f1)
	[ "$sum" = "$DEB_SHA256" ] || {
		printf 'error: %s has sha256 %s, expected %s; refusing it\n' "$1" "$sum" "$DEB_SHA256" >&2
		return 1
	}
}

fetch() {
	mkdir -p "$DL"
	if [ -f "$DEB" ] && verify_deb "$DEB" 2>/dev/null; then
		return
	fi
	rm -f "$DEB"
	say "downloading $DEB_PACKAGE=$DEB_VERSION"
	(cd "$DL" && apt-get download -q "$DEB_PACKAGE=$DEB_VERSION") >"$WB_LOGS/fetch.log" 2>&1 ||
		die "apt-get download $DEB_PACKAGE=$DEB_VERSION failed (log: $WB_LOGS/fetch.log); is the version still in the archive?"
	verify_deb "$DEB" || { rm -f "$DEB"; exit 1; }
	say "verified sha256 of $(basename "$DEB")"
}

extract_base() {
	local tmp=$WB_BUILD/linux.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp"
	dpkg-deb --fsys-tarfile "$DEB" | tar -xO "./$DEB_TARBALL" | xz -dc -T0 |
		tar -x -C "$tmp" --strip-components=1
	git -C "$tmp" init -q -b base-branch
	git -C "$tmp" config core.autocrlf false
	git -C "$tmp" config gc.auto 0
	git -C "$tmp" add -A -f  # Debian's .gitignore ignores the whole top level
	GIT_AUTHOR_DATE=$FIXED_DATE GIT_COMMITTER_DATE=$FIXED_DATE \
		git -C "$tmp" commit -q -m "Debian linux-source-6.12 $DEB_VERSION"
	git -C "$tmp" tag base
	mv "$tmp" "$WB_TREE"
}

# Re-create the baseline tag from base/*.patch when they changed.
apply_baseline() {
	local stamp=$WB_BUILD/.baseline.sum sum
	sum=$(cat "$(baseline_patches)" | sha256sum | cut -d' ' -f1)
	if git_tree rev-parse -q --verify baseline >/dev/null && [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ]; then
		return
	fi
	git_tree checkout -q --detach base
	GIT_COMMITTER_DATE=$FIXED_DATE git_tree am -q --committer-date-is-author-date \
		$(baseline_patches) || die "baseline patch does not apply to base"
	git_tree tag -f baseline >/dev/null
	echo "$sum" >"$stamp"
	say "baseline: $(git_tree log --oneline -1 baseline)"
}

# Cover letter text (subject, blank line, body) of series/0000-cover-letter.patch,
# kept as the branch description so that format-patch regenerates it.
cover_to_description() {
	local cover=$WB_ROOT/series/0000-cover-letter.patch
	[ -f "$cover" ] || return 0
	awk '
		/^Subject: / && !subj { sub(/^Subject: (\[[^]]*\] )?/, ""); print; print ""; subj = 1; next }
		subj && !body && /^$/ { body = 1; next }
		body && /^[^ ].* \([0-9]+\):$/ { exit }
		body { print }
	' "$cover" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$WB_BUILD/cover.txt"
	git_tree config branch.series.description "$(cat "$WB_BUILD/cover.txt")"
}

apply_series() {
	local stamp=$WB_BUILD/.series.head
	if git_tree rev-parse -q --verify series >/dev/null; then
		if [ -n "$(git_tree status --porcelain --untracked-files=no)" ]; then
			[ "${FORCE:-0}" = 1 ] || die "$WB_TREE has uncommitted changes; commit and 'make export', or FORCE=1 to discard"
		fi
		if [ "$(git_tree rev-parse series)" != "$(cat "$stamp" 2>/dev/null)" ]; then
			[ "${FORCE:-0}" = 1 ] || die "the series branch in $WB_TREE has commits not in series/; 'make export' them first, or FORCE=1 to discard"
		fi
	fi
	git_tree checkout -q -f -B series baseline
	local patches
	patches=$(series_patches)
	if [ -n "$patches" ]; then
		# shellcheck disable=SC2086
		git_tree am -q $patches || {
			git_tree am --abort || true
			die "the series does not apply with git am on the baseline"
		}
	fi
	cover_to_description
	git_tree rev-parse series >"$stamp"
	say "series: $(git_tree rev-list --count baseline..series) patches on baseline"
}

# Worktrees for the kernels that are not the series, at their tags.
add_worktrees() {
	local k src
	for k in stock baseline; do
		src=$(kernel_src "$k")
		if [ -d "$src" ]; then
			git -C "$src" checkout -q --detach "$(kernel_rev "$k")"
		else
			git_tree worktree add -q --detach "$src" "$(kernel_rev "$k")"
		fi
	done
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
			"$WB_LOGS/extract.log" extract_base
	fi
	apply_baseline
	apply_series
	add_worktrees
	;;
*)
	die "usage: base.sh [fetch|tree]"
	;;
esac
