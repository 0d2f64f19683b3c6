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

extern char **environ;

/*
 * The environment is read and changed in environ itself, never through
 * getenv, setenv or unsetenv: a program may define its own (bash does),
 * which the library's calls reach through the PLT and which do nothing
 * before the program's own initialisation.  The array is changed in
 * place: main's envp is that array.
 */
static char **find_entry(const char *name)
{
	size_t len = strlen(name);
	char **e;

	for (e = environ; e && *e; e++)
		if (!strncmp(*e, name, len) && (*e)[len] == '=')
			return e;
	return NULL;
}

/* Every entry for name taken out, the later ones moved up. */
static void remove_entries(const char *name)
{
	char **e, **to;

	while ((e = find_entry(name)) != NULL)
		for (to = e; *to; to++)
			to[0] = to[1];
}

static __attribute__((noreturn)) void out_of_memory(void)
{
	fprintf(stderr, "cabin-preload: out of memory\n");
	_exit(CABIN_EXIT_INTERNAL);
}

static char *setting(const char *name)
{
	char **e = find_entry(name);
	char *copy;

	if (!e)
		return NULL;
	copy = strdup(*e + strlen(name) + 1);
	if (!copy)
		out_of_memory();
	if (!*copy) {
		fprintf(stderr, "cabin-preload: %s is empty; give a value or unset it\n",
			name);
		_exit(CABIN_EXIT_INTERNAL);
	}
	remove_entries(name);
	return copy;
}

/* LD_PRELOAD without this library (its other entries kept). */
static void drop_preload(void)
{
	static const char prefix[] = "LD_PRELOAD=";
	char **e = find_entry("LD_PRELOAD");
	char *copy, *tok, *save = NULL, *out;

	if (!e)
		return;
	copy = strdup(*e + sizeof(prefix) - 1);
	out = calloc(1, sizeof(prefix) + strlen(*e));
	if (!copy || !out)
		out_of_memory();
	strcpy(out, prefix);
	for (tok = strtok_r(copy, " :", &save); tok;
	     tok = strtok_r(NULL, " :", &save)) {
		if (strstr(tok, "libcabin-preload"))
			continue;
		if (out[sizeof(prefix) - 1])
			strcat(out, ":");
		strcat(out, tok);
	}
	free(copy);
	remove_entries("LD_PRELOAD");
	if (!out[sizeof(prefix) - 1]) {
		free(out);
		return;
	}
	/* the slot the removal freed at the end, before the NULL */
	for (e = environ; *e; e++)
		;
	e[0] = out;
	e[1] = NULL;
}

static __attribute__((noreturn)) void still_there(const char *name)
{
	fprintf(stderr, "cabin-preload: %s is still in the environment after its removal; the program does not run\n",
		name);
	_exit(CABIN_EXIT_INTERNAL);
}

/* What the program runs must not try to enter again: checked. */
static void verify_removed(void)
{
	static const char *const names[] = { "CABIN_PROFILE", "CABIN_POLICY",
					     "CABIN_TRACE", "CABIN_REPORT" };
	char **e = find_entry("LD_PRELOAD");
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (find_entry(names[i]))
			still_there(names[i]);
	if (e && strstr(*e, "libcabin-preload"))
		still_there("libcabin-preload in LD_PRELOAD");
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
	verify_removed();
	/* cabin_init and cabin_enter say their one line themselves. */
	if (cabin_init(&cfg) < 0 || cabin_enter() < 0)
		_exit(CABIN_EXIT_INTERNAL);
}
