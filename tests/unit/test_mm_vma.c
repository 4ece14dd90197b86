/* Address-space bookkeeping: VMA insertion, splitting on munmap/mprotect,
 * placement of mmap without a hint, and brk — without a platform. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "sentry/kernel.h"
#include "sentry/mm.h"

static struct mm *mm;

static void setup(void)
{
	kernel = NULL; /* pure bookkeeping: no memory file, no platform */
	ck_assert_int_eq(mm_new(&mm), 0);
}

static void teardown(void) { mm_put(mm); }

static int count_vmas(void)
{
	int n = 0;
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, link)
		n++;
	ck_assert_int_eq(n, mm->nr_vmas);
	return n;
}

#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

START_TEST(fixed_map_and_find)
{
	int64_t a = mm_mmap(mm, 0x100000, 3 * PAGE_SIZE, PROT_READ, ANON | MAP_FIXED, NULL, 0);
	ck_assert_int_eq(a, 0x100000);
	ck_assert_ptr_nonnull(mm_find_vma(mm, 0x100000));
	ck_assert_ptr_nonnull(mm_find_vma(mm, 0x100000 + 3 * PAGE_SIZE - 1));
	ck_assert_ptr_null(mm_find_vma(mm, 0x100000 + 3 * PAGE_SIZE));
	ck_assert_ptr_null(mm_find_vma(mm, 0xfffff));
	ck_assert_int_eq(mm->total_vm, 3 * PAGE_SIZE);
}
END_TEST

START_TEST(munmap_middle_splits)
{
	mm_mmap(mm, 0x100000, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, ANON | MAP_FIXED, NULL, 0);
	ck_assert_int_eq(mm_munmap(mm, 0x100000 + PAGE_SIZE, 2 * PAGE_SIZE), 0);
	ck_assert_int_eq(count_vmas(), 2);
	ck_assert_ptr_null(mm_find_vma(mm, 0x100000 + PAGE_SIZE));
	struct vma *hi = mm_find_vma(mm, 0x100000 + 3 * PAGE_SIZE);
	ck_assert_ptr_nonnull(hi);
	ck_assert_uint_eq(hi->start, 0x100000 + 3 * PAGE_SIZE);
	/* The upper half still points at its own part of the range. */
	ck_assert_uint_eq(hi->range_off, 3 * PAGE_SIZE);
	ck_assert_int_eq(mm->total_vm, 2 * PAGE_SIZE);
}
END_TEST

START_TEST(munmap_across_vmas)
{
	mm_mmap(mm, 0x100000, 2 * PAGE_SIZE, PROT_READ, ANON | MAP_FIXED, NULL, 0);
	mm_mmap(mm, 0x100000 + 2 * PAGE_SIZE, 2 * PAGE_SIZE, PROT_WRITE, ANON | MAP_FIXED, NULL, 0);
	ck_assert_int_eq(count_vmas(), 2);
	ck_assert_int_eq(mm_munmap(mm, 0x100000 + PAGE_SIZE, 2 * PAGE_SIZE), 0);
	ck_assert_int_eq(count_vmas(), 2);
	ck_assert_ptr_nonnull(mm_find_vma(mm, 0x100000));
	ck_assert_ptr_null(mm_find_vma(mm, 0x100000 + PAGE_SIZE));
	ck_assert_ptr_null(mm_find_vma(mm, 0x100000 + 2 * PAGE_SIZE));
	ck_assert_ptr_nonnull(mm_find_vma(mm, 0x100000 + 3 * PAGE_SIZE));
}
END_TEST

START_TEST(munmap_einval)
{
	ck_assert_int_eq(mm_munmap(mm, 0x100001, PAGE_SIZE), -EINVAL);
	ck_assert_int_eq(mm_munmap(mm, 0x100000, 0), -EINVAL);
	/* Unmapping nothing is fine, as in Linux. */
	ck_assert_int_eq(mm_munmap(mm, 0x200000, PAGE_SIZE), 0);
}
END_TEST

START_TEST(mprotect_splits_three_ways)
{
	mm_mmap(mm, 0x100000, 3 * PAGE_SIZE, PROT_READ | PROT_WRITE, ANON | MAP_FIXED, NULL, 0);
	ck_assert_int_eq(mm_mprotect(mm, 0x100000 + PAGE_SIZE, PAGE_SIZE, PROT_READ), 0);
	ck_assert_int_eq(count_vmas(), 3);
	ck_assert_int_eq(mm_find_vma(mm, 0x100000)->prot, PROT_READ | PROT_WRITE);
	ck_assert_int_eq(mm_find_vma(mm, 0x100000 + PAGE_SIZE)->prot, PROT_READ);
	ck_assert_int_eq(mm_find_vma(mm, 0x100000 + 2 * PAGE_SIZE)->prot, PROT_READ | PROT_WRITE);
}
END_TEST

START_TEST(mprotect_hole_enomem_unchanged)
{
	mm_mmap(mm, 0x100000, PAGE_SIZE, PROT_READ, ANON | MAP_FIXED, NULL, 0);
	mm_mmap(mm, 0x100000 + 2 * PAGE_SIZE, PAGE_SIZE, PROT_READ, ANON | MAP_FIXED, NULL, 0);
	ck_assert_int_eq(mm_mprotect(mm, 0x100000, 3 * PAGE_SIZE, PROT_NONE), -ENOMEM);
	ck_assert_int_eq(mm_find_vma(mm, 0x100000)->prot, PROT_READ);
	ck_assert_int_eq(mm_mprotect(mm, 0x100001, PAGE_SIZE, PROT_NONE), -EINVAL);
}
END_TEST

