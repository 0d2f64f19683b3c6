/*
 * Structures in the program's memory: strings, buffers, iovecs, socket
 * addresses, stat, msghdr, argv, timespecs and the like.  Each is copied
 * with a bounded read first; when the copy fails the address is printed,
 * so nothing shown was not actually read.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include "core/umem.h"
#include "trace/decode_int.h"

#define PAGE 4096u
#define MAX_ARRAY 1024u		/* elements shown, whatever strsize says */
#define MAX_ENVP 65536u		/* variables counted */
#define MAX_DENTS (1u << 20)	/* bytes of directory entries counted */

static void sb(const struct dctx *d, const char *s)
{
	cabin_sb_puts(d->b, s);
}

static size_t array_max(const struct dctx *d)
{
	return d->c->strsize < MAX_ARRAY ? d->c->strsize : MAX_ARRAY;
}

void cabin_decode_string(const struct dctx *d, uint64_t addr, size_t max)
{
	bool truncated;
	ssize_t n;
	char *buf;

	if (!addr) {
		sb(d, "NULL");
		return;
	}
	buf = d->c->p ? malloc(max + 1) : NULL;
	if (!buf) {
		cabin_decode_hex(d, addr);
		return;
	}
	n = cabin_umem_string(d->c->p, d->c->tid, addr, buf, max + 1,
			      &truncated);
	if (n < 0) {
		cabin_decode_hex(d, addr);
	} else {
		cabin_decode_quote(d->b, buf, (size_t)n, false);
		if (truncated)
			sb(d, "...");
	}
	free(buf);
}

/* len bytes at addr, of which strsize are shown and then "...". */
void cabin_decode_buf(const struct dctx *d, uint64_t addr, uint64_t len,
		      bool hex)
{
	size_t show = len < d->c->strsize ? (size_t)len : d->c->strsize;
	char *buf;

	if (!len) {
		sb(d, "\"\"");
		return;
	}
	if (!addr) {
		sb(d, "NULL");
		return;
	}
	buf = malloc(show ? show : 1);
	if (!buf || !cabin_decode_read(d, addr, buf, show)) {
		cabin_decode_hex(d, addr);
		free(buf);
		return;
	}
	cabin_decode_quote(d->b, buf, show, hex);
	if (len > show)
		sb(d, "...");
	free(buf);
}

/*
 * budget: bytes that hold data (what readv returned, or everything for
 * writev); elements past it show "" since nothing was written there.
 */
void cabin_decode_iov(const struct dctx *d, uint64_t addr, uint64_t cnt,
		      uint64_t budget)
{
	size_t max = array_max(d);
	uint64_t i;
	struct iovec iov;

	if (!addr) {
		sb(d, "NULL");
		return;
	}
	if (!cnt) {
		sb(d, "[]");
		return;
	}
	if (!cabin_decode_read(d, addr, &iov, sizeof(iov))) {
		cabin_decode_hex(d, addr);
		return;
	}
	sb(d, "[");
	for (i = 0; i < cnt && i < max; i++) {
		uint64_t n;

		if (i)
			sb(d, ", ");
		if (!cabin_decode_read(d, addr + i * sizeof(iov), &iov,
				       sizeof(iov))) {
			cabin_decode_hex(d, addr + i * sizeof(iov));
			break;
		}
		n = iov.iov_len < budget ? iov.iov_len : budget;
		budget -= n;
		sb(d, "{iov_base=");
		cabin_decode_buf(d, (uint64_t)(uintptr_t)iov.iov_base, n,
				 false);
		cabin_sb_printf(d->b, ", iov_len=%zu}", iov.iov_len);
	}
	if (i == max && i < cnt)
		sb(d, ", ...");
	sb(d, "]");
}

static void sa_unix(const struct dctx *d, const unsigned char *sa, size_t n)
{
	const unsigned char *path = sa + 2;
	size_t len = n - 2;

	if (!len) {
		sb(d, "{sa_family=AF_UNIX}");
		return;
	}
	sb(d, "{sa_family=AF_UNIX, sun_path=");
	if (path[0] == '\0' && len > 1) {
		sb(d, "@");
		cabin_decode_quote(d->b, path + 1, len - 1, false);
	} else {
		cabin_decode_quote(d->b, path, strnlen((const char *)path, len),
				   false);
	}
	sb(d, "}");
}

