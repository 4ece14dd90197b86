/* The ELF loader (ET_EXEC and ET_DYN, static or with a PT_INTERP
 * interpreter): maps PT_LOAD segments into a fresh mm as file mappings,
 * and builds the initial stack with argv, envp and the auxiliary vector,
 * as Linux's binfmt_elf does. */
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/kernel.h"
#include "sentry/loader.h"
#include "sentry/mm.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"

#define ELF_ET_DYN_BASE 0x555555554000ULL
#define STACK_SIZE (8ULL << 20)

int elf_check_header(const Elf64_Ehdr *eh, size_t len)
{
	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return -ENOEXEC;
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64 || (eh->e_type != ET_EXEC && eh->e_type != ET_DYN) ||
	    eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 || eh->e_phnum > 128)
		return -ENOEXEC;
	return 0;
}

static int read_exact(struct file *f, void *buf, size_t len, uint64_t off)
{
	int64_t pos = (int64_t)off;
	size_t done = 0;
	while (done < len) {
		ssize_t r = vfs_read(f, NULL, (char *)buf + done, len - done, &pos);
		if (r < 0)
			return (int)r;
		if (r == 0)
			return -EIO; /* file shorter than its headers say */
		done += (size_t)r;
	}
	return 0;
}

static int elf_prot(const Elf64_Phdr *ph)
{
	return (ph->p_flags & PF_R ? PROT_READ : 0) | (ph->p_flags & PF_W ? PROT_WRITE : 0) |
	       (ph->p_flags & PF_X ? PROT_EXEC : 0);
}

/* Maps one PT_LOAD segment as binfmt_elf does: the file part as a private
 * file mapping, the rest of its last file page zeroed, then anonymous
 * zero pages up to p_memsz. */
static int load_segment(struct mm *mm, struct file *f, const Elf64_Phdr *ph, uint64_t bias)
{
	uint64_t vaddr = ph->p_vaddr + bias;
	uint64_t start = ALIGN_DOWN(vaddr, PAGE_SIZE);
	uint64_t file_end = vaddr + ph->p_filesz;
	uint64_t mem_end = vaddr + ph->p_memsz;
	if (ph->p_filesz > ph->p_memsz || mem_end < vaddr || PAGE_ALIGN(mem_end) > APP_MAX_ADDR ||
	    start < APP_MIN_ADDR || (ph->p_vaddr - ph->p_offset) % PAGE_SIZE || ph->p_offset < vaddr - start)
		return -ENOEXEC;
	int prot = elf_prot(ph);
	int64_t r;
	if (ph->p_filesz) {
		r = mm_mmap(mm, start, PAGE_ALIGN(file_end) - start, prot, MAP_PRIVATE | MAP_FIXED, f,
			    ph->p_offset - (vaddr - start));
		if (r < 0)
			return (int)r;
	} else {
		file_end = start; /* all of it is bss */
	}
	if (ph->p_memsz > ph->p_filesz) {
		/* The file's bytes after p_filesz in the last page are bss. */
		if (file_end % PAGE_SIZE) {
			static const char zeroes[PAGE_SIZE];
			int err = mm_copy_to(mm, file_end, zeroes, PAGE_ALIGN(file_end) - file_end, 1);
			if (err)
				return err;
		}
		uint64_t bss = PAGE_ALIGN(file_end);
		if (PAGE_ALIGN(mem_end) > bss) {
			r = mm_mmap(mm, bss, PAGE_ALIGN(mem_end) - bss, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				    NULL, 0);
			if (r < 0)
				return (int)r;
		}
	}
	return 0;
}

static int read_phdrs(struct file *f, const Elf64_Ehdr *eh, Elf64_Phdr **out)
{
	size_t phsz = (size_t)eh->e_phnum * sizeof(Elf64_Phdr);
	Elf64_Phdr *ph = xmalloc(phsz);
	int err = read_exact(f, ph, phsz, eh->e_phoff);
	if (err) {
		free(ph);
		return err;
	}
	*out = ph;
	return 0;
}

/* Maps every PT_LOAD at bias; *max_end is the end of the highest one. */
static int load_segments(struct mm *mm, struct file *f, const Elf64_Ehdr *eh, const Elf64_Phdr *ph,
			 uint64_t bias, uint64_t *max_end)
{
	int loads = 0;
	*max_end = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		int err = load_segment(mm, f, &ph[i], bias);
		if (err)
			return err;
		loads++;
		*max_end = MAX(*max_end, ph[i].p_vaddr + bias + ph[i].p_memsz);
	}
	return loads ? 0 : -ENOEXEC;
}

