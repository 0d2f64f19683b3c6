/*
 * RFLAGS.AC set at CPL3, then an exception (#UD): the proxy kernel's
 * exception path is entered with AC set, which would switch SMAP off for
 * it unless the entry clears AC.  No libc: the exception is the
 * program's first trap, where --kvm-test-fault=read-user makes the
 * kernel read the program's stack.  Natively: killed by SIGILL.
 */
__asm__(".globl _start\n"
	"_start:\n"
	"	pushfq\n"
	"	orq $0x40000, (%rsp)\n"
	"	popfq\n"
	"	ud2\n");
