#!/bin/bash
# QEMU 10 as the vfio-pci client (TAP; exit status = failures):
#
#   vm.sh KERNEL guest/qemu-client.sh [VECTORS [BDF [ACCEL]]]
#
# VECTORS defaults to 10 (the igb's whole table), BDF to the igb, ACCEL
# (QEMU's accelerator) to tcg.
# Binds the device to vfio-pci and assigns it to a nested QEMU (-S) that
# is driven over qtest by build/bin/msix-qtest the way a Linux guest driver
# drives MSI-X: enable with everything masked, then program and unmask
# vectors 0..N-1 one at a time (one request_irq() each). What QEMU asks of
# vfio-pci is read from its own trace (vfio_msix_*) and from
# libvfio-irqlog.so, an LD_PRELOAD shim that logs each VFIO_DEVICE_SET_IRQS;
# what the kernel did is read from /proc/interrupts after every step.
#
# Expectations follow the kernel's answer to GET_IRQ_INFO (QEMU's
# "noresize" in vfio_msix_early_setup) and WB_KERNEL_NAME: stock, series
# and followup must be dynamic on x86 (noresize 0: one SET_IRQS per new vector, MSI-X never
# disabled), baseline must be static (noresize 1: every growth disables and
# re-enables MSI-X with one more vector). Either way, after unmasking vector
# v exactly vectors 0..v are live in /proc/interrupts.
#
# With ACCEL kvm, as users run QEMU, QEMU routes each vector through KVM: an
# MSI route and a KVM_IRQFD whose eventfd becomes the vector's trigger.
# When the guest masks a vector QEMU swaps its trigger to an eventfd of its
# own (the pending bit is QEMU's to set) and back on unmask: the eventfd
# swap of vfio-pci. msix-qtest -f then masks and unmasks the vectors in
# turn, firing each through the igb's EICS just before, and counts KVM's
# receipts (kvm:kvm_msi_set_irq in tracefs); the shim logs KVM_IRQFD too.
# Three more tests check the routing, the swaps and that no interrupt is
# lost. Without /dev/kvm every test SKIPs with the reason.

# The check functions are called through tap_check:
# shellcheck disable=SC2317
. "$WB_ROOT/guest/lib.sh"
set -u

nvec=${1:-10}
kernel=${WB_KERNEL_NAME:-unknown}
bdf=${2:-$IGB_BDF}
accel=${3:-tcg}
# Mask/unmask rounds per vector, each way, with KVM: 500 interrupts.
FIRE_ROUNDS=${FIRE_ROUNDS:-25}
work=/tmp/qemu-client
sock=$work/qt.sock
log=$work/log		# QEMU's stderr + trace, the shim's lines, step markers
MSIX_INDEX=2		# VFIO_PCI_MSIX_IRQ_INDEX
QEMU_TIMEOUT=${QEMU_TIMEOUT:-150}
rm -rf "$work"
mkdir -p "$work"
t_start=$(date +%s)

case $(kernel_dynamic),$kernel in
1,*)        want_noresize=0 ;;
0,* | ,baseline) want_noresize=1 ;;
*)          want_noresize= ;;
esac

diag() { sed 's/^/# /' "$@"; }
qemu_pid=
cleanup() {
	[ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null && wait "$qemu_pid" 2>/dev/null
	qemu_pid=
}
trap cleanup EXIT

plan=12
[ "$accel" = kvm ] && plan=15
tap_plan $plan
if [ "$accel" = kvm ] && [ ! -c /dev/kvm ]; then
	why="no /dev/kvm in $(uname -r): KVM not built in, or no SVM or VMX in this CPU"
	for i in $(seq "$plan"); do tap_skip "QEMU client with KVM, test $i" "$why"; done
	exit 0
fi

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

# With KVM: KVM's MSI receipts, counted by msix-qtest from trace_pipe.
fire=()
qemu_accel=(-accel tcg)
if [ "$accel" = kvm ]; then
	qemu_accel=(-accel kvm -cpu host -trace 'kvm_irqchip_*')
	mount_tracefs
	if echo 1 >"$TRACEFS/events/kvm/kvm_msi_set_irq/enable" && echo >"$TRACEFS/trace"; then
		fire=(-f "$FIRE_ROUNDS" -k "$TRACEFS/trace_pipe")
	else
		echo "# cannot enable kvm:kvm_msi_set_irq in $TRACEFS: no firing"
	fi
fi

# 3: QEMU starts, and the driver enables MSI-X and unmasks every vector.
t0=$(date +%s%N)
# The machine the device is assigned to: q35, config space through port
# 0xcf8; on an arm64 host virt with GICv3, as arm64 VMMs run it (QEMU 10
# under TCG crashes when a vfio-pci vector is first used on virt's default
# GICv2), highmem=off: its ECAM at 0x3f000000, PCI memory from 0x10000000.
case $(uname -m) in
aarch64) machine=(qemu-system-aarch64 -M virt,highmem=off,gic-version=3 -cpu max)
	 ecam=(-e 0x3f000000 -a 0x10000000) ;;
