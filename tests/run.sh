#!/usr/bin/env bash
# `make check` (and check-more, check-all, SERIES=NAME): the tests of the
# project, on the kernels of both lines side by side. CHECK_SET below says
# which kernels each runs.
#   1. hygiene of each series whose kernels run (per-patch builds, sparse,
#      checkpatch, ...), unless its hygiene-passed shows that what it
#      reads is unchanged; beside it, the follow-up's git am on every
#      linux-source-6.12 the archive serves
#   2. kernel builds: 6.12's stock, baseline, series and followup, 7.3's
#      stock73 and mainline (test, vfio as modules), debug builds (KASAN,
#      lockdep, kmemleak, fault injection, vfio built in) and arm64 ones;
#      each new output directory starts as a copy of a built one (seed_out
#      in harness/kbuild.sh)
#   3. the workbench's own tests
#   4. in the VM, per kernel, two guests at a time: the vfio kselftests,
#      the mainline series' MSI-X kselftests, QEMU 10 as the client (under
#      TCG, and with KVM next to a bare KVM_IRQFD on a vector), an NVMe
#      VF's MSI-X table resized by its PF (nvme-cli) and a table of
#      hostile SET_IRQS/GET_IRQ_INFO calls (the debug kernels: hostile,
#      stress, fault injection and KVM); mainline's own vfio selftests on
#      stock 7.3 and the mainline series; on arm64 (virt, GICv3 ITS,
#      SMMUv3) the kselftests and the QEMU client test, on the follow-up
#      6.12's non-dynamic ITS path (guest/its.sh: NORESIZE kept, QEMU's
#      disable and re-enable, ITS devices freed on disable), on 7.3 the
#      dynamic one (the MSI-X kselftests, the resize test)
#   5. the short benchmark on the 6.12 test kernels, alone on the machine
# Results go to build/results/ (results-more, results-NAME); a table of
# the kernels side by side and a closing "N passed, N failed, N skipped"
# line end the run.
. "$(dirname "$0")/../harness/lib.sh"
. "$WB_ROOT/harness/tap.sh"
set +e

t_start=${WB_T0:-$(date +%s)}
# Which kernels (CHECK_SET; each kernel's suites in kernel_suites below).
# Both lines with every variant need six cold builds (about 15 min each
# here) and do not fit a cold run's budget of 85 min on a 2-core machine,
# so the matrix is cut in two:
#  default (make check, CI): the test kernels of both lines, and the debug
#    kernel of the 7.3 line, where the mainline series is developed: three
#    cold builds (x86 test for each line, x86 debug for 7.3);
#  more (make check-more): the 6.12 debug kernels, stock73-debug and the
#    arm64 kernels of both lines: three cold builds more;
#  all (make check-all): both in one run.
# CHECK_SERIES (make check SERIES=NAME): one series alone, from both sets:
# its kernels, its line's stock ones (the baseline too for the series,
# whose base it is) and its hygiene, in build/results-NAME.
DEFAULT_KERNELS=(stock baseline series followup stock73 mainline mainline-debug)
# Kernels build in this order; the 7.3 ones come first in the second set,
# as make check has usually built their neighbours, and the 7.3 tree is
# then free for other work while the 6.12 ones build.
MORE_KERNELS=(stock73-debug stock73-arm64 mainline-arm64 stock-debug
	      series-debug followup-debug stock-arm64 series-arm64 followup-arm64)
R=$WB_BUILD/results
case ${CHECK_SET:-default} in
default) KERNELS=("${DEFAULT_KERNELS[@]}") ;;
more)    KERNELS=("${MORE_KERNELS[@]}") R=$WB_BUILD/results-more ;;
all)     KERNELS=("${DEFAULT_KERNELS[@]}" "${MORE_KERNELS[@]}") ;;
*)       die "unknown CHECK_SET=$CHECK_SET (default, more or all)" ;;
esac
case ${CHECK_SERIES:-} in
"") ;;
series | followup | mainline)
	keep=()
	for k in "${DEFAULT_KERNELS[@]}" "${MORE_KERNELS[@]}"; do
		case ${k%%-*} in
		"$CHECK_SERIES") keep+=("$k") ;;
		stock) [ "$CHECK_SERIES" != mainline ] && keep+=("$k") ;;
		stock73) [ "$CHECK_SERIES" = mainline ] && keep+=("$k") ;;
		baseline) [ "$CHECK_SERIES" = series ] && keep+=("$k") ;;
		esac
	done
	KERNELS=("${keep[@]}") R=$WB_BUILD/results-$CHECK_SERIES ;;
