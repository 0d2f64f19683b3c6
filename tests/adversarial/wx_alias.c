/*
 * Escape attempt on W^X (--wx): the same memory reached twice, writable
 * through one way and executable through another.  Code (mov eax, 42;
 * ret) is written through the writable way after the executable mapping
 * exists, then called: if it returns 42, W^X was lifted.
 *
 *   memfd   a memfd mapped shared writable and private executable
 *   shm     the same with a file in /dev/shm
 *   tmp     the same with a file in /tmp
 *   cwd     the same with a file in the working directory
 *   write   a file in the working directory mapped executable, then
 *           written with pwrite(2)
 *   shared  a memfd mapped shared executable and shared writable
 *   mremap  shared anonymous memory mapped executable, duplicated with
 *           mremap(old_size 0), the copy made writable
 *   sysv    SysV shared memory attached executable and writable
 *   handed FILE  fd 3, handed over by cabin's caller open for writing on
 *           FILE (--pass-fd 3), where the rules let the program only
 *           read: FILE mapped executable by its path, then written
 *           through fd 3
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>

#define PAGE 4096

static const unsigned char code[] = { 0xb8, 0x2a, 0, 0, 0, 0xc3 };

static int refused(const char *how, const char *what)
{
	printf("CONTAINED %s: %s: %s\n", how, what, strerrorname_np(errno));
	return 0;
}

static int run(const char *how, void *x)
{
	int (*fn)(void) = (int (*)(void))x;
	int r = fn();

	printf("%s %s: code written through one mapping ran through another (%d)\n",
	       r == 42 ? "ESCAPED" : "CONTAINED", how, r);
	return 0;
}

static int open_file(const char *how, char *path, size_t len)
{
	const char *dir = !strcmp(how, "shm") ? "/dev/shm" :
			  !strcmp(how, "tmp") ? "/tmp" : ".";
	int fd;

	snprintf(path, len, "%s/cabin-wx-alias-%d", dir, (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0700);
	if (fd >= 0 && ftruncate(fd, PAGE) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A file mapped privately executable, written another way. */
static int file_alias(const char *how)
{
	bool memfd = !strcmp(how, "memfd");
	char path[256];
	void *w = NULL, *x;
	int fd, ro;

	fd = memfd ? memfd_create("wx", 0) : open_file(how, path, sizeof(path));
	if (fd < 0 || ftruncate(fd, PAGE) < 0)
		return refused(how, "setup");
	if (strcmp(how, "write")) {
		w = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (w == MAP_FAILED)
			return refused(how, "mmap writable");
	}
	/* Through a read-only descriptor: a writable one is refused at once. */
	if (memfd)
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ro = open(path, O_RDONLY);
	if (ro < 0)
		return refused(how, "open read-only");
	x = mmap(NULL, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE, ro, 0);
	if (!memfd)
		unlink(path);
	if (x == MAP_FAILED)
		return refused(how, "mmap executable");
	if (w)
		memcpy(w, code, sizeof(code));
	else if (pwrite(fd, code, sizeof(code), 0) != sizeof(code))
		return refused(how, "pwrite");
	return run(how, x);
}

/* One memfd mapped shared twice. */
static int shared_alias(void)
{
	int fd = memfd_create("wx", 0);
	void *w, *x;

	if (fd < 0 || ftruncate(fd, PAGE) < 0)
		return refused("shared", "setup");
	x = mmap(NULL, PAGE, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
	if (x == MAP_FAILED)
		return refused("shared", "mmap executable");
	w = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (w == MAP_FAILED)
		return refused("shared", "mmap writable");
	memcpy(w, code, sizeof(code));
	return run("shared", x);
}

/* Shared anonymous code, duplicated, the duplicate made writable. */
static int mremap_alias(void)
{
	void *x, *w;

	x = mmap(NULL, PAGE, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	if (x == MAP_FAILED)
		return refused("mremap", "mmap executable");
	w = mremap(x, 0, PAGE, MREMAP_MAYMOVE);
	if (w == MAP_FAILED)
		return refused("mremap", "mremap");
	if (mprotect(w, PAGE, PROT_NONE) < 0)
		return refused("mremap", "mprotect none");
	if (mprotect(w, PAGE, PROT_READ | PROT_WRITE) < 0)
		return refused("mremap", "mprotect writable");
	memcpy(w, code, sizeof(code));
	return run("mremap", x);
}

static int sysv_alias(void)
{
	int id = shmget(IPC_PRIVATE, PAGE, IPC_CREAT | 0700);
	void *w, *x;

	if (id < 0)
		return refused("sysv", "shmget");
	w = shmat(id, NULL, 0);
	x = shmat(id, NULL, SHM_EXEC | SHM_RDONLY);
	shmctl(id, IPC_RMID, NULL);
	if (w == (void *)-1)
		return refused("sysv", "shmat writable");
	if (x == (void *)-1)
		return refused("sysv", "shmat executable");
	memcpy(w, code, sizeof(code));
	return run("sysv", x);
}

/* A file the caller handed over open for writing, mapped by its path. */
static int handed_alias(const char *path)
{
	void *x;
	int ro = open(path, O_RDONLY);

	if (ro < 0)
		return refused("handed", "open read-only");
	x = mmap(NULL, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE, ro, 0);
	if (x == MAP_FAILED)
		return refused("handed", "mmap executable");
	if (pwrite(3, code, sizeof(code), 0) != sizeof(code))
		return refused("handed", "pwrite to fd 3");
	return run("handed", x);
}

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "memfd";

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(how, "shared"))
		return shared_alias();
	if (!strcmp(how, "mremap"))
		return mremap_alias();
	if (!strcmp(how, "sysv"))
		return sysv_alias();
	if (!strcmp(how, "handed") && argc > 2)
		return handed_alias(argv[2]);
	return file_alias(how);
}
