#!/usr/bin/env bash
# report.sh DIR KERNEL...: from DIR/KERNEL.bN.csv (msix-bench output of
# boot N of KERNEL), write DIR/results.md (markdown), DIR/bench.tap (the
# targets) and the growth curves DIR/curve-KERNEL-PATTERN.dat for
# bench/growth.gp. Called by run.sh. Every figure is the median over the
# boots of its kernel; with several boots, its range follows in brackets.
# The table's columns are a kernel line's kernels, REPORT_COLUMNS (its
# reference first), and ratios REPORT_RATIOS ("A/B ..."): by default the
# 6.12 line's; run.sh sets the 7.3 line's (stock73 and mainline).
set -euo pipefail
dir=$1
shift
kernels="$*"

# combine CSV...: one line per kernel, measure, pattern, n and stat, whose
# value is the median over the files, then "|min|max" when there are
# several. Arithmetic on it reads the median (awk's numeric prefix).
combine() {
	awk -F, -v OFS=, '
	$2 == "info" { if (!(($1, $2) in info)) info[$1, $2] = $0; next }
	{
		key = $1 OFS $2 OFS $3 OFS $4 OFS $5
		if (!(key in n)) order[++nk] = key
		val[key, ++n[key]] = $6
	}
	END {
		for (k in info) print info[k]
		for (i = 1; i <= nk; i++) {
			key = order[i]
			c = n[key]
			for (j = 1; j <= c; j++) {
				x = val[key, j] + 0
				for (m = j - 1; m >= 1 && a[m] > x; m--) a[m + 1] = a[m]
				a[m + 1] = x
			}
			med = c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
			print key, (c > 1 ? med "|" a[1] "|" a[c] : med)
		}
	}' "$@"
}

for k in "$@"; do combine "$dir/$k".b*.csv; done | awk -F, \
	-v dir="$dir" -v kernels="$kernels" -v short="${BENCH_SHORT:-0}" \
	-v secs="${BENCH_SECONDS:-?}" -v date="$(date -u '+%Y-%m-%d %H:%M UTC')" \
	-v ncpu="$(nproc)" -v cpu="$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)" \
	-v qemu="$(qemu-system-x86_64 --version | head -n 1)" \
	-v boots="${BENCH_BOOTS:-1}" \
	-v columns="${REPORT_COLUMNS:-stock baseline series followup}" \
	-v ratios="${REPORT_RATIOS:-series/stock series/baseline followup/stock}" \
	-v busy="$(for k in "$@"; do printf '%s %s%%, ' "$k" "$(cat "$dir/$k".b*.busy 2>/dev/null | tr '\n' ' ' | sed 's/ $//' || echo ?)"; done)" '
