/*
 * The policy language: every directive, every kind of error with its
 * line and column, the normal form parsing back equal (profiles and the
 * shipped examples), and garbage that must fail cleanly.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/names.h"
#include "policy/lang.h"
#include "policy/policy.h"

static struct cabin_policy pol;
static struct cabin_policy_error perr;

static int setup(void **state)
{
	(void)state;
	cabin_policy_init(&pol);
	memset(&perr, 0, sizeof(perr));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cabin_policy_free(&pol);
	return 0;
}

static void parse_ok(const char *text)
{
	int ret = cabin_policy_parse(&pol, text, strlen(text), "t.policy",
				     &perr);

	if (ret)
		print_error("unexpected error: %s:%u:%u: %s\n", perr.file,
			    perr.line, perr.column, perr.message);
	assert_int_equal(ret, 0);
	assert_int_equal(cabin_policy_validate(&pol, &perr), 0);
}

static void parse_fails(const char *text, unsigned int line,
			unsigned int col, const char *msg)
{
	struct cabin_policy p;
	int ret;

	cabin_policy_init(&p);
	ret = cabin_policy_parse(&p, text, strlen(text), "t.policy", &perr);
	cabin_policy_free(&p);
	if (!ret || perr.line != line || perr.column != col ||
	    !strstr(perr.message, msg))
		print_error("for '%s': got %d %u:%u '%s', want %u:%u '%s'\n",
			    text, ret, perr.line, perr.column, perr.message,
			    line, col, msg);
	assert_int_equal(ret, -EINVAL);
	assert_string_equal(perr.file, "t.policy");
	assert_int_equal(perr.line, line);
	assert_int_equal(perr.column, col);
	assert_non_null(strstr(perr.message, msg));
}

static const struct cabin_syscall_rule *rule_for(const char *name,
						 unsigned int ncond)
{
	long nr = cabin_syscall_number(name);
	size_t i;

	for (i = 0; i < pol.nsyscalls; i++)
		if (pol.syscalls[i].rule.nr == nr &&
		    pol.syscalls[i].rule.ncond == ncond)
			return &pol.syscalls[i];
	return NULL;
}

/* Where the default profile's text names /usr: "profile default:L:C". */
static void default_usr_origin(char *buf, size_t len)
{
	const char *text = cabin_profile_text("default");
	const char *at = strstr(text, "\nfiles read,exec /usr ");
	const char *s;
	unsigned int line = 2;

	assert_non_null(at);
	for (s = text; s < at; s++)
		line += *s == '\n';
	snprintf(buf, len, "profile default:%u:%zu", line,
		 strlen("files read,exec ") + 1);
}

static const struct cabin_path_rule *path_for(const char *path)
{
	size_t i;

	for (i = 0; i < pol.npaths; i++)
		if (!strcmp(pol.paths[i].path, path))
			return &pol.paths[i];
	return NULL;
}

/* Format p, parse the text into a fresh policy, and compare. */
static void assert_round_trip(const struct cabin_policy *p)
{
	struct cabin_policy q;
	struct cabin_policy_error e = { 0 };
	char *buf = NULL, *buf2 = NULL;
	size_t len = 0, len2 = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(cabin_policy_format(p, f), 0);
	fclose(f);
	cabin_policy_init(&q);
	if (cabin_policy_parse(&q, buf, len, "normal form", &e))
		print_error("%s\n%u:%u: %s\n", buf, e.line, e.column,
			    e.message);
	assert_int_equal(e.line, 0);
	assert_true(cabin_policy_equal(p, &q));
	f = open_memstream(&buf2, &len2);
	assert_int_equal(cabin_policy_format(&q, f), 0);
	fclose(f);
	assert_string_equal(buf, buf2);
	cabin_policy_free(&q);
	free(buf);
	free(buf2);
}

/* ---- directives ---- */

/* The default profile's deny list, by name: what docs/security.md promises. */
static const char *const default_denied[] = {
	"process_vm_readv", "process_vm_writev", "kexec_load",
	"kexec_file_load", "init_module", "finit_module", "delete_module",
	"reboot", "swapon", "swapoff", "mount", "umount2", "pivot_root", "bpf",
	"perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key",
	"io_uring_setup", "io_uring_enter", "io_uring_register",
};

