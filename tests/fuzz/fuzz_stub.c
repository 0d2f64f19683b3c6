/*
 * libFuzzer target for the --gdb stub's packet dispatcher: any packet
 * gdb (or whoever holds the connection) sends must be answered without
 * a crash, a read past the packet or a leak, against a fake process
 * (tests/unit/fake_debug_target.c).  Input: packets separated by NUL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "debug/debug_int.h"
#include "fake_debug_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cabin_debug d;
	size_t start = 0, i;
	char *pkt;

	fake_debug_init(&d);
	for (i = 0; i <= size; i++) {
		if (i < size && data[i])
			continue;
		/* Exactly the packet's bytes and its NUL: ASan sees overreads. */
		pkt = malloc(i - start + 1);
		if (!pkt)
			abort();
		memcpy(pkt, data + start, i - start);
		pkt[i - start] = '\0';
		cabin_debug_dispatch(&d, pkt);
		if (strlen(d.out) >= sizeof(d.out))
			abort();
		free(pkt);
		start = i + 1;
	}
	fake_debug_fini(&d);
	return 0;
}
