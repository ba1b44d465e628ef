# shellcheck shell=bash
# Helpers for guest scripts (sourced): TAP output, device binding, modules.
# Runs inside the guest, chrooted into the host's root (see guest/init).

. "$WB_ROOT/harness/tap.sh"

IGB_BDF=0000:00:02.0
NVME_BDF=0000:00:03.0
tap_done() { [ "$tap_failed" -eq 0 ]; exit; }

# Load vfio-pci when it is a module (the x86 test kernels).
load_vfio() {
	[ -d /sys/bus/pci/drivers/vfio-pci ] && return 0
	[ -n "${WB_MODROOT:-}" ] || { echo "# vfio-pci is neither built in nor a module" >&2; return 1; }
	modprobe -d "$WB_MODROOT" vfio-pci
}

# bind_vfio BDF: hand a device to vfio-pci; prints its iommu group number.
bind_vfio() {
	local dev=/sys/bus/pci/devices/$1
	load_vfio || return 1
	if [ "$(basename "$(readlink "$dev/driver" 2>/dev/null)")" != vfio-pci ]; then
		[ -e "$dev/driver" ] && echo "$1" >"$dev/driver/unbind"
		echo vfio-pci >"$dev/driver_override"
		echo "$1" >/sys/bus/pci/drivers_probe
	fi
	[ "$(basename "$(readlink "$dev/driver")")" = vfio-pci ] || return 1
	basename "$(readlink "$dev/iommu_group")"
}

# need_vfio BDF: bind_vfio, or say why not (for the caller to exit 2).
need_vfio() {
	bind_vfio "$1" >/dev/null || { echo "# cannot bind $1 to vfio-pci" >&2; return 1; }
}

# The host command that builds this guest's programs (harness/*-build.sh).
host_build() {
	case $(uname -m) in
	aarch64) echo "WB_ARCH=arm64 harness/$1" ;;
	*)       echo "harness/$1" ;;
	esac
}

# tool_path NAME: build/bin/NAME, built on the host by harness/tools-build.sh,
# or say that it is missing.
tool_path() {
	local t=$WB_ROOT/build/bin/$1
	[ -x "$t" ] || { echo "# no $t: run $(host_build tools-build.sh) on the host" >&2; return 1; }
	echo "$t"
}

# mount_tracefs: tracefs at /sys/kernel/tracing, where the KVM tests count
# KVM's MSI tracepoint (nothing if the kernel has no tracing).
TRACEFS=/sys/kernel/tracing
mount_tracefs() {
	[ -d "$TRACEFS/events" ] || mount -t tracefs nodev "$TRACEFS" 2>/dev/null || true
}

# kernel_dynamic: 1 if this kernel's vfio-pci must allocate MSI-X vectors
# after enable (no NORESIZE), 0 if it must not, nothing if either may be.
# stock carries upstream's dynamic MSI-X, the series adds it to the
# baseline, the follow-up keeps it, on x86, whose PCI/MSI domains all
# support it. 6.12's GICv3 ITS does not (no MSI_FLAG_PCI_MSIX_ALLOC_DYN),
# so on arm64 stock, the series and the follow-up (a backport of the
# mainline series, which leaves the ITS to upstream's genirq/ITS rework)
# must keep NORESIZE. 7.3's ITS allocates after enable itself (stock73,
# mainline).
kernel_dynamic() {
	case $(uname -m),${WB_KERNEL_NAME:-} in
	*,stock73 | *,mainline)  echo 1 ;;
	# any other kernel on arm64: 6.12's ITS, not dynamic
	aarch64,*)               echo 0 ;;
	*,stock | *,series | *,followup) echo 1 ;;
	esac
}

# selftests_env: what the vfio kselftests need (guest/selftests.sh):
# the igb and the nvme bound to vfio-pci, debugfs, and the expectations
# that WB_KERNEL_NAME sets in the environment.
selftests_env() {
	need_vfio "$IGB_BDF" && need_vfio "$NVME_BDF" || return 1
	[ -d /sys/kernel/debug/irq ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null || true

	export VFIO_SELFTESTS_BDF=$IGB_BDF
	export VFIO_SELFTESTS_SCALE_BDF=$NVME_BDF
	# MSI-X must be dynamic (1), must not be (0) or the dynamic cases skip
	# (unset): see kernel_dynamic.
	local dyn
	dyn=$(kernel_dynamic)
	[ -n "$dyn" ] && export VFIO_SELFTESTS_EXPECT_DYNAMIC=$dyn
	# No interrupt may be lost in an eventfd swap, unless the kernel frees
	# and requests the irq on every swap as stock and the baseline do (rare
	# losses): there the tests allow one per ten swaps.
	case ${WB_KERNEL_NAME:-} in
	stock|baseline|stock73) export VFIO_SELFTESTS_SWAP_LOSS_ALLOWED=1 ;;
	esac
	# On a debug kernel the scale cases use the nvme's first 256 vectors:
	# with KASAN and lockdep, stock's first enable of vector 2047 (2048
	# irqs allocated, then freed) took 165 s with the host busy.
	case ${WB_VARIANT:-} in
	*debug) export VFIO_SELFTESTS_SCALE_VECTORS=256 ;;
	esac
	echo "# kernel ${WB_KERNEL_NAME:-?} $(uname -r), VFIO_SELFTESTS_EXPECT_DYNAMIC=${VFIO_SELFTESTS_EXPECT_DYNAMIC:-unset}, VFIO_SELFTESTS_SWAP_LOSS_ALLOWED=${VFIO_SELFTESTS_SWAP_LOSS_ALLOWED:-unset}, VFIO_SELFTESTS_SCALE_VECTORS=${VFIO_SELFTESTS_SCALE_VECTORS:-unset}"
}

