// SPDX-License-Identifier: GPL-2.0
/*
 * msix-qtest: drive a QEMU vfio-pci device's MSI-X over the qtest socket
 * the way a Linux guest driver does, one request_irq() at a time.
 *
 * QEMU is started elsewhere with "-S -qtest unix:SOCK,server=on,wait=off".
 * This program finds the device's config space through 0xcf8/0xcfc (q35)
 * or, with -e ADDR, an ECAM window at ADDR (the arm64 virt machine; -a
 * then names where its BARs may go), maps
 * BAR0 and the BAR holding the MSI-X table, enables memory decoding and bus
 * mastering, enables MSI-X with the function masked, masks every entry,
 * drops the function mask and then programs and unmasks vectors 0..N-1 one
 * at a time. After each unmask it reads the vfio-msix lines of
 * /proc/interrupts for the host device and prints one result line:
 *
 *   step V live LIST counts LIST usec T
 *
 * With -m LOG it also appends a marker line before and after each step to
 * LOG (opened O_APPEND), so that QEMU's trace output, written to the same
 * file, can be attributed to the step that caused it.
 *
 * With -f ROUNDS (an igb only) it then masks and unmasks the vectors in
 * turn, ROUNDS times each way, and fires the vector through the device's
 * EICS register just before each mask or unmask, as a device does while
 * its driver masks: each interrupt must reach KVM, directly through the
 * irqfd or, if it came while masked, through QEMU's pending bit on the
 * next unmask. KVM's receipts are counted from the kvm:kvm_msi_set_irq
 * events in -k TRACE_PIPE (tracefs' trace_pipe with only that event on;
 * the caller enables it). A vector whose pending bit is set is not fired
 * until it is unmasked, so that no two interrupts merge in the pending
 * bit. After the loop every vector is unmasked and the result is one line:
 * K events for the vectors fired, P interrupts that waited in the pending
 * bit on purpose (fired at a masked vector), R that came to the pending
 * bit because QEMU's swap on a mask came first, O events for any other
 * vector and X more than were fired for a vector (there must be none):
 *
 *   fire fired F kvm K lost L pending P raced R other O excess X
 *
 * No dependencies beyond libc.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define PCI_COMMAND		0x04
#define  PCI_COMMAND_MEMORY	0x2
#define  PCI_COMMAND_MASTER	0x4
#define PCI_STATUS		0x06
#define  PCI_STATUS_CAP_LIST	0x10
#define PCI_BASE_ADDRESS_0	0x10
#define PCI_CAPABILITY_LIST	0x34
#define PCI_CAP_ID_MSIX		0x11
#define PCI_MSIX_FLAGS		2
#define  PCI_MSIX_FLAGS_QSIZE	0x07ff
#define  PCI_MSIX_FLAGS_MASKALL	0x4000
#define  PCI_MSIX_FLAGS_ENABLE	0x8000
#define PCI_MSIX_TABLE		4
#define PCI_MSIX_PBA		8
#define PCI_MSIX_ENTRY_SIZE	16
#define PCI_MSIX_ENTRY_LOWER_ADDR	0
#define PCI_MSIX_ENTRY_UPPER_ADDR	4
#define PCI_MSIX_ENTRY_DATA		8
#define PCI_MSIX_ENTRY_VECTOR_CTRL	12
#define  PCI_MSIX_ENTRY_CTRL_MASKBIT	1

#define MMIO_BASE		0xc0000000ULL	/* free PCI space on q35 */
#define MAX_VECTORS		2048

/* The igb (82576), as the vfio selftests' igb driver raises its MSI-X. */
#define IGB_ID			0x10c98086
#define IGB_GPIE		0x1514
#define  IGB_GPIE_MSIX_MODE	0x00000010
#define  IGB_GPIE_EIAME		0x40000000
#define  IGB_GPIE_PBA		0x80000000
#define IGB_EICS		0x1520
#define IGB_EIMS		0x1524
#define IGB_EIAC		0x152c
#define IGB_EIAM		0x1530
/* How long an interrupt may take to reach KVM or QEMU's pending bit. */
#define FIRE_WAIT_US		2000000

static int qt_fd = -1;
static int qt_timeout_ms = 30000;
static int verbose;
static int mark_fd = -1;
static unsigned int bus, slot, func;
static pid_t qemu_pid;
static char rbuf[4096];
static size_t rlen;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("msix-qtest: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void mark(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	if (mark_fd < 0)
		return;
	n = snprintf(buf, sizeof(buf), "msix-qtest: ");
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	va_end(ap);
	buf[n++] = '\n';
	if (write(mark_fd, buf, n) != n)
		die("cannot write the marker log: %s", strerror(errno));
}