/* An ioctl request the default profile refuses, whatever the descriptor. */
static void assert_ioctl_denied(unsigned long request)
{
	size_t i;

	for (i = 0; i < pol.nsyscalls; i++) {
		const struct cabin_syscall_rule *r = &pol.syscalls[i];

		if (r->rule.nr == cabin_syscall_number("ioctl") &&
		    r->rule.ncond == 1 && r->rule.cond[0].arg == 1 &&
		    r->rule.cond[0].op == CABIN_CMP_MASKED_EQ &&
		    r->rule.cond[0].mask == 0xffffffff &&
		    r->rule.cond[0].value == request &&
		    r->rule.route.kind == CABIN_ROUTE_DENY &&
		    r->rule.route.err == EPERM)
			return;
	}
	print_error("ioctl 0x%lx is not denied\n", request);
	fail();
}

static void test_profile_default(void **state)
{
	const struct cabin_syscall_rule *r;
	char usr_origin[64];
	size_t i;

	(void)state;
	default_usr_origin(usr_origin, sizeof(usr_origin));
	parse_ok("profile default\n");
	assert_string_equal(pol.profile, "default");
	assert_true(pol.has_syscall_default);
	assert_int_equal(pol.syscall_default.kind, CABIN_ROUTE_ALLOW);
	for (i = 0; i < sizeof(default_denied) / sizeof(*default_denied); i++) {
		r = rule_for(default_denied[i], 0);
		if (!r)
			print_error("%s is not denied\n", default_denied[i]);
		assert_non_null(r);
		assert_int_equal(r->rule.route.kind, CABIN_ROUTE_DENY);
		assert_int_equal(r->rule.route.err, EPERM);
	}
	assert_ioctl_denied(0x5412);	/* TIOCSTI */
	assert_ioctl_denied(0x541c);	/* TIOCLINUX */
	assert_ioctl_denied(0xaa00);	/* USERFAULTFD_IOC_NEW */
	/* memory cabin cannot read: ENOSYS, as where it is not built */
	r = rule_for("memfd_secret", 0);
	assert_non_null(r);
	assert_int_equal(r->rule.route.kind, CABIN_ROUTE_DENY);
	assert_int_equal(r->rule.route.err, ENOSYS);
	assert_true(pol.files_restricted);
	assert_int_equal(path_for("/usr")->rights,
			 CABIN_FILE_READ | CABIN_FILE_EXEC);
	assert_true(path_for("/lib64")->optional);
	assert_false(path_for("/etc")->optional);
	assert_string_equal(path_for("/usr")->where, usr_origin);
	assert_int_equal(path_for(".")->rights, CABIN_FILE_ALL);
	assert_int_equal(path_for("/")->rights, CABIN_FILE_LIST);
	assert_int_equal(pol.net, CABIN_NET_LOOPBACK);
	assert_int_equal(pol.isolate, CABIN_ISOLATE_PID | CABIN_ISOLATE_IPC |
				      CABIN_ISOLATE_UTS | CABIN_ISOLATE_MOUNT);
	assert_true(pol.private_tmp);
}

static void test_other_profiles(void **state)
{
	(void)state;
	assert_int_equal(cabin_policy_load_profile(&pol, "strict", &perr), 0);
	assert_int_equal(pol.syscall_default.kind, CABIN_ROUTE_DENY);
	assert_int_equal(pol.net, CABIN_NET_NONE);
	assert_int_equal(pol.limits.procs, 64);
	assert_int_equal(pol.isolate, 0x1f);
	assert_int_equal(rule_for("clone3", 0)->rule.route.err, ENOSYS);
	assert_int_equal(rule_for("read", 0)->rule.route.kind,
			 CABIN_ROUTE_ALLOW);
	cabin_policy_free(&pol);
	assert_int_equal(cabin_policy_load_profile(&pol, "trace", &perr), 0);
	assert_int_equal(pol.syscall_default.kind, CABIN_ROUTE_TRACE);
	assert_false(pol.files_restricted);
	assert_int_equal(pol.net, CABIN_NET_HOST);
	assert_int_equal(pol.isolate, 0);
	cabin_policy_free(&pol);
	assert_int_equal(cabin_policy_load_profile(&pol, "none", &perr), 0);
	assert_true(pol.filter_off);
	assert_int_equal(pol.nsyscalls, 0);
	assert_false(pol.files_restricted);
	assert_int_equal(cabin_policy_load_profile(&pol, "nope", &perr),
			 -EINVAL);
	assert_non_null(strstr(perr.message, "default, strict"));
}

