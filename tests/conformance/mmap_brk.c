/* Memory management: brk, anonymous mmap, munmap, mprotect faults, fixed
 * mappings, fork copy-on-write and shared anonymous memory. */
#include "conformance.h"
#include <setjmp.h>
#include <sys/mman.h>

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_signo, fault_code;
static void *volatile fault_addr;

static void segv_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	fault_signo = sig;
	fault_code = si->si_code;
	fault_addr = si->si_addr;
	siglongjmp(fault_jmp, 1);
}

/* Writes one byte at p; returns 1 if it faulted. */
static int write_faults(volatile char *p)
{
	fault_signo = 0;
	fault_addr = NULL;
	if (sigsetjmp(fault_jmp, 1) == 0) {
		*p = 1;
		return 0;
	}
	return 1;
}

static int read_faults(volatile char *p)
{
	fault_signo = 0;
	fault_addr = NULL;
	if (sigsetjmp(fault_jmp, 1) == 0) {
		(void)*p;
		return 0;
	}
	return 1;
}

static void test_brk(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *cur = (char *)syscall(SYS_brk, 0);
	CHECK("brk.query", cur != NULL && cur != (char *)-1);
	char *want = cur + 16 * pg;
	char *got = (char *)syscall(SYS_brk, want);
	CHECK("brk.grow", got == want);
	memset(cur, 0x5a, 16 * pg);
	CHECK("brk.grown_memory_usable", cur[0] == 0x5a && cur[16 * pg - 1] == 0x5a);
	/* Unaligned break: memory up to the page end is mapped. */
	got = (char *)syscall(SYS_brk, want + 10);
	CHECK("brk.unaligned", got == want + 10);
	CHECK("brk.unaligned_page_usable", !write_faults(want + pg - 1));
	got = (char *)syscall(SYS_brk, cur + pg);
	CHECK("brk.shrink", got == cur + pg);
	CHECK("brk.shrunk_memory_faults", write_faults(cur + 4 * pg));
	CHECK_EQ("brk.shrunk_fault_addr", (char *)fault_addr - (cur + 4 * pg), 0);
	/* Growing again gives zeroed memory. */
	got = (char *)syscall(SYS_brk, want);
	CHECK("brk.regrow", got == want);
	CHECK("brk.regrown_zeroed", cur[4 * pg] == 0 && cur[16 * pg - 1] == 0);
	/* A break below the start fails: the old break is returned. */
	got = (char *)syscall(SYS_brk, (char *)4096);
	CHECK("brk.too_low_unchanged", got == want);
	syscall(SYS_brk, cur);
	CHECK("brk.back_to_start", (char *)syscall(SYS_brk, 0) == cur);
	/* sbrk (libc) on top. */
	void *s0 = sbrk(0);
	CHECK("sbrk.grow", sbrk(pg) == s0 && sbrk(0) == (char *)s0 + pg);
	sbrk(-pg);
}

