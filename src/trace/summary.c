/*
 * The behaviour report for a person: the same records as the JSON
 * document, grouped and bounded, every string from the program made safe
 * for a terminal.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "core/names.h"
#include "core/proxy.h"
#include "trace/report_int.h"

#define SHOW_MAX 25		/* entries listed per section */
#define SHOW_CHARS 240		/* bytes of one string shown */
#define TOP_SYSCALLS 15
#define TREE_INDENT_MAX 16

/* Printable ASCII as is, the rest as \xNN: nothing can steer the terminal. */
static void put_safe(FILE *f, const char *s)
{
	size_t i;

	if (!s) {
		fputs("?", f);
		return;
	}
	for (i = 0; s[i] && i < SHOW_CHARS; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			fputc(c, f);
		else
			fprintf(f, "\\x%02x", c);
	}
	if (s[i])
		fputs("...", f);
}

/* An argv word, quoted when it would not read back as one word. */
static void put_word(FILE *f, const char *s)
{
	bool quote = !*s || strpbrk(s, " \t'\"$`*?;&|<>()") != NULL;

	if (quote)
		fputc('\'', f);
	put_safe(f, s);
	if (quote)
		fputc('\'', f);
}

bool cabin_report_system_path(const char *path)
{
	static const char *const prefixes[] = {
		"/usr/", "/lib/", "/lib32/", "/lib64/", "/bin/", "/sbin/",
		"/etc/ld.so.cache", "/etc/localtime", "/etc/locale.alias",
		"/sys/devices/system/cpu/", "/dev/null", "/dev/zero",
		"/dev/urandom", "/dev/tty", "/dev/pts/",
	};
	size_t i;

	if (!path)
		return false;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		if (!strncmp(path, prefixes[i], strlen(prefixes[i])))
			return true;
	}
	return false;
}

static void put_who(FILE *f, const struct report_rec *rec)
{
	fprintf(f, "pid %d (", (int)rec->pid);
	put_safe(f, rec->comm);
	fputc(')', f);
}

static void put_count(FILE *f, unsigned long count)
{
	if (count > 1)
		fprintf(f, " x%lu", count);
}

static void put_outcome(FILE *f, const struct report_rec *rec)
{
	fputs(cabin_report_result(rec), f);
	if (rec->err)
		fprintf(f, " (%s%s)", cabin_errno_name(rec->err),
			rec->refused ? " by cabin" : "");
}

/* A heading; false (and "none" on the same line) when there is nothing. */
static bool heading(FILE *f, const char *title, size_t n)
{
	if (!n) {
		fprintf(f, "%s: none\n", title);
		return false;
	}
	fprintf(f, "%s (%zu):\n", title, n);
	return true;
}

static void more(FILE *f, size_t shown, size_t n)
{
	if (n > shown)
		fprintf(f, "  ... and %zu more in the JSON report\n", n - shown);
}

/* ------------------------------------------------------------ processes */

static void put_exit(FILE *f, const struct report_proc *pr)
{
	if (!pr->exited)
		fputs("still running at the end", f);
	else if (WIFEXITED(pr->status))
		fprintf(f, "exit %d", WEXITSTATUS(pr->status));
	else if (WIFSIGNALED(pr->status))
		fprintf(f, "killed by %s%s",
			cabin_signal_name(WTERMSIG(pr->status)),
			WCOREDUMP(pr->status) ? " (core dumped)" : "");
	else
		fputs("gone", f);
}

static void put_proc_line(FILE *f, const struct report_proc *pr, int depth)
{
	int i;

	fputs("  ", f);
	for (i = 0; i < depth && i < TREE_INDENT_MAX; i++)
		fputs(i + 1 == depth ? "`-" : "  ", f);
	fprintf(f, "%d ", (int)pr->pid);
	put_safe(f, pr->comm);
	fputs(": ", f);
	put_exit(f, pr);
	if (pr->threads)
		fprintf(f, ", %lu thread%s", pr->threads,
			pr->threads == 1 ? "" : "s");
	fputc('\n', f);
}