static void test_syscall_rules(void **state)
{
	const struct cabin_syscall_rule *r;

	(void)state;
	parse_ok("syscall default deny(EACCES)\n"
		 "syscall allow read write   # comment\n"
		 "syscall trace openat\n"
		 "syscall kill ptrace\n"
		 "syscall deny mount\n"
		 "syscall deny(13) umount2\n"
		 "syscall deny(ENOSYS) clone3\n"
		 "syscall deny(EWOULDBLOCK) pause\n"
		 "syscall allow socket when arg0 == 1 and arg1 != 2 and "
		 "arg2 < 3 and arg3 <= 0x4 and arg4 > 5 and arg5 >= 6\n"
		 "syscall deny(EPERM) clone when arg0 & 0x800000 == 0x800000\n");
	assert_int_equal(pol.syscall_default.kind, CABIN_ROUTE_DENY);
	assert_int_equal(pol.syscall_default.err, EACCES);
	assert_int_equal(rule_for("read", 0)->rule.route.kind,
			 CABIN_ROUTE_ALLOW);
	assert_int_equal(rule_for("write", 0)->line, 2);
	assert_int_equal(rule_for("openat", 0)->rule.route.kind,
			 CABIN_ROUTE_TRACE);
	assert_int_equal(rule_for("ptrace", 0)->rule.route.kind,
			 CABIN_ROUTE_KILL);
	assert_int_equal(rule_for("mount", 0)->rule.route.err, EPERM);
	assert_int_equal(rule_for("umount2", 0)->rule.route.err, EACCES);
	assert_int_equal(rule_for("clone3", 0)->rule.route.err, ENOSYS);
	assert_int_equal(rule_for("pause", 0)->rule.route.err, EAGAIN);
	r = rule_for("socket", 6);
	assert_non_null(r);
	assert_int_equal(r->rule.cond[0].op, CABIN_CMP_EQ);
	assert_int_equal(r->rule.cond[1].op, CABIN_CMP_NE);
	assert_int_equal(r->rule.cond[2].op, CABIN_CMP_LT);
	assert_int_equal(r->rule.cond[3].op, CABIN_CMP_LE);
	assert_int_equal(r->rule.cond[3].value, 4);
	assert_int_equal(r->rule.cond[4].op, CABIN_CMP_GT);
	assert_int_equal(r->rule.cond[5].op, CABIN_CMP_GE);
	assert_int_equal(r->rule.cond[5].arg, 5);
	r = rule_for("clone", 1);
	assert_int_equal(r->rule.cond[0].mask, 0x800000);
	assert_string_equal(r->name, "clone");
	assert_round_trip(&pol);
}

/* A condition written after the catch-all must still come first. */
static void test_conditions_precede_catchall(void **state)
{
	(void)state;
	parse_ok("syscall allow ioctl\n"
		 "syscall deny ioctl when arg1 == 5\n");
	assert_int_equal(pol.nsyscalls, 2);
	assert_int_equal(pol.syscalls[0].rule.ncond, 1);
	assert_int_equal(pol.syscalls[1].rule.ncond, 0);
	assert_round_trip(&pol);
}

static void test_filter_off(void **state)
{
	(void)state;
	parse_ok("syscall filter off\nfiles read /usr\n");
	assert_true(pol.filter_off);
	assert_round_trip(&pol);
}

static void test_files(void **state)
{
	const struct cabin_path_rule *r;

	(void)state;
	parse_ok("files read /etc\n"
		 "files read,write,create ?/var/tmp . ./out build\n"
		 "files exec,ioctl ~ ~/bin\n"
		 "files all \"/srv/my data\" \"?/a \\\"q\\\" \\\\ b\"\n"
		 "files write /etc\n");
	assert_true(pol.files_restricted);
	assert_int_equal(pol.npaths, 9);
	r = path_for("/etc");
	assert_int_equal(r->rights, CABIN_FILE_READ | CABIN_FILE_WRITE);
	assert_string_equal(r->where, "t.policy:1:12");
	assert_false(r->optional);
	r = path_for("build");
	assert_string_equal(r->where, "t.policy:2:43");
	r = path_for("/var/tmp");
	assert_true(r->optional);
	assert_int_equal(r->rights, CABIN_FILE_READ | CABIN_FILE_WRITE |
				    CABIN_FILE_CREATE);
	assert_non_null(path_for("."));
	assert_non_null(path_for("./out"));
	assert_non_null(path_for("build"));
	assert_int_equal(path_for("~/bin")->rights,
			 CABIN_FILE_EXEC | CABIN_FILE_IOCTL);
	assert_non_null(path_for("~"));
	assert_int_equal(path_for("/srv/my data")->rights, CABIN_FILE_ALL);
	r = path_for("/a \"q\" \\ b");
	assert_non_null(r);
	assert_true(r->optional);
	assert_round_trip(&pol);
}

