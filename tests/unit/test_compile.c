/*
 * Policy to routes: what the network guard, the limits and the Landlock
 * gap rules add, and that none of them lets through a syscall the policy
 * itself refuses.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <cmocka.h>

#include "cabin/cabin.h"
#include "policy/compile.h"
#include "policy/compile_bpf.h"

struct compiled {
	struct cabin_policy policy;
	struct cabin_router router;
	struct cabin_netguard net;
};

static void load(struct compiled *c, const char *profile, const char *extra)
{
	struct cabin_policy_error err;

	cabin_policy_init(&c->policy);
	assert_int_equal(cabin_policy_load_profile(&c->policy, profile, &err),
			 0);
	if (extra)
		assert_int_equal(cabin_policy_parse(&c->policy, extra,
						    strlen(extra), "test",
						    &err), 0);
}

static bool emulate_ptrace;

static void compile(struct compiled *c, int abi, unsigned int unsafe)
{
	struct cabin_compile_input in = {
		.policy = &c->policy, .unsafe = unsafe, .landlock_abi = abi,
		.emulate_ptrace = emulate_ptrace,
	};
	int bad;

	assert_int_equal(cabin_policy_compile_routes(&in, &c->router, &c->net,
						     &bad), 0);
}

static void release(struct compiled *c)
{
	cabin_router_free(&c->router);
	cabin_policy_free(&c->policy);
}

static enum cabin_route_kind route(struct compiled *c, int nr, uint64_t a0,
				   uint64_t a1)
{
	const uint64_t args[6] = { a0, a1 };

	return cabin_router_match(&c->router, nr, args, NULL)->kind;
}

static void test_network_modes(void **state)
{
	struct compiled c;

	(void)state;
	load(&c, "default", "network none\n");
	compile(&c, 7, 0);
	assert_int_equal(route(&c, SYS_socket, AF_INET, SOCK_STREAM),
			 CABIN_ROUTE_DENY);
	assert_int_equal(route(&c, SYS_socket, AF_INET6, SOCK_DGRAM),
			 CABIN_ROUTE_DENY);
	assert_int_equal(route(&c, SYS_socket, AF_UNIX, SOCK_STREAM),
			 CABIN_ROUTE_ALLOW);
	release(&c);

	load(&c, "default", "network loopback\n");
	compile(&c, 7, 0);
	assert_int_equal(route(&c, SYS_connect, 3, 0), CABIN_ROUTE_EMULATE);
	assert_int_equal(route(&c, SYS_bind, 3, 0), CABIN_ROUTE_EMULATE);
	assert_int_equal(route(&c, SYS_socket, AF_INET, SOCK_RAW),
			 CABIN_ROUTE_DENY);
	assert_int_equal(route(&c, SYS_socket, AF_INET, SOCK_STREAM),
			 CABIN_ROUTE_ALLOW);
	release(&c);

	load(&c, "default", "network host\n");
	compile(&c, 7, 0);
	assert_int_equal(route(&c, SYS_connect, 3, 0), CABIN_ROUTE_ALLOW);
	release(&c);
}

static void test_limits_watch_only_what_runs(void **state)
{
	struct compiled c;

	(void)state;
	load(&c, "default", "limit procs 10\nlimit rlimit-as 64M\n");
	compile(&c, 7, 0);
	assert_int_equal(route(&c, SYS_clone, 0, 0), CABIN_ROUTE_TRACE);
	assert_int_equal(route(&c, SYS_fork, 0, 0), CABIN_ROUTE_TRACE);
	assert_int_equal(route(&c, SYS_mmap, 0, 0), CABIN_ROUTE_TRACE);
	/* The guard still comes first for untraced clones. */
	assert_int_equal(route(&c, SYS_clone, 0x00800000, 0),
			 CABIN_ROUTE_DENY);
	release(&c);

	/* strict refuses fork: watching it must not let it through. */
	load(&c, "strict", "limit procs 10\n");
	compile(&c, 7, 0);
	assert_int_equal(route(&c, SYS_fork, 0, 0), CABIN_ROUTE_DENY);
	release(&c);
}

