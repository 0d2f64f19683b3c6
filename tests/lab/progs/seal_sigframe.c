/*
 * Adversarial: a signal handler sets the PKRU image in its signal frame
 * to 0 (every key readable), and rt_sigreturn loads it; then a read of
 * code.  Under --xom cabin kills the program at rt_sigreturn; without
 * it, or natively ("native"), the read works.
 */
#include <ucontext.h>

#include "xom_common.h"

#ifndef FP_XSTATE_MAGIC1
#define FP_XSTATE_MAGIC1 0x46505853u
#endif

static void on_usr1(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	unsigned char *fx = (unsigned char *)uc->uc_mcontext.fpregs;
	uint32_t magic, zero = 0;
	uint64_t bv;

	(void)sig;
	(void)si;
	memcpy(&magic, fx + 464, sizeof(magic));
	if (magic != FP_XSTATE_MAGIC1) {
		say("frame: no xstate\n");
		return;
	}
	memcpy(&bv, fx + 512, sizeof(bv));
	bv |= 1ull << 9;
	memcpy(fx + 512, &bv, sizeof(bv));
	memcpy(fx + pkru_offset(), &zero, sizeof(zero));
	say("frame: pkru 0\n");
}

int main(int argc, char **argv)
{
	const volatile unsigned char *target = pick_target(argc, argv);
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	say("sigreturn: back\n");
	read_code(target);
	return 0;
}
