/*
 * The report as one JSON document (docs/report.md), written under a
 * temporary name and renamed into place so no reader sees half of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/names.h"
#include "trace/json.h"
#include "trace/report_int.h"

const char *cabin_report_result(const struct report_rec *rec)
{
	if (!rec->err)
		return "ok";
	if (rec->err == EINPROGRESS)
		return "in progress";
	if (rec->refused || report_is_denial(-rec->err))
		return "denied";
	return "error";
}

static void json_errno(struct cabin_json *j, int err)
{
	if (err)
		cabin_json_str(j, "errno", cabin_errno_name(err));
}

static void json_syscall(struct cabin_json *j, long nr)
{
	char name[40];

	cabin_json_str(j, "syscall", cabin_syscall_name(nr, name,
							 sizeof(name)));
}

static void json_who(struct cabin_json *j, const struct report_rec *rec)
{
	cabin_json_int(j, "pid", rec->pid);
	cabin_json_str(j, "comm", rec->comm);
}

/* An array of records, each an object whose members one() writes. */
static void json_records(struct cabin_json *j, const char *key,
			 const struct report_rec *v, size_t n,
			 void (*one)(struct cabin_json *j,
				     const struct report_rec *rec))
{
	size_t i;

	cabin_json_array(j, key, true);
	for (i = 0; i < n; i++) {
		cabin_json_object(j, NULL, false);
		one(j, &v[i]);
		cabin_json_end(j);
	}
	cabin_json_end(j);
}

static void json_list(struct cabin_json *j, const char *key,
		      const struct report_list *l,
		      void (*one)(struct cabin_json *j,
				  const struct report_rec *rec))
{
	json_records(j, key, l->v, l->n, one);
}

static void json_count_pid(struct cabin_json *j, const struct report_rec *rec)
{
	cabin_json_uint(j, "count", rec->count);
	cabin_json_int(j, "pid", rec->pid);
}

/* How a call ended, how often, and by whom. */
static void json_outcome(struct cabin_json *j, const struct report_rec *rec)
{
	cabin_json_str(j, "result", cabin_report_result(rec));
	json_errno(j, rec->err);
	cabin_json_uint(j, "count", rec->count);
	json_who(j, rec);
}

/*
 * The program changed its path while the call ran, or the path it gave
 * names another object than the kernel opened (path is then the
 * kernel's, asked the program's).
 */
static void json_raced(struct cabin_json *j, const struct report_rec *rec)
{
	if (rec->s2)
		cabin_json_str(j, "asked", rec->s2);
	if (rec->u1)
		cabin_json_bool(j, "deleted", true);
	if (rec->v3)
		cabin_json_bool(j, "raced", true);
}

static void json_path(struct cabin_json *j, const struct report_rec *rec,
		      bool typed)
{
	cabin_json_str(j, "path", rec->s1);
	if (typed)
		cabin_json_str(j, "type", rec->v1 ? "directory" : "file");
	if (rec->v2)
		cabin_json_bool(j, "maybe_created", true);
	json_raced(j, rec);
	json_count_pid(j, rec);
}

static void json_typed_path(struct cabin_json *j, const struct report_rec *rec)
{
	json_path(j, rec, true);
}

/* Only files are opened for writing: the written list has no "type". */
static void json_written(struct cabin_json *j, const struct report_rec *rec)
{
	json_path(j, rec, false);
}

static void json_renamed(struct cabin_json *j, const struct report_rec *rec)
{
	cabin_json_str(j, "from", rec->s1);
	cabin_json_str(j, "to", rec->s2);
	if (rec->v3)
		cabin_json_bool(j, "raced", true);
	json_count_pid(j, rec);
}

static void json_chmod(struct cabin_json *j, const struct report_rec *rec)
{
	char mode[16];

	cabin_json_str(j, "path", rec->s1);
	cabin_json_str(j, "mode", cabin_report_mode(rec->v1, mode,
						     sizeof(mode)));
	json_raced(j, rec);
	json_count_pid(j, rec);
}

static void json_file_error(struct cabin_json *j, const struct report_rec *rec)
{
	cabin_json_str(j, "path", rec->s1);
	json_syscall(j, rec->nr);
	json_errno(j, rec->err);
	json_raced(j, rec);
	json_count_pid(j, rec);
}

