/*
 * The proxy kernel against the fake platform: each event kind, the resume
 * it produces, the lines it prints, and the life cycle from the first
 * task to the exit status.
 */
#include <errno.h>
#include <linux/audit.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <cmocka.h>

#include "core/memguard.h"
#include "core/proxy.h"
#include "core/xom.h"
#include "fake_platform.h"

#define MAIN 100

struct fixture {
	struct fake_platform fake;
	struct cabin_router router;
	struct cabin_proxy proxy;
	char *log;
	size_t loglen;
	FILE *logf;
	int deny_ptrace;	/* rule ids */
	int trace_openat;
	int emulate_uname;
	int kill_reboot;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct cabin_rule r = { 0 };

	fake_platform_init(&f->fake);
	cabin_router_init(&f->router,
			  (struct cabin_route){ .kind = CABIN_ROUTE_ALLOW });
	r.nr = 101;
	r.route = (struct cabin_route){ .kind = CABIN_ROUTE_DENY, .err = EPERM };
	f->deny_ptrace = cabin_router_add(&f->router, &r);
	r.nr = 257;
	r.route = (struct cabin_route){ .kind = CABIN_ROUTE_TRACE };
	f->trace_openat = cabin_router_add(&f->router, &r);
	r.nr = 63;
	r.route = (struct cabin_route){ .kind = CABIN_ROUTE_EMULATE };
	f->emulate_uname = cabin_router_add(&f->router, &r);
	r.nr = 169;
	r.route = (struct cabin_route){ .kind = CABIN_ROUTE_KILL };
	f->kill_reboot = cabin_router_add(&f->router, &r);
	f->logf = open_memstream(&f->log, &f->loglen);
	assert_int_equal(cabin_proxy_init(&f->proxy, &f->fake.plat,
					  &f->router, f->logf), 0);
	assert_int_equal(cabin_proxy_adopt(&f->proxy, MAIN), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	cabin_proxy_free(&f->proxy);
	cabin_router_free(&f->router);
	fclose(f->logf);
	free(f->log);
	free(f);
	return 0;
}

static const char *log_text(struct fixture *f)
{
	fflush(f->logf);
	return f->log ? f->log : "";
}

static void send_event(struct fixture *f, struct cabin_event ev)
{
	assert_int_equal(cabin_proxy_handle(&f->proxy, &ev), 0);
}

static struct cabin_event syscall_event(pid_t tid, long nr, int rule)
{
	struct cabin_event ev = { .kind = CABIN_EV_SYSCALL_ENTRY, .tid = tid };

	ev.sys.nr = nr;
	ev.sys.rule = rule;
	ev.sys.arch = AUDIT_ARCH_X86_64;
	return ev;
}

static void assert_resumed(struct fixture *f, pid_t tid,
			   enum cabin_resume_how how, long retval, int sig)
{
	const struct fake_call *c = fake_last(&f->fake);

