/*
 * The kvm platform as a driver: its options, the canary's verdict before
 * every run, /dev/kvm opened while cabin still has its rights, and the
 * launch (launch.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cabin/cabin.h"
#include "platform/driver.h"
#include "platform/kvm/host/host.h"
#include "platform/kvm/host/verdict.h"

static const char *const test_faults[] = {
	[CABIN_KVM_FAULT_READ_USER] = "read-user",
	[CABIN_KVM_FAULT_EXEC_USER] = "exec-user",
	[CABIN_KVM_FAULT_KERNEL_UD] = "kernel-ud",
};

/* batch=PAGES: a power of two from 1 to CABIN_KVM_BATCH_MAX. */
static bool take_batch(const char *s, unsigned int *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !v || v > CABIN_KVM_BATCH_MAX || (v & (v - 1)))
		return false;
	*out = (unsigned int)v;
	return true;
}

static bool take_test_fault(const char *s, enum cabin_kvm_test_fault *out)
{
	size_t i;

	for (i = CABIN_KVM_FAULT_READ_USER;
	     i < sizeof(test_faults) / sizeof(*test_faults); i++) {
		if (!strcmp(s, test_faults[i])) {
			*out = i;
			return true;
		}
	}
	return false;
}

static bool take_option(struct cabin_kvm_host_options *o, const char *opt)
{
	if (!strcmp(opt, "stats"))
		o->stats = true;
	else if (!strcmp(opt, "forward=exit") || !strcmp(opt, "forward=ring"))
		o->ring = !strcmp(opt, "forward=ring");
	else if (!strncmp(opt, "batch=", 6))
		return take_batch(opt + 6, &o->batch);
	else if (!strncmp(opt, "test-fault=", 11))
		return take_test_fault(opt + 11, &o->test_fault);
	else
		return false;
	return true;
}

static int kvm_configure(struct cabin_launch *l, const char *const *options)
{
	struct cabin_kvm_host *h;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->kvm_fd = -1;
	h->trace_sock[0] = h->trace_sock[1] = -1;
	h->report_sock[0] = h->report_sock[1] = -1;
	h->opt.batch = CABIN_KVM_BATCH_DEFAULT;
	l->state = h;
	if (cabin_kvm_seat_configure(&h->seat, l->gdb, l->log) < 0)
		return -EINVAL;
	for (; options && *options; options++) {
		if (!take_option(&h->opt, *options)) {
			fprintf(l->log, "cabin: --platform kvm: unknown option '%s' (known: stats, forward=exit, forward=ring, batch=PAGES, a power of two up to %d, test-fault=read-user, exec-user or kernel-ud)\n",
				*options, CABIN_KVM_BATCH_MAX);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * kvm works where a canary guest says it does, not wherever /dev/kvm
 * exists; and a run is refused what the guest cannot have (--xom's PKU,
 * the proxy kernel's SMEP and SMAP) rather than given less.
 */
static int kvm_probe(const struct cabin_launch *l, char *why, size_t len)
{
	struct cabin_kvm_evidence ev;
	struct cabin_kvm_verdict v;

	cabin_kvm_gather(&ev);
	cabin_kvm_decide(&ev, &v);
	if (!v.usable) {
		snprintf(why, len, "%s", v.why);
		return -ENODEV;
	}
	if (cabin_kvm_refuse(&ev, l->xom,
			     !(l->unsafe & CABIN_UNSAFE_SMEP),
			     !(l->unsafe & CABIN_UNSAFE_SMAP), why, len))
		return -EOPNOTSUPP;
	return 0;
}

/*
 * /dev/kvm is opened here, before any sandbox (the report's file is
 * bound before the run, as for every platform).
 */
static int kvm_prepare(struct cabin_launch *l)
{
	struct cabin_kvm_host *h = l->state;

	h->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (h->kvm_fd < 0) {
		fprintf(l->log, "cabin: the kvm platform needs /dev/kvm: %s (no usable KVM on this machine; see 'cabin info')\n",
			strerror(errno));
		return -errno;
	}
	/* gdb's socket is cabin's, made before any sandbox exists. */
	return cabin_kvm_seat_listen(&h->seat, l->log);
}

static void kvm_close(struct cabin_launch *l)
{
	struct cabin_kvm_host *h = l->state;
	int i;

	if (!h)
		return;
	for (i = 0; i < 2; i++) {
		if (h->trace_sock[i] >= 0)
			close(h->trace_sock[i]);
		if (h->report_sock[i] >= 0)
			close(h->report_sock[i]);
	}
	if (h->kvm_fd >= 0)
		close(h->kvm_fd);
	cabin_kvm_seat_close(&h->seat);
	free(h);
	l->state = NULL;
}

const struct cabin_platform_driver cabin_kvm_driver = {
	.name = "kvm",
	.configure = kvm_configure,
	.probe = kvm_probe,
	.prepare = kvm_prepare,
	.launch = cabin_kvm_host_launch,
	.close = kvm_close,
};
