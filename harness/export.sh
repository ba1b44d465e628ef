#!/usr/bin/env bash
# Export the work tree's commits back into the tracked patch files:
#   export.sh series     baseline..series -> series/ (cover letter kept)
#   export.sh baseline   base..baseline   -> base/
# The cover letter's text comes from the series branch description, which
# base.sh fills from series/0000-cover-letter.patch; edit either.
. "$(dirname "$0")/lib.sh"

export_series() {
	local n desc
	n=$(git_tree rev-list --count baseline..series)
	[ "$n" -gt 0 ] || die "no commits on series above baseline"
	desc=$(git_tree config branch.series.description || true)
	[ -n "$desc" ] || warn "series has no description: the cover letter will be a template"
	rm -f "$WB_ROOT"/series/[0-9][0-9][0-9][0-9]-*.patch
	format_series "$WB_TREE" "$WB_ROOT/series"
	# The branch head moved: what base.sh applied is now what is exported.
	git_tree rev-parse series >"$WB_BUILD/.series.head"
	say "exported $n patches and the cover letter to series/"
}

export_baseline() {
	rm -f "$WB_ROOT"/base/[0-9][0-9][0-9][0-9]-*.patch
	git_tree format-patch -q --no-signature --zero-commit -o "$WB_ROOT/base" base..baseline
	cat "$(baseline_patches)" | sha256sum | cut -d' ' -f1 >"$WB_BUILD/.baseline.sum"
	say "exported the baseline to base/"
}

case ${1:-series} in
series)   export_series ;;
baseline) export_baseline ;;
*)        die "usage: export.sh [series|baseline]" ;;
esac
