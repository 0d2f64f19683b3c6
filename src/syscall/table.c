/*
 * The syscall table, built from x86_64.def and indexed by number, and
 * what is read off it for more than one user.
 */
#include <stddef.h>
#include <sys/syscall.h>

#include "syscall/table.h"

#define NARGS(...) (sizeof((unsigned char[]){ __VA_ARGS__ }))
#define ROW(name, kvm_, dec, r, n_, ...) \
	[__NR_##name] = { .known = true, .decoded = dec, .n = n_, \
			  .ret = r, .kvm = CABIN_SYSCALL_KVM_##kvm_, \
			  .k = { __VA_ARGS__ } },
#define SC(name, kvm, r, ...) \
	ROW(name, kvm, true, r, NARGS(__VA_ARGS__), __VA_ARGS__)
#define SC0(name, kvm, r) ROW(name, kvm, true, r, 0, 0)
#define SC_NODEC(name, kvm, r, ...) \
	ROW(name, kvm, false, r, NARGS(__VA_ARGS__), __VA_ARGS__)
#define SC_RAW(name, kvm) ROW(name, kvm, false, R_DEC, 0, 0)
/* The kvm forwarder's marshalling is platform/kvm/forward's to read. */
#define FWD(name, ...)
#define FWD_RUN(name, ...)

static const struct cabin_syscall_desc table[] = {
#include "syscall/x86_64.def"
};

#define TABLE_LEN ((long)(sizeof(table) / sizeof(table[0])))

const struct cabin_syscall_desc *cabin_syscall_desc(long nr)
{
	if (nr < 0 || nr >= TABLE_LEN || !table[nr].known)
		return NULL;
	return &table[nr];
}

enum cabin_syscall_kvm cabin_syscall_kvm(long nr)
{
	const struct cabin_syscall_desc *sd = cabin_syscall_desc(nr);

	return sd ? (enum cabin_syscall_kvm)sd->kvm : CABIN_SYSCALL_KVM_REFUSED;
}

static bool changes_what_is_done(unsigned char kind)
{
	return kind == K_OFLAGS || kind == K_ATFLAGS || kind == K_RENAME;
}

void cabin_syscall_operands(long nr, struct cabin_syscall_operands *op)
{
	const struct cabin_syscall_desc *sd = cabin_syscall_desc(nr);
	signed char fd = -1, dirfd = -1;
	int i, paths = 0;

	*op = (struct cabin_syscall_operands){ -1, -1, -1, -1, -1, -1 };
	for (i = 0; sd && i < sd->n; i++) {
		switch (sd->k[i]) {
		case K_FD:
			if (fd < 0)
				fd = (signed char)i;
			break;
		case K_DIRFD:
			dirfd = (signed char)i;
			break;
		case K_PATH:
			if (paths == 0) {
				op->path = (signed char)i;
				op->dirfd = dirfd;
			} else if (paths == 1) {
				op->path2 = (signed char)i;
				op->dirfd2 = dirfd;
			}
			paths++;
			dirfd = -1;
			break;
		case K_MODE:
			if (op->mode < 0)
				op->mode = (signed char)i;
			break;
		default:
			if (op->flags < 0 && changes_what_is_done(sd->k[i]))
				op->flags = (signed char)i;
		}
	}
	if (op->path < 0)
		op->dirfd = fd;
}

unsigned int cabin_syscall_strings(long nr)
{
	const struct cabin_syscall_desc *sd = cabin_syscall_desc(nr);
	unsigned int set = 0;
	int i;

	for (i = 0; sd && i < sd->n; i++) {
		if (sd->k[i] == K_PATH || sd->k[i] == K_STR ||
		    sd->k[i] == K_LINK_TARGET)
			set |= 1u << i;
	}
	return set;
}

bool cabin_syscall_sockaddr(long nr, int *addr, int *len)
{
	const struct cabin_syscall_desc *sd = cabin_syscall_desc(nr);
	int i;

	for (i = 0; sd && i + 1 < sd->n; i++) {
		if (sd->k[i] == K_SA) {
			*addr = i;
			*len = i + 1;
			return true;
		}
	}
	return false;
}
