/*
 * The argument dispatcher: each argument printed by its kind in the
 * syscall table (src/syscall/x86_64.def), a few calls whose shape
 * depends on their arguments (open, fcntl, clone, futex, prctl), and the
 * result with strace's errno text.  Unknown calls print six hex words.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "core/names.h"
#include "core/proxy.h"
#include "syscall/table.h"
#include "trace/decode_int.h"

struct item {
	unsigned char kind;
	unsigned char arg;
	const char *label;
};

const char *cabin_decode_name(long nr, char *buf, size_t len)
{
	return cabin_syscall_name(nr, buf, len);
}

/* The row the decoder prints by, NULL: six hex words. */
static const struct cabin_syscall_desc *desc(long nr)
{
	const struct cabin_syscall_desc *sd = cabin_syscall_desc(nr);

	return sd && sd->decoded ? sd : NULL;
}

static bool fcntl_has_arg(uint64_t cmd)
{
	switch (cmd) {
	case F_GETFD: case F_GETFL: case F_GETOWN: case F_GETSIG:
	case F_GETLEASE: case F_GETPIPE_SZ: case F_GET_SEALS:
		return false;
	}
	return true;
}

/* clone(2) as strace shows it: child_stack first, then what flags use. */
static int shape_clone(const uint64_t *args, struct item *it)
{
	uint64_t fl = args[0];
	int n = 0;

	it[n++] = (struct item){ K_PTR, 1, "child_stack=" };
	it[n++] = (struct item){ K_CLONE_FLAGS, 0, "flags=" };
	if (fl & (0x100000 | 0x1000))
		it[n++] = (struct item){ K_PTR, 2, "parent_tid=" };
	if (fl & (0x1000000 | 0x200000))
		it[n++] = (struct item){ K_PTR, 3, "child_tidptr=" };
	if (fl & 0x80000)
		it[n++] = (struct item){ K_PTR, 4, "tls=" };
	return n;
}

static int shape_futex(const uint64_t *args, struct item *it, int n)
{
	switch (args[1] & 127) {
	case 0:			/* FUTEX_WAIT */
		return 4;
	case 1:			/* FUTEX_WAKE */
	case 7:			/* FUTEX_UNLOCK_PI */
		return 3;
	case 9:			/* FUTEX_WAIT_BITSET */
		it[4].kind = K_PTR;
		return 6;
	case 10:		/* FUTEX_WAKE_BITSET */
		it[3].kind = K_PTR;
		return 6;
	}
	return n;
}

static int shape_prctl(const uint64_t *args, struct item *it, int n)
{
	switch (args[0]) {
	case 15:		/* PR_SET_NAME */
		it[1].kind = K_STR;
		return 2;
	case 16:		/* PR_GET_NAME */
		it[1].kind = K_CSTR_OUT;
		return 2;
	case 1:			/* PR_SET_PDEATHSIG */
		it[1].kind = K_SIG;
		return 2;
	case 3: case 7: case 21: case 27: case 30: case 37: case 39:
	case 42:
		return 1;
	case 4: case 8: case 24: case 23: case 28: case 36: case 22:
		return 2;
	}
	return n;
}

/* The printed items of a call; returns their count. */
static int shape(long nr, const uint64_t *args, struct item *it)
{
	const struct cabin_syscall_desc *sd = desc(nr);
	int i, n;

	if (!sd) {
		for (i = 0; i < 6; i++)
			it[i] = (struct item){ K_HEX, (unsigned char)i, NULL };
		return 6;
	}
	n = sd->n;
	for (i = 0; i < n; i++)
		it[i] = (struct item){ sd->k[i], (unsigned char)i, NULL };
	switch (nr) {
#ifdef __NR_open
	case __NR_open:
		return (args[1] & (O_CREAT | 020000000)) ? 3 : 2;
#endif
	case __NR_openat:
		return (args[2] & (O_CREAT | 020000000)) ? 4 : 3;
	case __NR_fcntl:
		return fcntl_has_arg(args[1]) ? 3 : 2;
	case __NR_clone:
		return shape_clone(args, it);
	case __NR_futex:
		return shape_futex(args, it, n);
	case __NR_prctl:
		return shape_prctl(args, it, n);
	case __NR_arch_prctl:
		if (args[0] == 0x1003 || args[0] == 0x1004)
			it[1].kind = K_PTR;
		return n;
	}
	return n;
}