*) die "unknown CHECK_SERIES=$CHECK_SERIES (series, followup or mainline)" ;;
esac
one_series() { [ -n "${CHECK_SERIES:-}" ]; }
# has_kernel PATTERN: a kernel of this run matches the shell PATTERN.
has_kernel() {
	local k
	for k in "${KERNELS[@]}"; do
		# shellcheck disable=SC2053
		[[ $k == $1 ]] && return 0
	done
	return 1
}
# The series whose kernels run, hygiene checked for each.
SERIES_NAMES=
has_kernel 'series*' && SERIES_NAMES+=" series"
has_kernel 'followup*' && SERIES_NAMES+=" followup"
has_kernel 'mainline*' && SERIES_NAMES+=" mainline-msi mainline-vfio mainline-rfc"
rm -rf "$R"
mkdir -p "$R"

# tap_recorded DESCRIPTION WHY: a check not run, as one skipped TAP line.
tap_recorded() { tap_plan 1; tap_skip "$1" "$2"; }

# suite NAME CMD...: run CMD, keep its TAP in $R/NAME.tap, echo it.
suite() {
	local name=$1
	shift
	say "suite $name"
	"$@" 2>&1 | tee "$R/$name.tap"
	echo "# exit ${PIPESTATUS[0]}" >>"$R/$name.tap"
}

