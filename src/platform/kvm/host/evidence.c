/*
 * Evidence about the host's KVM for the verdict (verdict.c): a canary
 * guest built by the platform's own VM set-up (vm.c: the real proxy
 * kernel, GDT, IDT, TSS, LSTAR) whose one user page executes `syscall`
 * at CPL3, which must reach the proxy kernel's entry at CPL0 and leave
 * by its trap port; and cheap hints (PVM's module, vmx/svm).  The run is
 * bounded: a guest that never exits is cut off by a timer.
 */
#include "platform/kvm/host/verdict.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <unistd.h>

#include "platform/kvm/shared/abi.h"
#include "platform/kvm/vmm/vm.h"

#define CANARY_MEM	(8ull << 20)
#define CANARY_NR	1023		/* no syscall: the kernel answers none */
#define CANARY_BOUND_S	10		/* only a guest that hangs takes it */

/* mov $CANARY_NR, %eax; syscall; ud2 */
static const unsigned char canary_code[] = {
	0xb8, CANARY_NR & 0xff, CANARY_NR >> 8, 0, 0, 0x0f, 0x05, 0x0f, 0x0b,
};
#define CANARY_AFTER_SYSCALL	(CABIN_KVM_USER_MIN + 7)

static struct kvm_run *volatile canary_run;

/* KVM_RUN checks immediate_exit at entry: no window for a lost wake. */
static void on_canary_alarm(int sig)
{
	(void)sig;
	if (canary_run)
		canary_run->immediate_exit = 1;
}

