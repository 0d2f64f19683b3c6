/*
 * The monitors of one run: a shared table of live members, and a
 * SOCK_SEQPACKET socket whose messages (a header and a piece of a
 * member's bytes) a collector thread in the first monitor gathers, so a
 * member never blocks on a first monitor busy running its own program.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "platform/kvm/linux/family.h"
#include "platform/kvm/linux/linux.h"
#include "platform/kvm/vmm/monitor_fault.h"

#define PIECE		(32u << 10)

struct cabin_kvm_family_table {
	pid_t pid[CABIN_KVM_FAMILY_MAX];	/* 0: free */
};

struct cabin_kvm_family_got {
	pid_t pid;
	bool done;
	char *buf;
	size_t len;
};

struct piece_header {
	pid_t pid;		/* 0: the first monitor's own "stop" */
	uint32_t last;
};

static struct cabin_kvm_family_got *got_for(struct cabin_kvm_family *f,
					    pid_t pid)
{
	struct cabin_kvm_family_got *g;
	size_t i;

	for (i = 0; i < f->ngot; i++)
		if (f->got[i].pid == pid && !f->got[i].done)
			return &f->got[i];
	g = realloc(f->got, (f->ngot + 1) * sizeof(*g));
	if (!g)
		return NULL;
	f->got = g;
	g = &f->got[f->ngot++];
	memset(g, 0, sizeof(*g));
	g->pid = pid;
	return g;
}

static void keep_piece(struct cabin_kvm_family *f, pid_t pid,
		       const char *data, size_t n, bool last)
{
	struct cabin_kvm_family_got *g;
	char *grown;

	pthread_mutex_lock(&f->lock);
	g = got_for(f, pid);
	if (g && n) {
		grown = realloc(g->buf, g->len + n);
		if (grown) {
			memcpy(grown + g->len, data, n);
			g->buf = grown;
			g->len += n;
		}
	}
	if (g && last)
		g->done = true;
	pthread_mutex_unlock(&f->lock);
}

static void *collect(void *arg)
{
	struct cabin_kvm_family *f = arg;
	char *msg = malloc(sizeof(struct piece_header) + PIECE);
	struct piece_header h;
	ssize_t n;

	for (;;) {
		if (!msg)
			break;
		n = recv(f->sock[0], msg, sizeof(h) + PIECE, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < (ssize_t)sizeof(h))
			break;
		memcpy(&h, msg, sizeof(h));
		if (!h.pid)
			break;
		keep_piece(f, h.pid, msg + sizeof(h), (size_t)n - sizeof(h),
			   h.last);
	}
	free(msg);
	return NULL;
}

int cabin_kvm_family_init(struct cabin_kvm_family *f, int floor)
{
	sigset_t all, old;
	int i, err;

	memset(f, 0, sizeof(*f));
	f->sock[0] = f->sock[1] = -1;
	f->first = true;
	f->table = mmap(NULL, sizeof(*f->table), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (f->table == MAP_FAILED) {
		f->table = NULL;
		return -errno;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, f->sock) < 0)
		return -errno;
	for (i = 0; i < 2; i++) {
		f->sock[i] = cabin_kvm_move_fd(f->sock[i], floor);
		if (f->sock[i] < 0)
			return f->sock[i];
	}
	f->table->pid[0] = getpid();
	pthread_mutex_init(&f->lock, NULL);
	/* The program's signals are the run loop's, never the collector's. */
	cabin_kvm_fault_blockable(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&f->collector, NULL, collect, f);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		return -err;
	f->collecting = true;
	return 0;
}

