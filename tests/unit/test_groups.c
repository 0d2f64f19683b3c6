/*
 * Syscall groups in policies: every member is a syscall the language
 * knows, a group stands for exactly its members (the built-in profiles
 * written with groups compile to the filter their names would), a later
 * rule wins over a group's, and the normal form keeps a group whole.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/names.h"
#include "policy/compile.h"
#include "policy/compile_bpf.h"
#include "policy/groups.h"
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

static int parse(struct cabin_policy *p, const char *text)
{
	int ret = cabin_policy_parse(p, text, strlen(text), "t.policy", &perr);

	if (ret)
		print_error("%s:%u:%u: %s\n", perr.file, perr.line,
			    perr.column, perr.message);
	return ret;
}

static const struct cabin_syscall_rule *catchall(const char *name)
{
	long nr = cabin_syscall_number(name);
	size_t i;

	assert_true(nr >= 0);
	for (i = 0; i < pol.nsyscalls; i++)
		if (pol.syscalls[i].rule.nr == nr &&
		    !pol.syscalls[i].rule.ncond)
			return &pol.syscalls[i];
	return NULL;
}

/* Every group, by the names string the error messages print. */
static size_t all_groups(const struct cabin_policy_group **out, size_t max)
{
	char names[512], *s, *save = NULL;
	size_t n = 0;

	cabin_policy_group_names(names, sizeof(names));
	for (s = strtok_r(names, " ", &save); s && n < max;
	     s = strtok_r(NULL, " ", &save)) {
		out[n] = cabin_policy_group_find(s);
		assert_non_null(out[n]);
		n++;
	}
	return n;
}

struct seen {
	long nr[512];
	size_t n;
};

static int check_member(const char *name, void *arg)
{
	struct seen *s = arg;
	char back[64];
	long nr = cabin_syscall_number(name);
	size_t i;

	if (nr < 0)
		print_error("'%s' is not an x86-64 syscall\n", name);
	assert_true(nr >= 0);
	assert_string_equal(cabin_syscall_name(nr, back, sizeof(back)), name);
	for (i = 0; i < s->n; i++)
		assert_int_not_equal(s->nr[i], nr);
	assert_true(s->n < sizeof(s->nr) / sizeof(s->nr[0]));
	s->nr[s->n++] = nr;
	return 0;
}

static void test_members_are_syscalls(void **state)
{
	const struct cabin_policy_group *g[64];
	size_t i, n = all_groups(g, 64);
	struct seen seen;

	(void)state;
	assert_true(n >= 18);
	for (i = 0; i < n; i++) {
		assert_int_equal(g[i]->name[0], '@');
		assert_true(g[i]->about[0] != '\0');
		seen.n = 0;
		assert_int_equal(cabin_policy_group_each(g[i], check_member,
							 &seen), 0);
		assert_true(seen.n > 0);
	}
}

static void test_group_rules(void **state)
{
	static const char *const mount[] = {
		"chroot", "fsconfig", "fsmount", "fsopen", "fspick", "mount",
		"mount_setattr", "move_mount", "open_tree", "pivot_root",
		"umount2",
	};
	const struct cabin_syscall_rule *r;
	size_t i;

	(void)state;
	assert_int_equal(parse(&pol, "syscall default allow\n"
				     "syscall deny(EXDEV) @mount\n"), 0);
	assert_int_equal(pol.nsyscalls, sizeof(mount) / sizeof(*mount));
	for (i = 0; i < pol.nsyscalls; i++) {
		r = &pol.syscalls[i];
		assert_string_equal(r->name, mount[i]);
		assert_int_equal(r->rule.route.kind, CABIN_ROUTE_DENY);
		assert_int_equal(r->rule.route.err, EXDEV);
		assert_string_equal(r->group, "@mount");
		assert_string_equal(r->where, "t.policy:2:21");
	}
	/* Nested groups are expanded: @privileged holds @clock's calls. */
	assert_int_equal(parse(&pol, "syscall kill @privileged\n"), 0);
	assert_int_equal(catchall("settimeofday")->rule.route.kind,
			 CABIN_ROUTE_KILL);
	assert_int_equal(catchall("iopl")->rule.route.kind, CABIN_ROUTE_KILL);
	assert_int_equal(cabin_policy_validate(&pol, &perr), 0);
}

static void parse_fails(const char *text, unsigned int line, unsigned int col,
			const char *msg)
{
	struct cabin_policy p;

	cabin_policy_init(&p);
	assert_int_equal(cabin_policy_parse(&p, text, strlen(text), "t.policy",
					    &perr), -EINVAL);
	cabin_policy_free(&p);
	if (perr.column != col || strcmp(perr.message, msg))
		print_error("got %u '%s'\nwant %u '%s'\n", perr.column,
			    perr.message, col, msg);
	assert_int_equal(perr.line, line);
	assert_int_equal(perr.column, col);
	assert_string_equal(perr.message, msg);
}

