/*
 * Waiting on descriptors: poll, ppoll, select and pselect6.  The
 * monitor's descriptors must look closed to the program, as they would
 * in a process that never opened them: a pollfd naming one reports
 * POLLNVAL, and select treats the program's fd table as ending at the
 * floor (rounded up to a word, as a kernel fd table is).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "platform/kvm/forward/forward_impl.h"

#define LONG_BITS	(8 * sizeof(unsigned long))

static unsigned int set_bytes(unsigned int n)
{
	return (n + LONG_BITS - 1) / LONG_BITS * sizeof(unsigned long);
}

/* A guest pollfd array and the host's copy of it. */
struct pollset {
	struct pollfd *guest;
	struct pollfd *host;
	unsigned char *hidden;	/* 1 where the fd was the monitor's */
	unsigned int n, nhidden;
};

static long load_pollfds(struct cabin_kvm_call *c, struct pollset *s)
{
	uint64_t bytes;
	unsigned int i;
	void *p;

	s->n = (unsigned int)c->guest[1];
	/* The program's RLIMIT_NOFILE is at most the floor (forward_proc.c). */
	if (s->n > (unsigned int)c->f->fd_floor)
		return -EINVAL;
	bytes = (uint64_t)s->n * sizeof(struct pollfd);
	if (cabin_gmem_translate(c->f->mem, c->guest[0], bytes,
				 CABIN_GMEM_USER | CABIN_GMEM_R | CABIN_GMEM_W,
				 &p))
		return -EFAULT;
	s->guest = p;
	s->host = cabin_kvm_fwd_alloc(c, bytes + s->n + 1);
	if (!s->host)
		return -ENOMEM;
	s->hidden = (unsigned char *)(s->host + s->n);
	/* One read: the host polls this copy, never the guest's array. */
	memcpy(s->host, s->guest, bytes);
	for (i = 0; i < s->n; i++) {
		s->hidden[i] = s->host[i].fd >= c->f->fd_floor;
		if (s->hidden[i]) {
			s->host[i].fd = -1;
			s->nhidden++;
		}
	}
	return 0;
}

/* Only revents goes back, as the kernel writes only that field. */
static long store_pollfds(struct pollset *s, long r)
{
	unsigned int i;

	if (r < 0)
		return r;
	for (i = 0; i < s->n; i++) {
		if (s->hidden[i])
			s->host[i].revents = POLLNVAL;
		memcpy(&s->guest[i].revents, &s->host[i].revents,
		       sizeof(s->host[i].revents));
	}
	return r + s->nhidden;
}

long cabin_kvm_fwd_poll(struct cabin_kvm_call *c)
{
	struct pollset s = { 0 };
	int timeout = (int)c->guest[2];
	long r;

	r = load_pollfds(c, &s);
	if (!r) {
		/* A POLLNVAL is an event: the kernel would not have waited. */
		if (s.nhidden)
			timeout = 0;
		r = cabin_kvm_fwd_host(c->f, SYS_poll, (const long[6]){
			(long)s.host, (long)s.n, (long)timeout });
		r = store_pollfds(&s, r);
	}
	cabin_kvm_fwd_free(c, s.host);
	return r;
}

/* An optional sigset argument of sigsetsize bytes; *err 0 or -errno. */
static void *sigmask_arg(const struct cabin_kvm_call *c, uint64_t gva,
			 uint64_t size, int *err)
{
	void *p = NULL;

	*err = 0;
	if (!gva)
		return NULL;
	if (size != sizeof(uint64_t)) {
		*err = -EINVAL;
		return NULL;
	}
	*err = cabin_gmem_translate(c->f->mem, gva, size,
				    CABIN_GMEM_USER | CABIN_GMEM_R, &p);
	return p;
}

/* An optional in/out timeout of size bytes, read into *local. */
static void *timeout_arg(const struct cabin_kvm_call *c, uint64_t gva,
			 void *local, size_t size, int *err)
{
	void *p = NULL;

	*err = 0;
	if (!gva)
		return NULL;
	*err = cabin_gmem_translate(c->f->mem, gva, size, CABIN_GMEM_USER |
				    CABIN_GMEM_R | CABIN_GMEM_W, &p);
	if (!*err)
		memcpy(local, p, size);
	return p;
}

