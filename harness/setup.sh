#!/usr/bin/env bash
# Install what the workbench needs from Debian, once: build tools, ccache,
# sparse, busybox-static, and QEMU 10 from bookworm-backports (adding that
# suite to apt's sources when it is missing). Safe to run again.
. "$(dirname "$0")/lib.sh"

NEED_DISK_GB=${NEED_DISK_GB:-25}
PACKAGES=(build-essential bc bison flex libelf-dev libssl-dev cpio kmod
	  xz-utils busybox-static ccache sparse codespell clang lld
	  clang-19 lld-19 llvm-19
	  gnuplot-nox python3 python3-ply python3-git git gdb socat nvme-cli
	  gcc-aarch64-linux-gnu libc6-dev-arm64-cross mmdebstrap)
QEMU_MIN_MAJOR=10

missing_packages() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
	done
}

qemu_major() { # qemu_major [ARCH]
	"qemu-system-${1:-x86_64}" --version 2>/dev/null | sed -n 's/^QEMU emulator version \([0-9]*\).*/\1/p'
}

apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return
	say "apt-get update"
	as_root apt-get update -qq >"$WB_LOGS/apt-update.log" 2>&1 ||
		die "apt-get update failed: is Debian's archive reachable? (log: $WB_LOGS/apt-update.log)"
	grep -q '^\(Err\|W: Failed\)' "$WB_LOGS/apt-update.log" &&
		die "apt-get update could not reach every source (log: $WB_LOGS/apt-update.log)"
	apt_updated=1
}

apt_install() {
	apt_update
	say "apt-get install $*"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" \
		>>"$WB_LOGS/apt-install.log" 2>&1 ||
		die "apt-get install $* failed (log: $WB_LOGS/apt-install.log)"
}

check_disk() {
	local avail_gb
	avail_gb=$(df -P -BG "$WB_BUILD" | awk 'NR == 2 { sub("G", "", $4); print $4 }')
	[ "$avail_gb" -ge "$NEED_DISK_GB" ] ||
		die "only ${avail_gb} GiB free under $WB_BUILD; the workbench needs ${NEED_DISK_GB} GiB"
}

add_backports() {
	local mirror
	grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/ && return
	apt_update
	mirror=$(debian_mirror)
	[ -n "$mirror" ] || die "no bookworm source in apt's sources to take the mirror from"
	say "adding bookworm-backports to apt's sources"
	as_root tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null <<-SRC
	Types: deb
	URIs: $mirror
	Suites: bookworm-backports
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	SRC
	apt_updated=
}

check_disk
mapfile -t todo < <(missing_packages "${PACKAGES[@]}")
[ ${#todo[@]} -eq 0 ] || apt_install "${todo[@]}"
if [ "$(qemu_major || true)" != "" ] && [ "$(qemu_major)" -ge $QEMU_MIN_MAJOR ]; then
	:
else
	add_backports
	apt_install -t bookworm-backports qemu-system-x86
	[ "$(qemu_major)" -ge $QEMU_MIN_MAJOR ] ||
		die "QEMU $(qemu_major) installed; the workbench needs QEMU $QEMU_MIN_MAJOR (bookworm-backports)"
fi
# The arm64 kernels boot in qemu-system-aarch64, of the same version.
if [ "$(qemu_major aarch64 || true)" != "$(qemu_major)" ]; then
	add_backports
	apt_install -t bookworm-backports qemu-system-arm
	[ "$(qemu_major aarch64)" = "$(qemu_major)" ] ||
		die "qemu-system-aarch64 $(qemu_major aarch64) installed; the workbench needs $(qemu_major), as for x86 (bookworm-backports)"
fi
say "setup: all tools present (QEMU $(qemu_major), $(gcc -dumpversion | cut -d. -f1-2) gcc)"
