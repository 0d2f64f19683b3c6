/*
 * kvm_exc VECTOR [handler]: raise one CPU exception from user mode, for
 * comparing how the kvm platform's proxy kernel turns exceptions into
 * Linux signals with what Linux itself does.
 *
 * VECTOR (the instruction, and what Linux delivers for it):
 *   de           div by zero                  SIGFPE  FPE_INTDIV  addr = ip
 *   ud           ud2                          SIGILL  ILL_ILLOPN  addr = ip
 *   gp           hlt at CPL3                  SIGSEGV SI_KERNEL   addr = 0
 *   gp_cli       cli at CPL3                  SIGSEGV SI_KERNEL   addr = 0
 *   gp_out       out to port 0xcb0 (the kvm proxy kernel's trap port)
 *                                             SIGSEGV SI_KERNEL   addr = 0
 *   gp_int       int $0x0e (a kernel-only IDT gate: a forged page fault)
 *                                             SIGSEGV SI_KERNEL   addr = 0
 *   gp_noncanon  load from 0x8000000000000000 SIGSEGV SI_KERNEL   addr = 0
 *   pf           store to NULL                SIGSEGV SEGV_MAPERR addr = 0
 *   pf_ro        store to a PROT_READ page    SIGSEGV SEGV_ACCERR addr = page
 *   pf_exec      call into a PROT_READ|PROT_WRITE page
 *                                             SIGSEGV SEGV_ACCERR addr = page
 *   pf_low       store to 0x1000              SIGSEGV SEGV_MAPERR addr = 0x1000
 *   pf_kernel    load from 0x10000 (where the kvm proxy kernel lives)
 *                                             SIGSEGV SEGV_MAPERR addr = 0x10000
 *   bp           int3                         SIGTRAP SI_KERNEL   addr = 0,
 *                                             ip after the int3
 *   ac           EFLAGS.AC and a misaligned load (CR0.AM is set by Linux)
 *                                             SIGBUS  BUS_ADRALN  addr = 0
 *   db           EFLAGS.TF (single step)      SIGTRAP TRAP_TRACE  addr = ip
 *                                             after the stepped instruction
 *   xm           divss by zero with ZE unmasked in MXCSR
 *                                             SIGFPE  FPE_FLTDIV  addr = ip
 * (x87 exceptions are left out.)
 *
 * Without "handler" the exception is left to kill the process (status
 * 128+N).  With "handler" a SA_SIGINFO handler records the signal and
 * either returns (bp, db: traps, execution goes on after the trapping
 * instruction; for db the handler clears TF in the saved context) or
 * siglongjmp's back (the faults), and the program prints one line
 *
 *   sig=N code=C addr=ok ip=ok [resumed]
 *
 * where addr/ip are "ok" when si_addr and the saved RIP are the ones Linux
 * gives, else the difference from the expected value (exp+0xN, exp-0xN)
 * when it is small, else the absolute value.  So the output is the same
 * natively and on any platform that gets it right, whatever the load
 * addresses.  If no exception happens the program prints
 * "VECTOR: no exception" and exits 3; usage errors exit 2.
 *
 * "kvm_exc all handler" runs every vector in turn in one process, each
 * line prefixed with "VECTOR: ", and exits 0.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

/*
 * The exception-raising instructions, in assembly so that the faulting
 * and resuming addresses are known labels.  Each is a function with the
 * SysV calling convention (argument in %rdi).
 */
extern void kx_de(void), kx_ud(void), kx_hlt(void), kx_cli(void),
	kx_out(void), kx_int(void), kx_noncanon(void), kx_int3(void),
	kx_db(void), kx_xm(void);
extern void kx_store(uintptr_t addr);
extern void kx_load(uintptr_t addr);
extern void kx_ac(uintptr_t aligned);
extern const char kx_de_ip[], kx_ud_ip[], kx_hlt_ip[], kx_cli_ip[],
	kx_out_ip[], kx_int_ip[], kx_noncanon_ip[], kx_store_ip[],
	kx_load_ip[], kx_int3_next[], kx_ac_ip[], kx_db_ip[], kx_xm_ip[];

