// SPDX-License-Identifier: GPL-2.0
/*
 * libvfio-irqlog.so: an LD_PRELOAD shim that logs every VFIO_DEVICE_SET_IRQS
 * a VMM issues, so that a test can see what QEMU asks of vfio-pci (QEMU has
 * no trace point for it), and every KVM_IRQFD, so that it can tell which
 * of those eventfds KVM consumes. One line per call, appended to
 * $VFIO_IRQLOG:
 *
 *   vfio-set-irqs: index 2 flags 0x21 disable start 0 count 0 ret 0
 *   vfio-set-irqs: index 2 flags 0x24 eventfd start 3 count 1 fds 17 ret 0
 *   kvm-irqfd: fd 17 gsi 25 flags 0x0 ret 0
 *
 * "disable" is DATA_NONE|ACTION_TRIGGER with count 0: the whole index off;
 * KVM_IRQFD's flags 0x1 (KVM_IRQFD_FLAG_DEASSIGN) removes an irqfd.
 * Lines are written with one write(2) on an O_APPEND descriptor, so they
 * interleave correctly with other writers of the same file.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <linux/vfio.h>

int ioctl(int fd, unsigned long req, ...);

static int (*real_ioctl)(int, unsigned long, ...);
static int log_fd = -2;

/* Append one line; nothing sensible to do on failure in the VMM's process. */
static void log_line(const char *buf, int n)
{
	if (log_fd == -2) {
		const char *path = getenv("VFIO_IRQLOG");

		log_fd = path ? open(path, O_WRONLY | O_APPEND | O_CREAT |
				     O_CLOEXEC, 0644) : -1;
	}
	if (log_fd >= 0 && write(log_fd, buf, n) != n)
		log_fd = -1;
}

static void log_irqfd(const struct kvm_irqfd *f, int ret)
{
	char buf[128];
	int n;

	n = snprintf(buf, sizeof(buf), "kvm-irqfd: fd %d gsi %u flags 0x%x ret %d\n",
		     f->fd, f->gsi, f->flags, ret);
	log_line(buf, n);
}

static void log_set_irqs(const struct vfio_irq_set *s, int ret)
{
	char buf[512];
	const char *kind = "other";
	int n;

	if (s->flags & VFIO_IRQ_SET_ACTION_TRIGGER) {
		if ((s->flags & VFIO_IRQ_SET_DATA_NONE) && !s->count)
			kind = "disable";
		else if (s->flags & VFIO_IRQ_SET_DATA_EVENTFD)
			kind = "eventfd";
		else
			kind = "trigger";
	}
	n = snprintf(buf, sizeof(buf),
		     "vfio-set-irqs: index %u flags 0x%x %s start %u count %u",
		     s->index, s->flags, kind, s->start, s->count);
	if (s->flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		const int *fds = (const int *)s->data;

		n += snprintf(buf + n, sizeof(buf) - n, " fds");
		for (unsigned int i = 0; i < s->count && n < (int)sizeof(buf) - 40; i++)
			n += snprintf(buf + n, sizeof(buf) - n, "%s%d",
				      i ? "," : " ", fds[i]);
	}
	n += snprintf(buf + n, sizeof(buf) - n, " ret %d\n", ret);
	log_line(buf, n);
}

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int ret, saved;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!real_ioctl)
		real_ioctl = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	ret = real_ioctl(fd, req, arg);
	if ((req == VFIO_DEVICE_SET_IRQS || req == KVM_IRQFD) && arg) {
		saved = errno;
		if (req == KVM_IRQFD)
			log_irqfd(arg, ret);
		else
			log_set_irqs(arg, ret);
		errno = saved;
	}
	return ret;
}
