/*
 * The kvm platform's signal emulation: the syscalls through guest memory,
 * default actions, and the rt_sigframe checked byte for byte against
 * glibc's own ucontext_t, so a layout error cannot hide behind our
 * structs; then rt_sigreturn from honest and hostile frames.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ucontext.h>
#include <cmocka.h>

#include "platform/kvm/linux/ksignal.h"
#include "platform/kvm/linux/sigframe.h"

#define MiB		(1ull << 20)
#define URW		(CABIN_GMEM_USER | CABIN_GMEM_R | CABIN_GMEM_W)
#define STACK_LO	0x200000ull
#define STACK_HI	0x220000ull
#define SCRATCH		0x210000ull	/* syscall arguments, on the stack range */
#define UNMAPPED	0x230000ull
#define SUPER		0x240000ull	/* RW, kernel only */
#define RDONLY		0x250000ull	/* user, read-only */
#define ALT_MAP		0x2f0000ull	/* mapped below the altstack too */
#define ALT_SP		0x300000ull
#define ALT_SIZE	0x4000ull
#define HANDLER		0x401000ull
#define RESTORER	0x401800ull
#define USER_RIP	0x401236ull	/* just after a syscall instruction */
#define USER_RSP	0x21f123ull	/* deliberately misaligned */
#define USER_FLAGS	0x747ull	/* CF PF ZF TF IF DF and bit 1 */
#define NR_POLL		7
#define B(sig)		CABIN_KSIG_BIT(sig)

static struct cabin_gmem g;
static struct cabin_ksig s;

static int setup(void **state)
{
	(void)state;
	if (cabin_gmem_init(&g, 4 * MiB) ||
	    cabin_gmem_map(&g, STACK_LO, STACK_LO, STACK_HI - STACK_LO, URW) ||
	    cabin_gmem_map(&g, SUPER, SUPER, 0x1000,
			   CABIN_GMEM_R | CABIN_GMEM_W) ||
	    cabin_gmem_map(&g, RDONLY, RDONLY, 0x1000,
			   CABIN_GMEM_USER | CABIN_GMEM_R) ||
	    cabin_gmem_map(&g, ALT_MAP, ALT_MAP, ALT_SP + ALT_SIZE - ALT_MAP,
			   URW))
		return -1;
	cabin_ksig_init(&s);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cabin_gmem_free(&g);
	return 0;
}

/* Identity mapped: guest address a is host offset a. */
static void *at(uint64_t gva)
{
	return g.host + gva;
}

static uint64_t peek64(uint64_t gva)
{
	uint64_t v;

	memcpy(&v, at(gva), sizeof(v));
	return v;
}

static siginfo_t info_of(int sig, int code)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	si.si_pid = 4242;
	si.si_uid = 1000;
	return si;
}

static void queue(int sig)
{
	siginfo_t si = info_of(sig, SI_USER);

	cabin_ksig_queue(&s, &si);
}

static void install(int sig, uint64_t handler, uint64_t flags, uint64_t mask)
{
	struct cabin_ksig_action a = { handler, flags, RESTORER, mask };

	memcpy(at(SCRATCH), &a, sizeof(a));
	assert_int_equal(cabin_ksig_sigaction(&s, &g, sig, SCRATCH, 0, 8), 0);
}

static void handle(int sig, uint64_t flags, uint64_t mask)
{
	install(sig, HANDLER, flags | CABIN_KSIG_SA_RESTORER, mask);
}

static void set_altstack(uint64_t sp, uint32_t flags, uint64_t size)
{
	struct cabin_ksig_stack st = { sp, (int32_t)flags, 0, size };

	memcpy(at(SCRATCH), &st, sizeof(st));
	assert_int_equal(cabin_ksig_sigaltstack(&s, &g, SCRATCH, 0, USER_RSP),
			 0);
}

/* A program stopped at a syscall's return, every register distinct. */
static struct cabin_kvm_frame user_regs(void)
{
	struct cabin_kvm_frame r = {
		.r15 = 0x1515, .r14 = 0x1414, .r13 = 0x1313, .r12 = 0x1212,
		.r11 = 0x1111, .r10 = 0x1010, .r9 = 0x0909, .r8 = 0x0808,
		.rbp = 0xb0b0, .rdi = 0xd1d1, .rsi = 0x5151, .rdx = 0xd0d0,
		.rcx = 0xc0c0, .rbx = 0xb1b1, .rax = 0x1234,
		.vector = CABIN_KVM_VEC_SYSCALL, .error = 0,
		.rip = USER_RIP, .cs = CABIN_KVM_SEL_UCODE,
		.rflags = USER_FLAGS, .rsp = USER_RSP,
		.ss = CABIN_KVM_SEL_UDATA,
	};

	return r;
}

static enum cabin_ksig_outcome deliver(struct cabin_kvm_frame *r,
				       long restart_nr, int *sig, bool *core)
{
	return cabin_ksig_deliver(&s, &g, r, NULL, restart_nr, sig, core);
}

/* glibc's view of the ucontext the handler got in rdx. */
static ucontext_t uc_at(uint64_t gva)
{
	ucontext_t uc;

	memset(&uc, 0, sizeof(uc));
	memcpy(&uc, at(gva), sizeof(struct cabin_ksig_ucontext));
	return uc;
}

static void test_init(void **state)
{
	int sig;

	(void)state;
	for (sig = 1; sig <= 64; sig++) {
		assert_int_equal(s.act[sig].handler, 0);
		assert_int_equal(s.act[sig].flags, 0);
	}
	assert_int_equal(s.blocked, 0);
	assert_int_equal(s.pending, 0);
	assert_int_equal(s.alt_size, 0);
	assert_int_equal(s.alt_flags, SS_DISABLE);
	assert_false(cabin_ksig_deliverable(&s));
}

static void test_sigaction_round_trip(void **state)
{
	struct cabin_ksig_action a = {
		.handler = HANDLER,
		/* 0x400 is SA_UNSUPPORTED, bit 40 nothing: both dropped. */
		.flags = CABIN_KSIG_SA_SIGINFO | CABIN_KSIG_SA_RESTORER |
			 CABIN_KSIG_SA_RESTART | 0x400 | (1ull << 40),
		.restorer = RESTORER,
		.mask = B(SIGUSR2) | B(SIGKILL) | B(SIGSTOP),
	};
	struct cabin_ksig_action o;

	(void)state;
	memcpy(at(SCRATCH), &a, sizeof(a));
	memset(at(SCRATCH + 0x100), 0xee, 2 * sizeof(o));
	assert_int_equal(cabin_ksig_sigaction(&s, &g, SIGUSR1, SCRATCH,
					      SCRATCH + 0x100, 8), 0);
	memcpy(&o, at(SCRATCH + 0x100), sizeof(o));
	assert_int_equal(o.handler, 0);
	assert_int_equal(o.flags, 0);
	assert_int_equal(o.restorer, 0);
	assert_int_equal(o.mask, 0);
	/* Exactly 32 bytes written. */
	assert_int_equal(*(uint8_t *)at(SCRATCH + 0x100 + 32), 0xee);

	assert_int_equal(cabin_ksig_sigaction(&s, &g, SIGUSR1, 0,
					      SCRATCH + 0x200, 8), 0);
	memcpy(&o, at(SCRATCH + 0x200), sizeof(o));
	assert_int_equal(o.handler, HANDLER);
	assert_int_equal(o.flags, CABIN_KSIG_SA_SIGINFO |
			 CABIN_KSIG_SA_RESTORER | CABIN_KSIG_SA_RESTART);
	assert_int_equal(o.restorer, RESTORER);
	assert_int_equal(o.mask, B(SIGUSR2));
}

