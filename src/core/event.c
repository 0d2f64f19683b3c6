/*
 * Event kinds by name, for logs and the JSON trace: the names are part of
 * the trace format, so they live with the event definitions.
 */
#include "core/event.h"

const char *cabin_event_kind_name(enum cabin_event_kind kind)
{
	static const char *const names[] = {
		[CABIN_EV_SYSCALL_ENTRY] = "syscall-entry",
		[CABIN_EV_SYSCALL_EXIT] = "syscall-exit",
		[CABIN_EV_FAULT] = "fault",
		[CABIN_EV_SIGNAL] = "signal",
		[CABIN_EV_SPAWN] = "spawn",
		[CABIN_EV_ATTACH] = "attach",
		[CABIN_EV_EXEC] = "exec",
		[CABIN_EV_EXITING] = "exiting",
		[CABIN_EV_EXIT] = "exit",
		[CABIN_EV_GROUP_STOP] = "group-stop",
		[CABIN_EV_NOTE] = "note",
		[CABIN_EV_SYSCALL_ENTERED] = "syscall-entered",
	};

	if ((unsigned int)kind >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[kind];
}
