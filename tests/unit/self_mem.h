/*
 * Platform operations for tests in which the test process is both cabin
 * and the program: memory and descriptors are its own, reached the way
 * the process platform reaches a child's.
 */
#ifndef CABIN_TEST_SELF_MEM_H
#define CABIN_TEST_SELF_MEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

ssize_t self_mem_read(void *ctx, pid_t tid, uint64_t addr, void *buf,
		      size_t len);
ssize_t self_mem_write(void *ctx, pid_t tid, uint64_t addr, const void *buf,
		       size_t len);
int self_dup_fd(void *ctx, pid_t tid, int fd);

#endif
