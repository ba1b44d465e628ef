// SPDX-License-Identifier: GPL-2.0
/*
 * msix-hostile: malformed and hostile VFIO_DEVICE_SET_IRQS and
 * VFIO_DEVICE_GET_IRQ_INFO calls on a device whose MSI-X is live.
 *
 *	msix-hostile BDF
 *
 * BDF must be a device that raises its own MSI-X interrupts (QEMU's igb).
 * Before each case MSI-X is set up afresh: vectors 0..5 enabled, 0, 1 and
 * 2 live with eventfds A, B and C. The case makes one call, which must return the
 * errno in the table (0 for success). Then the state is read back, not
 * assumed: the vectors with a vfio handler in /proc/interrupts must be
 * exactly those the case expects, and each of them, fired by the device,
 * must reach the eventfd the case expects and no other; no irq may be
 * allocated (msi_irqs) but for the vectors the call set before it failed. So a failed call
 * changed nothing it should not have, and the device still delivers.
 *
 * The states are 6.12's semantics, which the series and the follow-up
 * keep: a call that fails on a vector's fd leaves that vector, and those
 * before it in the same call, without a trigger; any negative fd unsets
 * a vector as -1 does (the uAPI names -1 only). Where the uAPI names no
 * errno, the table expects 6.12's and says so. Output: TAP, one line per
 * case.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "vfio_pci_device.h"

#define INTX		VFIO_PCI_INTX_IRQ_INDEX
#define MSI		VFIO_PCI_MSI_IRQ_INDEX
#define MSIX		VFIO_PCI_MSIX_IRQ_INDEX
#define NV		6	/* vectors whose state is checked: 0..NV-1 */
#define WAIT_MS		1000
#define EV_NONE		'-'
#define START_TABLE	UINT32_MAX	/* a case's start: the table size */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define FL_EVENTFD	(VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER)
#define FL_NONE		(VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER)
#define FL_BOOL		(VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER)

static struct vfio_pci_device *dev;
static u32 table;		/* MSI-X table size */
/* Eventfds A..F by letter; a few non-eventfd descriptors. */
static int ev[6], pipe_fd, dead_fd;

struct hcase {
	const char *name;
	int ioctl;		/* 0: SET_IRQS, 1: GET_IRQ_INFO */
	u32 flags, index, start, count;
	/* argsz: 0 = exact; else header + this many bytes (may be short) */
	int argsz_delta;
	bool argsz_short;
	const char *fds;	/* per vector: 'A'..'F', 'p', 'c', 'n', 'h', 'u' */
	const u8 *bools;
	int err;		/* expected: 0 or an errno */
	const char *after;	/* eventfd letter per vector 0..NV-1, '-' none */
	/* Loopback: these vectors' eventfds must have been signalled. */
	const char *signalled;
};

static const u8 bools_101[] = { 1, 0, 1 };

