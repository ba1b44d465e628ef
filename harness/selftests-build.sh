#!/usr/bin/env bash
# Build the vfio selftests on the host, for guest/selftests.sh to run:
#
#   selftests-build.sh [TREE [OUT]]
#
# TREE is a kernel source tree with tools/testing/selftests/vfio. By
# default the tests come from the work tree's followup branch: its
# selftest patches are the series' (same code) plus the cases for what
# the follow-up adds, so one binary runs on every kernel and the report
# compares them test by test. The binaries go to OUT/vfio (default
# build/selftests; with WB_ARCH=arm64, cross-built into
# build/arm64/selftests). Nothing kernel-side is built: the tests use the host's
# uapi headers when TREE has no usr/include from 'make headers'.
. "$(dirname "$0")/lib.sh"

if [ -n "${1:-}" ]; then
	tree=$(realpath "$1")
else
	export_selftests_src || die "cannot export tools/ of the followup branch of $WB_TREE"
	tree=$WB_SELFTESTS_SRC
fi
out=${2:-$WB_ARCH_BUILD/selftests}
[ -f "$tree/tools/testing/selftests/vfio/Makefile" ] ||
	die "no tools/testing/selftests/vfio in $tree"
mkdir -p "$out/vfio"
out=$(realpath "$out")

run_step "building vfio selftests from $tree into ${out#"$WB_ROOT"/}" \
	"$WB_LOGS/selftests-build-$WB_ARCH.log" \
	make -C "$tree/tools/testing/selftests" TARGETS=vfio BUILD="$out" \
		CROSS_COMPILE="$WB_CROSS" -j"$WB_JOBS"
ls "$out"/vfio/vfio_* >&2
