/*
 * The x86-64 rt_sigframe: built on the program's stack where Linux's
 * get_sigframe would put it, and read back at rt_sigreturn.  What comes
 * back is the program's to forge, so it is cut down to what a CPL3
 * program may hold before it reaches the proxy kernel's iretq.
 */
#include <errno.h>
#include <string.h>

#include "platform/kvm/linux/sigframe.h"

/* The lower canonical half: all a CPL3 program can address or run. */
#define USER_TOP	(1ull << 47)
#define REDZONE		128ull
#define FRAME_ALIGN	16ull
#define FPSTATE_ALIGN	64ull
#define TRAP_PF		14

#define FL_CF		0x00000001ull
#define FL_FIXED1	0x00000002ull	/* reads as 1 */
#define FL_PF		0x00000004ull
#define FL_AF		0x00000010ull
#define FL_ZF		0x00000040ull
#define FL_SF		0x00000080ull
#define FL_TF		0x00000100ull
#define FL_IF		0x00000200ull
#define FL_DF		0x00000400ull
#define FL_OF		0x00000800ull
#define FL_RF		0x00010000ull
#define FL_AC		0x00040000ull
/*
 * Linux's FIX_EFLAGS: what popf could set at CPL3 anyway.  IOPL, IF and
 * VM are privilege, and NT would make the proxy kernel's own iretq fault.
 */
#define FL_RESTORABLE	(FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_TF | \
			 FL_DF | FL_OF | FL_RF | FL_AC)
/*
 * Cleared for the handler as handle_signal does: the ABI wants DF clear
 * at a call, RF would hide a breakpoint, TF would trap in the handler.
 */
#define FL_HANDLER_CLEAR	(FL_TF | FL_DF | FL_RF)

struct placement {
	uint64_t frame;
	uint64_t fpstate;
};

static bool user_range(uint64_t addr, uint64_t len)
{
	return addr < USER_TOP && len <= USER_TOP - addr;
}

static uint64_t round_down(uint64_t x, uint64_t align)
{
	return x & ~(align - 1);
}

/* Linux's get_sigframe, for an fxsave-only fpstate; -EFAULT on overflow. */
static int place(const struct cabin_ksig *s, const struct cabin_kvm_frame *regs,
		 const struct cabin_ksig_action *ka, struct placement *p)
{
	bool nested = cabin_ksig_on_altstack(s, regs->rsp);
	bool entering = false;
	uint64_t sp = regs->rsp - REDZONE;

	if ((ka->flags & CABIN_KSIG_SA_ONSTACK) && s->alt_size &&
	    !cabin_ksig_on_altstack(s, sp)) {
		sp = s->alt_sp + s->alt_size;
		entering = true;
	}
	p->fpstate = round_down(sp - CABIN_KSIG_FXSAVE_SIZE, FPSTATE_ALIGN);
	/* -8: the handler sees the frame as a call's return address. */
	p->frame = round_down(p->fpstate -
			      sizeof(struct cabin_ksig_rt_sigframe),
			      FRAME_ALIGN) - 8;
	/* Past the altstack's bottom lies memory the program did not give. */
	if ((nested || entering) && !cabin_ksig_within_altstack(s, p->frame))
		return -EFAULT;
	/* A user page mapped above 2^47 would still be no stack for iretq. */
	if (!user_range(p->frame, sizeof(struct cabin_ksig_rt_sigframe)) ||
	    !user_range(p->fpstate, CABIN_KSIG_FXSAVE_SIZE))
		return -EFAULT;
	return 0;
}

/*
 * The software area stays zero: without FP_XSTATE_MAGIC1 glibc and the
 * program read the image as plain fxsave, which is all we claim.
 */
static void build_fpstate(uint8_t *fp, const uint8_t *fx)
{
	memset(fp, 0, CABIN_KSIG_FXSAVE_SIZE);
	if (fx)
		memcpy(fp, fx, CABIN_KSIG_FXSAVE_SW);
}

static void save_regs(struct cabin_ksig_sigcontext *sc,
		      const struct cabin_kvm_frame *r)
{
	sc->r8 = r->r8;
	sc->r9 = r->r9;
	sc->r10 = r->r10;
	sc->r11 = r->r11;
	sc->r12 = r->r12;
	sc->r13 = r->r13;
	sc->r14 = r->r14;
	sc->r15 = r->r15;
	sc->rdi = r->rdi;
	sc->rsi = r->rsi;
	sc->rbp = r->rbp;
	sc->rbx = r->rbx;
	sc->rdx = r->rdx;
	sc->rax = r->rax;
	sc->rcx = r->rcx;
	sc->rsp = r->rsp;
	sc->rip = r->rip;
	sc->eflags = r->rflags;
	sc->cs = (uint16_t)r->cs;
	sc->ss = (uint16_t)r->ss;
}

/*
 * Linux reports the last trap of the thread; here it is the frame's own
 * trap, and cr2 only when the signal is that page fault's.
 */
static void save_trap(struct cabin_ksig_sigcontext *sc,
		      const struct cabin_kvm_frame *r, const siginfo_t *info)
{
	if (r->vector >= 32)
		return;
	sc->trapno = r->vector;
	sc->err = r->error;
	if (r->vector == TRAP_PF && info->si_code > 0 &&
	    (info->si_signo == SIGSEGV || info->si_signo == SIGBUS))
		sc->cr2 = (uint64_t)(uintptr_t)info->si_addr;
}