static void test_sigaction_errors(void **state)
{
	struct cabin_ksig_action a = { HANDLER, CABIN_KSIG_SA_RESTORER,
				       RESTORER, 0 };

	(void)state;
	memcpy(at(SCRATCH), &a, sizeof(a));
	assert_int_equal(cabin_ksig_sigaction(&s, &g, SIGUSR1, SCRATCH, 0, 4),
			 -EINVAL);
	assert_int_equal(cabin_ksig_sigaction(&s, &g, SIGUSR1, SCRATCH, 0, 16),
			 -EINVAL);
	assert_int_equal(cabin_ksig_sigaction(&s, &g, 0, SCRATCH, 0, 8),
			 -EINVAL);
	assert_int_equal(cabin_ksig_sigaction(&s, &g, 65, SCRATCH, 0, 8),
			 -EINVAL);
	assert_int_equal(cabin_ksig_sigaction(&s, &g, -1, 0, 0, 8), -EINVAL);
	assert_int_equal(cabin_ksig_sigaction(&s, &g, SIGKILL, SCRATCH, 0, 8),
			 -EINVAL);
	assert_int_equal(cabin_ksig_sigaction(&s, &g, SIGSTOP, SCRATCH, 0, 8),
			 -EINVAL);
	assert_int_equal(s.act[SIGKILL].handler, 0);
	assert_int_equal(s.act[SIGSTOP].handler, 0);
	/* Asking is allowed. */
	assert_int_equal(cabin_ksig_sigaction(&s, &g, SIGKILL, 0,
					      SCRATCH + 0x100, 8), 0);
	/* The copy comes before the signal check, as in Linux. */
	assert_int_equal(cabin_ksig_sigaction(&s, &g, SIGKILL, UNMAPPED, 0, 8),
			 -EFAULT);
	assert_int_equal(cabin_ksig_sigaction(&s, &g, SIGUSR1, UNMAPPED, 0, 8),
			 -EFAULT);
	assert_int_equal(cabin_ksig_sigaction(&s, &g, SIGUSR1, SUPER, 0, 8),
			 -EFAULT);
	/* Straddling the end of the stack mapping. */
	assert_int_equal(cabin_ksig_sigaction(&s, &g, SIGUSR1, STACK_HI - 16,
					      0, 8), -EFAULT);
	assert_int_equal(s.act[SIGUSR1].handler, 0);
	/* The new action holds even when writing the old one faults. */
	assert_int_equal(cabin_ksig_sigaction(&s, &g, SIGUSR1, SCRATCH, RDONLY,
					      8), -EFAULT);
	assert_int_equal(s.act[SIGUSR1].handler, HANDLER);
	assert_int_equal(cabin_ksig_sigaction(&s, &g, SIGUSR1, 0, SUPER, 8),
			 -EFAULT);
}

static void test_sigaction_ignore_discards_pending(void **state)
{
	(void)state;
	s.blocked = B(SIGUSR1) | B(SIGCHLD) | B(SIGUSR2);
	handle(SIGCHLD, 0, 0);
	queue(SIGUSR1);
	queue(SIGCHLD);
	queue(SIGUSR2);
	assert_int_equal(s.pending, B(SIGUSR1) | B(SIGCHLD) | B(SIGUSR2));
	install(SIGUSR1, CABIN_KSIG_SIG_IGN, 0, 0);
	assert_int_equal(s.pending, B(SIGCHLD) | B(SIGUSR2));
	/* SIG_DFL whose default is to ignore discards too. */
	install(SIGCHLD, CABIN_KSIG_SIG_DFL, 0, 0);
	assert_int_equal(s.pending, B(SIGUSR2));
	install(SIGUSR2, CABIN_KSIG_SIG_DFL, 0, 0);
	assert_int_equal(s.pending, B(SIGUSR2));
}

static void test_sigprocmask(void **state)
{
	uint64_t set;

	(void)state;
	set = B(SIGUSR1) | B(SIGKILL) | B(SIGSTOP) | B(SIGINT);
	memcpy(at(SCRATCH), &set, 8);
	assert_int_equal(cabin_ksig_sigprocmask(&s, &g, SIG_BLOCK, SCRATCH,
						SCRATCH + 8, 8), 0);
	assert_int_equal(s.blocked, B(SIGUSR1) | B(SIGINT));
	assert_int_equal(peek64(SCRATCH + 8), 0);

	set = B(SIGINT) | B(SIGHUP);
	memcpy(at(SCRATCH), &set, 8);
	assert_int_equal(cabin_ksig_sigprocmask(&s, &g, SIG_UNBLOCK, SCRATCH,
						SCRATCH + 8, 8), 0);
	assert_int_equal(s.blocked, B(SIGUSR1));
	assert_int_equal(peek64(SCRATCH + 8), B(SIGUSR1) | B(SIGINT));

	set = ~0ull;
	memcpy(at(SCRATCH), &set, 8);
	assert_int_equal(cabin_ksig_sigprocmask(&s, &g, SIG_SETMASK, SCRATCH,
						0, 8), 0);
	assert_int_equal(s.blocked, ~(B(SIGKILL) | B(SIGSTOP)));

	/* Only the query: how is not looked at. */
	assert_int_equal(cabin_ksig_sigprocmask(&s, &g, 99, 0, SCRATCH + 8, 8),
			 0);
	assert_int_equal(peek64(SCRATCH + 8), ~(B(SIGKILL) | B(SIGSTOP)));

	set = 0;
	memcpy(at(SCRATCH), &set, 8);
	assert_int_equal(cabin_ksig_sigprocmask(&s, &g, 3, SCRATCH, 0, 8),
			 -EINVAL);
	assert_int_equal(cabin_ksig_sigprocmask(&s, &g, SIG_SETMASK, SCRATCH,
						0, 4), -EINVAL);
	assert_int_equal(cabin_ksig_sigprocmask(&s, &g, SIG_SETMASK, UNMAPPED,
						0, 8), -EFAULT);
	assert_int_equal(cabin_ksig_sigprocmask(&s, &g, SIG_SETMASK, SUPER,
						0, 8), -EFAULT);
	assert_int_equal(s.blocked, ~(B(SIGKILL) | B(SIGSTOP)));
	/* The mask changes even when the old one cannot be written. */
	assert_int_equal(cabin_ksig_sigprocmask(&s, &g, SIG_SETMASK, SCRATCH,
						RDONLY, 8), -EFAULT);
	assert_int_equal(s.blocked, 0);
}

static void test_sigpending(void **state)
{
	uint64_t v;

	(void)state;
	s.blocked = B(SIGUSR1) | B(SIGUSR2);
	queue(SIGUSR1);
	queue(SIGINT);
	assert_int_equal(cabin_ksig_sigpending(&s, &g, SCRATCH, 8), 0);
	assert_int_equal(peek64(SCRATCH), B(SIGUSR1));
	assert_int_equal(cabin_ksig_sigpending(&s, &g, SCRATCH, 9), -EINVAL);
	assert_int_equal(cabin_ksig_sigpending(&s, &g, UNMAPPED, 8), -EFAULT);
	/* A short set gets the low bytes only. */
	v = ~0ull;
	memcpy(at(SCRATCH), &v, 8);
	s.blocked = B(SIGUSR1) | B(SIGINT);
	assert_int_equal(cabin_ksig_sigpending(&s, &g, SCRATCH, 1), 0);
	assert_int_equal(peek64(SCRATCH), 0xffffffffffffff00ull | B(SIGINT));
	assert_int_equal(cabin_ksig_sigpending(&s, &g, 0, 0), 0);
}

