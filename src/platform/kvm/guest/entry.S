/*
 * The proxy kernel's entry points: the syscall instruction (LSTAR) and the
 * 32 exception vectors.  Each saves the program's registers as a struct
 * cabin_kvm_frame on the kernel stack, calls cabin_guest_trap, and returns
 * with iretq, so whatever the monitor wrote into the frame is what runs.
 */
#include "platform/kvm/shared/abi.h"

	.section .text.head, "ax"
	/* Read by the monitor: where the entry points are. */
	.globl cabin_guest_header
cabin_guest_header:
	.ascii "CABINPK1"
	.quad syscall_entry
	.quad isr_table

	.text
	.code64

	.globl syscall_entry
syscall_entry:
	/* rsp is still the program's: nothing may touch the stack yet. */
	swapgs
	movq %rsp, %gs:CABIN_KVM_PERCPU_USER_RSP
	movq %gs:CABIN_KVM_PERCPU_KSTACK, %rsp
	pushq $CABIN_KVM_SEL_UDATA
	pushq %gs:CABIN_KVM_PERCPU_USER_RSP
	pushq %r11
	pushq $CABIN_KVM_SEL_UCODE
	pushq %rcx
	pushq $0
	pushq $CABIN_KVM_VEC_SYSCALL
	jmp trap_common

.macro isr vec, has_error
isr_\vec:
	.if \has_error == 0
	pushq $0
	.endif
	pushq $\vec
	/* From CPL3 gs is the program's until swapgs. */
	testb $3, 24(%rsp)
	jz 1f
	swapgs
1:	jmp trap_common
.endm

	/* Vectors that push an error code: 8, 10-14, 17, 21, 29, 30. */
	isr 0, 0
	isr 1, 0
	isr 2, 0
	isr 3, 0
	isr 4, 0
	isr 5, 0
	isr 6, 0
	isr 7, 0
	isr 8, 1
	isr 9, 0
	isr 10, 1
	isr 11, 1
	isr 12, 1
	isr 13, 1
	isr 14, 1
	isr 15, 0
	isr 16, 0
	isr 17, 1
	isr 18, 0
	isr 19, 0
	isr 20, 0
	isr 21, 1
	isr 22, 0
	isr 23, 0
	isr 24, 0
	isr 25, 0
	isr 26, 0
	isr 27, 0
	isr 28, 0
	isr 29, 1
	isr 30, 1
	isr 31, 0

trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	/*
	 * RFLAGS.AC is the program's to set, and an exception keeps it (the
	 * syscall's FMASK clears it): with SMAP on, the kernel shuts it here
	 * on every entry; iretq gives the program its own back.
	 */
	testb $1, %gs:CABIN_KVM_PERCPU_SMAP
	jz 3f
	clac
3:	movq %rsp, %rdi
	cld
	call cabin_guest_trap
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp
	testb $3, 8(%rsp)
	jz 2f
	swapgs
2:	iretq

	.section .rodata
	.balign 8
isr_table:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad isr_\v
	.endr

	.section .note.GNU-stack, "", @progbits
