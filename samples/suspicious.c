/*
 * A harmless stand-in for malware, for `make demo`: it does what a dropper
 * would (steal credentials, phone home, drop and run a script, hide from
 * debuggers, prepare executable memory) so the behaviour report has
 * something to show.  Every step is one short syscall; nothing leaves.
 *
 * Usage: suspicious [--no-net]   (--no-net skips the connect attempt)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAYLOAD "payload.sh"

static void say(const char *step, int ok)
{
	printf("suspicious: %-44s %s\n", step, ok ? "done" :
	       strerror(errno));
	fflush(stdout);
}

/* Read the credentials, and stage a copy as a thief would. */
static void steal_credentials(void)
{
	char path[4096], buf[4096];
	const char *home = getenv("HOME");
	ssize_t n = -1;
	int fd, out;

	snprintf(path, sizeof(path), "%s/.aws/credentials",
		 home ? home : ".");
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf));
		close(fd);
	}
	say("read ~/.aws/credentials", n >= 0);
	if (n < 0)
		return;
	out = open("loot.tmp", O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (out >= 0) {
		n = write(out, buf, (size_t)n);
		close(out);
	}
	say("stage a copy in loot.tmp", out >= 0 && n >= 0);
	say("rename it to .loot", rename("loot.tmp", ".loot") == 0);
}

/* 192.0.2.1 is TEST-NET-1: documentation only, routed nowhere. */
static void phone_home(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(443) };
	struct timeval tv = { .tv_sec = 2 };
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), ok;

	if (s < 0) {
		say("socket(AF_INET)", 0);
		return;
	}
	/* Bounds a blocking connect, should anything let it through. */
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	inet_pton(AF_INET, "192.0.2.1", &sa.sin_addr);
	ok = connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	say("connect to 192.0.2.1:443", ok);
	close(s);
}

static void drop_and_run(void)
{
	static const char script[] =
		"#!/bin/sh\necho \"payload.sh: the dropped script ran\"\n";
	int fd, status = -1;
	ssize_t n = -1;
	pid_t pid;

	fd = open(PAYLOAD, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		n = write(fd, script, sizeof(script) - 1);
		close(fd);
	}
	say("write " PAYLOAD, n == (ssize_t)sizeof(script) - 1);
	say("chmod +x " PAYLOAD, chmod(PAYLOAD, 0755) == 0);
	pid = fork();
	if (pid == 0) {
		execl("./" PAYLOAD, PAYLOAD, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	errno = ECHILD;
	say("exec ./" PAYLOAD, WIFEXITED(status) && !WEXITSTATUS(status));
}

/* Debugger checks and attaching to another process. */
static void anti_debug(void)
{
	pid_t pid;

	say("ptrace(PTRACE_TRACEME)",
	    ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0);
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	if (pid < 0)
		return;
	say("ptrace(PTRACE_ATTACH) to a child",
	    ptrace(PTRACE_ATTACH, pid, NULL, NULL) == 0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void rwx_memory(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	say("mmap 4 KiB read+write+execute", p != MAP_FAILED);
	if (p != MAP_FAILED)
		munmap(p, 4096);
}

int main(int argc, char **argv)
{
	steal_credentials();
	if (argc < 2 || strcmp(argv[1], "--no-net"))
		phone_home();
	else
		printf("suspicious: connect skipped (--no-net)\n");
	drop_and_run();
	anti_debug();
	rwx_memory();
	say("cover tracks: delete .loot", unlink(".loot") == 0);
	return 0;
}
