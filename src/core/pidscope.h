/*
 * The calls that act on another process named by its pid, kept inside
 * the program's tree where no PID namespace hides the rest: a process
 * that confined itself (cabin_enter) shares its PID namespace with the
 * proxy kernel and every other process of its user.
 */
#ifndef CABIN_CORE_PIDSCOPE_H
#define CABIN_CORE_PIDSCOPE_H

#include "core/guard.h"

/*
 * The guard: prlimit64, setpriority, ioprio_set, sched_setaffinity,
 * sched_setscheduler, sched_setparam, sched_setattr, migrate_pages,
 * move_pages, kcmp, get_robust_list and pidfd_open stop in the proxy
 * (where the policy lets them run) and fail with ESRCH when they name a
 * pid that is not one of the proxy's tasks; setpriority and ioprio_set
 * on a process group or a user fail with EPERM.
 */
extern const struct cabin_guard cabin_pidscope_guard;

#endif
