/* File-backed mmap of a file in the root filesystem (this program's own
 * executable, opened read-only): private and shared mappings agree with
 * read(2), copy-on-write, access checks (EACCES, ENODEV, EBADF...), SIGBUS
 * past the end of the file, mprotect on file mappings, mremap of a file
 * mapping; and the calls around mappings: mincore, msync, MAP_GROWSDOWN
 * growth and its guard gap, MAP_FIXED_NOREPLACE, SIGSEGV codes. */
#include "conformance.h"
#include <fcntl.h>
#include <setjmp.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define PG 4096L

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_signo, fault_code;
static void *volatile fault_addr;

static void fault_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	fault_signo = sig;
	fault_code = si->si_code;
	fault_addr = si->si_addr;
	siglongjmp(fault_jmp, 1);
}

static int read_sig(volatile char *p, char *out)
{
	fault_signo = 0;
	fault_addr = NULL;
	if (sigsetjmp(fault_jmp, 1) == 0) {
		char c = *p;
		if (out)
			*out = c;
		return 0;
	}
	return fault_signo;
}

static int write_sig(volatile char *p, char c)
{
	fault_signo = 0;
	fault_addr = NULL;
	if (sigsetjmp(fault_jmp, 1) == 0) {
		*p = c;
		return 0;
	}
	return fault_signo;
}

static const char *self;
static char *content; /* the whole file, by read(2) */
static long fsize;

static void load_self(void)
{
	int fd = open(self, O_RDONLY);
	struct stat st;
	fstat(fd, &st);
	fsize = st.st_size;
	content = malloc(fsize);
	CHECK_EQ("self.read", conf_read_all(fd, content, fsize), fsize);
	close(fd);
}

static void test_read_mappings(void)
{
	int fd = open(self, O_RDONLY);
	CHECK("open_self", fd >= 0);
	char *p = mmap(NULL, fsize, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK("private_ro", p != MAP_FAILED);
	CHECK("private_ro.matches_read", memcmp(p, content, fsize) == 0);
	CHECK("private_ro.elf", memcmp(p, "\177ELF", 4) == 0);

	char *s = mmap(NULL, fsize, PROT_READ, MAP_SHARED, fd, 0);
	CHECK("shared_ro", s != MAP_FAILED);
	CHECK("shared_ro.matches_read", memcmp(s, content, fsize) == 0);

	/* An offset mapping. */
	char *o = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, fd, PG);
	CHECK("offset", o != MAP_FAILED);
	CHECK("offset.matches", memcmp(o, content + PG, 2 * PG) == 0);
	munmap(o, 2 * PG);

	/* A child sees the same pages. */
	pid_t pid = fork();
	if (pid == 0)
		_exit(memcmp(s, content, fsize) == 0 && memcmp(p, content, fsize) == 0 ? 0 : 1);
	CHECK_EXIT("fork_child_sees_mappings", conf_wait(pid), 0);

	/* Writes: refused on a read-only mapping (SEGV_ACCERR)... */
	CHECK_EQ("write_ro_segv", write_sig(p + 10, 'x'), SIGSEGV);
	CHECK_EQ("write_ro_code", fault_code, SEGV_ACCERR);
	CHECK("write_ro_addr", fault_addr == p + 10);
	/* ...copy-on-write after mprotect on a private one... */
	CHECK_OK("private_mprotect_rw", mprotect(p, PG, PROT_READ | PROT_WRITE));
	CHECK_EQ("private_store", write_sig(p + 10, 'x'), 0);
	CHECK_EQ("private_store.visible", p[10], 'x');
	CHECK("private_store.rest_intact", memcmp(p + PG, content + PG, fsize - PG) == 0);
	CHECK("private_store.shared_unchanged", s[10] == content[10]);
	char c;
	CHECK_EQ("private_store.file_unchanged", pread(fd, &c, 1, 10), 1);
	CHECK_EQ("private_store.file_byte", c, content[10]);
	/* ...and never on a shared mapping of a read-only descriptor. */
	CHECK_ERR("shared_mprotect_write", mprotect(s, PG, PROT_READ | PROT_WRITE), EACCES);
	CHECK_OK("shared_mprotect_none", mprotect(s, PG, PROT_NONE));
	CHECK_EQ("prot_none_segv", read_sig(s + 5, NULL), SIGSEGV);
	CHECK_EQ("prot_none_code", fault_code, SEGV_ACCERR);
	CHECK_EQ("prot_none_split_neighbour", read_sig(s + PG, &c), 0);
	CHECK_EQ("prot_none_split_neighbour_data", c, content[PG]);
	CHECK_OK("shared_mprotect_back", mprotect(s, PG, PROT_READ));
	CHECK("shared_after_mprotect", memcmp(s, content, PG) == 0);

	/* Private writable from the start: a copy, file untouched. */
	char *w = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK("private_rw", w != MAP_FAILED);
	CHECK("private_rw.matches", memcmp(w, content, 2 * PG) == 0);
	memset(w, 0x33, 2 * PG);
	CHECK_EQ("private_rw.file_unchanged", pread(fd, &c, 1, PG), 1);
	CHECK_EQ("private_rw.file_byte", c, content[PG]);
	/* MADV_DONTNEED on a private file mapping brings the file back. */
	CHECK_OK("private_rw.dontneed", madvise(w, 2 * PG, MADV_DONTNEED));
	CHECK("private_rw.dontneed_file_again", memcmp(w, content, 2 * PG) == 0);
	munmap(w, 2 * PG);

	/* mremap of a file mapping: the new pages come from the file. */
	char *r = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0);
	char *r2 = mremap(r, PG, 3 * PG, MREMAP_MAYMOVE);
	CHECK("mremap_grow", r2 != MAP_FAILED);
	CHECK("mremap_grow.file_pages", r2 != MAP_FAILED && memcmp(r2, content, 3 * PG) == 0);
	if (r2 != MAP_FAILED)
		munmap(r2, 3 * PG);

	/* munmap of a middle page leaves the others. */
	CHECK_OK("munmap_middle", munmap(p + PG, PG));
	CHECK_EQ("munmap_middle.gone", read_sig(p + PG, NULL), SIGSEGV);
	CHECK_EQ("munmap_middle.maperr", fault_code, SEGV_MAPERR);
	CHECK("munmap_middle.after", memcmp(p + 2 * PG, content + 2 * PG, PG) == 0);
	munmap(p, fsize);
	munmap(s, fsize);
	close(fd);
}

