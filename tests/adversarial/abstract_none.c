/*
 * Escape attempt: reach a host service on an abstract unix socket
 * (argv[1], without the leading NUL) under `network none`.  X11, D-Bus
 * and systemd listen on abstract names.  The guard connects unix sockets
 * in cabin's own process, outside the program's Landlock domain and its
 * abstract-socket scope, so it must apply that scope itself.  Success
 * is connecting (the peer's greeting shows to whom).  First the program
 * binds an abstract name of its own and connects to it: that must keep
 * working (and proves the program got as far as the attack).
 *
 * `abstract_none --serve NAME` is the host service the runner starts
 * outside the sandbox: it says "ready" once it listens, then greets one
 * peer.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static socklen_t abstract(struct sockaddr_un *sun, const char *name)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	strncpy(sun->sun_path + 1, name, sizeof(sun->sun_path) - 2);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			   strlen(sun->sun_path + 1));
}

static int serve(const char *name)
{
	static const char hello[] = "hello from outside\n";
	struct sockaddr_un sun;
	socklen_t len = abstract(&sun, name);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), peer;

	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, len) < 0 ||
	    listen(fd, 1) < 0) {
		perror("serve");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	/* Every run of the test may reach it: it serves until killed. */
	for (;;) {
		peer = accept(fd, NULL, NULL);
		if (peer < 0)
			continue;
		if (write(peer, hello, sizeof(hello) - 1) < 0)
			perror("write");
		close(peer);
	}
}

/* An abstract socket of the program's own still works. */
static const char *own_socket(const char *name)
{
	static char why[96];
	struct sockaddr_un sun;
	char own[64];
	socklen_t len;
	int l, c;

	snprintf(own, sizeof(own), "%s-own-%d", name, (int)getpid());
	len = abstract(&sun, own);
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	if (l < 0 || c < 0 || bind(l, (struct sockaddr *)&sun, len) < 0 ||
	    listen(l, 1) < 0 || connect(c, (struct sockaddr *)&sun, len) < 0) {
		snprintf(why, sizeof(why), "own abstract socket: %s",
			 strerror(errno));
		return why;
	}
	close(c);
	close(l);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "cabin-abstract-probe";
	struct sockaddr_un sun;
	socklen_t len;
	const char *broken;
	char buf[64] = "";
	ssize_t n;
	int fd;

	if (argc > 2 && !strcmp(argv[1], "--serve"))
		return serve(argv[2]);
	broken = own_socket(name);
	if (broken) {
		printf("BROKEN: %s\n", broken);
		return 1;
	}
	len = abstract(&sun, name);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0) {
		printf("BROKEN: socket(AF_UNIX): %s\n", strerror(errno));
		return 1;
	}
	if (connect(fd, (struct sockaddr *)&sun, len) < 0) {
		printf("CONTAINED own abstract socket works; connect @%s: %s\n", name,
		       strerror(errno));
		return 0;
	}
	/* connected is out already; the greeting shows to whom */
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? strcspn(buf, "\n") : 0] = '\0';
	printf("ESCAPED talked to @%s outside the sandbox: %s\n", name,
	       n > 0 ? buf : "(connected, read nothing)");
	return 0;
}
