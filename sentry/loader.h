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
};

struct stack_creds {
	uint32_t uid, euid, gid, egid;
};

int elf_check_header(const Elf64_Ehdr *eh, size_t len);
int elf_load(struct mm *mm, struct file *f, const Elf64_Ehdr *eh, struct elf_info *info);
int stack_setup(struct mm *mm, const struct elf_info *info, char *const argv[], char *const envp[],
		const char *execfn, const struct stack_creds *cr, uint64_t *sp_out);

#endif
