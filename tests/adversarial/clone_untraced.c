/*
 * Escape attempt: raw clone(CLONE_UNTRACED) so the child is not auto-attached
 * by a ptrace-based supervisor; the child outlives its parent, writes a
 * marker file (argv[1]) and tries ptrace(PTRACE_TRACEME), recording what it
 * got.  It holds the program's stdout until it ends, so a reader of that
 * pipe knows when the marker is written.
 *
 * Where cabin emulates ptrace for tracers inside (LeakSanitizer's tracer
 * task is such a clone), the flag is taken off instead of the call being
 * refused, and the child stays traced like every task.  The child tells
 * which with a call the policy denies through the proxy (process_vm_readv,
 * seccomp's RET_TRACE): traced, cabin answers EPERM; untraced, the
 * kernel answers ENOSYS (no tracer) and cabin never sees the child.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long tracer_pid(void)
{
	char line[256];
	long pid = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "TracerPid: %ld", &pid) == 1)
			break;
	fclose(f);
	return pid;
}

/*
 * Until the parent has exited (the child is reparented), polled every
 * 10 ms; 60 s bounds only a hang.
 */
static void outlive(pid_t parent)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	for (i = 0; i < 6000 && getppid() == parent; i++)
		nanosleep(&ts, NULL);
}

static void child(const char *marker, pid_t parent, int tell)
{
	long tracer;
	long r;
	FILE *f;
	int err;

	errno = 0;
	syscall(SYS_process_vm_readv, getpid(), NULL, 0L, NULL, 0L, 0L);
	err = errno;
	if (write(tell, &err, sizeof(err)) != sizeof(err))
		_exit(1);
	close(tell);

	outlive(parent);
	tracer = tracer_pid();
	errno = 0;
	r = ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	f = fopen(marker, "w");
	if (!f)
		_exit(1);
	fprintf(f, "untraced child %d alive, ppid %d, TracerPid %ld, ptrace(PTRACE_TRACEME) = %ld (%s)\n",
		getpid(), getppid(), tracer, r, r ? strerrorname_np(errno) : "ok");
	fclose(f);
	_exit(0);
}

int main(int argc, char **argv)
{
	pid_t parent = getpid();
	int tell[2], err = 0;
	long pid;

	if (argc != 2) {
		fprintf(stderr, "usage: %s MARKER-FILE\n", argv[0]);
		return 2;
	}
	if (pipe(tell) < 0)
		return 2;
	/* No stack argument: the child runs on a copy of ours, like fork(). */
	pid = syscall(SYS_clone, CLONE_UNTRACED | SIGCHLD, 0L, NULL, NULL, 0L);
	if (pid == 0)
		child(argv[1], parent, tell[1]);
	if (pid < 0) {
		printf("CONTAINED clone(CLONE_UNTRACED) failed: %s\n",
		       strerrorname_np(errno));
		return 0;
	}
	close(tell[1]);
	if (read(tell[0], &err, sizeof(err)) == sizeof(err) && err == EPERM) {
		printf("CONTAINED clone(CLONE_UNTRACED) made a child cabin traces (a denied call: %s)\n",
		       strerrorname_np(err));
		return 0;
	}
	printf("ESCAPED clone(CLONE_UNTRACED) created untraced pid %ld\n", pid);
	return 0;
}
