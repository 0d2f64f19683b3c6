/*
 * The behaviour report against synthetic observer calls: a fake platform
 * whose program memory is this test's own, ground truth in, the exact
 * records out, and valid JSON whatever the strings hold.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/proxy.h"
#include "trace/json.h"
#include "trace/report.h"
#include "self_mem.h"

#define MAIN 100
#define CHILD 101
#define THREAD 102

#define A(p) ((uint64_t)(uintptr_t)(p))

struct fx {
	struct cabin_platform plat;
	struct cabin_proxy proxy;
	struct cabin_report *r;
	struct cabin_task main, child, thread;
	char dir[64];
	char path[128];
	char *sum;
	size_t sumlen;
	FILE *sumf;
	char *json;
};

/* ------------------------------------------------------- fake platform */

static int fake_describe_addr(void *ctx, pid_t tid, uint64_t addr, char *buf,
			      size_t len)
{
	(void)ctx;
	(void)tid;
	if (addr < 0x400000 || addr >= 0x500000)
		return -ENOENT;
	snprintf(buf, len, "/bin/prog+%#llx",
		 (unsigned long long)(addr - 0x400000));
	return 0;
}

static int fake_task_name(void *ctx, pid_t tid, char *buf, size_t len)
{
	(void)ctx;
	snprintf(buf, len, "prog%d", (int)tid);
	return 0;
}

static pid_t fake_task_tgid(void *ctx, pid_t tid)
{
	(void)ctx;
	return tid == THREAD ? MAIN : tid;
}

static int fake_task_exe(void *ctx, pid_t tid, char *buf, size_t len)
{
	(void)ctx;
	snprintf(buf, len, "/usr/bin/exe%d", (int)tid);
	return 0;
}

static const struct cabin_platform_ops fake_ops = {
	.read_mem = self_mem_read,
	.describe_addr = fake_describe_addr,
	.task_name = fake_task_name,
	.task_tgid = fake_task_tgid,
	.task_exe = fake_task_exe,
};

/* The file system the report asks about: one old file, one unknowable. */
static int fake_exists(void *ctx, pid_t tid, int dirfd, const char *path)
{
	(void)ctx;
	(void)tid;
	(void)dirfd;
	if (!strcmp(path, "old.txt"))
		return 1;
	if (!strcmp(path, "unknown.txt"))
		return -EACCES;
	return 0;
}

static int fake_fd_path(void *ctx, pid_t tid, int fd, char *buf, size_t len)
{
	(void)ctx;
	(void)tid;
	if (fd == AT_FDCWD)
		snprintf(buf, len, "/cwd");
	else if (fd == 5)
		snprintf(buf, len, "/work/dir");
	else if (fd == 7)
		snprintf(buf, len, "/work/dir/fd7.sh");
	else
		return -EBADF;
	return 0;
}

static const struct cabin_report_fs fake_fs = {
	.exists = fake_exists,
	.fd_path = fake_fd_path,
};

static void task_init(struct cabin_task *t, pid_t tid, pid_t pid)
{
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->pid = pid;
	t->cur_nr = -1;
	snprintf(t->comm, sizeof(t->comm), "prog%d", (int)tid);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct cabin_report_options o = { 0 };
	static char *const argv[] = { "prog", "--flag", NULL };

	assert_non_null(f);
	f->plat.name = "fake";
	f->plat.ops = &fake_ops;
	f->proxy.plat = &f->plat;
	f->proxy.log.out = stderr;
	f->proxy.main_pid = MAIN;
	snprintf(f->dir, sizeof(f->dir), "/tmp/cabin-report-test.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/report.json", f->dir);
	f->sumf = open_memstream(&f->sum, &f->sumlen);
	o.path = f->path;
	o.summary = f->sumf;
	o.argv = argv;
	o.fs = &fake_fs;
	f->r = cabin_report_new(&o);
	assert_non_null(f->r);
	task_init(&f->main, MAIN, MAIN);
	task_init(&f->child, CHILD, CHILD);
	task_init(&f->thread, THREAD, MAIN);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	cabin_report_free(f->r);
	fclose(f->sumf);
	free(f->sum);
	free(f->json);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* ------------------------------------------------------- feeding calls */

/*
 * As the proxy's: landlock says the file guard judged the kernel's
 * EACCES or EPERM the policy's; a deny route, and a guard answering
 * EACCES or EPERM, are cabin's refusals.
 */
static void call_as(struct fx *f, struct cabin_task *t, long nr, long ret,
		    enum cabin_route_kind kind, bool landlock,
		    const uint64_t args[6])
{
	const struct cabin_observer *o = cabin_report_observer(f->r);
	struct cabin_syscall sys = { .nr = nr };
	struct cabin_route route = { .kind = kind };
	bool ran = kind == CABIN_ROUTE_TRACE || kind == CABIN_ROUTE_ALLOW;

	memcpy(sys.args, args, sizeof(sys.args));
	t->refused = landlock || kind == CABIN_ROUTE_DENY ||
		     (kind == CABIN_ROUTE_EMULATE &&
		      (ret == -EACCES || ret == -EPERM));
	t->cur_nr = nr;
	memcpy(t->cur_args, args, sizeof(t->cur_args));
	t->entry_ns = cabin_proxy_now_ns();
	o->syscall_entry(o->ctx, &f->proxy, t, &sys, &route);
	o->syscall_result(o->ctx, &f->proxy, t, ret, ran);
	t->cur_nr = -1;
}

static void call(struct fx *f, struct cabin_task *t, long nr, long ret,
		 enum cabin_route_kind kind, const uint64_t args[6])
{
	call_as(f, t, nr, ret, kind, false, args);
}

/* Traced and run; answered by the proxy (the network guard); denied. */
#define CALL(f, t, nr, ret, ...) call(f, t, nr, ret, CABIN_ROUTE_TRACE, \
				      (const uint64_t[6]){ __VA_ARGS__ })
#define ANSWER(f, t, nr, ret, ...) call(f, t, nr, ret, CABIN_ROUTE_EMULATE, \
					(const uint64_t[6]){ __VA_ARGS__ })
/* Traced, run, and refused by Landlock (the file guard's judgement). */
#define REFUSE(f, t, nr, ret, ...) call_as(f, t, nr, ret, CABIN_ROUTE_TRACE, \
					   true, (const uint64_t[6]){ __VA_ARGS__ })