/* Connect to QEMU's qtest socket, retrying while QEMU starts up. */
static void qt_connect(const char *path, int timeout_s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	long long deadline = now_us() + timeout_s * 1000000LL;

	if (strlen(path) >= sizeof(sa.sun_path))
		die("socket path too long: %s", path);
	strcpy(sa.sun_path, path);
	for (;;) {
		qt_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (qt_fd < 0)
			die("socket: %s", strerror(errno));
		if (!connect(qt_fd, (struct sockaddr *)&sa, sizeof(sa)))
			return;
		close(qt_fd);
		if (qemu_pid > 0 && kill(qemu_pid, 0) && errno == ESRCH)
			die("QEMU (pid %d) exited before its qtest socket came up",
			    (int)qemu_pid);
		if (now_us() > deadline)
			die("cannot connect to %s within %d s: %s", path,
			    timeout_s, strerror(errno));
		usleep(50000);
	}
}

/* Read one reply line (without the newline) into line; skip IRQ events. */
static void qt_read_line(char *line, size_t size)
{
	long long deadline = now_us() + qt_timeout_ms * 1000LL;
	char *nl;

	for (;;) {
		nl = memchr(rbuf, '\n', rlen);
		if (nl) {
			size_t n = nl - rbuf;

			if (n >= size)
				die("reply too long");
			memcpy(line, rbuf, n);
			line[n] = '\0';
			rlen -= n + 1;
			memmove(rbuf, nl + 1, rlen);
			if (!strncmp(line, "IRQ ", 4))
				continue;
			return;
		}

		struct pollfd pfd = { .fd = qt_fd, .events = POLLIN };
		long long left = (deadline - now_us()) / 1000;
		ssize_t r;

		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			die("no reply from QEMU within %d ms", qt_timeout_ms);
		if (rlen == sizeof(rbuf))
			die("reply buffer overflow");
		r = read(qt_fd, rbuf + rlen, sizeof(rbuf) - rlen);
		if (r <= 0)
			die("QEMU closed the qtest socket");
		rlen += r;
	}
}

/* Send one command; return the value of an "OK 0x..." reply (0 for "OK"). */
static uint64_t qt_cmd(const char *fmt, ...)
{
	char cmd[128], line[256];
	va_list ap;
	size_t n, off = 0;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd) - 1, fmt, ap);
	va_end(ap);
	if (verbose)
		fprintf(stderr, "> %s\n", cmd);
	cmd[n++] = '\n';
	while (off < n) {
		ssize_t w = write(qt_fd, cmd + off, n - off);

		if (w <= 0)
			die("write to qtest socket: %s", strerror(errno));
		off += w;
	}
	qt_read_line(line, sizeof(line));
	if (verbose)
		fprintf(stderr, "< %s\n", line);
	if (strncmp(line, "OK", 2))
		die("qtest command '%.*s' failed: %s", (int)n - 1, cmd, line);
	return line[2] == ' ' ? strtoull(line + 3, NULL, 0) : 0;
}

/* With -e: the ECAM window; config accesses are then memory accesses. */
static uint64_t ecam;

static uint64_t ecam_addr(unsigned int off)
{
	return ecam + ((uint64_t)bus << 20 | slot << 15 | func << 12 | off);
}

static void cfg_addr(unsigned int off)
{
	qt_cmd("outl 0xcf8 0x%x", 0x80000000u | bus << 16 | slot << 11 |
	       func << 8 | (off & 0xfc));
}

static uint32_t cfg_read32(unsigned int off)
{
	if (ecam)
		return qt_cmd("readl 0x%llx", (unsigned long long)ecam_addr(off));
	cfg_addr(off);
	return qt_cmd("inl 0xcfc");
}

static uint16_t cfg_read16(unsigned int off)
{
	if (ecam)
		return qt_cmd("readw 0x%llx", (unsigned long long)ecam_addr(off));
	cfg_addr(off);
	return qt_cmd("inw 0x%x", 0xcfc + (off & 2));
}

static uint8_t cfg_read8(unsigned int off)
{
	if (ecam)
		return qt_cmd("readb 0x%llx", (unsigned long long)ecam_addr(off));
	cfg_addr(off);
	return qt_cmd("inb 0x%x", 0xcfc + (off & 3));
}

