/*
 * /proc readers for the process platform.  They read into fixed buffers
 * and parse with explicit bounds; a line too long for the buffer is
 * skipped, never truncated into a wrong answer.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/names.h"
#include "platform/process/procfs.h"
#include "platform/proclink.h"
#include "util/procfs.h"

static ssize_t read_small(pid_t tid, const char *what, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)tid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		n = -errno;
	else
		buf[n] = '\0';
	close(fd);
	return n;
}

int cabin_procfs_comm(pid_t tid, char *buf, size_t len)
{
	ssize_t n = read_small(tid, "comm", buf, len);

	if (n < 0)
		return (int)n;
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	cabin_printable(buf);
	return 0;
}

pid_t cabin_procfs_tgid(pid_t tid)
{
	char buf[1024], *line;

	if (read_small(tid, "status", buf, sizeof(buf)) < 0)
		return -1;
	line = strstr(buf, "\nTgid:");
	if (!line)
		return -1;
	return (pid_t)strtol(line + 6, NULL, 10);
}

/* The Threads: field of status: how many threads its process has. */
int cabin_procfs_threads(pid_t tid)
{
	char buf[4096], *line;

	if (read_small(tid, "status", buf, sizeof(buf)) < 0)
		return -1;
	line = strstr(buf, "\nThreads:");
	return line ? (int)strtol(line + 9, NULL, 10) : -1;
}

/*
 * The Seccomp: field of status.  Linux 5.17 and later set it to 3
 * (SECCOMP_MODE_DEAD) in a thread a filter kills, before the thread
 * exits; a SIGSYS from anywhere else leaves it as it was.
 */
int cabin_procfs_seccomp_mode(pid_t tid)
{
	char buf[4096], *line;
	ssize_t n = read_small(tid, "status", buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	line = strstr(buf, "\nSeccomp:");
	if (!line)
		return -ENOENT;
	return (int)strtol(line + 9, NULL, 10);
}

/*
 * The descriptors of this process that are seccomp listeners
 * ("anon_inode:seccomp notify"), at most max of them; a count or -errno.
 */
int cabin_procfs_seccomp_listeners(int *fds, int max)
{
	char link[64];
	struct dirent *de;
	int n = 0, fd;
	DIR *dir;

	dir = opendir("/proc/self/fd");
	if (!dir)
		return -errno;
	while (n < max && (de = readdir(dir))) {
		fd = atoi(de->d_name);
		if (de->d_name[0] < '0' || de->d_name[0] > '9' ||
		    fd == dirfd(dir))
			continue;
		if (cabin_util_fd_readlink(fd, link, sizeof(link)) < 0)
			continue;
		if (!strcmp(link, "anon_inode:seccomp notify"))
			fds[n++] = fd;
	}
	closedir(dir);
	return n;
}

int cabin_procfs_exe(pid_t tid, char *buf, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)tid);
	return cabin_proclink_read(path, buf, len);
}

static int describe_line(const char *line, uint64_t addr, char *buf,
			 size_t len)
{
	uint64_t start, end, off;
	int name_at = 0;

	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %*4s %" SCNx64
		   " %*x:%*x %*u %n", &start, &end, &off, &name_at) < 3)
		return -EINVAL;
	if (addr < start || addr >= end)
		return -ENOENT;
	if (!name_at || !line[name_at])
		snprintf(buf, len, "[anonymous]+%#" PRIx64, addr - start);
	else
		snprintf(buf, len, "%s+%#" PRIx64, line + name_at,
			 addr - start + off);
	cabin_printable(buf);
	return 0;
}

static int prot_of(const char *perms)
{
	return (perms[0] == 'r' ? PROT_READ : 0) |
	       (perms[1] == 'w' ? PROT_WRITE : 0) |
	       (perms[2] == 'x' ? PROT_EXEC : 0);
}

int cabin_procfs_range_prot(pid_t tid, uint64_t addr, uint64_t len)
{
	uint64_t start, end, last = addr + len;
	char path[64], perms[5], line[4096 + 128];
	int prot = 0;
	FILE *maps;

	if (last < addr)
		last = UINT64_MAX;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)tid);
	maps = fopen(path, "re");
	if (!maps)
		return -errno;
	while (fgets(line, sizeof(line), maps)) {
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s", &start, &end,
			   perms) != 3)
			continue;
		if (start < last && end > addr)
			prot |= prot_of(perms);
	}
	fclose(maps);
	return prot;
}

