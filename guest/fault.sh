#!/bin/bash
# Systematic fault injection into vfio-pci's SET_IRQS on the igb
# (build/bin/msix-fault, from tests/fault/msix-fault.c). Needs a kernel
# with CONFIG_FAULT_INJECTION and CONFIG_FAILSLAB: the debug variant.
#   fault.sh [--sleeping-spared]: failslab's default, which spares the
#   allocations that may sleep (all of vfio-pci's): nothing can be injected
#   into most calls, and msix-fault must fail saying so (workbench test).
. "$WB_ROOT/guest/lib.sh"

fs=/sys/kernel/debug/failslab
[ -d /sys/kernel/debug/irq ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null || true
[ -d "$fs" ] || { echo "# no $fs: this kernel has no CONFIG_FAILSLAB" >&2; exit 2; }
need_vfio "$IGB_BDF" || exit 2
# vfio-pci allocates with GFP_KERNEL: fail allocations that may sleep too.
# fail-nth confines the failures to the ioctl under test; no stack dumps.
ignore_gfp_wait=N
[ "${1:-}" = --sleeping-spared ] && ignore_gfp_wait=Y
{ echo $ignore_gfp_wait >"$fs/ignore-gfp-wait" && echo 0 >"$fs/verbose"; } ||
	{ echo "# cannot set up failslab in $fs" >&2; exit 2; }
"$WB_ROOT/build/bin/msix-fault" "$IGB_BDF"
