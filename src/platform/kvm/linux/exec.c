/*
 * The loader: validate the files (elf.c plans them), then replace the
 * address space, copy the segments in, set their protections, and write
 * the initial stack with its strings, vectors and auxiliary vector.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "platform/kvm/shared/abi.h"
#include "platform/kvm/linux/elf.h"
#include "platform/kvm/linux/exec.h"
#include "util/procfs.h"

#define PIE_BASE	0x1000000ull
#define MAX_ARGS_BYTES	(2u << 20)
#define MAX_SCRIPTS	4

struct image {
	unsigned char *bytes;
	size_t size;
	struct cabin_elf_plan plan;
	char path[4096];
};

static int say(char *why, size_t len, int err, const char *fmt, const char *a)
{
	snprintf(why, len, fmt, a);
	return err;
}

/* What execve asks of the program's file itself: x bits, no noexec mount. */
static int executable(int fd)
{
	struct statvfs vfs;
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
		return -EACCES;
	if (fstatvfs(fd, &vfs) == 0 && (vfs.f_flag & ST_NOEXEC))
		return -EACCES;
	return 0;
}

static int read_all(int fd, struct image *im)
{
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	if ((uint64_t)st.st_size > CABIN_ELF_MAX_FILE)
		return -ENOEXEC;
	im->size = (size_t)st.st_size;
	im->bytes = malloc(im->size ? im->size : 1);
	if (!im->bytes)
		return -ENOMEM;
	n = cabin_kvm_pread_all(fd, im->bytes, im->size, 0);
	if (n < 0)
		return (int)n;
	return (size_t)n == im->size ? 0 : -ENOEXEC;
}

static int open_image(const char *path, int fd, bool program,
		      struct image *im)
{
	int own = -1, err;

	memset(im, 0, sizeof(*im));
	snprintf(im->path, sizeof(im->path), "%s", path);
	if (fd >= 0) {
		/* cabin holds the program as an O_PATH descriptor. */
		char link[CABIN_UTIL_FD_PATH_MAX];

		cabin_util_fd_path(fd, link, sizeof(link));
		own = fd = open(link, O_RDONLY | O_CLOEXEC);
	} else {
		/* A script's or ELF's interpreter: no /proc magic link (the monitor's). */
		struct open_how how = {
			.flags = O_RDONLY | O_CLOEXEC,
			.resolve = RESOLVE_NO_MAGICLINKS,
		};

		own = fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how,
					sizeof(how));
		if (fd < 0 && errno == ENOSYS)
			own = fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return -errno;
	err = program ? executable(fd) : 0;
	if (!err)
		err = read_all(fd, im);
	if (own >= 0)
		close(own);
	return err;
}

static void drop_image(struct image *im)
{
	free(im->bytes);
	im->bytes = NULL;
}

/* The protection of one page: the union of the segments on it. */
static unsigned int page_prot(const struct cabin_kvm_mm *mm,
			      const struct cabin_elf_plan *pl, uint64_t a,
			      uint64_t *foff)
{
	unsigned int prot = 0;
	size_t i;

	for (i = 0; i < pl->nseg; i++) {
		const struct cabin_elf_segment *s = &pl->seg[i];

		if (s->vaddr < a + CABIN_KVM_PAGE && a < s->vaddr + s->memsz) {
			prot |= cabin_kvm_mm_gmem_prot(mm, (int)s->prot);
			*foff = a >= s->vaddr ? s->offset + (a - s->vaddr)
					      : s->offset - (s->vaddr - a);
		}
	}
	return prot;
}

/* Pages get their segments' protection; gaps stay PROT_NONE. */
static int protect_segments(struct cabin_kvm_mm *mm, const struct image *im,
			    uint64_t bias, unsigned int tag)
{
	const struct cabin_elf_plan *pl = &im->plan;
	uint64_t a, run = pl->lo, run_foff = 0;
	unsigned int run_prot = 0;
	int err;

	for (a = pl->lo; a < pl->hi; a += CABIN_KVM_PAGE) {
		uint64_t foff = 0;
		unsigned int prot = page_prot(mm, pl, a, &foff);

		if (a == pl->lo) {
			run_prot = prot;
			run_foff = foff;
		} else if (prot != run_prot || foff != run_foff + (a - run)) {
			err = cabin_kvm_mm_set_views(mm, bias + run, a - run,
						     run_prot, tag, run_foff);
			if (err)
				return err;
			run = a;
			run_prot = prot;
			run_foff = foff;
		}
	}
	return cabin_kvm_mm_set_views(mm, bias + run, pl->hi - run, run_prot,
				      tag, run_foff);
}

