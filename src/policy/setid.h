/*
 * The setid guard: no file the program creates or changes gets a mode
 * that raises privileges at exec (S_ISUID, or S_ISGID with S_IXGRP).
 * Every filtered run has it, whatever profile or policy file it uses.
 */
#ifndef CABIN_POLICY_SETID_H
#define CABIN_POLICY_SETID_H

#include <stdbool.h>

#include "core/router.h"

/*
 * Fill r with the setid routes, to be added where the policy lets each
 * call run (compile.c's append_if_allowed):
 * - chmod, fchmod, fchmodat, fchmodat2 with S_ISUID: EPERM;
 * - the same with S_ISGID and S_IXGRP but not S_ISUID: emulated, the file
 *   guard refuses them unless the file it resolved is a directory (and
 *   EPERM where the policy's route for the call is not an allow);
 * - open, openat, creat, mknod, mknodat with S_ISUID or with S_ISGID and
 *   S_IXGRP in the mode: EPERM (the opens whatever their flags);
 * - openat2 (its mode is in memory BPF cannot read): ENOSYS, as on a
 *   kernel before 5.6; libc's open never uses it.
 * Returns 0 or -errno.
 */
int cabin_setid_routes(struct cabin_router *r);

/* Is nr one of the calls whose mode the setid routes test? */
bool cabin_setid_call(int nr);

#endif
