#!/usr/bin/env bash
# Build the vfio selftests on the host, for guest/selftests.sh to run:
#
#   selftests-build.sh [TREE [OUT]]
#
# TREE is a kernel source tree with tools/testing/selftests/vfio (default:
# the workbench tree); the binaries go to OUT/vfio (default build/selftests).
# Nothing kernel-side is built: the tests use the host's uapi headers when
# TREE has no usr/include from 'make headers'.
. "$(dirname "$0")/lib.sh"

tree=$(realpath "${1:-$WB_TREE}")
out=${2:-$WB_BUILD/selftests}
[ -f "$tree/tools/testing/selftests/vfio/Makefile" ] ||
	die "no tools/testing/selftests/vfio in $tree"
mkdir -p "$out/vfio"
out=$(realpath "$out")

run_step "building vfio selftests from $tree into ${out#"$WB_ROOT"/}" \
	"$WB_LOGS/selftests-build.log" \
	make -C "$tree/tools/testing/selftests" TARGETS=vfio BUILD="$out" \
		-j"$WB_JOBS"
ls "$out"/vfio/vfio_* >&2
