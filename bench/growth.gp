# Growth time against N, log-log: one line per kernel and pattern.
#   gnuplot -e "datadir='DIR'; out='FILE.png'; curves='stock-dynamic ...'" growth.gp
# DIR/curve-KERNEL-PATTERN.dat holds "N seconds" (median), from report.sh.
set terminal pngcairo size 960,640 font ",11"
set output out
set title "vfio-pci MSI-X: time to grow from 1 to N vectors (nvme, QEMU TCG, median)"
set xlabel "N (vectors enabled)"
set ylabel "time from 1 to N vectors (s)"
set logscale xy
set xrange [2:500]
set format y "10^{%L}"
set grid xtics ytics mxtics mytics lc rgb "#dddddd"
set key top left box opaque
color(c) = strstrt(c, "stock") ? 0x1f77b4 : strstrt(c, "baseline") ? 0xd62728 : 0x2ca02c
dash(c) = strstrt(c, "legacy") ? 2 : 1
plot for [c in curves] datadir."/curve-".c.".dat" using 1:2 with lines \
	lw (strstrt(c, "series") ? 3 : 2) lc rgb color(c) dt dash(c) \
	title c." (".(strstrt(c, "legacy") ? "disable + re-enable 0..n-1" : "one SET\\_IRQS per vector").")"
