/* Copy-on-write across fork, on a real memory file but without a
 * platform: the cow_map and the page reference counts, sharing at fork,
 * copies on write, the last holder keeping its page, DONTNEED, mremap,
 * fork chains, and every page and byte of file space given back when the
 * last holder goes. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "runsc/util.h"
#include "sentry/cowmap.h"
#include "sentry/kernel.h"
#include "sentry/memfile.h"
#include "sentry/mm.h"
#include "sentry/usercopy.h"

static struct kernel k;
static struct memfile mf;
static struct mm *mm;

static void setup(void)
{
	ck_assert_int_eq(memfile_init(&mf, 1ULL << 30), 0);
	memset(&k, 0, sizeof(k));
	k.mf = &mf;
	kernel = &k;
	ck_assert_int_eq(mm_new(&mm), 0);
}

static void teardown(void)
{
	mm_put(mm);
	/* Nothing of application memory outlives its address spaces. */
	ck_assert_uint_eq(mf.allocated, 0);
	ck_assert_uint_eq(memfile_present_bytes(&mf, 0, mf.size), 0);
	memfile_destroy(&mf);
	kernel = NULL;
}

#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

START_TEST(cowmap_sparse)
{
	struct cow_map *m = cow_map_new(3 * COW_LEAF_PAGES);
	struct mf_range src = { 0 };
	ck_assert_ptr_null(cow_map_lookup(m, 5));
	ck_assert_uint_eq(cow_map_next(m, 0, 3 * COW_LEAF_PAGES), 3 * COW_LEAF_PAGES);
	cow_map_set(m, 5, &src, 0x5000);
	cow_map_set(m, 2 * COW_LEAF_PAGES + 1, &src, 0x9000);
	cow_map_set(m, 5, &src, 0x6000); /* replaces */
	ck_assert_uint_eq(m->count, 2);
	ck_assert_uint_eq(cow_map_lookup(m, 5)->off, 0x6000);
	ck_assert_uint_eq(cow_map_next(m, 0, 100), 5);
	ck_assert_uint_eq(cow_map_next(m, 6, 3 * COW_LEAF_PAGES), 2 * COW_LEAF_PAGES + 1);
	ck_assert_uint_eq(cow_map_next(m, 6, 2 * COW_LEAF_PAGES), 2 * COW_LEAF_PAGES);
	ck_assert_uint_eq(cow_map_next_own(m, 5, 10), 6);
	ck_assert_uint_eq(cow_map_count(m, 0, 3 * COW_LEAF_PAGES), 2);
	cow_map_clear(m, 5);
	cow_map_clear(m, 5);
	ck_assert_ptr_null(cow_map_lookup(m, 5));
	ck_assert_ptr_null(m->leaves[0]); /* an empty leaf goes */
	ck_assert_uint_eq(m->count, 1);
	cow_map_free(m);
}
END_TEST

START_TEST(page_refs)
{
	ck_assert_uint_eq(memfile_page_ref(&mf, 0x3000), 0);
	memfile_page_ref_inc(&mf, 0x3000);
	memfile_page_ref_inc(&mf, 0x3000);
	memfile_page_ref_inc(&mf, 0x800000);
	ck_assert_uint_eq(memfile_page_ref(&mf, 0x3000), 2);
	ck_assert_uint_eq(memfile_next_ref(&mf, 0, 1ULL << 30), 0x3000);
	ck_assert_uint_eq(memfile_next_ref(&mf, 0x4000, 1ULL << 30), 0x800000);
	ck_assert_uint_eq(memfile_page_ref_dec(&mf, 0x3000), 1);
	ck_assert_uint_eq(memfile_page_ref_dec(&mf, 0x3000), 0);
	ck_assert_uint_eq(memfile_page_ref_dec(&mf, 0x3000), 0); /* never below 0 */
	ck_assert_uint_eq(memfile_page_ref_dec(&mf, 0x800000), 0);
	ck_assert_uint_eq(memfile_next_ref(&mf, 0, 1ULL << 30), 1ULL << 30);
}
END_TEST

