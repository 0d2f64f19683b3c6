/*
 * The proxy kernel's one way into program memory: copy to a user address
 * inside an STAC/CLAC window (SMAP stays on everywhere else).  A fault on
 * the copy instruction is the program's bad pointer, not a kernel bug:
 * the trap path sends it to the fixup, which returns -EFAULT.
 */
	.text
	.code64

	/* long cabin_guest_copy_to_user(void *dst, const void *src, size_t n) */
	.globl cabin_guest_copy_to_user
	.globl cabin_guest_copy_insn
	.globl cabin_guest_copy_fault
cabin_guest_copy_to_user:
	movq %rdx, %rcx
	stac
cabin_guest_copy_insn:
	rep movsb
	clac
	xorl %eax, %eax
	ret
cabin_guest_copy_fault:
	clac
	movq $-14, %rax
	ret

	.section .note.GNU-stack, "", @progbits
