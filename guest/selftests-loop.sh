#!/bin/bash
# Reproducer for the rare TCG failures under the vfio kselftests (a vCPU
# that stops taking timer interrupts, QEMU aborting in iotlb_to_section):
# run the kselftest binary N times in one boot, one TAP line per run.
#
#   selftests-loop.sh [N]       (default 100)
#
# A QEMU abort or a stalled guest ends the VM before the plan is done:
# harness/vm.sh reports either as such, with the console log.
. "$WB_ROOT/guest/lib.sh"

n=${1:-100}
bin=$WB_ROOT/build/selftests/vfio/vfio_pci_irq_test
[ -x "$bin" ] || { echo "# no $bin: run harness/selftests-build.sh" >&2; exit 2; }
selftests_env >/dev/null || exit 2

tap_plan "$n"
for ((i = 1; i <= n; i++)); do
	t0=$(date +%s)
	timeout -k 5 300 "$bin" >/tmp/run.log 2>&1
	rc=$?
	desc="run $i: exit $rc in $(($(date +%s) - t0))s, $(grep -c '^not ok' /tmp/run.log) case(s) not ok"
	# Whether the binary finished is what this counts; which cases fail on
	# which kernel is the kselftest suite's business.
	if [ "$rc" -ge 124 ]; then
		tap_result fail "$desc: killed after 300 s" /tmp/run.log
	else
		tap_result ok "$desc"
	fi
done
tap_done