int elf_load(struct mm *mm, struct file *f, const Elf64_Ehdr *eh, struct elf_info *info)
{
	Elf64_Phdr *ph;
	int err = read_phdrs(f, eh, &ph);
	if (err)
		return err;
	memset(info, 0, sizeof(*info));
	uint64_t bias = eh->e_type == ET_DYN ? ELF_ET_DYN_BASE : 0;
	uint64_t max_end = 0, phdr_addr = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_INTERP && !info->interp) {
			/* A NUL-terminated path (Linux: ENOEXEC otherwise). */
			if (ph[i].p_filesz < 2 || ph[i].p_filesz > PATH_MAX) {
				err = -ENOEXEC;
				goto out;
			}
			info->interp = xmalloc(ph[i].p_filesz);
			err = read_exact(f, info->interp, ph[i].p_filesz, ph[i].p_offset);
			if (!err && info->interp[ph[i].p_filesz - 1] != '\0')
				err = -ENOEXEC;
			if (err)
				goto out;
		}
		if (ph[i].p_type == PT_PHDR)
			phdr_addr = ph[i].p_vaddr + bias;
	}
	err = load_segments(mm, f, eh, ph, bias, &max_end);
	if (err)
		goto out;
	if (!phdr_addr) {
		/* The headers inside the first PT_LOAD that holds them. */
		size_t phsz = (size_t)eh->e_phnum * sizeof(Elf64_Phdr);
		for (int i = 0; i < eh->e_phnum; i++) {
			if (ph[i].p_type == PT_LOAD && ph[i].p_offset <= eh->e_phoff &&
			    eh->e_phoff + phsz <= ph[i].p_offset + ph[i].p_filesz) {
				phdr_addr = ph[i].p_vaddr + bias + (eh->e_phoff - ph[i].p_offset);
				break;
			}
		}
	}
	info->entry = eh->e_entry + bias;
	info->phdr = phdr_addr;
	info->phnum = eh->e_phnum;
	info->brk = PAGE_ALIGN(max_end);
out:
	if (err) {
		free(info->interp);
		info->interp = NULL;
	}
	free(ph);
	return err;
}

int elf_load_interp(struct mm *mm, struct file *f, const Elf64_Ehdr *eh, struct elf_info *info)
{
	Elf64_Phdr *ph;
	int err = read_phdrs(f, eh, &ph);
	if (err)
		return err;
	/* The span of its segments, placed where mmap would put it (aligned
	 * as its segments ask), unless it is ET_EXEC. */
	uint64_t lo = UINT64_MAX, hi = 0, align = PAGE_SIZE;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		lo = MIN(lo, ALIGN_DOWN(ph[i].p_vaddr, PAGE_SIZE));
		hi = MAX(hi, ph[i].p_vaddr + ph[i].p_memsz);
		if (ph[i].p_align > align && ph[i].p_align <= (1ULL << 30) &&
		    !(ph[i].p_align & (ph[i].p_align - 1)))
			align = ph[i].p_align;
	}
	uint64_t bias = 0, max_end;
	if (lo == UINT64_MAX || hi <= lo || hi - lo > APP_MAX_ADDR) {
		err = -ENOEXEC;
		goto out;
	}
	if (eh->e_type == ET_DYN) {
		uint64_t span = PAGE_ALIGN(hi) - lo;
		uint64_t base = mm_get_unmapped_area(mm, span + align - PAGE_SIZE);
		if (!base) {
			err = -ENOMEM;
			goto out;
		}
		bias = ALIGN_UP(base, align) - lo;
	}
	err = load_segments(mm, f, eh, ph, bias, &max_end);
	if (err)
		goto out;
	info->interp_base = lo + bias;
	info->interp_entry = eh->e_entry + bias;
out:
	free(ph);
	return err;
}

/* Pushes bytes onto the new stack (growing down). */
static int push(struct mm *mm, uint64_t *sp, const void *data, size_t len)
{
	*sp -= len;
	return mm_copy_to(mm, *sp, data, len, 1);
}

