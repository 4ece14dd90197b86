/* The time fast path: the host's own vDSO, moved into every stub.
 *
 * A stub is a fork of the sentry, so it starts with the host kernel's
 * [vvar], [vvar_vclock] and [vdso] mappings at the sentry's addresses,
 * which lie inside the application range. Each stub moves them with
 * mremap(2), together and keeping their distances (the vDSO code reads
 * its data pages RIP-relatively; the host kernel supports moving them,
 * as CRIU does), to one fixed place above APP_MAX_ADDR that the sentry
 * keeps reserved, next to the stub page. The application gets that
 * address as AT_SYSINFO_EHDR.
 *
 * The vDSO answers only from its data pages and the TSC: exactly what
 * the sentry's own clock_gettime(2) reads, so its answers agree with the
 * emulated syscalls (syscalls/sys_time.c serves every clock the vDSO
 * serves from the host clock of the same name). Whatever it cannot answer
 * (CPU-time clocks, bad clock ids, an unusable clocksource) it asks with a
 * syscall instruction, which PTRACE_SYSEMU stops like any other: the
 * sentry emulates it. No host syscall becomes reachable.
 *
 * One function is rewritten: getcpu would report the host CPU, but the
 * sandbox has one CPU, 0 (syscalls/sys_info.c). Each stub's copy of
 * __vdso_getcpu becomes "store 0 to *cpu and *node, return 0": the
 * sentry writes it with PTRACE_POKEDATA, which gives the stub a private
 * copy of that page, as a debugger's breakpoint does.
 *
 * Whether all this works on the host (a kernel that seals system mappings
 * refuses to move them) is tried once, in a throwaway child at boot; if
 * not, the application simply gets no vDSO and libc makes syscalls. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/ptrace/ptrace_impl.h"
#include "runsc/log.h"
#include "runsc/util.h"

/* getcpu(cpu, node, cache): *cpu = *node = 0 when non-NULL; return 0. */
static const uint8_t getcpu_patch[] = {
	0x48, 0x85, 0xff,                   /* test %rdi,%rdi */
	0x74, 0x06,                         /* je 1f */
	0xc7, 0x07, 0x00, 0x00, 0x00, 0x00, /* movl $0,(%rdi) */
	0x48, 0x85, 0xf6,                   /* 1: test %rsi,%rsi */
	0x74, 0x06,                         /* je 2f */
	0xc7, 0x06, 0x00, 0x00, 0x00, 0x00, /* movl $0,(%rsi) */
	0x31, 0xc0,                         /* 2: xor %eax,%eax */
	0xc3,                               /* ret */
};

/* The host's vDSO mappings in the sentry, from /proc/self/maps (read
 * before confinement; nothing else names [vvar]). Returns the number of
 * areas (sorted by address, as maps lists them) or -errno. */
static int find_host_areas(struct stub_vdso *v)
{
	_cleanup_close_ int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int err = read_all_fd(fd, &buf, &len);
	if (err < 0)
		return err;
	int n = 0;
	for (char *line = buf; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		char *name = strchr(line, '[');
		if (name && (!strcmp(name, "[vdso]") || !strncmp(name, "[vvar", 5))) {
			char *end;
			uint64_t s = strtoull(line, &end, 16);
			uint64_t e = *end == '-' ? strtoull(end + 1, &end, 16) : 0;
			if (n == PLATFORM_VDSO_MAX_AREAS || e <= s || strlen(name) >= sizeof(v->names[0]) ||
			    *end != ' ' || strlen(end) < 5)
				return -E2BIG;
			struct platform_vdso_area *a = &v->pub.areas[n];
			a->start = s;
			a->end = e;
			a->prot = (end[1] == 'r' ? PROT_READ : 0) | (end[2] == 'w' ? PROT_WRITE : 0) |
				  (end[3] == 'x' ? PROT_EXEC : 0);
			strcpy(v->names[n], name);
			a->name = v->names[n];
			n++;
		}
		line = nl ? nl + 1 : NULL;
	}
	return n;
}

/* Offsets (from the vDSO's start) of the getcpu entry points in the
 * host vDSO image, from its dynamic symbol table, as libc looks them up.
 * 0 if none is exported, -errno if the image is not what we expect. */
