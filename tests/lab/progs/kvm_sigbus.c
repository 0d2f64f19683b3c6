/*
 * A MAP_SHARED file cut short under its mapping: reading past the new
 * end raises SIGBUS (BUS_ADRERR, si_addr the address read), which the
 * program catches, as on Linux; uncaught, it kills (seen from a forked
 * child's parent).  Prints one line per step; the output must match the
 * native run's.
 * Usage: kvm_sigbus SCRATCH-DIR
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGES	4

static sigjmp_buf back;
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
	close(fd);
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
	return 0;
}
