#!/usr/bin/env bash
# The arm64 guest's root: Debian bookworm's arm64 packages that the guest
# scripts run (bash, coreutils, nvme-cli, QEMU 10 from bookworm-backports),
# extracted into build/arm64/root by mmdebstrap from the mirror this
# machine's apt uses. Nothing in it is configured or run on the host; the
# arm64 guest mounts it over 9p, read-only, as the x86 guest mounts the
# host's own root (guest/init). Prints its path; rebuilt only when the
# package list below changes.
#
#   rootfs.sh
. "$(dirname "$0")/lib.sh"

PACKAGES=(bash coreutils dash grep sed mawk findutils util-linux procps kmod
	  busybox-static libc-bin nvme-cli
	  qemu-system-arm/bookworm-backports qemu-system-data/bookworm-backports
	  qemu-system-common/bookworm-backports)
root=$ARM64_BUILD/root
stamp=$root/.wb-packages
if [ "$(cat "$stamp" 2>/dev/null)" = "${PACKAGES[*]}" ]; then
	echo "$root"
	exit 0
fi
command -v mmdebstrap >/dev/null || die "mmdebstrap missing: run 'make setup'"
mirror=$(debian_mirror)
[ -n "$mirror" ] || die "no bookworm source in apt's sources to take the mirror from"
src=$(mktemp)
trap 'rm -f "$src"' EXIT
printf 'Types: deb\nURIs: %s\nSuites: bookworm bookworm-updates bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
	"$mirror" >"$src"
as_root rm -rf "$root"
mkdir -p "$(dirname "$root")"
include=$(IFS=,; echo "${PACKAGES[*]}")
# --variant=extract: unpack only, so that no arm64 program runs here.
run_step "arm64 guest root (${#PACKAGES[@]} packages and their dependencies)" "$WB_LOGS/rootfs-arm64.log" \
	as_root mmdebstrap --variant=extract --arch=arm64 --mode=root \
		--include="$include" bookworm "$root" "$src"
# The one alternative the guest scripts need, which mawk's postinst would
# have set up.
as_root ln -sf mawk "$root/usr/bin/awk"
# Mount points of guest/init (base-files is not among the packages), the
# project's path included.
as_root mkdir -p "$root"/{tmp,run,var/tmp,proc,sys,dev} "$root$WB_ROOT"
echo "${PACKAGES[*]}" | as_root tee "$stamp" >/dev/null
echo "$root"
