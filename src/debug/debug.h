/*
 * The GDB remote serial protocol stub (`cabin run --gdb`): the listening
 * address, packet framing, the x86-64 registers as gdb numbers them, and
 * the dispatcher that answers gdb while the debugged process is stopped.
 * It knows no platform: a platform hands it a struct cabin_debug_target
 * whose operations reach only the tasks of the confined program.
 */
#ifndef CABIN_DEBUG_DEBUG_H
#define CABIN_DEBUG_DEBUG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/user.h>

/* Where --gdb listens. */
struct cabin_debug_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	bool loopback;
	bool stdio;		/* --gdb=-: cabin's stdin and stdout */
};

/*
 * --gdb=-, unix:PATH, HOST:PORT, :PORT or PORT (host 127.0.0.1); an IPv6
 * host in brackets.  0, or -EINVAL with one line on log.
 */
int cabin_debug_addr_parse(const char *value, struct cabin_debug_addr *a,
			   FILE *log);
/*
 * The listening socket (close-on-exec, cabin's own), and where it is
 * ("127.0.0.1:PORT") into where; the descriptor or -errno said on log.
 */
int cabin_debug_listen(const struct cabin_debug_addr *a, FILE *log,
		       char *where, size_t len);

struct cabin_debug_conn;

/*
 * --gdb=-: c reads copies of cabin's stdin and writes its stdout (made
 * non-blocking, their flags before into fl); cabin's own 0 becomes
 * /dev/null and 1 its stderr.  0, or -errno said on log.
 */
int cabin_debug_take_stdio(struct cabin_debug_conn *c, int fl[2], FILE *log);
/* Their flags back, the stdout copy closed (c->fd is the caller's). */
void cabin_debug_give_stdio(struct cabin_debug_conn *c, const int fl[2]);

/*
 * Say "waiting for gdb on WHERE" on log, then take the first connection
 * on *listen_fd that the peer check lets in (refused ones said on log),
 * close the listener (-1) and make it c's.  0, or -ECANCELED when
 * c->cancelled gives up, -errno.
 */
int cabin_debug_accept(struct cabin_debug_conn *c, int *listen_fd,
		       const char *where, FILE *log);

/* Who is at the other end of gdb's connection (peer.c). */
struct cabin_debug_peer {
	uid_t uid;		/* -1: unknown */
	pid_t pid;		/* a process holding its socket, 0: unknown */
	char why[160];		/* why it was refused */
};

/* The number after "NAME:" in /proc/PID/status, -1 when there is none. */
long cabin_debug_proc_status(pid_t pid, const char *name);

/*
 * 0 when the peer of the accepted connection fd is a process of the user
 * who ran cabin (or, under sudo, of SUDO_UID) that nothing confines and
 * that traces nothing; -EPERM with p->why otherwise (docs/security.md
 * says what is checked), -ECANCELED when c->cancelled ended the check.
 */
int cabin_debug_peer_check(int fd, const struct cabin_debug_conn *c,
			   struct cabin_debug_peer *p);

/* One debugger connection: framing, checksums, acknowledgements. */
struct cabin_debug_conn {
	int fd;
	/*
	 * Where replies go when it is not fd (--gdb=-: a copy of cabin's
	 * stdout); 0: fd itself (the copies are made above 2).
	 */
	int wfd;
	bool noack;
	/*
	 * Asked whenever a wait for gdb is interrupted by a signal (SIGALRM,
	 * SIGINT, SIGTERM, SIGHUP, SIGQUIT, blocked but while waiting): true
	 * gives up, as if gdb went away.  NULL: never.
	 */
	bool (*cancelled)(void *ctx);
	void *cancel_ctx;
	size_t have, pos;
	char in[4096];
};

#define CABIN_DEBUG_PACKET_MAX 16384

/*
 * Until fd is ready for events (POLLIN, POLLOUT): 0, or -ECANCELED when
 * c->cancelled says so, -errno on an error.  A signal that came before
 * the wait is not missed: they are blocked but while waiting.
 */
