/*
 * Capability dropping.  For root, an empty bounding and inheritable set
 * means execve grants nothing (the file-capability formula masks the full
 * root set with the bounding set), and SECBIT_NOROOT makes it explicit.
 * For others the bounding set can only be dropped inside a user namespace
 * they own; the uid and gid map to themselves so ids look unchanged, or
 * to the ids asked for (--uid, --gid), which are then the caller's own
 * ids outside.  Root asking for ids takes them outright, after its
 * capabilities are gone: the program is really that uid on disk, never
 * root under another name (docs/security.md, "Running as another uid").
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/privs.h"
#include "util/sysctl.h"

static int last_cap(void)
{
	int v;

	if (cabin_util_sysctl_int("kernel/cap_last_cap", &v) < 0)
		return CAP_LAST_CAP;
	return v > 0 && v < 64 ? v : CAP_LAST_CAP;
}

static int write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

static int write_map(const char *path, unsigned int inside,
		     unsigned int outside)
{
	char map[64];

	snprintf(map, sizeof(map), "%u %u 1\n", inside, outside);
	return write_file(path, map);
}

int cabin_privs_enter_userns(const struct cabin_privs_ids *ids)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	int err;

	if (unshare(CLONE_NEWUSER) < 0)
		return -errno;
	err = write_file("/proc/self/setgroups", "deny");
	if (err < 0)
		return err;
	err = write_map("/proc/self/uid_map", ids->set_uid ? ids->uid : uid,
			uid);
	if (err < 0)
		return err;
	return write_map("/proc/self/gid_map", ids->set_gid ? ids->gid : gid,
			 gid);
}

/* Root's groups, 0 among them, are never the program's. */
int cabin_privs_set_ids(const struct cabin_privs_ids *ids)
{
	if (setgroups(0, NULL) < 0 ||
	    (ids->set_gid &&
	     setresgid(ids->gid, ids->gid, ids->gid) < 0) ||
	    (ids->set_uid &&
	     setresuid(ids->uid, ids->uid, ids->uid) < 0))
		return -errno;
	return 0;
}

static int clear_sets(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	int cap, top = last_cap();

	for (cap = 0; cap <= top; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return -errno;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
	    errno != EINVAL)
		return -errno;
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	data[0].inheritable = data[1].inheritable = 0;
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -errno;
	return 0;
}

int cabin_privs_drop(bool in_userns)
{
	int err;

	if (geteuid() != 0 && !in_userns) {
		/*
		 * Without CAP_SETPCAP the bounding set cannot shrink; the
		 * caller holds no capability to lose, and no_new_privs
		 * keeps it that way.
		 */
		prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
		return CABIN_PRIVS_USERNS;
	}
	err = clear_sets();
	if (err < 0)
		return err;
	if (geteuid() == 0 &&
	    prctl(PR_SET_SECUREBITS,
		  SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
		  SECBIT_NO_CAP_AMBIENT_RAISE |
		  SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED, 0, 0, 0) < 0)
		return -errno;
	return CABIN_PRIVS_OK;
}
