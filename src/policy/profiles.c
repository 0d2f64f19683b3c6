/*
 * The built-in profiles, kept as policy text so that `cabin policy show`
 * prints exactly what a policy starting with `profile NAME` inherits, and
 * users can copy one as the start of their own.
 */
#include <string.h>

#include "policy/policy.h"

#define DENY_LIST \
	"# Other processes: tracing them and reading or writing their memory.\n" \
	"# ptrace is emulated for tracers of the tree (cabin's own rules).\n" \
	"syscall deny(EPERM) process_vm_readv process_vm_writev\n" \
	"# The kernel itself: new kernels, power, modules, swap.\n" \
	"syscall deny(EPERM) @reboot @module @swap\n" \
	"# The file-system tree.\n" \
	"syscall deny(EPERM) mount umount2 pivot_root\n" \
	"# Large kernel attack surface.\n" \
	"syscall deny(EPERM) bpf perf_event_open userfaultfd\n" \
	"# Keyrings are shared beyond the sandbox.\n" \
	"syscall deny(EPERM) @keyring\n" \
	"# io_uring performs syscalls the filter never sees.\n" \
	"syscall deny(EPERM) @io-uring\n" \
	"# Typing into the terminal of whoever started cabin (TIOCSTI), and\n" \
	"# the console's own commands (TIOCLINUX).\n" \
	"syscall deny(EPERM) ioctl when arg1 & 0xffffffff == 0x5412\n" \
	"syscall deny(EPERM) ioctl when arg1 & 0xffffffff == 0x541c\n" \
	"# userfaultfd from /dev/userfaultfd (USERFAULTFD_IOC_NEW).\n" \
	"syscall deny(EPERM) ioctl when arg1 & 0xffffffff == 0xaa00\n" \
	"# Memory cabin cannot read while the kernel can: what the program\n" \
	"# names there would go unseen (ENOSYS, as where it is not built).\n" \
	"syscall deny(ENOSYS) memfd_secret\n"

static const char profile_default[] =
	"# Profile 'default': ordinary command-line programs, shells,\n"
	"# python3 and compilers work; the program sees the system read-only\n"
	"# and may write only in the working directory and a private /tmp.\n"
	"\n"
	"# Every syscall runs in the kernel, except those that reach beyond\n"
	"# the sandbox.\n"
	"syscall default allow\n"
	DENY_LIST
	"\n"
	"# Every directory may be listed (names, not contents), so that\n"
	"# `ls /`, `find` and path searches work.\n"
	"files list /\n"
	"# Programs and libraries.\n"
	"files read,exec /usr /bin /sbin ?/lib ?/lib32 ?/lib64 ?/libx32 ?/opt\n"
	"# Configuration and system information, read-only.\n"
	"files read /etc ?/proc ?/sys ?/run ?/var/lib ?/usr/share\n"
	"# The usual devices.\n"
	"files read,write,ioctl /dev/null /dev/zero /dev/full /dev/random\n"
	"files read,write,ioctl /dev/urandom ?/dev/tty ?/dev/pts ?/dev/ptmx\n"
	"# The working directory, /tmp and /dev/shm (private: see 'tmp').\n"
	"files all . /tmp ?/dev/shm\n"
	"\n"
	"# Only 127.0.0.0/8, ::1 and AF_UNIX sockets.\n"
	"network loopback\n"
	"\n"
	"# Own process, IPC, host-name and mount namespaces; the network\n"
	"# namespace is shared so that loopback services stay reachable.\n"
	"isolate pid,ipc,uts,mount\n"
	"# An empty /tmp and /dev/shm of its own, gone after the run.\n"
	"tmp private\n";

static const char profile_strict[] =
	"# Profile 'strict': computation on descriptors that are already\n"
	"# open (stdin, stdout, stderr).  A dynamically linked program can\n"
	"# start, read its input, write its output, use threads and exit;\n"
	"# it can open nothing but its libraries: `sha256sum < file` and\n"
	"# `cat` of stdin work, `cat file` does not.\n"
	"\n"
	"# Everything not listed fails with EPERM and is reported.\n"
	"syscall default deny(EPERM)\n"
	"# The first exec (execveat: cabin runs a program the private /tmp\n"
	"# hides through its descriptor), and what the loader does to start.\n"
	"syscall allow execve execveat brk mmap mprotect munmap mremap madvise\n"
	"syscall allow arch_prctl set_tid_address set_robust_list rseq\n"
	"syscall allow prlimit64 getrandom\n"
	"syscall allow openat open close fstat stat lstat newfstatat statx\n"
	"syscall allow lseek access faccessat faccessat2 readlink readlinkat\n"
	"syscall allow fadvise64 getcwd\n"
	"# Reading and writing open descriptors.\n"
	"syscall allow read pread64 readv preadv write pwrite64 writev pwritev\n"
	"syscall allow copy_file_range sendfile splice\n"
	"syscall allow dup dup2 dup3 fcntl ioctl pipe pipe2 close_range\n"
	"syscall allow poll ppoll select pselect6\n"
	"syscall deny(EPERM) ioctl when arg1 & 0xffffffff == 0x5412\n"
	"syscall deny(EPERM) ioctl when arg1 & 0xffffffff == 0x541c\n"
	"syscall deny(EPERM) ioctl when arg1 & 0xffffffff == 0xaa00\n"
	"# Threads, signals, time and identity.\n"
	"syscall allow clone futex sched_yield sched_getaffinity membarrier\n"
	"syscall allow rt_sigaction rt_sigprocmask rt_sigreturn sigaltstack\n"
	"syscall allow tgkill exit exit_group wait4\n"
	"syscall allow clock_gettime clock_getres clock_nanosleep nanosleep\n"
	"syscall allow gettimeofday time getpid getppid gettid uname sysinfo\n"
	"syscall allow getuid geteuid getgid getegid getgroups\n"
	"# libc tries clone3 first and falls back to clone only on ENOSYS.\n"
	"syscall deny(ENOSYS) clone3\n"
	"\n"
	"# The loader's files, and nothing else.\n"
	"files read,exec /usr ?/lib ?/lib64 ?/lib32\n"
	"files read ?/etc/ld.so.cache ?/etc/ld.so.preload ?/etc/localtime\n"
	"\n"
	"network none\n"
	"\n"
	"# Threads count against procs.\n"
	"limit procs 64\n"
	"\n"
	"isolate all\n"
	"tmp private\n";

static const char profile_trace[] =
	"# Profile 'trace': see everything a program does.  Every syscall\n"
	"# stops in the proxy kernel and is recorded; the same calls as in\n"
	"# 'default' are denied; files and network are not restricted.\n"
	"\n"
	"syscall default trace\n"
	DENY_LIST
	"\n"
	"network host\n";

static const char profile_none[] =
	"# Profile 'none': no seccomp filter and no Landlock rules, for\n"
	"# comparing a confined run with an unconfined one.  The proxy kernel\n"
	"# still follows the program's processes.\n"
	"\n"
	"syscall filter off\n";

const char *const cabin_profile_names[] = {
	"default", "strict", "trace", "none", NULL,
};

static const char *const profile_texts[] = {
	profile_default, profile_strict, profile_trace, profile_none,
};

const char *cabin_profile_text(const char *name)
{
	size_t i;

	for (i = 0; cabin_profile_names[i]; i++)
		if (!strcmp(name, cabin_profile_names[i]))
			return profile_texts[i];
	return NULL;
}
