/*
 * The x86-64 rt_sigframe exactly as Linux lays it out (uapi sigcontext.h
 * and ucontext.h), since glibc's and every program's handlers read it at
 * fixed offsets; and the building of one for a handler.
 */
#ifndef CABIN_PLATFORM_KVM_SIGFRAME_H
#define CABIN_PLATFORM_KVM_SIGFRAME_H

#include <stddef.h>
#include <stdint.h>

#include "platform/kvm/linux/ksignal.h"

#define CABIN_KSIG_FXSAVE_SIZE		512
/* fxsave bytes 464..511: the software area that would announce xstate. */
#define CABIN_KSIG_FXSAVE_SW		464
#define CABIN_KSIG_UC_SIGCONTEXT_SS	0x2ull
#define CABIN_KSIG_UC_STRICT_RESTORE_SS	0x4ull

struct cabin_ksig_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;	/* guest address of the fxsave image */
	uint64_t reserved1[8];
};

struct cabin_ksig_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct cabin_ksig_stack uc_stack;
	struct cabin_ksig_sigcontext uc_mcontext;
	uint64_t uc_sigmask;
};

struct cabin_ksig_rt_sigframe {
	uint64_t pretcode;	/* sa_restorer: the handler's return address */
	struct cabin_ksig_ucontext uc;
	siginfo_t info;
};

_Static_assert(sizeof(struct cabin_ksig_sigcontext) == 256, "sigcontext");
_Static_assert(offsetof(struct cabin_ksig_sigcontext, cs) == 144, "cs");
_Static_assert(offsetof(struct cabin_ksig_sigcontext, err) == 152, "err");
_Static_assert(sizeof(struct cabin_ksig_ucontext) == 304, "ucontext");
_Static_assert(offsetof(struct cabin_ksig_ucontext, uc_mcontext) == 40,
	       "uc_mcontext");
_Static_assert(offsetof(struct cabin_ksig_rt_sigframe, info) == 312, "info");
_Static_assert(sizeof(struct cabin_ksig_rt_sigframe) == 440, "rt_sigframe");

/*
 * Write the frame for the handler ka of info->si_signo, saving *regs, fx
 * (NULL: zeros) and saved_mask, and point *regs at the handler; the
 * caller has already applied any syscall restart.  -EFAULT when the
 * frame cannot be built (see cabin_ksig_deliver), *regs untouched.
 */
int cabin_ksig_setup_frame(const struct cabin_ksig *s,
			   const struct cabin_gmem *g,
			   struct cabin_kvm_frame *regs,
			   const struct cabin_ksig_action *ka,
			   const siginfo_t *info, const uint8_t *fx,
			   uint64_t saved_mask);

#endif
