/*
 * Shared by the lab's kvm process programs: a wait status as one line,
 * the same natively and on kvm.
 */
#ifndef KVM_STATUS_H
#define KVM_STATUS_H

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

static void status_line(const char *what, int st)
{
	if (WIFEXITED(st))
		printf("%s: exit %d\n", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("%s: killed by %s\n", what, strsignal(WTERMSIG(st)));
	else
		printf("%s: status %#x\n", what, st);
}

#endif