# Builds, each one TAP line.
builds() {
	local k v
	tap_plan ${#KERNELS[@]}
	for k in "${KERNELS[@]}"; do
		v=test
		[[ $k == *-* ]] && v=${k#*-}
		if "$WB_ROOT/harness/kernel.sh" "${k%%-*}" "$v" >/dev/null; then
			tap_result ok "build kernel_${k%%-*}-$v"
		else
			tap_result fail "build kernel_${k%%-*}-$v (log: build/logs/kernel-${k%%-*}-$v.log)"
		fi
	done
}

# The project's tools and kselftests come from the 6.12 tree on either line.
WB_LINE=6.12 "$WB_ROOT/harness/tools-build.sh" >/dev/null 2>"$R/tools-build.log" || { cat "$R/tools-build.log"; die "building the host tools failed"; }
WB_LINE=6.12 "$WB_ROOT/harness/selftests-build.sh" >/dev/null 2>"$R/selftests-build.log" || { cat "$R/selftests-build.log"; die "building the kselftests failed"; }
# The project's MSI-X kselftests: patches of the mainline series (vfio:
# selftests:) to mainline's tools/testing/selftests/vfio, built once from
# the 7.3 tree's mainline branch and run on every x86 kernel of either
# line and the 7.3 arm64 ones (guest/msix-selftests.sh; they open the
# device through the VFIO container, which 6.12 has).
WB_LINE=7.3 SELFTESTS_REV=mainline "$WB_ROOT/harness/selftests-build.sh" - \
	"$WB_ROOT/build/selftests-7.3-msix" >/dev/null 2>>"$R/selftests-build.log" ||
	{ cat "$R/selftests-build.log"; die "building the MSI-X kselftests (the 7.3 tree's mainline branch) failed"; }
# Mainline's own vfio selftests, from the 7.3 tree, for the 7.3 kernels.
if has_kernel 'stock73*' || has_kernel 'mainline*'; then
	WB_LINE=7.3 "$WB_ROOT/harness/selftests-build.sh" >/dev/null 2>>"$R/selftests-build.log" ||
		{ cat "$R/selftests-build.log"; die "building mainline's vfio selftests failed"; }
fi
# The arm64 guests run the QEMU client test, the kselftests and (its.sh)
# msix-bench, cross-built; on 7.3 also mainline's selftests and the MSI-X
# kselftests.
if has_kernel '*-arm64'; then
	WB_ARCH=arm64 "$WB_ROOT/harness/tools-build.sh" msix-qtest libvfio-irqlog msix-bench msix-resize >/dev/null 2>>"$R/tools-build.log" ||
		{ cat "$R/tools-build.log"; die "building the arm64 tools failed"; }
	WB_ARCH=arm64 WB_LINE=6.12 "$WB_ROOT/harness/selftests-build.sh" >/dev/null 2>>"$R/selftests-build.log" ||
		{ cat "$R/selftests-build.log"; die "building the arm64 kselftests failed"; }
	if has_kernel 'stock73-arm64' || has_kernel 'mainline-arm64'; then
		WB_ARCH=arm64 WB_LINE=7.3 "$WB_ROOT/harness/selftests-build.sh" >/dev/null 2>>"$R/selftests-build.log" &&
			WB_ARCH=arm64 WB_LINE=7.3 SELFTESTS_REV=mainline "$WB_ROOT/harness/selftests-build.sh" - \
				"$ARM64_BUILD/selftests-7.3-msix" >/dev/null 2>>"$R/selftests-build.log" ||
			{ cat "$R/selftests-build.log"; die "building the arm64 7.3 selftests failed"; }
	fi
fi
# The archive check downloads and unpacks every linux-source-6.12 the
# archive serves (94 s for seven, downloads and one xz stream at a time):
# it runs beside the builds, when the follow-up is checked.
archive_pid=
if [[ " $SERIES_NAMES " == *" followup "* ]]; then
	say "suite archive-check (beside the builds)"
	"$WB_ROOT/harness/archive-check.sh" "$WB_ROOT/followup" >"$R/archive-check.tap" 2>&1 &
	archive_pid=$!
fi
# hygiene_record NAME: when series NAME's hygiene record holds (read on
# NAME's line), prints what it records as checked.
hygiene_record() {
	local line=6.12
	case $1 in mainline-*) line=7.3 ;; esac
	WB_LINE=$line bash -c '. "$1/harness/lib.sh" && hygiene_current "$2" &&
		sed -n "s/^checks: //p" "$(series_dir "$2")/hygiene-passed"' - "$WB_ROOT" "$1"
}
# A series' hygiene (per-patch builds, sparse, checkpatch, ...: 12-30
# min cold) is deterministic: it runs here when what it reads changed
# since the passing run that NAME/hygiene-passed records (hygiene_inputs
# in lib.sh: patches, base, work tree commits, configs, scripts, tool
# versions), or always with HYGIENE=all or `make hygiene`. Either way the
# series' kernels are built and tested below.
# The 7.3 line's sparse is built, and its records hash it: build it first.
if [[ $SERIES_NAMES == *mainline-* ]]; then
	WB_LINE=7.3 "$WB_ROOT/harness/sparse-build.sh" >/dev/null || die "building the 7.3 line's sparse failed"
fi
for s in $SERIES_NAMES; do
	name=hygiene
	[ "$s" = series ] || name=hygiene-$s
	if [ "${HYGIENE:-}" != all ] && checked=$(hygiene_record "$s"); then
		suite "$name" tap_recorded "$s: per-patch hygiene" \
			"unchanged since the passing run its hygiene-passed records ($checked); make hygiene runs it"
	else
		suite "$name" "$WB_ROOT/harness/hygiene.sh" "$s"
	fi
done
suite builds builds
if [ -n "$archive_pid" ]; then
	wait "$archive_pid"
	echo "# exit $?" >>"$R/archive-check.tap"
	cat "$R/archive-check.tap"
fi
# The workbench's own tests boot stock 6.12 and a debug kernel (fault
# injection): the first debug kernel of the run.
debug_kernel=
for k in "${KERNELS[@]}"; do
	[[ $k == *-debug ]] && { debug_kernel=$k; break; }
done
if one_series; then
	suite workbench tap_recorded "the workbench's own tests" "SERIES=$CHECK_SERIES checks one series; make check runs them"
elif [ "${CHECK_SET:-default}" = more ]; then
	suite workbench tap_recorded "the workbench's own tests" "make check runs them"
else
	suite workbench env WB_SELFTEST_DEBUG_KERNEL="$debug_kernel" "$WB_ROOT/tests/workbench.sh"
fi
# kernel_suites K: the guest suites of kernel K, in order.
kernel_suites() {
	local k=$1 script=selftests.sh
	[[ $k == *-debug ]] && script=debug.sh
	suite "selftests@$k" "$WB_ROOT/harness/vm.sh" "$k" "$WB_ROOT/guest/$script"
	# Mainline's own selftests on stock 7.3 (x86 and arm64) and the
	# mainline series, side by side: 511 s on stock73 on an idle host
	# (vfio_pci_driver_test's memcpy_storm alone runs 60 s per IOMMU
	# mode), so the guest gets twice the default time.
	case $k in
	stock73 | mainline | stock73-arm64)
		suite "mainline-selftests@$k" env VM_NVME_SRIOV=1 VM_TIMEOUT=1800 "$WB_ROOT/harness/vm.sh" "$k" \
			"$WB_ROOT/guest/mainline-selftests.sh"
		;;
	esac
	# The MSI-X kselftests of the mainline series: about 30 s on a test
	# kernel, 2-5 min on a debug one. Not on the baseline, which has no
	# dynamic MSI-X to test, nor on 6.12's arm64 kernels, whose ITS has
	# none either (its.sh tests the path QEMU takes there).
	case $k in
	baseline* | stock-arm64 | series-arm64 | followup-arm64) ;;
	*) suite "msix-selftests@$k" "$WB_ROOT/harness/vm.sh" "$k" "$WB_ROOT/guest/msix-selftests.sh" ;;
	esac
	case $k in
	*-arm64)
		suite "qemu-client@$k" "$WB_ROOT/harness/vm.sh" "$k" "$WB_ROOT/guest/qemu-client.sh"
		# 6.12's ITS offers no dynamic MSI-X, with the follow-up too:
		# its.sh proves the path QEMU takes there (NORESIZE, disable and
		# re-enable, ITS devices freed on disable, no domain replaced).
		[ "$k" = followup-arm64 ] &&
			suite "its@$k" "$WB_ROOT/harness/vm.sh" "$k" "$WB_ROOT/guest/its.sh"
		# 7.3's ITS allocates after enable: the VF table resized by its
		# PF, behind the ITS (msi_prepare sizes the ITS device per domain).
		case $k in
		stock73-arm64 | mainline-arm64)
			suite "resize@$k" env VM_NVME_SRIOV=1 "$WB_ROOT/harness/vm.sh" "$k" "$WB_ROOT/guest/resize.sh" ;;
		esac
		;;
	*-*) ;;
	*)
		suite "qemu-client@$k" "$WB_ROOT/harness/vm.sh" "$k" "$WB_ROOT/guest/qemu-client.sh"
		suite "kvm@$k" "$WB_ROOT/harness/vm.sh" "$k" "$WB_ROOT/guest/kvm.sh"
		suite "resize@$k" env VM_NVME_SRIOV=1 "$WB_ROOT/harness/vm.sh" "$k" "$WB_ROOT/guest/resize.sh"
		suite "hostile@$k" "$WB_ROOT/harness/vm.sh" "$k" "$WB_ROOT/guest/hostile.sh"
		;;
	esac
	return 0
}
# Two guests at a time: a guest's TCG runs in one host thread, so one
# guest leaves the second core idle. Each kernel goes to the queue with
# less work so far, the longest first, by what its suites took in a cold
# run with the other queue busy (suite_cost, seconds). Each queue says
# which kernel it starts, and its output is printed when both are done.
queue() { # queue LOG KERNEL...
	local log=$1 k
	shift
	: >"$log"
	for k in "$@"; do
		say "$(basename "$log" .log): $k"
		kernel_suites "$k" >>"$log" 2>&1
	done
}
suite_cost() {
	case $1 in
	stock73-arm64)        echo 900 ;;  # mainline's selftests under arm64 TCG
	stock73 | mainline)   echo 700 ;;  # mainline's selftests
	*-debug)              echo 600 ;;
	mainline-arm64)       echo 200 ;;
	*-arm64)              echo 60 ;;
	*)                    echo 150 ;;
	esac
}
queue1=() queue2=() w1=0 w2=0
while read -r c k; do
	if [ "$w1" -le "$w2" ]; then
		queue1+=("$k") w1=$((w1 + c))
	else
		queue2+=("$k") w2=$((w2 + c))
	fi
