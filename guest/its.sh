#!/bin/bash
# MSI-X behind 6.12's GICv3 ITS, the non-dynamic path (arm64, TAP). 6.12's
# ITS offers no dynamic MSI-X (no MSI_FLAG_PCI_MSIX_ALLOC_DYN), and the
# follow-up, a backport of the mainline series, leaves it so: arm64 gets
# dynamic MSI-X with 7.3, or with a backport of upstream's genirq/ITS
# rework. So on every 6.12 kernel here vfio-pci must report NORESIZE for
# MSI-X, and QEMU grows a vector set by disabling MSI-X and enabling
# vectors 0..n-1 again. This script proves that path:
#  - NORESIZE is set (vfio_pci_irq_test's info_noresize, expecting it);
#  - QEMU 10 assigning the igb (guest/qemu-client.sh, run whole) unmasks
#    its 10 vectors one at a time, disabling and re-enabling MSI-X for
#    each, and every vector it enabled works as that script checks;
#  - build/bin/msix-bench swaps vector 0's eventfd SWAPS times, and sets
#    the same one again SWAPS times, while the igb fires vector 0 with a
#    handshake: none lost (the follow-up keeps the irq requested, where
#    stock frees and requests it and may lose one);
#  - each enable creates an ITS device sized from the table and each
#    disable frees it: the ITS's own pr_debug()s (dynamic debug) say
#    "ITT N entries" when it creates one (N the table size rounded up to
#    a power of two) and "Reusing ITT" when it finds one that an earlier
#    enable left behind (it marks it shared, and never frees it): none;
#  - PCI/MSI never replaces the MSI-X domain of a table whose size did not
#    change (no "MSI-X domain size ... differs" warning).
# Not here: firing while MSI-X is disabled and enabled again. Under TCG
# that broke 6.12 arm64 guests now and then, with and without the
# follow-up: an LPI in flight while its irq is freed once went to
# handle_bad_irq(), which does not EOI it, and the guest stalled (the
# GIC's running priority held back the timer); on stock it once oopsed
# in irq_chip_eoi_parent() after "Unexpected interrupt". Code neither
# kernel changes, and no test of the path QEMU takes.
# A kernel whose ITS allocates after enable (7.3) skips. The kernel log is
# read, not cleared (guest/debug.sh reads it too).
. "$WB_ROOT/guest/lib.sh"

SWAPS=${ITS_SWAPS:-50}
test=$WB_ROOT/build/selftests/vfio/vfio_pci_irq_test
bench=$WB_ROOT/build/bin/msix-bench
ctl=/sys/kernel/debug/dynamic_debug/control
its=drivers/irqchip/irq-gic-v3-its.c
N=6
tap_plan $N
skip_all() { for i in $(seq $N); do tap_skip "ITS non-dynamic path, test $i" "$1"; done; exit 0; }
[ "$(uname -m)" = aarch64 ] || skip_all "not arm64: no GICv3 ITS"
[ "$(kernel_dynamic)" = 0 ] || skip_all "the ITS of $WB_KERNEL_NAME offers dynamic MSI-X: not the 6.12 path"
[ -x "$test" ] || skip_all "no $test: run $(host_build selftests-build.sh) on the host"
[ -x "$bench" ] || skip_all "no $bench: run WB_ARCH=arm64 harness/tools-build.sh msix-bench on the host"
selftests_env >/dev/null || skip_all "cannot bind the devices to vfio-pci"
echo "file $its +p" >"$ctl" 2>/dev/null || skip_all "no dynamic debug for $its in this kernel"

# The igb's MSI-X table size, from its capability (ID 17) in config space.
table_size() {
	od -An -v -tu1 "/sys/bus/pci/devices/$IGB_BDF/config" | tr -s ' \n' '\n' | sed '/^$/d' |
		awk '{ b[NR - 1] = $1 } END {
			for (p = b[52]; p; p = b[p + 1])
				if (b[p] == 17) { print (b[p + 2] + 256 * b[p + 3]) % 2048 + 1; exit } }'
}
pow2() { local n=1; while [ "$n" -lt "$1" ]; do n=$((n * 2)); done; echo "$n"; }
entries=$(pow2 "$(table_size)")
mark="wb-its: start $$"
echo "$mark" >/dev/kmsg
log() { dmesg | sed -n "/$mark/,\$p"; }

"$test" -t info_noresize >/tmp/its-noresize.log 2>&1
rc=$?
sed 's/^/# /' /tmp/its-noresize.log | grep -E 'ok |NORESIZE|Totals|ASSERT|SKIP' || true
tap_check "MSI-X reports NORESIZE behind 6.12's ITS" test "$rc" -eq 0

"$WB_ROOT/guest/qemu-client.sh" >/tmp/its-qemu.log 2>&1
rc=$?
cycles=$(sed -n 's/^# disable\/re-enable cycles: \([0-9]*\) .*/\1/p' /tmp/its-qemu.log)
grep -E '^not ok|disable/re-enable cycles' /tmp/its-qemu.log | sed 's/^/# qemu-client: /'
tap_check "QEMU grew the igb's MSI-X one vector at a time by disabling and re-enabling it (guest/qemu-client.sh: exit $rc, ${cycles:-?} disable/re-enable cycles)" \
	test "$rc" -eq 0 -a "${cycles:-0}" -gt 0

"$bench" -k "$WB_KERNEL_NAME" -R 0 -s "$SWAPS" - "$IGB_BDF" >/tmp/its-bench.log 2>&1
rc=$?
echo "file $its -p" >"$ctl"
grep -E ',swap,|^#' /tmp/its-bench.log | sed 's/^/# msix-bench: /'
val() { awk -F, -v m="$1" -v p="$2" -v s="$3" '$2 == m && $3 == p && $5 == s { print $6; exit }' /tmp/its-bench.log; }
swap_fired=$(val swap swap fired) swap_lost=$(val swap swap lost)
same_fired=$(val swap same fired) same_lost=$(val swap same lost)
tap_check "no interrupt lost while vector 0's eventfd was swapped $SWAPS times, and set again $SWAPS times, as it fired (exit $rc; lost ${swap_lost:-?} of ${swap_fired:-?}, ${same_lost:-?} of ${same_fired:-?})" \
	test "$rc" -eq 0 -a "${swap_lost:-1}" -eq 0 -a "${same_lost:-1}" -eq 0 -a "${swap_fired:-0}" -gt 0 -a "${same_fired:-0}" -gt 0

created=$(log | grep -c "ITT $entries entries") others=$(log | grep 'ITT [0-9]* entries' | grep -vc "ITT $entries entries")
reused=$(log | grep -c 'Reusing ITT')
replaced=$(log | grep -c 'MSI-X domain size .* differs')
log | grep -E 'ITT|Reusing|differs' | sed 's/^\[[^]]*\] *//' | sort | uniq -c | sed 's/^ */# /'
# QEMU enables MSI-X at least once per cycle, msix-bench at least twice.
tap_check "each enable created an ITS device for $entries events, none of another size ($created for at least $((${cycles:-0} + 2)) enables, $others of another size)" \
	test "$created" -ge $((${cycles:-0} + 2)) -a "$others" -eq 0
tap_check "each disable freed the ITS device: none found again and marked shared (Reusing ITT: $reused)" test "$reused" -eq 0
tap_check "the MSI-X domain of a table that kept its size was never replaced ($replaced warnings)" test "$replaced" -eq 0
tap_done
