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
 * gdb's connection, once.  Waiting is given up (-ECANCELED) when the
 * time limit runs out or cabin is sent a signal: then the program runs
 * on undebugged.
 */
int cabin_gdb_conn_accept(struct cabin_gdb *g)
{
	int err;

	g->seated = true;
	if (g->addr.stdio) {
		fprintf(g->log, "cabin: --gdb: gdb's remote protocol on cabin's stdin and stdout\n");
		fflush(g->log);
		watch_input(g);
		return 0;
	}
	err = cabin_debug_accept(&g->stub.conn, &g->listen_fd, g->where,
				 g->log);
	if (err == 0)
		watch_input(g);
	return err;
}

