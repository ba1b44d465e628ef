#!/usr/bin/env bash
# Build the vfio selftests on the host, for the guest to run:
#
#   selftests-build.sh [TREE [OUT]]
#
# 6.12 line (guest/selftests.sh): TREE is a kernel source tree with
# tools/testing/selftests/vfio. By default the tests come from the work
# tree's series branch (its patches 16-17; the follow-up carries none), so
# one binary runs on every kernel and the report compares them test by
# test. The binaries go to OUT/vfio (default build/selftests; with
# WB_ARCH=arm64, cross-built into
# build/arm64/selftests). Nothing kernel-side is built: the tests use the
# host's uapi headers when TREE has no usr/include from 'make headers'.
#
# 7.3 line (WB_LINE=7.3, guest/mainline-selftests.sh): mainline's own
# tools/testing/selftests/vfio as the 7.3 work tree has them at
# SELFTESTS_REV (default: base, v7.3.4 as Debian ships it), built against
# that commit's own uapi headers into build/selftests-7.3/vfio (arm64:
# build/arm64/selftests-7.3). The project adds nothing to them. TREE is
# not used on this line ("-" holds its place); a SELFTESTS_REV other than
# base is exported to a directory of its own, so that building the
# project's MSI-X tests (SELFTESTS_REV=mainline, OUT
# build/selftests-7.3-msix, for guest/msix-selftests.sh) leaves
# mainline's build and its export alone.
. "$(dirname "$0")/lib.sh"

# link_targets REV: the files that REV's vfio selftests reach through
# symbolic links (their drivers include the kernel drivers' register
# headers), as paths from the top of the tree.
link_targets() {
	local l
	git_tree ls-tree -r "$1" tools/testing/selftests/vfio | awk '$1 == "120000" { print $4 }' |
		while read -r l; do
			realpath -m --relative-to=/ "/$(dirname "$l")/$(git_tree cat-file -p "$1:$l")"
		done
}

# export_line_src REV DIR: what building REV's selftests reads (tools/,
# the files its links reach, what 'make headers' needs), and REV's uapi
# headers for WB_ARCH under DIR/hdr-ARCH; kept while REV is the same
# commit.
export_line_src() {
	local rev=$1 dir=$2 id karch=x86 links
	[ "$WB_ARCH" = arm64 ] && karch=arm64
	id=$(git_tree rev-parse "$rev^{commit}") || return 1
	if [ "$(cat "$dir/.rev" 2>/dev/null)" != "$id" ]; then
		links=$(link_targets "$id") || return 1
		# shellcheck disable=SC2086
		rm -rf "$dir" && mkdir -p "$dir" &&
			git_tree archive "$id" Makefile Kbuild Kconfig scripts include usr tools \
				arch/x86 arch/arm64 $links | tar -x -C "$dir" &&
			echo "$id" >"$dir/.rev" || return 1
	fi
	[ -f "$dir/hdr-$WB_ARCH/usr/include/linux/vfio.h" ] ||
		make -C "$dir" O="$dir/hdr-$WB_ARCH" ARCH="$karch" headers >/dev/null
}

mkargs=()
case $WB_LINE in
6.12)
	if [ -n "${1:-}" ]; then
		tree=$(realpath "$1")
	else
		export_selftests_src || die "cannot export tools/ of the series branch of $WB_TREE"
		tree=$WB_SELFTESTS_SRC
	fi
	out=${2:-$WB_ARCH_BUILD/selftests}
	;;
7.3)
	rev=${SELFTESTS_REV:-base}
	tree=$WB_BUILD/selftests-src-7.3
	[ "$rev" = base ] || tree=$tree-${rev//[^A-Za-z0-9._-]/_}
	run_step "exporting $rev's selftests and uapi headers from $WB_TREE" \
		"$WB_LOGS/selftests-src-7.3-$WB_ARCH.log" export_line_src "$rev" "$tree"
	mkargs=(KHDR_INCLUDES="-isystem $tree/hdr-$WB_ARCH/usr/include")
	# libvfio builds its x86-only drivers (ioat, dsa) unless ARCH says
	# otherwise; it defaults to the host's.
	[ "$WB_ARCH" = x86 ] || mkargs+=(ARCH="$WB_ARCH")
	# libvfio links -luuid. The arm64 guest's root has the library but not
	# the libuuid.so link, which only uuid-dev ships: give the linker one.
	if [ "$WB_ARCH" = arm64 ]; then
		sysroot=$("$WB_ROOT/harness/rootfs.sh") || die "no arm64 guest root to link against"
		mkdir -p "$ARM64_BUILD/link"
		ln -sfn "$sysroot/usr/lib/aarch64-linux-gnu/libuuid.so.1" "$ARM64_BUILD/link/libuuid.so"
		export LDFLAGS="-L$ARM64_BUILD/link"
	fi
	out=${2:-$WB_ARCH_BUILD/selftests-7.3}
	;;
esac
[ -f "$tree/tools/testing/selftests/vfio/Makefile" ] ||
	die "no tools/testing/selftests/vfio in $tree"
mkdir -p "$out/vfio"
out=$(realpath "$out")

run_step "building vfio selftests from $tree into ${out#"$WB_ROOT"/}" \
	"$WB_LOGS/selftests-build-$WB_LINE-$WB_ARCH.log" \
	make -C "$tree/tools/testing/selftests" TARGETS=vfio BUILD="$out" "${mkargs[@]}" \
		CROSS_COMPILE="$WB_CROSS" -j"$WB_JOBS"
ls "$out"/vfio/vfio_*_test >&2
