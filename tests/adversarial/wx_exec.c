/*
 * Escape attempt on W^X (--wx) through an exec image, named by argv[1]
 * and started in a child: wx_execstack_image, whose stack the kernel
 * maps writable and executable (PT_GNU_STACK), or wx_interp_image, whose
 * program interpreter is a copy of the dynamic loader it can write.  The
 * image writes code (mov eax, 42; ret) where it runs and calls it: exit
 * status 42 means the code ran.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *image = argc > 1 ? argv[1] : "./wx_execstack_image";
	int status, pfd[2], err = 0;
	pid_t pid;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (pipe2(pfd, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		printf("CONTAINED fork: %s\n", strerrorname_np(errno));
		return 0;
	}
	if (pid == 0) {
		execl(image, image, (char *)NULL);
		err = errno;
		(void)!write(pfd[1], &err, sizeof(err));
		_exit(127);
	}
	close(pfd[1]);
	if (read(pfd[0], &err, sizeof(err)) == sizeof(err)) {
		printf("CONTAINED exec %s: %s\n", image, strerrorname_np(err));
		waitpid(pid, &status, 0);
		return 0;
	}
	if (waitpid(pid, &status, 0) < 0) {
		printf("CONTAINED waitpid: %s\n", strerrorname_np(errno));
		return 0;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 42)
		printf("ESCAPED code written into the image %s ran\n", image);
	else if (WIFSIGNALED(status))
		printf("CONTAINED the image %s was killed: SIG%s\n", image,
		       sigabbrev_np(WTERMSIG(status)));
	else
		printf("CONTAINED the image exited with %d\n",
		       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}