int cabin_decode_count(long nr, const uint64_t args[6], int *at_entry)
{
	struct item it[8];
	int n = shape(nr, args, it), i;

	if (at_entry) {
		for (i = 0; i < n && it[i].kind < K_OUT; i++)
			;
		*at_entry = i;
	}
	return n;
}

int cabin_decode_paths(long nr, const uint64_t args[6],
		       struct cabin_decode_path out[2])
{
	struct item it[8];
	int n = shape(nr, args, it), i, found = 0;

	for (i = 0; i < n && found < 2; i++) {
		if (it[i].kind != K_PATH && it[i].kind != K_LINK_TARGET)
			continue;
		out[found].pos = i;
		out[found].arg = it[i].arg;
		out[found].dirfd_arg = i > 0 && it[i - 1].kind == K_DIRFD ?
				       it[i - 1].arg : -1;
		found++;
	}
	return found;
}

static bool is_error(long ret)
{
	return ret < 0 && ret >= -4095;
}

int cabin_decode_errno(const struct cabin_decode_call *call)
{
	return call->done && is_error(call->ret) ? (int)-call->ret : 0;
}

static uint64_t next_arg(const struct dctx *d, const struct item *it)
{
	return it->arg < 5 ? d->call->args[it->arg + 1] : 0;
}

static void dec_socktype(const struct dctx *d, uint64_t v)
{
	cabin_decode_xlat_or(d, v & 0xf, XL(socktype), "%#llx");
	v &= ~(uint64_t)0xf;
	if (v) {
		cabin_sb_puts(d->b, "|");
		cabin_decode_flags(d, v, XL(sockflags), "0");
	}
}

static void dec_sockproto(const struct dctx *d, uint64_t v)
{
	uint64_t af = d->call->args[0];

	if (af == 2 || af == 10)
		cabin_decode_xlat_or(d, v, XL(ipproto), "%llu");
	else if (af == 16)
		cabin_decode_xlat_or(d, v, XL(netlink), "%llu");
	else
		cabin_sb_printf(d->b, "%d", (int)v);
}

static void dec_sockoptname(const struct dctx *d, const struct item *it)
{
	uint64_t level = it->arg ? d->call->args[it->arg - 1] : 0;
	uint64_t v = d->call->args[it->arg];
	bool named = false;

	if (level == 1)
		named = cabin_decode_xlat(d, v, XL(so));
	else if (level == 6)
		named = cabin_decode_xlat(d, v, XL(tcpopt));
	else if (level == 0)
		named = cabin_decode_xlat(d, v, XL(ipopt));
	else if (level == 41)
		named = cabin_decode_xlat(d, v, XL(ipv6opt));
	if (!named)
		cabin_sb_printf(d->b, "%d", (int)v);
}

static void dec_clone_flags(const struct dctx *d, uint64_t v)
{
	uint64_t sig = v & 0xff;

	v &= ~(uint64_t)0xff;
	if (v)
		cabin_decode_flags(d, v, XL(clone_flags), "0");
	if (sig) {
		if (v)
			cabin_sb_puts(d->b, "|");
		cabin_decode_signal(d, sig);
	} else if (!v) {
		cabin_sb_puts(d->b, "0");
	}
}

static void dec_fcntl_arg(const struct dctx *d, uint64_t v)
{
	switch (d->call->args[1]) {
	case F_SETFD:
		if (v == FD_CLOEXEC)
			cabin_sb_puts(d->b, "FD_CLOEXEC");
		else
			cabin_sb_printf(d->b, "%d", (int)v);
		return;
	case F_SETFL:
		cabin_decode_oflags(d, v, true);
		return;
	case F_SETSIG:
		cabin_decode_signal(d, v);
		return;
	case F_GETLK: case F_SETLK: case F_SETLKW: case F_OFD_GETLK:
	case F_OFD_SETLK: case F_OFD_SETLKW: case F_GETOWN_EX:
	case F_SETOWN_EX:
		cabin_decode_ptr(d, v);
		return;
	}
	cabin_sb_printf(d->b, "%d", (int)v);
}

