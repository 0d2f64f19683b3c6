/*
 * Scatter-gather arguments: iovec arrays and message headers.  Each is
 * copied out of the guest once and rebuilt with host pointers, so the
 * host kernel never follows a pointer the guest could change after it
 * was checked.  Control data is copied too: descriptors in SCM_RIGHTS
 * are checked on the copy the host sends, and the copy a receive fills
 * is cleaned of descriptors the program may not have before it leaves.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "platform/kvm/forward/forward_impl.h"

/* Control data beyond this is refused on send, truncated on receive. */
#define CTL_MAX		(64u << 10)
/* struct mmsghdr as the guest lays it out: a msghdr, then msg_len. */
#define MMSG_SIZE	sizeof(struct mmsghdr)
#define MMSG_LEN_OFF	offsetof(struct mmsghdr, msg_len)

_Static_assert(sizeof(struct iovec) == 16, "x86-64 iovec");
_Static_assert(sizeof(struct msghdr) == 56, "x86-64 msghdr");
_Static_assert(MMSG_SIZE == 64, "x86-64 mmsghdr");

int cabin_kvm_fwd_iov(const struct cabin_gmem *g, uint64_t gva, uint64_t n,
		      unsigned int access, struct iovec *out)
{
	uint64_t i;
	int err;

	/* Callers refuse this first with their own errno; out[] holds no more. */
	if (n > IOV_MAX)
		return -EINVAL;
	/* The guest layout is the host's, so the copy is the array rebuilt. */
	err = cabin_gmem_read(g, gva, out, n * sizeof(*out));
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		uint64_t base = (uint64_t)out[i].iov_base;
		void *p;

		if (out[i].iov_len > SSIZE_MAX)
			return -EINVAL;
		err = cabin_gmem_translate(g, base, out[i].iov_len,
					   CABIN_GMEM_USER | access, &p);
		if (err)
			return err;
		out[i].iov_base = p;
	}
	return 0;
}

/* A message as the host sees it, built from the guest's header. */
struct msg {
	struct msghdr h;
	struct sockaddr_storage name;
	unsigned char *ctl;	/* malloc'd copy of the control data */
	void *name_out;		/* the guest's name buffer */
	size_t name_cap;
	void *ctl_out;		/* receive: the guest's control buffer */
};

static int load_name(const struct cabin_kvm_call *c, const struct msghdr *m,
		     struct msg *o, unsigned int access)
{
	int len = (int)m->msg_namelen;

	if (!m->msg_name)
		return 0;
	if (len < 0)
		return -EINVAL;
	/* The kernel clamps rather than refuses a long name. */
	o->name_cap = (size_t)len < sizeof(o->name) ? (size_t)len :
		      sizeof(o->name);
	if (cabin_gmem_translate(c->f->mem, (uint64_t)m->msg_name, o->name_cap,
				 CABIN_GMEM_USER | access, &o->name_out))
		return -EFAULT;
	if ((access & CABIN_GMEM_R) && o->name_cap)
		memcpy(&o->name, o->name_out, o->name_cap);
	o->h.msg_name = &o->name;
	o->h.msg_namelen = (socklen_t)o->name_cap;
	return 0;
}

static int load_iov(struct cabin_kvm_call *c, const struct msghdr *m,
		    struct msg *o, unsigned int access)
{
	if (m->msg_iovlen > IOV_MAX)
		return -EMSGSIZE;
	o->h.msg_iov = c->iov;
	o->h.msg_iovlen = m->msg_iovlen;
	return cabin_kvm_fwd_iov(c->f->mem, (uint64_t)m->msg_iov,
				 m->msg_iovlen, access, c->iov);
}

/*
 * Walk cmsgs exactly as the kernel's for_each_cmsghdr does, calling fn
 * on each SCM_RIGHTS array; a malformed header is -EINVAL, as there.
 */
