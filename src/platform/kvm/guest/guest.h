/*
 * The proxy kernel's internal interfaces: the trap path, the syscalls it
 * answers itself, and its one accessor of program memory.
 */
#ifndef CABIN_PLATFORM_KVM_GUEST_GUEST_H
#define CABIN_PLATFORM_KVM_GUEST_GUEST_H

#include <stddef.h>
#include <stdint.h>

#include "platform/kvm/shared/abi.h"

void cabin_guest_trap(struct cabin_kvm_frame *f);
/* 1 when the syscall in f was answered here (f->rax holds the result). */
int cabin_guest_local(struct cabin_kvm_frame *f);
/* 1 when the monitor's worker answered it through the ring. */
int cabin_guest_ring(struct cabin_kvm_frame *f);
/* 1 when the memory call in f was answered here. */
int cabin_guest_mm(struct cabin_kvm_frame *f);
/* 1 when the page fault in f was a lazily mapped page, now mapped. */
int cabin_guest_fault(struct cabin_kvm_frame *f);
/* The policy lets syscall nr pass unobserved: it may be answered here. */
int cabin_guest_allowed(uint64_t nr);

/* A VM exit to the monitor: val (a frame's address) out on port. */
static inline void out32(uint16_t port, uint32_t val)
{
	__asm__ volatile("outl %0, %1" : : "a"(val), "Nd"(port) : "memory");
}

/* Drop every translation of the program's pages. */
static inline void reload_cr3(void)
{
	uint64_t cr3;

	__asm__ volatile("movq %%cr3, %0; movq %0, %%cr3" : "=r"(cr3)
			 : : "memory");
}

long cabin_guest_copy_to_user(void *dst, const void *src, size_t n);
extern const char cabin_guest_copy_insn[], cabin_guest_copy_fault[];

#endif