static int add(struct cabin_kvm_family *f, pid_t pid)
{
	size_t i;

	for (i = 0; i < CABIN_KVM_FAMILY_MAX; i++)
		if (__atomic_load_n(&f->table->pid[i], __ATOMIC_SEQ_CST) == pid)
			return 0;
	for (i = 0; i < CABIN_KVM_FAMILY_MAX; i++) {
		pid_t zero = 0;

		if (__atomic_compare_exchange_n(&f->table->pid[i], &zero, pid,
						false, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return 0;
	}
	return -EAGAIN;
}

int cabin_kvm_family_add(struct cabin_kvm_family *f, pid_t child)
{
	return f->table ? add(f, child) : 0;
}

int cabin_kvm_family_join(struct cabin_kvm_family *f)
{

	/* The collector stayed with the first monitor: fork keeps one thread. */
	f->first = false;
	f->collecting = false;
	f->got = NULL;
	f->ngot = 0;
	if (f->sock[0] >= 0)
		close(f->sock[0]);
	f->sock[0] = -1;
	return add(f, getpid());
}

bool cabin_kvm_family_has(const struct cabin_kvm_family *f, pid_t pid)
{
	size_t i;

	if (!f->table || pid <= 0 || pid == getpid())
		return false;
	for (i = 0; i < CABIN_KVM_FAMILY_MAX; i++)
		if (__atomic_load_n(&f->table->pid[i], __ATOMIC_SEQ_CST) == pid)
			return true;
	return false;
}

size_t cabin_kvm_family_group(const struct cabin_kvm_family *f, pid_t *out,
			      size_t max, pid_t group)
{
	pid_t self = getpid();
	size_t i, n = 0;

	for (i = 0; f->table && i < CABIN_KVM_FAMILY_MAX && n < max; i++) {
		pid_t pid = __atomic_load_n(&f->table->pid[i], __ATOMIC_SEQ_CST);

		if (pid > 0 && pid != self && (!group || getpgid(pid) == group))
			out[n++] = pid;
	}
	return n;
}

static int send_piece(struct cabin_kvm_family *f, const char *data,
		      size_t n, bool last)
{
	char msg[sizeof(struct piece_header) + PIECE];
	struct piece_header h = { getpid(), last };
	ssize_t sent;

	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), data, n);
	do
		sent = send(f->sock[1], msg, sizeof(h) + n, MSG_NOSIGNAL);
	while (sent < 0 && errno == EINTR);
	return sent < 0 ? -errno : 0;
}

int cabin_kvm_family_leave(struct cabin_kvm_family *f, const void *buf,
			   size_t len)
{
	const char *p = buf;
	pid_t self = getpid();
	int err = 0;
	size_t i;

	if (!f->table || f->first)
		return 0;
	do {
		size_t n = len > PIECE ? PIECE : len;

		err = send_piece(f, p, n, n == len);
		p += n;
		len -= n;
	} while (!err && len);
	for (i = 0; i < CABIN_KVM_FAMILY_MAX; i++) {
		pid_t want = self;

		__atomic_compare_exchange_n(&f->table->pid[i], &want, 0, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	}
	return err;
}

/* Members still in the table, after forgetting those already gone. */
static size_t live_members(struct cabin_kvm_family *f, int sig)
{
	pid_t self = getpid();
	size_t i, n = 0;

	for (i = 0; i < CABIN_KVM_FAMILY_MAX; i++) {
		pid_t pid = __atomic_load_n(&f->table->pid[i], __ATOMIC_SEQ_CST);

		if (pid <= 0 || pid == self)
			continue;
		if (kill(pid, sig) < 0 && errno == ESRCH)
			__atomic_compare_exchange_n(&f->table->pid[i], &pid, 0,
						    false, __ATOMIC_SEQ_CST,
						    __ATOMIC_SEQ_CST);
		else
			n++;
	}
	return n;
}

static void end_members(struct cabin_kvm_family *f, int sig,
			unsigned int wait_ms)
{
	struct timespec tick = { 0, 10 * 1000000 };
	unsigned int waited = 0;

	if (!live_members(f, sig))
		return;
	while (waited < wait_ms && live_members(f, 0)) {
		nanosleep(&tick, NULL);
		waited += 10;
	}
	live_members(f, SIGKILL);
}

void cabin_kvm_family_end(struct cabin_kvm_family *f, int sig,
			  unsigned int wait_ms,
			  void (*fn)(void *ctx, const void *buf, size_t len),
			  void *ctx)
{
	struct piece_header stop = { 0, 1 };
	size_t i;

	if (!f->table || !f->first)
		return;
	end_members(f, sig, wait_ms);
	if (f->collecting) {
		/* Members sent before they left: "stop" queues behind them. */
		if (send(f->sock[1], &stop, sizeof(stop), MSG_NOSIGNAL) < 0)
			shutdown(f->sock[0], SHUT_RDWR);
		pthread_join(f->collector, NULL);
		f->collecting = false;
	}
	for (i = 0; i < f->ngot; i++) {
		if (f->got[i].done && fn)
			fn(ctx, f->got[i].buf, f->got[i].len);
		free(f->got[i].buf);
	}
	free(f->got);
	f->got = NULL;
	f->ngot = 0;
	munmap(f->table, sizeof(*f->table));
	f->table = NULL;
	close(f->sock[0]);
	close(f->sock[1]);
	f->sock[0] = f->sock[1] = -1;
}
