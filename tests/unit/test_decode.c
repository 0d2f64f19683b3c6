/*
 * The syscall decoder and the trace writer against the test's own memory:
 * exact strace-like text for common calls, and hostile arguments (NULL,
 * wild pointers, strings running into an unmapped page, huge lengths)
 * that must neither crash nor show a byte that was not read.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/proxy.h"
#include "trace/decode.h"
#include "trace/trace.h"
#include "self_mem.h"

/* ------------------------------------------------------------ platform */

static int self_task_exe(void *ctx, pid_t tid, char *buf, size_t len)
{
	(void)ctx; (void)tid;
	snprintf(buf, len, "/usr/bin/prog");
	return 0;
}

static const struct cabin_platform_ops self_ops = {
	.read_mem = self_mem_read,
	.task_exe = self_task_exe,
};

static struct cabin_platform self_plat = { "self", &self_ops, NULL };
static struct cabin_proxy proxy = { .plat = &self_plat };
static struct cabin_strbuf out;

#define A(x) ((uint64_t)(uintptr_t)(x))

/* The whole line for a call that returned ret. */
static const char *dec6(long nr, long ret, bool done, uint64_t a0,
			uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			uint64_t a5)
{
	struct cabin_decode_ctx c = {
		.p = &proxy, .tid = getpid(), .strsize = 32,
	};
	struct cabin_decode_call call = {
		.nr = nr, .args = { a0, a1, a2, a3, a4, a5 },
		.ret = ret, .done = done,
	};

	cabin_sb_free(&out);
	cabin_sb_init(&out, 1 << 20);
	cabin_decode_line(&out, &c, &call);
	return cabin_sb_str(&out);
}

#define DEC(nr, ret, ...) dec_n(nr, ret, __VA_ARGS__, 0, 0, 0, 0, 0, 0)
#define dec_n(nr, ret, a, b, c, d, e, f, ...) \
	dec6(nr, ret, true, A(a), A(b), A(c), A(d), A(e), A(f))

/* A page readable only up to its end: the next one is unmapped. */
static char *edge_page(void)
{
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_ptr_not_equal(p, MAP_FAILED);
	assert_int_equal(munmap(p + 4096, 4096), 0);
	return p;
}

/* ------------------------------------------------------------ files */

static void test_openat(void **state)
{
	(void)state;
	assert_string_equal(DEC(SYS_openat, 3, (uint64_t)AT_FDCWD,
				"/etc/hostname", O_RDONLY | O_CLOEXEC),
			    "openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY|O_CLOEXEC) = 3");
	assert_string_equal(DEC(SYS_openat, 4, (uint64_t)AT_FDCWD, "out",
				O_WRONLY | O_CREAT | O_TRUNC, 0666),
			    "openat(AT_FDCWD, \"out\", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 4");
	assert_string_equal(DEC(SYS_openat, -ENOENT, (uint64_t)AT_FDCWD,
				"/nope", O_RDONLY),
			    "openat(AT_FDCWD, \"/nope\", O_RDONLY) = -1 ENOENT (No such file or directory)");
	assert_string_equal(DEC(SYS_openat, 3, 5, ".",
				O_RDONLY | O_NONBLOCK | O_CLOEXEC |
				O_DIRECTORY),
			    "openat(5, \".\", O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY) = 3");
	assert_string_equal(DEC(SYS_open, 3, "/x", O_RDWR | O_APPEND),
			    "open(\"/x\", O_RDWR|O_APPEND) = 3");
}

static void test_read_write(void **state)
{
	char buf[100] = "hello\nworld";
	char big[64];

	(void)state;
	memset(big, 'a', sizeof(big));
	assert_string_equal(DEC(SYS_read, 6, 3, buf, 100),
			    "read(3, \"hello\\n\", 100) = 6");
	assert_string_equal(DEC(SYS_read, 0, 3, buf, 100),
			    "read(3, \"\", 100) = 0");
	/* A failed read wrote nothing: the buffer is an address. */
	snprintf(big, sizeof(big), "read(3, %p, 100) = -1 EBADF (Bad file descriptor)",
		 (void *)buf);
	assert_string_equal(DEC(SYS_read, -EBADF, 3, buf, 100), big);
	memset(big, 'a', sizeof(big));
	assert_string_equal(DEC(SYS_write, 64, 1, big, 64),
			    "write(1, \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"..., 64) = 64");
	assert_string_equal(DEC(SYS_close, 0, 3), "close(3) = 0");
	assert_string_equal(DEC(SYS_pread64, 5, 3, buf, 5, 64),
			    "pread64(3, \"hello\", 5, 64) = 5");
}