static void test_sigaltstack(void **state)
{
	struct cabin_ksig_stack st;

	(void)state;
	memset(at(SCRATCH + 0x40), 0xee, 24);
	assert_int_equal(cabin_ksig_sigaltstack(&s, &g, 0, SCRATCH + 0x40,
						USER_RSP), 0);
	memcpy(&st, at(SCRATCH + 0x40), sizeof(st));
	assert_int_equal(st.sp, 0);
	assert_int_equal(st.flags, SS_DISABLE);
	assert_int_equal(st.pad, 0);
	assert_int_equal(st.size, 0);

	set_altstack(ALT_SP, 0, ALT_SIZE);
	assert_int_equal(s.alt_sp, ALT_SP);
	assert_int_equal(s.alt_size, ALT_SIZE);
	assert_int_equal(cabin_ksig_sigaltstack(&s, &g, 0, SCRATCH + 0x40,
						USER_RSP), 0);
	memcpy(&st, at(SCRATCH + 0x40), sizeof(st));
	assert_int_equal(st.sp, ALT_SP);
	assert_int_equal(st.flags, 0);
	assert_int_equal(st.size, ALT_SIZE);
	/* Running on it: reported, and it cannot change. */
	assert_int_equal(cabin_ksig_sigaltstack(&s, &g, 0, SCRATCH + 0x40,
						ALT_SP + 0x100), 0);
	memcpy(&st, at(SCRATCH + 0x40), sizeof(st));
	assert_int_equal(st.flags, SS_ONSTACK);
	/* Its top is on it, its base is not. */
	assert_true(cabin_ksig_on_altstack(&s, ALT_SP + ALT_SIZE));
	assert_false(cabin_ksig_on_altstack(&s, ALT_SP));
	st = (struct cabin_ksig_stack){ 0, SS_DISABLE, 0, 0 };
	memcpy(at(SCRATCH), &st, sizeof(st));
	assert_int_equal(cabin_ksig_sigaltstack(&s, &g, SCRATCH, 0,
						ALT_SP + 0x100), -EPERM);

	st = (struct cabin_ksig_stack){ ALT_SP, 5, 0, ALT_SIZE };
	memcpy(at(SCRATCH), &st, sizeof(st));
	assert_int_equal(cabin_ksig_sigaltstack(&s, &g, SCRATCH, 0, USER_RSP),
			 -EINVAL);
	st = (struct cabin_ksig_stack){ ALT_SP, 0, 0, 2047 };
	memcpy(at(SCRATCH), &st, sizeof(st));
	assert_int_equal(cabin_ksig_sigaltstack(&s, &g, SCRATCH, 0, USER_RSP),
			 -ENOMEM);
	assert_int_equal(cabin_ksig_sigaltstack(&s, &g, UNMAPPED, 0, USER_RSP),
			 -EFAULT);
	assert_int_equal(s.alt_size, ALT_SIZE);

	set_altstack(ALT_SP, CABIN_KSIG_SS_AUTODISARM, ALT_SIZE);
	assert_int_equal(cabin_ksig_sigaltstack(&s, &g, 0, SCRATCH + 0x40,
						ALT_SP + 0x100), 0);
	memcpy(&st, at(SCRATCH + 0x40), sizeof(st));
	/* With SS_AUTODISARM, being on it cannot be told; it may change. */
	assert_int_equal((uint32_t)st.flags, CABIN_KSIG_SS_AUTODISARM);

	set_altstack(0x1234, SS_DISABLE, 99);
	assert_int_equal(s.alt_sp, 0);
	assert_int_equal(s.alt_size, 0);
	assert_int_equal(cabin_ksig_sigaltstack(&s, &g, 0, SCRATCH + 0x40,
						USER_RSP), 0);
	memcpy(&st, at(SCRATCH + 0x40), sizeof(st));
	assert_int_equal(st.flags, SS_DISABLE);
}

/* The fxsave image handed to deliver: a pattern up to and past 464. */
static void fill_fx(uint8_t *fx)
{
	int i;

	for (i = 0; i < CABIN_KSIG_FXSAVE_SIZE; i++)
		fx[i] = (uint8_t)(i * 7 + 1);
}

static void test_deliver_frame(void **state)
{
	/* rsp 0x21f123: -128, -512 down to 64, -440 down to 16, -8. */
	const uint64_t frame = 0x21ecb8, fpstate = 0x21ee80;
	struct cabin_kvm_frame r = user_regs(), before = r;
	siginfo_t si = info_of(SIGUSR1, SI_QUEUE), got;
	uint8_t fx[CABIN_KSIG_FXSAVE_SIZE], fp[CABIN_KSIG_FXSAVE_SIZE];
	ucontext_t uc;
	bool core = true;
	int sig = 0;

	(void)state;
	fill_fx(fx);
	si.si_value.sival_ptr = (void *)0xabcdef;
	handle(SIGUSR1, CABIN_KSIG_SA_SIGINFO,
	       B(SIGUSR2) | B(SIGKILL) | B(SIGSTOP));
	s.blocked = B(SIGHUP);
	cabin_ksig_queue(&s, &si);
	assert_true(cabin_ksig_deliverable(&s));
	assert_int_equal(cabin_ksig_deliver(&s, &g, &r, fx, -1, &sig, &core),
			 CABIN_KSIG_HANDLER);
	assert_int_equal(sig, SIGUSR1);
	assert_false(core);
	assert_int_equal(s.pending, 0);

	/* Entry registers. */
	assert_int_equal(r.rsp, frame);
	assert_int_equal((r.rsp + 8) % 16, 0);
	assert_int_equal(peek64(r.rsp), RESTORER);
	assert_int_equal(r.rip, HANDLER);
	assert_int_equal(r.rdi, SIGUSR1);
	assert_int_equal(r.rsi, frame + 312);
	assert_int_equal(r.rdx, frame + 8);
	assert_int_equal(r.rax, 0);
	assert_int_equal(r.rflags, USER_FLAGS & ~0x500ull);	/* TF DF */
	assert_int_equal(r.cs, 0x33);
	assert_int_equal(r.ss, 0x2b);
	assert_int_equal(r.rbx, before.rbx);
	assert_int_equal(r.r15, before.r15);

	/* The ucontext, read with glibc's layout. */
	uc = uc_at(r.rdx);
	assert_int_equal(uc.uc_flags, 0x6);
	assert_null(uc.uc_link);
	assert_null(uc.uc_stack.ss_sp);
	assert_int_equal(uc.uc_stack.ss_flags, SS_DISABLE);
	assert_int_equal(uc.uc_stack.ss_size, 0);
	assert_int_equal(uc.uc_mcontext.gregs[REG_R8], before.r8);
	assert_int_equal(uc.uc_mcontext.gregs[REG_R9], before.r9);
	assert_int_equal(uc.uc_mcontext.gregs[REG_R10], before.r10);
	assert_int_equal(uc.uc_mcontext.gregs[REG_R11], before.r11);
	assert_int_equal(uc.uc_mcontext.gregs[REG_R12], before.r12);
	assert_int_equal(uc.uc_mcontext.gregs[REG_R13], before.r13);
	assert_int_equal(uc.uc_mcontext.gregs[REG_R14], before.r14);
	assert_int_equal(uc.uc_mcontext.gregs[REG_R15], before.r15);
	assert_int_equal(uc.uc_mcontext.gregs[REG_RDI], before.rdi);
	assert_int_equal(uc.uc_mcontext.gregs[REG_RSI], before.rsi);
	assert_int_equal(uc.uc_mcontext.gregs[REG_RBP], before.rbp);
	assert_int_equal(uc.uc_mcontext.gregs[REG_RBX], before.rbx);
	assert_int_equal(uc.uc_mcontext.gregs[REG_RDX], before.rdx);
	assert_int_equal(uc.uc_mcontext.gregs[REG_RAX], before.rax);
	assert_int_equal(uc.uc_mcontext.gregs[REG_RCX], before.rcx);
	assert_int_equal(uc.uc_mcontext.gregs[REG_RSP], USER_RSP);
	assert_int_equal(uc.uc_mcontext.gregs[REG_RIP], USER_RIP);
	assert_int_equal(uc.uc_mcontext.gregs[REG_EFL], USER_FLAGS);
	assert_int_equal(uc.uc_mcontext.gregs[REG_CSGSFS],
			 0x33ull | (0x2bull << 48));
	assert_int_equal(uc.uc_mcontext.gregs[REG_ERR], 0);
	assert_int_equal(uc.uc_mcontext.gregs[REG_TRAPNO], 0);
	assert_int_equal(uc.uc_mcontext.gregs[REG_OLDMASK], B(SIGHUP));
	assert_int_equal(uc.uc_mcontext.gregs[REG_CR2], 0);
	assert_int_equal((uintptr_t)uc.uc_mcontext.fpregs, fpstate);
	assert_int_equal(uc.uc_sigmask.__val[0], B(SIGHUP));

	memcpy(&got, at(r.rsi), sizeof(got));
	assert_memory_equal(&got, &si, sizeof(si));
	assert_int_equal((uintptr_t)got.si_value.sival_ptr, 0xabcdef);

	/* fxsave image, its software area zero: no xstate claimed. */
	memcpy(fp, at(fpstate), sizeof(fp));
	assert_memory_equal(fp, fx, CABIN_KSIG_FXSAVE_SW);
	memset(fx, 0, sizeof(fx));
	assert_memory_equal(fp + CABIN_KSIG_FXSAVE_SW, fx,
			    CABIN_KSIG_FXSAVE_SIZE - CABIN_KSIG_FXSAVE_SW);
	/* The frame sits right below it, within alignment. */
	assert_true(frame + 440 <= fpstate && fpstate - (frame + 440) < 24);
	/* The red zone is untouched. */
	assert_true(fpstate + CABIN_KSIG_FXSAVE_SIZE <= USER_RSP - 128);

	assert_int_equal(s.blocked, B(SIGHUP) | B(SIGUSR1) | B(SIGUSR2));
}

