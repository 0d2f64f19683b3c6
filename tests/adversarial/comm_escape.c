/*
 * A program whose name is made to steer a terminal: its comm set with
 * PR_SET_NAME to ESC [ 3 1 m, the UTF-8 form of the C1 CSI (c2 9b), BEL
 * and DEL, then a child forked (cabin reads a new task's name from /proc)
 * that makes a denied call, mount, and with PATH a chmod of PATH, which
 * names such bytes too and which the file guard refuses.  Cabin prints
 * the names in its lines; none of those bytes may reach cabin's stderr.
 * (run.sh also runs it from a file named with such bytes: an exec.)
 * The child prints "TRY comm HEX" (the name the kernel holds, read back
 * from /proc/self/comm, as hex) before the calls; the parent "DONE" when
 * the child is gone.
 * Usage: comm_escape [PATH]
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char evil[] = "\x1b[31m\xc2\x9b" "2J\x07\x7f" "evil";

static int child(const char *path)
{
	char name[32];
	ssize_t n, i;
	int fd;

	fd = open("/proc/self/comm", O_RDONLY);
	n = fd < 0 ? -1 : read(fd, name, sizeof(name));
	if (n <= 0) {
		printf("ERROR /proc/self/comm: %m\n");
		return 1;
	}
	printf("TRY comm ");
	for (i = 0; i < n && name[i] != '\n'; i++)
		printf("%02x", (unsigned char)name[i]);
	printf("\n");
	syscall(SYS_mount, "none", "/", NULL, 0UL, NULL);
	if (path)
		chmod(path, 0600);
	return 0;
}

int main(int argc, char **argv)
{
	int status;
	pid_t pid;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (prctl(PR_SET_NAME, evil, 0, 0, 0) < 0) {
		printf("ERROR PR_SET_NAME: %m\n");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		printf("ERROR fork: %m\n");
		return 1;
	}
	if (pid == 0)
		_exit(child(argc > 1 ? argv[1] : NULL));
	if (waitpid(pid, &status, 0) != pid || status != 0) {
		printf("ERROR child: status %#x\n", status);
		return 1;
	}
	printf("DONE\n");
	return 0;
}
