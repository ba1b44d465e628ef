#!/usr/bin/env bash
# Growth of the nvme's MSI-X vector set on arm64, stock 6.12 against the
# follow-up. bench/arm64-growth.md is from follow-up v5, whose last two
# patches let 6.12's GICv3 ITS allocate after enable; v6, the backport of
# the mainline series, dropped them, so both kernels now report NORESIZE:
# msix-bench's growth measure alone, to GROW_N vectors (512 by default),
# "dynamic" (one SET_IRQS per new vector, where the kernel allows it) and
# "legacy" (disable MSI-X and enable 0..n-1 again, what QEMU must do while
# the kernel reports NORESIZE). Writes bench/arm64-growth.md; raw CSV in
# build/bench/arm64/.
. "$(dirname "$0")/../harness/lib.sh"

N=${GROW_N:-512}
B=$WB_BUILD/bench/arm64
KERNELS=(stock-arm64 followup-arm64)
mkdir -p "$B"
WB_ARCH=arm64 "$WB_ROOT/harness/tools-build.sh" msix-bench >&2
for k in "${KERNELS[@]}"; do
	"$WB_ROOT/harness/kernel.sh" "${k%%-*}" arm64 >/dev/null
	VM_TIMEOUT=3600 "$WB_ROOT/harness/vm.sh" "$k" "$WB_ROOT/bench/guest.sh" /tmp/wb/bench \
		"$WB_ROOT/build/bin/msix-bench" -n "$N" -r 1 -d 3 -m 1 -f 1 >"$B/$k.log" 2>&1 ||
		die "msix-bench failed on $k: $B/$k.log"
	grep -E '^[a-z]+,growth,' "$B/$k.log" | sed "s/^[a-z]*,/$k,/" >"$B/$k.csv"
done
{
	echo "# MSI-X growth on arm64 (GICv3 ITS), nvme with a 2048-entry table"
	echo
	echo "Time to grow from 1 to n vectors, under TCG (virt, GICv3 ITS, SMMUv3),"
	echo "$(date -u +%Y-%m-%d); \`bench/arm64-growth.sh\`. dynamic: median of 3 runs;"
	echo "legacy: 1 run. NORESIZE: stock 6.12 reports it, so only legacy runs there."
	echo
	echo "| kernel | pattern | n = 16 | 64 | 128 | 256 | 512 | per vector at 512 |"
	echo "|---|---|---|---|---|---|---|---|"
	for k in "${KERNELS[@]}"; do cat "$B/$k.csv"; done | awk -F, '
		$5 == "total_s" { t[$1 "|" $3, $4] = $6; seen[$1 "|" $3] = 1 }
		$5 == "per_vector_us" { pv[$1 "|" $3, $4] = $6 }
		END { for (k in seen) { split(k, a, "|"); line = "| " a[1] " | " a[2]
			n = split("16 64 128 256 512", ns, " ")
			for (i = 1; i <= n; i++) line = line sprintf(" | %.3f s", t[k, ns[i]])
			print line sprintf(" | %.0f us |", pv[k, 512]) } }' | sort
} >"$WB_ROOT/bench/arm64-growth.md"
cat "$WB_ROOT/bench/arm64-growth.md"