static int load_image(struct cabin_kvm_mm *mm, const struct image *im,
		      uint64_t bias)
{
	const struct cabin_elf_plan *pl = &im->plan;
	uint64_t start = bias + pl->lo, span = pl->hi - pl->lo;
	int err;

	err = cabin_kvm_mm_place(mm, start, span, CABIN_GMEM_R | CABIN_GMEM_W,
				 CABIN_KVM_TAG_ANON);
	if (!err)
		err = cabin_elf_load(im->bytes, im->size, pl, bias,
				     mm->vm->mem.host, mm->vm->mem.size, 0);
	if (!err)
		err = protect_segments(mm, im, bias,
				       cabin_kvm_mm_tag(mm, im->path, false));
	return err;
}

static bool fits(const struct cabin_kvm_mm *mm, uint64_t bias,
		 const struct cabin_elf_plan *pl)
{
	return bias + pl->lo >= CABIN_KVM_USER_MIN &&
	       bias + pl->hi <= mm->stack_lo - (1ull << 20) &&
	       bias + pl->lo < bias + pl->hi;
}

/* Strings and pointers, top down from the stack's end. */
struct stack {
	unsigned char *host;	/* host address of guest 0 */
	uint64_t sp, lo;
};

static int push_bytes(struct stack *st, const void *p, size_t n,
		      uint64_t *at)
{
	if (st->sp - st->lo < n + 64)
		return -E2BIG;
	st->sp -= n;
	memcpy(st->host + st->sp, p, n);
	*at = st->sp;
	return 0;
}

static size_t count(char *const v[])
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

static int push_strings(struct stack *st, char *const v[], size_t n,
			uint64_t *at)
{
	size_t i;
	int err;

	for (i = n; i-- > 0;) {
		err = push_bytes(st, v[i], strlen(v[i]) + 1, &at[i]);
		if (err)
			return err;
	}
	return 0;
}

struct auxv_in {
	uint64_t phdr, phnum, entry, base;
};

static int build_stack(struct cabin_kvm_mm *mm, const char *execfn,
		       char *const argv[], char *const envp[],
		       const struct auxv_in *ai, uint64_t *sp_out)
{
	struct stack st = { mm->vm->mem.host, mm->stack_hi,
			    mm->stack_hi - MAX_ARGS_BYTES };
	size_t argc = count(argv), envc = count(envp), nwords, w = 0, i;
	uint64_t *argp, *envpp, fn, plat, rnd, *words;
	unsigned char random[16];
	int err;

	argp = calloc(argc + 1, sizeof(*argp));
	envpp = calloc(envc + 1, sizeof(*envpp));
	if (!argp || !envpp) {
		err = -ENOMEM;
		goto out;
	}
	if (getrandom(random, sizeof(random), 0) != sizeof(random)) {
		err = -EIO;
		goto out;
	}
	err = push_bytes(&st, execfn, strlen(execfn) + 1, &fn);
	if (!err)
		err = push_strings(&st, envp, envc, envpp);
	if (!err)
		err = push_strings(&st, argv, argc, argp);
	if (!err)
		err = push_bytes(&st, "x86_64", 7, &plat);
	if (!err)
		err = push_bytes(&st, random, sizeof(random), &rnd);
	if (err)
		goto out;
	{
		const uint64_t aux[][2] = {
			{ AT_PHDR, ai->phdr }, { AT_PHENT, sizeof(Elf64_Phdr) },
			{ AT_PHNUM, ai->phnum }, { AT_PAGESZ, CABIN_KVM_PAGE },
			{ AT_BASE, ai->base }, { AT_FLAGS, 0 },
			{ AT_ENTRY, ai->entry }, { AT_UID, getuid() },
			{ AT_EUID, geteuid() }, { AT_GID, getgid() },
			{ AT_EGID, getegid() }, { AT_SECURE, 0 },
			{ AT_RANDOM, rnd }, { AT_HWCAP, getauxval(AT_HWCAP) },
			{ AT_CLKTCK, 100 }, { AT_PLATFORM, plat },
			{ AT_EXECFN, fn }, { AT_NULL, 0 },
		};
		size_t naux = sizeof(aux) / sizeof(aux[0]);

		nwords = 1 + argc + 1 + envc + 1 + 2 * naux;
		if (nwords * 8 + 64 > st.sp - st.lo) {
			err = -E2BIG;
			goto out;
		}
		st.sp = (st.sp - nwords * 8) & ~15ull;
		words = (uint64_t *)(st.host + st.sp);
		words[w++] = argc;
		for (i = 0; i < argc; i++)
			words[w++] = argp[i];
		words[w++] = 0;
		for (i = 0; i < envc; i++)
			words[w++] = envpp[i];
		words[w++] = 0;
		_Static_assert(sizeof(aux) / sizeof(aux[0]) <= CABIN_KVM_AUXV_MAX,
			       "mm keeps the whole auxv");
		for (i = 0; i < naux; i++) {
			words[w++] = aux[i][0];
			words[w++] = aux[i][1];
		}
		memcpy(mm->auxv, aux, sizeof(aux));
		mm->auxv_words = 2 * naux;
	}
	*sp_out = st.sp;
out:
	free(argp);
	free(envpp);
	return err;
}