*)       machine=(qemu-system-x86_64 -M q35) ecam=() ;;
esac
timeout -k 5 "$QEMU_TIMEOUT" env LD_PRELOAD="$bin/libvfio-irqlog.so" VFIO_IRQLOG="$log" \
	"${machine[@]}" "${qemu_accel[@]}" -S -nodefaults -display none -m 128 \
	-qtest "unix:$sock,server=on,wait=off" -qtest-log /dev/null \
	-device "vfio-pci,host=$bdf,addr=0x3" -trace 'vfio_msix_*' -trace vfio_msi_interrupt \
	</dev/null >>"$log" 2>&1 &
qemu_pid=$!
"$bin/msix-qtest" -s "$sock" -p "$qemu_pid" -d 3 -n "$nvec" -b "$bdf" -m "$log" -c 120 -t 20000 \
	"${ecam[@]}" "${fire[@]}" >"$work/driver.out" 2>"$work/driver.err"
driver_rc=$?
[ "$accel" = kvm ] && echo 0 >"$TRACEFS/events/kvm/kvm_msi_set_irq/enable"
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

# 6: one guest enable, no guest disable, no vector released while growing
# (the masking with KVM comes after the "done" marker).
count() { sed '/msix-qtest: done/q' "$log" | grep -c "$1"; }
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

