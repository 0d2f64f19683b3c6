/*
 * addrrace tcp|udp GOOD BAD PORT N
 *
 * One thread flips the IPv4 address in a sockaddr between GOOD and BAD in
 * a tight loop; another connects (tcp) or sends a datagram (udp) with that
 * very buffer, again and again, so that whatever checks the address may
 * see GOOD while the kernel uses BAD.  TCP connections that succeed are
 * classified by getpeername.  The tries go on until a TCP connection
 * reaches BAD, or N tries succeeded and N were refused (both addresses
 * were seen: the race was run, however fast the machine), or 20000 tries
 * were made (where nothing is refused, as unconfined).  Prints
 *   tries=N good=N bad=N refused=N
 * ("bad" counts TCP connections to BAD; for UDP the listener counts) and
 * exits 1 if any TCP connection reached BAD.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sockaddr_in sa;
static volatile int stop;
static in_addr_t good, bad;

static void *flipper(void *arg)
{
	volatile in_addr_t *a = &sa.sin_addr.s_addr;

	(void)arg;
	while (!stop) {
		*a = bad;
		*a = good;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long tries = 0, ngood = 0, nbad = 0, refused = 0;
	int udp, fd = -1;
	pthread_t t;
	long n;

	if (argc != 6)
		return 2;
	udp = !strcmp(argv[1], "udp");
	good = inet_addr(argv[2]);
	bad = inet_addr(argv[3]);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(argv[4]));
	sa.sin_addr.s_addr = good;
	if (pthread_create(&t, NULL, flipper, NULL))
		return 2;
	n = atol(argv[5]);
	if (udp) {
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return perror("socket"), 2;
	}
	while (!nbad && (ngood < n || refused < n) && tries < 20000) {
		tries++;
		if (udp) {
			if (sendto(fd, "x", 1, 0, (struct sockaddr *)&sa,
				   sizeof(sa)) < 0)
				refused++;
			else
				ngood++;	/* sent; the listener counts */
			continue;
		}
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return perror("socket"), 2;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			struct sockaddr_in peer;
			socklen_t len = sizeof(peer);

			if (getpeername(fd, (struct sockaddr *)&peer, &len) == 0 &&
			    peer.sin_addr.s_addr == bad)
				nbad++;
			else
				ngood++;
		} else {
			refused++;
		}
		close(fd);
	}
	stop = 1;
	pthread_join(t, NULL);
	printf("tries=%ld good=%ld bad=%ld refused=%ld\n", tries, ngood, nbad,
	       refused);
	return nbad ? 1 : 0;
}