static void test_deliver_no_fx(void **state)
{
	struct cabin_kvm_frame r = user_regs();
	uint8_t fp[CABIN_KSIG_FXSAVE_SIZE], zero[CABIN_KSIG_FXSAVE_SIZE];
	bool core;
	int sig;

	(void)state;
	memset(at(0x21ee80), 0x5a, CABIN_KSIG_FXSAVE_SIZE);
	memset(zero, 0, sizeof(zero));
	handle(SIGUSR1, 0, 0);
	queue(SIGUSR1);
	assert_int_equal(deliver(&r, -1, &sig, &core), CABIN_KSIG_HANDLER);
	memcpy(fp, at(0x21ee80), sizeof(fp));
	assert_memory_equal(fp, zero, sizeof(fp));
}

/* What the handler's ret and the restorer's syscall leave behind. */
static void return_from_handler(struct cabin_kvm_frame *r)
{
	r->rsp += 8;
	r->rip = RESTORER + 9;
	r->rax = 15;
	r->rcx = r->rip;
	r->r11 = r->rflags;
	r->vector = CABIN_KVM_VEC_SYSCALL;
	r->error = 0;
}

static void test_sigreturn_round_trip(void **state)
{
	struct cabin_kvm_frame r = user_regs(), before = r;
	bool core;
	int sig;

	(void)state;
	handle(SIGUSR1, CABIN_KSIG_SA_SIGINFO, B(SIGUSR2));
	s.blocked = B(SIGHUP) | B(SIGRTMIN + 3);
	queue(SIGUSR1);
	assert_int_equal(deliver(&r, -1, &sig, &core), CABIN_KSIG_HANDLER);
	assert_int_equal(s.blocked, B(SIGHUP) | B(SIGRTMIN + 3) | B(SIGUSR1) |
			 B(SIGUSR2));
	return_from_handler(&r);
	assert_int_equal(cabin_ksig_sigreturn(&s, &g, &r), 0);
	assert_memory_equal(&r, &before, sizeof(r));
	assert_int_equal(s.blocked, B(SIGHUP) | B(SIGRTMIN + 3));
}

/* Deliver SIGUSR1 from user_regs and return the frame's address. */
static uint64_t frame_for_sigreturn(struct cabin_kvm_frame *r)
{
	bool core;
	int sig;

	*r = user_regs();
	handle(SIGUSR1, 0, 0);
	queue(SIGUSR1);
	assert_int_equal(deliver(r, -1, &sig, &core), CABIN_KSIG_HANDLER);
	return_from_handler(r);
	return r->rsp - 8;
}

static void put_greg(uint64_t frame, int reg, uint64_t v)
{
	memcpy(at(frame + 8 + offsetof(ucontext_t, uc_mcontext.gregs) +
		  (uint64_t)reg * sizeof(greg_t)), &v, sizeof(v));
}

static void test_sigreturn_hostile(void **state)
{
	struct cabin_kvm_frame r, kept;
	uint64_t frame, mask = ~0ull;

	(void)state;
	frame = frame_for_sigreturn(&r);
	/* IOPL 3, IF clear, NT, VM, VIF, ID: none survives; CF and AC do. */
	put_greg(frame, REG_EFL, 0x3000 | 0x4000 | 0x20000 | 0x80000 |
		 0x200000 | 0x40000 | 0x1);
	put_greg(frame, REG_CSGSFS, 0x10 | (0x18ull << 48));
	put_greg(frame, REG_RIP, 0x402000);
	put_greg(frame, REG_RAX, 0xfeed);
	memcpy(at(frame + 8 + offsetof(ucontext_t, uc_sigmask)), &mask, 8);
	assert_int_equal(cabin_ksig_sigreturn(&s, &g, &r), 0);
	assert_int_equal(r.rflags, 0x40203);
	assert_int_equal(r.cs, CABIN_KVM_SEL_UCODE);
	assert_int_equal(r.ss, CABIN_KVM_SEL_UDATA);
	assert_int_equal(r.rip, 0x402000);
	assert_int_equal(r.rax, 0xfeed);
	assert_int_equal(s.blocked, ~(B(SIGKILL) | B(SIGSTOP)));

	/* rip or rsp outside the user half: refused, nothing changed. */
	s.blocked = 0;
	frame = frame_for_sigreturn(&r);
	kept = r;
	put_greg(frame, REG_RIP, 0x800000000000ull);
	memcpy(at(frame + 8 + offsetof(ucontext_t, uc_sigmask)), &mask, 8);
	assert_int_equal(cabin_ksig_sigreturn(&s, &g, &r), -EINVAL);
	assert_memory_equal(&r, &kept, sizeof(r));
	assert_int_equal(s.blocked, B(SIGUSR1));
	put_greg(frame, REG_RIP, 0xffffffff81000000ull);
	assert_int_equal(cabin_ksig_sigreturn(&s, &g, &r), -EINVAL);
	put_greg(frame, REG_RIP, 0x7fffffffffffull);
	put_greg(frame, REG_RSP, 0x800000000000ull);
	assert_int_equal(cabin_ksig_sigreturn(&s, &g, &r), -EINVAL);
	assert_memory_equal(&r, &kept, sizeof(r));
	/* The last user byte is fine. */
	put_greg(frame, REG_RSP, 0x7ffffffffff0ull);
	assert_int_equal(cabin_ksig_sigreturn(&s, &g, &r), 0);
	assert_int_equal(r.rip, 0x7fffffffffffull);
	assert_int_equal(r.rsp, 0x7ffffffffff0ull);

	/* Unreadable ucontexts. */
	r = kept;
	r.rsp = UNMAPPED + 8;
	assert_int_equal(cabin_ksig_sigreturn(&s, &g, &r), -EFAULT);
	r.rsp = SUPER + 8;
	assert_int_equal(cabin_ksig_sigreturn(&s, &g, &r), -EFAULT);
	r.rsp = 4;
	assert_int_equal(cabin_ksig_sigreturn(&s, &g, &r), -EFAULT);
	r.rsp = STACK_HI - 300;
	assert_int_equal(cabin_ksig_sigreturn(&s, &g, &r), -EFAULT);
	assert_int_equal(r.rip, kept.rip);
}

