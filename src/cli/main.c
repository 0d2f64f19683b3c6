/*
 * The `cabin` command: dispatch to a subcommand.  Each subcommand parses
 * its own options and returns the exit status.
 */
#include <stdio.h>
#include <string.h>

#include "cabin/cabin.h"
#include "cli/commands.h"

static void usage(FILE *out)
{
	fputs("Usage: cabin COMMAND [OPTIONS]\n"
	      "\n"
	      "Confine untrusted Linux programs behind a proxy kernel.\n"
	      "\n"
	      "Commands:\n"
	      "  run [OPTIONS] -- PROGRAM [ARGS...]   run PROGRAM confined\n"
	      "  info [--json]                        what this machine offers\n"
	      "  policy check FILE | show NAME        check a policy, show a profile\n"
	      "\n"
	      "Options:\n"
	      "  -h, --help      show this help (also: cabin COMMAND --help)\n"
	      "  -V, --version   show the version\n", out);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		fputs("cabin: no command given; see 'cabin --help'\n", stderr);
		return CABIN_EXIT_INTERNAL;
	}
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") ||
	    !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
		printf("cabin %s\n", CABIN_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "run"))
		return cabin_cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "info"))
		return cabin_cmd_info(argc - 1, argv + 1);
	if (!strcmp(cmd, "policy"))
		return cabin_cmd_policy(argc - 1, argv + 1);
	fprintf(stderr, "cabin: unknown %s '%s'; see 'cabin --help'\n",
		cmd[0] == '-' ? "option" : "command", cmd);
	return CABIN_EXIT_INTERNAL;
}
