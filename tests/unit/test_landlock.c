/*
 * Landlock compilation against the real kernel: each case forks a child
 * that applies a small policy and tries one operation in a temporary
 * tree; the parent checks the errno it got.  Gaps are checked per ABI.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "policy/landlock.h"

#define MAX_RULES 8

enum op_kind {
	OP_NONE,
	OP_READ,
	OP_WRITE,
	OP_CREATE,
	OP_MKDIR,
	OP_LIST,
	OP_EXEC,
	OP_RENAME,
	OP_LINK,
	OP_TRUNCATE,
	OP_CONNECT,
	OP_BIND,
	OP_SIGNAL_PARENT,
	OP_IOCTL_NULL,
};

struct op {
	enum op_kind kind;
	const char *a;		/* below the temporary root */
	const char *b;
	uint16_t port;
};

/* What the child saw: the apply result, then the operation's errno. */
struct result {
	int apply_err;
	int bad_rule;
	int op_err;
};

static char root[PATH_MAX];
static int abi;
static int listener = -1;
static uint16_t listen_port;

static struct cabin_policy pol;
static struct cabin_path_rule rules[MAX_RULES];
static char rule_paths[MAX_RULES][PATH_MAX];

static void under(char *buf, size_t len, const char *rel)
{
	assert_true((size_t)snprintf(buf, len, "%s/%s", root, rel) < len);
}

