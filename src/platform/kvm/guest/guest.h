/*
 * The proxy kernel's internal interfaces: the trap path, the syscalls it
 * answers itself, and its one accessor of program memory.
 */
#ifndef CABIN_PLATFORM_KVM_GUEST_GUEST_H
#define CABIN_PLATFORM_KVM_GUEST_GUEST_H

#include <stddef.h>
#include <stdint.h>

#include "platform/kvm/abi.h"

void cabin_guest_trap(struct cabin_kvm_frame *f);
/* 1 when the syscall in f was answered here (f->rax holds the result). */
int cabin_guest_local(struct cabin_kvm_frame *f);
/* 1 when the monitor's worker answered it through the ring. */
int cabin_guest_ring(struct cabin_kvm_frame *f);

/* A VM exit to the monitor: val (a frame's address) out on port. */
static inline void out32(uint16_t port, uint32_t val)
{
	__asm__ volatile("outl %0, %1" : : "a"(val), "Nd"(port) : "memory");
}

long cabin_guest_copy_to_user(void *dst, const void *src, size_t n);
extern const char cabin_guest_copy_insn[], cabin_guest_copy_fault[];

#endif