static void test_network(void **state)
{
	(void)state;
	parse_ok("network host\n"
		 "network loopback\n"
		 "network connect tcp 80 443 80\n"
		 "network bind tcp 8080\n"
		 "network connect tcp 65535 1\n");
	assert_int_equal(pol.net, CABIN_NET_LOOPBACK);
	assert_int_equal(pol.nconnect_ports, 4);
	assert_int_equal(pol.connect_ports[0], 80);
	assert_int_equal(pol.connect_ports[2], 65535);
	assert_int_equal(pol.nbind_ports, 1);
	assert_int_equal(pol.bind_ports[0], 8080);
	assert_round_trip(&pol);
	cabin_policy_free(&pol);
	parse_ok("network none\n");
	assert_int_equal(pol.net, CABIN_NET_NONE);
}

static void test_limits(void **state)
{
	(void)state;
	parse_ok("limit rlimit-as 512M\n"
		 "limit rlimit-cpu 10\n"
		 "limit procs 0x10\n"
		 "limit rlimit-nofile 3\n"
		 "limit rlimit-fsize 3k\n"
		 "limit timeout 60\n"
		 "limit timeout 90\n"
		 "limit memory 64M\n"
		 "limit pids-max 8\n"
		 "limit cpu-max 50%\n");
	assert_int_equal(pol.limits.rlimit_as, 512ull << 20);
	assert_int_equal(pol.limits.rlimit_cpu, 10);
	assert_int_equal(pol.limits.procs, 16);
	assert_int_equal(pol.limits.rlimit_nofile, 3);
	assert_int_equal(pol.limits.rlimit_fsize, 3072);
	assert_int_equal(pol.limits.timeout, 90);
	assert_int_equal(pol.limits.memory_max, 64ull << 20);
	assert_int_equal(pol.limits.pids_max, 8);
	assert_int_equal(pol.limits.cpu_max, 50);
	assert_round_trip(&pol);
	cabin_policy_free(&pol);
	/* fsize kept its name: it always meant the largest file written. */
	parse_ok("limit rlimit-as 16T\nlimit fsize 1048577\n"
		 "limit cpu-max 1.25\n");
	assert_int_equal(pol.limits.rlimit_as, 16ull << 40);
	assert_int_equal(pol.limits.rlimit_fsize, 1048577);
	assert_int_equal(pol.limits.cpu_max, 125);
	assert_round_trip(&pol);
}

static void test_env(void **state)
{
	(void)state;
	parse_ok("env clear\n"
		 "env keep PATH HOME _x1 PATH\n"
		 "env set LANG=C.UTF-8 EMPTY=\n"
		 "env set MSG=\"hello # world\" \"Q=a\\\"b\"\n"
		 "env set LANG=C.UTF-8\n");
	assert_true(pol.env_clear);
	assert_int_equal(pol.nenv_keep, 3);
	assert_string_equal(pol.env_keep[2], "_x1");
	assert_int_equal(pol.nenv_set, 4);
	assert_string_equal(pol.env_set[0].name, "LANG");
	assert_string_equal(pol.env_set[0].value, "C.UTF-8");
	assert_string_equal(pol.env_set[1].value, "");
	assert_string_equal(pol.env_set[2].value, "hello # world");
	assert_string_equal(pol.env_set[3].value, "a\"b");
	assert_round_trip(&pol);
}

static void test_isolate_tmp_memory(void **state)
{
	(void)state;
	parse_ok("isolate pid\nisolate net,ipc\n");
	assert_int_equal(pol.isolate, CABIN_ISOLATE_PID | CABIN_ISOLATE_NET |
				      CABIN_ISOLATE_IPC);
	parse_ok("isolate none\nisolate all\ntmp private\nmemory wx\n");
	assert_int_equal(pol.isolate, 0x1f);
	assert_true(pol.private_tmp);
	assert_int_equal(pol.memory, CABIN_MEMORY_WX);
	assert_round_trip(&pol);
	parse_ok("isolate none\ntmp shared\nmemory xom\n");
	assert_int_equal(pol.isolate, 0);
	assert_false(pol.private_tmp);
	assert_int_equal(pol.memory, CABIN_MEMORY_XOM | CABIN_MEMORY_WX);
	assert_round_trip(&pol);
	parse_ok("memory none\n");
	assert_int_equal(pol.memory, 0);
	parse_ok("memory xom\nmemory trust /lib/a.so \"/opt/b c.so\"\n"
		 "memory trust /lib/a.so\n");
	assert_int_equal(pol.trusted.n, 2);
	assert_string_equal(pol.trusted.path[1], "/opt/b c.so");
	assert_int_equal(pol.readable_code.n, 0);
	assert_round_trip(&pol);
	parse_fails("memory trust", 1, 13, "expected an absolute path");
	parse_fails("memory trust lib.so", 1, 14,
		    "'memory trust' takes absolute paths, not 'lib.so'");
	/* readable-code is a list of its own, not a kind of trust. */
	cabin_policy_free(&pol);
	parse_ok("memory xom\nmemory readable-code /lib/libcrypto.so.3\n"
		 "memory trust /lib/a.so\n"
		 "memory readable-code /lib/libcrypto.so.3 /lib/b.so\n");
	assert_int_equal(pol.readable_code.n, 2);
	assert_string_equal(pol.readable_code.path[0], "/lib/libcrypto.so.3");
	assert_string_equal(pol.readable_code.path[1], "/lib/b.so");
	assert_int_equal(pol.trusted.n, 1);
	assert_round_trip(&pol);
	parse_fails("memory readable-code ./x.so", 1, 22,
		    "'memory readable-code' takes absolute paths, not './x.so'");
}

