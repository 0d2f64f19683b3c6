/*
 * Whole-tree limits in a cgroup v2 of the run's own: where cabin may make
 * one (the cgroup it is in, when the kernel offers the controllers there
 * and cabin can write it), the cgroup itself with its limits written, what
 * the kernel counted in it at the end, and its removal.  Like systemd-run's
 * MemoryMax/TasksMax/CPUQuota and nsjail's --cgroup_*: no emulation, the
 * kernel enforces them on every process of the tree.
 */
#ifndef CABIN_UTIL_CGROUP_H
#define CABIN_UTIL_CGROUP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The controllers a run may need. */
enum cabin_cgroup_controller {
	CABIN_CGROUP_MEMORY	= 1u << 0,
	CABIN_CGROUP_PIDS	= 1u << 1,
	CABIN_CGROUP_CPU	= 1u << 2,
};

/* 0 = not set. */
struct cabin_cgroup_limits {
	uint64_t memory_max;		/* bytes; swap is held at 0 too */
	uint64_t pids_max;		/* tasks */
	uint64_t cpu_percent;		/* of one CPU, per 100 ms period */
};

/* Every descriptor -1 when not open (probe sets them). */
struct cabin_cgroup {
	char base[PATH_MAX];		/* the cgroup cabin was started in */
	char path[PATH_MAX];		/* the run's, once made (messages) */
	char name[64];			/* the run's, under base */
	char self_name[64];		/* cabin's own leaf, when moved_self */
	int base_fd;			/* base, checked to be on cgroup2 */
	int dir_fd;			/* the run's, when made */
	int procs_fd;			/* its cgroup.procs, for the child */
	bool at_root;			/* base is the hierarchy's root */
	bool made;			/* path exists */
	bool leaf;			/* path/program, where the child goes */
	bool moved_self;		/* cabin sits in base/self_name */
	unsigned int enabled;		/* controllers cabin turned on in base */
};

/* What the kernel counted in the run's cgroup. */
struct cabin_cgroup_events {
	uint64_t oom_kill;		/* memory.events: processes killed */
	uint64_t memory_max;		/* memory.events: times at memory.max */
	uint64_t pids_max;		/* pids.events: forks refused */
};

/* The controllers a limits struct needs. */
unsigned int cabin_cgroup_needs(const struct cabin_cgroup_limits *l);
/* Their names, "memory pids cpu", into buf. */
void cabin_cgroup_names(unsigned int controllers, char *buf, size_t len);

/*
 * Can cabin make a cgroup with these controllers here?  0 with cg->base
 * filled and opened (cabin_cgroup_remove closes it), or -errno with why: one phrase saying what is missing
 * ("this machine: cgroup v1", "... not delegated to uid 1000").
 */
int cabin_cgroup_probe(struct cabin_cgroup *cg, unsigned int controllers,
		       char *why, size_t len);

/*
 * Make the run's cgroup under cg->base with l written, and a leaf
 * "program" below it (no controllers, no deeper cgroups allowed), and
 * open the leaf's cgroup.procs (cg->procs_fd) for the child to join
 * before it execs.
 * 0, or -errno with why; nothing is left made on failure.
 */
int cabin_cgroup_create(struct cabin_cgroup *cg,
			const struct cabin_cgroup_limits *l, char *why,
			size_t len);

/* Join the cgroup whose cgroup.procs fd is (in the child). */
int cabin_cgroup_join(int procs_fd);

/* The counts; 0, or -errno. */
int cabin_cgroup_events(const struct cabin_cgroup *cg,
			struct cabin_cgroup_events *ev);

/*
 * Remove the run's cgroup, killing what is left in it (cgroup.kill), and
 * undo what create did to base; close what probe opened.  Safe to call
 * twice or unmade.  -EBUSY if the cgroup still held processes 5 s after
 * cgroup.kill and was left (cg->path names it), else 0.
 */
int cabin_cgroup_remove(struct cabin_cgroup *cg);

#endif