static const struct hcase cases[] = {
	/* Malformed headers */
	{ "argsz shorter than the header", 0, FL_EVENTFD, MSIX, 0, 1, -1, true, "A", NULL,
	  EINVAL, "ABC---", NULL },
	{ "argsz without room for the data", 0, FL_EVENTFD, MSIX, 0, 2, 4, false, "AB", NULL,
	  EINVAL, "ABC---", NULL },
	{ "index past the last irq index", 0, FL_EVENTFD, VFIO_PCI_NUM_IRQS, 0, 1, 0, false, "A", NULL,
	  EINVAL, "ABC---", NULL },
	{ "two data types (NONE and BOOL)", 0, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_DATA_BOOL |
	  VFIO_IRQ_SET_ACTION_TRIGGER, MSIX, 0, 1, 0, false, NULL, NULL, EINVAL, "ABC---", NULL },
	{ "two actions (MASK and TRIGGER)", 0, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK |
	  VFIO_IRQ_SET_ACTION_TRIGGER, MSIX, 0, 1, 0, false, NULL, NULL, ENOTTY, "ABC---", NULL },
	{ "an unknown flag", 0, FL_NONE | (1u << 12), MSIX, 0, 1, 0, false, NULL, NULL,
	  EINVAL, "ABC---", NULL },
	{ "no data type, no action", 0, 0, MSIX, 0, 1, 0, false, NULL, NULL, EINVAL, "ABC---", NULL },
	/*
	 * Actions MSI-X does not have (no MASKABLE in its GET_IRQ_INFO): the
	 * uAPI names no errno; 6.12's is ENOTTY, for want of a handler.
	 */
	{ "MASK on MSI-X", 0, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK, MSIX, 0, 1, 0,
	  false, NULL, NULL, ENOTTY, "ABC---", NULL },
	{ "UNMASK on MSI-X", 0, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK, MSIX, 0, 1,
	  0, false, NULL, NULL, ENOTTY, "ABC---", NULL },
	/* Ranges */
	{ "start + count overflowing u32", 0, FL_NONE, MSIX, UINT32_MAX, 2, 0, false, NULL, NULL,
	  EINVAL, "ABC---", NULL },
	{ "start at the table size", 0, FL_EVENTFD, MSIX, START_TABLE, 1, 0, false, "D", NULL,
	  EINVAL, "ABC---", NULL },
	{ "a range running past the table", 0, FL_NONE, MSIX, 1, UINT32_MAX / 2, 0, false, NULL,
	  NULL, EINVAL, "ABC---", NULL },
	/*
	 * File descriptors, on vector 3 (no trigger). EINVAL for what is not
	 * an eventfd and EBADF for what is not open are eventfd_ctx_fdget()'s.
	 */
	{ "a pipe, not an eventfd, on a new vector", 0, FL_EVENTFD, MSIX, 3, 1, 0, false, "p",
	  NULL, EINVAL, "ABC---", NULL },
	{ "a closed fd on a new vector", 0, FL_EVENTFD, MSIX, 3, 1, 0, false, "c", NULL,
	  EBADF, "ABC---", NULL },
	{ "fd -2 on a new vector (any negative fd unsets, as -1 does)", 0, FL_EVENTFD, MSIX, 3, 1, 0, false, "n", NULL,
	  0, "ABC---", NULL },
	{ "fd INT_MAX on a new vector", 0, FL_EVENTFD, MSIX, 3, 1, 0, false, "h", NULL,
	  EBADF, "ABC---", NULL },
	/* ... on vector 1 (live): the failed vector is left without a trigger */
	{ "a pipe on a live vector", 0, FL_EVENTFD, MSIX, 1, 1, 0, false, "p", NULL,
	  EINVAL, "A-C---", NULL },
	{ "a closed fd on a live vector", 0, FL_EVENTFD, MSIX, 1, 1, 0, false, "c", NULL,
	  EBADF, "A-C---", NULL },
	{ "fd -2 on a live vector", 0, FL_EVENTFD, MSIX, 1, 1, 0, false, "n", NULL,
	  0, "A-C---", NULL },
	/* A vector without an irq: a bad fd must not leave one allocated */
	{ "a closed fd on a vector without an irq", 0, FL_EVENTFD, MSIX, 8, 1, 0, false, "c", NULL,
	  EBADF, "ABC---", NULL },
	/* Bad fds in a block over the live vectors 0..2 (the block unwinds) */
	{ "a bad fd first in a block", 0, FL_EVENTFD, MSIX, 0, 3, 0, false, "cDE", NULL,
	  EBADF, "-BC---", NULL },
	{ "a bad fd in the middle of a block", 0, FL_EVENTFD, MSIX, 0, 3, 0, false, "DcE", NULL,
	  EBADF, "--C---", NULL },
	{ "a bad fd last in a block", 0, FL_EVENTFD, MSIX, 0, 3, 0, false, "DEc", NULL,
	  EBADF, "------", NULL },
	/* ... and over new vectors 3..5 */
	{ "a bad fd in the middle of a block of new vectors", 0, FL_EVENTFD, MSIX, 3, 3, 0,
	  false, "DcE", NULL, EBADF, "ABC---", NULL },
	/* Loopback triggers */
	{ "loopback on vectors without a trigger", 0, FL_NONE, MSIX, 3, 3, 0, false, NULL, NULL,
	  0, "ABC---", NULL },
	{ "loopback DATA_BOOL {1, 0, 1} on 0..2", 0, FL_BOOL, MSIX, 0, 3, 0, false, NULL,
	  bools_101, 0, "ABC---", "AC" },
	{ "DATA_BOOL without room for its array", 0, FL_BOOL, MSIX, 0, 3, 2, false, NULL,
	  bools_101, EINVAL, "ABC---", NULL },
	/* Other indexes while MSI-X is on */
	{ "MSI enable while MSI-X is on", 0, FL_EVENTFD, MSI, 0, 1, 0, false, "D", NULL,
	  EINVAL, "ABC---", NULL },
	{ "MSI disable while MSI-X is on", 0, FL_NONE, MSI, 0, 0, 0, false, NULL, NULL,
	  EINVAL, "ABC---", NULL },
	{ "INTx trigger while MSI-X is on", 0, FL_EVENTFD, INTX, 0, 1, 0, false, "D", NULL,
	  EINVAL, "ABC---", NULL },
	/* Allowed, though odd */
	{ "the same eventfd on two vectors", 0, FL_EVENTFD, MSIX, 3, 1, 0, false, "A", NULL,
	  0, "ABCA--", NULL },
	{ "count 0 with DATA_EVENTFD (a no-op)", 0, FL_EVENTFD, MSIX, 0, 0, 0, false, "", NULL,
	  0, "ABC---", NULL },
	/* GET_IRQ_INFO */
	{ "GET_IRQ_INFO with argsz shorter than the structure", 1, 0, MSIX, 0, 0, -1, true, NULL,
	  NULL, EINVAL, "ABC---", NULL },
	{ "GET_IRQ_INFO for an index past the last", 1, 0, VFIO_PCI_NUM_IRQS, 0, 0, 0, false,
	  NULL, NULL, EINVAL, "ABC---", NULL },
};

