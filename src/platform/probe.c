/*
 * Machine capability probe. Every answer comes from actually trying the
 * feature; anything that could disturb or kill the caller runs in a
 * short-lived forked child that is reaped before we return.
 */
#include "platform/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <linux/kvm.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>

#include "util/sysctl.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define PROBE_X86 1
#endif

/* Older uapi headers may lack these; the values are ABI and never change. */
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#endif
#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif
#ifndef SECCOMP_GET_ACTION_AVAIL
#define SECCOMP_GET_ACTION_AVAIL 2
#endif
#ifndef SECCOMP_RET_USER_NOTIF
#define SECCOMP_RET_USER_NOTIF 0x7fc00000U
#endif
#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif
#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#define PR_SYS_DISPATCH_OFF 0
#endif

#define KVM_EXPECTED_API_VERSION 12

#define CPUID7_ECX_PKU		(1U << 3)
#define CPUID7_ECX_OSPKE	(1U << 4)
#define CPUID1_ECX_HYPERVISOR	(1U << 31)
#define CPUID8000001F_EAX_SNP	(1U << 4)

static void copy_field(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static bool path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/*
 * Runs @fn in a child process and reaps it. True only if the child exited
 * normally with status 0; a child killed by the probe itself means "no".
 *
 * A raw clone with no exit signal rather than fork(): the caller's SIGCHLD
 * handler never sees our child, and SIGCHLD set to SIG_IGN cannot reap it
 * before we read its status. The child makes only plain system calls, so
 * skipping the libc fork handlers is safe. All-zero arguments keep this
 * independent of the per-architecture clone argument order.
 */
static bool child_succeeds(int (*fn)(void))
{
	pid_t r;
	long pid;
	int status;

	pid = syscall(SYS_clone, 0UL, 0UL, 0UL, 0UL, 0UL);
	if (pid < 0)
		return false;
	if (pid == 0)
		_exit(fn());
	do {
		r = waitpid((pid_t)pid, &status, __WALL);
	} while (r < 0 && errno == EINTR);
	if (r != pid)
		return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int child_user_dispatch(void)
{
	return prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_OFF,
		     0, 0, 0) == 0 ? 0 : 1;
}

static int child_user_namespace(void)
{
	return unshare(CLONE_NEWUSER) == 0 ? 0 : 1;
}

#ifdef __x86_64__
static void child_fault_exit(int sig)
{
	(void)sig;
	_exit(2);
}

static int child_int80_getpid(void)
{
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGSYS };
	struct rlimit no_core = { 0, 0 };
	struct sigaction sa;
	unsigned int i;
	long ret;

	/*
	 * Without ia32 emulation int $0x80 faults. Catching the fault keeps
	 * the kernel from logging an unhandled trap, and if a seccomp filter
	 * kills us instead, no core file should be left behind.
	 */
	setrlimit(RLIMIT_CORE, &no_core);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = child_fault_exit;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);

	/* 20 is getpid in the i386 table; old kernels clobbered r8-r11. */
	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "0"(20L)
			 : "memory", "cc", "r8", "r9", "r10", "r11");
	return ret == (long)getpid() ? 0 : 1;
}
#endif

