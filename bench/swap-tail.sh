#!/usr/bin/env bash
# Is the 90th percentile of an eventfd swap while the vector fires (2.3 ms
# on series and follow-up in the full run, 0.22 ms on stock) the kernel's
# alone, or does it depend on QEMU's TCG running both vCPUs in one host
# thread? The short benchmark (bench/run.sh) on stock, series and
# follow-up with SWAP_COUNT swaps (200, as in the full run), SWAP_BOOTS
# boots (4) per kernel with both vCPUs in one TCG thread (the workbench's
# default) and as many with a thread per vCPU (MTTCG). Writes
# bench/swap-tail.md; the runs stay in build/bench/swap-tail/.
. "$(dirname "$0")/../harness/lib.sh"

case $WB_LINE in
7.3) KERNELS=${SWAP_KERNELS:-stock73 mainline} SFX=-7.3 CMD="WB_LINE=7.3 " ;;
*)   KERNELS=${SWAP_KERNELS:-stock series followup} SFX= CMD= ;;
esac
B=$WB_BUILD/bench/swap-tail$SFX
BOOTS=${SWAP_BOOTS:-4}
SWAPS=${SWAP_COUNT:-200}	# as in the full run
MODES=("tcg,thread=single" "tcg")
mode_dir() { echo "$B/${1//[,=]/-}"; }

# Boot by boot, the two modes in turn (each a short run booting every
# kernel once), so that a slow spell of the host falls on both alike.
rm -rf "$B"
for ((boot = 1; boot <= BOOTS; boot++)); do
	for accel in "${MODES[@]}"; do
		d=$(mode_dir "$accel")
		run=$d/run$boot
		mkdir -p "$run"
		# The short run's own targets are not this script's business:
		# keep going when one fails, as long as every kernel left its CSV.
		VM_ACCEL=$accel BENCH_SHORT=1 BENCH_IDLE_WAIT=0 BENCH_BOOTS=1 \
			BENCH_KERNELS="$KERNELS" BENCH_DIR="$run" BENCH_EXTRA="-s $SWAPS" \
			"$WB_ROOT/bench/run.sh" >"$run/run.log" 2>&1 || true
		for k in $KERNELS; do
			[ -s "$run/$k.b1.csv" ] ||
				die "no benchmark output for $k, boot $boot, -accel $accel: $run/run.log"
			cp "$run/$k.b1.csv" "$d/$k.b$boot.csv"
		done
	done
done

# One row per mode and kernel: the swap latencies of each boot (median and
# p90 over its SWAPS swaps, device idle and firing) and the events lost.
# A phase that stopped early (a SET_IRQS failed) has fewer swaps: refuse
# it rather than print a percentile over another count.
{
	echo "# Eventfd swap latency: one TCG thread against a thread per vCPU"
	echo
	echo "\`${CMD}bench/swap-tail.sh\`, $(date -u '+%Y-%m-%d'); $(qemu-system-x86_64 --version | head -n 1);"
	echo "2 vCPUs, $(nproc) host CPUs. The short benchmark, $BOOTS boots per kernel"
	echo "and mode, booted in turn (each boot of a kernel in one mode, then in"
	echo "the other); each cell lists the boots' figures (µs, over $SWAPS swaps of"
	echo "vector 0's eventfd for another and back; \"firing\": while the igb"
	echo "raises vector 0 in a loop)."
	echo
	echo "| accel | kernel | idle median | idle p90 | firing median | firing p90 | lost / fired |"
	echo "|---|---|---|---|---|---|---|"
	for accel in "${MODES[@]}"; do
		d=$(mode_dir "$accel")
		for k in $KERNELS; do
			for ((boot = 1; boot <= BOOTS; boot++)); do cat "$d/$k.b$boot.csv"; done |
			awk -F, -v a="$accel" -v k="$k" -v swaps="$SWAPS" '
				function cell(p, s) { return v[p, s] }
				$2 == "swap" && $4 != swaps { bad = 1 }
				$2 == "swap" {
					key = $3 SUBSEP $5
					v[key] = v[key] (n[key]++ ? ", " : "") sprintf("%.0f", $6)
				}
				$2 == "swap" && $3 == "swap" && $5 == "lost" { lost += $6 }
				$2 == "swap" && $3 == "swap" && $5 == "fired" { fired += $6 }
				END {
					if (bad) exit 1
					printf "| `%s` | %s | %s | %s | %s | %s | %d / %d |\n", a, k,
						cell("swap-idle", "median_us"), cell("swap-idle", "p90_us"),
						cell("swap", "median_us"), cell("swap", "p90_us"), lost, fired
				}' || die "$k under -accel $accel: a swap phase ended before $SWAPS swaps"
		done
	done
} >"$B/swap-tail.md"
cp "$B/swap-tail.md" "$WB_ROOT/bench/swap-tail$SFX.md"
cat "$B/swap-tail.md"