static int find_getcpu(const uint8_t *img, uint64_t len, uint64_t *offs, int *n)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	*n = 0;
	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    eh->e_shoff > len || eh->e_shnum > (len - eh->e_shoff) / sizeof(Elf64_Shdr) ||
	    eh->e_phoff > len || eh->e_phnum > (len - eh->e_phoff) / sizeof(Elf64_Phdr))
		return -ENOEXEC;
	/* Symbol values are link-time addresses; the image is mapped from
	 * its first PT_LOAD's address. */
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff);
	uint64_t base = UINT64_MAX;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD)
			base = MIN(base, ph[i].p_vaddr);
	if (base == UINT64_MAX)
		return -ENOEXEC;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(img + eh->e_shoff);
	for (int i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_DYNSYM)
			continue;
		if (sh[i].sh_link >= eh->e_shnum || sh[i].sh_offset > len ||
		    sh[i].sh_size > len - sh[i].sh_offset || sh[sh[i].sh_link].sh_offset > len ||
		    sh[sh[i].sh_link].sh_size > len - sh[sh[i].sh_link].sh_offset)
			return -ENOEXEC;
		const Elf64_Sym *sym = (const Elf64_Sym *)(img + sh[i].sh_offset);
		const char *str = (const char *)(img + sh[sh[i].sh_link].sh_offset);
		uint64_t strsz = sh[sh[i].sh_link].sh_size;
		for (uint64_t j = 0; j < sh[i].sh_size / sizeof(*sym); j++) {
			if (sym[j].st_name >= strsz || sym[j].st_shndx == SHN_UNDEF)
				continue;
			const char *nm = str + sym[j].st_name;
			if (strnlen(nm, strsz - sym[j].st_name) == strsz - sym[j].st_name ||
			    (strcmp(nm, "__vdso_getcpu") && strcmp(nm, "getcpu")))
				continue;
			uint64_t off = sym[j].st_value - base;
			if (sym[j].st_value < base || sym[j].st_size < sizeof(getcpu_patch) || off > len ||
			    len - off < sizeof(getcpu_patch))
				return -ENOEXEC;
			bool dup = false;
			for (int k = 0; k < *n; k++)
				dup |= offs[k] == off;
			if (dup)
				continue;
			if (*n == 2)
				return -ENOEXEC;
			offs[(*n)++] = off;
		}
	}
	return 0;
}

/* A free place above the application range, reserved in the sentry so
 * that nothing of its own lands there; every stub inherits the
 * reservation and moves the vDSO over it. */
static uint64_t reserve_place(uint64_t len)
{
	for (uint64_t a = APP_MAX_ADDR; a + len <= STUB_USER_TOP; a += 16ULL << 20) {
		void *m = mmap((void *)a, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_NORESERVE,
			       -1, 0);
		if (m == MAP_FAILED)
			continue;
		if ((uint64_t)m == a)
			return a;
		munmap(m, len); /* a kernel ignoring MAP_FIXED_NOREPLACE */
	}
	return 0;
}

int stub_vdso_relocate(const struct platform *p)
{
	const struct stub_vdso *v = &p->vdso;
	if (!v->addr)
		return 0;
	for (int i = 0; i < v->pub.nareas; i++) {
		const struct platform_vdso_area *a = &v->pub.areas[i];
		uint64_t from = v->host + (a->start - v->addr), len = a->end - a->start;
		void *r = mremap((void *)from, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)a->start);
		if (r == MAP_FAILED)
			return -errno;
	}
	return 0;
}

/* The host refuses mprotect on the vDSO, but a tracer's write
 * (FOLL_FORCE) gets the process a private copy of the page. */
int stub_vdso_patch(const struct platform *p, pid_t pid)
{
	const struct stub_vdso *v = &p->vdso;
	for (int i = 0; i < v->npatch; i++) {
		uint64_t at = v->addr + v->patch_off[i];
		for (uint64_t w = ALIGN_DOWN(at, 8); w < at + sizeof(getcpu_patch); w += 8) {
			errno = 0;
			long word = ptrace(PTRACE_PEEKDATA, pid, w, 0);
			if (errno)
				return -errno;
			uint8_t *b = (uint8_t *)&word;
			for (int k = 0; k < 8; k++)
				if (w + k >= at && w + k < at + sizeof(getcpu_patch))
					b[k] = getcpu_patch[w + k - at];
			if (ptrace(PTRACE_POKEDATA, pid, w, word) < 0)
				return -errno;
		}
	}
	return 0;
}