static void test_sigbus(void)
{
	int fd = open(self, O_RDONLY);
	long last = (fsize + PG - 1) / PG * PG; /* end of the last file page */
	char *m = mmap(NULL, last + 2 * PG, PROT_READ, MAP_SHARED, fd, 0);
	CHECK("sigbus.map", m != MAP_FAILED);
	char c = 1;
	if (fsize % PG) {
		CHECK_EQ("sigbus.tail_readable", read_sig(m + fsize, &c), 0);
		CHECK_EQ("sigbus.tail_zero", c, 0);
	}
	CHECK_EQ("sigbus.next_page", read_sig(m + last, NULL), SIGBUS);
	CHECK_EQ("sigbus.code", fault_code, BUS_ADRERR);
	CHECK("sigbus.addr", fault_addr == m + last);
	CHECK_EQ("sigbus.further", read_sig(m + last + PG + 7, NULL), SIGBUS);
	CHECK("sigbus.further_addr", fault_addr == m + last + PG + 7);
	munmap(m, last + 2 * PG);

	/* Private mappings fault the same way. */
	m = mmap(NULL, last + PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK_EQ("sigbus.private", write_sig(m + last, 1), SIGBUS);
	CHECK_EQ("sigbus.private_inside_ok", write_sig(m + last - 1, 1), 0);
	munmap(m, last + PG);

	/* Entirely past the end: the mapping is made, every access faults. */
	m = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, last + 4 * PG);
	CHECK("sigbus.beyond_map", m != MAP_FAILED);
	CHECK_EQ("sigbus.beyond", read_sig(m, NULL), SIGBUS);
	/* The kernel's own copies fail with EFAULT rather than a signal. */
	int p[2];
	CHECK_OK("sigbus.pipe", pipe(p));
	CHECK_ERR("sigbus.write_efault", write(p[1], m, 10), EFAULT);
	close(p[0]);
	close(p[1]);
	munmap(m, PG);
	close(fd);
}

