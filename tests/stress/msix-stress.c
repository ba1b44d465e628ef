// SPDX-License-Identifier: GPL-2.0
/*
 * msix-stress: vfio-pci's interrupt paths under concurrent use, for a
 * fixed time, on a device that raises its own MSI-X interrupts (QEMU's
 * igb), for the debug kernels (KASAN, lockdep, kmemleak) to judge.
 *
 *	msix-stress BDF [SECONDS]	(default 60)
 *
 * Meanwhile:
 *  - two threads issue random VFIO_DEVICE_SET_IRQS calls on MSI-X vectors
 *    0..7: set, unset, swap to another eventfd, a block of vectors, a bad
 *    fd, MSI-X disable; any errno other than those the calls may return
 *    (EINVAL, EBADF, ENOSPC, ENOMEM) fails the test;
 *  - one thread fires random vectors through the device's BAR, setting the
 *    device's interrupt mode up again after each reset (and, should an
 *    access fault because memory space is off, turning it back on);
 *  - one thread issues VFIO_DEVICE_RESET every 50 ms;
 *  - one thread reads /proc/interrupts in a loop and counts what reached
 *    the eventfds: the run fails if nothing did.
 * Then vectors 0..2 are set, and the device is closed with them live (the
 * release path), opened again, and each of vectors 0..2 must deliver an
 * interrupt the device raises. Output: TAP; exit status 1 if a line is
 * "not ok".
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "vfio_pci_device.h"

#define MSIX		VFIO_PCI_MSIX_IRQ_INDEX
#define NVEC		8
#define NFDS		4
#define WAIT_MS		1000

static struct vfio_pci_device *dev;
static int fds[NFDS];
static atomic_bool stop;
static atomic_long ops, errs, fires, faults, resets, reads, delivered;
static atomic_int bad_errno;
static __thread sigjmp_buf fault_jmp;

static unsigned int rnd(unsigned int *seed, unsigned int n)
{
	return rand_r(seed) % n;
}

static void account(int ret)
{
	atomic_fetch_add(&ops, 1);
	if (!ret)
		return;
	atomic_fetch_add(&errs, 1);
	switch (-ret) {
	case EINVAL: case EBADF: case ENOSPC: case ENOMEM:
		break;
	default:
		atomic_store(&bad_errno, -ret);
	}
}

static void *setter(void *arg)
{
	unsigned int seed = (unsigned long)arg;
	int v, n, block[NVEC], i, bad = 1000;

	while (!atomic_load(&stop)) {
		v = rnd(&seed, NVEC);
		switch (rnd(&seed, 8)) {
		case 0: case 1:		/* set, or swap when it has one */
			account(vfio_pci_irq_set(dev, MSIX, v, 1, &fds[rnd(&seed, NFDS)]));
			break;
		case 2: case 3: {	/* unset */
			int none = -1;

			account(vfio_pci_irq_set(dev, MSIX, v, 1, &none));
			break;
		}
		case 4: case 5:		/* a block from v */
			n = 1 + rnd(&seed, NVEC - v);
			for (i = 0; i < n; i++)
				block[i] = rnd(&seed, 4) ? fds[rnd(&seed, NFDS)] : -1;
			account(vfio_pci_irq_set(dev, MSIX, v, n, block));
			break;
		case 6:			/* a bad fd (closed) */
			account(vfio_pci_irq_set(dev, MSIX, v, 1, &bad));
			break;
		case 7:
			if (!rnd(&seed, 8))
				account(vfio_pci_irq_disable(dev, MSIX));
			break;
		}
	}
	return NULL;
}

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(fault_jmp, 1);
}

static void *firer(void *arg)
{
	unsigned int seed = (unsigned long)arg;
	volatile long seen_resets = 0;
	u16 cmd;

	while (!atomic_load(&stop)) {
		/* A reset clears the igb's interrupt setup: set it up again. */
		if (atomic_load(&resets) != seen_resets) {
			seen_resets = atomic_load(&resets);
			dev->driver_index = -1;
		}
		if (sigsetjmp(fault_jmp, 1)) {
			/* A reset turned memory space off: on again, set up again. */
			atomic_fetch_add(&faults, 1);
			cmd = vfio_pci_config_readw(dev, PCI_COMMAND);
			vfio_pci_config_writew(dev, PCI_COMMAND,
					       cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
			dev->driver_index = -1;
			usleep(1000);
			continue;
		}
		vfio_pci_send_msi(dev, MSIX, rnd(&seed, NVEC));
		atomic_fetch_add(&fires, 1);
		usleep(100);
	}
	return NULL;
}

static void *resetter(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		if (!ioctl(dev->fd, VFIO_DEVICE_RESET))
			atomic_fetch_add(&resets, 1);
		usleep(50000);
	}
	return NULL;
}

