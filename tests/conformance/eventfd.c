/* eventfd: counter semantics, semaphore mode, flags, short buffers,
 * overflow blocking, poll readiness, blocking across processes. */
#include "conformance.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>

static uint64_t rd(int fd, ssize_t *n)
{
	uint64_t v = 0;
	*n = read(fd, &v, sizeof(v));
	return v;
}

/* What /proc/self/fd/N says the file is. */
static const char *fd_link(int fd)
{
	static char buf[64];
	char path[32];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	buf[n < 0 ? 0 : n] = 0;
	return buf;
}

static void on_usr1(int sig) { (void)sig; }

static short revents(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	if (poll(&p, 1, 0) < 0)
		return -1;
	return p.revents;
}

int main(void)
{
	uint64_t v;
	ssize_t n;
	char small[4];

	int fd = eventfd(5, 0);
	CHECK("eventfd.create", fd > 2);
	CHECK_EQ("eventfd.getfl_rdwr", fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	CHECK_EQ("eventfd.no_cloexec", fcntl(fd, F_GETFD), 0);
	struct stat st;
	CHECK_OK("eventfd.fstat", fstat(fd, &st));
	CHECK_EQ("eventfd.fstat_mode", st.st_mode, 0600);
	CHECK_STR("eventfd.proc_fd_link", fd_link(fd), "anon_inode:[eventfd]");
	CHECK_EQ("eventfd.poll_in_out", revents(fd, POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM),
		 POLLIN | POLLOUT);
	v = rd(fd, &n);
	CHECK_EQ("eventfd.read_initval_len", n, 8);
	CHECK_EQ("eventfd.read_initval", v, 5);
	CHECK_EQ("eventfd.poll_after_read", revents(fd, POLLIN | POLLOUT), POLLOUT);

	v = 3;
	CHECK_EQ("eventfd.write", write(fd, &v, 8), 8);
	v = 4;
	CHECK_EQ("eventfd.write2", write(fd, &v, 8), 8);
	v = rd(fd, &n);
	CHECK_EQ("eventfd.read_sum", v, 7);
	CHECK_ERR("eventfd.short_read_einval", read(fd, small, sizeof(small)), EINVAL);
	CHECK_ERR("eventfd.short_write_einval", write(fd, small, sizeof(small)), EINVAL);
	v = UINT64_MAX;
	CHECK_ERR("eventfd.write_max_einval", write(fd, &v, 8), EINVAL);

	/* Writes take exactly 8 bytes; reads any buffer of at least 8. */
	uint64_t two[2] = { 10, 20 };
	CHECK_ERR("eventfd.write_16_einval", write(fd, two, sizeof(two)), EINVAL);
	CHECK_EQ("eventfd.write_8", write(fd, two, 8), 8);
	uint64_t big[2] = { 0, 0 };
	CHECK_EQ("eventfd.read_16_returns_8", read(fd, big, sizeof(big)), 8);
	CHECK_EQ("eventfd.read_16_value", big[0], 10);

	/* Overflow: the counter never passes 0xfffffffffffffffe. */
	int nb = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	CHECK("eventfd.nonblock_create", nb > 2);
	CHECK("eventfd.nonblock_flag", fcntl(nb, F_GETFL) & O_NONBLOCK);
	CHECK_EQ("eventfd.cloexec_flag", fcntl(nb, F_GETFD), FD_CLOEXEC);
	CHECK_ERR("eventfd.nonblock_read_eagain", read(nb, &v, 8), EAGAIN);
	v = UINT64_MAX - 1;
	CHECK_EQ("eventfd.write_max_minus_1", write(nb, &v, 8), 8);
	CHECK_EQ("eventfd.full_not_writable", revents(nb, POLLIN | POLLOUT), POLLIN);
	v = 1;
	CHECK_ERR("eventfd.overflow_eagain", write(nb, &v, 8), EAGAIN);
	v = 0;
	CHECK_EQ("eventfd.write_zero_ok", write(nb, &v, 8), 8);
	v = rd(nb, &n);
	CHECK_EQ("eventfd.read_max", v, UINT64_MAX - 1);
	CHECK_ERR("eventfd.bad_flags_einval", eventfd(0, 0x7fff0000), EINVAL);

	/* Semaphore mode: each read takes 1. */
	int sem = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
	CHECK("eventfd.semaphore_create", sem > 2);
	int reads = 0;
	while (rd(sem, &n) == 1 && n == 8)
		reads++;
	CHECK_EQ("eventfd.semaphore_three_reads", reads, 3);
	CHECK_EQ("eventfd.semaphore_then_eagain", errno, EAGAIN);

	/* A blocking read waits for a writer in another process. */
	int b = eventfd(0, 0);
	pid_t c = fork();
	if (c == 0) {
		conf_msleep(50);
		uint64_t one = 42;
		_exit(write(b, &one, 8) == 8 ? 0 : 1);
	}
	v = rd(b, &n);
	CHECK_EQ("eventfd.blocking_read_woken", v, 42);
	CHECK_EXIT("eventfd.writer_child", conf_wait(c), 0);

	/* A blocking write waits for room. */
	v = UINT64_MAX - 1;
	CHECK_EQ("eventfd.fill", write(b, &v, 8), 8);
	c = fork();
	if (c == 0) {
		conf_msleep(50);
		uint64_t got;
		_exit(read(b, &got, 8) == 8 && got == UINT64_MAX - 1 ? 0 : 1);
	}
	v = 5;
	CHECK_EQ("eventfd.blocking_write_completes", write(b, &v, 8), 8);
	CHECK_EXIT("eventfd.reader_child", conf_wait(c), 0);
	v = rd(b, &n);
	CHECK_EQ("eventfd.after_blocking_write", v, 5);

	/* poll() blocks until the counter is nonzero. */
	c = fork();
	if (c == 0) {
		conf_msleep(50);
		uint64_t one = 1;
		_exit(write(b, &one, 8) == 8 ? 0 : 1);
	}
	struct pollfd p = { .fd = b, .events = POLLIN };
	CHECK_EQ("eventfd.poll_blocks_until_write", poll(&p, 1, 5000), 1);
	CHECK_EQ("eventfd.poll_revents", p.revents, POLLIN);
	CHECK_EXIT("eventfd.poll_writer_child", conf_wait(c), 0);

	/* A signal interrupts a blocked read (no SA_RESTART). */
	v = rd(b, &n);
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigaction(SIGUSR1, &sa, NULL);
	c = fork();
	if (c == 0) {
		conf_msleep(50);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	CHECK_ERR("eventfd.read_eintr", read(b, &v, 8), EINTR);
	CHECK_EXIT("eventfd.signal_child", conf_wait(c), 0);
	close(fd);
	close(nb);
	close(sem);
	close(b);
	return conf_done();
}
