/*
 * Self-protection: routes that protect the proxy kernel's own mechanism
 * (ptrace following every task, signals staying in the tree, no filter
 * of the program's answering before cabin's) rather than express a
 * policy; not the guards of src/core, which enforce policy rules.
 * Every filtered run has them, whatever profile or policy file it uses.
 */
#ifndef CABIN_POLICY_SELF_PROTECT_H
#define CABIN_POLICY_SELF_PROTECT_H

#include <stdbool.h>

#include "core/router.h"

/*
 * Append the clone routes to r: clone with CLONE_UNTRACED is denied and
 * clone3 answers ENOSYS.  Rules already in r for those syscalls win, so
 * these are not added for them.  Returns 0 or -errno.
 */
int cabin_self_protect_clone(struct cabin_router *r);

/*
 * Where ptrace is emulated for tracers inside the sandbox and the policy
 * does not refuse it: ptrace and wait4 stop in the proxy (unless the
 * policy names them), and with untraced, clone with CLONE_UNTRACED stops
 * (the flag is taken off there) instead of being denied.  Call before
 * cabin_self_protect_clone.  Returns 0 or -errno.
 */
int cabin_self_protect_ptrace(struct cabin_router *r, bool untraced);

/*
 * Where ptrace is not emulated (another platform, or switched off):
 * ptrace is denied (EPERM, reported) unless the policy names it, as the
 * deny list of the built-in profiles did.  Returns 0 or -errno.
 */
int cabin_self_protect_no_ptrace(struct cabin_router *r);

/*
 * Append a refusal (EPERM, quiet) of kill(0, ...), for kernels whose
 * Landlock cannot scope signals: the program shares cabin's process
 * group.  Added first, so no rule of the policy can let it through.
 */
int cabin_self_protect_group_kill(struct cabin_router *r);

/*
 * The routes against a seccomp filter of the program's own, for r to
 * merge where its policy lets the calls run: seccomp with
 * SECCOMP_FILTER_FLAG_NEW_LISTENER is denied (EPERM, reported), and
 * installs through seccomp(SECCOMP_SET_MODE_FILTER) or
 * prctl(PR_SET_SECCOMP) stop in the proxy.  Returns 0 or -errno.
 */
int cabin_self_protect_own_filter(struct cabin_router *r);

#endif
