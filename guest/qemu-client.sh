#!/bin/bash
# QEMU 10 as the vfio-pci client (TAP; exit status = failures):
#
#   vm.sh KERNEL guest/qemu-client.sh [VECTORS [BDF]]
#
# VECTORS defaults to 10 (the igb's whole table), BDF to the igb.
# Binds the device to vfio-pci and assigns it to a nested QEMU (TCG, -S) that
# is driven over qtest by build/bin/msix-qtest the way a Linux guest driver
# drives MSI-X: enable with everything masked, then program and unmask
# vectors 0..N-1 one at a time (one request_irq() each). What QEMU asks of
# vfio-pci is read from its own trace (vfio_msix_*) and from
# libvfio-irqlog.so, an LD_PRELOAD shim that logs each VFIO_DEVICE_SET_IRQS;
# what the kernel did is read from /proc/interrupts after every step.
#
# Expectations follow the kernel's answer to GET_IRQ_INFO (QEMU's
# "noresize" in vfio_msix_early_setup) and WB_KERNEL_NAME: stock, series
# and followup must be dynamic (noresize 0: one SET_IRQS per new vector, MSI-X never
# disabled), baseline must be static (noresize 1: every growth disables and
# re-enables MSI-X with one more vector). Either way, after unmasking vector
# v exactly vectors 0..v are live in /proc/interrupts.

# The check functions are called through tap_check:
# shellcheck disable=SC2317
. "$WB_ROOT/guest/lib.sh"
set -u

nvec=${1:-10}
kernel=${WB_KERNEL_NAME:-unknown}
bdf=${2:-$IGB_BDF}
work=/tmp/qemu-client
sock=$work/qt.sock
log=$work/log		# QEMU's stderr + trace, the shim's lines, step markers
MSIX_INDEX=2		# VFIO_PCI_MSIX_IRQ_INDEX
QEMU_TIMEOUT=${QEMU_TIMEOUT:-150}
rm -rf "$work"
mkdir -p "$work"
t_start=$(date +%s)

case $kernel in
stock|series|followup) want_noresize=0 ;;
baseline)     want_noresize=1 ;;
*)            want_noresize= ;;
esac

diag() { sed 's/^/# /' "$@"; }
qemu_pid=
cleanup() {
	[ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null && wait "$qemu_pid" 2>/dev/null
	qemu_pid=
}
trap cleanup EXIT

tap_plan 12

# 1: the device goes to vfio-pci.
group=$(bind_vfio "$bdf")
tap_check "$bdf bound to vfio-pci (iommu group ${group:-none})" test -n "$group" -a -e "/dev/vfio/${group:-none}"

# 2: the tools; build/ is read-only here, so rebuild into /tmp if stale.
bin=$WB_ROOT/build/bin
tools_ok() {
	local t
	for t in msix-qtest libvfio-irqlog.so; do
		[ -x "$bin/$t" ] && [ "$bin/$t" -nt "$WB_ROOT/tests/qemu-client/${t%.so}.c" ] || return 1
	done
}
if ! tools_ok; then
	echo "# build/bin is stale or missing (run harness/tools-build.sh on the host); building into /tmp"
	WB_BUILD=/tmp/wb-build bash "$WB_ROOT/harness/tools-build.sh" msix-qtest libvfio-irqlog 2>&1 | diag
	bin=/tmp/wb-build/bin
fi
tap_check "msix-qtest and libvfio-irqlog.so built" tools_ok

# 3: QEMU starts, and the driver enables MSI-X and unmasks every vector.
t0=$(date +%s%N)
timeout -k 5 "$QEMU_TIMEOUT" env LD_PRELOAD="$bin/libvfio-irqlog.so" VFIO_IRQLOG="$log" \
	qemu-system-x86_64 -M q35 -accel tcg -S -nodefaults -display none -m 128 \
	-qtest "unix:$sock,server=on,wait=off" -qtest-log /dev/null \
	-device "vfio-pci,host=$bdf,addr=0x3" -trace 'vfio_msix_*' \
	</dev/null >>"$log" 2>&1 &
qemu_pid=$!
"$bin/msix-qtest" -s "$sock" -p "$qemu_pid" -d 3 -n "$nvec" -b "$bdf" -m "$log" -c 120 -t 20000 \
	>"$work/driver.out" 2>"$work/driver.err"
driver_rc=$?
t_driver=$((($(date +%s%N) - t0) / 1000000))
diag "$work/driver.out" | sed 's/^# # /# /'
echo "# QEMU start-up and $nvec unmasks took ${t_driver} ms (driver exit $driver_rc)"
tap_check "QEMU came up and $nvec vectors were unmasked over qtest" test "$driver_rc" -eq 0

# Kill QEMU now, so that the log is complete; vfio-pci then tears down.
cleanup
sleep 0.5

# Per step (the "unmask V" marker up to the next marker): the vectors QEMU
# used, the MSI-X disables it asked for, and its MSI-X eventfd settings.
awk -v idx="$MSIX_INDEX" '
function flush() { if (step != "") printf "%s uses=%s disables=%d sets=%s errors=%d\n", step, uses ? uses : "-", dis, sets ? sets : "-", err }
/msix-qtest: unmask / { flush(); step = $NF; uses = ""; dis = 0; sets = ""; err = 0; next }
/msix-qtest: (unmasked|done|enable)/ { flush(); step = ""; next }
step == "" { next }
/vfio_msix_vector_do_use/ { match($0, /vector [0-9]+/); uses = uses (uses ? "," : "") substr($0, RSTART + 7, RLENGTH - 7) }
$1 == "vfio-set-irqs:" && $3 == idx {
	if ($NF != 0) err++
	if ($6 == "disable") dis++
	else if ($6 == "eventfd") sets = sets (sets ? "," : "") $8 ":" $10
}
END { flush() }' "$log" >"$work/steps"
diag "$work/steps"

# 4-5: what the kernel reports through GET_IRQ_INFO.
setup=$(grep -m1 'vfio_msix_early_setup' "$log")
noresize=$(sed -n 's/.*noresize \([01]\).*/\1/p' <<<"$setup")
echo "# ${setup:-no vfio_msix_early_setup trace}"
tap_check "QEMU read the MSI-X capability (noresize ${noresize:-?})" test -n "$noresize"
if [ -n "$want_noresize" ]; then
	tap_check "the kernel reports the noresize its kind must ($kernel: $want_noresize)" test "${noresize:-x}" = "$want_noresize"
else
	tap_skip "noresize matches the kernel" "unknown kernel '$kernel'"
fi

# 6: one guest enable, no guest disable, no vector released.
count() { grep -c "$1" "$log"; }
enables=$(count 'vfio_msix_enable\b') disables=$(count 'vfio_msix_disable\b') releases=$(count 'vfio_msix_vector_release')
tap_check "MSI-X enabled once and never disabled by QEMU (enable $enables, disable $disables, release $releases)" \
	test "$enables" -eq 1 -a "$disables" -eq 0 -a "$releases" -eq 0

# 7: unmasking vector v makes QEMU use vector v, and nothing else.
uses_ok() {
	awk -v n="$nvec" '{ split($2, a, "="); if (a[2] != $1) bad++; k++ }
		END { exit !(k == n && !bad) }' "$work/steps"
}
tap_check "each unmask made QEMU use exactly that vector" uses_ok

# 8: how QEMU grew the set, as the kernel's noresize allows.
dynamic_ok() {
	# No disable; exactly one SET_IRQS, for vector v alone.
	awk -v n="$nvec" '{ split($3, d, "="); split($4, s, "="); split($5, e, "="); k++
		if (d[2] != 0 || s[2] != $1 ":1" || e[2] != 0) { print "# step " $1 ": expected one set " $1 ":1, no disable"; bad++ } }
		END { exit !(k == n && !bad) }' "$work/steps"
}
static_ok() {
	# Each step: disable MSI-X, re-enable it with vectors 0..v (count v+1).
	awk -v n="$nvec" '{ split($3, d, "="); split($4, s, "="); split($5, e, "=")
		k++; if (d[2] >= 1 && s[2] == "0:" ($1 + 1) && e[2] == 0) cycles++
		else if ($1 > 0) { print "# step " $1 ": expected a disable and a set 0:" ($1 + 1); bad++ } }
		END { print "# disable/re-enable cycles: " cycles + 0 " for " n " vectors"
		      exit !(k == n && !bad && cycles >= n - 1) }' "$work/steps"
}
case $noresize in
0) tap_check "QEMU grew the vector set as noresize allows (dynamic: each vector added alone, MSI-X never disabled)" dynamic_ok ;;
1) tap_check "QEMU grew the vector set as noresize allows (static: MSI-X disabled and re-enabled with one more vector per growth)" static_ok ;;
*) tap_check "QEMU grew the vector set" false ;;
esac