function has(k, m, p, n, s) { return (k SUBSEP m SUBSEP p SUBSEP n SUBSEP s) in v }
function get(k, m, p, n, s) { return has(k, m, p, n, s) ? v[k, m, p, n, s] : "" }
function fmt(x,   p) {
	if (x == "" || x == "–") return "–"
	if (index(x, "|")) {
		split(x, p, "|")
		return p[2] == p[3] ? fmt(p[1]) : fmt(p[1]) " (" fmt(p[2]) "–" fmt(p[3]) ")"
	}
	x += 0
	if (x == int(x) && (x < 0 ? -x : x) < 1e7) return sprintf("%d", x)
	if (x >= 100) return sprintf("%.0f", x)
	if (x >= 1) return sprintf("%.2f", x)
	return sprintf("%.3g", x)
}
function ratio(a, b) { return (a == "" || b == "" || b + 0 == 0) ? "–" : sprintf("%.2f", a / b) }
# One table row: label and one value per kernel (name -> value in r[]).
function row(label, r,   s, i, k) {
	s = "| " label
	for (i = 1; i <= ncol; i++) {
		k = col[i]
		s = s " | " (k in ran ? fmt(r[k]) : "not run")
	}
	for (i = 1; i <= nratio; i++)
		s = s " | " ratio(r[rnum[i]], r[rden[i]])
	print s " |"
	delete r
}
function vmm(k) { return nores[k] ? "legacy" : "dynamic" }
# The first-enable targets of kernel K against the reference kernel REF,
# as two TAP lines.
function first_targets(k, ref,   irqs, q) {
	irqs = first[k, "last", "irqs"]
	printf "%sok %d - %s: the first SET_IRQS naming the last vector alone allocates %s irqs (target <= 2)\n",
		(irqs == "" || irqs + 0 > 2) ? "not " : "", ++t, k, fmt(irqs) > tap
	q = ratio(first[k, "last", "median_s"], first[k, "vector0", "median_s"])
	printf "%sok %d - %s: it takes %s times as long as vector 0 alone (target <= 2; %s %s)\n",
		(q == "–" || q + 0 > 2) ? "not " : "", ++t, k, q, ref,
		ratio(first[ref, "last", "median_s"], first[ref, "vector0", "median_s"]) > tap
}
# The targets every patched kernel K shares, as TAP lines: no event lost
# on vector 0 while growing dynamically; with SLOPE, growth linear in N.
function lost_target(k,   lost, fired) {
	lost = get(k, "disrupt", "dynamic", 10, "lost"); fired = get(k, "disrupt", "dynamic", 10, "fired")
	printf "%sok %d - %s: %s of %s events lost on vector 0 while growing with the dynamic pattern (target 0)\n",
		(lost == "" || lost + 0 || !(fired + 0)) ? "not " : "", ++t, k, fmt(lost), fmt(fired) > tap
}
# A ratio target Q of the full run, described by DESC: met if PASS;
# skipped, saying why, in a short run or where a kernel lacks the figure.
function full_run_target(desc, q, pass, missing) {
	if (short || q == "–")
		printf "ok %d - %s # SKIP %s\n", ++t, desc, q == "–" ? missing : "asserted only in the full run" > tap
	else
		printf "%sok %d - %s\n", pass ? "" : "not ", ++t, desc > tap
}
function slope_target(k,   s) {
	s = sl[k, "dynamic"]
	printf "%sok %d - %s: growth linear in N, slope %s (target < 1.3)\n",
		(s == "" || s >= 1.3) ? "not " : "", ++t, k, s == "" ? "–" : sprintf("%.2f", s) > tap
}
# Least-squares slope of log(time) against log(N) over N = 16, 32, ... and the top.
function slope(k, p,   n, x, y, c, sx, sy, sxx, sxy, last, i, pts) {
	c = sx = sy = sxx = sxy = 0
	for (n = 16; n <= top[k, p]; n *= 2) { pts[++c] = n; last = n }
	if (top[k, p] > last) pts[++c] = top[k, p]
	if (c < 2) return ""
	for (i = 1; i <= c; i++) {
		x = log(pts[i]); y = log(get(k, "growth", p, pts[i], "total_s"))
		sx += x; sy += y; sxx += x * x; sxy += x * y
	}
	return (c * sxy - sx * sy) / (c * sxx - sx * sx)
}
function law(s) {
	if (s == "") return "–"
	return s < 1.3 ? "linear" : s > 1.7 ? "quadratic" : "superlinear"
}
BEGIN {
	nk = split(kernels, K, " ")
	for (i = 1; i <= nk; i++) ran[K[i]] = 1
	ncol = split(columns, col, " ")
	for (i = 1; i <= ncol; i++) incol[col[i]] = 1
	ref = col[1]
	nratio = split(ratios, rr, " ")
	for (i = 1; i <= nratio; i++) {
		split(rr[i], rp, "/")
		rnum[i] = rp[1]; rden[i] = rp[2]
	}
}
$2 == "info" { rel[$1] = $6; next }
$1 == "kernel" { next }
{ v[$1, $2, $3, $4, $5] = $6 }
$2 == "swap" { swp[$1, $3, $5] = $6 }
$2 == "memory" { mem[$1, $3, $5] = $6 }
$2 == "first" { first[$1, $3, $5] = $6 }
$2 == "cycle" { cyc[$1, $5] = $6 }
$2 == "growth" && $5 == "noresize" { nores[$1] = $6 + 0 }
$2 == "growth" && $5 == "max_n" { maxn[$1, $3] = $6 + 0 }
$2 == "growth" && $5 == "runs" { runs[$1, $3] = $6 + 0 }
$2 == "growth" && $5 == "total_s" && $4 + 0 > top[$1, $3] { top[$1, $3] = $4 + 0 }
END {
	# N*: the largest N every kernel and pattern reached.
	nstar = 0
	for (kp in top) if (!nstar || top[kp] < nstar) nstar = top[kp]
	nc = 0
	split("16 64 256", cp, " ")
	for (i = 1; i <= 3; i++) if (cp[i] + 0 < nstar) ns[++nc] = cp[i]
	ns[++nc] = nstar

	for (i = 1; i <= nk; i++) {
		k = K[i]
		for (p = 1; p <= 2; p++) {
			pat = p == 1 ? "dynamic" : "legacy"
			if (!((k, pat) in top)) continue
			sl[k, pat] = slope(k, pat)
			f = dir "/curve-" k "-" pat ".dat"
			printf "# %s %s: N total_s (median)\n", k, pat > f
			for (n = 2; n <= top[k, pat]; n++)
				if (has(k, "growth", pat, n, "total_s"))
					print n, get(k, "growth", pat, n, "total_s") + 0 > f
			close(f)
		}
	}

	print "# Dynamic MSI-X benchmark results" (short ? " (short run)" : "")
	print ""
	printf "%s; %d CPUs (%s); %s, TCG, 2 vCPUs; the whole run took %s s.\n", date, ncpu, cpu, qemu, secs
	s = ""
	for (i = 1; i <= nk; i++) s = s (i > 1 ? ", " : "") K[i] " `" rel[K[i]] "`" (nores[K[i]] ? " (MSI-X NORESIZE)" : "")
	print "Kernels: " s "."
	print "Host CPU busy (other users of the 2 shared cores) when each kernel'"'"'s run began: " substr(busy, 1, length(busy) - 2) "."
	printf "Growth medians over %s dynamic and %s legacy runs; see docs/benchmarks.md for the method.\n",
		runs[K[1], "dynamic"] ? runs[K[1], "dynamic"] : runs[K[nk], "dynamic"], runs[K[1], "legacy"]
	printf "Each figure is the median over %s boot(s) per kernel, the kernels booted in turn; with several boots the range over boots follows in brackets. Ratios are of the medians.\n", boots
	print "Ratios below 1 mean the patched kernel is faster or smaller; `–` where a kernel lacks the pattern or a ratio means nothing."
	print ""
	s = "| measure"; u = "|---"
	for (i = 1; i <= ncol; i++) { s = s " | " col[i]; u = u "|---:" }
	for (i = 1; i <= nratio; i++) { s = s " | " rr[i]; u = u "|---:" }
	print s " |"
	print u "|"
	for (i = 1; i <= nk; i++) r[K[i]] = maxn[K[i], vmm(K[i])]
	row("largest N before ENOSPC (nvme, 2048-entry table)", r)
	# The first SET_IRQS, enabling MSI-X with one vector alone.
	for (p = 1; p <= 2; p++) {
		pat = p == 1 ? "vector0" : "last"
		lbl = p == 1 ? "vector 0" : "the last vector"
		for (i = 1; i <= nk; i++) r[K[i]] = first[K[i], pat, "median_s"] == "" ? "" : first[K[i], pat, "median_s"] * 1e3
		row("nvme: first SET_IRQS enabling " lbl " alone (ms)", r)
		for (i = 1; i <= nk; i++) r[K[i]] = first[K[i], pat, "irqs"]
		row("nvme: irqs allocated by it, " lbl, r)
	}
	for (i = 1; i <= nk; i++) r[K[i]] = ratio(first[K[i], "last", "median_s"], first[K[i], "vector0", "median_s"])
	row("nvme: first enable, last vector / vector 0 time", r)
	for (i = 1; i <= nk; i++) r[K[i]] = cyc[K[i], "per_s"]
	row("nvme: MSI-X enabled with vector 0 and disabled (cycles/s)", r)
	for (j = 1; j <= nc; j++) {
		n = ns[j]
		for (i = 1; i <= nk; i++) r[K[i]] = get(K[i], "growth", "dynamic", n, "total_s")
		row("grow 1→" n ", dynamic pattern (s)", r)
		for (i = 1; i <= nk; i++) r[K[i]] = get(K[i], "growth", "legacy", n, "total_s")
		row("grow 1→" n ", legacy pattern (s)", r)
		for (i = 1; i <= nk; i++) r[K[i]] = get(K[i], "growth", vmm(K[i]), n, "total_s")
		row("**grow 1→" n ", as QEMU does on the kernel (s)**", r)
	}
	for (i = 1; i <= nk; i++) r[K[i]] = get(K[i], "growth", "dynamic", nstar, "min_s")
	row("grow 1→" nstar ", dynamic pattern, fastest run (s)", r)
	for (p = 1; p <= 2; p++) {
		pat = p == 1 ? "dynamic" : "legacy"
		for (i = 1; i <= nk; i++) {
			t = get(K[i], "growth", pat, nstar, "total_s")
			r[K[i]] = t == "" ? "" : t / (nstar - 1) * 1e6
		}
		row("per added vector up to " nstar ", " pat " (µs)", r)
	}
	for (p = 1; p <= 2; p++) {
		pat = p == 1 ? "dynamic" : "legacy"
		for (i = 1; i <= nk; i++) r[K[i]] = (K[i], pat) in sl ? sl[K[i], pat] : ""
		row("growth exponent (slope of log t vs log N), " pat, r)
	}
	for (p = 1; p <= 2; p++) {
		pat = p == 1 ? "dynamic" : "legacy"
		for (i = 1; i <= nk; i++) r[K[i]] = get(K[i], "disrupt", pat, 10, "lost")
		row("igb: events lost on vector 0, growing 1→10 and back, " pat, r)
		for (i = 1; i <= nk; i++) r[K[i]] = get(K[i], "disrupt", pat, 10, "late")
		row("igb: of which came later than 20 ms, " pat, r)
		for (i = 1; i <= nk; i++) r[K[i]] = get(K[i], "disrupt", pat, 10, "fired")
		row("igb: events fired meanwhile, " pat, r)
	}
	# Swaps with the device idle (timing only), then while vector 0 fires.
	split("swap-idle same-idle swap same", SP, " ")
	for (p = 1; p <= 4; p++) {
		pat = SP[p]
		lbl = (p % 2 ? "eventfd swapped for another" : "same eventfd set again")
		dev = p <= 2 ? "igb idle: " : "igb: "
		for (i = 1; i <= nk; i++) r[K[i]] = swp[K[i], pat, "median_us"]
		row(dev lbl ", median (µs)", r)
		for (i = 1; i <= nk; i++) r[K[i]] = swp[K[i], pat, "p90_us"]
		row(dev lbl ", p90 (µs)", r)
		if (p <= 2)
			continue
		for (i = 1; i <= nk; i++) r[K[i]] = swp[K[i], pat, "lost"]
		row(dev lbl ", events lost", r)
		for (i = 1; i <= nk; i++) r[K[i]] = swp[K[i], pat, "late"]
		row(dev lbl ", of which came later than 20 ms", r)
		for (i = 1; i <= nk; i++) r[K[i]] = swp[K[i], pat, "fired"]
		row(dev lbl ", events fired", r)
	}
	for (p = 1; p <= 3; p++) {
		pat = p == 1 ? "dynamic" : "legacy"
		lbl = p == 3 ? "**as QEMU does on the kernel**" : pat
		for (i = 1; i <= nk; i++) r[K[i]] = mem[K[i], p == 3 ? vmm(K[i]) : pat, "slab_bytes"]
		row("memory: slab held for vectors 0 and highest, " lbl " (bytes)", r)
		for (i = 1; i <= nk; i++) r[K[i]] = mem[K[i], p == 3 ? vmm(K[i]) : pat, "memavail_drop_bytes"]
		row("memory: MemAvailable drop, same, " lbl " (bytes)", r)
		for (i = 1; i <= nk; i++) r[K[i]] = mem[K[i], p == 3 ? vmm(K[i]) : pat, "irqs"]
		row("memory: irqs allocated, same, " lbl, r)
	}
	for (i = 1; i <= nk; i++) {
		t = mem[K[i], "legacy", "irqs"]
		r[K[i]] = t ? mem[K[i], "legacy", "slab_bytes"] / t : ""
	}
	row("memory: slab per allocated irq, from the legacy case (bytes)", r)
	print ""
	print "Growth law (least-squares slope of log(time) against log(N), N = 16, 32, ..., " nstar "; ~1 is linear, ~2 quadratic):"
	print ""
	for (i = 1; i <= nk; i++)
		for (p = 1; p <= 2; p++) {
			pat = p == 1 ? "dynamic" : "legacy"
			if ((K[i], pat) in sl)
				printf "- %s, %s pattern: slope %.2f, %s in N\n", K[i], pat, sl[K[i], pat], law(sl[K[i], pat])
		}

	# The targets, as TAP.
	tap = dir "/bench.tap"
	print "TAP version 13" > tap
	t = 0
	if (!("series" in incol)) {
		# Not a kernel of this line: no lines, so the numbering of the other line holds.
	} else if (!("series" in ran)) {
		for (j = 1; j <= 6; j++) printf "ok %d - series target %d # SKIP no series kernel\n", ++t, j > tap
	} else {
		printf "%sok %d - series: MSI-X resizable (no NORESIZE)\n", nores["series"] ? "not " : "", ++t > tap
		lost_target("series")
		slope_target("series")
		# Asserted on the medians, which a host busy with other work can
		# skew (the run waits for an idle host and records how busy it
		# was); the fastest-run ratio is printed next to it.
		qm = ratio(get("series", "growth", "dynamic", nstar, "total_s"), get("stock", "growth", "dynamic", nstar, "total_s"))
		q = ratio(get("series", "growth", "dynamic", nstar, "min_s"), get("stock", "growth", "dynamic", nstar, "min_s"))
		full_run_target(sprintf("growth series/stock ratio %s at N=%d, medians (target <= 1.05; fastest runs %s)", qm, nstar, q),
			qm, qm + 0 <= 1.05, "no dynamic growth on series or stock")
		first_targets("series", "stock")
	}
	if (!("followup" in incol)) {
	} else if (!("followup" in ran)) {
		printf "ok %d - followup target 1 # SKIP no followup kernel\n", ++t > tap
	} else {
		# The first-enable change is an RFC on 7.3, not backported.
		lost_target("followup")
	}
	# The mainline series on 7.3: the paths other drivers and user space
	# use now stay at parity with v7.3.4.
	if (!("mainline" in incol)) {
	} else if (!("mainline" in ran)) {
		for (j = 1; j <= 7; j++) printf "ok %d - mainline target %d # SKIP no mainline kernel\n", ++t, j > tap
	} else {
		printf "%sok %d - mainline: MSI-X resizable (no NORESIZE)\n", nores["mainline"] ? "not " : "", ++t > tap
		lost_target("mainline")
		# The bulk pattern (0..N-1 in one call, as DPDK and older QEMU
		# do) and enable/disable cycles, on medians of paired boots;
		# asserted in the full run only (a short run boots once).
		qm = ratio(get("mainline", "growth", "legacy", nstar, "total_s"), get(ref, "growth", "legacy", nstar, "total_s"))
		full_run_target(sprintf("bulk pattern mainline/%s ratio %s growing to %d (target <= 1.02)", ref, qm, nstar),
			qm, qm + 0 <= 1.02, "no legacy growth measured")
		qm = ratio(cyc["mainline", "per_s"], cyc[ref, "per_s"])
		full_run_target(sprintf("MSI-X enable/disable cycles mainline/%s ratio %s (target >= 0.98)", ref, qm),
			qm, qm + 0 >= 0.98, "no cycles measured")
		slope_target("mainline")
		first_targets("mainline", ref)
	}
	print "1.." t > tap
	close(tap)
	print ""
	print "Targets (TAP):"
	print ""
	print "```"
	while ((getline line < tap) > 0) print line
	print "```"
}' >"$dir/results.md"
