/*
 * W^X: no page of the confined program is writable and executable, and
 * none changes between the two at run time.  BPF refuses the requests
 * whose arguments say so; the proxy refuses making executable memory
 * writable, which only the current mappings can tell.
 */
#ifndef CABIN_CORE_MEMGUARD_H
#define CABIN_CORE_MEMGUARD_H

#include <stdbool.h>

#include "core/router.h"

struct cabin_proxy;
struct cabin_task;
struct cabin_syscall;

/*
 * Append W^X routes to r: the refusals, which belong before any rule
 * that could allow the same calls, or (watch) the traced mprotects the
 * proxy must check.  Returns 0 or -errno.
 */
int cabin_memguard_routes(struct cabin_router *r, bool watch);

/*
 * At the entry of a routed mprotect or pkey_mprotect asking for write
 * access: 0 to let it run, -EACCES when it would make executable memory
 * writable.
 */
long cabin_memguard_entry(struct cabin_proxy *p, struct cabin_task *task,
			  const struct cabin_syscall *sys);

#endif
