#!/bin/bash
# The project's MSI-X kselftests, written as additions to mainline's
# tools/testing/selftests/vfio (its libvfio, the igb driver), built on the
# host from the 7.3 work tree's mainline-selftests branch by
#   WB_LINE=7.3 SELFTESTS_REV=mainline-selftests \
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
load_vfio || exit 2
need_vfio "$IGB_BDF" && need_vfio "$NVME_BDF" || exit 2
echo "# kernel ${WB_KERNEL_NAME:-?} $(uname -r); programs from $bindir: $(echo $progs)"

rc=0
# run_one DEVICE BDF PROGRAM: PROGRAM's TAP with DEVICE before each case's
# name and its run time, or one line of its own when it gave no result.
run_one() {
	local dev=$1 bdf=$2 prog=$3 out t0 st
	out=$(mktemp)
	echo "# $dev: $prog $bdf"
	t0=$(date +%s)
	"$bindir/$prog" "$bdf" >"$out" 2>&1
	st=$?
	sed -E "s/^((not )?ok [0-9]+ )/\\1$dev: /" "$out"
	if ! grep -qE '^(not )?ok ' "$out"; then
		if [ "$st" -eq 4 ]; then
			echo "ok - $dev: $prog # SKIP $(tail -n 1 "$out")"
		else
			echo "not ok - $dev: $prog exited $st with no result"
		fi
	fi
	[ "$st" -eq 0 ] || [ "$st" -eq 4 ] || rc=1
	echo "# $dev: $prog: exit $st, $(($(date +%s) - t0)) s"
	rm -f "$out"
}

for prog in $progs; do
	run_one igb "$IGB_BDF" "$prog"
	run_one nvme "$NVME_BDF" "$prog"
done
exit $rc
