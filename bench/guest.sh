#!/bin/bash
# Guest side of bench/run.sh: bind the nvme and the igb to vfio-pci and run
# msix-bench on them. Usage (in the guest, see harness/vm.sh):
#
#   guest.sh OUTDIR MSIX_BENCH [msix-bench options...]
#
# The CSV goes to stdout (vm.sh hands it back to the host) and to
# OUTDIR/KERNEL.csv; OUTDIR must be writable in the guest, where the host
# root is read-only: /tmp/wb/... is the VM's run directory under build/vm/.
. "$WB_ROOT/guest/lib.sh"
set -o pipefail
[ $# -ge 2 ] || { echo "usage: guest.sh OUTDIR MSIX_BENCH [OPTIONS...]" >&2; exit 2; }
out=$1 bin=$2
shift 2
k=${WB_KERNEL_NAME:-unknown}

mkdir -p "$out" || exit 1
for bdf in "$NVME_BDF" "$IGB_BDF"; do
	bind_vfio "$bdf" >/dev/null || { echo "# cannot bind $bdf to vfio-pci" >&2; exit 1; }
done
{
	echo "# $k: $(uname -r), $(nproc) vCPUs, msix-bench $*"
	"$bin" -k "$k" "$@" "$NVME_BDF" "$IGB_BDF"
	rc=$?
	echo "$k,info,-,0,release,$(uname -r) $(uname -v)"
	exit $rc
} | tee "$out/$k.csv"