static bool seccomp_action_avail(uint32_t action)
{
#ifdef __NR_seccomp
	return syscall(__NR_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
#else
	(void)action;
	return false;
#endif
}

static void probe_seccomp(struct cabin_probe *p)
{
	/* PR_GET_SECCOMP fails with EINVAL when CONFIG_SECCOMP is off. */
	bool have_seccomp = prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0;

	p->seccomp_filter = have_seccomp &&
			    seccomp_action_avail(SECCOMP_RET_TRACE);
	p->seccomp_user_notif = have_seccomp &&
				seccomp_action_avail(SECCOMP_RET_USER_NOTIF);
	p->seccomp_kill_process = have_seccomp &&
				  seccomp_action_avail(SECCOMP_RET_KILL_PROCESS);
}

static void probe_landlock(struct cabin_probe *p)
{
	long abi = syscall(__NR_landlock_create_ruleset, NULL, 0,
			   LANDLOCK_CREATE_RULESET_VERSION);

	if (abi > 0) {
		p->landlock_abi = (int)abi;
		p->landlock_errno = 0;
	} else {
		p->landlock_abi = 0;
		p->landlock_errno = abi < 0 ? errno : EINVAL;
	}
}

#ifdef PROBE_X86
static void probe_pkeys(struct cabin_probe *p)
{
	unsigned int eax, ebx, ecx, edx;
	long key;

	if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
		return;
	p->pkeys_cpu = ecx & CPUID7_ECX_PKU;
	if (!p->pkeys_cpu || !(ecx & CPUID7_ECX_OSPKE))
		return;
	/* OSPKE alone is not enough: the kernel may still refuse keys. */
	key = syscall(__NR_pkey_alloc, 0, 0);
	if (key >= 0) {
		syscall(__NR_pkey_free, key);
		p->pkeys_os = true;
	}
}
#else
static void probe_pkeys(struct cabin_probe *p)
{
	p->pkeys_cpu = false;
	p->pkeys_os = false;
}
#endif

static void probe_kvm(struct cabin_probe *p)
{
	int fd, version;

	p->kvm_present = path_exists("/dev/kvm");
	p->kvm_usable = false;
	if (!p->kvm_present) {
		p->kvm_errno = errno;
		return;
	}
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		p->kvm_errno = errno;
		return;
	}
	version = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (version == KVM_EXPECTED_API_VERSION) {
		p->kvm_usable = true;
		p->kvm_errno = 0;
	} else {
		p->kvm_errno = version < 0 ? errno : EPROTO;
	}
	close(fd);
}

static void probe_sev_snp(struct cabin_probe *p)
{
	/*
	 * The kernel registers the sev-guest platform device only when it
	 * runs as an SNP guest, so sysfs answers even if the driver behind
	 * /dev/sev-guest is not loaded. The guest MSR is not readable from
	 * user space; CPUID is the last resort and only trusted under a
	 * hypervisor, since on bare metal it merely says the host can do SNP.
	 */
	p->sev_snp_guest = path_exists("/dev/sev-guest") ||
			   path_exists("/sys/bus/platform/devices/sev-guest");
#ifdef PROBE_X86
	if (!p->sev_snp_guest) {
		unsigned int eax, ebx, ecx, edx;

		if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) &&
		    (ecx & CPUID1_ECX_HYPERVISOR) &&
		    __get_cpuid(0x8000001f, &eax, &ebx, &ecx, &edx))
			p->sev_snp_guest = eax & CPUID8000001F_EAX_SNP;
	}
#endif
}

static void probe_ptrace(struct cabin_probe *p)
{
	int scope = -1;

	if (cabin_util_sysctl_int("kernel/yama/ptrace_scope", &scope) < 0)
		scope = -1;
	p->yama_ptrace_scope = scope;
	p->ptrace_usable = scope <= 1;
}

int cabin_probe_machine(struct cabin_probe *p)
{
	struct utsname uts;

	if (!p)
		return -EINVAL;
	memset(p, 0, sizeof(*p));

	if (uname(&uts) == 0) {
		copy_field(p->kernel_release, sizeof(p->kernel_release),
			   uts.release);
		copy_field(p->machine, sizeof(p->machine), uts.machine);
	}

	probe_seccomp(p);
	probe_landlock(p);
	p->syscall_user_dispatch = child_succeeds(child_user_dispatch);
	probe_pkeys(p);
	p->user_namespaces = child_succeeds(child_user_namespace);
#ifdef __x86_64__
	p->ia32_emulation = child_succeeds(child_int80_getpid);
#endif
	probe_kvm(p);
	probe_sev_snp(p);
	probe_ptrace(p);
	return 0;
}
