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
 *    (/proc/interrupts), and the VF itself raises it: the test enables the
 *    VF's NVMe controller through vfio (admin queues in memory mapped for
 *    the device with VFIO_IOMMU_MAP_DMA) and, for each vector v, creates
 *    an I/O completion queue with interrupt vector v and an I/O queue
 *    that completes a Flush there; the interrupt must reach v's eventfd;
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
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "vfio_pci_device.h"

#define MSIX		VFIO_PCI_MSIX_IRQ_INDEX
#define MAX_SIZE	2048
#define WAIT_MS		1000

static struct vfio_pci_device *dev;
static int fds[MAX_SIZE];

#define fail(...) do { printf("# FAIL: " __VA_ARGS__); putchar('\n'); return 1; } while (0)

/*
 * Just enough NVMe to have the VF raise a chosen MSI-X vector: the admin
 * queue pair, and one I/O queue pair created with that vector. The VF
 * needs one I/O queue resource (VQ) besides the admin queue's.
 */
#define NVME_BAR	0
#define NVME_CAP	0x00
#define NVME_CC		0x14
#define NVME_CSTS	0x1c
#define NVME_AQA	0x24
#define NVME_ASQ	0x28
#define NVME_ACQ	0x30
#define NVME_DBS	0x1000
#define NVME_QDEPTH	16
#define NVME_IOVA	0x10000000ULL
#define NVME_PAGE	4096

struct nvme_sqe {
	u32 cdw0, nsid, rsvd[2];
	u64 mptr, prp1, prp2;
	u32 cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};

struct nvme_cqe {
	u32 dw0, dw1;
	u16 sqhd, sqid, cid, status;	/* status bit 0: phase */
};

struct nvme_queue {
	struct nvme_sqe *sq;
	volatile struct nvme_cqe *cq;
	u64 sq_iova, cq_iova;
	u16 qid, tail, head, phase;
};

static struct {
	char *mem;		/* 4 pages: admin SQ, admin CQ, I/O SQ, I/O CQ */
	u32 stride;		/* doorbell stride in bytes */
	u16 cid;
	struct nvme_queue admin, io;
} nv;

static s64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nvme_queue_init(struct nvme_queue *q, u16 qid, int page)
{
	memset(nv.mem + page * NVME_PAGE, 0, 2 * NVME_PAGE);
	q->sq = (struct nvme_sqe *)(nv.mem + page * NVME_PAGE);
	q->cq = (struct nvme_cqe *)(nv.mem + (page + 1) * NVME_PAGE);
	q->sq_iova = NVME_IOVA + page * NVME_PAGE;
	q->cq_iova = q->sq_iova + NVME_PAGE;
	q->qid = qid;
	q->tail = q->head = 0;
	q->phase = 1;
}

/* Submit @sqe on @q and poll for its completion: its status, or -1. */
static int nvme_cmd(struct nvme_queue *q, struct nvme_sqe *sqe)
{
	s64 end = now_ms() + WAIT_MS;
	u16 status;

	sqe->cdw0 |= (u32)++nv.cid << 16;
	q->sq[q->tail] = *sqe;
	q->tail = (q->tail + 1) % NVME_QDEPTH;
	__sync_synchronize();
	vfio_pci_writel(dev, NVME_BAR, NVME_DBS + 2 * q->qid * nv.stride, q->tail);
	while (((status = q->cq[q->head].status) & 1) != q->phase) {
		if (now_ms() > end)
			return -1;
		usleep(100);
	}
	__sync_synchronize();
	if (++q->head == NVME_QDEPTH) {
		q->head = 0;
		q->phase ^= 1;
	}
	vfio_pci_writel(dev, NVME_BAR, NVME_DBS + (2 * q->qid + 1) * nv.stride, q->head);
	return status >> 1;
}

static int nvme_admin(u8 opcode, u64 prp1, u32 cdw10, u32 cdw11)
{
	struct nvme_sqe sqe = {
		.cdw0 = opcode, .prp1 = prp1, .cdw10 = cdw10, .cdw11 = cdw11,
	};

	return nvme_cmd(&nv.admin, &sqe);
}