static int each_rights(unsigned char *ctl, size_t len,
		       int (*fn)(void *arg, unsigned char *cm, size_t off,
				 unsigned char *fds, size_t n),
		       void *arg)
{
	size_t off = 0;
	struct cmsghdr h;
	int err;

	while (len - off >= sizeof(h)) {
		memcpy(&h, ctl + off, sizeof(h));
		if (h.cmsg_len < sizeof(h) || h.cmsg_len > len - off)
			return -EINVAL;
		if (h.cmsg_level == SOL_SOCKET && h.cmsg_type == SCM_RIGHTS) {
			err = fn(arg, ctl + off, off, ctl + off + CMSG_LEN(0),
				 (h.cmsg_len - CMSG_LEN(0)) / sizeof(int));
			if (err)
				return err;
		}
		if (CMSG_ALIGN(h.cmsg_len) > len - off)
			break;
		off += CMSG_ALIGN(h.cmsg_len);
	}
	return 0;
}

static int fd_at(const unsigned char *fds, size_t i)
{
	int fd;

	memcpy(&fd, fds + i * sizeof(int), sizeof(fd));
	return fd;
}

static int rights_below_floor(void *arg, unsigned char *cm, size_t off,
			      unsigned char *fds, size_t n)
{
	const struct cabin_kvm_fwd *f = arg;
	size_t i;

	(void)cm;
	(void)off;
	for (i = 0; i < n; i++)
		if (fd_at(fds, i) >= f->fd_floor)
			return -EBADF;
	return 0;
}

static int load_send_ctl(struct cabin_kvm_call *c,
			 const struct msghdr *m, struct msg *o)
{
	size_t len = m->msg_controllen;
	int err;

	if (!len)
		return 0;
	if (len > CTL_MAX)
		return -ENOBUFS;
	o->ctl = cabin_kvm_fwd_alloc(c, len);
	if (!o->ctl)
		return -ENOMEM;
	err = cabin_gmem_read(c->f->mem, (uint64_t)m->msg_control, o->ctl, len);
	if (!err)
		err = each_rights(o->ctl, len, rights_below_floor,
				  (void *)c->f);
	o->h.msg_control = o->ctl;
	o->h.msg_controllen = len;
	return err;
}

static int load_recv_ctl(struct cabin_kvm_call *c,
			 const struct msghdr *m, struct msg *o)
{
	size_t len = m->msg_controllen < CTL_MAX ? m->msg_controllen : CTL_MAX;

	if (!len)
		return 0;
	if (cabin_gmem_translate(c->f->mem, (uint64_t)m->msg_control, len,
				 CABIN_GMEM_USER | CABIN_GMEM_W, &o->ctl_out))
		return -EFAULT;
	o->ctl = cabin_kvm_fwd_alloc(c, len);
	if (!o->ctl)
		return -ENOMEM;
	o->h.msg_control = o->ctl;
	o->h.msg_controllen = len;
	return 0;
}

static long host_msg(long nr, const struct cabin_kvm_call *c,
		     struct msghdr *h, int flags)
{
	return cabin_kvm_fwd_host(c->f, nr,
				  (const long[6]){ c->host[0], (long)h, flags });
}

static long send_one(struct cabin_kvm_call *c, uint64_t gva, int flags)
{
	struct msg o = { 0 };
	struct msghdr m;
	int pinned = -1;
	long r;

	r = cabin_gmem_read(c->f->mem, gva, &m, sizeof(m));
	if (!r)
		r = load_name(c, &m, &o, CABIN_GMEM_R);
	/* A unix socket's file name: resolved for the program. */
	if (!r && o.h.msg_name)
		r = cabin_kvm_fwd_sun_path(c->f, &o.name, &o.h.msg_namelen,
					   false, &pinned);
	/*
	 * Held by the call, so that a fault closes it too (forward.c); let
	 * go after each message, since sendmmsg sends many.
	 */
	if (pinned >= 0)
		c->pin[c->npin++] = pinned;
	if (!r)
		r = load_iov(c, &m, &o, CABIN_GMEM_R);
	if (!r)
		r = load_send_ctl(c, &m, &o);
	if (!r)
		r = host_msg(SYS_sendmsg, c, &o.h, flags);
	if (pinned >= 0)
		close(c->pin[--c->npin]);
	cabin_kvm_fwd_free(c, o.ctl);
	return r;
}

/* State of the cleaning of received descriptors. */
struct cut {
	const struct cabin_kvm_fwd *f;
	bool cut;
	size_t len;		/* control bytes kept */
};

/*
 * The first descriptor at or above the floor ends the control data, as
 * when the kernel runs out of descriptors: it and all after it are
 * closed, the cmsg shortened, and MSG_CTRUNC tells the program.
 */
