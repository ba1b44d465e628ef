#!/usr/bin/env bash
# Build the guest's initramfs: busybox-static and guest/init, nothing else;
# everything the tests run comes from a root shared over 9p (the host's
# own, or for arm64 the root of harness/rootfs.sh).
#
#   initramfs.sh [x86|arm64]    prints the image's path
. "$(dirname "$0")/lib.sh"

case ${1:-x86} in
x86)   busybox=/bin/busybox img=$WB_BUILD/initramfs.cpio.gz ;;
arm64) busybox=$("$WB_ROOT/harness/rootfs.sh")/bin/busybox img=$ARM64_BUILD/initramfs.cpio.gz ;;
*)     die "unknown architecture '$1' (x86 or arm64)" ;;
esac
if [ -f "$img" ] && [ "$img" -nt "$WB_ROOT/guest/init" ] && [ "$img" -nt "$busybox" ]; then
	echo "$img"
	exit 0
fi
[ -x "$busybox" ] || die "$busybox missing: run 'make setup'"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/dev"
cp "$busybox" "$tmp/bin/busybox"
ln -s busybox "$tmp/bin/sh"
install -m 755 "$WB_ROOT/guest/init" "$tmp/init"
# A file of this run's own, renamed into place: guests booting side by
# side may build it at the same time.
(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) >"$img.$$"
mv "$img.$$" "$img"
echo "$img"
