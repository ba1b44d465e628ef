# shellcheck shell=bash
# Helpers for guest scripts (sourced): TAP output, device binding, modules.
# Runs inside the guest, chrooted into the host's root (see guest/init).

. "$WB_ROOT/harness/tap.sh"

IGB_BDF=0000:00:02.0
NVME_BDF=0000:00:03.0
tap_done() { [ "$tap_failed" -eq 0 ]; exit; }

# Load vfio-pci when it is a module (the modular kernel variant).
load_vfio() {
	[ -d /sys/bus/pci/drivers/vfio-pci ] && return 0
	[ -n "${WB_MODROOT:-}" ] || { echo "# vfio-pci is neither built in nor a module" >&2; return 1; }
	modprobe -d "$WB_MODROOT" vfio-pci
}

# bind_vfio BDF: hand a device to vfio-pci; prints its iommu group number.
bind_vfio() {
	local dev=/sys/bus/pci/devices/$1
	load_vfio || return 1
	if [ "$(basename "$(readlink "$dev/driver" 2>/dev/null)")" != vfio-pci ]; then
		[ -e "$dev/driver" ] && echo "$1" >"$dev/driver/unbind"
		echo vfio-pci >"$dev/driver_override"
		echo "$1" >/sys/bus/pci/drivers_probe
	fi
	[ "$(basename "$(readlink "$dev/driver")")" = vfio-pci ] || return 1
	basename "$(readlink "$dev/iommu_group")"
}
