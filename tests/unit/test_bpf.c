/*
 * The compiled filter agrees with the routing table.  A small classic-BPF
 * interpreter runs the generated program on seccomp_data for every
 * syscall number; a forked child then loads it into the real kernel.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cabin/cabin.h"
#include "policy/self_protect.h"
#include "policy/setid.h"
#include "policy/compile_bpf.h"

static uint32_t load_word(const struct seccomp_data *d, uint32_t off)
{
	uint32_t w;

	assert_true(off + 4 <= sizeof(*d));
	memcpy(&w, (const char *)d + off, 4);
	return w;
}

/* Enough of classic BPF for what libseccomp emits; anything else fails. */
static uint32_t run_bpf(const struct sock_fprog *prog,
			const struct seccomp_data *d)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
	unsigned int pc = 0;

	while (pc < prog->len) {
		const struct sock_filter *i = &prog->filter[pc++];

		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			a = load_word(d, i->k);
			break;
		case BPF_LD | BPF_MEM:
			a = mem[i->k];
			break;
		case BPF_LDX | BPF_MEM:
			x = mem[i->k];
			break;
		case BPF_ST:
			mem[i->k] = a;
			break;
		case BPF_STX:
			mem[i->k] = x;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= i->k;
			break;
		case BPF_ALU | BPF_OR | BPF_K:
			a |= i->k;
			break;
		case BPF_MISC | BPF_TAX:
			x = a;
			break;
		case BPF_MISC | BPF_TXA:
			a = x;
			break;
		case BPF_JMP | BPF_JA:
			pc += i->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			pc += a > i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += a >= i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += (a & i->k) ? i->jt : i->jf;
			break;
		case BPF_RET | BPF_K:
			return i->k;
		case BPF_RET | BPF_A:
			return a;
		default:
			fail_msg("unexpected BPF opcode %#x", i->code);
		}
	}
	fail_msg("BPF program fell off its end");
	return 0;
}

static struct seccomp_data data(int nr, uint32_t arch, uint64_t a0,
				uint64_t a1)
{
	struct seccomp_data d = { .nr = nr, .arch = arch };

	d.args[0] = a0;
	d.args[1] = a1;
	return d;
}

struct compiled {
	struct cabin_router router;
	struct cabin_bpf bpf;
};

/*
 * The deny list of the built-in default profile, written out here so the
 * filter is tested without the policy parser.
 */
static void add_deny_list(struct cabin_router *r)
{
	static const int denied[] = {
		SYS_ptrace, SYS_process_vm_readv, SYS_io_uring_setup,
		SYS_mount, SYS_bpf,
	};
	struct cabin_rule rule = {
		.route = { .kind = CABIN_ROUTE_DENY, .err = EPERM },
	};
	size_t i;

	for (i = 0; i < sizeof(denied) / sizeof(*denied); i++) {
		rule.nr = denied[i];
		assert_true(cabin_router_add(r, &rule) >= 0);
	}
	rule.nr = SYS_ioctl;
	rule.ncond = 1;
	rule.cond[0] = (struct cabin_cond){ .arg = 1,
		.op = CABIN_CMP_MASKED_EQ, .mask = 0xffffffff,
		.value = TIOCSTI };
	assert_true(cabin_router_add(r, &rule) >= 0);
}

static void compile(struct compiled *c, unsigned int unsafe)
{
	int bad;

	cabin_router_init(&c->router,
			  (struct cabin_route){ .kind = CABIN_ROUTE_ALLOW });
	/* First, as compile.c puts it below Landlock ABI 6. */
	if (!(unsafe & CABIN_UNSAFE_SIGSCOPE))
		assert_int_equal(cabin_self_protect_group_kill(&c->router), 0);
	if (!(unsafe & CABIN_UNSAFE_DENY))
		add_deny_list(&c->router);
	if (!(unsafe & CABIN_UNSAFE_UNTRACED))
		assert_int_equal(cabin_self_protect_clone(&c->router), 0);
	if (!(unsafe & CABIN_UNSAFE_SETID))
		assert_int_equal(cabin_setid_routes(&c->router), 0);
	if (!(unsafe & CABIN_UNSAFE_SECCOMP))
		assert_int_equal(cabin_self_protect_own_filter(&c->router), 0);
	assert_int_equal(cabin_bpf_compile(&c->router,
					   !(unsafe & CABIN_UNSAFE_ABI),
					   &c->bpf, &bad), 0);
}

static void release(struct compiled *c)
{
	cabin_bpf_free(&c->bpf);
	cabin_router_free(&c->router);
}

static uint32_t verdict(struct compiled *c, struct seccomp_data d)
{
	return run_bpf(&c->bpf.prog, &d);
}

