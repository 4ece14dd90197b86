/* fadvise64: advice is accepted on files and refused on pipes, with
 * Linux's checks in Linux's order (EBADF, ESPIPE, then EINVAL for a
 * negative length or unknown advice). Advice never changes what a read
 * returns. */
#include "conformance.h"
#include <fcntl.h>

static long fadvise(int fd, off_t off, off_t len, int advice)
{
	return syscall(SYS_fadvise64, fd, off, len, advice);
}

int main(void)
{
	char a[64], b[64];
	int fd = open("/etc/passwd", O_RDONLY);
	CHECK("open.passwd", fd >= 0);
	if (fd < 0)
		return conf_done();

	CHECK_EQ("read.before", pread(fd, a, sizeof(a), 0), sizeof(a));
	CHECK_OK("normal", fadvise(fd, 0, 0, POSIX_FADV_NORMAL));
	CHECK_OK("random", fadvise(fd, 0, 100, POSIX_FADV_RANDOM));
	CHECK_OK("sequential", fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL));
	CHECK_OK("willneed", fadvise(fd, 0, 4096, POSIX_FADV_WILLNEED));
	CHECK_OK("noreuse", fadvise(fd, 0, 0, POSIX_FADV_NOREUSE));
	CHECK_OK("dontneed", fadvise(fd, 0, 0, POSIX_FADV_DONTNEED));
	CHECK_OK("range_past_eof", fadvise(fd, 1 << 30, 1 << 20, POSIX_FADV_WILLNEED));
	CHECK_EQ("read.after_dontneed", pread(fd, b, sizeof(b), 0), sizeof(b));
	CHECK("read.same_data", memcmp(a, b, sizeof(a)) == 0);
	CHECK_ERR("bad_advice", fadvise(fd, 0, 0, 42), EINVAL);
	CHECK_ERR("negative_len", fadvise(fd, 0, -1, POSIX_FADV_NORMAL), EINVAL);
	/* The length is checked before the advice. */
	CHECK_ERR("negative_len_bad_advice", fadvise(fd, 0, -1, 42), EINVAL);
	close(fd);

	CHECK_ERR("closed_fd", fadvise(fd, 0, 0, POSIX_FADV_NORMAL), EBADF);
	CHECK_ERR("negative_fd", fadvise(-1, 0, 0, POSIX_FADV_NORMAL), EBADF);

	int p[2];
	CHECK_OK("pipe", pipe(p));
	/* A pipe is refused before its length or advice is looked at. */
	CHECK_ERR("pipe_read_end", fadvise(p[0], 0, 0, POSIX_FADV_NORMAL), ESPIPE);
	CHECK_ERR("pipe_write_end", fadvise(p[1], 0, 0, POSIX_FADV_SEQUENTIAL), ESPIPE);
	CHECK_ERR("pipe_bad_advice", fadvise(p[0], 0, -1, 42), ESPIPE);
	close(p[0]);
	close(p[1]);

	int dir = open("/", O_RDONLY | O_DIRECTORY);
	CHECK_OK("directory", fadvise(dir, 0, 0, POSIX_FADV_WILLNEED));
	close(dir);
	int path = open("/etc/passwd", O_PATH);
	CHECK_ERR("o_path", fadvise(path, 0, 0, POSIX_FADV_NORMAL), EBADF);
	close(path);
	int null = open("/dev/null", O_RDONLY);
	CHECK_OK("dev_null", fadvise(null, 0, 0, POSIX_FADV_DONTNEED));
	close(null);
	return conf_done();
}