static enum cabin_route_kind prot_route(struct compiled *c, int nr,
					uint64_t prot)
{
	const uint64_t args[6] = { 0, 4096, prot, MAP_PRIVATE, 3, 0 };

	return cabin_router_match(&c->router, nr, args, NULL)->kind;
}

/*
 * strict allows mmap and mprotect outright.  libseccomp lets such a rule
 * override the memory guards' conditional ones, so none may be left.
 */
static void test_memory_guards_survive_explicit_allows(void **state)
{
	static const int nrs[] = { SYS_mmap, SYS_mprotect, SYS_rt_sigreturn };
	struct compiled c;
	size_t i, k;

	(void)state;
	load(&c, "strict", "memory xom\n");
	compile(&c, 7, 0);
	assert_int_equal(prot_route(&c, SYS_mmap, PROT_READ | PROT_WRITE |
				    PROT_EXEC), CABIN_ROUTE_DENY);
	assert_int_equal(prot_route(&c, SYS_mmap, PROT_READ | PROT_EXEC),
			 CABIN_ROUTE_TRACE);
	assert_int_equal(prot_route(&c, SYS_mmap, PROT_READ | PROT_WRITE),
			 CABIN_ROUTE_ALLOW);
	assert_int_equal(prot_route(&c, SYS_mprotect, PROT_READ | PROT_EXEC),
			 CABIN_ROUTE_DENY);
	assert_int_equal(prot_route(&c, SYS_mprotect, PROT_READ),
			 CABIN_ROUTE_TRACE);
	assert_int_equal(prot_route(&c, SYS_rt_sigreturn, 0),
			 CABIN_ROUTE_TRACE);
	assert_int_equal(prot_route(&c, SYS_pkey_alloc, 0), CABIN_ROUTE_DENY);
	for (k = 0; k < 3; k++) {
		size_t plain = 0;

		for (i = 0; i < c.router.nrules; i++)
			plain += c.router.rules[i].nr == nrs[k] &&
				 !c.router.rules[i].ncond;
		assert_true(plain <= (nrs[k] == SYS_rt_sigreturn));
	}
	release(&c);
}

static void test_truncate_gap_closed_below_abi_3(void **state)
{
	struct compiled c;

	(void)state;
	load(&c, "default", NULL);
	compile(&c, 2, 0);
	assert_int_equal(route(&c, SYS_truncate, 0, 0), CABIN_ROUTE_DENY);
	release(&c);
	load(&c, "default", NULL);
	compile(&c, 3, 0);
	assert_int_equal(route(&c, SYS_truncate, 0, 0), CABIN_ROUTE_ALLOW);
	release(&c);
}