static void put_byte(struct mm *m, uint64_t addr, char c)
{
	ck_assert_int_eq(mm_copy_to(m, addr, &c, 1, 0), 0);
}

static char get_byte(struct mm *m, uint64_t addr)
{
	char c;
	ck_assert_int_eq(mm_copy_from(m, &c, addr, 1), 0);
	return c;
}

/* The memory-file offset the sentry reads addr at. */
static uint64_t where(struct mm *m, uint64_t addr)
{
	uint64_t off;
	ck_assert_int_gt(mm_vma_mfoff(m, mm_find_vma(m, addr), addr, 1, false, &off), 0);
	return off;
}

START_TEST(fork_shares_then_copies)
{
	int64_t a = mm_mmap(mm, 0, 8 * PAGE_SIZE, PROT_READ | PROT_WRITE, ANON, NULL, 0);
	ck_assert_int_gt(a, 0);
	for (int i = 0; i < 4; i++)
		put_byte(mm, (uint64_t)a + i * PAGE_SIZE, (char)('a' + i));
	uint64_t before = memfile_present_bytes(&mf, 0, mf.size);
	struct mm *child;
	ck_assert_int_eq(mm_fork(mm, &child), 0);
	/* Nothing copied: both read the same pages. */
	ck_assert_uint_eq(memfile_present_bytes(&mf, 0, mf.size), before);
	for (int i = 0; i < 4; i++) {
		uint64_t p = (uint64_t)a + i * PAGE_SIZE;
		ck_assert_uint_eq(where(mm, p), where(child, p));
		ck_assert_uint_eq(memfile_page_ref(&mf, where(mm, p)), 2);
		ck_assert_int_eq(get_byte(child, p), 'a' + i);
	}
	/* Holes were shared by nobody: each side has its own. */
	ck_assert_uint_ne(where(mm, (uint64_t)a + 5 * PAGE_SIZE), where(child, (uint64_t)a + 5 * PAGE_SIZE));

	uint64_t borrowed, shared, pss;
	mm_vma_cow_usage(mm_find_vma(child, (uint64_t)a), &borrowed, &shared, &pss);
	ck_assert_uint_eq(borrowed, 4 * PAGE_SIZE);
	ck_assert_uint_eq(shared, 4 * PAGE_SIZE);
	ck_assert_uint_eq(pss, 2 * PAGE_SIZE);

	/* The child writes page 1: a copy of its own, the parent keeps its. */
	uint64_t p1 = (uint64_t)a + PAGE_SIZE, shared_page = where(mm, p1);
	put_byte(child, p1 + 10, 'X');
	ck_assert_uint_ne(where(child, p1), shared_page);
	ck_assert_int_eq(get_byte(child, p1), 'b'); /* the rest of the page came along */
	ck_assert_int_eq(get_byte(child, p1 + 10), 'X');
	ck_assert_int_eq(get_byte(mm, p1 + 10), 0);
	ck_assert_uint_eq(memfile_page_ref(&mf, shared_page), 1);
	/* The parent, now the last holder, writes in place. */
	put_byte(mm, p1 + 10, 'Y');
	ck_assert_uint_eq(where(mm, p1), shared_page);
	ck_assert_int_eq(get_byte(child, p1 + 10), 'X');
	ck_assert_int_eq(mm_handle_wp_fault(mm, p1), 0); /* the platform gets it writable */
	ck_assert_int_eq(mm_handle_wp_fault(mm, p1), -EFAULT); /* no longer copy-on-write */
	ck_assert_int_eq(mm_handle_wp_fault(mm, (uint64_t)a + 5 * PAGE_SIZE), -EFAULT);

	/* A write fault copies too. */
	uint64_t p2 = (uint64_t)a + 2 * PAGE_SIZE;
	ck_assert_int_eq(mm_handle_wp_fault(child, p2), 0);
	ck_assert_uint_ne(where(child, p2), where(mm, p2));
	ck_assert_int_eq(get_byte(child, p2), 'c');

	mm_put(child);
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(memfile_page_ref(&mf, where(mm, (uint64_t)a + i * PAGE_SIZE)), 1);
	ck_assert_int_eq(get_byte(mm, p1 + 10), 'Y');
}
END_TEST