static void json_files(struct cabin_json *j, const struct cabin_report *r)
{
	cabin_json_object(j, "files", true);
	json_list(j, "read", &r->read, json_typed_path);
	json_list(j, "written", &r->written, json_written);
	json_list(j, "created", &r->created, json_typed_path);
	json_list(j, "deleted", &r->deleted, json_typed_path);
	json_list(j, "renamed", &r->renamed, json_renamed);
	json_list(j, "chmod", &r->chmod, json_chmod);
	json_list(j, "denied", &r->file_denied, json_file_error);
	json_list(j, "failed", &r->file_failed, json_file_error);
	cabin_json_end(j);
}

static void json_exit(struct cabin_json *j, const struct report_proc *pr)
{
	if (pr->exited && WIFEXITED(pr->status))
		cabin_json_int(j, "exit_code", WEXITSTATUS(pr->status));
	else
		cabin_json_null(j, "exit_code");
	if (pr->exited && WIFSIGNALED(pr->status))
		cabin_json_str(j, "signal",
			       cabin_signal_name(WTERMSIG(pr->status)));
	else
		cabin_json_null(j, "signal");
}

static void json_process(struct cabin_json *j, const struct report_proc *pr)
{
	size_t i, a;

	cabin_json_object(j, NULL, false);
	cabin_json_int(j, "pid", pr->pid);
	cabin_json_int(j, "parent", pr->parent);
	cabin_json_str(j, "comm", pr->comm);
	cabin_json_bool(j, "sandbox", report_proc_sandbox(pr));
	cabin_json_array(j, "execs", false);
	for (i = 0; i < pr->nexecs; i++) {
		const struct report_exec *e = &pr->execs[i];

		cabin_json_object(j, NULL, false);
		cabin_json_str(j, "path", e->path);
		cabin_json_str(j, "exe", e->exe);
		if (e->argv) {
			cabin_json_array(j, "argv", false);
			for (a = 0; a < e->argc; a++)
				cabin_json_str(j, NULL, e->argv[a]);
			cabin_json_end(j);
		} else {
			cabin_json_null(j, "argv");
		}
		if (e->argv_truncated)
			cabin_json_bool(j, "argv_truncated", true);
		cabin_json_end(j);
	}
	cabin_json_end(j);
	cabin_json_uint(j, "threads", pr->threads);
	cabin_json_bool(j, "exited", pr->exited);
	json_exit(j, pr);
	cabin_json_end(j);
}

static void json_network(struct cabin_json *j, const struct report_rec *rec)
{
	char name[40];

	cabin_json_str(j, "op", cabin_syscall_name(rec->nr, name,
						    sizeof(name)));
	cabin_json_str(j, "family", rec->s1);
	cabin_json_str(j, "address", rec->s2);
	if (rec->v1 >= 0)
		cabin_json_int(j, "port", rec->v1);
	else
		cabin_json_null(j, "port");
	if (rec->v2 >= 0)
		cabin_json_int(j, "fd", rec->v2);
	json_outcome(j, rec);
}

static void json_signal(struct cabin_json *j, const struct report_rec *rec)
{
	json_syscall(j, rec->nr);
	cabin_json_int(j, "target", rec->v1);
	if (rec->v3)
		cabin_json_int(j, "target_tgid", rec->v3);
	cabin_json_str(j, "signal", rec->v2 ?
		       cabin_signal_name((int)rec->v2) : "0");
	json_outcome(j, rec);
}

static void json_ptrace(struct cabin_json *j, const struct report_rec *rec)
{
	char buf[48];

	json_syscall(j, rec->nr);
	cabin_json_str(j, "request",
		       cabin_report_ptrace_request(rec->v1, buf, sizeof(buf)));
	cabin_json_int(j, "target", rec->v2);
	json_outcome(j, rec);
}

static void json_denied(struct cabin_json *j, const struct report_rec *rec)
{
	json_syscall(j, rec->nr);
	cabin_json_str(j, "detail", rec->s1);
	json_errno(j, rec->err);
	cabin_json_str(j, "by", rec->refused ? "cabin" : "kernel");
	cabin_json_uint(j, "count", rec->count);
	json_who(j, rec);
}

static void json_hex(struct cabin_json *j, const char *key, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%#" PRIx64, v);
	cabin_json_str(j, key, buf);
}