static void test_mmap(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, 8 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK_OK("mmap.anon_rw", m == MAP_FAILED ? -1 : 0);
	if (m == MAP_FAILED)
		return;
	CHECK_EQ("mmap.page_aligned", (uintptr_t)m % pg, 0);
	int zero = 1;
	for (long i = 0; i < 8 * pg; i++)
		zero &= m[i] == 0;
	CHECK("mmap.anon_zeroed", zero);
	memset(m, 0xab, 8 * pg);
	CHECK("mmap.anon_writable", (unsigned char)m[8 * pg - 1] == 0xab);

	/* munmap a middle page: it faults, the neighbours stay. */
	CHECK_OK("munmap.middle_page", munmap(m + 3 * pg, pg));
	CHECK("munmap.hole_faults", read_faults(m + 3 * pg));
	CHECK_EQ("munmap.fault_signo", fault_signo, SIGSEGV);
	CHECK_EQ("munmap.fault_si_code_maperr", fault_code, SEGV_MAPERR);
	CHECK_EQ("munmap.fault_si_addr", (char *)fault_addr - (m + 3 * pg), 0);
	CHECK("munmap.neighbours_intact", (unsigned char)m[2 * pg] == 0xab && (unsigned char)m[4 * pg] == 0xab);

	/* mprotect read-only: reads work, a write faults with SEGV_ACCERR at
	 * the exact address. */
	CHECK_OK("mprotect.read_only", mprotect(m, pg, PROT_READ));
	CHECK("mprotect.read_still_ok", !read_faults(m + 5) && (unsigned char)m[5] == 0xab);
	CHECK("mprotect.write_faults", write_faults(m + 123));
	CHECK_EQ("mprotect.fault_signo", fault_signo, SIGSEGV);
	CHECK_EQ("mprotect.fault_si_code_accerr", fault_code, SEGV_ACCERR);
	CHECK_EQ("mprotect.fault_si_addr", (char *)fault_addr - (m + 123), 0);
	CHECK("mprotect.value_unchanged", (unsigned char)m[123] == 0xab);
	CHECK_OK("mprotect.none", mprotect(m, pg, PROT_NONE));
	CHECK("mprotect.none_read_faults", read_faults(m));
	CHECK_OK("mprotect.back_to_rw", mprotect(m, pg, PROT_READ | PROT_WRITE));
	CHECK("mprotect.rw_write_ok", !write_faults(m + 123));
	CHECK_ERR("mprotect.unaligned_einval", mprotect(m + 1, pg, PROT_READ), EINVAL);
	CHECK_ERR("mprotect.unmapped_enomem", mprotect(m + 3 * pg, pg, PROT_READ), ENOMEM);

	/* MAP_FIXED replaces the old contents. */
	char *f = mmap(m + 4 * pg, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK("mmap.fixed_at_address", f == m + 4 * pg);
	CHECK("mmap.fixed_replaced_zeroed", f[0] == 0 && f[pg - 1] == 0);
	CHECK("mmap.fixed_neighbour_intact", (unsigned char)m[5 * pg] == 0xab);
	f = mmap(m + 3 * pg, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK("mmap.fixed_noreplace_in_hole", f == m + 3 * pg);
	f = mmap(m + 3 * pg, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK("mmap.fixed_noreplace_eexist", f == MAP_FAILED && errno == EEXIST);

	/* Errors. */
	CHECK("mmap.zero_length_einval",
	      mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL);
	CHECK("mmap.no_type_einval",
	      mmap(NULL, pg, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL);
	CHECK("mmap.fixed_unaligned_einval",
	      mmap(m + 1, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED &&
	      errno == EINVAL);
	CHECK("mmap.bad_fd_ebadf",
	      mmap(NULL, pg, PROT_READ, MAP_PRIVATE, 9999, 0) == MAP_FAILED && errno == EBADF);
	CHECK_ERR("munmap.unaligned_einval", munmap(m + 1, pg), EINVAL);
	CHECK_OK("munmap.already_unmapped_ok", munmap(m + 3 * pg, 2 * pg) == 0 ? munmap(m + 3 * pg, pg) : -1);
	CHECK_OK("munmap.whole", munmap(m, 8 * pg));
	CHECK("munmap.whole_faults", read_faults(m + 7 * pg));

	/* A big sparse mapping: only touched pages cost anything. */
	size_t big = 1UL << 30;
	char *b = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK_OK("mmap.one_gib_sparse", b == MAP_FAILED ? -1 : 0);
	if (b != MAP_FAILED) {
		b[0] = 1;
		b[big / 2] = 2;
		b[big - 1] = 3;
		CHECK("mmap.sparse_touch", b[0] == 1 && b[big / 2] == 2 && b[big - 1] == 3 && b[4096] == 0);
		munmap(b, big);
	}

	/* mremap grows a mapping, keeping its contents. */
	char *r = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	r[10] = 42;
	char *r2 = mremap(r, pg, 4 * pg, MREMAP_MAYMOVE);
	CHECK_OK("mremap.grow", r2 == MAP_FAILED ? -1 : 0);
	if (r2 != MAP_FAILED) {
		CHECK("mremap.keeps_contents", r2[10] == 42 && r2[3 * pg] == 0);
		munmap(r2, 4 * pg);
	}
}

static void test_fork_memory(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *priv = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *shared = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK_OK("mmap.shared_anon", shared == MAP_FAILED ? -1 : 0);
	CHECK_OK("mmap.private_anon", priv == MAP_FAILED ? -1 : 0);
	if (shared == MAP_FAILED || priv == MAP_FAILED)
		return;
	static int global = 100;
	int stackvar = 200;
	int *heap = malloc(sizeof(int));
	*heap = 300;
	strcpy(priv, "parent");
	strcpy(shared, "parent");

	pid_t c = fork();
	if (c == 0) {
		int bad = 0;
		/* The child starts with a copy of everything. */
		if (strcmp(priv, "parent") || global != 100 || stackvar != 200 || *heap != 300)
			bad |= 1;
		strcpy(priv, "child");
		strcpy(shared, "child");
		global = 1;
		stackvar = 2;
		*heap = 3;
		priv[pg] = 'c';
		shared[pg] = 'c';
		_exit(bad);
	}
	CHECK_EXIT("fork.child_sees_copy", conf_wait(c), 0);
	CHECK_STR("fork.private_mmap_not_shared", priv, "parent");
	CHECK_EQ("fork.private_second_page", priv[pg], 0);
	CHECK_EQ("fork.global_not_shared", global, 100);
	CHECK_EQ("fork.stack_not_shared", stackvar, 200);
	CHECK_EQ("fork.heap_not_shared", *heap, 300);
	CHECK_STR("fork.shared_mmap_shared", shared, "child");
	CHECK_EQ("fork.shared_second_page", shared[pg], 'c');

	/* And the other direction: a parent write after fork is not seen by
	 * the child's private copy, but is in the shared one. */
	int p[2];
	if (pipe(p) < 0)
		return;
	c = fork();
	if (c == 0) {
		char ch;
		close(p[1]);
		if (read(p[0], &ch, 1) != 1)
			_exit(9);
		int bad = 0;
		if (strcmp(priv, "parent") != 0)
			bad |= 1;
		if (strcmp(shared, "parent2") != 0)
			bad |= 2;
		_exit(bad);
	}
	close(p[0]);
	strcpy(priv, "parent2");
	strcpy(shared, "parent2");
	if (write(p[1], "g", 1) != 1)
		return;
	close(p[1]);
	CHECK_EXIT("fork.parent_writes_after_fork", conf_wait(c), 0);

	/* A read-only page stays read-only in the child. */
	mprotect(priv, pg, PROT_READ);
	c = fork();
	if (c == 0) {
		signal(SIGSEGV, SIG_DFL);
		priv[0] = 'x';
		_exit(0);
	}
	CHECK_KILLED("fork.child_write_to_readonly_segv", conf_wait(c), SIGSEGV);
	/* A child touching unmapped memory dies of SIGSEGV too. */
	c = fork();
	if (c == 0) {
		signal(SIGSEGV, SIG_DFL);
		*(volatile int *)16 = 1;
		_exit(0);
	}
	CHECK_KILLED("fork.null_write_segv", conf_wait(c), SIGSEGV);
	munmap(priv, 2 * pg);
	munmap(shared, 2 * pg);
	free(heap);
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = segv_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);

	test_brk();
	test_mmap();
	test_fork_memory();
	return conf_done();
}
