/*
 * Namespaces and mounts for the confined child.  A PID namespace needs an
 * init: the program must not be pid 1, where signals without a handler
 * are dropped and orphans pile up.  So, as bubblewrap does, a small init
 * runs as pid 1 and the program is pid 2; the process outside waits for
 * init and dies the way the program died, so cabin sees the same status.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/inherit.h"
#include "sandbox/kfiles.h"
#include "sandbox/sandbox.h"

static volatile pid_t forward_to;

/* A terminal's signal already reached the whole group: not twice. */
static void forward(int sig, siginfo_t *si, void *uctx)
{
	(void)uctx;
	if (forward_to > 0 && si->si_code != SI_KERNEL)
		kill(forward_to, sig);
}

static void forward_signals(pid_t to)
{
	/* SIGRTMAX - 1: the kvm monitor's time limit (platform/kvm/vmm/signals.h). */
	const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1,
			     SIGUSR2, SIGWINCH, SIGCONT, SIGRTMAX - 1 };
	struct sigaction sa;
	size_t i;

	forward_to = to;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = forward;
	sa.sa_flags = SA_RESTART | SA_SIGINFO;
	for (i = 0; i < sizeof(sigs) / sizeof(*sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

void cabin_exit_as(int status)
{
	struct rlimit no_core = { 0, 0 };
	sigset_t all;
	int sig;

	if (!WIFSIGNALED(status))
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 125);
	sig = WTERMSIG(status);
	setrlimit(RLIMIT_CORE, &no_core);
	signal(sig, SIG_DFL);
	sigfillset(&all);
	sigdelset(&all, sig);
	sigprocmask(SIG_SETMASK, &all, NULL);
	kill(getpid(), sig);
	_exit(128 + sig);
}

/* pid 1: reap everything, leave when the program does. */
static void __attribute__((noreturn)) run_init(pid_t program, int status_fd)
{
	int status;
	pid_t pid;

	forward_signals(program);
	for (;;) {
		pid = waitpid(-1, &status, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0 || pid == program)
			break;
	}
	if (pid < 0)
		status = 125 << 8;
	if (write(status_fd, &status, sizeof(status)) != sizeof(status))
		_exit(125);
	_exit(0);
}

/* Outside the namespace: wait for init, then mirror the program. */
static void __attribute__((noreturn)) run_outside(pid_t init, int status_fd)
{
	int status, program_status;
	pid_t pid;

	forward_signals(init);
	do
		pid = waitpid(init, &status, 0);
	while (pid < 0 && errno == EINTR);
	if (read(status_fd, &program_status, sizeof(program_status)) !=
	    sizeof(program_status))
		program_status = pid < 0 ? 125 << 8 : status;
	cabin_exit_as(program_status);
}

static int mount_proc(void)
{
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		return -errno;
	return 0;
}

static int enter_pid_namespace(const struct cabin_sandbox *sb, int err_fd)
{
	int status_pipe[2], err;
	pid_t init, program;

	if (pipe2(status_pipe, O_CLOEXEC) < 0)
		return -errno;
	init = fork();
	if (init < 0)
		return -errno;
	if (init > 0) {
		close(err_fd);
		close(status_pipe[1]);
		cabin_inherit_close_all_but(status_pipe[0]);
		run_outside(init, status_pipe[0]);
	}
	close(status_pipe[0]);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* The namespace's own /proc, so the program sees only its tree. */
	if (sb->unshare_flags & CLONE_NEWNS) {
		err = mount_proc();
		if (!err && sb->protect_kernel)
			err = cabin_kfiles_protect_proc();
		if (err < 0)
			return err;
	}
	program = fork();
	if (program < 0)
		return -errno;
	if (program > 0) {
		close(err_fd);
		cabin_inherit_close_all_but(status_pipe[1]);
		run_init(program, status_pipe[1]);
	}
	close(status_pipe[1]);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	return 0;
}

static int loopback_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int err = 0;

	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		err = -errno;
	} else {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			err = -errno;
	}
	close(fd);
	return err;
}

