#!/bin/bash
# Run the vfio selftests (built on the host by harness/selftests-build.sh)
# against the igb and the nvme: selftests.sh [TEST ARGS...], e.g.
# '-f vfio_pci_msix' to run one fixture. Exit status: failure of any test.
. "$WB_ROOT/guest/lib.sh"

bindir=$WB_ROOT/build/selftests/vfio
[ -x "$bindir/vfio_pci_irq_test" ] ||
	{ echo "# no $bindir/vfio_pci_irq_test: run $(host_build selftests-build.sh) on the host" >&2; exit 2; }

selftests_env || exit 2

# A test task stuck in the kernel cannot be killed by the harness's own
# timeout, and the VM timeout then leaves a silent console. After
# SELFTEST_HANG_S, print what every task of the test and every task in D
# state waits in (state, wchan, syscall, and the stack where the kernel
# has one), kill the test and fail.
SELFTEST_HANG_S=${SELFTEST_HANG_S:-600}
dump_stuck() { # dump_stuck PID
	local p t st
	for p in /proc/[0-9]*; do
		st=$(awk '{ print $3 }' "$p/stat" 2>/dev/null) || continue
		[ "$st" = D ] || [ "$(awk '{ print $4 }' "$p/stat" 2>/dev/null)" = "$1" ] ||
			[ "${p#/proc/}" = "$1" ] || continue
		echo "# stuck? pid ${p#/proc/} ($(cat "$p/comm" 2>/dev/null)) state $st"
		for t in "$p"/task/*; do
			echo "#   task ${t##*/}: state $(awk '{ print $3 }' "$t/stat" 2>/dev/null)," \
				"wchan $(cat "$t/wchan" 2>/dev/null), syscall $(cat "$t/syscall" 2>/dev/null)"
			sed 's/^/#     /' "$t/stack" 2>/dev/null || true
		done
	done
	grep -E 'vfio' /proc/interrupts | sed 's/^/# /' || true
}
# with_times: the test's output as it is, and after each result a
# "# time: NAME S s" line: what each case costs on this kernel, the figure
# its time limit is set from.
with_times() {
	local line name t0=$EPOCHREALTIME
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case $line in
		"#  RUN "*) t0=$EPOCHREALTIME ;;
		"ok "* | "not ok "*)
			name=${line#not } name=${name#ok } name=${name#* }
			awk -v n="${name%% *}" -v a="$t0" -v b="$EPOCHREALTIME" \
				'BEGIN { printf "# time: %s %.1f s\n", n, b - a }' ;;
		esac
	done
}
run_watched() { # run_watched TEST ARGS...
	local pid s
	"$@" &
	pid=$!
	for ((s = 0; s < SELFTEST_HANG_S; s++)); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid"; return; }
		sleep 1
	done
	echo "# $(basename "$1") still running after ${SELFTEST_HANG_S}s: hung"
	dump_stuck "$pid"
	pkill -9 -P "$pid" || true
	kill -9 "$pid" 2>/dev/null
	return 1
}

rc=0
for t in "$bindir"/vfio_*_test; do
	echo "# $(basename "$t")"
	t0=$(date +%s%N)
	run_watched "$t" "$@" 2>&1 | with_times
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	echo "# $(basename "$t"): exit $rc, $((($(date +%s%N) - t0) / 1000000)) ms"
done
exit $rc
