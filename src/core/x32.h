/*
 * The x32 ABI's syscall numbers, as the kernel defines them: bit 30 set
 * (__X32_SYSCALL_BIT) and the rest below the x32 table's size
 * (X32_NR_syscalls: the table ends at 547, pwritev2).  The kernel reads
 * the number as an int: only the low 32 bits of rax count.  Anything else
 * with bit 30 set, -1 and the negative numbers among it, is no syscall:
 * the kernel answers ENOSYS.
 */
#ifndef CABIN_CORE_X32_H
#define CABIN_CORE_X32_H

#include <stdbool.h>
#include <stdint.h>

#define CABIN_X32_SYSCALL_BIT	0x40000000u
#define CABIN_X32_NR_SYSCALLS	548u

static inline bool cabin_x32_nr(long nr)
{
	return (uint32_t)nr - CABIN_X32_SYSCALL_BIT < CABIN_X32_NR_SYSCALLS;
}

#endif
