/*
 * Task table storage: an open-addressed hash keyed by tid.  Stops arrive
 * for any thread in any order, so lookups must be cheap and creation must
 * be possible before the spawn event that names the parent.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/task.h"

#define TOMB ((struct cabin_task *)1)

int cabin_tasks_init(struct cabin_task_table *t)
{
	memset(t, 0, sizeof(*t));
	t->cap = 64;
	t->slot = calloc(t->cap, sizeof(*t->slot));
	return t->slot ? 0 : -ENOMEM;
}

void cabin_tasks_free(struct cabin_task_table *t)
{
	size_t i;

	for (i = 0; i < t->cap; i++) {
		if (t->slot[i] && t->slot[i] != TOMB)
			free(t->slot[i]);
	}
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

static size_t slot_of(pid_t tid, size_t cap)
{
	return ((uint32_t)tid * 2654435761u) & (cap - 1);
}

/* Index of tid's slot, or of the first free slot on its probe path. */
static size_t probe(const struct cabin_task_table *t, pid_t tid, bool *found)
{
	size_t i = slot_of(tid, t->cap), free_at = (size_t)-1;

	for (;;) {
		struct cabin_task *s = t->slot[i];

		if (!s) {
			*found = false;
			return free_at != (size_t)-1 ? free_at : i;
		}
		if (s == TOMB) {
			if (free_at == (size_t)-1)
				free_at = i;
		} else if (s->tid == tid) {
			*found = true;
			return i;
		}
		i = (i + 1) & (t->cap - 1);
	}
}

struct cabin_task *cabin_tasks_find(const struct cabin_task_table *t,
				    pid_t tid)
{
	bool found;
	size_t i = probe(t, tid, &found);

	return found ? t->slot[i] : NULL;
}

static int grow(struct cabin_task_table *t)
{
	struct cabin_task **old = t->slot;
	size_t i, old_cap = t->cap;
	bool found;

	t->cap = (t->count + 1) * 4 > old_cap ? old_cap * 2 : old_cap;
	t->slot = calloc(t->cap, sizeof(*t->slot));
	if (!t->slot) {
		t->slot = old;
		t->cap = old_cap;
		return -ENOMEM;
	}
	t->tombs = 0;
	for (i = 0; i < old_cap; i++) {
		if (old[i] && old[i] != TOMB)
			t->slot[probe(t, old[i]->tid, &found)] = old[i];
	}
	free(old);
	return 0;
}

static int insert(struct cabin_task_table *t, struct cabin_task *task)
{
	bool found;
	size_t i;

	if ((t->count + t->tombs + 1) * 2 > t->cap && grow(t) < 0)
		return -ENOMEM;
	i = probe(t, task->tid, &found);
	if (t->slot[i] == TOMB)
		t->tombs--;
	t->slot[i] = task;
	t->count++;
	return 0;
}

struct cabin_task *cabin_tasks_get(struct cabin_task_table *t, pid_t tid)
{
	struct cabin_task *task = cabin_tasks_find(t, tid);

	if (task)
		return task;
	task = calloc(1, sizeof(*task));
	if (!task)
		return NULL;
	task->tid = tid;
	task->pid = tid;
	task->cur_nr = -1;
	task->state = CABIN_TASK_NEW;
	if (insert(t, task) < 0) {
		free(task);
		return NULL;
	}
	return task;
}

static struct cabin_task *unlink_task(struct cabin_task_table *t, pid_t tid)
{
	bool found;
	size_t i = probe(t, tid, &found);
	struct cabin_task *task;

	if (!found)
		return NULL;
	task = t->slot[i];
	t->slot[i] = TOMB;
	t->tombs++;
	t->count--;
	return task;
}

void cabin_tasks_remove(struct cabin_task_table *t, pid_t tid)
{
	free(unlink_task(t, tid));
}

int cabin_tasks_rekey(struct cabin_task_table *t, pid_t from, pid_t to)
{
	struct cabin_task *task;

	if (from == to)
		return cabin_tasks_find(t, from) ? 0 : -ESRCH;
	task = unlink_task(t, from);
	if (!task)
		return -ESRCH;
	cabin_tasks_remove(t, to);
	task->tid = to;
	if (insert(t, task) < 0) {
		free(task);
		return -ENOMEM;
	}
	return 0;
}

struct cabin_task *cabin_tasks_next(const struct cabin_task_table *t,
				    size_t *pos)
{
	while (*pos < t->cap) {
		struct cabin_task *s = t->slot[(*pos)++];

		if (s && s != TOMB)
			return s;
	}
	return NULL;
}