static void test_sigreturn_altstack(void **state)
{
	struct cabin_kvm_frame r;
	struct cabin_ksig_stack st = { ALT_SP, 0, 0, ALT_SIZE };
	uint64_t frame;

	(void)state;
	frame = frame_for_sigreturn(&r);
	memcpy(at(frame + 8 + offsetof(ucontext_t, uc_stack)), &st, sizeof(st));
	assert_int_equal(cabin_ksig_sigreturn(&s, &g, &r), 0);
	assert_int_equal(s.alt_sp, ALT_SP);
	assert_int_equal(s.alt_size, ALT_SIZE);
	assert_int_equal(s.alt_flags, 0);

	/* A bad uc_stack is ignored, as restore_altstack does. */
	frame = frame_for_sigreturn(&r);
	st = (struct cabin_ksig_stack){ 0x1000, 7, 0, 10 };
	memcpy(at(frame + 8 + offsetof(ucontext_t, uc_stack)), &st, sizeof(st));
	assert_int_equal(cabin_ksig_sigreturn(&s, &g, &r), 0);
	assert_int_equal(s.alt_sp, ALT_SP);
	assert_int_equal(s.alt_size, ALT_SIZE);
}

static void test_onstack(void **state)
{
	struct cabin_kvm_frame r = user_regs();
	ucontext_t uc;
	bool core;
	int sig;

	(void)state;
	set_altstack(ALT_SP, 0, ALT_SIZE);
	handle(SIGUSR1, CABIN_KSIG_SA_ONSTACK, 0);
	handle(SIGUSR2, CABIN_KSIG_SA_ONSTACK, 0);
	queue(SIGUSR1);
	assert_int_equal(deliver(&r, -1, &sig, &core), CABIN_KSIG_HANDLER);
	/* Top 0x304000: fpstate 0x303e00, frame 0x303c38. */
	assert_int_equal(r.rsp, 0x303c38);
	uc = uc_at(r.rdx);
	assert_int_equal((uintptr_t)uc.uc_mcontext.fpregs, 0x303e00);
	assert_int_equal(uc.uc_mcontext.gregs[REG_RSP], USER_RSP);
	assert_int_equal((uintptr_t)uc.uc_stack.ss_sp, ALT_SP);
	assert_int_equal(uc.uc_stack.ss_size, ALT_SIZE);
	assert_int_equal(uc.uc_stack.ss_flags, 0);

	/* Nested on the altstack: below the red zone, not at the top. */
	queue(SIGUSR2);
	assert_int_equal(deliver(&r, -1, &sig, &core), CABIN_KSIG_HANDLER);
	assert_int_equal(sig, SIGUSR2);
	assert_int_equal(r.rsp, 0x3037b8);
	assert_int_equal((r.rsp + 8) % 16, 0);
}

static void test_onstack_overflow(void **state)
{
	struct cabin_kvm_frame r = user_regs();
	bool core;
	int sig;

	(void)state;
	/* Mapped below the altstack, so only the overflow check refuses. */
	set_altstack(ALT_SP, 0, ALT_SIZE);
	handle(SIGUSR1, 0, 0);
	r.rsp = ALT_SP + 0x300;
	queue(SIGUSR1);
	assert_int_equal(deliver(&r, -1, &sig, &core), CABIN_KSIG_TERMINATE);
	assert_int_equal(sig, SIGSEGV);
	assert_true(core);
	assert_int_equal(r.rsp, ALT_SP + 0x300);
	assert_int_equal(r.rip, USER_RIP);
}

static void test_onstack_autodisarm(void **state)
{
	struct cabin_kvm_frame r = user_regs();
	ucontext_t uc;
	bool core;
	int sig;

	(void)state;
	set_altstack(ALT_SP, CABIN_KSIG_SS_AUTODISARM, ALT_SIZE);
	handle(SIGUSR1, CABIN_KSIG_SA_ONSTACK, 0);
	queue(SIGUSR1);
	assert_int_equal(deliver(&r, -1, &sig, &core), CABIN_KSIG_HANDLER);
	assert_int_equal(r.rsp, 0x303c38);
	uc = uc_at(r.rdx);
	assert_int_equal((uint32_t)uc.uc_stack.ss_flags,
			 CABIN_KSIG_SS_AUTODISARM);
	/* Off while the handler runs on it... */
	assert_int_equal(s.alt_size, 0);
	assert_int_equal(s.alt_flags, SS_DISABLE);
	/* ...and armed again by rt_sigreturn. */
	return_from_handler(&r);
	assert_int_equal(cabin_ksig_sigreturn(&s, &g, &r), 0);
	assert_int_equal(r.rsp, USER_RSP);
	assert_int_equal(s.alt_sp, ALT_SP);
	assert_int_equal(s.alt_size, ALT_SIZE);
	assert_int_equal(s.alt_flags, CABIN_KSIG_SS_AUTODISARM);
}

static void test_resethand_nodefer(void **state)
{
	struct cabin_kvm_frame r = user_regs();
	bool core;
	int sig;

	(void)state;
	handle(SIGUSR1, CABIN_KSIG_SA_RESETHAND, B(SIGALRM));
	queue(SIGUSR1);
	assert_int_equal(deliver(&r, -1, &sig, &core), CABIN_KSIG_HANDLER);
	assert_int_equal(s.act[SIGUSR1].handler, CABIN_KSIG_SIG_DFL);
	assert_int_equal(s.act[SIGUSR1].flags, CABIN_KSIG_SA_RESETHAND |
			 CABIN_KSIG_SA_RESTORER);
	assert_int_equal(s.blocked, B(SIGUSR1) | B(SIGALRM));
	/* The next one takes the default action. */
	s.blocked = 0;
	queue(SIGUSR1);
	assert_int_equal(deliver(&r, -1, &sig, &core), CABIN_KSIG_TERMINATE);
	assert_int_equal(sig, SIGUSR1);
	assert_false(core);

	s.blocked = 0;
	handle(SIGUSR2, CABIN_KSIG_SA_NODEFER, B(SIGALRM));
	queue(SIGUSR2);
	assert_int_equal(deliver(&r, -1, &sig, &core), CABIN_KSIG_HANDLER);
	assert_int_equal(s.act[SIGUSR2].handler, HANDLER);
	assert_int_equal(s.blocked, B(SIGALRM));
	/* Not deferred: it can interrupt its own handler. */
	queue(SIGUSR2);
	assert_true(cabin_ksig_deliverable(&s));
}

/* A syscall the monitor interrupted: rax -EINTR, rip after it. */
static struct cabin_kvm_frame interrupted(void)
{
	struct cabin_kvm_frame r = user_regs();

	r.rax = (uint64_t)-EINTR;
	return r;
}