/* Reads /proc/interrupts, and counts what reached the eventfds. */
static void *reader(void *arg)
{
	char buf[65536];
	int fd, i;
	s64 n;

	(void)arg;
	while (!atomic_load(&stop)) {
		fd = open("/proc/interrupts", O_RDONLY);
		if (fd < 0)
			continue;
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
		atomic_fetch_add(&reads, 1);
		for (i = 0; i < NFDS; i++) {
			n = eventfd_drain(fds[i]);
			if (n > 0)
				atomic_fetch_add(&delivered, n);
		}
	}
	return NULL;
}

/* Vectors 0..2 set with fds[0..2]; each fired must reach its eventfd. */
static int delivers(const char *when)
{
	int v, ret;
	s64 n;

	ret = vfio_pci_irq_set(dev, MSIX, 0, 3, fds);
	if (ret) {
		printf("# %s: setting vectors 0..2 fails: %s\n", when, strerror(-ret));
		return 0;
	}
	for (v = 0; v < 3; v++) {
		eventfd_drain(fds[v]);
		vfio_pci_send_msi(dev, MSIX, v);
		n = eventfd_wait(fds[v], WAIT_MS);
		if (n <= 0) {
			printf("# %s: vector %d, fired, did not reach its eventfd\n", when, v);
			return 0;
		}
	}
	return 1;
}

int main(int argc, char **argv)
{
	int seconds = argc > 2 ? atoi(argv[2]) : 60, i, ok, fails = 0;
	struct sigaction sa = { .sa_handler = on_sigbus };
	pthread_t th[5];
	char bdf[32];

	if (argc < 2 || seconds < 1) {
		fprintf(stderr, "usage: msix-stress BDF [SECONDS]\n");
		return 2;
	}
	snprintf(bdf, sizeof(bdf), "%s", argv[1]);
	sigaction(SIGBUS, &sa, NULL);
	for (i = 0; i < NFDS; i++)
		fds[i] = eventfd_new();
	dev = vfio_pci_device_open(bdf);
	if (!dev || !vfio_pci_device_can_send_msi(dev)) {
		fprintf(stderr, "%s: cannot open it, or it cannot fire MSI-X\n", bdf);
		return 2;
	}

	printf("TAP version 13\n1..3\n");
	pthread_create(&th[0], NULL, setter, (void *)1UL);
	pthread_create(&th[1], NULL, setter, (void *)2UL);
	pthread_create(&th[2], NULL, firer, (void *)3UL);
	pthread_create(&th[3], NULL, resetter, NULL);
	pthread_create(&th[4], NULL, reader, NULL);
	sleep(seconds);
	atomic_store(&stop, true);
	for (i = 0; i < 5; i++)
		pthread_join(th[i], NULL);
	/* Only the firer may fault; from here on a SIGBUS is fatal. */
	signal(SIGBUS, SIG_DFL);

	printf("# %ds: %ld SET_IRQS (%ld failed), %ld vectors fired (%ld memory faults), "
	       "%ld interrupts delivered to eventfds, %ld resets, %ld reads of /proc/interrupts\n",
	       seconds, atomic_load(&ops), atomic_load(&errs), atomic_load(&fires),
	       atomic_load(&faults), atomic_load(&delivered), atomic_load(&resets),
	       atomic_load(&reads));
	ok = !atomic_load(&bad_errno) && atomic_load(&delivered) > 0 && atomic_load(&resets) > 0;
	fails += !ok;
	printf("%s 1 - stress: concurrent SET_IRQS, firing, resets and /proc/interrupts readers\n",
	       ok ? "ok" : "not ok");
	if (atomic_load(&bad_errno))
		printf("#   a SET_IRQS failed with %s\n", strerror(atomic_load(&bad_errno)));
	if (!atomic_load(&delivered))
		printf("#   no fired interrupt reached an eventfd: the test tested nothing\n");

	/* Memory space may be off after the last reset. */
	vfio_pci_config_writew(dev, PCI_COMMAND, vfio_pci_config_readw(dev, PCI_COMMAND) |
			       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	dev->driver_index = -1;
	ok = delivers("after the stress");
	fails += !ok;
	printf("%s 2 - stress: vectors 0..2 deliver after it\n", ok ? "ok" : "not ok");

	/* Released with vectors live, then opened again. */
	vfio_pci_device_close(dev);
	dev = vfio_pci_device_open(bdf);
	ok = dev && delivers("after close and open");
	fails += !ok;
	printf("%s 3 - stress: closed with vectors live, opened again, vectors 0..2 deliver\n",
	       ok ? "ok" : "not ok");
	if (dev) {
		vfio_pci_irq_disable(dev, MSIX);
		vfio_pci_device_close(dev);
	}
	return fails ? 1 : 0;
}
