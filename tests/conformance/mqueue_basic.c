/* POSIX message queues: mq_open names, flags, attributes and errors;
 * mq_timedsend/mq_timedreceive with priorities, EMSGSIZE, EAGAIN, EBADF,
 * absolute CLOCK_REALTIME timeouts, EINTR and SA_RESTART, blocking on
 * either side; mq_getsetattr; close-on-exec; poll, select and epoll on a
 * descriptor. Natively the program first enters a new IPC namespace, so it
 * starts from Linux's defaults and an empty queue list, as in a sandbox. */
#include "conformance.h"
#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <linux/capability.h>

static struct mq_attr mkattr(long maxmsg, long msgsize)
{
	struct mq_attr a;
	memset(&a, 0, sizeof(a));
	a.mq_maxmsg = maxmsg;
	a.mq_msgsize = msgsize;
	return a;
}

/* The raw syscall: no glibc name handling. */
static long raw_open(const char *name, int oflag, mode_t mode, struct mq_attr *a)
{
	return syscall(SYS_mq_open, name, oflag, mode, a);
}

static struct timespec in_ms(long ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += (ms % 1000) * 1000000L;
	ts.tv_sec += ms / 1000 + ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	return ts;
}

static void on_sig(int s) { (void)s; }

/* Hosts differ in whether root has CAP_SYS_RESOURCE (which lifts msg_max,
 * msgsize_max and queues_max): drop it so that the limits apply alike. */
static void drop_sys_resource(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		return;
	for (int i = 0; i < 2; i++) {
		d[i].effective &= ~(i == CAP_TO_INDEX(CAP_SYS_RESOURCE) ? CAP_TO_MASK(CAP_SYS_RESOURCE) : 0);
		d[i].permitted &= ~(i == CAP_TO_INDEX(CAP_SYS_RESOURCE) ? CAP_TO_MASK(CAP_SYS_RESOURCE) : 0);
	}
	syscall(SYS_capset, &h, d);
}

static void names(void)
{
	char longname[300];
	struct mq_attr a = mkattr(1, 16);

	CHECK_ERR("name.no_slash_glibc", mq_open("noslash", O_RDWR | O_CREAT, 0600, &a), EINVAL);
	CHECK_ERR("name.inner_slash", raw_open("a/b", O_RDWR | O_CREAT, 0600, &a), EACCES);
	CHECK_ERR("name.dot", raw_open(".", O_RDWR | O_CREAT, 0600, &a), EACCES);
	CHECK_ERR("name.dotdot", raw_open("..", O_RDWR | O_CREAT, 0600, &a), EACCES);
	CHECK_ERR("name.empty", raw_open("", O_RDWR | O_CREAT, 0600, &a), ENOENT);
	CHECK_ERR("name.glibc_root_only", mq_open("/", O_RDWR | O_CREAT, 0600, &a), ENOENT);
	CHECK_ERR("name.efault", raw_open((const char *)8, O_RDWR | O_CREAT, 0600, &a), EFAULT);
	memset(longname, 'x', sizeof(longname));
	longname[0] = '/';
	longname[257] = '\0'; /* 256 after the slash */
	CHECK_ERR("name.too_long", mq_open(longname, O_RDWR | O_CREAT, 0600, &a), ENAMETOOLONG);
	longname[256] = '\0'; /* 255 */
	mqd_t q = mq_open(longname, O_RDWR | O_CREAT, 0600, &a);
	CHECK("name.255_ok", q >= 0);
	CHECK_OK("name.255_unlink", mq_unlink(longname));
	mq_close(q);
	/* No free descriptor: EMFILE, before the name is even looked at. */
	pid_t c = fork();
	if (c == 0) {
		struct rlimit rl = { 3, 3 };
		for (int fd = 3; fd < 64; fd++)
			close(fd);
		setrlimit(RLIMIT_NOFILE, &rl);
		if (raw_open("a/b", O_RDWR | O_CREAT, 0600, &a) != -1 || errno != EMFILE)
			_exit(1);
		_exit(mq_open("/mqb-nofd", O_RDWR | O_CREAT, 0600, &a) == -1 && errno == EMFILE &&
		      mq_unlink("/mqb-nofd") == -1 && errno == ENOENT ? 0 : 2);
	}
	CHECK_EXIT("name.emfile_first", conf_wait(c), 0);
	CHECK_ERR("unlink.enoent", mq_unlink("/nonexistent"), ENOENT);
	CHECK_ERR("unlink.inner_slash", syscall(SYS_mq_unlink, "a/b"), EACCES);
}

