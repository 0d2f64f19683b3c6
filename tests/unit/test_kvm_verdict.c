/*
 * The kvm platform's verdict from evidence: the evidence a PVM host gives
 * (a syscall at CPL3 reaching LSTAR still at CPL3, kvm_pvm loaded, no
 * vmx/svm, no SMEP/SMAP/PKU in the supported CPUID), which no test machine
 * can produce for real, and that of a hardware host, an absent device and
 * a canary that never arrives; and what a run is refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "platform/kvm/shared/abi.h"
#include "platform/kvm/host/verdict.h"

static void contains(const char *s, const char *part)
{
	if (!strstr(s, part))
		fail_msg("'%s' does not contain '%s'", s, part);
}

/* As measured on a PVM host: #PF, user fetch, at the syscall entry. */
static struct cabin_kvm_evidence pvm_host(void)
{
	struct cabin_kvm_evidence ev = {
		.canary = CABIN_KVM_CANARY_SYSCALL_CPL3,
		.vector = 14, .error = 0x15,
		.rip = CABIN_KVM_KERNEL + 0x18, .cr2 = CABIN_KVM_KERNEL + 0x18,
		.pvm_module = true, .cpu_flags_read = true, .cpu_virt = false,
		.cpuid_read = true,
	};

	return ev;
}

static struct cabin_kvm_evidence hardware_host(void)
{
	struct cabin_kvm_evidence ev = {
		.canary = CABIN_KVM_CANARY_PASSED,
		.cpu_flags_read = true, .cpu_virt = true,
		.cpuid_read = true, .smep = true, .smap = true, .pku = true,
	};

	return ev;
}

static void test_pvm_cannot_work(void **state)
{
	struct cabin_kvm_evidence ev = pvm_host();
	struct cabin_kvm_verdict v;

	(void)state;
	cabin_kvm_decide(&ev, &v);
	assert_false(v.usable);
	assert_true(v.pvm);
	contains(v.why, "still at CPL3");
	contains(v.why, "LSTAR, 0x10018");
	contains(v.why, "#PF page fault, error 0x15");
	contains(v.why, "PVM (module kvm_pvm loaded, no vmx/svm in /proc/cpuinfo)");
	assert_string_equal(v.lacks, "SMEP, SMAP, PKU");
}

/* No module, but no vmx/svm either: not hardware KVM, PVM not claimed. */
static void test_no_virt_flags_named(void **state)
{
	struct cabin_kvm_evidence ev = pvm_host();
	struct cabin_kvm_verdict v;

	(void)state;
	ev.pvm_module = false;
	cabin_kvm_decide(&ev, &v);
	assert_false(v.usable);
	assert_false(v.pvm);
	contains(v.why, "not hardware KVM (no vmx/svm in /proc/cpuinfo");
}

static void test_hardware_works(void **state)
{
	struct cabin_kvm_evidence ev = hardware_host();
	struct cabin_kvm_verdict v;

	(void)state;
	cabin_kvm_decide(&ev, &v);
	assert_true(v.usable);
	assert_false(v.pvm);
	contains(v.why, "reached the proxy kernel at CPL0");
	contains(v.why, "hardware KVM");
	assert_string_equal(v.lacks, "");
}

/* The hints alone never decide: a canary that passes is believed. */
static void test_canary_decides_not_hints(void **state)
{
	struct cabin_kvm_evidence ev = hardware_host();
	struct cabin_kvm_verdict v;

	(void)state;
	ev.pvm_module = true;
	ev.cpu_virt = false;
	cabin_kvm_decide(&ev, &v);
	assert_true(v.usable);
	assert_true(v.pvm);
	contains(v.why, "PVM");
}

static void test_no_device(void **state)
{
	struct cabin_kvm_evidence ev = { .dev_errno = ENOENT };
	struct cabin_kvm_verdict v;

	(void)state;
	cabin_kvm_decide(&ev, &v);
	assert_false(v.usable);
	assert_string_equal(v.why, "no /dev/kvm");
	ev.dev_errno = EACCES;
	cabin_kvm_decide(&ev, &v);
	assert_false(v.usable);
	contains(v.why, "/dev/kvm: Permission denied (not in the kvm group?)");
}

static void test_canary_failures(void **state)
{
	struct cabin_kvm_evidence ev = hardware_host();
	struct cabin_kvm_verdict v;

	(void)state;
	ev.canary = CABIN_KVM_CANARY_TIMEOUT;
	ev.bound_s = 10;
	cabin_kvm_decide(&ev, &v);
	assert_false(v.usable);
	contains(v.why, "did not reach the proxy kernel within 10 s");

	ev.canary = CABIN_KVM_CANARY_FAULT;
	ev.vector = 13;
	ev.error = 0;
	ev.rip = 0x200005;
	cabin_kvm_decide(&ev, &v);
	assert_false(v.usable);
	contains(v.why, "#GP general protection (vector 13, error 0x0) at rip 0x200005");

	ev.canary = CABIN_KVM_CANARY_EXIT;
	ev.exit_reason = 8;
	cabin_kvm_decide(&ev, &v);
	assert_false(v.usable);
	contains(v.why, "VM exit 8 instead");

	ev.canary = CABIN_KVM_CANARY_NOT_RUN;
	strcpy(ev.setup, "KVM_CREATE_VCPU: Invalid argument");
	cabin_kvm_decide(&ev, &v);
	assert_false(v.usable);
	contains(v.why, "could not be built: KVM_CREATE_VCPU");
}

static void test_refusals(void **state)
{
	struct cabin_kvm_evidence ev = pvm_host();
	char why[512];

	(void)state;
	/* Everything asked of a guest that has none of it. */
	assert_true(cabin_kvm_refuse(&ev, true, true, true, why, sizeof(why)));
	contains(why, "PKU (--xom needs protection keys)");
	contains(why, "SMEP (the proxy kernel's own protection; --unsafe-disable=smep");
	contains(why, "SMAP (the proxy kernel's own protection; --unsafe-disable=smap");
	/* Only what is asked is named. */
	assert_true(cabin_kvm_refuse(&ev, false, false, true, why, sizeof(why)));
	assert_null(strstr(why, "PKU"));
	assert_null(strstr(why, "SMEP"));
	contains(why, "SMAP");
	assert_true(cabin_kvm_refuse(&ev, true, false, false, why, sizeof(why)));
	contains(why, "no PKU");
	/* Switched off by the user: nothing to refuse. */
	assert_false(cabin_kvm_refuse(&ev, false, false, false, why, sizeof(why)));
	/* A guest with all of it. */
	ev = hardware_host();
	assert_false(cabin_kvm_refuse(&ev, true, true, true, why, sizeof(why)));
	/* Unknown features: the verdict has refused already. */
	ev.cpuid_read = false;
	ev.smep = false;
	assert_false(cabin_kvm_refuse(&ev, true, true, true, why, sizeof(why)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pvm_cannot_work),
		cmocka_unit_test(test_no_virt_flags_named),
		cmocka_unit_test(test_hardware_works),
		cmocka_unit_test(test_canary_decides_not_hints),
		cmocka_unit_test(test_no_device),
		cmocka_unit_test(test_canary_failures),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