static void dec_futex_op(const struct dctx *d, uint64_t v)
{
	cabin_decode_xlat_or(d, v & 127, XL(futex_cmd), "%llu");
	if (v & 128)
		cabin_sb_puts(d->b, "_PRIVATE");
	if (v & 256)
		cabin_sb_puts(d->b, "|FUTEX_CLOCK_REALTIME");
	if (v & ~(uint64_t)(127 | 128 | 256))
		cabin_sb_printf(d->b, "|%#llx",
				(unsigned long long)(v & ~(uint64_t)511));
}

static void dec_statx_flags(const struct dctx *d, uint64_t v)
{
	static const char *const sync[] = {
		"AT_STATX_SYNC_AS_STAT", "AT_STATX_FORCE_SYNC",
		"AT_STATX_DONT_SYNC", "AT_STATX_FORCE_SYNC|AT_STATX_DONT_SYNC",
	};

	cabin_sb_puts(d->b, sync[(v >> 13) & 3]);
	v &= ~(uint64_t)0x6000;
	if (v) {
		cabin_sb_puts(d->b, "|");
		cabin_decode_flags(d, v, XL(at_flags), "0");
	}
}

/* Arguments that only make sense on entry or are plain numbers. */
/* Like strace -y: what the descriptor refers to, when asked and known. */
static void dec_fd(const struct dctx *d, int fd)
{
	const struct cabin_platform_ops *ops;
	char path[256];

	cabin_sb_printf(d->b, "%d", fd);
	if (!d->c->fd_paths || !d->c->p || fd < 0)
		return;
	ops = d->c->p->plat->ops;
	if (ops->fd_path && ops->fd_path(d->c->p->plat->ctx, d->c->tid, fd,
					 path, sizeof(path)) == 0)
		cabin_sb_printf(d->b, "<%s>", path);
}

