/*
 * The monitors of one run on the kvm platform: each guest process has
 * its own monitor process, forked along with it.  They share a table of
 * who is alive, so the first monitor can end the others when the program
 * ends, and a socket that carries what each saw back to the first one.
 */
#ifndef CABIN_PLATFORM_KVM_FAMILY_H
#define CABIN_PLATFORM_KVM_FAMILY_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CABIN_KVM_FAMILY_MAX	4096

struct cabin_kvm_family_table;
struct cabin_kvm_family_got;

struct cabin_kvm_family {
	struct cabin_kvm_family_table *table;	/* shared by every monitor */
	int sock[2];		/* [0] read by the first monitor, [1] sent to */
	bool first;		/* the run's first monitor */
	bool collecting;
	pthread_t collector;
	pthread_mutex_t lock;
	struct cabin_kvm_family_got *got;	/* what members sent, by pid */
	size_t ngot;
};

/* In the first monitor, before the program runs: descriptors >= floor. */
int cabin_kvm_family_init(struct cabin_kvm_family *f, int floor);
/*
 * The parent adds its child before the program hears its pid (so kill
 * reaches it at once); the child joins (adding itself if the parent has
 * not yet).  -EAGAIN when the table is full.
 */
int cabin_kvm_family_add(struct cabin_kvm_family *f, pid_t child);
int cabin_kvm_family_join(struct cabin_kvm_family *f);
/* Whether pid is a live monitor of this run (not the caller). */
bool cabin_kvm_family_has(const struct cabin_kvm_family *f, pid_t pid);
/* The other members in process group group (0: all), at most max. */
size_t cabin_kvm_family_group(const struct cabin_kvm_family *f, pid_t *out,
			      size_t max, pid_t group);
/* A member's last word to the first monitor, then it leaves the table. */
int cabin_kvm_family_leave(struct cabin_kvm_family *f, const void *buf,
			   size_t len);
/*
 * The first monitor, at the end: signal every member with sig, wait for
 * them to leave (SIGKILL after wait_ms), then hand each member's bytes to
 * fn.  Safe to call when the family was never set up.
 */
void cabin_kvm_family_end(struct cabin_kvm_family *f, int sig,
			  unsigned int wait_ms,
			  void (*fn)(void *ctx, const void *buf, size_t len),
			  void *ctx);

#endif
