/*
 * symrace SECRET MARK N
 *
 * Tries to read SECRET (a file the policy does not allow) by swapping
 * names under an open in flight.  In a new directory symrace.XXXXXX under
 * the working directory it makes
 *   lnk    -> SECRET (a symlink)    exchanged with   plain  (a file)
 *   dlnk   -> dirname(SECRET)       exchanged with   ddir/  (a directory
 *                                    holding a decoy named like SECRET)
 * One thread swaps each pair with renameat2(RENAME_EXCHANGE) in a tight
 * loop while another opens "lnk" and "dlnk/<basename>" and reads.  Any
 * read containing MARK is a breach.  The opens go on until the first
 * breach, or until N of them were refused and N read the decoy (both
 * sides of the swap were seen: the race was run, however fast the
 * machine), or, if the swaps never show, 10 million opens.  Prints
 *   opens=N read=N refused=N breach=N
 * and exits 1 on a breach, 0 otherwise (2 on setup failure).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static volatile int stop;

static void *swapper(void *arg)
{
	(void)arg;
	while (!stop) {
		renameat2(AT_FDCWD, "lnk", AT_FDCWD, "plain", RENAME_EXCHANGE);
		renameat2(AT_FDCWD, "dlnk", AT_FDCWD, "ddir", RENAME_EXCHANGE);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long opens = 0, reads = 0, refused = 0, breach = 0;
	char tmp[4096], dir[4096], base[256], inner[300], buf[4096];
	const char *mark;
	pthread_t t;
	long n;
	int fd;

	if (argc != 4)
		return 2;
	mark = argv[2];
	snprintf(tmp, sizeof(tmp), "%s", argv[1]);
	snprintf(dir, sizeof(dir), "%s", dirname(tmp));
	snprintf(tmp, sizeof(tmp), "%s", argv[1]);
	snprintf(base, sizeof(base), "%s", basename(tmp));
	snprintf(inner, sizeof(inner), "dlnk/%s", base);

	/* A fresh directory of its own: a run leaves the names swapped. */
	snprintf(tmp, sizeof(tmp), "symrace.XXXXXX");
	if (!mkdtemp(tmp) || chdir(tmp) < 0)
		return perror(tmp), 2;
	if (symlink(argv[1], "lnk") < 0 || symlink(dir, "dlnk") < 0)
		return perror("symlink"), 2;
	fd = open("plain", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "decoy\n", 6) != 6)
		return perror("plain"), 2;
	close(fd);
	mkdir("ddir", 0755);
	snprintf(buf, sizeof(buf), "ddir/%s", base);
	fd = open(buf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "decoy\n", 6) != 6)
		return perror("ddir"), 2;
	close(fd);

	if (pthread_create(&t, NULL, swapper, NULL))
		return 2;
	n = atol(argv[3]);
	while (!breach && (refused < n || reads < n) && opens < 10000000) {
		const char *paths[2] = { "lnk", inner };

		for (int i = 0; i < 2; i++) {
			ssize_t n;

			opens++;
			fd = open(paths[i], O_RDONLY | O_CLOEXEC);
			if (fd < 0) {
				refused++;
				continue;
			}
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (n < 0)
				continue;
			buf[n] = '\0';
			reads++;
			if (strstr(buf, mark))
				breach++;
		}
	}
	stop = 1;
	pthread_join(t, NULL);
	printf("opens=%ld read=%ld refused=%ld breach=%ld\n", opens, reads,
	       refused, breach);
	return breach ? 1 : 0;
}