static void json_fault(struct cabin_json *j, const struct report_rec *rec)
{
	json_who(j, rec);
	cabin_json_str(j, "signal", cabin_signal_name((int)rec->v1));
	cabin_json_str(j, "code", cabin_si_code_name((int)rec->v1,
						      (int)rec->v2));
	json_hex(j, "addr", rec->u1);
	json_hex(j, "ip", rec->u2);
	cabin_json_str(j, "ip_mapping", rec->s1);
	cabin_json_str(j, "addr_mapping", rec->s2);
}

static void json_memory(struct cabin_json *j, const struct report_rec *rec)
{
	char prot[4];

	json_syscall(j, rec->nr);
	cabin_json_str(j, "prot", cabin_report_prot(rec->v1, prot));
	json_hex(j, "addr", rec->u1);
	cabin_json_uint(j, "length", rec->u2);
	cabin_json_bool(j, "refused", rec->err != 0);
	json_errno(j, rec->err);
	cabin_json_uint(j, "count", rec->count);
	json_who(j, rec);
}

static int by_calls(const void *a, const void *b)
{
	const struct report_sysc *x = *(const struct report_sysc *const *)a;
	const struct report_sysc *y = *(const struct report_sysc *const *)b;

	if (x->ns != y->ns)
		return x->ns < y->ns ? 1 : -1;
	if (x->calls != y->calls)
		return x->calls < y->calls ? 1 : -1;
	return x < y ? -1 : x > y;
}

size_t cabin_report_sorted_syscalls(const struct cabin_report *r,
				    const struct report_sysc **out)
{
	size_t n = 0, nr;

	for (nr = 0; nr < REPORT_NR_MAX; nr++) {
		if (r->sysc[nr].calls)
			out[n++] = &r->sysc[nr];
	}
	qsort(out, n, sizeof(*out), by_calls);
	return n;
}

static void json_syscalls(struct cabin_json *j, const struct cabin_report *r)
{
	const struct report_sysc *sorted[REPORT_NR_MAX];
	size_t i, n = cabin_report_sorted_syscalls(r, sorted);
	char name[40];

	cabin_json_array(j, "syscalls", true);
	for (i = 0; i < n; i++) {
		cabin_json_object(j, NULL, false);
		cabin_json_str(j, "name",
			       cabin_syscall_name(sorted[i] - r->sysc, name,
						  sizeof(name)));
		cabin_json_uint(j, "calls", sorted[i]->calls);
		cabin_json_uint(j, "errors", sorted[i]->errors);
		cabin_json_uint(j, "time_us", sorted[i]->ns / 1000);
		cabin_json_end(j);
	}
	cabin_json_end(j);
}

/* The command: as cabin was given it, else the main program's first argv. */
static void json_command(struct cabin_json *j, const struct cabin_report *r,
			 const struct cabin_proxy *p)
{
	const struct report_proc *main = cabin_report_find_proc(r, p->main_pid);
	size_t i;

	cabin_json_array(j, "command", false);
	if (r->opt.argv) {
		for (i = 0; r->opt.argv[i]; i++)
			cabin_json_str(j, NULL, r->opt.argv[i]);
	} else if (main && main->nexecs && main->execs[0].argv) {
		for (i = 0; i < main->execs[0].argc; i++)
			cabin_json_str(j, NULL, main->execs[0].argv[i]);
	}
	cabin_json_end(j);
}

static void json_started(struct cabin_json *j, const struct cabin_report *r)
{
	char buf[64];
	struct tm tm;

	if (!gmtime_r(&r->start_real.tv_sec, &tm) ||
	    !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, sizeof(buf), "%lld",
			 (long long)r->start_real.tv_sec);
	cabin_json_str(j, "started", buf);
}

/*
 * The limits the proxy and the run's cgroup held the tree to (0: not
 * set), and what the kernel counted at the cgroup's: "killed by the
 * memory limit" is oom_kills > 0.
 */
