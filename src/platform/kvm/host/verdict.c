/*
 * The kvm platform's verdict on this host: a pure function of the
 * evidence (verdict.h), so the decision and its words are the same
 * whether the evidence came from a canary guest or from a unit test.
 */
#include "platform/kvm/host/verdict.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "platform/kvm/vmm/vm.h"

static void add(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strnlen(buf, len);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/* What the hints say the host's KVM is, as "; ..." or nothing. */
static void add_host_kind(char *buf, size_t len,
			  const struct cabin_kvm_evidence *ev)
{
	if (ev->pvm_module)
		add(buf, len, "; this host's /dev/kvm is PVM (module kvm_pvm loaded%s), not hardware KVM",
		    ev->cpu_flags_read && !ev->cpu_virt ?
		    ", no vmx/svm in /proc/cpuinfo" : "");
	else if (ev->cpu_flags_read && !ev->cpu_virt)
		add(buf, len, "; this host's /dev/kvm is not hardware KVM (no vmx/svm in /proc/cpuinfo; PVM or another emulation)");
	else if (ev->cpu_flags_read)
		add(buf, len, "; hardware KVM (vmx/svm in /proc/cpuinfo)");
}

static void why_no_device(char *buf, size_t len, int err)
{
	if (err == ENOENT)
		add(buf, len, "no /dev/kvm");
	else if (err == EACCES)
		add(buf, len, "/dev/kvm: %s (not in the kvm group?)",
		    strerror(err));
	else if (err == EPROTO)
		add(buf, len, "/dev/kvm: unexpected KVM API version");
	else
		add(buf, len, "/dev/kvm: %s", strerror(err));
}

static void why_canary(char *buf, size_t len,
		       const struct cabin_kvm_evidence *ev)
{
	static const char did[] = "a canary guest's syscall at CPL3";

	switch (ev->canary) {
	case CABIN_KVM_CANARY_NOT_RUN:
		add(buf, len, "the canary guest could not be built: %s",
		    ev->setup[0] ? ev->setup : "unknown failure");
		return;
	case CABIN_KVM_CANARY_PASSED:
		add(buf, len, "%s reached the proxy kernel at CPL0", did);
		break;
	case CABIN_KVM_CANARY_SYSCALL_CPL3:
		add(buf, len, "%s arrived at the proxy kernel's entry (LSTAR, 0x%llx) still at CPL3 (%s, error 0x%llx), so the proxy kernel cannot run",
		    did, (unsigned long long)ev->rip,
		    cabin_kvm_vector_name(ev->vector),
		    (unsigned long long)ev->error);
		break;
	case CABIN_KVM_CANARY_FAULT:
		add(buf, len, "%s did not reach the proxy kernel: %s (vector %llu, error 0x%llx) at rip 0x%llx, cr2 0x%llx",
		    did, cabin_kvm_vector_name(ev->vector),
		    (unsigned long long)ev->vector,
		    (unsigned long long)ev->error,
		    (unsigned long long)ev->rip,
		    (unsigned long long)ev->cr2);
		break;
	case CABIN_KVM_CANARY_EXIT:
		add(buf, len, "%s did not reach the proxy kernel: VM exit %u instead",
		    did, ev->exit_reason);
		break;
	case CABIN_KVM_CANARY_TIMEOUT:
		add(buf, len, "%s did not reach the proxy kernel within %u s",
		    did, ev->bound_s);
		break;
	}
	add_host_kind(buf, len, ev);
}

static void add_lacking(char *buf, size_t len, bool have, const char *name)
{
	if (!have)
		add(buf, len, "%s%s", buf[0] ? ", " : "", name);
}

void cabin_kvm_decide(const struct cabin_kvm_evidence *ev,
		      struct cabin_kvm_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->pvm = ev->pvm_module;
	if (ev->dev_errno) {
		why_no_device(v->why, sizeof(v->why), ev->dev_errno);
		return;
	}
	why_canary(v->why, sizeof(v->why), ev);
	v->usable = ev->canary == CABIN_KVM_CANARY_PASSED;
	if (!ev->cpuid_read)
		return;
	add_lacking(v->lacks, sizeof(v->lacks), ev->smep, "SMEP");
	add_lacking(v->lacks, sizeof(v->lacks), ev->smap, "SMAP");
	add_lacking(v->lacks, sizeof(v->lacks), ev->pku, "PKU");
}

bool cabin_kvm_refuse(const struct cabin_kvm_evidence *ev, bool xom,
		      bool want_smep, bool want_smap, char *why,
		      size_t whylen)
{
	bool no_pku = xom && !ev->pku;
	bool no_smep = want_smep && !ev->smep;
	bool no_smap = want_smap && !ev->smap;

	if (!ev->cpuid_read || (!no_pku && !no_smep && !no_smap))
		return false;
	why[0] = '\0';
	add(why, whylen, "this host's KVM offers the guest no");
	if (no_pku)
		add(why, whylen, " PKU (--xom needs protection keys)%s",
		    no_smep || no_smap ? "," : "");
	if (no_smep)
		add(why, whylen, " SMEP (the proxy kernel's own protection; --unsafe-disable=smep runs without it)%s",
		    no_smap ? "," : "");
	if (no_smap)
		add(why, whylen, " SMAP (the proxy kernel's own protection; --unsafe-disable=smap runs without it)");
	add(why, whylen, " in KVM_GET_SUPPORTED_CPUID");
	return true;
}
