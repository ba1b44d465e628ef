// SPDX-License-Identifier: GPL-2.0
/*
 * msix-resize: open a device through vfio-pci and use every vector of its
 * MSI-X table as it is now, after the table size changed while the
 * device was closed (guest/resize.sh changes it on an NVMe VF with the
 * PF's Virtualization Management command).
 *
 *	msix-resize BDF SIZE block|single
 *
 * Opening the device resets it, and the VF's table takes its new size.
 * Then:
 *  - GET_IRQ_INFO for MSI-X must report SIZE vectors;
 *  - vectors 0..SIZE-1 are enabled, with one SET_IRQS ("block") or one
 *    vector per call as QEMU enables a guest's vectors ("single"); every
 *    call must succeed;
 *  - every vector has an irq of its own (msi_irqs) with vfio-pci's handler
 *    (/proc/interrupts), and a loopback trigger reaches its eventfd (which
 *    shows the vector's context, not the irq: an NVMe VF without a driver
 *    behind its queues raises no interrupt of its own);
 *  - vector SIZE, past the table, is refused with EINVAL;
 *  - after MSI-X is disabled no irq is left.
 * Whether the device's MSI-X irq domain outlives the disable is the
 * kselftests' business (domain_removed_on_disable); what a stale domain
 * does to the user is this test's.
 *
 * Prints what it did as comments and the failing step; exit status 0 if
 * everything held, 4 if enabling a vector failed with ERANGE (the irq
 * domain is smaller than the table), 1 on any other failure, 2 on a usage
 * or setup error, 3 when "single" cannot apply: MSI-X reports NORESIZE.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vfio_pci_device.h"

#define MSIX		VFIO_PCI_MSIX_IRQ_INDEX
#define MAX_SIZE	2048
#define WAIT_MS		1000

static struct vfio_pci_device *dev;
static int fds[MAX_SIZE];

#define fail(...) do { printf("# FAIL: " __VA_ARGS__); putchar('\n'); return 1; } while (0)

static int enable(unsigned int size, int single)
{
	unsigned int v;
	int ret;

	if (!single) {
		ret = vfio_pci_irq_set(dev, MSIX, 0, size, fds);
		if (ret) {
			printf("# FAIL: enabling vectors 0..%u in one call: %s\n", size - 1,
			       strerror(-ret));
			return ret == -ERANGE ? 4 : 1;
		}
		return 0;
	}
	for (v = 0; v < size; v++) {
		ret = vfio_pci_irq_set(dev, MSIX, v, 1, &fds[v]);
		if (ret) {
			printf("# FAIL: enabling vector %u after 0..%d: %s (%d irqs allocated)\n",
			       v, (int)v - 1, strerror(-ret), sysfs_msi_irqs_count(dev->bdf));
			return ret == -ERANGE ? 4 : 1;
		}
	}
	return 0;
}

static int check(unsigned int size, int single)
{
	struct vfio_irq_info info;
	int beyond = -1, ret;
	unsigned int v;
	s64 n;

	ret = vfio_pci_irq_info(dev, MSIX, &info);
	if (ret)
		fail("GET_IRQ_INFO: %s", strerror(-ret));
	printf("# %s reports %u MSI-X vectors%s\n", dev->bdf, info.count,
	       info.flags & VFIO_IRQ_INFO_NORESIZE ? " (NORESIZE)" : "");
	if (info.count != size)
		fail("%u MSI-X vectors reported, the table has %u", info.count, size);
	if (single && (info.flags & VFIO_IRQ_INFO_NORESIZE)) {
		printf("# NORESIZE: vectors cannot be added one at a time\n");
		return 3;
	}

	ret = enable(size, single);
	if (ret)
		return ret;
	ret = sysfs_msi_irqs_count(dev->bdf);
	if (ret != (int)size)
		fail("%d irqs in msi_irqs for %u vectors", ret, size);
	ret = proc_interrupts_count(dev->bdf, MSIX);
	if (ret != (int)size)
		fail("%d vfio-msix handlers in /proc/interrupts for %u vectors", ret, size);
	for (v = 0; v < size; v++) {
		eventfd_drain(fds[v]);
		ret = vfio_pci_irq_trigger(dev, MSIX, v);
		if (ret)
			fail("loopback trigger of vector %u: %s", v, strerror(-ret));
		n = eventfd_wait(fds[v], WAIT_MS);
		if (n <= 0)
			fail("vector %u: nothing reached its eventfd", v);
	}
	ret = vfio_pci_irq_set(dev, MSIX, size, 1, &beyond);
	if (ret != -EINVAL)
		fail("unsetting vector %u, past the table: %s, not EINVAL", size,
		     ret ? strerror(-ret) : "success");
	printf("# vectors 0..%u enabled %s, each with an irq and a handler, each eventfd signalled\n",
	       size - 1, single ? "one at a time" : "in one call");

	ret = vfio_pci_irq_disable(dev, MSIX);
	if (ret)
		fail("disabling MSI-X: %s", strerror(-ret));
	ret = sysfs_msi_irqs_count(dev->bdf);
	if (ret)
		fail("%d irqs left in msi_irqs after MSI-X disable", ret);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int size, v;
	int ret;

	if (argc != 4 || (strcmp(argv[3], "block") && strcmp(argv[3], "single"))) {
		fprintf(stderr, "usage: msix-resize BDF SIZE block|single\n");
		return 2;
	}
	size = strtoul(argv[2], NULL, 0);
	if (!size || size > MAX_SIZE) {
		fprintf(stderr, "msix-resize: SIZE must be 1..%d\n", MAX_SIZE);
		return 2;
	}
	for (v = 0; v < size; v++) {
		fds[v] = eventfd_new();
		if (fds[v] < 0) {
			perror("eventfd");
			return 2;
		}
	}
	dev = vfio_pci_device_open(argv[1]);
	if (!dev)
		return 2;
	ret = check(size, !strcmp(argv[3], "single"));
	vfio_pci_device_close(dev);
	return ret;
}