	assert_non_null(c);
	assert_int_equal(c->what, FAKE_RESUME);
	assert_int_equal(c->tid, tid);
	assert_int_equal(c->resume.how, how);
	assert_int_equal(c->resume.sig, sig);
	if (how == CABIN_RESUME_SKIP)
		assert_int_equal(c->resume.retval, retval);
}

static size_t count_lines(const char *text, const char *needle)
{
	size_t n = 0;

	while ((text = strstr(text, needle))) {
		n++;
		text += strlen(needle);
	}
	return n;
}

static void test_deny_skips_and_reports_once(void **state)
{
	struct fixture *f = *state;

	send_event(f, syscall_event(MAIN, 101, f->deny_ptrace));
	assert_resumed(f, MAIN, CABIN_RESUME_SKIP, -EPERM, 0);
	send_event(f, syscall_event(MAIN, 101, f->deny_ptrace));
	assert_resumed(f, MAIN, CABIN_RESUME_SKIP, -EPERM, 0);
	assert_int_equal(count_lines(log_text(f),
		"cabin: denied ptrace by pid 100 (prog100): EPERM\n"), 1);
	assert_int_equal(f->proxy.stats.denied, 2);
}

static void test_trace_watches_the_exit(void **state)
{
	struct fixture *f = *state;
	struct cabin_event exit_ev = { .kind = CABIN_EV_SYSCALL_EXIT,
				       .tid = MAIN, .ret = 3 };
	struct cabin_task *task;

	send_event(f, syscall_event(MAIN, 257, f->trace_openat));
	assert_resumed(f, MAIN, CABIN_RESUME_TO_EXIT, 0, 0);
	task = cabin_tasks_find(&f->proxy.tasks, MAIN);
	assert_int_equal(task->state, CABIN_TASK_IN_SYSCALL);
	assert_int_equal(task->cur_nr, 257);
	send_event(f, exit_ev);
	assert_resumed(f, MAIN, CABIN_RESUME_RUN, 0, 0);
	assert_int_equal(task->cur_nr, -1);
}

/*
 * A traced call naming memory cabin cannot read (the fake platform reads
 * nothing) answers EFAULT and never runs, be it a path, another string
 * the kernel reads or a socket address; a NULL path is the kernel's to
 * judge, and with the check off (--unsafe-disable=unreadable) it runs.
 */
static void test_unreadable_path_fails_closed(void **state)
{
	struct fixture *f = *state;
	struct cabin_event ev = syscall_event(MAIN, 257, f->trace_openat);
	struct cabin_event exit_ev = { .kind = CABIN_EV_SYSCALL_EXIT,
				       .tid = MAIN, .ret = -EFAULT };

	f->proxy.fail_unreadable = true;
	ev.sys.args[1] = 0x7f0000001000;
	send_event(f, ev);
	assert_resumed(f, MAIN, CABIN_RESUME_SKIP, -EFAULT, 0);
	ev.sys.args[1] = 0;
	send_event(f, ev);
	assert_resumed(f, MAIN, CABIN_RESUME_TO_EXIT, 0, 0);
	send_event(f, exit_ev);
	/* memfd_create's name, connect's address: where the table says */
	ev = syscall_event(MAIN, SYS_memfd_create, f->trace_openat);
	ev.sys.args[0] = 0x7f0000001000;
	send_event(f, ev);
	assert_resumed(f, MAIN, CABIN_RESUME_SKIP, -EFAULT, 0);
	ev = syscall_event(MAIN, SYS_connect, f->trace_openat);
	ev.sys.args[1] = 0x7f0000001000;
	ev.sys.args[2] = 16;
	send_event(f, ev);
	assert_resumed(f, MAIN, CABIN_RESUME_SKIP, -EFAULT, 0);
	ev = syscall_event(MAIN, 257, f->trace_openat);
	f->proxy.fail_unreadable = false;
	ev.sys.args[1] = 0x7f0000001000;
	send_event(f, ev);
	assert_resumed(f, MAIN, CABIN_RESUME_TO_EXIT, 0, 0);
}

struct own_seen {
	int results;
	long nr, ret;
	bool ran, own;
};

static void own_result(void *ctx, struct cabin_proxy *p,
		       struct cabin_task *task, long ret, bool ran)
{
	struct own_seen *s = ctx;

