/*
 * libFuzzer target for the syscall decoder: a random syscall, arguments,
 * result and memory image must decode without a crash, a leak or a byte
 * outside printable ASCII, whatever the pointers and lengths say.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/proxy.h"
#include "trace/decode.h"

#define BASE 0x10000ull		/* where the image appears to the decoder */
#define HEAD (8 + 6 * 8 + 8 + 1)

static const uint8_t *image;
static size_t image_len;

/* Bytes inside the image are readable; a read stops at its end. */
static ssize_t image_read(void *ctx, pid_t tid, uint64_t addr, void *buf,
			  size_t len)
{
	(void)ctx; (void)tid;
	if (addr < BASE || addr - BASE >= image_len)
		return -EFAULT;
	if (len > image_len - (addr - BASE))
		len = image_len - (addr - BASE);
	memcpy(buf, image + (addr - BASE), len);
	return (ssize_t)len;
}

static const struct cabin_platform_ops ops = { .read_mem = image_read };
static struct cabin_platform plat = { "fuzz", &ops, NULL };

static uint64_t word(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Arguments with the top bit set point into the image, so most do. */
static uint64_t arg(uint64_t v)
{
	if (v >> 63)
		return BASE + (v & 0xffff) % (image_len + 16);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cabin_proxy proxy = { .plat = &plat };
	struct cabin_decode_ctx c = { .p = &proxy, .tid = 1 };
	struct cabin_decode_call call = { 0 };
	struct cabin_strbuf b;
	int i, n, at_entry;
	size_t k;

	if (size < HEAD)
		return 0;
	image = data + HEAD;
	image_len = size - HEAD;
	call.nr = (long)(word(data) % 520);
	for (i = 0; i < 6; i++)
		call.args[i] = arg(word(data + 8 + 8 * i));
	call.ret = (long)word(data + 56);
	if (data[64] & 2)
		call.ret %= 4096;
	call.done = data[64] & 1;
	c.strsize = (data[64] >> 2) ? (size_t)(data[64] >> 2) : 32;

	cabin_sb_init(&b, 1 << 20);
	cabin_decode_line(&b, &c, &call);
	n = cabin_decode_count(call.nr, call.args, &at_entry);
	if (at_entry < 0 || at_entry > n || n > 6)
		abort();
	for (i = 0; i < n; i++)
		cabin_decode_arg(&b, &c, &call, i);
	for (k = 0; k < b.len; k++) {
		if (b.s[k] < 0x20 || b.s[k] > 0x7e)
			abort();
	}
	cabin_sb_free(&b);
	return 0;
}
