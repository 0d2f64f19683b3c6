/*
 * The host signals of the kvm platform's processes, kept apart from the
 * program's (which are emulated): what cabin sends the monitor, what the
 * monitors send each other, and the monitor's own.
 */
#ifndef CABIN_PLATFORM_KVM_VMM_SIGNALS_H
#define CABIN_PLATFORM_KVM_VMM_SIGNALS_H

#include <signal.h>

/*
 * The signal cabin sends the monitor when the time limit is reached: the
 * monitor ends the program itself, so its report still gets written.
 * Never the program's (the program's signals are emulated).
 */
#define CABIN_KVM_SIG_TIMEOUT	(SIGRTMAX - 1)
/* The monitor's own: interrupts the ring worker's blocking call. */
#define CABIN_KVM_SIG_KICK	(SIGRTMAX - 2)
/*
 * A signal from one of the program's processes to another: the host
 * signal carries the program's number (sigqueue's value), so SIGKILL and
 * the signals the monitor keeps for its own faults arrive as the
 * program's.
 */
#define CABIN_KVM_SIG_CARRY	(SIGRTMAX - 3)

#endif
