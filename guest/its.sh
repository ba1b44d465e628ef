#!/bin/bash
# The GICv3 ITS device behind an assigned device's MSI-X (arm64, TAP): it
# must be created when MSI-X is enabled, stay private to the device while
# vectors are added after enable, and be freed when MSI-X is disabled, so
# that the next enable creates a new one. Each enable here is one run of
# vfio_pci_irq_host_test's case vfio_pci_msix.grow_keeps_vector0_irq
# (vector 0, then every vector added and removed one at a time, then
# disable); the ITS's own pr_debug()s, switched on through dynamic debug,
# say when it creates an ITS device ("ITT N entries", N the events asked
# for: the table size rounded up to a power of two) and when it marks one
# shared because another device has its DeviceID ("Reusing ITT": a shared
# ITS device is never freed). A kernel whose ITS offers no dynamic MSI-X skips: nothing
# is allocated after enable there. The kernel log is read, not cleared
# (guest/debug.sh reads it too).
. "$WB_ROOT/guest/lib.sh"

RUNS=2
test=$WB_ROOT/build/selftests/vfio/vfio_pci_irq_host_test
ctl=/sys/kernel/debug/dynamic_debug/control
its=drivers/irqchip/irq-gic-v3-its.c
tap_plan 3
skip_all() { for i in 1 2 3; do tap_skip "ITS device lifetime, test $i" "$1"; done; exit 0; }
[ "$(uname -m)" = aarch64 ] || skip_all "not arm64: no GICv3 ITS"
[ "$(kernel_dynamic)" = 1 ] || skip_all "the ITS of $WB_KERNEL_NAME offers no dynamic MSI-X"
[ -x "$test" ] || skip_all "no $test: run $(host_build selftests-build.sh) on the host"
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
ok=0
for i in $(seq "$RUNS"); do
	"$test" -t grow_keeps_vector0_irq >"/tmp/its-run$i.log" 2>&1 && ok=$((ok + 1))
	sed 's/^/# /' "/tmp/its-run$i.log" | grep -E 'ok |Totals|ASSERT|SKIP' || true
done
echo "file $its -p" >"$ctl"
created=$(log | grep -c "ITT $entries entries") others=$(log | grep 'ITT [0-9]* entries' | grep -vc "ITT $entries entries")
reused=$(log | grep -c 'Reusing ITT')
log | grep -E 'ITT|Reusing' | sed 's/^/# /'
tap_check "$RUNS enables, each growing MSI-X after enable and disabling ($ok of $RUNS runs passed)" test "$ok" -eq "$RUNS"
tap_check "the ITS device was never marked shared while the device grew (Reusing ITT: $reused)" test "$reused" -eq 0
tap_check "each enable created an ITS device for $entries events, so each disable but the last is seen to free it ($created for $RUNS enables, $others of another size)" \
	test "$created" -eq "$RUNS" -a "$others" -eq 0
tap_done
