/* The page cache and file mappings, on a real memory file but without a
 * platform: loading pages through a fake backing file, read/write through
 * the cache, write-back of shared stores, truncation, private copies,
 * mremap of file mappings, the reverse map across split and fork, and
 * anonymous caches. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "runsc/util.h"
#include "sentry/kernel.h"
#include "sentry/memfile.h"
#include "sentry/mm.h"
#include "sentry/pagecache.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"

#define FILE_SIZE (2 * PAGE_SIZE + 100)

static struct kernel k;
static struct memfile mf;
static struct superblock *sb;
static struct inode *ino;
static char backing[8 * PAGE_SIZE]; /* the "host file" */
static int reads, writes;           /* calls into the backing file */
static struct mm *mm;

static ssize_t fake_read(struct file *f, void *buf, size_t len, uint64_t off)
{
	reads++;
	if (off >= (uint64_t)ino->size)
		return 0;
	size_t n = MIN(len, (size_t)ino->size - off);
	memcpy(buf, backing + off, n);
	return (ssize_t)n;
}

static ssize_t fake_write(struct file *f, const void *buf, size_t len, uint64_t off)
{
	writes++;
	memcpy(backing + off, buf, len);
	return (ssize_t)len;
}

static const struct pagecache_ops fake_ops = { .read = fake_read, .write = fake_write };

static int fake_mmap(struct file *f, struct pagecache **out)
{
	if (!f->inode->cache)
		f->inode->cache = pagecache_new(f->inode, &fake_ops);
	*out = f->inode->cache;
	return 0;
}

static const struct file_ops fake_fops = { .mmap = fake_mmap };

static struct file *open_file(int flags)
{
	struct file *f = file_alloc(&fake_fops, flags, NULL);
	f->inode = inode_get(ino);
	return f;
}

static void setup(void)
{
	ck_assert_int_eq(memfile_init(&mf, 1ULL << 30), 0);
	memset(&k, 0, sizeof(k));
	k.mf = &mf; /* no platform: mm keeps no address space */
	kernel = &k;
	sb = sb_new("test", 0);
	ino = inode_new(sb, S_IFREG | 0644, NULL, &fake_fops);
	ino->size = FILE_SIZE;
	for (size_t i = 0; i < sizeof(backing); i++)
		backing[i] = (char)('a' + i % 26);
	reads = writes = 0;
	ck_assert_int_eq(mm_new(&mm), 0);
}

static void teardown(void)
{
	mm_put(mm);
	struct pagecache *pc = ino->cache;
	ino->cache = NULL;
	pagecache_destroy(pc);
	inode_put(ino);
	sb_put(sb);
	memfile_destroy(&mf);
	kernel = NULL;
}

static char *cache_page(uint64_t off)
{
	struct mf_range *r;
	uint64_t roff, avail;
	ck_assert_int_eq(pagecache_get_range(ino->cache, off, PAGE_SIZE, &r, &roff, &avail), 0);
	char *p = memfile_ptr(&mf, r->off + roff);
	mf_range_put(r);
	return p;
}

START_TEST(fill_loads_once_and_zeroes_tail)
{
	ino->cache = pagecache_new(ino, &fake_ops);
	struct file *f = open_file(O_RDONLY);
	cache_page(0); /* the extent: pages exist once something maps them */
	ck_assert_int_eq(pagecache_fill(ino->cache, f, 0, 8 * PAGE_SIZE), 0);
	ck_assert_int_eq(reads, 1); /* one run, up to the end of the file */
	ck_assert_mem_eq(cache_page(0), backing, PAGE_SIZE);
	char *last = cache_page(2 * PAGE_SIZE);
	ck_assert_mem_eq(last, backing + 2 * PAGE_SIZE, 100);
	ck_assert_int_eq(last[100], 0);
	ck_assert_int_eq(last[PAGE_SIZE - 1], 0);
	bool valid;
	ck_assert_uint_eq(pagecache_run(ino->cache, 0, 8 * PAGE_SIZE, &valid), 3 * PAGE_SIZE);
	ck_assert(valid);
	ck_assert_int_eq(pagecache_fill(ino->cache, f, 0, 3 * PAGE_SIZE), 0);
	ck_assert_int_eq(reads, 1);
	file_put(f);
}
END_TEST

