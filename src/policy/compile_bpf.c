/*
 * Routing table to BPF.  Routes that need the proxy become RET_TRACE with
 * the rule id in RET_DATA, so a stop names its rule without a second
 * lookup.  The program is generated here, in cabin, and only loaded in the
 * child, so the child allocates nothing between fork and exec.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/x32.h"
#include "policy/compile_bpf.h"

static uint32_t action_of(const struct cabin_route *route, int id)
{
	uint16_t data = id < 0 ? CABIN_BPF_DATA_DEFAULT : (uint16_t)id;

	switch (route->kind) {
	case CABIN_ROUTE_ALLOW:
		return SCMP_ACT_ALLOW;
	case CABIN_ROUTE_DENY:
		if (route->quiet)
			return SCMP_ACT_ERRNO(route->err);
		return SCMP_ACT_TRACE(data);
	case CABIN_ROUTE_KILL:
		return SCMP_ACT_KILL_PROCESS;
	case CABIN_ROUTE_TRACE:
	case CABIN_ROUTE_EMULATE:
		break;
	}
	return SCMP_ACT_TRACE(data);
}

static const enum scmp_compare scmp_ops[] = {
	[CABIN_CMP_EQ] = SCMP_CMP_EQ,
	[CABIN_CMP_NE] = SCMP_CMP_NE,
	[CABIN_CMP_LT] = SCMP_CMP_LT,
	[CABIN_CMP_LE] = SCMP_CMP_LE,
	[CABIN_CMP_GT] = SCMP_CMP_GT,
	[CABIN_CMP_GE] = SCMP_CMP_GE,
	[CABIN_CMP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
};

static int add_rule(scmp_filter_ctx ctx, const struct cabin_rule *rule,
		    int id, uint32_t fallback)
{
	struct scmp_arg_cmp cmp[CABIN_RULE_MAX_CONDS];
	uint32_t action = action_of(&rule->route, id);
	unsigned int i;

	/* libseccomp refuses rules that repeat the default action. */
	if (action == fallback)
		return 0;
	for (i = 0; i < rule->ncond; i++) {
		const struct cabin_cond *c = &rule->cond[i];

		cmp[i] = (struct scmp_arg_cmp){
			.arg = c->arg,
			.op = scmp_ops[c->op],
			.datum_a = c->op == CABIN_CMP_MASKED_EQ ? c->mask
								: c->value,
			.datum_b = c->op == CABIN_CMP_MASKED_EQ ? c->value : 0,
		};
	}
	return seccomp_rule_add_exact_array(ctx, action, rule->nr, rule->ncond,
					    cmp);
}

/* libseccomp 2.5 exports only to a file descriptor. */
static int export_program(scmp_filter_ctx ctx, struct cabin_bpf *out)
{
	int fd = memfd_create("cabin-bpf", MFD_CLOEXEC);
	off_t size;
	void *buf;
	int err;

	if (fd < 0)
		return -errno;
	err = seccomp_export_bpf(ctx, fd);
	if (err < 0)
		goto out;
	size = lseek(fd, 0, SEEK_END);
	err = -EINVAL;
	if (size <= 0 || size % sizeof(struct sock_filter) ||
	    size / sizeof(struct sock_filter) > BPF_MAXINSNS)
		goto out;
	err = -ENOMEM;
	buf = malloc(size);
	if (!buf)
		goto out;
	err = pread(fd, buf, size, 0) == size ? 0 : -EIO;
	if (err < 0) {
		free(buf);
		goto out;
	}
	out->prog.filter = buf;
	out->prog.len = size / sizeof(struct sock_filter);
out:
	close(fd);
	return err;
}

/*
 * libseccomp sends every native number with bit 30 set to the bad-arch
 * action (it compares unsigned: -101 is 0xffffff9b), so syscall(-101)
 * would die of SIGSYS where Linux answers ENOSYS.  This prologue answers
 * ENOSYS, in the kernel, for every number at or above bit 30 that is not
 * in the x32 table, and leaves the x32 ones to libseccomp's bad-arch
 * action.  Such a number runs nothing natively either.
 */
static const struct sock_filter not_a_syscall[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 4),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, CABIN_X32_SYSCALL_BIT, 0, 2),
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
		 CABIN_X32_SYSCALL_BIT + CABIN_X32_NR_SYSCALLS, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
};