static void sa_inet(const struct dctx *d, const unsigned char *sa, size_t n)
{
	struct sockaddr_in in;
	char ip[INET_ADDRSTRLEN];

	memset(&in, 0, sizeof(in));
	memcpy(&in, sa, n < sizeof(in) ? n : sizeof(in));
	inet_ntop(AF_INET, &in.sin_addr, ip, sizeof(ip));
	cabin_sb_printf(d->b,
			"{sa_family=AF_INET, sin_port=htons(%u), sin_addr=inet_addr(\"%s\")}",
			ntohs(in.sin_port), ip);
}

static void sa_inet6(const struct dctx *d, const unsigned char *sa, size_t n)
{
	struct sockaddr_in6 in6;
	char ip[INET6_ADDRSTRLEN];

	memset(&in6, 0, sizeof(in6));
	memcpy(&in6, sa, n < sizeof(in6) ? n : sizeof(in6));
	inet_ntop(AF_INET6, &in6.sin6_addr, ip, sizeof(ip));
	cabin_sb_printf(d->b,
			"{sa_family=AF_INET6, sin6_port=htons(%u), sin6_flowinfo=htonl(%u), inet_pton(AF_INET6, \"%s\", &sin6_addr), sin6_scope_id=%u}",
			ntohs(in6.sin6_port), ntohl(in6.sin6_flowinfo), ip,
			in6.sin6_scope_id);
}

void cabin_decode_sockaddr(const struct dctx *d, uint64_t addr, uint64_t len)
{
	unsigned char sa[sizeof(struct sockaddr_storage)];
	size_t n = len < sizeof(sa) ? (size_t)len : sizeof(sa);
	uint16_t family;

	if (!addr) {
		sb(d, "NULL");
		return;
	}
	if (n < sizeof(family) || !cabin_decode_read(d, addr, sa, n)) {
		cabin_decode_hex(d, addr);
		return;
	}
	memcpy(&family, sa, sizeof(family));
	if (family == AF_UNIX) {
		sa_unix(d, sa, n);
	} else if (family == AF_INET && n >= 8) {
		sa_inet(d, sa, n);
	} else if (family == AF_INET6 && n >= 24) {
		sa_inet6(d, sa, n);
	} else if (family == AF_NETLINK && n >= 12) {
		uint32_t pid, groups;

		memcpy(&pid, sa + 4, 4);
		memcpy(&groups, sa + 8, 4);
		cabin_sb_printf(d->b,
				"{sa_family=AF_NETLINK, nl_pid=%u, nl_groups=%08x}",
				pid, groups);
	} else {
		size_t show = n - 2 < d->c->strsize ? n - 2 : d->c->strsize;

		sb(d, "{sa_family=");
		cabin_decode_xlat_or(d, family, XL(af), "%llu");
		sb(d, ", sa_data=");
		cabin_decode_quote(d->b, sa + 2, show, false);
		if (show < n - 2)
			sb(d, "...");
		sb(d, "}");
	}
}

void cabin_decode_stat(const struct dctx *d, uint64_t addr)
{
	struct stat st;

	if (!cabin_decode_read(d, addr, &st, sizeof(st))) {
		cabin_decode_ptr(d, addr);
		return;
	}
	sb(d, "{st_mode=");
	cabin_decode_mode(d, st.st_mode, true);
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		cabin_sb_printf(d->b, ", st_rdev=makedev(%#x, %#x), ...}",
				major(st.st_rdev), minor(st.st_rdev));
	else
		cabin_sb_printf(d->b, ", st_size=%lld, ...}",
				(long long)st.st_size);
}

void cabin_decode_statx(const struct dctx *d, uint64_t addr)
{
	struct statx stx;

	if (!cabin_decode_read(d, addr, &stx, sizeof(stx))) {
		cabin_decode_ptr(d, addr);
		return;
	}
	sb(d, "{stx_mask=");
	cabin_decode_flags(d, stx.stx_mask, XL(statx_mask), "0");
	cabin_sb_printf(d->b, ", stx_attributes=%#llx, stx_mode=",
			(unsigned long long)stx.stx_attributes);
	cabin_decode_mode(d, stx.stx_mode, true);
	cabin_sb_printf(d->b, ", stx_size=%llu, ...}",
			(unsigned long long)stx.stx_size);
}