START_TEST(fixed_replaces_and_noreplace)
{
	mm_mmap(mm, 0x100000, 4 * PAGE_SIZE, PROT_READ, ANON | MAP_FIXED, NULL, 0);
	ck_assert_int_eq(mm_mmap(mm, 0x100000 + PAGE_SIZE, PAGE_SIZE, PROT_WRITE, ANON | MAP_FIXED_NOREPLACE, NULL, 0),
			 -EEXIST);
	ck_assert_int_eq(mm_mmap(mm, 0x100000 + PAGE_SIZE, PAGE_SIZE, PROT_WRITE, ANON | MAP_FIXED, NULL, 0),
			 0x100000 + PAGE_SIZE);
	ck_assert_int_eq(count_vmas(), 3);
	ck_assert_int_eq(mm_find_vma(mm, 0x100000 + PAGE_SIZE)->prot, PROT_WRITE);
	ck_assert_int_eq(mm->total_vm, 4 * PAGE_SIZE);
}
END_TEST

START_TEST(hintless_top_down_no_overlap)
{
	int64_t a = mm_mmap(mm, 0, PAGE_SIZE, PROT_READ, ANON, NULL, 0);
	int64_t b = mm_mmap(mm, 0, 2 * PAGE_SIZE, PROT_READ, ANON, NULL, 0);
	ck_assert_int_gt(a, 0);
	ck_assert_int_gt(b, 0);
	ck_assert_int_eq(b + 2 * (int64_t)PAGE_SIZE, a); /* placed just below */
	ck_assert_uint_le((uint64_t)a + PAGE_SIZE, mm->mmap_base);
	/* A hint that collides is moved, not honoured. */
	int64_t c = mm_mmap(mm, (uint64_t)a, PAGE_SIZE, PROT_READ, ANON, NULL, 0);
	ck_assert_int_ne(c, a);
	ck_assert_int_eq(count_vmas(), 3);
}
END_TEST

START_TEST(bad_arguments)
{
	ck_assert_int_eq(mm_mmap(mm, 0, 0, PROT_READ, ANON, NULL, 0), -EINVAL);
	ck_assert_int_eq(mm_mmap(mm, 0, PAGE_SIZE, PROT_READ, MAP_ANONYMOUS, NULL, 0), -EINVAL);
	ck_assert_int_eq(mm_mmap(mm, 0x100001, PAGE_SIZE, PROT_READ, ANON | MAP_FIXED, NULL, 0), -EINVAL);
	ck_assert_int_eq(mm_mmap(mm, 0, PAGE_SIZE, 0x100, ANON, NULL, 0), -EINVAL);
	ck_assert_int_eq(mm_mmap(mm, APP_MAX_ADDR, PAGE_SIZE, PROT_READ, ANON | MAP_FIXED, NULL, 0), -ENOMEM);
}
END_TEST

START_TEST(brk_grows_and_shrinks)
{
	mm->brk_start = mm->brk = 0x400000;
	ck_assert_uint_eq(mm_brk(mm, 0), 0x400000);
	ck_assert_uint_eq(mm_brk(mm, 0x400000 + 100), 0x400000 + 100);
	ck_assert_ptr_nonnull(mm_find_vma(mm, 0x400000));
	ck_assert_uint_eq(mm_brk(mm, 0x400000 + 3 * PAGE_SIZE), 0x400000 + 3 * PAGE_SIZE);
	ck_assert_ptr_nonnull(mm_find_vma(mm, 0x400000 + 2 * PAGE_SIZE));
	ck_assert_uint_eq(mm_brk(mm, 0x400000 + PAGE_SIZE), 0x400000 + PAGE_SIZE);
	ck_assert_ptr_null(mm_find_vma(mm, 0x400000 + PAGE_SIZE));
	/* Below the start: refused, the old break stays. */
	ck_assert_uint_eq(mm_brk(mm, 0x300000), 0x400000 + PAGE_SIZE);
	/* Into an existing mapping: refused. */
	mm_mmap(mm, 0x400000 + 4 * PAGE_SIZE, PAGE_SIZE, PROT_READ, ANON | MAP_FIXED, NULL, 0);
	ck_assert_uint_eq(mm_brk(mm, 0x400000 + 8 * PAGE_SIZE), 0x400000 + PAGE_SIZE);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mm_vma");
	TCase *tc = tcase_create("vma");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fixed_map_and_find);
	tcase_add_test(tc, munmap_middle_splits);
	tcase_add_test(tc, munmap_across_vmas);
	tcase_add_test(tc, munmap_einval);
	tcase_add_test(tc, mprotect_splits_three_ways);
	tcase_add_test(tc, mprotect_hole_enomem_unchanged);
	tcase_add_test(tc, fixed_replaces_and_noreplace);
	tcase_add_test(tc, hintless_top_down_no_overlap);
	tcase_add_test(tc, bad_arguments);
	tcase_add_test(tc, brk_grows_and_shrinks);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