long cabin_kvm_fwd_ppoll(struct cabin_kvm_call *c)
{
	struct pollset s = { 0 };
	struct timespec ts;
	void *gts, *mask;
	int err;
	long r;

	gts = timeout_arg(c, c->guest[2], &ts, sizeof(ts), &err);
	if (err)
		return err;
	mask = sigmask_arg(c, c->guest[3], c->guest[4], &err);
	if (err)
		return err;
	r = load_pollfds(c, &s);
	if (!r) {
		if (s.nhidden)
			memset(&ts, 0, sizeof(ts));
		r = cabin_kvm_fwd_host(c->f, SYS_ppoll, (const long[6]){
			(long)s.host, (long)s.n, (long)(gts ? &ts : NULL),
			(long)mask, mask ? (long)c->guest[4] : 0L });
		/* The time left; with a zero timeout the kernel writes none. */
		if (gts && !s.nhidden)
			memcpy(gts, &ts, sizeof(ts));
		r = store_pollfds(&s, r);
	}
	cabin_kvm_fwd_free(c, s.host);
	return r;
}

/* A set bit in [from, to): a descriptor the program does not have. */
static bool any_bit(const unsigned char *set, unsigned int from,
		    unsigned int to)
{
	unsigned int i;

	for (i = from; i < to; i++)
		if (set[i / 8] & (1u << (i % 8)))
			return true;
	return false;
}

/*
 * Make the three fd sets ready for n descriptors.  The program's table
 * ends at the floor rounded up to a word: a set bit between the floor
 * and that end is a closed fd (-EBADF), bits past it are not looked at.
 */
static long load_sets(const struct cabin_kvm_call *c, long sets[3], int *n)
{
	unsigned int floor = (unsigned int)c->f->fd_floor;
	unsigned int end = (floor + LONG_BITS - 1) / LONG_BITS * LONG_BITS;
	unsigned int i, scan;
	void *p;

	if (*n < 0)
		return -EINVAL;
	scan = (unsigned int)*n < end ? (unsigned int)*n : end;
	for (i = 0; i < 3; i++) {
		sets[i] = 0;
		if (!c->guest[1 + i])
			continue;
		if (cabin_gmem_translate(c->f->mem, c->guest[1 + i],
					 set_bytes(scan),
					 CABIN_GMEM_USER | CABIN_GMEM_R |
					 CABIN_GMEM_W, &p))
			return -EFAULT;
		if (scan > floor && any_bit(p, floor, scan))
			return -EBADF;
		sets[i] = (long)p;
	}
	if ((unsigned int)*n > floor)
		*n = (int)floor;
	return 0;
}

long cabin_kvm_fwd_select(struct cabin_kvm_call *c)
{
	struct timeval tv;
	long sets[3];
	int n = (int)c->guest[0], err;
	void *gtv;
	long r;

	r = load_sets(c, sets, &n);
	if (r)
		return r;
	gtv = timeout_arg(c, c->guest[4], &tv, sizeof(tv), &err);
	if (err)
		return err;
	r = cabin_kvm_fwd_host(c->f, SYS_select, (const long[6]){
		(long)n, (long)sets[0], (long)sets[1], (long)sets[2],
		(long)(gtv ? &tv : NULL) });
	if (gtv)
		memcpy(gtv, &tv, sizeof(tv));
	return r;
}

/* pselect6's sixth argument: a pointer to { sigset pointer, its size }. */
struct sigarg {
	uint64_t mask;
	uint64_t size;
};

long cabin_kvm_fwd_pselect6(struct cabin_kvm_call *c)
{
	struct sigarg ga, ha = { 0, 0 };
	struct timespec ts;
	long sets[3];
	int n = (int)c->guest[0], err;
	void *gts;
	long r;

	r = load_sets(c, sets, &n);
	if (r)
		return r;
	gts = timeout_arg(c, c->guest[4], &ts, sizeof(ts), &err);
	if (err)
		return err;
	if (c->guest[5]) {
		if (cabin_gmem_read(c->f->mem, c->guest[5], &ga, sizeof(ga)))
			return -EFAULT;
		ha.mask = (uint64_t)sigmask_arg(c, ga.mask, ga.size, &err);
		if (err)
			return err;
		ha.size = ga.size;
	}
	r = cabin_kvm_fwd_host(c->f, SYS_pselect6, (const long[6]){
		(long)n, (long)sets[0], (long)sets[1], (long)sets[2],
		(long)(gts ? &ts : NULL), (long)(c->guest[5] ? &ha : NULL) });
	if (gts)
		memcpy(gts, &ts, sizeof(ts));
	return r;
}
