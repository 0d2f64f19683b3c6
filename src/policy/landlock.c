/*
 * Landlock compilation of a policy: file rights to path-beneath rules,
 * TCP ports to net-port rules, both limited to the kernel's ABI.
 */
#include "policy/landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/landlock.h>
#include <linux/types.h>

/*
 * Debian 12's uapi headers stop at ABI 2; every value below is kernel ABI
 * and never changes.
 */
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset	444
#endif
#ifndef __NR_landlock_add_rule
#define __NR_landlock_add_rule		445
#endif
#ifndef __NR_landlock_restrict_self
#define __NR_landlock_restrict_self	446
#endif
#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION	(1U << 0)
#endif
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER	(1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV	(1ULL << 15)
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP	(1ULL << 0)
#endif
#ifndef LANDLOCK_ACCESS_NET_CONNECT_TCP
#define LANDLOCK_ACCESS_NET_CONNECT_TCP	(1ULL << 1)
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET	(1ULL << 0)
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_SIGNAL		(1ULL << 1)
#endif

/* Rule types are an enum in the header, so #ifndef cannot guard them. */
#define LL_RULE_PATH_BENEATH	1
#define LL_RULE_NET_PORT	2

/*
 * Own copies of the attribute structures: old headers have a one-field
 * landlock_ruleset_attr and no landlock_net_port_attr.
 */
struct ll_ruleset_attr {
	__u64 handled_access_fs;
	__u64 handled_access_net;	/* ABI 4 */
	__u64 scoped;			/* ABI 6 */
};

struct ll_path_beneath_attr {
	__u64 allowed_access;
	__s32 parent_fd;
} __attribute__((packed));

struct ll_net_port_attr {
	__u64 allowed_access;
	__u64 port;
};

#define LL_FS_ABI1 (LANDLOCK_ACCESS_FS_EXECUTE | \
		    LANDLOCK_ACCESS_FS_WRITE_FILE | \
		    LANDLOCK_ACCESS_FS_READ_FILE | \
		    LANDLOCK_ACCESS_FS_READ_DIR | \
		    LANDLOCK_ACCESS_FS_REMOVE_DIR | \
		    LANDLOCK_ACCESS_FS_REMOVE_FILE | \
		    LANDLOCK_ACCESS_FS_MAKE_CHAR | \
		    LANDLOCK_ACCESS_FS_MAKE_DIR | \
		    LANDLOCK_ACCESS_FS_MAKE_REG | \
		    LANDLOCK_ACCESS_FS_MAKE_SOCK | \
		    LANDLOCK_ACCESS_FS_MAKE_FIFO | \
		    LANDLOCK_ACCESS_FS_MAKE_BLOCK | \
		    LANDLOCK_ACCESS_FS_MAKE_SYM)

/* The only rights the kernel accepts on a rule for a non-directory. */
#define LL_FS_FILE (LANDLOCK_ACCESS_FS_EXECUTE | \
		    LANDLOCK_ACCESS_FS_WRITE_FILE | \
		    LANDLOCK_ACCESS_FS_READ_FILE | \
		    LANDLOCK_ACCESS_FS_TRUNCATE | \
		    LANDLOCK_ACCESS_FS_IOCTL_DEV)

static long ll_create_ruleset(const struct ll_ruleset_attr *attr,
			      size_t size, unsigned int flags)
{
	return syscall(__NR_landlock_create_ruleset, attr, size, flags);
}

static long ll_add_rule(int ruleset, int type, const void *attr)
{
	return syscall(__NR_landlock_add_rule, ruleset, type, attr, 0);
}

static long ll_restrict_self(int ruleset)
{
	return syscall(__NR_landlock_restrict_self, ruleset, 0);
}

int cabin_landlock_abi(void)
{
	long abi = ll_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	return abi < 0 ? 0 : (int)abi;
}

/* Every file right an ABI knows: all of them are handled, hence denied. */
static __u64 fs_handled(int abi)
{
	__u64 fs = LL_FS_ABI1;

	if (abi >= 2)
		fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return fs;
}

/*
 * MAKE_CHAR and MAKE_BLOCK are never granted: a device node is a way
 * around every other rule.
 */
