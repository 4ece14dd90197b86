/* Named pipes (fifo(7)) and socket nodes made with mknod: the open rules
 * (a reader waits for a writer and the other way round, O_NONBLOCK, O_RDWR,
 * EINTR), data through the FIFO, what is left after the last close. */
#include "conformance.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static char dir[64], fifo[128];

static void on_signal(int sig)
{
	(void)sig;
}

/* Opens for writing without blocking, retrying while nobody reads (the
 * partner may not have reached its open yet). */
static int open_w_when_reader(void)
{
	for (int i = 0; i < 500; i++) {
		int fd = open(fifo, O_WRONLY | O_NONBLOCK);
		if (fd >= 0 || errno != ENXIO)
			return fd;
		conf_msleep(10);
	}
	return -1;
}

int main(void)
{
	struct stat st, st2;
	char buf[64];

	snprintf(dir, sizeof(dir), "/tmp/conf-fifo-XXXXXX");
	CHECK_OK("mkdtemp", mkdtemp(dir) ? 0 : -1);
	if (conf_failed)
		return conf_done();
	snprintf(fifo, sizeof(fifo), "%s/f", dir);
	umask(022);
	CHECK_OK("mkfifo", mkfifo(fifo, 0666));
	CHECK_OK("stat", stat(fifo, &st));
	CHECK("stat.is_fifo", S_ISFIFO(st.st_mode));
	CHECK_EQ("stat.mode_umask", st.st_mode & 0777, 0644);
	CHECK_ERR("mkfifo.exists", mkfifo(fifo, 0666), EEXIST);

	/* Without a reader a non-blocking writer cannot open. */
	CHECK_ERR("open.w_nonblock_no_reader", open(fifo, O_WRONLY | O_NONBLOCK), ENXIO);
	int r = open(fifo, O_RDONLY | O_NONBLOCK);
	CHECK("open.r_nonblock", r >= 0);
	CHECK_EQ("read.no_writer_eof", read(r, buf, sizeof(buf)), 0);
	int w = open(fifo, O_WRONLY | O_NONBLOCK);
	CHECK("open.w_nonblock_with_reader", w >= 0);
	CHECK_ERR("read.empty_eagain", read(r, buf, sizeof(buf)), EAGAIN);
	CHECK_EQ("write", write(w, "hello", 5), 5);
	CHECK_EQ("read", read(r, buf, sizeof(buf)), 5);
	CHECK_OK("fstat", fstat(w, &st2));
	CHECK("fstat.same_inode", S_ISFIFO(st2.st_mode) && st2.st_ino == st.st_ino);
	close(w);
	CHECK_EQ("read.writer_gone_eof", read(r, buf, sizeof(buf)), 0);
	close(r);

	/* O_RDWR never waits; unread data goes with the last close. */
	int rw = open(fifo, O_RDWR);
	CHECK("open.rdwr", rw >= 0);
	CHECK_EQ("rdwr.write", write(rw, "lost", 4), 4);
	close(rw);
	rw = open(fifo, O_RDWR | O_NONBLOCK);
	CHECK_ERR("rdwr.data_gone", read(rw, buf, sizeof(buf)), EAGAIN);
	close(rw);

	/* A blocking writer waits for a reader. */
	pid_t c = fork();
	if (c == 0) {
		int fd = open(fifo, O_WRONLY);
		_exit(fd >= 0 && write(fd, "kid", 3) == 3 ? 0 : 1);
	}
	conf_msleep(50);
	r = open(fifo, O_RDONLY);
	CHECK("open.r_blocking_meets_writer", r >= 0);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("read.from_child", conf_read_all(r, buf, 3), 3);
	CHECK_STR("read.from_child_data", buf, "kid");
	CHECK_EXIT("child.writer", conf_wait(c), 0);
	close(r);

	/* A blocking reader waits for a writer, even one that opens and
	 * closes at once: it then reads EOF. */
	c = fork();
	if (c == 0) {
		int fd = open(fifo, O_RDONLY);
		if (fd < 0)
			_exit(1);
		char b[8];
		_exit(read(fd, b, sizeof(b)) == 0 ? 0 : 2);
	}
	w = open_w_when_reader();
	CHECK("open.w_sees_blocked_reader", w >= 0);
	close(w);
	CHECK_EXIT("child.reader_woken_eof", conf_wait(c), 0);

	/* A signal (handled, without SA_RESTART) interrupts a blocked open.
	 * It is sent until the child is gone, so one lands while it waits. */
	c = fork();
	if (c == 0) {
		struct sigaction sa = { .sa_handler = on_signal };
		sigaction(SIGUSR1, &sa, NULL);
		int fd = open(fifo, O_RDONLY);
		_exit(fd == -1 && errno == EINTR ? 0 : 1);
	}
	int st_c = -1;
	for (int i = 0; i < 200; i++) {
		conf_msleep(20);
		kill(c, SIGUSR1);
		if (waitpid(c, &st_c, WNOHANG) == c)
			break;
	}
	CHECK_EXIT("open.eintr", st_c, 0);
	/* ...and the interrupted reader no longer counts as one. */
	CHECK_ERR("open.w_after_eintr", open(fifo, O_WRONLY | O_NONBLOCK), ENXIO);

	CHECK_OK("unlink", unlink(fifo));

	/* A socket node: nothing listens there. */
	char sock[128];
	snprintf(sock, sizeof(sock), "%s/s", dir);
	CHECK_OK("mknod.sock", mknod(sock, S_IFSOCK | 0644, 0));
	CHECK_OK("stat.sock", stat(sock, &st));
	CHECK("stat.is_sock", S_ISSOCK(st.st_mode));
	CHECK_ERR("open.sock", open(sock, O_RDONLY), ENXIO);
	CHECK_OK("unlink.sock", unlink(sock));
	/* Device nodes need CAP_MKNOD (write access to the directory is
	 * checked first). */
	chmod(dir, 0777);
	c = fork();
	if (c == 0) {
		char dev[128];
		snprintf(dev, sizeof(dev), "%s/dev", dir);
		if (setgid(65534) || setuid(65534))
			_exit(10);
		_exit(mknod(dev, S_IFCHR | 0644, makedev(1, 3)) == -1 && errno == EPERM ? 0 : 1);
	}
	CHECK_EXIT("mknod.chr_unprivileged", conf_wait(c), 0);
	CHECK_ERR("mknod.dir", mknod(sock, S_IFDIR | 0755, 0), EPERM);
	CHECK_OK("rmdir", rmdir(dir));
	return conf_done();
}
