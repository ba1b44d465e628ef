#!/usr/bin/env bash
# Check that a directory of patches applies with git am to every version of
# the base package (linux-source-6.12) that apt's archive serves now, not
# just to the pinned one. Per version: download it into build/dl/, check
# its sha256 against apt's own metadata, extract only the files that the
# patches name, and git am the patches on them.
#
#   archive-check.sh PATCHDIR   NNNN-*.patch files (0000-cover-letter.patch skipped)
#
# One TAP line per version, then the table, also written as markdown to
# build/results/archive-check.md. Exits non-zero when a version fails to
# verify or to apply.
# shellcheck source=harness/lib.sh disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck source=harness/tap.sh disable=SC1091
. "$WB_ROOT/harness/tap.sh"

[ $# -eq 1 ] || die "usage: archive-check.sh PATCHDIR"
[ -d "$1" ] || die "$1: no such directory"
# Absolute, because git -C would read relative patch paths from elsewhere.
PATCHDIR=$(cd "$1" && pwd)
mapfile -t patches < <(series_patches "$PATCHDIR")
[ ${#patches[@]} -gt 0 ] || die "no NNNN-*.patch files (besides a cover letter) in $1"

# Both sides of every diff: the files patched, and those created, so that a
# file a patch creates but a version already has makes the patch fail, as
# it would on the whole tree. Paths a version lacks are left out.
mapfile -t paths < <(sed -n 's|^diff --git a/\(.*\) b/\(.*\)$|\1\n\2|p' "${patches[@]}" | sort -u)
# No paths would make extract_base extract the whole tree.
[ ${#paths[@]} -gt 0 ] || die "no 'diff --git' lines in the patches of $1"

versions() { apt-cache madison "$DEB_PACKAGE" | awk -F' *[|] *' '!seen[$2]++ { print $2 }'; }
mapfile -t vers < <(versions)
if [ ${#vers[@]} -eq 0 ]; then
	say "apt knows no $DEB_PACKAGE: apt-get update"
	sudo=()
	[ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
	"${sudo[@]}" apt-get update -qq >"$WB_LOGS/apt-update.log" 2>&1 ||
		die "apt-get update failed (log: $WB_LOGS/apt-update.log)"
	mapfile -t vers < <(versions)
	[ ${#vers[@]} -gt 0 ] || die "the archive serves no $DEB_PACKAGE"
fi

L=$WB_LOGS/archive-check
WORK=$WB_BUILD/archive-check
R=$WB_BUILD/results
mkdir -p "$L" "$WORK" "$R" "$WB_BUILD/dl"

# fetch_verified VERSION: the package in build/dl/, its sha256 the one that
# apt's metadata gives; the reason in $why when not.
fetch_verified() {
	local v=$1 deb want
	why=
	deb=$(base_deb "$v")
	want=$(apt-cache show "$DEB_PACKAGE=$v" | sed -n 's/^SHA256: //p' | sort -u)
	# One record per version here; two different sums would leave it open
	# which file apt-get download fetches.
	[[ $want =~ ^[0-9a-f]{64}$ ]] || { why="apt gives no single SHA256 (${want:-none})"; return 1; }
	if [ -f "$deb" ]; then
		if verify_deb "$deb" "$want"; then
			say "$(basename "$deb"): there, sha256 verified"
			return 0
		fi
		rm -f "$deb"  # refused (verify_deb said why): fetched again
	fi
	# A subshell, so that run_step's die ends this version, not the run;
	# stdout stays TAP.
	( cd "$WB_BUILD/dl" && run_step "downloading $DEB_PACKAGE=$v" "$L/$v.download.log" \
		apt-get download -q "$DEB_PACKAGE=$v" ) >/dev/null || { why="download failed"; return 1; }
	verify_deb "$deb" "$want" 2>"$L/$v.verify.log" || {
		cat "$L/$v.verify.log" >&2
		rm -f "$deb"
		why="sha256 mismatch, file deleted"
		return 1
	}
	say "$(basename "$deb"): sha256 verified"
}

# apply_to VERSION: $applies "yes", or "no: " and the first patch that
# git am refuses.
apply_to() {
	local v=$1 src=$WORK/$1 n
	rm -rf "$src"
	( run_step "extracting ${#paths[@]} paths of $v" "$L/$v.extract.log" \
		extract_base "$src" "$v" "${paths[@]}" ) >/dev/null || { applies="no: extraction failed"; return; }
	if am_fixed "$src" "${patches[@]}" >"$L/$v.am.log" 2>&1; then
		applies=yes
		# Only a failure's tree is worth keeping (its TAP line names it).
		rm -rf "$src"
	else
		# The patches applied so far are commits above base.
		n=$(git -C "$src" rev-list --count base..HEAD)
		applies="no: $(basename "${patches[n]}")"
	fi
}

t0=$(date +%s)
say "${#patches[@]} patches of $PATCHDIR (${#paths[@]} paths) on ${#vers[@]} versions of $DEB_PACKAGE"
tap_plan ${#vers[@]}
rows=()
for v in "${vers[@]}"; do
	t=$(date +%s)
	rm -f "$L/$v".*.log  # a failure's details must be this run's
	applies=-
	if fetch_verified "$v"; then
		verified=yes
		apply_to "$v"
	else
		verified="no: $why"
	fi
	rows+=("| $v | $verified | $applies |")
	case $verified/$applies in
	yes/yes) tap_result ok "$v: sha256 verified, applies" ;;
	"yes/no: extraction failed") tap_result fail "$v: extraction failed" "$L/$v.extract.log" ;;
	yes/*) tap_result fail "$v: does not apply, first failing patch ${applies#no: } (tree: ${WORK#"$WB_ROOT"/}/$v)" "$L/$v.am.log" ;;
	"no: download failed/"*) tap_result fail "$v: download failed" "$L/$v.download.log" ;;
	*) tap_result fail "$v: not verified: ${verified#no: }" "$L/$v.verify.log" ;;
	esac
	say "$v: $(($(date +%s) - t))s"
done

{
	echo "## $DEB_PACKAGE in the archive, with the patches of ${PATCHDIR#"$WB_ROOT"/}"
	echo
	echo "| version | sha256 verified | applies |"
	echo "|---|---|---|"
	printf '%s\n' "${rows[@]}"
} >"$R/archive-check.md"
# As TAP comments, which keep stdout valid TAP.
sed 's/^/# /' "$R/archive-check.md"
say "archive check took $(($(date +%s) - t0))s; table: ${R#"$WB_ROOT"/}/archive-check.md"
# shellcheck disable=SC2154 # tap_failed: harness/tap.sh counts the failures
[ "$tap_failed" -eq 0 ]
