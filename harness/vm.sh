#!/usr/bin/env bash
# Boot a kernel in QEMU 10 (TCG, q35, intel-iommu with interrupt remapping,
# igb at 00:02.0, nvme with a 2048-entry MSI-X table at 00:03.0, the host
# root shared read-only over 9p) and run one guest script in it. An arm64
# kernel (variant arm64*) boots in qemu-system-aarch64's virt machine
# instead: GICv3 with its ITS, an SMMUv3, the same igb and nvme at the same
# addresses, and the root of harness/rootfs.sh (arm64 programs) inside the
# host's root:
#
#   vm.sh NAME[-VARIANT] SCRIPT [ARGS...]
#
# NAME is stock, baseline, series or followup (VARIANT defaults to test), or a path
# to a boot image in an output directory. SCRIPT runs in the guest,
# chrooted into the host root, with
# the project at the same path as on the host. Its output (TAP) is printed
# here and its exit status is this script's. A guest that does not finish
# within VM_TIMEOUT seconds is killed and fails the run; so is a guest whose
# timer heartbeat (guest/init) stops for VM_STALL seconds, reported as a
# stall with QEMU's thread stacks. The console log of a failed run is kept
# and named.
. "$(dirname "$0")/lib.sh"
. "$WB_ROOT/harness/kbuild.sh"

