#!/usr/bin/env bash
# `make bench`: build msix-bench, run it in the VM on the stock, baseline,
# series and followup kernels, then write the results:
#
#   full run (default):  bench/results.md and bench/growth.png
#   BENCH_SHORT=1:       a short run for CI; everything stays in build/bench/
#
# WB_LINE=7.3 (make bench-7.3): v7.3.4 (stock73) against the mainline
# series (mainline), into bench/results-7.3.md and bench/growth-7.3.png,
# with the mainline series' targets (the bulk pattern and MSI-X
# enable/disable cycles at parity with stock73).
#
# The kernels are booted in turn, BENCH_BOOTS times (A, B, C, D, A, B, ...;
# 3 in the full run, 1 in the short one), so that a slow spell of the
# shared host falls on every kernel alike; the report gives each figure as
# the median over a kernel's boots with their range. Raw output and CSV of
# each boot go to build/bench/{full,short}/KERNEL.bN.{log,csv}. The report
# ends with TAP lines asserting the targets; the exit status is 1 if one
# fails. VFIO_LIB_DIR is the vfio selftest library msix-bench is built
# with (see lib.sh); BENCH_KERNELS picks the kernels. For other scripts'
# short runs: BENCH_DIR puts its files elsewhere than build/bench/short,
# BENCH_EXTRA adds msix-bench options after the short run's own (the last
# of an option counts).
. "$(dirname "$0")/../harness/lib.sh"

SHORT=${BENCH_SHORT:-0}
# The line's kernels, its reference first, and the ratios of the table.
case $WB_LINE in
7.3)
	LINE_KERNELS="stock73 mainline" SFX=-7.3
	export REPORT_COLUMNS=$LINE_KERNELS REPORT_RATIOS=mainline/stock73 ;;
*)	LINE_KERNELS="stock baseline series followup" SFX= ;;
esac
B=$WB_BUILD/bench/full$SFX
read -r -a KERNELS <<<"${BENCH_KERNELS:-$LINE_KERNELS}"

if [ "$SHORT" = 1 ]; then
	# Growth to 64; legacy runs 2 (0.6 s each), dynamic 31 (10 ms each).
	# First enables as in the full run: the 2x target of make check is
	# asserted on medians of 11 (3 let one slow spell decide it).
	OPTS=(-r 2 -d 31 -n 64 -R 5 -s 50 -m 3 -f 11)
	B=${BENCH_DIR:-$WB_BUILD/bench/short$SFX}
	OUT=$B
	read -r -a extra <<<"${BENCH_EXTRA:-}"
	OPTS+=("${extra[@]}")
else
	# bench/results.md states the options it was run with: none added.
	[ -z "${BENCH_EXTRA:-}${BENCH_DIR:-}" ] || die "BENCH_EXTRA and BENCH_DIR are for short runs"
	# Growth to the largest n (~400: 20 s per legacy run), 20 rounds, 200 swaps.
	OPTS=(-r 5 -d 31 -R 20 -s 200 -m 5 -f 11)
	OUT=$WB_ROOT/bench
fi

export BENCH_BOOTS=${BENCH_BOOTS:-$([ "$SHORT" = 1 ] && echo 1 || echo 3)}
mkdir -p "$B"
rm -f "$B"/*.csv "$B"/*.log "$B"/*.busy "$B"/curve-*.dat
t0=$(date +%s)

# The guest runs the host's root, so a host build runs there as it is.
# The tools come from the 6.12 tree on either line (tests/run.sh).
WB_LINE=6.12 "$WB_ROOT/harness/tools-build.sh" msix-bench

# The host's cores are shared (kernel builds, other VMs): before each
# kernel, wait up to BENCH_IDLE_WAIT seconds for the host to be idle (CPU
# busy under 20% over 5 s) and record how busy it was when the run began.
IDLE_WAIT=${BENCH_IDLE_WAIT:-$([ "$SHORT" = 1 ] && echo 0 || echo 120)}
host_busy() {	# percent of CPU time busy over the next 5 seconds
	local a b
	a=$(awk '/^cpu /{ print $2+$3+$4+$7+$8, $5+$6 }' /proc/stat)
	sleep 5
	b=$(awk '/^cpu /{ print $2+$3+$4+$7+$8, $5+$6 }' /proc/stat)
	echo "$a $b" | awk '{ b = $3 - $1; i = $4 - $2; printf "%d\n", b + i ? 100 * b / (b + i) : 0 }'
}
wait_idle() {
	local end=$(($(date +%s) + IDLE_WAIT)) busy
	while busy=$(host_busy) && [ "$busy" -ge 20 ] && [ "$(date +%s)" -lt "$end" ]; do
		sleep 5
	done
	echo "$busy"
}

ran=()
for k in "${KERNELS[@]}"; do
	if [ -f "$(kernel_out "$k" test)/arch/x86/boot/bzImage" ]; then
		ran+=("$k")
	else
		warn "no $k kernel (make kernel-$k): skipping it"
	fi
done
[ ${#ran[@]} -gt 0 ] || die "no kernel to run on"
for ((boot = 1; boot <= BENCH_BOOTS; boot++)); do
	for k in "${ran[@]}"; do
		run=$B/$k.b$boot
		wait_idle >"$run.busy"
		t1=$(date +%s)
		# /tmp/wb is the VM's run directory (build/vm/...), writable in the guest.
		if ! "$WB_ROOT/harness/vm.sh" "$k" "$WB_ROOT/bench/guest.sh" /tmp/wb/bench \
			"$WB_BUILD/bin/msix-bench" "${OPTS[@]}" >"$run.log"; then
			tail -n 5 "$run.log" >&2
			die "the benchmark failed on $k (boot $boot); output: $run.log"
		fi
		grep "^$k," "$run.log" >"$run.csv"
		say "$k, boot $boot of $BENCH_BOOTS: $(($(date +%s) - t1))s"
	done
done

BENCH_SECONDS=$(($(date +%s) - t0)) BENCH_SHORT=$SHORT \
	"$WB_ROOT/bench/report.sh" "$B" "${ran[@]}"
rc=0
grep -q '^not ok' "$B/bench.tap" && rc=1
gnuplot -e "datadir='$B'; out='$B/growth.png'; curves='$(cd "$B" && ls curve-*.dat | sed 's/^curve-//; s/\.dat$//' | tr '\n' ' ')'" \
	"$WB_ROOT/bench/growth.gp"
if [ "$SHORT" != 1 ]; then
	cp "$B/results.md" "$OUT/results$SFX.md"
	cp "$B/growth.png" "$OUT/growth$SFX.png"
fi
cat "$B/bench.tap"
say "bench ($([ "$SHORT" = 1 ] && echo short || echo full)) took $(($(date +%s) - t0))s; results: $OUT/results$SFX.md, plot: $OUT/growth$SFX.png"
exit $rc