static void test_builtin_verdicts(void **state)
{
	const uint32_t x86_64 = AUDIT_ARCH_X86_64;
	struct compiled c;
	uint32_t v;

	(void)state;
	compile(&c, 0);
	assert_int_equal(verdict(&c, data(SYS_getppid, x86_64, 0, 0)),
			 SECCOMP_RET_ALLOW);
	v = verdict(&c, data(SYS_ptrace, x86_64, 0, 0));
	assert_int_equal(v & SECCOMP_RET_ACTION_FULL, SECCOMP_RET_TRACE);
	/* The data names the rule, for debugging; the proxy re-matches. */
	assert_true((v & 0xffff) < c.router.nrules);
	assert_int_equal(c.router.rules[v & 0xffff].nr, SYS_ptrace);
	assert_int_equal(verdict(&c, data(SYS_clone3, x86_64, 0, 0)),
			 SECCOMP_RET_ERRNO | ENOSYS);
	assert_int_equal(verdict(&c, data(SYS_clone, x86_64, SIGCHLD, 0)),
			 SECCOMP_RET_ALLOW);
	assert_int_equal(verdict(&c, data(SYS_clone, x86_64,
					  CLONE_UNTRACED | SIGCHLD, 0)) &
			 SECCOMP_RET_ACTION_FULL, SECCOMP_RET_TRACE);
	assert_int_equal(verdict(&c, data(SYS_ioctl, x86_64, 0, TCGETS)),
			 SECCOMP_RET_ALLOW);
	/* The kernel reads ioctl's cmd as 32 bits: high garbage is no way out. */
	assert_int_equal(verdict(&c, data(SYS_ioctl, x86_64, 0,
					  0xdead000000000000ull | TIOCSTI)) &
			 SECCOMP_RET_ACTION_FULL, SECCOMP_RET_TRACE);
	/* kill(0, ...): the pid's 32 bits, refused in BPF itself. */
	assert_int_equal(verdict(&c, data(SYS_kill, x86_64, 0x100000000ull,
					  SIGKILL)),
			 SECCOMP_RET_ERRNO | EPERM);
	assert_int_equal(verdict(&c, data(SYS_kill, x86_64, 5, SIGKILL)),
			 SECCOMP_RET_ALLOW);
	assert_int_equal(verdict(&c, data(SYS_getppid, AUDIT_ARCH_I386, 0, 0)),
			 SECCOMP_RET_KILL_PROCESS);
	assert_int_equal(verdict(&c, data(0x40000000 | SYS_getppid, x86_64,
					  0, 0)),
			 SECCOMP_RET_KILL_PROCESS);
	assert_int_equal(verdict(&c, data(0x40000000 | 547, x86_64, 0, 0)),
			 SECCOMP_RET_KILL_PROCESS);
	release(&c);
}

/* Numbers that name no syscall answer ENOSYS, as they do natively. */
static void test_no_syscall_is_enosys(void **state)
{
	static const int none[] = { -101, -1, -2147483647 - 1, 0x7fffffff,
				    0x40000000 | 548, 0x40000300 };
	struct compiled c;
	size_t i;

	(void)state;
	compile(&c, 0);
	for (i = 0; i < sizeof(none) / sizeof(*none); i++)
		assert_int_equal(verdict(&c, data(none[i], AUDIT_ARCH_X86_64,
						  0, 0)),
				 SECCOMP_RET_ERRNO | ENOSYS);
	release(&c);
	compile(&c, CABIN_UNSAFE_ABI);
	assert_int_equal(verdict(&c, data(-101, AUDIT_ARCH_X86_64, 0, 0)),
			 SECCOMP_RET_ERRNO | ENOSYS);
	release(&c);
}

/*
 * A listener for a filter of the program's own is refused, whatever the
 * operation and whatever the high half of the flags; installs stop.
 */
