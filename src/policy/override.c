/*
 * Overrides: settings made on a policy of their own (`cabin run`'s
 * options) and then applied on top of the loaded policy, where they win.
 * The setters say what an option means in the policy's terms; the CLI
 * only parses the words.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "policy/parse_int.h"
#include "policy/policy.h"

int cabin_policy_set_network(struct cabin_policy *p, const char *mode)
{
	if (!strcmp(mode, "none"))
		p->net = CABIN_NET_NONE;
	else if (!strcmp(mode, "loopback"))
		p->net = CABIN_NET_LOOPBACK;
	else if (!strcmp(mode, "host"))
		p->net = CABIN_NET_HOST;
	else
		return -EINVAL;
	return 0;
}

int cabin_policy_set_limit(struct cabin_policy *p,
			   enum cabin_policy_limit limit, uint64_t value)
{
#define AT(f) offsetof(struct cabin_limits, f)
	static const size_t field[] = {
		[CABIN_POLICY_LIMIT_RLIMIT_AS] = AT(rlimit_as),
		[CABIN_POLICY_LIMIT_RLIMIT_CPU] = AT(rlimit_cpu),
		[CABIN_POLICY_LIMIT_PROCS] = AT(procs),
		[CABIN_POLICY_LIMIT_RLIMIT_NOFILE] = AT(rlimit_nofile),
		[CABIN_POLICY_LIMIT_RLIMIT_FSIZE] = AT(rlimit_fsize),
		[CABIN_POLICY_LIMIT_TIMEOUT] = AT(timeout),
		[CABIN_POLICY_LIMIT_MEMORY_MAX] = AT(memory_max),
		[CABIN_POLICY_LIMIT_PIDS_MAX] = AT(pids_max),
		[CABIN_POLICY_LIMIT_CPU_MAX] = AT(cpu_max),
	};
#undef AT

	if ((unsigned int)limit >= sizeof(field) / sizeof(field[0]))
		return -EINVAL;
	*(uint64_t *)((char *)&p->limits + field[limit]) = value;
	return 0;
}

int cabin_policy_add_memory(struct cabin_policy *p, unsigned int protection)
{
	if (protection & ~(CABIN_MEMORY_WX | CABIN_MEMORY_XOM))
		return -EINVAL;
	p->memory |= protection;
	return 0;
}

void cabin_policy_env_clear(struct cabin_policy *p)
{
	p->env_clear = true;
}

/* An option keeping or unsetting name wins over the policy's env set. */
static void drop_env_set(struct cabin_policy *p, const char *name)
{
	struct cabin_env_set *e = cabin_policy_find_env_set(p, name);
	size_t i;

	if (!e)
		return;
	i = e - p->env_set;
	free(e->name);
	free(e->value);
	memmove(e, e + 1, (--p->nenv_set - i) * sizeof(*e));
}

static int override_env(struct cabin_policy *p, const struct cabin_policy *o)
{
	size_t i;
	int err = 0;

	if (o->env_clear)
		p->env_clear = true;
	for (i = 0; !err && i < o->nenv_unset; i++) {
		drop_env_set(p, o->env_unset[i]);
		err = cabin_policy_env_unset(p, o->env_unset[i]);
	}
	for (i = 0; !err && i < o->nenv_keep; i++) {
		drop_env_set(p, o->env_keep[i]);
		err = cabin_policy_env_keep(p, o->env_keep[i]);
	}
	for (i = 0; !err && i < o->nenv_set; i++)
		err = cabin_policy_env_set(p, o->env_set[i].name,
					   o->env_set[i].value);
	return err;
}

int cabin_policy_override(struct cabin_policy *p,
			  const struct cabin_policy *o)
{
	const uint64_t *from = (const uint64_t *)&o->limits;
	uint64_t *to = (uint64_t *)&p->limits;
	bool restricted = p->files_restricted;
	size_t i;
	int err;

	_Static_assert(sizeof(o->limits) % sizeof(uint64_t) == 0,
		       "limits are all 64-bit");
	for (i = 0; i < o->npaths; i++) {
		err = cabin_policy_add_path(p, o->paths[i].path,
					    o->paths[i].rights, false,
					    o->paths[i].where);
		if (err < 0)
			return err;
	}
	/* Granting more never confines a policy that left files open. */
	p->files_restricted = restricted;
	for (i = 0; i < o->nstrips; i++) {
		err = cabin_policy_add_strip(p, o->strips[i].path,
					     o->strips[i].rights,
					     o->strips[i].optional,
					     o->strips[i].where);
		if (err < 0)
			return err;
	}
	if (o->net != CABIN_NET_UNSET) {
		p->net = o->net;
		if (o->net == CABIN_NET_NONE)
			p->nconnect_ports = p->nbind_ports = 0;
	}
	for (i = 0; i < sizeof(o->limits) / sizeof(uint64_t); i++) {
		if (from[i])
			to[i] = from[i];
	}
	p->memory |= o->memory;
	return override_env(p, o);
}
