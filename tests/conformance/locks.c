/* Advisory file locks: flock(2), POSIX record locks (F_SETLK/F_SETLKW/
 * F_GETLK) and OFD locks, between forked processes. */
#include "conformance.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/time.h>

static char path[256];

static int setlk(int fd, int cmd, short type, short whence, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = whence, .l_start = start, .l_len = len };

	return fcntl(fd, cmd, &fl);
}

/* F_GETLK-style query for [start, start+len); l_type -1 if it failed. */
static struct flock getlk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };

	if (fcntl(fd, cmd, &fl) < 0)
		fl.l_type = -1;
	return fl;
}

static int child_status(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* Runs fn in a child that opens its own description of the file; the
 * child reports through its exit status. */
static int in_child(int (*fn)(int fd, long arg), long arg)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(path, O_RDWR);

		_exit(fd < 0 ? 99 : fn(fd, arg));
	}
	return child_status(pid);
}

static int try_flock(int fd, long op)
{
	if (flock(fd, (int)op) == 0)
		return 0;
	return errno == EWOULDBLOCK ? 1 : 2;
}

struct probe { short type; off_t start, len; pid_t pid; };
static struct probe want;

/* 0: the conflict found is exactly want; 1: none found. */
static int check_conflict(int fd, long cmd)
{
	struct flock fl = getlk(fd, (int)cmd, F_WRLCK, want.start, want.len);

	if (fl.l_type == -1)
		return 90;
	if (fl.l_type == F_UNLCK)
		return 1;
	if (fl.l_type != want.type)
		return 2;
	if (fl.l_start != want.start || fl.l_len != want.len)
		return 3;
	if (fl.l_pid != want.pid)
		return 4;
	return 0;
}

static int try_setlk(int fd, long type)
{
	if (setlk(fd, F_SETLK, (short)type, SEEK_SET, 0, 1) == 0)
		return 0;
	return errno == EAGAIN ? 1 : 2;
}

