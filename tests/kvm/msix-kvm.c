// SPDX-License-Identifier: GPL-2.0
/*
 * msix-kvm: a KVM irqfd listening on a vfio-pci MSI-X vector's eventfd,
 * as QEMU sets it up with KVM, and the vector's eventfd swapped under it
 * while the device fires, as QEMU does on every guest mask and unmask.
 *
 *	msix-kvm BDF [SWAPS]	(default 150)
 *
 * A VM with an in-kernel irqchip and one vCPU (never run) gets an MSI
 * route to its local APIC (vector 0x40) and a KVM_IRQFD on eventfd A;
 * MSI-X vector 0 of the device is set to A through VFIO_DEVICE_SET_IRQS,
 * so that KVM's irqfd wakeup, called from vfio-pci's handler through the
 * eventfd, injects the interrupt. (KVM registers an irq bypass consumer
 * for the irqfd only with posted interrupts, kvm_arch_has_irq_bypass();
 * without them, as under QEMU's TCG, vfio-pci's producer connects to
 * nothing.) KVM's receipt is read back from KVM itself: the vector's bit
 * in the vCPU's IRR (KVM_GET_LAPIC), cleared after each receipt
 * (KVM_SET_LAPIC).
 *
 *  1. a device-fired interrupt reaches KVM's IRR, and not eventfd A
 *     (the irqfd consumed it);
 *  2. a thread fires vector 0 with a handshake (raise it, wait for the
 *     IRR bit or eventfd B) while the main thread swaps the vector
 *     between A and B SWAPS times each way. Every interrupt fired must
 *     arrive once: none lost, none arriving unasked (a duplicate or a
 *     late one, seen before the next fire or after the last), and none
 *     arriving at the eventfd it was not set to when no swap overlapped
 *     its flight. VFIO_SELFTESTS_SWAP_LOSS_ALLOWED=1 allows one lost per
 *     ten swaps, as the kselftests do (for kernels whose swap frees the
 *     irq). The figures, and how many interrupts were in flight during a
 *     swap, are printed either way;
 *  3. after the swaps, vector 0 on A still reaches KVM;
 *  4. KVM's own MSI tracepoint (kvm:kvm_msi_set_irq, through tracefs)
 *     counts exactly the receipts the IRR showed: no interrupt reached
 *     KVM unseen, none twice.
 *
 * Without /dev/kvm (no KVM in the kernel, or a CPU without SVM or VMX)
 * each test reports SKIP with the reason, as test 4 does without tracefs.
 * Output: TAP; exit status 1 if a line is "not ok".
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include "vfio_pci_device.h"

#define MSIX		VFIO_PCI_MSIX_IRQ_INDEX
#define NTESTS		4
#define TRACEFS		"/sys/kernel/tracing"
#define MSI_EVENT	"kvm_msi_set_irq"
#define MSI_ENABLE	"events/kvm/" MSI_EVENT "/enable"
/* The MSI route: physical destination APIC 0, fixed, edge, vector 0x40. */
#define KVM_GSI		32
#define MSI_ADDR	0xfee00000u
#define LAPIC_VECTOR	0x40
#define APIC_SPIV	0xf0
#define APIC_SPIV_ON	0x100
#define APIC_IRR	0x200
/* Handshake: how long the firer waits for an interrupt to arrive. */
#define WAIT_US		(IRQ_TIMEOUT_MS * 1000)
#define LATE_US		(IRQ_LATE_MS * 1000)
/* Interrupts fired between two swaps. */
#define PACE		2

/* Where an interrupt arrived. */
enum { AT_NONE, AT_KVM, AT_USER };

struct kvm_consumer {
	int kvm, vm, vcpu;
	int fd;			/* eventfd A, the irqfd */
};

static struct vfio_pci_device *dev;
static struct kvm_consumer kc = { -1, -1, -1, -1 };
static int user_fd;		/* eventfd B, read by "user space" */
static atomic_bool stop;
static atomic_ulong fired, to_kvm, to_user, late, lost, firer_err;
/* Receipts nobody waited for, extra counts on B, arrivals at the wrong fd. */
static atomic_ulong strays, misrouted, in_flight_swaps;
/* Odd while a swap is in progress; where vector 0 points when even. */
static atomic_uint swap_seq;
static atomic_int cur_dest = AT_KVM;
/* Every IRR receipt, in and out of the swap test. */
static atomic_ulong kvm_receipts;
static char old_buffer_kb[32];

static int irr_offset(void)
{
	return APIC_IRR + (LAPIC_VECTOR / 32) * 0x10;
}

/*
 * Whether KVM has received the interrupt (the vector's IRR bit), and
 * clear it if so: 1, 0, or -errno.
 */
