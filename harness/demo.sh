#!/usr/bin/env bash
# `make demo`: build the kernel with the series, boot it in QEMU with an
# igb behind an emulated intel-iommu, and show vfio-pci adding MSI-X vectors
# one at a time for QEMU 10 (guest/demo.sh). Expects `make tree` done.
#
# WB_LINE=7.3 (`make demo-7.3`): stock v7.3.4 and the mainline series, one
# boot each, with an NVMe VF whose table its PF resizes from 2 to 6
# entries: what the series changes for QEMU (guest/demo-7.3.sh), then the
# two kernels' outcome side by side. Expects `make tree-7.3` done.
. "$(dirname "$0")/lib.sh"

case $WB_LINE in
7.3) kernels=(stock73 mainline) script=demo-7.3.sh vm_env=(VM_NVME_SRIOV=1) ;;
*)   kernels=(series) script=demo.sh vm_env=() ;;
esac
t0=$(date +%s)
for k in "${kernels[@]}"; do "$WB_ROOT/harness/kernel.sh" "$k" test >/dev/null || exit; done
# The guest tools build from the 6.12 tree on either line (its series
# branch has the vfio selftest library they link).
WB_LINE=6.12 "$WB_ROOT/harness/tools-build.sh"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for k in "${kernels[@]}"; do
	rc=0
	env "${vm_env[@]}" "$WB_ROOT/harness/vm.sh" "$k" "$WB_ROOT/guest/$script" | tee "$out/$k" || rc=$?
done
# The series' kernel decides the exit status: the last one booted.
if [ ${#kernels[@]} -gt 1 ]; then
	echo "== side by side:"
	for k in "${kernels[@]}"; do sed -n "s/^# demo: /$k: /p" "$out/$k"; done
fi
say "demo finished in $(($(date +%s) - t0))s (exit $rc)"
exit "$rc"
