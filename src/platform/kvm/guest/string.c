/*
 * What the compiler and the shared code (the region table, the page
 * tables) expect of a C library, for the freestanding kernel: string
 * instructions, so that no loop here is turned back into a call.
 */
#include <stddef.h>

void *memset(void *d, int c, size_t n)
{
	void *p = d;

	__asm__ volatile("rep stosb" : "+D"(p), "+c"(n) : "a"(c) : "memory");
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	void *p = d;

	__asm__ volatile("rep movsb" : "+D"(p), "+S"(s), "+c"(n) : : "memory");
	return d;
}

/* Backwards, from the last byte, when the destination overlaps above. */
void *memmove(void *d, const void *s, size_t n)
{
	const char *sp;
	char *dp;

	if ((const char *)d <= (const char *)s || (const char *)d >= (const char *)s + n)
		return memcpy(d, s, n);
	sp = (const char *)s + n - 1;
	dp = (char *)d + n - 1;
	__asm__ volatile("std; rep movsb; cld"
			 : "+D"(dp), "+S"(sp), "+c"(n) : : "memory");
	return d;
}