#define DENY(f, t, nr, ret, ...) call(f, t, nr, ret, CABIN_ROUTE_DENY, \
				      (const uint64_t[6]){ __VA_ARGS__ })

static void event(struct fx *f, struct cabin_task *t, struct cabin_event ev)
{
	const struct cabin_observer *o = cabin_report_observer(f->r);

	o->event(o->ctx, &f->proxy, t, &ev);
}

static void finish(struct fx *f, int code, bool timed_out)
{
	FILE *in;
	long n;

	assert_int_equal(cabin_report_finish(f->r, &f->proxy, code, timed_out),
			 0);
	fflush(f->sumf);
	in = fopen(f->path, "r");
	assert_non_null(in);
	fseek(in, 0, SEEK_END);
	n = ftell(in);
	rewind(in);
	f->json = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(f->json, 1, (size_t)n, in), (size_t)n);
	fclose(in);
}

/* ---------------------------------------------------- a JSON validator */

static const char *ws(const char *s)
{
	while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
		s++;
	return s;
}

static const char *jvalue(const char *s, int depth);

/* Strings must be plain ASCII: the writer escapes everything else. */
static const char *jstring(const char *s)
{
	int i;

	if (*s++ != '"')
		return NULL;
	while (*s != '"') {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f)
			return NULL;
		if (c == '\\') {
			s++;
			if (*s == 'u') {
				for (i = 1; i <= 4; i++) {
					if (!strchr("0123456789abcdefABCDEF",
						    s[i]) || !s[i])
						return NULL;
				}
				s += 4;
			} else if (!*s || !strchr("\"\\/bfnrt", *s)) {
				return NULL;
			}
		}
		s++;
	}
	return s + 1;
}

static const char *jnumber(const char *s)
{
	const char *start;

	if (*s == '-')
		s++;
	start = s;
	while (*s >= '0' && *s <= '9')
		s++;
	if (s == start)
		return NULL;
	return s;
}

static const char *jmembers(const char *s, char close, bool object,
			    int depth)
{
	s = ws(s);
	if (*s == close)
		return s + 1;
	for (;;) {
		if (object) {
			s = jstring(ws(s));
			if (!s)
				return NULL;
			s = ws(s);
			if (*s++ != ':')
				return NULL;
		}
		s = jvalue(ws(s), depth + 1);
		if (!s)
			return NULL;
		s = ws(s);
		if (*s == close)
			return s + 1;
		if (*s++ != ',')
			return NULL;
	}
}

static const char *jvalue(const char *s, int depth)
{
	if (depth > 64)
		return NULL;
	switch (*s) {
	case '{':
		return jmembers(s + 1, '}', true, depth);
	case '[':
		return jmembers(s + 1, ']', false, depth);
	case '"':
		return jstring(s);
	case 't':
		return strncmp(s, "true", 4) ? NULL : s + 4;
	case 'f':
		return strncmp(s, "false", 5) ? NULL : s + 5;
	case 'n':
		return strncmp(s, "null", 4) ? NULL : s + 4;
	}
	return jnumber(s);
}

static void assert_valid_json(const char *s)
{
	const char *end = jvalue(ws(s), 0);

	assert_non_null(end);
	assert_string_equal(ws(end), "");
}

/*
 * The value of the first "key" at or after from, with line breaks and
 * indentation squeezed out, so tests compare records, not layout.
 */
static char *value_of(const char *json, const char *key)
{
	char pat[64], *out, *o;
	const char *s, *e;
	int depth = 0;
	bool str = false;

	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	s = strstr(json, pat);
	assert_non_null(s);
	s += strlen(pat);
	for (e = s; *e; e++) {
		if (str) {
			if (*e == '\\')
				e++;
			else if (*e == '"')
				str = false;
			continue;
		}
		if (*e == '"')
			str = true;
		else if (*e == '[' || *e == '{')
			depth++;
		else if (*e == ']' || *e == '}')
			depth--;
		if (depth == 0 && (*e == ',' || *e == '\n' || *e == ']' ||
				   *e == '}')) {
			if (*e == ']' || *e == '}')
				e++;
			break;
		}
	}
	out = o = calloc(1, (size_t)(e - s) + 1);
	while (s < e) {
		if (*s == '\n') {
			s++;
			while (*s == ' ')
				s++;
			continue;
		}
		*o++ = *s++;
	}
	return out;
}

static void assert_value(const char *json, const char *key, const char *want)
{
	char *got = value_of(json, key);

	if (strcmp(got, want))
		fprintf(stderr, "%s:\n got: %s\nwant: %s\n", key, got, want);
	assert_string_equal(got, want);
	free(got);
}

/* ------------------------------------------------------------- tests */