/* A policy refines its profile: later lines win over the profile's. */
static void test_refining_a_profile(void **state)
{
	(void)state;
	parse_ok("profile default\n"
		 "syscall allow ptrace\n"
		 "syscall default trace\n"
		 "network host\n"
		 "tmp shared\n"
		 "isolate net\n"
		 "files read ~/data\n");
	assert_int_equal(rule_for("ptrace", 0)->rule.route.kind,
			 CABIN_ROUTE_ALLOW);
	assert_int_equal(pol.nsyscalls, 27);
	assert_int_equal(pol.syscall_default.kind, CABIN_ROUTE_TRACE);
	assert_int_equal(pol.net, CABIN_NET_HOST);
	assert_false(pol.private_tmp);
	assert_int_equal(pol.isolate & CABIN_ISOLATE_NET, CABIN_ISOLATE_NET);
	assert_non_null(path_for("~/data"));
	assert_round_trip(&pol);
	cabin_policy_free(&pol);
	parse_ok("profile strict\nnetwork loopback\n"
		 "network connect tcp 443\n");
	assert_int_equal(pol.nconnect_ports, 1);
}

static void test_mutators(void **state)
{
	struct cabin_rule rule = { .nr = (int)cabin_syscall_number("ptrace"),
				   .route = { .kind = CABIN_ROUTE_KILL } };

	(void)state;
	parse_ok("syscall deny ptrace\nenv set A=1\n");
	assert_int_equal(cabin_policy_add_syscall(&pol, "ptrace", &rule, 0),
			 0);
	assert_int_equal(pol.nsyscalls, 1);
	assert_int_equal(pol.syscalls[0].rule.route.kind, CABIN_ROUTE_KILL);
	assert_int_equal(cabin_policy_env_set(&pol, "A", "2"), 0);
	assert_string_equal(pol.env_set[0].value, "2");
	assert_int_equal(cabin_policy_env_set(&pol, "1A", "2"), -EINVAL);
	assert_int_equal(cabin_policy_env_keep(&pol, "A-B"), -EINVAL);
	assert_int_equal(cabin_policy_add_path(&pol, "?x", 1, false, 0),
			 -EINVAL);
	assert_int_equal(cabin_policy_add_path(&pol, "~bob", 1, false, 0),
			 -EINVAL);
	assert_int_equal(cabin_policy_add_path(&pol, "/x", 0, false, 0),
			 -EINVAL);
	assert_int_equal(cabin_policy_add_path(&pol, "/x", 1, true, 0), 0);
	assert_int_equal(cabin_policy_add_path(&pol, "/x", 2, false, 0), 0);
	assert_false(path_for("/x")->optional);
	assert_int_equal(cabin_policy_validate(&pol, &perr), 0);
	rule.cond[0].arg = 6;
	rule.ncond = 1;
	assert_int_equal(cabin_policy_add_syscall(&pol, "ptrace", &rule, 0),
			 -EINVAL);
}