static int kvm_take_irq(void)
{
	struct kvm_lapic_state s;
	u32 *irr = (u32 *)&s.regs[irr_offset()];
	u32 bit = 1u << (LAPIC_VECTOR % 32);

	if (ioctl(kc.vcpu, KVM_GET_LAPIC, &s))
		return -errno;
	if (!(*irr & bit))
		return 0;
	*irr &= ~bit;
	if (ioctl(kc.vcpu, KVM_SET_LAPIC, &s))
		return -errno;
	atomic_fetch_add(&kvm_receipts, 1);
	return 1;
}

static int tracefs_write(const char *file, const char *val)
{
	char path[128];
	int fd, ret;

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -errno;
	close(fd);
	return ret;
}

/* Turn the event off and give the trace buffer its size back. */
static void msi_trace_restore(void)
{
	tracefs_write(MSI_ENABLE, "0");
	if (old_buffer_kb[0])
		tracefs_write("buffer_size_kb", old_buffer_kb);
}

/* Start counting KVM's MSI tracepoint from zero: 0 or -errno. */
static int msi_trace_start(void)
{
	FILE *f = fopen(TRACEFS "/buffer_size_kb", "re");
	int ret;

	if (!f)
		return -errno;
	if (!fgets(old_buffer_kb, sizeof(old_buffer_kb), f))
		old_buffer_kb[0] = '\0';
	fclose(f);
	/* "1408 (expanded: 1408)" before first use: the number is the size. */
	old_buffer_kb[strspn(old_buffer_kb, "0123456789")] = '\0';
	atexit(msi_trace_restore);
	ret = tracefs_write("buffer_size_kb", "4096");
	if (!ret)
		ret = tracefs_write(MSI_ENABLE, "1");
	if (!ret)
		ret = tracefs_write("trace", "");
	return ret;
}

/* Events of KVM's MSI tracepoint since msi_trace_start(), or -errno. */
static long msi_trace_count(void)
{
	long n = 0, in, written;
	char line[512];
	FILE *f;

	tracefs_write(MSI_ENABLE, "0");
	f = fopen(TRACEFS "/trace", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, MSI_EVENT ":"))
			n++;
		/* "entries-in-buffer/entries-written: 5/7": some were dropped. */
		else if (!strncmp(line, "# entries-in-buffer/entries-written:", 36) &&
			 sscanf(line + 36, "%ld/%ld", &in, &written) == 2 && in != written) {
			fclose(f);
			return -EOVERFLOW;
		}
	}
	fclose(f);
	return n;
}

/*
 * A VM that consumes eventfd kc.fd through KVM_IRQFD and an MSI route to
 * its one vCPU's local APIC, software-enabled so that it accepts the
 * interrupt. NULL, or the call that failed (errno set).
 */
static const char *kvm_consumer_create(void)
{
	struct {
		struct kvm_irq_routing r;
		struct kvm_irq_routing_entry e[1];
	} routing = { 0 };
	struct kvm_irqfd irqfd = { 0 };
	struct kvm_lapic_state s;

	kc.kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kc.kvm < 0)
		return "open /dev/kvm";
	kc.vm = ioctl(kc.kvm, KVM_CREATE_VM, 0);
	if (kc.vm < 0)
		return "KVM_CREATE_VM";
	if (ioctl(kc.vm, KVM_CREATE_IRQCHIP))
		return "KVM_CREATE_IRQCHIP";
	kc.vcpu = ioctl(kc.vm, KVM_CREATE_VCPU, 0);
	if (kc.vcpu < 0)
		return "KVM_CREATE_VCPU";
	if (ioctl(kc.vcpu, KVM_GET_LAPIC, &s))
		return "KVM_GET_LAPIC";
	*(u32 *)&s.regs[APIC_SPIV] |= APIC_SPIV_ON;
	if (ioctl(kc.vcpu, KVM_SET_LAPIC, &s))
		return "KVM_SET_LAPIC";
	routing.r.nr = 1;
	routing.e[0].gsi = KVM_GSI;
	routing.e[0].type = KVM_IRQ_ROUTING_MSI;
	routing.e[0].u.msi.address_lo = MSI_ADDR;
	routing.e[0].u.msi.data = LAPIC_VECTOR;
	if (ioctl(kc.vm, KVM_SET_GSI_ROUTING, &routing))
		return "KVM_SET_GSI_ROUTING";
	kc.fd = eventfd_new();
	irqfd.fd = kc.fd;
	irqfd.gsi = KVM_GSI;
	if (kc.fd < 0 || ioctl(kc.vm, KVM_IRQFD, &irqfd))
		return "KVM_IRQFD";
	return NULL;
}

static s64 now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (s64)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * Whether an interrupt is there now: AT_KVM, AT_USER, AT_NONE or -errno.
 * More than one count on B at once is a duplicate: a stray.
 */