int cabin_debug_wait(struct cabin_debug_conn *c, int fd, short events);
/* What fd has now, without waiting (a socket, or a pipe's O_NONBLOCK). */
ssize_t cabin_debug_read(int fd, void *buf, size_t len);
/*
 * The next packet's payload into buf (NUL-terminated), a lone ^C as
 * "\x03"; its length, or -errno (-EPIPE: gdb went away).
 */
ssize_t cabin_debug_recv(struct cabin_debug_conn *c, char *buf, size_t max);
int cabin_debug_send(struct cabin_debug_conn *c, const char *data,
		     size_t len);
int cabin_debug_sendstr(struct cabin_debug_conn *c, const char *s);

/* A thread's registers as ptrace has them. */
struct cabin_debug_regs {
	struct user_regs_struct gp;
	struct user_fpregs_struct fp;
};

#define CABIN_DEBUG_NREGS 60

/* The target description gdb reads with qXfer:features:read. */
const char *cabin_debug_regs_tdesc(void);
/* Register n as gdb's bytes into out (little-endian); its size or -1. */
int cabin_debug_reg_get(const struct cabin_debug_regs *r, int n,
			unsigned char *out);
/* Register n from gdb's bytes; -1 for no such register. */
int cabin_debug_reg_set(struct cabin_debug_regs *r, int n,
			const unsigned char *in);

/* Hex helpers shared by the stub's files. */
int cabin_debug_hexval(int c);
void cabin_debug_tohex(const unsigned char *in, size_t n, char *out);
ssize_t cabin_debug_fromhex(const char *in, unsigned char *out, size_t max);

/*
 * What the stub may do to the debugged process, all by tid; every
 * operation answers -ESRCH for a tid that is not one of its tasks.
 */
struct cabin_debug_target {
	void *ctx;
	int (*get_regs)(void *ctx, pid_t tid, struct cabin_debug_regs *r);
	/* -EPERM where a change would undo a check (docs/security.md). */
	int (*set_regs)(void *ctx, pid_t tid, const struct cabin_debug_regs *r);
	ssize_t (*read_mem)(void *ctx, pid_t tid, uint64_t addr, void *buf,
			    size_t len);
	ssize_t (*write_mem)(void *ctx, pid_t tid, uint64_t addr,
			     const void *buf, size_t len);
	/* The process's tids, up to max into out; how many it has. */
	size_t (*threads)(void *ctx, pid_t *out, size_t max);
	/* /proc/PID/auxv bytes from off; the count, 0 at the end. */
	ssize_t (*auxv)(void *ctx, uint64_t off, void *buf, size_t len);
	/* The executable's path. */
	int (*exe)(void *ctx, char *buf, size_t len);
	/*
	 * Debug registers DR0-3 and DR7 onto every task at its resume; NULL
	 * (and take_dr6 NULL): no hardware watchpoints, gdb is told so.
	 */
	void (*set_debugregs)(void *ctx, const uint64_t dr[4], uint64_t dr7);
	/* DR6 of tid, read and cleared: which watchpoint triggered. */
	uint64_t (*take_dr6)(void *ctx, pid_t tid);
	/*
	 * Is addr in a private mapping of the process (its int3 reaches no
	 * file, no shared memory, no other process)?
	 */
	bool (*private_at)(void *ctx, uint64_t addr);
};

/* How gdb wants one thread resumed. */
struct cabin_debug_action {
	pid_t tid;		/* -1: every thread not named before */
	bool step;
	int sig;
};

#define CABIN_DEBUG_MAX_ACTIONS 8
#define CABIN_DEBUG_MAX_BREAKS 64

enum cabin_debug_verdict {
	CABIN_DEBUG_RESUME,	/* actions say how */
	CABIN_DEBUG_DETACH,	/* gdb let go: the program runs on */
	CABIN_DEBUG_KILL,	/* gdb killed the program */
	CABIN_DEBUG_GONE,	/* the connection ended */
};

