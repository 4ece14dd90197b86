/* Reading an existing file: open, read, lseek, pread, fstat, openat errors.
 * Uses /etc/passwd, which exists both on the host and in the bundle; only
 * relations between results are checked, never the contents. */
#include "conformance.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>

int main(void)
{
	static char all[1 << 16], buf[256];

	int fd = open("/etc/passwd", O_RDONLY);
	CHECK("open.passwd_rdonly", fd >= 0);
	if (fd < 0)
		return conf_done();

	struct stat st;
	CHECK_OK("fstat.passwd", fstat(fd, &st));
	CHECK("fstat.is_regular", S_ISREG(st.st_mode));
	CHECK("fstat.size_positive", st.st_size > 0 && st.st_size < (off_t)sizeof(all));
	CHECK("fstat.nlink", st.st_nlink >= 1);
	CHECK("fstat.blksize", st.st_blksize > 0);

	ssize_t n = conf_read_all(fd, all, sizeof(all));
	CHECK_EQ("read.whole_file_is_st_size", n, st.st_size);
	CHECK("read.starts_with_root", n > 5 && memcmp(all, "root:", 5) == 0);
	CHECK_EQ("read.at_eof_returns_0", read(fd, buf, sizeof(buf)), 0);
	CHECK_EQ("read.zero_length", read(fd, buf, 0), 0);

	CHECK_EQ("lseek.cur_at_eof", lseek(fd, 0, SEEK_CUR), st.st_size);
	CHECK_EQ("lseek.end", lseek(fd, 0, SEEK_END), st.st_size);
	CHECK_EQ("lseek.end_minus_3", lseek(fd, -3, SEEK_END), st.st_size - 3);
	CHECK_EQ("read.last_3_bytes", read(fd, buf, sizeof(buf)), 3);
	CHECK("read.last_3_bytes_data", memcmp(buf, all + st.st_size - 3, 3) == 0);
	CHECK_EQ("lseek.set", lseek(fd, 5, SEEK_SET), 5);
	CHECK_EQ("read.after_seek_set", read(fd, buf, 4), 4);
	CHECK("read.after_seek_set_data", memcmp(buf, all + 5, 4) == 0);
	CHECK_EQ("lseek.cur_forward", lseek(fd, 2, SEEK_CUR), 11);
	CHECK_EQ("lseek.cur_back", lseek(fd, -10, SEEK_CUR), 1);
	CHECK_ERR("lseek.negative_einval", lseek(fd, -100, SEEK_SET), EINVAL);
	CHECK_EQ("lseek.unchanged_after_einval", lseek(fd, 0, SEEK_CUR), 1);
	CHECK_ERR("lseek.bad_whence_einval", lseek(fd, 0, 42), EINVAL);
	CHECK_EQ("lseek.past_end_ok", lseek(fd, st.st_size + 100, SEEK_SET), st.st_size + 100);
	CHECK_EQ("read.past_end_returns_0", read(fd, buf, sizeof(buf)), 0);

	/* pread/preadv do not move the offset. */
	lseek(fd, 2, SEEK_SET);
	CHECK_EQ("pread.count", pread(fd, buf, 5, 3), 5);
	CHECK("pread.data", memcmp(buf, all + 3, 5) == 0);
	CHECK_EQ("pread.offset_unchanged", lseek(fd, 0, SEEK_CUR), 2);
	CHECK_EQ("pread.past_end", pread(fd, buf, 5, st.st_size), 0);
	CHECK_ERR("pread.negative_einval", pread(fd, buf, 5, -1), EINVAL);
	char a[3], b[4];
	struct iovec iov[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	CHECK_EQ("readv.count", readv(fd, iov, 2), 7);
	CHECK("readv.data", memcmp(a, all + 2, 3) == 0 && memcmp(b, all + 5, 4) == 0);
	CHECK_EQ("readv.advances_offset", lseek(fd, 0, SEEK_CUR), 9);
	CHECK_EQ("preadv.count", preadv(fd, iov, 2, 0), 7);
	CHECK("preadv.data", memcmp(a, all, 3) == 0 && memcmp(b, all + 3, 4) == 0);
	CHECK_ERR("read.bad_buffer_efault", syscall(SYS_read, fd, (void *)1, 4), EFAULT);
	CHECK_ERR("write.to_rdonly_ebadf", write(fd, "x", 1), EBADF);

	/* A second open has its own offset. */
	int fd2 = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
	CHECK_EQ("open.independent_offset", lseek(fd2, 0, SEEK_CUR), 0);
	struct stat st2;
	fstat(fd2, &st2);
	CHECK("fstat.same_inode", st.st_ino == st2.st_ino && st.st_dev == st2.st_dev);
	close(fd2);

	/* stat by path agrees with fstat. */
	struct stat st3;
	CHECK_OK("stat.passwd", stat("/etc/passwd", &st3));
	CHECK("stat.agrees_with_fstat", st3.st_ino == st.st_ino && st3.st_size == st.st_size &&
	      st3.st_mode == st.st_mode);
	close(fd);

	/* Path variants. */
	int dfd = open("/etc", O_RDONLY | O_DIRECTORY);
	CHECK("open.dir_o_directory", dfd >= 0);
	fd = openat(dfd, "passwd", O_RDONLY);
	CHECK("openat.relative_to_dirfd", fd >= 0);
	close(fd);
	CHECK_ERR("openat.enoent", openat(dfd, "no-such-file-here", O_RDONLY), ENOENT);
	CHECK_ERR("open.enoent_in_missing_dir", open("/no-such-dir/x", O_RDONLY), ENOENT);
	CHECK_ERR("open.empty_path_enoent", open("", O_RDONLY), ENOENT);
	CHECK_ERR("open.file_as_dir_enotdir", open("/etc/passwd/x", O_RDONLY), ENOTDIR);
	CHECK_ERR("open.o_directory_on_file_enotdir", open("/etc/passwd", O_RDONLY | O_DIRECTORY), ENOTDIR);
	CHECK_ERR("open.dir_wronly_eisdir", open("/etc", O_WRONLY), EISDIR);
	CHECK_ERR("open.dir_rdwr_eisdir", open("/etc", O_RDWR), EISDIR);
	int pf = open("/etc/passwd", O_RDONLY);
	CHECK_ERR("openat.dirfd_not_dir_enotdir", openat(pf, "x", O_RDONLY), ENOTDIR);
	close(pf);
	CHECK_ERR("openat.bad_dirfd_ebadf", openat(12345, "x", O_RDONLY), EBADF);
	fd = openat(12345, "/etc/passwd", O_RDONLY);
	CHECK("openat.absolute_ignores_dirfd", fd >= 0);
	close(fd);
	fd = open("/etc/../etc/./passwd", O_RDONLY);
	CHECK("open.dot_dotdot_components", fd >= 0);
	close(fd);
	fd = open("//etc//passwd", O_RDONLY);
	CHECK("open.repeated_slashes", fd >= 0);
	close(fd);
	CHECK_ERR("read.dir_eisdir", read(dfd, buf, sizeof(buf)), EISDIR);
	close(dfd);

	/* cwd-relative open: tests run with cwd / natively and in the sandbox. */
	CHECK_OK("chdir.etc", chdir("/etc"));
	fd = open("passwd", O_RDONLY);
	CHECK("open.cwd_relative", fd >= 0);
	close(fd);
	fd = open("../etc/passwd", O_RDONLY);
	CHECK("open.cwd_relative_dotdot", fd >= 0);
	close(fd);
	CHECK_OK("chdir.root", chdir("/"));
	fd = open("/..", O_RDONLY | O_DIRECTORY);
	struct stat r1, r2;
	fstat(fd, &r1);
	stat("/", &r2);
	CHECK("open.root_dotdot_is_root", r1.st_ino == r2.st_ino && r1.st_dev == r2.st_dev);
	close(fd);

	return conf_done();
}
