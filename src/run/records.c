/*
 * The trace and the report: their files bound and their observers made
 * before the program runs, finished with the proxy at its end, and named
 * (or their loss said, exit 125) once the run is over.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/proxy.h"
#include "run/run.h"
#include "trace/report.h"
#include "trace/trace.h"

/*
 * The files behind the trace and the report, bound before the program
 * runs (outfile.h); --unsafe-disable=outputs opens them by path, as
 * cabin used to.
 */
static int open_outputs(struct cabin_run_state *r)
{
	const struct cabin_config *cfg = r->cfg;
	bool by_path = cfg->unsafe & CABIN_UNSAFE_OUTPUTS;
	int err, fd;

	if (cfg->trace_path && strcmp(cfg->trace_path, "-")) {
		err = cabin_outfile_open(&r->trace_file, cfg->trace_path,
					 "trace", by_path ?
					 CABIN_OUTFILE_NAMED_LIVE :
					 CABIN_OUTFILE_SAFE, r->log);
		if (err < 0)
			return err;
		fd = fcntl(r->trace_file.fd, F_DUPFD_CLOEXEC, 3);
		r->trace_out = fd >= 0 ? fdopen(fd, "w") : NULL;
		if (!r->trace_out) {
			if (fd >= 0)
				close(fd);
			return -ENOMEM;
		}
	}
	if (cfg->report_path)
		return cabin_outfile_open(&r->report_file, cfg->report_path,
					  "report", by_path ?
					  CABIN_OUTFILE_NAMED_AT_END :
					  CABIN_OUTFILE_SAFE, r->log);
	return 0;
}

/* The trace and the report are observers; they exist before the run. */
int cabin_run_open_records(struct cabin_run_state *r, char *const argv[])
{
	const struct cabin_config *cfg = r->cfg;
	int err = open_outputs(r);

	if (err < 0)
		return err;

	if (cfg->trace_path) {
		struct cabin_trace_options o = {
			.format = cfg->trace_jsonl ? CABIN_TRACE_JSONL
						   : CABIN_TRACE_TEXT,
			.timestamps = cfg->trace_timestamps,
			.durations = cfg->trace_durations,
			.fd_paths = cfg->trace_fds,
			.racecheck = (r->traits & CABIN_PLATFORM_HOST_FDS) &&
				     !(cfg->unsafe & CABIN_UNSAFE_RACECHECK),
		};

		if (!r->trace_out)
			r->trace_out = stderr;
		o.out = r->trace_out;
		r->tracer = cabin_tracer_new(&o);
		if (!r->tracer)
			return -ENOMEM;
	}
	if (cfg->report_path || cfg->summary) {
		struct cabin_report_options o = {
			.path = cfg->report_path,
			.summary = cfg->summary ? r->log : NULL,
			.argv = argv,
			.uid = cfg->set_uid ? cfg->uid : geteuid(),
			.gid = cfg->set_gid ? cfg->gid : getegid(),
			/* a monitor's descriptors are not the program's */
			.racecheck = (r->traits & CABIN_PLATFORM_HOST_FDS) &&
				     !(cfg->unsafe & CABIN_UNSAFE_RACECHECK),
		};

		r->report = cabin_report_new(&o);
		if (!r->report)
			return -ENOMEM;
		if (cfg->report_path)
			cabin_report_redirect(r->report, r->report_file.fd,
					      o.summary);
	}
	return 0;
}

void cabin_run_close_records(struct cabin_run_state *r)
{
	if (r->tracer)
		cabin_tracer_free(r->tracer);
	if (r->trace_out && r->trace_out != stderr)
		fclose(r->trace_out);
	if (r->report)
		cabin_report_free(r->report);
	cabin_outfile_close(&r->trace_file);
	cabin_outfile_close(&r->report_file);
}

/*
 * The run is over: the trace and the report get their names.  Output
 * cabin could not deliver fails the run with 125 (docs/cli-contract.md);
 * the program's own status is then said on a line of its own.
 */
int cabin_run_deliver_outputs(struct cabin_run_state *r, int code)
{
	bool lost = r->report_failed;

	if (r->trace_out && r->trace_out != stderr && fflush(r->trace_out)) {
		fprintf(r->log, "cabin: writing the trace to %s failed: %s\n",
			r->cfg->trace_path, strerror(errno));
		lost = true;
	}
	if (r->trace_file.fd >= 0 &&
	    cabin_outfile_place(&r->trace_file, r->log) < 0)
		lost = true;
	if (r->report_file.fd >= 0 && !r->report_failed &&
	    cabin_outfile_place(&r->report_file, r->log) < 0)
		lost = true;
	if (!lost)
		return code;
	fprintf(r->log, "cabin: exit %d: cabin could not deliver its output (the program's own exit status was %d)\n",
		CABIN_EXIT_INTERNAL, code);
	return CABIN_EXIT_INTERNAL;
}

/* The records are written and the summary printed once the run is over. */
void cabin_run_finish(struct cabin_run_state *r, struct cabin_proxy *proxy,
		      int code, FILE *log)
{
	cabin_run_cgroup_counts(r, proxy);
	if (code >= 0 && r->cfg->verbose)
		cabin_proxy_print_summary(proxy);
	if (r->tracer)
		cabin_tracer_finish(r->tracer);
	if (r->report &&
	    cabin_report_finish(r->report, proxy, code, proxy->timed_out) < 0) {
		fprintf(log, "cabin: writing the report to %s failed\n",
			r->cfg->report_path ? r->cfg->report_path : "-");
		r->report_failed = true;
	}
	cabin_proxy_free(proxy);
}
