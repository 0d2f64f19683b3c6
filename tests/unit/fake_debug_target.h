/*
 * A debugged process for the stub's tests and fuzz target: two threads,
 * registers and 64 KiB of memory in cabin's own arrays, an auxv and an
 * exe path; no process, so any packet can be dispatched against it.
 */
#ifndef CABIN_TESTS_FAKE_DEBUG_TARGET_H
#define CABIN_TESTS_FAKE_DEBUG_TARGET_H

#include <stddef.h>

#include "debug/debug.h"

#define FAKE_PID 100
#define FAKE_MEM_BASE 0x400000ull
#define FAKE_MEM_SIZE 0x10000

extern unsigned char fake_mem[FAKE_MEM_SIZE];
/* Threads FAKE_PID, FAKE_PID + 1, ...: 2 after fake_debug_init. */
extern size_t fake_nthreads;

/* A fresh stub on the fake process; its connection writes to /dev/null. */
void fake_debug_init(struct cabin_debug *d);
void fake_debug_fini(struct cabin_debug *d);

#endif
