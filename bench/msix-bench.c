// SPDX-License-Identifier: GPL-2.0
/*
 * msix-bench: what dynamic MSI-X allocation in vfio-pci buys a VMM.
 *
 * Runs in a guest on a device bound to vfio-pci and prints CSV lines
 *
 *	kernel,measure,pattern,n,stat,value
 *
 * for five measures:
 *
 *  growth	nvme (2048-entry table), loopback eventfds: time to grow from
 *		1 to n vectors, "dynamic" (one SET_IRQS per new vector, only
 *		when MSI-X is not NORESIZE) and "legacy" (disable MSI-X, then
 *		enable 0..n-1 in one SET_IRQS, as QEMU does on a NORESIZE
 *		kernel). The largest n is the last before SET_IRQS fails.
 *  disrupt	igb: vector 0 fires with a handshake (fire, wait for its
 *		eventfd, count it lost after a timeout) while vectors 1..9
 *		are added and removed in rounds, with either pattern.
 *  swap	igb: same firing while vector 0's eventfd is swapped for
 *		another and back, then set again to the same eventfd; both
 *		also timed first with the device idle ("swap-idle",
 *		"same-idle"), the cost of the call alone.
 *  memory	nvme: kernel memory (/proc/meminfo deltas, settled, median
 *		of a few repetitions) held with two active vectors, 0 and the
 *		highest allocatable: 2 irqs when dynamic, every irq of the
 *		range 0..highest with the legacy pattern. Runs first, before
 *		growth churns the slab caches.
 *  first	nvme: the first SET_IRQS, enabling MSI-X with one vector
 *		alone, vector 0 ("vector0") or the table's last ("last"):
 *		its time (median of -f repetitions, the two patterns in
 *		turn, MSI-X disabled before each) and the irqs it leaves
 *		allocated (msi_irqs in sysfs);
 *		then MSI-X enabled with vector 0 and disabled, cycles per
 *		second ("cycle").
 *
 * The device access comes from the vfio selftest library
 * (tools/testing/selftests/vfio/lib), compiled in by bench/run.sh.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>

#include "vfio_pci_device.h"

#define MSIX		VFIO_PCI_MSIX_IRQ_INDEX
#define NR_IGB_VECTORS	10

static const char *kname = "unknown";
static int runs = 5;		/* growth runs, legacy pattern */
static int dyn_runs = 31;	/* growth runs, dynamic pattern (cheap) */
static int max_cap;		/* 0: grow up to the largest n allowed */
static int rounds = 20;
static int swaps = 200;
static int mem_reps = 5;
static int first_reps = 11;	/* first-enable repetitions */
static int cycle_reps = 200;	/* enable + disable cycles */
static int timeout_ms = 20;	/* handshake: an event not seen by then is lost */
static int gap_events = 10;	/* handshakes between two SET_IRQS */