static int case_fd(char c)
{
	switch (c) {
	case 'p': return pipe_fd;
	case 'c': return dead_fd;
	case 'n': return -2;
	case 'h': return INT_MAX;
	case 'u': return -1;
	default:  return ev[c - 'A'];
	}
}

/* One call as the case describes it: 0 or an errno. */
static int call(const struct hcase *c)
{
	union {
		struct vfio_irq_set set;
		struct vfio_irq_info info;
		char buf[sizeof(struct vfio_irq_set) + 64];
	} u;
	size_t hdr = c->ioctl ? sizeof(u.info) : sizeof(u.set), data = 0;
	u32 i;

	memset(&u, 0, sizeof(u));
	if (c->ioctl) {
		u.info.argsz = c->argsz_short ? hdr - 4 : hdr;
		u.info.index = c->index;
		return ioctl(dev->fd, VFIO_DEVICE_GET_IRQ_INFO, &u.info) ? errno : 0;
	}
	u.set.flags = c->flags;
	u.set.index = c->index;
	u.set.start = c->start == START_TABLE ? table : c->start;
	u.set.count = c->count;
	if (c->fds) {
		for (i = 0; c->fds[i]; i++)
			((int *)u.set.data)[i] = case_fd(c->fds[i]);
		data = i * sizeof(int);
	}
	if (c->bools) {
		memcpy(u.set.data, c->bools, 3);
		data = 3;
	}
	if (c->argsz_short)
		u.set.argsz = hdr - 4;
	else if (c->argsz_delta)
		u.set.argsz = hdr + c->argsz_delta;
	else
		u.set.argsz = hdr + data;
	return ioctl(dev->fd, VFIO_DEVICE_SET_IRQS, &u.set) ? errno : 0;
}

/*
 * Vectors 0..2 live with A, B, C, and 3..5 enabled without a trigger (so
 * that a kernel without dynamic MSI-X can set them too); everything
 * pending drained.
 */
static int setup(void)
{
	int fds[NV] = { ev[0], ev[1], ev[2], -1, -1, -1 }, ret, i;

	vfio_pci_irq_disable(dev, MSIX);
	ret = vfio_pci_irq_set(dev, MSIX, 0, NV, fds);
	for (i = 0; i < (int)ARRAY_SIZE(ev); i++)
		eventfd_drain(ev[i]);
	return ret;
}

/*
 * The state against @want (one letter per vector 0..NV-1): handlers in
 * /proc/interrupts, then each live vector fired by the device into its
 * eventfd alone. Returns NULL or what differs.
 */