static void test_guards_and_unsafe_switches(void **state)
{
	struct compiled c;

	(void)state;
	load(&c, "default", NULL);
	compile(&c, 7, 0);
	assert_int_equal(route(&c, SYS_clone3, 0, 0), CABIN_ROUTE_DENY);
	assert_int_equal(route(&c, SYS_ptrace, 0, 0), CABIN_ROUTE_DENY);
	release(&c);
	load(&c, "default", NULL);
	compile(&c, 7, CABIN_UNSAFE_DENY | CABIN_UNSAFE_UNTRACED);
	assert_int_equal(route(&c, SYS_clone3, 0, 0), CABIN_ROUTE_ALLOW);
	assert_int_equal(route(&c, SYS_ptrace, 0, 0), CABIN_ROUTE_ALLOW);
	release(&c);
	/* The process platform emulates ptrace: it and wait4 stop. */
	emulate_ptrace = true;
	load(&c, "default", NULL);
	compile(&c, 7, 0);
	assert_int_equal(route(&c, SYS_ptrace, 0, 0), CABIN_ROUTE_TRACE);
	assert_int_equal(route(&c, SYS_wait4, 0, 0), CABIN_ROUTE_TRACE);
	assert_int_equal(route(&c, SYS_clone, CLONE_UNTRACED | SIGCHLD, 0),
			 CABIN_ROUTE_TRACE);
	assert_int_equal(route(&c, SYS_clone, SIGCHLD, 0), CABIN_ROUTE_ALLOW);
	release(&c);
	load(&c, "default", "syscall deny(EACCES) ptrace\n");
	compile(&c, 7, 0);
	assert_int_equal(route(&c, SYS_ptrace, 0, 0), CABIN_ROUTE_DENY);
	assert_int_equal(route(&c, SYS_wait4, 0, 0), CABIN_ROUTE_ALLOW);
	assert_int_equal(route(&c, SYS_clone, CLONE_UNTRACED | SIGCHLD, 0),
			 CABIN_ROUTE_DENY);
	release(&c);
	load(&c, "strict", NULL);
	compile(&c, 7, 0);
	assert_int_equal(route(&c, SYS_ptrace, 0, 0), CABIN_ROUTE_DENY);
	release(&c);
	load(&c, "default", NULL);
	compile(&c, 7, CABIN_UNSAFE_PTRACE);
	assert_int_equal(route(&c, SYS_ptrace, 0, 0), CABIN_ROUTE_DENY);
	release(&c);
	emulate_ptrace = false;
	load(&c, "none", NULL);
	compile(&c, 7, 0);
	assert_true(c.policy.filter_off);
	assert_int_equal(c.router.nrules, 0);
	release(&c);
}

/* Guards stand in front of the policy's own allow rules: first match wins. */
static void test_guards_precede_explicit_allows(void **state)
{
	struct compiled c;

	(void)state;
	load(&c, "default", "network loopback\nsyscall allow connect\n");
	compile(&c, 7, 0);
	assert_int_equal(route(&c, SYS_connect, 3, 0), CABIN_ROUTE_EMULATE);
	release(&c);
	load(&c, "strict", "memory wx\n");
	compile(&c, 7, 0);
	assert_int_equal(route(&c, SYS_mprotect, 0, 0), CABIN_ROUTE_ALLOW);
	{
		const uint64_t rw[6] = { 0, 4096, 3 };

		assert_int_equal(cabin_router_match(&c.router, SYS_mprotect, rw,
						    NULL)->kind,
				 CABIN_ROUTE_TRACE);
	}
	release(&c);
}

/*
 * Below Landlock ABI 6, kill(0, ...) would reach cabin's process group: it
 * is refused, quietly (SECCOMP_RET_ERRNO outranks a program's own filter),
 * ahead of a policy's own allow, on the pid's 32 bits as the kernel reads
 * them.
 */
static void test_group_kill_refused_without_scope(void **state)
{
	struct compiled c;
	struct cabin_compile_input in = { .landlock_abi = 2,
					  .refuse_group_kill = true };
	const struct cabin_route *r;
	const uint64_t group[6] = { 0x100000000ull, SIGKILL };
	int bad;

	(void)state;
	load(&c, "trace", "syscall allow kill\n");
	in.policy = &c.policy;
	assert_int_equal(cabin_policy_compile_routes(&in, &c.router, &c.net,
						     &bad), 0);
	r = cabin_router_match(&c.router, SYS_kill, group, NULL);
	assert_int_equal(r->kind, CABIN_ROUTE_DENY);
	assert_int_equal(r->err, EPERM);
	assert_true(r->quiet);
	assert_int_equal(route(&c, SYS_kill, 5, SIGKILL), CABIN_ROUTE_ALLOW);
	release(&c);
	load(&c, "trace", "syscall allow kill\n");
	compile(&c, 2, 0);
	assert_int_equal(route(&c, SYS_kill, 0, SIGKILL), CABIN_ROUTE_ALLOW);
	release(&c);
}

