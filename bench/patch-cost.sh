#!/usr/bin/env bash
# What one patch costs on the MSI-X enable and disable path, A/B:
#
#   patch-cost.sh SERIES N [BOOTS]
#
# builds the SERIES branch (series or followup) of the work tree as it is
# and with its patch N reverted, boots each in turn BOOTS times (default
# 3, interleaved: with, without, with, ...) and runs msix-bench's "cycle"
# measure there (the nvme's MSI-X enabled with vector 0 and disabled
# again, 200 times). Prints the cycles per second of every boot, the
# medians and their ratio. Both kernels are built as the "series" kernel,
# so build/out/series-test holds the last one built; the work tree is put
# back on the series branch and the series kernel rebuilt at the end.
. "$(dirname "$0")/../harness/lib.sh"
series=${1:?usage: patch-cost.sh SERIES N [BOOTS]}
n=${2:?usage: patch-cost.sh SERIES N [BOOTS]}
boots=${3:-3}
base=$(series_base "$series")
commit=$(git_tree rev-list --reverse "$base..$series" | sed -n "${n}p")
[ -n "$commit" ] || die "$series has no patch $n"
[ -z "$(git_tree status --porcelain --untracked-files=no)" ] ||
	die "$WB_TREE has uncommitted changes"
subject=$(git_tree log -1 --format=%s "$commit")
B=$WB_BUILD/bench/patch-cost
mkdir -p "$B"

# The series with patch N reverted, on a scratch branch.
git_tree checkout -q --detach "$series"
git_tree revert --no-edit "$commit" >/dev/null || {
	git_tree revert --abort
	git_tree checkout -q series
	die "patch $n of $series does not revert cleanly"
}
without=$(git_tree rev-parse HEAD)
trap 'git_tree checkout -q series; "$WB_ROOT/harness/kernel.sh" series test >/dev/null' EXIT

"$WB_ROOT/harness/tools-build.sh" msix-bench
run_one() { # run_one LABEL REV BOOT: cycles per second
	git_tree checkout -q --detach "$2"
	"$WB_ROOT/harness/kernel.sh" series test >/dev/null || die "build of $1 failed"
	# Only the nvme's first-enable measures (which end with "cycle"),
	# with one growth run up to 2 vectors and one quick igb round.
	"$WB_ROOT/harness/vm.sh" series "$WB_ROOT/bench/guest.sh" /tmp/wb/bench \
		"$WB_BUILD/bin/msix-bench" -k "$1" -r 1 -d 1 -n 2 -R 1 -s 1 -m 1 -f 1 \
		>"$B/$1.b$3.log" || die "the benchmark failed on $1 (boot $3): $B/$1.b$3.log"
	awk -F, -v k="$1" '$1 == k && $2 == "cycle" && $5 == "per_s" { print $6 }' "$B/$1.b$3.log"
}
: >"$B/cycles.csv"
for ((b = 1; b <= boots; b++)); do
	for label in with without; do
		rev=$series
		[ "$label" = without ] && rev=$without
		c=$(run_one "$label" "$rev" "$b")
		[ -n "$c" ] || die "no cycle figure in $B/$label.b$b.log"
		echo "$label,$b,$c" | tee -a "$B/cycles.csv"
	done
done
median() { sort -n | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
summary() { # summary LABEL: median (min-max)
	local v
	v=$(awk -F, -v l="$1" '$1 == l { print $3 }' "$B/cycles.csv")
	printf '%.0f (%.0f-%.0f)' "$(median <<<"$v")" "$(sort -n <<<"$v" | head -n 1)" "$(sort -n <<<"$v" | tail -n 1)"
}
w=$(awk -F, '$1 == "with" { print $3 }' "$B/cycles.csv" | median)
wo=$(awk -F, '$1 == "without" { print $3 }' "$B/cycles.csv" | median)
# Boots vary more than the kernels do: pair each boot with its neighbour.
paired=$(awk -F, '$1 == "with" { w[$2] = $3 } $1 == "without" { wo[$2] = $3 }
	END { for (b in w) if (b in wo) print w[b] / wo[b] }' "$B/cycles.csv")
echo "$series patch $n ($subject): MSI-X enable+disable cycles/s, median (range) of $boots boots:" \
	"$(summary with) with it, $(summary without) without it, ratio $(awk -v a="$w" -v b="$wo" 'BEGIN { printf "%.2f", a / b }');" \
	"per pair of boots, median ratio $(median <<<"$paired" | xargs printf '%.2f'), slower with it in" \
	"$(awk '$1 < 1' <<<"$paired" | wc -l) of $(wc -l <<<"$paired")"
