/*
 * Running the guards a proxy was given, in order, at each hook (see
 * guard.h).  The proxy calls down into these; they call only the guards.
 */
#include <errno.h>

#include "core/guard.h"
#include "core/proxy.h"

/* The guards, in order, at a traced syscall's entry: the first refusal. */
long cabin_guards_entry(struct cabin_proxy *p, struct cabin_task *task,
			const struct cabin_syscall *sys)
{
	const struct cabin_guard_slot *s;
	long refused = 0;
	size_t i;

	for (i = 0; !refused && i < p->nguards; i++) {
		s = &p->guards[i];
		if (s->guard->entry)
			refused = s->guard->entry(p, s->ctx, task, sys);
	}
	return refused;
}

void cabin_guards_settle(struct cabin_proxy *p, struct cabin_task *task,
			 long ret)
{
	const struct cabin_guard_slot *s;
	size_t i;

	for (i = 0; i < p->nguards; i++) {
		s = &p->guards[i];
		if (s->guard->settle)
			s->guard->settle(p, s->ctx, task, ret);
	}
}

/* True when a guard killed the task at the exit. */
bool cabin_guards_exit(struct cabin_proxy *p, struct cabin_task *task,
		       long ret)
{
	const struct cabin_guard_slot *s;
	size_t i;

	for (i = 0; i < p->nguards; i++) {
		s = &p->guards[i];
		if (s->guard->exit && s->guard->exit(p, s->ctx, task, ret))
			return true;
	}
	return false;
}

/* The first guard that handles the call answers it. */
long cabin_guards_emulate(struct cabin_proxy *p, struct cabin_task *task,
			  const struct cabin_syscall *sys)
{
	const struct cabin_guard_slot *s;
	size_t i;

	for (i = 0; i < p->nguards; i++) {
		s = &p->guards[i];
		if (s->guard->emulate &&
		    (!s->guard->handles || s->guard->handles(sys->nr)))
			return s->guard->emulate(p, s->ctx, task, sys);
	}
	return -ENOSYS;
}

/*
 * At an exec: -errno when a guard killed the task, CABIN_GUARD_AT_EXIT
 * when one ran the execve to its exit, else 0.
 */
int cabin_guards_exec(struct cabin_proxy *p, struct cabin_task *task)
{
	const struct cabin_guard_slot *s;
	int ret = 0, err;
	size_t i;

	for (i = 0; i < p->nguards; i++) {
		s = &p->guards[i];
		if (!s->guard->exec)
			continue;
		err = s->guard->exec(p, s->ctx, task);
		if (err < 0)
			return err;
		if (err == CABIN_GUARD_AT_EXIT)
			ret = err;
	}
	return ret;
}

bool cabin_guards_stop_ok(struct cabin_proxy *p, struct cabin_task *task)
{
	const struct cabin_guard_slot *s;
	size_t i;

	for (i = 0; i < p->nguards; i++) {
		s = &p->guards[i];
		if (s->guard->stop_ok && !s->guard->stop_ok(p, s->ctx, task))
			return false;
	}
	return true;
}

void cabin_guards_fault(struct cabin_proxy *p, struct cabin_task *task,
			const struct cabin_fault *f)
{
	const struct cabin_guard_slot *s;
	size_t i;

	for (i = 0; i < p->nguards; i++) {
		s = &p->guards[i];
		if (s->guard->fault)
			s->guard->fault(p, s->ctx, task, f);
	}
}
