/*
 * Arguments cabin cannot read but the kernel can (memfd_secret memory, a
 * device's I/O mapping): a call the proxy records or decides must not
 * run on a name cabin never saw.  docs/security.md, "Memory cabin cannot
 * read".
 */
#ifndef CABIN_CORE_UNREADABLE_H
#define CABIN_CORE_UNREADABLE_H

#include "core/guard.h"

/*
 * A guard, the first the proxy runs: at the entry stop of a routed call,
 * -EFAULT when a string or socket address it names lies (in part) in
 * memory cabin cannot read, so the call is answered EFAULT and never
 * runs; else 0.  A NULL pointer is left to the kernel (utimensat's
 * descriptor form, EFAULT elsewhere).  Off when the proxy's
 * fail_unreadable is false (--unsafe-disable=unreadable).
 */
extern const struct cabin_guard cabin_unreadable_guard;

#endif
