/*
 * Program memory access on top of the platform's read_mem.  Strings are
 * read a page at a time, so a string that ends just before an unmapped
 * page is still read, and nothing past the first fault is ever trusted.
 */
#include <errno.h>
#include <string.h>

#include "core/proxy.h"
#include "core/umem.h"

#define PAGE 4096u

ssize_t cabin_umem_string(struct cabin_proxy *p, pid_t tid, uint64_t addr,
			  char *buf, size_t len, bool *truncated)
{
	size_t have = 0;

	if (truncated)
		*truncated = false;
	if (!len)
		return -EINVAL;
	while (have < len - 1) {
		size_t want = PAGE - (size_t)((addr + have) % PAGE);
		ssize_t n;
		char *nul;

		if (want > len - 1 - have)
			want = len - 1 - have;
		if (addr + have < addr)
			break;
		n = p->plat->ops->read_mem(p->plat->ctx, tid, addr + have,
					   buf + have, want);
		if (n <= 0) {
			if (!have)
				return -EFAULT;
			break;
		}
		nul = memchr(buf + have, '\0', (size_t)n);
		if (nul)
			return nul - buf;
		have += (size_t)n;
		if ((size_t)n < want)
			break;
	}
	buf[have] = '\0';
	if (truncated)
		*truncated = true;
	return (ssize_t)have;
}

int cabin_umem_read(struct cabin_proxy *p, pid_t tid, uint64_t addr,
		    void *buf, size_t len)
{
	ssize_t n;

	if (addr + len < addr)
		return -EFAULT;
	n = p->plat->ops->read_mem(p->plat->ctx, tid, addr, buf, len);
	return n == (ssize_t)len ? 0 : -EFAULT;
}