static int receipt_now(void)
{
	s64 n;
	int ret;

	ret = kvm_take_irq();
	if (ret)
		return ret < 0 ? ret : AT_KVM;
	n = eventfd_drain(user_fd);
	if (n < 0)
		return n;
	if (n > 1)
		atomic_fetch_add(&strays, n - 1);
	return n > 0 ? AT_USER : AT_NONE;
}

/* Wait up to @us for an interrupt: AT_KVM, AT_USER, AT_NONE or -errno. */
static int wait_receipt(s64 us)
{
	s64 deadline = now_us() + us;
	int ret;

	do {
		ret = receipt_now();
		if (ret)
			return ret;
		usleep(50);
	} while (now_us() < deadline);
	return AT_NONE;
}

/* Count whatever arrived unasked: 0 or -errno. */
static int take_strays(void)
{
	int ret;

	while ((ret = receipt_now()) > 0)
		atomic_fetch_add(&strays, 1);
	return ret;
}

static void *firer(void *arg)
{
	unsigned int seq0, seq1;
	int ret, dest0;

	(void)arg;
	while (!atomic_load(&stop)) {
		ret = take_strays();
		seq0 = atomic_load(&swap_seq);
		dest0 = atomic_load(&cur_dest);
		if (!ret)
			ret = vfio_pci_send_msi(dev, MSIX, 0);
		if (ret) {
			atomic_store(&firer_err, -ret);
			break;
		}
		atomic_fetch_add(&fired, 1);
		ret = wait_receipt(WAIT_US);
		if (ret == AT_NONE) {
			ret = wait_receipt(LATE_US);
			if (ret > 0)
				atomic_fetch_add(&late, 1);
		}
		if (ret < 0) {
			atomic_store(&firer_err, -ret);
			break;
		}
		seq1 = atomic_load(&swap_seq);
		/* A swap began, ended or was under way while it flew. */
		if (seq0 != seq1 || seq0 % 2)
			atomic_fetch_add(&in_flight_swaps, 1);
		else if (ret && ret != dest0)
			atomic_fetch_add(&misrouted, 1);
		if (ret == AT_KVM)
			atomic_fetch_add(&to_kvm, 1);
		else if (ret == AT_USER)
			atomic_fetch_add(&to_user, 1);
		else
			atomic_fetch_add(&lost, 1);
	}
	return NULL;
}

/* Wait until the firer has fired @n more (or failed): 0 or -1. */
static int pace(unsigned long n)
{
	unsigned long target = atomic_load(&fired) + n;
	s64 deadline = now_us() + 30 * 1000000LL;

	while (atomic_load(&fired) < target) {
		if (atomic_load(&firer_err) || now_us() > deadline)
			return -1;
		usleep(200);
	}
	return 0;
}

/* Point vector 0 at @fd, which delivers @dest; the firer sees the window. */
static int swap_to(int fd, int dest)
{
	int ret;

	atomic_fetch_add(&swap_seq, 1);
	ret = msix_set(dev, 0, fd);
	if (!ret)
		atomic_store(&cur_dest, dest);
	atomic_fetch_add(&swap_seq, 1);
	return ret;
}

static bool fd_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

/* Test 1 and 3: one device-fired interrupt on vector 0 reaches KVM. */
static bool reaches_kvm(const char *when)
{
	int ret;

	ret = receipt_now();
	if (ret) {
		printf("# %s: an interrupt is there before any was fired (%d)\n", when, ret);
		return false;
	}
	ret = vfio_pci_send_msi(dev, MSIX, 0);
	if (ret) {
		printf("# %s: firing vector 0 fails: %s\n", when, strerror(-ret));
		return false;
	}
	ret = wait_receipt(WAIT_US + LATE_US);
	if (ret != AT_KVM) {
		printf("# %s: the interrupt %s\n", when,
		       ret == AT_USER ? "reached eventfd B" : ret ? strerror(-ret) :
		       "did not reach KVM's IRR");
		return false;
	}
	if (fd_readable(kc.fd)) {
		printf("# %s: eventfd A is readable: KVM's irqfd did not consume it\n", when);
		return false;
	}
	return true;
}

