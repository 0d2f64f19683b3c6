/*
 * CPU state that a supervisor stopping the program at syscalls and
 * signals must hand back as it found it, the kind of thing the kernel's
 * x86 selftests check (docs/fidelity.md): segment selectors the program
 * loaded itself, across a syscall cabin refuses (answered in the stop)
 * and one it lets run; the trap flag across those syscalls, as a
 * debugger single-stepping through them sets it; a fault the program
 * handles itself.  One line per check on stdout; exit 0 if every check
 * holds, 1 otherwise, natively and under cabin alike.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

#define EFLAGS_TF (1UL << 8)

static volatile sig_atomic_t traps;
static sigjmp_buf fault_jmp;
static int *volatile nowhere;	/* NULL, unknown to the compiler */

static unsigned short read_ss(void)
{
	unsigned short sel;

	asm volatile ("mov %%ss, %0" : "=rm" (sel));
	return sel;
}

/* gs, ds and es; fs is left alone: it holds the thread pointer. */
static void load_selectors(unsigned short sel)
{
	asm volatile ("mov %0, %%gs\n\tmov %0, %%ds\n\tmov %0, %%es"
		      : : "rm" (sel));
}

static int selectors_are(unsigned short sel)
{
	unsigned short gs, ds, es;

	asm volatile ("mov %%gs, %0" : "=rm" (gs));
	asm volatile ("mov %%ds, %0" : "=rm" (ds));
	asm volatile ("mov %%es, %0" : "=rm" (es));
	return gs == sel && ds == sel && es == sel;
}

static unsigned long get_eflags(void)
{
	unsigned long fl;

	asm volatile ("pushfq\n\tpopq %0" : "=rm" (fl));
	return fl;
}

static void set_eflags(unsigned long fl)
{
	asm volatile ("pushq %0\n\tpopfq" : : "rm" (fl) : "flags");
}

static void on_trap(int sig)
{
	(void)sig;
	traps++;
}

static void on_fault(int sig)
{
	(void)sig;
	siglongjmp(fault_jmp, 1);
}

/* Not traced by its parent: ESRCH natively, refused under cabin. */
static long refused_syscall(void)
{
	return ptrace(PTRACE_CONT, getppid(), NULL, NULL);
}

static int check(const char *what, int ok)
{
	printf("%s: %s\n", what, ok ? "kept" : "CHANGED");
	return ok ? 0 : 1;
}

static int check_selectors(void)
{
	unsigned short sel = read_ss();
	int bad = 0;

	load_selectors(sel);
	refused_syscall();
	bad += check("selectors across a refused syscall", selectors_are(sel));
	syscall(SYS_getppid);
	bad += check("selectors across an allowed syscall", selectors_are(sel));
	return bad;
}

/*
 * TF set around one syscall: at least one trap, and TF still set after
 * the syscall returns (the handler's sigreturn restores it).
 */
static int tf_across(const char *what, int refused)
{
	unsigned long after;

	traps = 0;
	set_eflags(get_eflags() | EFLAGS_TF);
	if (refused)
		refused_syscall();
	else
		syscall(SYS_getppid);
	after = get_eflags();
	set_eflags(after & ~EFLAGS_TF);
	return check(what, traps > 0 && (after & EFLAGS_TF));
}

static int check_handled_fault(void)
{
	volatile int reached = 0;

	if (sigsetjmp(fault_jmp, 1) == 0) {
		reached = 1;
		*nowhere = 0;
		return check("a handled fault", 0);
	}
	return check("a handled fault", reached);
}

int main(void)
{
	struct sigaction sa;
	int bad = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_trap;
	sigaction(SIGTRAP, &sa, NULL);
	sa.sa_handler = on_fault;
	sigaction(SIGSEGV, &sa, NULL);

	bad += check_selectors();
	bad += tf_across("trap flag across a refused syscall", 1);
	bad += tf_across("trap flag across an allowed syscall", 0);
	bad += check_handled_fault();
	fflush(stdout);
	return bad ? 1 : 0;
}
