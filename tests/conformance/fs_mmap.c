/* File mappings of files made under /tmp (in the sandbox: the root
 * overlay's upper layer, tmpfs) and of the program's own file (in the
 * sandbox: the rootfs, through the overlay): shared stores are what read(2)
 * sees and the other way round, a child's stores reach the parent, private
 * stores stay private, truncation makes the pages past the end fault. */
#include "conformance.h"
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define PG 4096

static sigjmp_buf jb;

static void on_bus(int sig)
{
	siglongjmp(jb, sig);
}

int main(int argc __attribute__((unused)), char **argv)
{
	char dir[64] = "/tmp/conf-mmap-XXXXXX", path[128], buf[16];

	CHECK_OK("mkdtemp", mkdtemp(dir) ? 0 : -1);
	if (conf_failed)
		return conf_done();
	snprintf(path, sizeof(path), "%s/f", dir);
	int fd = open(path, O_CREAT | O_RDWR, 0644);
	static char page[2 * PG];
	memset(page, '.', sizeof(page));
	memcpy(page, "abcdefghij", 10);
	CHECK_EQ("write", write(fd, page, sizeof(page)), sizeof(page));

	char *m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK("mmap.shared", m != MAP_FAILED);
	if (m == MAP_FAILED)
		return conf_done();
	CHECK("map.sees_data", memcmp(m, "abcde", 5) == 0);
	memcpy(m + 10, "STORE", 5);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("pread", pread(fd, buf, 5, 10), 5);
	CHECK_STR("read.sees_store", buf, "STORE");
	CHECK_EQ("pwrite", pwrite(fd, "WRITE", 5, 20), 5);
	CHECK("map.sees_write", memcmp(m + 20, "WRITE", 5) == 0);
	pid_t c = fork();
	if (c == 0) {
		memcpy(m + PG, "CHILD", 5);
		_exit(0);
	}
	CHECK_EXIT("child", conf_wait(c), 0);
	CHECK("map.sees_child_store", memcmp(m + PG, "CHILD", 5) == 0);
	CHECK_OK("msync", msync(m, 2 * PG, MS_SYNC));

	/* A private mapping: its stores are its own. */
	char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK("mmap.private", p != MAP_FAILED);
	memcpy(p, "PRIV", 4);
	memset(buf, 0, sizeof(buf));
	pread(fd, buf, 4, 0);
	CHECK_STR("private.not_in_file", buf, "abcd");
	CHECK("private.shared_unchanged", memcmp(m, "abcd", 4) == 0);
	munmap(p, PG);

	/* Truncated pages fault. */
	struct sigaction sa = { .sa_handler = on_bus };
	sigaction(SIGBUS, &sa, NULL);
	CHECK_OK("ftruncate", ftruncate(fd, PG));
	int sig = sigsetjmp(jb, 1);
	if (sig == 0) {
		volatile char x = m[PG];
		(void)x;
		FAIL("truncate.sigbus", "no fault past the end");
	} else {
		CHECK_EQ("truncate.sigbus", sig, SIGBUS);
	}
	CHECK("truncate.first_page_stays", memcmp(m + 10, "STORE", 5) == 0);
	munmap(m, 2 * PG);
	close(fd);

	/* Reopened, the file holds what the mapping stored. */
	fd = open(path, O_RDONLY);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("reopen.read", pread(fd, buf, 10, 10), 10);
	CHECK_STR("reopen.content", buf, "STORE.....");
	close(fd);
	unlink(path);
	CHECK_OK("rmdir", rmdir(dir));

	/* The program's own file, mapped read-only, is what read(2) gives. */
	int self = open(argv[0], O_RDONLY);
	char *s = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, self, 0);
	static char first[PG];
	CHECK("mmap.self", s != MAP_FAILED && pread(self, first, PG, 0) == PG);
	CHECK("mmap.self_same_bytes", s != MAP_FAILED && memcmp(s, first, PG) == 0);
	CHECK_ERR("mmap.self_shared_write", (long)mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, self, 0), EACCES);
	close(self);
	return conf_done();
}
