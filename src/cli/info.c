/*
 * `cabin info`: shows what the machine offers and, for each missing
 * feature, why it is missing and which Cabin option it takes away.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cabin/cabin.h"
#include "cabin/info.h"
#include "cli/commands.h"

#define LABEL_WIDTH 22

static const char info_usage[] =
	"Usage: cabin info [--json]\n"
	"\n"
	"Report which kernel and CPU features this machine offers to cabin.\n"
	"\n"
	"  --json      print one flat JSON object instead of a table\n"
	"  -h, --help  show this help and exit\n";

/*
 * Symbolic names read better than strerror text for the usual causes;
 * others are written into buf.
 */
static const char *errno_name(int err, char *buf, size_t len)
{
	switch (err) {
	case EPERM:
		return "EPERM";
	case ENOENT:
		return "ENOENT";
	case EACCES:
		return "EACCES";
	case EBUSY:
		return "EBUSY";
	case ENODEV:
		return "ENODEV";
	case ENXIO:
		return "ENXIO";
	case EINVAL:
		return "EINVAL";
	case ENOSYS:
		return "ENOSYS";
	case EPROTO:
		return "EPROTO";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	}
	snprintf(buf, len, "errno %d", err);
	return buf;
}

static void row(const char *label, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void row(const char *label, const char *fmt, ...)
{
	va_list ap;

	printf("%-*s ", LABEL_WIDTH - 1, label);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static const char *landlock_reason(int err, char *buf, size_t len)
{
	switch (err) {
	case EOPNOTSUPP:
		return "EOPNOTSUPP: disabled at boot, not in lsm=";
	case ENOSYS:
		return "ENOSYS: not built in, or filtered";
	}
	return errno_name(err, buf, len);
}

static const char *kvm_reason(int err, char *buf, size_t len)
{
	switch (err) {
	case EACCES:
		return "EACCES: no permission, not in the kvm group?";
	case EPROTO:
		return "unexpected KVM API version";
	}
	return errno_name(err, buf, len);
}

static bool is_x86(const struct cabin_info *p)
{
	return !strcmp(p->machine, "x86_64") || !strcmp(p->machine, "i686") ||
	       !strcmp(p->machine, "i386");
}

/* The kvm platform's verdict, and what its guest will lack. */
static void print_kvm_verdict(const struct cabin_info *p)
{
	if (p->kvm_platform)
		row("kvm platform", "available: %s", p->kvm_verdict);
	else
		row("kvm platform", "unavailable: %s: --platform kvm refused",
		    p->kvm_verdict);
	if (!p->kvm_guest_known)
		return;
	if (!p->kvm_guest_lacks[0])
		row("kvm guest", "SMEP, SMAP and PKU offered (KVM_GET_SUPPORTED_CPUID)");
	else
		row("kvm guest", "lacks %s (KVM_GET_SUPPORTED_CPUID):%s%s",
		    p->kvm_guest_lacks,
		    p->kvm_guest_pku ? "" : " --xom refused;",
		    p->kvm_guest_smep && p->kvm_guest_smap ? "" :
		    " runs need --unsafe-disable for the missing SMEP/SMAP");
}

/* Which whole-tree limits a run may ask for, and what stands in. */
static void print_cgroup(const struct cabin_info *p)
{
	char opts[64] = "";

	if (p->cgroup_memory && p->cgroup_pids && p->cgroup_cpu) {
		row("whole-tree limits", "yes (cgroup v2): --memory, --pids-max, --cpu-max");
		return;
	}
	snprintf(opts, sizeof(opts), "%s%s%s",
		 p->cgroup_memory ? "" : " --memory",
		 p->cgroup_pids ? "" : " --pids-max",
		 p->cgroup_cpu ? "" : " --cpu-max");
	row("whole-tree limits", "%s (%s):%s refused; instead --rlimit-as, --rlimit-cpu (each process), --max-procs (counted by cabin)",
	    p->cgroup_memory || p->cgroup_pids || p->cgroup_cpu ? "partly" :
	    "no", p->cgroup_why, opts);
}

static void print_table(const struct cabin_info *p)
{
	char buf[24];

	row("kernel", "%s (%s)", p->kernel_release, p->machine);

	if (p->seccomp_filter)
		row("seccomp filter", "yes (RET_TRACE%s)",
		    p->seccomp_kill_process ? ", RET_KILL_PROCESS" :
					      "; no RET_KILL_PROCESS");
	else
		row("seccomp filter",
		    "no (no filter mode with RET_TRACE): cabin run unavailable");

	if (p->seccomp_user_notif)
		row("seccomp user notif", "yes");
	else
		row("seccomp user notif",
		    "no (RET_USER_NOTIF not offered, kernel < 5.0?): "
		    "user-space syscall supervision unavailable");

	if (p->landlock_abi > 0)
		row("landlock", "ABI %d", p->landlock_abi);
	else
		row("landlock", "no (%s): filesystem rules unavailable",
		    landlock_reason(p->landlock_errno, buf, sizeof(buf)));

	if (p->syscall_user_dispatch)
		row("syscall user dispatch", "yes");
	else
		row("syscall user dispatch",
		    "no (kernel < 5.11 or not built in): "
		    "in-process syscall interception unavailable");

	if (p->pkeys_os)
		row("protection keys", "yes");
	else if (!is_x86(p))
		row("protection keys", "no (not x86): --xom unavailable");
	else if (!p->pkeys_cpu)
		row("protection keys", "no (CPU lacks PKU): --xom unavailable");
	else
		row("protection keys",
		    "no (CPU has PKU, kernel does not enable it): "
		    "--xom unavailable");

	if (p->user_namespaces)
		row("user namespaces", "yes");
	else
		row("user namespaces", "no (%s): namespace isolation unavailable",
		    p->user_namespaces_why);

	if (strcmp(p->machine, "x86_64"))
		row("ia32 emulation", "n/a (not x86_64)");
	else if (p->ia32_emulation)
		row("ia32 emulation",
		    "yes (int 0x80 syscalls are killed by cabin)");
	else
		row("ia32 emulation", "no (int 0x80 faults, nothing to guard)");

	if (p->kvm_usable)
		row("/dev/kvm", "yes (API 12)");
	else if (!p->kvm_present)
		row("/dev/kvm", "absent: --platform kvm unavailable");
	else
		row("/dev/kvm", "no (%s): --platform kvm unavailable",
		    kvm_reason(p->kvm_errno, buf, sizeof(buf)));

	print_kvm_verdict(p);
	row("cabin_enter", "libcabin confines a running process on: %s; the other platforms refuse it (kvm: a later version)",
	    p->enter_platforms[0] ? p->enter_platforms : "none");

	if (p->sev_snp_guest)
		row("SEV-SNP guest", "yes");
	else
		row("SEV-SNP guest", "no: --platform snp unavailable");

	print_cgroup(p);

	switch (p->yama_ptrace_scope) {
	case -1:
		row("ptrace", "usable (no Yama)");
		break;
	case 0:
		row("ptrace", "usable (Yama scope 0)");
		break;
	case 1:
		row("ptrace", "usable (Yama scope 1: descendants only)");
		break;
	case 2:
		row("ptrace", "no (Yama scope 2: CAP_SYS_PTRACE only): "
		    "cabin run unavailable");
		break;
	default:
		row("ptrace", "no (Yama scope %d: ptrace disabled): "
		    "cabin run unavailable", p->yama_ptrace_scope);
		break;
	}
}

static void json_string(const char *key, const char *val, bool last)
{
	const unsigned char *s;

	printf("  \"%s\": \"", key);
	for (s = (const unsigned char *)val; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if (*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	printf("\"%s\n", last ? "" : ",");
}

static void json_bool(const char *key, bool val)
{
	printf("  \"%s\": %s,\n", key, val ? "true" : "false");
}

static void json_int(const char *key, int val, bool last)
{
	printf("  \"%s\": %d%s\n", key, val, last ? "" : ",");
}

static void print_json(const struct cabin_info *p)
{
	printf("{\n");
	json_string("kernel_release", p->kernel_release, false);
	json_string("machine", p->machine, false);
	json_bool("seccomp_filter", p->seccomp_filter);
	json_bool("seccomp_user_notif", p->seccomp_user_notif);
	json_bool("seccomp_kill_process", p->seccomp_kill_process);
	json_int("landlock_abi", p->landlock_abi, false);
	json_int("landlock_errno", p->landlock_errno, false);
	json_bool("syscall_user_dispatch", p->syscall_user_dispatch);
	json_bool("pkeys_cpu", p->pkeys_cpu);
	json_bool("pkeys_os", p->pkeys_os);
	json_bool("user_namespaces", p->user_namespaces);
	json_bool("ia32_emulation", p->ia32_emulation);
	json_bool("kvm_present", p->kvm_present);
	json_bool("kvm_usable", p->kvm_usable);
	json_int("kvm_errno", p->kvm_errno, false);
	json_bool("kvm_platform", p->kvm_platform);
	json_string("kvm_verdict", p->kvm_verdict, false);
	json_string("kvm_canary", p->kvm_canary, false);
	json_string("enter_platforms", p->enter_platforms, false);
	json_bool("kvm_pvm", p->kvm_pvm);
	json_bool("cpu_vmx_svm", p->cpu_vmx_svm);
	json_bool("kvm_guest_smep", p->kvm_guest_smep);
	json_bool("kvm_guest_smap", p->kvm_guest_smap);
	json_bool("kvm_guest_pku", p->kvm_guest_pku);
	json_string("kvm_guest_lacks",
		    p->kvm_guest_known ? p->kvm_guest_lacks : "unknown", false);
	json_bool("sev_snp_guest", p->sev_snp_guest);
	json_bool("ptrace_usable", p->ptrace_usable);
	json_bool("cgroup_memory", p->cgroup_memory);
	json_bool("cgroup_pids", p->cgroup_pids);
	json_bool("cgroup_cpu", p->cgroup_cpu);
	json_string("cgroup_why", p->cgroup_why, false);
	json_int("yama_ptrace_scope", p->yama_ptrace_scope, true);
	printf("}\n");
}

/* argv[0] is the subcommand name itself, as with any main(). */
int cabin_cmd_info(int argc, char **argv)
{
	struct cabin_info info;
	bool json = false;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--help") ||
			   !strcmp(argv[i], "-h")) {
			fputs(info_usage, stdout);
			return 0;
		} else {
			fprintf(stderr,
				"cabin: unknown option '%s'; see 'cabin info --help'\n",
				argv[i]);
			return CABIN_EXIT_INTERNAL;
		}
	}

	cabin_info_gather(&info);
	if (json)
		print_json(&info);
	else
		print_table(&info);

	/* A truncated report (full disk, closed pipe) must not look valid. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "cabin info: cannot write report: %s\n",
			strerror(errno));
		return CABIN_EXIT_INTERNAL;
	}
	return 0;
}
