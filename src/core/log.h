/*
 * Where cabin tells the user what happened: "cabin: ..." lines on the
 * run's log, each heard by whoever listens (the report keeps what the
 * user was told, in the same words), and the memory of which denials
 * were already told.  The proxy owns one and hands it to the guards, so
 * that they write down into it and never back into the proxy.
 */
#ifndef CABIN_CORE_LOG_H
#define CABIN_CORE_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

struct cabin_denial {
	long nr;
	char comm[17];
};

struct cabin_log {
	FILE *out;		/* stderr when NULL */
	/* hears each line said, without the "cabin: " */
	void (*heard)(void *ctx, const char *line);
	void *ctx;
	struct cabin_denial *denials;	/* reported once each */
	size_t ndenials;
};

void cabin_log_init(struct cabin_log *l, FILE *out);
void cabin_log_free(struct cabin_log *l);

/* One "cabin: ..." line, heard by the listener. */
void cabin_log_say(struct cabin_log *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cabin_log_vsay(struct cabin_log *l, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* One "cabin: ..." line for the user alone, not heard. */
void cabin_log_tell(struct cabin_log *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * True when a denial of nr by a program named comm was reported before;
 * otherwise remembers it and returns false, so each is reported once.
 */
bool cabin_log_reported(struct cabin_log *l, long nr, const char *comm);

#endif
