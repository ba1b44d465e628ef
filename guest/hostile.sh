#!/bin/bash
# Malformed and hostile SET_IRQS and GET_IRQ_INFO calls on the igb with
# MSI-X live (build/bin/msix-hostile): each errno, and the vectors and
# eventfds read back after each call.
. "$WB_ROOT/guest/lib.sh"

tool=$WB_ROOT/build/bin/msix-hostile
[ -x "$tool" ] || { echo "# no $tool: run harness/tools-build.sh" >&2; exit 2; }
bind_vfio "$IGB_BDF" >/dev/null || { echo "# cannot bind $IGB_BDF to vfio-pci" >&2; exit 2; }
exec "$tool" "$IGB_BDF"
