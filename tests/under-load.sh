#!/usr/bin/env bash
# The vfio kselftests on a busy host: a kernel build runs beside the VM,
# as on a CI runner that shares its cores, and the suite must pass every
# time (with only the failures tests/expected-failures names).
#
#   under-load.sh [RUNS] [KERNEL...]   default: 10 stock-debug series-debug
#
# The build beside is a cold one (ccache off) of the test config into its
# own output directory, started again whenever it ends, and the kernels'
# guests run at the same time, so each has less than a core. One TAP line per
# run; each run's TAP and verdict go to build/under-load/, and the slowest
# time of each vfio_pci_scale case (guest/selftests.sh's "# time:" lines)
# is printed at the end: the figures the time limits are set from.
. "$(dirname "$0")/../harness/lib.sh"
. "$WB_ROOT/harness/kbuild.sh"
. "$WB_ROOT/harness/tap.sh"
set +e

runs=${1:-10}
shift
kernels=()
for k in "$@"; do
	case $k in *-*) kernels+=("$k") ;; *) kernels+=("$k-test") ;; esac
done
[ ${#kernels[@]} -gt 0 ] || kernels=(stock-debug series-debug)
U=$WB_BUILD/under-load
rm -rf "$U"
mkdir -p "$U"
for k in "${kernels[@]}"; do
	[ -f "$WB_OUT/$k/$(kernel_image "${k#*-}")" ] || die "no kernel $k: run 'make kernel-$k'"
done

# Not an out-* directory of the tree: no kernel build may seed from it.
load=$U/load-build
build_beside() {
	while :; do
		rm -rf "$load"
		{ kconfigure "$WB_TREE" "$load" test &&
			CCACHE_DISABLE=1 kmake "$WB_TREE" "$load" test vmlinux; } >>"$U/load.log" 2>&1
		echo "load build ended: $?" >>"$U/load.log"
	done
}
# A process group of its own (job control), so that the build's make and
# compilers stop with it.
set -m
build_beside &
loader=$!
set +m
trap 'kill -- -$loader 2>/dev/null; wait $loader 2>/dev/null; rm -rf "$load"' EXIT
sleep 30	# the build is compiling before the first guest boots

# run_kernel K: RUNS boots of K in a row, each judged as make check does.
run_kernel() {
	local k=$1 i d t0 verdict
	for ((i = 1; i <= runs; i++)); do
		d=$U/$k-$i
		mkdir -p "$d"
		t0=$(date +%s)
		"$WB_ROOT/harness/vm.sh" "$k" "$WB_ROOT/guest/selftests.sh" >"$d/selftests@$k.tap" 2>"$d/vm.log"
		echo "# exit $?" >>"$d/selftests@$k.tap"
		KERNEL_ORDER=$k "$WB_ROOT/tests/report.sh" "$d" "$WB_ROOT/tests/expected-failures" >/dev/null
		verdict=$?
		echo "$verdict $k run $i in $(($(date +%s) - t0))s: $(tail -n 1 "$d/summary.txt")" >"$d/verdict"
		sed -n '/^Failures:/,$p' "$d/summary.txt" >"$d/failures"
	done
}
# The kernels boot side by side: each guest shares the host with the
# other and with the build.
pids=()
for k in "${kernels[@]}"; do
	run_kernel "$k" &
	pids+=($!)
done
wait "${pids[@]}"

tap_plan $((runs * ${#kernels[@]}))
for k in "${kernels[@]}"; do
	for ((i = 1; i <= runs; i++)); do
		d=$U/$k-$i
		read -r verdict desc <"$d/verdict"
		if [ "$verdict" -eq 0 ]; then
			tap_result ok "$desc"
		else
			tap_result fail "$desc" "$d/failures"
		fi
	done
done
echo "# builds beside: $(grep -c '^load build ended' "$U/load.log") finished"
echo "# slowest vfio_pci_scale cases (s), per kernel:"
for k in "${kernels[@]}"; do
	cat "$U/$k"-*/"selftests@$k.tap" |
		awk -v k="$k" '$1 == "#" && $2 == "time:" && $3 ~ /^vfio_pci_scale\./ {
			if ($4 > max[$3]) max[$3] = $4 }
		END { for (n in max) printf "#   %s %s %.1f\n", k, n, max[n] }' | sort
done
[ "$tap_failed" -eq 0 ]
