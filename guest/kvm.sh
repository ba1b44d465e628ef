#!/bin/bash
# KVM receiving vfio-pci's interrupts through irqfds, as users run it:
#  - build/bin/msix-kvm: a KVM_IRQFD on an igb MSI-X vector's eventfd, and
#    the vector swapped between the irqfd's eventfd and a userspace one
#    while the device fires;
#  - QEMU 10 with -accel kvm as the client (guest/qemu-client.sh ... kvm):
#    each vector routed through KVM, swapped to QEMU's eventfd on every
#    guest mask and back on unmask, while the device fires.
# Both SKIP where the kernel or the CPU has no KVM. Exit status: failure.
. "$WB_ROOT/guest/lib.sh"

tool=$(tool_path msix-kvm) || exit 2
# The swap-loss allowance of the kernels that free the irq on a swap.
selftests_env || exit 2
mount_tracefs
rc=0
"$tool" "$IGB_BDF" "${KVM_SWAPS:-150}" || rc=1
"$WB_ROOT/guest/qemu-client.sh" 10 "$IGB_BDF" kvm || rc=1
exit $rc
