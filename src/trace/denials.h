/*
 * With --verbose, the first refused file access of each kind on stderr.
 * Landlock refuses in the kernel, silently; this observer watches the
 * file syscalls' results so that a user sees why a program failed.
 */
#ifndef CABIN_TRACE_DENIALS_H
#define CABIN_TRACE_DENIALS_H

#include "core/proxy.h"

/* It hears the calls core/fsguard.h's cabin_fsguard_refusal_watch routes. */
extern const struct cabin_observer cabin_denials_observer;

#endif
