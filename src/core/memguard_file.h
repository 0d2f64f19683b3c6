/*
 * Whether the confined program can write the file cabin holds at fd, by
 * any means: its descriptors, a path the policy lets it write, or the
 * permission bits when the policy has no file rules.
 */
#ifndef CABIN_CORE_MEMGUARD_FILE_H
#define CABIN_CORE_MEMGUARD_FILE_H

struct cabin_memguard;

/* NULL when it cannot; otherwise why it can (or cannot be told). */
const char *cabin_memguard_file_writable(const struct cabin_memguard *g,
					 int fd);

#endif