# 12-14, with KVM. One pass over the log, in order: KVM_IRQFD assigns and
# deassigns (fd -> gsi, from the shim), QEMU's MSI routes (vector -> virq),
# the markers and the MSI-X SET_IRQS. It writes one verdict line per check
# ("routed ok|bad ...", "swaps ok|bad ..."), diagnostics as "# ..." lines.
if [ "$accel" = kvm ]; then
	awk -v idx="$MSIX_INDEX" -v n="$nvec" '
	$1 == "kvm-irqfd:" && $NF == 0 { if ($7 == "0x0") gsi[$3] = $5; else delete gsi[$3]; next }
	$1 == "kvm_irqchip_add_msi_route" { virq[$5] = $7; routes[$5]++; next }
	/msix-qtest: done$/ { phase = "fire"; step = ""; next }
	/msix-qtest: (unmask|fire-mask|fire-unmask) [0-9]+$/ { step = $2; vec = $3; nsets[step, vec]++; next }
	/msix-qtest: / { step = ""; next }
	$1 != "vfio-set-irqs:" || $3 != idx { next }
	{ ret = $NF }
	phase == "fire" && ($6 == "disable" || ret != 0) { print "# after the growth: " $0; fire_bad++; next }
	step == "unmask" && $6 == "eventfd" && ret == 0 {
		# The vector of this step, at its place in the block set.
		k = split($12, f, ","); i = vec - $8 + 1
		if (i >= 1 && i <= k) grown[vec] = f[i]
	}
	step ~ /^fire-/ && $6 == "eventfd" {
		swaps++
		if ($8 != vec || $10 != 1) { print "# " step " " vec ": set " $8 "/" $10; fire_bad++; next }
		if (step == "fire-mask" && ($12 == -1 || ($12 in gsi))) { print "# fire-mask " vec ": fd " $12 " is not an eventfd of QEMU'"'"'s"; fire_bad++ }
		if (step == "fire-unmask" && $12 != grown[vec]) { print "# fire-unmask " vec ": fd " $12 ", not its irqfd eventfd " grown[vec]; fire_bad++ }
		per[step, vec]++
	}
	END {
		for (v = 0; v < n; v++) {
			fd = grown[v]
			if (fd == "" || fd == -1 || !(fd in gsi) || routes[v] < 1 || gsi[fd] != virq[v]) {
				print "# vector " v ": fd " fd ", irqfd gsi " gsi[fd] ", route virq " virq[v]; route_bad++
			}
		}
		# Each mask or unmask window: exactly one SET_IRQS for its vector.
		for (key in nsets) { split(key, kv, SUBSEP); if (kv[1] ~ /^fire-/ && per[kv[1], kv[2]] != nsets[key]) { print "# " kv[1] " " kv[2] ": " nsets[key] " windows, " per[kv[1], kv[2]] + 0 " SET_IRQS"; fire_bad++ } }
		print (route_bad ? "routed bad" : "routed ok"), n - route_bad
		print (fire_bad || !swaps ? "swaps bad" : "swaps ok"), swaps + 0
	}' "$log" >"$work/kvm-checks"
	grep '^#' "$work/kvm-checks" | head -n 20
	swaps=$(awk '$1 == "swaps" { print $3 }' "$work/kvm-checks")

	# 12: every vector unmasked while growing got its MSI route and, as
	# its trigger, the eventfd of a KVM irqfd on that route's gsi.
	tap_check "KVM: each unmasked vector is routed through KVM (an MSI route, and an irqfd on it whose eventfd is the trigger)" \
		grep -q '^routed ok' "$work/kvm-checks"

	# 13: a mask swaps the vector to an eventfd of QEMU's in one SET_IRQS,
	# an unmask back to the vector's own irqfd eventfd; after the growth
	# no MSI-X disable and no failed SET_IRQS.
	tap_check "KVM: each mask swaps the vector to QEMU's eventfd in one SET_IRQS, each unmask back to its irqfd's ($swaps swaps), no MSI-X disable" \
		grep -q '^swaps ok' "$work/kvm-checks"

	# 14: every interrupt fired while masking and unmasking was routed by
	# KVM (its kvm_msi_set_irq tracepoint, per vector), through the irqfd
	# or through QEMU's eventfd and pending bit. Kernels that free the irq
	# on a swap (VFIO_SELFTESTS_SWAP_LOSS_ALLOWED=1, guest/lib.sh) may
	# lose one per ten swaps, as in the kselftests.
	read -r fired kvm lost pending raced other excess <<<"$(awk '$1 == "fire" { print $3, $5, $7, $9, $11, $13, $15 }' "$work/driver.out")"
	via_qemu=$(sed -n '/msix-qtest: done/,$p' "$log" | grep -c 'vfio_msi_interrupt')
	allowed=0
	[ "${VFIO_SELFTESTS_SWAP_LOSS_ALLOWED:-0}" = 1 ] && allowed=$((${swaps:-0} / 10))
	echo "# loss with KVM, $kernel: fired ${fired:-?}, routed by KVM ${kvm:-?} (${via_qemu} of them through QEMU's eventfd, ${pending:-?} through the pending bit on purpose, ${raced:-?} because the swap came first), lost ${lost:-?} over ${swaps:-?} swaps"
	none_lost() {
		[ -n "$fired" ] && [ "$fired" -gt 0 ] && [ "$lost" -le "$allowed" ] || return 1
		if [ "$other" -ne 0 ] || [ "$excess" -ne 0 ]; then
			echo "# KVM routed interrupts that were not fired"
			return 1
		fi
		if [ "$via_qemu" -eq 0 ] || [ "$via_qemu" -ge "$kvm" ] || [ "$pending" -eq 0 ]; then
			echo "# each path must carry some: the irqfd, QEMU's eventfd, the pending bit"
			return 1
		fi
	}
	tap_check "KVM: every interrupt fired while masking and unmasking is routed by KVM (lost ${lost:-?}, allowed $allowed)" none_lost
fi

# 12 (15 with KVM): it stays quick.
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
