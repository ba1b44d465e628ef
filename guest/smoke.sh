#!/bin/bash
# Smoke test: the guest sees the platform the tests rely on.
. "$WB_ROOT/guest/lib.sh"
tap_plan 4
tap_check "kernel is $(uname -r)" true
tap_check "igb at $IGB_BDF" test -e "/sys/bus/pci/devices/$IGB_BDF"
tap_check "nvme at $NVME_BDF" test -e "/sys/bus/pci/devices/$NVME_BDF"
tap_check "interrupt remapping on" grep -q 'IR-PCI-MSI\|INTEL-IR' /sys/kernel/debug/irq/domains/* 2>/dev/null -l
tap_done