done < <(for k in "${KERNELS[@]}"; do echo "$(suite_cost "$k") $k"; done | sort -s -k1,1nr)
t0=$(date +%s)
say "guest suites in two queues: ${queue1[*]} | ${queue2[*]}"
queue "$R/queue-1.log" "${queue1[@]}" &
q1=$!
queue "$R/queue-2.log" "${queue2[@]}" &
q2=$!
wait "$q1" "$q2"
cat "$R/queue-1.log" "$R/queue-2.log"
say "guest suites: $(($(date +%s) - t0))s"

# The short benchmark on the 6.12 test kernels: its targets as TAP (full
# runs: make bench, make bench-7.3).
bench_kernels=$(printf '%s\n' "${KERNELS[@]}" | grep -vx -e '.*-.*' -e stock73 -e mainline | tr '\n' ' ')
[ -z "${bench_kernels// }" ] || suite bench-short env WB_LINE=6.12 BENCH_SHORT=1 BENCH_IDLE_WAIT=0 \
	BENCH_KERNELS="$bench_kernels" "$WB_ROOT/bench/run.sh"

KERNEL_ORDER="${KERNELS[*]}" "$WB_ROOT/tests/report.sh" "$R" "$WB_ROOT/tests/expected-failures"
rc=$?
say "make check took $(($(date +%s) - t_start))s"
tail -n 1 "$R/summary.txt"
exit $rc