# 9: after unmasking v, exactly vectors 0..v are live in the kernel.
live_ok() {
	awk -v n="$nvec" '$1 == "step" { want = "0"; for (i = 1; i <= $2; i++) want = want "," i
		k++; if ($4 != want) { print "# step " $2 ": live " $4 ", want " want; bad++ } }
		END { exit !(k == n && !bad) }' "$work/driver.out"
}
tap_check "after each unmask exactly the unmasked vectors are live in /proc/interrupts" live_ok

# 10: counts are sane: nothing fires on its own, and on a dynamic kernel no
# vector's irq was torn down and rebuilt (its count never goes down).
counts_ok() {
	awk -v dyn="$([ "$noresize" = 0 ] && echo 1)" '$1 == "step" {
		nc = split($6, c, ","); for (i = 1; i <= nc; i++) {
			if (c[i] !~ /^[0-9]+$/) { print "# bad count " c[i]; bad++; continue }
			total = c[i] + 0 > total ? c[i] + 0 : total
			if (dyn && (i in last) && c[i] + 0 < last[i]) { print "# vector " i - 1 " count went down"; bad++ }
			last[i] = c[i] + 0 } }
		END { print "# largest per-vector interrupt count: " total + 0; exit !(!bad && total < 1000) }' "$work/driver.out"
}
tap_check "interrupt counts are sane" counts_ok

# 11: once QEMU is gone, vfio-pci has released every vector.
left=$(grep -c "vfio-msix\[[0-9]*\]($bdf)" /proc/interrupts)
tap_check "no vfio-msix irq left after QEMU exits ($left)" test "$left" -eq 0

# 12: it stays quick.
t_total=$(($(date +%s) - t_start))
tap_check "the QEMU client test takes less than 150 s (${t_total}s)" test "$t_total" -lt 150

if [ "$tap_failed" -ne 0 ]; then
	echo "# --- driver output"
	diag "$work/driver.out" "$work/driver.err"
	echo "# --- QEMU stderr, trace and SET_IRQS log"
	diag "$log"
	echo "# --- /proc/interrupts"
	grep -i 'vfio\|msi' /proc/interrupts | diag
fi
exit "$tap_failed"
