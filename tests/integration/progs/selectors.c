/*
 * Segment selectors the kernel may refuse to take back through
 * PTRACE_SETREGS (EIO): null selectors with RPL 1 and 2, and an LDT
 * selector.  Each is loaded into gs, ds and es, then a syscall cabin
 * refuses is made (answered in its ptrace stop), and the selectors read
 * after it are printed; then an executable anonymous mapping is made,
 * whose arguments --xom rewrites in the stop.  A supervisor that wrote
 * the whole register set back to skip the syscall failed there and left
 * the program stopped for ever (issue 14, item 7, from the kernel's
 * fsgsbase selftest); one that wrote it back to rewrite the arguments
 * refused the mapping.
 * stdout and status must be as native; what the selectors read depends
 * on the CPU and kernel.  Exit 0.
 */
#include <asm/ldt.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

static sigjmp_buf load_jmp;

static void on_fault(int sig)
{
	(void)sig;
	siglongjmp(load_jmp, 1);
}

/* LDT entry 0: a 32-bit data segment over the first page. */
static int make_ldt_entry(void)
{
	struct user_desc d;

	memset(&d, 0, sizeof(d));
	d.entry_number = 0;
	d.limit = 0xfff;
	d.seg_32bit = 1;
	return syscall(SYS_modify_ldt, 1, &d, sizeof(d)) == 0 ? 0 : -1;
}

static void try_selector(const char *name, unsigned short sel)
{
	unsigned short gs, ds, es, zero = 0;
	void *m;
	long r;

	if (sigsetjmp(load_jmp, 1)) {
		printf("%s: cannot be loaded\n", name);
		return;
	}
	asm volatile ("mov %0, %%gs\n\tmov %0, %%ds\n\tmov %0, %%es"
		      : : "rm" (sel));
	/* Not traced by its parent: ESRCH natively, refused under cabin. */
	r = ptrace(PTRACE_CONT, getppid(), NULL, NULL);
	asm volatile ("mov %%gs, %0" : "=rm" (gs));
	asm volatile ("mov %%ds, %0" : "=rm" (ds));
	asm volatile ("mov %%es, %0" : "=rm" (es));
	m = mmap(NULL, 4096, PROT_READ | PROT_EXEC,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	asm volatile ("mov %0, %%gs\n\tmov %0, %%ds\n\tmov %0, %%es"
		      : : "rm" (zero));
	printf("%s: syscall %ld, then gs %#x ds %#x es %#x; code mapping %s\n",
	       name, r, gs, ds, es, m == MAP_FAILED ? "refused" : "made");
	if (m != MAP_FAILED)
		munmap(m, 4096);
}

int main(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fault;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	try_selector("null selector, RPL 1", 1);
	try_selector("null selector, RPL 2", 2);
	if (make_ldt_entry() == 0)
		try_selector("LDT selector", 0x7);
	else
		printf("LDT selector: no modify_ldt\n");
	printf("done\n");
	return 0;
}
