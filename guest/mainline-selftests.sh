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

# Each program: guest/lib.sh run_selftest.
for prog in vfio_pci_device_test vfio_pci_device_init_perf_test vfio_iommufd_setup_test \
	vfio_dma_mapping_test vfio_dma_mapping_mmio_test vfio_pci_driver_test; do
	run_selftest igb "$IGB_BDF" "$prog"
	run_selftest nvme "$NVME_BDF" "$prog"
done
run_selftest nvme-pf "$SRIOV_PF" vfio_pci_sriov_uapi_test
exit $selftest_rc
