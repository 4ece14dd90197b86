/* ELF loading and the initial process stack. */
#ifndef SENTRY_LOADER_H
#define SENTRY_LOADER_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

struct mm;
struct file;

struct elf_info {
	uint64_t entry, phdr, phnum, brk;
	/* Dynamic executables: the PT_INTERP path (malloc'd; NULL for a static
	 * one), where elf_load_interp put the interpreter (AT_BASE) and its
	 * entry point, where execution starts. */
	char *interp;
	uint64_t interp_base, interp_entry;
};

struct stack_creds {
	uint32_t uid, euid, gid, egid;
};

int elf_check_header(const Elf64_Ehdr *eh, size_t len);
/* Maps the executable's PT_LOAD segments from f (copy-on-write file
 * mappings plus anonymous bss) and fills info; info->interp is set if it
 * names an interpreter. */
int elf_load(struct mm *mm, struct file *f, const Elf64_Ehdr *eh, struct elf_info *info);
/* Maps the interpreter (ld.so) at a base of its own, as mmap would place
 * it; sets info->interp_base and info->interp_entry. */
int elf_load_interp(struct mm *mm, struct file *f, const Elf64_Ehdr *eh, struct elf_info *info);
int stack_setup(struct mm *mm, const struct elf_info *info, char *const argv[], char *const envp[],
		const char *execfn, const struct stack_creds *cr, uint64_t *sp_out);

#endif