/* cabin's own binary, bound read-only over itself. */
static int protect_self(const struct cabin_sandbox *sb)
{
	if (sb->protect_path &&
	    (mount(sb->protect_path, sb->protect_path, NULL, MS_BIND,
		   NULL) < 0 ||
	     mount(NULL, sb->protect_path, NULL,
		   MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID, NULL) < 0))
		return -errno;
	return 0;
}

/* What the policy takes away; then cabin's binary is covered again. */
static int narrow(const struct cabin_sandbox *sb)
{
	int failed = (int)sb->nnarrow, err;

	if (!sb->nnarrow)
		return 0;
	err = cabin_narrow_apply(sb->narrow, sb->nnarrow, sb->cwd, &failed);
	/* Gone: under the private /tmp, where the program cannot reach it. */
	if (!err && access(sb->protect_path ? sb->protect_path : "/", F_OK) == 0)
		err = protect_self(sb);
	if (err < 0 && sb->narrow_failed)
		*sb->narrow_failed = failed;
	return err;
}

static int setup_mounts(const struct cabin_sandbox *sb)
{
	int err;

	/* Nothing done here may propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	/* Before any mount here covers one: reached by its own path. */
	if (sb->protect_cgroups) {
		err = cabin_kfiles_protect_cgroups();
		if (err < 0)
			return err;
	}
	/* Before /tmp is replaced: the binary may live there. */
	err = protect_self(sb);
	if (err < 0)
		return err;
	/* POSIX shared memory and semaphores live in /dev/shm: private too. */
	if (sb->private_tmp &&
	    (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
		   "mode=1777") < 0 ||
	     (access("/dev/shm", F_OK) == 0 &&
	      mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV,
		    "mode=1777") < 0)))
		return -errno;
	/* Before the kernel's files: nothing given back may reach them. */
	err = narrow(sb);
	if (err < 0 || !sb->protect_kernel)
		return err;
	/* Without a PID namespace, the /proc of the host. */
	if (!(sb->unshare_flags & CLONE_NEWPID)) {
		err = cabin_kfiles_protect_proc();
		if (err < 0)
			return err;
	}
	return cabin_kfiles_protect_sys_dev(sb->terminal_fd);
}

/*
 * The message-queue file system of the IPC namespace just made, as a
 * detached mount (the same superblock as the namespace's own internal
 * mount, which mq_open uses): the Landlock rule that lets the program
 * open its queues is put on its root.  Without the mount API, -errno,
 * and queues stay refused under file rules.
 */
static int open_mqueue_root(void)
{
	int fs, mnt;

	fs = (int)syscall(SYS_fsopen, "mqueue", FSOPEN_CLOEXEC);
	if (fs < 0)
		return -errno;
	mnt = (int)syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
	if (!mnt)
		mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC,
				   MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
				   MOUNT_ATTR_NOEXEC);
	if (mnt < 0)
		mnt = -errno;
	close(fs);
	return mnt;
}

int cabin_sandbox_enter(const struct cabin_sandbox *sb, int err_fd)
{
	bool mount_ns = sb->unshare_flags & CLONE_NEWNS;
	int err;

	if (!sb->unshare_flags)
		return 0;
	if (unshare(sb->unshare_flags) < 0)
		return -errno;
	/* The new UTS namespace's: the machine's name is never touched. */
	if (sb->hostname && (sb->unshare_flags & CLONE_NEWUTS) &&
	    sethostname(sb->hostname, strlen(sb->hostname)) < 0)
		return -errno;
	if (mount_ns) {
		err = setup_mounts(sb);
		if (err < 0)
			return err;
	}
	if ((sb->unshare_flags & CLONE_NEWIPC) && sb->mqueue_root) {
		err = open_mqueue_root();
		*sb->mqueue_root = err < 0 ? -1 : err;
	}
	if (sb->unshare_flags & CLONE_NEWNET) {
		err = loopback_up();
		if (err < 0)
			return err;
	}
	if (sb->unshare_flags & CLONE_NEWPID)
		return enter_pid_namespace(sb, err_fd);
	return 0;
}

int cabin_sandbox_rlimits(const struct cabin_sandbox *sb)
{
	int i;

	for (i = 0; i < sb->nrlimits; i++) {
		if (setrlimit(sb->rlimits[i].resource, &sb->rlimits[i].lim) < 0)
			return -errno;
	}
	return 0;
}