/* What cabin run's options build, applied on top of a loaded policy. */
static void test_overrides(void **state)
{
	struct cabin_policy *o = cabin_policy_new();

	(void)state;
	assert_non_null(o);
	parse_ok("network connect tcp 443\nlimit procs 8\nlimit rlimit-cpu 5\n"
		 "env set A=1\n");
	assert_false(pol.files_restricted);
	assert_int_equal(cabin_policy_set_network(o, "wifi"), -EINVAL);
	assert_int_equal(cabin_policy_set_network(o, "none"), 0);
	assert_int_equal(cabin_policy_set_limit(o, CABIN_POLICY_LIMIT_PROCS,
						 3), 0);
	assert_int_equal(cabin_policy_set_limit(o, CABIN_POLICY_LIMIT_CPU_MAX +
						 1, 3), -EINVAL);
	assert_int_equal(cabin_policy_add_memory(o, CABIN_MEMORY_WX), 0);
	assert_int_equal(cabin_policy_add_memory(o, 1u << 7), -EINVAL);
	cabin_policy_env_clear(o);
	assert_int_equal(cabin_policy_env_set(o, "A", "2"), 0);
	assert_int_equal(cabin_policy_add_path(o, "/x", CABIN_FILE_READ,
					       false, 0), 0);
	assert_int_equal(cabin_policy_override(&pol, o), 0);
	/* Granting a path does not confine a policy that left files open. */
	assert_false(pol.files_restricted);
	assert_non_null(path_for("/x"));
	assert_int_equal(pol.net, CABIN_NET_NONE);
	assert_int_equal(pol.nconnect_ports, 0);
	assert_int_equal(pol.limits.procs, 3);
	assert_int_equal(pol.limits.rlimit_cpu, 5);
	assert_int_equal(pol.memory, CABIN_MEMORY_WX);
	assert_true(pol.env_clear);
	assert_string_equal(pol.env_set[0].value, "2");
	assert_int_equal(cabin_policy_validate(&pol, &perr), 0);
	cabin_policy_delete(o);
}

/* ---- errors ---- */

static void test_errors_syscall(void **state)
{
	(void)state;
	parse_fails("# c\n\nsyscall allow read\n  syscall deny opn\n", 4, 16,
		    "unknown syscall 'opn'");
	parse_fails("syscall deny(EFOO) read", 1, 9, "bad errno 'EFOO'");
	parse_fails("syscall deny(4096) read", 1, 9, "bad errno '4096'");
	parse_fails("syscall deny(0) read", 1, 9, "bad errno '0'");
	parse_fails("syscall deny(EPERM read", 1, 9, "expected deny(ERRNO)");
	parse_fails("syscall permit read", 1, 9, "unknown action 'permit'");
	parse_fails("syscall allow", 1, 14, "expected a syscall name");
	parse_fails("syscall", 1, 8, "expected an action");
	parse_fails("syscall default", 1, 16, "expected an action");
	parse_fails("syscall default allow x", 1, 23, "unexpected 'x'");
	parse_fails("syscall filter on", 1, 16, "expected 'off'");
	parse_fails("syscall allow when arg0 == 1", 1, 15,
		    "expected a syscall name before 'when'");
	parse_fails("syscall allow read when", 1, 24,
		    "expected a condition");
	parse_fails("syscall allow read when arg6 == 1", 1, 25,
		    "bad argument 'arg6'");
	parse_fails("syscall allow read when arg0 =< 1", 1, 30,
		    "bad operator '=<'");
	parse_fails("syscall allow read when arg0 == x", 1, 33,
		    "expected a number, got 'x'");
	parse_fails("syscall allow read when arg0 == 18446744073709551616",
		    1, 33, "does not fit in 64 bits");
	parse_fails("syscall allow read when arg0 & 0xff = 1", 1, 37,
		    "expected '==' after the mask");
	parse_fails("syscall allow read when arg0 == 1 or arg1 == 2", 1, 35,
		    "expected 'and'");
	parse_fails("syscall allow read when arg0 == 1 and arg0 == 1 and "
		    "arg0 == 1 and arg0 == 1 and arg0 == 1 and arg0 == 1 "
		    "and arg0 == 1", 1, 109, "too many conditions");
	parse_fails("syscall deny ptrace\n\nsyscall allow ptrace\n", 3, 15,
		    "syscall 'ptrace' is already deny(EPERM) on line 1");
	parse_fails("syscall filter off\nsyscall allow read\n", 2, 1,
		    "'syscall rules' contradicts 'syscall filter off' on line 1");
	parse_fails("profile none\nsyscall default allow\n", 2, 1,
		    "contradicts 'syscall filter off' from profile none");
}

