/*
 * Escape attempt on cabin's output files, named on the command line:
 *   out_forge trace FILE   writes FORGED-LINE over the start of FILE, the
 *                          trace cabin is writing (created if absent);
 *   out_forge block FILE   makes FILE, where the report goes, a directory,
 *                          so that the report cannot be renamed there;
 *   out_forge procfd FILE  reaches the trace through the descriptors of
 *                          its ancestors (cabin): every /proc/<pid>/fd/N
 *                          naming FILE or a deleted (unnamed) file is
 *                          opened for writing and gets FORGED-LINE.
 * Prints ATTEMPTED once the attack is done (the test decides whether it
 * escaped: a forged trace, a report lost while the run says success),
 * FAILED otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const char forged[] = "FORGED-LINE\n";

static int forge(const char *file)
{
	bool existed = access(file, F_OK) == 0;
	int fd = open(file, O_WRONLY | O_CREAT, 0644);

	if (fd < 0 || pwrite(fd, forged, sizeof(forged) - 1, 0) < 0) {
		printf("FAILED out_forge trace: %s: %s\n", file, strerror(errno));
		return 0;
	}
	close(fd);
	printf("ATTEMPTED out_forge trace: FORGED-LINE written at the start of %s (%s)\n",
	       file, existed ? "it existed" : "created it");
	return 0;
}

static int block(const char *file)
{
	if (mkdir(file, 0755) < 0) {
		printf("FAILED out_forge block: mkdir %s: %s\n", file,
		       strerror(errno));
		return 0;
	}
	printf("ATTEMPTED out_forge block: %s is now a directory\n", file);
	return 0;
}

static pid_t parent_of(pid_t pid)
{
	char path[64], line[256];
	pid_t ppid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "PPid: %d", &ppid) == 1)
			break;
	}
	fclose(f);
	return ppid;
}

/* Does the descriptor name the trace, or an unnamed file? */
static bool is_record(const char *link, const char *file)
{
	size_t n = strlen(link);

	return !strcmp(link, file) ||
	       (n > 10 && !strcmp(link + n - 10, " (deleted)"));
}

/* Forge through pid's descriptors: how many took the line. */
static int forge_fds(pid_t pid, const char *file, int *first_err)
{
	char dir[64], path[PATH_MAX], link[PATH_MAX];
	struct dirent *e;
	int done = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (!d) {
		if (!*first_err)
			*first_err = errno;
		return 0;
	}
	while ((e = readdir(d))) {
		ssize_t n;
		int fd;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0) {
			if (!*first_err)
				*first_err = errno;
			continue;
		}
		link[n] = '\0';
		if (!is_record(link, file))
			continue;
		fd = open(path, O_WRONLY);
		if (fd < 0 || pwrite(fd, forged, sizeof(forged) - 1, 0) < 0) {
			if (!*first_err)
				*first_err = errno;
		} else {
			done++;
		}
		if (fd >= 0)
			close(fd);
	}
	closedir(d);
	return done;
}

static int procfd(const char *file)
{
	char *full = realpath(file, NULL);
	int done = 0, first_err = 0, depth;
	pid_t pid = getppid();

	for (depth = 0; depth < 8 && pid > 1; depth++) {
		done += forge_fds(pid, full ? full : file, &first_err);
		pid = parent_of(pid);
	}
	printf("ATTEMPTED out_forge procfd: %d of the ancestors' descriptors forged (first error: %s)\n",
	       done, first_err ? strerror(first_err) : "none");
	free(full);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "trace"))
		return forge(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "block"))
		return block(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "procfd"))
		return procfd(argv[2]);
	fprintf(stderr, "usage: out_forge trace|block|procfd FILE\n");
	return 2;
}
