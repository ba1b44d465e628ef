#!/usr/bin/env bash
# `make check`: every test of the project, on the four kernels side by side.
#   1. kernel builds: stock, baseline, series and followup (test), series
#      modular, and stock, series and followup debug (KASAN, lockdep,
#      kmemleak, fault injection)
#   2. the workbench's own tests
#   3. hygiene of both series (per-patch builds, sparse, checkpatch, ...),
#      and the follow-up's git am on every linux-source-6.12 of the archive
#   4. in the VM, per kernel: the vfio kselftests, QEMU 10 as the client
#      (under TCG, and with KVM next to a bare KVM_IRQFD on a vector), an
#      NVMe VF's MSI-X table resized by its PF (nvme-cli) and a table of
#      hostile SET_IRQS/GET_IRQ_INFO calls (also on the debug kernels,
#      with the KVM tests)
#   5. arm64 (virt, GICv3 ITS, SMMUv3): stock, the series and the follow-up
#      cross-built, each with the kselftests and the QEMU client test, and
#      the follow-up with the ITS device's lifetime (guest/its.sh)
# Results go to build/results/; a table of the kernels side by side and a
# closing "N passed, N failed, N skipped" line end the run.
. "$(dirname "$0")/../harness/lib.sh"
. "$WB_ROOT/harness/tap.sh"
set +e

R=$WB_BUILD/results
rm -rf "$R"
mkdir -p "$R"
t_start=${WB_T0:-$(date +%s)}
KERNELS=(stock baseline series followup series-modular stock-debug series-debug followup-debug
	 stock-arm64 series-arm64 followup-arm64)

# suite NAME CMD...: run CMD, keep its TAP in $R/NAME.tap, echo it.
suite() {
	local name=$1
	shift
	say "suite $name"
	"$@" 2>&1 | tee "$R/$name.tap"
	echo "# exit ${PIPESTATUS[0]}" >>"$R/$name.tap"
}

# Builds, each one TAP line.
builds() {
	local k v
	tap_plan ${#KERNELS[@]}
	for k in "${KERNELS[@]}"; do
		v=test
		[[ $k == *-* ]] && v=${k#*-}
		if "$WB_ROOT/harness/kernel.sh" "${k%%-*}" "$v" >/dev/null; then
			tap_result ok "build kernel_${k%%-*}-$v"
		else
			tap_result fail "build kernel_${k%%-*}-$v (log: build/logs/kernel-${k%%-*}-$v.log)"
		fi
	done
}

"$WB_ROOT/harness/tools-build.sh" >/dev/null 2>"$R/tools-build.log" || { cat "$R/tools-build.log"; die "building the host tools failed"; }
"$WB_ROOT/harness/selftests-build.sh" >/dev/null 2>"$R/selftests-build.log" || { cat "$R/selftests-build.log"; die "building the kselftests failed"; }
# The arm64 guests run the QEMU client test and the kselftests, cross-built.
WB_ARCH=arm64 "$WB_ROOT/harness/tools-build.sh" msix-qtest libvfio-irqlog >/dev/null 2>>"$R/tools-build.log" ||
	{ cat "$R/tools-build.log"; die "building the arm64 tools failed"; }
WB_ARCH=arm64 "$WB_ROOT/harness/selftests-build.sh" >/dev/null 2>>"$R/selftests-build.log" ||
	{ cat "$R/selftests-build.log"; die "building the arm64 kselftests failed"; }
suite hygiene "$WB_ROOT/harness/hygiene.sh" series
suite hygiene-followup "$WB_ROOT/harness/hygiene.sh" followup
suite archive-check "$WB_ROOT/harness/archive-check.sh" "$WB_ROOT/followup"
suite builds builds
suite workbench "$WB_ROOT/tests/workbench.sh"
for k in "${KERNELS[@]}"; do
	script=selftests.sh
	[[ $k == *-debug ]] && script=debug.sh
	suite "selftests@$k" "$WB_ROOT/harness/vm.sh" "$k" "$WB_ROOT/guest/$script"
	case $k in
	*-arm64)
		suite "qemu-client@$k" "$WB_ROOT/harness/vm.sh" "$k" "$WB_ROOT/guest/qemu-client.sh"
		# Only where the ITS offers dynamic MSI-X; elsewhere its.sh skips.
		[ "$k" = followup-arm64 ] &&
			suite "its@$k" "$WB_ROOT/harness/vm.sh" "$k" "$WB_ROOT/guest/its.sh"
		;;
	*-*) ;;
	*)
		suite "qemu-client@$k" "$WB_ROOT/harness/vm.sh" "$k" "$WB_ROOT/guest/qemu-client.sh"
		suite "kvm@$k" "$WB_ROOT/harness/vm.sh" "$k" "$WB_ROOT/guest/kvm.sh"
		suite "resize@$k" env VM_NVME_SRIOV=1 "$WB_ROOT/harness/vm.sh" "$k" "$WB_ROOT/guest/resize.sh"
		suite "hostile@$k" "$WB_ROOT/harness/vm.sh" "$k" "$WB_ROOT/guest/hostile.sh"
		;;
	esac
done

# The short benchmark: its targets as TAP (full run: make bench).
suite bench-short env BENCH_SHORT=1 BENCH_IDLE_WAIT=0 "$WB_ROOT/bench/run.sh"

KERNEL_ORDER="${KERNELS[*]}" "$WB_ROOT/tests/report.sh" "$R" "$WB_ROOT/tests/expected-failures"
rc=$?
say "make check took $(($(date +%s) - t_start))s"
tail -n 1 "$R/summary.txt"
exit $rc