static void test_errors_other(void **state)
{
	(void)state;
	parse_fails("fils read /x", 1, 1, "unknown directive 'fils'");
	parse_fails("files reed /x", 1, 7, "unknown right 'reed'");
	parse_fails("files read,,write /x", 1, 12, "unknown right ''");
	parse_fails("files read", 1, 11, "expected a path");
	parse_fails("files read ~bob/x", 1, 12, "bad path '~bob/x'");
	parse_fails("files read ?", 1, 12, "bad path '?'");
	parse_fails("files read \"\"", 1, 12, "bad path ''");
	parse_fails("network everywhere", 1, 9, "expected none, loopback");
	parse_fails("network connect udp 53", 1, 17, "expected 'tcp'");
	parse_fails("network connect", 1, 16, "expected 'tcp'");
	parse_fails("network connect tcp", 1, 20, "expected a port");
	parse_fails("network bind tcp 70000", 1, 18,
		    "port 70000 out of range 1..65535");
	parse_fails("network bind tcp 0", 1, 18,
		    "port 0 out of range 1..65535");
	parse_fails("network bind tcp http", 1, 18, "expected a port");
	parse_fails("network none\nnetwork connect tcp 80\n", 2, 1,
		    "'network ports' contradicts 'network none' on line 1");
	parse_fails("network bind tcp 80\n#\nnetwork none\n", 3, 1,
		    "'network none' contradicts 'network ports' on line 1");
	parse_fails("profile strict\nnetwork connect tcp 80\n", 2, 1,
		    "from profile strict");
	parse_fails("limit procs 0", 1, 13, "'limit procs' must be at least 1");
	parse_fails("limit rlimit-cpu 0", 1, 18,
		    "'limit rlimit-cpu' must be at least 1");
	parse_fails("limit cpu 5", 1, 7,
		    "'limit cpu' is gone: write 'limit rlimit-cpu SECONDS'");
	parse_fails("limit files 5", 1, 7,
		    "'limit files' is gone: write 'limit rlimit-nofile N'");
	parse_fails("limit cpu-max 0%", 1, 15, "such as 50% or 1.5");
	parse_fails("limit cpu-max 0.001", 1, 15, "such as 50% or 1.5");
	parse_fails("limit cpu-max 50%%", 1, 15, "such as 50% or 1.5");
	parse_fails("limit pids-max 0", 1, 16, "at least 1");
	parse_fails("limit rlimit-as 1023K", 1, 17,
		    "'limit rlimit-as' must be at least 1M");
	parse_fails("limit timeout 0", 1, 15, "at least 1");
	parse_fails("limit fsize 0K", 1, 13, "at least 1");
	parse_fails("limit memory 1023K", 1, 14,
		    "'limit memory' must be at least 1M");
	parse_fails("limit rlimit-nofile 2", 1, 21,
		    "'limit rlimit-nofile' must be at least 3");
	parse_fails("limit memory 20000000T", 1, 14, "does not fit");
	parse_fails("limit memory 5X", 1, 14, "expected a size");
	parse_fails("limit memory 5MB", 1, 14, "expected a size");
	parse_fails("limit disk 5", 1, 7, "unknown limit 'disk'");
	parse_fails("limit procs", 1, 12, "expected a value");
	parse_fails("limit procs 1 2", 1, 15, "unexpected '2'");
	parse_fails("env", 1, 4, "expected clear, keep, set or unset");
	parse_fails("env wipe", 1, 5, "expected clear, keep, set or unset");
	parse_fails("env keep 1X", 1, 10, "bad variable name '1X'");
	parse_fails("env set A", 1, 9, "expected NAME=VALUE");
	parse_fails("env set A-B=1", 1, 9, "expected NAME=VALUE");
	parse_fails("env set A=1\nenv set A=2", 2, 9,
		    "'A' is already set to another value on line 1");
	parse_fails("isolate pid,time", 1, 13, "unknown namespace 'time'");
	parse_fails("isolate", 1, 8, "expected a list");
	parse_fails("tmp public", 1, 5, "expected private or shared");
	parse_fails("memory rwx", 1, 8,
		    "expected wx, xom, none, trust or readable-code");
	parse_fails("tmp private\nprofile default", 2, 1,
		    "'profile' must come before any other directive");
	parse_fails("profile lax", 1, 9,
		    "unknown profile 'lax' (known: default, strict, trace, none)");
	parse_fails("files read \"/x", 1, 12, "unterminated quote");
	parse_fails("files read \"/x\\n\"", 1, 15, "bad escape");
}

static void test_error_print(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	parse_fails("\nsyscall allow opn", 2, 15, "unknown syscall");
	cabin_policy_error_print(&perr, f);
	fclose(f);
	assert_string_equal(buf, "t.policy:2:15: unknown syscall 'opn'\n");
	free(buf);
}

/* ---- robustness ---- */

