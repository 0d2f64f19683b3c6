/*
 * A program for the --gdb tests (dynamically linked PIE, built with -g):
 *   debugme            calls add(20, 22), prints it, exits 42 - 39 = 3
 *   debugme threads    three threads meet in worker(), print, exit 0
 *   debugme watch      writes `watched` twice, exits 5
 *   debugme fork       a child calls add(1, 2) and exits 0 if it got 3;
 *                      the parent prints its status, then as debugme
 *   debugme spin       loops until a debugger clears `spin`, exits 9
 *   debugme signal     raises SIGUSR1 (a handler counts it), prints the count
 *   debugme sysloop    a thread calls getppid() for ever, main spins
 *   debugme deny       calls add, then mount(2) (denied and reported),
 *                      prints the errno's name, exits 7
 *   debugme vfork      a vfork child calls add(1, 2) (exits 0 if it got
 *                      3); the parent prints its status, then as debugme
 *   debugme forkexec   a child runs `debugme grandchild ADDR` (ADDR: add's
 *                      address here), which maps a page of 0x90 there,
 *                      forks, and prints whether the page stayed clean in
 *                      the grandchild; then as debugme
 *   debugme exec       runs itself again (/proc/self/exe), as debugme
 *   debugme vforkexec  a vfork child runs itself again (exits 3); the
 *                      parent prints its status, then as debugme
 *   debugme shared F   maps file F shared (rwx) at 0x700000000000, prints
 *                      "mapped", raises SIGUSR1 (a stop for gdb), exits 0
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

volatile int watched;
volatile int spin = 1;
static pthread_barrier_t meet;
static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
}

__attribute__((noinline)) int add(int a, int b)
{
	int sum = a + b;

	return sum;
}

__attribute__((noinline)) void *sysloop(void *arg)
{
	for (;;)
		syscall(SYS_getppid);
	return arg;
}

/* Reached when all three threads exist: a breakpoint here sees them. */
__attribute__((noinline)) void met(void)
{
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void *worker(void *arg)
{
	pthread_barrier_wait(&meet);
	met();
	pthread_barrier_wait(&meet);
	return arg;
}

static int threads(void)
{
	pthread_t t[2];
	int i;

	pthread_barrier_init(&meet, NULL, 3);
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	worker(NULL);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	puts("threads done");
	return 0;
}

/* Another program's page where the debugged one has add(): clean? */
static int grandchild(const char *addr_s)
{
	uintptr_t addr = strtoull(addr_s, NULL, 16), page = addr & ~4095ul;
	unsigned char *p;
	int status;
	pid_t pid;

	p = mmap((void *)page, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED) {
		puts("grandchild: no page");
		return 0;
	}
	memset(p, 0x90, 4096);
	pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 4096; i++)
			if (p[i] != 0x90)
				_exit(1);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	puts(status == 0 ? "grandchild clean" : "grandchild dirty");
	return 0;
}

int main(int argc, char **argv)
{
	int r;

	if (argc > 2 && !strcmp(argv[1], "grandchild"))
		return grandchild(argv[2]);
	if (argc > 2 && !strcmp(argv[1], "shared")) {
		int fd = open(argv[2], O_RDWR);
		void *p = mmap((void *)0x700000000000, 4096,
			       PROT_READ | PROT_WRITE | PROT_EXEC,
			       MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);

		puts(p == MAP_FAILED ? "not mapped" : "mapped");
		fflush(stdout);
		raise(SIGUSR1);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "exec")) {
		execl("/proc/self/exe", argv[0], (char *)NULL);
		return 127;
	}
	if (argc > 1 && !strcmp(argv[1], "vforkexec")) {
		pid_t pid = vfork();
		int status;

		if (pid == 0) {
			execl("/proc/self/exe", argv[0], (char *)NULL);
			_exit(127);
		}
		waitpid(pid, &status, 0);
		printf("vfork child status %#x\n", status);
	}
	if (argc > 1 && !strcmp(argv[1], "vfork")) {
		pid_t pid = vfork();
		int status;

		if (pid == 0)
			_exit(add(1, 2) == 3 ? 0 : 1);
		waitpid(pid, &status, 0);
		printf("vfork child status %#x\n", status);
	}
	if (argc > 1 && !strcmp(argv[1], "forkexec")) {
		char addr[32];
		pid_t pid;
		int status;

		snprintf(addr, sizeof(addr), "%lx", (unsigned long)(uintptr_t)add);
		pid = fork();
		if (pid == 0) {
			execl("/proc/self/exe", argv[0], "grandchild", addr,
			      (char *)NULL);
			_exit(127);
		}
		waitpid(pid, &status, 0);
	}
	if (argc > 1 && !strcmp(argv[1], "threads"))
		return threads();
	if (argc > 1 && !strcmp(argv[1], "signal")) {
		signal(SIGUSR1, on_usr1);
		raise(SIGUSR1);
		printf("handled %d\n", (int)handled);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "sysloop")) {
		pthread_t t;

		pthread_create(&t, NULL, sysloop, NULL);
		while (spin)
			;
		return 9;
	}
	if (argc > 1 && !strcmp(argv[1], "spin")) {
		while (spin)
			;
		return 9;
	}
	if (argc > 1 && !strcmp(argv[1], "watch")) {
		watched = 1;
		watched = 2;
		printf("watched %d\n", watched);
		return 5;
	}
	if (argc > 1 && !strcmp(argv[1], "fork")) {
		pid_t pid = fork();
		int status;

		if (pid == 0)
			_exit(add(1, 2) == 3 ? 0 : 1);
		waitpid(pid, &status, 0);
		printf("child status %#x\n", status);
	}
	r = add(20, 22);
	printf("sum %d\n", r);
	if (argc > 1 && !strcmp(argv[1], "deny")) {
		r = mount("none", "/tmp", "tmpfs", 0, NULL);
		printf("mount: %s\n", r < 0 ? strerrorname_np(errno) : "ok");
		return 7;
	}
	return r - 39;
}