static __u64 fs_allowed(unsigned int rights, int abi, bool is_dir)
{
	__u64 fs = 0;

	if (rights & CABIN_FILE_READ)
		fs |= LANDLOCK_ACCESS_FS_READ_FILE;
	if (rights & (CABIN_FILE_READ | CABIN_FILE_LIST))
		fs |= LANDLOCK_ACCESS_FS_READ_DIR;
	if (rights & CABIN_FILE_WRITE)
		fs |= LANDLOCK_ACCESS_FS_WRITE_FILE |
		      LANDLOCK_ACCESS_FS_TRUNCATE;
	if (rights & CABIN_FILE_CREATE)
		fs |= LANDLOCK_ACCESS_FS_MAKE_REG |
		      LANDLOCK_ACCESS_FS_MAKE_DIR |
		      LANDLOCK_ACCESS_FS_MAKE_SYM |
		      LANDLOCK_ACCESS_FS_MAKE_FIFO |
		      LANDLOCK_ACCESS_FS_MAKE_SOCK |
		      LANDLOCK_ACCESS_FS_REMOVE_FILE |
		      LANDLOCK_ACCESS_FS_REMOVE_DIR |
		      LANDLOCK_ACCESS_FS_REFER;
	if (rights & CABIN_FILE_EXEC)
		fs |= LANDLOCK_ACCESS_FS_EXECUTE;
	if (rights & CABIN_FILE_IOCTL)
		fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	fs &= fs_handled(abi);
	/* The kernel refuses (EINVAL) directory rights on anything else. */
	if (!is_dir)
		fs &= LL_FS_FILE;
	return fs;
}

static bool has_ports(const struct cabin_policy *p)
{
	return p->nconnect_ports > 0 || p->nbind_ports > 0;
}

/* Is there a rule granting any of the rights in has and none in lacks? */
static bool any_rule(const struct cabin_policy *p, unsigned int has,
		     unsigned int lacks)
{
	size_t i;

	for (i = 0; i < p->npaths; i++)
		if ((p->paths[i].rights & has) && !(p->paths[i].rights & lacks))
			return true;
	return false;
}

void cabin_landlock_gaps(const struct cabin_policy *p, int abi,
			 struct cabin_landlock_gaps *out)
{
	bool files = p->files_restricted;
	bool confined = files || has_ports(p) || p->net == CABIN_NET_NONE ||
			p->net == CABIN_NET_LOOPBACK;
	unsigned int m = 0;

	if (abi <= 0) {
		if (files || has_ports(p))
			m |= CABIN_LL_GAP_ALL;
	} else {
		/* Only a policy that lets it create files would rename them. */
		if (abi < 2 && files &&
		    any_rule(p, CABIN_FILE_CREATE, 0))
			m |= CABIN_LL_GAP_REFER;
		/* truncate() needs no open, so every file is exposed. */
		if (abi < 3 && files)
			m |= CABIN_LL_GAP_TRUNCATE;
		if (abi < 4 && has_ports(p))
			m |= CABIN_LL_GAP_NET;
		/*
		 * ioctl needs an open file, so only devices under a rule
		 * that opens them but refuses ioctl are exposed.
		 */
		if (abi < 5 && files &&
		    any_rule(p, CABIN_FILE_READ | CABIN_FILE_WRITE,
			     CABIN_FILE_IOCTL))
			m |= CABIN_LL_GAP_IOCTL;
	}
	if (abi < 6 && confined)
		m |= CABIN_LL_GAP_SCOPE;
	out->missing = m;
	out->abi = abi < 0 ? 0 : abi;
}

