/*
 * Text in memfd_secret(2) memory: the kernel reads it for the program,
 * no other process can (not process_vm_readv, not /proc/PID/mem).  The
 * attacks that hide what a syscall names from the proxy put the name
 * there (secret_path.c, memfd_name.c).
 */
#ifndef CABIN_ADV_SECRET_MEM_H
#define CABIN_ADV_SECRET_MEM_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_memfd_secret
#define SYS_memfd_secret 447
#endif

/*
 * A page of secret memory holding text, or NULL once the line that ends
 * the test is printed: memfd_secret refused is CONTAINED (the deny
 * list), unless the kernel has none and skip_enosys says so (SKIP).
 */
static char *secret_text(const char *text, bool skip_enosys)
{
	char *secret;
	int sfd;

	sfd = (int)syscall(SYS_memfd_secret, 0);
	if (sfd < 0 && errno == ENOSYS && skip_enosys) {
		printf("SKIP: this kernel has no memfd_secret\n");
		return NULL;
	}
	if (sfd < 0) {
		printf("CONTAINED memfd_secret: %s\n", strerrorname_np(errno));
		return NULL;
	}
	if (ftruncate(sfd, 4096) < 0) {
		printf("SKIP: ftruncate of the secret memory: %s\n",
		       strerrorname_np(errno));
		return NULL;
	}
	secret = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, sfd, 0);
	if (secret == MAP_FAILED) {
		printf("SKIP: mmap of the secret memory: %s\n",
		       strerrorname_np(errno));
		return NULL;
	}
	snprintf(secret, 4096, "%s", text);
	return secret;
}

#endif