void cabin_decode_msghdr(const struct dctx *d, uint64_t addr, bool out)
{
	struct msghdr m;

	if (!cabin_decode_read(d, addr, &m, sizeof(m))) {
		cabin_decode_ptr(d, addr);
		return;
	}
	sb(d, "{msg_name=");
	cabin_decode_sockaddr(d, (uint64_t)(uintptr_t)m.msg_name,
			      m.msg_namelen);
	cabin_sb_printf(d->b, ", msg_namelen=%u, msg_iov=", m.msg_namelen);
	cabin_decode_iov(d, (uint64_t)(uintptr_t)m.msg_iov, m.msg_iovlen,
			 out ? (uint64_t)d->call->ret : UINT64_MAX);
	cabin_sb_printf(d->b, ", msg_iovlen=%zu", (size_t)m.msg_iovlen);
	if (m.msg_controllen) {
		sb(d, ", msg_control=");
		cabin_decode_ptr(d, (uint64_t)(uintptr_t)m.msg_control);
	}
	cabin_sb_printf(d->b, ", msg_controllen=%zu, msg_flags=",
			(size_t)m.msg_controllen);
	cabin_decode_flags(d, (unsigned int)m.msg_flags, XL(msgflags), "0");
	sb(d, "}");
}

void cabin_decode_argv(const struct dctx *d, uint64_t addr)
{
	size_t max = array_max(d), i;
	uint64_t ptr;

	if (!addr) {
		sb(d, "NULL");
		return;
	}
	if (!cabin_decode_read(d, addr, &ptr, sizeof(ptr))) {
		cabin_decode_hex(d, addr);
		return;
	}
	sb(d, "[");
	for (i = 0; ptr; i++) {
		if (i)
			sb(d, ", ");
		if (i == max) {
			sb(d, "...");
			break;
		}
		cabin_decode_string(d, ptr, d->c->strsize);
		if (!cabin_decode_read(d, addr + (i + 1) * sizeof(ptr), &ptr,
				       sizeof(ptr))) {
			sb(d, ", ");
			cabin_decode_hex(d, addr + (i + 1) * sizeof(ptr));
			break;
		}
	}
	sb(d, "]");
}

/* The address and a count, as strace prints environments. */
void cabin_decode_envp(const struct dctx *d, uint64_t addr)
{
	uint64_t ptrs[PAGE / sizeof(uint64_t)];
	size_t count = 0;
	uint64_t at = addr;

	cabin_decode_ptr(d, addr);
	if (!addr)
		return;
	while (count < MAX_ENVP) {
		size_t chunk = PAGE - (size_t)(at % PAGE), i;

		chunk -= chunk % sizeof(uint64_t);
		if (!chunk || !cabin_decode_read(d, at, ptrs, chunk)) {
			if (!cabin_decode_read(d, at, ptrs, sizeof(uint64_t)))
				return;
			chunk = sizeof(uint64_t);
		}
		for (i = 0; i < chunk / sizeof(uint64_t); i++) {
			if (!ptrs[i]) {
				cabin_sb_printf(d->b, " /* %zu var%s */",
						count, count == 1 ? "" : "s");
				return;
			}
			count++;
		}
		at += chunk;
	}
	cabin_sb_printf(d->b, " /* %zu+ vars */", count);
}

void cabin_decode_timespec(const struct dctx *d, uint64_t addr)
{
	struct timespec ts;

	if (!cabin_decode_read(d, addr, &ts, sizeof(ts))) {
		cabin_decode_ptr(d, addr);
		return;
	}
	cabin_sb_printf(d->b, "{tv_sec=%lld, tv_nsec=%lld}",
			(long long)ts.tv_sec, (long long)ts.tv_nsec);
}