static void test_restart(void **state)
{
	struct cabin_kvm_frame r;
	ucontext_t uc;
	bool core;
	int sig;

	(void)state;
	/* SA_RESTART: the frame saves the restarted syscall. */
	handle(SIGUSR1, CABIN_KSIG_SA_RESTART, 0);
	r = interrupted();
	queue(SIGUSR1);
	assert_int_equal(deliver(&r, NR_POLL, &sig, &core), CABIN_KSIG_HANDLER);
	uc = uc_at(r.rdx);
	assert_int_equal(uc.uc_mcontext.gregs[REG_RAX], NR_POLL);
	assert_int_equal(uc.uc_mcontext.gregs[REG_RIP], USER_RIP - 2);
	assert_int_equal(r.rax, 0);

	/* Without it: -EINTR. */
	s.blocked = 0;
	handle(SIGUSR2, 0, 0);
	r = interrupted();
	queue(SIGUSR2);
	assert_int_equal(deliver(&r, NR_POLL, &sig, &core), CABIN_KSIG_HANDLER);
	uc = uc_at(r.rdx);
	assert_int_equal(uc.uc_mcontext.gregs[REG_RAX], -EINTR);
	assert_int_equal(uc.uc_mcontext.gregs[REG_RIP], USER_RIP);

	/* An ignored signal: restarted, no frame. */
	s.blocked = B(SIGCHLD);
	queue(SIGCHLD);
	s.blocked = 0;
	r = interrupted();
	assert_int_equal(deliver(&r, NR_POLL, &sig, &core), CABIN_KSIG_IGNORED);
	assert_int_equal(sig, SIGCHLD);
	assert_int_equal(r.rax, NR_POLL);
	assert_int_equal(r.rip, USER_RIP - 2);
	assert_int_equal(r.rsp, USER_RSP);

	/* Nothing at all: restarted too. */
	r = interrupted();
	assert_int_equal(deliver(&r, NR_POLL, &sig, &core), CABIN_KSIG_NONE);
	assert_int_equal(sig, 0);
	assert_int_equal(r.rax, NR_POLL);
	assert_int_equal(r.rip, USER_RIP - 2);

	/* An ignored signal before a handler without SA_RESTART: -EINTR. */
	install(SIGUSR1, CABIN_KSIG_SIG_IGN, 0, 0);
	s.blocked = B(SIGUSR1);
	queue(SIGUSR1);
	s.blocked = 0;
	queue(SIGUSR2);
	r = interrupted();
	assert_int_equal(deliver(&r, NR_POLL, &sig, &core), CABIN_KSIG_HANDLER);
	assert_int_equal(sig, SIGUSR2);
	uc = uc_at(r.rdx);
	assert_int_equal(uc.uc_mcontext.gregs[REG_RAX], -EINTR);

	/* No restart number, a real -EINTR, or not a syscall: untouched. */
	r = interrupted();
	assert_int_equal(deliver(&r, -1, &sig, &core), CABIN_KSIG_NONE);
	assert_int_equal(r.rax, (uint64_t)-EINTR);
	assert_int_equal(r.rip, USER_RIP);
	r = interrupted();
	r.vector = 14;
	assert_int_equal(deliver(&r, NR_POLL, &sig, &core), CABIN_KSIG_NONE);
	assert_int_equal(r.rax, (uint64_t)-EINTR);
	assert_int_equal(r.rip, USER_RIP);
	r = user_regs();
	assert_int_equal(deliver(&r, NR_POLL, &sig, &core), CABIN_KSIG_NONE);
	assert_int_equal(r.rax, 0x1234);

	/* A stop leaves the restart to the call after it. */
	s.blocked = 0;
	queue(SIGTSTP);
	r = interrupted();
	assert_int_equal(deliver(&r, NR_POLL, &sig, &core), CABIN_KSIG_STOP);
	assert_int_equal(sig, SIGTSTP);
	assert_int_equal(r.rax, (uint64_t)-EINTR);
	assert_int_equal(r.rip, USER_RIP);
}

static void test_bad_stack(void **state)
{
	const uint64_t bad[] = { UNMAPPED + 0x800, SUPER + 0x800,
				 RDONLY + 0x800, 0x40, 0x800000000100ull };
	struct cabin_kvm_frame r;
	size_t i;
	bool core;
	int sig;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cabin_ksig_init(&s);
		handle(SIGUSR1, 0, 0);
		r = user_regs();
		r.rsp = bad[i];
		queue(SIGUSR1);
		assert_int_equal(deliver(&r, -1, &sig, &core),
				 CABIN_KSIG_TERMINATE);
		assert_int_equal(sig, SIGSEGV);
		assert_true(core);
		assert_int_equal(r.rsp, bad[i]);
		assert_int_equal(r.rip, USER_RIP);
		assert_int_equal(s.blocked, 0);
	}
}

static void test_bad_stack_segv_handler(void **state)
{
	struct cabin_kvm_frame r = user_regs();
	siginfo_t got;
	ucontext_t uc;
	bool core;
	int sig;

	(void)state;
	/* The stack-overflow pattern: SIGSEGV handled on the altstack. */
	set_altstack(ALT_SP, 0, ALT_SIZE);
	handle(SIGSEGV, CABIN_KSIG_SA_ONSTACK | CABIN_KSIG_SA_SIGINFO, 0);
	handle(SIGUSR1, 0, 0);
	s.blocked = B(SIGSEGV);
	r.rsp = UNMAPPED + 0x800;
	/* SIGSEGV is blocked: forcing it unblocks and resets it. */
	queue(SIGUSR1);
	assert_int_equal(deliver(&r, -1, &sig, &core), CABIN_KSIG_TERMINATE);
	assert_int_equal(sig, SIGSEGV);
	assert_int_equal(s.act[SIGSEGV].handler, CABIN_KSIG_SIG_DFL);

	s.blocked = 0;
	handle(SIGSEGV, CABIN_KSIG_SA_ONSTACK | CABIN_KSIG_SA_SIGINFO, 0);
	queue(SIGUSR1);
	assert_int_equal(deliver(&r, -1, &sig, &core), CABIN_KSIG_HANDLER);
	assert_int_equal(sig, SIGSEGV);
	assert_int_equal(r.rsp, 0x303c38);
	memcpy(&got, at(r.rsi), sizeof(got));
	assert_int_equal(got.si_signo, SIGSEGV);
	assert_int_equal(got.si_code, SI_KERNEL);
	uc = uc_at(r.rdx);
	assert_int_equal(uc.uc_mcontext.gregs[REG_RSP], UNMAPPED + 0x800);
	assert_int_equal(s.blocked, B(SIGSEGV));

	/*
	 * The restart is decided once, by the handler that failed: a later
	 * SA_RESTART handler does not turn its -EINTR into a restart.
	 */
	s.blocked = 0;
	handle(SIGSEGV, CABIN_KSIG_SA_ONSTACK | CABIN_KSIG_SA_RESTART, 0);
	r = interrupted();
	r.rsp = UNMAPPED + 0x800;
	queue(SIGUSR1);
	assert_int_equal(deliver(&r, NR_POLL, &sig, &core),
			 CABIN_KSIG_HANDLER);
	assert_int_equal(sig, SIGSEGV);
	uc = uc_at(r.rdx);
	assert_int_equal(uc.uc_mcontext.gregs[REG_RAX], -EINTR);
	assert_int_equal(uc.uc_mcontext.gregs[REG_RIP], USER_RIP);

	/* SIGSEGV's own frame failing is fatal. */
	cabin_ksig_init(&s);
	handle(SIGSEGV, 0, 0);
	r = user_regs();
	r.rsp = UNMAPPED + 0x800;
	queue(SIGSEGV);
	assert_int_equal(deliver(&r, -1, &sig, &core), CABIN_KSIG_TERMINATE);
	assert_int_equal(sig, SIGSEGV);
	assert_true(core);
	assert_int_equal(s.act[SIGSEGV].handler, CABIN_KSIG_SIG_DFL);
}

