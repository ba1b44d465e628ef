#!/bin/bash
# The MSI-X table of an NVMe VF resized between two opens through
# vfio-pci (the 2023 report the MSI-X domain change answers): the PF, bound
# to the kernel's nvme driver, assigns interrupt resources to its VF's
# secondary controller with nvme-cli's virt-mgmt; the VF, bound to
# vfio-pci only, closed, reports the new table size once its controller is
# back online.
# Every vector of the table as it is at each open must work
# (build/bin/msix-resize). Needs the VM of harness/vm.sh with
# VM_NVME_SRIOV=1 and a kernel with the nvme module (configs/common.config).
. "$WB_ROOT/guest/lib.sh"

PF=0000:01:00.0
tool=$(tool_path msix-resize) || exit 2
[ -e /sys/bus/pci/devices/$PF/sriov_totalvfs ] ||
	{ echo "# no SR-IOV nvme PF at $PF: boot with VM_NVME_SRIOV=1" >&2; exit 2; }
command -v nvme >/dev/null || { echo "# nvme-cli is not installed: run 'make setup'" >&2; exit 2; }
log=/tmp/resize.log

# The other nvme (00:03.0) stays away from the nvme driver.
need_vfio "$NVME_BDF" || exit 2
if [ ! -d /sys/module/nvme ] && ! modprobe -d "${WB_MODROOT:-/}" nvme; then
	echo "# cannot load the nvme module" >&2
	exit 2
fi

# The PF's controller, e.g. nvme1: the one directory under its nvme/.
pf_ctrl() {
	local d
	for d in "/sys/bus/pci/devices/$PF/nvme"/*; do [ -e "$d" ] && basename "$d"; done | head -n 1
}
for ((i = 0; i < 50; i++)); do [ -n "$(pf_ctrl)" ] && [ -c "/dev/$(pf_ctrl)" ] && break; sleep 0.2; done
ctrl=/dev/$(pf_ctrl)

# set_vis N: the VF's secondary controller offline, N interrupt (VI) and
# 2 queue (VQ) resources assigned, online again. QEMU applies the
# resources when the controller goes online (it resets it then): the VF's
# MSI-X table has N entries from there on, while the VF stays bound to
# vfio-pci, closed, MSI-X disabled.
set_vis() {
	nvme virt-mgmt "$ctrl" -c "$scid" -a 7 &&
		nvme virt-mgmt "$ctrl" -c "$scid" -a 8 -r 0 -n 2 &&
		nvme virt-mgmt "$ctrl" -c "$scid" -a 8 -r 1 -n "$1" &&
		nvme virt-mgmt "$ctrl" -c "$scid" -a 9
} >"$log" 2>&1

# msix_table_size BDF: the Table Size of the device's MSI-X capability, read
# from config space through sysfs (without opening the device).
msix_table_size() {
	local cfg=/sys/bus/pci/devices/$1/config pos id hex
	cfgb() { od -An -tu1 -j "$1" -N 1 "$cfg" | tr -d ' '; }
	pos=$(cfgb 52)
	while [ -n "$pos" ] && [ "$pos" -ne 0 ]; do
		id=$(cfgb "$pos")
		if [ "$id" -eq 17 ]; then
			hex=$(od -An -tu2 -j $((pos + 2)) -N 2 "$cfg" | tr -d ' ')
			echo $(((hex & 0x7ff) + 1))
			return
		fi
		pos=$(cfgb $((pos + 1)))
	done
}

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
echo 0 >"/sys/bus/pci/devices/$PF/sriov_drivers_autoprobe"
echo 1 >"/sys/bus/pci/devices/$PF/sriov_numvfs"
VF=$(basename "$(readlink "/sys/bus/pci/devices/$PF/virtfn0")")
# The VF's secondary controller: the one whose VF number is 1.
scid=$(nvme list-secondary "$ctrl" -o json 2>/dev/null | tr -d ' \n' |
	grep -o '"secondary-controller-identifier":[0-9]*,[^}]*"virtual-function-number":1,' |
	sed 's/^[^:]*:\([0-9]*\),.*/\1/')
if [ -n "$VF" ] && [ -n "$scid" ] && bind_vfio "$VF" >/dev/null; then
	tap_result ok "msix-resize: VF $VF (secondary controller $scid) bound to vfio-pci"
else
	tap_result fail "msix-resize: VF '$VF', secondary controller '$scid', bound to vfio-pci"
	tap_done
fi

# Two vectors, then six (the PF's limit per VF), then three again.
for size in 2 6 3; do
	if ! set_vis "$size"; then
		tap_result fail "msix-resize: the PF assigns $size VIs to the VF" "$log"
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