[ $# -ge 2 ] || die "usage: vm.sh NAME[-VARIANT]|IMAGE SCRIPT [ARGS...]"
target=$1 script=$2
shift 2
VM_TIMEOUT=${VM_TIMEOUT:-900}
VM_STALL=${VM_STALL:-180}
VM_MEM=${VM_MEM:-2048}
VM_CPUS=${VM_CPUS:-2}
# Both vCPUs in one host thread: with a thread per vCPU (MTTCG, VM_ACCEL=tcg)
# QEMU 10 now and then leaves a vCPU's local APIC with the timer vector in
# service while the vCPU idles, and the guest's time stops (docs/tcg-stall.md).
VM_ACCEL=${VM_ACCEL:-tcg,thread=single}

if [ -f "$target" ]; then
	# .../out-NAME-VARIANT/arch/ARCH/boot/IMAGE names its kernel.
	image=$(realpath "$target")
	outdir=${image%/arch/*/boot/*}
	label=$(basename "$outdir")
	label=${label#out-}
else
	case $target in
	*-*) label=$target ;;
	*)   label=$target-test ;;
	esac
	outdir=$WB_OUT/$label
	image=$outdir/$(kernel_image "${label#*-}")
fi
arch=$(variant_arch "${label#*-}")
[ -f "$image" ] || die "no kernel at $image: run 'make kernel-$label' (or harness/kernel.sh ${label%%-*} ${label#*-})"
script=$(realpath "$script")
[ -f "$script" ] || die "no guest script $script"
initrd=$("$WB_ROOT/harness/initramfs.sh" "$arch")

run=$WB_BUILD/vm/$label-$(basename "$script" .sh)-$(date +%Y%m%d-%H%M%S)-$$
mkdir -p "$run/share"
{
	echo "# written by harness/vm.sh"
	printf 'export WB_ROOT=%q WB_KERNEL=%q WB_KERNEL_NAME=%q WB_VARIANT=%q\n' \
		"$WB_ROOT" "$label" "${label%%-*}" "${label#*-}"
	[ -d "$outdir/modroot" ] && printf 'export WB_MODROOT=%q\n' "$outdir/modroot"
	printf 'exec /bin/bash %q' "$script"
	printf ' %q' "$@"
	echo
} >"$run/share/job"

common=(-accel "$VM_ACCEL" -smp "$VM_CPUS" -m "$VM_MEM"
	-nodefaults -display none -no-reboot -name wb,debug-threads=on
	-monitor "unix:$run/monitor.sock,server=on,wait=off"
	-device igb,addr=0x2 -nic none
	-device nvme,serial=wbnvme,msix_qsize=2048,addr=0x3
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on
	-virtfs "local,path=$run/share,mount_tag=wbrun,security_model=none"
	-kernel "$image" -initrd "$initrd" -serial "file:$run/console.log")
append="panic=-1 oops=panic log_buf_len=4M wb.root=$WB_ROOT"
case $arch in
x86)
	# -cpu max: TCG then emulates AMD SVM and nested paging, so that
	# kvm_amd runs in the guest (the KVM tests and QEMU with -accel kvm).
	# no_timer_check: the IO-APIC timer check at boot counts ticks during a
	# busy wait, which a TCG vCPU on a loaded host can miss; it then panics
	# ("timer doesn't work through Interrupt-remapped IO-APIC"), as a CI run
	# once did.
	qemu=(qemu-system-x86_64 -M q35,kernel-irqchip=split -cpu "${VM_CPU:-max}" "${common[@]}"
		-device intel-iommu,intremap=on
		-append "console=ttyS0 intel_iommu=on no_timer_check $append ${VM_APPEND:-}") ;;
arm64)
	# The guest runs the arm64 programs of harness/rootfs.sh, with the
	# arm64 builds of the tools and selftests (build/arm64) in place of
	# build/bin and build/selftests. -cpu max with QEMU's own pointer
	# authentication algorithm, which TCG emulates far faster than QARMA5.
	sysroot=$("$WB_ROOT/harness/rootfs.sh")
	[ -d "$sysroot$WB_ROOT" ] || as_root mkdir -p "$sysroot$WB_ROOT"
	for d in bin selftests selftests-7.3 selftests-7.3-msix; do
		mkdir -p "$WB_ROOT/build/$d" "$ARM64_BUILD/$d"
	done
	qemu=(qemu-system-aarch64 -M virt,gic-version=3,its=on,iommu=smmuv3 -cpu "${VM_CPU:-max,pauth-impdef=on}"
		"${common[@]}"
		-append "console=ttyAMA0 $append wb.sysroot=$sysroot wb.archbuild=$ARM64_BUILD ${VM_APPEND:-}") ;;
esac
# VM_NVME_SRIOV=1: an nvme PF with SR-IOV and flexible interrupt resources
# behind a root port (01:00.0; its VFs 01:00.1, ...), for guest/resize.sh.
if [ -n "${VM_NVME_SRIOV:-}" ]; then
	qemu+=(-device pcie-root-port,id=rp0,chassis=1,addr=0x10
		-device nvme-subsys,id=subsys0
		-device "nvme,serial=wbsriov,subsys=subsys0,bus=rp0,msix_qsize=16,max_ioqpairs=12,sriov_max_vfs=2,sriov_vq_flexible=8,sriov_vi_flexible=8,sriov_max_vi_per_vf=6,sriov_max_vq_per_vf=4")
fi

t0=$(date +%s)
say "booting $label: $(basename "$script") $* (timeout ${VM_TIMEOUT}s, run dir ${run#"$WB_ROOT"/})"
# stalled: true once the guest's heartbeat is VM_STALL seconds old. Its
# time stamp is guest time; its file's change is host time.
stalled() {
	local hb=$run/share/heartbeat
	[ -f "$hb" ] && [ $(($(date +%s) - $(stat -c %Y "$hb"))) -ge "$VM_STALL" ]
}

# stall_report PID: what a stalled guest's QEMU was doing, into the run
# directory, before it is killed.
stall_report() {
	local pid=$1 out=$run/qemu-threads.txt
	if command -v gdb >/dev/null; then
		timeout 60 gdb -p "$pid" -batch -ex 'info threads' -ex 'thread apply all bt 12' \
			>"$out" 2>&1 </dev/null || echo "gdb failed ($?)" >>"$out"
	else
		echo "gdb is not installed: no thread stacks" >"$out"
	fi
	# The vCPUs' local APICs (timer, vectors requested and in service) and
	# registers (where each halted, with which flags) as QEMU holds them.
	{ [ "$arch" = x86 ] && printf 'info lapic 0\ninfo lapic 1\n'; printf 'info cpus\ninfo registers -a\n'; } |
		timeout 10 socat -t 3 - "UNIX-CONNECT:$run/monitor.sock" 2>&1 |
		sed -e 's/\x1b\[[0-9]*[A-Z]//g' -e '/^(qemu) /d' >>"$out" || true
	warn "guest stalled: no heartbeat for ${VM_STALL}s (last guest time $(cat "$run/share/heartbeat"))," \
		"QEMU threads: $out"
	grep -E '^[* ] +[0-9]+ +Thread' "$out" | head -n 12 >&2 || true
}

rc=0
timeout -k 10 "$VM_TIMEOUT" "${qemu[@]}" </dev/null >"$run/qemu.log" 2>&1 &
qpid=$!
stall=
while kill -0 "$qpid" 2>/dev/null; do
	if stalled; then
		stall=1
		stall_report "$(pgrep -P "$qpid" | head -n 1)"
		kill "$qpid" 2>/dev/null || true
		break
	fi
	sleep 2
done
wait "$qpid" || rc=$?
[ -f "$run/share/output" ] && cat "$run/share/output"
if [ -n "$stall" ]; then
	warn "console log: $run/console.log"
	tail -n 20 "$run/console.log" >&2
	exit 123
elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	warn "guest timed out after ${VM_TIMEOUT}s and was killed; console log: $run/console.log"
	exit 124
elif [ "$rc" -ne 0 ]; then
	warn "QEMU exited $rc: $(tail -n 3 "$run/qemu.log"); console log: $run/console.log"
	exit 125
elif [ ! -f "$run/share/rc" ]; then
	warn "guest ended without finishing its job (panic?); console log: $run/console.log"
	tail -n 20 "$run/console.log" >&2
	exit 126
fi
rc=$(cat "$run/share/rc")
say "$label: $(basename "$script") exited $rc in $(($(date +%s) - t0))s"
if [ "$rc" -ne 0 ]; then
	warn "console log: $run/console.log"
else
	rm -f "$run/console.log.keep"
fi
exit "$rc"
