/*
 * The bundled sample for `make demo`: an ordinary program that lists a
 * directory, forks a child that execs another program, starts a thread,
 * tries one thing a sandbox must refuse, then dereferences a bad pointer.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

static void list_directory(const char *path)
{
	struct dirent *d;
	int n = 0;
	DIR *dir = opendir(path);

	if (!dir) {
		printf("demo: cannot list %s: %s\n", path, strerror(errno));
		return;
	}
	while ((d = readdir(dir)))
		n++;
	closedir(dir);
	printf("demo: %s has %d entries\n", path, n);
}

static void run_child(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execlp("uname", "uname", "-s", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	printf("demo: child %d exited with %d\n", (int)pid,
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void *worker(void *arg)
{
	long sum = 0, i;

	for (i = 1; i <= (long)arg; i++)
		sum += i;
	printf("demo: thread summed 1..%ld = %ld\n", (long)arg, sum);
	return NULL;
}

/* The address comes from outside the compiler's view, like a real bug's. */
static int *volatile bad_pointer = (int *)16;

int main(void)
{
	pthread_t thread;
	int *bad = bad_pointer;

	setvbuf(stdout, NULL, _IONBF, 0);
	list_directory("/");
	run_child();
	pthread_create(&thread, NULL, worker, (void *)1000L);
	pthread_join(thread, NULL);
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
		printf("demo: ptrace refused: %s\n", strerror(errno));
	printf("demo: now reading address %p\n", (void *)bad);
	return *bad;
}