static void cfg_write32(unsigned int off, uint32_t val)
{
	if (ecam) {
		qt_cmd("writel 0x%llx 0x%x", (unsigned long long)ecam_addr(off), val);
		return;
	}
	cfg_addr(off);
	qt_cmd("outl 0xcfc 0x%x", val);
}

static void cfg_write16(unsigned int off, uint16_t val)
{
	if (ecam) {
		qt_cmd("writew 0x%llx 0x%x", (unsigned long long)ecam_addr(off), val);
		return;
	}
	cfg_addr(off);
	qt_cmd("outw 0x%x 0x%x", 0xcfc + (off & 2), val);
}

static void mmio_write32(uint64_t addr, uint32_t val)
{
	qt_cmd("writel 0x%llx 0x%x", (unsigned long long)addr, val);
}

static uint32_t mmio_read32(uint64_t addr)
{
	return qt_cmd("readl 0x%llx", (unsigned long long)addr);
}

/* Size memory BAR bar and place it at *next; return its address. */
static uint64_t map_bar(unsigned int bar, uint64_t *next)
{
	unsigned int off = PCI_BASE_ADDRESS_0 + 4 * bar;
	uint32_t orig = cfg_read32(off), lo;
	uint64_t size, addr;
	int is64 = (orig & 0x7) == 0x4;

	if (orig & 1)
		die("BAR%u is an I/O BAR", bar);
	cfg_write32(off, 0xffffffff);
	lo = cfg_read32(off) & ~0xfu;
	size = ((uint64_t)(~lo) + 1) & 0xffffffffULL;
	if (is64) {
		cfg_write32(off + 4, 0xffffffff);
		size = ~(((uint64_t)cfg_read32(off + 4) << 32) | lo) + 1;
	}
	if (!size)
		die("BAR%u is not implemented", bar);
	addr = (*next + size - 1) & ~(size - 1);
	*next = addr + size;
	cfg_write32(off, (uint32_t)addr);
	if (is64)
		cfg_write32(off + 4, addr >> 32);
	printf("# BAR%u: %s, size 0x%llx, at 0x%llx\n", bar,
	       is64 ? "mem64" : "mem32", (unsigned long long)size,
	       (unsigned long long)addr);
	return addr;
}