void cabin_decode_timeval(const struct dctx *d, uint64_t addr)
{
	struct timeval tv;

	if (!cabin_decode_read(d, addr, &tv, sizeof(tv))) {
		cabin_decode_ptr(d, addr);
		return;
	}
	cabin_sb_printf(d->b, "{tv_sec=%lld, tv_usec=%lld}",
			(long long)tv.tv_sec, (long long)tv.tv_usec);
}

/* The kernel's struct sigaction, not glibc's. */
struct ksigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

void cabin_decode_sigaction(const struct dctx *d, uint64_t addr)
{
	struct ksigaction sa;

	if (!cabin_decode_read(d, addr, &sa, sizeof(sa))) {
		cabin_decode_ptr(d, addr);
		return;
	}
	sb(d, "{sa_handler=");
	if (sa.handler == 0)
		sb(d, "SIG_DFL");
	else if (sa.handler == 1)
		sb(d, "SIG_IGN");
	else
		cabin_decode_hex(d, sa.handler);
	sb(d, ", sa_mask=");
	cabin_decode_sigset(d, addr + offsetof(struct ksigaction, mask),
			    sizeof(sa.mask));
	sb(d, ", sa_flags=");
	cabin_decode_flags(d, sa.flags, XL(sa_flags), "0");
	if (sa.flags & 0x04000000) {
		sb(d, ", sa_restorer=");
		cabin_decode_ptr(d, sa.restorer);
	}
	sb(d, "}");
}

static void rlim_value(const struct dctx *d, uint64_t v, bool is64)
{
	if (v == UINT64_MAX)
		sb(d, is64 ? "RLIM64_INFINITY" : "RLIM_INFINITY");
	else if (v > 1024 && v % 1024 == 0)
		cabin_sb_printf(d->b, "%llu*1024",
				(unsigned long long)(v / 1024));
	else
		cabin_sb_printf(d->b, "%llu", (unsigned long long)v);
}

void cabin_decode_rlimit(const struct dctx *d, uint64_t addr, bool is64)
{
	uint64_t r[2];

	if (!cabin_decode_read(d, addr, r, sizeof(r))) {
		cabin_decode_ptr(d, addr);
		return;
	}
	sb(d, "{rlim_cur=");
	rlim_value(d, r[0], is64);
	sb(d, ", rlim_max=");
	rlim_value(d, r[1], is64);
	sb(d, "}");
}

void cabin_decode_wstatus(const struct dctx *d, uint64_t addr)
{
	char sig[24];
	int s;

	if (!cabin_decode_read(d, addr, &s, sizeof(s))) {
		cabin_decode_ptr(d, addr);
		return;
	}
	if (WIFEXITED(s))
		cabin_sb_printf(d->b, "[{WIFEXITED(s) && WEXITSTATUS(s) == %d}]",
				WEXITSTATUS(s));
	else if (WIFSIGNALED(s))
		cabin_sb_printf(d->b, "[{WIFSIGNALED(s) && WTERMSIG(s) == %s%s}]",
				cabin_decode_signame(WTERMSIG(s), sig,
						     sizeof(sig)),
				WCOREDUMP(s) ? " && WCOREDUMP(s)" : "");
	else if (WIFSTOPPED(s))
		cabin_sb_printf(d->b, "[{WIFSTOPPED(s) && WSTOPSIG(s) == %s}]",
				cabin_decode_signame(WSTOPSIG(s), sig,
						     sizeof(sig)));
	else if (WIFCONTINUED(s))
		sb(d, "[{WIFCONTINUED(s)}]");
	else
		cabin_sb_printf(d->b, "[%#x]", (unsigned int)s);
}

static void field_str(const struct dctx *d, const char *name, const char *s,
		      size_t max)
{
	cabin_sb_printf(d->b, "%s=", name);
	cabin_decode_quote(d->b, s, strnlen(s, max), false);
}

void cabin_decode_utsname(const struct dctx *d, uint64_t addr)
{
	struct utsname u;

	if (!cabin_decode_read(d, addr, &u, sizeof(u))) {
		cabin_decode_ptr(d, addr);
		return;
	}
	sb(d, "{");
	field_str(d, "sysname", u.sysname, sizeof(u.sysname));
	sb(d, ", ");
	field_str(d, "nodename", u.nodename, sizeof(u.nodename));
	sb(d, ", ...}");
}

