#!/bin/bash
# The main job, guest side: QEMU 10 assigns the igb through vfio-pci and a
# qtest driver unmasks its vectors one at a time, as a Linux guest does at
# each request_irq(); then QEMU's own account of how it grew the set. Then
# the same with KVM, as users run QEMU: each vector routed through a KVM
# irqfd, and each guest mask swapping the vector to QEMU's eventfd and back
# on unmask while the device fires, with no interrupt lost.
. "$WB_ROOT/guest/lib.sh"

log=/tmp/qemu-client/log
echo "== guest kernel $(uname -r) ($WB_KERNEL_NAME); QEMU $(qemu-system-x86_64 --version | head -n 1)"
"$WB_ROOT/guest/qemu-client.sh"
rc=$?
echo "== QEMU's vfio_msix trace and the VFIO_DEVICE_SET_IRQS calls it made:"
grep -E 'vfio_msix|vfio-set-irqs|msix-qtest: unmask ' "$log" | head -n 80

echo "== QEMU with KVM: vectors routed through KVM irqfds, masked and unmasked while the igb fires"
FIRE_ROUNDS=${FIRE_ROUNDS:-3} "$WB_ROOT/guest/qemu-client.sh" 10 "$IGB_BDF" kvm || rc=1
if [ -s "$log" ] && grep -q 'msix-qtest: fire-' "$log"; then
	echo "== growth with KVM: an MSI route, an irqfd and one SET_IRQS per vector (vectors 0-2):"
	sed -n '/msix-qtest: enabled$/,/msix-qtest: unmask 3$/p' "$log" |
		grep -E 'msix-qtest: unmask [0-2]$|kvm_irqchip_add_msi_route|kvm-irqfd:|vfio-set-irqs:' | head -n 30
	echo "== a mask swaps vector 0 to QEMU's eventfd, the unmask back to the irqfd's (first round):"
	awk '/msix-qtest: fire-(mask|unmask) 0$/ { on = 1 } on { print } on && /msix-qtest: fire-done 0$/ { on = 0; if (++n == 2) exit }' "$log" |
		grep -E 'msix-qtest: fire-(mask|unmask)|vfio-set-irqs:|vfio_msix_vector|vfio_msi_interrupt'
	echo "== what the device fired and where it arrived:"
	grep -E '^fire |# fire:' /tmp/qemu-client/driver.out
fi
exit "$rc"