static bool dec_simple(const struct dctx *d, const struct item *it,
		       uint64_t v)
{
	switch (it->kind) {
	case K_HEX: cabin_decode_hex(d, v); break;
	case K_PTR: cabin_decode_ptr(d, v); break;
	case K_INT:
		cabin_sb_printf(d->b, "%d", (int)v);
		break;
	case K_FD:
		dec_fd(d, (int)v);
		break;
	case K_UINT: cabin_sb_printf(d->b, "%u", (unsigned int)v); break;
	case K_LONG: cabin_sb_printf(d->b, "%lld", (long long)v); break;
	case K_ULONG:
		cabin_sb_printf(d->b, "%llu", (unsigned long long)v);
		break;
	case K_OCT: cabin_sb_printf(d->b, "%#03o", (unsigned int)v); break;
	case K_UID:
		if ((uint32_t)v == UINT32_MAX)
			cabin_sb_puts(d->b, "-1");
		else
			cabin_sb_printf(d->b, "%u", (unsigned int)v);
		break;
	case K_DIRFD:
		if ((int)v == AT_FDCWD)
			cabin_sb_puts(d->b, "AT_FDCWD");
		else
			dec_fd(d, (int)v);
		break;
	case K_OFLAGS: cabin_decode_oflags(d, v, true); break;
	case K_OFLAGS_NOACC: cabin_decode_oflags(d, v, false); break;
	case K_MODE: cabin_decode_mode(d, (uint32_t)v, false); break;
	case K_ATFLAGS:
		cabin_decode_flags(d, v, XL(at_flags), "0");
		break;
	case K_STATX_FLAGS: dec_statx_flags(d, v); break;
	case K_STATX_MASK:
		cabin_decode_flags(d, v, XL(statx_mask), "0");
		break;
	case K_ACCESS: cabin_decode_flags(d, v, XL(access), "F_OK"); break;
	case K_PROT: cabin_decode_flags(d, v, XL(prot), "PROT_NONE"); break;
	case K_MAPFLAGS:
		cabin_decode_flags(d, v, XL(mapflags), "0");
		break;
	case K_MREMAP: cabin_decode_flags(d, v, XL(mremap), "0"); break;
	case K_MADV: cabin_decode_xlat_or(d, v, XL(madv), "%llu"); break;
	case K_WHENCE: cabin_decode_xlat_or(d, v, XL(whence), "%llu"); break;
	case K_SIG: cabin_decode_signal(d, v); break;
	case K_SIGHOW: cabin_decode_xlat_or(d, v, XL(sighow), "%#llx"); break;
	case K_AF: cabin_decode_xlat_or(d, v, XL(af), "%llu"); break;
	case K_SOCKTYPE: dec_socktype(d, v); break;
	case K_SOCKPROTO: dec_sockproto(d, v); break;
	case K_SOCKFLAGS:
		cabin_decode_flags(d, v, XL(sockflags), "0");
		break;
	case K_MSGFLAGS:
		cabin_decode_flags(d, v, XL(msgflags), "0");
		break;
	case K_SHUT: cabin_decode_xlat_or(d, v, XL(shut), "%llu"); break;
	case K_SOL: cabin_decode_xlat_or(d, v, XL(sol), "%llu"); break;
	case K_SOCKOPT: dec_sockoptname(d, it); break;
	case K_CLONE_FLAGS: dec_clone_flags(d, v); break;
	case K_WOPTS: cabin_decode_flags(d, v, XL(wopts), "0"); break;
	case K_FCNTL_CMD:
		cabin_decode_xlat_or(d, v, XL(fcntl_cmd), "%#llx");
		break;
	case K_FCNTL_ARG: dec_fcntl_arg(d, v); break;
	case K_FLOCK: cabin_decode_flags(d, v, XL(flock), "0"); break;
	case K_CLOCK: cabin_decode_xlat_or(d, v, XL(clocks), "%llu"); break;
	case K_TIMER: cabin_decode_flags(d, v, XL(timer), "0"); break;
	case K_FUTEX_OP: dec_futex_op(d, v); break;
	case K_RLIM_RES:
		cabin_decode_xlat_or(d, v, XL(rlimits), "%llu");
		break;
	case K_ARCH_PRCTL:
		cabin_decode_xlat_or(d, v, XL(arch_prctl), "%#llx");
		break;
	case K_PRCTL: cabin_decode_xlat_or(d, v, XL(prctl), "%#llx"); break;
	case K_EPOLL_OP:
		cabin_decode_xlat_or(d, v, XL(epoll_op), "%llu");
		break;
	case K_PTRACE: cabin_decode_xlat_or(d, v, XL(ptrace), "%#llx"); break;
	case K_MOUNT: cabin_decode_flags(d, v, XL(mount), "0"); break;
	case K_UMOUNT: cabin_decode_flags(d, v, XL(umount), "0"); break;
	case K_RENAME: cabin_decode_flags(d, v, XL(rename), "0"); break;
	case K_GRND: cabin_decode_flags(d, v, XL(grnd), "0"); break;
	case K_MFD: cabin_decode_flags(d, v, XL(mfd), "0"); break;
	case K_EFD: cabin_decode_flags(d, v, XL(efd), "0"); break;
	case K_IOCTL: cabin_decode_xlat_or(d, v, XL(ioctl), "%#llx"); break;
	case K_BPF: cabin_decode_xlat_or(d, v, XL(bpf), "%llu"); break;
	case K_SECCOMP:
		cabin_decode_xlat_or(d, v, XL(seccomp), "%llu");
		break;
	case K_CLOSE_RANGE:
		cabin_decode_flags(d, v, XL(close_range), "0");
		break;
	default:
		return false;
	}
	return true;
}

