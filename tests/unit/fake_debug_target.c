#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fake_debug_target.h"

unsigned char fake_mem[FAKE_MEM_SIZE];
size_t fake_nthreads = 2;
static struct cabin_debug_regs regs;

static bool ours(pid_t tid)
{
	return tid >= FAKE_PID && (size_t)(tid - FAKE_PID) < fake_nthreads;
}

static int get_regs(void *ctx, pid_t tid, struct cabin_debug_regs *r)
{
	(void)ctx;
	if (!ours(tid))
		return -ESRCH;
	*r = regs;
	return 0;
}

static int set_regs(void *ctx, pid_t tid, const struct cabin_debug_regs *r)
{
	(void)ctx;
	if (!ours(tid))
		return -ESRCH;
	regs = *r;
	return 0;
}

static ssize_t read_mem(void *ctx, pid_t tid, uint64_t addr, void *buf,
			size_t len)
{
	(void)ctx;
	if (!ours(tid))
		return -ESRCH;
	if (addr < FAKE_MEM_BASE || addr - FAKE_MEM_BASE >= FAKE_MEM_SIZE)
		return -EIO;
	if (len > FAKE_MEM_SIZE - (addr - FAKE_MEM_BASE))
		len = FAKE_MEM_SIZE - (addr - FAKE_MEM_BASE);
	memcpy(buf, fake_mem + (addr - FAKE_MEM_BASE), len);
	return (ssize_t)len;
}

static ssize_t write_mem(void *ctx, pid_t tid, uint64_t addr,
			 const void *buf, size_t len)
{
	(void)ctx;
	if (!ours(tid))
		return -ESRCH;
	if (addr < FAKE_MEM_BASE || addr - FAKE_MEM_BASE >= FAKE_MEM_SIZE)
		return -EIO;
	if (len > FAKE_MEM_SIZE - (addr - FAKE_MEM_BASE))
		len = FAKE_MEM_SIZE - (addr - FAKE_MEM_BASE);
	memcpy(fake_mem + (addr - FAKE_MEM_BASE), buf, len);
	return (ssize_t)len;
}

static size_t threads(void *ctx, pid_t *out, size_t max)
{
	size_t i;

	(void)ctx;
	for (i = 0; i < fake_nthreads && i < max; i++)
		out[i] = FAKE_PID + (pid_t)i;
	return fake_nthreads;
}

static ssize_t auxv(void *ctx, uint64_t off, void *buf, size_t len)
{
	static const uint64_t v[] = { 3 /* AT_PHDR */, FAKE_MEM_BASE + 64,
				      5 /* AT_PHNUM */, 4, 0, 0 };

	(void)ctx;
	if (off >= sizeof(v))
		return 0;
	if (len > sizeof(v) - off)
		len = sizeof(v) - off;
	memcpy(buf, (const char *)v + off, len);
	return (ssize_t)len;
}

static int exe(void *ctx, char *buf, size_t len)
{
	(void)ctx;
	snprintf(buf, len, "/usr/bin/fake");
	return 0;
}

static void set_debugregs(void *ctx, const uint64_t dr[4], uint64_t dr7)
{
	(void)ctx; (void)dr; (void)dr7;
}

static uint64_t take_dr6(void *ctx, pid_t tid)
{
	(void)ctx; (void)tid;
	return 1;
}

/* The first half of the memory is private, the second shared. */
static bool private_at(void *ctx, uint64_t addr)
{
	(void)ctx;
	return addr >= FAKE_MEM_BASE &&
	       addr - FAKE_MEM_BASE < FAKE_MEM_SIZE / 2;
}

void fake_debug_init(struct cabin_debug *d)
{
	static const struct cabin_debug_target t = {
		.get_regs = get_regs, .set_regs = set_regs,
		.read_mem = read_mem, .write_mem = write_mem,
		.threads = threads, .auxv = auxv, .exe = exe,
		.set_debugregs = set_debugregs, .take_dr6 = take_dr6,
		.private_at = private_at,
	};

	memset(&regs, 0, sizeof(regs));
	fake_nthreads = 2;
	memset(fake_mem, 0x90, sizeof(fake_mem));
	cabin_debug_init(d, open("/dev/null", O_RDWR | O_CLOEXEC), &t,
			 FAKE_PID);
	/* No acknowledgements to wait for from /dev/null. */
	d->conn.noack = true;
}

void fake_debug_fini(struct cabin_debug *d)
{
	if (d->conn.fd >= 0)
		close(d->conn.fd);
}
