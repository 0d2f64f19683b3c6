/*
 * cabin's side of a kvm run, outside the sandbox: the records' sockets,
 * the sandboxed child that becomes the monitor (monitor_child.c), the
 * records copied from the sockets into their files while cabin waits,
 * and the monitor's outcome as cabin's status.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cabin/cabin.h"
#include "platform/driver.h"
#include "platform/kvm/host/host.h"
#include "platform/kvm/host/supervise.h"
#include "platform/kvm/linux/entry.h"
#include "sandbox/signals.h"
#include "sandbox/spawn.h"

/* What the child reported, or what its status says. */
static int kvm_outcome(struct cabin_launch *l, const struct cabin_child *child,
		       int status, bool timed_out)
{
	struct cabin_spawn_error e;

	if (cabin_spawn_failure(child, &e)) {
		fprintf(l->log, "cabin: setting up the sandbox failed while %s: %s\n",
			cabin_spawn_stage_name(e.stage), strerror(e.err));
		return CABIN_EXIT_INTERNAL;
	}
	if (timed_out) {
		if (!l->quiet)
			fprintf(l->log, "cabin: the time limit (%lu s) ended the program\n",
				l->timeout);
		return 124;
	}
	if (status < 0) {
		fprintf(l->log, "cabin: waiting for the kvm monitor: %s\n",
			strerror(-status));
		return CABIN_EXIT_INTERNAL;
	}
	if (WIFSIGNALED(status)) {
		fprintf(l->log, "cabin: the kvm monitor died of signal %d\n",
			WTERMSIG(status));
		return CABIN_EXIT_INTERNAL;
	}
	return WEXITSTATUS(status);
}

/* Did the monitor send its report (the run names it when delivered)? */
static void check_kvm_report(struct cabin_launch *l)
{
	struct cabin_launch_records *rec = &l->records;
	struct stat st;

	if (rec->report_fd < 0 ||
	    (fstat(rec->report_fd, &st) == 0 && st.st_size > 0))
		return;
	fprintf(l->log, "cabin: writing the report to %s failed: the kvm monitor sent none\n",
		rec->report_path);
	rec->report_failed = true;
}

static int open_kvm_sockets(struct cabin_launch *l, struct cabin_kvm_host *h)
{
	const struct cabin_launch_records *rec = &l->records;

	int type = SOCK_STREAM | SOCK_CLOEXEC;

	if (rec->tracer && rec->trace_out != stderr &&
	    socketpair(AF_UNIX, type, 0, h->trace_sock) < 0)
		return -errno;
	if (rec->report_fd >= 0 &&
	    socketpair(AF_UNIX, type, 0, h->report_sock) < 0)
		return -errno;
	return 0;
}

static void close_child_ends(struct cabin_kvm_host *h)
{
	if (h->trace_sock[1] >= 0)
		close(h->trace_sock[1]);
	if (h->report_sock[1] >= 0)
		close(h->report_sock[1]);
	h->trace_sock[1] = h->report_sock[1] = -1;
}

/* Copy the records from the sockets until the monitor is gone. */
static int supervise(struct cabin_launch *l, struct cabin_kvm_host *h,
		     pid_t pid, unsigned long timeout, bool *timed_out)
{
	struct cabin_kvm_pump pumps[2];
	size_t n = 0;

	if (h->trace_sock[0] >= 0)
		pumps[n++] = (struct cabin_kvm_pump){
			h->trace_sock[0], fileno(l->records.trace_out) };
	if (h->report_sock[0] >= 0)
		pumps[n++] = (struct cabin_kvm_pump){
			h->report_sock[0], l->records.report_fd };
	return cabin_kvm_supervise(pid, timeout, pumps, n, timed_out);
}

int cabin_kvm_host_launch(struct cabin_launch *l)
{
	struct cabin_kvm_host *h = l->state;
	struct cabin_saved_signals signals;
	struct cabin_child child;
	struct cabin_kvm_host_start start = { l, h, NULL };
	unsigned long waited, timeout;
	bool timed_out;
	int err, status;

	err = cabin_find_program(l->argv[0], child.path, sizeof(child.path));
	if (err < 0)
		return cabin_platform_start_error(l->log, l->argv[0], err);
	start.path = child.path;
	err = open_kvm_sockets(l, h);
	if (err < 0)
		return cabin_platform_start_error(l->log, l->argv[0], err);
	err = cabin_signals_install(&signals);
	if (err < 0)
		return cabin_platform_start_error(l->log, l->argv[0], err);
	l->spawn.signals = &signals;
	/*
	 * --gdb: the program is held before it exists until gdb comes; the
	 * time limit runs meanwhile, as on the process platform.
	 */
	waited = cabin_kvm_seat_take(&h->seat, l);
	timeout = !l->timeout ? 0 : waited < l->timeout ? l->timeout - waited : 1;
	/* The monitor runs unfiltered: the program's calls are the guest's. */
	l->spawn.filter = NULL;
	l->spawn.run = cabin_kvm_host_child;
	l->spawn.run_ctx = &start;
	fflush(NULL);
	err = cabin_spawn_child(&l->spawn, &child);
	if (err < 0) {
		cabin_signals_restore(&signals);
		return cabin_platform_start_error(l->log, l->argv[0], err);
	}
	/* cabin's signals go to the monitor, which hands them on. */
	cabin_signals_target = child.pid;
	close_child_ends(h);
	/* gdb's connection is the monitor's now. */
	if (h->seat.fd >= 0)
		close(h->seat.fd);
	h->seat.fd = -1;
	status = supervise(l, h, child.pid, timeout, &timed_out);
	cabin_signals_target = 0;
	cabin_signals_restore(&signals);
	check_kvm_report(l);
	err = kvm_outcome(l, &child, status, timed_out);
	close(child.error_fd);
	return err;
}