int cabin_procfs_describe_addr(pid_t tid, uint64_t addr, char *buf,
			       size_t len)
{
	char path[64], line[4096 + 128];
	int err = -ENOENT;
	FILE *maps;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)tid);
	maps = fopen(path, "re");
	if (!maps)
		return -errno;
	while (fgets(line, sizeof(line), maps)) {
		size_t n = strlen(line);

		if (n == 0 || line[n - 1] != '\n') {
			int c;

			while ((c = fgetc(maps)) != EOF && c != '\n')
				;
			continue;
		}
		line[n - 1] = '\0';
		err = describe_line(line, addr, buf, len);
		if (err != -ENOENT && err != -EINVAL)
			break;
		err = -ENOENT;
	}
	fclose(maps);
	return err;
}

static bool parse_region(const char *line, struct cabin_region *rg)
{
	unsigned int major, minor;
	unsigned long long ino;
	char perms[5];
	int name_at = 0;

	memset(rg, 0, sizeof(*rg));
	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64
		   " %x:%x %llu %n", &rg->start, &rg->end, perms, &rg->offset,
		   &major, &minor, &ino, &name_at) < 7)
		return false;
	rg->prot = prot_of(perms);
	if (ino) {
		rg->dev = makedev(major, minor);
		rg->ino = ino;
	}
	if (name_at && line[name_at])
		snprintf(rg->name, sizeof(rg->name), "%s", line + name_at);
	cabin_printable(rg->name);
	return true;
}

int cabin_procfs_regions(pid_t tid, struct cabin_region *out, size_t max)
{
	char path[64], line[4096 + 128];
	size_t n = 0, len;
	FILE *maps;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)tid);
	maps = fopen(path, "re");
	if (!maps)
		return -errno;
	while (n < max && fgets(line, sizeof(line), maps)) {
		len = strlen(line);
		if (len && line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (parse_region(line, &out[n]))
			n++;
	}
	fclose(maps);
	return (int)n;
}

int cabin_procfs_region_at(pid_t tid, uint64_t addr, struct cabin_region *rg)
{
	char path[64], line[4096 + 128];
	int err = -ENOENT;
	size_t len;
	FILE *maps;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)tid);
	maps = fopen(path, "re");
	if (!maps)
		return -errno;
	while (err && fgets(line, sizeof(line), maps)) {
		len = strlen(line);
		if (len && line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (parse_region(line, rg) && addr >= rg->start &&
		    addr < rg->end)
			err = 0;
	}
	fclose(maps);
	return err;
}

long cabin_procfs_personality(pid_t tid)
{
	char buf[32], *end;
	unsigned long v;
	ssize_t n = read_small(tid, "personality", buf, sizeof(buf));

	if (n < 0)
		return (long)n;
	errno = 0;
	v = strtoul(buf, &end, 16);
	if (errno || end == buf || v > 0xffffffffUL)
		return -EINVAL;
	return (long)v;
}

static int same_file(int fd, const struct cabin_region *rg)
{
	struct stat st;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) == 0 && st.st_dev == rg->dev &&
	    st.st_ino == rg->ino)
		return fd;
	close(fd);
	return -ESTALE;
}

int cabin_procfs_open_region(pid_t tid, const struct cabin_region *rg)
{
	char path[96];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64,
		 (int)tid, rg->start, rg->end);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		return same_file(fd, rg);
	if (rg->name[0] != '/')
		return -ENOENT;
	return same_file(open(rg->name, O_RDONLY | O_CLOEXEC | O_NOCTTY), rg);
}

int cabin_procfs_open_exe(pid_t tid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int cabin_procfs_pkey(pid_t tid, uint64_t addr)
{
	char path[64], line[4096 + 128];
	uint64_t start, end;
	bool inside = false;
	int key = -ENOENT;
	FILE *smaps;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)tid);
	smaps = fopen(path, "re");
	if (!smaps)
		return -errno;
	while (fgets(line, sizeof(line), smaps)) {
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			inside = addr >= start && addr < end;
			continue;
		}
		if (inside && sscanf(line, "ProtectionKey: %d", &key) == 1)
			break;
	}
	fclose(smaps);
	return key;
}
