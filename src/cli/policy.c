/*
 * `cabin policy`: check a policy file (printing its normal form) and show
 * the built-in profiles and syscall groups, so a policy can be written and tested before
 * anything runs under it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cabin/cabin.h"
#include "cabin/policy.h"
#include "cli/commands.h"

static void usage(FILE *out)
{
	fputs("Usage: cabin policy check FILE\n"
	      "       cabin policy show NAME|@GROUP\n"
	      "\n"
	      "  check FILE  parse and validate FILE ('-' or /dev/stdin for\n"
	      "              standard input); print its normal form: the\n"
	      "              profile flattened, one setting per line, in a\n"
	      "              fixed order\n"
	      "  show NAME   print the text of a built-in profile, to start a\n"
	      "              policy from: default, strict, trace, none\n"
	      "  show @GROUP print the syscalls of a syscall group, one a\n"
	      "              line (@mount, @network-io, ...: docs/policy.md)\n"
	      "  -h, --help  show this help\n"
	      "\n"
	      "Errors are printed as FILE:LINE:COLUMN: what is wrong, and the\n"
	      "exit status is 125.  A path that does not exist on this\n"
	      "machine is only a warning (FILE:LINE:COLUMN: warning: ...).\n"
	      "The language is described in docs/policy.md.\n", out);
}

static bool wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	return false;
}

static int check(const char *path)
{
	struct cabin_policy *p = cabin_policy_new();
	struct cabin_policy_error err = { 0 };
	int ret;

	if (!strcmp(path, "-"))
		path = "/dev/stdin";
	if (!p) {
		fputs("cabin policy: out of memory\n", stderr);
		return CABIN_EXIT_INTERNAL;
	}
	ret = cabin_policy_load_file(p, path, &err);
	if (!ret) {
		ret = cabin_policy_validate(p, &err);
		if (ret)
			snprintf(err.file, sizeof(err.file), "%s", path);
	}
	if (!ret) {
		/* Written for another machine, maybe: not an error here. */
		cabin_policy_warn_missing(p, stderr);
		ret = cabin_policy_format(p, stdout);
	}
	cabin_policy_delete(p);
	if (ret) {
		if (err.message[0])
			cabin_policy_error_print(&err, stderr);
		else
			fprintf(stderr, "cabin policy: cannot write: %s\n",
				strerror(-ret));
		return CABIN_EXIT_INTERNAL;
	}
	return fflush(stdout) ? CABIN_EXIT_INTERNAL : 0;
}

static int show_group(const char *name)
{
	char known[256];
	int err = cabin_policy_group_show(name, stdout);

	if (err == -ENOENT) {
		cabin_policy_group_names(known, sizeof(known));
		fprintf(stderr, "cabin policy: unknown syscall group '%s'; known: %s\n",
			name, known);
		return CABIN_EXIT_INTERNAL;
	}
	return err || fflush(stdout) ? CABIN_EXIT_INTERNAL : 0;
}

static int show(const char *name)
{
	const char *text = cabin_profile_text(name);
	size_t i;

	if (name[0] == '@')
		return show_group(name);
	if (!text) {
		fprintf(stderr, "cabin policy: unknown profile '%s'; known:",
			name);
		for (i = 0; cabin_profile_names[i]; i++)
			fprintf(stderr, " %s", cabin_profile_names[i]);
		fputc('\n', stderr);
		return CABIN_EXIT_INTERNAL;
	}
	fputs(text, stdout);
	return fflush(stdout) ? CABIN_EXIT_INTERNAL : 0;
}

int cabin_cmd_policy(int argc, char **argv)
{
	if (wants_help(argc, argv)) {
		usage(stdout);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "check"))
		return check(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "show"))
		return show(argv[2]);
	fputs("cabin policy: expected 'check FILE' or 'show NAME'; see 'cabin policy --help'\n",
	      stderr);
	return CABIN_EXIT_INTERNAL;
}
