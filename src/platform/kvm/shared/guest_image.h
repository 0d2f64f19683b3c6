/*
 * The proxy kernel's flat image, built from src/platform/kvm/guest by
 * guest/build.sh and linked into cabin; the monitor copies it into guest
 * memory at CABIN_KVM_KERNEL.
 */
#ifndef CABIN_PLATFORM_KVM_GUEST_IMAGE_H
#define CABIN_PLATFORM_KVM_GUEST_IMAGE_H

#include <stddef.h>
#include <stdint.h>

extern const unsigned char cabin_guest_image[];
extern const size_t cabin_guest_image_size;

/* The image starts with this header (guest/entry.S). */
struct cabin_guest_header {
	char magic[8];			/* "CABINPK1" */
	uint64_t syscall_entry;		/* LSTAR */
	uint64_t isr_table;		/* 32 handler addresses */
};

#endif
