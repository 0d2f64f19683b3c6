/*
 * The --gdb stub's dispatcher on packets gdb would not send: each is
 * answered (an error or nothing) and the stub goes on serving.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "debug/debug_int.h"
#include "fake_debug_target.h"

static void malformed_packets_are_answered(void **state)
{
	static const char *const pkts[] = {
		"vCont;c:p1", "vCont;c:p", "vCont;C", "vCont;C1", "C", "S",
		"H", "Hg", "Hgp", "Tp", "Z", "Z0", "z", "P-1=00",
		"P100000000=00", "p-1", "p100000000", "P", "M400000",
	};
	struct cabin_debug d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pkts) / sizeof(pkts[0]); i++) {
		fake_debug_init(&d);
		cabin_debug_dispatch(&d, pkts[i]);
		fake_debug_fini(&d);
	}
}

static void a_register_number_out_of_range_is_refused(void **state)
{
	struct cabin_debug d;

	(void)state;
	fake_debug_init(&d);
	assert_int_equal(cabin_debug_dispatch(&d, "P-1=0100000000000000"), -1);
	assert_string_equal(d.out, "E01");
	assert_int_equal(cabin_debug_dispatch(&d, "P100000000=01000000"), -1);
	assert_string_equal(d.out, "E01");
	fake_debug_fini(&d);
}

static void vcont_with_a_process_id_resumes_it(void **state)
{
	struct cabin_debug d;
	bool step;
	int sig;

	(void)state;
	fake_debug_init(&d);
	assert_int_equal(cabin_debug_dispatch(&d, "vCont;c:p64"),
			 CABIN_DEBUG_RESUME);
	assert_true(cabin_debug_action_for(&d, FAKE_PID, &step, &sig));
	assert_false(step);
	fake_debug_fini(&d);
}

static void breakpoints_only_in_private_memory_and_lifted(void **state)
{
	struct cabin_debug d;

	(void)state;
	fake_debug_init(&d);
	/* The fake's second half is a shared mapping. */
	cabin_debug_dispatch(&d, "Z0,408000,1");
	assert_string_equal(d.out, "E01");
	assert_int_equal(fake_mem[0x8000], 0x90);
	cabin_debug_dispatch(&d, "Z0,400010,1");
	assert_string_equal(d.out, "OK");
	assert_int_equal(fake_mem[0x10], 0xcc);
	cabin_debug_lift(&d, true);
	assert_int_equal(fake_mem[0x10], 0x90);
	/* Set while lifted: in only when put back. */
	cabin_debug_dispatch(&d, "Z0,400020,1");
	assert_string_equal(d.out, "OK");
	assert_int_equal(fake_mem[0x20], 0x90);
	cabin_debug_lift(&d, false);
	assert_int_equal(fake_mem[0x10], 0xcc);
	assert_int_equal(fake_mem[0x20], 0xcc);
	cabin_debug_remove_all(&d);
	assert_int_equal(fake_mem[0x10], 0x90);
	assert_int_equal(fake_mem[0x20], 0x90);
	fake_debug_fini(&d);
}

static void a_thread_past_the_256th_is_ours(void **state)
{
	struct cabin_debug d;
	char pkt[32];

	(void)state;
	fake_debug_init(&d);
	fake_nthreads = 1000;
	snprintf(pkt, sizeof(pkt), "Hg%x", FAKE_PID + 999);
	cabin_debug_dispatch(&d, pkt);
	assert_string_equal(d.out, "OK");
	snprintf(pkt, sizeof(pkt), "T%x", FAKE_PID + 1000);
	cabin_debug_dispatch(&d, pkt);
	assert_string_equal(d.out, "E01");
	fake_debug_fini(&d);
}

/*
 * D;PID and vKill;PID reach only the debugged process and the fork
 * child gdb was told of; QPassSignals takes gdb's numbers.
 */
static void only_known_processes_are_detached_and_signals_passed(void **state)
{
	struct cabin_debug d;
	char pkt[32];

	(void)state;
	fake_debug_init(&d);
	cabin_debug_dispatch(&d, "qSupported:multiprocess+;fork-events+");
	assert_non_null(strstr(d.out, ";multiprocess+;fork-events+"));
	assert_null(strstr(d.out, "exec-events"));
	snprintf(pkt, sizeof(pkt), "D;%x", FAKE_PID + 7);
	assert_int_equal(cabin_debug_dispatch(&d, pkt), -1);
	assert_string_equal(d.out, "E01");
	snprintf(pkt, sizeof(pkt), "vKill;%x", FAKE_PID + 7);
	assert_int_equal(cabin_debug_dispatch(&d, pkt), -1);
	assert_string_equal(d.out, "E01");
	d.event_pid = FAKE_PID + 7;
	assert_int_equal(cabin_debug_dispatch(&d, "qC"), -1);
	snprintf(pkt, sizeof(pkt), "QCp%x.%x", FAKE_PID, FAKE_PID);
	assert_string_equal(d.out, pkt);
	/* Hg on the fork child: no int3 goes into it. */
	snprintf(pkt, sizeof(pkt), "Hgp%x.%x", FAKE_PID + 7, FAKE_PID + 7);
	cabin_debug_dispatch(&d, pkt);
	assert_string_equal(d.out, "OK");
	assert_int_equal(d.gpid, FAKE_PID + 7);
	cabin_debug_dispatch(&d, "Z0,1000,1");
	assert_string_equal(d.out, "OK");
	assert_int_equal(d.nbrk, 0);
	cabin_debug_dispatch(&d, "QPassSignals:1e;e");
	assert_string_equal(d.out, "OK");
	assert_true(d.pass[SIGUSR1] && d.pass[SIGALRM] && !d.pass[SIGINT]);
	cabin_debug_dispatch(&d, "QPassSignals:zz");
	assert_string_equal(d.out, "E01");
	/* Until gdb says which, every held signal reaches the program. */
	assert_true(cabin_debug_program_signal(&d, SIGINT));
	cabin_debug_dispatch(&d, "QProgramSignals:1e");
	assert_string_equal(d.out, "OK");
	assert_true(cabin_debug_program_signal(&d, SIGUSR1));
	assert_false(cabin_debug_program_signal(&d, SIGINT));
	fake_debug_fini(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(malformed_packets_are_answered),
		cmocka_unit_test(a_register_number_out_of_range_is_refused),
		cmocka_unit_test(vcont_with_a_process_id_resumes_it),
		cmocka_unit_test(breakpoints_only_in_private_memory_and_lifted),
		cmocka_unit_test(a_thread_past_the_256th_is_ours),
		cmocka_unit_test(only_known_processes_are_detached_and_signals_passed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
