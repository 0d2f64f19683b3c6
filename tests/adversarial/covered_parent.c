/*
 * Escape attempt: the working directory is the host's /tmp/D/cwd, which
 * the private /tmp of the default profile covers: the program still sits
 * in it, and "../victim" names the host's /tmp/D/victim.  The kernel's
 * ".." from /tmp/D lands on the private /tmp's root (the mount stacked on
 * the host's /tmp), which the rules let the program write; Landlock walks
 * to the real parent and refuses.  A guard that walks up with ".." would
 * grant what cabin does for the program itself: binding a socket file
 * there, and chmod of a file there.
 *
 * Usage: covered_parent SOCKET-PATH FILE
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s, bound, changed, ebind = 0, echmod = 0;

	if (argc != 3 || strlen(argv[1]) >= sizeof(a.sun_path)) {
		fprintf(stderr, "usage: covered_parent SOCKET-PATH FILE\n");
		return 2;
	}
	memcpy(a.sun_path, argv[1], strlen(argv[1]) + 1);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0) {
		perror("socket");
		return 2;
	}
	printf("TRY bind %s\n", argv[1]);
	fflush(stdout);
	bound = bind(s, (struct sockaddr *)&a, sizeof(a)) == 0;
	if (!bound)
		ebind = errno;
	printf("TRY chmod %s\n", argv[2]);
	fflush(stdout);
	changed = chmod(argv[2], 0666) == 0;
	if (!changed)
		echmod = errno;
	if (bound || changed)
		printf("ESCAPED bind: %s, chmod: %s\n",
		       bound ? "made" : strerrorname_np(ebind),
		       changed ? "done" : strerrorname_np(echmod));
	else
		printf("CONTAINED bind: %s, chmod: %s\n",
		       strerrorname_np(ebind), strerrorname_np(echmod));
	return 0;
}
