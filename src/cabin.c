/*
 * libcabin's entry point: build the routing table, compile it, start the
 * platform and hand every event to the proxy kernel until the confined
 * tree is gone.  The one place where a setup error becomes a message.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cabin/cabin.h"
#include "core/proxy.h"
#include "platform/process/process.h"
#include "platform/process/signals.h"
#include "policy/builtin.h"
#include "policy/compile_bpf.h"

static const char *const unsafe_names[] = {
	"abi", "deny", "untraced", "exitkill", "caps",
};

static void warn_unsafe(FILE *log, unsigned int unsafe)
{
	size_t i;

	for (i = 0; i < sizeof(unsafe_names) / sizeof(*unsafe_names); i++) {
		if (unsafe & (1u << i))
			fprintf(log, "cabin: WARNING: protection '%s' is switched off (--unsafe-disable)\n",
				unsafe_names[i]);
	}
}

int cabin_unsafe_parse(const char *list, unsigned int *out)
{
	char buf[256], *tok, *save = NULL;
	size_t i;

	if (snprintf(buf, sizeof(buf), "%s", list) >= (int)sizeof(buf))
		return -EINVAL;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(unsafe_names) / sizeof(*unsafe_names);
		     i++) {
			if (!strcmp(tok, unsafe_names[i]))
				break;
		}
		if (i == sizeof(unsafe_names) / sizeof(*unsafe_names))
			return -EINVAL;
		*out |= 1u << i;
	}
	return 0;
}

static int start_error(FILE *log, const char *program, int err)
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

static int compile_policy(FILE *log, unsigned int unsafe,
			  struct cabin_router *router, struct cabin_bpf *bpf)
{
	int err, bad_rule;

	err = cabin_policy_builtin(router, unsafe);
	if (err < 0) {
		fprintf(log, "cabin: building the built-in policy failed: %s\n",
			strerror(-err));
		return err;
	}
	err = cabin_bpf_compile(router, !(unsafe & CABIN_UNSAFE_ABI), bpf,
				&bad_rule);
	if (err < 0)
		fprintf(log, "cabin: compiling the seccomp filter failed at rule %d: %s\n",
			bad_rule, strerror(-err));
	return err;
}

int cabin_run(const struct cabin_config *cfg, char *const argv[])
{
	FILE *log = cfg->log ? cfg->log : stderr;
	struct cabin_saved_signals signals;
	struct cabin_router router;
	struct cabin_process pp;
	struct cabin_proxy proxy;
	struct cabin_bpf bpf;
	int code, err;

	if (!argv || !argv[0]) {
		fprintf(log, "cabin: no program to run\n");
		return CABIN_EXIT_INTERNAL;
	}
	warn_unsafe(log, cfg->unsafe);
	if (compile_policy(log, cfg->unsafe, &router, &bpf) < 0) {
		cabin_router_free(&router);
		return CABIN_EXIT_INTERNAL;
	}
	cabin_process_init(&pp);
	err = cabin_proxy_init(&proxy, &pp.plat, &router, log);
	if (err < 0) {
		code = start_error(log, argv[0], err);
		goto out;
	}
	proxy.verbose = cfg->verbose;
	err = cabin_signals_install(&signals);
	if (err < 0) {
		code = start_error(log, argv[0], err);
		goto out_proxy;
	}
	code = cabin_process_run(&pp, &proxy, &(struct cabin_spawn){
		.argv = argv,
		.filter = &bpf.prog,
		.unsafe = cfg->unsafe,
		.signals = &signals,
	});
	cabin_signals_restore(&signals);
	if (code < 0)
		code = start_error(log, argv[0], code);
	else if (cfg->verbose)
		cabin_proxy_print_summary(&proxy);
out_proxy:
	cabin_proxy_free(&proxy);
out:
	cabin_bpf_free(&bpf);
	cabin_router_free(&router);
	return code;
}
