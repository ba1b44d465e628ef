// SPDX-License-Identifier: GPL-2.0
/*
 * msix-fault: systematic fault injection into vfio-pci's SET_IRQS.
 *
 *	msix-fault BDF
 *
 * For each operation below, from a known state of an igb bound to vfio-pci,
 * the n-th fault point that the VFIO_DEVICE_SET_IRQS ioctl passes through is
 * made to fail (/proc/thread-self/fail-nth, i.e. failslab on the debug
 * kernel), for n = 1, 2, ... until the ioctl passes them all. After each
 * injected failure:
 *
 *  - the ioctl succeeded (the failure was absorbed) or returned ENOMEM,
 *    ENOSPC (irq domain allocation) or ENODEV (the PCI/MSI core could not
 *    create the device's MSI-X domain), never another errno; or, at
 *    enable, the positive count of vectors it could have allocated;
 *  - nothing changed (the call failed before it touched a vector), or the
 *    vectors it names are unset and the others are as they were: they
 *    still fire when the device raises them, and no other vector has a
 *    handler;
 *  - the device is usable: the same call, repeated, succeeds and every
 *    vector it names fires.
 *
 * Leaks, use-after-free and lock problems on these paths are left to the
 * debug kernel's kmemleak, KASAN and lockdep, which guest/debug.sh checks
 * after this has run. Only the ioctl is made to fail: fail-nth counts the
 * fault points of the calling task, and it is armed right before the ioctl
 * and read back right after it, with nothing else in between. Output: TAP,
 * one line per operation.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "vfio_pci_device.h"

#define MSI		VFIO_PCI_MSI_IRQ_INDEX
#define MSIX		VFIO_PCI_MSIX_IRQ_INDEX
#define NVEC		4	/* vectors 0..NVEC-1 of the igb's MSI-X table */
#define MAX_N		2000	/* more fault points than this: give up */
#define WAIT_MS		1000
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static struct vfio_pci_device *dev;
static int fail_nth_fd;
static int fds[NVEC];		/* one eventfd per vector */
static int spare_fd;		/* the eventfd a swap installs */
static int tests, failures;

/* What one operation expects of the vectors, before and after it. */
struct op {
	const char *name;
	u32 index;
	/* bring the device into the starting state */
	int (*setup)(void);
	/* the call under test: vectors start..start+count-1, eventfds */
	u32 start, count;
	const int *fdv;
	/* vectors with a trigger before the call, and after it succeeds */
	unsigned int before, after;
	/* the call allocates irqs (enable, or a new dynamic vector) */
	int allocates;
	/* the call adds a vector to a running set: needs dynamic MSI-X */
	int grows;
};

/*
 * SET_IRQS with an eventfd per vector (-1 unsets), or a disable when
 * @fdv is NULL, from a buffer on the stack: no allocation, and no system
 * call other than the ioctl, between arming fail-nth and the ioctl.
 * Returns 0, -errno, or what vfio-pci returns when it got fewer MSI/MSI-X
 * vectors than asked at enable: how many it could have (a positive count).
 */
static int set_irqs(u32 index, u32 start, u32 count, const int *fdv)
{
	struct {
		struct vfio_irq_set hdr;
		int fds[NVEC];
	} s = { 0 };
	int ret;

	s.hdr.argsz = sizeof(s.hdr) + (fdv ? count * sizeof(int) : 0);
	s.hdr.flags = VFIO_IRQ_SET_ACTION_TRIGGER |
		      (fdv ? VFIO_IRQ_SET_DATA_EVENTFD : VFIO_IRQ_SET_DATA_NONE);
	s.hdr.index = index;
	s.hdr.start = start;
	s.hdr.count = fdv ? count : 0;
	if (fdv)
		memcpy(s.fds, fdv, count * sizeof(int));
	ret = ioctl(dev->fd, VFIO_DEVICE_SET_IRQS, &s);
	return ret < 0 ? -errno : ret;
}

/* Arm fail-nth for the next @n fault points of this thread. */
static void arm(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(fail_nth_fd, buf, len, 0) != len) {
		perror("fail-nth");
		exit(2);
	}
}

/* True if the armed fault was injected; disarms fail-nth. */
static int disarm(void)
{
	char buf[16] = "";

	if (pread(fail_nth_fd, buf, sizeof(buf) - 1, 0) <= 0) {
		perror("fail-nth");
		exit(2);
	}
	if (atoi(buf) == 0)
		return 1;
	arm(0);
	return 0;
}

