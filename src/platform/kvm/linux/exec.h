/*
 * execve on the kvm platform: the program's ELF file (and the loader its
 * PT_INTERP names) loaded into a fresh address space, and the initial
 * stack Linux would build (argv, envp, auxv).  The old program survives
 * every error found before the first byte of it is replaced.
 */
#ifndef CABIN_PLATFORM_KVM_EXEC_H
#define CABIN_PLATFORM_KVM_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "platform/kvm/linux/mm.h"

struct cabin_kvm_start {
	uint64_t entry, sp;
	char exe[4096];		/* the file that runs (the script, for #!) */
};

/*
 * Load path (opened here; fd >= 0 is used instead when given) with argv
 * and envp.  "#!" scripts run their interpreter as Linux does.  Returns
 * 0, or -errno with why set: -ENOENT, -EACCES, -ENOEXEC (not an x86-64
 * ELF, or a malformed one), -E2BIG, -ENOMEM, -ELOOP (scripts nest).
 */
int cabin_kvm_exec(struct cabin_kvm_mm *mm, const char *path, int fd,
		   char *const argv[], char *const envp[],
		   struct cabin_kvm_start *out, char *why, size_t whylen);

#endif