/* Memory the program gave the kernel: read at entry. */
static bool dec_in(const struct dctx *d, const struct item *it, uint64_t v)
{
	uint64_t next = next_arg(d, it);

	switch (it->kind) {
	case K_PATH:
	case K_LINK_TARGET:
		cabin_decode_string(d, v, 4096);
		break;
	case K_STR:
	case K_STR_LEN:
		cabin_decode_string(d, v, d->c->strsize);
		break;
	case K_SIGSET:
		/* rt_sigprocmask's size follows the old set, not the set. */
		if (d->call->nr == __NR_rt_sigprocmask)
			next = d->call->args[3];
		cabin_decode_sigset(d, v, next);
		break;
	case K_SIGACT: cabin_decode_sigaction(d, v); break;
	case K_BUF: cabin_decode_buf(d, v, next, false); break;
	case K_IOV: cabin_decode_iov(d, v, next, UINT64_MAX); break;
	case K_SA: cabin_decode_sockaddr(d, v, next); break;
	case K_SOCKOPT_VAL: cabin_decode_sockopt(d, v, next); break;
	case K_MSGHDR: cabin_decode_msghdr(d, v, false); break;
	case K_CLONE3: cabin_decode_clone3(d, v, next); break;
	case K_ARGV: cabin_decode_argv(d, v); break;
	case K_ENVP: cabin_decode_envp(d, v); break;
	case K_TS: cabin_decode_timespec(d, v); break;
	case K_TV: cabin_decode_timeval(d, v); break;
	case K_RLIM: cabin_decode_rlimit(d, v, false); break;
	case K_RLIM64: cabin_decode_rlimit(d, v, true); break;
	case K_POLLFDS: cabin_decode_pollfds(d, v, next); break;
	case K_FDSET: cabin_decode_fdset(d, v, d->call->args[0]); break;
	case K_EPOLL_EVENT: cabin_decode_epoll_event(d, v); break;
	default:
		return false;
	}
	return true;
}

static void dec_socklen_out(const struct dctx *d, uint64_t v)
{
	cabin_decode_intptr(d, v);
}

/* Memory the kernel wrote: only read when the call succeeded. */
static void dec_out(const struct dctx *d, const struct item *it, uint64_t v)
{
	uint64_t next = next_arg(d, it);
	long ret = d->call->ret;
	uint32_t len;

	if (!d->ok) {
		cabin_decode_ptr(d, v);
		return;
	}
	switch (it->kind) {
	case K_BUF_OUT: cabin_decode_buf(d, v, (uint64_t)ret, false); break;
	case K_BUF_HEX_OUT: cabin_decode_buf(d, v, (uint64_t)ret, true); break;
	case K_IOV_OUT: cabin_decode_iov(d, v, next, (uint64_t)ret); break;
	case K_SA_OUT:
		if (!v || !cabin_decode_read(d, next, &len, sizeof(len)))
			cabin_decode_ptr(d, v);
		else
			cabin_decode_sockaddr(d, v, len);
		break;
	case K_SOCKLEN_OUT: dec_socklen_out(d, v); break;
	case K_SOCKOPT_OUT:
		if (!v || !cabin_decode_read(d, next, &len, sizeof(len)))
			cabin_decode_ptr(d, v);
		else
			cabin_decode_sockopt(d, v, len);
		break;
	case K_STAT_OUT: cabin_decode_stat(d, v); break;
	case K_STATX_OUT: cabin_decode_statx(d, v); break;
	case K_TS_OUT: cabin_decode_timespec(d, v); break;
	case K_TV_OUT: cabin_decode_timeval(d, v); break;
	case K_SIGSET_OUT: cabin_decode_sigset(d, v, next); break;
	case K_SIGACT_OUT: cabin_decode_sigaction(d, v); break;
	case K_RLIM_OUT: cabin_decode_rlimit(d, v, false); break;
	case K_RLIM64_OUT: cabin_decode_rlimit(d, v, true); break;
	case K_UTS_OUT: cabin_decode_utsname(d, v); break;
	case K_SYSINFO_OUT: cabin_decode_sysinfo(d, v); break;
	case K_STATFS_OUT: cabin_decode_statfs(d, v); break;
	case K_FDPAIR_OUT: cabin_decode_intpair(d, v); break;
	case K_WSTATUS_OUT:
		if (ret > 0)
			cabin_decode_wstatus(d, v);
		else
			cabin_decode_ptr(d, v);
		break;
	case K_CSTR_OUT: cabin_decode_string(d, v, 4096); break;
	case K_LINK_OUT: cabin_decode_buf(d, v, (uint64_t)ret, false); break;
	case K_DENTS_OUT: cabin_decode_dents(d, v, ret); break;
	case K_MSGHDR_OUT: cabin_decode_msghdr(d, v, true); break;
	case K_EPOLL_OUT: cabin_decode_epoll_events(d, v, (uint64_t)ret); break;
	case K_INT_OUT: cabin_decode_intptr(d, v); break;
	default: cabin_decode_hex(d, v); break;
	}
}