int stack_setup(struct mm *mm, const struct elf_info *info, char *const argv[], char *const envp[],
		const char *execfn, const struct stack_creds *cr, uint64_t *sp_out)
{
	uint64_t top = mm->stack_top;
	int64_t r = mm_mmap(mm, top - STACK_SIZE, STACK_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN, NULL, 0);
	if (r < 0)
		return (int)r;
	struct vma *sv = mm_find_vma(mm, top - 1);
	if (sv)
		sv->flags |= VMA_STACK;

	int argc = 0, envc = 0;
	while (argv[argc])
		argc++;
	while (envp[envc])
		envc++;

	uint64_t sp = top;
	int err;
	/* Strings at the top: execfn, envp, argv (Linux order: argv lowest). */
	uint64_t *argp = xmalloc(sizeof(uint64_t) * (size_t)(argc + 1));
	uint64_t *envpp = xmalloc(sizeof(uint64_t) * (size_t)(envc + 1));
	sp -= 8; /* a NULL word at the very top */
	if ((err = push(mm, &sp, execfn, strlen(execfn) + 1)))
		goto out;
	uint64_t execfn_addr = sp;
	uint64_t strings_end = sp;
	for (int i = envc - 1; i >= 0; i--) {
		if ((err = push(mm, &sp, envp[i], strlen(envp[i]) + 1)))
			goto out;
		envpp[i] = sp;
	}
	for (int i = argc - 1; i >= 0; i--) {
		if ((err = push(mm, &sp, argv[i], strlen(argv[i]) + 1)))
			goto out;
		argp[i] = sp;
	}
	mm->arg_start = argc ? argp[0] : sp;
	mm->arg_end = envc ? envpp[0] : execfn_addr;
	mm->env_start = envc ? envpp[0] : execfn_addr;
	mm->env_end = strings_end;

	static const char platform[] = "x86_64";
	if ((err = push(mm, &sp, platform, sizeof(platform))))
		goto out;
	uint64_t platform_addr = sp;
	uint8_t rnd[16];
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		memset(rnd, 0x5a, sizeof(rnd));
	if ((err = push(mm, &sp, rnd, sizeof(rnd))))
		goto out;
	uint64_t random_addr = sp;
	sp = ALIGN_DOWN(sp, 16);

	/* Linux puts the vDSO first (ARCH_DLINFO); without one, no entry. */
	const struct platform_vdso *vdso = kernel_vdso();
	uint64_t auxv_all[] = {
		AT_SYSINFO_EHDR, vdso ? vdso->ehdr : 0,
		AT_PHDR, info->phdr, AT_PHENT, sizeof(Elf64_Phdr), AT_PHNUM, info->phnum,
		AT_PAGESZ, PAGE_SIZE, AT_BASE, info->interp_base, AT_FLAGS, 0, AT_ENTRY, info->entry,
		AT_UID, cr->uid, AT_EUID, cr->euid, AT_GID, cr->gid, AT_EGID, cr->egid,
		AT_SECURE, 0, AT_RANDOM, random_addr, AT_HWCAP, getauxval(AT_HWCAP),
		AT_HWCAP2, getauxval(AT_HWCAP2), AT_CLKTCK, 100, AT_PLATFORM, platform_addr,
		AT_EXECFN, execfn_addr, AT_NULL, 0,
	};
	const uint64_t *auxv = vdso ? auxv_all : auxv_all + 2;
	size_t auxv_words = ARRAY_SIZE(auxv_all) - (vdso ? 0 : 2);
	memcpy(mm->auxv, auxv, auxv_words * 8);
	mm->auxv_len = (int)auxv_words;

	/* argc, argv[], NULL, envp[], NULL, auxv: keep sp 16-byte aligned. */
	size_t words = 1 + (size_t)argc + 1 + (size_t)envc + 1 + auxv_words;
	if (words & 1)
		sp -= 8;
	if ((err = push(mm, &sp, auxv, auxv_words * 8)))
		goto out;
	uint64_t zero = 0;
	if ((err = push(mm, &sp, &zero, 8)) || (err = push(mm, &sp, envpp, 8 * (size_t)envc)) ||
	    (err = push(mm, &sp, &zero, 8)) || (err = push(mm, &sp, argp, 8 * (size_t)argc)))
		goto out;
	uint64_t argc64 = (uint64_t)argc;
	if ((err = push(mm, &sp, &argc64, 8)))
		goto out;
	*sp_out = sp;
out:
	free(argp);
	free(envpp);
	return err;
}