	(void)p;
	s->results++;
	s->nr = task->cur_nr;
	s->ret = ret;
	s->ran = ran;
	s->own = task->own_answer;
}

/*
 * A task with a filter of its own stops at every entry; an exit with no
 * seccomp stop in between, for a call cabin would have stopped, is that
 * filter's answer and is recorded as such.  An allowed call is not.
 */
static void test_own_filter_answer_is_recorded(void **state)
{
	struct fixture *f = *state;
	struct own_seen seen = { 0 };
	const struct cabin_observer obs = { .ctx = &seen,
					    .syscall_result = own_result };
	struct cabin_event entered = { .kind = CABIN_EV_SYSCALL_ENTERED,
				       .tid = MAIN };
	struct cabin_event exit_ev = { .kind = CABIN_EV_SYSCALL_EXIT,
				       .tid = MAIN, .ret = -EACCES };
	const struct fake_call *c;

	assert_int_equal(cabin_proxy_observe(&f->proxy, &obs), 0);
	cabin_tasks_find(&f->proxy.tasks, MAIN)->own_filter = true;
	entered.sys.nr = 257;
	send_event(f, entered);
	assert_resumed(f, MAIN, CABIN_RESUME_TO_EXIT, 0, 0);
	assert_true(fake_last(&f->fake)->resume.entry_stops);
	send_event(f, exit_ev);
	c = fake_last(&f->fake);
	assert_int_equal(c->resume.how, CABIN_RESUME_RUN);
	assert_true(c->resume.entry_stops);
	assert_int_equal(seen.results, 1);
	assert_int_equal(seen.nr, 257);
	assert_int_equal(seen.ret, -EACCES);
	assert_false(seen.ran);
	assert_true(seen.own);
	entered.sys.nr = 39;
	send_event(f, entered);
	send_event(f, exit_ev);
	assert_int_equal(seen.results, 1);
	/* A seccomp stop in between: the proxy's own path decides. */
	entered.sys.nr = 257;
	send_event(f, entered);
	send_event(f, syscall_event(MAIN, 257, f->trace_openat));
	send_event(f, exit_ev);
	assert_int_equal(seen.results, 2);
	assert_true(seen.ran);
	assert_false(seen.own);
}

static long answer_42(struct cabin_proxy *p, void *ctx,
		      struct cabin_task *task,
		      const struct cabin_syscall *sys)
{
	(void)p; (void)ctx; (void)task;
	return sys->nr == 63 ? 42 : -EINVAL;
}

static const struct cabin_guard answers_42 = {
	.name = "answers 42",
	.emulate = answer_42,
};

static void test_emulate_answers_without_running(void **state)
{
	struct fixture *f = *state;

	send_event(f, syscall_event(MAIN, 63, f->emulate_uname));
	assert_resumed(f, MAIN, CABIN_RESUME_SKIP, -ENOSYS, 0);
	assert_int_equal(cabin_proxy_guard(&f->proxy, &answers_42, NULL), 0);
	send_event(f, syscall_event(MAIN, 63, f->emulate_uname));
	assert_resumed(f, MAIN, CABIN_RESUME_SKIP, 42, 0);
}

static void test_unknown_rule_is_matched_in_software(void **state)
{
	struct fixture *f = *state;
	const struct fake_call *c;

	send_event(f, syscall_event(MAIN, 101, CABIN_RULE_UNKNOWN));
	assert_resumed(f, MAIN, CABIN_RESUME_SKIP, -EPERM, 0);
	send_event(f, syscall_event(MAIN, 39, CABIN_RULE_UNKNOWN));
	assert_resumed(f, MAIN, CABIN_RESUME_RUN, 0, 0);
	send_event(f, syscall_event(MAIN, 169, CABIN_RULE_UNKNOWN));
	c = fake_last(&f->fake);
	assert_int_equal(c->what, FAKE_KILL);
	assert_int_equal(c->sig, SIGSYS);
	assert_non_null(strstr(log_text(f),
		"pid 100 (prog100): killed: syscall reboot is routed to kill"));
}

/*
 * A fault is delivered at once; its line waits for its fate: none when
 * the thread faults again (it came back from its handler), one when the
 * process dies of that signal.
 */
static void test_fault_line_at_death(void **state)
{
	struct fixture *f = *state;
	struct cabin_event ev = { .kind = CABIN_EV_FAULT, .tid = MAIN };
	struct cabin_event end = { .kind = CABIN_EV_EXITING, .tid = MAIN };

	ev.fault.sig = SIGSEGV;
	ev.fault.code = SEGV_MAPERR;
	ev.fault.addr = 0;
	ev.fault.ip = 0x401136;
	send_event(f, ev);
	assert_resumed(f, MAIN, CABIN_RESUME_RUN, 0, SIGSEGV);
	assert_string_equal(log_text(f), "");

	ev.fault.sig = SIGFPE;
	ev.fault.code = FPE_INTDIV;
	ev.fault.ip = 0x10;
	send_event(f, ev);
	assert_resumed(f, MAIN, CABIN_RESUME_RUN, 0, SIGFPE);
	assert_string_equal(log_text(f), "");
	assert_int_equal(f->proxy.stats.faults_handled, 1);
	assert_int_equal(f->proxy.stats.faults, 2);

	end.exiting.status = SIGFPE;	/* killed by it */
	end.exiting.nr = -1;
	send_event(f, end);
	assert_string_equal(log_text(f),
		"cabin: pid 100 (prog100): SIGFPE (FPE_INTDIV) at 0x0, ip 0x10\n");
	assert_int_equal(f->proxy.stats.faults_handled, 1);
}

/* A process that ends another way handled its fault: no line. */
static void test_fault_then_exit(void **state)
{
	struct fixture *f = *state;
	struct cabin_event ev = { .kind = CABIN_EV_FAULT, .tid = MAIN };
	struct cabin_event end = { .kind = CABIN_EV_EXITING, .tid = MAIN };

	ev.fault.sig = SIGSEGV;
	ev.fault.code = SEGV_MAPERR;
	send_event(f, ev);
	end.exiting.status = 0;		/* exit 0 */
	end.exiting.nr = -1;
	send_event(f, end);
	assert_string_equal(log_text(f), "");
	assert_int_equal(f->proxy.stats.faults_handled, 1);
}

static void test_spawn_attach_and_group_stop(void **state)
{
	struct fixture *f = *state;
	struct cabin_event spawn = { .kind = CABIN_EV_SPAWN, .tid = MAIN };
	struct cabin_event attach = { .kind = CABIN_EV_ATTACH, .tid = 101 };
	struct cabin_event stop = { .kind = CABIN_EV_GROUP_STOP, .tid = 101,
				    .sig = SIGTSTP };
	struct cabin_task *child;

	spawn.spawn.child = 101;
	spawn.spawn.kind = CABIN_SPAWN_FORK;
	send_event(f, spawn);
	assert_resumed(f, MAIN, CABIN_RESUME_RUN, 0, 0);
	child = cabin_tasks_find(&f->proxy.tasks, 101);
	assert_non_null(child);
	assert_int_equal(child->parent, MAIN);
	assert_int_equal(child->state, CABIN_TASK_NEW);
	send_event(f, attach);
	assert_resumed(f, 101, CABIN_RESUME_RUN, 0, 0);
	assert_int_equal(child->state, CABIN_TASK_RUNNING);
	send_event(f, stop);
	assert_resumed(f, 101, CABIN_RESUME_STAY_STOPPED, 0, 0);
	assert_int_equal(f->proxy.stats.spawns, 1);
}

static void test_exec_by_a_thread_takes_the_leader_tid(void **state)
{
	struct fixture *f = *state;
	struct cabin_event spawn = { .kind = CABIN_EV_SPAWN, .tid = MAIN };
	struct cabin_event exec = { .kind = CABIN_EV_EXEC, .tid = MAIN };
	struct cabin_task *task;

	fake_set_tgid(&f->fake, 102, MAIN);
	spawn.spawn.child = 102;
	spawn.spawn.kind = CABIN_SPAWN_CLONE;
	send_event(f, spawn);
	cabin_tasks_find(&f->proxy.tasks, 102)->count.syscalls = 7;
	exec.exec.former_tid = 102;
	send_event(f, exec);
	assert_resumed(f, MAIN, CABIN_RESUME_RUN, 0, 0);
	assert_null(cabin_tasks_find(&f->proxy.tasks, 102));
	task = cabin_tasks_find(&f->proxy.tasks, MAIN);
	assert_non_null(task);
	assert_int_equal(task->count.syscalls, 7);
	assert_int_equal(task->count.execs, 1);
}

/*
 * Execute-only memory is an optional part of a platform: one that lacks
 * it (the fake) cannot seal a new image, and the task is killed rather
 * than run with readable code.
 */
static void test_xom_without_the_platforms_part_kills(void **state)
{
	struct fixture *f = *state;
	struct cabin_xom xom = { .pkey = -1 };
	const struct fake_call *c;

	assert_null(f->fake.plat.ops->xom);
	f->proxy.xom = &xom;
	send_event(f, (struct cabin_event){ .kind = CABIN_EV_EXEC, .tid = MAIN });
	f->proxy.xom = NULL;
	c = fake_last(&f->fake);
	assert_int_equal(c->what, FAKE_KILL);
	assert_int_equal(c->tid, MAIN);
	assert_int_equal(c->sig, SIGKILL);
	assert_non_null(strstr(log_text(f), "platform fake cannot seal code"));
}

/*
 * W^X's checks of an image are an optional part too: a platform that
 * lacks it cannot check what a new image maps, and the task is killed
 * rather than run unchecked.
 */
static void test_wx_without_the_platforms_part_kills(void **state)
{
	struct fixture *f = *state;
	struct cabin_memguard mg = { 0 };
	const struct fake_call *c;

	assert_null(f->fake.plat.ops->wx);
	f->proxy.wx = true;
	f->proxy.memguard = &mg;
	send_event(f, (struct cabin_event){ .kind = CABIN_EV_EXEC, .tid = MAIN });
	f->proxy.memguard = NULL;
	f->proxy.wx = false;
	c = fake_last(&f->fake);
	assert_int_equal(c->what, FAKE_KILL);
	assert_int_equal(c->tid, MAIN);
	assert_int_equal(c->sig, SIGKILL);
	assert_non_null(strstr(log_text(f),
			       "platform fake cannot check the image it runs"));
}

static void test_foreign_abi_kill_is_explained(void **state)
{
	struct fixture *f = *state;
	struct cabin_event ev = { .kind = CABIN_EV_EXITING, .tid = MAIN };

	ev.exiting.status = SIGSYS;
	ev.exiting.nr = 0x40000000 | 101;
	ev.exiting.arch = AUDIT_ARCH_X86_64;
	send_event(f, ev);
	assert_resumed(f, MAIN, CABIN_RESUME_RUN, 0, 0);
	ev.exiting.nr = 20;
	ev.exiting.arch = AUDIT_ARCH_I386;
	send_event(f, ev);
	assert_non_null(strstr(log_text(f),
		"killed: x32 syscall 0x40000065, a foreign ABI"));
	assert_non_null(strstr(log_text(f),
		"killed: i386 syscall 20 (int 0x80), a foreign ABI"));
	assert_int_equal(f->proxy.stats.killed, 2);
}

/*
 * A SIGSYS no filter sent (cabin's namespace helper dying the way the
 * program died, or kill(2)) is not explained; a kill route and a filter
 * of the program's own are, once each.
 */
static void test_only_filter_kills_are_explained(void **state)
{
	struct fixture *f = *state;
	struct cabin_event ev = { .kind = CABIN_EV_EXITING, .tid = MAIN };

	ev.exiting.status = SIGSYS;
	ev.exiting.nr = SYS_kill;
	ev.exiting.arch = AUDIT_ARCH_X86_64;
	send_event(f, ev);
	assert_null(strstr(log_text(f), "killed"));
	assert_int_equal(f->proxy.stats.killed, 0);
	ev.exiting.nr = SYS_reboot;
	send_event(f, ev);
	assert_non_null(strstr(log_text(f),
		"killed: syscall reboot is routed to kill"));
	ev.exiting.nr = SYS_getppid;
	ev.exiting.filter_dead = true;
	send_event(f, ev);
	assert_non_null(strstr(log_text(f),
		"killed: syscall getppid, by a seccomp filter of its own"));
	assert_int_equal(f->proxy.stats.killed, 2);
}

static void test_main_exit_drains_the_tree(void **state)
{
	struct fixture *f = *state;
	struct cabin_event spawn = { .kind = CABIN_EV_SPAWN, .tid = MAIN };
	struct cabin_event exit_main = { .kind = CABIN_EV_EXIT, .tid = MAIN,
					 .status = 3 << 8 };
	struct cabin_event late = { .kind = CABIN_EV_ATTACH, .tid = 105 };
	const struct fake_call *c;

	spawn.spawn.child = 104;
	spawn.spawn.kind = CABIN_SPAWN_FORK;
	send_event(f, spawn);
	assert_int_equal(cabin_proxy_exit_code(&f->proxy), 125);
	send_event(f, exit_main);
	c = fake_last(&f->fake);
	assert_int_equal(c->what, FAKE_KILL);
	assert_int_equal(c->tid, 104);
	assert_int_equal(c->sig, SIGKILL);
	/* A task born while draining dies at its first stop. */
	send_event(f, late);
	c = fake_last(&f->fake);
	assert_int_equal(c->what, FAKE_KILL);
	assert_int_equal(c->tid, 105);
	assert_int_equal(cabin_proxy_exit_code(&f->proxy), 3);
}

static void test_exit_code_of_a_signal(void **state)
{
	struct fixture *f = *state;
	struct cabin_event exit_main = { .kind = CABIN_EV_EXIT, .tid = MAIN,
					 .status = SIGTERM };

	send_event(f, exit_main);
	assert_int_equal(cabin_proxy_exit_code(&f->proxy), 128 + SIGTERM);
	assert_int_equal(f->proxy.tasks.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_deny_skips_and_reports_once),
		T(test_trace_watches_the_exit),
		T(test_unreadable_path_fails_closed),
		T(test_emulate_answers_without_running),
		T(test_unknown_rule_is_matched_in_software),
		T(test_fault_line_at_death),
		T(test_fault_then_exit),
		T(test_spawn_attach_and_group_stop),
		T(test_exec_by_a_thread_takes_the_leader_tid),
		T(test_xom_without_the_platforms_part_kills),
		T(test_wx_without_the_platforms_part_kills),
		T(test_foreign_abi_kill_is_explained),
		T(test_only_filter_kills_are_explained),
		T(test_own_filter_answer_is_recorded),
		T(test_main_exit_drains_the_tree),
		T(test_exit_code_of_a_signal),
#undef T
	};

	return cmocka_run_group_tests_name("proxy", tests, NULL, NULL);
}