/* Walk the tree below root depth-first, printing each process once. */
static void walk(FILE *f, const struct cabin_report *r, size_t root,
		 const size_t *first, const size_t *next, size_t *stack,
		 int *depth, bool *done)
{
	size_t top = 0;

	stack[top++] = root;
	depth[root] = 0;
	while (top) {
		size_t cur = stack[--top], c, start = top, k;

		if (done[cur])
			continue;
		done[cur] = true;
		put_proc_line(f, r->procs[cur], depth[cur]);
		for (c = first[cur]; c && top < r->nprocs; c = next[c - 1]) {
			depth[c - 1] = depth[cur] + 1;
			stack[top++] = c - 1;
		}
		/* Reversed, so that the first child comes off the stack first. */
		for (k = 0; k < (top - start) / 2; k++) {
			c = stack[start + k];
			stack[start + k] = stack[top - 1 - k];
			stack[top - 1 - k] = c;
		}
	}
}

/*
 * The tree by an explicit depth-first walk: a long fork chain must not
 * exhaust cabin's stack, and a reused pid must not loop it.  Indexes in
 * first (first child) and next (next sibling) are stored plus one.
 */
static void summary_tree(FILE *f, const struct cabin_report *r)
{
	size_t n = r->nprocs, i, sandbox = 0, *first, *next, *last, *stack;
	bool *child, *done;
	int *depth;

	for (i = 0; i < n; i++)
		sandbox += report_proc_sandbox(r->procs[i]);
	if (!heading(f, "Processes", n - sandbox))
		return;
	first = calloc(n, sizeof(*first));
	next = calloc(n, sizeof(*next));
	last = calloc(n, sizeof(*last));
	stack = calloc(n, sizeof(*stack));
	depth = calloc(n, sizeof(*depth));
	child = calloc(n, sizeof(*child));
	done = calloc(n, sizeof(*done));
	if (!first || !next || !last || !stack || !depth || !child || !done)
		goto out;
	for (i = 0; i < n; i++) {
		const struct report_proc *parent =
			cabin_report_find_proc(r, r->procs[i]->parent);

		/* Cabin's own processes are not the program's: left out. */
		done[i] = report_proc_sandbox(r->procs[i]);
		if (!parent || parent->idx == i || report_proc_sandbox(parent))
			continue;
		if (last[parent->idx])
			next[last[parent->idx] - 1] = i + 1;
		else
			first[parent->idx] = i + 1;
		last[parent->idx] = i + 1;
		child[i] = true;
	}
	for (i = 0; i < n; i++) {
		if (!child[i])
			walk(f, r, i, first, next, stack, depth, done);
	}
	/* Whatever is left hangs in a loop of reused pids. */
	for (i = 0; i < n; i++) {
		if (!done[i])
			walk(f, r, i, first, next, stack, depth, done);
	}
	if (sandbox)
		fprintf(f, "  (and %zu process%s of cabin's sandbox, not shown)\n",
			sandbox, sandbox == 1 ? "" : "es");
out:
	free(first);
	free(next);
	free(last);
	free(stack);
	free(depth);
	free(child);
	free(done);
}

static void summary_execs(FILE *f, const struct cabin_report *r)
{
	size_t i, e, a, n = 0, shown = 0;

	for (i = 0; i < r->nprocs; i++)
		n += r->procs[i]->nexecs;
	if (!heading(f, "Execs", n))
		return;
	for (i = 0; i < r->nprocs; i++) {
		const struct report_proc *pr = r->procs[i];

		for (e = 0; e < pr->nexecs && shown < SHOW_MAX; e++, shown++) {
			const struct report_exec *x = &pr->execs[e];

			fprintf(f, "  pid %d: ", (int)pr->pid);
			put_safe(f, x->path ? x->path : x->exe);
			if (x->path && x->exe && strcmp(x->path, x->exe)) {
				fputs(" (runs ", f);
				put_safe(f, x->exe);
				fputc(')', f);
			}
			if (x->argv) {
				fputs("  argv:", f);
				for (a = 0; a < x->argc; a++) {
					fputc(' ', f);
					put_word(f, x->argv[a]);
				}
				if (x->argv_truncated)
					fputs(" ...", f);
			}
			fputc('\n', f);
		}
	}
	more(f, shown, n);
}

