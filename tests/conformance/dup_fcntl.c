/* dup/dup2/dup3 and fcntl descriptor operations. */
#include "conformance.h"
#include <fcntl.h>

/* An fd number that is surely closed: one we just closed. */
static int closed_fd(void)
{
	int fd = dup(0);
	close(fd);
	return fd;
}

int main(void)
{
	int p[2];
	char c;

	if (pipe(p) < 0)
		return 1;

	/* dup returns the lowest free fd and shares the open file. */
	int lowest = closed_fd();
	int d = dup(p[1]);
	CHECK_EQ("dup.lowest_free", d, lowest);
	CHECK_EQ("dup.shares_file_write", write(d, "a", 1), 1);
	CHECK_EQ("dup.shares_file_read", read(p[0], &c, 1), 1);
	CHECK_EQ("dup.shares_file_data", c, 'a');
	CHECK_EQ("dup.no_cloexec", fcntl(d, F_GETFD), 0);
	CHECK_ERR("dup.ebadf", dup(closed_fd()), EBADF);

	/* dup2 onto itself is a no-op returning the fd; on a bad fd EBADF. */
	CHECK_EQ("dup2.same_fd", dup2(p[1], p[1]), p[1]);
	CHECK_ERR("dup2.same_fd_ebadf", dup2(closed_fd(), closed_fd()), EBADF);
	int target = 100;
	close(target);
	CHECK_EQ("dup2.to_free_fd", dup2(p[1], target), target);
	/* dup2 over an open fd closes it silently first. */
	CHECK_EQ("dup2.over_open_fd", dup2(p[0], target), target);
	CHECK_EQ("dup2.over_open_fd_now_read_end", fcntl(target, F_GETFL) & O_ACCMODE, O_RDONLY);
	CHECK_ERR("dup2.negative_target_ebadf", dup2(p[0], -1), EBADF);
	close(target);

	/* dup3: same fd is EINVAL, bad flags EINVAL, O_CLOEXEC honoured. */
	CHECK_ERR("dup3.same_fd_einval", dup3(p[1], p[1], 0), EINVAL);
	CHECK_ERR("dup3.bad_flags_einval", dup3(p[1], 101, O_NONBLOCK), EINVAL);
	CHECK_EQ("dup3.cloexec", dup3(p[1], 101, O_CLOEXEC), 101);
	CHECK_EQ("dup3.cloexec_set", fcntl(101, F_GETFD), FD_CLOEXEC);
	close(101);

	/* F_GETFD/F_SETFD. */
	CHECK_EQ("fcntl.getfd_initial", fcntl(d, F_GETFD), 0);
	CHECK_OK("fcntl.setfd_cloexec", fcntl(d, F_SETFD, FD_CLOEXEC));
	CHECK_EQ("fcntl.getfd_cloexec", fcntl(d, F_GETFD), FD_CLOEXEC);
	CHECK_OK("fcntl.setfd_clear", fcntl(d, F_SETFD, 0));
	CHECK_EQ("fcntl.getfd_cleared", fcntl(d, F_GETFD), 0);
	/* FD_CLOEXEC is per descriptor, not per open file. */
	fcntl(d, F_SETFD, FD_CLOEXEC);
	CHECK_EQ("fcntl.cloexec_per_fd", fcntl(p[1], F_GETFD), 0);

	/* F_GETFL/F_SETFL: access mode fixed, O_NONBLOCK shared by dups. */
	CHECK_EQ("fcntl.getfl_rdonly", fcntl(p[0], F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDONLY);
	CHECK_EQ("fcntl.getfl_wronly", fcntl(p[1], F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_WRONLY);
	CHECK_OK("fcntl.setfl_nonblock", fcntl(p[1], F_SETFL, O_NONBLOCK | O_RDWR));
	CHECK_EQ("fcntl.setfl_keeps_accmode", fcntl(p[1], F_GETFL) & O_ACCMODE, O_WRONLY);
	CHECK("fcntl.setfl_nonblock_set", fcntl(p[1], F_GETFL) & O_NONBLOCK);
	CHECK("fcntl.nonblock_shared_with_dup", fcntl(d, F_GETFL) & O_NONBLOCK);
	CHECK_OK("fcntl.setfl_clear", fcntl(d, F_SETFL, 0));
	CHECK("fcntl.nonblock_cleared_via_dup", !(fcntl(p[1], F_GETFL) & O_NONBLOCK));
	int fd = open("/etc/passwd", O_RDONLY);
	CHECK_EQ("fcntl.getfl_file_rdonly", fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK), O_RDONLY);
	close(fd);
	fd = open("/dev/null", O_WRONLY | O_APPEND);
	CHECK_EQ("fcntl.getfl_devnull_append", fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND), O_WRONLY | O_APPEND);
	close(fd);

	/* F_DUPFD: lowest free fd >= arg. */
	close(50);
	close(51);
	CHECK_EQ("fcntl.dupfd_at_arg", fcntl(p[0], F_DUPFD, 50), 50);
	CHECK_EQ("fcntl.dupfd_next_free", fcntl(p[0], F_DUPFD, 50), 51);
	CHECK_EQ("fcntl.dupfd_no_cloexec", fcntl(51, F_GETFD), 0);
	close(50);
	CHECK_EQ("fcntl.dupfd_reuses_hole", fcntl(p[0], F_DUPFD, 50), 50);
	CHECK_EQ("fcntl.dupfd_cloexec", fcntl(p[0], F_DUPFD_CLOEXEC, 60), 60);
	CHECK_EQ("fcntl.dupfd_cloexec_set", fcntl(60, F_GETFD), FD_CLOEXEC);
	CHECK_ERR("fcntl.dupfd_negative_einval", fcntl(p[0], F_DUPFD, -1), EINVAL);
	CHECK_ERR("fcntl.dupfd_over_limit_einval", fcntl(p[0], F_DUPFD, 1 << 30), EINVAL);
	close(50);
	close(51);
	close(60);
	CHECK_ERR("fcntl.bad_cmd_einval", fcntl(p[0], 0x7fff), EINVAL);
	CHECK_ERR("fcntl.getfd_ebadf", fcntl(closed_fd(), F_GETFD), EBADF);

	/* close. */
	int x = dup(p[0]);
	CHECK_OK("close.ok", close(x));
	CHECK_ERR("close.twice_ebadf", close(x), EBADF);
	CHECK_ERR("close.negative_ebadf", close(-1), EBADF);
	CHECK_ERR("close.huge_ebadf", close(1 << 20), EBADF);

	/* Closing one dup keeps the file open through the other. */
	close(p[1]);
	CHECK_EQ("dup.survives_close_of_original", write(d, "b", 1), 1);
	CHECK_EQ("dup.survives_close_read", read(p[0], &c, 1), 1);
	close(d);
	CHECK_EQ("dup.eof_after_all_writers_closed", read(p[0], &c, 1), 0);
	close(p[0]);

	return conf_done();
}