static void test_mmap_errors(void)
{
	int fd = open(self, O_RDONLY);
	CHECK_ERR("err.shared_write_rdonly", (long)mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EACCES);
	CHECK_ERR("err.unaligned_offset", (long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 100), EINVAL);
	CHECK_ERR("err.len0", (long)mmap(NULL, 0, PROT_READ, MAP_PRIVATE, fd, 0), EINVAL);
	CHECK_ERR("err.no_type", (long)mmap(NULL, PG, PROT_READ, 0, fd, 0), EINVAL);
	CHECK_ERR("err.growsdown_file", (long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_GROWSDOWN, fd, 0), EINVAL);
	CHECK_ERR("err.validate_unknown", (long)mmap(NULL, PG, PROT_READ, MAP_SHARED_VALIDATE | 0x80000, fd, 0), EOPNOTSUPP);
	char *v = mmap(NULL, PG, PROT_READ, MAP_SHARED_VALIDATE, fd, 0);
	CHECK("err.validate_ok", v != MAP_FAILED);
	munmap(v, PG);
	CHECK_ERR("err.ebadf", (long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE, -1, 0), EBADF);
	CHECK_ERR("err.ebadf_closed", (long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE, 999, 0), EBADF);
	int opath = open(self, O_PATH);
	CHECK_ERR("err.o_path", (long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE, opath, 0), EBADF);
	close(opath);
	int dir = open("/", O_RDONLY | O_DIRECTORY);
	CHECK_ERR("err.directory", (long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE, dir, 0), ENODEV);
	close(dir);
	/* MAP_ANONYMOUS ignores the descriptor. */
	v = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, 12345, 0);
	CHECK("err.anon_ignores_fd", v != MAP_FAILED);
	munmap(v, PG);
	CHECK_ERR("err.shared_growsdown", (long)mmap(NULL, PG, PROT_READ, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0), EINVAL);
	close(fd);
}

