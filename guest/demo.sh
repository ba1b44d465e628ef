#!/bin/bash
# The main job, guest side: QEMU 10 assigns the igb through vfio-pci and a
# qtest driver unmasks its vectors one at a time, as a Linux guest does at
# each request_irq(); then QEMU's own account of how it grew the set.
. "$WB_ROOT/guest/lib.sh"

echo "== guest kernel $(uname -r) ($WB_KERNEL_NAME); QEMU $(qemu-system-x86_64 --version | head -n 1)"
"$WB_ROOT/guest/qemu-client.sh"
rc=$?
echo "== QEMU's vfio_msix trace and the VFIO_DEVICE_SET_IRQS calls it made:"
grep -E 'vfio_msix|vfio-set-irqs|msix-qtest: unmask ' /tmp/qemu-client/log | head -n 80
exit "$rc"
