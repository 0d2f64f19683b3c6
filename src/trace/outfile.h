/*
 * cabin's output files (the trace, the report): bound before the program
 * starts to objects it cannot name, put in place when the run is over.
 *
 * The directory is opened when cabin starts (symlinks the user gave are
 * followed then, that is the user's choice); during the run the record
 * lives in an unnamed file (O_TMPFILE in that directory, or a memfd where
 * the file system has no O_TMPFILE), so the program can neither rewrite
 * it nor swap the path under it; at the end it is linked under a fresh
 * name in the directory opened at start and renamed over the final name.
 * A path naming something other than a regular file (a terminal,
 * /dev/null, a pipe given as /dev/fd/N) is written directly, opened at
 * start.  docs/security.md, "Cabin's own output files".
 */
#ifndef CABIN_TRACE_OUTFILE_H
#define CABIN_TRACE_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

struct cabin_outfile {
	const char *path;	/* as the user gave it */
	const char *what;	/* "trace", "report": for messages */
	int dir;		/* the directory opened at start, -1: a stream */
	char *name;		/* the file's name in dir */
	int fd;			/* where the record is written */
	bool linkable;		/* fd is an O_TMPFILE of dir's file system */
	int mode;		/* enum cabin_outfile_mode */
};

enum cabin_outfile_mode {
	CABIN_OUTFILE_SAFE,
	/* --unsafe-disable=outputs, the old ways, for the adversarial tests: */
	CABIN_OUTFILE_NAMED_LIVE,	/* opened by name at start (trace) */
	CABIN_OUTFILE_NAMED_AT_END,	/* renamed into place by path (report) */
};

/*
 * Before the program starts: bind o to path.  Prints one message on log
 * and returns -errno when path cannot take the output.
 */
int cabin_outfile_open(struct cabin_outfile *o, const char *path,
		       const char *what, enum cabin_outfile_mode mode,
		       FILE *log);
/*
 * The run is over and fd holds the whole record: give it its name.
 * Returns 0, or -errno after a message on log that says where the record
 * was kept instead (nothing is lost but what could not be written).
 */
int cabin_outfile_place(struct cabin_outfile *o, FILE *log);
void cabin_outfile_close(struct cabin_outfile *o);

#endif