START_TEST(short_holes_are_shared_not_counted)
{
	int64_t a = mm_mmap(mm, 0, 256 * PAGE_SIZE, PROT_READ | PROT_WRITE, ANON, NULL, 0);
	put_byte(mm, (uint64_t)a, 'a');
	put_byte(mm, (uint64_t)a + 10 * PAGE_SIZE, 'b');
	put_byte(mm, (uint64_t)a + 200 * PAGE_SIZE, 'c');
	struct mm *child;
	ck_assert_int_eq(mm_fork(mm, &child), 0);
	uint64_t p5 = (uint64_t)a + 5 * PAGE_SIZE, p100 = (uint64_t)a + 100 * PAGE_SIZE;
	/* The short hole is one run with its neighbours, the long one each
	 * side's own. */
	ck_assert_uint_eq(where(mm, p5), where(child, p5));
	ck_assert_uint_ne(where(mm, p100), where(child, p100));
	uint64_t borrowed, shared, pss;
	mm_vma_cow_usage(mm_find_vma(child, (uint64_t)a), &borrowed, &shared, &pss);
	ck_assert_uint_eq(borrowed, 3 * PAGE_SIZE);
	uint8_t vec[11];
	uint64_t done;
	ck_assert_int_eq(mm_mincore(child, (uint64_t)a, 11, vec, &done), 0);
	ck_assert(vec[0] && !vec[5] && vec[10]);
	put_byte(child, p5, 'x');
	ck_assert_int_eq(get_byte(mm, p5), 0);
	ck_assert_int_eq(get_byte(child, p5), 'x');
	mm_put(child);
}
END_TEST

START_TEST(readonly_and_forced_writes)
{
	int64_t a = mm_mmap(mm, 0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, ANON, NULL, 0);
	put_byte(mm, (uint64_t)a, 'p');
	struct mm *child;
	ck_assert_int_eq(mm_fork(mm, &child), 0);
	ck_assert_int_eq(mm_mprotect(child, (uint64_t)a, 2 * PAGE_SIZE, PROT_READ), 0);
	ck_assert_int_eq(mm_handle_wp_fault(child, (uint64_t)a), -EFAULT);
	char c = 'c';
	ck_assert_int_eq(mm_copy_to(child, (uint64_t)a, &c, 1, 0), -EFAULT);
	ck_assert_int_eq(mm_copy_to(child, (uint64_t)a, &c, 1, 1), 0); /* ptrace poke */
	ck_assert_int_eq(get_byte(child, (uint64_t)a), 'c');
	ck_assert_int_eq(get_byte(mm, (uint64_t)a), 'p');
	mm_put(child);
}
END_TEST

START_TEST(dontneed_and_mremap_after_fork)
{
	int64_t a = mm_mmap(mm, 0, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, ANON, NULL, 0);
	for (int i = 0; i < 4; i++)
		put_byte(mm, (uint64_t)a + i * PAGE_SIZE, 'p');
	struct mm *child;
	ck_assert_int_eq(mm_fork(mm, &child), 0);
	ck_assert_int_eq(mm_madvise(child, (uint64_t)a, 2 * PAGE_SIZE, MADV_DONTNEED), 0);
	ck_assert_int_eq(get_byte(child, (uint64_t)a), 0);
	ck_assert_int_eq(get_byte(mm, (uint64_t)a), 'p');
	ck_assert_uint_eq(memfile_page_ref(&mf, where(mm, (uint64_t)a)), 1);
	int64_t b = mm_mremap(child, (uint64_t)a, 4 * PAGE_SIZE, 8 * PAGE_SIZE, MREMAP_MAYMOVE | MREMAP_FIXED,
			      (uint64_t)a + 64 * PAGE_SIZE);
	ck_assert_int_eq(b, a + 64 * PAGE_SIZE);
	ck_assert_int_eq(get_byte(child, (uint64_t)b + 3 * PAGE_SIZE), 'p');
	ck_assert_uint_eq(where(child, (uint64_t)b + 3 * PAGE_SIZE), where(mm, (uint64_t)a + 3 * PAGE_SIZE));
	put_byte(child, (uint64_t)b + 3 * PAGE_SIZE, 'c');
	ck_assert_int_eq(get_byte(mm, (uint64_t)a + 3 * PAGE_SIZE), 'p');
	/* Part of the child's mapping goes: its borrowed page with it. */
	ck_assert_int_eq(mm_munmap(child, (uint64_t)b + 2 * PAGE_SIZE, PAGE_SIZE), 0);
	ck_assert_uint_eq(memfile_page_ref(&mf, where(mm, (uint64_t)a + 2 * PAGE_SIZE)), 1);
	mm_put(child);
}
END_TEST