static const char *check_state(const char *want, char *why, size_t len)
{
	int v, e, irq, count;
	s64 n;

	for (v = 0, count = 0; v < NV; v++) {
		irq = proc_interrupts_irq(dev->bdf, MSIX, v);
		if ((irq >= 0) != (want[v] != EV_NONE)) {
			snprintf(why, len, "vector %d %s a handler", v, irq >= 0 ? "has" : "lacks");
			return why;
		}
		count += irq >= 0;
	}
	if (proc_interrupts_count(dev->bdf, MSIX) != count) {
		snprintf(why, len, "a vector past %d has a handler", NV - 1);
		return why;
	}
	for (v = 0; v < NV; v++) {
		if (want[v] == EV_NONE)
			continue;
		if (vfio_pci_send_msi(dev, MSIX, v)) {
			snprintf(why, len, "vector %d cannot be fired", v);
			return why;
		}
		n = eventfd_wait(ev[want[v] - 'A'], WAIT_MS);
		if (n <= 0) {
			snprintf(why, len, "vector %d, fired, did not reach eventfd %c", v, want[v]);
			return why;
		}
		for (e = 0; e < (int)ARRAY_SIZE(ev); e++) {
			if (e != want[v] - 'A' && eventfd_drain(ev[e]) > 0) {
				snprintf(why, len, "vector %d, fired, also reached eventfd %c",
					 v, 'A' + e);
				return why;
			}
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int p[2], fail = 0, err, irqs, i;
	struct vfio_irq_info info;
	const char *want, *bad;
	char why[160];
	size_t k;

	if (argc != 2) {
		fprintf(stderr, "usage: msix-hostile BDF\n");
		return 2;
	}
	for (i = 0; i < (int)ARRAY_SIZE(ev); i++)
		ev[i] = eventfd_new();
	if (pipe(p))
		return 2;
	pipe_fd = p[0];
	/* Far above anything this program opens, so that it stays closed. */
	dead_fd = fcntl(p[1], F_DUPFD, 512);
	close(dead_fd);
	dev = vfio_pci_device_open(argv[1]);
	if (!dev)
		return 2;
	if (!vfio_pci_device_can_send_msi(dev)) {
		fprintf(stderr, "%s cannot fire its own interrupts\n", dev->bdf);
		return 2;
	}
	if (vfio_pci_irq_info(dev, MSIX, &info) || info.count < 9)
		return 2;
	table = info.count;

	printf("TAP version 13\n1..%zu\n", ARRAY_SIZE(cases));
	for (k = 0; k < ARRAY_SIZE(cases); k++) {
		const struct hcase *c = &cases[k];

		if (setup()) {
			printf("not ok %zu - hostile: %s # setup failed\n", k + 1, c->name);
			fail++;
			continue;
		}
		irqs = sysfs_msi_irqs_count(dev->bdf);
		err = call(c);
		want = c->after;
		bad = NULL;
		if (err != c->err) {
			snprintf(why, sizeof(why), "returned %s, expected %s",
				 err ? strerror(err) : "success",
				 c->err ? strerror(c->err) : "success");
			bad = why;
		}
		for (i = 0; !bad && c->signalled && i < 3; i++) {
			bool sig = strchr(c->signalled, 'A' + i);

			if ((eventfd_drain(ev[i]) > 0) != sig) {
				snprintf(why, sizeof(why), "loopback: eventfd %c %ssignalled",
					 'A' + i, sig ? "not " : "");
				bad = why;
			}
		}
		if (!bad)
			bad = check_state(want, why, sizeof(why));
		/*
		 * Only the vectors a call set before it failed may have got an
		 * irq (which stays allocated until MSI-X is disabled).
		 */
		if (!bad) {
			int now = sysfs_msi_irqs_count(dev->bdf);
			int set = c->fds ? (int)strspn(c->fds, "ABCDEF") : 0;

			if (now < irqs || now > irqs + set) {
				snprintf(why, sizeof(why), "%d irqs allocated (msi_irqs), %d before",
					 now, irqs);
				bad = why;
			}
		}
		printf("%s %zu - hostile: %s: %s, vectors %.*s\n", bad ? "not ok" : "ok", k + 1,
		       c->name, c->err ? strerror(c->err) : "success", NV, want);
		if (bad) {
			printf("#   %s\n", bad);
			fail++;
		}
	}
	vfio_pci_irq_disable(dev, MSIX);
	vfio_pci_device_close(dev);
	return fail ? 1 : 0;
}
