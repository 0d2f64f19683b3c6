/*
 * Signals sent to cabin go to the program it confines, so that kill,
 * timeout(1) and service managers reach the real workload.
 */
#ifndef CABIN_PROCESS_SIGNALS_H
#define CABIN_PROCESS_SIGNALS_H

#include <signal.h>
#include <sys/types.h>

/*
 * The first program, where forwarded signals go; 0 before it exists (and
 * after it is gone).  Set by whoever starts it.
 */
extern volatile pid_t cabin_signals_target;
/*
 * How many of the forwarded signals cabin was sent: whatever waits in
 * cabin for someone else (--gdb's debugger) gives up when it changes.
 */
extern volatile sig_atomic_t cabin_signals_received;

struct cabin_saved_signals {
	struct sigaction old[5];	/* the forwarded ones, then SIGPIPE */
};

/*
 * Forward SIGINT, SIGTERM, SIGHUP and SIGQUIT to cabin_signals_target
 * and ignore SIGPIPE in cabin.  A signal cabin was started with ignored
 * stays ignored, for cabin and for the program.  Returns 0 or -errno.
 */
int cabin_signals_install(struct cabin_saved_signals *saved);
/* Put back what cabin_signals_install changed (in cabin, or in a child). */
void cabin_signals_restore(const struct cabin_saved_signals *saved);

#endif