void cabin_decode_sysinfo(const struct dctx *d, uint64_t addr)
{
	struct sysinfo si;

	if (!cabin_decode_read(d, addr, &si, sizeof(si))) {
		cabin_decode_ptr(d, addr);
		return;
	}
	cabin_sb_printf(d->b,
			"{uptime=%ld, loads=[%lu, %lu, %lu], totalram=%lu, freeram=%lu, sharedram=%lu, bufferram=%lu, totalswap=%lu, freeswap=%lu, procs=%u, totalhigh=%lu, freehigh=%lu, mem_unit=%u}",
			si.uptime, si.loads[0], si.loads[1], si.loads[2],
			si.totalram, si.freeram, si.sharedram, si.bufferram,
			si.totalswap, si.freeswap, (unsigned int)si.procs,
			si.totalhigh, si.freehigh, si.mem_unit);
}

void cabin_decode_statfs(const struct dctx *d, uint64_t addr)
{
	struct statfs f;

	if (!cabin_decode_read(d, addr, &f, sizeof(f))) {
		cabin_decode_ptr(d, addr);
		return;
	}
	cabin_sb_printf(d->b,
			"{f_type=%#llx, f_bsize=%lld, f_blocks=%llu, f_bfree=%llu, f_bavail=%llu, f_files=%llu, f_ffree=%llu, ...}",
			(unsigned long long)f.f_type, (long long)f.f_bsize,
			(unsigned long long)f.f_blocks,
			(unsigned long long)f.f_bfree,
			(unsigned long long)f.f_bavail,
			(unsigned long long)f.f_files,
			(unsigned long long)f.f_ffree);
}

void cabin_decode_pollfds(const struct dctx *d, uint64_t addr, uint64_t n)
{
	size_t max = array_max(d);
	struct pollfd pfd;
	uint64_t i;

	if (!addr || !n) {
		cabin_decode_ptr(d, addr);
		return;
	}
	if (!cabin_decode_read(d, addr, &pfd, sizeof(pfd))) {
		cabin_decode_hex(d, addr);
		return;
	}
	sb(d, "[");
	for (i = 0; i < n && i < max; i++) {
		if (i)
			sb(d, ", ");
		if (!cabin_decode_read(d, addr + i * sizeof(pfd), &pfd,
				       sizeof(pfd))) {
			cabin_decode_hex(d, addr + i * sizeof(pfd));
			break;
		}
		cabin_sb_printf(d->b, "{fd=%d, events=", pfd.fd);
		cabin_decode_flags(d, (uint16_t)pfd.events, XL(poll_events),
				   "0");
		sb(d, "}");
	}
	if (i == max && i < n)
		sb(d, ", ...");
	sb(d, "]");
}

void cabin_decode_fdset(const struct dctx *d, uint64_t addr, uint64_t nfds)
{
	unsigned char set[128];
	size_t fds = nfds < sizeof(set) * 8 ? (size_t)nfds : sizeof(set) * 8;
	bool first = true;
	size_t fd;

	if (!addr || (int64_t)nfds <= 0 ||
	    !cabin_decode_read(d, addr, set, (fds + 7) / 8)) {
		cabin_decode_ptr(d, addr);
		return;
	}
	sb(d, "[");
	for (fd = 0; fd < fds; fd++) {
		if (!((set[fd / 8] >> (fd % 8)) & 1))
			continue;
		cabin_sb_printf(d->b, "%s%zu", first ? "" : " ", fd);
		first = false;
	}
	sb(d, "]");
}

static void epoll_one(const struct dctx *d, const struct epoll_event *ev)
{
	sb(d, "{events=");
	cabin_decode_flags(d, ev->events, XL(epoll_events), "0");
	cabin_sb_printf(d->b, ", data={u32=%u, u64=%llu}}", ev->data.u32,
			(unsigned long long)ev->data.u64);
}

void cabin_decode_epoll_event(const struct dctx *d, uint64_t addr)
{
	struct epoll_event ev;

	if (!cabin_decode_read(d, addr, &ev, sizeof(ev))) {
		cabin_decode_ptr(d, addr);
		return;
	}
	epoll_one(d, &ev);
}