static int cut_rights(void *arg, unsigned char *cm, size_t off,
		      unsigned char *fds, size_t n)
{
	struct cut *t = arg;
	size_t i;

	for (i = 0; i < n; i++) {
		int fd = fd_at(fds, i);

		if (!t->cut && fd >= t->f->fd_floor) {
			struct cmsghdr h;

			t->cut = true;
			t->len = i ? off + CMSG_SPACE(i * sizeof(int)) : off;
			memcpy(&h, cm, sizeof(h));
			h.cmsg_len = CMSG_LEN(i * sizeof(int));
			memcpy(cm, &h, sizeof(h));
		}
		if (t->cut)
			close(fd);
	}
	return 0;
}

static void clean_recv_ctl(const struct cabin_kvm_fwd *f, struct msg *o)
{
	struct cut t = { f, false, 0 };

	if (!o->ctl)
		return;
	each_rights(o->ctl, o->h.msg_controllen, cut_rights, &t);
	if (t.cut) {
		o->h.msg_controllen = t.len;
		o->h.msg_flags |= MSG_CTRUNC;
	}
}

static int close_rights(void *arg, unsigned char *cm, size_t off,
			unsigned char *fds, size_t n)
{
	size_t i;

	(void)arg;
	(void)cm;
	(void)off;
	for (i = 0; i < n; i++)
		close(fd_at(fds, i));
	return 0;
}

/*
 * Copy out what the kernel would have written to the guest's header.
 * The control data first: if the host no longer backs its page, the
 * descriptors received are closed, as the kernel does when it cannot
 * hand them over, and the call fails with EFAULT.
 */
static int store_recv(const struct cabin_kvm_call *c, unsigned char *hdr,
		      const struct msghdr *m, struct msg *o)
{
	size_t n;

	if (o->ctl && cabin_kvm_fwd_put(c, o->ctl_out, o->ctl,
					o->h.msg_controllen) < 0) {
		each_rights(o->ctl, o->h.msg_controllen, close_rights, NULL);
		return -EFAULT;
	}
	if (m->msg_name) {
		n = o->h.msg_namelen < o->name_cap ? o->h.msg_namelen :
						     o->name_cap;
		if (n)
			memcpy(o->name_out, &o->name, n);
		memcpy(hdr + offsetof(struct msghdr, msg_namelen),
		       &o->h.msg_namelen, sizeof(o->h.msg_namelen));
	}
	memcpy(hdr + offsetof(struct msghdr, msg_controllen),
	       &o->h.msg_controllen, sizeof(o->h.msg_controllen));
	memcpy(hdr + offsetof(struct msghdr, msg_flags), &o->h.msg_flags,
	       sizeof(o->h.msg_flags));
	return 0;
}

static long recv_one(struct cabin_kvm_call *c, uint64_t gva, int flags,
		     int *msg_flags)
{
	struct msg o = { 0 };
	struct msghdr m;
	void *hdr;
	long r;

	/* Checked writable now: the call must not succeed, then fault. */
	if (cabin_gmem_translate(c->f->mem, gva, sizeof(m),
				 CABIN_GMEM_USER | CABIN_GMEM_R | CABIN_GMEM_W,
				 &hdr))
		return -EFAULT;
	memcpy(&m, hdr, sizeof(m));
	r = load_name(c, &m, &o, CABIN_GMEM_W);
	if (!r)
		r = load_iov(c, &m, &o, CABIN_GMEM_W);
	if (!r)
		r = load_recv_ctl(c, &m, &o);
	if (!r)
		r = host_msg(SYS_recvmsg, c, &o.h, flags);
	if (r >= 0) {
		clean_recv_ctl(c->f, &o);
		if (store_recv(c, hdr, &m, &o) < 0)
			r = -EFAULT;
		else if (msg_flags)
			*msg_flags = o.h.msg_flags;
	}
	cabin_kvm_fwd_free(c, o.ctl);
	return r;
}

long cabin_kvm_fwd_sendmsg(struct cabin_kvm_call *c)
{
	return send_one(c, c->guest[1], (int)c->guest[2]);
}

