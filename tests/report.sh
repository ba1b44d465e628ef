#!/usr/bin/env bash
# report.sh RESULTS EXPECTED: count the TAP files of a `make check` run,
# apply the expected failures, print the kernels side by side and the
# closing line; write both to RESULTS/summary.txt. Exit 1 on any failure.
# KERNEL_ORDER lists the kernel columns in order (tests/run.sh passes its
# kernels); other kernels follow.
set -uo pipefail
R=$1 expected=$2
rm -f "$R/failed-suites" "$R/summary.txt.closing"

awk -F'\t' -v out="$R/summary.txt" -v failed_suites="$R/failed-suites" -v order="${KERNEL_ORDER:-}" '
BEGIN {
	vmfate[123] = "guest stalled (no timer heartbeat), see its console"
	vmfate[124] = "guest timed out"
	vmfate[125] = "QEMU exited abnormally"
	vmfate[126] = "guest ended without finishing (panic?)"
}
FNR == 1 && FILENAME != ARGV[1] {
	suite = FILENAME; sub(/.*\//, "", suite); sub(/\.tap$/, "", suite)
	kernel = "-"
	if (suite ~ /@/) { kernel = suite; sub(/.*@/, "", kernel); sub(/@.*/, "", suite) }
	fails_here = xfails_here = 0
	ndiag = 0
}
# A kselftest explains a failure in the "# file:line:..." lines before it.
/^# / && $0 ~ /^# [^ ]+\.c:[0-9]+:/ { if (ndiag < 2) diag[++ndiag] = $0; next }
FILENAME == ARGV[1] {
	if ($0 !~ /^#/ && NF >= 2) {
		xk[++nx] = $1; xp[nx] = $2; xwhy[nx] = $3
		xmay[nx] = sub(/\?$/, "", xk[nx])
	}
	next
}
/^(not )?ok / {
	line = $0
	ok = (line !~ /^not /)
	desc = line; sub(/^(not )?ok [0-9]*/, "", desc); sub(/^ *- */, "", desc); sub(/^ +/, "", desc)
	skip = (desc ~ /# [Ss][Kk][Ii][Pp]/)
	name = desc; sub(/ *# .*/, "", name); sub(/ \(.*\)$/, "", name)
	st = ok ? (skip ? "SKIP" : "PASS") : "FAIL"
	for (i = 1; i <= nx; i++)
		if (xk[i] == kernel && name ~ xp[i]) {
			if (st == "FAIL") { st = "XFAIL"; notes[++nn] = kernel ": " name ": " xwhy[i] }
			else if (st == "PASS" && xmay[i]) notes[++nn] = kernel ": " name ": passed this run (a race this kernel may lose; listed with ?)"
			else if (st == "PASS") { st = "XPASS"; notes[++nn] = kernel ": " name ": passes, but is listed as an expected failure" }
		}
	why = (st == "FAIL" && ndiag) ? diag[1] (ndiag > 1 ? "\n      " diag[2] : "") : ""
	ndiag = 0
	record(suite, kernel, name, st, why)
	next
}
/^# exit [0-9]+$/ {
	# A guest that stalled, hung or died is reported as that (the exit status of
	# harness/vm.sh), whatever its tests said before; any other non-zero
	# exit must be explained by a failure or an expected one.
	code = substr($0, 8) + 0
	if (kernel != "-" && code in vmfate)
		record(suite, kernel, suite " run: " vmfate[code], "FAIL")
	else if (code && !fails_here && !xfails_here)
		record(suite, kernel, suite " run (" substr($0, 3) ")", "FAIL")
}
function record(s, k, n, st, why,   key) {
	key = s ": " n
	if (!(key in seenr)) { seenr[key] = 1; rorder[++nr] = key }
	cell[key, k] = st
	used[k] = 1
	if (st == "XFAIL") xfails_here = 1
	if (st == "PASS" || st == "XFAIL") pass++
	else if (st == "SKIP") skipped++
	else {
		failed++; fails_here = 1; flist[++nf] = k " | " key " | " st (why != "" ? "\n      " why : "")
		if (k != "-") fsuite[s "@" k] = 1
	}
}
END {
	# Checks that run on the host are listed whole; the table is for kernels.
	for (i = 1; i <= nr; i++)
		if ((rorder[i], "-") in cell) printf "%-6s %s\n", cell[rorder[i], "-"], rorder[i] > out
	# Columns: the kernels in the order given, then any other.
	n = split(order, want, " ")
	for (j = 1; j <= n; j++) if (want[j] in used) { korder[++nk] = want[j]; seenk[want[j]] = 1 }
	for (k in used) if (k != "-" && !(k in seenk)) korder[++nk] = k
	w = 60
	hdr = sprintf("\n%-" w "s", "test")
	for (j = 1; j <= nk; j++) hdr = hdr sprintf(" %-14s", korder[j])
	print hdr > out
	for (i = 1; i <= nr; i++) {
		if ((rorder[i], "-") in cell) continue
		row = sprintf("%-" w "s", substr(rorder[i], 1, w))
		for (j = 1; j <= nk; j++) row = row sprintf(" %-14s", ((rorder[i], korder[j]) in cell) ? cell[rorder[i], korder[j]] : "")
		print row > out
	}
	if (nn) { print "\nIntended differences (XFAIL/XPASS):" > out; for (i = 1; i <= nn; i++) print "  " notes[i] > out }
	if (nf) { print "\nFailures:" > out; for (i = 1; i <= nf; i++) print "  " flist[i] > out }
	for (k in fsuite) print k > failed_suites
	close(failed_suites)
	printf "\n%d passed, %d failed, %d skipped\n", pass, failed, skipped > (out ".closing")
	close(out)
	exit failed > 0
}' "$expected" "$R"/*.tap
rc=$?

# A guest suite with a failure names its console log: what the kernel said
# there of stalls, hangs, warnings and crashes goes with the failures,
# before the closing line (the log itself stays in the run directory,
# which CI does not keep).
touch "$R/failed-suites"
while read -r suite; do
	tap=$R/$suite.tap
	[ -f "$tap" ] || continue
	sed -n 's/.*console log: \([^ ]*console.log\).*/\1/p' "$tap" | sort -u | while read -r log; do
		[ -f "$log" ] || continue
		echo
		echo "Console of $(basename "$tap" .tap) ($log):"
		grep -m 15 -E 'rcu.*(stall|detected)|timer wakeup|blocked for more than|soft lockup|hard LOCKUP|WARNING:|BUG:|Oops|Kernel panic|Call Trace|KASAN|unreferenced object|assertion' "$log" |
			sed 's/^/  /' | grep . || echo "  (no stall, warning or crash; last line: $(tail -n 1 "$log"))"
	done
done <"$R/failed-suites" >>"$R/summary.txt"
# Interrupts lost to eventfd swaps under KVM, per kernel (guest/kvm.sh):
# the figures the pass/fail cells hide.
for tap in "$R"/kvm@*.tap "$R"/selftests@*-debug.tap; do
	[ -f "$tap" ] || continue
	sed -n "s/^# loss with KVM, [^:]*: \(.*\)/QEMU with KVM: \1/p; s/^# \([0-9]* swaps each way: .*\)/msix-kvm: \1/p" "$tap" |
		sed "s/^/  $(basename "$tap" .tap | sed 's/.*@//'): /"
done >"$R/kvm-loss"
if [ -s "$R/kvm-loss" ]; then
	{ echo; echo "Interrupts lost to eventfd swaps with KVM:"; cat "$R/kvm-loss"; } >>"$R/summary.txt"
fi
cat "$R/summary.txt.closing" >>"$R/summary.txt"
rm -f "$R/summary.txt.closing"

cat "$R/summary.txt"
exit $rc
