#!/bin/bash
# Run the vfio selftests (built on the host by harness/selftests-build.sh)
# against the igb and the nvme: selftests.sh [TEST ARGS...], e.g.
# '-f vfio_pci_msix' to run one fixture. Exit status: failure of any test.
. "$WB_ROOT/guest/lib.sh"

bindir=$WB_ROOT/build/selftests/vfio
[ -x "$bindir/vfio_pci_irq_test" ] ||
	{ echo "# no $bindir/vfio_pci_irq_test: run harness/selftests-build.sh" >&2; exit 2; }

bind_vfio "$IGB_BDF" >/dev/null || { echo "# cannot bind $IGB_BDF to vfio-pci" >&2; exit 2; }
bind_vfio "$NVME_BDF" >/dev/null || { echo "# cannot bind $NVME_BDF to vfio-pci" >&2; exit 2; }
[ -d /sys/kernel/debug/irq ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null || true

export VFIO_SELFTESTS_BDF=$IGB_BDF
export VFIO_SELFTESTS_SCALE_BDF=$NVME_BDF
# stock carries upstream's dynamic MSI-X and the series adds it to the
# baseline: there NORESIZE for MSI-X is a failure. Elsewhere (baseline) the
# dynamic cases skip. VFIO_SELFTESTS_EXPECT_DYNAMIC=0 from the caller
# instead requires NORESIZE.
case ${WB_KERNEL_NAME:-} in
stock|series) export VFIO_SELFTESTS_EXPECT_DYNAMIC=1 ;;
esac
# The series keeps a vector's irq requested across an eventfd swap: no
# interrupt may be lost there. Stock frees and re-requests it (rare losses).
[ "${WB_KERNEL_NAME:-}" = series ] && export VFIO_SELFTESTS_EXPECT_LOSSLESS_SWAP=1
echo "# kernel ${WB_KERNEL_NAME:-?} $(uname -r), VFIO_SELFTESTS_EXPECT_DYNAMIC=${VFIO_SELFTESTS_EXPECT_DYNAMIC:-unset}, VFIO_SELFTESTS_EXPECT_LOSSLESS_SWAP=${VFIO_SELFTESTS_EXPECT_LOSSLESS_SWAP:-unset}"

rc=0
for t in "$bindir"/vfio_*_test; do
	echo "# $(basename "$t")"
	t0=$(date +%s%N)
	"$t" "$@" || rc=1
	echo "# $(basename "$t"): exit $rc, $((($(date +%s%N) - t0) / 1000000)) ms"
done
exit $rc
