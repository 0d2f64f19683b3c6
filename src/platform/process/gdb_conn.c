/*
 * --gdb's connection on the process platform: the listening socket,
 * made before any sandbox; who may take the seat (only the user's own
 * unconfined debugger, peer.c); SIGIO when gdb writes while the program
 * runs, so a ^C is seen.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "platform/process/gdb.h"

int cabin_gdb_configure(struct cabin_gdb *g, const char *value, FILE *log)
{
	memset(g, 0, sizeof(*g));
	g->listen_fd = -1;
	g->stub.conn.fd = -1;
	g->log = log;
	return cabin_debug_addr_parse(value, &g->addr, log);
}

int cabin_gdb_prepare(struct cabin_gdb *g)
{
	if (g->addr.stdio) {
		snprintf(g->where, sizeof(g->where), "stdin and stdout");
		return cabin_debug_take_stdio(&g->stub.conn, g->stdio_fl,
					      g->log);
	}
	g->listen_fd = cabin_debug_listen(&g->addr, g->log, g->where,
					  sizeof(g->where));
	/* A socket file of cabin's: gone with the listener. */
	g->unlink_where = g->listen_fd >= 0 && g->addr.ss.ss_family == AF_UNIX;
	return g->listen_fd < 0 ? g->listen_fd : 0;
}

void cabin_gdb_close(struct cabin_gdb *g)
{
	if (g->listen_fd >= 0)
		close(g->listen_fd);
	if (g->unlink_where)
		unlink(g->where);
	g->unlink_where = false;
	if (g->stub.conn.wfd > 0)
		cabin_debug_give_stdio(&g->stub.conn, g->stdio_fl);
	if (g->stub.conn.fd >= 0)
		close(g->stub.conn.fd);
	g->listen_fd = g->stub.conn.fd = -1;
	g->stub.conn.wfd = 0;
	/* Only now: a SIGIO at its default would end cabin. */
	if (g->sigio_set)
		sigaction(SIGIO, &g->old_sigio, NULL);
	g->sigio_set = false;
}

/* gdb sent something while the program runs: a ^C, or it went away. */
static volatile sig_atomic_t gdb_input;

bool cabin_gdb_conn_input(void)
{
	bool was = gdb_input;

	gdb_input = 0;
	return was;
}

static void on_sigio(int sig)
{
	(void)sig;
	gdb_input = 1;
}

/*
 * SIGIO when gdb writes, without SA_RESTART: the stop loop's waitpid is
 * interrupted, so a ^C is seen while the program runs.
 */
static void watch_input(struct cabin_gdb *g)
{
	struct sigaction sa;
	int fl;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigio;
	if (sigaction(SIGIO, &sa, &g->old_sigio) < 0)
		return;
	g->sigio_set = true;
	fl = fcntl(g->stub.conn.fd, F_GETFL);
	if (fcntl(g->stub.conn.fd, F_SETOWN, getpid()) < 0 || fl < 0 ||
	    fcntl(g->stub.conn.fd, F_SETFL, fl | O_ASYNC) < 0)
		return;
}

/*
 * Only the user's own unconfined debugger may take the seat (peer.c);
 * anyone else is closed on and cabin waits on.  A program that connects
 * again and again gets its first refusals said, then only every
 * power-of-two'th: it cannot fill cabin's stderr.  1: refused, 0: the
 * seat is taken, -ECANCELED: the wait ended during the check.
 */
static int refused(struct cabin_gdb *g, int fd)
{
	struct cabin_debug_peer p;
	unsigned long n;
	int err;

	err = cabin_debug_peer_check(fd, &g->stub.conn, &p);
	if (err == 0)
		return 0;
	close(fd);
	if (err == -ECANCELED)
		return err;
	n = ++g->refusals;
	if (n > 4 && (n & (n - 1)))
		return 1;
	fprintf(g->log, "cabin: --gdb: refused a connection (uid %d, pid %d): %s; still waiting for gdb",
		(int)p.uid, (int)p.pid, p.why);
	if (n > 4)
		fprintf(g->log, " (%lu refused so far, not all said)", n);
	fputc('\n', g->log);
	fflush(g->log);
	return 1;
}

/*
 * gdb's connection, once.  Waiting is given up (-ECANCELED) when the
 * time limit runs out or cabin is sent a signal: then the program runs
 * on undebugged.
 */
int cabin_gdb_conn_accept(struct cabin_gdb *g)
{
	int fd, err, one = 1;

	g->seated = true;
	if (g->addr.stdio) {
		fprintf(g->log, "cabin: --gdb: gdb's remote protocol on cabin's stdin and stdout\n");
		fflush(g->log);
		watch_input(g);
		return 0;
	}
	/*
	 * Said only now, when a signal or the time limit ends the wait: who
	 * reads this line may count on it.
	 */
	fprintf(g->log, "cabin: waiting for gdb on %s (target remote %s)\n",
		g->where, g->where);
	fflush(g->log);
	for (;;) {
		err = cabin_debug_wait(&g->stub.conn, g->listen_fd, POLLIN);
		if (err < 0)
			return err;
		fd = accept4(g->listen_fd, NULL, NULL,
			     SOCK_CLOEXEC | SOCK_NONBLOCK);
		err = fd >= 0 ? refused(g, fd) : 0;
		if (err < 0)
			return err;
		if (err)
			continue;
		if (fd >= 0)
			break;
		if (errno != EINTR && errno != EAGAIN &&
		    errno != ECONNABORTED)
			return -errno;
	}
	/* One debugger: nobody else may connect after it. */
	close(g->listen_fd);
	g->listen_fd = -1;
	g->stub.conn.fd = fd;
	/* Small packets both ways: Nagle would hold each one back. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	watch_input(g);
	return 0;
}

