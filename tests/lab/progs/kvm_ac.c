/*
 * RFLAGS.AC set at CPL3, then an exception (#UD): the proxy kernel's
 * exception path is entered with AC set, which would switch SMAP off for
 * it unless the entry clears AC.  No libc: one syscall (an empty write,
 * which always leaves the guest, where --kvm-test-fault arms), then the
 * exception is the next entry, where
 * --kvm-test-fault=read-user makes the kernel read the program's stack.
 * Natively: killed by SIGILL.
 */
__asm__(".globl _start\n"
	"_start:\n"
	"	movl $1, %eax\n"
	"	movl $1, %edi\n"
	"	xorl %esi, %esi\n"
	"	xorl %edx, %edx\n"
	"	syscall\n"
	"	pushfq\n"
	"	orq $0x40000, (%rsp)\n"
	"	popfq\n"
	"	ud2\n");