static void test_fixed_noreplace(void)
{
	char *a = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK_ERR("noreplace.exists", (long)mmap(a + PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
	CHECK_OK("noreplace.unmap", munmap(a + PG, PG));
	char *b = mmap(a + PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK("noreplace.free_ok", b == a + PG);
	/* MAP_FIXED replaces. */
	a[0] = 5;
	char *c = mmap(a, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK("fixed.replace", c == a);
	CHECK_EQ("fixed.replaced_zero", a[0], 0);
	munmap(a, 4 * PG);
}

static void test_mincore(void)
{
	unsigned char vec[8];
	char *a = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK_OK("mincore.fresh", mincore(a, 4 * PG, vec));
	CHECK("mincore.fresh_none", !(vec[0] & 1) && !(vec[1] & 1) && !(vec[2] & 1) && !(vec[3] & 1));
	a[PG] = 1;
	a[3 * PG + 100] = 1;
	CHECK_OK("mincore.touched", mincore(a, 4 * PG, vec));
	CHECK_EQ("mincore.page0", vec[0] & 1, 0);
	CHECK_EQ("mincore.page1", vec[1] & 1, 1);
	CHECK_EQ("mincore.page2", vec[2] & 1, 0);
	CHECK_EQ("mincore.page3", vec[3] & 1, 1);
	CHECK_OK("mincore.partial_len", mincore(a + PG, 1, vec));
	CHECK_EQ("mincore.partial_len_page", vec[0] & 1, 1);
	CHECK_OK("mincore.dontneed", madvise(a, 4 * PG, MADV_DONTNEED));
	CHECK_OK("mincore.after_dontneed", mincore(a, 4 * PG, vec));
	CHECK("mincore.after_dontneed_none", !(vec[1] & 1) && !(vec[3] & 1));
	CHECK_EQ("mincore.dontneed_zero", a[PG], 0);
	CHECK_ERR("mincore.unaligned", mincore(a + 1, PG, vec), EINVAL);
	CHECK_ERR("mincore.efault", mincore(a, PG, (unsigned char *)8), EFAULT);
	CHECK_OK("mincore.len0", mincore(a, 0, vec));
	munmap(a + 2 * PG, PG);
	CHECK_ERR("mincore.hole", mincore(a, 4 * PG, vec), ENOMEM);
	CHECK_ERR("mincore.unmapped", mincore(a + 2 * PG, PG, vec), ENOMEM);
	munmap(a, 4 * PG);

	/* Pages of a file mapping that were read are in memory. */
	int fd = open(self, O_RDONLY);
	char *m = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0);
	volatile char sink = m[0] + m[PG];
	(void)sink;
	CHECK_OK("mincore.file", mincore(m, 2 * PG, vec));
	CHECK("mincore.file_resident", (vec[0] & 1) && (vec[1] & 1));
	munmap(m, 2 * PG);
	close(fd);
}

static void test_msync(void)
{
	int fd = open(self, O_RDONLY);
	char *m = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0);
	CHECK_OK("msync.sync", msync(m, 2 * PG, MS_SYNC));
	CHECK_OK("msync.async", msync(m, PG, MS_ASYNC));
	CHECK_OK("msync.invalidate", msync(m, PG, MS_INVALIDATE));
	CHECK_OK("msync.none", msync(m, PG, 0));
	CHECK_OK("msync.len0", msync(m, 0, MS_SYNC));
	CHECK_ERR("msync.unaligned", msync(m + 1, PG, MS_SYNC), EINVAL);
	CHECK_ERR("msync.bad_flags", msync(m, PG, 0x100), EINVAL);
	CHECK_ERR("msync.both", msync(m, PG, MS_SYNC | MS_ASYNC), EINVAL);
	char *a = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK_OK("msync.anon", msync(a, 3 * PG, MS_SYNC));
	munmap(a + PG, PG);
	CHECK_ERR("msync.hole_sync", msync(a, 3 * PG, MS_SYNC), ENOMEM);
	CHECK_ERR("msync.hole_async", msync(a, 3 * PG, MS_ASYNC), ENOMEM);
	CHECK_ERR("msync.unmapped", msync(a + PG, PG, MS_SYNC), ENOMEM);
	munmap(a, 3 * PG);
	munmap(m, 2 * PG);
	close(fd);
}

/* A free, 64 MiB aligned stretch of address space to play in. */
static char *free_area(void)
{
	char *r = mmap(NULL, 128L << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(r, 128L << 20);
	return (char *)(((uintptr_t)r + (64L << 20) - 1) & ~((64UL << 20) - 1));
}

static void test_growsdown(void)
{
	char *area = free_area();
	char *top = area + (32L << 20);
	char *g = mmap(top, PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK("growsdown.map", g == top);
	unsigned char vec[1];
	CHECK_ERR("growsdown.below_unmapped", mincore(top - PG, PG, vec), ENOMEM);
	CHECK_EQ("growsdown.grow_one", write_sig(top - 1, 7), 0);
	CHECK_EQ("growsdown.grown_value", top[-1], 7);
	CHECK_OK("growsdown.below_mapped", mincore(top - PG, PG, vec));
	CHECK_EQ("growsdown.grow_far", write_sig(top - 64 * PG, 9), 0);
	CHECK_OK("growsdown.between_mapped", mincore(top - 32 * PG, PG, vec));
	CHECK_EQ("growsdown.zero_fill", read_sig(top - 32 * PG, (char *)vec), 0);
	CHECK_EQ("growsdown.zero_fill_value", vec[0], 0);
	/* A mapping below keeps a guard gap: growing into it fails. */
	char *low = mmap(top - (2L << 20), PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK("growsdown.neighbour", low == top - (2L << 20));
	CHECK_EQ("growsdown.guard_gap", write_sig(low + PG + 100 * PG, 1), SIGSEGV);
	CHECK_EQ("growsdown.guard_gap_code", fault_code, SEGV_MAPERR);
	CHECK_ERR("growsdown.guard_gap_not_grown", mincore(low + 101 * PG, PG, vec), ENOMEM);
	munmap(low, PG);
	munmap(top - 64 * PG, 65 * PG);
	/* A plain mapping does not grow. */
	char *plain = mmap(top, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK("growsdown.plain_map", plain == top);
	CHECK_EQ("growsdown.plain_no_growth", write_sig(top - 1, 1), SIGSEGV);
	CHECK_EQ("growsdown.plain_code", fault_code, SEGV_MAPERR);
	munmap(plain, PG);
}

int main(int argc, char **argv)
{
	(void)argc;
	self = argv[0];
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fault_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	load_self();
	test_read_mappings();
	test_sigbus();
	test_mmap_errors();
	test_fixed_noreplace();
	test_mincore();
	test_msync();
	test_growsdown();
	return conf_done();
}