static void test_quoting(void **state)
{
	const char s[] = "\033[0m\n\t\"\\\001" "0\377x\r";

	(void)state;
	assert_string_equal(DEC(SYS_write, 13, 1, s, sizeof(s) - 1),
			    "write(1, \"\\33[0m\\n\\t\\\"\\\\\\0010\\377x\\r\", 13) = 13");
	assert_string_equal(DEC(SYS_write, 2, 1, "\0\0", 2),
			    "write(1, \"\\0\\0\", 2) = 2");
}

static void test_stat(void **state)
{
	struct stat st = { .st_mode = S_IFREG | 0644, .st_size = 123 };
	struct stat dev = { .st_mode = S_IFCHR | 0666,
			    .st_rdev = makedev(1, 3) };
	struct stat dir = { .st_mode = S_IFDIR | S_ISVTX | 0777,
			    .st_size = 4096 };

	(void)state;
	assert_string_equal(DEC(SYS_newfstatat, 0, 3, "", &st, 0x1000),
			    "newfstatat(3, \"\", {st_mode=S_IFREG|0644, st_size=123, ...}, AT_EMPTY_PATH) = 0");
	assert_string_equal(DEC(SYS_fstat, 0, 1, &dev),
			    "fstat(1, {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}) = 0");
	assert_string_equal(DEC(SYS_stat, 0, "/tmp", &dir),
			    "stat(\"/tmp\", {st_mode=S_IFDIR|S_ISVTX|0777, st_size=4096, ...}) = 0");
	assert_string_equal(DEC(SYS_newfstatat, -ENOENT, (uint64_t)AT_FDCWD,
				"/a", 0x1000, 0),
			    "newfstatat(AT_FDCWD, \"/a\", 0x1000, 0) = -1 ENOENT (No such file or directory)");
	assert_string_equal(DEC(SYS_access, 0, "/etc/ld.so.preload", R_OK),
			    "access(\"/etc/ld.so.preload\", R_OK) = 0");
	assert_string_equal(DEC(SYS_access, 0, "/x", F_OK),
			    "access(\"/x\", F_OK) = 0");
	assert_string_equal(DEC(SYS_unlinkat, 0, (uint64_t)AT_FDCWD, "d",
				AT_REMOVEDIR),
			    "unlinkat(AT_FDCWD, \"d\", AT_REMOVEDIR) = 0");
	assert_string_equal(DEC(SYS_mkdir, 0, "d", 0755),
			    "mkdir(\"d\", 0755) = 0");
	assert_string_equal(DEC(SYS_umask, 022, 077), "umask(077) = 022");
	assert_string_equal(DEC(SYS_fchown, 0, 3, (uint64_t)-1, 100),
			    "fchown(3, -1, 100) = 0");
}

/* ------------------------------------------------------------ memory */

static void test_mm(void **state)
{
	(void)state;
	assert_string_equal(DEC(SYS_mmap, 0x7f0000001000, 0, 8192,
				PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, (uint64_t)-1, 0),
			    "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000001000");
	assert_string_equal(DEC(SYS_mmap, 0x7f0000002000, 0x7f0000002000,
				4096, PROT_READ | PROT_EXEC,
				MAP_PRIVATE | MAP_FIXED | MAP_DENYWRITE, 3,
				0x26000),
			    "mmap(0x7f0000002000, 4096, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x26000) = 0x7f0000002000");
	assert_string_equal(DEC(SYS_mprotect, 0, 0x1000, 4096, PROT_NONE),
			    "mprotect(0x1000, 4096, PROT_NONE) = 0");
	assert_string_equal(DEC(SYS_brk, 0x555500000000, 0),
			    "brk(NULL) = 0x555500000000");
	assert_string_equal(DEC(SYS_mmap, -ENOMEM, 0, 1, PROT_READ,
				MAP_SHARED, 3, 0),
			    "mmap(NULL, 1, PROT_READ, MAP_SHARED, 3, 0) = -1 ENOMEM (Cannot allocate memory)");
	assert_string_equal(DEC(SYS_madvise, 0, 0x1000, 4096, MADV_DONTNEED),
			    "madvise(0x1000, 4096, MADV_DONTNEED) = 0");
}

/* ------------------------------------------------------------ signals */

struct ksigaction {
	uint64_t handler, flags, restorer, mask;
};