static void make_file(const char *rel, const char *text)
{
	char path[PATH_MAX];
	int fd;

	under(path, sizeof(path), rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void make_dir(const char *rel)
{
	char path[PATH_MAX];

	under(path, sizeof(path), rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void policy_reset(void)
{
	memset(&pol, 0, sizeof(pol));
	memset(rules, 0, sizeof(rules));
	pol.paths = rules;
}

/* rel is below root, unless it starts with '/' or '~'. */
static void allow(const char *rel, unsigned int rights, bool optional)
{
	size_t i = pol.npaths++;

	assert_true(i < MAX_RULES);
	if (rel[0] == '/' || rel[0] == '~')
		snprintf(rule_paths[i], PATH_MAX, "%s", rel);
	else
		under(rule_paths[i], PATH_MAX, rel);
	rules[i].path = rule_paths[i];
	rules[i].rights = rights;
	rules[i].optional = optional;
	pol.files_restricted = true;
}

static int connect_to(uint16_t port, bool do_bind)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int s = socket(AF_INET, SOCK_STREAM, 0), r;

	if (s < 0)
		return errno;
	if (do_bind)
		r = bind(s, (struct sockaddr *)&sa, sizeof(sa));
	else
		r = connect(s, (struct sockaddr *)&sa, sizeof(sa));
	r = r < 0 ? errno : 0;
	close(s);
	return r;
}

static int open_errno(const char *path, int flags)
{
	int fd = open(path, flags, 0644);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* /dev/null answers FIONREAD with ENOTTY, unless Landlock stops it first. */
static int ioctl_null(void)
{
	int fd = open("/dev/null", O_RDONLY), n, r;

	if (fd < 0)
		return errno;
	r = ioctl(fd, FIONREAD, &n) < 0 ? errno : 0;
	close(fd);
	return r;
}

/* Runs in the confined child; returns 0 or the errno the call set. */
static int do_op(const struct op *op)
{
	char *argv[] = { "true", NULL };
	char a[PATH_MAX], b[PATH_MAX];

	if (op->a)
		under(a, sizeof(a), op->a);
	if (op->b)
		under(b, sizeof(b), op->b);
	switch (op->kind) {
	case OP_NONE:
		return 0;
	case OP_READ:
		return open_errno(a, O_RDONLY);
	case OP_WRITE:
		return open_errno(a, O_WRONLY);
	case OP_CREATE:
		return open_errno(a, O_RDONLY | O_CREAT | O_EXCL);
	case OP_LIST:
		return open_errno(a, O_RDONLY | O_DIRECTORY);
	case OP_MKDIR:
		return mkdir(a, 0755) < 0 ? errno : 0;
	case OP_EXEC:
		execve("/bin/true", argv, environ);
		return errno;
	case OP_RENAME:
		return rename(a, b) < 0 ? errno : 0;
	case OP_LINK:
		return link(a, b) < 0 ? errno : 0;
	case OP_TRUNCATE:
		return truncate(a, 0) < 0 ? errno : 0;
	case OP_CONNECT:
		return connect_to(op->port, false);
	case OP_BIND:
		return connect_to(op->port, true);
	case OP_SIGNAL_PARENT:
		return kill(getppid(), 0) < 0 ? errno : 0;
	case OP_IOCTL_NULL:
		return ioctl_null();
	}
	return 255;
}

static void child(int fd, const char *home, bool scope, const struct op *op)
{
	struct result r = { 0 };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(254);
	r.apply_err = cabin_landlock_apply(&pol, home, scope, -1, &r.bad_rule);
	if (write(fd, &r, sizeof(r)) != sizeof(r))
		_exit(253);
	close(fd);
	if (r.apply_err)
		_exit(0);
	_exit(do_op(op));
}

/* Applies pol in a child, runs op there; fills r (op_err from the exit). */
static void confined_ex(const char *home, bool scope, const struct op *op,
			struct result *r)
{
	int fds[2], status;
	pid_t pid;

	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		child(fds[1], home, scope, op);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], r, sizeof(*r)), sizeof(*r));
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	r->op_err = WEXITSTATUS(status);
}

/* The errno of op under pol; the policy itself must apply. */
static int confined(const struct op *op)
{
	struct result r;

	confined_ex(NULL, false, op, &r);
	assert_int_equal(r.apply_err, 0);
	return r.op_err;
}

static int try(enum op_kind kind, const char *a, const char *b)
{
	struct op op = { .kind = kind, .a = a, .b = b };

	return confined(&op);
}

static int try_port(enum op_kind kind, uint16_t port)
{
	struct op op = { .kind = kind, .port = port };

	return confined(&op);
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Rebuilt for each test, since tests create and rename files in it. */
static int tree_setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/cabin-ll-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	make_dir("ro");
	make_file("ro/f", "read only\n");
	make_dir("rw");
	make_file("rw/f", "read write\n");
	make_dir("a");
	make_file("a/f", "moved\n");
	make_dir("b");
	make_dir("other");
	make_file("other/f", "unlisted\n");
	make_dir("home");
	make_dir("home/sub");
	make_file("home/sub/f", "home\n");
	policy_reset();
	return 0;
}

static int tree_teardown(void **state)
{
	(void)state;
	return nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void need_abi(int want)
{
	if (abi < want)
		skip();
}

static void test_read_allowed_other_denied(void **state)
{
	(void)state;
	need_abi(1);
	allow("ro", CABIN_FILE_READ, false);
	assert_int_equal(try(OP_READ, "ro/f", NULL), 0);
	assert_int_equal(try(OP_LIST, "ro", NULL), 0);
	assert_int_equal(try(OP_READ, "other/f", NULL), EACCES);
	assert_int_equal(try(OP_LIST, "other", NULL), EACCES);
}

static void test_write_denied_read_only(void **state)
{
	(void)state;
	need_abi(1);
	allow("ro", CABIN_FILE_READ, false);
	allow("rw", CABIN_FILE_READ | CABIN_FILE_WRITE, false);
	assert_int_equal(try(OP_WRITE, "ro/f", NULL), EACCES);
	assert_int_equal(try(OP_WRITE, "rw/f", NULL), 0);
}

static void test_create_denied(void **state)
{
	(void)state;
	need_abi(1);
	allow("ro", CABIN_FILE_READ | CABIN_FILE_WRITE, false);
	allow("b", CABIN_FILE_READ | CABIN_FILE_CREATE, false);
	assert_int_equal(try(OP_CREATE, "ro/new", NULL), EACCES);
	assert_int_equal(try(OP_MKDIR, "ro/newdir", NULL), EACCES);
	assert_int_equal(try(OP_CREATE, "b/new", NULL), 0);
	assert_int_equal(try(OP_MKDIR, "b/newdir", NULL), 0);
}

static void test_exec_denied(void **state)
{
	(void)state;
	need_abi(1);
	allow("/", CABIN_FILE_READ, false);
	assert_int_equal(try(OP_EXEC, NULL, NULL), EACCES);
}

static void test_exec_allowed(void **state)
{
	(void)state;
	need_abi(1);
	allow("/", CABIN_FILE_READ, false);
	allow("/usr", CABIN_FILE_READ | CABIN_FILE_EXEC, false);
	allow("/bin", CABIN_FILE_READ | CABIN_FILE_EXEC, true);
	allow("/lib", CABIN_FILE_READ | CABIN_FILE_EXEC, true);
	allow("/lib64", CABIN_FILE_READ | CABIN_FILE_EXEC, true);
	allow("/no/such/dir", CABIN_FILE_EXEC, true);
	assert_int_equal(try(OP_EXEC, NULL, NULL), 0);
}

static void test_optional_missing_skipped(void **state)
{
	(void)state;
	need_abi(1);
	allow("missing", CABIN_FILE_READ, true);
	allow("ro", CABIN_FILE_READ, false);
	assert_int_equal(try(OP_READ, "ro/f", NULL), 0);
}

static void test_required_missing_fails(void **state)
{
	struct op op = { .kind = OP_NONE };
	struct result r;

	(void)state;
	need_abi(1);
	allow("ro", CABIN_FILE_READ, false);
	allow("missing", CABIN_FILE_READ, false);
	confined_ex(NULL, false, &op, &r);
	assert_int_equal(r.apply_err, -ENOENT);
	assert_int_equal(r.bad_rule, 1);
}

static void test_home_paths(void **state)
{
	char home[PATH_MAX];
	struct op op = { .kind = OP_READ, .a = "home/sub/f" };
	struct result r;

	(void)state;
	need_abi(1);
	under(home, sizeof(home), "home");
	allow("~/sub", CABIN_FILE_READ, false);
	confined_ex(home, false, &op, &r);
	assert_int_equal(r.apply_err, 0);
	assert_int_equal(r.op_err, 0);

	op.a = "ro/f";
	confined_ex(home, false, &op, &r);
	assert_int_equal(r.op_err, EACCES);

	/* "~" with no home is an error on that rule, not a silent skip. */
	confined_ex(NULL, false, &op, &r);
	assert_int_equal(r.apply_err, -EINVAL);
	assert_int_equal(r.bad_rule, 0);
}

/* Directory-only rights must be dropped for a rule on a plain file. */
static void test_file_rule(void **state)
{
	(void)state;
	need_abi(1);
	allow("ro/f", CABIN_FILE_READ | CABIN_FILE_CREATE | CABIN_FILE_IOCTL,
	      false);
	assert_int_equal(try(OP_READ, "ro/f", NULL), 0);
	assert_int_equal(try(OP_WRITE, "ro/f", NULL), EACCES);
	assert_int_equal(try(OP_READ, "rw/f", NULL), EACCES);
}

static void test_refer(void **state)
{
	unsigned int rwc = CABIN_FILE_READ | CABIN_FILE_WRITE |
			   CABIN_FILE_CREATE;
	int e;

	(void)state;
	need_abi(1);
	allow("a", rwc, false);
	allow("b", rwc, false);
	allow("rw", CABIN_FILE_READ | CABIN_FILE_WRITE, false);
	/* Same directory: plain create and remove rights suffice. */
	assert_int_equal(try(OP_RENAME, "a/f", "a/g"), 0);
	/* Across directories that both grant create (and so refer). */
	e = abi >= 2 ? 0 : EXDEV;
	assert_int_equal(try(OP_LINK, "a/g", "b/h"), e);
	assert_int_equal(try(OP_RENAME, "a/g", "b/g"), e);
	/* Into a directory without create: never. */
	e = try(OP_RENAME, "rw/f", "a/f2");
	assert_true(e == EXDEV || e == EACCES);
	e = try(OP_LINK, "rw/f", "a/f3");
	assert_true(e == EXDEV || e == EACCES);
}

/* Below ABI 3 the ruleset still applies, and truncate() is the gap. */
static void test_truncate(void **state)
{
	(void)state;
	need_abi(1);
	allow("ro", CABIN_FILE_READ, false);
	allow("rw", CABIN_FILE_READ | CABIN_FILE_WRITE, false);
	assert_int_equal(try(OP_TRUNCATE, "ro/f", NULL), abi >= 3 ? EACCES : 0);
	assert_int_equal(try(OP_TRUNCATE, "rw/f", NULL), 0);
}

static void test_ioctl(void **state)
{
	(void)state;
	need_abi(1);
	allow("/dev/null", CABIN_FILE_READ, false);
	assert_int_equal(try(OP_IOCTL_NULL, NULL, NULL),
			 abi >= 5 ? EACCES : ENOTTY);
	rules[0].rights |= CABIN_FILE_IOCTL;
	assert_int_equal(try(OP_IOCTL_NULL, NULL, NULL), ENOTTY);
}

/* Below ABI 4 port rules are a gap: applying them must still succeed. */
static void test_connect_ports(void **state)
{
	(void)state;
	need_abi(1);
	pol.connect_ports[pol.nconnect_ports++] = listen_port;
	assert_int_equal(try_port(OP_CONNECT, listen_port), 0);

	policy_reset();
	pol.connect_ports[pol.nconnect_ports++] = (uint16_t)(listen_port ^ 1);
	assert_int_equal(try_port(OP_CONNECT, listen_port),
			 abi >= 4 ? EACCES : 0);
	/* Bind is not handled when no bind port is listed. */
	assert_int_equal(try_port(OP_BIND, 0), 0);
}

static void test_bind_ports(void **state)
{
	(void)state;
	need_abi(1);
	pol.bind_ports[pol.nbind_ports++] = 0;
	assert_int_equal(try_port(OP_BIND, 0), 0);
	assert_int_equal(try_port(OP_BIND, (uint16_t)(listen_port ^ 1)),
			 abi >= 4 ? EACCES : 0);
	assert_int_equal(try_port(OP_CONNECT, listen_port), 0);
}

static void test_scope_signals(void **state)
{
	struct op op = { .kind = OP_SIGNAL_PARENT };
	struct result r;

	(void)state;
	confined_ex(NULL, false, &op, &r);
	assert_int_equal(r.op_err, 0);
	confined_ex(NULL, true, &op, &r);
	assert_int_equal(r.apply_err, 0);
	assert_int_equal(r.op_err, abi >= 6 ? EPERM : 0);
}

static void test_nothing_to_do(void **state)
{
	int bad = 0;

	(void)state;
	assert_int_equal(cabin_landlock_apply(&pol, NULL, false, -1, &bad), 0);
	assert_int_equal(bad, -1);
}

static unsigned int gaps_at(int at)
{
	struct cabin_landlock_gaps g;

	cabin_landlock_gaps(&pol, at, &g);
	assert_int_equal(g.abi, at);
	return g.missing;
}

static void test_gaps(void **state)
{
	(void)state;
	allow("/dev", CABIN_FILE_READ | CABIN_FILE_WRITE, false);
	allow("rw", CABIN_FILE_CREATE | CABIN_FILE_WRITE, false);
	pol.connect_ports[pol.nconnect_ports++] = 443;

	assert_int_equal(gaps_at(0), CABIN_LL_GAP_ALL | CABIN_LL_GAP_SCOPE);
	assert_int_equal(gaps_at(1), CABIN_LL_GAP_REFER |
			 CABIN_LL_GAP_TRUNCATE | CABIN_LL_GAP_NET |
			 CABIN_LL_GAP_IOCTL | CABIN_LL_GAP_SCOPE);
	assert_int_equal(gaps_at(2), CABIN_LL_GAP_TRUNCATE | CABIN_LL_GAP_NET |
			 CABIN_LL_GAP_IOCTL | CABIN_LL_GAP_SCOPE);
	assert_int_equal(gaps_at(3), CABIN_LL_GAP_NET | CABIN_LL_GAP_IOCTL |
			 CABIN_LL_GAP_SCOPE);
	assert_int_equal(gaps_at(4), CABIN_LL_GAP_IOCTL | CABIN_LL_GAP_SCOPE);
	assert_int_equal(gaps_at(5), CABIN_LL_GAP_SCOPE);
	assert_int_equal(gaps_at(6), 0);
	assert_int_equal(gaps_at(7), 0);

	/* ioctl granted wherever a device can be opened: no ioctl gap. */
	rules[0].rights |= CABIN_FILE_IOCTL;
	assert_int_equal(gaps_at(4) & CABIN_LL_GAP_IOCTL, CABIN_LL_GAP_IOCTL);
	rules[1].rights |= CABIN_FILE_IOCTL;
	assert_int_equal(gaps_at(4) & CABIN_LL_GAP_IOCTL, 0);
}

static void test_gaps_unrestricted(void **state)
{
	(void)state;
	assert_int_equal(gaps_at(0), 0);
	assert_int_equal(gaps_at(1), 0);
	pol.net = CABIN_NET_NONE;
	assert_int_equal(gaps_at(0), CABIN_LL_GAP_SCOPE);
	assert_int_equal(gaps_at(6), 0);
}

static void test_gap_text(void **state)
{
	char buf[128];

	(void)state;
	cabin_landlock_gap_text(CABIN_LL_GAP_TRUNCATE, 2, buf, sizeof(buf));
	assert_string_equal(buf, "truncate() by path needs Landlock ABI 3"
			    " (kernel has 2)");
	cabin_landlock_gap_text(CABIN_LL_GAP_NET, 0, buf, sizeof(buf));
	assert_string_equal(buf, "enforcing TCP port rules needs Landlock"
			    " ABI 4 (kernel has none)");
	assert_non_null(strstr(cabin_landlock_gap_text(CABIN_LL_GAP_ALL, 0, buf,
						       sizeof(buf)),
			       "Landlock"));
	assert_non_null(strstr(cabin_landlock_gap_text(1u << 20, 3, buf,
						       sizeof(buf)),
			       "unknown"));
}

/* A loopback listener that connect tests reach; never accepts. */
static int net_setup(void)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t len = sizeof(sa);

	listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listener < 0 ||
	    bind(listener, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(listener, 64) < 0 ||
	    getsockname(listener, (struct sockaddr *)&sa, &len) < 0)
		return -1;
	listen_port = ntohs(sa.sin_port);
	return 0;
}

static int group_setup(void **state)
{
	(void)state;
	abi = cabin_landlock_abi();
	return net_setup();
}

static int group_teardown(void **state)
{
	(void)state;
	close(listener);
	return 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, tree_setup, tree_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_read_allowed_other_denied),
		T(test_write_denied_read_only),
		T(test_create_denied),
		T(test_exec_denied),
		T(test_exec_allowed),
		T(test_optional_missing_skipped),
		T(test_required_missing_fails),
		T(test_home_paths),
		T(test_file_rule),
		T(test_refer),
		T(test_truncate),
		T(test_ioctl),
		T(test_connect_ports),
		T(test_bind_ports),
		T(test_scope_signals),
		T(test_nothing_to_do),
		T(test_gaps),
		T(test_gaps_unrestricted),
		T(test_gap_text),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