const char *cabin_landlock_gap_text(unsigned int gap_bit, int abi, char *buf,
				    size_t len)
{
	const char *what;
	int need;

	switch (gap_bit) {
	case CABIN_LL_GAP_ALL:
		snprintf(buf, len,
			 "file and port rules need Landlock (kernel has none)");
		return buf;
	case CABIN_LL_GAP_REFER:
		what = "renaming or linking across directories"
		       " (denied until then)";
		need = 2;
		break;
	case CABIN_LL_GAP_TRUNCATE:
		what = "truncate() by path";
		need = 3;
		break;
	case CABIN_LL_GAP_NET:
		what = "enforcing TCP port rules";
		need = 4;
		break;
	case CABIN_LL_GAP_IOCTL:
		what = "controlling ioctl on devices";
		need = 5;
		break;
	case CABIN_LL_GAP_SCOPE:
		what = "scoping signals and abstract unix sockets";
		need = 6;
		break;
	default:
		snprintf(buf, len, "unknown Landlock gap 0x%x", gap_bit);
		return buf;
	}
	if (abi <= 0)
		snprintf(buf, len, "%s needs Landlock ABI %d (kernel has none)",
			 what, need);
	else
		snprintf(buf, len, "%s needs Landlock ABI %d (kernel has %d)",
			 what, need, abi);
	return buf;
}

