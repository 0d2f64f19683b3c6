/*
 * Hide a call from the trace: a thread waits in read(), which the
 * default profile lets run without a stop; the main thread installs a
 * filter of its own with SECCOMP_FILTER_FLAG_TSYNC that answers ptrace
 * with EACCES, then wakes the thread, which calls ptrace.  EACCES outranks
 * cabin's stop, so unless cabin follows the thread's syscall entries
 * from the install on, the call is in no trace.  The program cannot see
 * the trace: it says what it did, the runner looks for the call there.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

static int wake[2];
static long thread_ret;
static int thread_errno;

static void *call_ptrace(void *arg)
{
	char c;

	(void)arg;
	if (read(wake[0], &c, 1) != 1)
		return NULL;
	errno = 0;
	thread_ret = syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);
	thread_errno = errno;
	return NULL;
}

static int install_tsync_filter(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ptrace, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(*f), f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			    SECCOMP_FILTER_FLAG_TSYNC, &prog);
}

int main(void)
{
	pthread_t thread;

	if (pipe(wake) || pthread_create(&thread, NULL, call_ptrace, NULL)) {
		printf("CONTAINED no thread: %s\n", strerrorname_np(errno));
		return 0;
	}
	if (install_tsync_filter()) {
		printf("CONTAINED could not install a TSYNC filter: %s\n",
		       strerrorname_np(errno));
		return 0;
	}
	if (write(wake[1], "x", 1) != 1 || pthread_join(thread, NULL)) {
		printf("CONTAINED the thread did not run\n");
		return 0;
	}
	printf("CONTAINED ptrace from a thread answered by our TSYNC filter: %ld %s\n",
	       thread_ret, thread_ret == -1 ? strerrorname_np(thread_errno) : "");
	return 0;
}
