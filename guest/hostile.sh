#!/bin/bash
# Malformed and hostile SET_IRQS and GET_IRQ_INFO calls on the igb with
# MSI-X live (build/bin/msix-hostile): each errno, and the vectors, their
# eventfds and the irqs allocated read back after each call.
. "$WB_ROOT/guest/lib.sh"

tool=$(tool_path msix-hostile) || exit 2
need_vfio "$IGB_BDF" || exit 2
exec "$tool" "$IGB_BDF"
