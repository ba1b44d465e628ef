#!/bin/bash
# Mainline's own vfio selftests (tools/testing/selftests/vfio of the 7.3
# tree, built on the host by WB_LINE=7.3 harness/selftests-build.sh), run
# as their scripts/run.sh runs them: each program with one device's BDF as
# its last argument.
#   - the igb (00:02.0, the 82576 that libvfio's igb driver drives: the
#     driver tests copy memory and send an MSI through it) and the nvme
#     (00:03.0, no libvfio driver: the driver tests skip on it) run every
#     program but the SR-IOV one;
#   - vfio_pci_sriov_uapi_test runs on the SR-IOV nvme PF (01:00.0, from
#     VM_NVME_SRIOV=1), bound to vfio-pci with its enable_sriov set: the
#     test creates one VF itself.
# Each result line is prefixed with the device, so that the report tells
# the two apart; a program that skips as a whole (exit 4, KSFT_SKIP) or
# exits otherwise with no result line of its own gets one line here that
# says so.
. "$WB_ROOT/guest/lib.sh"

bindir=$WB_ROOT/build/selftests-7.3/vfio
SRIOV_PF=0000:01:00.0
[ -x "$bindir/vfio_pci_device_test" ] ||
	{ echo "# no $bindir/vfio_pci_device_test: run WB_LINE=7.3 $(host_build selftests-build.sh) on the host" >&2; exit 2; }
[ -e "/sys/bus/pci/devices/$SRIOV_PF/sriov_totalvfs" ] ||
	{ echo "# no SR-IOV nvme PF at $SRIOV_PF: boot with VM_NVME_SRIOV=1" >&2; exit 2; }
load_vfio || exit 2
# vfio-pci refuses sriov_numvfs on a PF it drives unless this is set.
echo Y >/sys/module/vfio_pci/parameters/enable_sriov || exit 2
need_vfio "$IGB_BDF" && need_vfio "$NVME_BDF" && need_vfio "$SRIOV_PF" || exit 2
echo "# kernel ${WB_KERNEL_NAME:-?} $(uname -r); programs from $bindir"

# run_one DEVICE BDF PROGRAM: PROGRAM's TAP with DEVICE before each
# case's name, then a line of its own when it gave no result line.
rc=0
run_one() {
	local dev=$1 bdf=$2 prog=$3 out t0 st why
	out=$(mktemp)
	echo "# $dev: $prog $bdf"
	t0=$(date +%s)
	"$bindir/$prog" "$bdf" >"$out" 2>&1
	st=$?
	sed -E "s/^((not )?ok [0-9]+ )/\\1$dev: /" "$out"
	# A program that skips as a whole exits 4 (KSFT_SKIP), with its reason
	# on a "1..0 # SKIP" line or, before any TAP, as its last line.
	if ! grep -qE '^(not )?ok ' "$out"; then
		if [ "$st" -eq 4 ]; then
			why=$(sed -n 's/^1\.\.0 # SKIP //p' "$out" | head -n 1)
			echo "ok - $dev: $prog # SKIP ${why:-$(tail -n 1 "$out")}"
		else
			echo "not ok - $dev: $prog exited $st with no result"
		fi
	fi
	[ "$st" -eq 0 ] || [ "$st" -eq 4 ] || rc=1
	echo "# $dev: $prog: exit $st, $(($(date +%s) - t0)) s"
	rm -f "$out"
}

for prog in vfio_pci_device_test vfio_pci_device_init_perf_test vfio_iommufd_setup_test \
	vfio_dma_mapping_test vfio_dma_mapping_mmio_test vfio_pci_driver_test; do
	run_one igb "$IGB_BDF" "$prog"
	run_one nvme "$NVME_BDF" "$prog"
done
run_one nvme-pf "$SRIOV_PF" vfio_pci_sriov_uapi_test
exit $rc
