/*
 * The run's log.  Lines are flushed one by one: the log is often a
 * terminal shared with the program, and a line must not wait behind it.
 */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

void cabin_log_init(struct cabin_log *l, FILE *out)
{
	memset(l, 0, sizeof(*l));
	l->out = out;
}

void cabin_log_free(struct cabin_log *l)
{
	size_t i;

	free(l->denials);
	l->denials = NULL;
	l->ndenials = 0;
	for (i = 0; i < l->nkept; i++)
		free(l->kept[i]);
	free(l->kept);
	l->kept = NULL;
	l->nkept = 0;
}

static FILE *out_of(const struct cabin_log *l)
{
	return l->out ? l->out : stderr;
}

void cabin_log_vsay(struct cabin_log *l, const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (!l->quiet) {
		fprintf(out_of(l), "cabin: %s\n", line);
		fflush(out_of(l));
	}
	if (l->heard)
		l->heard(l->ctx, line);
}

void cabin_log_say(struct cabin_log *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cabin_log_vsay(l, fmt, ap);
	va_end(ap);
}

void cabin_log_tell(struct cabin_log *l, const char *fmt, ...)
{
	va_list ap;

	if (l->quiet)
		return;
	fputs("cabin: ", out_of(l));
	va_start(ap, fmt);
	vfprintf(out_of(l), fmt, ap);
	va_end(ap);
	fputc('\n', out_of(l));
	fflush(out_of(l));
}

void cabin_log_warn(struct cabin_log *l, const char *fmt, ...)
{
	char line[1024], **grown;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(out_of(l), "cabin: %s\n", line);
	fflush(out_of(l));
	if (l->heard)
		l->heard(l->ctx, line);
	grown = realloc(l->kept, (l->nkept + 1) * sizeof(*grown));
	if (!grown)
		return;
	l->kept = grown;
	grown[l->nkept] = strdup(line);
	if (grown[l->nkept])
		l->nkept++;
}

void cabin_log_replay(const struct cabin_log *from, struct cabin_log *to)
{
	size_t i;

	for (i = 0; to->heard && i < from->nkept; i++)
		to->heard(to->ctx, from->kept[i]);
}

bool cabin_log_reported(struct cabin_log *l, long nr, const char *comm)
{
	struct cabin_denial *grown;
	size_t i;

	for (i = 0; i < l->ndenials; i++) {
		if (l->denials[i].nr == nr && !strcmp(l->denials[i].comm, comm))
			return true;
	}
	grown = realloc(l->denials, (l->ndenials + 1) * sizeof(*grown));
	if (!grown)
		return false;
	l->denials = grown;
	grown[l->ndenials].nr = nr;
	snprintf(grown[l->ndenials].comm, sizeof(grown->comm), "%s", comm);
	l->ndenials++;
	return false;
}
