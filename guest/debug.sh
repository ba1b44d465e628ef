#!/bin/bash
# On the debug kernel (KASAN, lockdep, kmemleak): run the vfio kselftests,
# then check that the kernel saw no memory error, lock problem, sleeping in
# atomic context or leak while they ran. (Slab fault injection on the test
# process is not run here: a failure injected into the guest's 9p root
# breaks that mount for every later command.)
. "$WB_ROOT/guest/lib.sh"

kmemleak=/sys/kernel/debug/kmemleak
[ -w "$kmemleak" ] && echo clear >"$kmemleak"
dmesg -c >/tmp/boot-dmesg.txt
"$WB_ROOT/guest/selftests.sh"
tests_rc=$?

# kmemleak reports objects only once they are old enough; scan twice.
[ -w "$kmemleak" ] && { sleep 6; echo scan >"$kmemleak"; sleep 6; echo scan >"$kmemleak"; }
log=/tmp/dmesg.txt
dmesg >"$log"
# grep's status 1 is "no match"; 2 (it could not read the log) fails.
no_match() {
	grep -E -q "$1" "$log"
	[ $? -eq 1 ]
}
tap_plan 6
tap_check "debug_kernel: KASAN active" grep -q 'KernelAddressSanitizer initialized' /tmp/boot-dmesg.txt
tap_check "debug_kernel: kmemleak active" test -r "$kmemleak"
tap_check "debug_kernel: no KASAN report" no_match 'BUG: KASAN'
tap_check "debug_kernel: no lockdep report" no_match 'possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|WARNING: .*lock'
tap_check "debug_kernel: no BUG or WARNING" no_match '^\[[ 0-9.]*\] (BUG|WARNING):|sleeping function called from invalid context'
leaks() { [ -r "$kmemleak" ] && [ -z "$(cat "$kmemleak")" ]; }
tap_check "debug_kernel: kmemleak finds no leak" leaks
if [ "$tap_failed" -ne 0 ]; then
	echo "# kernel log:"
	sed 's/^/# /' "$log" | tail -n 80
	[ -r "$kmemleak" ] && sed 's/^/# /' "$kmemleak" | head -n 60
fi
[ "$tests_rc" -eq 0 ] && [ "$tap_failed" -eq 0 ]