static void test_files(void **state)
{
	struct fx *f = *state;
	struct open_how how = { .flags = O_WRONLY | O_CREAT | O_EXCL,
				.mode = 0600 };

	CALL(f, &f->main, SYS_openat, 3, AT_FDCWD, A("secret.txt"), O_RDONLY);
	CALL(f, &f->main, SYS_open, 3, A("secret.txt"), O_RDONLY);
	CALL(f, &f->main, SYS_openat, 4, AT_FDCWD, A("new.txt"),
	     O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CALL(f, &f->main, SYS_openat, 4, AT_FDCWD, A("old.txt"),
	     O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CALL(f, &f->main, SYS_openat, 4, AT_FDCWD, A("unknown.txt"),
	     O_RDWR | O_CREAT, 0644);
	CALL(f, &f->main, SYS_openat, 4, 5, A("rel.txt"), O_RDONLY);
	CALL(f, &f->main, SYS_openat, 4, AT_FDCWD, A("path-only"), O_PATH);
	CALL(f, &f->main, SYS_openat, 4, AT_FDCWD, A("/work/dir"),
	     O_RDONLY | O_DIRECTORY);
	CALL(f, &f->main, SYS_openat2, 4, AT_FDCWD, A("excl.txt"), A(&how),
	     sizeof(how));
	CALL(f, &f->main, SYS_creat, 4, A("creat.txt"), 0600);
	CALL(f, &f->main, SYS_unlink, 0, A("gone.txt"));
	CALL(f, &f->main, SYS_unlinkat, 0, AT_FDCWD, A("olddir"),
	     AT_REMOVEDIR);
	CALL(f, &f->main, SYS_rename, 0, A("a.txt"), A("b.txt"));
	CALL(f, &f->main, SYS_renameat2, 0, 5, A("c"), AT_FDCWD, A("/abs/d"),
	     0);
	CALL(f, &f->main, SYS_chmod, 0, A("x.sh"), 0100755);
	CALL(f, &f->main, SYS_fchmod, 0, 7, 0700);
	CALL(f, &f->main, SYS_mkdir, 0, A("d"), 0755);
	CALL(f, &f->main, SYS_truncate, 0, A("t.log"), 0);
	/* Asked about as given (fd 5, "old.txt"), recorded resolved. */
	CALL(f, &f->main, SYS_openat, 4, 5, A("old.txt"), O_WRONLY | O_CREAT,
	     0644);
	finish(f, 0, false);
	assert_valid_json(f->json);

	assert_value(f->json, "read",
	    "[{\"path\": \"/cwd/secret.txt\", \"type\": \"file\", \"count\": 2, \"pid\": 100},"
	    "{\"path\": \"/work/dir/rel.txt\", \"type\": \"file\", \"count\": 1, \"pid\": 100},"
	    "{\"path\": \"/work/dir\", \"type\": \"directory\", \"count\": 1, \"pid\": 100}]");
	assert_value(f->json, "written",
	    "[{\"path\": \"/cwd/old.txt\", \"count\": 1, \"pid\": 100},"
	    "{\"path\": \"/cwd/unknown.txt\", \"maybe_created\": true, \"count\": 1, \"pid\": 100},"
	    "{\"path\": \"/cwd/t.log\", \"count\": 1, \"pid\": 100},"
	    "{\"path\": \"/work/dir/old.txt\", \"count\": 1, \"pid\": 100}]");
	assert_value(f->json, "created",
	    "[{\"path\": \"/cwd/new.txt\", \"type\": \"file\", \"count\": 1, \"pid\": 100},"
	    "{\"path\": \"/cwd/excl.txt\", \"type\": \"file\", \"count\": 1, \"pid\": 100},"
	    "{\"path\": \"/cwd/creat.txt\", \"type\": \"file\", \"count\": 1, \"pid\": 100},"
	    "{\"path\": \"/cwd/d\", \"type\": \"directory\", \"count\": 1, \"pid\": 100}]");
	assert_value(f->json, "deleted",
	    "[{\"path\": \"/cwd/gone.txt\", \"type\": \"file\", \"count\": 1, \"pid\": 100},"
	    "{\"path\": \"/cwd/olddir\", \"type\": \"directory\", \"count\": 1, \"pid\": 100}]");
	assert_value(f->json, "denied", "[]");
	assert_value(f->json, "failed", "[]");
	assert_non_null(strstr(f->sum, "Files read (3):\n  /cwd/secret.txt x2  pid 100 (prog100)\n"));
	assert_non_null(strstr(f->sum, "  /work/dir/ (directory)  pid 100 (prog100)\n"));
	assert_non_null(strstr(f->sum, "  /cwd/unknown.txt (created or opened for writing)  pid 100 (prog100)\n"));
	assert_non_null(strstr(f->sum, "  /cwd/d/ (directory)  pid 100 (prog100)\n"));
}

/*
 * The kernel's view: the path changed between entry and result (the
 * test is its own program: its pid, descriptors and memory).
 */
static void test_raced(void **state)
{
	struct fx *f = *state;
	struct cabin_report_options o = { .path = f->path,
					  .summary = f->sumf,
					  .fs = &fake_fs, .racecheck = true };
	const struct cabin_observer *obs;
	struct cabin_route route = { .kind = CABIN_ROUTE_TRACE };
	struct cabin_syscall sys = { .nr = SYS_openat };
	char path[128], want[512];
	size_t last;
	int fd, i;

	cabin_report_free(f->r);
	f->r = cabin_report_new(&o);
	obs = cabin_report_observer(f->r);
	task_init(&f->main, getpid(), getpid());
	snprintf(path, sizeof(path), "%s/ra", f->dir);
	last = strlen(path) - 1;
	for (i = 0; i < 2; i++) {
		path[last] = "ab"[i];
		close(open(path, O_WRONLY | O_CREAT, 0600));
	}
	/* Opened rb while ra was read at entry and is there again at exit. */
	path[last] = 'a';
	sys.args[0] = (uint64_t)AT_FDCWD;
	sys.args[1] = A(path);
	sys.args[2] = O_RDONLY;
	f->main.cur_nr = SYS_openat;
	obs->syscall_entry(obs->ctx, &f->proxy, &f->main, &sys, &route);
	path[last] = 'b';
	fd = open(path, O_RDONLY);
	path[last] = 'a';
	obs->syscall_result(obs->ctx, &f->proxy, &f->main, fd, true);
	close(fd);
	/* An unlink whose path changed during the call. */
	sys.nr = SYS_unlink;
	sys.args[0] = A(path);
	f->main.cur_nr = SYS_unlink;
	obs->syscall_entry(obs->ctx, &f->proxy, &f->main, &sys, &route);
	path[last] = 'b';
	obs->syscall_result(obs->ctx, &f->proxy, &f->main, 0, true);
	finish(f, 0, false);
	assert_valid_json(f->json);
	snprintf(want, sizeof(want),
		 "[{\"path\": \"%s/rb\", \"type\": \"file\", \"asked\": \"%s/ra\", \"raced\": true, \"count\": 1, \"pid\": %d}]",
		 f->dir, f->dir, (int)getpid());
	assert_value(f->json, "read", want);
	snprintf(want, sizeof(want),
		 "[{\"path\": \"%s/ra\", \"type\": \"file\", \"asked\": \"%s/ra\", \"raced\": true, \"count\": 1, \"pid\": %d}]",
		 f->dir, f->dir, (int)getpid());
	assert_value(f->json, "deleted", want);
	assert_non_null(strstr(f->sum, "Raced paths: 2 calls"));
	for (i = 0; i < 2; i++) {
		path[last] = "ab"[i];
		unlink(path);
	}
}

static void test_file_denials(void **state)
{
	struct fx *f = *state;

	REFUSE(f, &f->main, SYS_openat, -EACCES, AT_FDCWD, A("/etc/shadow"),
	       O_RDONLY);
	REFUSE(f, &f->main, SYS_openat, -EACCES, AT_FDCWD, A("/etc//shadow"),
	       O_RDONLY);
	REFUSE(f, &f->main, SYS_unlink, -EPERM, A("/etc/passwd"));
	/* The file's own permissions refused it: a failure, not a denial. */
	CALL(f, &f->main, SYS_openat, -EACCES, AT_FDCWD, A("./mode000"),
	     O_RDONLY);
	CALL(f, &f->main, SYS_openat, -ENOENT, AT_FDCWD, A("missing"),
	     O_RDONLY);
	CALL(f, &f->main, SYS_rename, 0, A("a.txt"), A("b.txt"));
	CALL(f, &f->main, SYS_renameat2, 0, 5, A("c"), AT_FDCWD, A("/abs/d"),
	     0);
	CALL(f, &f->main, SYS_chmod, 0, A("x.sh"), 0100755);
	CALL(f, &f->main, SYS_fchmod, 0, 7, 0700);
	finish(f, 0, false);
	assert_valid_json(f->json);

	assert_value(f->json, "read", "[]");
	assert_value(f->json, "deleted", "[]");
	assert_value(f->json, "renamed",
	    "[{\"from\": \"/cwd/a.txt\", \"to\": \"/cwd/b.txt\", \"count\": 1, \"pid\": 100},"
	    "{\"from\": \"/work/dir/c\", \"to\": \"/abs/d\", \"count\": 1, \"pid\": 100}]");
	assert_value(f->json, "chmod",
	    "[{\"path\": \"/cwd/x.sh\", \"mode\": \"0755\", \"count\": 1, \"pid\": 100},"
	    "{\"path\": \"/work/dir/fd7.sh\", \"mode\": \"0700\", \"count\": 1, \"pid\": 100}]");
	assert_value(f->json, "failed",
	    "[{\"path\": \"/cwd/mode000\", \"syscall\": \"openat\", \"errno\": \"EACCES\", \"count\": 1, \"pid\": 100},"
	    "{\"path\": \"/cwd/missing\", \"syscall\": \"openat\", \"errno\": \"ENOENT\", \"count\": 1, \"pid\": 100}]");
	/* Every count of denials is the denied list's. */
	assert_value(f->json, "denied_count", "3");
	assert_non_null(strstr(f->sum, " s; 0 syscall stops, 3 denied,"));
	assert_non_null(strstr(f->json,
	    "\"denied\": [\n      {\"path\": \"/etc/shadow\", \"syscall\": \"openat\", \"errno\": \"EACCES\", \"count\": 2, \"pid\": 100},\n"
	    "      {\"path\": \"/etc/passwd\", \"syscall\": \"unlink\", \"errno\": \"EPERM\", \"count\": 1, \"pid\": 100}\n    ]"));
	/* Landlock's refusals of watched calls are denied operations too. */
	assert_non_null(strstr(f->json,
	    "{\"syscall\": \"openat\", \"detail\": \"/etc/shadow\", \"errno\": \"EACCES\", \"by\": \"kernel\", \"count\": 2, \"pid\": 100, \"comm\": \"prog100\"}"));
	assert_non_null(strstr(f->json,
	    "{\"syscall\": \"unlink\", \"detail\": \"/etc/passwd\", \"errno\": \"EPERM\", \"by\": \"kernel\", \"count\": 1, \"pid\": 100, \"comm\": \"prog100\"}"));
	assert_null(strstr(f->json, "\"detail\": \"missing\""));
	/* The summary says all of it. */
	assert_null(strstr(f->json, "\"detail\": \"/cwd/mode000\""));
	assert_non_null(strstr(f->sum, "Files renamed (2):\n  /cwd/a.txt -> /cwd/b.txt"));
	assert_non_null(strstr(f->sum, "  /cwd/x.sh to 0755 (executable)"));
	assert_non_null(strstr(f->sum, "File access denied (2):\n  /etc/shadow  openat: EACCES x2"));
}

static void test_processes(void **state)
{
	struct fx *f = *state;
	static char *const sh_argv[] = { "sh", "-c", "echo hi", NULL };
	static char *const ls_argv[] = { "ls", "-l", NULL };

	struct cabin_task outer;

	/* cabin's outer process starts the program's first process */
	task_init(&outer, 90, 90);
	event(f, &outer, (struct cabin_event){ .kind = CABIN_EV_SPAWN,
		.tid = 90, .spawn = { MAIN, CABIN_SPAWN_FORK } });
	/* main execs sh; the result says it worked */
	CALL(f, &f->main, SYS_execve, 0, A("/bin/sh"), A(sh_argv), 0);
	event(f, &f->main, (struct cabin_event){ .kind = CABIN_EV_SPAWN,
		.tid = MAIN, .spawn = { CHILD, CABIN_SPAWN_FORK } });
	event(f, &f->main, (struct cabin_event){ .kind = CABIN_EV_SPAWN,
		.tid = MAIN, .spawn = { THREAD, CABIN_SPAWN_CLONE } });
	/* the child's first try fails: only the second is an exec */
	CALL(f, &f->child, SYS_execve, -ENOENT, A("/nope/ls"), A(ls_argv), 0);
	CALL(f, &f->child, SYS_execve, 0, A("/bin/ls"), A(ls_argv), 0);
	event(f, &f->child, (struct cabin_event){ .kind = CABIN_EV_EXIT,
		.tid = CHILD, .status = 1 << 8 });
	event(f, &f->thread, (struct cabin_event){ .kind = CABIN_EV_EXIT,
		.tid = THREAD, .status = 0 });
	event(f, &f->main, (struct cabin_event){ .kind = CABIN_EV_EXIT,
		.tid = MAIN, .status = SIGSEGV });
	event(f, &outer, (struct cabin_event){ .kind = CABIN_EV_EXIT,
		.tid = 90, .status = SIGSEGV });
	finish(f, 139, false);
	assert_valid_json(f->json);
	assert_value(f->json, "command", "[\"prog\", \"--flag\"]");
	assert_value(f->json, "exit_code", "139");
	assert_value(f->json, "timed_out", "false");
	assert_value(f->json, "processes",
	    "[{\"pid\": 90, \"parent\": 0, \"comm\": \"prog90\", \"sandbox\": true, \"execs\": [], "
	    "\"threads\": 0, \"exited\": true, \"exit_code\": null, \"signal\": \"SIGSEGV\"},"
	    "{\"pid\": 100, \"parent\": 90, \"comm\": \"prog100\", \"sandbox\": false, \"execs\": "
	    "[{\"path\": \"/bin/sh\", \"exe\": \"/usr/bin/exe100\", \"argv\": [\"sh\", \"-c\", \"echo hi\"]}], "
	    "\"threads\": 1, \"exited\": true, \"exit_code\": null, \"signal\": \"SIGSEGV\"},"
	    "{\"pid\": 101, \"parent\": 100, \"comm\": \"prog101\", \"sandbox\": false, \"execs\": "
	    "[{\"path\": \"/bin/ls\", \"exe\": \"/usr/bin/exe101\", \"argv\": [\"ls\", \"-l\"]}], "
	    "\"threads\": 0, \"exited\": true, \"exit_code\": 1, \"signal\": null}]");
	assert_non_null(strstr(f->sum,
	    "Processes (2):\n  100 prog100: killed by SIGSEGV, 1 thread\n  `-101 prog101: exit 1\n"
	    "  (and 1 process of cabin's sandbox, not shown)\n"));
	assert_non_null(strstr(f->sum,
	    "  pid 100: /bin/sh (runs /usr/bin/exe100)  argv: sh -c 'echo hi'\n"));
}

static void test_exec_event(void **state)
{
	struct fx *f = *state;
	static char *const argv[] = { "./payload.sh", NULL };
	const struct cabin_observer *o = cabin_report_observer(f->r);
	struct cabin_syscall sys = { .nr = SYS_execve,
		.args = { A("./payload.sh"), A(argv) } };
	struct cabin_route route = { .kind = CABIN_ROUTE_TRACE };

	/* The real order: entry, then the exec event, and no result. */
	f->thread.cur_nr = SYS_execve;
	o->syscall_entry(o->ctx, &f->proxy, &f->thread, &sys, &route);
	event(f, &f->main, (struct cabin_event){ .kind = CABIN_EV_EXEC,
		.tid = MAIN, .exec.former_tid = THREAD });
	/* The first exec of a process whose entry was never seen. */
	event(f, &f->child, (struct cabin_event){ .kind = CABIN_EV_EXEC,
		.tid = CHILD, .exec.former_tid = CHILD });
	finish(f, 0, false);
	assert_valid_json(f->json);
	assert_non_null(strstr(f->json,
	    "\"execs\": [{\"path\": \"/cwd/payload.sh\", \"exe\": \"/usr/bin/exe100\", \"argv\": [\"./payload.sh\"]}]"));
	assert_non_null(strstr(f->json,
	    "\"execs\": [{\"path\": null, \"exe\": \"/usr/bin/exe101\", \"argv\": null}]"));
	assert_non_null(strstr(f->json,
	    "{\"name\": \"execve\", \"calls\": 1, \"errors\": 0, \"time_us\": "));
}

static void test_network(void **state)
{
	struct fx *f = *state;
	struct sockaddr_in out = { .sin_family = AF_INET,
				   .sin_port = htons(443) };
	struct sockaddr_in6 lo6 = { .sin6_family = AF_INET6,
				    .sin6_port = htons(8080),
				    .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_un un = { .sun_family = AF_UNIX,
				  .sun_path = "/tmp/sock" };
	struct sockaddr_un abs = { .sun_family = AF_UNIX,
				   .sun_path = "\0hidden" };
	struct msghdr mh = { .msg_name = &out, .msg_namelen = sizeof(out) };

	inet_pton(AF_INET, "192.0.2.1", &out.sin_addr);
	ANSWER(f, &f->main, SYS_connect, -EACCES, 3, A(&out), sizeof(out));
	ANSWER(f, &f->main, SYS_connect, 0, 3, A(&lo6), sizeof(lo6));
	CALL(f, &f->main, SYS_bind, 0, 4, A(&un), sizeof(un));
	CALL(f, &f->main, SYS_bind, 0, 4, A(&abs),
	     offsetof(struct sockaddr_un, sun_path) + 7);
	CALL(f, &f->main, SYS_listen, 0, 4, 16);
	CALL(f, &f->main, SYS_sendto, 10, 3, 0, 10, 0, 0, 0);
	ANSWER(f, &f->main, SYS_sendto, 10, 3, 0, 10, 0, A(&lo6),
	       sizeof(lo6));
	ANSWER(f, &f->main, SYS_sendto, 10, 3, 0, 10, 0, A(&lo6),
	       sizeof(lo6));
	ANSWER(f, &f->main, SYS_sendmsg, -EACCES, 3, A(&mh), 0);
	CALL(f, &f->main, SYS_connect, -ECONNREFUSED, 3, A(&lo6), 1);
	/* Connects the guard made for the program: outcomes, not denials. */
	ANSWER(f, &f->main, SYS_connect, -EINPROGRESS, 3, A(&out),
	       sizeof(out));
	out.sin_port = htons(444);
	ANSWER(f, &f->main, SYS_connect, -ECONNREFUSED, 3, A(&out),
	       sizeof(out));
	finish(f, 0, false);
	assert_valid_json(f->json);
	assert_value(f->json, "network",
	    "[{\"op\": \"connect\", \"family\": \"inet\", \"address\": \"192.0.2.1\", \"port\": 443, \"result\": \"denied\", \"errno\": \"EACCES\", \"count\": 1, \"pid\": 100, \"comm\": \"prog100\"},"
	    "{\"op\": \"connect\", \"family\": \"inet6\", \"address\": \"::1\", \"port\": 8080, \"result\": \"ok\", \"count\": 1, \"pid\": 100, \"comm\": \"prog100\"},"
	    "{\"op\": \"bind\", \"family\": \"unix\", \"address\": \"/tmp/sock\", \"port\": null, \"result\": \"ok\", \"count\": 1, \"pid\": 100, \"comm\": \"prog100\"},"
	    "{\"op\": \"bind\", \"family\": \"unix\", \"address\": \"@hidden\", \"port\": null, \"result\": \"ok\", \"count\": 1, \"pid\": 100, \"comm\": \"prog100\"},"
	    "{\"op\": \"listen\", \"family\": null, \"address\": null, \"port\": null, \"fd\": 4, \"result\": \"ok\", \"count\": 1, \"pid\": 100, \"comm\": \"prog100\"},"
	    "{\"op\": \"sendto\", \"family\": \"inet6\", \"address\": \"::1\", \"port\": 8080, \"result\": \"ok\", \"count\": 2, \"pid\": 100, \"comm\": \"prog100\"},"
	    "{\"op\": \"sendmsg\", \"family\": \"inet\", \"address\": \"192.0.2.1\", \"port\": 443, \"result\": \"denied\", \"errno\": \"EACCES\", \"count\": 1, \"pid\": 100, \"comm\": \"prog100\"},"
	    "{\"op\": \"connect\", \"family\": \"invalid\", \"address\": null, \"port\": null, \"result\": \"error\", \"errno\": \"ECONNREFUSED\", \"count\": 1, \"pid\": 100, \"comm\": \"prog100\"},"
	    "{\"op\": \"connect\", \"family\": \"inet\", \"address\": \"192.0.2.1\", \"port\": 443, \"result\": \"in progress\", \"errno\": \"EINPROGRESS\", \"count\": 1, \"pid\": 100, \"comm\": \"prog100\"},"
	    "{\"op\": \"connect\", \"family\": \"inet\", \"address\": \"192.0.2.1\", \"port\": 444, \"result\": \"error\", \"errno\": \"ECONNREFUSED\", \"count\": 1, \"pid\": 100, \"comm\": \"prog100\"}]");
	/* Only the refusal is a denied operation. */
	assert_value(strstr(f->json, "\n  \"denied\""), "denied",
	    "[{\"syscall\": \"connect\", \"detail\": \"192.0.2.1:443\", \"errno\": \"EACCES\", \"by\": \"cabin\", \"count\": 1, \"pid\": 100, \"comm\": \"prog100\"},"
	    "{\"syscall\": \"sendmsg\", \"detail\": \"192.0.2.1:443\", \"errno\": \"EACCES\", \"by\": \"cabin\", \"count\": 1, \"pid\": 100, \"comm\": \"prog100\"}]");
	assert_non_null(strstr(f->json,
	    "{\"syscall\": \"connect\", \"detail\": \"192.0.2.1:443\", \"errno\": \"EACCES\", \"by\": \"cabin\", \"count\": 1, \"pid\": 100, \"comm\": \"prog100\"}"));
	assert_non_null(strstr(f->sum,
	    "  connect 192.0.2.1:443 (inet): denied (EACCES by cabin)  pid 100 (prog100)\n"));
	assert_non_null(strstr(f->sum,
	    "  connect [::1]:8080 (inet6): ok  pid 100 (prog100)\n"));
}

static void test_signals_ptrace_memory_faults(void **state)
{
	struct fx *f = *state;

	CALL(f, &f->main, SYS_kill, -EPERM, 1, SIGTERM);
	CALL(f, &f->main, SYS_kill, 0, CHILD, 0);
	CALL(f, &f->main, SYS_tgkill, 0, MAIN, THREAD, SIGUSR1);
	DENY(f, &f->main, SYS_ptrace, -EPERM, PTRACE_TRACEME, 0);
	DENY(f, &f->main, SYS_ptrace, -EPERM, PTRACE_ATTACH, 1);
	CALL(f, &f->main, SYS_mmap, 0x7f0000, 0, 4096,
	     PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
	     -1, 0);
	CALL(f, &f->main, SYS_mmap, 0x7f1000, 0, 4096, PROT_READ | PROT_EXEC,
	     MAP_PRIVATE, 3, 0);
	CALL(f, &f->main, SYS_mprotect, -EACCES, 0x7f2000, 8192,
	     PROT_WRITE | PROT_EXEC);
	/* Delivered, then handled: counted, not listed. */
	event(f, &f->main, (struct cabin_event){ .kind = CABIN_EV_FAULT,
		.tid = MAIN, .fault = { .sig = SIGSEGV, .code = SEGV_MAPERR,
					.addr = 8, .ip = 0x401100 } });
	event(f, &f->main, (struct cabin_event){ .kind = CABIN_EV_FAULT,
		.tid = MAIN, .fault = { .sig = SIGSEGV, .code = SEGV_MAPERR,
					.addr = 8, .ip = 0x401100,
					.outcome = CABIN_FAULT_HANDLED } });
	/* Delivered, then the end of the process: listed. */
	event(f, &f->main, (struct cabin_event){ .kind = CABIN_EV_FAULT,
		.tid = MAIN, .fault = { .sig = SIGSEGV, .code = SEGV_MAPERR,
					.addr = 0, .ip = 0x401136 } });
	event(f, &f->main, (struct cabin_event){ .kind = CABIN_EV_FAULT,
		.tid = MAIN, .fault = { .sig = SIGSEGV, .code = SEGV_MAPERR,
					.addr = 0, .ip = 0x401136,
					.outcome = CABIN_FAULT_ENDED } });
	/* A denial of a syscall the report does not watch. */
	DENY(f, &f->main, SYS_mount, -EPERM, 0, 0, 0, 0);
	finish(f, 139, false);
	assert_valid_json(f->json);
	assert_value(f->json, "signals",
	    "[{\"syscall\": \"kill\", \"target\": 1, \"signal\": \"SIGTERM\", \"result\": \"denied\", \"errno\": \"EPERM\", \"count\": 1, \"pid\": 100, \"comm\": \"prog100\"},"
	    "{\"syscall\": \"kill\", \"target\": 101, \"signal\": \"0\", \"result\": \"ok\", \"count\": 1, \"pid\": 100, \"comm\": \"prog100\"},"
	    "{\"syscall\": \"tgkill\", \"target\": 102, \"target_tgid\": 100, \"signal\": \"SIGUSR1\", \"result\": \"ok\", \"count\": 1, \"pid\": 100, \"comm\": \"prog100\"}]");
	assert_value(f->json, "ptrace",
	    "[{\"syscall\": \"ptrace\", \"request\": \"PTRACE_TRACEME\", \"target\": 0, \"result\": \"denied\", \"errno\": \"EPERM\", \"count\": 1, \"pid\": 100, \"comm\": \"prog100\"},"
	    "{\"syscall\": \"ptrace\", \"request\": \"PTRACE_ATTACH\", \"target\": 1, \"result\": \"denied\", \"errno\": \"EPERM\", \"count\": 1, \"pid\": 100, \"comm\": \"prog100\"}]");
	assert_value(f->json, "memory",
	    "[{\"syscall\": \"mmap\", \"prot\": \"rwx\", \"addr\": \"0x7f0000\", \"length\": 4096, \"refused\": false, \"count\": 1, \"pid\": 100, \"comm\": \"prog100\"},"
	    "{\"syscall\": \"mprotect\", \"prot\": \"-wx\", \"addr\": \"0x7f2000\", \"length\": 8192, \"refused\": true, \"errno\": \"EACCES\", \"count\": 1, \"pid\": 100, \"comm\": \"prog100\"}]");
	assert_value(f->json, "faults",
	    "[{\"pid\": 100, \"comm\": \"prog100\", \"signal\": \"SIGSEGV\", \"code\": \"SEGV_MAPERR\", \"addr\": \"0\", \"ip\": \"0x401136\", \"ip_mapping\": \"/bin/prog+0x1136\", \"addr_mapping\": null}]");
	assert_non_null(strstr(f->json, "\"faults_handled\": 1,"));
	/* The top-level list, not the files' one. */
	assert_value(strstr(f->json, "\n  \"denied\""), "denied",
	    "[{\"syscall\": \"ptrace\", \"detail\": \"PTRACE_TRACEME\", \"errno\": \"EPERM\", \"by\": \"cabin\", \"count\": 1, \"pid\": 100, \"comm\": \"prog100\"},"
	    "{\"syscall\": \"ptrace\", \"detail\": \"PTRACE_ATTACH pid 1\", \"errno\": \"EPERM\", \"by\": \"cabin\", \"count\": 1, \"pid\": 100, \"comm\": \"prog100\"},"
	    "{\"syscall\": \"mount\", \"detail\": null, \"errno\": \"EPERM\", \"by\": \"cabin\", \"count\": 1, \"pid\": 100, \"comm\": \"prog100\"}]");
	assert_non_null(strstr(f->json,
	    "{\"name\": \"kill\", \"calls\": 2, \"errors\": 1, \"time_us\": "));
	assert_non_null(strstr(f->json,
	    "{\"name\": \"mmap\", \"calls\": 2, \"errors\": 0, \"time_us\": "));
	assert_non_null(strstr(f->sum,
	    "  SIGSEGV (SEGV_MAPERR) at 0, ip 0x401136 in /bin/prog+0x1136  pid 100 (prog100)\n"));
	assert_non_null(strstr(f->sum,
	    "  mmap rwx, 4096 bytes at 0x7f0000: granted  pid 100 (prog100)\n"));
	assert_non_null(strstr(f->sum,
	    "  ptrace PTRACE_TRACEME: denied (EPERM by cabin)  pid 100 (prog100)\n"));
}

static char *hostile_path(size_t len)
{
	char *s = malloc(len + 1);

	memset(s, 'A', len);
	s[len] = '\0';
	return s;
}

static void assert_plain(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		assert_true(c == '\n' || (c >= 0x20 && c < 0x7f));
	}
}

static void test_hostile_strings(void **state)
{
	struct fx *f = *state;
	char *big = hostile_path(10240), *want;
	static const char evil[] = "q\"uo\\te\nnew\tline\x01\x1b[31m\xff\xfe\xc3(";
	static char *const argv[] = { (char *)evil, "", "\x7f", NULL };

	snprintf(f->main.comm, sizeof(f->main.comm), "\x1b]0;pwn\x07");
	CALL(f, &f->main, SYS_openat, 3, AT_FDCWD, A(evil), O_RDONLY);
	CALL(f, &f->main, SYS_openat, 3, AT_FDCWD, A(big), O_RDONLY);
	CALL(f, &f->main, SYS_rename, 0, A(evil), A(big));
	CALL(f, &f->main, SYS_execve, 0, A(evil), A(argv), 0);
	/* Unreadable: the pointer names no memory of the program. */
	CALL(f, &f->main, SYS_unlink, 0, 1);
	CALL(f, &f->main, SYS_execve, 0, A("/bin/x"), 8, 0);
	finish(f, 0, false);
	assert_valid_json(f->json);
	assert_plain(f->json, strlen(f->json));
	assert_plain(f->sum, f->sumlen);
	assert_non_null(strstr(f->json,
	    "\"/cwd/q\\\"uo\\\\te\\nnew\\tline\\u0001\\u001b[31m\\u00ff\\u00fe\\u00c3(\""));
	/* 4096 bytes of the path, then "...": never the whole 10 KB. */
	want = malloc(4096 + 16);
	snprintf(want, 4096 + 16, "\"/cwd/%.*s...\"", 4096, big);
	assert_non_null(strstr(f->json, want));
	assert_null(strstr(f->json, big));
	assert_non_null(strstr(f->json, "\"path\": \"(unreadable 0x1)\""));
	assert_non_null(strstr(f->json, "\"argv\": [], \"argv_truncated\": true"));
	assert_non_null(strstr(f->json, "\"comm\": \"\\u001b]0;pwn\\u0007\""));
	assert_non_null(strstr(f->sum, "\\x1b]0;pwn\\x07"));
	free(want);
	free(big);
}

/*
 * What a forked monitor records goes to the first one as bytes: the JSON
 * written after absorbing them is the JSON of one report that saw all.
 */
static void record_parent(struct fx *f, struct cabin_report *into)
{
	struct cabin_report *keep = f->r;
	static char *const sh_argv[] = { "sh", "-c", "ls", NULL };

	f->r = into;
	CALL(f, &f->main, SYS_execve, 0, A("/bin/sh"), A(sh_argv), 0);
	CALL(f, &f->main, SYS_openat, 3, AT_FDCWD, A("parent.txt"), O_RDONLY);
	event(f, &f->main, (struct cabin_event){ .kind = CABIN_EV_SPAWN,
		.tid = MAIN, .spawn = { CHILD, CABIN_SPAWN_FORK } });
	f->r = keep;
}

static void record_child(struct fx *f, struct cabin_report *into)
{
	struct cabin_report *keep = f->r;
	static char *const ls_argv[] = { "ls", "-l", NULL };

	f->r = into;
	CALL(f, &f->child, SYS_execve, 0, A("/bin/ls"), A(ls_argv), 0);
	CALL(f, &f->child, SYS_openat, 3, AT_FDCWD, A("child.txt"), O_RDONLY);
	CALL(f, &f->child, SYS_openat, 3, AT_FDCWD, A("child.txt"), O_RDONLY);
	CALL(f, &f->child, SYS_openat, -EACCES, AT_FDCWD, A("/root/x"),
	     O_RDONLY);
	event(f, &f->child, (struct cabin_event){ .kind = CABIN_EV_EXIT,
		.tid = CHILD, .status = 2 << 8 });
	f->r = keep;
}

static char *json_without_times(struct fx *f)
{
	char *j = strdup(f->json), *p;

	assert_non_null(j);
	/* The clock fields differ between two reports of the same run. */
	for (p = strstr(j, "\"started\""); p && *p != ','; p++)
		*p = ' ';
	for (p = strstr(j, "\"duration_ms\""); p && *p != ','; p++)
		*p = ' ';
	/* Syscalls are listed by the time they took: only their counts. */
	assert_non_null(strstr(j, "{\"name\": \"openat\", \"calls\": 4, \"errors\": 1,"));
	assert_non_null(strstr(j, "{\"name\": \"execve\", \"calls\": 2, \"errors\": 0,"));
	p = strstr(j, "\"syscalls\"");
	assert_non_null(p);
	*p = 0;
	return j;
}

static void test_fork_merge(void **state)
{
	struct fx *f = *state;
	static char *const argv[] = { "prog", "--flag", NULL };
	struct cabin_report_options o = { .path = f->path, .fs = &fake_fs,
					  .argv = argv };
	struct cabin_report *child = cabin_report_new(&o);
	char *buf, *merged, *whole;
	size_t len;

	assert_non_null(child);
	/* The child monitor is a copy of the parent's: it forgets that. */
	record_parent(f, child);
	cabin_report_forked(child);
	record_parent(f, f->r);
	record_child(f, child);
	assert_int_equal(cabin_report_save(child, &buf, &len), 0);
	cabin_report_free(child);
	assert_int_equal(cabin_report_absorb(f->r, buf, len), 0);
	event(f, &f->main, (struct cabin_event){ .kind = CABIN_EV_EXIT,
		.tid = MAIN, .status = 0 });
	finish(f, 0, false);
	assert_valid_json(f->json);
	merged = json_without_times(f);

	/* The same events into one report. */
	cabin_report_free(f->r);
	free(f->json);
	f->r = cabin_report_new(&o);
	assert_non_null(f->r);
	record_parent(f, f->r);
	record_child(f, f->r);
	event(f, &f->main, (struct cabin_event){ .kind = CABIN_EV_EXIT,
		.tid = MAIN, .status = 0 });
	finish(f, 0, false);
	whole = json_without_times(f);
	assert_string_equal(merged, whole);
	assert_non_null(strstr(whole, "child.txt"));

	/* Bytes that are not a saved report: refused, nothing breaks. */
	assert_int_equal(cabin_report_absorb(f->r, "garbage!", 8), -EINVAL);
	assert_int_equal(cabin_report_absorb(f->r, buf, len - 3), -EINVAL);
	free(buf);
	free(merged);
	free(whole);
}

static void test_json_writer(void **state)
{
	char all[256], *buf = NULL;
	size_t len = 0, i;
	FILE *m = open_memstream(&buf, &len);
	struct cabin_json j;

	(void)state;
	for (i = 0; i < sizeof(all); i++)
		all[i] = (char)i;
	cabin_json_init(&j, m);
	cabin_json_object(&j, NULL, true);
	cabin_json_strn(&j, "all", all, sizeof(all));
	cabin_json_str(&j, "null", NULL);
	cabin_json_int(&j, "neg", -5);
	cabin_json_uint(&j, "big", UINT64_MAX);
	cabin_json_array(&j, "empty", true);
	cabin_json_end(&j);
	cabin_json_object(&j, "o", false);
	cabin_json_bool(&j, "t", true);
	cabin_json_null(&j, "n");
	cabin_json_end(&j);
	cabin_json_end(&j);
	fclose(m);
	assert_valid_json(buf);
	assert_plain(buf, len);
	assert_non_null(strstr(buf, "\"\\u0000\\u0001"));
	assert_non_null(strstr(buf, "\\u001f !\\\"#"));
	assert_non_null(strstr(buf, "[\\\\]"));
	assert_non_null(strstr(buf, "~\\u007f\\u0080"));
	assert_non_null(strstr(buf, "\\u00ff\""));
	assert_non_null(strstr(buf, "\"null\": null"));
	assert_non_null(strstr(buf, "\"big\": 18446744073709551615"));
	assert_non_null(strstr(buf, "\"empty\": []"));
	assert_non_null(strstr(buf, "\"o\": {\"t\": true, \"n\": null}"));
	free(buf);
}

static void test_atomic_write(void **state)
{
	struct fx *f = *state;
	struct cabin_report_options o = { .path = "/nonexistent/dir/r.json" };
	struct cabin_report *r = cabin_report_new(&o);
	char tmp[160];

	assert_int_equal(cabin_report_finish(r, &f->proxy, 0, false), -ENOENT);
	cabin_report_free(r);
	/* An old report is replaced whole; no temporary file is left. */
	assert_int_equal(mkdir(f->path, 0700), 0);
	assert_int_not_equal(cabin_report_finish(f->r, &f->proxy, 0, false), 0);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", f->path, (int)getpid());
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(rmdir(f->path), 0);
	finish(f, 124, true);
	assert_valid_json(f->json);
	assert_value(f->json, "timed_out", "true");
	assert_value(f->json, "exit_code", "124");
	assert_int_equal(access(tmp, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_raced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_denials, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_processes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_exec_event, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_network, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signals_ptrace_memory_faults,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_strings, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fork_merge, setup,
						teardown),
		cmocka_unit_test(test_json_writer),
		cmocka_unit_test_setup_teardown(test_atomic_write, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
