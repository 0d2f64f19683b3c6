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

/* Reading: false when nothing can be read (no proxy, NULL, fault). */
bool dec_read(const struct dctx *d, uint64_t addr, void *buf, size_t len);

/* Values. */
void dec_hex(const struct dctx *d, uint64_t v);
void dec_ptr(const struct dctx *d, uint64_t v);
void dec_flags(const struct dctx *d, uint64_t v, const struct flagname *t,
	       size_t n, const char *zero);
bool dec_xlat(const struct dctx *d, uint64_t v, const struct flagname *t,
	      size_t n);
void dec_xlat_or(const struct dctx *d, uint64_t v, const struct flagname *t,
		 size_t n, const char *fmt);
void dec_oflags(const struct dctx *d, uint64_t v, bool accmode);
void dec_mode(const struct dctx *d, uint32_t mode, bool with_type);
void dec_signal(const struct dctx *d, uint64_t sig);
void dec_sigset(const struct dctx *d, uint64_t addr, uint64_t size);

/* Memory. */
void dec_string(const struct dctx *d, uint64_t addr, size_t max);
void dec_buf(const struct dctx *d, uint64_t addr, uint64_t len, bool hex);
void dec_iov(const struct dctx *d, uint64_t addr, uint64_t cnt,
	     uint64_t budget);
void dec_sockaddr(const struct dctx *d, uint64_t addr, uint64_t len);
void dec_stat(const struct dctx *d, uint64_t addr);
void dec_statx(const struct dctx *d, uint64_t addr);
void dec_msghdr(const struct dctx *d, uint64_t addr, bool out);
void dec_argv(const struct dctx *d, uint64_t addr);
void dec_envp(const struct dctx *d, uint64_t addr);
void dec_timespec(const struct dctx *d, uint64_t addr);
void dec_timeval(const struct dctx *d, uint64_t addr);
void dec_sigaction(const struct dctx *d, uint64_t addr);
void dec_rlimit(const struct dctx *d, uint64_t addr, bool is64);
void dec_wstatus(const struct dctx *d, uint64_t addr);
void dec_utsname(const struct dctx *d, uint64_t addr);
void dec_sysinfo(const struct dctx *d, uint64_t addr);
void dec_statfs(const struct dctx *d, uint64_t addr);
void dec_pollfds(const struct dctx *d, uint64_t addr, uint64_t n);
void dec_fdset(const struct dctx *d, uint64_t addr, uint64_t nfds);
void dec_epoll_event(const struct dctx *d, uint64_t addr);
void dec_epoll_events(const struct dctx *d, uint64_t addr, uint64_t n);
void dec_intpair(const struct dctx *d, uint64_t addr);
void dec_intptr(const struct dctx *d, uint64_t addr);
void dec_dents(const struct dctx *d, uint64_t addr, long len);
void dec_clone3(const struct dctx *d, uint64_t addr, uint64_t size);
void dec_sockopt(const struct dctx *d, uint64_t addr, uint64_t len);

/* Tables (decode_tables.c). */
#define TABLE(name) \
	extern const struct flagname name[]; \
	extern const size_t name##_n
TABLE(xl_oflags);
TABLE(xl_prot);
TABLE(xl_mapflags);
TABLE(xl_mremap);
TABLE(xl_madv);
TABLE(xl_clone_flags);
TABLE(xl_at_flags);
TABLE(xl_statx_mask);
TABLE(xl_access);
TABLE(xl_af);
TABLE(xl_socktype);
TABLE(xl_sockflags);
TABLE(xl_ipproto);
TABLE(xl_netlink);
TABLE(xl_msgflags);
TABLE(xl_shut);
TABLE(xl_sol);
TABLE(xl_so);
TABLE(xl_tcpopt);
TABLE(xl_ipopt);
TABLE(xl_ipv6opt);
TABLE(xl_fcntl_cmd);
TABLE(xl_flock);
TABLE(xl_wopts);
TABLE(xl_sighow);
TABLE(xl_sa_flags);
TABLE(xl_clocks);
TABLE(xl_futex_cmd);
TABLE(xl_rlimits);
TABLE(xl_arch_prctl);
TABLE(xl_prctl);
TABLE(xl_epoll_op);
TABLE(xl_epoll_events);
TABLE(xl_poll_events);
TABLE(xl_whence);
TABLE(xl_ptrace);
TABLE(xl_mount);
TABLE(xl_umount);
TABLE(xl_rename);
TABLE(xl_grnd);
TABLE(xl_mfd);
TABLE(xl_efd);
TABLE(xl_ioctl);
TABLE(xl_bpf);
TABLE(xl_seccomp);
TABLE(xl_close_range);
TABLE(xl_timer);
#undef TABLE

#endif
