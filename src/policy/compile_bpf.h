/*
 * Compile a routing table to a seccomp-BPF program with libseccomp, so the
 * kernel takes every decision it can without stopping the program.
 */
#ifndef CABIN_POLICY_COMPILE_BPF_H
#define CABIN_POLICY_COMPILE_BPF_H

#include <linux/filter.h>
#include <stdbool.h>

#include "core/router.h"

/* SECCOMP_RET_DATA value for the fallback route. */
#define CABIN_BPF_DATA_DEFAULT	0xffff

struct cabin_bpf {
	struct sock_fprog prog;	/* ready for seccomp(SECCOMP_SET_MODE_FILTER) */
};

/*
 * kill_foreign_abi: syscalls from any ABI but native x86-64 (int 0x80,
 * x32) kill the process.  Returns 0 or -errno; on error *err_rule names
 * the rule libseccomp refused (or -1).
 */
int cabin_bpf_compile(const struct cabin_router *r, bool kill_foreign_abi,
		      struct cabin_bpf *out, int *err_rule);
void cabin_bpf_free(struct cabin_bpf *bpf);

#endif
