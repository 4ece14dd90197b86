/* Address spaces (struct mm): VMAs over memory-file ranges, mirrored into
 * the platform address space. */
#ifndef SENTRY_MM_H
#define SENTRY_MM_H

#include <stdbool.h>
#include <stdint.h>

#include "sentry/list.h"

#include <sys/user.h> /* its PAGE_SIZE is ours too: one definition */
#ifndef PAGE_SIZE
#define PAGE_SIZE 4096UL
#endif
#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))

struct platform_as;
struct file;

/* A refcounted run of memory-file space shared by VMAs (split halves of one
 * mapping, MAP_SHARED mappings across fork). */
struct mf_range {
	int refcount;
	uint64_t off, len;
};

#define VMA_SHARED    0x1  /* MAP_SHARED */
#define VMA_GROWSDOWN 0x2
#define VMA_STACK     0x4
#define VMA_HEAP      0x8

struct vma {
	struct list_head link;   /* sorted by start */
	uint64_t start, end;
	int prot;                /* PROT_* */
	int flags;               /* VMA_* */
	struct mf_range *range;
	uint64_t range_off;      /* offset of start within range */
	struct file *file;       /* file this was mapped from (NULL: anonymous) */
	uint64_t file_off;
	char *name;              /* for /proc/pid/maps, may be NULL */
};

struct mm {
	int refcount;
	struct list_head vmas;
	int nr_vmas;
	struct platform_as *as;
	uint64_t brk_start, brk;
	uint64_t mmap_base;      /* top-down allocation starts below this */
	uint64_t stack_top;
	uint64_t arg_start, arg_end, env_start, env_end;
	uint64_t auxv[48];
	int auxv_len;            /* in uint64 words */
	uint64_t total_vm;       /* bytes mapped */
	struct file *exe_file;   /* the executable (/proc/PID/exe); fork shares it */
};

int mm_new(struct mm **out);
struct mm *mm_get(struct mm *mm);
void mm_put(struct mm *mm);
/* Copy for fork: private memory is copied, shared memory shared. */
int mm_fork(struct mm *parent, struct mm **out);

/* mmap semantics for anonymous memory (file may be NULL). flags are
 * MAP_* from the syscall. Returns the address or -errno. */
int64_t mm_mmap(struct mm *mm, uint64_t addr, uint64_t len, int prot, int flags,
		struct file *file, uint64_t off);
int mm_munmap(struct mm *mm, uint64_t addr, uint64_t len);
int mm_mprotect(struct mm *mm, uint64_t addr, uint64_t len, int prot);
int64_t mm_mremap(struct mm *mm, uint64_t old_addr, uint64_t old_size, uint64_t new_size, int flags,
		  uint64_t new_addr);
uint64_t mm_brk(struct mm *mm, uint64_t newbrk);
struct vma *mm_find_vma(struct mm *mm, uint64_t addr); /* containing addr, or NULL */
/* Finds a free range of len bytes (top-down below mmap_base); 0 if none. */
uint64_t mm_get_unmapped_area(struct mm *mm, uint64_t len);

/* Pure VMA bookkeeping, without a platform (unit-tested). */
int vma_insert_range(struct mm *mm, uint64_t start, uint64_t end, int prot, int flags,
		     struct mf_range *range, uint64_t range_off);
int vma_remove_range(struct mm *mm, uint64_t start, uint64_t end);

#endif
