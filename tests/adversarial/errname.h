/*
 * The errno names the kfiles programs print, so that run.sh can match
 * the one the contract names (EROFS, EACCES, ...).
 */
#ifndef CABIN_ADV_ERRNAME_H
#define CABIN_ADV_ERRNAME_H

#include <errno.h>
#include <string.h>

static inline const char *errname(int e)
{
	switch (e) {
	case EROFS: return "EROFS";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ENOTTY: return "ENOTTY";
	}
	return strerror(e);
}

#endif