/* The interpreter of a "#!" line, its one optional argument. */
static int parse_script(const struct image *im, char *interp, size_t ilen,
			char *arg, size_t alen)
{
	char line[256];
	size_t n = im->size < sizeof(line) - 1 ? im->size : sizeof(line) - 1;
	char *p, *end, *a;

	memcpy(line, im->bytes, n);
	line[n] = '\0';
	end = strchr(line, '\n');
	if (!end)
		return -ENOEXEC;
	*end = '\0';
	for (p = line + 2; *p == ' ' || *p == '\t'; p++)
		;
	a = p + strcspn(p, " \t");
	if (*a) {
		*a++ = '\0';
		while (*a == ' ' || *a == '\t')
			a++;
		/* Linux keeps the rest of the line as one argument. */
		for (end = a + strlen(a); end > a && (end[-1] == ' ' ||
						       end[-1] == '\t');)
			*--end = '\0';
	}
	if (!*p)
		return -ENOEXEC;
	snprintf(interp, ilen, "%s", p);
	snprintf(arg, alen, "%s", a);
	return 0;
}

static int prepare_interp(const struct image *main, struct image *interp,
			  char *why, size_t whylen)
{
	const char *bad;
	int err;

	if (!main->plan.interp[0])
		return 0;
	err = open_image(main->plan.interp, -1, false, interp);
	if (err) {
		snprintf(why, whylen, "its loader %s cannot be read: %s",
			 main->plan.interp, strerror(-err));
		return err;
	}
	err = cabin_elf_plan(interp->bytes, interp->size, &interp->plan, &bad);
	if (err || !interp->plan.pie || interp->plan.interp[0])
		return say(why, whylen, -ENOEXEC, "its loader %s is not a usable ELF loader",
			   main->plan.interp);
	return 0;
}

/* Under W^X no segment may be writable and executable at once. */
static bool wx_clean(const struct cabin_elf_plan *pl)
{
	size_t i;

	for (i = 0; i < pl->nseg; i++)
		if ((pl->seg[i].prot & PROT_WRITE) && (pl->seg[i].prot & PROT_EXEC))
			return false;
	return true;
}

/* Bytes the strings and vectors of the new stack take, roughly. */
static size_t args_size(char *const argv[], char *const envp[])
{
	size_t n = 256, i;

	for (i = 0; argv && argv[i]; i++)
		n += strlen(argv[i]) + 1 + 8;
	for (i = 0; envp && envp[i]; i++)
		n += strlen(envp[i]) + 1 + 8;
	return n;
}

static int load_all(struct cabin_kvm_mm *mm, struct image *main,
		    struct image *interp, const char *execfn,
		    char *const argv[], char *const envp[],
		    struct cabin_kvm_start *out, char *why, size_t whylen)
{
	uint64_t bias = main->plan.pie ? PIE_BASE - main->plan.lo : 0;
	uint64_t ibias = 0, span;
	struct auxv_in ai;
	int err;

