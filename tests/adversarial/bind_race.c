/*
 * Escape attempt: make a socket file where the file rules do not let the
 * program create one.  In WORK (where it may create), "a" is a directory
 * and "b" a symbolic link to DENIED (where it may not); a thread swaps
 * the two names (RENAME_EXCHANGE) while the main thread binds unix
 * sockets to "a/sN".  The network guard (`network loopback`) checks the
 * directory "a" names and binds for the program; the kernel resolves the
 * program's path again, so a swap in between sends the bind to DENIED
 * unless the bind is confined to the directory checked.  CONTAINED when
 * no socket file appeared in DENIED after BIND_TRIES binds, some of which
 * succeeded and some of which were refused (EACCES: the check saw the
 * link, so the race was run); ESCAPED at the first socket in DENIED
 * (--unsafe-disable=bindpath lets the guard's child bind unconfined).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Runs on this machine put 8 to 33 of 3000 raced binds in DENIED. */
#define BIND_TRIES 2000

static atomic_int stop;

static void *swap(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop))
		renameat2(AT_FDCWD, "a", AT_FDCWD, "b", RENAME_EXCHANGE);
	return NULL;
}

/* A socket file in dir, or 0. */
static int sockets_in(const char *dir)
{
	struct dirent *d;
	struct stat st;
	char path[4096];
	DIR *dp = opendir(dir);
	int n = 0;

	if (!dp)
		return -1;
	while ((d = readdir(dp))) {
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if (!lstat(path, &st) && S_ISSOCK(st.st_mode))
			n++;
	}
	closedir(dp);
	return n;
}

static int try_bind(int i)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM, 0), ret;

	if (s < 0)
		return -errno;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "a/s%d", i);
	ret = bind(s, (struct sockaddr *)&sun, sizeof(sun)) < 0 ? -errno : 0;
	close(s);
	return ret;
}

int main(int argc, char **argv)
{
	int i, ok = 0, eacces = 0, out = 0, ret;
	pthread_t t;

	if (argc != 3 || chdir(argv[1]) < 0 || mkdir("a", 0777) < 0 ||
	    symlink(argv[2], "b") < 0) {
		printf("SETUP FAILED: usage: bind_race WORK DENIED (%s)\n",
		       strerror(errno));
		return 2;
	}
	if (pthread_create(&t, NULL, swap, NULL)) {
		printf("SETUP FAILED: pthread_create\n");
		return 2;
	}
	for (i = 0; i < BIND_TRIES && !out; i++) {
		ret = try_bind(i);
		ok += !ret;
		eacces += ret == -EACCES;
		if (i % 16 == 0)
			out = sockets_in(argv[2]);
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	out = sockets_in(argv[2]);
	if (out < 0) {
		printf("SETUP FAILED: cannot list %s\n", argv[2]);
		return 2;
	}
	if (out > 0) {
		printf("ESCAPED %d socket files made in %s (%d binds)\n", out,
		       argv[2], i);
		return 0;
	}
	if (!ok || !eacces) {
		printf("INCONCLUSIVE: %d binds, %d made, %d EACCES: the race was not run\n",
		       i, ok, eacces);
		return 3;
	}
	printf("CONTAINED none of %d binds made a socket in %s (%d made in the directory checked, %d refused with EACCES)\n",
	       i, argv[2], ok, eacces);
	return 0;
}
