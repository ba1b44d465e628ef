#!/usr/bin/env bash
# Build the guest's initramfs: busybox-static and guest/init, nothing else;
# everything the tests run comes from the host's root over 9p.
. "$(dirname "$0")/lib.sh"

img=$WB_BUILD/initramfs.cpio.gz
if [ -f "$img" ] && [ "$img" -nt "$WB_ROOT/guest/init" ] && [ "$img" -nt /bin/busybox ]; then
	echo "$img"
	exit 0
fi
[ -x /bin/busybox ] || die "/bin/busybox missing: run 'make setup'"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/dev"
cp /bin/busybox "$tmp/bin/busybox"
ln -s busybox "$tmp/bin/sh"
install -m 755 "$WB_ROOT/guest/init" "$tmp/init"
(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) >"$img.tmp"
mv "$img.tmp" "$img"
echo "$img"
