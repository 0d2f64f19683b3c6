/*
 * Escape attempt: read the keyboard input of another terminal of the
 * same user on the host.  The default profile grants read, write and
 * ioctl on /dev/pts (for the program's own terminals); with the host's
 * devpts there, every other pseudo-terminal of the user (an ssh or
 * terminal-emulator session) is reachable too, and a reader there races
 * the session's own shell for every key (a password typed to sudo).
 *
 * `pts_other --host` is the victim, run outside cabin: a new terminal of
 * the host with a line typed into it; it prints the terminal's path and
 * waits to be killed.  `pts_other PATH` is the attack: success is the
 * typed line read from PATH.  The contained half also shows that the
 * program's own new terminals work ("# own pty ok").
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errname.h"

static int host(void)
{
	static const char typed[] = "typed-secret\n";
	int master = posix_openpt(O_RDWR | O_NOCTTY);

	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
	    !ptsname(master)) {
		perror("pts_other --host");
		return 1;
	}
	if (write(master, typed, sizeof(typed) - 1) != sizeof(typed) - 1)
		return 1;
	printf("%s\n", ptsname(master));
	fflush(stdout);
	for (;;)
		pause();
}

/* A terminal of its own: opened and its other side reached by name. */
static void own_pty(void)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY), slave = -1;

	if (master >= 0 && unlockpt(master) == 0 && ptsname(master))
		slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	if (slave >= 0)
		printf("# own pty ok: %s\n", ptsname(master));
	else
		printf("# own pty failed: %s\n", errname(errno));
}

/* The attack; the result line in out. */
static void attack(const char *path, char *out, size_t len)
{
	struct pollfd p;
	char buf[128];
	ssize_t n;
	int fd = open(path, O_RDWR | O_NOCTTY);

	if (fd < 0) {
		snprintf(out, len, "CONTAINED open %s: %s", path,
			 errname(errno));
		return;
	}
	/* The typed line is queued already; only a hang leaves it unread, and
	 * the test's bound on the whole run is the bound on that. */
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	if (poll(&p, 1, -1) != 1) {
		snprintf(out, len, "CONTAINED nothing to read on %s", path);
		return;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0) {
		snprintf(out, len, "CONTAINED read %s: %s", path,
			 errname(errno));
		return;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	snprintf(out, len, "ESCAPED read \"%s\" typed into %s", buf, path);
}

int main(int argc, char **argv)
{
	char result[512];

	if (argc != 2) {
		fprintf(stderr, "usage: %s --host | /dev/pts/N\n", argv[0]);
		return 2;
	}
	if (!strcmp(argv[1], "--host"))
		return host();
	/* First: a terminal of its own could take the victim's name. */
	attack(argv[1], result, sizeof(result));
	own_pty();
	printf("%s\n", result);
	return 0;
}
