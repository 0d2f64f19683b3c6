/*
 * libcabin-preload.so: an unmodified dynamically linked program confined
 * before its main runs.
 *
 *     LD_PRELOAD=libcabin-preload.so CABIN_PROFILE=default program
 *
 * CABIN_PROFILE names a built-in profile, or CABIN_POLICY a policy file
 * (neither: the default profile); CABIN_TRACE and CABIN_REPORT name the
 * trace and the report files.  A constructor runs cabin_init and
 * cabin_enter; any failure ends the program before its main, exit status
 * 125, with the one line that says why.  The settings and the library are
 * taken out of the environment first: what the program starts is
 * confined by inheritance, and must not try to enter again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cabin/cabin.h>

static char *setting(const char *name)
{
	const char *v = getenv(name);
	char *copy;

	if (!v)
		return NULL;
	if (!*v) {
		fprintf(stderr, "cabin-preload: %s is empty; give a value or unset it\n",
			name);
		_exit(CABIN_EXIT_INTERNAL);
	}
	copy = strdup(v);
	if (!copy) {
		fprintf(stderr, "cabin-preload: out of memory\n");
		_exit(CABIN_EXIT_INTERNAL);
	}
	unsetenv(name);
	return copy;
}

/* LD_PRELOAD without this library (its other entries kept). */
static void drop_preload(void)
{
	const char *v = getenv("LD_PRELOAD");
	char *copy, *tok, *save = NULL, *out;
	size_t len;

	if (!v)
		return;
	len = strlen(v);
	copy = strdup(v);
	out = calloc(1, len + 1);
	if (!copy || !out) {
		fprintf(stderr, "cabin-preload: out of memory\n");
		_exit(CABIN_EXIT_INTERNAL);
	}
	for (tok = strtok_r(copy, " :", &save); tok;
	     tok = strtok_r(NULL, " :", &save)) {
		if (strstr(tok, "libcabin-preload"))
			continue;
		if (*out)
			strcat(out, ":");
		strcat(out, tok);
	}
	if (*out)
		setenv("LD_PRELOAD", out, 1);
	else
		unsetenv("LD_PRELOAD");
	free(copy);
	free(out);
}

__attribute__((constructor)) static void cabin_preload_enter(void)
{
	struct cabin_config cfg = { 0 };

	cfg.profile = setting("CABIN_PROFILE");
	cfg.policy_path = setting("CABIN_POLICY");
	cfg.trace_path = setting("CABIN_TRACE");
	cfg.report_path = setting("CABIN_REPORT");
	if (cfg.profile && cfg.policy_path) {
		fprintf(stderr, "cabin-preload: CABIN_PROFILE and CABIN_POLICY are both set; give one\n");
		_exit(CABIN_EXIT_INTERNAL);
	}
	drop_preload();
	/* cabin_init and cabin_enter say their one line themselves. */
	if (cabin_init(&cfg) < 0 || cabin_enter() < 0)
		_exit(CABIN_EXIT_INTERNAL);
}