/* ---------------------------------------------------------------- files */

static void summary_paths(FILE *f, const char *title,
			  const struct report_list *l, bool hide_system)
{
	size_t i, shown = 0, system = 0;

	for (i = 0; hide_system && i < l->n; i++)
		system += cabin_report_system_path(l->v[i].s1);
	if (l->n == system) {
		if (system)
			fprintf(f, "%s: none outside system directories (%zu there)\n",
				title, system);
		else
			fprintf(f, "%s: none\n", title);
		return;
	}
	if (system)
		fprintf(f, "%s (%zu; %zu more in system directories, not listed):\n",
			title, l->n - system, system);
	else
		fprintf(f, "%s (%zu):\n", title, l->n);
	for (i = 0; i < l->n && shown < SHOW_MAX; i++) {
		const struct report_rec *rec = &l->v[i];

		if (hide_system && cabin_report_system_path(rec->s1))
			continue;
		fputs("  ", f);
		put_safe(f, rec->s1);
		if (rec->v1)
			fputs("/ (directory)", f);
		if (rec->v2)
			fputs(" (created or opened for writing)", f);
		put_count(f, rec->count);
		fputs("  ", f);
		put_who(f, rec);
		fputc('\n', f);
		shown++;
	}
	more(f, shown, l->n - system);
}

/*
 * One section of records: a heading, then a line per record (what
 * describe prints, its count and who did it), at most SHOW_MAX of them.
 */
static void summary_records(FILE *f, const char *title,
			    const struct report_rec *v, size_t n,
			    void (*describe)(FILE *f,
					     const struct report_rec *rec))
{
	size_t i;

	if (!heading(f, title, n))
		return;
	for (i = 0; i < n && i < SHOW_MAX; i++) {
		fputs("  ", f);
		describe(f, &v[i]);
		put_count(f, v[i].count);
		fputs("  ", f);
		put_who(f, &v[i]);
		fputc('\n', f);
	}
	more(f, i, n);
}

static void describe_rename(FILE *f, const struct report_rec *rec)
{
	put_safe(f, rec->s1);
	fputs(" -> ", f);
	put_safe(f, rec->s2);
}

static void describe_chmod(FILE *f, const struct report_rec *rec)
{
	char mode[16];

	put_safe(f, rec->s1);
	fprintf(f, " to %s", cabin_report_mode(rec->v1, mode, sizeof(mode)));
	if (rec->v1 & 0111)
		fputs(" (executable)", f);
}

static void summary_file_errors(FILE *f, const char *title,
				const struct report_list *l, bool hide_system)
{
	char name[40];
	size_t i, shown = 0, system = 0;

	for (i = 0; hide_system && i < l->n; i++)
		system += cabin_report_system_path(l->v[i].s1);
	if (l->n == system) {
		fprintf(f, "%s: none%s\n", title,
			system ? " outside system directories" : "");
		return;
	}
	fprintf(f, "%s (%zu):\n", title, l->n - system);
	for (i = 0; i < l->n && shown < SHOW_MAX; i++) {
		const struct report_rec *rec = &l->v[i];

		if (hide_system && cabin_report_system_path(rec->s1))
			continue;
		fputs("  ", f);
		put_safe(f, rec->s1);
		fprintf(f, "  %s: %s", cabin_syscall_name(rec->nr, name,
							  sizeof(name)),
			cabin_errno_name(rec->err));
		put_count(f, rec->count);
		fputs("  ", f);
		put_who(f, rec);
		fputc('\n', f);
		shown++;
	}
	more(f, shown, l->n - system);
}