static unsigned int find_cap(unsigned int id)
{
	unsigned int pos, ttl = 48;

	if (!(cfg_read16(PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	pos = cfg_read8(PCI_CAPABILITY_LIST) & ~3u;
	while (pos >= 0x40 && ttl--) {
		if (cfg_read8(pos) == id)
			return pos;
		pos = cfg_read8(pos + 1) & ~3u;
	}
	return 0;
}

/*
 * Collect the vfio-msix[N](BDF) lines of /proc/interrupts: live[N] = 1 and
 * count[N] = the sum over the CPUs. Returns the number of such lines.
 */
static int read_live(const char *bdf, char *live, unsigned long long *count,
		     int max)
{
	char line[4096], tag[64];
	FILE *f = fopen("/proc/interrupts", "r");
	int n = 0, ncpu = 0;

	if (!f)
		die("/proc/interrupts: %s", strerror(errno));
	memset(live, 0, max);
	if (fgets(line, sizeof(line), f))
		for (char *p = strtok(line, " \t\n"); p; p = strtok(NULL, " \t\n"))
			ncpu++;
	snprintf(tag, sizeof(tag), "](%s)", bdf);
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "vfio-msix["), *q;
		unsigned long long sum = 0;
		long v;

		if (!p || !strstr(p, tag))
			continue;
		v = strtol(p + 10, &q, 10);
		if (*q != ']' || v < 0 || v >= max)
			die("cannot parse: %s", line);
		q = strchr(line, ':');
		for (int c = 0; q && c < ncpu; c++)
			sum += strtoull(q + 1, &q, 10);
		live[v] = 1;
		count[v] = sum;
		n++;
	}
	fclose(f);
	return n;
}

static void print_list(const char *what, const char *live,
		       const unsigned long long *count, int max)
{
	int any = 0;

	printf(" %s ", what);
	for (int i = 0; i < max; i++) {
		if (!live[i])
			continue;
		if (count)
			printf("%s%llu", any ? "," : "", count[i]);
		else
			printf("%s%d", any ? "," : "", i);
		any = 1;
	}
	if (!any)
		printf("-");
}

/*
 * kvm:kvm_msi_set_irq events read from trace_pipe so far ("... vec N
 * ..." per line): in all, and per MSI data vector (0x40 + v, as the
 * entries are programmed above). The event fires where KVM routes an MSI,
 * before delivery; the -S guest's local APIC, never enabled, then drops it.
 */
static int trace_fd = -1;
static unsigned long kvm_msis, kvm_msis_vec[MAX_VECTORS], kvm_msis_other;
static char tline[512];
static size_t tlen;

static void trace_line(void)
{
	const char *p = strstr(tline, " vec ");
	unsigned long vec;

	if (strstr(tline, "LOST"))
		die("the trace buffer lost events: %s", tline);
	if (!strstr(tline, "kvm_msi_set_irq:"))
		return;
	kvm_msis++;
	vec = p ? strtoul(p + 5, NULL, 10) : 0;
	if (vec >= 0x40 && vec - 0x40 < MAX_VECTORS)
		kvm_msis_vec[vec - 0x40]++;
	else
		kvm_msis_other++;
}

static void trace_poll(void)
{
	char buf[8192];
	ssize_t r;

	while ((r = read(trace_fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < r; i++) {
			if (buf[i] != '\n') {
				if (tlen < sizeof(tline) - 1)
					tline[tlen++] = buf[i];
				continue;
			}
			tline[tlen] = '\0';
			trace_line();
			tlen = 0;
		}
	}
	if (r < 0 && errno != EAGAIN && errno != EINTR)
		die("trace_pipe: %s", strerror(errno));
}

struct fire_ctx {
	uint64_t bar0, tbl, pba;
	unsigned int nvec;
	/* Seen in the pending bit: on purpose (a settled step) or by a race. */
	unsigned long fired, pending_settled, pending_raced, waits_failed;
	char masked[MAX_VECTORS];
	unsigned long fired_vec[MAX_VECTORS];
};

static int pba_bit(struct fire_ctx *c, unsigned int v)
{
	return mmio_read32(c->pba + v / 32 * 4) >> (v % 32) & 1;
}

static void set_mask(struct fire_ctx *c, unsigned int v, int masked)
{
	uint64_t ctrl = c->tbl + v * PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_VECTOR_CTRL;

	mark("fire-%s %u", masked ? "mask" : "unmask", v);
	mmio_write32(ctrl, masked ? PCI_MSIX_ENTRY_CTRL_MASKBIT : 0);
	mmio_read32(ctrl);	/* flush */
	c->masked[v] = masked;
	mark("fire-done %u", v);
}

/*
 * Wait until what fired since vector v's KVM count was k0 has reached KVM
 * or, with v masked, the pending bit: 1, or 0 after FIRE_WAIT_US. The
 * pending bit is read through the table's BAR: QEMU's, or the device's
 * while QEMU does not emulate the PBA (it starts to when an interrupt
 * comes to a masked vector).
 */
static int fire_wait(struct fire_ctx *c, unsigned int v, unsigned long k0,
		     bool settle)
{
	long long deadline = now_us() + FIRE_WAIT_US;

	do {
		trace_poll();
		if (kvm_msis_vec[v] > k0)
			return 1;
		if (c->masked[v] && pba_bit(c, v)) {
			if (settle)
				c->pending_settled++;
			else
				c->pending_raced++;
			return 1;
		}
		usleep(200);
	} while (now_us() < deadline);
	c->waits_failed++;
	printf("# fire: vector %u, %s: nothing reached KVM%s within %d ms\n", v,
	       c->masked[v] ? "masked" : "unmasked",
	       c->masked[v] ? " or the pending bit" : "", FIRE_WAIT_US / 1000);
	return 0;
}

/*
 * Fire vector v and toggle its mask: right after the register write
 * (@settle false), so that the interrupt may still be on its way when
 * QEMU swaps the eventfd, or once it has landed (@settle true), so that a
 * masked vector's interrupt waits in the pending bit for the unmask. A vector whose pending bit is set already is not fired (the
 * two would merge); its unmask delivers what is pending. Either way one
 * interrupt more must reach KVM, now or at the next unmask.
 */
static void fire_step(struct fire_ctx *c, unsigned int v, bool settle)
{
	int was_pending = c->masked[v] && pba_bit(c, v);
	bool at_kvm = false;
	unsigned long k0;

	trace_poll();
	k0 = kvm_msis_vec[v];
	if (!was_pending) {
		mmio_write32(c->bar0 + IGB_EICS, 1u << v);
		c->fired++;
		c->fired_vec[v]++;
		at_kvm = settle && fire_wait(c, v, k0, true) && kvm_msis_vec[v] > k0;
	}
	set_mask(c, v, !c->masked[v]);
	/* Unless it reached KVM already: KVM, or the pending bit if masked. */
	if (!at_kvm)
		fire_wait(c, v, k0, false);
}

static void fire_loop(struct fire_ctx *c, unsigned int rounds)
{
	long long t0 = now_us(), deadline;
	unsigned long kvm, lost = 0, excess = 0;

	/* The igb raises MSI-X vector v for EICS bit v. */
	mmio_write32(c->bar0 + IGB_GPIE, IGB_GPIE_MSIX_MODE | IGB_GPIE_EIAME | IGB_GPIE_PBA);
	mmio_write32(c->bar0 + IGB_EIAC, (1u << c->nvec) - 1);
	mmio_write32(c->bar0 + IGB_EIAM, (1u << c->nvec) - 1);
	mmio_write32(c->bar0 + IGB_EIMS, (1u << c->nvec) - 1);
	/* Two toggles per round: masked and back; settled every other round. */
	for (unsigned int r = 0; r < 2 * rounds; r++)
		for (unsigned int v = 0; v < c->nvec; v++)
			fire_step(c, v, r / 2 % 2);
	for (unsigned int v = 0; v < c->nvec; v++)
		if (c->masked[v])
			set_mask(c, v, 0);
	mark("fire-end");
	/* Whatever is still on its way gets its time. */
	deadline = now_us() + FIRE_WAIT_US;
	do {
		usleep(1000);
		trace_poll();
	} while (kvm_msis - kvm_msis_other < c->fired && now_us() < deadline);
	/* Per vector: one vector's duplicate must not hide another's loss. */
	for (unsigned int v = 0; v < c->nvec; v++) {
		if (kvm_msis_vec[v] < c->fired_vec[v])
			lost += c->fired_vec[v] - kvm_msis_vec[v];
		else
			excess += kvm_msis_vec[v] - c->fired_vec[v];
	}
	kvm = kvm_msis - kvm_msis_other;
	if (excess || kvm_msis_other)
		printf("# fire: KVM routed %lu more than were fired, %lu for other vectors\n",
		       excess, kvm_msis_other);
	printf("# fire: %u rounds over %u vectors in %lld ms, %lu waits failed\n",
	       rounds, c->nvec, (now_us() - t0) / 1000, c->waits_failed);
	printf("fire fired %lu kvm %lu lost %lu pending %lu raced %lu other %lu excess %lu\n",
	       c->fired, kvm, lost, c->pending_settled, c->pending_raced,
	       kvm_msis_other, excess);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: msix-qtest -s SOCKET [-d SLOT] [-n VECTORS] [-b HOST_BDF]\n"
		"                  [-m MARKER_LOG] [-c CONNECT_TIMEOUT_S]\n"
		"                  [-t REPLY_TIMEOUT_MS] [-p QEMU_PID] [-v]\n"
		"                  [-f ROUNDS -k TRACE_PIPE] [-e ECAM -a MMIO_BASE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *sock = NULL, *bdf = NULL, *marks = NULL;
	unsigned int cap, bir, tbl_off, nvec = 0, qsize;
	int connect_timeout = 120, opt;
	unsigned int rounds = 0;
	static struct fire_ctx fc;
	uint64_t next = MMIO_BASE, bar0, tbl;
	static char live[MAX_VECTORS];
	static unsigned long long count[MAX_VECTORS];
	uint32_t id;
	uint16_t ctl;

	slot = 3;
	while ((opt = getopt(argc, argv, "s:d:n:b:m:c:t:p:vf:k:e:a:")) != -1) {
		switch (opt) {
		case 's': sock = optarg; break;
		case 'd': slot = strtoul(optarg, NULL, 0); break;
		case 'n': nvec = strtoul(optarg, NULL, 0); break;
		case 'b': bdf = optarg; break;
		case 'm': marks = optarg; break;
		case 'c': connect_timeout = atoi(optarg); break;
		case 't': qt_timeout_ms = atoi(optarg); break;
		case 'p': qemu_pid = atoi(optarg); break;
		case 'v': verbose = 1; break;
		case 'f': rounds = strtoul(optarg, NULL, 0); break;
		case 'e': ecam = strtoull(optarg, NULL, 0); break;
		case 'a': next = strtoull(optarg, NULL, 0); break;
		case 'k':
			trace_fd = open(optarg, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
			if (trace_fd < 0)
				die("%s: %s", optarg, strerror(errno));
			break;
		default: usage();
		}
	}
	if (!sock || optind != argc || slot > 31 || (rounds && trace_fd < 0))
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (marks) {
		mark_fd = open(marks, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (mark_fd < 0)
			die("%s: %s", marks, strerror(errno));
	}

	long long t0 = now_us();

	qt_connect(sock, connect_timeout);
	id = cfg_read32(0);
	printf("# connected after %lld ms; device %04x:%04x at 00:%02x.0\n",
	       (now_us() - t0) / 1000, id & 0xffff, id >> 16, slot);
	if ((id & 0xffff) == 0xffff)
		die("no device at 00:%02x.0", slot);

	cap = find_cap(PCI_CAP_ID_MSIX);
	if (!cap)
		die("no MSI-X capability");
	ctl = cfg_read16(cap + PCI_MSIX_FLAGS);
	qsize = (ctl & PCI_MSIX_FLAGS_QSIZE) + 1;
	tbl_off = cfg_read32(cap + PCI_MSIX_TABLE);
	bir = tbl_off & 7;
	tbl_off &= ~7u;
	if (!nvec)
		nvec = qsize;
	if (nvec > qsize || nvec > MAX_VECTORS)
		die("%u vectors asked, the table has %u", nvec, qsize);
	printf("# MSI-X cap at 0x%x: %u entries, table in BAR%u at 0x%x\n",
	       cap, qsize, bir, tbl_off);

	/* BAR0 (registers) and the table's BAR; then decode and master. */
	bar0 = map_bar(0, &next);
	tbl = (bir ? map_bar(bir, &next) : bar0) + tbl_off;
	if (rounds) {
		uint32_t pba = cfg_read32(cap + PCI_MSIX_PBA);

		if (id != IGB_ID)
			die("-f fires through the igb's EICS: device %08x is not an igb", id);
		if ((pba & 7) != bir)
			die("the PBA is not in the table's BAR");
		fc = (struct fire_ctx){ .bar0 = bar0, .tbl = tbl, .nvec = nvec,
					.pba = tbl - tbl_off + (pba & ~7u) };
	}
	cfg_write16(PCI_COMMAND, cfg_read16(PCI_COMMAND) | PCI_COMMAND_MEMORY |
		    PCI_COMMAND_MASTER);

	/* As the PCI/MSI core does: enable with the function masked, ... */
	mark("enable msix");
	cfg_write16(cap + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE |
		    PCI_MSIX_FLAGS_MASKALL);
	/* ... mask every entry, ... */
	for (unsigned int i = 0; i < qsize; i++)
		mmio_write32(tbl + i * PCI_MSIX_ENTRY_SIZE +
			     PCI_MSIX_ENTRY_VECTOR_CTRL,
			     PCI_MSIX_ENTRY_CTRL_MASKBIT);
	/* ... and let the entries' own masks rule. */
	cfg_write16(cap + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE);
	if (bdf) {
		int n = read_live(bdf, live, count, MAX_VECTORS);

		printf("# enabled:");
		print_list("live", live, NULL, MAX_VECTORS);
		printf(" (%d)\n", n);
	}
	mark("enabled");

	/* One request_irq() at a time: program the entry, then unmask it. */
	for (unsigned int v = 0; v < nvec; v++) {
		uint64_t e = tbl + v * PCI_MSIX_ENTRY_SIZE;
		long long ts;
		uint32_t ctrl;

		mark("unmask %u", v);
		ts = now_us();
		mmio_write32(e + PCI_MSIX_ENTRY_LOWER_ADDR, 0xfee00000);
		mmio_write32(e + PCI_MSIX_ENTRY_UPPER_ADDR, 0);
		mmio_write32(e + PCI_MSIX_ENTRY_DATA, 0x40 + v);
		mmio_write32(e + PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
		ctrl = mmio_read32(e + PCI_MSIX_ENTRY_VECTOR_CTRL);	/* flush */
		ts = now_us() - ts;
		mark("unmasked %u", v);
		if (ctrl & PCI_MSIX_ENTRY_CTRL_MASKBIT)
			die("vector %u still masked after unmasking", v);
		printf("step %u", v);
		if (bdf) {
			read_live(bdf, live, count, MAX_VECTORS);
			print_list("live", live, NULL, MAX_VECTORS);
			print_list("counts", live, count, MAX_VECTORS);
		}
		printf(" usec %lld\n", ts);
	}
	mark("done");
	printf("# done: %u vectors in %lld ms\n", nvec, (now_us() - t0) / 1000);
	if (rounds)
		fire_loop(&fc, rounds);
	return 0;
}
