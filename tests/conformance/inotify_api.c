/* The inotify API around the events: inotify_init1 flags, add_watch and
 * rm_watch errors and flags (IN_ONLYDIR, IN_DONT_FOLLOW, IN_MASK_ADD,
 * IN_MASK_CREATE, IN_ONESHOT, one wd per inode, cyclic wds, IN_IGNORED),
 * read(2) (whole records, name padding, EINVAL for a small buffer, EAGAIN,
 * blocking with wakeup, EINTR and SA_RESTART), merging of identical
 * events, the queue limit and IN_Q_OVERFLOW, FIONREAD, poll and epoll
 * readiness, /proc/PID/fdinfo, /proc/sys/fs/inotify, and the per-user
 * limits (EMFILE, ENOSPC) and permission check (EACCES). */
#include "conformance.h"
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

static char dir[64];

static const char *P(const char *name)
{
	static char path[4][PATH_MAX];
	static int which;
	which = (which + 1) % 4;
	snprintf(path[which], sizeof(path[which]), "%s/%s", dir, name);
	return path[which];
}

static int put(const char *path, const char *data)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, data, strlen(data));
	close(fd);
	return n == (ssize_t)strlen(data) ? 0 : -1;
}

static void touch_open(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd >= 0)
		close(fd);
}

static long read_long(const char *path)
{
	char buf[64] = { 0 };
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : -1;
}

/* Reads everything queued (fd non-blocking); returns the record count and
 * the last record's wd and mask. */
static int drain(int fd, int *last_wd, uint32_t *last_mask)
{
	static char buf[1 << 16] __attribute__((aligned(8)));
	int count = 0;
	ssize_t r;
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + r;) {
			struct inotify_event *e = (struct inotify_event *)p;
			if (last_wd)
				*last_wd = e->wd;
			if (last_mask)
				*last_mask = e->mask;
			count++;
			p += sizeof(*e) + e->len;
		}
	}
	return count;
}

