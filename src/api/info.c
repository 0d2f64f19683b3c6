/*
 * The machine facts of cabin/info.h, gathered from the platforms' own
 * probes (platform/probe.c, the kvm verdict) so that callers need no
 * internal header, plus the sysctls that say why user namespaces are
 * refused.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cabin/cabin.h"
#include "cabin/info.h"
#include "platform/driver.h"
#include "platform/kvm/host/verdict.h"
#include "platform/probe.h"
#include "util/cgroup.h"
#include "util/sysctl.h"

/* The probe only says "no"; the usual sysctls tell the user why. */
static const char *userns_reason(void)
{
	int val;

	if (cabin_util_sysctl_int("user/max_user_namespaces", &val) == 0 &&
	    val == 0)
		return "user.max_user_namespaces is 0";
	if (cabin_util_sysctl_int("kernel/unprivileged_userns_clone",
				  &val) == 0 && val == 0)
		return "kernel.unprivileged_userns_clone is 0";
	return "unshare(CLONE_NEWUSER) refused";
}

static const char *canary_name(enum cabin_kvm_canary c)
{
	switch (c) {
	case CABIN_KVM_CANARY_PASSED:
		return "passed";
	case CABIN_KVM_CANARY_SYSCALL_CPL3:
		return "syscall_cpl3";
	case CABIN_KVM_CANARY_FAULT:
		return "fault";
	case CABIN_KVM_CANARY_EXIT:
		return "exit";
	case CABIN_KVM_CANARY_TIMEOUT:
		return "timeout";
	case CABIN_KVM_CANARY_NOT_RUN:
		break;
	}
	return "not_run";
}

static void take_probe(struct cabin_info *info, const struct cabin_probe *p)
{
	snprintf(info->kernel_release, sizeof(info->kernel_release), "%s",
		 p->kernel_release);
	snprintf(info->machine, sizeof(info->machine), "%s", p->machine);
	info->seccomp_filter = p->seccomp_filter;
	info->seccomp_user_notif = p->seccomp_user_notif;
	info->seccomp_kill_process = p->seccomp_kill_process;
	info->landlock_abi = p->landlock_abi;
	info->landlock_errno = p->landlock_errno;
	info->syscall_user_dispatch = p->syscall_user_dispatch;
	info->pkeys_cpu = p->pkeys_cpu;
	info->pkeys_os = p->pkeys_os;
	info->user_namespaces = p->user_namespaces;
	info->ia32_emulation = p->ia32_emulation;
	info->kvm_present = p->kvm_present;
	info->kvm_usable = p->kvm_usable;
	info->kvm_errno = p->kvm_errno;
	info->sev_snp_guest = p->sev_snp_guest;
	info->ptrace_usable = p->ptrace_usable;
	info->yama_ptrace_scope = p->yama_ptrace_scope;
}

static void take_kvm(struct cabin_info *info,
		     const struct cabin_kvm_evidence *ev,
		     const struct cabin_kvm_verdict *v)
{
	info->kvm_platform = v->usable;
	snprintf(info->kvm_verdict, sizeof(info->kvm_verdict), "%s", v->why);
	info->kvm_canary = canary_name(ev->canary);
	info->kvm_pvm = v->pvm;
	info->cpu_vmx_svm = ev->cpu_virt;
	info->kvm_guest_known = ev->cpuid_read;
	info->kvm_guest_smep = ev->smep;
	info->kvm_guest_smap = ev->smap;
	info->kvm_guest_pku = ev->pku;
	snprintf(info->kvm_guest_lacks, sizeof(info->kvm_guest_lacks), "%s",
		 v->lacks);
}

/* Each controller alone: a machine may delegate some and not others. */
static void take_cgroup(struct cabin_info *info)
{
	struct cabin_cgroup cg;
	bool *have[] = { &info->cgroup_memory, &info->cgroup_pids,
			 &info->cgroup_cpu };
	static const unsigned int controllers[] = {
		CABIN_CGROUP_MEMORY, CABIN_CGROUP_PIDS, CABIN_CGROUP_CPU,
	};
	char why[sizeof(info->cgroup_why)];
	unsigned int i;

	for (i = 0; i < 3; i++) {
		*have[i] = cabin_cgroup_probe(&cg, controllers[i], why,
					      sizeof(why)) == 0;
		cabin_cgroup_remove(&cg);
		if (!*have[i] && !info->cgroup_why[0])
			snprintf(info->cgroup_why, sizeof(info->cgroup_why),
				 "%s", why);
	}
}

/* The drivers that can serve cabin_enter. */
static void take_enter(struct cabin_info *info)
{
	const struct cabin_platform_driver *d;
	size_t i, len = 0;
	const char *name;

	for (i = 0; (name = cabin_platform_name(i)); i++) {
		d = cabin_platform_find(name);
		if (!d || !d->serve)
			continue;
		len += (size_t)snprintf(info->enter_platforms + len,
				sizeof(info->enter_platforms) - len, "%s%s",
				len ? ", " : "", name);
		if (len >= sizeof(info->enter_platforms))
			break;
	}
}

int cabin_info_gather(struct cabin_info *info)
{
	struct cabin_probe probe;
	struct cabin_kvm_evidence ev;
	struct cabin_kvm_verdict verdict;

	if (!info)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	cabin_probe_machine(&probe);
	cabin_kvm_gather(&ev);
	cabin_kvm_decide(&ev, &verdict);
	take_probe(info, &probe);
	take_kvm(info, &ev, &verdict);
	take_cgroup(info);
	take_enter(info);
	if (!info->user_namespaces)
		info->user_namespaces_why = userns_reason();
	return 0;
}