__asm__(
	".text\n"
	/* #DE: 1 / 0. */
	".globl kx_de\n.hidden kx_de\n.type kx_de,@function\n"
	".globl kx_de_ip\n.hidden kx_de_ip\n"
	"kx_de:\n"
	"  mov $1, %eax\n"
	"  xor %edx, %edx\n"
	"  xor %ecx, %ecx\n"
	"kx_de_ip:\n"
	"  div %ecx\n"
	"  ret\n"
	/* #UD. */
	".globl kx_ud\n.hidden kx_ud\n.type kx_ud,@function\n"
	".globl kx_ud_ip\n.hidden kx_ud_ip\n"
	"kx_ud:\n"
	"kx_ud_ip:\n"
	"  ud2\n"
	"  ret\n"
	/* #GP: privileged instructions at CPL3. */
	".globl kx_hlt\n.hidden kx_hlt\n.type kx_hlt,@function\n"
	".globl kx_hlt_ip\n.hidden kx_hlt_ip\n"
	"kx_hlt:\n"
	"kx_hlt_ip:\n"
	"  hlt\n"
	"  ret\n"
	".globl kx_cli\n.hidden kx_cli\n.type kx_cli,@function\n"
	".globl kx_cli_ip\n.hidden kx_cli_ip\n"
	"kx_cli:\n"
	"kx_cli_ip:\n"
	"  cli\n"
	"  ret\n"
	/* #GP: port I/O without IOPL or an I/O bitmap; the port and value
	 * are what the kvm proxy kernel writes when it traps (the value a
	 * plausible frame address in its kernel area). */
	".globl kx_out\n.hidden kx_out\n.type kx_out,@function\n"
	".globl kx_out_ip\n.hidden kx_out_ip\n"
	"kx_out:\n"
	"  mov $0x0cb0, %edx\n"
	"  mov $0x9ff50, %eax\n"
	"kx_out_ip:\n"
	"  out %eax, %dx\n"
	"  ret\n"
	/* #GP: a software interrupt through a DPL 0 gate. */
	".globl kx_int\n.hidden kx_int\n.type kx_int,@function\n"
	".globl kx_int_ip\n.hidden kx_int_ip\n"
	"kx_int:\n"
	"kx_int_ip:\n"
	"  int $0x0e\n"
	"  ret\n"
	/* #GP: a non-canonical address. */
	".globl kx_noncanon\n.hidden kx_noncanon\n.type kx_noncanon,@function\n"
	".globl kx_noncanon_ip\n.hidden kx_noncanon_ip\n"
	"kx_noncanon:\n"
	"  movabs $0x8000000000000000, %rax\n"
	"kx_noncanon_ip:\n"
	"  mov (%rax), %rax\n"
	"  ret\n"
	/* #PF: a one-byte store or load at %rdi. */
	".globl kx_store\n.hidden kx_store\n.type kx_store,@function\n"
	".globl kx_store_ip\n.hidden kx_store_ip\n"
	"kx_store:\n"
	"kx_store_ip:\n"
	"  movb $1, (%rdi)\n"
	"  ret\n"
	".globl kx_load\n.hidden kx_load\n.type kx_load,@function\n"
	".globl kx_load_ip\n.hidden kx_load_ip\n"
	"kx_load:\n"
	"kx_load_ip:\n"
	"  movb (%rdi), %al\n"
	"  ret\n"
	/* #BP: a trap, RIP is after the int3. */
	".globl kx_int3\n.hidden kx_int3\n.type kx_int3,@function\n"
	".globl kx_int3_next\n.hidden kx_int3_next\n"
	"kx_int3:\n"
	"  int3\n"
	"kx_int3_next:\n"
	"  ret\n"
	/* #AC: AC set, a 4-byte load at an odd address; AC cleared after
	 * (when nothing faulted). */
	".globl kx_ac\n.hidden kx_ac\n.type kx_ac,@function\n"
	".globl kx_ac_ip\n.hidden kx_ac_ip\n"
	"kx_ac:\n"
	"  pushfq\n"
	"  orl $0x40000, (%rsp)\n"
	"  popfq\n"
	"kx_ac_ip:\n"
	"  mov 1(%rdi), %eax\n"
	"  pushfq\n"
	"  andl $~0x40000, (%rsp)\n"
	"  popfq\n"
	"  ret\n"
	/* #DB: popfq sets TF; the nop after it runs, then the trap, with
	 * RIP at kx_db_ip.  The handler clears TF in the saved context. */
	".globl kx_db\n.hidden kx_db\n.type kx_db,@function\n"
	".globl kx_db_ip\n.hidden kx_db_ip\n"
	"kx_db:\n"
	"  pushfq\n"
	"  orl $0x100, (%rsp)\n"
	"  popfq\n"
	"  nop\n"
	"kx_db_ip:\n"
	"  nop\n"
	"  pushfq\n"
	"  andl $~0x100, (%rsp)\n"
	"  popfq\n"
	"  ret\n"
	/* #XM: 1.0f / 0.0f with the divide-by-zero exception unmasked. */
	".globl kx_xm\n.hidden kx_xm\n.type kx_xm,@function\n"
	".globl kx_xm_ip\n.hidden kx_xm_ip\n"
	"kx_xm:\n"
	"  sub $8, %rsp\n"
	"  stmxcsr (%rsp)\n"
	"  andl $~0x200, (%rsp)\n"
	"  ldmxcsr (%rsp)\n"
	"  mov $1, %eax\n"
	"  cvtsi2ss %eax, %xmm0\n"
	"  xorps %xmm1, %xmm1\n"
	"kx_xm_ip:\n"
	"  divss %xmm1, %xmm0\n"
	"  orl $0x200, (%rsp)\n"
	"  ldmxcsr (%rsp)\n"
	"  add $8, %rsp\n"
	"  ret\n");