static void test_signals(void **state)
{
	struct ksigaction act = {
		.handler = 0x1234, .flags = 0x04000000 | 0x10000000,
		.restorer = 0x7f00, .mask = ~(3ull << 31),
	};
	struct ksigaction dfl = { 0 };
	uint64_t set = (1ull << (SIGINT - 1)) | (1ull << (SIGTERM - 1));
	uint64_t none = 0;
	char line[256];

	(void)state;
	assert_string_equal(DEC(SYS_rt_sigaction, 0, SIGCHLD, &act, 0, 8),
			    "rt_sigaction(SIGCHLD, {sa_handler=0x1234, sa_mask=~[RTMIN RT_1], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f00}, NULL, 8) = 0");
	assert_string_equal(DEC(SYS_rt_sigaction, 0, SIGINT, 0, &dfl, 8),
			    "rt_sigaction(SIGINT, NULL, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0");
	assert_string_equal(DEC(SYS_rt_sigprocmask, 0, SIG_BLOCK, &set, &none,
				8),
			    "rt_sigprocmask(SIG_BLOCK, [INT TERM], [], 8) = 0");
	assert_string_equal(DEC(SYS_kill, 0, 42, SIGKILL),
			    "kill(42, SIGKILL) = 0");
	assert_string_equal(DEC(SYS_tgkill, 0, 1, 2, 40),
			    "tgkill(1, 2, SIGRT_8) = 0");
	/* The old set is not written when the call fails. */
	snprintf(line, sizeof(line),
		 "rt_sigprocmask(SIG_SETMASK, [INT TERM], %p, 8) = -1 EINVAL (Invalid argument)",
		 (void *)&none);
	assert_string_equal(DEC(SYS_rt_sigprocmask, -EINVAL, SIG_SETMASK,
				&set, &none, 8), line);
}

/* ------------------------------------------------------------ sockets */

static void test_sockets(void **state)
{
	struct sockaddr_in in = {
		.sin_family = AF_INET, .sin_port = htons(80),
		.sin_addr.s_addr = htonl(0x7f000001),
	};
	struct sockaddr_in6 in6 = {
		.sin6_family = AF_INET6, .sin6_port = htons(443),
		.sin6_addr = IN6ADDR_LOOPBACK_INIT,
	};
	struct sockaddr_un un = { .sun_family = AF_UNIX,
				  .sun_path = "/run/x.sock" };
	struct sockaddr_un abs = { .sun_family = AF_UNIX,
				   .sun_path = "\0abc" };
	socklen_t len = sizeof(in);
	int one = 1;

	(void)state;
	assert_string_equal(DEC(SYS_socket, 3, AF_INET,
				SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
				IPPROTO_TCP),
			    "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_TCP) = 3");
	assert_string_equal(DEC(SYS_socket, 3, AF_UNIX, SOCK_DGRAM, 0),
			    "socket(AF_UNIX, SOCK_DGRAM, 0) = 3");
	assert_string_equal(DEC(SYS_connect, -ECONNREFUSED, 3, &in,
				sizeof(in)),
			    "connect(3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 ECONNREFUSED (Connection refused)");
	assert_string_equal(DEC(SYS_bind, 0, 3, &in6, sizeof(in6)),
			    "bind(3, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}, 28) = 0");
	assert_string_equal(DEC(SYS_connect, 0, 3, &un,
				offsetof(struct sockaddr_un, sun_path) + 12),
			    "connect(3, {sa_family=AF_UNIX, sun_path=\"/run/x.sock\"}, 14) = 0");
	assert_string_equal(DEC(SYS_connect, 0, 3, &abs,
				offsetof(struct sockaddr_un, sun_path) + 4),
			    "connect(3, {sa_family=AF_UNIX, sun_path=@\"abc\"}, 6) = 0");
	assert_string_equal(DEC(SYS_accept4, 4, 3, &in, &len, SOCK_CLOEXEC),
			    "accept4(3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"127.0.0.1\")}, [16], SOCK_CLOEXEC) = 4");
	assert_string_equal(DEC(SYS_sendto, 2, 3, "hi", 2, MSG_NOSIGNAL, 0, 0),
			    "sendto(3, \"hi\", 2, MSG_NOSIGNAL, NULL, 0) = 2");
	assert_string_equal(DEC(SYS_setsockopt, 0, 3, SOL_SOCKET, SO_REUSEADDR,
				&one, 4),
			    "setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0");
	assert_string_equal(DEC(SYS_shutdown, 0, 3, SHUT_WR),
			    "shutdown(3, SHUT_WR) = 0");
}