	/* Everything that can fail is checked before the old image goes. */
	if (main->plan.pie && main->plan.lo >= PIE_BASE)
		bias = 0;
	if (!fits(mm, bias, &main->plan))
		return say(why, whylen, -ENOMEM, "%s does not fit the guest's address space",
			   main->path);
	if (mm->wx && (!wx_clean(&main->plan) ||
		       (interp->bytes && !wx_clean(&interp->plan))))
		return say(why, whylen, -EACCES, "%s has a segment both writable and executable (W^X)",
			   main->path);
	if (interp->bytes && interp->plan.lo)
		return say(why, whylen, -ENOEXEC, "the loader of %s does not start at 0",
			   main->path);
	if (args_size(argv, envp) > MAX_ARGS_BYTES - 4096)
		return say(why, whylen, -E2BIG, "the arguments of %s are too long",
			   main->path);
	err = cabin_kvm_mm_reset(mm);
	if (!err)
		err = cabin_kvm_mm_place(mm, mm->stack_lo, mm->stack_hi - mm->stack_lo,
					 CABIN_GMEM_R | CABIN_GMEM_W |
					 (main->plan.exec_stack && !mm->wx ?
					  CABIN_GMEM_X : 0),
					 CABIN_KVM_TAG_STACK);
	if (!err)
		err = load_image(mm, main, bias);
	if (err) {
		snprintf(why, whylen, "loading %s failed: %s", main->path,
			 strerror(-err));
		return err;
	}
	mm->vm->ms->brk_start = mm->vm->ms->brk = bias + main->plan.hi;
	if (interp->bytes) {
		span = interp->plan.hi - interp->plan.lo;
		ibias = cabin_kvm_mm_find_free(mm, span);
		if (!ibias)
			return say(why, whylen, -ENOMEM, "no room for %s",
				   interp->path);
		ibias -= interp->plan.lo;
		err = load_image(mm, interp, ibias);
		if (err) {
			snprintf(why, whylen, "loading %s failed: %s",
				 interp->path, strerror(-err));
			return err;
		}
	}
	ai.phdr = main->plan.phdr_vaddr ? bias + main->plan.phdr_vaddr : 0;
	ai.phnum = main->plan.phnum;
	ai.entry = bias + main->plan.entry;
	ai.base = interp->bytes ? ibias : 0;
	err = build_stack(mm, execfn, argv, envp, &ai, &out->sp);
	if (err)
		return say(why, whylen, err, "the arguments of %s do not fit",
			   main->path);
	out->entry = interp->bytes ? ibias + interp->plan.entry : ai.entry;
	snprintf(out->exe, sizeof(out->exe), "%s", main->path);
	return 0;
}

/* argv for "#!interp arg": interp [arg] path argv[1..]. */
static char **script_argv(const char *interp, const char *arg,
			  const char *path, char *const argv[])
{
	size_t n = count(argv), i, k = 0;
	char **v = calloc(n + 4, sizeof(*v));

	if (!v)
		return NULL;
	v[k++] = (char *)interp;
	if (*arg)
		v[k++] = (char *)arg;
	v[k++] = (char *)path;
	for (i = 1; i < n; i++)
		v[k++] = argv[i];
	return v;
}

int cabin_kvm_exec(struct cabin_kvm_mm *mm, const char *path, int fd,
		   char *const argv[], char *const envp[],
		   struct cabin_kvm_start *out, char *why, size_t whylen)
{
	struct image main, interp;
	char ipath[MAX_SCRIPTS][256], iarg[MAX_SCRIPTS][256];
	char **owned[MAX_SCRIPTS] = { NULL };
	const char *bad, *file = path;
	char *const *av = argv;
	int err, depth;

	memset(&interp, 0, sizeof(interp));
	for (depth = 0;; depth++) {
		err = open_image(file, depth ? -1 : fd, true, &main);
		if (err) {
			snprintf(why, whylen, "%s: %s", file, strerror(-err));
			goto out;
		}
		if (main.size < 2 || memcmp(main.bytes, "#!", 2))
			break;
		if (depth == MAX_SCRIPTS - 1) {
			err = say(why, whylen, -ELOOP, "%s: scripts nest too deep", file);
			goto out;
		}
		err = parse_script(&main, ipath[depth], sizeof(ipath[depth]),
				   iarg[depth], sizeof(iarg[depth]));
		if (!err) {
			owned[depth] = script_argv(ipath[depth], iarg[depth],
						   file, av);
			err = owned[depth] ? 0 : -ENOMEM;
		}
		if (err) {
			say(why, whylen, err, "%s: bad #! line", file);
			goto out;
		}
		av = owned[depth];
		drop_image(&main);
		file = av[0];
	}
	err = cabin_elf_plan(main.bytes, main.size, &main.plan, &bad);
	if (err) {
		snprintf(why, whylen, "%s: not a runnable x86-64 ELF file (%s)",
			 file, bad ? bad : "malformed");
		goto out;
	}
	err = prepare_interp(&main, &interp, why, whylen);
	if (!err) {
		cabin_kvm_mm_lock(mm);
		err = load_all(mm, &main, &interp, path, av, envp, out, why,
			       whylen);
		cabin_kvm_mm_unlock(mm);
	}
	if (!err)
		snprintf(out->exe, sizeof(out->exe), "%s", path);
out:
	drop_image(&main);
	drop_image(&interp);
	for (depth = 0; depth < MAX_SCRIPTS; depth++)
		free(owned[depth]);
	return err;
}