#define NOT_A_SYSCALL_LEN (sizeof(not_a_syscall) / sizeof(*not_a_syscall))

static int prepend_not_a_syscall(struct cabin_bpf *bpf)
{
	size_t len = NOT_A_SYSCALL_LEN + bpf->prog.len;
	struct sock_filter *f;

	if (len > BPF_MAXINSNS)
		return -EINVAL;
	f = malloc(len * sizeof(*f));
	if (!f)
		return -ENOMEM;
	memcpy(f, not_a_syscall, sizeof(not_a_syscall));
	memcpy(f + NOT_A_SYSCALL_LEN, bpf->prog.filter,
	       bpf->prog.len * sizeof(*f));
	free(bpf->prog.filter);
	bpf->prog.filter = f;
	bpf->prog.len = (unsigned short)len;
	return 0;
}

/*
 * libseccomp does not keep first-match order: a rule without conditions
 * overrides every rule with conditions for the same syscall.  A plain
 * rule behind another plain one never matches and is left out; one
 * behind conditional rules that would let the call run freely instead
 * stops it, so the proxy, which matches in first-match order, decides.
 * Stopping more is always safe; letting a guarded call through is not.
 */
static bool settle_plain(const struct cabin_router *r, size_t at,
			 struct cabin_rule *rule)
{
	bool behind_conditional = false;
	size_t i;

	if (rule->ncond)
		return true;
	for (i = 0; i < at; i++) {
		if (r->rules[i].nr != rule->nr)
			continue;
		if (!r->rules[i].ncond)
			return false;
		behind_conditional = true;
	}
	if (behind_conditional && rule->route.kind == CABIN_ROUTE_ALLOW)
		rule->route.kind = CABIN_ROUTE_TRACE;
	return true;
}

static bool same_cond(const struct cabin_cond *a, const struct cabin_cond *b)
{
	return a->arg == b->arg && a->op == b->op && a->value == b->value &&
	       (a->op != CABIN_CMP_MASKED_EQ || a->mask == b->mask);
}

/*
 * A rule with the same conditions as an earlier one for its syscall never
 * matches (first match wins), and libseccomp refuses a second action for
 * the same conditions: it is left out.
 */
static bool shadowed(const struct cabin_router *r, size_t at)
{
	const struct cabin_rule *rule = &r->rules[at];
	size_t i;
	unsigned int k;

	for (i = 0; i < at; i++) {
		const struct cabin_rule *e = &r->rules[i];

		if (e->nr != rule->nr || e->ncond != rule->ncond)
			continue;
		for (k = 0; k < e->ncond && same_cond(&e->cond[k],
						      &rule->cond[k]); k++)
			;
		if (k == e->ncond)
			return true;
	}
	return false;
}

int cabin_bpf_compile(const struct cabin_router *r, bool kill_foreign_abi,
		      struct cabin_bpf *out, int *err_rule)
{
	uint32_t fallback = action_of(&r->fallback, CABIN_RULE_DEFAULT);
	scmp_filter_ctx ctx;
	size_t i;
	int err;

	memset(out, 0, sizeof(*out));
	*err_rule = -1;
	ctx = seccomp_init(fallback);
	if (!ctx)
		return -ENOMEM;
	err = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
			       kill_foreign_abi ? SCMP_ACT_KILL_PROCESS
						: SCMP_ACT_ALLOW);
	if (!err)
		err = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	for (i = 0; !err && i < r->nrules; i++) {
		struct cabin_rule rule = r->rules[i];

		if (!settle_plain(r, i, &rule) || shadowed(r, i))
			continue;
		err = add_rule(ctx, &rule, (int)i, fallback);
		if (err)
			*err_rule = (int)i;
	}
	if (!err)
		err = export_program(ctx, out);
	if (!err)
		err = prepend_not_a_syscall(out);
	if (err)
		cabin_bpf_free(out);
	seccomp_release(ctx);
	return err;
}

void cabin_bpf_free(struct cabin_bpf *bpf)
{
	free(bpf->prog.filter);
	bpf->prog.filter = NULL;
	bpf->prog.len = 0;
}
