/*
 * The platforms cabin knows, by name (gVisor's platform.Register is the
 * model).  Each driver is a value its own folder defines; this table
 * names them because libcabin is a static library, whose linker would
 * drop a driver's object that registered itself from a constructor and
 * that nothing else referenced.  The first is the default.
 */
#include <stdio.h>
#include <string.h>

#include "cabin/cabin.h"
#include "platform/driver.h"

extern const struct cabin_platform_driver cabin_process_driver;
extern const struct cabin_platform_driver cabin_kvm_driver;

static const struct cabin_platform_driver *const drivers[] = {
	&cabin_process_driver,
	&cabin_kvm_driver,
};

#define NDRIVERS (sizeof(drivers) / sizeof(*drivers))

const struct cabin_platform_driver *cabin_platform_find(const char *name)
{
	size_t i;

	if (!name)
		return drivers[0];
	for (i = 0; i < NDRIVERS; i++) {
		if (!strcmp(drivers[i]->name, name))
			return drivers[i];
	}
	return NULL;
}

void cabin_platform_list(char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < NDRIVERS && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s",
				 i ? ", " : "", drivers[i]->name);
}

const char *cabin_platform_name(size_t i)
{
	return i < NDRIVERS ? drivers[i]->name : NULL;
}