static void test_msghdr(void **state)
{
	char data[] = "ping";
	struct iovec iov = { data, 4 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	(void)state;
	assert_string_equal(DEC(SYS_sendmsg, 4, 3, &m, 0),
			    "sendmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"ping\", iov_len=4}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 4");
	/* recvmsg shows only what the kernel returned. */
	assert_string_equal(DEC(SYS_recvmsg, 2, 3, &m, MSG_DONTWAIT),
			    "recvmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"pi\", iov_len=4}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, MSG_DONTWAIT) = 2");
}

static void test_iov(void **state)
{
	struct iovec iov[2] = { { "hello", 5 }, { "\n", 1 } };

	(void)state;
	assert_string_equal(DEC(SYS_writev, 6, 1, iov, 2),
			    "writev(1, [{iov_base=\"hello\", iov_len=5}, {iov_base=\"\\n\", iov_len=1}], 2) = 6");
	assert_string_equal(DEC(SYS_readv, 3, 0, iov, 2),
			    "readv(0, [{iov_base=\"hel\", iov_len=5}, {iov_base=\"\", iov_len=1}], 2) = 3");
}

/* ------------------------------------------------------------ processes */

static void test_process(void **state)
{
	const char *argv[] = { "ls", "-l", "/", NULL };
	const char *envp[] = { "A=1", "B=2", "C=3", NULL };
	int status = 0;
	int fds[2] = { 3, 4 };
	char want[256];

	(void)state;
	snprintf(want, sizeof(want),
		 "execve(\"/bin/ls\", [\"ls\", \"-l\", \"/\"], %p /* 3 vars */) = 0",
		 (void *)envp);
	assert_string_equal(DEC(SYS_execve, 0, "/bin/ls", argv, envp), want);
	assert_string_equal(DEC(SYS_clone, 1235,
				CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID |
				SIGCHLD, 0, 0, 0x7f10, 0),
			    "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f10) = 1235");
	assert_string_equal(DEC(SYS_wait4, 1235, -1, &status, 0, 0),
			    "wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 1235");
	status = SIGKILL;
	assert_string_equal(DEC(SYS_wait4, 1235, 1235, &status, WNOHANG, 0),
			    "wait4(1235, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}], WNOHANG, NULL) = 1235");
	assert_string_equal(dec6(SYS_exit_group, 0, false, 0, 0, 0, 0, 0, 0),
			    "exit_group(0) = ?");
	assert_string_equal(DEC(SYS_pipe2, 0, fds, O_CLOEXEC),
			    "pipe2([3, 4], O_CLOEXEC) = 0");
	assert_string_equal(DEC(SYS_getpid, 77, 0), "getpid() = 77");
	assert_string_equal(DEC(SYS_fcntl, 1, 3, F_GETFD),
			    "fcntl(3, F_GETFD) = 0x1 (flags FD_CLOEXEC)");
	assert_string_equal(DEC(SYS_fcntl, 0, 3, F_SETFD, FD_CLOEXEC),
			    "fcntl(3, F_SETFD, FD_CLOEXEC) = 0");
	assert_string_equal(DEC(SYS_fcntl, 11, 1, F_DUPFD, 10),
			    "fcntl(1, F_DUPFD, 10) = 11");
	assert_string_equal(DEC(SYS_futex, 0, 0x1000, 0x81, 2147483647),
			    "futex(0x1000, FUTEX_WAKE_PRIVATE, 2147483647) = 0");
	assert_string_equal(DEC(SYS_arch_prctl, 0, 0x1002, 0x7f00),
			    "arch_prctl(ARCH_SET_FS, 0x7f00) = 0");
	assert_string_equal(DEC(SYS_prctl, 0, 15, "worker"),
			    "prctl(PR_SET_NAME, \"worker\") = 0");
}

static void test_limits_time(void **state)
{
	uint64_t rl[2] = { 8192 * 1024, UINT64_MAX };
	struct timespec ts = { 1, 500 };

	(void)state;
	assert_string_equal(DEC(SYS_prlimit64, 0, 0, RLIMIT_STACK, 0, rl),
			    "prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0");
	assert_string_equal(DEC(SYS_nanosleep, 0, &ts, 0),
			    "nanosleep({tv_sec=1, tv_nsec=500}, NULL) = 0");
	assert_string_equal(DEC(SYS_clock_gettime, 0, CLOCK_MONOTONIC, &ts),
			    "clock_gettime(CLOCK_MONOTONIC, {tv_sec=1, tv_nsec=500}) = 0");
	assert_string_equal(DEC(SYS_getrandom, 2, "\x07\xac", 2, 1),
			    "getrandom(\"\\x07\\xac\", 2, GRND_NONBLOCK) = 2");
}

static void test_unknown_and_errors(void **state)
{
	(void)state;
	assert_string_equal(DEC(0x3e7, -ENOSYS, 1, 0x7ffd1234, 0, 0, 0, 0),
			    "syscall_0x3e7(0x1, 0x7ffd1234, 0, 0, 0, 0) = -1 ENOSYS (Function not implemented)");
	assert_string_equal(DEC(SYS_read, -512, 0, 0x10, 1),
			    "read(0, 0x10, 1) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)");
	assert_string_equal(DEC(SYS_ptrace, -EPERM, 16, 1, 0, 0),
			    "ptrace(PTRACE_ATTACH, 1, 0, 0) = -1 EPERM (Operation not permitted)");
}

/* ------------------------------------------------------------ hostile */

static void test_bad_pointers(void **state)
{
	(void)state;
	assert_string_equal(DEC(SYS_openat, -EFAULT, (uint64_t)AT_FDCWD, 0,
				O_RDONLY),
			    "openat(AT_FDCWD, NULL, O_RDONLY) = -1 EFAULT (Bad address)");
	assert_string_equal(DEC(SYS_openat, -EFAULT, (uint64_t)AT_FDCWD, 0x10,
				O_RDONLY),
			    "openat(AT_FDCWD, 0x10, O_RDONLY) = -1 EFAULT (Bad address)");
	assert_string_equal(DEC(SYS_write, 5, 1, 0xdead0000, 5),
			    "write(1, 0xdead0000, 5) = 5");
	assert_string_equal(DEC(SYS_read, 5, 1, 0xdead0000, 5),
			    "read(1, 0xdead0000, 5) = 5");
	assert_string_equal(DEC(SYS_writev, 5, 1, 0xdead0000, 3),
			    "writev(1, 0xdead0000, 3) = 5");
	assert_string_equal(DEC(SYS_connect, 0, 3, 0xdead0000, 16),
			    "connect(3, 0xdead0000, 16) = 0");
	assert_string_equal(DEC(SYS_execve, -EFAULT, 0xdead0000, 0xdead0000,
				0xdead0000),
			    "execve(0xdead0000, 0xdead0000, 0xdead0000) = -1 EFAULT (Bad address)");
	assert_string_equal(DEC(SYS_fstat, 0, 1, 0xdead0000),
			    "fstat(1, 0xdead0000) = 0");
	assert_string_equal(DEC(SYS_rt_sigaction, 0, 2, 0xdead0000, 0, 8),
			    "rt_sigaction(SIGINT, 0xdead0000, NULL, 8) = 0");
	assert_string_equal(DEC(SYS_sendmsg, 0, 3, 0xdead0000, 0),
			    "sendmsg(3, 0xdead0000, 0) = 0");
	assert_string_equal(DEC(SYS_wait4, 1, -1, 0xdead0000, 0, 0),
			    "wait4(-1, 0xdead0000, 0, NULL) = 1");
}

static void test_edge_of_mapping(void **state)
{
	char *p = edge_page();
	char want[256];
	char *end = p + 4096;
	const char *s;
	size_t i;

	(void)state;
	/* A path that runs into the unmapped page: what was read, then .... */
	memset(p, 'A', 4096);
	s = DEC(SYS_openat, -EFAULT, (uint64_t)AT_FDCWD, p, 0);
	assert_int_equal(strlen(s), strlen("openat(AT_FDCWD, \"\"..., O_RDONLY) = -1 EFAULT (Bad address)") + 4096);
	for (i = 0; i < 4096; i++)
		assert_int_equal(s[18 + i], 'A');
	assert_string_equal(s + 18 + 4096, "\"..., O_RDONLY) = -1 EFAULT (Bad address)");

	/* A short unterminated name at the very end of the page. */
	memcpy(end - 5, "BBBBB", 5);
	s = DEC(SYS_memfd_create, 3, end - 5, 1);
	assert_string_equal(s, "memfd_create(\"BBBBB\"..., MFD_CLOEXEC) = 3");

	/* A write buffer that is not all readable is shown as its address. */
	snprintf(want, sizeof(want), "write(1, %p, 10) = 10", (void *)(end - 5));
	assert_string_equal(DEC(SYS_write, 10, 1, end - 5, 10), want);
	/* A huge length shows strsize bytes, if those can be read. */
	memset(p, 'C', 64);
	assert_string_equal(DEC(SYS_write, 5, 1, p, 1ull << 62),
			    "write(1, \"CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC\"..., 4611686018427387904) = 5");
	assert_string_equal(DEC(SYS_read, 1ll << 40, 1, p, 1ull << 62),
			    "read(1, \"CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC\"..., 4611686018427387904) = 1099511627776");
	munmap(p, 4096);
}

static void test_huge_counts(void **state)
{
	char *p = edge_page();
	struct iovec *iov = (struct iovec *)(p + 4096) - 2;
	const char **argv = (const char **)(p + 4096) - 2;
	char want[512];
	struct iovec many[40];
	size_t i;
	const char *s;

	(void)state;
	iov[0] = (struct iovec){ "a", 1 };
	iov[1] = (struct iovec){ "b", 1 };
	snprintf(want, sizeof(want),
		 "writev(1, [{iov_base=\"a\", iov_len=1}, {iov_base=\"b\", iov_len=1}, %p, ...], 1073741824) = 2",
		 (void *)(iov + 2));
	/* The third element is unreadable: its address, and nothing more. */
	s = DEC(SYS_writev, 2, 1, iov, 1u << 30);
	snprintf(want, sizeof(want),
		 "writev(1, [{iov_base=\"a\", iov_len=1}, {iov_base=\"b\", iov_len=1}, %p], 1073741824) = 2",
		 (void *)(iov + 2));
	assert_string_equal(s, want);

	for (i = 0; i < 40; i++)
		many[i] = (struct iovec){ "x", 1 };
	s = DEC(SYS_writev, 40, 1, many, 40);
	assert_non_null(strstr(s, "{iov_base=\"x\", iov_len=1}, ...], 40) = 40"));

	/* argv with no NULL before the unmapped page. */
	argv[0] = "sh";
	argv[1] = "-c";
	snprintf(want, sizeof(want),
		 "execve(\"/bin/sh\", [\"sh\", \"-c\", %p], NULL) = -1 EFAULT (Bad address)",
		 (void *)(argv + 2));
	assert_string_equal(DEC(SYS_execve, -EFAULT, "/bin/sh", argv, 0), want);

	/* A sockaddr length far beyond any address is bounded. */
	memset(p, 0, 64);
	p[0] = AF_INET;
	s = DEC(SYS_connect, 0, 3, p, 1u << 31);
	assert_string_equal(s, "connect(3, {sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr(\"0.0.0.0\")}, 2147483648) = 0");
	munmap(p, 4096);
}

static void test_no_memory(void **state)
{
	struct cabin_decode_ctx c = { .p = NULL, .strsize = 32 };
	struct cabin_decode_call call = {
		.nr = SYS_openat,
		.args = { (uint64_t)AT_FDCWD, 0x1000, 0 }, .ret = 3,
		.done = true,
	};

	(void)state;
	cabin_sb_free(&out);
	cabin_sb_init(&out, 1 << 20);
	cabin_decode_line(&out, &c, &call);
	assert_string_equal(cabin_sb_str(&out),
			    "openat(AT_FDCWD, 0x1000, O_RDONLY) = 3");
}

static void test_strbuf_limit(void **state)
{
	struct cabin_strbuf b;
	int i;

	(void)state;
	cabin_sb_init(&b, 10);
	for (i = 0; i < 5; i++)
		cabin_sb_puts(&b, "abc");
	assert_true(b.cut);
	assert_string_equal(cabin_sb_str(&b), "abcabcabc");
	cabin_sb_free(&b);
}

/* ------------------------------------------------------------ tracer */

struct tfix {
	char *buf;
	size_t len;
	FILE *f;
	struct cabin_tracer *t;
	const struct cabin_observer *o;
	struct cabin_task a, b;
};

static struct tfix *tfix_new(enum cabin_trace_format fmt)
{
	struct tfix *x = calloc(1, sizeof(*x));
	struct cabin_trace_options opt = { .format = fmt };

	x->f = open_memstream(&x->buf, &x->len);
	opt.out = x->f;
	x->t = cabin_tracer_new(&opt);
	x->o = cabin_tracer_observer(x->t);
	x->a = (struct cabin_task){ .tid = 10, .pid = 10, .comm = "a" };
	x->b = (struct cabin_task){ .tid = 11, .pid = 10, .comm = "b" };
	return x;
}

static void tfix_free(struct tfix *x)
{
	cabin_tracer_free(x->t);
	fclose(x->f);
	free(x->buf);
	free(x);
}

static void enter(struct tfix *x, struct cabin_task *task, long nr,
		  enum cabin_route_kind kind, uint64_t a0, uint64_t a1,
		  uint64_t a2)
{
	struct cabin_syscall sys = { .nr = nr, .args = { a0, a1, a2 } };
	struct cabin_route r = { .kind = kind };

	task->cur_nr = nr;
	memcpy(task->cur_args, sys.args, sizeof(sys.args));
	x->o->syscall_entry(x->o->ctx, &proxy, task, &sys, &r);
}

static void result(struct tfix *x, struct cabin_task *task, long ret, bool ran)
{
	x->o->syscall_result(x->o->ctx, &proxy, task, ret, ran);
}

static void event(struct tfix *x, struct cabin_task *task,
		  struct cabin_event ev)
{
	x->o->event(x->o->ctx, &proxy, task, &ev);
}

static void test_trace_text(void **state)
{
	struct tfix *x = tfix_new(CABIN_TRACE_TEXT);
	char data[] = "data";

	(void)state;
	enter(x, &x->a, SYS_openat, CABIN_ROUTE_TRACE, (uint64_t)AT_FDCWD,
	      A("/etc/hostname"), O_RDONLY);
	result(x, &x->a, 3, true);
	/* a's read is cut by b's write, and resumes after it. */
	enter(x, &x->a, SYS_read, CABIN_ROUTE_TRACE, 3, A(data), 10);
	enter(x, &x->b, SYS_write, CABIN_ROUTE_TRACE, 1, A("hi\n"), 3);
	result(x, &x->b, 3, true);
	result(x, &x->a, 4, true);
	enter(x, &x->a, SYS_ptrace, CABIN_ROUTE_DENY, 0, 0, 0);
	result(x, &x->a, -EPERM, false);
	enter(x, &x->a, SYS_close, CABIN_ROUTE_TRACE, 3, 0, 0);
	enter(x, &x->b, SYS_close, CABIN_ROUTE_TRACE, 4, 0, 0);
	result(x, &x->a, 0, true);
	result(x, &x->b, 0, true);
	event(x, &x->a, (struct cabin_event){
		.kind = CABIN_EV_FAULT, .tid = 10,
		.fault = { .sig = SIGSEGV, .code = SEGV_MAPERR, .addr = 0x10 } });
	enter(x, &x->a, SYS_exit_group, CABIN_ROUTE_TRACE, 0, 0, 0);
	event(x, &x->a, (struct cabin_event){
		.kind = CABIN_EV_EXITING, .tid = 10 });
	event(x, NULL, (struct cabin_event){
		.kind = CABIN_EV_EXIT, .tid = 11, .status = SIGKILL });
	event(x, &x->a, (struct cabin_event){
		.kind = CABIN_EV_EXIT, .tid = 10, .status = 0 });
	cabin_tracer_finish(x->t);
	fflush(x->f);
	assert_string_equal(x->buf,
		"[pid 10] openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY) = 3\n"
		"[pid 10] read(3,  <unfinished ...>\n"
		"[pid 11] write(1, \"hi\\n\", 3) = 3\n"
		"[pid 10] <... read resumed>\"data\", 10) = 4\n"
		"[pid 10] ptrace(PTRACE_TRACEME, 0, 0, 0) = -1 EPERM (Operation not permitted) (denied by cabin)\n"
		"[pid 10] close(3 <unfinished ...>\n"
		"[pid 11] close(4 <unfinished ...>\n"
		"[pid 10] <... close resumed>) = 0\n"
		"[pid 11] <... close resumed>) = 0\n"
		"[pid 10] --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x10} ---\n"
		"[pid 10] exit_group(0) = ?\n"
		"[pid 11] +++ killed by SIGKILL +++\n"
		"[pid 10] +++ exited with 0 +++\n");
	tfix_free(x);
}

/*
 * What the kernel opened against the path the program's memory held:
 * the test is its own program (its pid, its descriptors, its memory).
 */
static void test_trace_raced(void **state)
{
	struct cabin_trace_options opt = { .format = CABIN_TRACE_TEXT,
					   .racecheck = true };
	char dir[] = "/tmp/cabin-raced.XXXXXX", path[64], want[512];
	struct tfix *x = tfix_new(CABIN_TRACE_TEXT);
	size_t last;
	int fd, i;

	(void)state;
	cabin_tracer_free(x->t);
	opt.out = x->f;
	x->t = cabin_tracer_new(&opt);
	x->o = cabin_tracer_observer(x->t);
	x->a.tid = x->a.pid = getpid();
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ra", dir);
	last = strlen(path) - 1;
	for (i = 0; i < 2; i++) {
		path[last] = "ab"[i];
		close(open(path, O_WRONLY | O_CREAT, 0600));
	}
	/* Unraced; changed and left changed; changed and changed back. */
	for (i = 0; i < 3; i++) {
		path[last] = 'a';
		enter(x, &x->a, SYS_openat, CABIN_ROUTE_TRACE,
		      (uint64_t)AT_FDCWD, A(path), O_RDONLY);
		path[last] = i ? 'b' : 'a';
		fd = open(path, O_RDONLY);
		assert_true(fd >= 0);
		if (i == 2)
			path[last] = 'a';
		result(x, &x->a, fd, true);
		close(fd);
	}
	fflush(x->f);
	snprintf(want, sizeof(want),
		 "[pid %d] openat(AT_FDCWD, \"%s/ra\", O_RDONLY) = %d\n"
		 "[pid %d] openat(AT_FDCWD, \"%s/ra\", O_RDONLY) = %d (raced: opened \"%s/rb\")\n"
		 "[pid %d] openat(AT_FDCWD, \"%s/ra\", O_RDONLY) = %d (raced: opened \"%s/rb\")\n",
		 getpid(), dir, fd, getpid(), dir, fd, dir, getpid(), dir, fd,
		 dir);
	assert_string_equal(x->buf, want);
	for (i = 0; i < 2; i++) {
		path[last] = "ab"[i];
		unlink(path);
	}
	rmdir(dir);
	tfix_free(x);
}

static void test_trace_spawn_exec(void **state)
{
	struct tfix *x = tfix_new(CABIN_TRACE_TEXT);
	const char *argv[] = { "prog", NULL };

	(void)state;
	enter(x, &x->a, SYS_clone, CABIN_ROUTE_TRACE, SIGCHLD, 0, 0);
	event(x, &x->a, (struct cabin_event){
		.kind = CABIN_EV_SPAWN, .tid = 10,
		.spawn = { .child = 12, .kind = CABIN_SPAWN_FORK } });
	result(x, &x->a, 12, true);
	/* Not routed: the event itself is the record. */
	event(x, &x->a, (struct cabin_event){
		.kind = CABIN_EV_SPAWN, .tid = 10,
		.spawn = { .child = 13, .kind = CABIN_SPAWN_VFORK } });
	enter(x, &x->b, SYS_execve, CABIN_ROUTE_TRACE, A("/usr/bin/prog"),
	      A(argv), 0);
	event(x, &x->a, (struct cabin_event){
		.kind = CABIN_EV_EXEC, .tid = 10, .exec.former_tid = 11 });
	result(x, &x->a, 0, true);
	event(x, &x->a, (struct cabin_event){
		.kind = CABIN_EV_EXEC, .tid = 10, .exec.former_tid = 10 });
	/* An allowed call that stopped only at entry: result unknown. */
	enter(x, &x->a, SYS_getpid, CABIN_ROUTE_ALLOW, 0, 0, 0);
	result(x, &x->a, 0, true);
	enter(x, &x->a, SYS_read, CABIN_ROUTE_TRACE, 0, 0x1000, 1);
	cabin_tracer_finish(x->t);
	fflush(x->f);
	assert_string_equal(x->buf,
		"[pid 10] clone(child_stack=NULL, flags=SIGCHLD) = 12\n"
		"[pid 10] --- spawned pid 13 (vfork) ---\n"
		"[pid 11] execve(\"/usr/bin/prog\", [\"prog\"], NULL <unfinished ...>\n"
		"[pid 10] <... execve resumed>) = 0\n"
		"[pid 10] --- exec \"/usr/bin/prog\" ---\n"
		"[pid 10] getpid() = ?\n"
		"[pid 10] read(0,  <unfinished ...>\n");
	tfix_free(x);
}

static void test_trace_jsonl(void **state)
{
	struct tfix *x = tfix_new(CABIN_TRACE_JSONL);

	(void)state;
	enter(x, &x->a, SYS_openat, CABIN_ROUTE_TRACE, (uint64_t)AT_FDCWD,
	      A("/n\xc3\xa9\xff\"o"), O_RDONLY);
	result(x, &x->a, -ENOENT, true);
	enter(x, &x->a, SYS_ptrace, CABIN_ROUTE_DENY, 0, 0, 0);
	result(x, &x->a, -EPERM, false);
	event(x, &x->a, (struct cabin_event){
		.kind = CABIN_EV_EXIT, .tid = 10, .status = 3 << 8 });
	fflush(x->f);
	assert_non_null(strstr(x->buf,
		"{\"kind\":\"syscall\",\"pid\":10,\"tid\":10,\"time\":"));
	assert_non_null(strstr(x->buf,
		",\"syscall\":\"openat\",\"nr\":257,\"args\":[\"AT_FDCWD\",\"\\\"/n\\\\303\\\\251\\\\377\\\\\\\"o\\\"\",\"O_RDONLY\"],\"ret\":-2,\"result\":\"-1 ENOENT (No such file or directory)\",\"errno\":\"ENOENT\",\"duration_ns\":"));
	assert_non_null(strstr(x->buf, "\"errno\":\"EPERM\""));
	assert_non_null(strstr(x->buf, "\"denied\":true,\"emulated\":false}\n"));
	assert_non_null(strstr(x->buf, "{\"kind\":\"exit\",\"pid\":10,\"tid\":10,\"time\":"));
	assert_non_null(strstr(x->buf, ",\"code\":3}\n"));
	tfix_free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openat),
		cmocka_unit_test(test_read_write),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_stat),
		cmocka_unit_test(test_mm),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_sockets),
		cmocka_unit_test(test_msghdr),
		cmocka_unit_test(test_iov),
		cmocka_unit_test(test_process),
		cmocka_unit_test(test_limits_time),
		cmocka_unit_test(test_unknown_and_errors),
		cmocka_unit_test(test_bad_pointers),
		cmocka_unit_test(test_edge_of_mapping),
		cmocka_unit_test(test_huge_counts),
		cmocka_unit_test(test_no_memory),
		cmocka_unit_test(test_strbuf_limit),
		cmocka_unit_test(test_trace_text),
		cmocka_unit_test(test_trace_spawn_exec),
		cmocka_unit_test(test_trace_jsonl),
		cmocka_unit_test(test_trace_raced),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	cabin_sb_free(&out);
	return rc;
}
