/*
 * `cabin run`: parse options, hand the program to libcabin, exit with its
 * status.  Options end at `--` or at the first word that is not one, so
 * the program's own options are never taken for cabin's.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cabin/cabin.h"
#include "cli/commands.h"

static void usage(FILE *out)
{
	fputs("Usage: cabin run [OPTIONS] [--] PROGRAM [ARGS...]\n"
	      "\n"
	      "Run PROGRAM (found like execvp) confined behind the proxy kernel.\n"
	      "\n"
	      "Options:\n"
	      "  -v, --verbose             print each spawn, exec and exit, and a summary\n"
	      "      --unsafe-disable=LIST switch protections off, for testing them:\n"
	      "                            abi, deny, untraced, exitkill, caps\n"
	      "  -h, --help                show this help\n"
	      "\n"
	      "Exit status: the program's own; 128+N if it was killed by signal N;\n"
	      "125 if cabin failed; 126 if PROGRAM cannot be executed; 127 if it\n"
	      "was not found.\n", out);
}

int cabin_cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "unsafe-disable", required_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cabin_config cfg = { 0 };
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			cfg.verbose = true;
			break;
		case 'U':
			if (cabin_unsafe_parse(optarg, &cfg.unsafe) < 0) {
				fprintf(stderr, "cabin run: unknown protection in --unsafe-disable=%s (known: abi, deny, untraced, exitkill, caps)\n",
					optarg);
				return CABIN_EXIT_INTERNAL;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return CABIN_EXIT_INTERNAL;
		}
	}
	if (optind >= argc) {
		fputs("cabin run: no program given\n", stderr);
		usage(stderr);
		return CABIN_EXIT_INTERNAL;
	}
	return cabin_run(&cfg, argv + optind);
}
