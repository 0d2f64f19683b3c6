/*
 * The syscall decoder: turns a syscall's number, arguments and result into
 * strace's text, reading the program's memory only through core/umem.h.
 * Whatever cannot be read is printed as the address, never guessed.
 */
#ifndef CABIN_TRACE_DECODE_H
#define CABIN_TRACE_DECODE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct cabin_proxy;

/*
 * A growing string with a hard limit: past max bytes it stops growing,
 * keeps what fit and sets cut, so a hostile program cannot make a record
 * arbitrarily large.  s is always NUL-terminated once anything was put.
 */
struct cabin_strbuf {
	char *s;
	size_t len;
	size_t cap;
	size_t max;
	bool cut;
};

void cabin_sb_init(struct cabin_strbuf *b, size_t max);
void cabin_sb_free(struct cabin_strbuf *b);
void cabin_sb_reset(struct cabin_strbuf *b);
void cabin_sb_put(struct cabin_strbuf *b, const char *s, size_t n);
void cabin_sb_puts(struct cabin_strbuf *b, const char *s);
void cabin_sb_printf(struct cabin_strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The text so far ("" when nothing was put). */
const char *cabin_sb_str(const struct cabin_strbuf *b);

/* Where the decoder reads memory, and how much of it it shows. */
struct cabin_decode_ctx {
	struct cabin_proxy *p;	/* NULL: no memory, only addresses */
	pid_t tid;
	size_t strsize;		/* bytes of a string or buffer shown */
	bool fd_paths;		/* annotate descriptors: 3</etc/passwd> */
};

#define CABIN_DECODE_STRSIZE 32

/* One call: at entry ret is not known yet (done false). */
struct cabin_decode_call {
	long nr;
	uint64_t args[6];
	long ret;
	bool done;		/* ret is the call's result */
};

/* The syscall's name ("openat", "syscall_0x1c8"). */
const char *cabin_decode_name(long nr, char *buf, size_t len);

/*
 * How many arguments the call prints (open without O_CREAT prints no
 * mode), and in *at_entry how many of the first ones are decoded at
 * entry; the rest are what the kernel writes and are decoded at the
 * result, like strace splits a line around <unfinished ...>.
 */
int cabin_decode_count(long nr, const uint64_t args[6], int *at_entry);

/*
 * The paths a call reads from memory: for each (at most 2), its printed
 * position, its argument index and the argument index of the descriptor
 * it is relative to (-1: none, the cwd).  Returns how many.
 */
struct cabin_decode_path {
	int pos, arg, dirfd_arg;
};
int cabin_decode_paths(long nr, const uint64_t args[6],
		       struct cabin_decode_path out[2]);

/* Append printed argument i (0 <= i < count) to b. */
void cabin_decode_arg(struct cabin_strbuf *b, const struct cabin_decode_ctx *c,
		      const struct cabin_decode_call *call, int i);

/*
 * Append the result after "= ": "3", "0x7f12a000" for addresses,
 * "-1 ENOENT (No such file or directory)", "?" when not done.
 */
void cabin_decode_ret(struct cabin_strbuf *b,
		      const struct cabin_decode_call *call);

/* The errno a result stands for (0 for success or unknown). */
int cabin_decode_errno(const struct cabin_decode_call *call);

/* Symbolic name of an errno, including the kernel's ERESTART* codes. */
const char *cabin_decode_errno_name(int err);

/* The whole "name(args) = ret" with every argument decoded now. */
void cabin_decode_line(struct cabin_strbuf *b,
		       const struct cabin_decode_ctx *c,
		       const struct cabin_decode_call *call);

/* strace's quoting of len bytes: "..." with \n, \t, \", \\ and \ooo. */
void cabin_decode_quote(struct cabin_strbuf *b, const void *data, size_t len,
			bool hex);

/* Signal names as strace prints them: SIGINT, SIGRTMIN, SIGRT_3. */
const char *cabin_decode_signame(int sig, char *buf, size_t len);

#endif
