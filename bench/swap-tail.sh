#!/usr/bin/env bash
# Is the 90th percentile of an eventfd swap while the vector fires (2.3 ms
# on series and follow-up in the full run, 0.22 ms on stock) the kernel's,
# or how QEMU's TCG runs both vCPUs in one host thread? The short
# benchmark (bench/run.sh) on stock, series and follow-up, SWAP_BOOTS boots
# each (4 by default) with SWAP_COUNT swaps (200, as the full run), once with both vCPUs in one TCG thread (the
# workbench's default) and once with a thread per vCPU (MTTCG). Writes
# bench/swap-tail.md; each boot's CSV stays in build/bench/swap-tail/.
. "$(dirname "$0")/../harness/lib.sh"

B=$WB_BUILD/bench/swap-tail
KERNELS=${SWAP_KERNELS:-stock series followup}
BOOTS=${SWAP_BOOTS:-4}
SWAPS=${SWAP_COUNT:-200}	# as in the full run
MODES=("tcg,thread=single" "tcg")
rm -rf "$B"
for accel in "${MODES[@]}"; do
	d=$B/${accel//[,=]/-}
	mkdir -p "$d"
	# The short run's own targets are not this script's business: keep
	# going when one fails, as long as every boot left its CSV.
	VM_ACCEL=$accel BENCH_SHORT=1 BENCH_IDLE_WAIT=0 BENCH_BOOTS=$BOOTS \
		BENCH_KERNELS="$KERNELS" BENCH_EXTRA="-s $SWAPS" \
		"$WB_ROOT/bench/run.sh" >"$d/run.log" 2>&1 || true
	for k in $KERNELS; do
		ls "$WB_BUILD/bench/short/$k".b*.csv >/dev/null 2>&1 ||
			die "no benchmark output for $k under -accel $accel: $d/run.log"
		cp "$WB_BUILD/bench/short/$k".b*.csv "$d/"
	done
done

# One row per mode and kernel: the swap latencies of each boot (median and
# p90 over its 50 swaps, device idle and firing) and the events lost.
{
	echo "# Eventfd swap latency: one TCG thread against a thread per vCPU"
	echo
	echo "\`bench/swap-tail.sh\`, $(date -u '+%Y-%m-%d'); $(qemu-system-x86_64 --version | head -n 1);"
	echo "2 vCPUs, $(nproc) host CPUs. The short benchmark, $BOOTS boots per kernel"
	echo "in turn; each cell lists the boots' figures (µs, over $SWAPS swaps of"
	echo "vector 0's eventfd for another and back; \"firing\": while the igb"
	echo "raises vector 0 in a loop)."
	echo
	echo "| accel | kernel | idle median | idle p90 | firing median | firing p90 | lost / fired |"
	echo "|---|---|---|---|---|---|---|"
	for accel in "${MODES[@]}"; do
		d=$B/${accel//[,=]/-}
		for k in $KERNELS; do
			cat "$d/$k".b*.csv | awk -F, -v a="$accel" -v k="$k" '
				function cell(p, s) { return v[p, s] }
				$2 == "swap" {
					key = $3 SUBSEP $5
					v[key] = v[key] (n[key]++ ? ", " : "") sprintf("%.0f", $6)
				}
				$2 == "swap" && $3 == "swap" && $5 == "lost" { lost += $6 }
				$2 == "swap" && $3 == "swap" && $5 == "fired" { fired += $6 }
				END {
					printf "| `%s` | %s | %s | %s | %s | %s | %d / %d |\n", a, k,
						cell("swap-idle", "median_us"), cell("swap-idle", "p90_us"),
						cell("swap", "median_us"), cell("swap", "p90_us"), lost, fired
				}'
		done
	done
} >"$WB_ROOT/bench/swap-tail.md"
cat "$WB_ROOT/bench/swap-tail.md"
