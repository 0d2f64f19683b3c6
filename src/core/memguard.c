/*
 * W^X routes and the one check BPF cannot make.  Run-time flips are
 * refused in both directions: a writable page never becomes executable
 * (mprotect with PROT_EXEC is refused outright; only mmap creates code),
 * and an executable one never becomes writable.
 */
#include <errno.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "core/memguard.h"
#include "core/names.h"
#include "core/proxy.h"

static int add(struct cabin_router *r, int nr, enum cabin_route_kind kind,
	       uint64_t bits)
{
	const struct cabin_route route = { .kind = kind, .err = EACCES };
	const struct cabin_cond prot_has = {
		.arg = 2, .op = CABIN_CMP_MASKED_EQ, .mask = bits, .value = bits,
	};

	return cabin_router_add_rule(r, nr, route, 1, &prot_has);
}

int cabin_memguard_routes(struct cabin_router *r, bool watch)
{
	int err;

	if (watch) {
		err = add(r, SYS_mprotect, CABIN_ROUTE_TRACE, PROT_WRITE);
		return err ? err : add(r, SYS_pkey_mprotect, CABIN_ROUTE_TRACE,
				       PROT_WRITE);
	}
	err = add(r, SYS_mmap, CABIN_ROUTE_DENY, PROT_WRITE | PROT_EXEC);
	if (!err)
		err = add(r, SYS_mprotect, CABIN_ROUTE_DENY, PROT_EXEC);
	return err ? err : add(r, SYS_pkey_mprotect, CABIN_ROUTE_DENY,
			       PROT_EXEC);
}

long cabin_memguard_entry(struct cabin_proxy *p, struct cabin_task *task,
			  const struct cabin_syscall *sys)
{
	int prot;

	if (!p->wx || (sys->nr != SYS_mprotect && sys->nr != SYS_pkey_mprotect) ||
	    !(sys->args[2] & PROT_WRITE))
		return 0;
	prot = p->plat->ops->range_prot(p->plat->ctx, task->tid, sys->args[0],
					sys->args[1]);
	if (prot < 0 || !(prot & PROT_EXEC))
		return 0;
	task->count.denied++;
	p->stats.denied++;
	cabin_proxy_say(p, "W^X: pid %d (%s) may not make executable memory at 0x%llx writable: EACCES",
			(int)task->tid, task->comm,
			(unsigned long long)sys->args[0]);
	return -EACCES;
}
