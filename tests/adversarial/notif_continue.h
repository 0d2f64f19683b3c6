/*
 * The attacker's half of a seccomp listener, shared by the programs that
 * hold one: a thread that lets every notified call run, unseen by any
 * tracer (SECCOMP_USER_NOTIF_FLAG_CONTINUE).  arg points to the listener.
 */
#ifndef CABIN_ADV_NOTIF_CONTINUE_H
#define CABIN_ADV_NOTIF_CONTINUE_H

#include <errno.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/ioctl.h>

static void *answer_continue(void *arg)
{
	int fd = *(int *)arg;

	for (;;) {
		struct seccomp_notif req;
		struct seccomp_notif_resp resp;

		memset(&req, 0, sizeof(req));
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	}
}

#endif