static int open_path(const char *path)
{
	int fd = open(path, O_PATH | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* "~" and "~/x" from home; anything else as written.  Returns fd or -errno. */
static int resolve_path(const char *path, const char *home, char *buf,
			size_t len)
{
	int n;

	if (path[0] != '~')
		return open_path(path);
	if (path[1] != '\0' && path[1] != '/')
		return -EINVAL;		/* "~user" is not supported */
	if (!home || home[0] == '\0')
		return -EINVAL;
	n = snprintf(buf, len, "%s%s", home, path + 1);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return open_path(buf);
}

int cabin_landlock_open_path(const char *path, const char *home)
{
	char buf[PATH_MAX];

	return resolve_path(path, home, buf, sizeof(buf));
}

/* 0 when added or skipped, else -errno. */
static int add_path_rule(int ruleset, const struct cabin_path_rule *r,
			 const char *home, int abi)
{
	struct ll_path_beneath_attr attr;
	char buf[PATH_MAX];
	struct stat st;
	int fd, err = 0;

	fd = resolve_path(r->path, home, buf, sizeof(buf));
	if (fd < 0) {
		if (r->optional && (fd == -ENOENT || fd == -ENOTDIR))
			return 0;
		return fd;
	}
	if (fstat(fd, &st) < 0) {
		err = -errno;
		goto out;
	}
	attr.allowed_access = fs_allowed(r->rights, abi, S_ISDIR(st.st_mode));
	attr.parent_fd = fd;
	/* An empty grant is the default already; the kernel refuses it. */
	if (attr.allowed_access && ll_add_rule(ruleset, LL_RULE_PATH_BENEATH,
					       &attr) < 0)
		err = -errno;
out:
	close(fd);
	return err;
}

static int add_port_rules(int ruleset, const uint16_t *ports, size_t n,
			  __u64 access)
{
	struct ll_net_port_attr attr = { .allowed_access = access };
	size_t i;

	for (i = 0; i < n; i++) {
		attr.port = ports[i];
		if (ll_add_rule(ruleset, LL_RULE_NET_PORT, &attr) < 0)
			return -errno;
	}
	return 0;
}

/* The attribute size the ABI knows, so older kernels see no new fields. */
static size_t ruleset_attr_size(int abi)
{
	if (abi >= 6)
		return sizeof(struct ll_ruleset_attr);
	if (abi >= 4)
		return offsetof(struct ll_ruleset_attr, scoped);
	return offsetof(struct ll_ruleset_attr, handled_access_net);
}

/* Abstract unix sockets reach outside both the file and network rules. */
static bool scope_abstract(const struct cabin_policy *p)
{
	return p->files_restricted || has_ports(p) ||
	       p->net == CABIN_NET_NONE || p->net == CABIN_NET_LOOPBACK;
}

static void build_attr(const struct cabin_policy *p, int abi,
		       bool scope_signals, struct ll_ruleset_attr *attr)
{
	memset(attr, 0, sizeof(*attr));
	if (p->files_restricted)
		attr->handled_access_fs = fs_handled(abi);
	if (abi >= 4 && p->nconnect_ports > 0)
		attr->handled_access_net |= LANDLOCK_ACCESS_NET_CONNECT_TCP;
	if (abi >= 4 && p->nbind_ports > 0)
		attr->handled_access_net |= LANDLOCK_ACCESS_NET_BIND_TCP;
	if (abi >= 6 && scope_signals)
		attr->scoped |= LANDLOCK_SCOPE_SIGNAL;
	if (abi >= 6 && scope_abstract(p))
		attr->scoped |= LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
}

static int add_rules(int ruleset, const struct cabin_policy *p,
		     const struct ll_ruleset_attr *attr, const char *home,
		     int abi, int *bad_rule)
{
	size_t i;
	int err;

	for (i = 0; attr->handled_access_fs && i < p->npaths; i++) {
		err = add_path_rule(ruleset, &p->paths[i], home, abi);
		if (err) {
			*bad_rule = (int)i;
			return err;
		}
	}
	if (attr->handled_access_net & LANDLOCK_ACCESS_NET_CONNECT_TCP) {
		err = add_port_rules(ruleset, p->connect_ports,
				     p->nconnect_ports,
				     LANDLOCK_ACCESS_NET_CONNECT_TCP);
		if (err)
			return err;
	}
	if (attr->handled_access_net & LANDLOCK_ACCESS_NET_BIND_TCP)
		return add_port_rules(ruleset, p->bind_ports, p->nbind_ports,
				      LANDLOCK_ACCESS_NET_BIND_TCP);
	return 0;
}

/*
 * mq_open opens a queue as a file of its IPC namespace's internal mqueue
 * mount, whose root no path rule can name: Landlock refused every queue.
 * The rule is on that file system's root (the same superblock as the
 * detached mount given), for opening queues to read and write.
 */
static int add_mqueue_rule(int ruleset, int root,
			   const struct ll_ruleset_attr *attr)
{
	struct ll_path_beneath_attr rule = {
		.allowed_access = (LANDLOCK_ACCESS_FS_READ_FILE |
				   LANDLOCK_ACCESS_FS_WRITE_FILE) &
				  attr->handled_access_fs,
		.parent_fd = root,
	};

	return ll_add_rule(ruleset, LL_RULE_PATH_BENEATH, &rule) < 0 ? -errno : 0;
}

int cabin_landlock_apply(const struct cabin_policy *p, const char *home,
			 bool scope_signals, int mqueue_root, int *bad_rule)
{
	struct ll_ruleset_attr attr;
	int abi, ruleset, err;

	*bad_rule = -1;
	if (!p->files_restricted && !has_ports(p) && !scope_signals &&
	    !scope_abstract(p))
		return 0;
	abi = cabin_landlock_abi();
	if (abi <= 0)
		return p->files_restricted || has_ports(p) ? -EOPNOTSUPP : 0;
	build_attr(p, abi, scope_signals, &attr);
	/* Ports below ABI 4 or scoping below ABI 6 only: a reported gap. */
	if (!attr.handled_access_fs && !attr.handled_access_net &&
	    !attr.scoped)
		return 0;
	ruleset = ll_create_ruleset(&attr, ruleset_attr_size(abi), 0);
	if (ruleset < 0)
		return -errno;
	err = add_rules(ruleset, p, &attr, home, abi, bad_rule);
	if (!err && mqueue_root >= 0 && attr.handled_access_fs)
		err = add_mqueue_rule(ruleset, mqueue_root, &attr);
	if (!err && ll_restrict_self(ruleset) < 0)
		err = -errno;
	close(ruleset);
	return err;
}

/*
 * A domain for the calling process in which it can make a socket file
 * only beneath dir, and is otherwise unrestricted (the network guard's
 * bind on the program's behalf, core/netguard_bindas.c).  Sets
 * no_new_privs, as Landlock requires without CAP_SYS_ADMIN.
 */
int cabin_landlock_make_sock_beneath(int dir)
{
	struct ll_ruleset_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_MAKE_SOCK,
	};
	struct ll_path_beneath_attr rule = {
		.allowed_access = LANDLOCK_ACCESS_FS_MAKE_SOCK,
		.parent_fd = dir,
	};
	int ruleset, err = 0;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	ruleset = ll_create_ruleset(&attr, sizeof(attr.handled_access_fs), 0);
	if (ruleset < 0)
		return -errno;
	if (ll_add_rule(ruleset, LL_RULE_PATH_BENEATH, &rule) < 0 ||
	    ll_restrict_self(ruleset) < 0)
		err = -errno;
	close(ruleset);
	return err;
}
