#!/bin/bash
# The GICv3 ITS device behind an assigned device's MSI-X (arm64, TAP): it
# must be created when MSI-X is enabled, stay private to the device while
# vectors are added after enable, and be freed when MSI-X is disabled, so
# that the next enable creates a new one. Each enable here is one run of
# the kselftest case vfio_pci_msix.grow_keeps_vector0_irq (vector 0, then
# every vector added and removed one at a time, then disable); the ITS's
# own pr_debug()s, switched on through dynamic debug, say when it creates
# an ITS device ("ITT N entries") and when it takes one it already has
# for an alias of another device ("Reusing ITT"). A kernel whose ITS
# offers no dynamic MSI-X skips: nothing is allocated after enable there.
. "$WB_ROOT/guest/lib.sh"

RUNS=2
test=$WB_ROOT/build/selftests/vfio/vfio_pci_irq_host_test
ctl=/sys/kernel/debug/dynamic_debug/control
its=drivers/irqchip/irq-gic-v3-its.c
tap_plan 3
skip_all() { for i in 1 2 3; do tap_skip "ITS device lifetime, test $i" "$1"; done; exit 0; }
[ "$(uname -m)" = aarch64 ] || skip_all "not arm64: no GICv3 ITS"
[ "$(kernel_dynamic)" = 1 ] || skip_all "the ITS of $WB_KERNEL_NAME offers no dynamic MSI-X"
[ -x "$test" ] || skip_all "no $test: run harness/selftests-build.sh"
selftests_env >/dev/null || skip_all "cannot bind the devices to vfio-pci"
echo "file $its +p" >"$ctl" 2>/dev/null || skip_all "no dynamic debug for $its in this kernel"

dmesg -C
ok=0
for i in $(seq "$RUNS"); do
	"$test" -t grow_keeps_vector0_irq >"/tmp/its-run$i.log" 2>&1 && ok=$((ok + 1))
	sed 's/^/# /' "/tmp/its-run$i.log" | grep -E 'ok |Totals|ASSERT|SKIP' || true
done
echo "file $its -p" >"$ctl"
created=$(dmesg | grep -c 'ITT [0-9]* entries') reused=$(dmesg | grep -c 'Reusing ITT')
dmesg | grep -E 'ITT|Reusing' | sed 's/^/# /'
tap_check "$RUNS enables, each growing MSI-X after enable and disabling ($ok of $RUNS runs passed)" test "$ok" -eq "$RUNS"
tap_check "no ITS device taken for an alias while the device grew (Reusing ITT: $reused)" test "$reused" -eq 0
tap_check "each enable created an ITS device, so each disable freed the last one ($created for $RUNS enables)" test "$created" -eq "$RUNS"
tap_done
