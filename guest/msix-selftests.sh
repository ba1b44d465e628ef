#!/bin/bash
# The project's MSI-X kselftests, written as additions to mainline's
# tools/testing/selftests/vfio (its libvfio, the igb driver), built on the
# host from the 7.3 work tree's mainline branch (mainline/vfio patches 8-12) by
#   WB_LINE=7.3 SELFTESTS_REV=mainline \
#       harness/selftests-build.sh - build/selftests-7.3-msix
# and run here as mainline's scripts/run.sh runs a program: the BDF as the
# last argument.
#   msix-selftests.sh [BINDIR]   (default build/selftests-7.3-msix/vfio)
# Every program named vfio_pci_msix*_test in BINDIR runs against the igb
# (00:02.0: libvfio's igb driver sends any of its vectors, so the cases
# that fire run there) and the nvme (00:03.0: a 2048-entry table, no
# driver, so the cases that fire skip and say so). Each result line gets
# the device before the case's name; a program that gives no result line
# gets one here. The programs use the VFIO container, so the 6.12 kernels
# (no iommufd, no vfio cdev in their configs) run them too.
. "$WB_ROOT/guest/lib.sh"

bindir=${1:-$WB_ROOT/build/selftests-7.3-msix/vfio}
progs=$(cd "$bindir" 2>/dev/null && ls vfio_pci_msix*_test 2>/dev/null)
[ -n "$progs" ] ||
	{ echo "# no vfio_pci_msix*_test in $bindir: build them on the host (see $0)" >&2; exit 2; }
# This guest is a test machine: grow_one_at_a_time grows a table to its
# end (the nvme's 2048 entries), which a host in use should not do.
export VFIO_SELFTESTS_MSIX_GROW_ALL=1
load_vfio || exit 2
need_vfio "$IGB_BDF" && need_vfio "$NVME_BDF" || exit 2
echo "# kernel ${WB_KERNEL_NAME:-?} $(uname -r); programs from $bindir: $(echo $progs)"

for prog in $progs; do
	run_selftest igb "$IGB_BDF" "$prog"
	run_selftest nvme "$NVME_BDF" "$prog"
done
# The growth a host in use gets, without VFIO_SELFTESTS_MSIX_GROW_ALL:
# 64 of the nvme's 2048 vectors.
if [ -x "$bindir/vfio_pci_msix_test" ]; then
	VFIO_SELFTESTS_MSIX_GROW_ALL= run_selftest nvme-grow64 "$NVME_BDF" vfio_pci_msix_test \
		-r vfio_pci_msix_test.grow_one_at_a_time
fi
exit $selftest_rc
