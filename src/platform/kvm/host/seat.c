/*
 * gdb's seat on the kvm platform: cabin listens, checks who connects
 * (src/debug's peer check, as on the process platform) and hands the
 * connection to the VM monitor it starts next.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "platform/kvm/host/seat.h"
#include "sandbox/signals.h"

int cabin_kvm_seat_configure(struct cabin_kvm_seat *s, const char *value,
			     FILE *log)
{
	memset(s, 0, sizeof(*s));
	s->listen_fd = s->fd = -1;
	if (!value)
		return 0;
	s->on = true;
	if (cabin_debug_addr_parse(value, &s->addr, log) < 0)
		return -EINVAL;
	/*
	 * The VM monitor is handed one socket that it reads and writes;
	 * cabin's stdin and stdout are two descriptors.
	 */
	if (s->addr.stdio) {
		fprintf(log, "cabin: --gdb=-: not served on --platform kvm; use --gdb=unix:PATH (a 0600 socket file)\n");
		return -EINVAL;
	}
	return 0;
}

int cabin_kvm_seat_listen(struct cabin_kvm_seat *s, FILE *log)
{
	if (!s->on)
		return 0;
	s->listen_fd = cabin_debug_listen(&s->addr, log, s->where,
					  sizeof(s->where));
	/* A socket file of cabin's: gone with the listener. */
	s->unlink_where = s->listen_fd >= 0 && s->addr.ss.ss_family == AF_UNIX;
	return s->listen_fd < 0 ? s->listen_fd : 0;
}

static volatile sig_atomic_t alarm_rang;
static sig_atomic_t signals_seen;

static void on_alarm(int sig)
{
	(void)sig;
	alarm_rang = 1;
}

static const char *cancel_reason(void)
{
	if (alarm_rang)
		return "the time limit ran out";
	if (cabin_signals_received != signals_seen)
		return "cabin was sent a signal";
	return NULL;
}

static bool cancelled(void *ctx)
{
	(void)ctx;
	return cancel_reason() != NULL;
}

unsigned long cabin_kvm_seat_take(struct cabin_kvm_seat *s,
				  const struct cabin_launch *l)
{
	struct cabin_debug_conn c = { .fd = -1, .cancelled = cancelled };
	struct sigaction sa, old;
	time_t start = time(NULL);
	int err;

	if (!s->on || s->listen_fd < 0)
		return 0;
	alarm_rang = 0;
	signals_seen = cabin_signals_received;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: the wait ends */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old);
	if (l->timeout)
		alarm((unsigned int)l->timeout);
	err = cabin_debug_accept(&c, &s->listen_fd, s->where, l->log);
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	if (err == 0)
		s->fd = c.fd;
	else if (!l->quiet && err == -ECANCELED)
		fprintf(l->log, "cabin: --gdb: %s while waiting for gdb; the program runs on without it\n",
			cancel_reason());
	else if (!l->quiet)
		fprintf(l->log, "cabin: --gdb: no debugger came; the program runs on\n");
	return (unsigned long)(time(NULL) - start);
}

void cabin_kvm_seat_close(struct cabin_kvm_seat *s)
{
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->fd >= 0)
		close(s->fd);
	if (s->unlink_where)
		unlink(s->where);
	s->listen_fd = s->fd = -1;
	s->unlink_where = false;
}