static void test_own_filter_guard(void **state)
{
	const uint32_t x86_64 = AUDIT_ARCH_X86_64;
	struct compiled c;
	const struct cabin_route *route;
	uint64_t args[6] = { SECCOMP_SET_MODE_FILTER,
			     0xffffffff00000000ull |
			     SECCOMP_FILTER_FLAG_NEW_LISTENER };
	uint32_t v;

	(void)state;
	compile(&c, 0);
	v = verdict(&c, data(SYS_seccomp, x86_64, args[0], args[1]));
	assert_int_equal(v & SECCOMP_RET_ACTION_FULL, SECCOMP_RET_TRACE);
	route = cabin_router_match(&c.router, SYS_seccomp, args, NULL);
	assert_int_equal(route->kind, CABIN_ROUTE_DENY);
	args[0] = 0x100000000ull | SECCOMP_SET_MODE_STRICT;
	route = cabin_router_match(&c.router, SYS_seccomp, args, NULL);
	assert_int_equal(route->kind, CABIN_ROUTE_DENY);
	args[1] = SECCOMP_FILTER_FLAG_TSYNC;
	args[0] = SECCOMP_SET_MODE_FILTER;
	route = cabin_router_match(&c.router, SYS_seccomp, args, NULL);
	assert_int_equal(route->kind, CABIN_ROUTE_TRACE);
	assert_int_equal(verdict(&c, data(SYS_seccomp, x86_64,
					  SECCOMP_GET_ACTION_AVAIL, 0)),
			 SECCOMP_RET_ALLOW);
	args[0] = PR_SET_SECCOMP;
	args[1] = SECCOMP_MODE_FILTER;
	route = cabin_router_match(&c.router, SYS_prctl, args, NULL);
	assert_int_equal(route->kind, CABIN_ROUTE_TRACE);
	assert_int_equal(verdict(&c, data(SYS_prctl, x86_64, PR_SET_NAME, 0)),
			 SECCOMP_RET_ALLOW);
	release(&c);
	compile(&c, CABIN_UNSAFE_SECCOMP);
	assert_int_equal(verdict(&c, data(SYS_seccomp, x86_64,
					  SECCOMP_SET_MODE_FILTER,
					  SECCOMP_FILTER_FLAG_NEW_LISTENER)),
			 SECCOMP_RET_ALLOW);
	release(&c);
}

static void test_unsafe_switches_change_the_filter(void **state)
{
	struct compiled c;

	(void)state;
	compile(&c, CABIN_UNSAFE_ABI | CABIN_UNSAFE_DENY |
		    CABIN_UNSAFE_UNTRACED | CABIN_UNSAFE_SIGSCOPE);
	assert_int_equal(verdict(&c, data(SYS_getppid, AUDIT_ARCH_I386, 0, 0)),
			 SECCOMP_RET_ALLOW);
	assert_int_equal(verdict(&c, data(SYS_ptrace, AUDIT_ARCH_X86_64, 0, 0)),
			 SECCOMP_RET_ALLOW);
	assert_int_equal(verdict(&c, data(SYS_clone3, AUDIT_ARCH_X86_64, 0, 0)),
			 SECCOMP_RET_ALLOW);
	assert_int_equal(verdict(&c, data(SYS_kill, AUDIT_ARCH_X86_64, 0,
					  SIGKILL)),
			 SECCOMP_RET_ALLOW);
	release(&c);
}

/* For every syscall and a spread of arguments, BPF and router agree. */
static void test_filter_agrees_with_router(void **state)
{
	static const uint64_t probes[] = {
		0, 1, TIOCSTI, TCGETS, CLONE_UNTRACED,
		CLONE_UNTRACED | CLONE_VM, 0xffffffffffffffffull,
		0x100000000ull | TIOCSTI, 0x100000000ull, 04755, 02755, 02644, 06711,
	};
	struct compiled c;
	size_t i, j;
	int nr;

	(void)state;
	compile(&c, 0);
	for (nr = 0; nr < 470; nr++) {
		for (i = 0; i < sizeof(probes) / sizeof(*probes); i++) {
			for (j = 0; j < sizeof(probes) / sizeof(*probes); j++) {
				uint64_t args[6] = { probes[i], probes[j] };
				const struct cabin_route *route;
				uint32_t v;
				int id;

				route = cabin_router_match(&c.router, nr, args,
							   &id);
				v = verdict(&c, data(nr, AUDIT_ARCH_X86_64,
						     probes[i], probes[j]));
				if (route->kind == CABIN_ROUTE_ALLOW) {
					assert_int_equal(v, SECCOMP_RET_ALLOW);
				} else if (route->quiet) {
					assert_int_equal(v, SECCOMP_RET_ERRNO |
							    route->err);
				} else {
					assert_int_equal(v, SECCOMP_RET_TRACE |
							    (uint32_t)id);
				}
			}
		}
	}
	release(&c);
}

/* In the kernel: a traced route with no tracer fails instead of running. */
static void test_filter_in_the_kernel(void **state)
{
	struct compiled c;
	int status;
	pid_t pid;

	(void)state;
	compile(&c, 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0,
			    &c.bpf.prog))
			_exit(10);
		if (syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
			_exit(11);
		if (syscall(SYS_ptrace, 0, 0, 0, 0) != -1 || errno != ENOSYS)
			_exit(12);
		if (getppid() <= 0)
			_exit(13);
		if (syscall(-101) != -1 || errno != ENOSYS)
			_exit(15);
		syscall(0x40000000 | SYS_getpid);
		_exit(14);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
	release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_verdicts),
		cmocka_unit_test(test_unsafe_switches_change_the_filter),
		cmocka_unit_test(test_no_syscall_is_enosys),
		cmocka_unit_test(test_own_filter_guard),
		cmocka_unit_test(test_filter_agrees_with_router),
		cmocka_unit_test(test_filter_in_the_kernel),
	};

	return cmocka_run_group_tests_name("bpf", tests, NULL, NULL);
}