static enum cabin_route_kind route4(struct compiled *c, int nr, uint64_t a1,
				    uint64_t a2, uint64_t a3)
{
	const uint64_t args[6] = { (uint64_t)AT_FDCWD, a1, a2, a3 };

	return cabin_router_match(&c->router, nr, args, NULL)->kind;
}

/* Setuid modes are refused in every profile and under explicit allows. */
static void test_setid_everywhere(void **state)
{
	static const char *const profiles[] = { "default", "trace", "strict" };
	struct compiled c;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		load(&c, profiles[i], "syscall allow chmod fchmodat openat\n");
		compile(&c, 7, 0);
		assert_int_equal(route(&c, SYS_chmod, 0, 04755),
				 CABIN_ROUTE_DENY);
		assert_int_equal(route(&c, SYS_chmod, 0, 02755),
				 CABIN_ROUTE_EMULATE);
		assert_int_equal(route4(&c, SYS_fchmodat, 0, 06700, 0),
				 CABIN_ROUTE_DENY);
		assert_int_equal(route4(&c, SYS_openat, 0, O_CREAT | O_WRONLY,
					04755), CABIN_ROUTE_DENY);
		assert_int_equal(route4(&c, SYS_openat, 0, O_CREAT, 02710),
				 CABIN_ROUTE_DENY);
		assert_true(route4(&c, SYS_openat, 0, O_RDONLY, 0644) !=
			    CABIN_ROUTE_DENY);
		assert_true(route4(&c, SYS_openat, 0, O_CREAT, 02644) !=
			    CABIN_ROUTE_DENY);
		assert_int_equal(route(&c, SYS_openat2, 0, 0),
				 CABIN_ROUTE_DENY);
		release(&c);
	}
	/* strict's plain allow of openat is split: no plain rule is left */
	load(&c, "strict", NULL);
	compile(&c, 7, 0);
	for (i = 0; i < c.router.nrules; i++) {
		if (c.router.rules[i].nr == SYS_openat)
			assert_int_equal(c.router.rules[i].ncond, 1);
	}
	assert_int_equal(route4(&c, SYS_openat, 0, O_RDONLY, 0), CABIN_ROUTE_ALLOW);
	assert_int_equal(route4(&c, SYS_openat, 0, O_CREAT, 04600),
			 CABIN_ROUTE_DENY);
	release(&c);
	/* a policy's conditional allow does not pass a setgid program */
	load(&c, "strict", "syscall allow chmod when arg1 == 02755\n");
	compile(&c, 7, 0);
	assert_int_equal(route(&c, SYS_chmod, 0, 02755), CABIN_ROUTE_DENY);
	release(&c);
	load(&c, "trace", NULL);
	compile(&c, 7, CABIN_UNSAFE_SETID);
	assert_int_equal(route(&c, SYS_chmod, 0, 04755), CABIN_ROUTE_TRACE);
	release(&c);
}

/* The attribute ioctls go to the file guard where files are restricted. */
static void test_rometa(void **state)
{
	struct compiled c;

	(void)state;
	load(&c, "default", NULL);
	compile(&c, 7, 0);
	assert_int_equal(route(&c, SYS_ioctl, 3, FS_IOC_SETFLAGS),
			 CABIN_ROUTE_EMULATE);
	assert_int_equal(route(&c, SYS_ioctl, 3, FS_IOC_FSSETXATTR),
			 CABIN_ROUTE_EMULATE);
	assert_int_equal(route(&c, SYS_ioctl, 3, FS_IOC_GETFLAGS),
			 CABIN_ROUTE_ALLOW);
	assert_int_equal(route(&c, 469, 0, 0), CABIN_ROUTE_DENY);
	release(&c);
	load(&c, "default", NULL);
	compile(&c, 7, CABIN_UNSAFE_ROMETA);
	assert_int_equal(route(&c, SYS_ioctl, 3, FS_IOC_SETFLAGS),
			 CABIN_ROUTE_ALLOW);
	assert_int_equal(route(&c, SYS_fchmod, 3, 0644), CABIN_ROUTE_ALLOW);
	assert_int_equal(route(&c, SYS_fchmod, 3, 04755), CABIN_ROUTE_DENY);
	release(&c);
}