static void open_flags(void)
{
	struct mq_attr a = mkattr(4, 64), got;

	CHECK_ERR("open.enoent", mq_open("/mqb-none", O_RDWR), ENOENT);
	mqd_t q = mq_open("/mqb-a", O_RDWR | O_CREAT | O_EXCL, 0600, &a);
	CHECK("open.create", q >= 0);
	CHECK_ERR("open.excl", mq_open("/mqb-a", O_RDWR | O_CREAT | O_EXCL, 0600, &a), EEXIST);
	CHECK_ERR("open.accmode3", mq_open("/mqb-a", O_RDWR | O_WRONLY), EINVAL);
	int fdflags = fcntl(q, F_GETFD);
	CHECK("open.cloexec_always", fdflags >= 0 && (fdflags & FD_CLOEXEC));
	struct stat st;
	CHECK_OK("open.fstat", fstat(q, &st));
	CHECK("open.fstat_reg", S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0600);
	CHECK_EQ("open.fstat_size", st.st_size, 80);
	CHECK_EQ("open.fstat_uid", st.st_uid, geteuid());

	/* Without O_CREAT the attributes are not even looked at. */
	struct mq_attr bad = mkattr(-1, -1);
	mqd_t q2 = mq_open("/mqb-a", O_RDONLY | O_NONBLOCK, 0, &bad);
	CHECK("open.existing_ignores_attr", q2 >= 0);
	CHECK_OK("getattr.ok", mq_getattr(q2, &got));
	CHECK_EQ("getattr.maxmsg", got.mq_maxmsg, 4);
	CHECK_EQ("getattr.msgsize", got.mq_msgsize, 64);
	CHECK_EQ("getattr.curmsgs", got.mq_curmsgs, 0);
	CHECK_EQ("getattr.nonblock", got.mq_flags, O_NONBLOCK);
	CHECK_OK("getattr.blocking_fd", mq_getattr(q, &got));
	CHECK_EQ("getattr.flags_zero", got.mq_flags, 0);

	/* Only O_NONBLOCK changes; the rest of the new attributes is ignored. */
	struct mq_attr set = mkattr(100, 100), old;
	set.mq_flags = O_NONBLOCK;
	CHECK_OK("setattr.nonblock", mq_setattr(q, &set, &old));
	CHECK_EQ("setattr.old_flags", old.mq_flags, 0);
	CHECK_OK("setattr.get", mq_getattr(q, &got));
	CHECK_EQ("setattr.flags_now", got.mq_flags, O_NONBLOCK);
	CHECK_EQ("setattr.maxmsg_kept", got.mq_maxmsg, 4);
	CHECK("setattr.f_getfl", fcntl(q, F_GETFL) & O_NONBLOCK);
	set.mq_flags = O_NONBLOCK | O_APPEND;
	CHECK_ERR("setattr.bad_flags", mq_setattr(q, &set, NULL), EINVAL);
	set.mq_flags = 0;
	CHECK_OK("setattr.clear", mq_setattr(q, &set, NULL));
	CHECK_ERR("setattr.ebadf", mq_setattr(1000, &set, NULL), EBADF);
	int p[2];
	pipe(p);
	CHECK_ERR("getattr.pipe_ebadf", mq_getattr(p[0], &got), EBADF);
	CHECK_ERR("getattr.efault", syscall(SYS_mq_getsetattr, q, NULL, (void *)8), EFAULT);
	close(p[0]);
	close(p[1]);
	mq_close(q2);
	mq_close(q);

	/* Attribute validation. */
	a = mkattr(0, 10);
	CHECK_ERR("attr.maxmsg_zero", mq_open("/mqb-b", O_RDWR | O_CREAT, 0600, &a), EINVAL);
	a = mkattr(10, 0);
	CHECK_ERR("attr.msgsize_zero", mq_open("/mqb-b", O_RDWR | O_CREAT, 0600, &a), EINVAL);
	a = mkattr(-5, 10);
	CHECK_ERR("attr.maxmsg_negative", mq_open("/mqb-b", O_RDWR | O_CREAT, 0600, &a), EINVAL);
	a = mkattr(65537, 10);
	CHECK_ERR("attr.maxmsg_above_hard", mq_open("/mqb-b", O_RDWR | O_CREAT, 0600, &a), EINVAL);
	a = mkattr(1, 16 * 1024 * 1024 + 1);
	CHECK_ERR("attr.msgsize_above_hard", mq_open("/mqb-b", O_RDWR | O_CREAT, 0600, &a), EINVAL);
	CHECK_ERR("attr.not_created", mq_unlink("/mqb-b"), ENOENT);
	CHECK_ERR("attr.efault", raw_open("mqb-b", O_RDWR | O_CREAT, 0600, (void *)8), EFAULT);
	/* Without CAP_SYS_RESOURCE, msg_max and msgsize_max bound them. */
	a = mkattr(11, 1);
	CHECK_ERR("attr.above_msg_max", mq_open("/mqb-b", O_RDWR | O_CREAT, 0600, &a), EINVAL);
	a = mkattr(1, 8193);
	CHECK_ERR("attr.above_msgsize_max", mq_open("/mqb-b", O_RDWR | O_CREAT, 0600, &a), EINVAL);
	a = mkattr(10, 8192);
	q = mq_open("/mqb-b", O_RDWR | O_CREAT, 0600, &a);
	CHECK("attr.at_limits", q >= 0);
	mq_close(q);
	mq_unlink("/mqb-b");
	/* The defaults. */
	q = mq_open("/mqb-c", O_RDWR | O_CREAT, 0600, NULL);
	CHECK_OK("attr.default_get", mq_getattr(q, &got));
	CHECK_EQ("attr.default_maxmsg", got.mq_maxmsg, 10);
	CHECK_EQ("attr.default_msgsize", got.mq_msgsize, 8192);
	mq_close(q);
	mq_unlink("/mqb-c");
	/* The umask applies to the mode. */
	mode_t old_umask = umask(027);
	a = mkattr(1, 1);
	q = mq_open("/mqb-d", O_RDWR | O_CREAT, 0666, &a);
	CHECK_OK("umask.fstat", fstat(q, &st));
	CHECK_EQ("umask.mode", st.st_mode & 07777, 0640);
	umask(old_umask);
	mq_close(q);
	mq_unlink("/mqb-d");
	CHECK_OK("open.unlink", mq_unlink("/mqb-a"));
}