/* What a stop tells gdb besides the signal (gdb asked for it). */
enum cabin_debug_event {
	CABIN_DEBUG_EV_NONE,
	CABIN_DEBUG_EV_FORK,	/* "fork:CHILD;": event_pid */
	CABIN_DEBUG_EV_VFORK,	/* "vfork:CHILD;": event_pid */
	CABIN_DEBUG_EV_VFORK_DONE,	/* the vfork child let go of the memory */
	CABIN_DEBUG_EV_EXEC,	/* "exec:HEXPATH;": a new program */
};

struct cabin_debug {
	struct cabin_debug_conn conn;
	struct cabin_debug_target t;
	pid_t pid;		/* the debugged process */
	pid_t gtid;		/* Hg: the thread registers are read from */
	pid_t stop_tid;		/* the last stop's thread and signal */
	int stop_sig;
	char stop_extra[64];	/* "watch:ADDR;" and the like */
	struct cabin_debug_action act[CABIN_DEBUG_MAX_ACTIONS];
	size_t nact;
	struct { uint64_t addr; unsigned char orig; } brk[CABIN_DEBUG_MAX_BREAKS];
	size_t nbrk;
	bool lifted;		/* the int3s are out of memory for now */
	struct { uint64_t addr; int len, type; } watch[4];	/* type 0: free */
	bool noack_next;	/* QStartNoAckMode: after its OK */
	/* What gdb said it understands in qSupported. */
	bool multiprocess, fork_events, vfork_events, exec_events;
	enum cabin_debug_event event;	/* told with the next stop reply */
	/*
	 * The child of a fork or vfork gdb heard of and has not let go of
	 * or followed yet (0: none): its one thread is gdb's too, for its
	 * registers, its memory and D;PID.
	 */
	pid_t event_pid;
	pid_t gpid;		/* the process of gtid */
	pid_t gone_pid;		/* a vfork parent let go: D;PID is OK */
	pid_t detach_pid;	/* D;PID: the process gdb let go */
	/* QPassSignals: host signals passed without a stop. */
	bool pass[65];
	/* QProgramSignals: the ones the program may get when gdb leaves. */
	bool program[65];
	bool program_set;
	size_t out_len;		/* a binary reply's length; 0: a string */
	char buf[CABIN_DEBUG_PACKET_MAX];
	char out[CABIN_DEBUG_PACKET_MAX];
};

/* Ready for a new connection on fd; t's operations reach process pid. */
void cabin_debug_init(struct cabin_debug *d, int fd,
		      const struct cabin_debug_target *t, pid_t pid);
/*
 * The process is stopped (tid with sig): tell gdb unless it has not
 * asked yet or was told already (first), then answer it until it
 * resumes, detaches (D, or D;PID: detach_pid), kills or goes.
 */
enum cabin_debug_verdict cabin_debug_serve(struct cabin_debug *d, pid_t tid,
					   int sig, bool first);
/*
 * Whether a held signal sig goes to the program when gdb leaves it
 * (QProgramSignals; all of them when gdb did not say).
 */
bool cabin_debug_program_signal(const struct cabin_debug *d, int sig);
/* The action for tid out of the last resume; false: it stays stopped. */
bool cabin_debug_action_for(const struct cabin_debug *d, pid_t tid,
			    bool *step, int *sig);
/* The process ended: W (exit status) or X (signal), and goodbye. */
void cabin_debug_exited(struct cabin_debug *d, int status);
/* The watchpoint that triggered at tid's stop, as "watch:ADDR;", or "". */
void cabin_debug_watch_reason(struct cabin_debug *d, pid_t tid, char *out,
			      size_t len);
/* Breakpoints out of the program's memory (detach, its end). */
void cabin_debug_remove_all(struct cabin_debug *d);
/*
 * The int3s out of memory but remembered (lift: another process shares
 * the memory, a vfork child), or back in; breakpoints gdb sets meanwhile
 * go in when they are put back.
 */
void cabin_debug_lift(struct cabin_debug *d, bool lift);

#endif /* CABIN_DEBUG_DEBUG_H */