/*
 * Irqs allocated for the device: msi_irqs in sysfs, which appears with
 * the device's first MSI or MSI-X enable (none before it).
 */
static int irqs_allocated(void)
{
	int n = sysfs_msi_irqs_count(dev->bdf);

	return n == -ENOENT ? 0 : n;
}

/*
 * Disable MSI-X and MSI (disabling one that is not enabled is EINVAL):
 * no handler and no irq may be left.
 */
static int all_off(void)
{
	set_irqs(MSIX, 0, 0, NULL);
	set_irqs(MSI, 0, 0, NULL);
	return proc_interrupts_count(dev->bdf, MSIX) +
	       proc_interrupts_count(dev->bdf, MSI) +
	       irqs_allocated() ? -EBUSY : 0;
}

static int msix_0_2(void)
{
	int ret = all_off();

	return ret ? ret : set_irqs(MSIX, 0, 3, fds);
}

static int msix_0_2_unset_2(void)
{
	int off = -1, ret = msix_0_2();

	return ret ? ret : set_irqs(MSIX, 2, 1, &off);
}

/* Does @vector of @index signal @fd when the device raises it? */
static int fires(u32 index, u32 vector, int fd)
{
	eventfd_drain(fd);
	if (vfio_pci_send_msi(dev, index, vector))
		return 0;
	return eventfd_wait(fd, WAIT_MS) > 0;
}

/*
 * Vectors of @mask fire on their eventfd and no other vector of @op->index
 * has a handler. The vectors @op names signal the eventfds it passes if
 * @set, else the ones they had before. On failure, print why.
 */
static int vectors_ok(const struct op *op, unsigned int mask, int set,
		      const char *when)
{
	unsigned int v;
	int fd, handlers = proc_interrupts_count(dev->bdf, op->index);

	if (handlers != __builtin_popcount(mask)) {
		printf("# %s: %s: %d handlers, expected %d\n", op->name, when,
		       handlers, __builtin_popcount(mask));
		return 0;
	}
	for (v = 0; v < NVEC; v++) {
		if (!(mask & (1u << v)))
			continue;
		fd = set && v >= op->start && v < op->start + op->count ?
		     op->fdv[v - op->start] : fds[v];
		if (!fires(op->index, v, fd)) {
			printf("# %s: %s: vector %u does not fire\n", op->name,
			       when, v);
			return 0;
		}
	}
	return 1;
}

/*
 * After a failed call: either nothing changed (it failed before touching
 * a vector, e.g. copying its arguments) or the vectors it names are unset
 * and the others are untouched (vfio-pci unwinds a failed block). A
 * failed enable leaves no irq allocated.
 */
static int failed_state_ok(const struct op *op, unsigned int named)
{
	unsigned int unwound = op->before & ~named;

	if (!op->before && irqs_allocated()) {
		printf("# %s: after the failure: %d irqs left allocated\n",
		       op->name, irqs_allocated());
		return 0;
	}

	if (proc_interrupts_count(dev->bdf, op->index) ==
	    __builtin_popcount(op->before))
		return vectors_ok(op, op->before, 0, "after the failure");
	return vectors_ok(op, unwound, 0, "after the failure");
}

