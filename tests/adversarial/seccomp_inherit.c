/*
 * A listener from outside: `seccomp_inherit outer CMD...` installs a
 * filter that sends keyctl to USER_NOTIF, keeps its listener open across
 * exec and runs CMD (cabin, running `seccomp_inherit inner FD`).  The
 * filter is on cabin's whole tree; if the program still holds the
 * listener it answers "continue" and keyctl, which cabin denies, runs:
 * USER_NOTIF outranks cabin's stop.  Without the listener the call
 * answers ENOSYS.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "notif_continue.h"

#define KEYCTL_GET_KEYRING_ID 0
#define KEY_SPEC_SESSION_KEYRING -3

static int outer(char **cmd)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_keyctl, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(*f), f };
	char fd[16];
	int listener;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return 1;
	listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (listener < 0) {
		printf("CONTAINED no listener even outside cabin: %s\n",
		       strerrorname_np(errno));
		return 0;
	}
	/* The kernel makes it close-on-exec: a careless launcher does not. */
	if (fcntl(listener, F_SETFD, 0) < 0)
		return 1;
	snprintf(fd, sizeof(fd), "%d", listener);
	setenv("SECCOMP_INHERIT_FD", fd, 1);
	execvp(cmd[0], cmd);
	return 127;
}

static int inner(void)
{
	const char *env = getenv("SECCOMP_INHERIT_FD");
	static int fd;
	pthread_t thread;
	const char *held;
	long r;

	fd = env ? atoi(env) : -1;
	held = fcntl(fd, F_GETFD) < 0 ? "gone" : "held";
	if (fd >= 0 && *held == 'h' &&
	    pthread_create(&thread, NULL, answer_continue, &fd)) {
		printf("CONTAINED no thread\n");
		return 0;
	}
	r = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID,
		    KEY_SPEC_SESSION_KEYRING, 0);
	if (r >= 0)
		printf("ESCAPED keyctl, denied by cabin, ran through the inherited listener %d (keyring %ld)\n",
		       fd, r);
	else
		printf("CONTAINED inherited listener %d %s; keyctl failed: %s\n",
		       fd, held, strerrorname_np(errno));
	fflush(stdout);
	_exit(0);
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "outer"))
		return outer(argv + 2);
	return inner();
}
