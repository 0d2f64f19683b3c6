/*
 * What every platform's launch says when the program could not be
 * started, and the status cabin then exits with (as env(1) does).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cabin/cabin.h"
#include "platform/driver.h"

int cabin_platform_start_error(FILE *log, const char *program, int err)
{
	switch (err) {
	case -ENOENT:
		fprintf(log, "cabin: %s: command not found\n", program);
		return CABIN_EXIT_NOTFOUND;
	case -EACCES:
		fprintf(log, "cabin: %s: permission denied\n", program);
		return CABIN_EXIT_NOEXEC;
	case -EPERM:
		fprintf(log, "cabin: cannot trace the program: %s (is another tracer or a ptrace restriction in the way?)\n",
			strerror(-err));
		return CABIN_EXIT_INTERNAL;
	}
	fprintf(log, "cabin: cannot start %s: %s\n", program, strerror(-err));
	return CABIN_EXIT_INTERNAL;
}
