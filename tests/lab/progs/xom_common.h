/*
 * Shared by the lab's execute-only memory programs: what to read (the
 * program's own text, or with "native" a page made execute-only by the
 * program itself, so that an attack can be shown to work without cabin),
 * and a read that reports "read: ok" or "read: SIGSEGV si_code N".
 */
#ifndef XOM_COMMON_H
#define XOM_COMMON_H

#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static inline void say(const char *s)
{
	if (write(STDOUT_FILENO, s, strlen(s)) < 0)
		_exit(1);
}

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
	char buf[64];

	(void)sig;
	(void)ctx;
	snprintf(buf, sizeof(buf), "read: SIGSEGV si_code %d\n", si->si_code);
	say(buf);
	_exit(0);
}

/* Reads one byte of target; a fault ends the program with its line. */
static inline void read_code(const volatile unsigned char *target)
{
	struct sigaction sa;
	unsigned char c;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	c = *target;
	printf("read: ok, byte 0x%02x\n", c);
	fflush(stdout);
}

/* A page holding `ret`, made execute-only by mprotect. */
static inline unsigned char *own_xom_page(void)
{
	unsigned char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (page == MAP_FAILED)
		return NULL;
	page[0] = 0xc3;
	if (mprotect(page, 4096, PROT_EXEC) < 0)
		return NULL;
	return page;
}

int main(int argc, char **argv);

static inline const volatile unsigned char *pick_target(int argc, char **argv)
{
	const volatile unsigned char *t;

	if (argc > 1 && !strcmp(argv[1], "native")) {
		t = own_xom_page();
		if (!t) {
			perror("execute-only page");
			exit(1);
		}
		return t;
	}
	return (const volatile unsigned char *)(uintptr_t)main;
}

/* Maps a file holding code, PROT_READ | PROT_EXEC; NULL with a line. */
static inline void *map_code_file(const char *path, const unsigned char *code,
			   size_t len)
{
	unsigned char page[4096] = { 0 };
	void *m;
	int fd;

	memcpy(page, code, len);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, page, sizeof(page)) != sizeof(page)) {
		perror(path);
		exit(1);
	}
	m = mmap(NULL, sizeof(page), PROT_READ | PROT_EXEC, MAP_PRIVATE, fd,
		 0);
	close(fd);
	if (m == MAP_FAILED) {
		printf("map: %s\n", errno == EPERM ? "EPERM" : strerror(errno));
		fflush(stdout);
		return NULL;
	}
	say("map: ok\n");
	return m;
}

/* Offset of PKRU in the standard XSAVE format (CPUID 0xd, 9). */
static inline unsigned int pkru_offset(void)
{
	unsigned int eax, ebx, ecx, edx;

	__cpuid_count(0xd, 9, eax, ebx, ecx, edx);
	return eax ? ebx : 0;
}

#endif
