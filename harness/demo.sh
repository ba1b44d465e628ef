#!/usr/bin/env bash
# `make demo`: build the kernel with the series, boot it in QEMU with an
# igb behind an emulated intel-iommu, and show vfio-pci adding MSI-X vectors
# one at a time for QEMU 10 (guest/demo.sh). Expects `make tree` done.
. "$(dirname "$0")/lib.sh"

t0=$(date +%s)
"$WB_ROOT/harness/kernel.sh" series test >/dev/null
"$WB_ROOT/harness/tools-build.sh"
"$WB_ROOT/harness/vm.sh" series "$WB_ROOT/guest/demo.sh"
rc=$?
say "demo finished in $(($(date +%s) - t0))s (exit $rc)"
exit $rc