static void csv(const char *measure, const char *pattern, long n,
		const char *stat, double val)
{
	printf("%s,%s,%s,%ld,%s,%.9g\n", kname, measure, pattern, n, stat, val);
	fflush(stdout);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Quantile @q of @n values (sorts them); the median averages two. */
static double quantile(double *v, int n, double q)
{
	int i;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	if (q == 0.5 && !(n & 1))
		return (v[n / 2 - 1] + v[n / 2]) / 2;
	i = (int)(q * n + 0.999999) - 1;
	return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

static int *eventfds(int n)
{
	int *fds = malloc(n * sizeof(*fds));
	int i;

	if (!fds)
		exit(1);
	for (i = 0; i < n; i++) {
		fds[i] = eventfd_new();
		if (fds[i] < 0) {
			perror("eventfd");
			exit(1);
		}
	}
	return fds;
}

/* Fails harmlessly when MSI-X is already off. */
static void msix_off(struct vfio_pci_device *dev)
{
	vfio_pci_irq_disable(dev, MSIX);
}

static int set_one(struct vfio_pci_device *dev, int vector, int fd)
{
	return vfio_pci_irq_set(dev, MSIX, vector, 1, &fd);
}

/* The legacy pattern: MSI-X off, then vectors 0..n-1 on in one call. */
static int set_range(struct vfio_pci_device *dev, int n, const int *fds)
{
	msix_off(dev);
	return vfio_pci_irq_set(dev, MSIX, 0, n, fds);
}

/* ---- growth ------------------------------------------------------------ */

/*
 * Grow from vector 0 alone to @max vectors; t[n] is the time from 1 to n.
 * Returns the number of vectors reached, *err the error that stopped it.
 */
static int grow(struct vfio_pci_device *dev, bool dyn, int max,
		const int *fds, double *t, int *err)
{
	double t0;
	int n, ret;

	msix_off(dev);
	ret = vfio_pci_irq_set(dev, MSIX, 0, 1, fds);
	if (ret) {
		*err = ret;
		return 0;
	}
	t[1] = 0;
	t0 = now();
	for (n = 2; n <= max; n++) {
		ret = dyn ? set_one(dev, n - 1, fds[n - 1]) :
			    set_range(dev, n, fds);
		if (ret)
			break;
		t[n] = now() - t0;
	}
	*err = ret;
	msix_off(dev);
	return n - 1;
}

/*
 * The most vectors one SET_IRQS can enable, by bisection. vfio-pci may
 * return a positive count when it got fewer irqs than asked, which the
 * library does not see as an error: check the irqs in sysfs too.
 */
static int max_oneshot(struct vfio_pci_device *dev, int table, const int *fds,
		       int *err)
{
	int lo = 1, hi = table + 1, mid, ret;

	*err = 0;
	while (hi - lo > 1) {
		mid = (lo + hi) / 2;
		msix_off(dev);
		ret = vfio_pci_irq_set(dev, MSIX, 0, mid, fds);
		if (!ret && sysfs_msi_irqs_count(dev->bdf) == mid) {
			lo = mid;
		} else {
			hi = mid;
			*err = ret ? ret : -EIO;
		}
	}
	msix_off(dev);
	return lo;
}

static bool checkpoint(int n, int max)
{
	return n == 16 || n == 64 || n == 256 || n == max;
}

static void growth(struct vfio_pci_device *dev)
{
	static const char *const pattern[] = { "dynamic", "legacy" };
	int table = vfio_pci_cap_vectors(dev, MSIX);
	bool dyn_ok = !msix_noresize(dev);
	int *fds = eventfds(table);
	int max_dyn = 0, max_one, max, err, n, p, r, nr_runs[2], reached[2];
	int most;
	double **t[2], *v;

	csv("growth", "-", table, "table_size", table);
	csv("growth", "-", 0, "noresize", !dyn_ok);

	max_one = max_oneshot(dev, table, fds, &err);
	csv("growth", "legacy", max_one, "max_n", max_one);
	csv("growth", "legacy", max_one, "max_errno", -err);
	max = max_one;
	if (dyn_ok) {
		v = calloc(table + 1, sizeof(double));
		max_dyn = grow(dev, true, table, fds, v, &err);
		csv("growth", "dynamic", max_dyn, "max_n", max_dyn);
		csv("growth", "dynamic", max_dyn, "max_errno", -err);
		free(v);
		max = max_dyn;
	}
	if (max_cap && max > max_cap)
		max = max_cap;
	printf("# growth: table %d, noresize %d, largest n: dynamic %d, one SET_IRQS %d; growing to %d\n",
	       table, !dyn_ok, max_dyn, max_one, max);

	nr_runs[0] = dyn_ok ? dyn_runs : 0;
	nr_runs[1] = runs;
	most = nr_runs[0] > runs ? nr_runs[0] : runs;
	for (p = 0; p < 2; p++) {
		t[p] = calloc(nr_runs[p], sizeof(*t[p]));
		for (r = 0; r < nr_runs[p]; r++)
			t[p][r] = calloc(max + 1, sizeof(double));
		reached[p] = max;
	}
	/* Interleave the patterns so that drift hits both alike. */
	for (r = 0; r < most; r++) {
		for (p = 0; p < 2; p++) {
			if (r >= nr_runs[p])
				continue;
			n = grow(dev, !p, max, fds, t[p][r], &err);
			if (n < reached[p]) {
				printf("# growth %s run %d stopped at %d: %s\n",
				       pattern[p], r, n, strerror(-err));
				reached[p] = n;
			}
		}
	}

	v = malloc(most * sizeof(*v));
	for (p = 0; p < 2; p++) {
		if (!nr_runs[p])
			continue;
		for (n = 2; n <= reached[p]; n++) {
			for (r = 0; r < nr_runs[p]; r++)
				v[r] = t[p][r][n];
			csv("growth", pattern[p], n, "total_s",
			    quantile(v, nr_runs[p], 0.5));
			if (!checkpoint(n, max))
				continue;
			csv("growth", pattern[p], n, "per_vector_us",
			    quantile(v, nr_runs[p], 0.5) / (n - 1) * 1e6);
			csv("growth", pattern[p], n, "min_s", v[0]);
			csv("growth", pattern[p], n, "max_s", v[nr_runs[p] - 1]);
			csv("growth", pattern[p], n, "runs", nr_runs[p]);
		}
		for (r = 0; r < nr_runs[p]; r++)
			free(t[p][r]);
		free(t[p]);
	}
	free(v);
	for (n = 0; n < table; n++)
		close(fds[n]);
	free(fds);
}

/* ---- memory ------------------------------------------------------------ */

struct mem {
	long slab, sunreclaim, percpu, avail;	/* kB */
};

static void mem_read(struct mem *m)
{
	char line[128];
	FILE *f;
	long kb;

	memset(m, 0, sizeof(*m));
	f = fopen("/proc/meminfo", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Slab: %ld", &kb) == 1)
			m->slab = kb;
		else if (sscanf(line, "SUnreclaim: %ld", &kb) == 1)
			m->sunreclaim = kb;
		else if (sscanf(line, "Percpu: %ld", &kb) == 1)
			m->percpu = kb;
		else if (sscanf(line, "MemAvailable: %ld", &kb) == 1)
			m->avail = kb;
	}
	fclose(f);
}

/*
 * A settled /proc/meminfo: caches dropped (page cache and dentries would
 * blur it), then read until Slab holds still for 100 ms, since irq
 * descriptors are freed after an RCU grace period (2 s at most).
 */
static void mem_snap(struct mem *m)
{
	struct mem prev;
	FILE *f;
	int i;

	f = fopen("/proc/sys/vm/drop_caches", "w");
	if (f) {
		fputs("3\n", f);
		fclose(f);
	}
	mem_read(m);
	for (i = 0; i < 20; i++) {
		usleep(100000);
		prev = *m;
		mem_read(m);
		if (m->slab == prev.slab)
			break;
	}
}

/*
 * Two active vectors, 0 and @high. Dynamic: enable 0, then add @high.
 * Legacy: one SET_IRQS over 0..@high, with no eventfd between them (as
 * QEMU does), so that every vector in the range gets an irq.
 */
static void memory_one(struct vfio_pci_device *dev, const char *pattern,
		       bool dyn, int high, int *fds)
{
	double d[4][mem_reps];
	struct mem a, b;
	int i, ret;

	for (i = 0; i < high + 1; i++)
		fds[i] = -1;
	fds[0] = eventfd_new();
	fds[high] = eventfd_new();
	for (i = 0; i < mem_reps; i++) {
		msix_off(dev);
		mem_snap(&a);
		if (dyn)
			ret = set_one(dev, 0, fds[0]) ?:
			      set_one(dev, high, fds[high]);
		else
			ret = vfio_pci_irq_set(dev, MSIX, 0, high + 1, fds);
		mem_snap(&b);
		if (ret) {
			printf("# memory %s: %s\n", pattern, strerror(-ret));
			goto out;
		}
		d[0][i] = (b.slab - a.slab) * 1024.0;
		d[1][i] = (b.sunreclaim - a.sunreclaim) * 1024.0;
		d[2][i] = (b.percpu - a.percpu) * 1024.0;
		d[3][i] = (a.avail - b.avail) * 1024.0;
	}
	csv("memory", pattern, high, "irqs", sysfs_msi_irqs_count(dev->bdf));
	csv("memory", pattern, high, "slab_bytes", quantile(d[0], mem_reps, 0.5));
	csv("memory", pattern, high, "sunreclaim_bytes", quantile(d[1], mem_reps, 0.5));
	csv("memory", pattern, high, "percpu_bytes", quantile(d[2], mem_reps, 0.5));
	csv("memory", pattern, high, "memavail_drop_bytes", quantile(d[3], mem_reps, 0.5));
out:
	msix_off(dev);
	close(fds[0]);
	close(fds[high]);
}

static void memory(struct vfio_pci_device *dev)
{
	int table = vfio_pci_cap_vectors(dev, MSIX);
	int *fds = eventfds(table), high, err, i;

	high = max_oneshot(dev, table, fds, &err) - 1;
	for (i = 0; i < table; i++)
		close(fds[i]);
	if (!msix_noresize(dev))
		memory_one(dev, "dynamic", true, table - 1, fds);
	memory_one(dev, "legacy", false, high, fds);
	free(fds);
}

/* ---- device-fired vector 0 with a handshake ----------------------------- */

struct firer {
	struct vfio_pci_device *dev;
	int fds[2];		/* the eventfds vector 0 may signal */
	int nfds;
	bool stop;
	long fired, lost;
	long late;		/* lost ones that came after all: host delays */
	long signals;		/* eventfd counts: one per fired, or a storm */
	pthread_t thread;
};

/* Wait for any of the firer's eventfds; true if one was signalled. */
static bool firer_wait(struct firer *f, int ms)
{
	struct pollfd pfd[2];
	bool got = false;
	s64 count;
	int i;

	for (i = 0; i < f->nfds; i++)
		pfd[i] = (struct pollfd){ .fd = f->fds[i], .events = POLLIN };
	while (poll(pfd, f->nfds, ms) < 0 && errno == EINTR)
		;
	for (i = 0; i < f->nfds; i++) {
		count = eventfd_drain(f->fds[i]);
		if (count > 0) {
			f->signals += count;
			got = true;
		}
	}
	return got;
}

static void *firer_loop(void *arg)
{
	struct firer *f = arg;

	while (!__atomic_load_n(&f->stop, __ATOMIC_RELAXED)) {
		if (firer_wait(f, 0))	/* a late event is not this one's */
			__atomic_add_fetch(&f->late, 1, __ATOMIC_RELAXED);
		vfio_pci_send_msi(f->dev, MSIX, 0);
		__atomic_add_fetch(&f->fired, 1, __ATOMIC_RELAXED);
		if (!firer_wait(f, timeout_ms))
			__atomic_add_fetch(&f->lost, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void firer_start(struct firer *f)
{
	/* The first send sets the device's interrupt mode up. */
	vfio_pci_send_msi(f->dev, MSIX, 0);
	firer_wait(f, timeout_ms);
	f->stop = false;
	f->fired = f->lost = f->late = f->signals = 0;
	if (pthread_create(&f->thread, NULL, firer_loop, f)) {
		perror("pthread_create");
		exit(1);
	}
}

static void firer_stop(struct firer *f)
{
	__atomic_store_n(&f->stop, true, __ATOMIC_RELAXED);
	pthread_join(f->thread, NULL);
}

/* Let the firer complete @events more handshakes (1 s at most). */
static void firer_await(struct firer *f, long events)
{
	long target = __atomic_load_n(&f->fired, __ATOMIC_RELAXED) + events;
	double end = now() + 1;

	while (__atomic_load_n(&f->fired, __ATOMIC_RELAXED) < target &&
	       now() < end)
		usleep(20);
}

static void firer_read(struct firer *f, long *fired, long *lost, long *late)
{
	*fired = __atomic_load_n(&f->fired, __ATOMIC_RELAXED);
	*lost = __atomic_load_n(&f->lost, __ATOMIC_RELAXED);
	*late = __atomic_load_n(&f->late, __ATOMIC_RELAXED);
}

/*
 * Vectors 1..9 added and removed, in rounds, while vector 0 fires; a few
 * handshakes between two SET_IRQS, as a guest does work between two
 * request_irq(), so that both patterns are sampled alike.
 */
static void disrupt_one(struct vfio_pci_device *dev, bool dyn, const int *fds)
{
	const char *pattern = dyn ? "dynamic" : "legacy";
	struct firer f = { .dev = dev, .fds = { fds[0] }, .nfds = 1 };
	int r, n, ret = 0, ops = 0;
	double t0;

	msix_off(dev);
	if (set_one(dev, 0, fds[0]))
		return;
	firer_start(&f);
	t0 = now();
	for (r = 0; r < rounds && !ret; r++) {
		for (n = 2; n <= NR_IGB_VECTORS && !ret; n++, ops++) {
			ret = dyn ? set_one(dev, n - 1, fds[n - 1]) :
				    set_range(dev, n, fds);
			firer_await(&f, gap_events);
		}
		for (n = NR_IGB_VECTORS - 1; n >= 1 && !ret; n--, ops++) {
			ret = dyn ? set_one(dev, n, -1) :
				    set_range(dev, n, fds);
			firer_await(&f, gap_events);
		}
	}
	t0 = now() - t0;
	firer_stop(&f);
	msix_off(dev);
	if (ret)
		printf("# disrupt %s: SET_IRQS failed: %s\n", pattern,
		       strerror(-ret));
	csv("disrupt", pattern, NR_IGB_VECTORS, "rounds", r);
	csv("disrupt", pattern, NR_IGB_VECTORS, "set_irqs", ops);
	csv("disrupt", pattern, NR_IGB_VECTORS, "seconds", t0);
	csv("disrupt", pattern, NR_IGB_VECTORS, "fired", f.fired);
	csv("disrupt", pattern, NR_IGB_VECTORS, "lost", f.lost);
	csv("disrupt", pattern, NR_IGB_VECTORS, "late", f.late);
	csv("disrupt", pattern, NR_IGB_VECTORS, "signals", f.signals);
}

static void disrupt(struct vfio_pci_device *dev)
{
	int *fds = eventfds(NR_IGB_VECTORS), i;

	if (!msix_noresize(dev))
		disrupt_one(dev, true, fds);
	disrupt_one(dev, false, fds);
	for (i = 0; i < NR_IGB_VECTORS; i++)
		close(fds[i]);
	free(fds);
}

/* ---- eventfd swap on a live vector --------------------------------------- */

/* With @firing false, only the calls are timed: the device is idle. */
static void swap_phase(struct vfio_pci_device *dev, struct firer *f, bool same,
		       bool firing)
{
	const char *pattern = same ? (firing ? "same" : "same-idle") :
				     (firing ? "swap" : "swap-idle");
	long fired0, lost0, late0, fired, lost, late;
	double lat[swaps], t;
	int i, fd, ret;

	firer_read(f, &fired0, &lost0, &late0);
	for (i = 0; i < swaps; i++) {
		fd = same || (i & 1) ? f->fds[0] : f->fds[1];
		t = now();
		ret = set_one(dev, 0, fd);
		lat[i] = (now() - t) * 1e6;
		if (ret) {
			printf("# swap %s: %s\n", pattern, strerror(-ret));
			break;
		}
		if (firing)
			firer_await(f, gap_events);
	}
	csv("swap", pattern, i, "median_us", quantile(lat, i, 0.5));
	csv("swap", pattern, i, "p90_us", quantile(lat, i, 0.9));
	if (!firing)
		return;
	firer_read(f, &fired, &lost, &late);
	csv("swap", pattern, i, "fired", fired - fired0);
	csv("swap", pattern, i, "lost", lost - lost0);
	csv("swap", pattern, i, "late", late - late0);
}

static void swap(struct vfio_pci_device *dev)
{
	struct firer f = { .dev = dev, .fds = { eventfd_new(), eventfd_new() },
			   .nfds = 2 };

	msix_off(dev);
	if (set_one(dev, 0, f.fds[0]))
		return;
	swap_phase(dev, &f, false, false);	/* A -> B -> A ..., ends on A */
	swap_phase(dev, &f, true, false);	/* A -> A */
	firer_start(&f);
	swap_phase(dev, &f, false, true);
	swap_phase(dev, &f, true, true);
	firer_stop(&f);
	msix_off(dev);
	close(f.fds[0]);
	close(f.fds[1]);
}

/* ---- first enable -------------------------------------------------------- */

/*
 * The first SET_IRQS of vector 0 alone and of vector LAST alone, timed in
 * turn (MSI-X disabled before each) so that a slow spell of the host
 * weighs on both patterns alike rather than on the one that ran during it;
 * which of the two goes first alternates too.
 */
static void first_pair(struct vfio_pci_device *dev, int last, int fd)
{
	static const char * const pattern[2] = { "vector0", "last" };
	const int vector[2] = { 0, last };
	double *t[2], t0;
	int i, j, p, ret, irqs[2] = { -1, -1 }, ok[2] = { 1, 1 };

	t[0] = calloc(first_reps, sizeof(double));
	t[1] = calloc(first_reps, sizeof(double));
	if (!t[0] || !t[1])
		exit(1);
	for (i = 0; i < first_reps; i++) {
		for (j = 0; j < 2; j++) {
			p = j ^ (i & 1);
			if (!ok[p])
				continue;
			msix_off(dev);
			t0 = now();
			ret = set_one(dev, vector[p], fd);
			t[p][i] = now() - t0;
			if (ret) {
				csv("first", pattern[p], vector[p], "error", ret);
				ok[p] = 0;
				continue;
			}
			irqs[p] = sysfs_msi_irqs_count(dev->bdf);
		}
	}
	msix_off(dev);
	for (p = 0; p < 2; p++) {
		if (ok[p]) {
			csv("first", pattern[p], vector[p], "median_s",
			    quantile(t[p], first_reps, 0.5));
			csv("first", pattern[p], vector[p], "irqs", irqs[p]);
		}
		free(t[p]);
	}
}

/*
 * MSI-X enabled with vector 0 and disabled again, cycle_reps times: what a
 * kernel that creates the device's MSI-X domain at each enable and removes
 * it at each disable pays, against one that keeps the domain.
 */
static void cycles(struct vfio_pci_device *dev, int fd)
{
	double t0 = now();
	int i, ret;

	msix_off(dev);
	for (i = 0; i < cycle_reps; i++) {
		ret = set_one(dev, 0, fd);
		if (ret) {
			csv("cycle", "vector0", 0, "error", ret);
			return;
		}
		msix_off(dev);
	}
	csv("cycle", "vector0", 0, "per_s", cycle_reps / (now() - t0));
}

static void first_enable(struct vfio_pci_device *dev)
{
	int table = vfio_pci_cap_vectors(dev, MSIX);
	int fd = eventfd_new();

	if (fd < 0 || table < 2)
		return;
	first_pair(dev, table - 1, fd);
	cycles(dev, fd);
	close(fd);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: msix-bench [-k KERNEL] [-r RUNS] [-d DYN_RUNS] [-n MAX] [-R ROUNDS]\n"
		"                  [-s SWAPS] [-m REPS] [-w WAIT_MS] [-e GAP_EVENTS] [-f REPS]\n"
		"                  NVME_BDF|- IGB_BDF|-\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct vfio_pci_device *dev;
	int opt;

	while ((opt = getopt(argc, argv, "k:r:d:n:R:s:m:w:e:f:")) != -1) {
		switch (opt) {
		case 'k': kname = optarg; break;
		case 'r': runs = atoi(optarg); break;
		case 'd': dyn_runs = atoi(optarg); break;
		case 'n': max_cap = atoi(optarg); break;
		case 'R': rounds = atoi(optarg); break;
		case 's': swaps = atoi(optarg); break;
		case 'm': mem_reps = atoi(optarg); break;
		case 'w': timeout_ms = atoi(optarg); break;
		case 'e': gap_events = atoi(optarg); break;
		case 'f': first_reps = atoi(optarg); break;
		default: usage();
		}
	}
	if (argc - optind != 2 || runs < 1 || dyn_runs < 1 || swaps < 1 || mem_reps < 1 ||
	    first_reps < 1)
		usage();

	/* An eventfd per entry of a 2048-entry table. */
	setrlimit(RLIMIT_NOFILE, &(struct rlimit){ 8192, 8192 });

	printf("kernel,measure,pattern,n,stat,value\n");
	if (strcmp(argv[optind], "-")) {
		dev = vfio_pci_device_open(argv[optind]);
		if (!dev)
			return 1;
		memory(dev);	/* first: before growth churns the slabs */
		first_enable(dev);
		growth(dev);
		vfio_pci_device_close(dev);
	}
	if (strcmp(argv[optind + 1], "-")) {
		dev = vfio_pci_device_open(argv[optind + 1]);
		if (!dev)
			return 1;
		if (!vfio_pci_device_can_send_msi(dev)) {
			fprintf(stderr, "%s: cannot fire MSI-X\n", dev->bdf);
			return 1;
		}
		disrupt(dev);
		swap(dev);
		vfio_pci_device_close(dev);
	}
	return 0;
}
