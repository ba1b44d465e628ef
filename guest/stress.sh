#!/bin/bash
# vfio-pci's interrupt paths under concurrent SET_IRQS, device-fired
# interrupts, resets and /proc/interrupts readers (build/bin/msix-stress)
# on the igb, for STRESS_SECONDS (60); then released with vectors live,
# opened again and delivering. guest/debug.sh runs it on the debug kernels.
. "$WB_ROOT/guest/lib.sh"

tool=$WB_ROOT/build/bin/msix-stress
[ -x "$tool" ] || { echo "# no $tool: run harness/tools-build.sh" >&2; exit 2; }
bind_vfio "$IGB_BDF" >/dev/null || { echo "# cannot bind $IGB_BDF to vfio-pci" >&2; exit 2; }
"$tool" "$IGB_BDF" "${STRESS_SECONDS:-60}" >/tmp/stress.out 2>&1
rc=$?
cat /tmp/stress.out
[ "$rc" -eq 0 ] && ! grep -q '^not ok' /tmp/stress.out