static void build_frame(struct cabin_ksig_rt_sigframe *f,
			const struct cabin_ksig *s,
			const struct cabin_kvm_frame *regs,
			const struct cabin_ksig_action *ka,
			const siginfo_t *info, uint64_t fpstate,
			uint64_t saved_mask)
{
	memset(f, 0, sizeof(*f));
	f->pretcode = ka->restorer;
	f->uc.uc_flags = CABIN_KSIG_UC_SIGCONTEXT_SS |
			 CABIN_KSIG_UC_STRICT_RESTORE_SS;
	/* The armed altstack, before SS_AUTODISARM drops it: sigreturn re-arms. */
	f->uc.uc_stack.sp = s->alt_sp;
	f->uc.uc_stack.flags = (int32_t)s->alt_flags;
	f->uc.uc_stack.size = s->alt_size;
	save_regs(&f->uc.uc_mcontext, regs);
	save_trap(&f->uc.uc_mcontext, regs, info);
	f->uc.uc_mcontext.oldmask = saved_mask;
	f->uc.uc_mcontext.fpstate = fpstate;
	f->uc.uc_sigmask = saved_mask;
	/* Linux copies it for SA_SIGINFO only; the bytes are the frame's anyway. */
	f->info = *info;
}

static void enter_handler(struct cabin_kvm_frame *regs,
			  const struct cabin_ksig_action *ka, int sig,
			  uint64_t frame)
{
	regs->rdi = (uint64_t)sig;
	regs->rsi = frame + offsetof(struct cabin_ksig_rt_sigframe, info);
	regs->rdx = frame + offsetof(struct cabin_ksig_rt_sigframe, uc);
	/* A handler declared without a prototype may be variadic. */
	regs->rax = 0;
	regs->rip = ka->handler;
	regs->rsp = frame;
	regs->cs = CABIN_KVM_SEL_UCODE;
	regs->ss = CABIN_KVM_SEL_UDATA;
	regs->rflags &= ~FL_HANDLER_CLEAR;
}

int cabin_ksig_setup_frame(const struct cabin_ksig *s,
			   const struct cabin_gmem *g,
			   struct cabin_kvm_frame *regs,
			   const struct cabin_ksig_action *ka,
			   const siginfo_t *info, const uint8_t *fx,
			   uint64_t saved_mask)
{
	struct cabin_ksig_rt_sigframe f;
	uint8_t fp[CABIN_KSIG_FXSAVE_SIZE];
	struct placement p;

	/* x86-64 has no kernel trampoline to return through. */
	if (!(ka->flags & CABIN_KSIG_SA_RESTORER))
		return -EFAULT;
	/* iretq to a non-canonical rip would fault in the proxy kernel. */
	if (ka->handler >= USER_TOP)
		return -EFAULT;
	if (place(s, regs, ka, &p))
		return -EFAULT;
	build_fpstate(fp, fx);
	build_frame(&f, s, regs, ka, info, p.fpstate, saved_mask);
	if (cabin_gmem_write(g, p.fpstate, fp, sizeof(fp)) ||
	    cabin_gmem_write(g, p.frame, &f, sizeof(f)))
		return -EFAULT;
	enter_handler(regs, ka, info->si_signo, p.frame);
	return 0;
}

static void restore_regs(struct cabin_kvm_frame *r,
			 const struct cabin_ksig_sigcontext *sc)
{
	r->r8 = sc->r8;
	r->r9 = sc->r9;
	r->r10 = sc->r10;
	r->r11 = sc->r11;
	r->r12 = sc->r12;
	r->r13 = sc->r13;
	r->r14 = sc->r14;
	r->r15 = sc->r15;
	r->rdi = sc->rdi;
	r->rsi = sc->rsi;
	r->rbp = sc->rbp;
	r->rbx = sc->rbx;
	r->rdx = sc->rdx;
	r->rax = sc->rax;
	r->rcx = sc->rcx;
	r->rsp = sc->rsp;
	r->rip = sc->rip;
	r->rflags = FL_FIXED1 | FL_IF | (sc->eflags & FL_RESTORABLE);
	/* A forged cs of 0x10 would return to CPL0: the selectors are ours. */
	r->cs = CABIN_KVM_SEL_UCODE;
	r->ss = CABIN_KVM_SEL_UDATA;
}

long cabin_ksig_sigreturn(struct cabin_ksig *s, const struct cabin_gmem *g,
			  struct cabin_kvm_frame *regs)
{
	struct cabin_ksig_ucontext uc;
	const struct cabin_ksig_sigcontext *sc = &uc.uc_mcontext;
	/* The handler's ret popped pretcode: the frame is 8 below rsp. */
	uint64_t frame = regs->rsp - 8;

	if (cabin_gmem_read(g, frame + offsetof(struct cabin_ksig_rt_sigframe,
						uc), &uc, sizeof(uc)))
		return -EFAULT;
	if (sc->rip >= USER_TOP || sc->rsp >= USER_TOP)
		return -EINVAL;
	restore_regs(regs, sc);
	s->blocked = uc.uc_sigmask & ~CABIN_KSIG_UNBLOCKABLE;
	/* As restore_altstack: judged against the restored rsp, errors dropped. */
	(void)cabin_ksig_set_altstack(s, &uc.uc_stack, regs->rsp);
	return 0;
}