static unsigned long raced_in(const struct report_list *l)
{
	unsigned long n = 0;
	size_t i;

	for (i = 0; i < l->n; i++)
		n += l->v[i].v3 ? l->v[i].count : 0;
	return n;
}

/*
 * A program that rewrites a path while the kernel reads it is hiding
 * what it opens: a strong signal, said once with the count.
 */
static void summary_raced(FILE *f, const struct cabin_report *r)
{
	const struct report_list *lists[] = {
		&r->read, &r->written, &r->created, &r->deleted, &r->renamed,
		&r->chmod, &r->file_denied, &r->file_failed,
	};
	unsigned long n = 0;
	size_t i;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		n += raced_in(lists[i]);
	if (n)
		fprintf(f, "Raced paths: %lu calls ran on another path than the program's memory held when cabin read it (records marked \"raced\")\n",
			n);
}

static void summary_files(FILE *f, const struct cabin_report *r)
{
	summary_paths(f, "Files read", &r->read, true);
	summary_paths(f, "Files written", &r->written, true);
	summary_paths(f, "Files created", &r->created, false);
	summary_paths(f, "Files deleted", &r->deleted, false);
	summary_records(f, "Files renamed", r->renamed.v, r->renamed.n,
			describe_rename);
	summary_records(f, "Files chmod'ed", r->chmod.v, r->chmod.n,
			describe_chmod);
	summary_file_errors(f, "File access denied", &r->file_denied, false);
	summary_file_errors(f, "File operations failed", &r->file_failed,
			    true);
	summary_raced(f, r);
}

/* -------------------------------------------------------- the rest */

static void describe_network(FILE *f, const struct report_rec *rec)
{
	bool v6 = rec->s1 && !strcmp(rec->s1, "inet6");
	char name[40];

	fprintf(f, "%s ", cabin_syscall_name(rec->nr, name, sizeof(name)));
	if (rec->s2) {
		if (rec->v1 >= 0 && v6)
			fputc('[', f);
		put_safe(f, rec->s2);
		if (rec->v1 >= 0)
			fprintf(f, "%s:%ld", v6 ? "]" : "", rec->v1);
		fprintf(f, " (%s)", rec->s1 ? rec->s1 : "?");
	} else if (rec->v2 >= 0) {
		fprintf(f, "fd %ld", rec->v2);
	} else {
		put_safe(f, rec->s1);
	}
	fputs(": ", f);
	put_outcome(f, rec);
}

static void describe_signal(FILE *f, const struct report_rec *rec)
{
	char name[40];

	fprintf(f, "%s(%ld, %s): ",
		cabin_syscall_name(rec->nr, name, sizeof(name)), rec->v1,
		rec->v2 ? cabin_signal_name((int)rec->v2) : "0");
	put_outcome(f, rec);
}

static void describe_denied(FILE *f, const struct report_rec *rec)
{
	char name[40];

	fputs(cabin_syscall_name(rec->nr, name, sizeof(name)), f);
	if (rec->s1) {
		fputs(" ", f);
		put_safe(f, rec->s1);
	}
	fprintf(f, ": %s by %s", cabin_errno_name(rec->err),
		rec->refused ? "cabin" : "the kernel (Landlock)");
}

static void describe_ptrace(FILE *f, const struct report_rec *rec)
{
	char name[40], buf[48];
	const char *req = cabin_report_ptrace_request(rec->v1, buf,
						      sizeof(buf));

	fputs(cabin_syscall_name(rec->nr, name, sizeof(name)), f);
	if (req)
		fprintf(f, " %s", req);
	if (rec->v2)
		fprintf(f, " on pid %ld", rec->v2);
	fputs(": ", f);
	put_outcome(f, rec);
}