void cabin_decode_epoll_events(const struct dctx *d, uint64_t addr, uint64_t n)
{
	size_t max = array_max(d);
	struct epoll_event ev;
	uint64_t i;

	if (!addr) {
		sb(d, "NULL");
		return;
	}
	if (n && !cabin_decode_read(d, addr, &ev, sizeof(ev))) {
		cabin_decode_hex(d, addr);
		return;
	}
	sb(d, "[");
	for (i = 0; i < n && i < max; i++) {
		if (i)
			sb(d, ", ");
		if (!cabin_decode_read(d, addr + i * sizeof(ev), &ev,
				       sizeof(ev))) {
			cabin_decode_hex(d, addr + i * sizeof(ev));
			break;
		}
		epoll_one(d, &ev);
	}
	if (i == max && i < n)
		sb(d, ", ...");
	sb(d, "]");
}

void cabin_decode_intpair(const struct dctx *d, uint64_t addr)
{
	int fds[2];

	if (!cabin_decode_read(d, addr, fds, sizeof(fds))) {
		cabin_decode_ptr(d, addr);
		return;
	}
	cabin_sb_printf(d->b, "[%d, %d]", fds[0], fds[1]);
}

void cabin_decode_intptr(const struct dctx *d, uint64_t addr)
{
	int v;

	if (!cabin_decode_read(d, addr, &v, sizeof(v))) {
		cabin_decode_ptr(d, addr);
		return;
	}
	cabin_sb_printf(d->b, "[%d]", v);
}

/* Walks d_reclen through what the kernel wrote, to count entries. */
void cabin_decode_dents(const struct dctx *d, uint64_t addr, long len)
{
	size_t n = len < (long)MAX_DENTS ? (size_t)len : MAX_DENTS;
	size_t off = 0, count = 0;
	unsigned char *buf;

	cabin_decode_ptr(d, addr);
	if (len < 0 || !addr)
		return;
	buf = malloc(n ? n : 1);
	if (!buf || (n && !cabin_decode_read(d, addr, buf, n))) {
		free(buf);
		return;
	}
	while (off + 19 <= n) {
		uint16_t reclen;

		memcpy(&reclen, buf + off + 16, sizeof(reclen));
		if (reclen < 19 || reclen > n - off)
			break;
		off += reclen;
		count++;
	}
	free(buf);
	cabin_sb_printf(d->b, " /* %zu entr%s */", count,
			count == 1 ? "y" : "ies");
}

struct kclone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls;
};

void cabin_decode_clone3(const struct dctx *d, uint64_t addr, uint64_t size)
{
	struct kclone_args a;

	if (size < sizeof(a) || !cabin_decode_read(d, addr, &a, sizeof(a))) {
		cabin_decode_ptr(d, addr);
		return;
	}
	sb(d, "{flags=");
	cabin_decode_flags(d, a.flags, XL(clone_flags), "0");
	if (a.flags & 0x1000) {
		sb(d, ", pidfd=");
		cabin_decode_ptr(d, a.pidfd);
	}
	if (a.flags & (0x1000000 | 0x200000)) {
		sb(d, ", child_tid=");
		cabin_decode_ptr(d, a.child_tid);
	}
	if (a.flags & 0x100000) {
		sb(d, ", parent_tid=");
		cabin_decode_ptr(d, a.parent_tid);
	}
	sb(d, ", exit_signal=");
	if (a.exit_signal)
		cabin_decode_signal(d, a.exit_signal);
	else
		sb(d, "0");
	sb(d, ", stack=");
	cabin_decode_ptr(d, a.stack);
	cabin_sb_printf(d->b, ", stack_size=%#llx",
			(unsigned long long)a.stack_size);
	if (a.flags & 0x80000) {
		sb(d, ", tls=");
		cabin_decode_ptr(d, a.tls);
	}
	sb(d, "}");
}

/* An int option as [1], anything else as a buffer. */
void cabin_decode_sockopt(const struct dctx *d, uint64_t addr, uint64_t len)
{
	if (len == sizeof(int)) {
		cabin_decode_intptr(d, addr);
		return;
	}
	cabin_decode_buf(d, addr, len, false);
}