/* Map the queues' memory for the device and enable its controller. */
static int nvme_start(void)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.iova = NVME_IOVA,
		.size = 4 * NVME_PAGE,
	};
	u32 cap_hi, cc;
	s64 end;

	if (!vfio_pci_bar_map(dev, NVME_BAR))
		fail("cannot map BAR %d", NVME_BAR);
	if (posix_memalign((void **)&nv.mem, NVME_PAGE, 4 * NVME_PAGE))
		fail("no memory for the queues");
	map.vaddr = (u64)(unsigned long)nv.mem;
	if (ioctl(dev->container_fd, VFIO_IOMMU_MAP_DMA, &map))
		fail("VFIO_IOMMU_MAP_DMA: %s", strerror(errno));
	cap_hi = vfio_pci_readl(dev, NVME_BAR, NVME_CAP + 4);
	nv.stride = 4 << (cap_hi & 0xf);

	cc = vfio_pci_readl(dev, NVME_BAR, NVME_CC);
	vfio_pci_writel(dev, NVME_BAR, NVME_CC, cc & ~1);
	for (end = now_ms() + 10000; vfio_pci_readl(dev, NVME_BAR, NVME_CSTS) & 1;)
		if (now_ms() > end)
			fail("NVMe controller does not stop");
	nvme_queue_init(&nv.admin, 0, 0);
	vfio_pci_writel(dev, NVME_BAR, NVME_AQA, (NVME_QDEPTH - 1) << 16 | (NVME_QDEPTH - 1));
	vfio_pci_writel(dev, NVME_BAR, NVME_ASQ, (u32)nv.admin.sq_iova);
	vfio_pci_writel(dev, NVME_BAR, NVME_ASQ + 4, nv.admin.sq_iova >> 32);
	vfio_pci_writel(dev, NVME_BAR, NVME_ACQ, (u32)nv.admin.cq_iova);
	vfio_pci_writel(dev, NVME_BAR, NVME_ACQ + 4, nv.admin.cq_iova >> 32);
	/* 16-byte completions, 64-byte submissions, 4 KiB pages, enable. */
	vfio_pci_writel(dev, NVME_BAR, NVME_CC, 4 << 20 | 6 << 16 | 1);
	for (end = now_ms() + 10000; !(vfio_pci_readl(dev, NVME_BAR, NVME_CSTS) & 1);) {
		if (vfio_pci_readl(dev, NVME_BAR, NVME_CSTS) & 2)
			fail("NVMe controller fatal status while starting");
		if (now_ms() > end)
			fail("NVMe controller does not start (is the VF online?)");
		usleep(1000);
	}
	return 0;
}

/*
 * Have the VF raise @v: an I/O completion queue with interrupt vector @v,
 * a submission queue on it, a Flush of every namespace (whose completion,
 * successful or not, raises the interrupt), and both queues deleted.
 * Returns the count @v's eventfd received, 0 if nothing came, or -1 if an
 * admin command failed.
 */
static s64 nvme_fire(unsigned int v)
{
	struct nvme_sqe flush = { .cdw0 = 0x00, .nsid = 0xffffffff };
	s64 n;
	int st;

	nvme_queue_init(&nv.io, 1, 2);
	st = nvme_admin(0x05, nv.io.cq_iova, (NVME_QDEPTH - 1) << 16 | 1, v << 16 | 3);
	if (st) {
		printf("# create I/O completion queue with vector %u: status %#x\n", v, st);
		return -1;
	}
	st = nvme_admin(0x01, nv.io.sq_iova, (NVME_QDEPTH - 1) << 16 | 1, 1 << 16 | 1);
	if (st) {
		printf("# create I/O submission queue: status %#x\n", st);
		return -1;
	}
	/* The admin completions above raised vector 0. */
	eventfd_wait(fds[v], 10);
	eventfd_drain(fds[v]);
	if (nvme_cmd(&nv.io, &flush) < 0) {
		printf("# Flush on vector %u's queue: no completion\n", v);
		return -1;
	}
	n = eventfd_wait(fds[v], WAIT_MS);
	if (nvme_admin(0x00, 0, 1, 0) || nvme_admin(0x04, 0, 1, 0)) {
		printf("# deleting the I/O queues failed\n");
		return -1;
	}
	return n;
}

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
	ret = nvme_start();
	if (ret)
		return ret;
	for (v = 0; v < size; v++) {
		n = nvme_fire(v);
		if (n < 0)
			fail("vector %u: the VF could not be made to raise it", v);
		if (n == 0)
			fail("vector %u: the VF raised it, nothing reached its eventfd", v);
	}
	ret = vfio_pci_irq_set(dev, MSIX, size, 1, &beyond);
	if (ret != -EINVAL)
		fail("unsetting vector %u, past the table: %s, not EINVAL", size,
		     ret ? strerror(-ret) : "success");
	printf("# vectors 0..%u enabled %s, each with an irq and a handler, each raised by the VF and signalled\n",
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