static void send_receive(void)
{
	struct mq_attr a = mkattr(5, 16);
	char buf[64];
	unsigned int prio;

	mqd_t q = mq_open("/mqb-sr", O_RDWR | O_CREAT | O_NONBLOCK, 0600, &a);
	CHECK("sr.open", q >= 0);
	CHECK_OK("sr.send1", mq_send(q, "one", 3, 1));
	CHECK_OK("sr.send5a", mq_send(q, "five-a", 6, 5));
	CHECK_OK("sr.send3", mq_send(q, "three", 5, 3));
	CHECK_OK("sr.send5b", mq_send(q, "five-b", 6, 5));
	CHECK_OK("sr.send0", mq_send(q, "", 0, 0));
	CHECK_ERR("sr.full_eagain", mq_send(q, "x", 1, 9), EAGAIN);
	struct mq_attr got;
	mq_getattr(q, &got);
	CHECK_EQ("sr.curmsgs", got.mq_curmsgs, 5);
	static const char *order[] = { "five-a", "five-b", "three", "one", "" };
	static const unsigned int prios[] = { 5, 5, 3, 1, 0 };
	for (int i = 0; i < 5; i++) {
		char name[64];
		memset(buf, 0, sizeof(buf));
		ssize_t n = mq_receive(q, buf, sizeof(buf), &prio);
		snprintf(name, sizeof(name), "sr.order%d_len", i);
		CHECK_EQ(name, n, (long)strlen(order[i]));
		snprintf(name, sizeof(name), "sr.order%d_text", i);
		CHECK_STR(name, buf, order[i]);
		snprintf(name, sizeof(name), "sr.order%d_prio", i);
		CHECK_EQ(name, prio, prios[i]);
	}
	CHECK_ERR("sr.empty_eagain", mq_receive(q, buf, sizeof(buf), NULL), EAGAIN);
	CHECK_ERR("sr.prio_max", mq_send(q, "x", 1, 32768), EINVAL);
	CHECK_OK("sr.prio_max_minus_1", mq_send(q, "x", 1, 32767));
	CHECK_ERR("sr.emsgsize_send", mq_send(q, buf, 17, 0), EMSGSIZE);
	CHECK_ERR("sr.emsgsize_receive", mq_receive(q, buf, 15, NULL), EMSGSIZE);
	CHECK_EQ("sr.receive_exact_size", mq_receive(q, buf, 16, &prio), 1);
	CHECK_EQ("sr.receive_prio", prio, 32767);
	CHECK_ERR("sr.send_efault", mq_send(q, (const char *)8, 4, 0), EFAULT);
	mq_getattr(q, &got);
	CHECK_EQ("sr.efault_sent_nothing", got.mq_curmsgs, 0);
	mq_send(q, "lost", 4, 0);
	CHECK_ERR("sr.receive_efault", mq_receive(q, (char *)8, 16, NULL), EFAULT);
	mq_getattr(q, &got);
	CHECK_EQ("sr.receive_efault_consumed", got.mq_curmsgs, 0);

	/* Access modes. */
	mqd_t r = mq_open("/mqb-sr", O_RDONLY | O_NONBLOCK);
	mqd_t w = mq_open("/mqb-sr", O_WRONLY | O_NONBLOCK);
	CHECK_ERR("sr.send_on_rdonly", mq_send(r, "x", 1, 0), EBADF);
	CHECK_ERR("sr.receive_on_wronly", mq_receive(w, buf, sizeof(buf), NULL), EBADF);
	CHECK_OK("sr.send_on_wronly", mq_send(w, "w", 1, 0));
	CHECK_EQ("sr.receive_on_rdonly", mq_receive(r, buf, sizeof(buf), NULL), 1);
	int p[2];
	pipe(p);
	CHECK_ERR("sr.send_pipe_ebadf", mq_send(p[1], "x", 1, 0), EBADF);
	CHECK_ERR("sr.receive_pipe_ebadf", mq_receive(p[0], buf, sizeof(buf), NULL), EBADF);
	CHECK_ERR("sr.send_closed_ebadf", mq_send(999, "x", 1, 0), EBADF);
	close(p[0]);
	close(p[1]);
	mq_close(r);
	mq_close(w);

	/* Messages outlive descriptors; an unlinked queue lives while open. */
	mq_send(q, "kept", 4, 2);
	mq_close(q);
	q = mq_open("/mqb-sr", O_RDWR);
	CHECK_EQ("sr.kept_after_close", mq_receive(q, buf, sizeof(buf), NULL), 4);
	CHECK_OK("sr.unlink_open", mq_unlink("/mqb-sr"));
	CHECK_OK("sr.unlinked_still_usable", mq_send(q, "u", 1, 0));
	mqd_t fresh = mq_open("/mqb-sr", O_RDWR | O_CREAT | O_EXCL | O_NONBLOCK, 0600, &a);
	CHECK("sr.new_queue_same_name", fresh >= 0);
	CHECK_ERR("sr.new_queue_empty", mq_receive(fresh, buf, sizeof(buf), NULL), EAGAIN);
	CHECK_EQ("sr.old_queue_has_it", mq_receive(q, buf, sizeof(buf), NULL), 1);
	mq_close(fresh);
	mq_close(q);
	mq_unlink("/mqb-sr");
}

