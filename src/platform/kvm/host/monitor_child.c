/*
 * The sandboxed child of a kvm run, before it becomes the monitor: its
 * descriptors moved above the program's floor, the records sent through
 * cabin's sockets (or to the log), the proxy core set up by the run, the
 * monitor run, and the records of forked monitors handed to the first.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cabin/cabin.h"
#include "core/proxy.h"
#include "platform/driver.h"
#include "platform/kvm/host/host.h"
#include "platform/kvm/linux/entry.h"
#include "sandbox/sandbox.h"
#include "trace/report.h"
#include "trace/trace.h"

/* The trace goes to the log, or to cabin through its socket. */
static int move_trace(struct cabin_kvm_host_start *s, FILE *log, int floor)
{
	struct cabin_launch_records *rec = &s->l->records;
	FILE *f;
	int fd;

	if (!rec->tracer)
		return 0;
	if (rec->trace_out == stderr) {
		cabin_tracer_set_output(rec->tracer, log);
		return 0;
	}
	fd = cabin_kvm_move_fd(s->h->trace_sock[1], floor);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f)
		return -EBADF;
	cabin_tracer_set_output(rec->tracer, f);
	return 0;
}

/* In a monitor forked with its program: the records start afresh. */
static void kvm_forked(void *ctx)
{
	struct cabin_launch *l = ctx;

	cabin_tracer_forked(l->records.tracer);
	if (l->records.report)
		cabin_report_forked(l->records.report);
}

static void absorb_report(void *ctx, const void *buf, size_t len)
{
	cabin_report_absorb(ctx, buf, len);
}

/*
 * A forked monitor's end: its trace lines are out, its records go to the
 * first monitor, and it leaves as its program did, for the parent's wait.
 */
static void __attribute__((noreturn)) kvm_forked_end(void *ctx,
						     struct cabin_kvm *k)
{
	struct cabin_launch *l = ctx;
	struct cabin_proxy *proxy = k->proxy;
	char *buf = NULL;
	size_t len = 0;

	if (l->records.tracer)
		cabin_tracer_finish(l->records.tracer);
	if (l->records.report &&
	    cabin_report_save(l->records.report, &buf, &len) < 0)
		len = 0;
	cabin_kvm_family_leave(&k->family, buf, len);
	free(buf);
	fflush(NULL);
	cabin_exit_as(proxy->main_exited ? proxy->main_status : SIGKILL);
}

/* kvm: the program names only descriptors below the monitor's floor. */
static bool passed_below(const struct cabin_launch *l, int floor, FILE *log)
{
	size_t i;

	for (i = 0; i < l->spawn.npass_fds; i++) {
		if (l->spawn.pass_fds[i] >= floor) {
			fprintf(log, "cabin: --pass-fd %d: the kvm platform's program has descriptors below %d only\n",
				l->spawn.pass_fds[i], floor);
			return false;
		}
	}
	return true;
}

/* The records, the run's guards and /dev/kvm: above the floor. */
static int move_above(struct cabin_kvm_host_start *s,
		      struct cabin_kvm_options *o, FILE *log, int floor)
{
	struct cabin_launch *l = s->l;
	struct cabin_launch_records *rec = &l->records;
	int report_sock = s->h->report_sock[1];
	size_t i;

	o->kvm_fd = cabin_kvm_move_fd(s->h->kvm_fd, floor);
	o->exe_fd = cabin_kvm_move_fd(l->spawn.exe_fd, floor);
	o->gdb_fd = cabin_kvm_move_fd(s->h->seat.fd, floor);
	if (rec->report)
		cabin_report_redirect(rec->report, report_sock >= 0 ?
				      cabin_kvm_move_fd(report_sock, floor) : -1,
				      rec->summary ? log : NULL);
	if (move_trace(s, log, floor) < 0 || o->kvm_fd < 0) {
		fprintf(log, "cabin: the kvm monitor cannot keep its descriptors\n");
		return -EBADF;
	}
	/* The file guard resolves relative rules from where cabin started. */
	for (i = 0; i < l->nheld_fds; i++)
		*l->held_fds[i] = cabin_kvm_move_fd(*l->held_fds[i], floor);
	cabin_kvm_close_cloexec_below(floor);
	return 0;
}

static void set_options(struct cabin_kvm_host_start *s,
			struct cabin_kvm_options *o, FILE *log, int floor)
{
	const struct cabin_launch *l = s->l;
	const struct cabin_kvm_host_options *opt = &s->h->opt;

	o->argv = l->argv;
	o->envp = l->spawn.envp;
	o->path = s->path;
	o->fd_floor = floor;
	o->stats = opt->stats;
	o->test_fault = opt->test_fault;
	o->ring = opt->ring;
	o->batch = opt->batch;
	o->xom = l->xom;
	o->no_smep = l->unsafe & CABIN_UNSAFE_SMEP;
	o->no_smap = l->unsafe & CABIN_UNSAFE_SMAP;
	o->log = log;
	o->forked = kvm_forked;
	o->forked_end = kvm_forked_end;
	o->hook_ctx = s->l;
}

int cabin_kvm_host_child(void *ctx)
{
	struct cabin_kvm_host_start *s = ctx;
	struct cabin_launch *l = s->l;
	struct cabin_kvm_options o = { 0 };
	struct cabin_kvm k;
	struct cabin_proxy proxy;
	int floor = cabin_kvm_fd_floor(), code;
	FILE *log = fdopen(fcntl(2, F_DUPFD_CLOEXEC, floor), "w");

	if (!log)
		return CABIN_EXIT_INTERNAL;
	setvbuf(log, NULL, _IOLBF, 0);
	if (!passed_below(l, floor, log))
		return CABIN_EXIT_INTERNAL;
	if (move_above(s, &o, log, floor) < 0)
		return CABIN_EXIT_INTERNAL;
	memset(&k, 0, sizeof(k));
	k.plat = (struct cabin_platform){ "kvm", &cabin_kvm_ops, &k };
	if (l->proxy_init(l->run, &proxy, &k.plat, log) < 0)
		return CABIN_EXIT_INTERNAL;
	set_options(s, &o, log, floor);
	code = cabin_kvm_run(&k, &proxy, &o);
	cabin_kvm_end_family(&k, l->records.report ? absorb_report : NULL,
			     l->records.report);
	l->proxy_close(l->run, &proxy, code, log);
	cabin_kvm_free(&k);
	fflush(NULL);
	return code;
}
