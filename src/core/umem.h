/*
 * Reading the confined program's memory for records and decisions.  Every
 * read is bounded, stops at the first unreadable byte and never trusts a
 * length or a pointer the program gave.
 */
#ifndef CABIN_CORE_UMEM_H
#define CABIN_CORE_UMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct cabin_proxy;

/*
 * Copy a NUL-terminated string of at most len - 1 bytes into buf (always
 * terminated).  Returns its length, or -EFAULT when not even the first
 * byte is readable.  *truncated (may be NULL) says the string went on
 * past len - 1 bytes, or ran into unreadable memory before its NUL.
 */
ssize_t cabin_umem_string(struct cabin_proxy *p, pid_t tid, uint64_t addr,
			  char *buf, size_t len, bool *truncated);

/* Copy exactly len bytes, or fail with -EFAULT. */
int cabin_umem_read(struct cabin_proxy *p, pid_t tid, uint64_t addr,
		    void *buf, size_t len);

#endif