static void test_errors(void **state)
{
	char want[300], names[256];

	(void)state;
	cabin_policy_group_names(names, sizeof(names));
	assert_non_null(strstr(names, "@mount"));
	snprintf(want, sizeof(want),
		 "unknown syscall group '@frob' (known: %s)", names);
	parse_fails("syscall deny read @frob\n", 1, 19, want);
}

static void test_errors_when(void **state)
{
	(void)state;
	parse_fails("syscall deny @mount when arg0 == 1\n", 1, 14,
		    "'when' takes syscalls named one by one, not group '@mount' ('cabin policy show @mount' lists them)");
	/* Two names, one action each: still a mistake without a group. */
	parse_fails("syscall deny connect\nsyscall allow connect\n", 2, 15,
		    "syscall 'connect' is already deny(EPERM) on line 1");
}

/*
 * A later rule wins over a group's, as over a profile's: the carve-out
 * `allow @network-io` then `deny connect`, and the other way round.
 */
static void test_later_wins(void **state)
{
	struct cabin_compile_input in = { .policy = &pol, .landlock_abi = 6 };
	struct cabin_router r;
	struct cabin_netguard ng;
	const uint64_t args[6] = { 0 };
	int bad;

	(void)state;
	assert_int_equal(parse(&pol, "syscall default deny(EPERM)\n"
				     "syscall allow @network-io\n"
				     "syscall deny(EACCES) connect\n"), 0);
	assert_int_equal(catchall("connect")->rule.route.kind,
			 CABIN_ROUTE_DENY);
	assert_null(catchall("connect")->group);
	assert_int_equal(catchall("sendto")->rule.route.kind,
			 CABIN_ROUTE_ALLOW);
	assert_int_equal(cabin_policy_validate(&pol, &perr), 0);
	assert_int_equal(cabin_policy_compile_routes(&in, &r, &ng, &bad), 0);
	assert_int_equal(cabin_router_match(&r, cabin_syscall_number("connect"),
					    args, NULL)->err, EACCES);
	assert_int_equal(cabin_router_match(&r, cabin_syscall_number("listen"),
					    args, NULL)->kind,
			 CABIN_ROUTE_ALLOW);
	cabin_router_free(&r);

}

/*
 * A group may not undo, unseen, a call named before it (red-team
 * finding 6: `deny connect` then `allow @network-io` allowed connect),
 * nor contradict another group; the same action again is fine.
 */
static void test_group_contradicts(void **state)
{
	(void)state;
	parse_fails("syscall deny connect\nsyscall allow @network-io\n", 2, 15,
		    "syscall 'connect' (in @network-io) is already deny(EPERM) on line 1");
	parse_fails("syscall deny(EACCES) recvmsg\n\nsyscall allow @network-io\n",
		    3, 15,
		    "syscall 'recvmsg' (in @network-io) is already deny(EACCES) on line 1");
	parse_fails("syscall deny(EACCES) @mount\nsyscall allow @mount\n", 2, 15,
		    "syscall 'chroot' (in @mount) is already deny(EACCES) on line 1");
	assert_int_equal(parse(&pol, "syscall deny connect\n"
				     "syscall deny @network-io\n"), 0);
	assert_int_equal(catchall("connect")->rule.route.kind,
			 CABIN_ROUTE_DENY);
}

static char *format(const struct cabin_policy *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(cabin_policy_format(p, f), 0);
	fclose(f);
	return buf;
}

/* The normal form parses back equal and prints the same again. */
static char *round_trip(const struct cabin_policy *p)
{
	struct cabin_policy q;
	char *text = format(p), *again;

	cabin_policy_init(&q);
	assert_int_equal(parse(&q, text), 0);
	assert_true(cabin_policy_equal(p, &q));
	again = format(&q);
	assert_string_equal(text, again);
	free(again);
	cabin_policy_free(&q);
	return text;
}

static void test_normal_form(void **state)
{
	char *text;

	(void)state;
	assert_int_equal(parse(&pol, "syscall default deny\n"
				     "syscall allow @signal read @timer\n"
				     "syscall deny(EACCES) @network-io\n"
				     "syscall allow socket\n"), 0);
	text = round_trip(&pol);
	assert_non_null(strstr(text, "\nsyscall allow @signal read @timer\n"));
	/* A group a later rule took a call from is printed by name. */
	assert_null(strstr(text, "@network-io"));
	assert_non_null(strstr(text, "\nsyscall deny(EACCES) accept accept4"));
	assert_non_null(strstr(text, "\nsyscall allow socket\n"));
	free(text);
}

/* Text with every @GROUP word replaced by its syscalls' names. */
static int put_name(const char *name, void *arg)
{
	fprintf(arg, " %s", name);
	return 0;
}