static int canary_start(struct cabin_kvm_vm *vm, char *why, size_t whylen)
{
	struct kvm_regs r;
	int err;

	err = cabin_kvm_pt_map(vm, CABIN_KVM_USER_MIN, CABIN_KVM_PAGE,
			       CABIN_GMEM_R | CABIN_GMEM_X);
	if (err < 0) {
		snprintf(why, whylen, "its page tables: %s", strerror(-err));
		return err;
	}
	memcpy(vm->mem.host + CABIN_KVM_USER_MIN, canary_code,
	       sizeof(canary_code));
	memset(&r, 0, sizeof(r));
	r.rip = CABIN_KVM_USER_MIN;
	r.rsp = CABIN_KVM_USER_MIN + CABIN_KVM_PAGE;
	r.rflags = 0x2;
	if (ioctl(vm->vcpu, KVM_SET_REGS, &r) < 0) {
		snprintf(why, whylen, "KVM_SET_REGS: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

/* The exit the canary's syscall ended in, judged. */
static void canary_judge(struct cabin_kvm_vm *vm, struct cabin_kvm_evidence *ev)
{
	const struct kvm_run *run = vm->run;
	const struct cabin_kvm_frame *f;
	struct kvm_sregs s;
	bool trap;

	ev->exit_reason = run->exit_reason;
	if (run->exit_reason != KVM_EXIT_IO ||
	    run->io.direction != KVM_EXIT_IO_OUT ||
	    (run->io.port != CABIN_KVM_PORT_TRAP &&
	     run->io.port != CABIN_KVM_PORT_PANIC)) {
		ev->canary = CABIN_KVM_CANARY_EXIT;
		return;
	}
	trap = run->io.port == CABIN_KVM_PORT_TRAP;
	f = cabin_kvm_vm_trap_frame(vm, 0, run);
	if (!f || ioctl(vm->vcpu, KVM_GET_SREGS, &s) < 0) {
		ev->canary = CABIN_KVM_CANARY_EXIT;
		return;
	}
	ev->vector = f->vector;
	ev->error = f->error;
	ev->rip = f->rip;
	ev->cr2 = s.cr2;
	/* The port write itself is the proxy kernel's: CS must be CPL0. */
	if (trap && f->vector == CABIN_KVM_VEC_SYSCALL &&
	    f->rax == CANARY_NR && f->rip == CANARY_AFTER_SYSCALL &&
	    !(s.cs.selector & 3))
		ev->canary = CABIN_KVM_CANARY_PASSED;
	else if (f->vector != CABIN_KVM_VEC_SYSCALL && f->rip == vm->lstar)
		ev->canary = CABIN_KVM_CANARY_SYSCALL_CPL3;
	else
		ev->canary = CABIN_KVM_CANARY_FAULT;
}

/* KVM_RUN until the first exit, or the bound; false when it failed. */
static bool canary_enter(struct cabin_kvm_vm *vm, struct cabin_kvm_evidence *ev)
{
	struct sigaction sa, old;
	struct itimerval bound = { .it_value = { CANARY_BOUND_S, 0 } };
	struct itimerval none = { 0 };
	sigset_t alrm, mask;
	int r, err = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_canary_alarm;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	canary_run = vm->run;
	sigaction(SIGALRM, &sa, &old);
	/* A mask inherited with SIGALRM blocked must not void the bound. */
	sigprocmask(SIG_UNBLOCK, &alrm, &mask);
	setitimer(ITIMER_REAL, &bound, NULL);
	do {
		r = ioctl(vm->vcpu, KVM_RUN, 0);
		err = r < 0 ? errno : 0;
	} while (r < 0 && err == EINTR && !vm->run->immediate_exit);
	setitimer(ITIMER_REAL, &none, NULL);
	sigprocmask(SIG_SETMASK, &mask, NULL);
	sigaction(SIGALRM, &old, NULL);
	canary_run = NULL;
	if (r == 0)
		return true;
	if (err == EINTR) {
		ev->canary = CABIN_KVM_CANARY_TIMEOUT;
		ev->bound_s = CANARY_BOUND_S;
		return false;
	}
	snprintf(ev->setup, sizeof(ev->setup), "KVM_RUN: %s", strerror(err));
	return false;
}

static void run_canary(int kvm_fd, struct cabin_kvm_evidence *ev)
{
	struct cabin_kvm_vm vm;

	memset(&vm, 0, sizeof(vm));
	vm.want_pke = true;	/* to learn whether the guest can have PKU */
	ev->canary = CABIN_KVM_CANARY_NOT_RUN;
	if (cabin_kvm_vm_open(&vm, kvm_fd, CANARY_MEM, ev->setup,
			      sizeof(ev->setup)) < 0) {
		cabin_kvm_vm_close(&vm);
		return;
	}
	ev->cpuid_read = true;
	ev->smep = vm.smep;
	ev->smap = vm.smap;
	ev->pku = vm.pke;
	if (canary_start(&vm, ev->setup, sizeof(ev->setup)) == 0 &&
	    canary_enter(&vm, ev))
		canary_judge(&vm, ev);
	cabin_kvm_vm_close(&vm);
}

/* Whether /proc/cpuinfo's first flags line names vmx or svm. */
static void read_cpu_flags(struct cabin_kvm_evidence *ev)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char *line = NULL;
	size_t cap = 0;

	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		char *tok, *save = NULL;

		if (strncmp(line, "flags", 5))
			continue;
		ev->cpu_flags_read = true;
		for (tok = strtok_r(strchr(line, ':') ? strchr(line, ':') + 1 :
				    line, " \t\n", &save);
		     tok; tok = strtok_r(NULL, " \t\n", &save))
			if (!strcmp(tok, "vmx") || !strcmp(tok, "svm"))
				ev->cpu_virt = true;
		break;
	}
	free(line);
	fclose(f);
}

void cabin_kvm_gather(struct cabin_kvm_evidence *ev)
{
	int fd;

	memset(ev, 0, sizeof(*ev));
	ev->pvm_module = access("/sys/module/kvm_pvm", F_OK) == 0;
	read_cpu_flags(ev);
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ev->dev_errno = errno;
		return;
	}
	run_canary(fd, ev);	/* the VM owns fd, and closes it */
}