static void test_flock(void)
{
	int fd = open(path, O_RDWR), fd2 = open(path, O_RDONLY);

	CHECK_ERR("flock bad op", flock(fd, 0), EINVAL);
	CHECK_ERR("flock bad op 2", flock(fd, LOCK_SH | LOCK_EX), EINVAL);
	CHECK_ERR("flock bad op before bad fd", flock(-1, 0), EINVAL);
	CHECK_ERR("flock bad fd", flock(-1, LOCK_SH), EBADF);
	CHECK_OK("flock ex", flock(fd, LOCK_EX));
	CHECK_OK("flock ex again", flock(fd, LOCK_EX | LOCK_NB));
	CHECK_EQ("flock child ex nb", in_child(try_flock, LOCK_EX | LOCK_NB), 1);
	CHECK_EQ("flock child sh nb", in_child(try_flock, LOCK_SH | LOCK_NB), 1);
	CHECK_ERR("flock other ofd same proc", flock(fd2, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	/* A forked child shares the open file description: same lock. */
	pid_t pid = fork();
	if (pid == 0)
		_exit(flock(fd, LOCK_EX | LOCK_NB) == 0 ? 0 : 1);
	CHECK_EQ("flock inherited ofd", child_status(pid), 0);
	CHECK_OK("flock downgrade", flock(fd, LOCK_SH));
	CHECK_EQ("flock child sh after downgrade", in_child(try_flock, LOCK_SH | LOCK_NB), 0);
	CHECK_OK("flock second sh", flock(fd2, LOCK_SH | LOCK_NB));
	CHECK_ERR("flock upgrade blocked", flock(fd, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	CHECK_OK("flock unlock other", flock(fd2, LOCK_UN));
	CHECK_OK("flock upgrade", flock(fd, LOCK_EX | LOCK_NB));
	/* flock and POSIX locks do not see each other. */
	CHECK_EQ("flock vs posix", in_child(try_setlk, F_WRLCK), 0);
	int dup = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	close(fd);
	CHECK_EQ("flock held via dup", in_child(try_flock, LOCK_EX | LOCK_NB), 1);
	close(dup);
	CHECK_EQ("flock released on last close", in_child(try_flock, LOCK_EX | LOCK_NB), 0);
	close(fd2);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void arm_alarm(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { .it_value = { .tv_usec = 100000 } };

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

static int flock_eintr(int fd, long arg)
{
	(void)arg;
	arm_alarm();
	if (flock(fd, LOCK_EX) == 0)
		return 1;
	return errno == EINTR ? 0 : 2;
}

static int setlkw_eintr(int fd, long arg)
{
	(void)arg;
	arm_alarm();
	if (setlk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1) == 0)
		return 1;
	return errno == EINTR ? 0 : 2;
}

static void test_flock_block(void)
{
	int fd = open(path, O_RDWR);

	flock(fd, LOCK_EX);
	CHECK_EQ("flock blocked then EINTR", in_child(flock_eintr, 0), 0);
	close(fd);
}

static void expect(const char *name, short type, off_t start, off_t len, pid_t pid, int cmd)
{
	want = (struct probe){ type, start, len, pid };
	CHECK_EQ(name, in_child(check_conflict, cmd), 0);
}

static void expect_none(const char *name, off_t start, off_t len)
{
	want = (struct probe){ 0, start, len, 0 };
	CHECK_EQ(name, in_child(check_conflict, F_GETLK), 1);
}

static void test_posix(void)
{
	int fd = open(path, O_RDWR);
	pid_t me = getpid();
	struct flock fl;

	CHECK_OK("setlk wr 0-10", setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
	CHECK_OK("setlk rd 20-30", setlk(fd, F_SETLK, F_RDLCK, SEEK_SET, 20, 10));
	expect("getlk wr lock", F_WRLCK, 0, 10, me, F_GETLK);
	expect("getlk rd lock", F_RDLCK, 20, 10, me, F_GETLK);
	expect_none("getlk gap", 10, 10);
	fl = getlk(fd, F_GETLK, F_WRLCK, 0, 100);
	CHECK_EQ("getlk own locks", fl.l_type, F_UNLCK);
	CHECK_EQ("child setlk conflict EAGAIN", in_child(try_setlk, F_RDLCK), 1);
	/* Unlocking the middle splits the lock in two. */
	CHECK_OK("unlock 3-5", setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 3, 2));
	expect("split left", F_WRLCK, 0, 3, me, F_GETLK);
	expect("split right", F_WRLCK, 5, 5, me, F_GETLK);
	expect_none("split hole", 3, 2);
	/* Relocking the hole merges the pieces back. */
	CHECK_OK("relock 3-5", setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 3, 2));
	expect("merged", F_WRLCK, 0, 10, me, F_GETLK);
	/* Downgrading part of it. */
	CHECK_OK("downgrade 5-10", setlk(fd, F_SETLK, F_RDLCK, SEEK_SET, 5, 5));
	expect("downgraded left", F_WRLCK, 0, 5, me, F_GETLK);
	expect("downgraded right", F_RDLCK, 5, 5, me, F_GETLK);
	/* Adjacent read locks merge: 5-10, 10-20 and 20-30. */
	CHECK_OK("rd 10-20", setlk(fd, F_SETLK, F_RDLCK, SEEK_SET, 10, 10));
	expect("rd merged 5-30", F_RDLCK, 5, 25, me, F_GETLK);
	/* Negative length: [40, 50). */
	CHECK_OK("negative len", setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 50, -10));
	expect("negative len range", F_WRLCK, 40, 10, me, F_GETLK);
	/* Length 0: to EOF. SEEK_CUR and SEEK_END offsets. */
	lseek(fd, 90, SEEK_SET);
	CHECK_OK("to eof from cur", setlk(fd, F_SETLK, F_RDLCK, SEEK_CUR, 10, 0));
	expect("to eof", F_RDLCK, 100, 0, me, F_GETLK);
	CHECK_OK("seek_end lock", setlk(fd, F_SETLK, F_WRLCK, SEEK_END, 60, 5));
	expect("seek_end range", F_WRLCK, 64, 5, me, F_GETLK);
	CHECK_ERR("negative start", setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, -1, 1), EINVAL);
	CHECK_ERR("negative len before 0", setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 2, -3), EINVAL);
	CHECK_ERR("bad whence", setlk(fd, F_SETLK, F_WRLCK, 7, 0, 1), EINVAL);
	CHECK_ERR("bad type", setlk(fd, F_SETLK, 9, SEEK_SET, 0, 1), EINVAL);
	fl = getlk(fd, F_GETLK, F_UNLCK, 0, 1);
	CHECK_EQ("getlk unlck type EINVAL", fl.l_type, -1);
	/* Closing ANY fd of the file drops the process's locks. */
	int other = open(path, O_RDONLY);
	close(other);
	expect_none("released by closing other fd", 0, 0);
	close(fd);
}

static void test_access(void)
{
	int rd = open(path, O_RDONLY), wr = open(path, O_WRONLY);

	CHECK_ERR("wrlck on rdonly EBADF", setlk(rd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1), EBADF);
	CHECK_ERR("rdlck on wronly EBADF", setlk(wr, F_SETLK, F_RDLCK, SEEK_SET, 0, 1), EBADF);
	CHECK_OK("rdlck on rdonly", setlk(rd, F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
	CHECK_OK("unlck on wronly", setlk(wr, F_SETLK, F_UNLCK, SEEK_SET, 0, 1));
	close(rd);
	close(wr);
}

static void test_ofd(void)
{
	int a = open(path, O_RDWR), b = open(path, O_RDWR);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 1, .l_pid = 1 };

	CHECK_ERR("ofd l_pid nonzero", fcntl(a, F_OFD_SETLK, &fl), EINVAL);
	CHECK_OK("ofd lock a", setlk(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10));
	CHECK_ERR("ofd lock b conflicts", setlk(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 5, 10), EAGAIN);
	fl = getlk(b, F_OFD_GETLK, F_RDLCK, 0, 1);
	CHECK_EQ("ofd getlk type", fl.l_type, F_WRLCK);
	CHECK_EQ("ofd getlk pid", fl.l_pid, -1);
	CHECK_EQ("ofd getlk len", fl.l_len, 10);
	CHECK_ERR("posix vs ofd same proc", setlk(b, F_SETLK, F_RDLCK, SEEK_SET, 0, 1), EAGAIN);
	fl = getlk(b, F_GETLK, F_RDLCK, 0, 1);
	CHECK_EQ("posix getlk sees ofd pid -1", fl.l_pid, -1);
	expect("child sees ofd lock", F_WRLCK, 0, 10, -1, F_GETLK);
	int c = open(path, O_RDONLY);
	close(c);
	fl = getlk(b, F_OFD_GETLK, F_RDLCK, 0, 1);
	CHECK_EQ("ofd survives closing another fd", fl.l_type, F_WRLCK);
	CHECK_OK("posix lock by same proc", setlk(a, F_SETLK, F_WRLCK, SEEK_SET, 50, 1));
	fl = getlk(b, F_OFD_GETLK, F_WRLCK, 50, 1);
	CHECK_EQ("ofd getlk sees posix", fl.l_type, F_WRLCK);
	CHECK_EQ("ofd getlk posix pid", fl.l_pid, getpid());
	close(a);
	CHECK_OK("ofd lock b after close a", setlk(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 100));
	expect("child sees ofd b", F_WRLCK, 0, 100, -1, F_GETLK);
	close(b);
	expect_none("ofd released on close", 0, 0);
}

static void test_setlkw(void)
{
	int fd = open(path, O_RDWR), p[2], q[2];
	char ch = 0;

	if (pipe(p) || pipe(q))
		return;
	setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
	pid_t pid = fork();
	if (pid == 0) {
		int cfd = open(path, O_RDWR);

		if (write(p[1], "r", 1) != 1)
			_exit(3);
		if (setlk(cfd, F_SETLKW, F_WRLCK, SEEK_SET, 5, 1) != 0)
			_exit(1);
		_exit(write(q[1], "a", 1) == 1 ? 0 : 2);
	}
	CHECK_EQ("child ready", read(p[0], &ch, 1), 1);
	usleep(100000);
	fcntl(q[0], F_SETFL, O_NONBLOCK);
	CHECK_ERR("setlkw still blocked", read(q[0], &ch, 1), EAGAIN);
	CHECK_OK("unlock wakes waiter", setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 10));
	fcntl(q[0], F_SETFL, 0);
	CHECK_EQ("setlkw acquired", read(q[0], &ch, 1), 1);
	CHECK_EQ("setlkw child", child_status(pid), 0);

	setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1);
	CHECK_EQ("setlkw EINTR", in_child(setlkw_eintr, 0), 0);

	/* EDEADLK: we hold [0,1), the child holds [1,2) and waits for [0,1);
	 * our wait for [1,2) would close the cycle. */
	pid = fork();
	if (pid == 0) {
		int cfd = open(path, O_RDWR);

		if (setlk(cfd, F_SETLK, F_WRLCK, SEEK_SET, 1, 1) != 0)
			_exit(1);
		if (write(p[1], "r", 1) != 1)
			_exit(3);
		_exit(setlk(cfd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1) == 0 ? 0 : 2);
	}
	CHECK_EQ("deadlock child ready", read(p[0], &ch, 1), 1);
	usleep(200000);
	CHECK_ERR("edeadlk", setlk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1), EDEADLK);
	setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1);
	CHECK_EQ("deadlock child acquires", child_status(pid), 0);
	/* The child's exit released its locks. */
	CHECK_OK("lock after child exit", setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 2));
	close(fd);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

int main(void)
{
	char dir[] = "/tmp/locksXXXXXX";
	int fd;

	if (!mkdtemp(dir)) {
		FAIL("mkdtemp", "%s", conf_errname(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/f", dir);
	fd = open(path, O_RDWR | O_CREAT, 0644);
	if (fd < 0 || write(fd, "abcd", 4) != 4) {
		FAIL("create", "%s", conf_errname(errno));
		return 1;
	}
	close(fd);
	test_flock();
	test_flock_block();
	test_posix();
	test_access();
	test_ofd();
	test_setlkw();
	unlink(path);
	rmdir(dir);
	return conf_done();
}