static void describe_fault(FILE *f, const struct report_rec *rec)
{
	fprintf(f, "%s (%s) at %#" PRIx64, cabin_signal_name((int)rec->v1),
		cabin_si_code_name((int)rec->v1, (int)rec->v2), rec->u1);
	if (rec->s2) {
		fputs(" in ", f);
		put_safe(f, rec->s2);
	}
	fprintf(f, ", ip %#" PRIx64, rec->u2);
	if (rec->s1) {
		fputs(" in ", f);
		put_safe(f, rec->s1);
	}
}

static void describe_memory(FILE *f, const struct report_rec *rec)
{
	char name[40], prot[4];

	fprintf(f, "%s %s, %" PRIu64 " bytes at %#" PRIx64 ": %s",
		cabin_syscall_name(rec->nr, name, sizeof(name)),
		cabin_report_prot(rec->v1, prot), rec->u2, rec->u1,
		rec->err ? "refused" : "granted");
	if (rec->err)
		fprintf(f, " (%s)", cabin_errno_name(rec->err));
}

static void summary_syscalls(FILE *f, const struct cabin_report *r)
{
	const struct report_sysc *sorted[REPORT_NR_MAX];
	size_t n = cabin_report_sorted_syscalls(r, sorted), i;
	uint64_t total = 0;
	char name[40];

	if (!n) {
		fputs("Syscalls seen by the proxy: none\n", f);
		return;
	}
	for (i = 0; i < n; i++)
		total += sorted[i]->ns;
	fprintf(f, "Syscalls seen by the proxy (top %zu of %zu):\n",
		n < TOP_SYSCALLS ? n : (size_t)TOP_SYSCALLS, n);
	fprintf(f, "  %6s %11s %11s %9s %9s %s\n", "% time", "seconds",
		"usecs/call", "calls", "errors", "syscall");
	for (i = 0; i < n && i < TOP_SYSCALLS; i++) {
		const struct report_sysc *s = sorted[i];

		fprintf(f, "  %6.2f %11.6f %11" PRIu64 " %9lu %9lu %s\n",
			total ? 100.0 * (double)s->ns / (double)total : 0.0,
			(double)s->ns / 1e9, s->ns / 1000 / s->calls,
			s->calls, s->errors,
			cabin_syscall_name(sorted[i] - r->sysc, name,
					   sizeof(name)));
	}
}

void cabin_report_write_summary(struct cabin_report *r, FILE *f,
				struct cabin_proxy *p, int exit_code,
				bool timed_out)
{
	uint64_t ms = (cabin_proxy_now_ns() - r->start_ns) / 1000000;
	size_t i;

	fputs("==== cabin: behaviour summary", f);
	if (r->opt.argv && r->opt.argv[0]) {
		fputs(" of", f);
		for (i = 0; r->opt.argv[i] && i < 8; i++) {
			fputc(' ', f);
			put_word(f, r->opt.argv[i]);
		}
	}
	fprintf(f, " ====\nexit status %d%s after %" PRIu64 ".%03" PRIu64
		" s; %lu syscall stops, %lu denied, %lu faults (%lu handled)\n",
		exit_code, timed_out ? " (timed out)" : "", ms / 1000,
		ms % 1000, p->stats.stops, (unsigned long)r->ndenied,
		p->stats.faults,
		p->stats.faults_handled);
	summary_tree(f, r);
	summary_execs(f, r);
	summary_files(f, r);
	summary_records(f, "Network", r->network.v, r->network.n,
			describe_network);
	summary_records(f, "Signals sent", r->signals.v, r->signals.n,
			describe_signal);
	summary_records(f, "ptrace and process memory access", r->ptrace.v,
			r->ptrace.n, describe_ptrace);
	summary_records(f, "Denied operations", r->denied.v, r->denied.n,
			describe_denied);
	summary_records(f, "Faults", r->faults, r->nfaults, describe_fault);
	summary_records(f, "Writable and executable memory", r->memory.v,
			r->memory.n, describe_memory);
	summary_syscalls(f, r);
	if (r->dropped)
		fprintf(f, "(%lu records were not kept: a bound was reached)\n",
			r->dropped);
	fputs("==== end of summary ====\n", f);
	fflush(f);
}
