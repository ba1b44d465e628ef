#!/usr/bin/env bash
# Tests of the workbench itself (TAP): the scripts parse, hygiene's warning
# comparison and codespell can fail, a dropped config option is caught, a
# corrupted download is refused, a failing guest fails the run, a hung guest
# is killed at the timeout and its console log is kept, a stalled guest is
# reported as a stall with QEMU's thread stacks, the fault injection test
# fails when it can inject nothing, a failed check's long details cannot
# kill a pipefail script, the report names a stalled guest as such, the
# clang check's helpers fail on what they cannot read, run_step returns
# under errexit though its heartbeat fired, each kernel variant builds
# for its own architecture, a new output directory is seeded from a built
# one, and a series' recorded hygiene holds only while its inputs do.
. "$(dirname "$0")/../harness/lib.sh"
. "$WB_ROOT/harness/kbuild.sh"
set +e

. "$WB_ROOT/harness/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
kernel=${WB_SELFTEST_KERNEL:-stock}
debug_kernel=${WB_SELFTEST_DEBUG_KERNEL:-series-debug}

tap_plan 25

syntax_ok() {
	local f
	for f in "$WB_ROOT"/harness/*.sh "$WB_ROOT"/guest/*.sh "$WB_ROOT"/tests/*.sh "$WB_ROOT"/bench/*.sh "$WB_ROOT"/.ci/run; do
		[ -f "$f" ] || continue
		bash -n "$f" || return 1
	done
}
tap_check "every workbench script parses" syntax_ok

# The hygiene check's warning comparison: a moved warning is the same, a
# new one is reported, by file and message.
warnings_compare() {
	printf '%s\n' "../drivers/vfio/pci/vfio_pci_intrs.c:10:5: warning: old one [-Wx]" >"$tmp/ref.log"
	norm_warnings "$tmp/ref.log" >"$tmp/ref"
	printf '%s\n' "../drivers/vfio/pci/vfio_pci_intrs.c:99:5: warning: old one [-Wx]" >"$tmp/moved.log"
	printf '%s\n' "../drivers/vfio/pci/vfio_pci_intrs.c:12:1: warning: new one [-Wy]" \
		"WARNING: modpost: \"msi_remove_device_irq_domain\" [drivers/vfio/pci/vfio-pci-core.ko] undefined!" \
		"ld.lld: warning: drivers/vfio/vfio.o: new link warning" >"$tmp/new.log"
	[ -z "$(new_warnings "$tmp/ref" "$tmp/moved.log")" ] || return 1
	[ "$(new_warnings "$tmp/ref" "$tmp/new.log" | wc -l)" -eq 3 ] || return 1
	# No reference (its build failed): every patch fails, none passes.
	! new_warnings "$tmp/missing" "$tmp/moved.log" >"$tmp/noref" && [ -s "$tmp/noref" ]
}
tap_check "hygiene: a moved warning is not new, a new warning, an unexported symbol and a link warning are, and a missing reference fails" warnings_compare
tap_check "hygiene: a misspelt commit message is caught" bash -c '! echo "Recieve the the interupt" | codespell - >/dev/null'

# The clang check's helpers: modules are picked by their objects, an
# unreadable module list fails instead of leaving none to check, and
# modpost's flags follow the config (a trimmed config is refused).
clang_helpers() {
	mkdir -p "$tmp/mods/d"
	printf 'd/a.o\nd/b.o\n' >"$tmp/mods/modules.order"
	printf 'd/x.o\nd/y.o\n' >"$tmp/mods/d/a.mod"
	printf 'd/z.o\n' >"$tmp/mods/d/b.mod"
	[ "$(clang_modules "$tmp/mods" d/y.o)" = d/a.ko ] || return 1
	[ -z "$(clang_modules "$tmp/mods" d/q.o)" ] || return 1
	rm "$tmp/mods/d/b.mod"
	! clang_modules "$tmp/mods" d/y.o >/dev/null || return 1
	! clang_modules "$tmp/none" d/y.o >/dev/null || return 1
	printf 'CONFIG_MODULES=y\n' >"$tmp/cfg"
	[ "$(modpost_flags "$tmp/cfg")" = "-M -W -E" ] || return 1
	printf 'CONFIG_MODVERSIONS=y\nCONFIG_SECTION_MISMATCH_WARN_ONLY=y\n' >"$tmp/cfg"
	[ "$(modpost_flags "$tmp/cfg")" = "-M -W -m" ] || return 1
	printf 'CONFIG_TRIM_UNUSED_KSYMS=y\n' >"$tmp/cfg"
	! modpost_flags "$tmp/cfg" 2>/dev/null && ! modpost_flags "$tmp/missing" 2>/dev/null
}
tap_check "hygiene: the clang check's module list and modpost flags, and their failures" clang_helpers

# A fragment's option that olddefconfig drops fails the kernel build.
config_dropped() {
	printf 'CONFIG_A=y\n# CONFIG_B is not set\n' >"$tmp/.config"
	printf 'CONFIG_A=y\n# CONFIG_B is not set\n' >"$tmp/kept.config"
	printf 'CONFIG_A=y\nCONFIG_C=y\n' >"$tmp/dropped.config"
	check_config "$tmp" "$tmp/kept.config" 2>/dev/null &&
		! check_config "$tmp" "$tmp/dropped.config" 2>/dev/null
}
tap_check "a config option that olddefconfig drops is caught" config_dropped

# Each variant names its architecture, boot image and fragments: an arm64
# variant is cross-built from arm64.config and never takes x86's.
variants_ok() {
	[ "$(variant_arch test)" = x86 ] && [ "$(kernel_image debug)" = arch/x86/boot/bzImage ] &&
		[ "$(variant_arch arm64debug)" = arm64 ] && [ "$(kernel_image arm64)" = arch/arm64/boot/Image ] &&
		variant_frags arm64debug | grep -q 'configs/arm64.config.*configs/debug.config' &&
		! variant_frags arm64 | grep -q x86.config && ! variant_frags test | grep -q arm64.config
}
tap_check "each variant's architecture, boot image and config fragments" variants_ok

# A new output directory starts as a copy of a built one: the same variant
# of another kernel, stock's first; for nomsi else the same kernel's test
# build; never a debug build from a test one, nor across architectures;
# without the other kernel's boot image, modules or config checksum; a
# built directory is left as it is.
seed_ok() {
	local WB_TREE=$tmp/tree d
	mkdir -p "$WB_TREE"/out-{baseline,stock}-test/arch/x86/boot
	for d in baseline stock; do
		echo "$d" >"$WB_TREE/out-$d-test/vmlinux"
		echo sum >"$WB_TREE/out-$d-test/.wb-config.sum"
		touch "$WB_TREE/out-$d-test/arch/x86/boot/bzImage"
		mkdir -p "$WB_TREE/out-$d-test/modroot"
	done
	seed_out "$WB_TREE/out-series-test" test >/dev/null &&
		[ "$(cat "$WB_TREE/out-series-test/vmlinux")" = stock ] &&
		[ ! -e "$WB_TREE/out-series-test/.wb-config.sum" ] &&
		[ ! -e "$WB_TREE/out-series-test/arch/x86/boot/bzImage" ] &&
		[ ! -e "$WB_TREE/out-series-test/modroot" ] || return 1
	seed_out "$WB_TREE/out-series-nomsi" nomsi >/dev/null &&
		[ -f "$WB_TREE/out-series-nomsi/vmlinux" ] || return 1
	seed_out "$WB_TREE/out-series-debug" debug >/dev/null && [ ! -e "$WB_TREE/out-series-debug" ] || return 1
	seed_out "$WB_TREE/out-series-arm64" arm64 >/dev/null && [ ! -e "$WB_TREE/out-series-arm64" ] || return 1
	echo own >"$WB_TREE/out-series-test/vmlinux"
	seed_out "$WB_TREE/out-series-test" test >/dev/null &&
		[ "$(cat "$WB_TREE/out-series-test/vmlinux")" = own ] &&
		[ -z "$(ls -d "$WB_TREE"/*.seed.* 2>/dev/null)" ]
}
tap_check "a new output directory is seeded from a built one of its variant or kernel" seed_ok

# make check skips a series' hygiene only while what it reads is what the
# passing run it records read.
hygiene_recorded() {
	local harness=$WB_ROOT/harness WB_ROOT=$tmp/root
	mkdir -p "$WB_ROOT"/{harness,configs,base,followup}
	cp "$harness"/{hygiene,kbuild,lib,tap}.sh "$WB_ROOT/harness/" || return 1
	echo p >"$WB_ROOT/followup/0001-a.patch"
	! hygiene_current followup || return 1
	printf 'inputs: %s\n' "$(hygiene_inputs followup)" >"$WB_ROOT/followup/hygiene-passed"
	hygiene_current followup || return 1
	echo q >>"$WB_ROOT/followup/0001-a.patch"
	! hygiene_current followup
}
tap_check "a series' recorded hygiene holds only for unchanged inputs" hygiene_recorded

deb=$WB_BUILD/dl/${DEB_PACKAGE}_${DEB_VERSION/:/%3a}_all.deb
corrupt_refused() {
	cp "$deb" "$tmp/bad.deb"
	printf 'X' | dd of="$tmp/bad.deb" bs=1 seek=100000 conv=notrunc status=none
	! "$WB_ROOT/harness/base.sh" verify "$tmp/bad.deb" 2>"$tmp/verify.err" &&
		grep -q 'refusing' "$tmp/verify.err"
}
tap_check "a corrupted base download is refused" corrupt_refused
tap_check "the pinned base download is accepted" "$WB_ROOT/harness/base.sh" verify "$deb"

"$WB_ROOT/harness/vm.sh" "$kernel" "$WB_ROOT/guest/fail.sh" >"$tmp/fail.out" 2>&1
rc=$?
tap_check "a failing guest fails the run (exit $rc)" test "$rc" -eq 3
tap_check "a failing guest's output comes back" grep -q 'fails on purpose' "$tmp/fail.out"

t0=$(date +%s)
VM_TIMEOUT=40 "$WB_ROOT/harness/vm.sh" "$kernel" "$WB_ROOT/guest/hang.sh" >"$tmp/hang.out" 2>&1
rc=$?
took=$(($(date +%s) - t0))
tap_check "a hung guest is killed at the timeout (exit $rc after ${took}s)" test "$rc" -eq 124 -a "$took" -lt 70
log=$(sed -n 's/.*console log: \(.*console.log\).*/\1/p' "$tmp/hang.out" | tail -n 1)
tap_check "a hung guest's console log is kept ($log)" test -s "$log"

t0=$(date +%s)
VM_STALL=20 "$WB_ROOT/harness/vm.sh" "$kernel" "$WB_ROOT/guest/stall.sh" >"$tmp/stall.out" 2>&1
rc=$?
took=$(($(date +%s) - t0))
tap_check "a stalled guest is reported as a stall (exit $rc after ${took}s)" \
	test "$rc" -eq 123 -a "$took" -lt 200
stall_stacks() {
	local f
	f=$(sed -n 's/.*QEMU threads: \(.*qemu-threads.txt\).*/\1/p' "$tmp/stall.out")
	[ -n "$f" ] && grep -A1 '^Thread .*/TCG"):' "$f" | grep -q '^#0 ' &&
		grep -q '^dumping local APIC state for CPU 0' "$f"
}
tap_check "a stalled guest's QEMU thread stacks are kept" stall_stacks

"$WB_ROOT/harness/vm.sh" "$kernel" "$WB_ROOT/guest/smoke.sh" >"$tmp/smoke.out" 2>&1
tap_check "a passing guest passes: platform smoke test" test $? -eq 0
sed 's/^/# /' "$tmp/smoke.out"

# Without KVM (qemu64 less SVM: kvm_amd does not load, no /dev/kvm) the
# KVM tests must SKIP, every one, and say why; none may pass.
VM_CPU=qemu64,-svm "$WB_ROOT/harness/vm.sh" "$kernel" "$WB_ROOT/guest/kvm.sh" >"$tmp/nokvm.out" 2>&1
rc=$?
kvm_skips() {
	local oks skips
	oks=$(grep -c '^ok ' "$tmp/nokvm.out")
	skips=$(grep -c '^ok .*# SKIP no /dev/kvm' "$tmp/nokvm.out")
	[ "$rc" -eq 0 ] && [ "$oks" -ge 19 ] && [ "$skips" -eq "$oks" ] &&
		! grep -q '^not ok' "$tmp/nokvm.out"
}
tap_check "without KVM the KVM tests skip, all of them, with the reason (exit $rc)" kvm_skips

# The fault injection test cannot pass without injecting faults: with
# failslab sparing the allocations that may sleep (its default), it fails.
"$WB_ROOT/harness/vm.sh" "$debug_kernel" "$WB_ROOT/guest/fault.sh" --sleeping-spared >"$tmp/nofault.out" 2>&1
rc=$?
tap_check "fault injection that can inject nothing fails (exit $rc)" test "$rc" -eq 1
tap_check "fault injection that can inject nothing says so" grep -q 'no fault was injected' "$tmp/nofault.out"
sed 's/^/# /' "$tmp/nofault.out"

# A failed check's details are cut at 40 lines; a long log must not kill
# a script that runs under pipefail (hygiene) while they are printed.
details_bounded() {
	seq 100000 >"$tmp/long.log"
	bash -c 'set -euo pipefail; . "$1"; tap_result fail "long" "$2"' _ \
		"$WB_ROOT/harness/tap.sh" "$tmp/long.log" >"$tmp/long.out" &&
		[ "$(grep -c '^#   ' "$tmp/long.out")" -eq 40 ]
}
tap_check "a failed check's long details are cut, under pipefail too" details_bounded

# The report names a stalled guest as such, not by its tests, gives a
# failure the kselftest's diagnostics and keeps the closing line last; a
# suite with expected failures only gets no console excerpt.
report_fates() {
	local r=$tmp/report
	mkdir -p "$r" && rm -f "$r"/*
	printf 'ok 1 t.a
# t.c:9:b:Expected 1 == 2
not ok 2 t.b
warning: console log: %s
# exit 123
' \
		"$tmp/console.log" >"$r/selftests@k.tap"
	printf 'not ok 1 t.x
warning: console log: %s
# exit 1
' "$tmp/console.log" >"$r/selftests@x.tap"
	echo '[ 1.0] rcu: INFO: rcu_preempt self-detected stall on CPU' >"$tmp/console.log"
	printf 'x	t\\.x	intended\n' >"$tmp/expected"
	"$WB_ROOT/tests/report.sh" "$r" "$tmp/expected" >"$tmp/report.out"
	[ $? -eq 1 ] &&
		grep -q 'selftests run: guest stalled' "$tmp/report.out" &&
		grep -q '# t.c:9:b:Expected 1 == 2' "$tmp/report.out" &&
		[ "$(grep -c '^Console of' "$tmp/report.out")" -eq 1 ] &&
		grep -q 'self-detected stall' "$tmp/report.out" &&
		[ "$(tail -n 1 "$tmp/report.out")" = "2 passed, 2 failed, 0 skipped" ]
}
tap_check "the report names a stalled guest, a failure's diagnostics, its console" report_fates

# An expected failure that passes fails the run (XPASS), unless its kernel
# is marked "?" (a race it may lose): then the pass is counted and noted.
report_xpass() {
	local r=$tmp/report-x
	mkdir -p "$r" && rm -f "$r"/*
	printf 'ok 1 t.race\nok 2 t.fixed\n' >"$r/selftests@k.tap"
	printf 'k?\tt\\.race\tmay lose\nk\tt\\.fixed\tbroken here\n' >"$tmp/expected-x"
	"$WB_ROOT/tests/report.sh" "$r" "$tmp/expected-x" >"$tmp/report-x.out"
	[ $? -eq 1 ] &&
		grep -q 't.race: passed this run' "$tmp/report-x.out" &&
		grep -q 't.fixed: passes, but is listed' "$tmp/report-x.out" &&
		[ "$(tail -n 1 "$tmp/report-x.out")" = "1 passed, 1 failed, 0 skipped" ]
}
tap_check "an expected failure that passes fails the run, unless marked as a race" report_xpass

# A mainline selftest case killed at its time limit runs again alone, and
# so does each later case that failed while the killed one still held the
# device, once that process has exited (a fake program: case b is killed
# and leaves a process of the program behind for 3 s, c fails; alone, b
# is killed again and c passes).
killed_case_rerun() {
	local fake=$tmp/bin/fake_kselftest out
	mkdir -p "$tmp/bin"
	cat >"$fake" <<'FAKE'
#!/bin/bash
case $1,$2 in
-r,f.b) printf 'TAP version 13\n1..1\n# f.b: Test terminated by timeout\nnot ok 1 f.b\n'; exit 1 ;;
-r,*)   printf 'TAP version 13\n1..1\nok 1 %s\n' "$2"; exit 0 ;;
esac
(sleep 3; :) &
printf 'TAP version 13\n1..3\nok 1 f.a\n# f.b: Test terminated by timeout\nnot ok 2 f.b\nnot ok 3 f.c\n'
exit 1
FAKE
	chmod +x "$fake"
	out=$(WB_ROOT=$WB_ROOT bash -c '. "$WB_ROOT/guest/lib.sh"; bindir=$1; run_selftest igb 0000:00:02.0 fake_kselftest
		echo "rc $selftest_rc"' _ "$tmp/bin" 2>&1)
	[[ $out == *"rc 1" ]] || sed 's/^/# /' <<<"$out"
	[[ $out == *"ok 1 igb: f.a"* && $out == *"# waited "* &&
		$out == *"# f.b was killed at its time limit: run again alone"* && $out == *"not ok 1 igb: f.b"* &&
		$out == *"# f.c failed after f.b was killed"* && $out == *"ok 1 igb: f.c"* &&
		$out != *"not ok 2"* && $out != *"not ok 3"* && $out == *"rc 1" ]]
}
tap_check "a mainline selftest case killed at its limit, and those failing after it, run again alone" killed_case_rerun

# run_step returns when its command does, under errexit, though its
# heartbeat fired: nothing of the heartbeat is left to hold a reader's
# pipe, and a heartbeat already gone does not fail the caller.
run_step_returns() {
	local out t0=$SECONDS
	out=$(WB_TICK=1 bash -c 'set -e; . "$1"; run_step tick "$2" sleep 2.5; echo returned' _ \
		"$WB_ROOT/harness/lib.sh" "$tmp/tick.log" 2>&1) &&
		[[ $out == *"... tick: "* && $out == *returned ]] && [ $((SECONDS - t0)) -lt 5 ]
}
tap_check "run_step returns with its command, its heartbeat stopped" run_step_returns
[ "$tap_failed" -eq 0 ]
