#!/bin/bash
# Smoke test: the guest sees the platform the tests rely on.
. "$WB_ROOT/guest/lib.sh"
tap_plan 4
tap_check "kernel is $(uname -r) ($(uname -m))" true
tap_check "igb at $IGB_BDF" test -e "/sys/bus/pci/devices/$IGB_BDF"
tap_check "nvme at $NVME_BDF" test -e "/sys/bus/pci/devices/$NVME_BDF"
case $(uname -m) in
aarch64)
	tap_check "GICv3 ITS and SMMUv3 present" \
		sh -c 'ls /sys/kernel/debug/irq/domains | grep -q "its@" && ls /sys/class/iommu | grep -q smmu3' ;;
*)
	tap_check "interrupt remapping on" grep -q 'IR-PCI-MSI\|INTEL-IR' /sys/kernel/debug/irq/domains/* 2>/dev/null -l ;;
esac
tap_done
