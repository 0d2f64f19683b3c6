/*
 * A MAP_SHARED file cut short under its mapping: reading past the new
 * end raises SIGBUS (BUS_ADRERR, si_addr the address read), which the
 * program catches, as on Linux; uncaught, it kills (seen from a forked
 * child's parent).  A syscall whose buffer lies in a page past the end
 * fails with EFAULT and the program goes on, whoever touches the buffer
 * (the host kernel, the monitor copying it, the proxy kernel).  Grown
 * again, the file's pages are there again at the same addresses: they
 * read as zero, and what is written there reaches the file.  Prints one
 * line per step; the output must match the native run's.
 * Usage: kvm_sigbus SCRATCH-DIR
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGES	4

static sigjmp_buf back;
static int file_fd;
static volatile uintptr_t fault_addr;
static volatile int fault_code;

static void on_bus(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	fault_addr = (uintptr_t)si->si_addr;
	fault_code = si->si_code;
	siglongjmp(back, 1);
}

static unsigned char *shared_file(const char *dir, long page)
{
	char path[512];
	unsigned char *m;
	int fd, i;

	snprintf(path, sizeof(path), "%s/sigbus.dat", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, PAGES * page) < 0)
		return NULL;
	m = mmap(NULL, PAGES * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return NULL;
	for (i = 0; i < PAGES; i++)
		m[i * page] = (unsigned char)('a' + i);
	if (ftruncate(fd, page) < 0)
		return NULL;
	file_fd = fd;
	return m;
}

static void caught(unsigned char *m, long at)
{
	volatile unsigned char *p = m + at;

	fault_addr = 0;
	if (sigsetjmp(back, 1) == 0) {
		printf("read at %ld: %d\n", at, *p);
		return;
	}
	printf("read at %ld: SIGBUS %s, si_addr at offset %ld\n", at,
	       fault_code == BUS_ADRERR ? "BUS_ADRERR" : "other code",
	       (long)(fault_addr - (uintptr_t)m));
}

static void result(const char *what, long r)
{
	if (r >= 0)
		printf("%s: %ld\n", what, r);
	else
		printf("%s: -1 %s\n", what,
		       errno == EFAULT ? "EFAULT" : strerror(errno));
}

/* Buffers in the cut pages: each call fails with EFAULT, nothing else. */
static void syscalls_on_cut(unsigned char *m, long page)
{
	void *cut = m + 2 * page + 16, *cut2 = m + 3 * page + 32;
	struct iovec iov = { cut, 64 };
	int fd, sv[2], null_before, null_after;
	socklen_t len;
	char buf[256];

	fd = open("/dev/zero", O_RDONLY);
	result("read into a cut page", read(fd, cut, 64));
	result("readv into a cut page", readv(fd, &iov, 1));
	result("readv with its iovec in a cut page",
	       readv(fd, (struct iovec *)cut2, 1));
	close(fd);
	if (pipe(sv) == 0) {
		result("write from a cut page", write(sv[1], cut, 64));
		close(sv[0]);
		close(sv[1]);
	}
	result("open of a path in a cut page", open((char *)cut, O_RDONLY));
	result("stat of a path in a cut page",
	       syscall(SYS_newfstatat, AT_FDCWD, (char *)cut, buf, 0));
	result("poll of pollfds in a cut page",
	       poll((struct pollfd *)cut, 1, 0));
	result("clock_gettime into a cut page",
	       syscall(SYS_clock_gettime, CLOCK_MONOTONIC, cut));
	result("nanosleep of a timespec in a cut page",
	       syscall(SYS_nanosleep, cut, NULL));
	result("rt_sigaction from a cut page",
	       syscall(SYS_rt_sigaction, SIGUSR1, cut, NULL, 8));
	result("uname into a cut page", syscall(SYS_uname, cut));
	/* The pair is undone: the next descriptor is the one before. */
	null_before = open("/dev/null", O_RDONLY);
	close(null_before);
	result("pipe into a cut page", syscall(SYS_pipe2, cut, 0));
	result("socketpair into a cut page",
	       syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, cut));
	null_after = open("/dev/null", O_RDONLY);
	close(null_after);
	printf("descriptors left behind: %s\n",
	       null_after == null_before ? "none" : "some");
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0) {
		result("sendmsg of a msghdr in a cut page",
		       sendmsg(sv[0], (struct msghdr *)cut, 0));
		len = sizeof(int);
		result("getsockopt's length in a cut page",
		       getsockopt(sv[0], SOL_SOCKET, SO_TYPE, buf,
				  (socklen_t *)cut));
		result("getsockopt's value in a cut page",
		       getsockopt(sv[0], SOL_SOCKET, SO_TYPE, cut, &len));
		close(sv[0]);
		close(sv[1]);
	}
}

/* The file grows back: the same addresses are its pages again. */
static void grown_back(unsigned char *m, long page)
{
	unsigned char c = 0;

	if (ftruncate(file_fd, PAGES * page) < 0) {
		perror("kvm_sigbus: ftruncate");
		return;
	}
	caught(m, 2 * page + 8);
	caught(m, 3 * page + 100);
	m[3 * page + 200] = 'q';
	if (pread(file_fd, &c, 1, 3 * page + 200) != 1)
		c = '?';
	printf("written through the mapping, read from the file: %c\n", c);
	/* Cut again: a signal again. */
	if (ftruncate(file_fd, page) < 0)
		return;
	caught(m, 3 * page + 200);
}

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	struct sigaction sa;
	unsigned char *m;
	pid_t pid;
	int st;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 2 || !(m = shared_file(argv[1], page))) {
		perror("kvm_sigbus: setup");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_bus;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGBUS, &sa, NULL);
	caught(m, 0);
	caught(m, 2 * page + 8);
	caught(m, 3 * page + 100);
	caught(m, page - 1);
	pid = fork();
	if (pid == 0) {
		signal(SIGBUS, SIG_DFL);
		printf("child reads past the end: %c\n", m[2 * page]);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	if (WIFSIGNALED(st))
		printf("child: killed by %s\n", strsignal(WTERMSIG(st)));
	else
		printf("child: status %#x\n", st);
	syscalls_on_cut(m, page);
	caught(m, 2 * page + 8);
	grown_back(m, page);
	return 0;
}
