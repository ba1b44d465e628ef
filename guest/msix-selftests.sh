#!/bin/bash
# The project's MSI-X kselftests, written as additions to mainline's
# tools/testing/selftests/vfio (its libvfio, the igb driver), built on the
# host from the 7.3 work tree's mainline branch (mainline/vfio patches 7-11) by
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
# ... and runs the firing cases long: thousands of changes, and 30 s
# before an interrupt counts as lost (vCPUs stall under TCG on a loaded
# host).
export VFIO_SELFTESTS_MSIX_LONG=1
load_vfio || exit 2
need_vfio "$IGB_BDF" && need_vfio "$NVME_BDF" || exit 2
echo "# kernel ${WB_KERNEL_NAME:-?} $(uname -r); programs from $bindir: $(echo $progs)"

# The kselftests print, and do not check, what the uAPI leaves to the
# kernel: the irqs a failed call or a first enable leaves in msi_irqs,
# and the interrupts lost while a vector's eventfd is swapped. Here each
# such figure becomes a result of its own, held to what the mainline
# series does; tests/expected-failures lists what the stock kernels do.
# figures DEVICE LOG: those results from a run_selftest output.
figures() {
	awk -v dev="$1" '
	function put(ok, what, why) {
		printf "%s - %s: figure: %s %s (%s)\n", ok ? "ok" : "not ok", dev, tc, what, why
		found = 1
	}
	/^#  RUN  / { tc = $3; found = 0; next }
	tc ~ /\.bad_fd_new_vector$/ && match($0, /^msi_irqs: [0-9]+ before, [0-9]+ after the failed call$/) {
		split($0, f, /[ ,]+/); put(f[2] == f[4], "leaves no irq", $0) }
	tc ~ /\.bad_fd_in_block$/ && /^msi_irqs: [0-9]+ before, [0-9]+ after the failed call, / {
		split($0, f, /[ ,]+/); put(f[4] <= f[2] + 1, "leaves no irq past the bad fd", $0) }
	tc ~ /\.first_enable_last_vector$/ && /^first enable of vector .*, msi_irqs [0-9]+$/ {
		n = $NF; put(n <= 2, "allocates at most 2 irqs", "msi_irqs " n) }
	tc ~ /_while_firing$/ && tc !~ /grow/ && / sent, [0-9]+ received, [0-9]+ lost, / {
		split($0, f, /[ ,;]+/); put(f[5] == 0, "loses none", f[5] " of " f[1] " lost") }
	# A case that ran to its end without its figure is a failure here;
	# one that skipped or failed (counted there) gives none.
	/^(not )?ok [0-9]+ / && tc != "" {
		if (!found && tc ~ /\.(bad_fd_new_vector|bad_fd_in_block|first_enable_last_vector|swap_while_firing|same_eventfd_while_firing)$/ &&
		    /^ok / && !/# SKIP/)
			put(0, "printed", "no figure in its output")
		tc = ""
	}' "$2"
}

log=$(mktemp)
for prog in $progs; do
	for dev in igb nvme; do
		[ "$dev" = igb ] && bdf=$IGB_BDF || bdf=$NVME_BDF
		run_selftest "$dev" "$bdf" "$prog" >"$log"
		cat "$log"
		figures "$dev" "$log"
	done
done
rm -f "$log"
# The growth a host in use gets, without VFIO_SELFTESTS_MSIX_GROW_ALL:
# 64 of the nvme's 2048 vectors.
if [ -x "$bindir/vfio_pci_msix_test" ]; then
	VFIO_SELFTESTS_MSIX_GROW_ALL= run_selftest nvme-grow64 "$NVME_BDF" vfio_pci_msix_test \
		-r vfio_pci_msix_test.grow_one_at_a_time
	# The firing cases as they run by default (short), the swap ones
	# only: they print a loss and do not fail on it, so that a vCPU
	# stall longer than the short wait cannot fail the run.
	VFIO_SELFTESTS_MSIX_LONG= run_selftest igb-short "$IGB_BDF" vfio_pci_msix_test \
		-r vfio_pci_msix_fire_test.swap_while_firing \
		-r vfio_pci_msix_fire_test.same_eventfd_while_firing
fi
exit $selftest_rc