void cabin_decode_arg(struct cabin_strbuf *b, const struct cabin_decode_ctx *c,
		      const struct cabin_decode_call *call, int i)
{
	struct item it[8];
	int n = shape(call->nr, call->args, it);
	struct dctx d = {
		.b = b, .c = c, .call = call,
		.ok = call->done && !is_error(call->ret),
	};
	uint64_t v;

	if (i < 0 || i >= n)
		return;
	v = call->args[it[i].arg];
	if (it[i].label)
		cabin_sb_puts(b, it[i].label);
	if (it[i].kind > K_OUT)
		dec_out(&d, &it[i], v);
	else if (!dec_simple(&d, &it[i], v) && !dec_in(&d, &it[i], v))
		cabin_decode_hex(&d, v);
}

static const char *errno_text(int err)
{
	switch (err) {
	case 512: return "To be restarted if SA_RESTART is set";
	case 513: return "To be restarted";
	case 514: return "To be restarted if no handler";
	case 516: return "Interrupted by signal";
	}
	return strerror(err);
}

static void ret_fcntl(struct cabin_strbuf *b,
		      const struct cabin_decode_call *call)
{
	struct cabin_decode_ctx c = { .strsize = 0 };
	struct dctx d = { .b = b, .c = &c, .call = call };
	long ret = call->ret;

	switch (call->args[1]) {
	case F_GETFD:
		cabin_sb_printf(b, "%#lx", ret);
		if (ret) {
			cabin_sb_puts(b, " (flags ");
			if (ret == FD_CLOEXEC)
				cabin_sb_puts(b, "FD_CLOEXEC");
			else
				cabin_sb_printf(b, "%#lx", ret);
			cabin_sb_puts(b, ")");
		}
		return;
	case F_GETFL:
		cabin_sb_printf(b, "%#lx (flags ", ret);
		cabin_decode_oflags(&d, (uint64_t)ret, true);
		cabin_sb_puts(b, ")");
		return;
	}
	cabin_sb_printf(b, "%ld", ret);
}

void cabin_decode_ret(struct cabin_strbuf *b,
		      const struct cabin_decode_call *call)
{
	const struct cabin_syscall_desc *sd = desc(call->nr);
	int kind = sd ? sd->ret : R_DEC;
	long ret = call->ret;

	if (!call->done || kind == R_NONE) {
		cabin_sb_puts(b, "?");
		return;
	}
	if (is_error(ret)) {
		int err = (int)-ret;

		cabin_sb_printf(b, "%s %s (%s)", err >= 512 ? "?" : "-1",
				cabin_decode_errno_name(err), errno_text(err));
		return;
	}
	switch (kind) {
	case R_HEX:
		cabin_sb_printf(b, "%#lx", ret);
		break;
	case R_OCT:
		cabin_sb_printf(b, "%#03lo", ret);
		break;
	case R_FCNTL:
		ret_fcntl(b, call);
		break;
	default:
		cabin_sb_printf(b, "%ld", ret);
	}
}

void cabin_decode_line(struct cabin_strbuf *b,
		       const struct cabin_decode_ctx *c,
		       const struct cabin_decode_call *call)
{
	char name[48];
	int n = cabin_decode_count(call->nr, call->args, NULL), i;

	cabin_sb_printf(b, "%s(", cabin_decode_name(call->nr, name,
						    sizeof(name)));
	for (i = 0; i < n; i++) {
		if (i)
			cabin_sb_puts(b, ", ");
		cabin_decode_arg(b, c, call, i);
	}
	cabin_sb_puts(b, ") = ");
	cabin_decode_ret(b, call);
}
