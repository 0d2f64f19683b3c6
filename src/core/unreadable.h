/*
 * Arguments cabin cannot read but the kernel can (memfd_secret memory, a
 * device's I/O mapping): a call the proxy records or decides must not
 * run on a name cabin never saw.  docs/security.md, "Memory cabin cannot
 * read".
 */
#ifndef CABIN_CORE_UNREADABLE_H
#define CABIN_CORE_UNREADABLE_H

#include "core/event.h"

struct cabin_proxy;
struct cabin_task;

/*
 * At the entry stop of a routed call: -EFAULT when a path or socket
 * address it names lies (in part) in memory cabin cannot read, so the
 * call is answered EFAULT and never runs; else 0.  A NULL pointer is
 * left to the kernel (utimensat's descriptor form, EFAULT elsewhere).
 */
long cabin_unreadable_entry(struct cabin_proxy *p, struct cabin_task *task,
			    const struct cabin_syscall *sys);

#endif