START_TEST(read_prefers_valid_pages)
{
	ino->cache = pagecache_new(ino, &fake_ops);
	struct file *f = open_file(O_RDONLY);
	cache_page(0);
	ck_assert_int_eq(pagecache_fill(ino->cache, f, 0, PAGE_SIZE), 0);
	cache_page(0)[5] = '!'; /* a store through a shared mapping */
	char buf[3 * PAGE_SIZE];
	ck_assert_int_eq(pagecache_read(ino->cache, f, buf, sizeof(buf), 0), FILE_SIZE);
	ck_assert_int_eq(buf[5], '!');
	ck_assert_mem_eq(buf + PAGE_SIZE, backing + PAGE_SIZE, FILE_SIZE - PAGE_SIZE);
	/* A write reaches the backing file (the caller did that) and the
	 * valid page; invalid pages are left to load later. */
	memcpy(backing + 4, "WXYZ", 4);
	pagecache_write_update(ino->cache, "WXYZ", 4, 4);
	ck_assert_mem_eq(cache_page(0) + 4, "WXYZ", 4);
	file_put(f);
}
END_TEST

START_TEST(shared_store_written_back_on_unmap)
{
	struct file *f = open_file(O_RDWR);
	int64_t a = mm_mmap(mm, 0, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
	ck_assert_int_gt(a, 0);
	struct vma *v = mm_find_vma(mm, (uint64_t)a);
	ck_assert_ptr_eq(v->cache, ino->cache);
	ck_assert_int_eq(pagecache_nr_maps(ino->cache), 1);
	ck_assert_int_eq(pagecache_nr_writable_maps(ino->cache), 1);
	char buf[8];
	ck_assert_int_eq(mm_copy_from(mm, buf, (uint64_t)a + 2, 4), 0);
	ck_assert_mem_eq(buf, backing + 2, 4);
	ck_assert_int_eq(mm_copy_to(mm, (uint64_t)a + PAGE_SIZE, "dirty", 5, 0), 0);
	ck_assert_mem_eq(cache_page(PAGE_SIZE), "dirty", 5);
	ck_assert_mem_ne(backing + PAGE_SIZE, "dirty", 5);
	/* Past the file's last page: EFAULT (SIGBUS for the CPU). */
	ck_assert_int_eq(mm_copy_from(mm, buf, (uint64_t)a + 3 * PAGE_SIZE, 1), -EFAULT);
	int signo, code;
	mm_fault_signal(mm, (uint64_t)a + 3 * PAGE_SIZE, -EFAULT, &signo, &code);
	ck_assert_int_eq(signo, SIGBUS);
	ck_assert_int_eq(code, BUS_ADRERR);
	mm_fault_signal(mm, (uint64_t)a + 2 * PAGE_SIZE, -EFAULT, &signo, &code);
	ck_assert_int_eq(code, SEGV_ACCERR);
	/* msync writes back; so does the unmap. */
	ck_assert_int_eq(mm_msync(mm, (uint64_t)a, PAGE_SIZE, MS_SYNC), -0);
	ck_assert_int_eq(mm_msync(mm, (uint64_t)a, 4 * PAGE_SIZE, MS_SYNC), 0);
	ck_assert_mem_eq(backing + PAGE_SIZE, "dirty", 5);
	memcpy(backing + PAGE_SIZE, "clean", 5);
	ck_assert_int_eq(mm_copy_to(mm, (uint64_t)a + PAGE_SIZE, "again", 5, 0), 0);
	ck_assert_int_eq(mm_munmap(mm, (uint64_t)a, 4 * PAGE_SIZE), 0);
	ck_assert_mem_eq(backing + PAGE_SIZE, "again", 5);
	ck_assert_int_eq(pagecache_nr_maps(ino->cache), 0);
	file_put(f);
}
END_TEST

START_TEST(private_write_copies)
{
	struct file *f = open_file(O_RDONLY);
	ck_assert_int_eq(mm_mmap(mm, 0, 3 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0), -EACCES);
	int64_t a = mm_mmap(mm, 0, 3 * PAGE_SIZE, PROT_READ, MAP_PRIVATE, f, 0);
	ck_assert_int_gt(a, 0);
	struct vma *v = mm_find_vma(mm, (uint64_t)a);
	ck_assert(!(v->flags & VMA_COPIED));
	/* A forced write (the loader's bss zeroing, ptrace) copies first. */
	ck_assert_int_eq(mm_copy_to(mm, (uint64_t)a, "priv", 4, 1), 0);
	ck_assert(v->flags & VMA_COPIED);
	ck_assert_mem_ne(cache_page(0), "priv", 4);
	char buf[4];
	ck_assert_int_eq(mm_copy_from(mm, buf, (uint64_t)a + PAGE_SIZE, 4), 0);
	ck_assert_mem_eq(buf, backing + PAGE_SIZE, 4);
	/* Still on the reverse map, so truncation reaches it. */
	ck_assert_int_eq(pagecache_nr_maps(ino->cache), 1);
	/* MADV_DONTNEED brings the file's bytes back. */
	ck_assert_int_eq(mm_madvise(mm, (uint64_t)a, PAGE_SIZE, MADV_DONTNEED), 0);
	ck_assert_int_eq(mm_copy_from(mm, buf, (uint64_t)a, 4), 0);
	ck_assert_mem_eq(buf, backing, 4);
	/* mprotect to writable on a fresh private mapping copies too. */
	int64_t b = mm_mmap(mm, 0, PAGE_SIZE, PROT_READ, MAP_PRIVATE, f, 0);
	ck_assert_int_eq(mm_mprotect(mm, (uint64_t)b, PAGE_SIZE, PROT_READ | PROT_WRITE), 0);
	ck_assert(mm_find_vma(mm, (uint64_t)b)->flags & VMA_COPIED);
	file_put(f);
}
END_TEST

START_TEST(truncate_zeroes_tail_and_invalidates)
{
	ino->cache = pagecache_new(ino, &fake_ops);
	struct file *f = open_file(O_RDONLY);
	cache_page(0);
	ck_assert_int_eq(pagecache_fill(ino->cache, f, 0, 3 * PAGE_SIZE), 0);
	ino->size = 10;
	pagecache_truncate(ino->cache, FILE_SIZE, 10);
	ck_assert_mem_eq(cache_page(0), backing, 10);
	ck_assert_int_eq(cache_page(0)[10], 0);
	bool valid;
	pagecache_run(ino->cache, PAGE_SIZE, PAGE_SIZE, &valid);
	ck_assert(!valid);
	file_put(f);
}
END_TEST

START_TEST(reverse_map_follows_split_fork_mremap)
{
	struct file *f = open_file(O_RDONLY);
	int64_t a = mm_mmap(mm, 0, 3 * PAGE_SIZE, PROT_READ, MAP_PRIVATE, f, 0);
	ck_assert_int_eq(mm_mprotect(mm, (uint64_t)a + PAGE_SIZE, PAGE_SIZE, PROT_NONE), 0);
	ck_assert_int_eq(pagecache_nr_maps(ino->cache), 3);
	ck_assert_uint_eq(mm_find_vma(mm, (uint64_t)a + 2 * PAGE_SIZE)->file_off, 2 * PAGE_SIZE);
	struct mm *child;
	ck_assert_int_eq(mm_fork(mm, &child), 0);
	ck_assert_int_eq(pagecache_nr_maps(ino->cache), 6);
	mm_put(child);
	ck_assert_int_eq(pagecache_nr_maps(ino->cache), 3);
	ck_assert_int_eq(mm_munmap(mm, (uint64_t)a, 3 * PAGE_SIZE), 0);
	ck_assert_int_eq(pagecache_nr_maps(ino->cache), 0);

	/* Growing a file mapping maps more of the file. */
	int64_t b = mm_mmap(mm, 0, PAGE_SIZE, PROT_READ, MAP_PRIVATE, f, 0);
	int64_t c = mm_mremap(mm, (uint64_t)b, PAGE_SIZE, 2 * PAGE_SIZE, MREMAP_MAYMOVE, 0);
	ck_assert_int_gt(c, 0);
	char buf[4];
	ck_assert_int_eq(mm_copy_from(mm, buf, (uint64_t)c + PAGE_SIZE, 4), 0);
	ck_assert_mem_eq(buf, backing + PAGE_SIZE, 4);
	/* And a grown mapping moves as one. */
	int64_t d = mm_mremap(mm, (uint64_t)c, 2 * PAGE_SIZE, 3 * PAGE_SIZE, MREMAP_MAYMOVE, 0);
	ck_assert_int_gt(d, 0);
	ck_assert_int_eq(mm_copy_from(mm, buf, (uint64_t)d + 2 * PAGE_SIZE, 4), 0);
	ck_assert_mem_eq(buf, backing + 2 * PAGE_SIZE, 4);
	file_put(f);
}
END_TEST

START_TEST(anonymous_cache_is_the_data)
{
	struct pagecache *pc = pagecache_new(ino, NULL);
	ck_assert(pagecache_is_anon(pc));
	ck_assert_int_eq(pagecache_anon_rw(pc, "far", 3, 10 << 20, true), 3);
	ck_assert(pagecache_resident(pc, 10 << 20));
	ck_assert(!pagecache_resident(pc, 5 << 20));
	ck_assert_uint_eq(pagecache_resident_bytes(pc), PAGE_SIZE);
	char buf[8] = { 1, 1, 1 };
	ck_assert_int_eq(pagecache_anon_rw(pc, buf, 3, 5 << 20, false), 3);
	ck_assert_int_eq(buf[0] | buf[1] | buf[2], 0);
	ck_assert_int_eq(pagecache_anon_rw(pc, buf, 3, 10 << 20, false), 3);
	ck_assert_mem_eq(buf, "far", 3);
	pagecache_punch(pc, 10 << 20, PAGE_SIZE);
	ck_assert_int_eq(pagecache_anon_rw(pc, buf, 3, 10 << 20, false), 3);
	ck_assert_int_eq(buf[0], 0);
	pagecache_destroy(pc);
}
END_TEST

START_TEST(mincore_anonymous)
{
	int64_t a = mm_mmap(mm, 0, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);
	ck_assert_int_eq(mm_copy_to(mm, (uint64_t)a + 2 * PAGE_SIZE, "x", 1, 0), 0);
	uint8_t vec[4];
	uint64_t done;
	ck_assert_int_eq(mm_mincore(mm, (uint64_t)a, 4, vec, &done), 0);
	ck_assert_uint_eq(done, 4);
	ck_assert(!vec[0] && !vec[1] && vec[2] && !vec[3]);
	ck_assert_int_eq(mm_munmap(mm, (uint64_t)a + 3 * PAGE_SIZE, PAGE_SIZE), 0);
	ck_assert_int_eq(mm_mincore(mm, (uint64_t)a, 4, vec, &done), -ENOMEM);
	ck_assert_uint_eq(done, 3);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pagecache");
	TCase *tc = tcase_create("pagecache");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fill_loads_once_and_zeroes_tail);
	tcase_add_test(tc, read_prefers_valid_pages);
	tcase_add_test(tc, shared_store_written_back_on_unmap);
	tcase_add_test(tc, private_write_copies);
	tcase_add_test(tc, truncate_zeroes_tail_and_invalidates);
	tcase_add_test(tc, reverse_map_follows_split_fork_mremap);
	tcase_add_test(tc, anonymous_cache_is_the_data);
	tcase_add_test(tc, mincore_anonymous);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