static char *expand(const char *text, size_t *groups)
{
	char *buf = NULL, word[64];
	size_t len = 0, n;
	FILE *f = open_memstream(&buf, &len);
	const struct cabin_policy_group *g;

	assert_non_null(f);
	while (*text) {
		if (text[0] == ' ' && text[1] == '@') {
			n = strcspn(text + 1, " \n");
			assert_true(n < sizeof(word));
			memcpy(word, text + 1, n);
			word[n] = '\0';
			g = cabin_policy_group_find(word);
			assert_non_null(g);
			cabin_policy_group_each(g, put_name, f);
			(*groups)++;
			text += 1 + n;
			continue;
		}
		fputc(*text++, f);
	}
	fclose(f);
	return buf;
}

static void compile(const char *text, const char *name, struct cabin_router *r,
		    struct cabin_bpf *bpf)
{
	struct cabin_policy p;
	struct cabin_netguard ng;
	struct cabin_compile_input in = { .policy = &p, .landlock_abi = 6 };
	int bad, err_rule;

	cabin_policy_init(&p);
	assert_int_equal(cabin_policy_parse(&p, text, strlen(text), name,
					    &perr), 0);
	assert_int_equal(cabin_policy_compile_routes(&in, r, &ng, &bad), 0);
	assert_int_equal(cabin_bpf_compile(r, true, bpf, &err_rule), 0);
	cabin_policy_free(&p);
}

/* Each built-in profile compiles to what its groups' names would. */
/* Field by field: the structures' padding is not the compiler's to keep. */
static void assert_route_equal(const struct cabin_route *a,
			       const struct cabin_route *b)
{
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->err, b->err);
	assert_int_equal(a->quiet, b->quiet);
}

static void assert_rule_equal(const struct cabin_rule *a,
			      const struct cabin_rule *b)
{
	unsigned int c;

	assert_int_equal(a->nr, b->nr);
	assert_route_equal(&a->route, &b->route);
	assert_int_equal(a->ncond, b->ncond);
	for (c = 0; c < a->ncond && c < CABIN_RULE_MAX_CONDS; c++) {
		assert_int_equal(a->cond[c].arg, b->cond[c].arg);
		assert_int_equal(a->cond[c].op, b->cond[c].op);
		assert_int_equal(a->cond[c].mask, b->cond[c].mask);
		assert_int_equal(a->cond[c].value, b->cond[c].value);
	}
}

static void test_profiles_same_filter(void **state)
{
	size_t i, k, groups = 0;

	(void)state;
	for (i = 0; cabin_profile_names[i]; i++) {
		const char *text = cabin_profile_text(cabin_profile_names[i]);
		char *names = expand(text, &groups);
		struct cabin_router a, b;
		struct cabin_bpf fa, fb;

		if (!strcmp(cabin_profile_names[i], "none")) {
			free(names);
			continue;
		}
		compile(text, "groups", &a, &fa);
		compile(names, "names", &b, &fb);
		assert_int_equal(a.nrules, b.nrules);
		assert_route_equal(&a.fallback, &b.fallback);
		for (k = 0; k < a.nrules; k++)
			assert_rule_equal(&a.rules[k], &b.rules[k]);
		assert_int_equal(fa.prog.len, fb.prog.len);
		assert_memory_equal(fa.prog.filter, fb.prog.filter,
				    fa.prog.len * sizeof(*fa.prog.filter));
		cabin_bpf_free(&fa);
		cabin_bpf_free(&fb);
		cabin_router_free(&a);
		cabin_router_free(&b);
		free(names);
	}
	/* default and trace each name five groups: the test compared some. */
	assert_int_equal(groups, 10);
}

/*
 * What the default profile denied by name before it named groups, in
 * its order (rule ids): a group that gains or loses a call fails here
 * rather than changing the profile unseen.
 */
static void test_default_deny_list(void **state)
{
	static const char *const denied[] = {
		"process_vm_readv", "process_vm_writev",
		"kexec_load", "kexec_file_load", "reboot", "init_module",
		"finit_module", "delete_module", "swapon", "swapoff", "mount",
		"umount2", "pivot_root", "bpf", "perf_event_open",
		"userfaultfd", "keyctl", "add_key", "request_key",
		"io_uring_setup", "io_uring_enter", "io_uring_register",
		"memfd_secret",
	};
	size_t i, n = 0;

	(void)state;
	assert_int_equal(cabin_policy_load_profile(&pol, "default", &perr), 0);
	for (i = 0; i < pol.nsyscalls; i++) {
		if (pol.syscalls[i].rule.ncond)
			continue;
		assert_true(n < sizeof(denied) / sizeof(*denied));
		assert_string_equal(pol.syscalls[i].name, denied[n]);
		assert_int_equal(pol.syscalls[i].rule.route.kind,
				 CABIN_ROUTE_DENY);
		n++;
	}
	assert_int_equal(n, sizeof(denied) / sizeof(*denied));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_members_are_syscalls),
		T(test_group_rules),
		T(test_errors),
		T(test_errors_when),
		T(test_later_wins),
		T(test_group_contradicts),
		T(test_normal_form),
		T(test_profiles_same_filter),
		T(test_default_deny_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
