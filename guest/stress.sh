#!/bin/bash
# vfio-pci's interrupt paths under concurrent SET_IRQS, device-fired
# interrupts, resets and /proc/interrupts readers (build/bin/msix-stress)
# on the igb, for STRESS_SECONDS (60); then released with vectors live,
# opened again and delivering. guest/debug.sh runs it on the debug kernels.
. "$WB_ROOT/guest/lib.sh"

tool=$(tool_path msix-stress) || exit 2
need_vfio "$IGB_BDF" || exit 2
exec "$tool" "$IGB_BDF" "${STRESS_SECONDS:-60}"
