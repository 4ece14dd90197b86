/* memfd_create: a memory file that read/write, mmap (shared and private),
 * ftruncate and fstat agree on; SIGBUS past the end of a shared mapping;
 * fork sharing; seals (F_ADD_SEALS/F_GET_SEALS) and their effect on
 * write, ftruncate, mmap and mprotect. */
#include "conformance.h"
#include <fcntl.h>
#include <setjmp.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define PG 4096

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

/* Reads one byte at p into *out; returns the signal it raised, or 0. */
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

static void test_basic(void)
{
	int fd = memfd_create("conf", MFD_CLOEXEC);
	CHECK("create", fd >= 0);
	CHECK_EQ("cloexec", fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	CHECK_EQ("getfl_rdwr", fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	struct stat st;
	CHECK_OK("fstat", fstat(fd, &st));
	CHECK("fstat.regular", S_ISREG(st.st_mode));
	CHECK_EQ("fstat.mode", st.st_mode & 0777, 0777);
	CHECK_EQ("fstat.size0", st.st_size, 0);
	CHECK_EQ("fstat.nlink", st.st_nlink, 0);
	char link[64] = { 0 }, path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	CHECK_EQ("proc_fd_readlink", readlink(path, link, sizeof(link) - 1), 21);
	CHECK_STR("proc_fd_name", link, "/memfd:conf (deleted)");

	CHECK_EQ("write", write(fd, "hello world", 11), 11);
	CHECK_OK("fstat2", fstat(fd, &st));
	CHECK_EQ("fstat.size11", st.st_size, 11);
	char buf[32] = { 0 };
	CHECK_EQ("pread", pread(fd, buf, sizeof(buf), 0), 11);
	CHECK_STR("pread.data", buf, "hello world");
	CHECK_EQ("read_at_eof", read(fd, buf, sizeof(buf)), 0);
	CHECK_EQ("lseek_end", lseek(fd, 0, SEEK_END), 11);
	CHECK_EQ("lseek_set", lseek(fd, 6, SEEK_SET), 6);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("read_mid", read(fd, buf, 5), 5);
	CHECK_STR("read_mid.data", buf, "world");

	/* A sparse write: the gap reads as zeroes. */
	CHECK_EQ("pwrite_far", pwrite(fd, "Z", 1, 3 * PG + 5), 1);
	CHECK_OK("fstat3", fstat(fd, &st));
	CHECK_EQ("fstat.size_far", st.st_size, 3 * PG + 6);
	char z[4] = { 1, 1, 1, 1 };
	CHECK_EQ("pread_gap", pread(fd, z, 4, 2 * PG), 4);
	CHECK("pread_gap.zero", z[0] == 0 && z[3] == 0);

	CHECK_OK("ftruncate_shrink", ftruncate(fd, 5));
	CHECK_OK("fstat4", fstat(fd, &st));
	CHECK_EQ("fstat.size5", st.st_size, 5);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("pread_after_shrink", pread(fd, buf, sizeof(buf), 0), 5);
	CHECK_STR("pread_after_shrink.data", buf, "hello");
	/* Growing again brings zeroes, not the old bytes. */
	CHECK_OK("ftruncate_grow", ftruncate(fd, 11));
	memset(buf, 1, sizeof(buf));
	CHECK_EQ("pread_after_grow", pread(fd, buf, 11, 0), 11);
	CHECK("pread_after_grow.zero", buf[5] == 0 && buf[10] == 0);
	CHECK_OK("fsync", fsync(fd));
	CHECK_OK("fdatasync", fdatasync(fd));
	close(fd);
}

static void test_errors(void)
{
	CHECK_ERR("create_bad_flags", memfd_create("x", 0x100), EINVAL);
	char name[300];
	memset(name, 'n', sizeof(name));
	name[250] = 0;
	CHECK_ERR("create_name_250", memfd_create(name, 0), EINVAL);
	name[249] = 0;
	int fd = memfd_create(name, 0);
	CHECK("create_name_249", fd >= 0);
	CHECK_ERR("create_efault", memfd_create((char *)8, 0), EFAULT);
	CHECK_ERR("ftruncate_negative", ftruncate(fd, -1), EINVAL);
	CHECK_ERR("ftruncate_ebadf", ftruncate(-1, 0), EBADF);
	int p[2];
	CHECK_OK("pipe", pipe(p));
	CHECK_ERR("ftruncate_pipe", ftruncate(p[0], 0), EINVAL);
	CHECK_ERR("fsync_pipe", fsync(p[0]), EINVAL);
	CHECK_ERR("get_seals_pipe", fcntl(p[0], F_GET_SEALS), EINVAL);
	CHECK_ERR("mmap_pipe", (long)mmap(NULL, PG, PROT_READ, MAP_SHARED, p[0], 0), ENODEV);
	close(p[0]);
	close(p[1]);
	int ro = open("/etc/passwd", O_RDONLY);
	CHECK_ERR("ftruncate_rdonly", ftruncate(ro, 0), EINVAL);
	close(ro);
	close(fd);
}

static void test_mmap(void)
{
	int fd = memfd_create("map", 0);
	CHECK_OK("map.ftruncate", ftruncate(fd, 3 * PG));
	char *m = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK("map.shared", m != MAP_FAILED);
	CHECK("map.zero", m[0] == 0 && m[3 * PG - 1] == 0);
	/* Stores through the mapping are what read() returns... */
	memcpy(m + 100, "mapped", 6);
	char buf[8] = { 0 };
	CHECK_EQ("map.pread", pread(fd, buf, 6, 100), 6);
	CHECK_STR("map.store_visible_to_read", buf, "mapped");
	/* ...and write() shows in the mapping at once. */
	CHECK_EQ("map.pwrite", pwrite(fd, "written", 7, PG + 10), 7);
	CHECK("map.write_visible_in_map", memcmp(m + PG + 10, "written", 7) == 0);

	/* Private mappings: copy on write, the file is unchanged. */
	char *p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK("map.private", p != MAP_FAILED);
	CHECK("map.private_sees_file", memcmp(p + 100, "mapped", 6) == 0);
	memcpy(p + 100, "PRIVAT", 6);
	CHECK("map.private_store", memcmp(p + 100, "PRIVAT", 6) == 0);
	CHECK("map.shared_unchanged", memcmp(m + 100, "mapped", 6) == 0);
	CHECK_EQ("map.pread2", pread(fd, buf, 6, 100), 6);
	CHECK_STR("map.file_unchanged", buf, "mapped");
	/* MADV_DONTNEED drops the private copy: the file shows again. */
	CHECK_OK("map.dontneed", madvise(p, PG, MADV_DONTNEED));
	CHECK("map.dontneed_refetches", memcmp(p + 100, "mapped", 6) == 0);
	munmap(p, 3 * PG);

	/* A child's stores to a shared mapping reach the parent. */
	pid_t pid = fork();
	if (pid == 0) {
		memcpy(m + 2 * PG, "from child", 10);
		_exit(0);
	}
	CHECK_EXIT("map.fork_child", conf_wait(pid), 0);
	CHECK("map.fork_shared", memcmp(m + 2 * PG, "from child", 10) == 0);

	/* Two mappings of the same pages. */
	char *m2 = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, PG);
	CHECK("map.second", m2 != MAP_FAILED);
	m[PG] = 'Q';
	CHECK("map.second_coherent", m2[0] == 'Q');
	munmap(m2, PG);

	/* Past the end of the file: SIGBUS, BUS_ADRERR, exact address. */
	CHECK_OK("map.shrink", ftruncate(fd, 100));
	char c = 1;
	CHECK_EQ("map.in_last_page", read_sig(m + 200, &c), 0);
	CHECK_EQ("map.tail_zero", c, 0);
	CHECK_EQ("map.past_eof_sigbus", read_sig(m + PG + 1, NULL), SIGBUS);
	CHECK_EQ("map.past_eof_code", fault_code, BUS_ADRERR);
	CHECK("map.past_eof_addr", fault_addr == m + PG + 1);
	CHECK_EQ("map.past_eof_write_sigbus", write_sig(m + 2 * PG, 'x'), SIGBUS);
	/* Growing the file makes those pages accessible again (zeroes). */
	CHECK_OK("map.regrow", ftruncate(fd, 3 * PG));
	c = 1;
	CHECK_EQ("map.regrown_ok", read_sig(m + PG + 10, &c), 0);
	CHECK_EQ("map.regrown_zero", c, 0);
	munmap(m, 3 * PG);

	/* A large mapping: pages far into it reach the same memory. */
	CHECK_OK("map.large_size", ftruncate(fd, 40L << 20));
	CHECK_EQ("map.large_pwrite", pwrite(fd, "deep", 4, 30L << 20), 4);
	char *big = mmap(NULL, 40L << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK("map.large", big != MAP_FAILED);
	CHECK("map.large_far_read", memcmp(big + (30L << 20), "deep", 4) == 0);
	big[(35L << 20) + 1] = 'z';
	CHECK_EQ("map.large_far_store", pread(fd, &c, 1, (35L << 20) + 1), 1);
	CHECK_EQ("map.large_far_store_byte", c, 'z');
	CHECK_EQ("map.large_last_page", read_sig(big + (40L << 20) - 1, &c), 0);
	munmap(big, 40L << 20);

	/* A mapping longer than the file from the start. */
	CHECK_OK("map.small", ftruncate(fd, 10));
	m = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0);
	CHECK("map.longer_than_file", m != MAP_FAILED);
	CHECK_EQ("map.longer_first_page", read_sig(m + 5, NULL), 0);
	CHECK_EQ("map.longer_sigbus", read_sig(m + PG, NULL), SIGBUS);
	munmap(m, 2 * PG);
	close(fd);
}

static void test_seals(void)
{
	int fd = memfd_create("noseal", 0);
	CHECK_EQ("seal.default", fcntl(fd, F_GET_SEALS), F_SEAL_SEAL);
	CHECK_ERR("seal.not_allowed", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW), EPERM);
	close(fd);

	fd = memfd_create("seal", MFD_ALLOW_SEALING);
	CHECK_EQ("seal.allowed_none", fcntl(fd, F_GET_SEALS), 0);
	CHECK_ERR("seal.bad_bit", fcntl(fd, F_ADD_SEALS, 0x1000), EINVAL);
	CHECK_OK("seal.size", ftruncate(fd, 2 * PG));

	CHECK_OK("seal.shrink", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
	CHECK_EQ("seal.get_shrink", fcntl(fd, F_GET_SEALS), F_SEAL_SHRINK);
	CHECK_ERR("seal.shrink_blocks", ftruncate(fd, PG), EPERM);
	CHECK_OK("seal.shrink_allows_grow", ftruncate(fd, 3 * PG));

	CHECK_OK("seal.grow", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
	CHECK_ERR("seal.grow_blocks_truncate", ftruncate(fd, 4 * PG), EPERM);
	CHECK_ERR("seal.grow_blocks_write", pwrite(fd, "x", 1, 3 * PG), EPERM);
	CHECK_EQ("seal.grow_allows_inside", pwrite(fd, "x", 1, 10), 1);
	CHECK_OK("seal.same_size_ok", ftruncate(fd, 3 * PG));

	/* A write seal needs every shared writable mapping gone. */
	char *m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK("seal.map_rw", m != MAP_FAILED);
	CHECK_ERR("seal.write_busy", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
	munmap(m, PG);
	char *pm = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK("seal.private_map_ok", pm != MAP_FAILED);
	CHECK_OK("seal.write", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	CHECK_ERR("seal.write_blocks_write", pwrite(fd, "y", 1, 0), EPERM);
	CHECK_ERR("seal.write_blocks_map", (long)mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EPERM);
	m = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
	CHECK("seal.write_allows_ro_map", m != MAP_FAILED);
	CHECK_EQ("seal.ro_map_data", m[10], 'x');
	CHECK_ERR("seal.mprotect_write", mprotect(m, PG, PROT_READ | PROT_WRITE), EACCES);
	munmap(m, PG);
	pm[10] = 'p'; /* private copies stay writable */
	CHECK_EQ("seal.private_store", pm[10], 'p');
	munmap(pm, PG);

	CHECK_OK("seal.seal", fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
	CHECK_EQ("seal.get_all", fcntl(fd, F_GET_SEALS),
		 F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
	CHECK_ERR("seal.sealed", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), EPERM);
	close(fd);

	fd = memfd_create("future", MFD_ALLOW_SEALING);
	CHECK_OK("seal.future_size", ftruncate(fd, PG));
	m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK_OK("seal.future_write", fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
	m[0] = 'e'; /* mappings made before stay writable */
	CHECK_EQ("seal.future_old_map", m[0], 'e');
	CHECK_ERR("seal.future_blocks_write", write(fd, "y", 1), EPERM);
	CHECK_ERR("seal.future_blocks_map", (long)mmap(NULL, PG, PROT_WRITE, MAP_SHARED, fd, 0), EPERM);
	munmap(m, PG);
	close(fd);
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fault_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	test_basic();
	test_errors();
	test_mmap();
	test_seals();
	return conf_done();
}