static void run(const struct op *op)
{
	unsigned int n, named = ((1u << op->count) - 1) << op->start;
	unsigned int injected = 0, absorbed = 0, nomem = 0, nospc = 0, nodev = 0;
	unsigned int fewer = 0;
	int ret, err = 0;

	if (op->grows && msix_noresize(dev)) {
		printf("ok %d - fault injection: %s # SKIP MSI-X reports NORESIZE: no vector can be added to a running set\n",
		       ++tests, op->name);
		fflush(stdout);
		return;
	}
	for (n = 1; n <= MAX_N && !err; n++) {
		if (op->setup()) {
			printf("# %s: cannot set up the starting state\n", op->name);
			err = 1;
			break;
		}
		arm(n);
		ret = set_irqs(op->index, op->start, op->count, op->fdv);
		if (!disarm()) {
			/* Every fault point passed: the operation is done. */
			if (ret) {
				printf("# %s: fails with no fault injected: %d\n",
				       op->name, ret);
				err = 1;
			} else if (!vectors_ok(op, op->after, 1, "no fault")) {
				err = 1;
			}
			break;
		}
		injected++;
		if (!ret) {
			absorbed++;
		} else if (ret == -ENOMEM) {
			nomem++;
		} else if (ret == -ENOSPC && op->allocates) {
			/* the irq domain could not allocate */
			nospc++;
		} else if (ret > 0 && !op->before) {
			/* fewer vectors than asked: vfio-pci returns the count */
			fewer++;
		} else if (ret == -ENODEV && !op->before) {
			/* pci_setup_msix_device_domain() failing, at enable */
			nodev++;
		} else {
			printf("# %s: fault point %u: unexpected return %d (%s)\n",
			       op->name, n, ret, ret < 0 ? strerror(-ret) : "count");
			err = 1;
			break;
		}
		/*
		 * An absorbed failure must not show; a failed call must leave
		 * a clean state, and then work when repeated.
		 */
		if (!ret) {
			if (!vectors_ok(op, op->after, 1, "after an absorbed failure"))
				err = 1;
		} else if (!failed_state_ok(op, named)) {
			err = 1;
		} else if (set_irqs(op->index, op->start, op->count, op->fdv)) {
			printf("# %s: repeated after the failure: fails\n", op->name);
			err = 1;
		} else if (!vectors_ok(op, op->after, 1, "repeated after the failure")) {
			err = 1;
		}
		if (err)
			printf("# %s: at fault point %u (return %d)\n", op->name,
			       n, ret);
	}
	if (!err && n > MAX_N) {
		printf("# %s: more than %d fault points\n", op->name, MAX_N);
		err = 1;
	}
	/* Not a single fault injected: fail-nth is not doing its job. */
	if (!err && !injected) {
		printf("# %s: no fault was injected\n", op->name);
		err = 1;
	}
	tests++;
	failures += err;
	printf("%sok %d - fault injection: %s (%u fault points: %u ENOMEM, %u ENOSPC, %u ENODEV, %u fewer vectors, %u absorbed; device usable after each)\n",
	       err ? "not " : "", tests, op->name, injected, nomem, nospc,
	       nodev, fewer, absorbed);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static const int unset[1] = { -1 };
	int swap[1], i;

	if (argc != 2) {
		fprintf(stderr, "usage: msix-fault BDF\n");
		return 2;
	}
	/*
	 * No page fault (the program and its libraries come from the
	 * guest's 9p root) and no lazy symbol binding while fail-nth is
	 * armed: lock every page in, and bind pread/pwrite now.
	 */
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		perror("mlockall");
	fail_nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (fail_nth_fd < 0) {
		perror("/proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION)");
		return 2;
	}
	arm(0);
	disarm();
	dev = vfio_pci_device_open(argv[1]);
	if (!dev || !vfio_pci_device_can_send_msi(dev)) {
		fprintf(stderr, "%s: cannot open it, or it cannot raise interrupts\n",
			argv[1]);
		return 2;
	}
	for (i = 0; i < NVEC; i++)
		fds[i] = eventfd_new();
	spare_fd = eventfd_new();
	swap[0] = spare_fd;

	{
		const struct op ops[] = {
			{ "enable MSI-X with vectors 0..2", MSIX, all_off,
			  0, 3, fds, 0x0, 0x7, 1, 0 },
			{ "add vector 3 to a running 0..2", MSIX, msix_0_2,
			  3, 1, fds + 3, 0x7, 0xf, 1, 1 },
			{ "swap the eventfd of vector 1 of 0..2", MSIX, msix_0_2,
			  1, 1, swap, 0x7, 0x7, 0, 0 },
			{ "set again the eventfd of vector 1 of 0..2", MSIX,
			  msix_0_2, 1, 1, fds + 1, 0x7, 0x7, 0, 0 },
			{ "re-enable vector 2 after unsetting it", MSIX,
			  msix_0_2_unset_2, 2, 1, fds + 2, 0x3, 0x7, 0, 0 },
			{ "unset vector 1 of 0..2", MSIX, msix_0_2,
			  1, 1, unset, 0x7, 0x5, 0, 0 },
			{ "disable MSI-X with vectors 0..2", MSIX, msix_0_2,
			  0, 0, NULL, 0x7, 0x0, 0, 0 },
			{ "enable MSI", MSI, all_off, 0, 1, fds, 0x0, 0x1, 1, 0 },
		};

		printf("TAP version 13\n1..%zu\n", ARRAY_SIZE(ops));
		for (i = 0; i < (int)ARRAY_SIZE(ops); i++)
			run(&ops[i]);
	}
	all_off();
	vfio_pci_device_close(dev);
	return failures ? 1 : 0;
}
