#!/bin/bash
# On the debug kernel (KASAN, lockdep, kmemleak): run the vfio kselftests
# and the fault injection into SET_IRQS (guest/fault.sh), then check that
# the kernel saw no memory error, lock problem, sleeping in atomic context
# or leak while they ran.
. "$WB_ROOT/guest/lib.sh"

kmemleak=/sys/kernel/debug/kmemleak
[ -w "$kmemleak" ] && echo clear >"$kmemleak"
dmesg -c >/tmp/dmesg-boot.txt
"$WB_ROOT/guest/selftests.sh"
tests_rc=$?
dmesg -c >/tmp/dmesg-selftests.txt
"$WB_ROOT/guest/fault.sh" || tests_rc=1
# kmemleak reports objects only once they are old enough; scan twice.
[ -w "$kmemleak" ] && { sleep 6; echo scan >"$kmemleak"; sleep 6; echo scan >"$kmemleak"; }
dmesg -c >/tmp/dmesg-fault.txt
cat /tmp/dmesg-selftests.txt /tmp/dmesg-fault.txt >/tmp/dmesg.txt

# grep's status 1 is "no match"; 2 (it could not read the log) fails.
no_match() { # no_match PATTERN LOG
	grep -E -q "$1" "$2"
	[ $? -eq 1 ]
}
warnings='^\[[ 0-9.]*\] (BUG|WARNING):|sleeping function called from invalid context'
# An allocation failed by injection inside register_irq_proc() leaves
# /proc/irq/N without some of its files, which genirq does not record:
# freeing the irq then warns in remove_proc_entry(). That is genirq's
# /proc bookkeeping, the same for any driver, not vfio-pci's: it is
# counted and shown, and any other warning fails.
genirq_proc='WARNING: .* at fs/proc/generic\.c:[0-9]+ remove_proc_entry'
fault_warnings_ok() {
	local n
	n=$(grep -E -c "$genirq_proc" /tmp/dmesg-fault.txt)
	echo "# $n warning(s) from genirq's /proc teardown after an injected failure in register_irq_proc()"
	grep -E "$warnings" /tmp/dmesg-fault.txt | grep -E -v -q "$genirq_proc"
	[ $? -eq 1 ]
}
tap_plan 7
tap_check "debug_kernel: KASAN active" grep -q 'KernelAddressSanitizer initialized' /tmp/dmesg-boot.txt
tap_check "debug_kernel: kmemleak active" test -r "$kmemleak"
tap_check "debug_kernel: no KASAN report" no_match 'BUG: KASAN' /tmp/dmesg.txt
tap_check "debug_kernel: no lockdep report" no_match 'possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|WARNING: .*lock' /tmp/dmesg.txt
tap_check "debug_kernel: no BUG or WARNING in the kselftests" no_match "$warnings" /tmp/dmesg-selftests.txt
tap_check "debug_kernel: no BUG or WARNING under fault injection, but genirq's /proc one" fault_warnings_ok
leaks() { [ -r "$kmemleak" ] && [ -z "$(cat "$kmemleak")" ]; }
tap_check "debug_kernel: kmemleak finds no leak" leaks
if [ "$tap_failed" -ne 0 ]; then
	echo "# kernel log:"
	sed 's/^/# /' /tmp/dmesg.txt | tail -n 80
	[ -r "$kmemleak" ] && sed 's/^/# /' "$kmemleak" | head -n 60
fi
[ "$tests_rc" -eq 0 ] && [ "$tap_failed" -eq 0 ]
