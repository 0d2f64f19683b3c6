/*
 * A platform with no process behind it: it records every request the
 * proxy kernel makes, so the core can be tested event by event.
 */
#ifndef CABIN_TEST_FAKE_PLATFORM_H
#define CABIN_TEST_FAKE_PLATFORM_H

#include "core/platform.h"

#define FAKE_MAX_CALLS 64

struct fake_call {
	enum { FAKE_RESUME, FAKE_KILL } what;
	pid_t tid;
	struct cabin_resume resume;
	int sig;
};

struct fake_platform {
	struct cabin_platform plat;
	struct fake_call calls[FAKE_MAX_CALLS];
	int ncalls;
	pid_t tgid_of[8][2];	/* tid -> tgid overrides */
	char exe[64];
};

void fake_platform_init(struct fake_platform *f);
void fake_set_tgid(struct fake_platform *f, pid_t tid, pid_t tgid);
const struct fake_call *fake_last(const struct fake_platform *f);

#endif
