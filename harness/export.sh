#!/usr/bin/env bash
# Export the work tree's commits back into the tracked patch files:
#   export.sh [series]   baseline..series -> series/ (cover letter kept)
#   export.sh followup   base..followup   -> followup/ (cover letter kept)
#   export.sh baseline   base..baseline   -> base/
#   export.sh mainline-msi | mainline-vfio | mainline-rfc   SERIES_BASE..NAME
#                        of the 7.3 tree -> mainline/pci-msi/, vfio/, vfio-rfc/
# A cover letter's text comes from its branch's description, which
# base.sh fills from NAME/0000-cover-letter.patch; edit either.
. "$(dirname "$0")/lib.sh"

export_series() { # export_series NAME
	local name=$1 base n desc dir
	base=$(series_base "$name")
	dir=$(series_dir "$name")
	n=$(git_tree rev-list --count "$base..$name")
	[ "$n" -gt 0 ] || die "no commits on $name above $base"
	desc=$(git_tree config "branch.$name.description" || true)
	[ -n "$desc" ] || warn "$name has no description: the cover letter will be a template"
	mkdir -p "$dir"
	rm -f "$dir"/[0-9][0-9][0-9][0-9]-*.patch
	format_series "$WB_TREE" "$dir" "$name"
	# The branch head moved: what base.sh applied is now what is exported.
	git_tree rev-parse "$name" >"$WB_BUILD/.$name.head"
	say "exported $n patches and the cover letter to ${dir#"$WB_ROOT"/}/"
}

export_baseline() {
	rm -f "$WB_ROOT"/base/[0-9][0-9][0-9][0-9]-*.patch
	git_tree format-patch -q --no-signature --zero-commit -o "$WB_ROOT/base" base..baseline
	cat "$(baseline_patches)" | sha256sum | cut -d' ' -f1 >"$WB_BUILD/.baseline.sum"
	say "exported the baseline to base/"
}

case ${1:-series} in
baseline) export_baseline ;;
*)
	on_line_of_series "${1:-series}" "$0" "$@"
	export_series "${1:-series}"
	;;
esac
