/*
 * Where cabin tells the user what happened: "cabin: ..." lines on the
 * run's log, each heard by whoever listens (the report keeps what the
 * user was told, in the same words), and the memory of which denials
 * were already told.  The proxy owns one and hands it to the guards, so
 * that they write down into it and never back into the proxy.
 *
 * Every line said here is a notice: what happened during a run that does
 * not end it with cabin's own status (denials, faults, limits, W^X and
 * XOM refusals, warnings).  --quiet (quiet) keeps notices off the log;
 * they are still heard, so the report is the same.  Warnings that a
 * protection is off are printed even so (cabin_log_warn).  Fatal errors, those
 * that end a run with 125, 126 or 127, are not notices: they are written
 * to the log's FILE directly and --quiet never hides them.
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
	bool quiet;		/* --quiet: notices heard, not printed */
	/* hears each line said, without the "cabin: " */
	void (*heard)(void *ctx, const char *line);
	void *ctx;
	struct cabin_denial *denials;	/* reported once each */
	size_t ndenials;
	char **kept;			/* warnings, for a report made later */
	size_t nkept;
};

void cabin_log_init(struct cabin_log *l, FILE *out);
void cabin_log_free(struct cabin_log *l);

/* One "cabin: ..." notice, heard by the listener. */
void cabin_log_say(struct cabin_log *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cabin_log_vsay(struct cabin_log *l, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* One "cabin: ..." notice for the user alone, not heard. */
void cabin_log_tell(struct cabin_log *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * One "cabin: warning" that a protection is off: printed even under
 * --quiet (the user asked for silence, not for not knowing that the
 * sandbox is weaker), heard, and kept for cabin_log_replay when it is
 * said before the report listens.
 */
void cabin_log_warn(struct cabin_log *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Let to's listener hear the warnings from kept, in order. */
void cabin_log_replay(const struct cabin_log *from, struct cabin_log *to);

/*
 * True when a denial of nr by a program named comm was reported before;
 * otherwise remembers it and returns false, so each is reported once.
 */
bool cabin_log_reported(struct cabin_log *l, long nr, const char *comm);

#endif