# prog_alive PROGRAM: a process of PROGRAM is still running or exiting
# (not yet a zombie; an exiting one may not have closed its files yet).
prog_alive() {
	local comm=${1:0:15} p c st
	# Builtins only: a fork per process would make each scan slow.
	for p in /proc/[0-9]*; do
		read -r c 2>/dev/null <"$p/comm" || continue
		[ "$c" = "$comm" ] || continue
		read -r st 2>/dev/null <"$p/stat" || continue
		st=${st#*) }
		[ "${st%% *}" = Z ] || return 0
	done
	return 1
}

# wait_released PROGRAM: wait until no process of PROGRAM holds a device,
# at most RELEASE_WAIT_S (120) seconds, and say how long it took. The
# kselftest harness kills a case at its time limit and goes on without
# waiting for it to exit: until it has, it keeps the device open and
# the next open of its group fails with EBUSY.
RELEASE_WAIT_S=120
wait_released() {
	local t0
	t0=$(date +%s)
	while prog_alive "$1"; do
		if [ $(($(date +%s) - t0)) -ge "$RELEASE_WAIT_S" ]; then
			echo "# $1: still running after ${RELEASE_WAIT_S} s; going on"
			return 1
		fi
		sleep 1
	done
	[ "$(date +%s)" -eq "$t0" ] ||
		echo "# waited $(($(date +%s) - t0)) s for an earlier $1 to exit and release the device"
}

# rerun_after_kill KILLED: print $out (of run_selftest) with case KILLED
# and each case that failed after it run again alone; sets st.
rerun_after_kill() {
	local killed=$1 after=0 line name rc
	st=0
	while IFS= read -r line; do
		[ "$line" = "# $killed: Test terminated by timeout" ] && after=1
		name=$(printf '%s\n' "$line" | sed -nE 's/^not ok [0-9]+ ([^ ]+).*/\1/p')
		if [ "$after" = 0 ] || [ -z "$name" ]; then
			printf '%s\n' "$line"
			case $line in "not ok "*) st=1 ;; esac
			continue
		fi
		if [ "$name" = "$killed" ]; then
			echo "# $name was killed at its time limit: run again alone"
		else
			echo "# $name failed after $killed was killed at its time limit: run again alone"
		fi
		wait_released "$prog"
		"$bindir/$prog" -r "$name" "$bdf" >"$one" 2>&1
		rc=$?
		[ "$rc" -eq 0 ] || [ "$rc" -eq 4 ] || st=1
		grep -vE '^(TAP version|1\.\.)' "$one"
	done <"$out"
}

# run_selftest DEVICE BDF PROGRAM [ARG...]: kselftest PROGRAM of $bindir
# run on BDF (with ARGs before it, e.g. -r FIXTURE.CASE for one case), as
# mainline's scripts/run.sh runs one: its TAP with DEVICE before
# each case's name and its run time, or a line of its own when it gave no
# result line. selftest_rc becomes 1 when it failed (an exit other than
# 0 and KSFT_SKIP's 4).
#
# Mainline's harness kills a case at a fixed limit (30 s unless the case
# sets its own), and the cases after it then fail to open the device the
# killed one still holds. So when a case was killed, it and every case
# that failed after it run again alone (-r), each once the device is free,
# and that run's result stands, with a line that says so: a case fails on
# time only if it overruns its limit alone too. (vfio_pci_driver_test's
# init_remove, the closest to its limit, takes 11-18 s alone under TCG.)
# The next program starts once no process of this one is left.
selftest_rc=0
run_selftest() {
	local dev=$1 bdf=$2 prog=$3 out one t0 st why killed
	out=$(mktemp) one=$(mktemp)
	echo "# $dev: $prog $bdf"
	t0=$(date +%s)
	"$bindir/$prog" "${@:4}" "$bdf" >"$out" 2>&1
	st=$?
	killed=$(sed -n 's/^# \(.*\): Test terminated by timeout$/\1/p' "$out" | head -n 1)
	[ -z "$killed" ] || rerun_after_kill "$killed" >"$out.new"
	[ -z "$killed" ] || mv "$out.new" "$out"
	sed -E "s/^((not )?ok [0-9]+ )/\\1$dev: /" "$out"
	# A program that skips as a whole exits 4 (KSFT_SKIP), with its reason
	# on a "1..0 # SKIP" line or, before any TAP, as its last line.
	if ! grep -qE '^(not )?ok ' "$out"; then
		if [ "$st" -eq 4 ]; then
			why=$(sed -n 's/^1\.\.0 # SKIP //p' "$out" | head -n 1)
			echo "ok - $dev: $prog # SKIP ${why:-$(tail -n 1 "$out")}"
		else
			echo "not ok - $dev: $prog exited $st with no result"
		fi
	fi
	[ "$st" -eq 0 ] || [ "$st" -eq 4 ] || selftest_rc=1
	echo "# $dev: $prog: exit $st, $(($(date +%s) - t0)) s"
	# What a killed case left must not meet the next program.
	wait_released "$prog"
	rm -f "$out" "$one"
}