static void test_no_restorer_or_bad_handler(void **state)
{
	struct cabin_kvm_frame r = user_regs();
	bool core;
	int sig;

	(void)state;
	install(SIGUSR1, HANDLER, 0, 0);
	queue(SIGUSR1);
	assert_int_equal(deliver(&r, -1, &sig, &core), CABIN_KSIG_TERMINATE);
	assert_int_equal(sig, SIGSEGV);
	assert_int_equal(r.rip, USER_RIP);

	cabin_ksig_init(&s);
	install(SIGUSR1, 0x800000000000ull, CABIN_KSIG_SA_RESTORER, 0);
	queue(SIGUSR1);
	assert_int_equal(deliver(&r, -1, &sig, &core), CABIN_KSIG_TERMINATE);
	assert_int_equal(sig, SIGSEGV);
	assert_int_equal(r.rip, USER_RIP);
}

static void test_fault_frame(void **state)
{
	struct cabin_kvm_frame r = user_regs();
	siginfo_t si = info_of(SIGSEGV, SEGV_MAPERR);
	ucontext_t uc;
	bool core;
	int sig;

	(void)state;
	si.si_addr = (void *)0xdead008;
	r.vector = 14;
	r.error = 6;
	handle(SIGSEGV, CABIN_KSIG_SA_SIGINFO, 0);
	cabin_ksig_force(&s, &si);
	assert_int_equal(deliver(&r, -1, &sig, &core), CABIN_KSIG_HANDLER);
	uc = uc_at(r.rdx);
	assert_int_equal(uc.uc_mcontext.gregs[REG_TRAPNO], 14);
	assert_int_equal(uc.uc_mcontext.gregs[REG_ERR], 6);
	assert_int_equal(uc.uc_mcontext.gregs[REG_CR2], 0xdead008);

	/* #UD: a trap number, no cr2. */
	cabin_ksig_init(&s);
	r = user_regs();
	r.vector = 6;
	si = info_of(SIGILL, ILL_ILLOPN);
	si.si_addr = (void *)USER_RIP;
	handle(SIGILL, 0, 0);
	cabin_ksig_force(&s, &si);
	assert_int_equal(deliver(&r, -1, &sig, &core), CABIN_KSIG_HANDLER);
	uc = uc_at(r.rdx);
	assert_int_equal(uc.uc_mcontext.gregs[REG_TRAPNO], 6);
	assert_int_equal(uc.uc_mcontext.gregs[REG_ERR], 0);
	assert_int_equal(uc.uc_mcontext.gregs[REG_CR2], 0);
}

static void test_force(void **state)
{
	struct cabin_kvm_frame r = user_regs();
	siginfo_t si = info_of(SIGSEGV, SEGV_MAPERR), si2;
	bool core;
	int sig;

	(void)state;
	handle(SIGSEGV, 0, 0);
	s.blocked = B(SIGSEGV) | B(SIGUSR1);
	cabin_ksig_force(&s, &si);
	assert_int_equal(s.blocked, B(SIGUSR1));
	assert_int_equal(s.act[SIGSEGV].handler, CABIN_KSIG_SIG_DFL);
	assert_int_equal(s.pending, B(SIGSEGV));
	assert_int_equal(deliver(&r, -1, &sig, &core), CABIN_KSIG_TERMINATE);
	assert_int_equal(sig, SIGSEGV);
	assert_true(core);

	/* Ignored: reset too. */
	install(SIGFPE, CABIN_KSIG_SIG_IGN, 0, 0);
	si = info_of(SIGFPE, FPE_INTDIV);
	cabin_ksig_force(&s, &si);
	assert_int_equal(s.act[SIGFPE].handler, CABIN_KSIG_SIG_DFL);
	assert_int_equal(deliver(&r, -1, &sig, &core), CABIN_KSIG_TERMINATE);
	assert_int_equal(sig, SIGFPE);
	assert_true(core);

	/* Handled and unblocked: the handler stays; the fault's info wins. */
	handle(SIGBUS, CABIN_KSIG_SA_SIGINFO, 0);
	s.blocked = 0;
	si = info_of(SIGBUS, SI_USER);
	cabin_ksig_queue(&s, &si);
	si = info_of(SIGBUS, BUS_ADRERR);
	si.si_addr = (void *)0x777000;
	cabin_ksig_force(&s, &si);
	assert_int_equal(s.act[SIGBUS].handler, HANDLER);
	assert_int_equal(deliver(&r, -1, &sig, &core), CABIN_KSIG_HANDLER);
	memcpy(&si2, at(r.rsi), sizeof(si2));
	assert_int_equal(si2.si_code, BUS_ADRERR);
	assert_int_equal((uintptr_t)si2.si_addr, 0x777000);
}

static void test_queue(void **state)
{
	siginfo_t si;

	(void)state;
	install(SIGUSR1, CABIN_KSIG_SIG_IGN, 0, 0);
	queue(SIGUSR1);
	queue(SIGCHLD);
	queue(SIGWINCH);
	queue(SIGURG);
	queue(SIGCONT);
	assert_int_equal(s.pending, 0);
	assert_false(cabin_ksig_deliverable(&s));
	/* Blocked, it is kept: the disposition may change meanwhile. */
	s.blocked = B(SIGUSR1);
	queue(SIGUSR1);
	assert_int_equal(s.pending, B(SIGUSR1));
	assert_false(cabin_ksig_deliverable(&s));

	/* A standard signal is not queued twice: the first info stays. */
	s.blocked = B(SIGUSR2);
	si = info_of(SIGUSR2, SI_USER);
	si.si_pid = 1;
	cabin_ksig_queue(&s, &si);
	si.si_pid = 2;
	cabin_ksig_queue(&s, &si);
	assert_int_equal(s.info[SIGUSR2].si_pid, 1);

	/* Out of range: nothing. */
	si = info_of(0, SI_USER);
	cabin_ksig_queue(&s, &si);
	cabin_ksig_force(&s, &si);
	si = info_of(65, SI_USER);
	cabin_ksig_queue(&s, &si);
	cabin_ksig_force(&s, &si);
	assert_int_equal(s.pending, B(SIGUSR1) | B(SIGUSR2));
}

static void test_stop_cont(void **state)
{
	(void)state;
	s.blocked = ~CABIN_KSIG_UNBLOCKABLE;
	queue(SIGTSTP);
	queue(SIGTTIN);
	queue(SIGUSR1);
	queue(SIGCONT);
	assert_int_equal(s.pending, B(SIGUSR1) | B(SIGCONT));
	queue(SIGSTOP);
	assert_int_equal(s.pending, B(SIGUSR1) | B(SIGSTOP));
	assert_true(cabin_ksig_deliverable(&s));
	/* SIGCONT cancels the stop even when it is itself ignored. */
	s.blocked = 0;
	queue(SIGCONT);
	assert_int_equal(s.pending, B(SIGUSR1));
}

static void test_default_actions(void **state)
{
	struct cabin_kvm_frame r;
	enum cabin_ksig_outcome want;
	bool core, want_core;
	int sig, got;

	(void)state;
	for (sig = 1; sig <= 64; sig++) {
		want = CABIN_KSIG_TERMINATE;
		want_core = false;
		switch (sig) {
		case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT:
		case SIGBUS: case SIGFPE: case SIGSEGV: case SIGXCPU:
		case SIGXFSZ: case SIGSYS:
			want_core = true;
			break;
		case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH:
			want = CABIN_KSIG_IGNORED;
			break;
		case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
			want = CABIN_KSIG_STOP;
			break;
		}
		cabin_ksig_init(&s);
		/* Queued while blocked, so an ignoring default still queues. */
		s.blocked = ~0ull;
		queue(sig);
		s.blocked = 0;
		assert_int_equal(s.pending, B(sig));
		r = user_regs();
		got = -1;
		assert_int_equal(deliver(&r, -1, &got, &core), want);
		assert_int_equal(got, sig);
		assert_int_equal(core, want_core);
		assert_int_equal(s.pending, 0);
		assert_int_equal(r.rip, USER_RIP);
	}
}

