/*
 * Escape attempt: io_uring_setup() to get a ring whose operations are
 * performed by the kernel without any further syscall a filter could see;
 * if it works, a NOP is submitted and reaped to prove the ring is live.
 */
#include <errno.h>
#include <linux/io_uring.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static int nop_roundtrip(int fd, const struct io_uring_params *p)
{
	size_t sq_len = p->sq_off.array + p->sq_entries * sizeof(unsigned int);
	size_t sqe_len = p->sq_entries * sizeof(struct io_uring_sqe);
	size_t cq_len = p->cq_off.cqes +
			p->cq_entries * sizeof(struct io_uring_cqe);
	unsigned int *sq_tail, *sq_mask, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	unsigned int tail, head;
	char *sq, *cq;
	int res;

	if (!(p->features & IORING_FEAT_SINGLE_MMAP))
		return -1;
	if (cq_len > sq_len)
		sq_len = cq_len;
	sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		  fd, IORING_OFF_SQ_RING);
	if (sq == MAP_FAILED)
		return -1;
	sqe = mmap(NULL, sqe_len, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
	if (sqe == MAP_FAILED)
		return -1;
	cq = sq;
	sq_tail = (unsigned int *)(sq + p->sq_off.tail);
	sq_mask = (unsigned int *)(sq + p->sq_off.ring_mask);
	sq_array = (unsigned int *)(sq + p->sq_off.array);
	cq_head = (unsigned int *)(cq + p->cq_off.head);
	cq_tail = (unsigned int *)(cq + p->cq_off.tail);
	cq_mask = (unsigned int *)(cq + p->cq_off.ring_mask);

	tail = *sq_tail;
	memset(&sqe[tail & *sq_mask], 0, sizeof(*sqe));
	sqe[tail & *sq_mask].opcode = IORING_OP_NOP;
	sqe[tail & *sq_mask].user_data = 0xcab1;
	sq_array[tail & *sq_mask] = tail & *sq_mask;
	__atomic_store_n(sq_tail, tail + 1, __ATOMIC_RELEASE);

	if (syscall(SYS_io_uring_enter, fd, 1, 1, IORING_ENTER_GETEVENTS,
		    NULL, 0) < 0)
		return -1;
	head = *cq_head;
	if (head == __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE))
		return -1;
	cqe = (struct io_uring_cqe *)(cq + p->cq_off.cqes) +
	      (head & *cq_mask);
	if (cqe->user_data != 0xcab1)
		return -1;
	res = cqe->res;
	__atomic_store_n(cq_head, head + 1, __ATOMIC_RELEASE);
	return res == 0 ? 0 : -1;
}

int main(void)
{
	struct io_uring_params p;
	int fd;

	memset(&p, 0, sizeof(p));
	fd = syscall(SYS_io_uring_setup, 8, &p);
	if (fd < 0) {
		printf("CONTAINED io_uring_setup failed: %s\n",
		       strerrorname_np(errno));
		return 0;
	}
	if (nop_roundtrip(fd, &p) == 0)
		printf("ESCAPED io_uring_setup gave fd %d and a NOP completed through the ring\n",
		       fd);
	else
		printf("ESCAPED io_uring_setup gave fd %d (NOP round trip failed)\n",
		       fd);
	return 0;
}