long cabin_kvm_fwd_recvmsg(struct cabin_kvm_call *c)
{
	return recv_one(c, c->guest[1], (int)c->guest[2], NULL);
}

/* Entry i of an mmsghdr vector, writable for its msg_len; NULL: fault. */
static unsigned char *mmsg_at(const struct cabin_kvm_call *c, unsigned int i)
{
	uint64_t vec = c->guest[1], off = (uint64_t)i * MMSG_SIZE;
	void *p;

	if (vec > UINT64_MAX - off ||
	    cabin_gmem_translate(c->f->mem, vec + off, MMSG_SIZE,
				 CABIN_GMEM_USER | CABIN_GMEM_R | CABIN_GMEM_W,
				 &p))
		return NULL;
	return p;
}

static unsigned int mmsg_count(const struct cabin_kvm_call *c)
{
	unsigned int vlen = (unsigned int)c->guest[2];

	return vlen > IOV_MAX ? IOV_MAX : vlen;
}

static void put_len(unsigned char *e, long n)
{
	unsigned int len = (unsigned int)n;

	memcpy(e + MMSG_LEN_OFF, &len, sizeof(len));
}

/* What the kernel does too: one sendmsg after another, the count if any. */
long cabin_kvm_fwd_sendmmsg(struct cabin_kvm_call *c)
{
	unsigned int i, n = mmsg_count(c);
	long r = 0;

	for (i = 0; i < n; i++) {
		unsigned char *e = mmsg_at(c, i);

		if (!e) {
			r = -EFAULT;
			break;
		}
		r = send_one(c, c->guest[1] + (uint64_t)i * MMSG_SIZE,
			     (int)c->guest[3]);
		if (r < 0)
			break;
		put_len(e, r);
	}
	return i ? (long)i : r;
}

static int64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* The guest's timeout, read once; end is its deadline, -1 for none. */
static int recvmmsg_deadline(const struct cabin_kvm_call *c,
			     struct timespec **ts, int64_t *end)
{
	struct timespec t;
	void *p;

	*ts = NULL;
	*end = -1;
	if (!c->guest[4])
		return 0;
	if (cabin_gmem_translate(c->f->mem, c->guest[4], sizeof(t),
				 CABIN_GMEM_USER | CABIN_GMEM_R | CABIN_GMEM_W,
				 &p))
		return -EFAULT;
	memcpy(&t, p, sizeof(t));
	if (t.tv_sec < 0 || t.tv_nsec < 0 || t.tv_nsec >= 1000000000)
		return -EINVAL;
	*ts = p;
	*end = now_ns();
	/* A timeout too far to add is one that never comes. */
	if (t.tv_sec >= (INT64_MAX - *end) / 1000000000 - 1)
		*end = INT64_MAX;
	else
		*end += t.tv_sec * 1000000000 + t.tv_nsec;
	return 0;
}

/*
 * The kernel's loop, one recvmsg at a time: MSG_WAITFORONE turns on
 * MSG_DONTWAIT after the first message, the timeout is looked at only
 * between messages, and an error after the first is not reported.
 */
long cabin_kvm_fwd_recvmmsg(struct cabin_kvm_call *c)
{
	unsigned int i, n = mmsg_count(c);
	int flags = (int)c->guest[3] & ~MSG_WAITFORONE;
	int64_t end, left = 0;
	struct timespec *ts;
	long r;

	r = recvmmsg_deadline(c, &ts, &end);
	if (r)
		return r;
	for (i = 0; i < n; i++) {
		unsigned char *e = mmsg_at(c, i);
		int got = 0;

		if (!e) {
			r = -EFAULT;
			break;
		}
		r = recv_one(c, c->guest[1] + (uint64_t)i * MMSG_SIZE, flags,
			     &got);
		if (r < 0)
			break;
		put_len(e, r);
		if ((int)c->guest[3] & MSG_WAITFORONE)
			flags |= MSG_DONTWAIT;
		if (ts) {
			left = end - now_ns();
			if (left <= 0) {
				left = 0;
				i++;
				break;
			}
		}
		if (got & MSG_OOB) {
			i++;
			break;
		}
	}
	if (i && ts) {
		struct timespec t = { left / 1000000000, left % 1000000000 };

		memcpy(ts, &t, sizeof(t));
	}
	return i ? (long)i : r;
}