static sigjmp_buf back;
static volatile sig_atomic_t got;
static volatile int got_sig, got_code;
static volatile uintptr_t got_addr, got_ip;
static volatile int returns;	/* the handler returns, no siglongjmp */

static void handler(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	/* Linux leaves EFLAGS.AC as the program had it: clear it before
	 * anything here makes a misaligned access. */
	__asm__ volatile("pushfq\n andl $~0x40000, (%%rsp)\n popfq" ::: "memory",
			 "cc");
	got_sig = sig;
	got_code = si->si_code;
	got_addr = (uintptr_t)si->si_addr;
	got_ip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	got = 1;
	if (returns) {
		uc->uc_mcontext.gregs[REG_EFL] &= ~(greg_t)0x100; /* TF */
		return;
	}
	siglongjmp(back, 1);
}

/* "ok", or the difference from what was expected, or the value. */
static void rel(char *buf, size_t cap, uintptr_t got_v, uintptr_t want)
{
	if (got_v == want)
		snprintf(buf, cap, "ok");
	else if (got_v > want && got_v - want < 0x1000)
		snprintf(buf, cap, "exp+0x%lx", (unsigned long)(got_v - want));
	else if (got_v < want && want - got_v < 0x1000)
		snprintf(buf, cap, "exp-0x%lx", (unsigned long)(want - got_v));
	else
		snprintf(buf, cap, "0x%lx", (unsigned long)got_v);
}

static void *page(int prot)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("kvm_exc: mmap");
		exit(2);
	}
	memset(p, 0xc3, 4096); /* ret, for pf_exec */
	if (mprotect(p, 4096, prot) < 0) {
		perror("kvm_exc: mprotect");
		exit(2);
	}
	return p;
}

static const char *const vectors[] = {
	"de", "ud", "gp", "gp_cli", "gp_out", "gp_int", "gp_noncanon", "pf",
	"pf_ro", "pf_exec", "pf_low", "pf_kernel", "bp", "ac", "db", "xm",
};
#define NVECTORS (sizeof vectors / sizeof vectors[0])

static void usage(void)
{
	fprintf(stderr, "usage: kvm_exc VECTOR [handler] | kvm_exc all handler\n"
		"VECTOR:");
	for (size_t i = 0; i < NVECTORS; i++)
		fprintf(stderr, " %s", vectors[i]);
	fputc('\n', stderr);
	exit(2);
}

/* What one vector runs and expects; static: kept across siglongjmp. */
static void (*fn)(void);
static void (*fn_arg)(uintptr_t);
static uintptr_t arg, want_addr, want_ip;

