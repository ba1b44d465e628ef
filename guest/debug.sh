#!/bin/bash
# On the debug kernel (KASAN, lockdep, kmemleak): run the vfio kselftests,
# the hostile-input table (guest/hostile.sh), a KVM irqfd on a vector and
# QEMU with KVM as the client (guest/kvm.sh), a minute of concurrent
# SET_IRQS, resets and firing (guest/stress.sh) and the fault injection
# into SET_IRQS (guest/fault.sh), then check that
# the kernel saw no memory error, lock problem, sleeping in atomic context
# or leak while they ran.
. "$WB_ROOT/guest/lib.sh"

kmemleak=/sys/kernel/debug/kmemleak
[ -w "$kmemleak" ] && echo clear >"$kmemleak"
# Each phase's kernel log is read on its own; a marker at its start shows
# that the log buffer (log_buf_len=4M, see harness/vm.sh) lost nothing.
mark() { echo "wb: $1 starts" >/dev/kmsg; }
dmesg -c >/tmp/dmesg-boot.txt
mark kselftests
"$WB_ROOT/guest/selftests.sh"
tests_rc=$?
"$WB_ROOT/guest/hostile.sh" || tests_rc=1
# KVM on x86; on arm64 (no KVM under TCG here) the ITS device's lifetime.
case $(uname -m) in
aarch64) "$WB_ROOT/guest/its.sh" || tests_rc=1 ;;
*)       "$WB_ROOT/guest/kvm.sh" || tests_rc=1 ;;
esac
"$WB_ROOT/guest/stress.sh" || tests_rc=1
dmesg -c >/tmp/dmesg-selftests.txt
mark "fault injection"
"$WB_ROOT/guest/fault.sh" || tests_rc=1
# On arm64: no failed allocation left an event behind that pins the ITS
# device (the next enable must create a new one).
[ "$(uname -m)" = aarch64 ] && { "$WB_ROOT/guest/its.sh" || tests_rc=1; }
# kmemleak reports objects only once they are old enough; scan twice.
[ -w "$kmemleak" ] && { sleep 6; echo scan >"$kmemleak"; sleep 6; echo scan >"$kmemleak"; }
dmesg -c >/tmp/dmesg-fault.txt
cat /tmp/dmesg-selftests.txt /tmp/dmesg-fault.txt >/tmp/dmesg.txt

# grep's status 1 is "no match"; 2 (it could not read the log) fails.
no_match() { # no_match PATTERN LOG
	grep -E -q "$1" "$2"
	[ $? -eq 1 ]
}
warnings='^\[[ 0-9.]*\] (BUG|WARNING):|sleeping function called from invalid context|blocked for more than'
# An allocation failed by injection inside register_irq_proc() leaves
# /proc/irq/N without one of its files, which genirq does not record:
# freeing the irq then warns in remove_proc_entry() about that file. That
# is genirq's /proc bookkeeping, the same for any driver, not vfio-pci's.
# Such a report (the file's name, the warning, unregister_irq_proc() in
# its trace) is counted and shown; any other warning, including one about
# a non-empty /proc/irq/N directory (a handler left requested), fails.
fault_warnings_ok() {
	local counts
	counts=$(awk '
	{ line = $0; sub(/^\[[ 0-9.]*\] /, "", line) }
	line ~ /cut here/ { inblk = 1; nm = w = u = 0; next }
	inblk && line ~ /^name .(smp_affinity|smp_affinity_list|affinity_hint|node|effective_affinity|effective_affinity_list|spurious).$/ { nm = 1 }
	# "WARNING: CPU: 1 PID: 9 at FILE:LINE FUNC" (6.12), "WARNING: FILE:LINE at FUNC, ..." (7.3)
	inblk && line ~ /^WARNING: (.* at )?fs\/proc\/generic\.c:[0-9]+ (at )?remove_proc_entry/ { w = 1; next }
	inblk && line ~ /unregister_irq_proc/ { u = 1 }
	line ~ /^(BUG|WARNING):|sleeping function called from invalid context|blocked for more than/ { bad++; next }
	inblk && line ~ /end trace/ { inblk = 0; if (nm && w && u) known++; else if (w) bad++ }
	END { printf "%d %d\n", bad, known }' /tmp/dmesg-fault.txt)
	echo "# ${counts#* } warning(s) from genirq's /proc teardown after an injected failure in register_irq_proc(); ${counts% *} other(s)"
	[ "${counts% *}" -eq 0 ]
}
log_whole() {
	grep -q 'wb: kselftests starts' /tmp/dmesg-selftests.txt &&
		grep -q 'wb: fault injection starts' /tmp/dmesg-fault.txt
}
tap_plan 8
tap_check "debug_kernel: kernel log kept whole" log_whole
tap_check "debug_kernel: KASAN active" grep -q 'KernelAddressSanitizer initialized' /tmp/dmesg-boot.txt
tap_check "debug_kernel: kmemleak active" test -r "$kmemleak"
tap_check "debug_kernel: no KASAN report" no_match 'BUG: KASAN' /tmp/dmesg.txt
tap_check "debug_kernel: no lockdep report" no_match 'possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|WARNING: .*lock' /tmp/dmesg.txt
tap_check "debug_kernel: no BUG or WARNING in the kselftests, hostile, KVM and stress runs" no_match "$warnings" /tmp/dmesg-selftests.txt
tap_check "debug_kernel: no BUG or WARNING under fault injection, but genirq's /proc one" fault_warnings_ok
leaks() { [ -r "$kmemleak" ] && [ -z "$(cat "$kmemleak")" ]; }
tap_check "debug_kernel: kmemleak finds no leak" leaks
if [ "$tap_failed" -ne 0 ]; then
	echo "# kernel log:"
	sed 's/^/# /' /tmp/dmesg.txt | tail -n 80
	[ -r "$kmemleak" ] && sed 's/^/# /' "$kmemleak" | head -n 60
fi
[ "$tests_rc" -eq 0 ] && [ "$tap_failed" -eq 0 ]