START_TEST(fork_chain_any_exit_order)
{
	int64_t a = mm_mmap(mm, 0, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, ANON, NULL, 0);
	put_byte(mm, (uint64_t)a, '0');
	struct mm *gen[4] = { mm };
	for (int g = 1; g < 4; g++) {
		ck_assert_int_eq(mm_fork(gen[g - 1], &gen[g]), 0);
		put_byte(gen[g], (uint64_t)a + (uint64_t)g * 8, (char)('0' + g));
		/* A page written after the fork in the parent. */
		put_byte(gen[g - 1], (uint64_t)a + PAGE_SIZE, (char)('A' + g));
	}
	for (int g = 0; g < 4; g++)
		for (int h = 1; h < 4; h++)
			ck_assert_int_eq(get_byte(gen[g], (uint64_t)a + (uint64_t)h * 8), h <= g ? '0' + h : 0);
	/* The middle generations go first; the page stays for the rest. */
	mm_put(gen[1]);
	mm_put(gen[2]);
	ck_assert_int_eq(get_byte(gen[3], (uint64_t)a), '0');
	ck_assert_int_eq(get_byte(gen[3], (uint64_t)a + PAGE_SIZE), 0);
	ck_assert_int_eq(get_byte(mm, (uint64_t)a + PAGE_SIZE), 'B');
	ck_assert_int_eq(get_byte(mm, (uint64_t)a + 24), 0);
	mm_put(gen[3]);
	ck_assert_uint_eq(memfile_page_ref(&mf, where(mm, (uint64_t)a)), 1);
}
END_TEST

START_TEST(many_forks_keep_file_space)
{
	int64_t a = mm_mmap(mm, 0, 64 * PAGE_SIZE, PROT_READ | PROT_WRITE, ANON, NULL, 0);
	for (int i = 0; i < 64; i++)
		put_byte(mm, (uint64_t)a + i * PAGE_SIZE, 'p');
	uint64_t alloc0 = mf.allocated;
	/* A parent that forks and writes one page each time: old ranges give
	 * their file space back but for the pages still borrowed. */
	for (int i = 0; i < 50; i++) {
		struct mm *child;
		ck_assert_int_eq(mm_fork(mm, &child), 0);
		put_byte(mm, (uint64_t)a + (uint64_t)(i % 64) * PAGE_SIZE, (char)i);
		mm_put(child);
	}
	ck_assert_uint_le(mf.allocated, alloc0 + 64 * PAGE_SIZE + 64 * PAGE_SIZE);
	ck_assert_uint_le(memfile_present_bytes(&mf, 0, mf.size), 64 * PAGE_SIZE);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mm_cow");
	TCase *tc = tcase_create("mm_cow");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, cowmap_sparse);
	tcase_add_test(tc, page_refs);
	tcase_add_test(tc, fork_shares_then_copies);
	tcase_add_test(tc, short_holes_are_shared_not_counted);
	tcase_add_test(tc, readonly_and_forced_writes);
	tcase_add_test(tc, dontneed_and_mremap_after_fork);
	tcase_add_test(tc, fork_chain_any_exit_order);
	tcase_add_test(tc, many_forks_keep_file_space);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