static void json_limits(struct cabin_json *j, const struct cabin_proxy *p)
{
	const struct cabin_proxy_limits *l = &p->limits;

	cabin_json_object(j, "limits", true);
	cabin_json_uint(j, "memory_max", l->memory_max);
	cabin_json_uint(j, "pids_max", l->pids_max);
	cabin_json_uint(j, "cpu_max_percent", l->cpu_max);
	cabin_json_uint(j, "oom_kills", l->oom_kills);
	cabin_json_uint(j, "pids_max_refused", l->pids_refused);
	cabin_json_uint(j, "procs", l->procs);
	cabin_json_uint(j, "rlimit_as", l->memory);
	cabin_json_end(j);
}

static int write_json(FILE *f, struct cabin_report *r, struct cabin_proxy *p,
		      int exit_code, bool timed_out)
{
	struct cabin_json j;
	size_t i;

	cabin_json_init(&j, f);
	cabin_json_object(&j, NULL, true);
	cabin_json_str(&j, "cabin_version", CABIN_VERSION);
	json_command(&j, r, p);
	cabin_json_uint(&j, "uid", r->opt.uid);
	cabin_json_uint(&j, "gid", r->opt.gid);
	json_started(&j, r);
	cabin_json_uint(&j, "duration_ms",
			(cabin_proxy_now_ns() - r->start_ns) / 1000000);
	cabin_json_int(&j, "exit_code", exit_code);
	cabin_json_bool(&j, "timed_out", timed_out);
	json_limits(&j, p);
	cabin_json_array(&j, "processes", true);
	for (i = 0; i < r->nprocs; i++)
		json_process(&j, r->procs[i]);
	cabin_json_end(&j);
	json_files(&j, r);
	json_list(&j, "network", &r->network, json_network);
	json_list(&j, "signals", &r->signals, json_signal);
	json_list(&j, "ptrace", &r->ptrace, json_ptrace);
	json_list(&j, "denied", &r->denied, json_denied);
	cabin_json_uint(&j, "denied_count", r->ndenied);
	json_records(&j, "faults", r->faults, r->nfaults, json_fault);
	cabin_json_uint(&j, "faults_handled", r->faults_handled);
	json_list(&j, "memory", &r->memory, json_memory);
	json_syscalls(&j, r);
	cabin_json_array(&j, "messages", true);
	for (i = 0; i < r->nnotes; i++)
		cabin_json_str(&j, NULL, r->notes[i]);
	cabin_json_end(&j);
	cabin_json_uint(&j, "dropped_records", r->dropped);
	cabin_json_end(&j);
	return j.failed ? -EOVERFLOW : 0;
}

/*
 * Write the report next to its final name, then rename it there, so a
 * reader sees either no report or a whole one, never a torn one.
 */
/* The report into fd, which this takes over; fsync it when asked. */
static int write_fd(int fd, struct cabin_report *r, struct cabin_proxy *p,
		    int exit_code, bool timed_out, bool sync)
{
	FILE *f = fdopen(fd, "w");
	int err;

	if (!f) {
		err = -errno;
		close(fd);
		return err;
	}
	err = write_json(f, r, p, exit_code, timed_out);
	if (fflush(f) || ferror(f))
		err = -EIO;
	else if (!err && sync && fsync(fd) < 0)
		err = -errno;
	if (fclose(f) && !err)
		err = -EIO;
	return err;
}

/* The owner of json_fd puts it in place once the run is over. */
static int write_into_fd(struct cabin_report *r, struct cabin_proxy *p,
			 int exit_code, bool timed_out)
{
	int fd = dup(r->json_fd), err;
	struct stat st;

	if (fd < 0)
		return -errno;
	/* A file is rewritten from the start; a socket takes it as it comes. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0)) {
		err = -errno;
		close(fd);
		return err;
	}
	return write_fd(fd, r, p, exit_code, timed_out, false);
}

int cabin_report_write_json(struct cabin_report *r, struct cabin_proxy *p,
			    int exit_code, bool timed_out)
{
	char *tmp;
	int fd, err;

	if (r->json_fd >= 0)
		return write_into_fd(r, p, exit_code, timed_out);
	if (asprintf(&tmp, "%s.tmp.%d", r->opt.path, (int)getpid()) < 0)
		return -ENOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		err = -errno;
		free(tmp);
		return err;
	}
	err = write_fd(fd, r, p, exit_code, timed_out, true);
	if (!err && rename(tmp, r->opt.path) < 0)
		err = -errno;
	if (err)
		unlink(tmp);
	free(tmp);
	return err;
}
