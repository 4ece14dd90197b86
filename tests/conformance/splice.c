/* splice, tee, vmsplice and copy_file_range: data moved between pipes
 * and files, offset pointers versus file positions, and the errno rules. */
#include "conformance.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/uio.h>

static char dir[] = "/tmp/splice.XXXXXX";

static int mkfile(const char *name, const char *data, int flags)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_CREAT | O_TRUNC | flags, 0644);
	if (fd >= 0 && data && write(fd, data, strlen(data)) != (ssize_t)strlen(data))
		return -1;
	return fd;
}

int main(void)
{
	int p[2], q[2], fd, fd2, rd;
	char buf[256];
	loff_t off, off2;
	struct iovec iov[2];

	if (!mkdtemp(dir))
		return 1;
	CHECK_OK("pipe", pipe(p));
	CHECK_OK("pipe2", pipe(q));

	/* file -> pipe with an offset pointer: the file position stays. */
	fd = mkfile("a", "0123456789", O_RDWR);
	off = 2;
	CHECK_EQ("splice.file_to_pipe_off", splice(fd, &off, p[1], NULL, 5, 0), 5);
	CHECK_EQ("splice.off_advanced", off, 7);
	CHECK_EQ("splice.file_pos_kept", lseek(fd, 0, SEEK_CUR), 10);
	CHECK_EQ("splice.read_pipe", read(p[0], buf, sizeof(buf)), 5);
	CHECK("splice.data", memcmp(buf, "23456", 5) == 0);
	/* Without one, the position moves. */
	lseek(fd, 6, SEEK_SET);
	CHECK_EQ("splice.file_to_pipe_pos", splice(fd, NULL, p[1], NULL, 100, 0), 4);
	CHECK_EQ("splice.pos_moved", lseek(fd, 0, SEEK_CUR), 10);
	CHECK_EQ("splice.file_eof", splice(fd, NULL, p[1], NULL, 100, 0), 0);

	/* pipe -> file */
	fd2 = mkfile("b", NULL, O_RDWR);
	off = 3;
	CHECK_EQ("splice.pipe_to_file_partial", splice(p[0], NULL, fd2, &off, 2, SPLICE_F_MORE | SPLICE_F_MOVE), 2);
	CHECK_EQ("splice.pipe_to_file_off", off, 5);
	CHECK_EQ("splice.pipe_to_file_rest", splice(p[0], NULL, fd2, NULL, 100, 0), 2);
	CHECK_EQ("splice.pipe_to_file_pos", lseek(fd2, 0, SEEK_CUR), 2);
	CHECK_EQ("splice.pread", pread(fd2, buf, sizeof(buf), 0), 5);
	CHECK("splice.pread_data", memcmp(buf, "89\0" "67", 5) == 0);

	/* pipe -> pipe */
	CHECK_EQ("splice.write", write(p[1], "abcdef", 6), 6);
	CHECK_EQ("splice.pipe_to_pipe", splice(p[0], NULL, q[1], NULL, 4, 0), 4);
	CHECK_EQ("splice.pipe_to_pipe_read", read(q[0], buf, sizeof(buf)), 4);
	CHECK("splice.pipe_to_pipe_data", memcmp(buf, "abcd", 4) == 0);
	CHECK_EQ("splice.left", read(p[0], buf, sizeof(buf)), 2);

	/* Errors. */
	CHECK_ERR("splice.nonblock_empty", splice(p[0], NULL, q[1], NULL, 4, SPLICE_F_NONBLOCK), EAGAIN);
	CHECK_ERR("splice.nonblock_empty_file", splice(p[0], NULL, fd2, NULL, 4, SPLICE_F_NONBLOCK), EAGAIN);
	CHECK_ERR("splice.same_pipe", splice(p[0], NULL, p[1], NULL, 4, 0), EINVAL);
	off = 0;
	CHECK_ERR("splice.off_on_pipe", splice(p[0], &off, fd2, NULL, 4, 0), ESPIPE);
	CHECK_ERR("splice.off_on_pipe_out", splice(fd, NULL, p[1], &off, 4, 0), ESPIPE);
	CHECK_ERR("splice.no_pipe", splice(fd, NULL, fd2, NULL, 4, 0), EINVAL);
	CHECK_ERR("splice.bad_flags", splice(fd, NULL, p[1], NULL, 4, 0x100), EINVAL);
	CHECK_ERR("splice.badf", splice(-1, NULL, p[1], NULL, 4, 0), EBADF);
	CHECK_ERR("splice.wrong_end", splice(p[1], NULL, fd2, NULL, 4, 0), EBADF);
	CHECK_EQ("splice.zero_len", splice(fd, NULL, fd2, NULL, 0, 0), 0);
	off = -1;
	CHECK_ERR("splice.neg_off", splice(fd, &off, p[1], NULL, 4, 0), EINVAL);

	/* tee duplicates without consuming. */
	CHECK_EQ("tee.write", write(p[1], "teedata", 7), 7);
	CHECK_EQ("tee.copy", tee(p[0], q[1], 3, 0), 3);
	CHECK_EQ("tee.dst_read", read(q[0], buf, sizeof(buf)), 3);
	CHECK("tee.dst_data", memcmp(buf, "tee", 3) == 0);
	CHECK_EQ("tee.src_intact", read(p[0], buf, sizeof(buf)), 7);
	CHECK("tee.src_data", memcmp(buf, "teedata", 7) == 0);
	CHECK_ERR("tee.same_pipe", tee(p[0], p[1], 3, 0), EINVAL);
	CHECK_ERR("tee.not_pipe", tee(fd, q[1], 3, 0), EINVAL);
	CHECK_ERR("tee.nonblock_empty", tee(p[0], q[1], 3, SPLICE_F_NONBLOCK), EAGAIN);

	/* vmsplice both ways. */
	iov[0] = (struct iovec){ "vm", 2 };
	iov[1] = (struct iovec){ "splice", 6 };
	CHECK_EQ("vmsplice.to_pipe", vmsplice(p[1], iov, 2, 0), 8);
	memset(buf, 0, sizeof(buf));
	iov[0] = (struct iovec){ buf, 3 };
	iov[1] = (struct iovec){ buf + 10, 10 };
	CHECK_EQ("vmsplice.to_user", vmsplice(p[0], iov, 2, 0), 8);
	CHECK("vmsplice.data", memcmp(buf, "vms", 3) == 0 && memcmp(buf + 10, "plice", 5) == 0);
	CHECK_ERR("vmsplice.nonblock_empty", vmsplice(p[0], iov, 2, SPLICE_F_NONBLOCK), EAGAIN);
	CHECK_ERR("vmsplice.not_pipe", vmsplice(fd, iov, 2, 0), EBADF);

	/* Blocking: splice waits for a late writer */
	{
		pid_t c = fork();

		if (c == 0) {
			conf_msleep(30);
			_exit(write(p[1], "late", 4) == 4 ? 0 : 1);
		}
		off = 0;
		CHECK_EQ("splice.blocking", splice(p[0], NULL, fd2, &off, 100, 0), 4);
		CHECK_EXIT("splice.blocking_child", conf_wait(c), 0);
	}

	/* EOF through splice once the writer is gone. */
	close(q[1]);
	CHECK_EQ("splice.eof", splice(q[0], NULL, p[1], NULL, 4, 0), 0);
	close(q[0]);

	/* copy_file_range */
	close(fd);
	close(fd2);
	fd = mkfile("c", "hello, world", O_RDWR);
	fd2 = mkfile("d", "..........", O_RDWR);
	off = 7;
	off2 = 2;
	CHECK_EQ("cfr.offsets", copy_file_range(fd, &off, fd2, &off2, 5, 0), 5);
	CHECK_EQ("cfr.off_in", off, 12);
	CHECK_EQ("cfr.off_out", off2, 7);
	CHECK_EQ("cfr.pos_unchanged", lseek(fd2, 0, SEEK_CUR), 10);
	CHECK_EQ("cfr.eof", copy_file_range(fd, &off, fd2, &off2, 5, 0), 0);
	lseek(fd, 0, SEEK_SET);
	lseek(fd2, 0, SEEK_SET);
	CHECK_EQ("cfr.positions", copy_file_range(fd, NULL, fd2, NULL, 2, 0), 2);
	CHECK_EQ("cfr.pos_in", lseek(fd, 0, SEEK_CUR), 2);
	CHECK_EQ("cfr.pos_out", lseek(fd2, 0, SEEK_CUR), 2);
	CHECK_EQ("cfr.read", pread(fd2, buf, sizeof(buf), 0), 10);
	CHECK("cfr.data", memcmp(buf, "heworld...", 10) == 0);
	CHECK_ERR("cfr.flags", copy_file_range(fd, NULL, fd2, NULL, 2, 1), EINVAL);
	off = 0;
	off2 = 2;
	CHECK_ERR("cfr.overlap", copy_file_range(fd, &off, fd, &off2, 4, 0), EINVAL);
	off2 = 20;
	CHECK_EQ("cfr.same_file", copy_file_range(fd, &off, fd, &off2, 4, 0), 4);
	rd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK_ERR("cfr.eisdir", copy_file_range(rd, NULL, fd2, NULL, 2, 0), EISDIR);
	close(rd);
	rd = mkfile("e", NULL, O_WRONLY);
	CHECK_ERR("cfr.ebadf_in", copy_file_range(rd, NULL, fd2, NULL, 2, 0), EBADF);
	close(rd);
	snprintf(buf, sizeof(buf), "%s/c", dir);
	rd = open(buf, O_RDONLY);
	CHECK_ERR("cfr.ebadf_out", copy_file_range(fd, NULL, rd, NULL, 2, 0), EBADF);
	CHECK_ERR("cfr.pipe", copy_file_range(p[0], NULL, fd2, NULL, 2, 0), EINVAL);
	close(rd);

	close(fd);
	close(fd2);
	close(p[0]);
	close(p[1]);
	for (const char *n = "abcde"; *n; n++) {
		snprintf(buf, sizeof(buf), "%s/%c", dir, *n);
		unlink(buf);
	}
	rmdir(dir);
	return conf_done();
}
