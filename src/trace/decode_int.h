/*
 * Shared between the decoder's files (decode.c, decode_fmt.c,
 * decode_struct.c, decode_tables.c): the per-call state, flag tables and
 * the printers of values and structures.  Not part of the trace API.
 */
#ifndef CABIN_TRACE_DECODE_INT_H
#define CABIN_TRACE_DECODE_INT_H

#include "trace/decode.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* One argument being decoded. */
struct dctx {
	struct cabin_strbuf *b;
	const struct cabin_decode_ctx *c;
	const struct cabin_decode_call *call;
	bool ok;		/* returned without error: out data is valid */
};

struct flagname {
	uint64_t val;
	const char *name;
};

#define FL(x) { (uint64_t)(x), #x }
#define FLAGS(n) n, ARRAY_SIZE(n)
/* A table of decode_tables.c and its length, as the printers take them. */
#define XL(name) cabin_decode_xl_##name, cabin_decode_xl_##name##_n

/* Reading: false when nothing can be read (no proxy, NULL, fault). */
bool cabin_decode_read(const struct dctx *d, uint64_t addr, void *buf,
		       size_t len);

/* Values. */
void cabin_decode_hex(const struct dctx *d, uint64_t v);
void cabin_decode_ptr(const struct dctx *d, uint64_t v);
void cabin_decode_flags(const struct dctx *d, uint64_t v,
			const struct flagname *t,
	       size_t n, const char *zero);
bool cabin_decode_xlat(const struct dctx *d, uint64_t v,
		       const struct flagname *t,
	      size_t n);
void cabin_decode_xlat_or(const struct dctx *d, uint64_t v,
			  const struct flagname *t,
		 size_t n, const char *fmt);
void cabin_decode_oflags(const struct dctx *d, uint64_t v, bool accmode);
void cabin_decode_mode(const struct dctx *d, uint32_t mode, bool with_type);
void cabin_decode_signal(const struct dctx *d, uint64_t sig);
void cabin_decode_sigset(const struct dctx *d, uint64_t addr, uint64_t size);

/* Memory. */
void cabin_decode_string(const struct dctx *d, uint64_t addr, size_t max);
void cabin_decode_buf(const struct dctx *d, uint64_t addr, uint64_t len,
		      bool hex);
void cabin_decode_iov(const struct dctx *d, uint64_t addr, uint64_t cnt,
		      uint64_t budget);
void cabin_decode_sockaddr(const struct dctx *d, uint64_t addr, uint64_t len);
void cabin_decode_stat(const struct dctx *d, uint64_t addr);
void cabin_decode_statx(const struct dctx *d, uint64_t addr);
void cabin_decode_msghdr(const struct dctx *d, uint64_t addr, bool out);
void cabin_decode_argv(const struct dctx *d, uint64_t addr);
void cabin_decode_envp(const struct dctx *d, uint64_t addr);
void cabin_decode_timespec(const struct dctx *d, uint64_t addr);
void cabin_decode_timeval(const struct dctx *d, uint64_t addr);
void cabin_decode_sigaction(const struct dctx *d, uint64_t addr);
void cabin_decode_rlimit(const struct dctx *d, uint64_t addr, bool is64);
void cabin_decode_wstatus(const struct dctx *d, uint64_t addr);
void cabin_decode_utsname(const struct dctx *d, uint64_t addr);
void cabin_decode_sysinfo(const struct dctx *d, uint64_t addr);
void cabin_decode_statfs(const struct dctx *d, uint64_t addr);
void cabin_decode_pollfds(const struct dctx *d, uint64_t addr, uint64_t n);
void cabin_decode_fdset(const struct dctx *d, uint64_t addr, uint64_t nfds);
void cabin_decode_epoll_event(const struct dctx *d, uint64_t addr);
void cabin_decode_epoll_events(const struct dctx *d, uint64_t addr, uint64_t n);
void cabin_decode_intpair(const struct dctx *d, uint64_t addr);
void cabin_decode_intptr(const struct dctx *d, uint64_t addr);
void cabin_decode_dents(const struct dctx *d, uint64_t addr, long len);
void cabin_decode_clone3(const struct dctx *d, uint64_t addr, uint64_t size);
void cabin_decode_sockopt(const struct dctx *d, uint64_t addr, uint64_t len);

/* Tables (decode_tables.c). */
#define TABLE(name) \
	extern const struct flagname cabin_decode_xl_##name[]; \
	extern const size_t cabin_decode_xl_##name##_n
TABLE(oflags);
TABLE(prot);
TABLE(mapflags);
TABLE(mremap);
TABLE(madv);
TABLE(clone_flags);
TABLE(at_flags);
TABLE(statx_mask);
TABLE(access);
TABLE(af);
TABLE(socktype);
TABLE(sockflags);
TABLE(ipproto);
TABLE(netlink);
TABLE(msgflags);
TABLE(shut);
TABLE(sol);
TABLE(so);
TABLE(tcpopt);
TABLE(ipopt);
TABLE(ipv6opt);
TABLE(fcntl_cmd);
TABLE(flock);
TABLE(wopts);
TABLE(sighow);
TABLE(sa_flags);
TABLE(clocks);
TABLE(futex_cmd);
TABLE(rlimits);
TABLE(arch_prctl);
TABLE(prctl);
TABLE(epoll_op);
TABLE(epoll_events);
TABLE(poll_events);
TABLE(whence);
TABLE(ptrace);
TABLE(mount);
TABLE(umount);
TABLE(rename);
TABLE(grnd);
TABLE(mfd);
TABLE(efd);
TABLE(ioctl);
TABLE(bpf);
TABLE(seccomp);
TABLE(close_range);
TABLE(timer);
#undef TABLE

#endif
