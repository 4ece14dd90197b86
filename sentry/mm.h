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
struct pagecache;
struct cow_map;

/* A refcounted run of memory-file space shared by VMAs (split halves of one
 * mapping, MAP_SHARED mappings across fork). Private ranges may borrow
 * pages of other ranges copy-on-write after fork (cow). */
struct mf_range {
	int refcount;
	uint64_t off, len;
	/* Private memory after fork (copy-on-write, see mm.c): the pages of
	 * this range borrowed from other ranges (NULL: none ever), how many
	 * cow_map entries of other ranges borrow pages of this one, and
	 * whether the range's holders are all gone (its borrowed pages then
	 * live on alone, each freed when its last borrower lets go). */
	struct cow_map *cow;
	int nborrow;
	bool dead;
};

#define VMA_SHARED    0x1  /* MAP_SHARED */
#define VMA_GROWSDOWN 0x2
#define VMA_STACK     0x4
#define VMA_HEAP      0x8
#define VMA_NOMAYWRITE 0x10 /* mprotect may not add PROT_WRITE (shared map of a read-only fd, write seal) */
#define VMA_NOMAYEXEC  0x20 /* mprotect may not add PROT_EXEC (noexec mount) */
#define VMA_DIRTIED    0x40 /* shared and once writable: cache pages may be dirty */
#define VMA_COPIED     0x80 /* private, and range is a private copy, not the cache */
#define VMA_DONTFORK   0x100 /* MADV_DONTFORK: not inherited by fork */
#define VMA_WIPEONFORK 0x200 /* MADV_WIPEONFORK: fork's child gets zeroes */
#define VMA_LOCKED     0x400 /* mlock: not inherited by fork */

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
	/* File mappings: the file's page cache. range is one of its extents
	 * unless VMA_COPIED (a private mapping written to gets a private
	 * copy, eagerly). Every VMA of a cache is on its vmas list. */
	struct pagecache *cache;
	struct list_head cache_link;
	struct mm *mm;           /* owner, for the cache's reverse map */
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
	/* RLIMIT_STACK when the image was loaded: how far a MAP_GROWSDOWN
	 * mapping may grow (RLIM_INFINITY: no limit). */
	uint64_t stack_limit;
	int def_flags;           /* VMA_LOCKED after mlockall(MCL_FUTURE) */
};

int mm_new(struct mm **out);
struct mm *mm_get(struct mm *mm);
void mm_put(struct mm *mm);
/* Copy for fork: private memory is shared copy-on-write, shared memory
 * shared. */
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

/* A platform fault at addr on a page the platform has no mapping for (the
 * ptrace platform's SEGV_MAPERR): loads and maps a file page not mapped
 * yet, or grows a MAP_GROWSDOWN mapping. Returns 0 if the access can be
 * retried, else -EFAULT (no access), or -EIO (the page could not be read).
 * write: the access was a write, if the platform knows (ptrace does not). */
int mm_handle_fault(struct mm *mm, uint64_t addr, bool write);
/* The signal for a fault at addr that mm_handle_fault did not fix (err is
 * its result, or -EFAULT for a protection fault), from the VMA state:
 * SIGSEGV SEGV_MAPERR outside any mapping, SEGV_ACCERR inside one, SIGBUS
 * BUS_ADRERR past the end of a mapped file or on an I/O error. */
void mm_fault_signal(struct mm *mm, uint64_t addr, int err, int *signo, int *code);
/* Makes [addr, addr+len) of v (a file mapping) ready for a user copy by the
 * sentry: loads cache pages, gives a private mapping its copy before a
 * (forced) write. -EFAULT past the end of the file. v stays valid. */
int mm_prepare_access(struct mm *mm, struct vma *v, uint64_t addr, uint64_t len, bool write);
int mm_msync(struct mm *mm, uint64_t addr, uint64_t len, int flags);
/* mincore: one byte per page for npages pages from addr (page aligned)
 * into vec (a sentry buffer); *done says how many were filled before an
 * unmapped page stopped it with -ENOMEM. */
int mm_mincore(struct mm *mm, uint64_t addr, uint64_t npages, uint8_t *vec, uint64_t *done);
int mm_madvise(struct mm *mm, uint64_t addr, uint64_t len, int advice);
/* mlock/munlock of [start, end) (page aligned): sets or clears VMA_LOCKED
 * and loads the file pages of locked mappings; -ENOMEM, with nothing
 * changed, if a page is unmapped. mm_mlock_all: every mapping. */
int mm_mlock(struct mm *mm, uint64_t start, uint64_t end, bool lock);
void mm_mlock_all(struct mm *mm, bool lock);
/* Bytes of [start, end) in VMA_LOCKED mappings. */
uint64_t mm_locked_bytes(struct mm *mm, uint64_t start, uint64_t end);

/* Refcounted memory-file ranges (the page cache allocates them too). */
struct mf_range *mf_range_alloc(uint64_t len, int *err);
struct mf_range *mf_range_get(struct mf_range *r);
void mf_range_put(struct mf_range *r);

/* Copy-on-write (private memory after fork). A write access by the
 * application to a page the platform maps read-only (the ptrace platform's
 * SEGV_ACCERR) at addr: if the page is borrowed copy-on-write and its VMA
 * writable, gives this address space its own copy (or the page itself when
 * no one else holds it any more) mapped writable and returns 0; -EFAULT
 * otherwise (a real protection fault). */
int mm_handle_wp_fault(struct mm *mm, uint64_t addr);
/* Where the sentry reads or writes the application's byte at addr of v
 * (mapped, with a range): the memory-file offset, in *mfoff, and how many
 * of the len bytes from addr are contiguous there, as the result (> 0), or
 * -errno. write: copies a page borrowed copy-on-write first (usercopy,
 * futex words). */
int64_t mm_vma_mfoff(struct mm *mm, struct vma *v, uint64_t addr, uint64_t len, bool write,
		     uint64_t *mfoff);
/* /proc figures of v's borrowed pages: bytes borrowed (they count in the
 * RSS of every address space that borrows them), of those shared with
 * other address spaces now, and their proportional share (Pss). */
void mm_vma_cow_usage(const struct vma *v, uint64_t *borrowed, uint64_t *shared, uint64_t *pss);

/* Pure VMA bookkeeping, without a platform (unit-tested). */
int vma_insert_range(struct mm *mm, uint64_t start, uint64_t end, int prot, int flags,
		     struct mf_range *range, uint64_t range_off);
int vma_remove_range(struct mm *mm, uint64_t start, uint64_t end);

#endif