static void test_init(void)
{
	char link[64], path[64];
	int fd;

	CHECK_ERR("init1.bad_flags", inotify_init1(1), EINVAL);
	CHECK_ERR("init1.bad_flags2", inotify_init1(IN_NONBLOCK | O_RDWR), EINVAL);
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	CHECK_OK("init1", fd);
	CHECK_EQ("init1.nonblock", fcntl(fd, F_GETFL) & (O_NONBLOCK | O_ACCMODE), O_NONBLOCK | O_RDONLY);
	CHECK_EQ("init1.cloexec", fcntl(fd, F_GETFD), FD_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	CHECK_STR("init1.link", link, "anon_inode:inotify");
	char c;
	CHECK_ERR("write", write(fd, "x", 1), EBADF);
	CHECK_EQ("lseek", lseek(fd, 10, SEEK_SET), 0);
	CHECK_ERR("pread", pread(fd, &c, 1, 0), ESPIPE);
	CHECK_ERR("read.empty_nonblock", read(fd, &c, 1), EAGAIN);
	close(fd);
	fd = inotify_init();
	CHECK_OK("init", fd);
	CHECK_EQ("init.flags", fcntl(fd, F_GETFL) & (O_NONBLOCK | O_ACCMODE), O_RDONLY);
	CHECK_EQ("init.nocloexec", fcntl(fd, F_GETFD), 0);
	close(fd);
}

static void test_watch_errors(void)
{
	int fd = inotify_init1(IN_NONBLOCK), p[2], wd, wd2;

	CHECK_OK("pipe", pipe(p));
	CHECK_OK("put.f", put(P("f"), "f"));
	CHECK_OK("symlink", symlink("f", P("l")));
	CHECK_ERR("add.empty_mask", inotify_add_watch(fd, P("f"), 0), EINVAL);
	CHECK_ERR("add.unknown_bit", inotify_add_watch(fd, P("f"), IN_OPEN | 0x10000), EINVAL);
	CHECK_ERR("add.ebadf", inotify_add_watch(99, P("f"), IN_OPEN), EBADF);
	CHECK_ERR("add.mask_before_fd", inotify_add_watch(99, P("f"), 0), EINVAL);
	CHECK_ERR("add.not_inotify", inotify_add_watch(p[0], P("f"), IN_OPEN), EINVAL);
	CHECK_ERR("add.add_and_create", inotify_add_watch(fd, P("f"), IN_OPEN | IN_MASK_ADD | IN_MASK_CREATE),
		  EINVAL);
	CHECK_ERR("add.enoent", inotify_add_watch(fd, P("none"), IN_OPEN), ENOENT);
	CHECK_ERR("add.efault", inotify_add_watch(fd, (const char *)8, IN_OPEN), EFAULT);
	CHECK_ERR("add.onlydir", inotify_add_watch(fd, P("f"), IN_OPEN | IN_ONLYDIR), ENOTDIR);
	wd = inotify_add_watch(fd, P("f"), IN_OPEN);
	CHECK_EQ("add.first_wd", wd, 1);
	CHECK_EQ("add.same_inode", inotify_add_watch(fd, P("f"), IN_OPEN), wd);
	CHECK_EQ("add.through_symlink", inotify_add_watch(fd, P("l"), IN_OPEN), wd);
	CHECK_OK("link", link(P("f"), P("hard")));
	CHECK_EQ("add.hard_link", inotify_add_watch(fd, P("hard"), IN_OPEN), wd);
	wd2 = inotify_add_watch(fd, P("l"), IN_OPEN | IN_DONT_FOLLOW);
	CHECK_EQ("add.dont_follow", wd2, 2);
	CHECK_ERR("add.mask_create", inotify_add_watch(fd, P("f"), IN_OPEN | IN_MASK_CREATE), EEXIST);
	CHECK_EQ("add.onlydir_dir", inotify_add_watch(fd, dir, IN_ONLYDIR | IN_CREATE), 3);
	CHECK_EQ("add.flags_only", inotify_add_watch(fd, dir, IN_ONLYDIR), 3);

	CHECK_ERR("rm.ebadf", inotify_rm_watch(99, wd), EBADF);
	CHECK_ERR("rm.not_inotify", inotify_rm_watch(p[0], wd), EINVAL);
	CHECK_ERR("rm.zero", inotify_rm_watch(fd, 0), EINVAL);
	CHECK_ERR("rm.negative", inotify_rm_watch(fd, -1), EINVAL);
	CHECK_ERR("rm.unknown", inotify_rm_watch(fd, 42), EINVAL);
	CHECK_OK("rm", inotify_rm_watch(fd, wd));
	CHECK_ERR("rm.twice", inotify_rm_watch(fd, wd), EINVAL);
	int last_wd = 0;
	uint32_t last_mask = 0;
	CHECK_EQ("rm.ignored_count", drain(fd, &last_wd, &last_mask), 1);
	CHECK_EQ("rm.ignored_wd", last_wd, wd);
	CHECK_EQ("rm.ignored_mask", last_mask, IN_IGNORED);
	/* wds are cyclic: 1 is not handed out again at once. */
	CHECK_EQ("add.cyclic", inotify_add_watch(fd, P("f"), IN_OPEN), 4);
	CHECK_OK("rm.symlink_watch", inotify_rm_watch(fd, wd2));
	unlink(P("l"));
	unlink(P("hard"));
	close(p[0]);
	close(p[1]);
	close(fd);
}

static void test_mask_flags(void)
{
	int fd = inotify_init1(IN_NONBLOCK), wd, last_wd;
	uint32_t m;

	wd = inotify_add_watch(fd, P("f"), IN_OPEN);
	touch_open(P("f"));
	CHECK_EQ("mask.open_only", drain(fd, NULL, &m), 1);
	CHECK_EQ("mask.open_only_mask", m, IN_OPEN);
	CHECK_EQ("mask.add", inotify_add_watch(fd, P("f"), IN_CLOSE_NOWRITE | IN_MASK_ADD), wd);
	touch_open(P("f"));
	CHECK_EQ("mask.add_both", drain(fd, NULL, &m), 2);
	CHECK_EQ("mask.add_last", m, IN_CLOSE_NOWRITE);
	CHECK_EQ("mask.replace", inotify_add_watch(fd, P("f"), IN_CLOSE_NOWRITE), wd);
	touch_open(P("f"));
	CHECK_EQ("mask.replaced", drain(fd, NULL, &m), 1);
	CHECK_EQ("mask.replaced_mask", m, IN_CLOSE_NOWRITE);

	/* IN_ONESHOT: one event, then IN_IGNORED, and the wd is gone. */
	CHECK_EQ("oneshot.add", inotify_add_watch(fd, P("f"), IN_OPEN | IN_ONESHOT), wd);
	touch_open(P("f"));
	touch_open(P("f"));
	static char buf[4096] __attribute__((aligned(8)));
	ssize_t n = read(fd, buf, sizeof(buf));
	CHECK_EQ("oneshot.bytes", n, 2 * sizeof(struct inotify_event));
	struct inotify_event *e = (struct inotify_event *)buf;
	CHECK_EQ("oneshot.first", e[0].mask, IN_OPEN);
	CHECK_EQ("oneshot.ignored", e[1].mask, IN_IGNORED);
	CHECK_EQ("oneshot.ignored_wd", e[1].wd, wd);
	CHECK_ERR("oneshot.gone", inotify_rm_watch(fd, wd), EINVAL);

	/* The directory's own events carry IN_ISDIR. */
	int dwd = inotify_add_watch(fd, dir, IN_OPEN | IN_CLOSE_NOWRITE | IN_ACCESS);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	char dents[1024];
	syscall(SYS_getdents64, dfd, dents, sizeof(dents));
	close(dfd);
	CHECK_EQ("isdir.count", drain(fd, &last_wd, &m), 3);
	CHECK_EQ("isdir.wd", last_wd, dwd);
	CHECK_EQ("isdir.mask", m, IN_CLOSE_NOWRITE | IN_ISDIR);
	close(fd);
}

static void test_read(void)
{
	int fd = inotify_init1(IN_NONBLOCK), wd, avail = -1;
	static char buf[4096] __attribute__((aligned(8)));
	struct inotify_event *e = (struct inotify_event *)buf;

	wd = inotify_add_watch(fd, dir, IN_CREATE | IN_DELETE);
	CHECK_OK("fionread.empty", ioctl(fd, FIONREAD, &avail));
	CHECK_EQ("fionread.empty_value", avail, 0);
	CHECK_OK("put.abc", put(P("abc"), ""));                         /* name 3: 16 bytes */
	CHECK_OK("put.long", put(P("0123456789abcdef"), ""));           /* name 16: 32 bytes */
	CHECK_OK("fionread", ioctl(fd, FIONREAD, &avail));
	CHECK_EQ("fionread.value", avail, 3 * sizeof(*e) + 32);
	CHECK_ERR("read.too_small", read(fd, buf, sizeof(*e) + 15), EINVAL);
	CHECK_ERR("read.zero", read(fd, buf, 0), EINVAL);
	memset(buf, 0x55, sizeof(buf));
	/* Room for one and a half records: one. */
	CHECK_EQ("read.one", read(fd, buf, 2 * sizeof(*e) + 8), 2 * sizeof(*e));
	CHECK_EQ("read.one_wd", e->wd, wd);
	CHECK_EQ("read.one_mask", e->mask, IN_CREATE);
	CHECK_EQ("read.one_cookie", e->cookie, 0);
	CHECK_EQ("read.one_len", e->len, 16);
	CHECK_STR("read.one_name", e->name, "abc");
	CHECK("read.one_padding", !memcmp(e->name + 3, "\0\0\0\0\0\0\0\0\0\0\0\0\0", 13));
	CHECK_EQ("read.exact", read(fd, buf, 3 * sizeof(*e)), 3 * sizeof(*e));
	CHECK_EQ("read.exact_len", e->len, 32);
	CHECK_STR("read.exact_name", e->name, "0123456789abcdef");
	CHECK_ERR("read.drained", read(fd, buf, sizeof(buf)), EAGAIN);

	/* Identical consecutive events merge; an event in between stops it. */
	unlink(P("abc"));
	unlink(P("abc"));
	CHECK_OK("put.abc2", put(P("abc"), ""));
	unlink(P("abc"));
	CHECK_EQ("merge.count", drain(fd, NULL, NULL), 3);
	int f = open(P("f"), O_WRONLY);
	int fwd = inotify_add_watch(fd, P("f"), IN_MODIFY);
	for (int i = 0; i < 5; i++)
		write(f, "x", 1);
	close(f);
	int last_wd;
	CHECK_EQ("merge.modify", drain(fd, &last_wd, NULL), 1);
	CHECK_EQ("merge.modify_wd", last_wd, fwd);
	close(fd);
}

static void test_overflow(void)
{
	long max = read_long("/proc/sys/fs/inotify/max_queued_events");
	int fd = inotify_init1(IN_NONBLOCK), wd, avail = 0, last_wd = 0;
	uint32_t last_mask = 0;

	CHECK("overflow.max", max > 0 && max <= 1000000);
	wd = inotify_add_watch(fd, P("f"), IN_OPEN | IN_CLOSE_NOWRITE);
	CHECK_EQ("overflow.wd", wd > 0, 1);
	for (long i = 0; i < max / 2 + 8; i++)
		touch_open(P("f"));
	CHECK_OK("overflow.fionread", ioctl(fd, FIONREAD, &avail));
	CHECK_EQ("overflow.fionread_value", avail, (max + 1) * (long)sizeof(struct inotify_event));
	CHECK_EQ("overflow.count", drain(fd, &last_wd, &last_mask), max + 1);
	CHECK_EQ("overflow.last_wd", last_wd, -1);
	CHECK_EQ("overflow.last_mask", last_mask, IN_Q_OVERFLOW);
	touch_open(P("f"));
	CHECK_EQ("overflow.after_read", drain(fd, NULL, &last_mask), 2);
	close(fd);
}

static volatile sig_atomic_t got_alarm;
static void on_alarm(int sig)
{
	(void)sig;
	got_alarm = 1;
}

static void test_blocking(void)
{
	int fd = inotify_init(), wd;
	static char buf[4096] __attribute__((aligned(8)));
	struct inotify_event *e = (struct inotify_event *)buf;
	struct sigaction sa = { .sa_handler = on_alarm };
	pid_t c;

	wd = inotify_add_watch(fd, P("f"), IN_ATTRIB);
	/* Woken by a change another process makes. */
	c = fork();
	if (c == 0) {
		conf_msleep(50);
		_exit(chmod(P("f"), 0600) ? 1 : 0);
	}
	CHECK_EQ("block.read", read(fd, buf, sizeof(buf)), sizeof(*e));
	CHECK_EQ("block.wd", e->wd, wd);
	CHECK_EXIT("block.child", conf_wait(c), 0);

	/* A signal without SA_RESTART: EINTR. */
	sigaction(SIGALRM, &sa, NULL);
	got_alarm = 0;
	alarm(1);
	CHECK_ERR("block.eintr", read(fd, buf, sizeof(buf)), EINTR);
	CHECK_EQ("block.alarm", got_alarm, 1);

	/* With SA_RESTART the read goes on and gets the event. */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	got_alarm = 0;
	c = fork();
	if (c == 0) {
		conf_msleep(1500);
		_exit(chmod(P("f"), 0644) ? 1 : 0);
	}
	alarm(1);
	CHECK_EQ("block.restart", read(fd, buf, sizeof(buf)), sizeof(*e));
	CHECK_EQ("block.restart_alarm", got_alarm, 1);
	CHECK_EXIT("block.restart_child", conf_wait(c), 0);
	signal(SIGALRM, SIG_DFL);
	close(fd);
}

static void test_poll(void)
{
	int fd = inotify_init1(IN_NONBLOCK), ep = epoll_create1(0), ep2 = epoll_create1(0);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 7 }, out[2];
	fd_set rs;
	struct timeval tv = { 0, 0 };

	inotify_add_watch(fd, P("f"), IN_OPEN | IN_ATTRIB);
	CHECK_EQ("poll.empty", poll(&pfd, 1, 0), 0);
	CHECK_OK("epoll.add", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	ev.events = EPOLLIN | EPOLLET;
	CHECK_OK("epoll.add_et", epoll_ctl(ep2, EPOLL_CTL_ADD, fd, &ev));
	CHECK_EQ("epoll.empty", epoll_wait(ep, out, 2, 0), 0);
	touch_open(P("f"));
	CHECK_EQ("poll.ready", poll(&pfd, 1, 0), 1);
	CHECK_EQ("poll.revents", pfd.revents, POLLIN);
	FD_ZERO(&rs);
	FD_SET(fd, &rs);
	CHECK_EQ("select.ready", select(fd + 1, &rs, NULL, NULL, &tv), 1);
	CHECK_EQ("epoll.ready", epoll_wait(ep, out, 2, 0), 1);
	CHECK_EQ("epoll.events", out[0].events, EPOLLIN);
	CHECK_EQ("epoll.data", out[0].data.u32, 7);
	CHECK_EQ("epoll_et.ready", epoll_wait(ep2, out, 2, 0), 1);
	CHECK_EQ("epoll_et.again", epoll_wait(ep2, out, 2, 0), 0);
	/* An event merged into the last one queued wakes nobody. */
	touch_open(P("f"));
	CHECK_EQ("epoll_et.merged", epoll_wait(ep2, out, 2, 0), 0);
	chmod(P("f"), 0644);
	CHECK_EQ("epoll_et.new_event", epoll_wait(ep2, out, 2, 0), 1);
	drain(fd, NULL, NULL);
	CHECK_EQ("epoll.drained", epoll_wait(ep, out, 2, 0), 0);
	/* A waiter woken by a change from another process. */
	pid_t c = fork();
	if (c == 0) {
		conf_msleep(50);
		touch_open(P("f"));
		_exit(0);
	}
	CHECK_EQ("epoll.wait_wakes", epoll_wait(ep, out, 2, 5000), 1);
	CHECK_EXIT("epoll.child", conf_wait(c), 0);
	close(ep);
	close(ep2);
	close(fd);
}

static void test_fdinfo(void)
{
	int fd = inotify_init1(IN_NONBLOCK), w1, w2;
	char path[64], text[4096] = { 0 };
	struct stat st;

	w1 = inotify_add_watch(fd, P("f"), IN_MODIFY | IN_ONESHOT);
	w2 = inotify_add_watch(fd, dir, IN_ALL_EVENTS | IN_EXCL_UNLINK);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	int pfd = open(path, O_RDONLY);
	CHECK_OK("fdinfo.open", pfd);
	ssize_t n = read(pfd, text, sizeof(text) - 1);
	close(pfd);
	CHECK("fdinfo.read", n > 0);
	/* Watches newest first. */
	char *l2 = strstr(text, "inotify wd:");
	char *l1 = l2 ? strstr(l2 + 1, "inotify wd:") : NULL;
	unsigned int wd = 0, mask = 0;
	unsigned long ino = 0;
	CHECK("fdinfo.two_lines", l1 && l2 && !strstr(l1 + 1, "inotify wd:"));
	if (!l1 || !l2)
		return;
	CHECK_EQ("fdinfo.dir_fields", sscanf(l2, "inotify wd:%x ino:%lx sdev:%*x mask:%x ignored_mask:0", &wd, &ino, &mask), 3);
	stat(dir, &st);
	CHECK_EQ("fdinfo.dir_wd", wd, w2);
	CHECK_EQ("fdinfo.dir_ino", ino, st.st_ino);
	CHECK_EQ("fdinfo.dir_mask", mask, IN_ALL_EVENTS | IN_EXCL_UNLINK);
	CHECK_EQ("fdinfo.file_fields", sscanf(l1, "inotify wd:%x ino:%lx sdev:%*x mask:%x ignored_mask:0", &wd, &ino, &mask), 3);
	stat(P("f"), &st);
	CHECK_EQ("fdinfo.file_wd", wd, w1);
	CHECK_EQ("fdinfo.file_ino", ino, st.st_ino);
	CHECK_EQ("fdinfo.file_mask", mask, IN_MODIFY | IN_ONESHOT);
	close(fd);
}

static void test_sysctl(void)
{
	CHECK("sysctl.max_queued_events", read_long("/proc/sys/fs/inotify/max_queued_events") > 0);
	CHECK("sysctl.max_user_instances", read_long("/proc/sys/fs/inotify/max_user_instances") > 0);
	CHECK("sysctl.max_user_watches", read_long("/proc/sys/fs/inotify/max_user_watches") > 0);
}

/* In a child with a fresh user id: instances up to the limit, EMFILE
 * after, all given back by close. */
static int child_instances(void)
{
	long max = read_long("/proc/sys/fs/inotify/max_user_instances");
	int fds[4096], n = 0;

	if (max <= 0 || max > 4000 || setuid(54321))
		return 1;
	for (int round = 0; round < 2; round++) {
		n = 0;
		while (n < 4096 && (fds[n] = inotify_init()) >= 0)
			n++;
		if (n != max || errno != EMFILE)
			return 2 + round;
		while (n > 0)
			close(fds[--n]);
	}
	return 0;
}

static int child_eacces(void)
{
	int fd = inotify_init();
	if (setuid(65534))
		return 1;
	if (inotify_add_watch(fd, P("secret"), IN_OPEN) != -1 || errno != EACCES)
		return 2;
	if (inotify_add_watch(fd, P("f"), IN_OPEN) < 0)
		return 3;
	return 0;
}

/* max_user_watches is only reachable where it is small (the sandbox's
 * 8192); where it is not, there is nothing to check. */
static int child_watches(void)
{
	long max = read_long("/proc/sys/fs/inotify/max_user_watches");
	char name[PATH_MAX + 16];
	int fd, wd = 0;

	if (max <= 0)
		return 1;
	if (max > 20000)
		return 0;
	if (setuid(54322) || mkdir(P("many"), 0777))
		return 2;
	fd = inotify_init();
	for (long i = 0; i < max; i++) {
		snprintf(name, sizeof(name), "%s/many/%ld", dir, i);
		if (mkdir(name, 0755) || (wd = inotify_add_watch(fd, name, IN_OPEN)) < 0)
			return 3;
	}
	if (inotify_add_watch(fd, P("f"), IN_OPEN) != -1 || errno != ENOSPC)
		return 4;
	/* A watch removed makes room. */
	if (inotify_rm_watch(fd, wd) || inotify_add_watch(fd, P("f"), IN_OPEN) < 0)
		return 5;
	close(fd);
	for (long i = 0; i < max; i++) {
		snprintf(name, sizeof(name), "%s/many/%ld", dir, i);
		rmdir(name);
	}
	return rmdir(P("many")) ? 6 : 0;
}

static int run_child(int (*fn)(void))
{
	pid_t c = fork();
	if (c == 0)
		_exit(fn());
	return conf_wait(c);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/conf-inotify-api-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	chmod(dir, 0777);
	test_init();
	test_watch_errors();
	test_mask_flags();
	test_read();
	test_overflow();
	test_blocking();
	test_poll();
	test_fdinfo();
	test_sysctl();
	CHECK_OK("put.secret", put(P("secret"), "s"));
	chmod(P("secret"), 0600);
	CHECK_EXIT("limits.instances", run_child(child_instances), 0);
	CHECK_EXIT("perm.eacces", run_child(child_eacces), 0);
	CHECK_EXIT("limits.watches", run_child(child_watches), 0);
	unlink(P("secret"));
	unlink(P("f"));
	unlink(P("0123456789abcdef"));
	rmdir(dir);
	return conf_failed ? 1 : 0;
}
