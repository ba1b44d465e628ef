#!/bin/bash
# The MSI-X table of an NVMe VF resized by its PF between two opens
# through vfio-pci (guest/nvme-vf.sh). Every vector of the table as it is
# at each open must work (build/bin/msix-resize). Needs the VM of
# harness/vm.sh with VM_NVME_SRIOV=1.
. "$WB_ROOT/guest/lib.sh"
. "$WB_ROOT/guest/nvme-vf.sh"

tool=$(tool_path msix-resize) || exit 2
nvme_pf || exit 2
log=/tmp/resize.log

# resize_open SIZE MODE: one open of the VF through vfio-pci, all its
# vectors used, one TAP line.
resize_open() {
	local desc="msix-resize: VF table of $1 (PF assigned $1 VIs): vectors 0..$(($1 - 1)) enabled"
	[ "$2" = single ] && desc+=" one at a time" || desc+=" in one call"
	"$tool" "$VF" "$1" "$2" >"$log" 2>&1
	case $?,${WB_KERNEL_NAME:-} in
	0,*) tap_result ok "$desc" ;;
	# The failure a stale MSI-X domain causes, named so that it alone can
	# be an expected one.
	4,*) tap_result fail "$desc: ERANGE from a stale MSI-X domain" "$log" ;;
	# Growing one vector at a time needs dynamic MSI-X, which only the
	# baseline lacks.
	3,baseline) tap_skip "$desc" "NORESIZE on the baseline" ;;
	*) tap_result fail "$desc" "$log" ;;
	esac
}

tap_plan 11
if [ -c "$ctrl" ]; then
	tap_result ok "msix-resize: nvme PF $PF is $ctrl"
else
	tap_result fail "msix-resize: nvme PF $PF has no controller"
	tap_done
fi
if nvme_vf; then
	tap_result ok "msix-resize: VF $VF (secondary controller $scid) bound to vfio-pci"
else
	tap_result fail "msix-resize: VF '$VF', secondary controller '$scid', bound to vfio-pci"
	tap_done
fi

# Two vectors, then six (the PF's limit per VF), then three again.
for size in 2 6 3; do
	if ! set_vis "$size"; then
		tap_result fail "msix-resize: the PF assigns $size VIs to the VF" "$vf_log"
		tap_result fail "msix-resize: (not run: no table of $size)"
		tap_result fail "msix-resize: (not run: no table of $size)"
		continue
	fi
	# The size changed before vfio-pci opens (and resets) the VF.
	tap_check "msix-resize: the VF's MSI-X Table Size is $size once the PF assigned $size VIs, before it is opened" \
		test "$(msix_table_size "$VF")" = "$size"
	resize_open "$size" block
	resize_open "$size" single
done
tap_done