static void setup(const char *v)
{
	static _Alignas(16) unsigned char aligned[16];

	fn = NULL;
	fn_arg = NULL;
	arg = want_addr = want_ip = 0;
	returns = 0;
	if (!strcmp(v, "de")) {
		fn = kx_de;
		want_addr = want_ip = (uintptr_t)kx_de_ip;
	} else if (!strcmp(v, "ud")) {
		fn = kx_ud;
		want_addr = want_ip = (uintptr_t)kx_ud_ip;
	} else if (!strcmp(v, "gp")) {
		fn = kx_hlt;
		want_ip = (uintptr_t)kx_hlt_ip;
	} else if (!strcmp(v, "gp_cli")) {
		fn = kx_cli;
		want_ip = (uintptr_t)kx_cli_ip;
	} else if (!strcmp(v, "gp_out")) {
		fn = kx_out;
		want_ip = (uintptr_t)kx_out_ip;
	} else if (!strcmp(v, "gp_int")) {
		fn = kx_int;
		want_ip = (uintptr_t)kx_int_ip;
	} else if (!strcmp(v, "gp_noncanon")) {
		fn = kx_noncanon;
		want_ip = (uintptr_t)kx_noncanon_ip;
	} else if (!strcmp(v, "pf")) {
		fn_arg = kx_store;
		want_ip = (uintptr_t)kx_store_ip;
	} else if (!strcmp(v, "pf_ro")) {
		fn_arg = kx_store;
		arg = want_addr = (uintptr_t)page(PROT_READ);
		want_ip = (uintptr_t)kx_store_ip;
	} else if (!strcmp(v, "pf_exec")) {
		fn = (void (*)(void))page(PROT_READ | PROT_WRITE);
		want_addr = want_ip = (uintptr_t)fn;
	} else if (!strcmp(v, "pf_low")) {
		fn_arg = kx_store;
		arg = want_addr = 0x1000;
		want_ip = (uintptr_t)kx_store_ip;
	} else if (!strcmp(v, "pf_kernel")) {
		fn_arg = kx_load;
		arg = want_addr = 0x10000;
		want_ip = (uintptr_t)kx_load_ip;
	} else if (!strcmp(v, "bp")) {
		fn = kx_int3;
		want_ip = (uintptr_t)kx_int3_next;
		returns = 1;
	} else if (!strcmp(v, "ac")) {
		fn_arg = kx_ac;
		arg = (uintptr_t)aligned;
		want_ip = (uintptr_t)kx_ac_ip;
	} else if (!strcmp(v, "db")) {
		fn = kx_db;
		want_addr = want_ip = (uintptr_t)kx_db_ip;
		returns = 1;
	} else if (!strcmp(v, "xm")) {
		fn = kx_xm;
		want_addr = want_ip = (uintptr_t)kx_xm_ip;
	} else {
		usage();
	}
}

/* Raise v's exception; with the handler installed, print its line
 * (prefixed by "v: " when prefix).  3 when nothing happened. */
static int one(const char *v, int prefix)
{
	setup(v);
	got = 0;
	if (sigsetjmp(back, 1) != 0)
		goto report;
	if (fn)
		fn();
	else
		fn_arg(arg);
	if (!got) {
		printf("%s: no exception\n", v);
		return 3;
	}
report:;
	char a[32], i[32];

	rel(a, sizeof a, got_addr, want_addr);
	rel(i, sizeof i, got_ip, want_ip);
	printf("%s%ssig=%d code=%d addr=%s ip=%s%s\n", prefix ? v : "",
	       prefix ? ": " : "", got_sig, got_code, a, i,
	       returns ? " resumed" : "");
	return 0;
}

int main(int argc, char **argv)
{
	int with_handler;

	if (argc < 2 || argc > 3)
		usage();
	with_handler = argc == 3;
	if (with_handler && strcmp(argv[2], "handler") != 0)
		usage();
	setvbuf(stdout, NULL, _IONBF, 0);

	if (with_handler) {
		struct sigaction sa;
		static const int sigs[] = { SIGFPE, SIGILL, SIGSEGV, SIGBUS,
					    SIGTRAP };

		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = handler;
		sa.sa_flags = SA_SIGINFO;
		sigemptyset(&sa.sa_mask);
		for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
			if (sigaction(sigs[i], &sa, NULL) < 0) {
				perror("kvm_exc: sigaction");
				return 2;
			}
	}
	if (!strcmp(argv[1], "all")) {
		if (!with_handler)
			usage();
		for (size_t i = 0; i < NVECTORS; i++)
			one(vectors[i], 1);
		return 0;
	}
	return one(argv[1], 0);
}