static void test_order(void **state)
{
	struct cabin_kvm_frame r = user_regs();
	siginfo_t si = info_of(SIGSEGV, SEGV_ACCERR);
	uint64_t mask;
	bool core;
	int sig;

	(void)state;
	handle(SIGINT, CABIN_KSIG_SA_NODEFER, 0);
	handle(SIGUSR1, CABIN_KSIG_SA_NODEFER, 0);
	handle(SIGSEGV, CABIN_KSIG_SA_NODEFER, 0);
	queue(SIGUSR1);
	queue(SIGINT);
	cabin_ksig_force(&s, &si);
	assert_int_equal(deliver(&r, -1, &sig, &core), CABIN_KSIG_HANDLER);
	assert_int_equal(sig, SIGSEGV);
	assert_int_equal(deliver(&r, -1, &sig, &core), CABIN_KSIG_HANDLER);
	assert_int_equal(sig, SIGINT);
	assert_int_equal(deliver(&r, -1, &sig, &core), CABIN_KSIG_HANDLER);
	assert_int_equal(sig, SIGUSR1);
	assert_int_equal(deliver(&r, -1, &sig, &core), CABIN_KSIG_NONE);

	/* SIGKILL before everything, even a lower signal. */
	queue(SIGHUP);
	queue(SIGKILL);
	assert_int_equal(deliver(&r, -1, &sig, &core), CABIN_KSIG_TERMINATE);
	assert_int_equal(sig, SIGKILL);
	assert_false(core);
	assert_int_equal(s.pending, B(SIGHUP));

	/* Blocking everything leaves SIGKILL deliverable. */
	cabin_ksig_init(&s);
	mask = ~0ull;
	memcpy(at(SCRATCH), &mask, 8);
	assert_int_equal(cabin_ksig_sigprocmask(&s, &g, SIG_SETMASK, SCRATCH,
						0, 8), 0);
	queue(SIGKILL);
	assert_true(cabin_ksig_deliverable(&s));
	assert_int_equal(deliver(&r, -1, &sig, &core), CABIN_KSIG_TERMINATE);
	assert_int_equal(sig, SIGKILL);
}

static void test_sigsuspend(void **state)
{
	struct cabin_kvm_frame r = user_regs();
	uint64_t mask = 0;
	ucontext_t uc;
	bool core;
	int sig;

	(void)state;
	handle(SIGUSR1, 0, B(SIGUSR2));
	s.blocked = B(SIGUSR1) | B(SIGHUP);
	queue(SIGUSR1);
	assert_false(cabin_ksig_deliverable(&s));
	memcpy(at(SCRATCH), &mask, 8);
	assert_int_equal(cabin_ksig_sigsuspend(&s, &g, SCRATCH, 4), -EINVAL);
	assert_int_equal(cabin_ksig_sigsuspend(&s, &g, UNMAPPED, 8), -EFAULT);
	assert_int_equal(cabin_ksig_sigsuspend(&s, &g, SCRATCH, 8), 0);
	assert_int_equal(s.blocked, 0);
	assert_true(cabin_ksig_deliverable(&s));
	assert_int_equal(deliver(&r, -1, &sig, &core), CABIN_KSIG_HANDLER);
	uc = uc_at(r.rdx);
	assert_int_equal(uc.uc_sigmask.__val[0], B(SIGUSR1) | B(SIGHUP));
	assert_int_equal(s.blocked, B(SIGUSR1) | B(SIGUSR2) | B(SIGHUP));
	return_from_handler(&r);
	assert_int_equal(cabin_ksig_sigreturn(&s, &g, &r), 0);
	assert_int_equal(s.blocked, B(SIGUSR1) | B(SIGHUP));

	/* No handler ran: the program's mask comes back. */
	cabin_ksig_suspend_mask(&s, B(SIGKILL));
	assert_int_equal(s.blocked, 0);
	assert_int_equal(deliver(&r, -1, &sig, &core), CABIN_KSIG_NONE);
	assert_int_equal(s.blocked, B(SIGUSR1) | B(SIGHUP));
}

static void test_exec(void **state)
{
	(void)state;
	handle(SIGUSR1, CABIN_KSIG_SA_SIGINFO, B(SIGUSR2));
	install(SIGPIPE, CABIN_KSIG_SIG_IGN, CABIN_KSIG_SA_RESTART, B(SIGHUP));
	set_altstack(ALT_SP, 0, ALT_SIZE);
	s.blocked = B(SIGUSR2);
	queue(SIGUSR2);
	cabin_ksig_exec(&s);
	assert_int_equal(s.act[SIGUSR1].handler, CABIN_KSIG_SIG_DFL);
	assert_int_equal(s.act[SIGUSR1].flags, 0);
	assert_int_equal(s.act[SIGUSR1].restorer, 0);
	assert_int_equal(s.act[SIGUSR1].mask, 0);
	assert_int_equal(s.act[SIGPIPE].handler, CABIN_KSIG_SIG_IGN);
	assert_int_equal(s.act[SIGPIPE].flags, 0);
	assert_int_equal(s.act[SIGPIPE].mask, 0);
	assert_int_equal(s.blocked, B(SIGUSR2));
	assert_int_equal(s.pending, B(SIGUSR2));
	assert_int_equal(s.alt_size, 0);
	assert_int_equal(s.alt_flags, SS_DISABLE);
}

/*
 * A thread (clone with CLONE_THREAD) shares the process's dispositions,
 * starts with its creator's mask, and has nothing pending of its own.
 */
static void test_thread_shares_dispositions(void **state)
{
	struct cabin_ksig t;
	siginfo_t si = info_of(SIGUSR2, SI_USER);

	(void)state;
	s.blocked = B(SIGUSR2);
	cabin_ksig_queue(&s, &si);
	cabin_ksig_thread(&t, &s);
	assert_int_equal(t.blocked, B(SIGUSR2));
	assert_int_equal(t.pending, 0);
	assert_int_equal(t.alt_flags, SS_DISABLE);
	/* A handler one thread installs is the other's too. */
	handle(SIGUSR1, 0, 0);
	assert_int_equal(t.act[SIGUSR1].handler, HANDLER);
	assert_int_equal(cabin_ksig_sigaction(&t, &g, SIGUSR1, 0, 0, 8), 0);
	memset(at(SCRATCH), 0, sizeof(struct cabin_ksig_action));
	((struct cabin_ksig_action *)at(SCRATCH))->handler = CABIN_KSIG_SIG_IGN;
	assert_int_equal(cabin_ksig_sigaction(&t, &g, SIGUSR1, SCRATCH, 0, 8), 0);
	assert_int_equal(s.act[SIGUSR1].handler, CABIN_KSIG_SIG_IGN);
	/* A mask is each thread's own. */
	t.blocked = 0;
	assert_int_equal(s.blocked, B(SIGUSR2));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_init),
		T(test_thread_shares_dispositions),
		T(test_sigaction_round_trip),
		T(test_sigaction_errors),
		T(test_sigaction_ignore_discards_pending),
		T(test_sigprocmask),
		T(test_sigpending),
		T(test_sigaltstack),
		T(test_deliver_frame),
		T(test_deliver_no_fx),
		T(test_sigreturn_round_trip),
		T(test_sigreturn_hostile),
		T(test_sigreturn_altstack),
		T(test_onstack),
		T(test_onstack_overflow),
		T(test_onstack_autodisarm),
		T(test_resethand_nodefer),
		T(test_restart),
		T(test_bad_stack),
		T(test_bad_stack_segv_handler),
		T(test_no_restorer_or_bad_handler),
		T(test_fault_frame),
		T(test_force),
		T(test_queue),
		T(test_stop_cont),
		T(test_default_actions),
		T(test_order),
		T(test_sigsuspend),
		T(test_exec),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