static void test_garbage(void **state)
{
	static const char nul[] = "files read /x\nenv set A=\0b\n";
	char *big = malloc(20000);
	unsigned int seed = 1;
	size_t i, round;

	(void)state;
	assert_int_equal(cabin_policy_parse(&pol, nul, sizeof(nul) - 1, "t",
					    &perr), -EINVAL);
	assert_int_equal(perr.line, 2);
	assert_int_equal(perr.column, 11);
	assert_non_null(strstr(perr.message, "NUL"));
	cabin_policy_free(&pol);

	memset(big, 'a', 20000);
	assert_int_equal(cabin_policy_parse(&pol, big, 20000, "t", &perr),
			 -EINVAL);
	assert_non_null(strstr(perr.message, "line longer than 4096"));
	cabin_policy_free(&pol);

	for (i = 0; i < 20000; i++)
		big[i] = (i % 2) ? ' ' : 'x';
	big[0] = 'e';
	assert_int_equal(cabin_policy_parse(&pol, big, 4000, "t", &perr),
			 -EINVAL);
	assert_non_null(strstr(perr.message, "too many words"));
	cabin_policy_free(&pol);

	memcpy(big, "env set A=\xff\xfe\xc3(\x80\n", 15);
	assert_int_equal(cabin_policy_parse(&pol, big, 15, "t", &perr), 0);
	assert_round_trip(&pol);
	cabin_policy_free(&pol);

	for (round = 0; round < 2000; round++) {
		size_t n = (size_t)(rand_r(&seed) % 300);

		for (i = 0; i < n; i++)
			big[i] = (char)(rand_r(&seed) % 4 ?
					" \n\"#\\=,?~/ax0fil"[rand_r(&seed) % 16] :
					rand_r(&seed));
		if (!cabin_policy_parse(&pol, big, n, "t", &perr) &&
		    !cabin_policy_validate(&pol, &perr))
			assert_round_trip(&pol);
		cabin_policy_free(&pol);
	}
	free(big);
}

static void test_many_lines(void **state)
{
	size_t n = 6000, i, len = 0;
	char *text = malloc(n * 24);

	(void)state;
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "files read /p%zu\n", i);
	assert_int_equal(cabin_policy_parse(&pol, text, len, "t", &perr),
			 -EINVAL);
	assert_int_equal(perr.line, 4097);
	assert_non_null(strstr(perr.message, "too many"));
	free(text);
}

/* ---- round trips of what is shipped ---- */

static void test_round_trip_profiles(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; cabin_profile_names[i]; i++) {
		struct cabin_policy p;

		cabin_policy_init(&p);
		assert_int_equal(cabin_policy_load_profile(&p,
				 cabin_profile_names[i], &perr), 0);
		assert_int_equal(cabin_policy_validate(&p, &perr), 0);
		assert_round_trip(&p);
		cabin_policy_free(&p);
	}
}

/*
 * The examples, found from this file's name as the compiler saw it: meson
 * passes it relative to the build root, which is two levels above the
 * test binary, so the test runs from any working directory.
 */
static void examples_dir(char *buf, size_t len)
{
	char exe[PATH_MAX], src[PATH_MAX];
	ssize_t n;

	snprintf(src, sizeof(src), "%s", __FILE__);
	if (src[0] == '/') {
		snprintf(buf, len, "%s/../../examples/policies",
			 dirname(src));
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	snprintf(buf, len, "%s/../../%s", dirname(exe), src);
	snprintf(buf + strlen(buf) - strlen("/tests/unit/test_policy.c"),
		 64, "/examples/policies");
}

static void test_round_trip_examples(void **state)
{
	static const char *const names[] = {
		"build-job", "python-script", "loopback-client",
		"untrusted-tool",
	};
	char dir[2 * PATH_MAX], path[3 * PATH_MAX];
	size_t i;

	(void)state;
	examples_dir(dir, sizeof(dir));
	for (i = 0; i < sizeof(names) / sizeof(*names); i++) {
		struct cabin_policy p;

		snprintf(path, sizeof(path), "%s/%s.policy", dir, names[i]);
		cabin_policy_init(&p);
		if (cabin_policy_load_file(&p, path, &perr))
			print_error("%s:%u:%u: %s\n", perr.file, perr.line,
				    perr.column, perr.message);
		assert_string_equal(perr.message, "");
		assert_int_equal(cabin_policy_validate(&p, &perr), 0);
		assert_true(p.files_restricted);
		assert_round_trip(&p);
		cabin_policy_free(&p);
	}
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_profile_default),
		T(test_other_profiles),
		T(test_syscall_rules),
		T(test_conditions_precede_catchall),
		T(test_filter_off),
		T(test_files),
		T(test_network),
		T(test_limits),
		T(test_env),
		T(test_isolate_tmp_memory),
		T(test_refining_a_profile),
		T(test_mutators),
		T(test_overrides),
		T(test_errors_syscall),
		T(test_errors_other),
		T(test_error_print),
		T(test_garbage),
		T(test_many_lines),
		T(test_round_trip_profiles),
		T(test_round_trip_examples),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