static void timeouts(void)
{
	struct mq_attr a = mkattr(1, 16);
	char buf[16];
	struct timespec ts;

	mqd_t q = mq_open("/mqb-t", O_RDWR | O_CREAT, 0600, &a);
	ts = in_ms(60);
	int64_t t0 = conf_mono_ns();
	CHECK_ERR("timeout.receive", mq_timedreceive(q, buf, sizeof(buf), NULL, &ts), ETIMEDOUT);
	CHECK("timeout.receive_waited", conf_mono_ns() - t0 >= 50000000LL);
	ts.tv_sec -= 10;
	CHECK_ERR("timeout.receive_past", mq_timedreceive(q, buf, sizeof(buf), NULL, &ts), ETIMEDOUT);
	struct timespec bad = { 0, 1000000000L };
	CHECK_ERR("timeout.receive_bad_nsec", mq_timedreceive(q, buf, sizeof(buf), NULL, &bad), EINVAL);
	CHECK_OK("timeout.send_room", mq_timedsend(q, "a", 1, 0, &ts));
	/* Linux checks the timeout even when the call would not block. */
	CHECK_ERR("timeout.send_bad_nsec_not_blocking", mq_timedsend(q, "b", 1, 0, &bad), EINVAL);
	struct timespec neg = { -1, 0 };
	CHECK_ERR("timeout.receive_negative_not_blocking", mq_timedreceive(q, buf, sizeof(buf), NULL, &neg),
		  EINVAL);
	CHECK_ERR("timeout.efault", mq_timedsend(q, "b", 1, 0, (void *)8), EFAULT);
	ts = in_ms(60);
	t0 = conf_mono_ns();
	CHECK_ERR("timeout.send_full", mq_timedsend(q, "b", 1, 0, &ts), ETIMEDOUT);
	CHECK("timeout.send_waited", conf_mono_ns() - t0 >= 50000000LL);
	ts = in_ms(1000);
	CHECK_EQ("timeout.receive_ready", mq_timedreceive(q, buf, sizeof(buf), NULL, &ts), 1);

	/* A signal: EINTR without SA_RESTART... */
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { { 0, 0 }, { 0, 50000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	CHECK_ERR("signal.receive_eintr", mq_receive(q, buf, sizeof(buf), NULL), EINTR);
	mq_send(q, "f", 1, 0);
	setitimer(ITIMER_REAL, &it, NULL);
	CHECK_ERR("signal.send_eintr", mq_send(q, "g", 1, 0), EINTR);
	mq_receive(q, buf, sizeof(buf), NULL);
	/* ...restarted with it, towards the same absolute deadline. */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	ts = in_ms(200);
	t0 = conf_mono_ns();
	CHECK_ERR("signal.restart_then_timeout", mq_timedreceive(q, buf, sizeof(buf), NULL, &ts), ETIMEDOUT);
	CHECK("signal.restart_waited", conf_mono_ns() - t0 >= 180000000LL);
	signal(SIGALRM, SIG_DFL);

	/* Blocking receive woken by another process's send. */
	pid_t c = fork();
	if (c == 0) {
		conf_msleep(50);
		_exit(mq_send(q, "late", 4, 7) == 0 ? 0 : 1);
	}
	unsigned int prio = 0;
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("block.receive_woken", mq_receive(q, buf, sizeof(buf), &prio), 4);
	CHECK_STR("block.receive_text", buf, "late");
	CHECK_EQ("block.receive_prio", prio, 7);
	CHECK_EXIT("block.sender_child", conf_wait(c), 0);
	/* Blocking send woken by a receive. */
	mq_send(q, "first", 5, 0);
	c = fork();
	if (c == 0) {
		char b[16];
		conf_msleep(50);
		ssize_t n1 = mq_receive(q, b, sizeof(b), NULL);
		ssize_t n2 = mq_receive(q, b, sizeof(b), NULL);
		_exit(n1 == 5 && n2 == 6 ? 0 : 1);
	}
	CHECK_OK("block.send_woken", mq_send(q, "second", 6, 0));
	CHECK_EXIT("block.receiver_child", conf_wait(c), 0);
	/* Two blocked receivers, two messages: one each. */
	pid_t r1 = fork();
	if (r1 == 0)
		_exit(mq_receive(q, buf, sizeof(buf), NULL) == 1 ? 0 : 1);
	pid_t r2 = fork();
	if (r2 == 0)
		_exit(mq_receive(q, buf, sizeof(buf), NULL) == 1 ? 0 : 1);
	conf_msleep(100);
	mq_send(q, "x", 1, 0);
	conf_msleep(50);
	mq_send(q, "y", 1, 0);
	CHECK_EXIT("block.two_receivers_1", conf_wait(r1), 0);
	CHECK_EXIT("block.two_receivers_2", conf_wait(r2), 0);
	mq_close(q);
	mq_unlink("/mqb-t");
}

static void polling(void)
{
	struct mq_attr a = mkattr(2, 16);
	char buf[16];

	mqd_t q = mq_open("/mqb-p", O_RDWR | O_CREAT, 0600, &a);
	struct pollfd pfd = { .fd = q, .events = POLLIN | POLLOUT };
	CHECK_EQ("poll.empty", poll(&pfd, 1, 0), 1);
	CHECK_EQ("poll.empty_revents", pfd.revents, POLLOUT);
	mq_send(q, "a", 1, 0);
	poll(&pfd, 1, 0);
	CHECK_EQ("poll.some_revents", pfd.revents, POLLIN | POLLOUT);
	mq_send(q, "b", 1, 0);
	poll(&pfd, 1, 0);
	CHECK_EQ("poll.full_revents", pfd.revents, POLLIN);
	pfd.events = POLLRDNORM | POLLWRNORM;
	poll(&pfd, 1, 0);
	CHECK_EQ("poll.rdnorm", pfd.revents, POLLRDNORM);
	mq_receive(q, buf, sizeof(buf), NULL);
	mq_receive(q, buf, sizeof(buf), NULL);

	/* Blocking poll woken by a send from another process. */
	pid_t c = fork();
	if (c == 0) {
		conf_msleep(50);
		_exit(mq_send(q, "p", 1, 0) == 0 ? 0 : 1);
	}
	pfd.events = POLLIN;
	CHECK_EQ("poll.wait", poll(&pfd, 1, 5000), 1);
	CHECK_EQ("poll.wait_revents", pfd.revents, POLLIN);
	CHECK_EXIT("poll.child", conf_wait(c), 0);

	/* select. */
	fd_set rd, wr;
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_SET(q, &rd);
	FD_SET(q, &wr);
	struct timeval tv = { 0, 0 };
	CHECK_EQ("select.both", select(q + 1, &rd, &wr, NULL, &tv), 2);
	mq_receive(q, buf, sizeof(buf), NULL);
	FD_ZERO(&rd);
	FD_SET(q, &rd);
	tv.tv_usec = 0;
	CHECK_EQ("select.empty", select(q + 1, &rd, NULL, NULL, &tv), 0);

	/* epoll: level-triggered, then woken by a send. */
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 7 }, out[2];
	CHECK_OK("epoll.add", epoll_ctl(ep, EPOLL_CTL_ADD, q, &ev));
	CHECK_EQ("epoll.empty", epoll_wait(ep, out, 2, 0), 0);
	c = fork();
	if (c == 0) {
		conf_msleep(50);
		_exit(mq_send(q, "e", 1, 0) == 0 ? 0 : 1);
	}
	CHECK_EQ("epoll.wait", epoll_wait(ep, out, 2, 5000), 1);
	CHECK_EQ("epoll.data", out[0].data.u32, 7);
	CHECK_EQ("epoll.events", out[0].events, EPOLLIN);
	CHECK_EXIT("epoll.child", conf_wait(c), 0);
	ev.events = EPOLLOUT | EPOLLET;
	CHECK_OK("epoll.mod_out_et", epoll_ctl(ep, EPOLL_CTL_MOD, q, &ev));
	CHECK_EQ("epoll.out_ready", epoll_wait(ep, out, 2, 0), 1);
	CHECK_EQ("epoll.out_et_once", epoll_wait(ep, out, 2, 0), 0);
	mq_receive(q, buf, sizeof(buf), NULL);
	CHECK_EQ("epoll.out_edge_after_receive", epoll_wait(ep, out, 2, 0), 1);
	close(ep);
	mq_close(q);
	mq_unlink("/mqb-p");
}

int main(void)
{
	/* A fresh IPC namespace natively (the sandbox is one already). */
	unshare(CLONE_NEWIPC);
	drop_sys_resource();
	umask(022);
	names();
	open_flags();
	send_receive();
	timeouts();
	polling();
	return conf_done();
}
