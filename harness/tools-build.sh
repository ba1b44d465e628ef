#!/usr/bin/env bash
# Build the small host/guest tools of the tests into build/bin/:
#
#   tools-build.sh [NAME...]
#
# Every tests/*/NAME.c and bench/NAME.c is one tool, built from that one
# file with gcc -O2 -Wall -Wextra -Werror: lib*.c becomes a shared object
# (for LD_PRELOAD) build/bin/lib*.so, anything else an executable
# build/bin/NAME. A tool that includes "vfio_pci_device.h" is linked with
# the vfio selftest library (VFIO_LIB_DIR, by default the series
# branch's, see lib.sh), which is then always rebuilt: it may have changed.
# With NAMEs, only those are built. Any other tool newer than its source
# is kept.
# WB_BUILD=DIR builds into DIR/bin instead (the guest sees build/ read-only).
# WB_ARCH=arm64 cross-builds into build/arm64/bin, leaving out the tools
# that only x86 has a use for (X86_ONLY).
. "$(dirname "$0")/lib.sh"

CC=${CC:-${WB_CROSS}gcc}
CFLAGS=${CFLAGS:--O2 -Wall -Wextra -Werror -g}
bin=$WB_ARCH_BUILD/bin
mkdir -p "$bin"

want() {
	local n
	[ ${#wanted[@]} -eq 0 ] && return 0
	for n in "${wanted[@]}"; do [ "$n" = "$1" ] && return 0; done
	return 1
}
wanted=("$@")
found=0
# msix-kvm reads the vCPU's local APIC (KVM_GET_LAPIC): x86 KVM only.
X86_ONLY=" msix-kvm "
for src in "$WB_ROOT"/tests/*/*.c "$WB_ROOT"/bench/*.c; do
	[ -f "$src" ] || continue
	name=$(basename "$src" .c)
	case $name in
	lib*) out=$bin/$name.so flags=(-shared -fPIC) ;;
	*)    out=$bin/$name flags=() ;;
	esac
	want "$name" || want "$(basename "$out")" || continue
	if [ "$WB_ARCH" != x86 ] && [[ $X86_ONLY == *" $name "* ]]; then
		say "$name: x86 only, not built for $WB_ARCH"
		continue
	fi
	found=$((found + 1))
	if grep -q '^#include "vfio_pci_device.h"' "$src"; then
		export_selftests_src || die "cannot export the vfio selftests from $WB_TREE"
		[ -f "$VFIO_LIB_DIR/include/vfio_pci_device.h" ] ||
			die "$src needs the vfio selftest library: none in $VFIO_LIB_DIR (VFIO_LIB_DIR=, or a tree with the series)"
		# The library includes <linux/compiler.h> from the tree's tools/include.
		flags+=(-D_GNU_SOURCE -I"$VFIO_LIB_DIR/../../../../include" -I"$VFIO_LIB_DIR/include"
			"$VFIO_LIB_DIR"/*.c "$VFIO_LIB_DIR"/drivers/*.c -lpthread)
	elif [ "$out" -nt "$src" ]; then
		continue
	fi
	say "cc ${src#"$WB_ROOT"/} -> ${out#"$WB_ROOT"/}"
	# shellcheck disable=SC2086 # CFLAGS is a list of words
	"$CC" $CFLAGS -o "$out.tmp" "$src" "${flags[@]}" || die "cannot build $src"
	mv "$out.tmp" "$out"
done
[ "$found" -gt 0 ] || die "no tool source matches: ${wanted[*]:-tests/*/*.c}"