/* Does to a traced child exactly what a stub gets; 0 if it all worked
 * and the patch reads back. */
static int try_relocate(const struct platform *p)
{
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0 || stub_vdso_relocate(p) < 0)
			_exit(1);
		raise(SIGSTOP);
		_exit(1);
	}
	int status, err = -EPERM;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFSTOPPED(status) && stub_vdso_patch(p, pid) == 0) {
		err = 0;
		for (int i = 0; i < p->vdso.npatch && !err; i++) {
			errno = 0;
			long word = ptrace(PTRACE_PEEKDATA, pid, p->vdso.addr + p->vdso.patch_off[i], 0);
			if (errno || memcmp(&word, getcpu_patch, sizeof(word)))
				err = -EIO;
		}
	}
	if (WIFSTOPPED(status)) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	return err;
}

void stub_vdso_init(struct platform *p)
{
	struct stub_vdso *v = &p->vdso;
	const char *why = NULL;
	memset(v, 0, sizeof(*v));
	uint64_t ehdr = getauxval(AT_SYSINFO_EHDR);
	int n = find_host_areas(v);
	if (!ehdr) {
		why = "the host gave the sentry none";
		goto none;
	}
	if (n <= 0) {
		why = "its mappings are not in /proc/self/maps";
		goto none;
	}
	v->pub.nareas = n;
	v->host = v->pub.areas[0].start;
	v->len = v->pub.areas[n - 1].end - v->host;
	/* One block of adjacent mappings, one of them the vDSO image. */
	const struct platform_vdso_area *img = NULL;
	for (int i = 0; i < n; i++) {
		if (i && v->pub.areas[i].start != v->pub.areas[i - 1].end) {
			why = "its mappings are not adjacent";
			goto none;
		}
		if (!strcmp(v->pub.areas[i].name, "[vdso]"))
			img = &v->pub.areas[i];
	}
	if (!img || img->start != ehdr || v->len > (1u << 20)) {
		why = "its layout is unexpected";
		goto none;
	}
	uint64_t offs[2];
	if (find_getcpu((const uint8_t *)img->start, img->end - img->start, offs, &v->npatch) < 0) {
		why = "its image is not understood";
		goto none;
	}
	for (int i = 0; i < v->npatch; i++)
		v->patch_off[i] = offs[i] + (img->start - v->host);
	v->addr = reserve_place(v->len);
	if (!v->addr) {
		why = "no room above the application range";
		goto none;
	}
	for (int i = 0; i < n; i++) {
		v->pub.areas[i].start += v->addr - v->host;
		v->pub.areas[i].end += v->addr - v->host;
	}
	v->pub.ehdr = ehdr - v->host + v->addr;
	if (try_relocate(p) < 0) {
		munmap((void *)v->addr, v->len);
		why = "the host kernel does not let it move";
		goto none;
	}
	/* The sentry's copy for reads on the application's behalf. */
	for (int i = 0; i < n; i++) {
		struct platform_vdso_area *a = &v->pub.areas[i];
		if (strcmp(a->name, "[vdso]"))
			continue;
		v->image = xmalloc(a->end - a->start);
		memcpy(v->image, (const void *)(a->start - v->addr + v->host), a->end - a->start);
		for (int k = 0; k < v->npatch; k++)
			memcpy(v->image + (v->addr + v->patch_off[k] - a->start), getcpu_patch, sizeof(getcpu_patch));
		a->data = v->image;
	}
	log_debug("ptrace: host vDSO at %#llx for the application (%d mappings, %llu bytes)",
		  (unsigned long long)v->addr, n, (unsigned long long)v->len);
	return;
none:
	log_warn("ptrace: no vDSO for the application (%s): clock_gettime and friends are syscalls", why);
	memset(v, 0, sizeof(*v));
}

const struct platform_vdso *stub_vdso_info(struct platform *p)
{
	return p->vdso.addr ? &p->vdso.pub : NULL;
}
