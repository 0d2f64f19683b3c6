/*
 * The built-in policy: everything is allowed except a fixed list of
 * syscalls that would let a program reach past its sandbox or hide from
 * the proxy kernel.
 */
#ifndef CABIN_POLICY_BUILTIN_H
#define CABIN_POLICY_BUILTIN_H

#include "core/router.h"

/*
 * Fill r with the built-in routes.  unsafe holds enum cabin_unsafe bits
 * that leave parts out, for the adversarial tests.  Returns 0 or -errno.
 */
int cabin_policy_builtin(struct cabin_router *r, unsigned int unsafe);

#endif
