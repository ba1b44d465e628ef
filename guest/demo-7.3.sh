#!/bin/bash
# `make demo-7.3`, guest side: what the mainline series changes for QEMU 10
# on Linux 7.3. Stock 7.3 already adds MSI-X vectors one at a time
# (noresize 0); what it gets wrong is a table whose size changed since
# vfio-pci first enabled MSI-X on the device, the case of the 2023 report:
# an NVMe VF whose PF assigns it 2, then 6 interrupt resources
# (guest/nvme-vf.sh) goes to QEMU each time, and the guest unmasks every
# vector one at a time (guest/qemu-client.sh). Stock keeps the MSI-X
# domain sized for 2 and refuses vectors 2-5 with ERANGE; the series
# replaces the domain, with a warning. Ends with one "# demo:" line per
# table size for harness/demo.sh to set side by side.
. "$WB_ROOT/guest/lib.sh"
. "$WB_ROOT/guest/nvme-vf.sh"

nvme_pf || exit 2
nvme_vf || { echo "# no VF of $PF bound to vfio-pci" >&2; exit 2; }
out=/tmp/demo-client.tap
echo "== guest kernel $(uname -r) ($WB_KERNEL_NAME); QEMU $(qemu-system-x86_64 --version | head -n 1)"
rc=0
summary=()
for size in 2 6; do
	if ! set_vis "$size"; then
		echo "# the PF could not assign $size interrupt resources:"
		sed 's/^/# /' "$vf_log"
		exit 1
	fi
	echo "== the PF assigns $size interrupt resources to VF $VF: its MSI-X table has $(msix_table_size "$VF") entries."
	echo "   QEMU assigns the VF; the guest unmasks vectors 0-$((size - 1)) one at a time"
	lines=$(dmesg | wc -l)
	"$WB_ROOT/guest/qemu-client.sh" "$size" "$VF" >"$out" 2>&1 || rc=1
	echo "-- per unmask: the vector QEMU added, its VFIO_DEVICE_SET_IRQS calls that failed, the vectors then live in the kernel"
	awk '$2 ~ /^[0-9]+$/ && $3 ~ /^uses=/ { split($NF, e, "="); err[$2] = e[2] }
		$2 == "step" && $3 ~ /^[0-9]+$/ && $4 == "live" && !($3 in live) { live[$3] = $5; n++ }
		END { for (v = 0; v < n; v++) printf "   vector %d: SET_IRQS errors %d, live %s\n", v, err[v], live[v] }' "$out"
	grep -E "vfio-set-irqs: .* -?[1-9][0-9]*$" /tmp/qemu-client/log | head -n 3 | sed 's/^/   QEMU: /'
	echo "-- what the kernel logged about MSI-X:"
	dmesg | tail -n +$((lines + 1)) | grep -E "MSI-X|MSI|irq" | sed 's/^/   /' | grep . || echo "   (nothing)"
	live=$(awk '$2 == "step" && $3 ~ /^[0-9]+$/ && $4 == "live" { l = $5 } END { print l }' "$out")
	summary+=("# demo: table of $size: QEMU's guest got vectors ${live:-none} ($(grep -c '^not ok' "$out") of its checks failed)")
done
printf '%s\n' "${summary[@]}"
exit $rc
