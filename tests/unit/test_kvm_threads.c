/*
 * Which thread of a kvm process takes a signal sent to the process: one
 * that does not block it, the calling one first; when all block it, it
 * waits for the process until a thread unblocks it and claims it.  No
 * KVM needed: the threads are records, kicks go nowhere (tid 0).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "platform/kvm/linux/entry.h"

static struct cabin_kvm k;
static struct cabin_kvm_thread t0, t1, t2;

static int setup(void **state)
{
	(void)state;
	memset(&k, 0, sizeof(k));
	memset(&t0, 0, sizeof(t0));
	memset(&t1, 0, sizeof(t1));
	memset(&t2, 0, sizeof(t2));
	cabin_ksig_init(&t0.sig);
	cabin_ksig_thread(&t1.sig, &t0.sig);
	cabin_ksig_thread(&t2.sig, &t0.sig);
	t0.k = t1.k = t2.k = &k;
	t1.cpu = 1;
	t2.cpu = 2;
	k.threads[0] = &t0;
	k.threads[1] = &t1;
	k.threads[2] = &t2;
	k.cur = &t0;
	return 0;
}

static siginfo_t info(int sig)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = SI_USER;
	return si;
}

static void test_caller_first(void **state)
{
	siginfo_t si = info(SIGUSR1);

	(void)state;
	cabin_kvm_signal_process(&k, &si);
	assert_true(t0.sig.pending & CABIN_KSIG_BIT(SIGUSR1));
	assert_false(t1.sig.pending || t2.sig.pending || k.proc_pending);
}

static void test_a_thread_that_does_not_block_it(void **state)
{
	siginfo_t si = info(SIGUSR2);

	(void)state;
	t0.sig.blocked = t1.sig.blocked = CABIN_KSIG_BIT(SIGUSR2);
	t2.exited = false;
	cabin_kvm_signal_process(&k, &si);
	assert_int_equal(t2.sig.pending, CABIN_KSIG_BIT(SIGUSR2));
	assert_false(t0.sig.pending || t1.sig.pending || k.proc_pending);
	/* An ended thread takes nothing. */
	t2.sig.pending = 0;
	t2.exited = true;
	cabin_kvm_signal_process(&k, &si);
	assert_int_equal(t2.sig.pending, 0);
	assert_int_equal(k.proc_pending, CABIN_KSIG_BIT(SIGUSR2));
}

static void test_waits_for_an_unblocking_thread(void **state)
{
	siginfo_t si = info(SIGTERM);

	(void)state;
	t0.sig.blocked = t1.sig.blocked = t2.sig.blocked = CABIN_KSIG_BIT(SIGTERM);
	cabin_kvm_signal_process(&k, &si);
	assert_int_equal(k.proc_pending, CABIN_KSIG_BIT(SIGTERM));
	/* Still blocked: nothing to claim. */
	assert_false(cabin_kvm_claim_signals(&k));
	/* Thread 1 unblocks it, and at its next stop takes it. */
	t1.sig.blocked = 0;
	k.cur = &t1;
	assert_true(cabin_kvm_claim_signals(&k));
	assert_int_equal(t1.sig.pending, CABIN_KSIG_BIT(SIGTERM));
	assert_int_equal(k.proc_pending, 0);
	assert_int_equal(t1.sig.info[SIGTERM].si_signo, SIGTERM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_caller_first, setup, NULL),
		cmocka_unit_test_setup_teardown(
			test_a_thread_that_does_not_block_it, setup, NULL),
		cmocka_unit_test_setup_teardown(
			test_waits_for_an_unblocking_thread, setup, NULL),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
