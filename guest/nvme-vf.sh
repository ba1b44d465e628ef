# shellcheck shell=bash
# An NVMe VF whose MSI-X table its PF resizes (sourced by guest/resize.sh
# and guest/demo-7.3.sh), the case of the 2023 report the MSI-X domain
# change answers: the PF of harness/vm.sh's VM_NVME_SRIOV=1, bound to the
# kernel's nvme driver, assigns interrupt resources to its VF's secondary
# controller with nvme-cli's virt-mgmt; the VF, bound to vfio-pci only,
# closed, reports the new table size once its controller is back online.
# Needs a kernel with the nvme module (configs/common.config).

PF=0000:01:00.0
vf_log=/tmp/nvme-vf.log

# nvme_pf: load nvme and find the PF's controller: ctrl=/dev/nvmeN. Says
# why not on stderr (the caller exits 2).
nvme_pf() {
	local i
	[ -e /sys/bus/pci/devices/$PF/sriov_totalvfs ] ||
		{ echo "# no SR-IOV nvme PF at $PF: boot with VM_NVME_SRIOV=1" >&2; return 1; }
	command -v nvme >/dev/null || { echo "# nvme-cli is not installed: run 'make setup'" >&2; return 1; }
	# The other nvme (00:03.0) stays away from the nvme driver.
	need_vfio "$NVME_BDF" || return 1
	if [ ! -d /sys/module/nvme ] && ! modprobe -d "${WB_MODROOT:-/}" nvme; then
		echo "# cannot load the nvme module" >&2
		return 1
	fi
	for ((i = 0; i < 50; i++)); do [ -n "$(pf_ctrl)" ] && [ -c "/dev/$(pf_ctrl)" ] && break; sleep 0.2; done
	ctrl=/dev/$(pf_ctrl)
}

# pf_ctrl: the PF's controller, e.g. nvme1: the one directory under its nvme/.
pf_ctrl() {
	local d
	for d in "/sys/bus/pci/devices/$PF/nvme"/*; do [ -e "$d" ] && basename "$d"; done | head -n 1
}

# nvme_vf: one VF, bound to vfio-pci: VF= its BDF, scid= its secondary
# controller (the one whose VF number is 1). Fails if any is missing.
nvme_vf() {
	echo 0 >"/sys/bus/pci/devices/$PF/sriov_drivers_autoprobe"
	echo 1 >"/sys/bus/pci/devices/$PF/sriov_numvfs"
	VF=$(basename "$(readlink "/sys/bus/pci/devices/$PF/virtfn0")")
	scid=$(nvme list-secondary "$ctrl" -o json 2>/dev/null | tr -d ' \n' |
		grep -o '"secondary-controller-identifier":[0-9]*,[^}]*"virtual-function-number":1,' |
		sed 's/^[^:]*:\([0-9]*\),.*/\1/')
	[ -n "$VF" ] && [ -n "$scid" ] && bind_vfio "$VF" >/dev/null
}

# set_vis N: the VF's secondary controller offline, N interrupt (VI) and
# 2 queue (VQ) resources assigned, online again. QEMU applies the
# resources when the controller goes online (it resets it then): the VF's
# MSI-X table has N entries from there on, while the VF stays bound to
# vfio-pci, closed, MSI-X disabled. nvme-cli's output goes to $vf_log.
set_vis() {
	nvme virt-mgmt "$ctrl" -c "$scid" -a 7 &&
		nvme virt-mgmt "$ctrl" -c "$scid" -a 8 -r 0 -n 2 &&
		nvme virt-mgmt "$ctrl" -c "$scid" -a 8 -r 1 -n "$1" &&
		nvme virt-mgmt "$ctrl" -c "$scid" -a 9
} >"$vf_log" 2>&1

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