static bool swaps_while_firing(int swaps, char *result, size_t size)
{
	unsigned long allowed = 0;
	pthread_t th;
	bool ok;
	int i, ret;

	/* As the kselftests: one per ten swaps, for kernels that free the irq. */
	if (env_bool("VFIO_SELFTESTS_SWAP_LOSS_ALLOWED") == 1)
		allowed = 2 * swaps / 10;
	if (pthread_create(&th, NULL, firer, NULL)) {
		printf("# cannot start the firing thread\n");
		return false;
	}
	for (i = 0; i < swaps; i++) {
		if (pace(PACE) || swap_to(user_fd, AT_USER) ||
		    pace(PACE) || swap_to(kc.fd, AT_KVM))
			break;
	}
	pace(PACE);
	atomic_store(&stop, true);
	pthread_join(th, NULL);
	ret = take_strays();

	printf("# %d swaps each way: fired %lu, to KVM %lu, to eventfd B %lu, late %lu, lost %lu, unasked %lu, at the wrong eventfd %lu; %lu in flight during a swap\n",
	       i, atomic_load(&fired), atomic_load(&to_kvm), atomic_load(&to_user),
	       atomic_load(&late), atomic_load(&lost), atomic_load(&strays),
	       atomic_load(&misrouted), atomic_load(&in_flight_swaps));
	snprintf(result, size, "lost %lu, allowed %lu", atomic_load(&lost), allowed);
	ok = i == swaps && !atomic_load(&firer_err) && !ret;
	if (i < swaps)
		printf("# swap %d failed (SET_IRQS, or the firer stopped)\n", i);
	if (atomic_load(&firer_err) || ret)
		printf("# receiving failed: %s\n",
		       strerror(atomic_load(&firer_err) ? (int)atomic_load(&firer_err) : -ret));
	if (!atomic_load(&to_kvm) || !atomic_load(&to_user)) {
		printf("# KVM and eventfd B must both receive some: the test tested nothing\n");
		ok = false;
	}
	if (atomic_load(&fired) != atomic_load(&to_kvm) + atomic_load(&to_user) +
				   atomic_load(&lost)) {
		printf("# fired is not received + lost\n");
		ok = false;
	}
	if (atomic_load(&strays) || atomic_load(&misrouted)) {
		printf("# interrupts arrived unasked or at an eventfd the vector was not set to\n");
		ok = false;
	}
	if (atomic_load(&lost) > allowed) {
		printf("# interrupts lost%s\n",
		       allowed ? " (VFIO_SELFTESTS_SWAP_LOSS_ALLOWED=1 allows one per ten swaps)" : "");
		ok = false;
	}
	return ok;
}

int main(int argc, char **argv)
{
	int swaps = argc > 2 ? atoi(argv[2]) : 150, n, fails = 0, trace_err;
	char result[64];
	const char *why;
	long traced;
	bool ok;

	if (argc < 2 || swaps < 1) {
		fprintf(stderr, "usage: msix-kvm BDF [SWAPS]\n");
		return 2;
	}
	printf("TAP version 13\n1..%d\n", NTESTS);
	why = kvm_consumer_create();
	if (why && kc.kvm < 0) {
		for (n = 1; n <= NTESTS; n++)
			printf("ok %d - kvm # SKIP no /dev/kvm (%s): %s\n", n, strerror(errno),
			       "KVM not built in, or no SVM or VMX in this CPU");
		return 0;
	}
	if (why) {
		printf("Bail out! KVM irqfd: %s: %s\n", why, strerror(errno));
		return 1;
	}
	user_fd = eventfd_new();
	dev = vfio_pci_device_open(argv[1]);
	if (!dev || !vfio_pci_device_can_send_msi(dev)) {
		printf("Bail out! %s: cannot open it, or it cannot fire MSI-X\n", argv[1]);
		return 1;
	}
	trace_err = msi_trace_start();
	if (msix_set(dev, 0, kc.fd)) {
		printf("Bail out! setting MSI-X vector 0 to the irqfd's eventfd fails\n");
		return 1;
	}

	ok = reaches_kvm("vector 0 on the irqfd");
	fails += !ok;
	printf("%s 1 - kvm: a device-fired interrupt reaches KVM through its irqfd\n",
	       ok ? "ok" : "not ok");

	ok = swaps_while_firing(swaps, result, sizeof(result));
	fails += !ok;
	printf("%s 2 - kvm: vector 0 swapped %d times each way between the irqfd's eventfd and a user space one while firing, each interrupt once (%s)\n",
	       ok ? "ok" : "not ok", swaps, result);

	ok = reaches_kvm("after the swaps");
	fails += !ok;
	printf("%s 3 - kvm: after the swaps, vector 0 still reaches KVM\n", ok ? "ok" : "not ok");

	vfio_pci_irq_disable(dev, MSIX);
	if (trace_err) {
		printf("ok 4 - kvm: KVM's MSI tracepoint counts each receipt # SKIP no " MSI_EVENT
		       " in " TRACEFS ": %s\n", strerror(-trace_err));
	} else {
		traced = msi_trace_count();
		ok = traced == (long)atomic_load(&kvm_receipts);
		fails += !ok;
		if (traced < 0)
			printf("# reading the trace: %s\n", strerror(-traced));
		printf("%s 4 - kvm: KVM's MSI tracepoint counts each receipt (%ld traced, %lu in the IRR)\n",
		       ok ? "ok" : "not ok", traced, atomic_load(&kvm_receipts));
	}
	vfio_pci_device_close(dev);
	return fails ? 1 : 0;
}
