/*
 * Forge the proxy's route: install a seccomp filter of our own that
 * answers SECCOMP_RET_TRACE with the data cabin uses for its fallback
 * (allow) route, then try keyctl, which cabin denies.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KEYCTL_GET_KEYRING_ID 0
#define KEY_SPEC_SESSION_KEYRING -3

static int install_forger(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_keyctl, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE | 0xffff),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(*f), f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

int main(void)
{
	long r;

	if (install_forger()) {
		printf("CONTAINED could not install a filter: %s\n",
		       strerrorname_np(errno));
		return 0;
	}
	r = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID,
		    KEY_SPEC_SESSION_KEYRING, 0);
	if (r >= 0)
		printf("ESCAPED keyctl ran after a forged RET_DATA (keyring %ld)\n",
		       r);
	else if (errno == ENOSYS)
		printf("CONTAINED keyctl failed: ENOSYS (no tracer: the forged stop went nowhere)\n");
	else
		printf("CONTAINED keyctl after a forged RET_DATA failed: %s\n",
		       strerrorname_np(errno));
	return 0;
}