/*
 * W^X's alias routes stand in front of a policy's plain allows (which
 * are split for libseccomp, never left plain), and only where the
 * wx-alias switch is on.
 */
static void test_wx_alias_routes(void **state)
{
	static const int nrs[] = { SYS_mmap, SYS_personality, SYS_shmat };
	const uint64_t rie[6] = { 0x0400000 }, query[6] = { 0 };
	const uint64_t shm_exec[6] = { 3, 0, 0100000 };
	struct compiled c;
	size_t i, k;

	(void)state;
	load(&c, "strict", "memory wx\nsyscall allow personality shmat\n");
	compile(&c, 7, 0);
	assert_int_equal(prot_route(&c, SYS_mmap, PROT_READ | PROT_EXEC),
			 CABIN_ROUTE_TRACE);
	assert_int_equal(prot_route(&c, SYS_mmap, PROT_READ | PROT_WRITE),
			 CABIN_ROUTE_ALLOW);
	assert_int_equal(cabin_router_match(&c.router, SYS_personality, rie,
					    NULL)->kind, CABIN_ROUTE_TRACE);
	assert_int_equal(cabin_router_match(&c.router, SYS_personality, query,
					    NULL)->kind, CABIN_ROUTE_ALLOW);
	assert_int_equal(cabin_router_match(&c.router, SYS_shmat, shm_exec,
					    NULL)->kind, CABIN_ROUTE_DENY);
	assert_int_equal(prot_route(&c, SYS_userfaultfd, 0), CABIN_ROUTE_DENY);
	for (k = 0; k < 3; k++) {
		for (i = 0; i < c.router.nrules; i++)
			assert_false(c.router.rules[i].nr == nrs[k] &&
				     !c.router.rules[i].ncond);
	}
	release(&c);
	/* XOM watches executable mmaps too: libseccomp takes a rule once. */
	load(&c, "default", "memory xom\n");
	compile(&c, 7, 0);
	{
		struct cabin_bpf bpf = { 0 };
		int bad;

		assert_int_equal(cabin_bpf_compile(&c.router, true, &bpf, &bad),
				 0);
		cabin_bpf_free(&bpf);
	}
	for (i = 0; i < c.router.nrules; i++) {
		for (k = i + 1; k < c.router.nrules; k++)
			assert_false(c.router.rules[i].ncond &&
				     c.router.rules[i].nr == c.router.rules[k].nr &&
				     c.router.rules[i].route.kind ==
				     c.router.rules[k].route.kind &&
				     !memcmp(c.router.rules[i].cond,
					     c.router.rules[k].cond,
					     sizeof(c.router.rules[i].cond)));
	}
	release(&c);
	load(&c, "strict", "memory wx\nsyscall allow personality shmat\n");
	compile(&c, 7, CABIN_UNSAFE_WXALIAS);
	assert_int_equal(prot_route(&c, SYS_mmap, PROT_READ | PROT_EXEC),
			 CABIN_ROUTE_ALLOW);
	assert_int_equal(cabin_router_match(&c.router, SYS_personality, rie,
					    NULL)->kind, CABIN_ROUTE_ALLOW);
	release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_network_modes),
		cmocka_unit_test(test_limits_watch_only_what_runs),
		cmocka_unit_test(test_truncate_gap_closed_below_abi_3),
		cmocka_unit_test(test_memory_guards_survive_explicit_allows),
		cmocka_unit_test(test_guards_and_unsafe_switches),
		cmocka_unit_test(test_guards_precede_explicit_allows),
		cmocka_unit_test(test_group_kill_refused_without_scope),
		cmocka_unit_test(test_setid_everywhere),
		cmocka_unit_test(test_rometa),
		cmocka_unit_test(test_wx_alias_routes),
	};

	return cmocka_run_group_tests_name("compile", tests, NULL, NULL);
}
