/*
 * Outrank the proxy with a seccomp filter of our own: SECCOMP_RET_USER_NOTIF
 * ranks above cabin's SECCOMP_RET_TRACE, so if we hold the filter's
 * listener and answer SECCOMP_USER_NOTIF_FLAG_CONTINUE from a thread, the
 * call runs and cabin never stops it.  Two calls go that way: keyctl,
 * which cabin denies, and an open of MARKER (argument 1), which the trace
 * profile must record.  When the listener is refused, the same filter
 * goes in without one: USER_NOTIF then answers ENOSYS and nothing runs,
 * and the trace must still show the open, as that filter's answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "notif_continue.h"

#define KEYCTL_GET_KEYRING_ID 0
#define KEY_SPEC_SESSION_KEYRING -3

static int install_notifier(unsigned int flags)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_keyctl, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(*f), f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags,
			    &prog);
}

static long keyctl_session(void)
{
	return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID,
		       KEY_SPEC_SESSION_KEYRING, 0);
}

static void open_marker(const char *marker)
{
	char c;
	int fd;

	if (!marker)
		return;
	fd = open(marker, O_RDONLY);
	if (fd >= 0) {
		if (read(fd, &c, 1) < 0)
			c = 0;
		close(fd);
	}
}

int main(int argc, char **argv)
{
	const char *marker = argc > 1 ? argv[1] : NULL;
	pthread_t thread;
	int listener;
	long r;

	listener = install_notifier(SECCOMP_FILTER_FLAG_NEW_LISTENER);
	if (listener < 0) {
		int why = errno;

		if (install_notifier(0) < 0) {
			printf("CONTAINED seccomp(SECCOMP_FILTER_FLAG_NEW_LISTENER) refused: %s, and a filter without a listener too: %s\n",
			       strerrorname_np(why), strerrorname_np(errno));
			open_marker(marker);
			return 0;
		}
		open_marker(marker);
		r = keyctl_session();
		if (r >= 0)
			printf("ESCAPED keyctl ran behind a filter without a listener (keyring %ld)\n",
			       r);
		else
			printf("CONTAINED seccomp(SECCOMP_FILTER_FLAG_NEW_LISTENER) refused: %s; without a listener keyctl answers %s\n",
			       strerrorname_np(why), strerrorname_np(errno));
		return 0;
	}
	if (pthread_create(&thread, NULL, answer_continue, &listener)) {
		printf("CONTAINED no thread to answer notifications\n");
		return 0;
	}
	open_marker(marker);
	r = keyctl_session();
	if (r >= 0)
		printf("ESCAPED keyctl, denied by cabin, ran behind our listener (keyring %ld)\n",
		       r);
	else
		printf("CONTAINED keyctl behind our listener failed: %s\n",
		       strerrorname_np(errno));
	fflush(stdout);
	_exit(0);
}
