/*
 * The process platform as a driver: the program is cabin's traced child
 * under the seccomp filter, and cabin's own stop loop (tracer.c) runs
 * the proxy.  It needs nothing before the sandbox; whether ptrace and the
 * filter work here, the start says (spawn.c names the stage that failed).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cabin/cabin.h"
#include "core/proxy.h"
#include "platform/driver.h"
#include "platform/process/gdb.h"
#include "platform/process/process.h"
#include "sandbox/signals.h"

/* It has no options of its own; --gdb is its state. */
static int process_configure(struct cabin_launch *l,
			     const char *const *options)
{
	struct cabin_gdb *g;

	if (options && *options) {
		fprintf(l->log, "cabin: platform process takes no option '%s'\n",
			*options);
		return -EINVAL;
	}
	if (!l->gdb)
		return 0;
	g = malloc(sizeof(*g));
	if (!g)
		return -ENOMEM;
	l->state = g;
	return cabin_gdb_configure(g, l->gdb, l->log);
}

/* gdb's socket is cabin's, made here before any sandbox exists. */
static int process_prepare(struct cabin_launch *l)
{
	return l->state ? cabin_gdb_prepare(l->state) : 0;
}

static void process_close(struct cabin_launch *l)
{
	if (!l->state)
		return;
	cabin_gdb_close(l->state);
	free(l->state);
	l->state = NULL;
}

/* The proxy on ptrace's thread interface, and cabin's signals forwarded. */
static int open_proxy(struct cabin_launch *l, struct cabin_process *pp,
		      struct cabin_proxy *proxy,
		      struct cabin_saved_signals *signals)
{
	int err;

	cabin_tracer_init(pp);
	pp->timeout = l->timeout;
	err = l->proxy_init(l->run, proxy, &pp->plat, l->log);
	if (err < 0)
		return err;
	err = cabin_signals_install(signals);
	if (err < 0)
		cabin_proxy_free(proxy);
	return err;
}

static int process_launch(struct cabin_launch *l)
{
	struct cabin_saved_signals signals;
	struct cabin_process pp;
	struct cabin_proxy proxy;
	int code, err;

	err = open_proxy(l, &pp, &proxy, &signals);
	if (err < 0)
		return cabin_platform_start_error(l->log, l->argv[0], err);
	l->spawn.signals = &signals;
	if (l->state) {
		cabin_gdb_start(l->state, &pp);
		l->spawn.vfork_done = true;
	}
	code = cabin_tracer_run(&pp, &proxy, &l->spawn);
	cabin_signals_restore(&signals);
	if (code < 0)
		code = cabin_platform_start_error(l->log, l->argv[0], code);
	l->proxy_close(l->run, &proxy, code, l->log);
	return code;
}

/* cabin_enter: the caller is traced here, in the proxy's own process. */
static void serve_attached(void *ctx, int err)
{
	struct cabin_launch *l = ctx;

	l->attached(l->run, err);
}

static int process_serve(struct cabin_launch *l, pid_t pid)
{
	struct cabin_saved_signals signals;
	struct cabin_process pp;
	struct cabin_proxy proxy;
	int code, err;

	err = open_proxy(l, &pp, &proxy, &signals);
	if (err < 0) {
		l->attached(l->run, err);
		return CABIN_EXIT_INTERNAL;
	}
	code = cabin_tracer_serve(&pp, &proxy, pid, l->unsafe, serve_attached,
				  l);
	cabin_signals_restore(&signals);
	if (code < 0)
		code = CABIN_EXIT_INTERNAL;
	l->proxy_close(l->run, &proxy, code, l->log);
	return code;
}

const struct cabin_platform_driver cabin_process_driver = {
	.name = "process",
	.traits = CABIN_PLATFORM_HOST_TASKS | CABIN_PLATFORM_HOST_FDS |
		  CABIN_PLATFORM_HOST_MEMORY | CABIN_PLATFORM_PTRACE_EMUL,
	.configure = process_configure,
	.prepare = process_prepare,
	.launch = process_launch,
	.serve = process_serve,
	.close = process_close,
};
